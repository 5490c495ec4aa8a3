package transfer

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// addPlans gives the fixture's Acme Corp (001A) a plan of two objectives
// and Globex (001B) an achieved one.
func addPlans(t testing.TB, db string) {
	t.Helper()
	err := store.Update(db, testOpt, func(tx *store.Tx) error {
		acme, err := tx.AccountByExternalID("001A")
		if err != nil {
			return err
		}
		globex, err := tx.AccountByExternalID("001B")
		if err != nil {
			return err
		}
		if err := tx.PutPlan(&store.Plan{AccountID: acme.ID, LastID: 5, Objectives: []store.Objective{
			{ID: 1, Text: `Roll out to "EMEA"`, Target: day0("2026-06-30"), Status: metrics.OnTrack, Milestones: []store.Milestone{
				{ID: 2, Text: "Admin training done", Due: day0("2026-02-15"), Done: true, DoneAt: time.Date(2026, 2, 14, 10, 0, 0, 0, time.UTC), DoneBy: "Omar Haddad"},
				{ID: 3, Text: "50% seats active", Due: day0("2026-05-01")},
			}},
			{ID: 4, Text: "Exec sponsor", Status: metrics.ObjectiveAtRisk, Milestones: []store.Milestone{
				{ID: 5, Text: "QBR with the CFO", Due: day0("2026-04-10")},
			}},
		}}); err != nil {
			return err
		}
		return tx.PutPlan(&store.Plan{AccountID: globex.ID, LastID: 2, Objectives: []store.Objective{
			{ID: 1, Text: "Halve P1 tickets", Target: day0("2026-01-31"), Status: metrics.Achieved, Milestones: []store.Milestone{
				{ID: 2, Text: "Config fixes deployed", Due: day0("2026-01-15"), Done: true, DoneAt: time.Date(2026, 1, 14, 16, 30, 0, 0, time.UTC), DoneBy: "Lena Vogel"},
			}},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func planOf(t testing.TB, db, ext string) (store.Plan, []store.Activity) {
	t.Helper()
	var p store.Plan
	var acts []store.Activity
	err := store.View(db, testOpt, func(tx *store.Tx) error {
		a, err := tx.AccountByExternalID(ext)
		if err != nil {
			return err
		}
		if p, err = tx.PlanOf(a.ID); err != nil {
			return err
		}
		acts, err = tx.Activities(a.ID, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, acts
}

func planActivities(acts []store.Activity) []string {
	var out []string
	for _, a := range acts {
		if a.Kind == store.ActPlan {
			out = append(out, a.Text)
		}
	}
	return out
}

// Accounts JSON carries the objectives: export, import into an empty
// database and export again gives the same file, with the plans as they
// were (done milestones keep when and by whom); importing the file again
// changes no plan; a file with other objectives replaces them, numbered
// after the plan's last ID, and audited; an empty list clears them. The
// CSV export has no objectives column.
func TestObjectivesRoundTrip(t *testing.T) {
	src := fixtureDB(t)
	addPlans(t, src)
	first := export(t, src, Accounts, "json")
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(first), &rows); err != nil {
		t.Fatal(err)
	}
	want := `[{"text": "Roll out to \"EMEA\"", "target_date": "2026-06-30", "status": "on_track", "milestones": [` +
		`{"text": "Admin training done", "due_date": "2026-02-15", "done": true, "done_at": "2026-02-14T10:00:00Z", "done_by": "Omar Haddad"}, ` +
		`{"text": "50% seats active", "due_date": "2026-05-01", "done": false, "done_at": null, "done_by": ""}]}, ` +
		`{"text": "Exec sponsor", "target_date": null, "status": "at_risk", "milestones": [` +
		`{"text": "QBR with the CFO", "due_date": "2026-04-10", "done": false, "done_at": null, "done_by": ""}]}]`
	if got := string(rows[0]["objectives"]); got != want {
		t.Fatalf("Acme's objectives:\n%s\nwant\n%s", got, want)
	}
	if got := string(rows[2]["objectives"]); got != "[]" {
		t.Errorf("Initech's objectives: %s", got)
	}
	if csv := export(t, src, Accounts, "csv"); strings.Contains(strings.ToLower(csv), "objectives") || strings.Contains(csv, "EMEA\"") {
		t.Errorf("the CSV export carries objectives:\n%s", csv)
	}

	file := writeFile(t, "accounts.json", first)
	dst := emptyDB(t)
	mustImport(t, dst, file, ImportOptions{CreateMembers: true})
	if second := export(t, dst, Accounts, "json"); second != first {
		t.Fatalf("exports differ:\n--- first\n%s\n--- second\n%s", first, second)
	}
	srcPlan, _ := planOf(t, src, "001A")
	dstPlan, acts := planOf(t, dst, "001A")
	if !store.SameObjectives(srcPlan.Objectives, dstPlan.Objectives) {
		t.Fatalf("imported plan\n%+v\nwant\n%+v", dstPlan.Objectives, srcPlan.Objectives)
	}
	if got := planActivities(acts); len(got) != 1 || got[0] != "Success plan objectives replaced by import of accounts.json: 2 objectives, 3 milestones" {
		t.Errorf("the import's audit entry: %q", got)
	}
	// The imported plan raises the flag its at-risk objective calls for.
	if !strings.Contains(string(rows[0]["flags"]), "plan-at-risk") {
		t.Errorf("Acme's flags: %s", rows[0]["flags"])
	}

	// Again: the objectives are those stored, nothing is written to them.
	res := mustImport(t, dst, file, ImportOptions{})
	if res.Updated != 0 || res.Refreshed != 3 {
		t.Errorf("re-import = %+v", res)
	}
	if _, acts := planOf(t, dst, "001A"); len(planActivities(acts)) != 1 {
		t.Errorf("a re-import touched the plan: %q", planActivities(acts))
	}
	// A file that states done milestones without their time keeps the
	// stored times: still nothing to write.
	bare := writeFile(t, "bare.json", `[{"account_id": "001B", "objectives": [{"text": "Halve P1 tickets", "target_date": "2026-01-31", "status": "achieved",
		"milestones": [{"text": "Config fixes deployed", "due_date": "2026-01-15", "done": true}]}]}]`)
	if res := mustImport(t, dst, bare, ImportOptions{}); res.Updated != 0 || res.Unchanged != 1 {
		t.Errorf("restating a plan without its done times = %+v", res)
	}

	// Other objectives replace the stored ones.
	other := writeFile(t, "other.json", `[{"account_id": "001A", "objectives": [{"text": "Renew early", "status": "at risk",
		"milestones": [{"text": "Kick-off", "due_date": "2026-03-20", "done": true}, {"text": "Pricing agreed", "due_date": "2026-04-20"}]}]}]`)
	if res := mustImport(t, dst, other, ImportOptions{Author: "crm-sync"}); res.Updated != 1 {
		t.Fatalf("replacing the objectives = %+v", res)
	}
	p, acts := planOf(t, dst, "001A")
	if len(p.Objectives) != 1 || p.Objectives[0].ID != 6 || p.Objectives[0].Status != metrics.ObjectiveAtRisk ||
		p.Objectives[0].Milestones[0].ID != 7 || !p.Objectives[0].Milestones[0].Done || p.Objectives[0].Milestones[0].DoneBy != "crm-sync" ||
		p.Objectives[0].Milestones[0].DoneAt.IsZero() || p.LastID != 8 {
		t.Fatalf("replaced plan %+v", p)
	}
	if got := planActivities(acts); len(got) != 2 || !strings.Contains(got[0], "by import of other.json: 1 objectives, 2 milestones") || acts[0].Author != "crm-sync" {
		t.Errorf("audit entries %q", got)
	}

	// An empty list clears them, and steward check finds the file sound.
	clear := writeFile(t, "clear.json", `[{"account_id": "001A", "objectives": []}]`)
	if res := mustImport(t, dst, clear, ImportOptions{}); res.Updated != 1 {
		t.Fatalf("clearing = %+v", res)
	}
	if p, _ := planOf(t, dst, "001A"); len(p.Objectives) != 0 {
		t.Fatalf("cleared plan %+v", p)
	}
	if out := export(t, dst, Accounts, "json"); strings.Contains(out, "plan-at-risk") {
		t.Errorf("a cleared plan still flags:\n%s", out)
	}
	if err := store.Verify(dst, testOpt); err != nil {
		t.Fatalf("check: %v", err)
	}
	// The plan's audit entries come back in an export of activities,
	// which imports again (they are already there: nothing is added).
	actsFile := writeFile(t, "activities.csv", export(t, dst, Activities, "csv"))
	if res := mustImport(t, dst, actsFile, ImportOptions{}); res.Created != 0 || res.Unchanged == 0 {
		t.Errorf("re-importing the activities = %+v", res)
	}
}

// A bad objective is one row error naming the record, the column and
// where in the list, and nothing is written; small files (read lazily)
// and large ones say the same.
func TestObjectivesRowErrors(t *testing.T) {
	good := `{"account_id": "001B", "objectives": [{"text": "Fine", "milestones": [{"text": "Step", "due_date": "2026-05-01"}]}]}`
	many := make([]string, store.MaxObjectives+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"text": "goal %d"}`, i)
	}
	for _, c := range []struct{ name, objectives, want string }{
		{"a date that does not exist", `[{"text": "A", "milestones": [{"text": "M", "due_date": "2026-02-30"}]}]`,
			`record 2: column "objectives": objective 1, milestone 1: "due_date" is not a real calendar date (value "2026-02-30")`},
		{"a status we do not know", `[{"text": "A"}, {"text": "B", "status": "blocked"}]`,
			`record 2: column "objectives": objective 2: "status" is not an objective status: use on_track, at_risk, achieved or dropped (value "blocked")`},
		{"not a list", `{"text": "A"}`, `record 2: column "objectives": must be a JSON array of objectives`},
		{"text", `"roll out to EMEA"`, `record 2: column "objectives": must be a JSON array of objectives`},
		{"a key we do not know", `[{"text": "A", "due": "2026-01-01"}]`,
			`record 2: column "objectives": objective 1: unknown key "due" (the keys are text, target_date, status, milestones)`},
		{"no text", `[{"status": "on_track"}]`, `objective 1: "text" is required`},
		{"a milestone without a due date", `[{"text": "A", "milestones": [{"text": "M"}]}]`, `objective 1, milestone 1: "due_date" is required`},
		{"done is not yes or no", `[{"text": "A", "milestones": [{"text": "M", "due_date": "2026-03-01", "done": "yes"}]}]`,
			`objective 1, milestone 1: "done" must be true or false (value "yes")`},
		{"a number for text", `[{"text": 7}]`, `objective 1: "text" must be text (value 7)`},
		{"milestones not a list", `[{"text": "A", "milestones": {"text": "M"}}]`, `objective 1: "milestones" must be a JSON array of milestones`},
		{"too many", "[" + strings.Join(many, ", ") + "]", "a success plan holds at most 50 objectives"},
	} {
		t.Run(c.name, func(t *testing.T) {
			content := "[" + good + ",\n" + `{"account_id": "001A", "objectives": ` + c.objectives + "}]"
			outcome := func(limit int64) string {
				saved := lazyImportBytes
				lazyImportBytes = limit
				defer func() { lazyImportBytes = saved }()
				db := fixtureDB(t)
				before := snapshotAll(t, db)
				path := writeFile(t, "a.json", content)
				res, err := Import(db, testOpt, path, opts(ImportOptions{}))
				if err != nil {
					t.Fatalf("Import: %v", err)
				}
				if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), c.want) {
					t.Fatalf("errors:\n%s\nwant one containing %s", errList(res.Errors), c.want)
				}
				if snapshotAll(t, db) != before {
					t.Fatal("a file with a bad row changed the database")
				}
				return strings.ReplaceAll(errList(res.Errors), path, "a.json")
			}
			if lazy, eager := outcome(1<<20), outcome(-1); lazy != eager {
				t.Fatalf("lazy: %s\neager: %s", lazy, eager)
			}
		})
	}
}

// A CSV has no room for a list of lists: an objectives column is listed
// as ignored and changes nothing.
func TestObjectivesInCSVAreIgnored(t *testing.T) {
	db := fixtureDB(t)
	addPlans(t, db)
	before, _ := planOf(t, db, "001A")
	path := writeFile(t, "a.csv", "Account ID,Objectives\n001A,\"[{\"\"text\"\": \"\"Other\"\"}]\"\n")
	res := mustImport(t, db, path, ImportOptions{})
	if !reflect.DeepEqual(res.Ignored, []string{"Objectives"}) {
		t.Errorf("ignored %q", res.Ignored)
	}
	if after, _ := planOf(t, db, "001A"); !reflect.DeepEqual(after, before) {
		t.Errorf("a CSV changed the plan: %+v", after)
	}
}
