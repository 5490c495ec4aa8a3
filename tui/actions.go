package tui

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
	"steward/store/transfer"
)

// The triage and editing actions. A view turns an action key into a
// doAction intent; the root opens the action's form (or prompt), and the
// form's submit builds a write: one store.Update, whose closure holds only
// values copied out of the form on the UI goroutine. The acting member is
// looked up again inside the transaction, so the author is always a member
// that exists in the committed roster.

type action int

const (
	actCreateEsc action = iota
	actAssign
	actSeverity
	actStatus
	actDecide
	actNote
	actResolve
	actReopen
	actLog
	actRaise
	actOverride
	actClearOverride
	actEditAccount
	actReassign
	actImport
	actEditMember
	actAddMember
	actDeactivate
	actSettings
	actOneOnOne
	actSaveView
	actForecast
	actAddTask
	actStartPlaybook
	// The success plan, on the health detail (plan.go).
	actAddObjective
	actAddMilestone
	actTickMilestone
	actObjectiveStatus
	actEditPlan
)

// doAction asks the root to start an action on a record (escalation,
// account or member ID; 0 where none applies).
type doAction struct {
	act action
	id  uint64
}

// writeTarget is a modal waiting for the result of its write.
type writeTarget interface {
	Token() int
	// written receives the result and reports whether the modal closes.
	written(err error) bool
}

// writeFn is the body of one action's transaction; it returns the status
// line text and, for a new escalation, its ID.
type writeFn func(tx *store.Tx, by store.Actor, now time.Time) (what string, focus uint64, err error)

// actionCmd runs fn in one write transaction as the acting member. label
// names the action when it fails.
func (m *Model) actionCmd(token int, label string, fn writeFn) tea.Cmd {
	path, opt, o, now, hub := m.opt.Path, m.opt.Store, m.opt, m.opt.Now(), m.hub
	return func() tea.Msg {
		if hub != nil {
			// A server that stops lets this write commit first (Hub.Drain),
			// and refuses one that had not started.
			if !hub.writes.Start() {
				return writtenMsg{token: token, what: label, err: errors.New("the server is restarting: nothing was saved; sign in again in a moment")}
			}
			defer hub.writes.Done()
		}
		var what string
		var focus uint64
		err := store.Update(path, opt, func(tx *store.Tx) error {
			members, err := tx.Members()
			if err != nil {
				return err
			}
			by, err := o.findActor(members)
			if err != nil {
				return err
			}
			what, focus, err = fn(tx, by, now)
			return err
		})
		if err != nil {
			what = label
		}
		return writtenMsg{token: token, what: what, focus: focus, err: err}
	}
}

// importedMsg is the result of the `i` import, or of its dry run.
type importedMsg struct {
	token int
	file  string
	dry   bool
	res   transfer.ImportResult
	err   error
}

func importCmd(token int, path string, opt store.Options, file, author string, today metrics.Date, dry bool) tea.Cmd {
	return func() tea.Msg {
		res, err := transfer.Import(path, opt, file, transfer.ImportOptions{Author: author, Today: today, DryRun: dry})
		return importedMsg{token: token, file: file, dry: dry, res: res, err: err}
	}
}

// friendlyErr is a write error for the status line and the form.
func friendlyErr(err error) string {
	if errors.Is(err, store.ErrLocked) {
		return store.ErrLocked.Error() + ": nothing was written; try again (enter)"
	}
	return err.Error()
}

