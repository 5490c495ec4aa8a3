package transfer

import (
	"fmt"
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
)

// Issue 9, point 2: the columns a CS user expects to land.

func ledgerKinds(l []store.LedgerEntry) string {
	var s []string
	for _, e := range l {
		s = append(s, fmt.Sprintf("%s %s %d", e.Date, e.Kind, e.ARRCents/100))
	}
	return strings.Join(s, ", ")
}

func accountByExt(t *testing.T, db, ext string) store.Account {
	t.Helper()
	for _, a := range accountsOf(t, db) {
		if a.ExternalID == ext {
			return a
		}
	}
	t.Fatalf("no account %s", ext)
	return store.Account{}
}

func TestChurnFlagChurnsAndKeepsARRHistory(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "churn.csv", "Account ID,Account Name,ARR,Churned\n"+
		"001A,Acme Corp,120000,TRUE\n"+ // stored ARR, churned today
		"001B,\"Globex, Inc.\",50000,yes\n"+ // the file's last ARR differs: kept as history
		"001C,Initech,9000,N\n"+ // not churned: unchanged
		"N1,Newco,20000,1\n"+ // new and already churned
		"N2,Freebie,,Y\n") // churned without ever paying: no ledger
	res := mustImport(t, db, file, ImportOptions{Author: "Maya Chen"})
	if res.Created != 2 || res.Updated != 2 || res.Unchanged != 1 {
		t.Fatalf("result = %+v", res)
	}
	today := testToday.String()
	for ext, want := range map[string]string{
		"001A": "2025-04-15 new 120000, " + today + " churn 0",
		"001B": "2025-04-15 new 45500, " + today + " expansion 50000, " + today + " churn 0",
		"001C": "2025-04-15 new 9000",
		"N1":   today + " new 20000, " + today + " churn 0",
		"N2":   "",
	} {
		a := accountByExt(t, db, ext)
		wantLife := store.Churned
		if ext == "001C" {
			wantLife = store.Onboarding
		}
		if a.Lifecycle != wantLife || (wantLife == store.Churned && a.ARRCents != 0) {
			t.Errorf("%s: lifecycle %s, ARR %d", ext, a.Lifecycle, a.ARRCents)
		}
		l := ledgerOf(t, db, a.ID)
		if got := ledgerKinds(l); got != want {
			t.Errorf("%s: ledger %s\n                want %s", ext, got, want)
		}
		if len(l) > 0 && l[len(l)-1].Kind == metrics.KindChurn && (l[len(l)-1].Author != "Maya Chen" || !strings.Contains(l[len(l)-1].Note, "churn.csv")) {
			t.Errorf("%s: churn entry %+v", ext, l[len(l)-1])
		}
	}
	// The same file again changes nothing: a churned account's ARR in the
	// file is history already in the ledger.
	before := snapshotAll(t, db)
	if res := mustImport(t, db, file, ImportOptions{}); res.Unchanged != 5 {
		t.Errorf("re-import = %+v", res)
	}
	if snapshotAll(t, db) != before {
		t.Error("re-import changed the database")
	}
	// A flag saying "not churned" brings a churned account back.
	back := writeFile(t, "back.csv", "Account ID,ARR,is_churned\n001A,100000,false\n")
	mustImport(t, db, back, ImportOptions{})
	if a := accountByExt(t, db, "001A"); a.Lifecycle != store.Active || a.ARRCents != 100_000_00 {
		t.Errorf("reactivated: %+v", a)
	}
}

func TestChurnSpellingsAndValues(t *testing.T) {
	for _, c := range []struct{ header, yes, no string }{
		{"churned", "TRUE", "FALSE"}, {"is_churned", "true", "false"}, {"Churn Flag", "yes", "no"},
		{"churn_flag", "1", "0"}, {"Is Churned", "Y", "N"}, {"churned", "Yes", "No"}, {"status", "churned", "active"},
		{"Status", "Cancelled", "Customer"}, {"Account Status", "lost", "active"}, {"Lifecycle", "churned", "active"},
	} {
		db := fixtureDB(t)
		file := writeFile(t, "c.csv", fmt.Sprintf("Account ID,ARR,%s\n001A,120000,%s\n001B,45500.50,%s\n", c.header, c.yes, c.no))
		mustImport(t, db, file, ImportOptions{})
		a, b := accountByExt(t, db, "001A"), accountByExt(t, db, "001B")
		if a.Lifecycle != store.Churned || a.ARRCents != 0 || b.Lifecycle != store.Active || b.ARRCents != 45_500_50 {
			t.Errorf("%s %s/%s: %s %d, %s %d", c.header, c.yes, c.no, a.Lifecycle, a.ARRCents, b.Lifecycle, b.ARRCents)
		}
		if l := ledgerOf(t, db, a.ID); l[len(l)-1].Kind != metrics.KindChurn {
			t.Errorf("%s: no churn entry: %s", c.header, ledgerKinds(l))
		}
	}
}

