package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// A task is a piece of work on one account with an owner and a due date,
// tracked to done or skipped (README, "Tasks"): what a red band or a
// changed champion turns into.

// TaskStatus is where a task stands.
type TaskStatus string

const (
	TaskOpen    TaskStatus = "open"
	TaskDone    TaskStatus = "done"
	TaskSkipped TaskStatus = "skipped"
)

var taskStatuses = []TaskStatus{TaskOpen, TaskDone, TaskSkipped}

// Task is one task. Note is the note its closer left (done) or the
// reason it was skipped.
type Task struct {
	ID           uint64
	AccountID    uint64
	Title        string
	OwnerID      uint64
	Due          metrics.Date
	Status       TaskStatus
	Note         string
	EscalationID uint64 // a linked escalation, 0: none
	// The success-plan milestone it serves, 0: none.
	ObjectiveID, MilestoneID uint32
	// Playbook and Trigger name the playbook that created it and why
	// ("" for a task added by hand).
	Playbook, Trigger string
	CreatedBy         string
	CreatedAt         time.Time
	Session           string // the team server session that created it
	ClosedBy          string
	ClosedAt          time.Time
}

// Overdue reports whether the task is open past its due date on day d.
func (t *Task) Overdue(d metrics.Date) bool { return t.Status == TaskOpen && t.Due < d }

var (
	bTasks        = []byte("tasks")
	bTasksByAcct  = []byte("tasks_by_account")
	bTasksOpen    = []byte("tasks_open")
	taskBuckets   = [][]byte{bTasks, bTasksByAcct, bTasksOpen}
	maxTaskTitle  = 200
	maxTaskNoteSz = 2000
)

const taskFormat = 1

func encodeTask(t *Task) []byte {
	e := enc{b: make([]byte, 0, 64+len(t.Title)+len(t.Note)+len(t.CreatedBy)+len(t.ClosedBy))}
	e.u8(taskFormat)
	e.uv(t.AccountID)
	e.str(t.Title)
	e.uv(t.OwnerID)
	e.date(t.Due)
	e.u8(byte(statusIndex(t.Status)))
	e.str(t.Note)
	e.uv(t.EscalationID)
	e.uv(uint64(t.ObjectiveID))
	e.uv(uint64(t.MilestoneID))
	e.str(t.Playbook)
	e.str(t.Trigger)
	e.str(t.CreatedBy)
	e.instant(t.CreatedAt)
	e.str(t.Session)
	e.str(t.ClosedBy)
	e.instant(t.ClosedAt)
	return e.b
}

func decodeTask(id uint64, b []byte, t *Task) error {
	d := dec{b: b}
	return decodeTaskFrom(id, &d, t)
}

func decodeTaskFrom(id uint64, d *dec, t *Task) error {
	if d.u8() != taskFormat {
		return errCorrupt
	}
	t.ID = id
	t.AccountID = d.uv()
	t.Title = d.str()
	t.OwnerID = d.uv()
	t.Due = d.date()
	s := int(d.u8())
	if s >= len(taskStatuses) {
		return errCorrupt
	}
	t.Status = taskStatuses[s]
	t.Note = d.str()
	t.EscalationID = d.uv()
	t.ObjectiveID = uint32(d.uv())
	t.MilestoneID = uint32(d.uv())
	t.Playbook = d.str()
	t.Trigger = d.str()
	t.CreatedBy = d.str()
	t.CreatedAt = d.instant()
	t.Session = d.str()
	t.ClosedBy = d.str()
	t.ClosedAt = d.instant()
	if d.err == nil && len(d.b) != 0 {
		return errCorrupt
	}
	return d.err
}

func statusIndex(s TaskStatus) int {
	for i, v := range taskStatuses {
		if v == s {
			return i
		}
	}
	return 0xff
}

// putTask stores tk and its indexes: every task by account, the open ones
// by ID (a load reads only those).
func (t *Tx) putTask(tk *Task) error {
	var bk [3]*bolt.Bucket
	for i, name := range taskBuckets {
		b, err := t.tx.CreateBucketIfNotExists(name)
		if err != nil {
			return err
		}
		// New tasks take the next ID: their keys (and most accounts'
		// runs) grow at the end, so fuller pages halve the file.
		b.FillPercent = 0.9
		bk[i] = b
	}
	if tk.ID == 0 {
		id, err := bk[0].NextSequence()
		if err != nil {
			return err
		}
		tk.ID = id
	}
	if err := bk[0].Put(u64(tk.ID), encodeTask(tk)); err != nil {
		return err
	}
	if err := bk[1].Put(key(u64(tk.AccountID), u64(tk.ID)), nil); err != nil {
		return err
	}
	// The open-task index's sequence counts its entries: a load sizes
	// its list by it instead of growing one a hundred thousand long.
	open := bk[2]
	had := open.Get(u64(tk.ID)) != nil
	if tk.Status == TaskOpen {
		o := OpenTaskOf(tk)
		if err := open.Put(u64(tk.ID), encodeOpenTask(&o)); err != nil {
			return err
		}
		if !had {
			if err := open.SetSequence(open.Sequence() + 1); err != nil {
				return err
			}
		}
	} else if had {
		if err := open.Delete(u64(tk.ID)); err != nil {
			return err
		}
		if n := open.Sequence(); n > 0 {
			if err := open.SetSequence(n - 1); err != nil {
				return err
			}
		}
	}
	t.touchAccount(tk.AccountID)
	return nil
}