func short(s string, n int) string {
	s = sanitize(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func escLabel(e *store.Escalation) string {
	return "#" + strconv.FormatUint(e.ID, 10) + " " + short(e.Title, 40)
}

func (m *Model) escalation(id uint64) *portfolio.Escalation {
	for i := range m.p.Escalations {
		if m.p.Escalations[i].ID == id {
			return &m.p.Escalations[i]
		}
	}
	return nil
}

func (m *Model) openModal(md modal) {
	md.SetSize(m.w, m.bodyHeight())
	m.modal = md
}

func (m *Model) nextToken() int {
	m.token++
	return m.token
}

func (m *Model) refuse(s string) tea.Cmd {
	m.fail(s)
	return nil
}

// startAction opens the form of an action.
func (m *Model) startAction(in doAction) tea.Cmd {
	// Reading the settings needs no author; saving one is refused by the
	// write itself, which looks the actor up again.
	if in.act == actSettings {
		m.openModal(newSettingsModal(m))
		return nil
	}
	if m.actorErr != nil {
		return m.refuse("changes are disabled: " + m.actorErr.Error())
	}
	switch in.act {
	case actCreateEsc, actRaise:
		m.openModal(m.createEscForm(in.id))
	case actAssign, actSeverity, actStatus, actDecide, actNote, actResolve, actReopen:
		if m.focusEsc != 0 {
			return m.refuse("one moment: the escalation just created is still loading")
		}
		e := m.escalation(in.id)
		if e == nil {
			return m.refuse("no escalation selected")
		}
		switch {
		case in.act == actReopen && e.Open():
			return m.refuse(escLabel(&e.Escalation) + " is not resolved")
		case in.act != actReopen && in.act != actNote && !e.Open():
			return m.refuse(escLabel(&e.Escalation) + " is resolved: reopen it first (o)")
		}
		m.openModal(m.escForm(in.act, e))
	case actLog, actOverride, actClearOverride, actEditAccount, actReassign:
		a := m.p.Account(in.id)
		if a == nil {
			return m.refuse("no account selected")
		}
		if in.act == actClearOverride {
			if a.Override == nil {
				return m.refuse(short(a.Name, 40) + " has no health override")
			}
			id, name := a.ID, a.Name
			tok := m.nextToken()
			m.openModal(newConfirm(m.th, "Clear the health override of "+short(name, 40),
				"Clear the "+string(a.Override.Band)+" override and go back to the computed band?", tok,
				func() tea.Cmd {
					return m.actionCmd(tok, "Clear override", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
						_, err := tx.ClearOverride(id, by, now)
						return "Cleared the health override of " + short(name, 40), 0, err
					})
				}))
			return nil
		}
		m.openModal(m.accountForm(in.act, a))
	case actImport:
		if m.hub != nil {
			return m.refuse("a file on the server is not yours to import: send it with ssh … import < FILE")
		}
		m.openModal(m.importForm())
	case actAddMember:
		m.openModal(m.memberForm(nil))
	case actSaveView:
		m.openModal(m.saveViewForm())
	case actForecast:
		a := m.p.Account(in.id)
		if a == nil {
			return m.refuse("no account selected")
		}
		m.openModal(m.forecastForm(a))
	case actAddTask:
		a := m.p.Account(in.id)
		if a == nil {
			return m.refuse("no account selected")
		}
		m.openModal(m.taskForm(a))
	case actStartPlaybook:
		if m.p.Account(in.id) == nil {
			return m.refuse("no account selected")
		}
		return playbookListCmd(m.opt.Path, m.opt.Store, in.id)
	case actAddObjective, actAddMilestone, actTickMilestone, actObjectiveStatus, actEditPlan:
		a := m.p.Account(in.id)
		if a == nil {
			return m.refuse("no account selected")
		}
		f, err := m.planForm(in.act, a)
		if err != nil {
			return m.refuse(err.Error())
		}
		m.openModal(f)
	case actOneOnOne:
		mem := m.p.Member(in.id)
		if mem == nil || in.id == 0 {
			return m.refuse("a 1:1 is with a member (the Unassigned pool is not one)")
		}
		m.openModal(m.oneOnOneForm(mem))
	case actEditMember, actDeactivate:
		mem := m.p.Member(in.id)
		if mem == nil || in.id == 0 {
			return m.refuse("choose a team member (the Unassigned pool is not one)")
		}
		if in.act == actEditMember {
			m.openModal(m.memberForm(mem))
			return nil
		}
		id, name := mem.ID, mem.Name
		// Say no before asking: the store refuses anyway (and is the rule's
		// guard against a stale screen), but a prompt that can only fail
		// wastes a keystroke.
		owned, open := 0, 0
		for i := range m.p.Accounts {
			if a := &m.p.Accounts[i]; a.OwnerID == id && a.Live {
				owned++
			}
		}
		for i := range m.p.Escalations {
			if e := &m.p.Escalations[i]; e.OwnerID == id && e.Open() {
				open++
			}
		}
		if owned > 0 || open > 0 {
			return m.refuse(fmt.Sprintf("%s still owns %d account(s) and %d open escalation(s): reassign them first", name, owned, open))
		}
		tok := m.nextToken()
		m.openModal(newConfirm(m.th, "Deactivate "+short(name, 40), "Take "+short(name, 40)+" off the roster?", tok, func() tea.Cmd {
			return m.actionCmd(tok, "Deactivate "+name, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.DeactivateMember(id, by, now)
				return "Deactivated " + short(name, 40), 0, err
			})
		}))
	}
	return nil
}

// ---- option lists ----

func (m *Model) accountOptions(include uint64) []option {
	m.p.Folds()
	out := make([]option, 0, len(m.p.Accounts))
	for i := range m.p.Accounts {
		a := &m.p.Accounts[i]
		if !a.Live && a.ID != include {
			continue
		}
		out = append(out, option{label: a.Name + " · " + orDash(a.OwnerName, "unassigned"), value: strconv.FormatUint(a.ID, 10), id: a.ID,
			name: foldName(a), fold: a.Fold})
	}
	return out
}

func (m *Model) memberOptions(withNobody bool) []option {
	var out []option
	for _, mem := range m.p.Members {
		if mem.Active {
			out = append(out, option{label: mem.Name + " (" + humanize(string(mem.Role)) + ")", value: strconv.FormatUint(mem.ID, 10), id: mem.ID,
				name: portfolio.FoldText(mem.Name), fold: portfolio.FoldText(mem.Name + " " + mem.Email + " " + string(mem.Role))})
		}
	}
	if withNobody {
		out = append(out, option{label: "Unassigned", value: "0", id: 0})
	}
	return out
}

