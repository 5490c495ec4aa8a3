package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// The tasks view (key 6): every open task, overdue first, then by due
// date and the account's ARR; m (mine), o (overdue) and w (due this
// week) narrow it, / filters by title, account or owner. space marks the
// task under the cursor done, s skips it with a reason (README, "Tasks").

var taskCols = []column{
	{title: "Due", min: 10, pref: 18, prio: 0}, // fits "⚠ 12d late (11-28)"
	{title: "Task", min: 14, pref: 40, flex: true, prio: 0},
	{title: "Account", min: 10, pref: 26, prio: 1},
	{title: "Owner", min: 8, pref: 16, prio: 2},
	{title: "ARR", min: 7, pref: 8, right: true, prio: 3},
	{title: "From", min: 8, pref: 22, prio: 4},
}

type tasksView struct {
	th   *theme
	p    *portfolio.Portfolio
	me   uint64
	mine bool // m: owned by the acting member
	late bool // o: overdue only
	week bool // w: due by the end of this week
	// query narrows by title, account or owner (/).
	query string
	stale bool
	keep  uint64 // the task the cursor was on
	rows  []int  // indexes into p.Tasks
	// order is every open task in the view's order, made once per
	// portfolio (orderOf): the filters keep a subset of it.
	order   []int
	orderOf *portfolio.Portfolio
	// hay is each task's searchable text, made on the first / of a
	// portfolio (hayOf).
	hay   []string
	hayOf *portfolio.Portfolio
	w, h  int
	tbl   table
	cell  []cell
}

func newTasksView(th *theme) *tasksView {
	v := &tasksView{th: th, tbl: newTable(th, taskCols), cell: make([]cell, len(taskCols))}
	v.tbl.fetch = v.fetch
	return v
}

func (v *tasksView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.tbl.setSize(w, h-1) // the title and the column header
}

func (v *tasksView) SetPortfolio(p *portfolio.Portfolio) {
	v.keep = v.selectedTask()
	v.p, v.stale = p, true
}

func (v *tasksView) setMe(id uint64) {
	if v.me != id {
		v.me, v.stale = id, true
	}
}

func (v *tasksView) selectedTask() uint64 {
	if v.p == nil {
		return 0
	}
	if v.stale {
		return v.keep
	}
	if len(v.rows) == 0 {
		return 0
	}
	return v.p.Tasks[v.rows[v.tbl.cursor]].ID
}

// task is the task under the cursor, nil when none.
func (v *tasksView) task() *portfolio.OpenTask {
	v.ensure()
	if v.p == nil || len(v.rows) == 0 {
		return nil
	}
	return &v.p.Tasks[v.rows[v.tbl.cursor]]
}

func (v *tasksView) record() (recordKind, uint64) {
	if t := v.task(); t != nil {
		return recAccount, t.AccountID
	}
	return recAccount, 0
}

// ensure makes the rows of the current portfolio and filters.
func (v *tasksView) ensure() {
	if !v.stale || v.p == nil {
		return
	}
	v.stale = false
	p, keep := v.p, v.keep
	today := p.AsOf
	weekEnd := dueSunday(today)
	q := strings.Fields(strings.ToLower(v.query))
	if v.orderOf != p {
		v.order, v.orderOf = taskOrder(p, v.order), p
	}
	v.rows = v.rows[:0]
	for _, i := range v.order {
		t := &p.Tasks[i]
		switch {
		case v.mine && t.OwnerID != v.me,
			v.late && !t.Overdue(today),
			v.week && t.Due > weekEnd:
			continue
		}
		if len(q) > 0 && !v.matches(i, q) {
			continue
		}
		v.rows = append(v.rows, i)
	}
	v.tbl.setRows(len(v.rows))
	v.tbl.invalidate()
	for k, i := range v.rows {
		if p.Tasks[i].ID == keep {
			v.tbl.setCursor(k)
			return
		}
	}
	v.tbl.clamp()
}

