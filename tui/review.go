package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"steward/metrics"
	"steward/store/portfolio"
)

// Review sections, smallest first, so the long "untouched" list does not
// push the short urgent ones off screen.
const (
	secWorsened = iota
	secImproved
	secMoves
	secBreached
	secDueSoon
	secTasks
	secNewEsc
	secRenewal
	secStale
	secUntouched
	numSections
)

var reviewCols = [numSections][]column{
	secWorsened: changeCols,
	secImproved: changeCols,
	secMoves: {
		{title: "Account", min: 12, pref: 30, flex: true, prio: 0},
		{title: "Owner", min: 8, pref: 16, prio: 4},
		{title: "Move", min: 11, pref: 11, prio: 1},
		{title: "Date", min: 10, pref: 10, prio: 3},
		{title: "ARR then → now", min: 15, pref: 19, right: true, prio: 2},
		{title: "Change", min: 8, pref: 9, right: true, prio: 1},
	},
	secBreached: escReviewCols,
	secDueSoon:  escReviewCols,
	secTasks: {
		{title: "Due", min: 10, pref: 18, prio: 0}, // fits "⚠ 12d late (11-28)"
		{title: "Task", min: 12, pref: 36, flex: true, prio: 1},
		{title: "Account", min: 10, pref: 22, prio: 1},
		{title: "Owner", min: 8, pref: 16, prio: 2},
		{title: "ARR", min: 7, pref: 8, right: true, prio: 3},
	},
	secNewEsc: escReviewCols,
	secRenewal: {
		{title: "Account", min: 12, pref: 30, flex: true, prio: 0},
		{title: "Owner", min: 8, pref: 16, prio: 3},
		{title: "Renewal", min: 10, pref: 10, prio: 1},
		{title: "Due", min: 6, pref: 8, right: true, prio: 1},
		{title: "ARR", min: 7, pref: 8, right: true, prio: 2},
		{title: "Health", min: 12, pref: 13, prio: 2},
	},
	secStale: {
		{title: "Account", min: 12, pref: 30, flex: true, prio: 0},
		{title: "Owner", min: 8, pref: 16, prio: 3},
		{title: "Health", min: 12, pref: 13, prio: 1},
		{title: "ARR", min: 7, pref: 8, right: true, prio: 2},
		{title: "Inputs", min: 8, pref: 9, right: true, prio: 1},
	},
	secUntouched: {
		{title: "Account", min: 12, pref: 30, flex: true, prio: 0},
		{title: "Owner", min: 8, pref: 16, prio: 3},
		{title: "Last touch", min: 10, pref: 10, prio: 4},
		{title: "Age", min: 7, pref: 9, right: true, prio: 1},
		{title: "Cadence", min: 7, pref: 8, right: true, prio: 2},
		{title: "Health", min: 12, pref: 13, prio: 2},
	},
}

// changeCols are the worsened and improved sections' columns. Data says
// "stale" when the band stands on health inputs older than the
// freshness.stale_days setting: a red band from old numbers is no news
// (README, data freshness). It outranks the owner, so it stays on a
// narrow terminal.
var changeCols = []column{
	{title: "Account", min: 12, pref: 30, flex: true, prio: 0},
	{title: "Owner", min: 8, pref: 16, prio: 3},
	{title: "Band", min: 20, pref: 20, prio: 1}, // fits "? unknown → ◆ yellow"
	{title: "Data", min: 5, pref: 5, prio: 1},
	{title: "Score", min: 7, pref: 9, prio: 2},
	{title: "Trend", min: 5, pref: 6, prio: 2},
	{title: "ARR", min: 7, pref: 8, right: true, prio: 4},
}

var escReviewCols = []column{
	{title: "SLA", min: 10, pref: 12, prio: 0},
	{title: "Severity", min: 11, pref: 11, prio: 1},
	{title: "Title", min: 12, pref: 36, flex: true, prio: 2},
	{title: "Account", min: 10, pref: 22, prio: 1},
	{title: "Owner", min: 8, pref: 16, prio: 4},
}

