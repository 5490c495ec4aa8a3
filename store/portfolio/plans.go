package portfolio

import (
	"slices"
	"sort"

	"steward/metrics"
	"steward/store"
)

// The portfolio keeps of each success plan only what the plan-at-risk
// flag needs (metrics.PlanSummary: the earliest open due date of its live
// objectives, whether one of them is at risk), read from the head of each
// plan record; the health detail reads the whole plan of its one account
// (LoadDetail). An account without a plan, or whose plan can never raise
// the flag, takes no room (README, "Success plans").

// planSum is one account's plan summary.
type planSum struct {
	id uint64
	s  metrics.PlanSummary
}

// planIndex is the summaries in account order: a sorted list is a
// quarter of a map's size, and the scorer reads it in account order.
type planIndex []planSum

// readPlans reads the summary of every plan that can raise the flag.
func readPlans(tx *store.Tx) (planIndex, error) {
	var out planIndex
	if n := tx.PlanSummaries(); n > 0 {
		out = make(planIndex, 0, n) // grown by appending, it allocated four times the list
	}
	err := tx.ForEachPlanSummary(func(id uint64, s metrics.PlanSummary) error {
		if !s.Empty() {
			out = append(out, planSum{id, s})
		}
		return nil
	})
	return out, err
}

// plansFrom is the index of summaries held by account.
func plansFrom(m map[uint64]metrics.PlanSummary) planIndex {
	var out planIndex // nil without plans, as readPlans leaves it
	for id, s := range m {
		if !s.Empty() {
			out = append(out, planSum{id, s})
		}
	}
	slices.SortFunc(out, func(a, b planSum) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return out
}

func (x planIndex) find(id uint64) int {
	return sort.Search(len(x), func(i int) bool { return x[i].id >= id })
}

// of is account id's plan summary (empty without a plan).
func (x planIndex) of(id uint64) metrics.PlanSummary {
	if i := x.find(id); i < len(x) && x[i].id == id {
		return x[i].s
	}
	return metrics.PlanSummary{}
}

// ofFrom is of for a reader that asks in account order (the open's
// scorer): *at is where the last answer was, and the next is a few steps
// on, not a binary search away.
func (x planIndex) ofFrom(at *int, id uint64) metrics.PlanSummary {
	i := *at
	if i < 0 || i > len(x) || (i > 0 && x[i-1].id >= id) {
		i = 0 // asked out of order: search from the start
	}
	for k := 0; k < 4 && i < len(x) && x[i].id < id; k++ {
		i++
	}
	if i < len(x) && x[i].id < id {
		i += sort.Search(len(x)-i, func(j int) bool { return x[i+j].id >= id })
	}
	*at = i
	if i < len(x) && x[i].id == id {
		return x[i].s
	}
	return metrics.PlanSummary{}
}

// with is x with the summaries of the accounts in ids replaced by those
// in sums (absent: no plan), as a new list: the portfolio Apply started
// from keeps its own.
func (x planIndex) with(ids []uint64, sums map[uint64]metrics.PlanSummary) planIndex {
	out := slices.Clone(x)
	for _, id := range ids {
		s := sums[id]
		i := out.find(id)
		has := i < len(out) && out[i].id == id
		switch {
		case has && s.Empty():
			out = slices.Delete(out, i, i+1)
		case has:
			out[i].s = s
		case !s.Empty():
			out = slices.Insert(out, i, planSum{id, s})
		}
	}
	return out
}

// PlanSummary is account id's plan summary as the portfolio holds it.
func (p *Portfolio) PlanSummary(id uint64) metrics.PlanSummary { return p.plans.of(id) }

// PlanDetail is one account's success plan and its progress on a day,
// for the health detail.
type PlanDetail struct {
	store.Plan
	Progress metrics.PlanProgress
}