func TestChurnDateAndConflicts(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "c.csv", "Account ID,Churned,Churn Date\n001A,TRUE,2026-01-31\n001B,FALSE,2025-12-01\n")
	mustImport(t, db, file, ImportOptions{})
	a := accountByExt(t, db, "001A")
	if got := ledgerKinds(ledgerOf(t, db, a.ID)); got != "2025-04-15 new 120000, 2026-01-31 churn 0" {
		t.Errorf("ledger %s", got)
	}
	if b := accountByExt(t, db, "001B"); b.Lifecycle != store.Active || b.ARRCents != 45_500_50 {
		t.Errorf("a churn date alone churned %+v", b)
	}

	for _, c := range []struct{ name, content, want string }{
		{"bad flag", "Account ID,is_churned\n001A,maybe\n", `a.csv:2: column "is_churned": is not yes/no: use TRUE/FALSE, yes/no, 1/0 or Y/N (value "maybe")`},
		{"bad status", "Account ID,Status\n001A,Gold\n", `a.csv:2: column "Status": is not an account status: use churned (cancelled, lost), onboarding (trial, implementation) or active (customer)`},
		{"future churn", "Account ID,Churned,Churn Date\n001A,yes,2026-03-03\n", `a.csv:2: column "Churn Date": is after the import day`},
		{"churn before the last ARR change", "Account ID,Churned,Churn Date\n001A,yes,2025-01-01\n", `a.csv:2: column "Churn Date": is before the account's last ARR change (2025-04-15)`},
		{"flag against status", "Account ID,Status,Churned\n001A,active,TRUE\n", `a.csv:2: column "Churned": says churned, but column "Status" says active`},
		{"ARR 0 against status", "Account ID,ARR,Status\n001A,0,active\n", `a.csv:2: column "ARR": ARR 0 records a churn, but column "Status" says active`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := fixtureDB(t)
			sum := fileSum(t, db)
			path := writeFile(t, "a.csv", c.content)
			res, err := Import(db, testOpt, path, opts(ImportOptions{}))
			want := strings.ReplaceAll(c.want, "a.csv", path)
			if err != nil || len(res.Errors) != 1 || !strings.HasPrefix(res.Errors[0].Error(), want) {
				t.Errorf("err %v, errors:\n%swant %s", err, errList(res.Errors), want)
			}
			if fileSum(t, db) != sum {
				t.Error("the database changed")
			}
		})
	}
}

// The store refuses an account marked churned that keeps its ARR; the
// import records the churn in the ledger instead, whichever column says so.
func TestChurnedLifecycleColumnAndARRZero(t *testing.T) {
	db := fixtureDB(t)
	mustImport(t, db, writeFile(t, "l.csv", "Account ID,Lifecycle,ARR\n001A,churned,120000\n"), ImportOptions{})
	a := accountByExt(t, db, "001A")
	if a.Lifecycle != store.Churned || a.ARRCents != 0 {
		t.Errorf("lifecycle churned kept ARR: %+v", a)
	}
	if got := ledgerKinds(ledgerOf(t, db, a.ID)); got != "2025-04-15 new 120000, "+testToday.String()+" churn 0" {
		t.Errorf("ledger %s", got)
	}
	mustImport(t, db, writeFile(t, "z.csv", "Account ID,ARR\n001C,0\n"), ImportOptions{})
	if c := accountByExt(t, db, "001C"); c.Lifecycle != store.Churned {
		t.Errorf("ARR 0 left lifecycle %s", c.Lifecycle)
	}
}

func TestTrialFlagAndStatusSetLifecycle(t *testing.T) {
	db := fixtureDB(t)
	mustImport(t, db, writeFile(t, "t.csv", "Account ID,Account Name,ARR,is_trial\nT1,TrialCo,,TRUE\nT2,PaidCo,1000,FALSE\n001C,Initech,9000,no\n"), ImportOptions{})
	if a := accountByExt(t, db, "T1"); a.Lifecycle != store.Onboarding {
		t.Errorf("trial: %s", a.Lifecycle)
	}
	if a := accountByExt(t, db, "T2"); a.Lifecycle != store.Active {
		t.Errorf("not a trial: %s", a.Lifecycle)
	}
	if a := accountByExt(t, db, "001C"); a.Lifecycle != store.Active {
		t.Errorf("onboarding account with trial = no: %s", a.Lifecycle)
	}
	mustImport(t, db, writeFile(t, "o.csv", "Account ID,Onboarding\n001A,Y\n"), ImportOptions{})
	if a := accountByExt(t, db, "001A"); a.Lifecycle != store.Onboarding {
		t.Errorf("onboarding flag: %s", a.Lifecycle)
	}
	st := writeFile(t, "s.csv", "Account Name,Status\nS1,Churned\nS2,Cancelled\nS3,Lost\nS4,Trial\nS5,Onboarding\nS6,Implementation\nS7,Active\nS8,Customer\n")
	mustImport(t, db, st, ImportOptions{Kind: Accounts})
	want := map[string]store.Lifecycle{"S1": store.Churned, "S2": store.Churned, "S3": store.Churned, "S4": store.Onboarding,
		"S5": store.Onboarding, "S6": store.Onboarding, "S7": store.Active, "S8": store.Active}
	for _, a := range accountsOf(t, db) {
		if w, ok := want[a.Name]; ok && a.Lifecycle != w {
			t.Errorf("%s: %s, want %s", a.Name, a.Lifecycle, w)
		}
	}
}
