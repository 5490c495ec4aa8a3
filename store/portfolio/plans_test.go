package portfolio_test

import (
	"path/filepath"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

// The plan-at-risk flag is on an account when the portfolio is built and
// follows the change feed when another process changes the plan: a
// milestone that is late raises it, ticking it lowers it, an objective
// at risk raises it and achieving it lowers it; a milestone due tomorrow
// raises it once the day has moved past it. At each step the followed
// portfolio equals a fresh load.
func TestPlanAtRiskFollowsTheFeed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plans.db")
	if _, err := demo.Write(path, demo.Options{Accounts: 120, Seed: 5, Today: feedDay, Now: feedNow}); err != nil {
		t.Fatal(err)
	}
	p, err := portfolio.Load(path, store.Options{}, feedDay, feedNow)
	if err != nil {
		t.Fatal(err)
	}
	var id uint64
	for i := range p.Accounts {
		if a := &p.Accounts[i]; a.Live && !a.Flags.Has(metrics.FlagPlanAtRisk) {
			id = a.ID
			break
		}
	}
	if id == 0 {
		t.Fatal("no live account without the flag")
	}
	by := store.Actor{ID: p.Members[0].ID, Name: p.Members[0].Name}
	var objID int
	var objs []int // this test's objectives, to close them
	step := func(name string, want bool, fn func(tx *store.Tx) error) {
		t.Helper()
		if err := store.Update(path, store.Options{}, fn); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if follow(t, path, &p) {
			t.Fatalf("%s: a plan change reloaded instead of applying", name)
		}
		if got := p.Account(id).Flags.Has(metrics.FlagPlanAtRisk); got != want {
			t.Fatalf("%s: plan-at-risk %v, want %v (flags %v)", name, got, want, p.Account(id).Flags)
		}
		fresh, err := portfolio.Load(path, store.Options{}, feedDay, feedNow)
		if err != nil {
			t.Fatal(err)
		}
		samePortfolio(t, name, p, fresh)
	}
	// Close whatever plan the demo gave the account, so the steps below
	// are the only thing that moves the flag.
	step("its own plan closed", false, func(tx *store.Tx) error {
		plan, err := tx.PlanOf(id)
		if err != nil {
			return err
		}
		for _, o := range plan.Objectives {
			if o.Status.Live() {
				if err := tx.SetObjectiveStatus(id, o.ID, metrics.Dropped, by, feedNow); err != nil {
					return err
				}
			}
		}
		o, err := tx.AddObjective(id, "Roll out to the EMEA sales team", feedDay.AddDays(60), "", by, feedNow)
		objID = o.ID
		objs = append(objs, o.ID)
		return err
	})
	var late, soon int
	step("a milestone due yesterday", true, func(tx *store.Tx) error {
		m, err := tx.AddMilestone(id, objID, "Admin training done", feedDay.AddDays(-1), by, feedNow)
		late = m.ID
		return err
	})
	step("ticked", false, func(tx *store.Tx) error { return tx.SetMilestoneDone(id, late, true, by, feedNow) })
	step("a milestone due today is not late", false, func(tx *store.Tx) error {
		m, err := tx.AddMilestone(id, objID, "50% seats active", feedDay, by, feedNow)
		soon = m.ID
		return err
	})
	step("the objective at risk", true, func(tx *store.Tx) error {
		return tx.SetObjectiveStatus(id, objID, metrics.ObjectiveAtRisk, by, feedNow)
	})
	step("achieved: its late work is no longer late", false, func(tx *store.Tx) error {
		return tx.SetObjectiveStatus(id, objID, metrics.Achieved, by, feedNow)
	})
	step("back on track, and an escalation on the account", false, func(tx *store.Tx) error {
		if err := tx.SetObjectiveStatus(id, objID, metrics.OnTrack, by, feedNow); err != nil {
			return err
		}
		_, err := tx.CreateEscalation(store.NewEscalation{AccountID: id, Title: "Login outage", Severity: store.SevLow}, by, feedNow)
		return err
	})
	// The next day the milestone due today is late: a new day loads
	// afresh (the dashboard reloads on a new day), and the flag is up.
	next, err := portfolio.Load(path, store.Options{}, feedDay.AddDays(1), feedNow.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !next.Account(id).Flags.Has(metrics.FlagPlanAtRisk) {
		t.Fatalf("the day after milestone #%d was due, no flag: %v", soon, next.Account(id).Flags)
	}
	if s := next.PlanSummary(id); s.FirstDue != feedDay || s.AtRiskObjective {
		t.Errorf("summary %+v", s)
	}
}

// The health detail reads the whole plan with its progress on the day.
func TestDetailReadsThePlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "detail.db")
	if _, err := demo.Write(path, demo.Options{Accounts: 40, Seed: 5, Today: feedDay, Now: feedNow}); err != nil {
		t.Fatal(err)
	}
	var id uint64
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		accts, err := tx.Accounts()
		if err != nil {
			return err
		}
		id = accts[len(accts)-1].ID
		if err := tx.ReplacePlan(id, nil, "test", "a test", feedNow); err != nil {
			return err
		}
		o, err := tx.AddObjective(id, "Adoption", 0, "", store.Actor{}, feedNow)
		if err != nil {
			return err
		}
		for i, due := range []metrics.Date{feedDay.AddDays(-3), feedDay.AddDays(-1), feedDay.AddDays(5)} {
			m, err := tx.AddMilestone(id, o.ID, "step", due, store.Actor{}, feedNow)
			if err != nil {
				return err
			}
			if i == 0 {
				if err := tx.SetMilestoneDone(id, m.ID, true, store.Actor{}, feedNow); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := portfolio.LoadDetail(path, store.Options{}, id, feedDay)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Plan.Objectives) != 1 || len(d.Plan.Objectives[0].Milestones) != 3 {
		t.Fatalf("plan %+v", d.Plan.Plan)
	}
	if pr := d.Plan.Progress; pr.Milestones != 3 || pr.Done != 1 || pr.Overdue != 1 || !pr.AtRisk {
		t.Errorf("progress %+v", pr)
	}
}
