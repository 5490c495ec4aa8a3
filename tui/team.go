package tui

import (
	"github.com/charmbracelet/bubbles/key"

	"steward/metrics"
	"steward/store/portfolio"
)

var teamCols = []column{
	{title: "Member", min: 10, pref: 18, flex: true, prio: 0},
	{title: "Role", min: 8, pref: 15, prio: 6},
	{title: "Accts", min: 5, pref: 5, right: true, prio: 2},
	{title: "ARR", min: 7, pref: 8, right: true, prio: 1},
	{title: "At risk", min: 7, pref: 8, right: true, prio: 2},
	{title: "■red ◆yel ●grn", min: 14, pref: 16, prio: 3},
	{title: "NRR", min: 4, pref: 5, right: true, prio: 5},
	{title: "Esc", min: 3, pref: 4, right: true, prio: 4},
	{title: "Due90", min: 5, pref: 5, right: true, prio: 7},
	{title: "Load", min: 9, pref: 12, prio: 3},
	{title: "Weighted", min: 8, pref: 11, right: true, prio: 7},        // fits "⚠ 126% over"
	{title: "1:1", min: 7, pref: 22, right: true, prio: 8},             // fits "⚠ 16d ago · next 12-05"
	{title: "Late", min: 4, pref: 6, right: true, prio: 9, last: true}, // open tasks past their due date
}

// teamView is the roster with one row per active member and the
// Unassigned pool.
type teamView struct {
	th    *theme
	p     *portfolio.Portfolio
	rows  []int // indexes into p.Team after the query
	fold  []string
	query string
	w, h  int
	tbl   table
	cell  []cell
}

func newTeamView(th *theme) *teamView {
	v := &teamView{th: th, tbl: newTable(th, teamCols), cell: make([]cell, len(teamCols))}
	v.tbl.fetch = v.fetch
	return v
}

func (v *teamView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.tbl.setSize(w, h-2)
}

func (v *teamView) selectedKey() (uint64, bool) {
	if v.p == nil || len(v.rows) == 0 {
		return 0, false
	}
	r := &v.p.Team[v.rows[v.tbl.cursor]]
	return r.Member.ID, r.Unassigned
}

func (v *teamView) SetPortfolio(p *portfolio.Portfolio) {
	id, un := v.selectedKey()
	had := v.p != nil && len(v.rows) > 0
	v.p = p
	v.fold = v.fold[:0] // made again by the next filter (folds)
	v.apply()
	v.tbl.invalidate()
	if had {
		for i, ri := range v.rows {
			r := &p.Team[ri]
			if r.Member.ID == id && r.Unassigned == un {
				v.tbl.setCursor(i)
			}
		}
	}
}

// folds makes the filter's text of every row, once per portfolio, when a
// filter first needs it: a change then costs a view nothing until someone
// filters it (a team server applies each change to every session).
func (v *teamView) folds() {
	if len(v.fold) == len(v.p.Team) {
		return
	}
	v.fold = v.fold[:0]
	for _, r := range v.p.Team {
		v.fold = append(v.fold, portfolio.FoldText(r.Member.Name+" "+humanize(string(r.Member.Role))+" "+r.Member.Email))
	}
}

func (v *teamView) apply() {
	v.rows = v.rows[:0]
	if q := compileQuery(v.query); q.empty() {
		for i := range v.p.Team {
			v.rows = append(v.rows, i)
		}
	} else {
		v.folds()
		v.rows = filterOrder(&q, len(v.p.Team), func(i int) string { return v.fold[i] })
	}
	v.tbl.setRows(len(v.rows))
}

func (v *teamView) SetQuery(q string) {
	v.query = q
	if v.p != nil {
		v.apply()
		v.tbl.setCursor(0)
	}
}

func (v *teamView) Query() string { return v.query }

func (v *teamView) Matches() int { return len(v.rows) }

