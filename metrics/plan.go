package metrics

// Success plans (README, "Success plans"): an account's plan is a list of
// objectives, each with a status and dated milestones. This file holds
// the arithmetic the health detail and the plan-at-risk flag share; the
// records themselves (texts, IDs, who ticked a milestone) live in the
// store.

// ObjectiveStatus is where an objective of a success plan stands.
type ObjectiveStatus string

const (
	OnTrack         ObjectiveStatus = "on_track"
	ObjectiveAtRisk ObjectiveStatus = "at_risk"
	Achieved        ObjectiveStatus = "achieved"
	Dropped         ObjectiveStatus = "dropped"
)

// ObjectiveStatuses lists the statuses, live ones first.
var ObjectiveStatuses = []ObjectiveStatus{OnTrack, ObjectiveAtRisk, Achieved, Dropped}

// Valid reports whether s is a status.
func (s ObjectiveStatus) Valid() bool {
	for _, v := range ObjectiveStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Live reports whether an objective with status s is still pursued: an
// achieved or dropped one is closed, and its milestones can no longer be
// overdue.
func (s ObjectiveStatus) Live() bool { return s == OnTrack || s == ObjectiveAtRisk }

// PlanMilestone is what the arithmetic reads of a milestone.
type PlanMilestone struct {
	Due  Date // zero: no due date, never overdue
	Done bool
}

// PlanObjective is what the arithmetic reads of an objective.
type PlanObjective struct {
	Status     ObjectiveStatus
	Milestones []PlanMilestone
}

// Overdue reports whether milestone m of an objective with status s is
// overdue on day: due before the day (a milestone due today is not late
// yet), not done, and its objective still live.
func (m PlanMilestone) Overdue(s ObjectiveStatus, day Date) bool {
	return s.Live() && !m.Done && !m.Due.IsZero() && m.Due < day
}

// PlanProgress is how a success plan stands on a day.
type PlanProgress struct {
	Objectives int // every objective, closed ones included
	Live       int // on track or at risk
	Achieved   int
	// AtRiskObjectives are the live objectives whose status is at_risk.
	AtRiskObjectives int
	// Milestones and Done count the milestones of every objective but
	// the dropped ones: a dropped objective's milestones are no longer
	// work to do, an achieved one's still tell what was done.
	Milestones int
	Done       int
	// Overdue are the milestones of live objectives due before the day
	// and not done.
	Overdue int
	// AtRisk is the plan-at-risk flag: a live objective at risk, or an
	// overdue milestone.
	AtRisk bool
}

// ProgressOf computes a plan's progress on day.
func ProgressOf(objs []PlanObjective, day Date) PlanProgress {
	var p PlanProgress
	for _, o := range objs {
		p.Objectives++
		switch {
		case o.Status.Live():
			p.Live++
			if o.Status == ObjectiveAtRisk {
				p.AtRiskObjectives++
			}
		case o.Status == Achieved:
			p.Achieved++
		}
		for _, m := range o.Milestones {
			if o.Status != Dropped {
				p.Milestones++
				if m.Done {
					p.Done++
				}
			}
			if m.Overdue(o.Status, day) {
				p.Overdue++
			}
		}
	}
	p.AtRisk = p.AtRiskObjectives > 0 || p.Overdue > 0
	return p
}

// PlanSummary is all the plan-at-risk flag needs of a plan, whatever the
// day: the read model keeps this, not the plan, for every account
// (README, "Success plans").
type PlanSummary struct {
	// FirstDue is the earliest due date among the milestones of live
	// objectives that are not done (zero: none): the day after it, the
	// plan has an overdue milestone.
	FirstDue Date
	// AtRiskObjective: a live objective has the status at_risk.
	AtRiskObjective bool
}

// SummaryOf is the summary of a plan.
func SummaryOf(objs []PlanObjective) PlanSummary {
	var s PlanSummary
	for _, o := range objs {
		if !o.Status.Live() {
			continue
		}
		if o.Status == ObjectiveAtRisk {
			s.AtRiskObjective = true
		}
		for _, m := range o.Milestones {
			if !m.Done && !m.Due.IsZero() && (s.FirstDue.IsZero() || m.Due < s.FirstDue) {
				s.FirstDue = m.Due
			}
		}
	}
	return s
}

// AtRiskOn reports whether the plan is at risk on day: what
// ProgressOf(objs, day).AtRisk says, from the summary alone.
func (s PlanSummary) AtRiskOn(day Date) bool {
	return s.AtRiskObjective || (!s.FirstDue.IsZero() && s.FirstDue < day)
}

// Empty reports a summary that can never raise the flag.
func (s PlanSummary) Empty() bool { return !s.AtRiskObjective && s.FirstDue.IsZero() }