// reviewLine is one line of the review: a section heading, an empty-state
// note, or an item (an account or escalation index) the cursor can open.
type reviewLine struct {
	sec  int
	kind int // lineHeading, lineNote, lineItem
	idx  int
	text string
}

const (
	lineHeading = iota
	lineNote
	lineItem
	lineMore    // "… N more": enter shows the whole section
	lineColumns // the section's column headings
)

// reviewCap is how many items a section shows before "… N more": as many
// as keep every section heading on one screen on Monday morning; the rest
// of a long section is one enter away.
func (v *reviewView) reviewCap() int {
	return max(2, (v.h-1-2*numSections)/numSections-1) // a heading and a column line each
}

type reviewView struct {
	th *theme
	p  *portfolio.Portfolio
	// alt is the review against another baseline week (altWeek), moved
	// to with [ and ]; nil: the portfolio's own.
	alt      *portfolio.Review
	altWeek  metrics.Week
	lines    []reviewLine
	items    []int // line numbers of the items, in order
	cursor   int   // index into items
	offset   int   // first visible line
	query    string
	expanded [numSections]bool
	matched  int // items the query keeps, over every section
	w, h     int
	tbls     [numSections]table
	cache    map[rowKey]string
}

func newReviewView(th *theme) *reviewView {
	v := &reviewView{th: th, cache: map[rowKey]string{}}
	for s := range v.tbls {
		v.tbls[s] = newTable(th, reviewCols[s])
	}
	return v
}

func (v *reviewView) SetSize(w, h int) {
	v.w, v.h = w, h
	for s := range v.tbls {
		v.tbls[s].setSize(w, 1)
	}
	v.rebuild()
}

// key identifies an item across reloads: section plus record ID.
func (v *reviewView) itemKey(l reviewLine) uint64 {
	var id uint64
	if l.kind == lineMore {
		return uint64(l.sec)<<56 | 1<<55
	}
	switch {
	case escSection(l.sec):
		id = v.p.Escalations[l.idx].ID
	case l.sec == secMoves:
		id = v.p.Accounts[v.rev().Moves[l.idx].Account].ID
	case l.sec == secTasks:
		// A task row's index is into the tasks, not the accounts.
		id = v.p.Tasks[l.idx].ID
	default:
		id = v.p.Accounts[l.idx].ID
	}
	return uint64(l.sec)<<56 | id
}

func (v *reviewView) selectedKey() (uint64, bool) {
	if v.p == nil || len(v.items) == 0 {
		return 0, false
	}
	return v.itemKey(v.lines[v.items[v.cursor]]), true
}

func (v *reviewView) SetPortfolio(p *portfolio.Portfolio) {
	k, ok := v.selectedKey()
	v.p = p
	// A review against another week was of the accounts replaced: the
	// portfolio's own shows until it is made again (Model.onLoaded asks).
	v.alt = nil
	v.refresh(k, ok)
}

// rev is the review shown.
func (v *reviewView) rev() *portfolio.Review {
	if v.alt != nil {
		return v.alt
	}
	return &v.p.Review
}

// moveBaseline asks the root to read another baseline week: dir -1 one
// back, 1 one forward, 0 exactly week (after a reload).
type moveBaseline struct {
	dir  int
	week metrics.Week
}

// setBaseline shows the review against week (alt), or the portfolio's
// own (nil).
func (v *reviewView) setBaseline(week metrics.Week, alt *portfolio.Review) {
	k, ok := v.selectedKey()
	v.alt, v.altWeek = alt, week
	if alt == nil {
		v.altWeek = 0
	}
	v.refresh(k, ok)
}

// refresh rebuilds the sections and puts the cursor back on item k.
func (v *reviewView) refresh(k uint64, ok bool) {
	v.rebuild()
	if ok {
		for i, li := range v.items {
			if v.itemKey(v.lines[li]) == k {
				v.cursor = i
				break
			}
		}
		v.clamp()
	}
}

