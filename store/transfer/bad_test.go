package transfer

import (
	"strings"
	"testing"
)

// Every bad input of the issue is refused with a message naming the line
// and column, and leaves the database unchanged: same exports, same bytes.
func TestBadInputsAreRefusedWithoutWriting(t *testing.T) {
	big := strings.Repeat("x", 10<<20)
	cases := []struct {
		name, file, content string
		o                   ImportOptions
		fileErr             string   // a file-level error containing this, or
		rowErrs             []string // row errors containing these, in order
	}{
		{name: "binary", file: "a.csv", content: "\x7fELF\x02\x01\x01\x00\x00\x00garbage", fileErr: "a.csv: is a binary file"},
		{name: "invalid UTF-8", file: "a.csv", content: "Account Name,ARR\n\xff\xfeAcme,1\n", fileErr: "is not UTF-8 text"},
		{name: "xlsx", file: "a.xlsx", content: "PK\x03\x04\x14\x00\x06\x00", fileErr: "ZIP archive"},
		{name: "UTF-16", file: "a.csv", content: "\xff\xfeA\x00c\x00", fileErr: "UTF-16"},
		{name: "empty", file: "a.csv", content: "", fileErr: "a.csv: is empty"},
		{name: "blank lines only", file: "a.csv", content: "\r\n\r\n  \n", fileErr: "is empty"},
		{name: "header only", file: "a.csv", content: "Account ID,Account Name,ARR\r\n", fileErr: "a.csv: has a header row but no data rows"},
		{name: "header and blank rows", file: "a.csv", content: "Account ID,Account Name,ARR\n,,\n", fileErr: "no data rows"},
		{name: "duplicate headers", file: "a.csv", content: "Account Name,ARR,arr\nAcme,1,2\n", fileErr: `columns 2 ("ARR") and 3 ("arr") have the same name`},
		{name: "two names for one field", file: "a.csv", content: "Account Name,ARR,Annual Recurring Revenue\nAcme,1,2\n", fileErr: `columns 2 ("ARR") and 3 ("Annual Recurring Revenue") both mean the ARR`},
		{name: "very wide header", file: "a.csv", content: "Account Name" + strings.Repeat(",", 300_000) + "\nAcme\n", fileErr: "has 300001 columns (at most 2000)"},
		{name: "unknown kind", file: "a.csv", content: "Foo,Bar\n1,2\n", fileErr: "pass --kind"},
		{name: "no name or ID column", file: "a.csv", content: "ARR,NPS\n1,2\n", fileErr: `has no "Account Name" or "Account ID" column`},
		{name: "ledger import", file: "a.csv", content: "Account Name\nAcme\n", o: ImportOptions{Kind: Ledger}, fileErr: "can only be exported"},
		{name: "bad date format option", file: "a.csv", content: "Account Name\nAcme\n", o: ImportOptions{DateFormat: "m/d/yy"}, fileErr: "two-digit years"},
		{name: "JSON object not array", file: "a.json", content: `{"Account Name": "Acme"}`, fileErr: "not an array"},
		{name: "JSON empty array", file: "a.json", content: ` [ ] `, fileErr: "empty JSON array"},
		{name: "too many fields", file: "a.csv", content: "Account ID,Account Name,ARR\nA1,Acme,100\nA2,Acme, Inc.,200\n",
			rowErrs: []string{`a.csv:3: the row has 4 fields but the header has 3 (an unquoted "," inside a value?)`}},
		{name: "too few fields", file: "a.csv", content: "Account ID,Account Name,ARR\nA1,Acme\n",
			rowErrs: []string{`a.csv:2: column "ARR": missing: the row has 2 fields but the header has 3`}},
		{name: "10 MB field", file: "a.csv", content: "Account ID,Account Name,ARR\nA1,Acme,1\nA2," + big + ",2\nA3,Later,3\n",
			rowErrs: []string{`a.csv:3: column "Account Name": the field is too long: a field may hold at most 64 KiB (`}},
		{name: "10 MB quoted field", file: "a.csv", content: "Account ID,Account Name,Success Plan\nA1,Acme,\"" + big + "\"\n",
			rowErrs: []string{`a.csv:2: column "Success Plan": the field is too long: a field may hold at most 64 KiB`}},
		{name: "100 KB field", file: "a.csv", content: "Account ID,Account Name,Success Plan\nA1,Acme," + big[:100<<10] + "\n",
			rowErrs: []string{`a.csv:2: column "Success Plan": is 100 KiB long: a field is limited to 64 KiB`}},
		{name: "10 MB JSON value", file: "a.json", content: `[{"Account Name": "Acme"}, {"Account Name": "` + big + `"}]`,
			rowErrs: []string{`a.json: record 2: a record longer than 1024 KiB`}},
		{name: "negative ARR", file: "a.csv", content: "Account ID,Account Name,ARR\nA1,Acme,-5\nA2,Beta,\"(1,000)\"\n",
			rowErrs: []string{`a.csv:2: column "ARR": ARR cannot be negative (value "-5")`, `a.csv:3: column "ARR": ARR cannot be negative (value "(1,000)")`}},
		{name: "bad amount", file: "a.csv", content: "Account ID,Account Name,ARR\nA1,Acme,abc\nA2,Beta,\"12,5\"\n",
			rowErrs: []string{`a.csv:2: column "ARR": ARR is not an amount`, `a.csv:3: column "ARR": ARR is not an amount`}},
		{name: "NPS 11", file: "a.csv", content: "Account ID,Account Name,NPS\nA1,Acme,11\n",
			rowErrs: []string{`a.csv:2: column "NPS": NPS must be from 0 to 10 (value "11")`}},
		{name: "CSAT 4.5", file: "a.csv", content: "Account ID,Account Name,CSAT\nA1,Acme,4.5\n",
			rowErrs: []string{`a.csv:2: column "CSAT": CSAT must be a whole number from 1 to 5 (value "4.5")`}},
		{name: "impossible date", file: "a.csv", content: "Account ID,Account Name,Renewal Date\nA1,Acme,2026-02-30\n",
			rowErrs: []string{`a.csv:2: column "Renewal Date": is not a real calendar date (value "2026-02-30")`}},
		{name: "US date without --date-format", file: "a.csv", content: "Account ID,Account Name,Renewal Date\nA1,Acme,3/1/2026\n",
			rowErrs: []string{`a.csv:2: column "Renewal Date": is not a date in the form YYYY-MM-DD: for another layout pass --date-format (e.g. --date-format m/d/yyyy) (value "3/1/2026")`}},
		{name: "impossible date with --date-format", file: "a.csv", content: "Account ID,Account Name,Renewal Date\nA1,Acme,13/45/2026\n", o: ImportOptions{DateFormat: "m/d/yyyy"},
			rowErrs: []string{`a.csv:2: column "Renewal Date": is not a real calendar date (read as year 2026, month 13, day 45`}},
		{name: "unknown owner", file: "a.csv", content: "Account ID,Account Name,Account Owner\nA1,Acme,Nobody Known\n",
			rowErrs: []string{`a.csv:2: column "Account Owner": no team member has this name or email: add them first (steward import --kind members) or pass --create-members (value "Nobody Known")`}},
		{name: "duplicate external ID", file: "a.csv", content: "Account ID,Account Name\nA1,Acme\nA2,Beta\nA1,Acme again\n",
			rowErrs: []string{`a.csv:4: column "Account ID": the same external ID is on line 2: each account may appear once in a file (value "A1")`}},
		{name: "one stored account twice", file: "a.csv", content: "Account ID,Account Name,ARR\n001A,Acme Corp,1\n,Initech,2\n,Acme Corp,3\n",
			rowErrs: []string{`a.csv:4: column "Account Name": is the same stored account as line 2: each account may appear once in a file (value "Acme Corp")`}},
		{name: "unknown segment", file: "a.csv", content: "Account ID,Account Name,Segment\nA1,Acme,Huge\nA2,Beta,Mid-Market\nA3,Gamma,Small Business\n",
			rowErrs: []string{`a.csv:2: column "Segment": is not a segment`}},
		{name: "bare quote", file: "a.csv", content: "Account ID,Account Name\nA1,Acme \"The Best\" Corp\nA2,Beta\n",
			rowErrs: []string{`a.csv:2: not valid CSV: bare " in non-quoted-field`}},
		{name: "unclosed quote", file: "a.csv", content: "Account ID,Account Name\nA1,\"Acme\nA2,Beta\n",
			rowErrs: []string{`a.csv:2: not valid CSV: the quoted field that starts here is not closed properly`}},
		{name: "line numbers count quoted newlines", file: "a.csv", content: "Account ID,Account Name,NPS\nA1,\"Two\nLines\",5\nA2,Beta,12\n",
			rowErrs: []string{`a.csv:4: column "NPS": NPS must be from 0 to 10 (value "12")`}},
		{name: "JSON bad record", file: "a.json", content: `[{"account_name": "Acme", "nps": 5}, {"account_name": "Beta", "nps": 11}, {"account_name": "Gamma", "nps": {"v": 1}}]`,
			rowErrs: []string{`a.json: record 2: column "nps": NPS must be from 0 to 10 (value "11")`, `a.json: record 3: column "nps": is a JSON object`}},
		{name: "JSON duplicate key", file: "a.json", content: `[{"Account Name": "A", "Account Name": "B"}, {"Account Name": "C", "ARR": "x"}]`,
			rowErrs: []string{`a.json: record 1: column "Account Name": the key appears twice in this object`, `a.json: record 2: column "ARR": ARR is not an amount`}},
		{name: "JSON not an object", file: "a.json", content: `[{"Account Name": "A"}, 42]`,
			rowErrs: []string{`a.json: record 2: is not a JSON object`}},
		{name: "all bad rows reported", file: "a.csv", content: "Account ID,Account Name,ARR,NPS,Renewal Date\nA1,Acme,-1,11,2026-13-01\nA2,,5,5,\nA3,Fine,5,5,2026-01-01\n",
			rowErrs: []string{`a.csv:2: column "ARR"`, `a.csv:2: column "NPS"`, `a.csv:2: column "Renewal Date"`, `a.csv:3: column "Account Name": no stored account has this external ID, and a new account needs a name`}},
		{name: "existing account with a bad value", file: "a.csv", content: "Account ID,ARR\n001A,1\n001B,-1\n",
			rowErrs: []string{`a.csv:3: column "ARR": ARR cannot be negative`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := fixtureDB(t)
			before, sum := snapshotAll(t, db), fileSum(t, db)
			file := writeFile(t, c.file, c.content)
			o := c.o
			res, err := Import(db, testOpt, file, opts(o))
			switch {
			case c.fileErr != "":
				if err == nil || !strings.Contains(err.Error(), c.fileErr) {
					t.Errorf("error = %v, want one containing %q (row errors: %v)", err, c.fileErr, res.Errors)
				}
				if err != nil && !strings.Contains(err.Error(), file) && !strings.Contains(err.Error(), "date-format") && !strings.Contains(err.Error(), "ledger") {
					t.Errorf("error %q does not name the file", err)
				}
			default:
				if err != nil {
					t.Fatalf("unexpected file error: %v", err)
				}
				if len(res.Errors) != len(c.rowErrs) {
					t.Errorf("%d row errors, want %d:\n%s", len(res.Errors), len(c.rowErrs), errList(res.Errors))
				}
				for i, want := range c.rowErrs {
					want = strings.ReplaceAll(want, c.file, file)
					if i < len(res.Errors) && !strings.HasPrefix(res.Errors[i].Error(), want) {
						t.Errorf("error %d:\n got %s\nwant %s…", i, res.Errors[i].Error(), want)
					}
				}
				if res.Written() || !strings.Contains(res.Summary(file), "nothing was written") {
					t.Errorf("summary %q", res.Summary(file))
				}
				if len(res.Errors) > 0 && len(res.Errors[0].Error()) > 400 {
					t.Errorf("message too long: %d bytes", len(res.Errors[0].Error()))
				}
			}
			if after := snapshotAll(t, db); after != before {
				t.Errorf("the import changed the database")
			}
			if fileSum(t, db) != sum {
				t.Errorf("the import changed the database file's bytes")
			}
		})
	}
}

func errList(errs []RowError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("  " + e.Error() + "\n")
	}
	return b.String()
}

func TestRowErrorFormat(t *testing.T) {
	long := strings.Repeat("é", 100)
	cases := []struct {
		e    RowError
		want string
	}{
		{RowError{File: "f.csv", Line: 7, Column: "ARR", Reason: "ARR cannot be negative", Value: "-5"}, `f.csv:7: column "ARR": ARR cannot be negative (value "-5")`},
		{RowError{File: "f.csv", Line: 3, Reason: "the row has 4 fields but the header has 3"}, `f.csv:3: the row has 4 fields but the header has 3`},
		{RowError{File: "f.json", Line: 2, Record: true, Column: "nps", Reason: "bad", Value: "11"}, `f.json: record 2: column "nps": bad (value "11")`},
		{RowError{File: "f.csv", Line: 2, Column: "Name", Reason: "bad", Value: long}, `f.csv:2: column "Name": bad (value "` + strings.Repeat("é", 60) + `…")`},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
