package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"

	"steward/store"
	"steward/store/portfolio"
)

var escCols = []column{
	{title: "SLA", min: 10, pref: 12, prio: 0},
	{title: "Severity", min: 11, pref: 11, prio: 1},
	{title: "Status", min: 8, pref: 14, prio: 3},
	{title: "Title", min: 12, pref: 36, flex: true, prio: 2},
	{title: "Account", min: 10, pref: 22, prio: 1},
	{title: "Owner", min: 8, pref: 16, prio: 4},
	{title: "Age", min: 4, pref: 5, right: true, prio: 5},
}

// statusFilters is the order `f` cycles; "" is every unresolved one, the
// triage default, and "all" includes resolved history.
var statusFilters = append([]string{"", "all"}, store.Statuses...)

var severityFilters = append([]string{""}, store.Severities...)

// needs are the queue's "what needs me" filters; each one on narrows the
// queue further.
type needs struct {
	mine     bool // owned by me
	decision bool // open, not triaged, and I am a manager who decides
	director bool // with the director
	due      bool // SLA due within the next 24 hours, not yet breached
}

// dueSoon is how near an SLA counts as "due within 24 h".
const dueSoon = 24 * time.Hour

// dueWithin24h reports an unresolved escalation whose SLA falls due in the
// next 24 hours (a breached one is past it: the review lists those).
func dueWithin24h(e *store.Escalation, now time.Time) bool {
	return e.Open() && !e.SLADue.IsZero() && e.SLADue.After(now) && e.SLADue.Sub(now) <= dueSoon
}

// escView is the triage queue, already in SPEC order in the portfolio.
type escView struct {
	th       *theme
	p        *portfolio.Portfolio
	rows     []int
	fold     []string
	query    string
	status   string
	severity string
	// need is the "what needs me" filters that are on; me is the acting
	// member and manager whether they decide triage.
	need    needs
	me      uint64
	manager bool
	w, h    int
	tbl     table
	cell    []cell
}

func newEscView(th *theme) *escView {
	v := &escView{th: th, tbl: newTable(th, escCols), cell: make([]cell, len(escCols))}
	v.tbl.fetch = v.fetch
	return v
}

func (v *escView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.tbl.setSize(w, h-2)
}

func (v *escView) selectedID() uint64 {
	if v.p == nil || len(v.rows) == 0 {
		return 0
	}
	return v.p.Escalations[v.rows[v.tbl.cursor]].ID
}

func (v *escView) selectID(id uint64) { v.selectRecord(recEscalation, id) }

func (v *escView) selectRecord(kind recordKind, id uint64) bool {
	if kind == recEscalation && v.p != nil {
		for i, r := range v.rows {
			if v.p.Escalations[r].ID == id {
				v.tbl.setCursor(i)
				return true
			}
		}
	}
	v.tbl.clamp()
	return false
}

func (v *escView) SetPortfolio(p *portfolio.Portfolio) {
	keep := v.selectedID()
	v.p = p
	v.refresh(keep)
}

// refresh rebuilds the rows from the portfolio (reloaded, or re-sorted by
// the minute tick) and selects keep again.
func (v *escView) refresh(keep uint64) {
	v.fold = v.fold[:0] // made again by the next filter (folds)
	v.apply()
	v.tbl.invalidate()
	v.selectID(keep)
}

// folds makes the filter's text of every escalation, once per portfolio
// (or re-sort), when a filter first needs it (teamView.folds says why).
func (v *escView) folds() {
	if len(v.fold) == len(v.p.Escalations) {
		return
	}
	v.fold = v.fold[:0]
	for i := range v.p.Escalations {
		e := &v.p.Escalations[i]
		v.fold = append(v.fold, portfolio.FoldText(e.Title+" "+e.AccountName+" "+e.OwnerName))
	}
}

