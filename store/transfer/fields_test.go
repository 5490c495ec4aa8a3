package transfer

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
)

// A HubSpot companies export lands ARR, owner and contract start (from
// Create Date); its lifecycle stage is the account's lifecycle.
func TestHubSpotCompaniesExport(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "hubspot-companies.csv", "Company name,Company owner,Annual Recurring Revenue,Create Date,Lifecycle Stage\n"+
		"Hooli,Omar Haddad,\"$48,000.00\",2024-05-17 09:12,Customer\n"+
		"Pied Piper,lena@example.com,12000,2025-11-03,evangelist\n")
	res := mustImport(t, db, file, ImportOptions{})
	if res.Kind != Accounts || res.Created != 2 || len(res.Ignored) != 0 {
		t.Fatalf("result = %+v", res)
	}
	accts := accountsOf(t, db)
	h, p := accts[3], accts[4]
	if h.Name != "Hooli" || h.OwnerID != 2 || h.ARRCents != 48_000_00 || h.ContractStart != day0("2024-05-17") || h.Lifecycle != store.Active {
		t.Errorf("Hooli = %+v", h)
	}
	if p.OwnerID != 3 || p.ContractStart != day0("2025-11-03") || p.Lifecycle != store.Active {
		t.Errorf("Pied Piper = %+v", p)
	}
	if l := ledgerOf(t, db, h.ID); len(l) != 1 || l[0].Date != day0("2024-05-17") || l[0].Kind != metrics.KindNew {
		t.Errorf("Hooli's ledger = %+v", l)
	}
	// The file states health inputs (the contract start), so a re-import
	// confirms them: refreshed, not unchanged (README, data freshness).
	if res := mustImport(t, db, file, ImportOptions{}); res.Refreshed != 2 || res.Unchanged+res.Updated+res.Created != 0 {
		t.Errorf("re-import = %+v", res)
	}
	// A sales stage is not a customer lifecycle.
	lead := writeFile(t, "leads.csv", "Company name,Lifecycle Stage\nNucleus,Lead\n")
	res, err := Import(db, testOpt, lead, opts(ImportOptions{}))
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), `column "Lifecycle Stage": is a sales stage, not a customer lifecycle`) {
		t.Errorf("a lead: %v\n%s", err, errList(res.Errors))
	}
}

func TestSignupOrCreatedDateIsContractStart(t *testing.T) {
	db := emptyDB(t)
	res := mustImport(t, db, writeFile(t, "a.csv", "Account Name,ARR,Signup Date\nA,1000,2024-02-01\n"), ImportOptions{})
	if a := accountsOf(t, db)[0]; a.ContractStart != day0("2024-02-01") || len(res.Ignored) != 0 {
		t.Errorf("signup date: %v, ignored %q", a.ContractStart, res.Ignored)
	}
	for _, c := range []struct {
		header, row string
		want        string
		ignored     []string
	}{
		{"Account Name,Customer Since,Created Date", "B,2023-01-01,2020-05-05", "2023-01-01", []string{"Created Date"}},
		{"Account Name,Created Date,Contract Start,Signup Date", "C,2020-05-05,2024-07-01,2021-01-01", "2024-07-01", []string{"Created Date", "Signup Date"}},
		{"account_name,createdate", "D,2022-09-09", "2022-09-09", nil},
	} {
		db := emptyDB(t)
		res := mustImport(t, db, writeFile(t, "b.csv", c.header+"\n"+c.row+"\n"), ImportOptions{})
		if a := accountsOf(t, db)[0]; a.ContractStart.String() != c.want || !slices.Equal(res.Ignored, c.ignored) {
			t.Errorf("%s: contract start %v, ignored %q", c.header, a.ContractStart, res.Ignored)
		}
	}
}

func TestPlanColumnIsStoredAndExported(t *testing.T) {
	db := fixtureDB(t)
	mustImport(t, db, writeFile(t, "p.csv", "Account ID,Plan\n001A,Enterprise Annual\n"), ImportOptions{})
	mustImport(t, db, writeFile(t, "t.csv", "Account ID,Tier\n001B,Gold\n"), ImportOptions{})
	out := export(t, db, Accounts, "csv")
	if !strings.Contains(out, ",Plan,") || !strings.Contains(out, ",Enterprise Annual,") || !strings.Contains(out, ",Gold,") {
		t.Errorf("CSV export lacks the plan:\n%s", out)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(export(t, db, Accounts, "json")), &rows); err != nil {
		t.Fatal(err)
	}
	if rows[0]["plan"] != "Enterprise Annual" || rows[1]["plan"] != "Gold" || rows[2]["plan"] != "" {
		t.Errorf("JSON plans: %v %v %v", rows[0]["plan"], rows[1]["plan"], rows[2]["plan"])
	}
	// A Segment column still sets the segment; a Tier is the plan.
	if rows[1]["segment"] != "mid_market" {
		t.Errorf("segment = %v", rows[1]["segment"])
	}
}