// selectRecord moves the cursor to the record unless it is already on
// it (a record can be in several sections: the one it was opened from
// wins).
func (v *reviewView) selectRecord(kind recordKind, id uint64) bool {
	if v.p == nil {
		return false
	}
	is := func(l reviewLine) bool {
		if l.kind != lineItem {
			return false
		}
		esc := escSection(l.sec)
		if esc != (kind == recEscalation) {
			return false
		}
		if esc {
			return v.p.Escalations[l.idx].ID == id
		}
		if l.sec == secMoves {
			return v.p.Accounts[v.rev().Moves[l.idx].Account].ID == id
		}
		if l.sec == secTasks {
			return v.p.Tasks[l.idx].AccountID == id
		}
		return v.p.Accounts[l.idx].ID == id
	}
	if len(v.items) > 0 && is(v.lines[v.items[v.cursor]]) {
		return true
	}
	for i, li := range v.items {
		if is(v.lines[li]) {
			v.cursor = i
			v.clamp()
			return true
		}
	}
	return false
}

func (v *reviewView) SetQuery(q string) {
	v.query = q
	v.cursor, v.offset = 0, 0
	v.rebuild()
}

func (v *reviewView) Query() string { return v.query }

// Matches counts the items the query keeps in every section, shown or
// behind "… N more".
func (v *reviewView) Matches() int { return v.matched }

func (v *reviewView) rebuild() {
	clear(v.cache)
	v.lines, v.items = v.lines[:0], v.items[:0]
	if v.p == nil {
		return
	}
	r := v.rev()
	q := compileQuery(v.query)
	v.matched = 0
	since := reviewBaseline(r)
	// A heading is its name and count, then what the section holds, so the
	// count survives a narrow terminal.
	add := func(sec int, heading, note, empty string, idx []int) {
		keep := idx
		if !q.empty() {
			order := filterOrder(&q, len(idx), func(k int) string { return v.foldOf(sec, idx[k]) })
			keep = make([]int, len(order))
			for k, o := range order {
				keep[k] = idx[o]
			}
		}
		v.matched += len(keep)
		count := itoa(len(keep))
		if !q.empty() {
			count += " of " + itoa(len(idx))
		}
		v.lines = append(v.lines, reviewLine{sec: sec, kind: lineHeading, text: heading + " (" + count + ") · " + note})
		if len(keep) > 0 {
			v.lines = append(v.lines, reviewLine{sec: sec, kind: lineColumns})
		}
		if len(keep) == 0 {
			if len(idx) > 0 {
				empty = "Nothing here matches the filter."
			}
			v.lines = append(v.lines, reviewLine{sec: sec, kind: lineNote, text: empty})
		}
		shown := keep
		if !v.expanded[sec] && len(keep) > v.reviewCap()+1 {
			shown = keep[:v.reviewCap()]
		}
		for _, i := range shown {
			v.items = append(v.items, len(v.lines))
			v.lines = append(v.lines, reviewLine{sec: sec, kind: lineItem, idx: i})
		}
		if len(shown) < len(keep) {
			v.items = append(v.items, len(v.lines))
			v.lines = append(v.lines, reviewLine{sec: sec, kind: lineMore, text: "… " + itoa(len(keep)-len(shown)) + " more (enter shows all)"})
		}
	}
	v.lines = append(v.lines, reviewLine{kind: lineNote, text: v.movement()})
	worse := "Worsened since " + since
	worseEmpty := "No account worsened since " + since + "."
	if r.ComparedWithWeek == 0 {
		worseEmpty = "No earlier snapshot to compare with yet: the comparison starts next week."
	}
	add(secWorsened, worse, "band down or score fell 10+ · largest ARR first", worseEmpty, r.Worsened)
	improvedEmpty := "No account improved since " + since + "."
	if r.ComparedWithWeek == 0 {
		improvedEmpty = worseEmpty
	}
	add(secImproved, "Improved since "+since, "band up or score rose 10+ · largest ARR first", improvedEmpty, r.Improved)
	moves := make([]int, len(r.Moves))
	for i := range moves {
		moves[i] = i
	}
	add(secMoves, "ARR moves since "+since, "new, expanded, contracted, churned, from the ledger · largest change first",
		"No ARR moved on the ledger since "+since+".", moves)
	add(secBreached, "SLA breached escalations", "largest ARR first", "No escalation is past its SLA.", r.BreachedEsc)
	add(secDueSoon, "SLA due within 24 h", "largest ARR first", "No escalation falls due in the next 24 hours.", r.DueSoon)
	add(secTasks, "Overdue tasks", "the longest waiting first, then the largest ARR", "No open task is past its due date.", r.OverdueTasks)
	add(secNewEsc, "New escalations (last 7 days)", "largest ARR first", "No escalation raised in the last 7 days.", r.NewEsc)
	add(secRenewal, "Renewals that entered the 90-day window", "largest ARR first", "No renewal entered the 90-day window this week.", r.EnteredRenewal)
	staleDays := itoa(v.p.Settings.Health.StaleDays)
	add(secStale, "Stale data", money(r.StaleARRCents, v.p.Settings.Currency)+" ARR · health inputs older than "+staleDays+" days: bands from old numbers, not news · largest ARR first",
		"Every account's health inputs were updated within "+staleDays+" days.", r.Stale)
	add(secUntouched, "Past their touch cadence", "largest ARR first", "Every account was touched within its cadence.", r.Untouched)
	v.clamp()
}