func (v *escView) apply() {
	v.rows = v.rows[:0]
	for i := range v.p.Escalations {
		e := &v.p.Escalations[i]
		switch v.status {
		case "":
			if !e.Open() {
				continue
			}
		case "all":
		default:
			if e.Status != v.status {
				continue
			}
		}
		if v.severity != "" && e.Severity != v.severity {
			continue
		}
		switch {
		case v.need.mine && e.OwnerID != v.me,
			v.need.decision && !(v.manager && e.Decision == "" && e.Status == store.StatusOpen),
			v.need.director && e.Status != store.StatusWithDirector,
			v.need.due && !dueWithin24h(&e.Escalation, v.p.Now):
			continue
		}
		v.rows = append(v.rows, i)
	}
	if q := compileQuery(v.query); !q.empty() {
		v.folds()
		shown := v.rows
		order := filterOrder(&q, len(shown), func(k int) string { return v.fold[shown[k]] })
		rows := make([]int, len(order))
		for k, o := range order {
			rows[k] = shown[o]
		}
		v.rows = rows
	}
	v.tbl.setRows(len(v.rows))
}

func (v *escView) SetQuery(q string) {
	v.query = q
	if v.p != nil {
		v.apply()
		v.tbl.setCursor(0)
	}
}

func (v *escView) Query() string { return v.query }

func (v *escView) Matches() int { return len(v.rows) }

func (v *escView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if v.p == nil {
		return nil
	}
	switch {
	case v.tbl.move(k, msg):
	case key.Matches(msg, k.Open):
		if id := v.selectedID(); id != 0 {
			return openEscalation{id}
		}
	case key.Matches(msg, k.Status):
		keep := v.selectedID()
		v.status = statusFilters[(slices.Index(statusFilters, v.status)+1)%len(statusFilters)]
		v.apply()
		v.selectID(keep)
	case key.Matches(msg, k.Severity):
		keep := v.selectedID()
		v.severity = severityFilters[(slices.Index(severityFilters, v.severity)+1)%len(severityFilters)]
		v.apply()
		v.selectID(keep)
	case key.Matches(msg, k.NeedMine, k.NeedDecision, k.NeedDirector, k.NeedDue):
		keep := v.selectedID()
		switch {
		case key.Matches(msg, k.NeedMine):
			v.need.mine = !v.need.mine
		case key.Matches(msg, k.NeedDecision):
			v.need.decision = !v.need.decision
		case key.Matches(msg, k.NeedDirector):
			v.need.director = !v.need.director
		default:
			v.need.due = !v.need.due
		}
		v.apply()
		v.keepOrTop(keep)
	case key.Matches(msg, k.EscCreate):
		return doAction{act: actCreateEsc}
	default:
		if act, ok := escActionKey(k, msg); ok {
			if id := v.selectedID(); id != 0 {
				return doAction{act: act, id: id}
			}
		}
	}
	return nil
}

// escActionKey maps the keys that act on one escalation.
func escActionKey(k *KeyMap, msg keyMsg) (action, bool) {
	switch {
	case key.Matches(msg, k.EscAssign):
		return actAssign, true
	case key.Matches(msg, k.EscSeverity):
		return actSeverity, true
	case key.Matches(msg, k.EscStatus):
		return actStatus, true
	case key.Matches(msg, k.EscDecide):
		return actDecide, true
	case key.Matches(msg, k.EscNote):
		return actNote, true
	case key.Matches(msg, k.EscResolve):
		return actResolve, true
	case key.Matches(msg, k.EscReopen):
		return actReopen, true
	}
	return 0, false
}

func (v *escView) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Open, k.NeedMine, k.NeedDecision, k.NeedDue, k.EscCreate, k.EscAssign, k.EscDecide, k.EscNote, k.EscResolve, k.Status, k.Filter, k.Help, k.Quit}
}

func severityCell(th *theme, sev string) cell {
	switch sev {
	case store.SevCritical:
		return styledCell("!! "+sev, th.Error)
	case store.SevHigh:
		return styledCell("! "+sev, th.Warn)
	}
	return plain(sev)
}

func slaCell(th *theme, e *portfolio.Escalation, now time.Time) cell {
	t := slaText(e.Open(), e.SLADue, now)
	if e.Breached {
		return styledCell("⚠ "+t, th.Error)
	}
	return plain(t)
}

