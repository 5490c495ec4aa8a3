package portfolio

import (
	"cmp"
	"slices"
	"strings"
	"unsafe"

	"steward/metrics"

	"steward/store"
)

// OpenTask is what the read model keeps of an open task (README,
// "Tasks"; the detail reads whole tasks).
type OpenTask = store.OpenTask

// openTask is o with its strings copied out of the map; names are
// interned in seen, as a book's tasks come from few authors and
// playbooks.
func openTask(o store.OpenTask, seen map[string]string) OpenTask {
	f, ok := seen[o.From]
	if !ok {
		f = strings.Clone(o.From)
		seen[f] = f
	}
	o.From, o.Title = f, strings.Clone(o.Title)
	return o
}

// textArena copies strings into large blocks: a hundred thousand task
// titles are a few allocations, not one each (the GC walks none of it).
type textArena struct{ block []byte }

func (a *textArena) clone(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(a.block)+len(s) > cap(a.block) {
		a.block = make([]byte, 0, max(1<<20, len(s)))
	}
	start := len(a.block)
	a.block = append(a.block, s...)
	return unsafe.String(&a.block[start], len(s))
}

// readOpenTasks reads the open tasks into their read-model form.
func readOpenTasks(tx *store.Tx) ([]OpenTask, error) {
	out := make([]OpenTask, 0, tx.OpenTaskCount())
	seen := map[string]string{}
	var arena textArena
	err := tx.ForEachOpenTask(func(o *store.OpenTask) error {
		f, ok := seen[o.From]
		if !ok {
			f = strings.Clone(o.From)
			seen[f] = f
		}
		t := *o
		t.From, t.Title = f, arena.clone(o.Title)
		out = append(out, t)
		return nil
	})
	return out, err
}

// overdueTasks is the review's overdue tasks: the oldest due date first
// (the longest waiting), then the account's ARR, as indexes into Tasks.
func (p *Portfolio) overdueTasks() []int {
	type key struct {
		due metrics.Date
		arr int64
		id  uint64
		i   int
	}
	var keys []key
	for i := range p.Tasks {
		if t := &p.Tasks[i]; t.Overdue(p.AsOf) {
			keys = append(keys, key{due: t.Due, arr: p.arrOf(t.AccountID), id: t.ID, i: i})
		}
	}
	// Keyed once per task: a sort's comparisons do no lookups.
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.due, b.due); c != 0 {
			return c
		}
		if c := cmp.Compare(b.arr, a.arr); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	out := make([]int, len(keys))
	for k, x := range keys {
		out[k] = x.i
	}
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
// portfolio keeps its own. When none of the touched accounts had or has
// an open task, it is tasks itself and changed is false: most changes
// (an edit, a logged call) leave the tasks, and the review's overdue list
// need not be made again.
func withTasks(tasks []OpenTask, touched []store.Account, theirs map[uint64][]OpenTask) (out []OpenTask, changed bool) {
	gone := make(map[uint64]bool, len(touched))
	for _, a := range touched {
		gone[a.ID] = true
	}
	for _, a := range touched {
		changed = changed || len(theirs[a.ID]) > 0
	}
	for i := 0; i < len(tasks) && !changed; i++ {
		changed = gone[tasks[i].AccountID]
	}
	if !changed {
		return tasks, false
	}
	out = make([]OpenTask, 0, len(tasks))
	for _, t := range tasks {
		if !gone[t.AccountID] {
			out = append(out, t)
		}
	}
	for _, a := range touched {
		out = append(out, theirs[a.ID]...)
	}
	slices.SortFunc(out, func(a, b OpenTask) int { return cmp.Compare(a.ID, b.ID) })
	return out, true
}

// countOverdue counts each account's overdue open tasks into p.overdue
// while the execution component is on: what it scores (README, "The
// execution component").
func (p *Portfolio) countOverdue() {
	p.overdue = nil
	if !p.Settings.Health.Execution {
		return
	}
	p.overdue = map[uint64]int{}
	for i := range p.Tasks {
		if t := &p.Tasks[i]; t.Overdue(p.AsOf) {
			p.overdue[t.AccountID]++
		}
	}
}