// taskOrder is p's open tasks overdue first, then by due date, then the
// account's ARR (the largest first): keyed once per task, not looked up
// in each of a sort's million comparisons at 100,000 open tasks.
func taskOrder(p *portfolio.Portfolio, buf []int) []int {
	type key struct {
		late bool
		due  metrics.Date
		arr  int64
		id   uint64
		i    int
	}
	keys := make([]key, len(p.Tasks))
	for i := range p.Tasks {
		t := &p.Tasks[i]
		k := key{late: t.Overdue(p.AsOf), due: t.Due, id: t.ID, i: i}
		if a := p.TaskAccount(t); a != nil {
			k.arr = a.ARRCents
		}
		keys[i] = k
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.late != b.late {
			if a.late {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.due, b.due); c != 0 {
			return c
		}
		if c := cmp.Compare(b.arr, a.arr); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	buf = buf[:0]
	for _, k := range keys {
		buf = append(buf, k.i)
	}
	return buf
}

func (v *tasksView) matches(i int, q []string) bool {
	if v.hayOf != v.p {
		v.hay, v.hayOf = v.hay[:0], v.p
	}
	if len(v.hay) == 0 {
		// What / searches, lower-cased once per portfolio, not once per
		// task per keystroke.
		for k := range v.p.Tasks {
			t := &v.p.Tasks[k]
			name := ""
			if a := v.p.TaskAccount(t); a != nil {
				name = a.Name
			}
			v.hay = append(v.hay, strings.ToLower(t.Title+"\n"+name+"\n"+v.p.MemberName(t.OwnerID)))
		}
	}
	// Every word of the query is in the title, the account or the owner:
	// "alder sponsor" finds the sponsor call of Alder Agritech.
	for _, w := range q {
		if !strings.Contains(v.hay[i], w) {
			return false
		}
	}
	return true
}

// SetQuery and Query make the view filterable by /.
func (v *tasksView) SetQuery(q string) { v.query, v.stale = q, true }
func (v *tasksView) Query() string     { return v.query }
func (v *tasksView) Matches() int      { v.ensure(); return len(v.rows) }

// taskAction asks the root to close (done or skip) the task under the cursor.
type taskAction struct {
	id   uint64
	skip bool
}

func (v *tasksView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if v.p == nil {
		return nil
	}
	v.ensure()
	switch {
	case v.tbl.move(k, msg):
	case key.Matches(msg, k.Open):
		if t := v.task(); t != nil {
			return openAccount{t.AccountID}
		}
	case key.Matches(msg, k.TaskDone):
		if t := v.task(); t != nil {
			return taskAction{id: t.ID}
		}
		return notice("No task here to mark done")
	case key.Matches(msg, k.TaskSkip):
		if t := v.task(); t != nil {
			return taskAction{id: t.ID, skip: true}
		}
		return notice("No task here to skip")
	case key.Matches(msg, k.NeedMine):
		v.mine, v.stale = !v.mine, true
	case key.Matches(msg, k.TaskOverdue):
		v.late, v.stale = !v.late, true
	case key.Matches(msg, k.TaskWeek):
		v.week, v.stale = !v.week, true
	case key.Matches(msg, k.AddTask):
		if t := v.task(); t != nil {
			return doAction{act: actAddTask, id: t.AccountID}
		}
	case key.Matches(msg, k.StartPlay):
		if t := v.task(); t != nil {
			return doAction{act: actStartPlaybook, id: t.AccountID}
		}
	}
	return nil
}

func (v *tasksView) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.TaskDone, k.TaskSkip, k.AddTask, k.NeedMine, k.TaskOverdue, k.TaskWeek, k.Filter, k.Open, k.Help, k.Quit}
}

func (v *tasksView) fetch(k int) (uint64, []cell) {
	p := v.p
	t := &p.Tasks[v.rows[k]]
	c := v.cell
	if t.Overdue(p.AsOf) {
		c[0] = styledCell(lateText(t.Due, p.AsOf), v.th.Error)
	} else {
		c[0] = plain(daysLeft(t.Due.Sub(p.AsOf)) + " (" + t.Due.String()[5:] + ")")
	}
	c[1] = plain(t.Title)
	c[2], c[4] = plain("(account gone)"), plain("")
	if a := p.TaskAccount(t); a != nil {
		c[2], c[4] = plain(a.Name), plain(money(a.ARRCents, p.Settings.Currency))
	}
	c[3] = plain(orDash(p.MemberName(t.OwnerID), "nobody"))
	from := t.From
	if t.EscalationID != 0 {
		from = "esc #" + strconv.FormatUint(t.EscalationID, 10)
	}
	c[5] = plain(from)
	return t.ID, c
}

func (v *tasksView) title() string {
	t := "Open tasks (" + itoa(len(v.rows)) + ")"
	var on []string
	if v.mine {
		on = append(on, "mine")
	}
	if v.late {
		on = append(on, "overdue")
	}
	if v.week {
		on = append(on, "due this week")
	}
	if len(on) > 0 {
		t += " · " + strings.Join(on, ", ")
	}
	if v.query != "" {
		t += " · matching " + strconv.Quote(v.query)
	}
	return t + " · overdue first, then by due date and ARR"
}