func (v *escView) fetch(i int) (uint64, []cell) {
	e := &v.p.Escalations[v.rows[i]]
	c := v.cell
	c[0] = slaCell(v.th, e, v.p.Now)
	c[1] = severityCell(v.th, e.Severity)
	c[2] = plain(humanize(e.Status))
	c[3] = plain(e.Title)
	c[4] = plain(e.AccountName)
	c[5] = plain(orDash(e.OwnerName, "unassigned"))
	c[6] = plain(dur(v.p.Now.Sub(e.CreatedAt)))
	return e.ID, c
}

func (v *escView) View() string {
	if v.p == nil {
		return "Loading…"
	}
	st := "unresolved"
	if v.status != "" {
		st = humanize(v.status)
	}
	t := "Escalations · " + itoa(len(v.rows)) + " of " + itoa(len(v.p.Escalations)) + " · status " + st
	if v.severity != "" {
		t += " · severity " + v.severity
	}
	if on := v.need.names(); on != "" {
		t += " · needs me: " + on
	}
	if v.query != "" {
		t += " · /" + v.query
	}
	empty := "No escalation in this filter."
	if v.need.decision && !v.manager {
		empty = "Only a manager decides triage: nothing awaits your decision."
	}
	if len(v.p.Escalations) == 0 {
		empty = "No escalations: nothing to triage."
	}
	return v.th.Title.Render(fit(t, v.w, false)) + "\n" + v.tbl.view(empty)
}

// escPage is one escalation with its timeline; enter opens its account.
type escPage struct {
	th     *theme
	id     uint64
	seq    int
	p      *portfolio.Portfolio
	e      *store.Escalation
	events []store.Event
	err    error
	doc    document
	// others is who else on the team server has this escalation open, so
	// two leads do not triage one case at once.
	others []string
}

func newEscPage(th *theme, id uint64, seq int, p *portfolio.Portfolio) *escPage {
	pg := &escPage{th: th, id: id, seq: seq, p: p, doc: document{th: th}}
	pg.rebuild()
	return pg
}

func (pg *escPage) SetSize(w, h int) {
	pg.doc.setSize(w, h)
	pg.rebuild()
}

func (pg *escPage) record() (recordKind, uint64) { return recEscalation, pg.id }

func (pg *escPage) SetPortfolio(p *portfolio.Portfolio) {
	pg.p = p
	pg.rebuild()
}

func (pg *escPage) HandleKey(k *KeyMap, msg keyMsg) intent {
	if key.Matches(msg, k.Open) {
		if e := pg.current(); e != nil {
			return openAccount{e.AccountID}
		}
	}
	if key.Matches(msg, k.EscCreate) {
		var acct uint64
		if e := pg.current(); e != nil {
			acct = e.AccountID
		}
		return doAction{act: actCreateEsc, id: acct}
	}
	if act, ok := escActionKey(k, msg); ok {
		return doAction{act: act, id: pg.id}
	}
	if key.Matches(msg, k.ReadAll) {
		if e := pg.current(); e != nil {
			return openPager{title: "Escalation #" + itoa(int(e.ID)) + " · in full (esc goes back)", text: pg.fullText(e)}
		}
	}
	pg.doc.move(k, msg)
	return nil
}

// fullText is the escalation's description and every timeline event, uncut.
func (pg *escPage) fullText(e *store.Escalation) string {
	var b strings.Builder
	b.WriteString(e.Title + "\n\n")
	if e.Description != "" {
		b.WriteString(e.Description + "\n\n")
	}
	b.WriteString("Timeline:\n")
	for _, ev := range pg.events {
		b.WriteString(fmtInstant(ev.At) + " " + ev.Kind + " by " + orDash(ev.Author, "—") + ":\n")
		b.WriteString("  " + ev.Text + "\n")
	}
	return b.String()
}

func (pg *escPage) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Back, withHelp(k.Open, "account health"), k.ReadAll, k.EscAssign, k.EscStatus, k.EscDecide, k.EscNote, k.EscResolve, k.EscReopen, k.Help}
}

func (pg *escPage) View() string { return pg.doc.view() }

// current prefers the freshly loaded record, falling back to the
// portfolio's copy while the timeline loads.
func (pg *escPage) current() *store.Escalation {
	if pg.e != nil {
		return pg.e
	}
	if pg.p == nil {
		return nil
	}
	for i := range pg.p.Escalations {
		if pg.p.Escalations[i].ID == pg.id {
			return &pg.p.Escalations[i].Escalation
		}
	}
	return nil
}