// teamRow is a member's row of the roster, or nil.
func (m *Model) teamRow(id uint64) *portfolio.MemberRow {
	for i := range m.p.Team {
		if r := &m.p.Team[i]; !r.Unassigned && r.Member.ID == id {
			return r
		}
	}
	return nil
}

// ---- escalations ----

func (m *Model) createEscForm(accountID uint64) *form {
	acct := pickField("Account", m.accountOptions(accountID), strconv.FormatUint(accountID, 10))
	acct.pick.mustChoose(strconv.FormatUint(accountID, 10))
	acct.required, acct.initial = true, acct.value()
	title := textField("Title", "", true)
	desc := areaField("Description", "")
	sev := pickField("Severity", enumOptions(store.Severities...), store.SevMedium)
	// The owner defaults to the account's owner (an active member), and
	// follows the account picked until the user chooses someone.
	ownerOf := func(id uint64) string {
		if a := m.p.Account(id); a != nil {
			if mem := m.p.Member(a.OwnerID); mem != nil && mem.Active {
				return strconv.FormatUint(mem.ID, 10)
			}
		}
		return "0"
	}
	owner := pickField("Owner", m.memberOptions(true), ownerOf(accountID))
	owner.hint = "default: the account's owner"
	f := newForm(m.th, "New escalation", acct, title, desc, sev, owner)
	sla := m.p.Settings.Health.SLA
	forAccount := accountID
	f.onChange = func(f *form) {
		f.field("Severity").hint = "SLA " + itoa(sla.For(f.field("Severity").value())) + " h from now"
		o := f.field("Owner")
		if id := f.field("Account").optID(); id != forAccount && !o.dirty() {
			forAccount = id
			o.pick = newPicker(m.memberOptions(true), ownerOf(id))
			o.initial = o.value()
		}
	}
	f.onChange(f)
	if accountID != 0 {
		f.focusField(1)
	}
	f.token = m.nextToken()
	f.submit = func(f *form) tea.Cmd {
		n := store.NewEscalation{AccountID: f.field("Account").optID(), Title: f.field("Title").value(),
			Description: f.field("Description").value(), Severity: f.field("Severity").value(), OwnerID: f.field("Owner").optID()}
		return m.actionCmd(f.token, "Create escalation", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			e, err := tx.CreateEscalation(n, by, now)
			return "Created " + escLabel(&e) + " (" + e.Severity + ", SLA due " + fmtInstant(e.SLADue) + ")", e.ID, err
		})
	}
	return f
}

func (m *Model) escForm(act action, pe *portfolio.Escalation) *form {
	e := pe.Escalation
	id := e.ID
	label := escLabel(&e)
	var f *form
	switch act {
	case actAssign:
		f = newForm(m.th, "Assign "+label, pickField("Owner", m.memberOptions(true), strconv.FormatUint(e.OwnerID, 10)))
		f.submit = func(f *form) tea.Cmd {
			owner, name := f.fields[0].optID(), f.fields[0].value()
			if o, ok := f.fields[0].pick.selected(); ok {
				name = o.label
			}
			return m.actionCmd(f.token, "Assign "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.AssignEscalation(id, owner, by, now)
				return "Assigned " + label + " to " + name, 0, err
			})
		}
	case actSeverity:
		f = newForm(m.th, "Severity of "+label, pickField("Severity", enumOptions(store.Severities...), e.Severity))
		f.intro = []string{"The SLA due time is recomputed from the creation time (" + fmtInstant(e.CreatedAt) + ")."}
		f.submit = func(f *form) tea.Cmd {
			sev := f.fields[0].value()
			return m.actionCmd(f.token, "Change severity of "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				e, err := tx.SetSeverity(id, sev, by, now)
				return "Severity of " + label + " is now " + sev + ", SLA due " + fmtInstant(e.SLADue), 0, err
			})
		}
	case actStatus:
		f = newForm(m.th, "Status of "+label, pickField("Status", enumOptions(store.OpenStatuses...), e.Status))
		f.submit = func(f *form) tea.Cmd {
			st := f.fields[0].value()
			return m.actionCmd(f.token, "Change status of "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.SetStatus(id, st, by, now)
				return "Status of " + label + " is now " + humanize(st), 0, err
			})
		}
	case actDecide:
		var opts []option
		for _, d := range store.Decisions {
			opts = append(opts, option{label: store.DecisionText[d], value: d, code: d})
		}
		f = newForm(m.th, "Triage decision on "+label, pickField("Decision", opts, e.Decision))
		f.intro = []string{"Sending to the director also sets the status with director."}
		f.submit = func(f *form) tea.Cmd {
			d := f.fields[0].value()
			return m.actionCmd(f.token, "Record decision on "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.Decide(id, d, by, now)
				return "Decision on " + label + ": " + store.DecisionText[d], 0, err
			})
		}
	case actNote:
		f = newForm(m.th, "Note on "+label, textField("Note", "", true))
		f.submit = func(f *form) tea.Cmd {
			text := f.fields[0].value()
			return m.actionCmd(f.token, "Add note to "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.AddNote(id, text, by, now)
				return "Note added to " + label, 0, err
			})
		}
	case actResolve:
		f = newForm(m.th, "Resolve "+label, textField("Resolution", "", true))
		f.intro = []string{"A resolution note is required; the escalation leaves the open queue (f shows resolved ones)."}
		f.confirm = func(*form) string { return "Resolve " + label + "?" }
		f.submit = func(f *form) tea.Cmd {
			note := f.fields[0].value()
			return m.actionCmd(f.token, "Resolve "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.Resolve(id, note, by, now)
				return "Resolved " + label, 0, err
			})
		}
	case actReopen:
		f = newForm(m.th, "Reopen "+label, textField("Reason", "", true))
		f.confirm = func(*form) string { return "Reopen " + label + "?" }
		f.submit = func(f *form) tea.Cmd {
			reason := f.fields[0].value()
			return m.actionCmd(f.token, "Reopen "+label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.Reopen(id, reason, by, now)
				return "Reopened " + label, 0, err
			})
		}
	}
	f.token = m.nextToken()
	return f
}