func (v *teamView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if v.p == nil {
		return nil
	}
	switch {
	case v.tbl.move(k, msg):
	case key.Matches(msg, k.Open), key.Matches(msg, k.MemberBook):
		if len(v.rows) > 0 {
			r := &v.p.Team[v.rows[v.tbl.cursor]]
			in := openMember{id: r.Member.ID, name: r.Member.Name, unassigned: r.Unassigned}
			if key.Matches(msg, k.MemberBook) {
				return in // straight to the book
			}
			return openMemberPage{in}
		}
	case key.Matches(msg, k.MemberAdd):
		return doAction{act: actAddMember}
	case key.Matches(msg, k.MemberEdit), key.Matches(msg, k.MemberDeactivate):
		act := actEditMember
		if key.Matches(msg, k.MemberDeactivate) {
			act = actDeactivate
		}
		if id, un := v.selectedKey(); !un && len(v.rows) > 0 {
			return doAction{act: act, id: id}
		}
	}
	return nil
}

func (v *teamView) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Open, k.MemberBook, k.MemberEdit, k.MemberAdd, k.MemberDeactivate, k.Filter, k.Down, k.Up, k.Help, k.Quit}
}

func (v *teamView) fetch(i int) (uint64, []cell) {
	r := &v.p.Team[v.rows[i]]
	c := v.cell
	c[0] = plain(r.Member.Name)
	role := humanize(string(r.Member.Role))
	if r.Unassigned {
		role = "pool"
	}
	c[1] = plain(role)
	c[2] = plain(itoa(r.Accounts))
	c[3] = plain(money(r.ARRCents, v.p.Settings.Currency))
	c[4] = plain(money(r.AtRiskARRCents, v.p.Settings.Currency))
	if r.AtRiskARRCents > 0 {
		c[4] = styledCell(c[4].text, v.th.band(metrics.Red))
	}
	c[5] = plain(bandGlyph(metrics.Red) + itoa(r.Bands[metrics.Red]) + " " + bandGlyph(metrics.Yellow) + itoa(r.Bands[metrics.Yellow]) + " " + bandGlyph(metrics.Green) + itoa(r.Bands[metrics.Green]))
	if r.Bands[metrics.Red] > 0 {
		c[5] = styledCell(c[5].text, v.th.band(metrics.Red))
	}
	c[6] = plain(pct(r.Retention.NRR))
	c[7] = plain(itoa(r.OpenEsc))
	c[8] = plain(itoa(r.Due90))
	switch {
	case r.Unassigned:
		c[9] = plain("—")
	case r.OverCapacity:
		c[9] = styledCell("⚠ "+itoa(r.Accounts)+"/"+itoa(r.Member.Capacity)+" over", v.th.Error)
	default:
		c[9] = plain(itoa(r.Accounts) + "/" + itoa(r.Member.Capacity))
	}
	// The book weighed by segment against capacity (settings load.*):
	// over 100% is flagged with a glyph and the word.
	switch {
	case r.Unassigned || !r.LoadShare.OK:
		c[10] = plain("—")
	case r.LoadShare.V > 1:
		c[10] = styledCell("⚠ "+pct(r.LoadShare)+" over", v.th.Error)
	default:
		c[10] = plain(pct(r.LoadShare))
	}
	// Days since the last 1:1 and the next one planned; past the cadence
	// (settings cadence.one_on_one) it is flagged with a glyph.
	one := "never"
	if r.DaysSinceOneOne >= 0 {
		one = itoa(r.DaysSinceOneOne) + "d ago"
	}
	if n := r.Member.NextOneOnOne; !n.IsZero() {
		one += " → " + n.String()[5:]
	}
	switch {
	case r.Unassigned:
		c[11] = plain("")
	case r.OneOnOneDue:
		c[11] = styledCell("⚠ "+one, v.th.Warn)
	default:
		c[11] = plain(one)
	}
	c[12] = plain("0")
	if r.OverdueTasks > 0 {
		c[12] = styledCell("⚠ "+itoa(r.OverdueTasks), v.th.Error)
	}
	// Unassigned has member ID 0 like nobody else; keep its cache key apart.
	id := r.Member.ID
	if r.Unassigned {
		id = ^uint64(0)
	}
	return id, c
}

func (v *teamView) View() string {
	if v.p == nil {
		return "Loading…"
	}
	t := "Team · " + itoa(len(v.rows)) + " of " + itoa(len(v.p.Team)) + " rows"
	if v.query != "" {
		t += " · /" + v.query
	}
	empty := "No team members yet: import a roster with `steward import`."
	if v.query != "" {
		empty = "No member matches the filter (esc clears it)."
	}
	return v.th.Title.Render(fit(t, v.w, false)) + "\n" + v.tbl.view(empty)
}