func (pg *escPage) rebuild() {
	d := &pg.doc
	d.reset()
	e := pg.current()
	if e == nil {
		d.title("Escalation")
		if pg.err != nil {
			d.line(pg.th.Error.Render("error: ") + pg.err.Error())
		} else {
			d.line("Loading…")
		}
		return
	}
	now := time.Now()
	acct, owner, raised := "", "", ""
	breached := false
	if pg.p != nil {
		now = pg.p.Now
		if a := pg.p.Account(e.AccountID); a != nil {
			acct = a.Name
		}
		owner, raised = pg.p.MemberName(e.OwnerID), pg.p.MemberName(e.RaisedBy)
		breached = e.Breached(now)
	}
	d.title("Escalation #" + itoa(int(e.ID)) + ": " + sanitize(e.Title))
	if len(pg.others) > 0 {
		d.line(pg.th.Warn.Render("◆ also open by " + sanitize(strings.Join(pg.others, ", ")) + ": agree who triages it"))
	}
	sla := slaText(e.Open(), e.SLADue, now)
	if breached {
		sla = pg.th.Error.Render("⚠ SLA breached, " + sla)
	}
	d.kv("Account", sanitize(orDash(acct, "—"))+"  (enter opens its health)")
	d.kv("Severity", severityCell(pg.th, e.Severity).render())
	d.kv("Status", humanize(e.Status))
	d.kv("SLA", sla+"  due "+fmtInstant(e.SLADue))
	d.kv("Owner", sanitize(orDash(owner, "unassigned")))
	d.kv("Raised by", sanitize(orDash(raised, "—")))
	d.kv("Decision", decisionText(e.Decision))
	d.kv("Created", fmtInstant(e.CreatedAt)+" ("+dur(now.Sub(e.CreatedAt))+" ago)")
	if !e.ResolvedAt.IsZero() {
		d.kv("Resolved", fmtInstant(e.ResolvedAt))
	}
	if e.Description != "" {
		d.blank()
		d.wrap(e.Description)
	}
	d.blank()
	d.section("Timeline (" + itoa(len(pg.events)) + ")")
	switch {
	case pg.err != nil:
		d.line(pg.th.Error.Render("error: ") + pg.err.Error())
	case pg.e == nil:
		d.line(pg.th.Muted.Render("Loading the timeline…"))
	case len(pg.events) == 0:
		d.line(pg.th.Muted.Render("No events recorded."))
	}
	for _, ev := range pg.events {
		d.line(fmtInstant(ev.At) + "  " + fit(ev.Kind, 9, false) + " " + sanitize(orDash(ev.Author, "—")+": "+ev.Text))
	}
}

// decisionText says a triage decision in words; the code never reaches
// the screen.
func decisionText(d string) string {
	if d == "" {
		return "not decided yet"
	}
	if t, ok := store.DecisionText[d]; ok {
		return t
	}
	return humanize(d)
}

func (c cell) render() string {
	if c.styled {
		return c.style.Render(c.text)
	}
	return c.text
}

func fmtInstant(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func withHelp(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

// names says which "what needs me" filters are on, for the title.
func (n needs) names() string {
	var on []string
	for _, f := range []struct {
		on   bool
		name string
	}{{n.mine, "mine"}, {n.decision, "awaiting my decision"}, {n.director, "with the director"}, {n.due, "due within 24 h"}} {
		if f.on {
			on = append(on, f.name)
		}
	}
	return strings.Join(on, " + ")
}

// setMe tells the queue who is acting, for "mine" and "awaiting my
// decision".
func (v *escView) setMe(id uint64, manager bool) {
	if v.me == id && v.manager == manager {
		return
	}
	v.me, v.manager = id, manager
	if v.p != nil && v.need != (needs{}) {
		keep := v.selectedID()
		v.apply()
		v.selectID(keep)
	}
}

// keepOrTop keeps the cursor on keep when it is still listed, else the top.
func (v *escView) keepOrTop(keep uint64) {
	if !v.selectRecord(recEscalation, keep) {
		v.tbl.setCursor(0)
	}
}
