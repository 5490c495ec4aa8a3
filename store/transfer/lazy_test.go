package transfer

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"steward/store"
)

// An accounts import of a few rows finds its accounts through the store's
// indexes (lazyState); a larger one reads them all first. Both must give
// the same outcome, row errors and stored result, whatever the rows do.
func TestLazyAndEagerAccountImportsAgree(t *testing.T) {
	// Two stored accounts share a name, which only a row with an
	// external ID can tell apart; another differs from Acme Corp only in
	// case, which an accounts import treats as another name.
	extra := func(db string) {
		err := store.Update(db, testOpt, func(tx *store.Tx) error {
			return tx.PutAccounts([]*store.Account{
				{Name: "Twin Co", ExternalID: "T1", Lifecycle: store.Active, CreatedAt: testNow},
				{Name: "Twin Co", ExternalID: "T2", Lifecycle: store.Active, CreatedAt: testNow},
				{Name: "ACME CORP", Lifecycle: store.Active, CreatedAt: testNow},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"update by external ID":            "Account ID,ARR\n001A,130000\n",
		"update by name":                   "Account Name,Seats\n\"Globex, Inc.\",55\n",
		"create":                           "Account Name,ARR,Account Owner\nNewco,1000,Lena Vogel\n",
		"name in another case is new":      "Account Name,Seats\nacme corp,5\n",
		"ambiguous name":                   "Account Name,Seats\nTwin Co,3\n",
		"twin by external ID":              "Account ID,Account Name,Seats\nT2,Twin Co,3\n",
		"same account twice":               "Account ID,Account Name,Seats\n001A,,1\n,Acme Corp,2\n",
		"unknown external ID without name": "Account ID,Seats\nNOPE,1\n",
		"churn before the last ARR change": "Account ID,Churned,Churn Date\n001A,yes,2025-01-01\n",
		"churn after it":                   "Account ID,Churned,Churn Date\n001A,yes,2026-01-31\n",
		"rename by external ID":            "Account ID,Account Name\n001C,Initrode\n",
		"unchanged":                        "Account ID,Account Name\n001B,\"Globex, Inc.\"\n",
		"inputs confirmed":                 "Account ID,Seats,NPS\n001A,100,9\n001B,40,\n",
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			outcome := func(limit int64) string {
				saved := lazyImportBytes
				lazyImportBytes = limit
				defer func() { lazyImportBytes = saved }()
				db := fixtureDB(t)
				extra(db)
				path := writeFile(t, "a.csv", content)
				start := time.Now()
				res, err := Import(db, testOpt, path, opts(ImportOptions{}))
				errs := strings.ReplaceAll(errList(res.Errors), path, "a.csv")
				// Which accounts had their inputs dated by this import
				// (the export does not show the date).
				var dated []string
				for _, a := range accountsOf(t, db) {
					if !a.InputsAt.Before(start) {
						dated = append(dated, a.Name)
					}
				}
				return fmt.Sprintf("err %v\n%d created %d updated %d refreshed %d unchanged\ninputs dated: %q\n%s\n%s",
					err, res.Created, res.Updated, res.Refreshed, res.Unchanged, dated, errs, export(t, db, Accounts, "csv"))
			}
			lazy, eager := outcome(1<<20), outcome(-1)
			if lazy != eager {
				t.Fatalf("lazy import:\n%s\neager import:\n%s", lazy, eager)
			}
		})
	}
}
