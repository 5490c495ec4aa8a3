package metrics

import (
	"math/rand/v2"
	"testing"
)

// Plan progress by hand. The day is 2026-03-10; "before" is 2026-03-01
// (overdue when not done), "today" is the day itself (not yet overdue),
// "after" is 2026-03-20.
func TestProgressOf(t *testing.T) {
	day := NewDate(2026, 3, 10)
	before, today, after := NewDate(2026, 3, 1), day, NewDate(2026, 3, 20)
	ms := func(list ...PlanMilestone) []PlanMilestone { return list }
	open := func(d Date) PlanMilestone { return PlanMilestone{Due: d} }
	done := func(d Date) PlanMilestone { return PlanMilestone{Due: d, Done: true} }
	for _, c := range []struct {
		name string
		objs []PlanObjective
		want PlanProgress
	}{
		{"no plan", nil, PlanProgress{}},
		{"an objective without milestones", []PlanObjective{{Status: OnTrack}},
			PlanProgress{Objectives: 1, Live: 1}},
		{"due today is not overdue", []PlanObjective{{Status: OnTrack, Milestones: ms(open(today), open(after))}},
			PlanProgress{Objectives: 1, Live: 1, Milestones: 2}},
		{"due yesterday and not done is", []PlanObjective{{Status: OnTrack, Milestones: ms(open(today.AddDays(-1)))}},
			PlanProgress{Objectives: 1, Live: 1, Milestones: 1, Overdue: 1, AtRisk: true}},
		{"done late is not overdue", []PlanObjective{{Status: OnTrack, Milestones: ms(done(before), open(after))}},
			PlanProgress{Objectives: 1, Live: 1, Milestones: 2, Done: 1}},
		{"no due date is never overdue", []PlanObjective{{Status: OnTrack, Milestones: ms(open(0))}},
			PlanProgress{Objectives: 1, Live: 1, Milestones: 1}},
		{"at risk without anything late", []PlanObjective{{Status: ObjectiveAtRisk, Milestones: ms(open(after))}},
			PlanProgress{Objectives: 1, Live: 1, AtRiskObjectives: 1, Milestones: 1, AtRisk: true}},
		// Achieved: its milestones count (one done, one not) but the
		// late one is not overdue; dropped: its milestones count for
		// nothing.
		{"closed objectives raise nothing", []PlanObjective{
			{Status: Achieved, Milestones: ms(done(before), open(before))},
			{Status: Dropped, Milestones: ms(open(before), done(before))},
		}, PlanProgress{Objectives: 2, Achieved: 1, Milestones: 2, Done: 1}},
		// The example: 2 of 5 milestones done, 1 overdue.
		{"2 of 5 done, 1 overdue", []PlanObjective{
			{Status: OnTrack, Milestones: ms(done(before), open(before), open(after))},
			{Status: Achieved, Milestones: ms(done(before))},
			{Status: OnTrack, Milestones: ms(open(today))},
			{Status: Dropped, Milestones: ms(open(before))},
		}, PlanProgress{Objectives: 4, Live: 2, Achieved: 1, Milestones: 5, Done: 2, Overdue: 1, AtRisk: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ProgressOf(c.objs, day); got != c.want {
				t.Errorf("ProgressOf = %+v\nwant        %+v", got, c.want)
			}
		})
	}
}

func TestSummaryOf(t *testing.T) {
	d := func(n int) Date { return NewDate(2026, 3, n) }
	for _, c := range []struct {
		name string
		objs []PlanObjective
		want PlanSummary
	}{
		{"none", nil, PlanSummary{}},
		{"earliest open milestone of live objectives", []PlanObjective{
			{Status: OnTrack, Milestones: []PlanMilestone{{Due: d(9)}, {Due: d(2), Done: true}, {Due: 0}}},
			{Status: ObjectiveAtRisk, Milestones: []PlanMilestone{{Due: d(5)}}},
			{Status: Achieved, Milestones: []PlanMilestone{{Due: d(1)}}},
			{Status: Dropped, Milestones: []PlanMilestone{{Due: d(1)}}},
		}, PlanSummary{FirstDue: d(5), AtRiskObjective: true}},
		{"closed at-risk status is no longer one", []PlanObjective{{Status: Dropped}},
			PlanSummary{}},
	} {
		if got := SummaryOf(c.objs); got != c.want {
			t.Errorf("%s: SummaryOf = %+v, want %+v", c.name, got, c.want)
		}
	}
	s := PlanSummary{FirstDue: d(5)}
	if s.AtRiskOn(d(5)) || !s.AtRiskOn(d(6)) {
		t.Error("a milestone due on the 5th is overdue from the 6th, not on the 5th")
	}
	if (PlanSummary{}).AtRiskOn(d(31)) || !(PlanSummary{}).Empty() {
		t.Error("an empty summary is never at risk")
	}
}

// The read model keeps only the summary; the health detail computes the
// progress from the plan. They must never disagree on the flag, on any
// day, for any plan.
func TestSummaryAgreesWithProgress(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	base := NewDate(2026, 1, 1)
	for i := 0; i < 5000; i++ {
		objs := make([]PlanObjective, r.IntN(4))
		for j := range objs {
			objs[j].Status = ObjectiveStatuses[r.IntN(len(ObjectiveStatuses))]
			for k := r.IntN(5); k > 0; k-- {
				m := PlanMilestone{Done: r.IntN(3) == 0}
				if r.IntN(6) > 0 {
					m.Due = base.AddDays(r.IntN(60))
				}
				objs[j].Milestones = append(objs[j].Milestones, m)
			}
		}
		s := SummaryOf(objs)
		for day := base.AddDays(-2); day < base.AddDays(64); day++ {
			if got, want := s.AtRiskOn(day), ProgressOf(objs, day).AtRisk; got != want {
				t.Fatalf("plan %+v on %s: summary says %v, progress %v", objs, day, got, want)
			}
		}
	}
}

func TestPlanAtRiskFlagName(t *testing.T) {
	// The older flags keep their bits: they are stored nowhere, but a
	// new flag at the end must not renumber what tests and exports pin.
	if FlagSLABreach != 1<<4 || FlagPlanAtRisk != 1<<5 {
		t.Fatalf("bits: sla-breach %d, plan-at-risk %d", FlagSLABreach, FlagPlanAtRisk)
	}
	if got := (FlagRenewalRisk | FlagPlanAtRisk).String(); got != "renewal-risk plan-at-risk" {
		t.Errorf("names %q", got)
	}
}
