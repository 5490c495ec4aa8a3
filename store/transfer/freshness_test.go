package transfer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"steward/store"
)

// An accounts import dates the health inputs of every row that states
// one, changed or not (the CRM confirmed them): such a row that changes
// nothing else is counted as refreshed, apart from the rows that change
// nothing at all. A row without a health input column leaves the date
// alone, whatever else it changes; a dry run counts and writes nothing.
func TestImportDatesHealthInputs(t *testing.T) {
	db := fixtureDB(t)
	byExt := func(ext string) store.Account { t.Helper(); return accountByExt(t, db, ext) }
	// run imports content and returns the result and the instants the
	// import's own clock lay between.
	run := func(name, content string, o ImportOptions) (ImportResult, time.Time, time.Time) {
		t.Helper()
		start := time.Now()
		res := mustImport(t, db, writeFile(t, name, content), o)
		return res, start, time.Now()
	}
	within := func(what string, got, from, to time.Time) {
		t.Helper()
		if got.Before(from) || got.After(to) || got.Location() != time.UTC {
			t.Errorf("%s = %v, want the import's time (between %v and %v), in UTC", what, got, from, to)
		}
	}
	acme0, initech0 := byExt("001A"), byExt("001C")
	if !acme0.InputsUpdated().Before(time.Now().Add(-time.Hour)) {
		t.Fatalf("the fixture's Acme has inputs dated %v already", acme0.InputsUpdated())
	}
	// Seats and NPS as stored (Initech has no NPS: an empty cell keeps
	// it empty).
	confirm := "Account ID,Seats,NPS\n001A,100,9\n001C,10,\n"

	sum := fileSum(t, db)
	res, _, _ := run("confirm.csv", confirm, ImportOptions{DryRun: true})
	if res.Refreshed != 2 || res.Unchanged != 0 || res.Updated != 0 || res.Written() {
		t.Errorf("dry run = %+v, want 2 refreshed and nothing written", res)
	}
	if !strings.Contains(res.Summary("confirm.csv"), "0 updated, 2 refreshed, 0 unchanged") {
		t.Errorf("dry-run summary %q does not count the refreshed rows", res.Summary("confirm.csv"))
	}
	if fileSum(t, db) != sum {
		t.Fatal("a dry run changed the database file")
	}

	res, from, to := run("confirm.csv", confirm, ImportOptions{})
	if res.Refreshed != 2 || res.Unchanged != 0 || res.Updated != 0 || !res.Written() {
		t.Errorf("import = %+v, want 2 refreshed", res)
	}
	if s := res.Summary("confirm.csv"); !strings.Contains(s, "2 refreshed, 0 unchanged") {
		t.Errorf("summary %q does not count the refreshed rows", s)
	}
	acme1, initech1 := byExt("001A"), byExt("001C")
	within("Acme's InputsAt", acme1.InputsAt, from, to)
	within("Initech's InputsAt", initech1.InputsAt, from, to)
	if !acme1.UpdatedAt.Equal(acme1.InputsAt) {
		t.Errorf("Acme's record was rewritten at %v, its inputs dated %v", acme1.UpdatedAt, acme1.InputsAt)
	}
	// Nothing else moved.
	for _, pair := range [][2]store.Account{{acme0, acme1}, {initech0, initech1}} {
		a, b := pair[0], pair[1]
		a.UpdatedAt, a.InputsAt, b.UpdatedAt, b.InputsAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("a refresh changed more than the dates:\n%+v\n%+v", pair[0], pair[1])
		}
	}

	// The same values without a health input column: unchanged, and the
	// inputs keep their date.
	res, _, _ = run("names.csv", "Account ID,Account Name\n001A,Acme Corp\n", ImportOptions{})
	if res.Unchanged != 1 || res.Refreshed != 0 || res.Written() {
		t.Errorf("names only = %+v, want 1 unchanged", res)
	}
	// A change that is no health input: updated, the inputs keep their date.
	res, from, to = run("plan.csv", "Account ID,Plan\n001A,Gold\n", ImportOptions{})
	acme2 := byExt("001A")
	if res.Updated != 1 || res.Refreshed != 0 || acme2.Plan != "Gold" || !acme2.InputsAt.Equal(acme1.InputsAt) {
		t.Errorf("plan only = %+v: plan %q, inputs dated %v (want %v, as before)", res, acme2.Plan, acme2.InputsAt, acme1.InputsAt)
	}
	within("Acme's UpdatedAt after the plan", acme2.UpdatedAt, from, to)

	// ARR changed alongside a confirmed health input: updated, and dated.
	res, from, to = run("arr.csv", "Account ID,ARR,Seats\n001A,150000,100\n", ImportOptions{})
	if res.Updated != 1 || res.Refreshed != 0 {
		t.Errorf("ARR with seats = %+v, want 1 updated", res)
	}
	within("Acme's InputsAt after ARR and seats", byExt("001A").InputsAt, from, to)

	// A contract start stand-in (Customer Since) is a health input too.
	res, from, to = run("since.csv", "Account ID,Customer Since\n001A,2025-04-15\n", ImportOptions{})
	if res.Refreshed != 1 {
		t.Errorf("customer since = %+v, want 1 refreshed", res)
	}
	within("Acme's InputsAt after Customer Since", byExt("001A").InputsAt, from, to)

	// A new account's inputs are as new as it is, with or without them.
	res, from, to = run("new.csv", "Account Name,ARR\nNewco,1000\n", ImportOptions{})
	if res.Created != 1 {
		t.Fatalf("new = %+v", res)
	}
	var newco store.Account
	for _, a := range accountsOf(t, db) {
		if a.Name == "Newco" {
			newco = a
		}
	}
	within("Newco's InputsAt", newco.InputsAt, from, to)
	if !newco.InputsAt.Equal(newco.CreatedAt) {
		t.Errorf("Newco: inputs dated %v, created %v", newco.InputsAt, newco.CreatedAt)
	}
}