// ---- accounts ----

func (m *Model) accountForm(act action, a *portfolio.Account) *form {
	id, name := a.ID, short(a.Name, 40)
	var f *form
	switch act {
	case actLog:
		f = newForm(m.th, "Log activity on "+name, pickField("Kind", enumOptions(store.ActivityKinds...), store.ActCall), textField("Text", "", true))
		f.intro = []string{"A call, email, meeting or QBR moves the last touch; a QBR also moves the last QBR."}
		f.submit = func(f *form) tea.Cmd {
			kind, text := f.field("Kind").value(), f.field("Text").value()
			return m.actionCmd(f.token, "Log activity", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.LogActivity(id, kind, text, by, now)
				return "Logged a " + kind + " on " + name, 0, err
			})
		}
	case actOverride:
		band := pickField("Band", enumOptions(string(metrics.Green), string(metrics.Yellow), string(metrics.Red)), string(metrics.Yellow))
		reason := textField("Reason", "", true)
		exp := textField("Expires", m.asOf().AddDays(30).String(), true)
		today := m.asOf()
		exp.hint = dateHint
		exp.check = func(v string) error {
			d, err := parseDay(v, today)
			if err == nil && d < today {
				err = errors.New("the expiry is in the past")
			}
			return err
		}
		f = newForm(m.th, "Override the health of "+name, band, reason, exp)
		f.intro = []string{"Computed: " + healthText(a.Health) + ". The override replaces the band until it expires."}
		f.submit = func(f *form) tea.Cmd {
			b, r := metrics.Band(f.field("Band").value()), f.field("Reason").value()
			d, _ := parseDay(f.field("Expires").value(), today)
			return m.actionCmd(f.token, "Override health", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				_, err := tx.SetOverride(id, b, r, d, by, now)
				return "Health of " + name + " overridden to " + string(b) + " until " + d.String(), 0, err
			})
		}
	case actReassign:
		// Each candidate shows their load, so the manager does not hand a
		// full book another account unknowingly.
		owners := m.memberOptions(true)
		for i := range owners {
			if r := m.teamRow(owners[i].id); r != nil && owners[i].id != 0 {
				owners[i].label += fmt.Sprintf(" · %d/%d accounts", r.Accounts, r.Member.Capacity)
				if r.OverCapacity || r.Accounts >= r.Member.Capacity {
					owners[i].label += " (full)"
				}
			}
		}
		fields := []*field{pickField("Owner", owners, strconv.FormatUint(a.OwnerID, 10))}
		if a.OpenEsc > 0 {
			move := pickField("Escalations", []option{
				{label: "leave them with their owners", value: "no", code: "no"},
				{label: "move them to the new owner", value: "yes", code: "yes"},
			}, "no")
			move.hint = fmt.Sprintf("%d open on this account", a.OpenEsc)
			fields = append(fields, move)
		}
		f = newForm(m.th, "Reassign "+name, fields...)
		f.submit = func(f *form) tea.Cmd {
			owner := f.fields[0].optID()
			o, _ := f.fields[0].pick.selected()
			moveEsc := len(f.fields) > 1 && f.fields[1].value() == "yes"
			return m.actionCmd(f.token, "Reassign "+name, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				if _, err := tx.ReassignAccount(id, owner, by, now); err != nil {
					return "", 0, err
				}
				moved := 0
				if moveEsc {
					var err error
					if moved, err = tx.MoveOpenEscalations(id, owner, by, now); err != nil {
						return "", 0, err
					}
				}
				text := name + " now belongs to " + o.label
				if moved > 0 {
					text += fmt.Sprintf(", with %d open escalation(s)", moved)
				}
				return text, 0, nil
			})
		}
	case actEditAccount:
		f = m.editAccountForm(a)
	}
	f.token = m.nextToken()
	return f
}

