package transfer

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadCSV feeds arbitrary bytes to the reader and to a full validation
// pass (as a dry run against an empty database would): nothing may panic,
// records come in line order, and no value exceeds the record limit. The
// seeds below and in testdata/fuzz run with every plain `go test`.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		salesforceCSV,
		"\xEF\xBB\xBFAccount ID,Account Name,ARR\r\nQ1,\"Multi\r\nLine, \"\"Quoted\"\" Co\",1000\r\n",
		"Account ID;Account Name;ARR\nQ1;Acme;\"1,000\"\n",
		"Account ID\tAccount Name\tNPS\nQ1\tAcme\t11\n",
		"Account Name,ARR,arr\nAcme,1,2\n",
		"Account ID,Account Name\nA1,\"Acme\nA2,Beta\n",
		"Account ID,Account Name\nA1,Acme \"The\" Best\n",
		"Account ID,Account Name,ARR\nA1,Acme\nA2,B,1,2\n",
		`[{"account_name": "Acme", "nps": 5}, {"account_name": "Beta", "nps": {"x": 1}}, 3]`,
		`[{"a": 1, "a": 2}`,
		"Name,Email,Role\nAna,ana@x.test,CSM\n",
		"Account,Subject,Priority,Created\nAcme,Down,P1,3/1/2026\n",
		"Account ID,Date,Type,Notes\nA1,2026-03-01T10:00:00Z,call,hi\n",
		"",
		"\x00\x01",
		"\"",
		",\n,\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		// The reader alone.
		src, err := openSource(bytes.NewReader(data), "fuzz.csv", 0)
		if err == nil {
			last := 0
			for i := 0; ; i++ {
				rec, err := src.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					var fe *fatalError
					var re *RowError
					if errors.As(err, &fe) {
						break
					}
					if !errors.As(err, &re) {
						t.Fatalf("next: unexpected error type %T: %v", err, err)
					}
					_ = re.Error()
					continue
				}
				if rec.line <= last && !src.isJSON() {
					t.Fatalf("record %d starts on line %d, after line %d", i, rec.line, last)
				}
				last = rec.line
				for _, c := range rec.cells {
					if len(c.v) > maxRecord {
						t.Fatalf("a %d-byte value got through", len(c.v))
					}
				}
			}
		}

		// A whole validation pass, for every kind.
		file := filepath.Join(dir, "fuzz.csv")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, k := range []Kind{"", Accounts, Members, Escalations, Activities} {
			im, err := newImporter(file, ImportOptions{Kind: k, DryRun: true, CreateMembers: k == Escalations, DateFormat: "m/d/yyyy"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := im.run(emptyState(), nil)
			if err != nil {
				continue
			}
			for _, e := range res.Errors {
				if e.Line < 1 || e.Error() == "" {
					t.Fatalf("bad row error %+v", e)
				}
			}
			if res.Created+res.Updated+res.Refreshed+res.Unchanged > res.Rows {
				t.Fatalf("counts exceed rows: %+v", res)
			}
		}
	})
}
