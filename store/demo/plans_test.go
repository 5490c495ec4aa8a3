package demo

import (
	"reflect"
	"testing"

	"steward/metrics"
	"steward/store"
)

// The demo gives most live accounts a success plan with objectives in
// every status and some late milestones, so the health detail and the
// plan-at-risk flag mean something on `steward demo`; the same seed gives
// the same plans, and steward check finds them sound.
func TestPlans(t *testing.T) {
	for _, n := range []int{DefaultAccounts, 2000} {
		path, _ := writeDemo(t, Options{Accounts: n, Seed: 7})
		p := load(t, path)
		live, planned, flagged, overdue := 0, 0, 0, 0
		statuses := map[metrics.ObjectiveStatus]int{}
		var plans []store.Plan
		err := store.View(path, store.Options{}, func(tx *store.Tx) error {
			for i := range p.Accounts {
				a := &p.Accounts[i]
				plan, err := tx.PlanOf(a.ID)
				if err != nil {
					return err
				}
				if len(plan.Objectives) > 0 {
					plans = append(plans, plan)
				}
				if !a.Live {
					if len(plan.Objectives) > 0 {
						t.Errorf("churned account %d has a plan", a.ID)
					}
					continue
				}
				live++
				if len(plan.Objectives) == 0 {
					continue
				}
				planned++
				if len(plan.Objectives) > 3 {
					t.Errorf("account %d: %d objectives", a.ID, len(plan.Objectives))
				}
				for _, o := range plan.Objectives {
					statuses[o.Status]++
					if len(o.Milestones) < 1 || len(o.Milestones) > 4 {
						t.Errorf("account %d: objective with %d milestones", a.ID, len(o.Milestones))
					}
				}
				pr := plan.Progress(p.AsOf)
				overdue += pr.Overdue
				if pr.AtRisk != a.Flags.Has(metrics.FlagPlanAtRisk) {
					t.Errorf("account %d: progress says at risk %v, the flag %v", a.ID, pr.AtRisk, a.Flags)
				}
				if pr.AtRisk {
					flagged++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		share, risky := float64(planned)/float64(live), float64(flagged)/float64(live)
		t.Logf("%d accounts: %d live, %d with a plan (%.0f%%), %d plan-at-risk (%.0f%%), %d overdue milestones, statuses %v",
			n, live, planned, 100*share, flagged, 100*risky, overdue, statuses)
		if share < 0.5 || share > 0.7 || risky < 0.03 || risky > 0.2 || overdue == 0 {
			t.Errorf("%d accounts: %.0f%% of live accounts with a plan (want about 60%%), %.0f%% plan-at-risk (want 3-20%%), %d overdue",
				n, 100*share, 100*risky, overdue)
		}
		for _, s := range metrics.ObjectiveStatuses {
			if statuses[s] == 0 {
				t.Errorf("%d accounts: no objective is %s", n, s)
			}
		}
		if err := store.Verify(path, store.Options{}); err != nil {
			t.Errorf("check: %v", err)
		}
		if n == DefaultAccounts {
			again, _ := writeDemo(t, Options{Accounts: n, Seed: 7})
			var plans2 []store.Plan
			store.View(again, store.Options{}, func(tx *store.Tx) error {
				for i := range p.Accounts {
					if plan, _ := tx.PlanOf(p.Accounts[i].ID); len(plan.Objectives) > 0 {
						plans2 = append(plans2, plan)
					}
				}
				return nil
			})
			if !reflect.DeepEqual(plans, plans2) {
				t.Error("the same seed gave other plans")
			}
		}
	}
}
