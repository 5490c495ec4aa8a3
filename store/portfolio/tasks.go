package portfolio

import (
	"cmp"
	"slices"
	"strings"

	"steward/metrics"
	"steward/store"
)

// OpenTask is what the read model keeps of an open task: tens of
// thousands of them at 100,000 accounts, so a few fields, not the record
// (README, "Tasks"; the detail reads whole tasks).
type OpenTask struct {
	ID, AccountID, OwnerID, EscalationID uint64
	Due                                  metrics.Date
	Title                                string
	// From says where the task came from: its playbook, or "by NAME".
	From string
}

// Overdue reports whether the task is past its due date on day d.
func (t *OpenTask) Overdue(d metrics.Date) bool { return t.Due < d }

// openTask is what the read model keeps of t; names are interned in
// seen, as a book's tasks come from few authors and playbooks.
func openTask(t *store.Task, seen map[string]string) OpenTask {
	from := t.Playbook
	if from == "" {
		from = "by " + t.CreatedBy
	}
	f, ok := seen[from]
	if !ok {
		f = strings.Clone(from)
		seen[f] = f
	}
	return OpenTask{ID: t.ID, AccountID: t.AccountID, OwnerID: t.OwnerID, EscalationID: t.EscalationID, Due: t.Due, Title: strings.Clone(t.Title), From: f}
}

// readOpenTasks reads the open tasks into their read-model form.
func readOpenTasks(tx *store.Tx) ([]OpenTask, error) {
	var out []OpenTask
	seen := map[string]string{}
	err := tx.ForEachOpenTask(func(t *store.Task) error {
		out = append(out, openTask(t, seen))
		return nil
	})
	return out, err
}

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
func (p *Portfolio) TaskAccount(t *OpenTask) *Account { return p.Account(t.AccountID) }

// withTasks is tasks with those of the accounts touched replaced by
// theirs (open ones, by account), in ID order: a new slice, the old
// portfolio keeps its own.
func withTasks(tasks []OpenTask, touched []store.Account, theirs map[uint64][]OpenTask) []OpenTask {
	gone := make(map[uint64]bool, len(touched))
	for _, a := range touched {
		gone[a.ID] = true
	}
	out := make([]OpenTask, 0, len(tasks))
	for _, t := range tasks {
		if !gone[t.AccountID] {
			out = append(out, t)
		}
	}
	for _, a := range touched {
		out = append(out, theirs[a.ID]...)
	}
	slices.SortFunc(out, func(a, b OpenTask) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
