package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"steward/metrics"
)

// Execution reads what the execution health component scores (overdue
// open tasks, the success plan's first open milestone date) for the
// scorers inside the store: the playbooks' band triggers and the weekly
// snapshot. They must see the band the read model shows, or a trigger
// would fire on a band nobody sees and a trend would jump (README, "The
// execution component"). With the component off it reads nothing.
type Execution struct {
	t   *Tx
	cfg metrics.Config
	day metrics.Date
	// overdue holds every account's overdue open tasks once Bulk has
	// read them; nil, each account's are read through its task index.
	overdue map[uint64]int
}

// Execution returns the reader of the execution inputs on day, scored
// with cfg.
func (t *Tx) Execution(cfg metrics.Config, day metrics.Date) *Execution {
	return &Execution{t: t, cfg: cfg, day: day}
}

// Config is the health model the reader scores with.
func (x *Execution) Config() metrics.Config { return x.cfg }

// Bulk reads every open task once, for a caller that scores every
// account (a snapshot): one pass over the open tasks instead of a seek
// per account.
func (x *Execution) Bulk() error {
	if !x.cfg.Execution {
		return nil
	}
	x.overdue = map[uint64]int{}
	return x.t.ForEachOpenTask(func(o *OpenTask) error {
		if o.Overdue(x.day) {
			x.overdue[o.AccountID]++
		}
		return nil
	})
}

// Inputs is a's health inputs with the execution inputs filled in when
// the component is on.
func (x *Execution) Inputs(a *Account) (metrics.Inputs, error) {
	in := a.HealthInputs(x.cfg)
	if !x.cfg.Execution {
		return in, nil
	}
	var err error
	if x.overdue != nil {
		in.OverdueTasks = x.overdue[a.ID]
	} else if in.OverdueTasks, err = x.t.overdueTasksOf(a.ID, x.day); err != nil {
		return in, err
	}
	s, err := x.t.PlanSummaryOf(a.ID)
	in.PlanFirstDue = s.FirstDue
	return in, err
}

// overdueTasksOf counts account id's open tasks due before day, through
// the account's task index and the open tasks' entries.
func (t *Tx) overdueTasksOf(id uint64, day metrics.Date) (int, error) {
	idx, open := t.tx.Bucket(bTasksByAcct), t.tx.Bucket(bTasksOpen)
	if idx == nil || open == nil {
		return 0, nil
	}
	n := 0
	prefix := u64(id)
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != 16 {
			return 0, fmt.Errorf("task index key: %w", errCorrupt)
		}
		v := open.Get(k[8:])
		if v == nil {
			continue // closed
		}
		var o OpenTask
		d := dec{b: v, view: true}
		if err := decodeOpenTask(binary.BigEndian.Uint64(k[8:]), &d, &o); err != nil {
			return 0, fmt.Errorf("open task %d: %w", o.ID, err)
		}
		if o.Overdue(day) {
			n++
		}
	}
	return n, nil
}