// baselineName is the one name of the week the review compares with,
// used in the title, the section headings and the health detail: "week
// 2026-W47", or the day a week ago when no earlier snapshot exists. The
// review's title adds the week's Monday once.
func baselineName(p *portfolio.Portfolio) string {
	if p == nil {
		return ""
	}
	return reviewBaseline(&p.Review)
}

// reviewBaseline is baselineName of a review (the portfolio's own, or one
// against another week: [ and ]).
func reviewBaseline(r *portfolio.Review) string {
	if r.ComparedWithWeek == 0 {
		return r.Since.String() + " (no earlier snapshot)"
	}
	return "week " + r.ComparedWithWeek.String()
}

func (v *reviewView) foldOf(sec, i int) string {
	if sec == secMoves {
		i = v.rev().Moves[i].Account
	}
	if escSection(sec) {
		e := &v.p.Escalations[i]
		return portfolio.FoldText(e.Title + " " + e.AccountName + " " + e.OwnerName)
	}
	if sec == secTasks {
		t := &v.p.Tasks[i]
		name := ""
		if a := v.p.TaskAccount(t); a != nil {
			name = a.Name
		}
		return portfolio.FoldText(t.Title + " " + name + " " + v.p.MemberName(t.OwnerID))
	}
	v.p.Folds() // made once per portfolio, when first needed
	return v.p.Accounts[i].Fold
}

func (v *reviewView) clamp() {
	v.cursor = max(0, min(v.cursor, len(v.items)-1))
	h := max(1, v.h-1)
	if len(v.items) > 0 {
		line := v.items[v.cursor]
		// Show the section heading with the first item of a section.
		top := line
		for top > 0 && v.lines[top-1].sec == v.lines[line].sec && (v.lines[top-1].kind == lineHeading || v.lines[top-1].kind == lineColumns) {
			top--
		}
		if v.cursor == 0 {
			top = 0
		}
		if top < v.offset {
			v.offset = top
		}
		if line >= v.offset+h {
			v.offset = line - h + 1
		}
	}
	v.offset = max(0, min(v.offset, len(v.lines)-h))
}

