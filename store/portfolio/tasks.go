package portfolio

import (
	"cmp"
	"slices"

	"steward/store"
)

// overdueTasks is the review's overdue tasks: the oldest due date first
// (the longest waiting), then the account's ARR, as indexes into Tasks.
func (p *Portfolio) overdueTasks() []int {
	var out []int
	for i := range p.Tasks {
		if p.Tasks[i].Overdue(p.AsOf) {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(x, y int) int {
		a, b := &p.Tasks[x], &p.Tasks[y]
		if c := cmp.Compare(a.Due, b.Due); c != 0 {
			return c
		}
		if c := cmp.Compare(p.arrOf(b.AccountID), p.arrOf(a.AccountID)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func (p *Portfolio) arrOf(id uint64) int64 {
	if a := p.Account(id); a != nil {
		return a.ARRCents
	}
	return 0
}

// TaskAccount is the account of task t (nil when it is gone).
func (p *Portfolio) TaskAccount(t *store.Task) *Account { return p.Account(t.AccountID) }

// withTasks is tasks with those of the accounts touched replaced by
// theirs (open ones, by account), in ID order: a new slice, the old
// portfolio keeps its own.
func withTasks(tasks []store.Task, touched []store.Account, theirs map[uint64][]store.Task) []store.Task {
	gone := make(map[uint64]bool, len(touched))
	for _, a := range touched {
		gone[a.ID] = true
	}
	out := make([]store.Task, 0, len(tasks))
	for _, t := range tasks {
		if !gone[t.AccountID] {
			out = append(out, t)
		}
	}
	for _, a := range touched {
		out = append(out, theirs[a.ID]...)
	}
	slices.SortFunc(out, func(a, b store.Task) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