// PutTask writes a task as it is, with its indexes: for the demo's
// history, which has no activity entries to match. Actions go through
// AddTask and CloseTask.
func (t *Tx) PutTask(tk *Task) error {
	if tk.AccountID == 0 || tk.Due.IsZero() || statusIndex(tk.Status) == 0xff || strings.TrimSpace(tk.Title) == "" {
		return fmt.Errorf("task %d: needs an account, a title, a due date and a status", tk.ID)
	}
	return t.putTask(tk)
}

// NewTask is what AddTask needs: the account, the title, the owner (0:
// the account's owner) and the due date; the links are optional.
type NewTask struct {
	AccountID                uint64
	Title                    string
	OwnerID                  uint64
	Due                      metrics.Date
	EscalationID             uint64
	ObjectiveID, MilestoneID uint32
	Playbook, Trigger        string
}

// AddTask creates a task on an account. The account's owner or a
// manager may; the activity log says so.
func (t *Tx) AddTask(n NewTask, by Actor, now time.Time) (Task, error) {
	if err := t.allow(by, DoTask, n.AccountID, 0); err != nil {
		return Task{}, err
	}
	return t.addTask(n, by, now)
}

// addTask is AddTask without the permission check: a playbook's tasks
// are created by the change that fired it, whoever made that change.
func (t *Tx) addTask(n NewTask, by Actor, now time.Time) (Task, error) {
	a, err := t.Account(n.AccountID)
	if err != nil {
		return Task{}, err
	}
	title := strings.TrimSpace(n.Title)
	switch {
	case title == "":
		return Task{}, errors.New("a task needs a title")
	case len(title) > maxTaskTitle:
		return Task{}, fmt.Errorf("the title is %d characters: keep it under %d (the detail goes in a note)", len(title), maxTaskTitle)
	case n.Due.IsZero():
		return Task{}, errors.New("a task needs a due date")
	}
	owner := n.OwnerID
	if owner == 0 {
		owner = a.OwnerID
	}
	ownerName := "nobody"
	if owner != 0 {
		if ownerName, err = t.memberName(owner); err != nil {
			return Task{}, err
		}
	}
	if n.EscalationID != 0 {
		e, err := t.Escalation(n.EscalationID)
		if err != nil {
			return Task{}, err
		}
		if e.AccountID != a.ID {
			return Task{}, fmt.Errorf("escalation #%d is on another account", e.ID)
		}
	}
	tk := Task{AccountID: a.ID, Title: title, OwnerID: owner, Due: n.Due, Status: TaskOpen, EscalationID: n.EscalationID,
		ObjectiveID: n.ObjectiveID, MilestoneID: n.MilestoneID, Playbook: n.Playbook, Trigger: n.Trigger,
		CreatedBy: by.Name, CreatedAt: now.UTC(), Session: by.Session}
	if err := t.putTask(&tk); err != nil {
		return Task{}, err
	}
	text := fmt.Sprintf("Task #%d for %s, due %s: %s", tk.ID, ownerName, tk.Due, title)
	return tk, t.AppendActivity(&Activity{AccountID: a.ID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "task", Text: text})
}

// CloseTask marks a task done (note optional) or skipped (reason
// required). The task's owner, the account's owner or a manager may; the
// account's activity log records it.
func (t *Tx) CloseTask(id uint64, status TaskStatus, note string, by Actor, now time.Time) (Task, error) {
	tk, err := t.Task(id)
	if err != nil {
		return tk, err
	}
	if by.ID == 0 || tk.OwnerID != by.ID {
		if err := t.allow(by, DoTask, tk.AccountID, 0); err != nil {
			return tk, fmt.Errorf("%w (task #%d is %s's)", err, tk.ID, t.nameOr(tk.OwnerID))
		}
	}
	note = strings.TrimSpace(note)
	switch {
	case tk.Status != TaskOpen:
		return tk, fmt.Errorf("task #%d is already %s", tk.ID, tk.Status)
	case status != TaskDone && status != TaskSkipped:
		return tk, fmt.Errorf("a task closes as done or skipped, not %s", Quote(string(status)))
	case status == TaskSkipped && note == "":
		return tk, errors.New("say why: a skipped task needs a reason")
	case len(note) > maxTaskNoteSz:
		return tk, fmt.Errorf("the note is %d characters: keep it under %d", len(note), maxTaskNoteSz)
	}
	tk.Status, tk.Note, tk.ClosedBy, tk.ClosedAt = status, note, by.Name, now.UTC()
	if err := t.putTask(&tk); err != nil {
		return tk, err
	}
	text := fmt.Sprintf("Task #%d done: %s", tk.ID, tk.Title)
	if status == TaskSkipped {
		text = fmt.Sprintf("Task #%d skipped: %s (why: %s)", tk.ID, tk.Title, note)
	} else if note != "" {
		text += " (" + note + ")"
	}
	return tk, t.AppendActivity(&Activity{AccountID: tk.AccountID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "task", Text: text})
}