func (v *reviewView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if v.p == nil {
		return nil
	}
	if navigate(k, msg, &v.cursor, len(v.items), max(1, v.h-1), v.clamp) {
		return nil
	}
	switch {
	case key.Matches(msg, k.BaselineBack):
		return moveBaseline{dir: -1, week: v.rev().ComparedWithWeek}
	case key.Matches(msg, k.BaselineNext):
		return moveBaseline{dir: 1, week: v.rev().ComparedWithWeek}
	}
	if key.Matches(msg, k.Open) && len(v.items) > 0 {
		l := v.lines[v.items[v.cursor]]
		if l.kind == lineMore {
			v.expanded[l.sec] = true
			v.rebuild()
			return nil
		}
		switch {
		case escSection(l.sec):
			return openEscalation{v.p.Escalations[l.idx].ID}
		case l.sec == secMoves:
			return openAccount{v.p.Accounts[v.rev().Moves[l.idx].Account].ID}
		case l.sec == secTasks:
			return openAccount{v.p.Tasks[l.idx].AccountID}
		}
		return openAccount{v.p.Accounts[l.idx].ID}
	}
	return nil
}

func (v *reviewView) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Open, k.Down, k.Up, k.BaselineBack, k.BaselineNext, k.Filter, k.Team, k.Accounts, k.Escalations, k.Help, k.Quit}
}

func (v *reviewView) cells(l reviewLine) []cell {
	p := v.p
	switch l.sec {
	case secBreached, secDueSoon, secNewEsc:
		e := &p.Escalations[l.idx]
		return []cell{slaCell(v.th, e, p.Now), severityCell(v.th, e.Severity), plain(e.Title), plain(e.AccountName), plain(orDash(e.OwnerName, "unassigned"))}
	}
	if l.sec == secTasks {
		t := &p.Tasks[l.idx]
		name, arr := "(account gone)", ""
		if a := p.TaskAccount(t); a != nil {
			name, arr = a.Name, money(a.ARRCents, p.Settings.Currency)
		}
		due := styledCell(lateText(t.Due, p.AsOf), v.th.Error)
		return []cell{due, plain(t.Title), plain(name), plain(orDash(p.MemberName(t.OwnerID), "nobody")), plain(arr)}
	}
	if l.sec == secMoves {
		mv := v.rev().Moves[l.idx]
		a := &p.Accounts[mv.Account]
		cur := p.Settings.Currency
		change := plain(signedMoney(mv.Delta(), cur))
		if mv.Delta() < 0 {
			change = styledCell(change.text, v.th.band(metrics.Red))
		}
		return []cell{plain(a.Name), plain(orDash(a.OwnerName, "unassigned")), plain(string(mv.Kind)), plain(mv.Date.String()),
			plain(money(mv.FromCents, cur) + " → " + money(mv.ToCents, cur)), change}
	}
	a := &p.Accounts[l.idx]
	owner := plain(orDash(a.OwnerName, "unassigned"))
	health := styledCell(healthText(a.Health), v.th.band(a.Health.Band))
	switch l.sec {
	case secWorsened, secImproved:
		// Against another baseline week the row compares with that
		// week's score, not the account's own comparison.
		was, trend := a.Prev, a.Trend
		if s := v.rev().Against; s != nil {
			was = s[a.ID]
			trend = metrics.TrendOf(a.Health, was.Score, was.Score >= 0)
		}
		prev := "—"
		if was.Score >= 0 {
			prev = itoa(was.Score)
		}
		now := "—"
		if a.Health.HasScore {
			now = itoa(a.Health.Score)
		}
		band := bandLabel(was.Band) + " → " + bandLabel(a.Health.Band)
		data := plain("")
		if a.StaleInputs {
			data = styledCell("stale", v.th.Warn)
		}
		return []cell{plain(a.Name), owner, styledCell(band, v.th.band(a.Health.Band)), data, plain(prev + " → " + now), plain(trend.String()), plain(money(a.ARRCents, p.Settings.Currency))}
	case secRenewal:
		return []cell{plain(a.Name), owner, plain(a.RenewalDate.String()), plain(daysLeft(a.DaysToRenewal)), plain(money(a.ARRCents, p.Settings.Currency)), health}
	case secStale:
		age, _ := portfolio.InputsAge(&a.Account, p.AsOf)
		return []cell{plain(a.Name), owner, health, plain(money(a.ARRCents, p.Settings.Currency)), plain(itoa(age) + "d old")}
	default:
		cad := p.Settings.Health.Cadence.For(a.Segment)
		age := "never"
		if !a.LastTouch.IsZero() {
			age = itoa(p.AsOf.Sub(a.LastTouch)) + "d"
		}
		return []cell{plain(a.Name), owner, plain(orDash(a.LastTouch.String(), "never")), plain(age), plain(itoa(cad) + "d"), health}
	}
}

