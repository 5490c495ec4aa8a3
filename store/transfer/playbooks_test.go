package transfer

import (
	"testing"

	"steward/metrics"
	"steward/store"
)

// An import that pushes an account's band to red starts Red account
// recovery for its owner, due from the import day, in the import's
// transaction; a dry run starts nothing and writes nothing; importing
// the same file again starts nothing new (README, "Playbooks").
func TestImportFiresPlaybooksOnce(t *testing.T) {
	db := fixtureDB(t)
	// Acme (Omar's, renewal 2026-04-15: 44 days out) goes red.
	file := writeFile(t, "red.csv", "Account ID,Active Users,NPS,CSAT,Last Touch,Open Critical Tickets\n001A,5,0,1,2025-12-01,4\n")
	before := snapshotAll(t, db)
	dry := mustImport(t, db, file, ImportOptions{DryRun: true})
	if dry.PlaybooksFired != 0 || snapshotAll(t, db) != before {
		t.Fatalf("a dry run started %d playbooks or wrote", dry.PlaybooksFired)
	}
	res := mustImport(t, db, file, ImportOptions{Author: "crm sync"})
	if res.PlaybooksFired != 2 {
		t.Errorf("fired %d playbooks, want 2 (red recovery and renewal prep); %s", res.PlaybooksFired, res.Summary("red.csv"))
	}
	acme := accountByExt(t, db, "001A")
	count := func() map[string][]store.Task {
		out := map[string][]store.Task{}
		err := store.View(db, testOpt, func(tx *store.Tx) error {
			tasks, err := tx.TasksOf(acme.ID)
			for _, tk := range tasks {
				out[tk.Playbook] = append(out[tk.Playbook], tk)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := count()
	red := got["Red account recovery"]
	if len(red) != 4 || len(got["Renewal prep (120 days)"]) != 4 {
		t.Fatalf("tasks = %+v", got)
	}
	for i, off := range []int{2, 5, 7, 21} {
		want := acme.OwnerID
		if i == 2 {
			want = 1 // Maya Chen, the first active manager by name
		}
		if red[i].Due != testToday.AddDays(off) || red[i].OwnerID != want || red[i].CreatedBy != "crm sync" || red[i].Trigger != "band_to_red" {
			t.Errorf("recovery task %d = %+v", i, red[i])
		}
	}
	again := mustImport(t, db, file, ImportOptions{})
	if again.PlaybooksFired != 0 || len(count()["Red account recovery"]) != 4 {
		t.Errorf("the same file again started %d playbooks", again.PlaybooksFired)
	}
}

// new_account fires for the rows an import creates, once.
func TestImportNewAccountPlaybook(t *testing.T) {
	db := fixtureDB(t)
	err := store.Update(db, testOpt, func(tx *store.Tx) error {
		_, err := tx.PutPlaybook(store.Playbook{Name: "Welcome", Trigger: metrics.TriggerNewAccount, Active: true,
			Steps: []store.Step{{Title: "Kick-off call", OffsetDays: 3, Owner: store.OwnerAccount}}}, store.Actor{}, testNow)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "new.csv", "Account ID,Account Name,Account Owner,ARR\n001A,Acme Corp,Omar Haddad,\"$120,000\"\n009Z,Zeta,Omar Haddad,$9000\n")
	if res := mustImport(t, db, file, ImportOptions{}); res.PlaybooksFired != 1 || res.Created != 1 {
		t.Errorf("result %+v: want one account created and its Welcome started", res)
	}
	if res := mustImport(t, db, file, ImportOptions{}); res.PlaybooksFired != 0 {
		t.Errorf("again: %d started", res.PlaybooksFired)
	}
	zeta := accountByExt(t, db, "009Z")
	err = store.View(db, testOpt, func(tx *store.Tx) error {
		tasks, err := tx.TasksOf(zeta.ID)
		if len(tasks) != 1 || tasks[0].Title != "Kick-off call" || tasks[0].Due != testToday.AddDays(3) || tasks[0].OwnerID != zeta.OwnerID {
			t.Errorf("zeta's tasks = %+v", tasks)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
