package transfer

import (
	"encoding/json"
	"strings"
	"testing"
)

// The round trip: export accounts to CSV, import that file into an
// empty database, export again: the two exports are identical.
func TestRoundTripAccounts(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			src := fixtureDB(t)
			first := export(t, src, Accounts, format)
			file := writeFile(t, "accounts."+format, first)

			dst := emptyDB(t)
			res := mustImport(t, dst, file, ImportOptions{CreateMembers: true})
			if res.Created != 3 || len(res.Ignored) != 0 || len(res.MembersCreated) != 2 {
				t.Fatalf("import of the export = %+v", res)
			}
			if second := export(t, dst, Accounts, format); second != first {
				t.Fatalf("exports differ:\n--- first\n%s\n--- second\n%s", first, second)
			}
			// And the export imports into its own database changing
			// nothing but the date of the health inputs it states.
			if res := mustImport(t, src, file, ImportOptions{}); res.Refreshed != 3 || res.Created+res.Updated+res.Unchanged != 0 {
				t.Errorf("re-import into the source = %+v", res)
			}
		})
	}
}

func TestExportEscapesFormulasInCSVOnly(t *testing.T) {
	db := fixtureDB(t)
	csvOut := export(t, db, Accounts, "csv")
	for _, want := range []string{`"'=HYPERLINK(""http://evil"")"`, ",'-Peter,", "Account ID,Account Name,Account Owner,Owner Email,Segment", ",120000.00,", "Health Score,Band,Effective Segment,Flags"} {
		if !strings.Contains(csvOut, want) {
			t.Errorf("CSV export lacks %q:\n%s", want, csvOut)
		}
	}
	jsonOut := export(t, db, Accounts, "json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(jsonOut), &rows); err != nil {
		t.Fatalf("JSON export does not parse: %v\n%s", err, jsonOut)
	}
	if rows[1]["success_plan"] != `=HYPERLINK("http://evil")` || rows[2]["champion"] != "-Peter" {
		t.Errorf("JSON must not be escaped: %v / %v", rows[1]["success_plan"], rows[2]["champion"])
	}
	if rows[1]["band"] != "red" || rows[1]["override_band"] != "red" || rows[0]["nps"] != 9.0 || rows[2]["nps"] != nil {
		t.Errorf("JSON values: %v", rows[1])
	}
	if f, ok := rows[1]["flags"].([]any); !ok || len(f) == 0 {
		t.Errorf("JSON flags = %#v", rows[1]["flags"])
	}

	for _, k := range Kinds {
		for _, format := range []string{"csv", "json"} {
			out := export(t, db, k, format)
			if format == "json" {
				var v []map[string]any
				if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) == 0 {
					t.Errorf("%s JSON: %v\n%s", k, err, out)
				}
			} else if strings.Count(out, "\n") < 2 {
				t.Errorf("%s CSV has no rows:\n%s", k, out)
			}
		}
	}
	if out := export(t, db, Escalations, "csv"); !strings.Contains(out, "Timeline Events") || !strings.Contains(out, ",false,1\n") {
		t.Errorf("escalations CSV:\n%s", out)
	}
	if out := export(t, db, Ledger, "csv"); !strings.Contains(out, "001A,Acme Corp,2025-04-15,120000.00,new,,") {
		t.Errorf("ledger CSV:\n%s", out)
	}
}

// Every column an export writes is one the importer reads back (or skips
// silently as computed), for the same kind.
func TestExportHeadersAreImportHeaders(t *testing.T) {
	for k, cols := range exportCols {
		if k == Ledger {
			continue
		}
		for _, c := range cols {
			for _, name := range []string{c.csv, c.json} {
				f, silent := resolve(k, name)
				if f != c.field || (c.field == "" && !silent) {
					t.Errorf("%s: export column %q resolves to %q (silent %v), want %q", k, name, f, silent, c.field)
				}
			}
		}
		got, err := detectKind(func() []string {
			var h []string
			for _, c := range cols {
				h = append(h, c.csv)
			}
			return h
		}())
		if err != nil || got != k {
			t.Errorf("an export of %s is detected as %q (%v)", k, got, err)
		}
	}
}