// parseMoney reads an amount the way imports do (transfer.ParseAmount:
// "12500", "$12,500.00", "12.5k", "1.2M", "€900"; never "12,5" or a
// negative) as cents; the error names the value.
func parseMoney(s string) (int64, error) {
	c, err := transfer.ParseAmount(s)
	if err != nil {
		return 0, fmt.Errorf("%q %w", s, err)
	}
	return c, nil
}

func intRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		if n < lo || n > hi {
			return fmt.Errorf("must be between %d and %d", lo, hi)
		}
		return nil
	}
}

// dateHint is how every date field says what it accepts.
const dateHint = "YYYY-MM-DD, today, yesterday, -3d, +2w"

// parseDay reads a date typed in a form: YYYY-MM-DD, or relative to today
// ("today", "yesterday", "tomorrow", "-3d", "+30d", "-2w"), so logging
// last Tuesday's call needs no calendar.
func parseDay(v string, today metrics.Date) (metrics.Date, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	switch s {
	case "today":
		return today, nil
	case "yesterday":
		return today.AddDays(-1), nil
	case "tomorrow":
		return today.AddDays(1), nil
	}
	if len(s) >= 3 && (s[0] == '-' || s[0] == '+') && (s[len(s)-1] == 'd' || s[len(s)-1] == 'w') {
		n, err := strconv.Atoi(s[1 : len(s)-1])
		if err != nil || n > 36500 {
			return 0, fmt.Errorf("%q is not a date: use YYYY-MM-DD, today, yesterday, -3d or +2w", v)
		}
		if s[len(s)-1] == 'w' {
			n *= 7
		}
		if s[0] == '-' {
			n = -n
		}
		return today.AddDays(n), nil
	}
	return metrics.ParseDate(v)
}

func (m *Model) checkDate(v string) error { _, err := parseDay(v, m.asOf()); return err }

func checkMoney(v string) error { _, err := parseMoney(v); return err }

func optOf(v string) metrics.Opt {
	if v == "" {
		return metrics.Opt{}
	}
	n, _ := strconv.Atoi(v)
	return metrics.Some(n)
}

func (m *Model) dateOf(v string) metrics.Date {
	d, _ := parseDay(v, m.asOf())
	return d
}

