package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// The success plan on the health detail (README, "Success plans"): the
// summary text, the progress line, each objective with its status (glyph
// and word: colour is never the only carrier) and its milestones, ticked
// or not, with "overdue" spelled out. Days count from the portfolio's
// day, which the model's clock sets. Four keys act on it, each through a
// form and one store transaction; the store says who may.

// objectiveGlyph gives each status its own shape.
func objectiveGlyph(s metrics.ObjectiveStatus) string {
	switch s {
	case metrics.OnTrack:
		return "●"
	case metrics.ObjectiveAtRisk:
		return "◆"
	case metrics.Achieved:
		return "✓"
	case metrics.Dropped:
		return "✗"
	}
	return "?"
}

// objectiveLabel is glyph and word, e.g. "◆ at risk".
func objectiveLabel(s metrics.ObjectiveStatus) string {
	return objectiveGlyph(s) + " " + humanize(string(s))
}

func (th *theme) objective(s metrics.ObjectiveStatus) func(...string) string {
	switch s {
	case metrics.OnTrack:
		return th.Bands[metrics.Green].Render
	case metrics.ObjectiveAtRisk:
		return th.Warn.Render
	}
	return th.Muted.Render
}

// progressText is the plan's progress in words: "2 of 5 milestones
// done, 1 overdue · 3 objectives: 1 at risk, 1 achieved".
func progressText(pr metrics.PlanProgress) string {
	s := fmt.Sprintf("%d of %d milestones done", pr.Done, pr.Milestones)
	if pr.Overdue > 0 {
		s += fmt.Sprintf(", %d overdue", pr.Overdue)
	}
	objs := plural(pr.Objectives, "objective")
	var parts []string
	if pr.AtRiskObjectives > 0 {
		parts = append(parts, itoa(pr.AtRiskObjectives)+" at risk")
	}
	if pr.Achieved > 0 {
		parts = append(parts, itoa(pr.Achieved)+" achieved")
	}
	if dropped := pr.Objectives - pr.Live - pr.Achieved; dropped > 0 {
		parts = append(parts, itoa(dropped)+" dropped")
	}
	if len(parts) > 0 {
		objs += ": " + strings.Join(parts, ", ")
	}
	return s + " · " + objs
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

// milestoneText is one milestone's line: the box, the text, the due date
// and how it stands on day.
func milestoneText(th *theme, o *store.Objective, ms *store.Milestone, day metrics.Date) string {
	box := "☐"
	if ms.Done {
		box = "☑"
	}
	s := box + " " + sanitize(ms.Text) + " · due " + ms.Due.String()
	switch {
	case ms.Done:
		s += " · done"
		if !ms.DoneAt.IsZero() {
			s += " " + metrics.DateOf(ms.DoneAt.Local()).String()
		}
		if ms.DoneBy != "" {
			s += " by " + sanitize(ms.DoneBy)
		}
		return th.Muted.Render(s)
	case metrics.PlanMilestone{Due: ms.Due}.Overdue(o.Status, day):
		return th.Warn.Render(s + " · ⚠ overdue " + itoa(day.Sub(ms.Due)) + "d")
	case o.Status.Live():
		return s + " (" + daysLeft(ms.Due.Sub(day)) + ")"
	}
	return th.Muted.Render(s)
}

// planLine is the plan in one line, among the page's facts at the top:
// its progress when it has objectives (they are listed at the end of the
// page), else the first line of its summary.
func (pg *healthPage) planLine(a *portfolio.Account) string {
	if pg.d == nil {
		return "…"
	}
	pr := pg.d.Plan.Plan.Progress(pg.p.AsOf)
	if pr.Objectives > 0 {
		s := progressText(pr) + " (below)"
		if pr.AtRisk {
			return pg.th.Warn.Render("⚑ " + s)
		}
		return s
	}
	first, _, _ := strings.Cut(strings.TrimSpace(a.SuccessPlan), "\n")
	return sanitize(orDash(first, "none (e writes one, a adds an objective)"))
}

// planSection writes the success plan into the page.
func (pg *healthPage) planSection(a *portfolio.Account) {
	d := &pg.doc
	plan := &pg.d.Plan.Plan
	day := pg.p.AsOf
	pr := plan.Progress(day)
	head := "Success plan"
	if pr.Objectives > 0 {
		head += " · " + progressText(pr)
	}
	d.section(head)
	if strings.TrimSpace(a.SuccessPlan) == "" {
		d.line(pg.th.Muted.Render("  No summary written (e edits it)."))
	} else {
		d.wrap(a.SuccessPlan)
	}
	if pr.Objectives == 0 {
		d.line(pg.th.Muted.Render("  No objectives yet: a adds one, m a milestone to it."))
		return
	}
	if pr.AtRisk {
		d.line("  " + pg.th.Warn.Render("⚑ plan-at-risk: "+flagMeaning["plan-at-risk"]))
	}
	for i := range plan.Objectives {
		o := &plan.Objectives[i]
		target := ""
		if !o.Target.IsZero() {
			target = " · target " + o.Target.String()
		}
		d.line("  " + pg.th.objective(o.Status)(fit(objectiveLabel(o.Status), 10, false)) + " #" + itoa(o.ID) + " " + sanitize(o.Text) + target)
		for j := range o.Milestones {
			d.line("      " + milestoneText(pg.th, o, &o.Milestones[j], day))
		}
	}
}

// planFullText is the plan for the pager, uncut.
func planFullText(b *strings.Builder, plan *store.Plan, day metrics.Date) {
	if len(plan.Objectives) == 0 {
		return
	}
	b.WriteString("  " + progressText(plan.Progress(day)) + "\n")
	for _, o := range plan.Objectives {
		t := ""
		if !o.Target.IsZero() {
			t = ", target " + o.Target.String()
		}
		b.WriteString("  #" + itoa(o.ID) + " " + o.Text + " (" + objectiveLabel(o.Status) + t + ")\n")
		for _, ms := range o.Milestones {
			box := "☐"
			if ms.Done {
				box = "☑"
			}
			line := "    " + box + " " + ms.Text + ", due " + ms.Due.String()
			if ms.Done && ms.DoneBy != "" {
				line += ", done by " + ms.DoneBy
			} else if (metrics.PlanMilestone{Due: ms.Due}).Overdue(o.Status, day) {
				line += ", overdue"
			}
			b.WriteString(line + "\n")
		}
	}
}

// ---- the forms ----

// planOf is the loaded plan of the health page on top for account id.
func (m *Model) planOf(id uint64) (*store.Plan, error) {
	if pg, ok := m.current().(*healthPage); ok && pg.id == id {
		if pg.d == nil {
			return nil, errors.New("one moment: the success plan is still loading")
		}
		return &pg.d.Plan.Plan, nil
	}
	return nil, errors.New("open the account's health detail first (enter)")
}

// objectiveOptions lists the objectives, live ones first (most work goes
// there), each with its status.
func objectiveOptions(plan *store.Plan) []option {
	var live, closed []option
	for _, o := range plan.Objectives {
		opt := option{label: "#" + itoa(o.ID) + " " + o.Text + " (" + humanize(string(o.Status)) + ")", value: itoa(o.ID)}
		if o.Status.Live() {
			live = append(live, opt)
		} else {
			closed = append(closed, opt)
		}
	}
	return append(live, closed...)
}

func (m *Model) optionalDate(v string) error {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	return m.checkDate(v)
}

// planForm opens the form of a success-plan action on account a.
func (m *Model) planForm(act action, a *portfolio.Account) (*form, error) {
	plan, err := m.planOf(a.ID)
	if err != nil {
		return nil, err
	}
	id, name := a.ID, short(a.Name, 40)
	var f *form
	switch act {
	case actAddObjective:
		target := textField("Target date", "", false)
		target.hint, target.check = "optional; "+dateHint, m.optionalDate
		status := pickField("Status", enumOptions(string(metrics.OnTrack), string(metrics.ObjectiveAtRisk)), string(metrics.OnTrack))
		f = newForm(m.th, "Add an objective to the success plan of "+name, textField("Objective", "", true), target, status)
		f.intro = []string{"What the client wants to achieve with us; milestones (m) are the dated steps to it."}
		f.submit = func(f *form) tea.Cmd {
			text, t, st := f.field("Objective").value(), m.dateOf(f.field("Target date").value()), metrics.ObjectiveStatus(f.field("Status").value())
			return m.actionCmd(f.token, "Add an objective", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				o, err := tx.AddObjective(id, text, t, st, by, now)
				return "Objective #" + itoa(o.ID) + " added to the plan of " + name, 0, err
			})
		}
	case actAddMilestone:
		if len(plan.Objectives) == 0 {
			return nil, errors.New(name + " has no objective yet: a adds one")
		}
		opts := objectiveOptions(plan)
		obj := pickField("Objective", opts, opts[0].value)
		due := textField("Due", m.asOf().AddDays(14).String(), true)
		due.hint, due.check = dateHint, m.checkDate
		f = newForm(m.th, "Add a milestone to the success plan of "+name, obj, textField("Milestone", "", true), due)
		f.focusField(1)
		f.submit = func(f *form) tea.Cmd {
			objID, _ := strconv.Atoi(f.field("Objective").value())
			text, d := f.field("Milestone").value(), m.dateOf(f.field("Due").value())
			return m.actionCmd(f.token, "Add a milestone", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.AddMilestone(id, objID, text, d, by, now)
				return "Milestone added to objective #" + itoa(objID) + " of " + name, 0, err
			})
		}
	case actTickMilestone:
		// Open milestones of live objectives first, the earliest due
		// first (the one most likely meant), then the done ones.
		day := m.asOf()
		var open, done []option
		var firstDue metrics.Date
		sel := ""
		for _, o := range plan.Objectives {
			for _, ms := range o.Milestones {
				box := "☐ "
				if ms.Done {
					box = "☑ "
				}
				label := box + ms.Text + " · due " + ms.Due.String()
				if (metrics.PlanMilestone{Due: ms.Due}).Overdue(o.Status, day) {
					label += " · overdue"
				}
				opt := option{label: label + " · #" + itoa(o.ID) + " " + o.Text, value: itoa(ms.ID)}
				switch {
				case ms.Done:
					done = append(done, opt)
				default:
					open = append(open, opt)
					if o.Status.Live() && (firstDue.IsZero() || ms.Due < firstDue) {
						firstDue, sel = ms.Due, opt.value
					}
				}
			}
		}
		opts := append(open, done...)
		if len(opts) == 0 {
			return nil, errors.New(name + " has no milestone yet: m adds one")
		}
		if sel == "" {
			sel = opts[0].value
		}
		pick := pickField("Milestone", opts, sel)
		pick.hint = "☐ is ticked done (with your name and the time), ☑ unticked"
		f = newForm(m.th, "Tick a milestone of "+name, pick)
		f.submit = func(f *form) tea.Cmd {
			msID, _ := strconv.Atoi(f.field("Milestone").value())
			_, ms := plan.Milestone(msID)
			done := ms == nil || !ms.Done
			return m.actionCmd(f.token, "Tick a milestone", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				what := "done"
				if !done {
					what = "not done"
				}
				return "Milestone of " + name + " marked " + what, 0, tx.SetMilestoneDone(id, msID, done, by, now)
			})
		}
	case actObjectiveStatus:
		if len(plan.Objectives) == 0 {
			return nil, errors.New(name + " has no objective yet: a adds one")
		}
		opts := objectiveOptions(plan)
		statusOf := func(objID string) string {
			n, _ := strconv.Atoi(objID)
			if o := plan.Objective(n); o != nil {
				return string(o.Status)
			}
			return string(metrics.OnTrack)
		}
		statuses := enumOptions(stringsOf(metrics.ObjectiveStatuses)...)
		for i := range statuses {
			statuses[i].label = objectiveLabel(metrics.ObjectiveStatus(statuses[i].value))
		}
		obj := pickField("Objective", opts, opts[0].value)
		st := pickField("Status", statuses, statusOf(opts[0].value))
		f = newForm(m.th, "Set the status of an objective of "+name, obj, st)
		f.intro = []string{"At risk raises plan-at-risk; achieved or dropped closes the objective (its milestones are no longer overdue)."}
		// The status shows the objective's own until the user picks one.
		forObj := opts[0].value
		f.onChange = func(f *form) {
			s := f.field("Status")
			if o := f.field("Objective").value(); o != forObj && !s.dirty() {
				forObj = o
				s.pick = newPicker(statuses, statusOf(o))
				s.initial = s.value()
			}
			s.hint = "now " + humanize(statusOf(forObj))
		}
		f.onChange(f)
		f.submit = func(f *form) tea.Cmd {
			objID, _ := strconv.Atoi(f.field("Objective").value())
			s := metrics.ObjectiveStatus(f.field("Status").value())
			return m.actionCmd(f.token, "Set the objective's status", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				return "Objective #" + itoa(objID) + " of " + name + " is " + humanize(string(s)), 0, tx.SetObjectiveStatus(id, objID, s, by, now)
			})
		}
	case actEditPlan:
		f = m.editPlanForm(plan, id, name)
		if f == nil {
			return nil, errors.New(name + " has no objective yet: a adds one")
		}
	}
	f.token = m.nextToken()
	return f, nil
}