func (v *tasksView) View() string {
	if v.p == nil {
		return "Loading…"
	}
	v.ensure()
	empty := "No open task. t on an account adds one."
	if v.mine || v.late || v.week || v.query != "" {
		empty = "No open task matches: m, o, w or esc to widen it."
	}
	return v.th.Title.Render(fit(v.title(), v.w, false)) + "\n" + v.tbl.view(empty)
}

// taskForm adds a task to an account: a title, an owner (the account's
// by default) and a due date (a week out by default).
func (m *Model) taskForm(a *portfolio.Account) *form {
	id, name := a.ID, short(a.Name, 40)
	owners := m.memberOptions(false)
	title := textField("Title", "", true)
	owner := pickField("Owner", owners, strconv.FormatUint(a.OwnerID, 10))
	today := m.asOf()
	due := textField("Due", today.AddDays(7).String(), true)
	due.hint = dateHint
	due.check = m.checkDate
	f := newForm(m.th, "New task on "+name, title, owner, due)
	f.token = m.nextToken()
	f.submit = func(f *form) tea.Cmd {
		t, o := f.field("Title").value(), f.field("Owner").optID()
		d, _ := parseDay(f.field("Due").value(), today)
		return m.actionCmd(f.token, "Add a task", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			tk, err := tx.AddTask(store.NewTask{AccountID: id, Title: t, OwnerID: o, Due: d}, by, now)
			return "Task #" + strconv.FormatUint(tk.ID, 10) + " on " + name + ", due " + d.String(), 0, err
		})
	}
	return f
}

// closeTaskForm marks a task done (a note is optional) or skips it (the
// reason is required).
func (m *Model) closeTaskForm(t *portfolio.OpenTask, skip bool) *form {
	id, title := t.ID, short(t.Title, 40)
	status, label, verb := store.TaskDone, "Note", "Mark done"
	if skip {
		status, label, verb = store.TaskSkipped, "Reason", "Skip"
	}
	note := textField(label, "", skip)
	f := newForm(m.th, verb+": "+title, note)
	f.token = m.nextToken()
	if !skip {
		f.intro = []string{"A note is optional: enter marks it done."}
	}
	f.submit = func(f *form) tea.Cmd {
		n := f.field(label).value()
		return m.actionCmd(f.token, verb, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			_, err := tx.CloseTask(id, status, n, by, now)
			return "Task #" + strconv.FormatUint(id, 10) + " " + string(status) + ": " + title, 0, err
		})
	}
	return f
}

// playbookListMsg carries the playbooks to start on an account by hand.
type playbookListMsg struct {
	account uint64
	list    []store.Playbook
	err     error
}

func playbookListCmd(path string, opt store.Options, account uint64) tea.Cmd {
	return func() tea.Msg {
		msg := playbookListMsg{account: account}
		msg.err = store.View(path, opt, func(tx *store.Tx) (err error) {
			msg.list, err = tx.Playbooks()
			return err
		})
		return msg
	}
}

// startPlaybookForm starts an active playbook on an account by hand (any
// trigger: a manual-only playbook is started no other way): its steps
// become tasks due from today.
func (m *Model) startPlaybookForm(a *portfolio.Account, list []store.Playbook) *form {
	id, name := a.ID, short(a.Name, 40)
	var opts []option
	for _, p := range list {
		if p.Active {
			opts = append(opts, option{label: p.Name + " · " + itoa(len(p.Steps)) + " steps", value: strconv.FormatUint(p.ID, 10), id: p.ID,
				name: portfolio.FoldText(p.Name), fold: portfolio.FoldText(p.Name)})
		}
	}
	pick := pickField("Playbook", opts, "")
	f := newForm(m.th, "Start a playbook on "+name, pick)
	f.token = m.nextToken()
	f.intro = []string{"Its steps become tasks, due from today, for the owners its rules name."}
	today := m.asOf()
	f.submit = func(f *form) tea.Cmd {
		pb := f.field("Playbook").optID()
		return m.actionCmd(f.token, "Start a playbook", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			n, err := tx.StartPlaybook(id, pb, by, now, today)
			return "Started a playbook on " + name + ": " + itoa(n) + " tasks", 0, err
		})
	}
	return f
}

func anyActive(list []store.Playbook) bool {
	for _, p := range list {
		if p.Active {
			return true
		}
	}
	return false
}

// lateText is an overdue task's due date: how late, glyph and words
// first (the colour is not needed), then the day.
func lateText(due, today metrics.Date) string {
	return "⚠ " + itoa(today.Sub(due)) + "d late (" + due.String()[5:] + ")"
}

// dueSunday is the last day of d's ISO week.
func dueSunday(d metrics.Date) metrics.Date { return metrics.WeekOf(d).Monday().AddDays(6) }