func moneyInput(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	if c := cents % 100; c != 0 {
		s += fmt.Sprintf(".%02d", c)
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (m *Model) editAccountForm(a *portfolio.Account) *form {
	const maxInt = 1 << 30
	arr := textField("ARR", moneyInput(a.ARRCents), true)
	arr.check, arr.hint = checkMoney, "currency units"
	kind := pickField("ARR change is", nil, "")
	kind.hidden = true
	renew := textField("Renewal date", a.RenewalDate.String(), false)
	renew.check, renew.hint = m.checkDate, dateHint
	seats := textField("Seats", itoa(a.Seats), false)
	seats.check = intRange(0, maxInt)
	users := textField("Active users", a.ActiveUsers.String(), false)
	users.check, users.hint = intRange(0, maxInt), "last 30 days; blank: no data"
	tickets := textField("Tickets (30d)", a.Tickets30d.String(), false)
	tickets.check = intRange(0, maxInt)
	nps := textField("NPS", a.NPS.String(), false)
	nps.check, nps.hint = intRange(0, 10), "0-10; blank: no response"
	csat := textField("CSAT", a.CSAT.String(), false)
	csat.check, csat.hint = intRange(1, 5), "1-5; blank: no response"
	champ := pickField("Champion changed", enumOptions("no", "yes"), yesNo(a.ChampionChanged))
	segOpts := append([]option{{label: "from ARR", value: "auto"}}, enumOptions(string(metrics.Enterprise), string(metrics.MidMarket), string(metrics.SMB))...)
	seg := "auto"
	if a.Account.Segment.Valid() {
		seg = string(a.Account.Segment)
	}
	segment := pickField("Segment", segOpts, seg)
	life := pickField("Lifecycle", enumOptions(string(store.Onboarding), string(store.Active), string(store.Churned)), string(a.Lifecycle))
	pipe := textField("Expansion pipeline", moneyInput(a.PipelineCents), false)
	pipe.check = checkMoney
	stage := textField("Pipeline stage", a.PipelineStage, false)
	tier := textField("Plan", a.Plan, false)
	tier.hint = "the plan or tier the contract names"
	plan := areaField("Success plan", a.SuccessPlan)

	f := newForm(m.th, "Edit "+short(a.Name, 40), arr, kind, renew, seats, users, tickets, nps, csat, champ, tier, segment, life, pipe, stage, plan)
	oldARR := a.ARRCents
	dir := 0
	f.onChange = func(f *form) {
		k := f.field("ARR change is")
		v, err := parseMoney(f.field("ARR").value())
		implied, ambiguous := store.LedgerKindFor(oldARR, v)
		show := err == nil && v != oldARR && ambiguous
		k.hidden = !show
		if !show {
			dir = 0
			return
		}
		d := 1
		if v < oldARR {
			d = -1
		}
		if d != dir {
			dir = d
			k.pick = newPicker([]option{{label: string(implied), value: string(implied), code: string(implied)},
				{label: "renewal (at a new price)", value: string(metrics.KindRenewal), code: string(metrics.KindRenewal)}}, string(implied))
			k.visited = false
			k.initial = k.value()
		}
	}
	f.validate = func(f *form) bool {
		// Only an edit of seats or users is asked about: an account that
		// already had more users than seats is not a question on every save.
		seatsF, usersF := f.field("Seats"), f.field("Active users")
		if s, u := seatsF.value(), usersF.value(); s != "" && u != "" && (seatsF.dirty() || usersF.dirty()) {
			sn, _ := strconv.Atoi(s)
			un, _ := strconv.Atoi(u)
			if un > sn {
				f.warn = fmt.Sprintf("active users (%d) exceed seats (%d)", un, sn)
			}
		}
		k := f.field("ARR change is")
		if !k.hidden && !k.visited {
			k.err = "ARR changed: choose what kind of change it is, then enter"
			return false
		}
		return true
	}
	f.submit = func(f *form) tea.Cmd {
		// Only what the user changed is written, onto the record as it is
		// committed when the write runs: a field left alone never reverts
		// what another process (an import, another dashboard) saved while
		// the form was open, and an untouched ARR writes no ledger entry.
		// Each field is compared with the value it opened with, as parsed,
		// so "12,500" over "12500" is no change.
		v := func(l string) string { return f.field(l).value() }
		was := func(l string) string { return strings.TrimSpace(f.field(l).initial) }
		money := func(s string) int64 { c, _ := parseMoney(orDash(s, "0")); return c }
		whole := func(s string) int { n, _ := strconv.Atoi(orDash(s, "0")); return n }
		picked := func(l string) bool { fl := f.field(l); return fl.value() != fl.initial }

		// edits holds one closure per changed field; each captures its
		// parsed value, so the write goroutine reads no form state.
		var edits []func(*store.Account)
		edit := func(changed bool, apply func(*store.Account)) {
			if changed {
				edits = append(edits, apply)
			}
		}
		arrC, arrSet := money(v("ARR")), money(v("ARR")) != money(was("ARR"))
		var kindV metrics.LedgerKind
		if k := f.field("ARR change is"); arrSet && !k.hidden {
			kindV = metrics.LedgerKind(k.value())
		}
		ren := m.dateOf(v("Renewal date"))
		edit(ren != m.dateOf(was("Renewal date")), func(a *store.Account) { a.RenewalDate = ren })
		seats := whole(v("Seats"))
		edit(seats != whole(was("Seats")), func(a *store.Account) { a.Seats = seats })
		opt := func(l string, set func(*store.Account, metrics.Opt)) {
			o := optOf(v(l))
			edit(o != optOf(was(l)), func(a *store.Account) { set(a, o) })
		}
		opt("Active users", func(a *store.Account, o metrics.Opt) { a.ActiveUsers = o })
		opt("Tickets (30d)", func(a *store.Account, o metrics.Opt) { a.Tickets30d = o })
		opt("NPS", func(a *store.Account, o metrics.Opt) { a.NPS = o })
		opt("CSAT", func(a *store.Account, o metrics.Opt) { a.CSAT = o })
		chg := v("Champion changed") == "yes"
		edit(picked("Champion changed"), func(a *store.Account) { a.ChampionChanged = chg })
		segV := v("Segment")
		if segV == "auto" {
			segV = ""
		}
		edit(picked("Segment"), func(a *store.Account) { a.Segment = metrics.Segment(segV) })
		lifeV := store.Lifecycle(v("Lifecycle"))
		edit(picked("Lifecycle"), func(a *store.Account) { a.Lifecycle = lifeV })
		pipeC := money(v("Expansion pipeline"))
		edit(pipeC != money(was("Expansion pipeline")), func(a *store.Account) { a.PipelineCents = pipeC })
		stageV := v("Pipeline stage")
		edit(stageV != was("Pipeline stage"), func(a *store.Account) { a.PipelineStage = stageV })
		tierV := v("Plan")
		edit(tierV != was("Plan"), func(a *store.Account) { a.Plan = tierV })
		planV := f.field("Success plan").value()
		edit(f.field("Success plan").dirty(), func(a *store.Account) { a.SuccessPlan = planV })
		if !arrSet && len(edits) == 0 {
			f.err = "nothing changed"
			return nil
		}
		id, name := a.ID, short(a.Name, 40)
		return m.actionCmd(f.token, "Edit "+name, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			cur, err := tx.Account(id) // apply the changes to the committed record
			if err != nil {
				return "", 0, err
			}
			if arrSet {
				if cur.ARRCents != oldARR && kindV != metrics.KindRenewal {
					// The stored ARR moved since the form opened: the kind
					// the form implied may point the wrong way now.
					kindV = ""
				}
				cur.ARRCents = arrC
			}
			for _, apply := range edits {
				apply(&cur)
			}
			if _, err = tx.EditAccount(cur, kindV, by, now); err != nil {
				return "", 0, err
			}
			return "Saved " + name, 0, nil
		})
	}
	return f
}

// ---- import ----

func (m *Model) importForm() *form {
	file := textField("File", "", true)
	file.hint = "CSV or JSON path"
	f := newForm(m.th, "Import a file", file)
	f.intro = []string{"Accounts, members, escalations or activities; the kind is read from the headers.",
		"With any bad row nothing is written (same checks as `steward import`)."}
	f.extra = &document{th: f.th}
	f.token = m.nextToken()
	// enter runs a dry run; its summary is asked about (y/N) and only a
	// yes runs the real import (onImported asks, f.confirmed answers).
	f.submit = func(f *form) tea.Cmd {
		path := f.field("File").value()
		if strings.HasPrefix(path, "~/") {
			if home, err := userHome(); err == nil {
				path = home + path[1:]
			}
		}
		f.extra.reset()
		return importCmd(f.token, m.opt.Path, m.opt.Store, path, m.actor.Name, m.asOf(), !f.confirmed)
	}
	return f
}

func (m *Model) onImported(msg importedMsg) tea.Cmd {
	f, ok := m.modal.(*form)
	if ok && f.token == msg.token {
		f.pending = false
	}
	if msg.err != nil || len(msg.res.Errors) > 0 {
		text := ""
		if msg.err != nil {
			text = msg.err.Error()
		} else {
			text = msg.res.Summary(msg.file)
		}
		m.fail("import failed: " + text)
		if ok && f.token == msg.token {
			f.err = text
			d := f.extra
			d.reset()
			d.section(fmt.Sprintf("Problems (%d) · pgup/pgdn scroll · esc closes", len(msg.res.Errors)))
			for _, e := range msg.res.Errors {
				d.line(sanitize(e.Error()))
			}
			f.SetSize(f.w, f.h)
		}
		return nil
	}
	if msg.dry {
		// A bulk write confirms first (default No), showing what it would do.
		if ok && f.token == msg.token {
			f.err = ""
			m.clearStatus() // an earlier attempt's error no longer applies
			f.sureInfo = msg.res.Summary(msg.file)
			f.sure.ask(fmt.Sprintf("Import %d rows into this database?", msg.res.Rows))
		}
		return nil
	}
	if ok && f.token == msg.token {
		m.modal = nil
	}
	m.say(msg.res.Summary(msg.file))
	m.afterLoad = m.status
	if m.loading {
		return nil
	}
	return m.load(false)
}

// ---- team ----

func (m *Model) memberForm(mem *store.Member) *form {
	var cur store.Member
	title := "Add a team member"
	if mem != nil {
		cur = *mem
		title = "Edit " + short(mem.Name, 40)
	}
	name := textField("Name", cur.Name, true)
	email := textField("Email", cur.Email, false)
	role := pickField("Role", enumOptions(func() []string {
		var out []string
		for _, r := range store.Roles {
			out = append(out, string(r))
		}
		return out
	}()...), string(orRole(cur.Role)))
	// Blank is the role's default: a capacity that is the old role's
	// default stays blank, so a new role brings its own default.
	capv := ""
	if cur.Capacity > 0 && cur.Capacity != cur.Role.DefaultCapacity() {
		capv = itoa(cur.Capacity)
	}
	capacity := textField("Capacity", capv, false)
	capacity.check, capacity.hint = intRange(0, 100000), "max accounts; blank: the role's default"
	one := textField("Last 1:1", cur.LastOneOnOne.String(), false)
	one.check, one.hint = m.checkDate, dateHint
	var keyLines []string
	if mem != nil {
		for _, k := range m.p.MemberKeys[mem.ID] {
			keyLines = append(keyLines, k.Key)
		}
	}
	keys := areaField("SSH keys", strings.Join(keyLines, "\n"))
	keys.check, keys.hint = checkKeys, "one public key a line (the .pub file's line); managers only"
	f := newForm(m.th, title, name, email, role, capacity, one, keys)
	f.token = m.nextToken()
	f.submit = func(f *form) tea.Cmd {
		v := func(l string) string { return f.field(l).value() }
		if mem == nil {
			added := store.Member{Name: v("Name"), Email: v("Email"), Role: store.Role(v("Role"))}
			added.Capacity = added.Role.DefaultCapacity()
			if c := v("Capacity"); c != "" {
				added.Capacity, _ = strconv.Atoi(c)
			}
			added.LastOneOnOne = m.dateOf(v("Last 1:1"))
			add, _ := keyChanges("", v("SSH keys"))
			return m.actionCmd(f.token, "Add member", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				nm, err := tx.AddMember(added, by, now)
				if err != nil {
					return "", 0, err
				}
				for _, line := range add {
					if _, err := tx.AddMemberKey(nm.ID, line, by, now); err != nil {
						return "", 0, err
					}
				}
				return "Added " + short(added.Name, 40) + " to the team", 0, nil
			})
		}
		// As with accounts: only the fields the user changed are applied,
		// onto the member as committed when the write runs.
		was := func(l string) string { return strings.TrimSpace(f.field(l).initial) }
		nameSet, nameV := v("Name") != was("Name"), v("Name")
		emailSet, emailV := v("Email") != was("Email"), v("Email")
		roleSet, roleV := f.field("Role").value() != f.field("Role").initial, store.Role(v("Role"))
		capSet, capV := v("Capacity") != was("Capacity"), v("Capacity")
		oneSet, oneV := m.dateOf(v("Last 1:1")) != m.dateOf(was("Last 1:1")), m.dateOf(v("Last 1:1"))
		addKeys, removeKeys := keyChanges(f.field("SSH keys").initial, v("SSH keys"))
		memberSet := nameSet || emailSet || roleSet || capSet || oneSet
		if !memberSet && len(addKeys) == 0 && len(removeKeys) == 0 {
			f.err = "nothing changed"
			return nil
		}
		id, label := mem.ID, short(mem.Name, 40)
		return m.actionCmd(f.token, "Edit member", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			edited, err := tx.Member(id)
			if err != nil {
				return "", 0, err
			}
			// A blank capacity is the role's default: it follows a new role
			// unless the stored capacity was set explicitly.
			defaultCap := edited.Capacity <= 0 || edited.Capacity == edited.Role.DefaultCapacity()
			if nameSet {
				edited.Name = nameV
			}
			if emailSet {
				edited.Email = emailV
			}
			if roleSet {
				edited.Role = roleV
				if defaultCap {
					edited.Capacity = roleV.DefaultCapacity()
				}
			}
			if capSet {
				edited.Capacity = edited.Role.DefaultCapacity()
				if capV != "" {
					edited.Capacity, _ = strconv.Atoi(capV)
				}
			}
			if oneSet {
				edited.LastOneOnOne = oneV
			}
			if memberSet {
				if _, err := tx.EditMember(edited, by, now); err != nil {
					return "", 0, err
				}
			}
			for _, fp := range removeKeys {
				if err := tx.RemoveMemberKey(id, fp, by, now); err != nil {
					return "", 0, err
				}
			}
			for _, line := range addKeys {
				if _, err := tx.AddMemberKey(id, line, by, now); err != nil {
					return "", 0, err
				}
			}
			if nameSet {
				label = short(nameV, 40)
			}
			return "Saved " + label, 0, nil
		})
	}
	return f
}