func (t *Tx) nameOr(id uint64) string {
	if m, err := t.Member(id); err == nil {
		return m.Name
	}
	return "nobody"
}

// Task reads one task.
func (t *Tx) Task(id uint64) (Task, error) {
	var tk Task
	b := t.tx.Bucket(bTasks)
	var v []byte
	if b != nil {
		v = b.Get(u64(id))
	}
	if v == nil {
		return tk, fmt.Errorf("task %d: %w", id, ErrNotFound)
	}
	if err := decodeTask(id, v, &tk); err != nil {
		return tk, fmt.Errorf("task %d: %w", id, err)
	}
	return tk, nil
}

// OpenTask is what the read model keeps of an open task, and what the
// open-task index holds: a load reads that one bucket in key order, not a
// record per task (at 100,000 open tasks the lookups were most of the
// dashboard's open).
type OpenTask struct {
	ID, AccountID, OwnerID, EscalationID uint64
	Due                                  metrics.Date
	Title                                string
	// From says where the task came from: its playbook, or "by NAME".
	From string
}

// Overdue reports whether the task is past its due date on day d.
func (o *OpenTask) Overdue(d metrics.Date) bool { return o.Due < d }

// OpenTaskOf is the open-task entry of t.
func OpenTaskOf(t *Task) OpenTask {
	from := t.Playbook
	if from == "" {
		from = "by " + t.CreatedBy
	}
	return OpenTask{ID: t.ID, AccountID: t.AccountID, OwnerID: t.OwnerID, EscalationID: t.EscalationID, Due: t.Due, Title: t.Title, From: from}
}

const openTaskFormat = 1

func encodeOpenTask(o *OpenTask) []byte {
	e := enc{b: make([]byte, 0, 24+len(o.Title)+len(o.From))}
	e.u8(openTaskFormat)
	e.uv(o.AccountID)
	e.uv(o.OwnerID)
	e.uv(o.EscalationID)
	e.date(o.Due)
	e.str(o.Title)
	e.str(o.From)
	return e.b
}

func decodeOpenTask(id uint64, d *dec, o *OpenTask) error {
	if d.u8() != openTaskFormat {
		return errCorrupt
	}
	o.ID = id
	o.AccountID = d.uv()
	o.OwnerID = d.uv()
	o.EscalationID = d.uv()
	o.Due = d.date()
	o.Title = d.str()
	o.From = d.str()
	if d.err == nil && len(d.b) != 0 {
		return errCorrupt
	}
	return d.err
}

// OpenTaskCount is how many tasks are open, as the open-task index counts
// them (a capacity hint: a file from before the count says 0).
func (t *Tx) OpenTaskCount() int {
	if b := t.tx.Bucket(bTasksOpen); b != nil {
		return int(b.Sequence())
	}
	return 0
}

// ForEachOpenTask calls fn with every open task, in ID order. Its strings
// view the database's map: valid until the transaction ends, so fn copies
// what it keeps.
func (t *Tx) ForEachOpenTask(fn func(*OpenTask) error) error {
	open := t.tx.Bucket(bTasksOpen)
	if open == nil {
		return nil
	}
	var o OpenTask
	c := open.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return fmt.Errorf("open task key: %w", errCorrupt)
		}
		id := binary.BigEndian.Uint64(k)
		d := dec{b: v, view: true}
		if err := decodeOpenTask(id, &d, &o); err != nil {
			return fmt.Errorf("open task %d: %w", id, err)
		}
		if err := fn(&o); err != nil {
			return err
		}
	}
	return nil
}

// OpenTasks reads every open task whole, in ID order.
func (t *Tx) OpenTasks() ([]Task, error) {
	var out []Task
	err := t.ForEachOpenTask(func(o *OpenTask) error {
		tk, err := t.Task(o.ID)
		out = append(out, tk)
		return err
	})
	return out, err
}

// TasksOf reads every task of one account, open and closed, in ID order.
func (t *Tx) TasksOf(accountID uint64) ([]Task, error) {
	idx, all := t.tx.Bucket(bTasksByAcct), t.tx.Bucket(bTasks)
	if idx == nil || all == nil {
		return nil, nil
	}
	var out []Task
	prefix := u64(accountID)
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != 16 {
			return nil, fmt.Errorf("task index key: %w", errCorrupt)
		}
		id := binary.BigEndian.Uint64(k[8:])
		tk, err := t.Task(id)
		if err != nil {
			return nil, err
		}
		out = append(out, tk)
	}
	return out, nil
}

// TaskCount is how many tasks the file holds, open and closed.
func (t *Tx) TaskCount() int {
	if b := t.tx.Bucket(bTasks); b != nil {
		return b.Stats().KeyN
	}
	return 0
}