func (v *reviewView) View() string {
	if v.p == nil {
		return "Loading…"
	}
	title := "Monday review · as of " + v.p.AsOf.String() + " · baseline " + reviewBaseline(v.rev())
	if w := v.rev().ComparedWithWeek; w != 0 {
		title += " (from Mon " + w.Monday().String() + ")"
	}
	if v.query != "" {
		title += " · /" + v.query
	}
	var b strings.Builder
	b.WriteString(v.th.Title.Render(fit(title, v.w, false)))
	h := max(1, v.h-1)
	sel := -1
	if len(v.items) > 0 {
		sel = v.items[v.cursor]
	}
	for i := v.offset; i < v.offset+h; i++ {
		b.WriteByte('\n')
		if i >= len(v.lines) {
			continue
		}
		b.WriteString(v.renderLine(i, i == sel))
	}
	return b.String()
}

func (v *reviewView) renderLine(i int, sel bool) string {
	rk := rowKey{uint64(i), sel}
	if s, ok := v.cache[rk]; ok {
		return s
	}
	l := v.lines[i]
	var s string
	switch l.kind {
	case lineHeading:
		s = v.th.Section.Render(fit("▌"+l.text, v.w, false))
	case lineNote:
		s = v.th.Muted.Render(fit("  "+l.text, v.w, false))
	case lineColumns:
		s = v.tbls[l.sec].header
	case lineMore:
		mark := "  "
		if sel {
			mark = "▸ "
		}
		st := v.th.Muted
		if sel {
			st = v.th.Selected
		}
		s = st.Render(fit(mark+l.text, v.w, false))
	default:
		s = v.tbls[l.sec].compose(v.cells(l), sel)
	}
	if len(v.cache) > 512 {
		clear(v.cache)
	}
	v.cache[rk] = s
	return s
}

// escSection reports a review section that lists escalations.
func escSection(sec int) bool {
	return sec == secBreached || sec == secDueSoon || sec == secNewEsc
}

// movement is the review's first line: the portfolio's figures now, each
// with its signed change since the baseline day ("NRR 108% ▲1.2 pts").
func (v *reviewView) movement() string {
	p := v.p
	k, then, cur := &p.KPIs, &v.rev().Then, p.Settings.Currency
	parts := []string{
		"ARR " + money(k.ARRCents, cur) + " " + signedMoney(k.ARRCents-then.ARRCents, cur),
		"NRR " + pct(k.Retention.NRR) + " " + signedPoints(k.Retention.NRR, then.NRR),
		"GRR " + pct(k.Retention.GRR) + " " + signedPoints(k.Retention.GRR, then.GRR),
	}
	parts = append(parts, "at risk "+money(k.AtRiskARRCents, cur)+" "+signedMoney(k.AtRiskARRCents-then.AtRiskARRCents, cur),
		"open esc "+itoa(k.OpenEsc)+" "+signedCount(k.OpenEsc-then.OpenEsc))
	for _, b := range []metrics.Band{metrics.Red, metrics.Yellow, metrics.Green} {
		parts = append(parts, bandGlyph(b)+itoa(k.Bands[b])+" "+signedCount(k.Bands[b]-then.Bands[b]))
	}
	return "Since " + then.Day.AddDays(1).String() + ": " + strings.Join(parts, " · ")
}
