package portfolio

import (
	"reflect"
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
)

// Open tasks in the read model: the review's overdue ones (the oldest
// due date first, then the account's ARR), each member's overdue count,
// and both kept by the change feed as a fresh load has them.
func TestOverdueTasks(t *testing.T) {
	path := writeFixtureDB(t, fixture())
	zoe := store.Actor{ID: mZoe, Name: "Zoe Lead"}
	day := func(s string) metrics.Date { return mustDate(s) }
	var ids []uint64
	if err := store.Update(path, opt0, func(tx *store.Tx) error {
		for _, n := range []store.NewTask{
			{AccountID: aAcme, Title: "Acme: agree the rollout", Due: day("2026-03-10")},                  // Bob, overdue
			{AccountID: aBeta, Title: "Beta: renewal call", Due: day("2026-03-17")},                       // Bob, overdue
			{AccountID: aGamma, Title: "Gamma: send the deck", Due: day("2026-03-18")},                    // Amy, due today
			{AccountID: aDelta, Title: "Delta: exec sponsor", Due: day("2026-03-10")},                     // Amy, overdue, more ARR than Acme
			{AccountID: aEcho, Title: "Echo: kickoff", OwnerID: mBob, Due: day("2026-03-01")},             // closed below
			{AccountID: aFoxtrot, Title: "Foxtrot: find an owner", OwnerID: mZoe, Due: day("2026-03-12")}, // unassigned account, Zoe's task
		} {
			tk, err := tx.AddTask(n, zoe, now)
			if err != nil {
				return err
			}
			ids = append(ids, tk.ID)
		}
		_, err := tx.CloseTask(ids[4], store.TaskDone, "", zoe, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path, opt0, asOf, now)
	if err != nil {
		t.Fatal(err)
	}
	overdue := func(p *Portfolio) string {
		var out []string
		for _, i := range p.Review.OverdueTasks {
			out = append(out, p.Tasks[i].Title)
		}
		return strings.Join(out, " | ")
	}
	team := func(p *Portfolio) map[string]int {
		out := map[string]int{}
		for _, r := range p.Team {
			if r.OverdueTasks > 0 {
				out[r.Member.Name] = r.OverdueTasks
			}
		}
		return out
	}
	if len(p.Tasks) != 5 {
		t.Fatalf("%d open tasks, want 5", len(p.Tasks))
	}
	if got, want := overdue(p), "Delta: exec sponsor | Acme: agree the rollout | Foxtrot: find an owner | Beta: renewal call"; got != want {
		t.Fatalf("overdue tasks:\n%s\nwant\n%s", got, want)
	}
	if got, want := team(p), map[string]int{"Bob Ray": 2, "Amy Ng": 1, "Zoe Lead": 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("overdue per member %v, want %v", got, want)
	}
	// Golf's owner has left: a task there needs an owner named.
	if err := store.Update(path, opt0, func(tx *store.Tx) error {
		_, err := tx.AddTask(store.NewTask{AccountID: aGolf, Title: "x", Due: day("2026-03-20")}, zoe, now)
		return err
	}); err == nil || !strings.Contains(err.Error(), "no longer active") {
		t.Fatalf("a task defaulting to a departed owner: %v", err)
	}

	step := func(what string, fn func(tx *store.Tx) error) { t.Helper(); stepFeed(t, path, &p, what, fn) }
	step("Acme's task done", func(tx *store.Tx) error {
		_, err := tx.CloseTask(ids[0], store.TaskDone, "agreed", store.Actor{ID: mBob, Name: "Bob Ray"}, now)
		return err
	})
	if got, want := overdue(p), "Delta: exec sponsor | Foxtrot: find an owner | Beta: renewal call"; got != want {
		t.Fatalf("after Acme's task: %s", got)
	}
	// A change to an account with no open task keeps the list as it was
	// (and still equal to a load).
	before := p.Review.OverdueTasks
	step("a call to Echo", func(tx *store.Tx) error {
		_, err := tx.LogActivity(aEcho, store.ActCall, "check-in", zoe, now)
		return err
	})
	if !reflect.DeepEqual(p.Review.OverdueTasks, before) || overdue(p) != "Delta: exec sponsor | Foxtrot: find an owner | Beta: renewal call" {
		t.Fatalf("after a call to Echo: %s", overdue(p))
	}
	step("a new overdue task on Gamma", func(tx *store.Tx) error {
		_, err := tx.AddTask(store.NewTask{AccountID: aGamma, Title: "Gamma: chase the invoice", Due: day("2026-03-11")}, zoe, now)
		return err
	})
	if got := team(p); got["Amy Ng"] != 2 || got["Bob Ray"] != 1 {
		t.Fatalf("after Gamma's new task: %v", got)
	}
}