// checkKeys is the SSH keys field's check: every non-blank line is a
// public key.
func checkKeys(v string) error {
	for _, line := range strings.Split(v, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if _, _, err := store.ParseMemberKey(line); err != nil {
			return err
		}
	}
	return nil
}

// keyChanges compares the SSH keys field as it was and as it is: the
// lines of keys to add, and the fingerprints of keys to remove.
func keyChanges(was, is string) (add, remove []string) {
	fingerprints := func(v string) map[string]string {
		out := map[string]string{}
		for _, line := range strings.Split(v, "\n") {
			if _, fp, err := store.ParseMemberKey(line); err == nil {
				out[fp] = line
			}
		}
		return out
	}
	before, after := fingerprints(was), fingerprints(is)
	for fp, line := range after {
		if _, ok := before[fp]; !ok {
			add = append(add, line)
		}
	}
	for fp := range before {
		if _, ok := after[fp]; !ok {
			remove = append(remove, fp)
		}
	}
	sort.Strings(add)
	sort.Strings(remove)
	return add, remove
}

func orRole(r store.Role) store.Role {
	if r == "" {
		return store.RoleAccountManager
	}
	return r
}

// oneOnOneForm logs a 1:1 with mem: the day (today by default), the
// notes, and the next one (a cadence later by default, empty for none).
func (m *Model) oneOnOneForm(mem *store.Member) *form {
	today := m.asOf()
	id, name := mem.ID, mem.Name
	day := textField("Date", today.String(), true)
	day.hint = dateHint
	day.check = func(v string) error {
		d, err := parseDay(v, today)
		if err == nil && d > today {
			err = errors.New("the 1:1 is in the future: log it once it took place")
		}
		return err
	}
	notes := areaField("Notes", "")
	next := textField("Next 1:1", today.AddDays(m.p.Settings.Health.OneOnOneDays).String(), false)
	next.hint = dateHint + "; empty: none planned"
	next.check = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		_, err := parseDay(v, today)
		return err
	}
	f := newForm(m.th, "Log a 1:1 with "+name, day, notes, next)
	f.token = m.nextToken()
	f.intro = []string{"Moves their last 1:1 and plans the next; the notes show on their page at the next 1:1."}
	f.submit = func(f *form) tea.Cmd {
		d, _ := parseDay(f.field("Date").value(), today)
		var n metrics.Date
		if v := strings.TrimSpace(f.field("Next 1:1").value()); v != "" {
			n, _ = parseDay(v, today)
		}
		text := f.field("Notes").value()
		return m.actionCmd(f.token, "Log the 1:1", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			_, err := tx.LogOneOnOne(id, d, n, text, by, now)
			return "Logged the 1:1 with " + name + " on " + d.String(), 0, err
		})
	}
	return f
}