// editPlanForm edits or removes one objective or milestone of a plan:
// pick it, and its text and date fill in to be changed; "remove" takes it
// away (an objective with its milestones). Each is one store change with
// its activity entry. Nil without objectives.
func (m *Model) editPlanForm(plan *store.Plan, id uint64, name string) *form {
	type item struct {
		text string
		date metrics.Date
	}
	items := map[string]item{}
	var opts []option
	for _, o := range plan.Objectives {
		v := "o" + itoa(o.ID)
		items[v] = item{o.Text, o.Target}
		opts = append(opts, option{label: "Objective #" + itoa(o.ID) + " " + o.Text + " (" + humanize(string(o.Status)) + ")", value: v})
		for _, ms := range o.Milestones {
			v := "m" + itoa(ms.ID)
			items[v] = item{ms.Text, ms.Due}
			opts = append(opts, option{label: "  milestone " + ms.Text + " · due " + ms.Due.String(), value: v})
		}
	}
	if len(opts) == 0 {
		return nil
	}
	dateText := func(d metrics.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	pick := pickField("Item", opts, opts[0].value)
	text := textField("Text", items[opts[0].value].text, true)
	date := textField("Date", dateText(items[opts[0].value].date), false)
	date.check = m.optionalDate
	what := pickField("Change", []option{{label: "save the text and date", value: "edit"}, {label: "remove it", value: "remove"}}, "edit")
	f := newForm(m.th, "Edit the success plan of "+name, pick, text, date, what)
	f.intro = []string{"Pick an objective or a milestone; its text and date fill in. Removing an objective removes its milestones."}
	shown := opts[0].value
	f.onChange = func(f *form) {
		v := f.field("Item").value()
		t, d := f.field("Text"), f.field("Date")
		if v != shown && !t.dirty() && !d.dirty() {
			shown = v
			t.in.SetValue(items[v].text)
			t.initial = t.in.Value()
			d.in.SetValue(dateText(items[v].date))
			d.initial = d.in.Value()
		}
		if strings.HasPrefix(shown, "m") {
			d.hint = "the milestone's due date; " + dateHint
		} else {
			d.hint = "the objective's target date, optional; " + dateHint
		}
	}
	f.onChange(f)
	f.submit = func(f *form) tea.Cmd {
		v, remove := f.field("Item").value(), f.field("Change").value() == "remove"
		t, dv := f.field("Text").value(), f.field("Date").value()
		n, _ := strconv.Atoi(v[1:])
		milestone := v[0] == 'm'
		var d metrics.Date
		if dv != "" {
			d = m.dateOf(dv)
		}
		return m.actionCmd(f.token, "Edit the success plan", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			switch {
			case milestone && remove:
				return "Milestone removed from the plan of " + name, 0, tx.RemoveMilestone(id, n, by, now)
			case remove:
				return "Objective #" + itoa(n) + " removed from the plan of " + name, 0, tx.RemoveObjective(id, n, by, now)
			case milestone:
				if d.IsZero() {
					return "", 0, errors.New("a milestone needs a due date")
				}
				return "Milestone of " + name + " edited", 0, tx.EditMilestone(id, n, t, d, by, now)
			}
			return "Objective #" + itoa(n) + " of " + name + " edited", 0, tx.EditObjective(id, n, t, d, by, now)
		})
	}
	return f
}
