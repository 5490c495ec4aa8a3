package tui

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"

	"steward/metrics"
	"steward/store/portfolio"
)

// Sort columns of the accounts table, in the order `s` cycles them.
const (
	sortName = iota
	sortOwner
	sortSegment
	sortARR
	sortHealth
	sortTrend
	sortRenewal
	sortTouch
	sortNPS
	sortFlags
	numSorts
)

var accountCols = []column{
	{title: "Account", min: 12, pref: 26, max: 28, flex: true, prio: 0},
	{title: "Owner", min: 8, pref: 16, prio: 3},
	{title: "Segment", min: 10, pref: 10, prio: 7},
	{title: "ARR", min: 7, pref: 8, right: true, prio: 2},
	{title: "Health", min: 12, pref: 13, prio: 1}, // fits "■ 100 yellow", "? -- unknown"
	{title: "Trend", min: 5, pref: 6, prio: 4},
	{title: "Renewal", min: 8, pref: 9, right: true, prio: 6},
	{title: "Touch", min: 8, pref: 9, right: true, prio: 8},
	{title: "NPS", min: 3, pref: 3, right: true, prio: 9},
	{title: "Flags", min: 12, pref: 30, flex: true, prio: 5}, // fits "renewal-risk", "qbr-overdue"
}

// bandFilters is the order `b` cycles the quick band filter.
var bandFilters = []metrics.Band{"", metrics.Red, metrics.Yellow, metrics.Green, metrics.Unknown}

// accountsView is the sortable, filterable table of live accounts. Rows
// are indexes into Portfolio.Accounts through three stages: sorted (every
// live account in sort order), base (band and member filter) and rows (the
// typed query), so a keystroke only redoes the last stage, and a growing
// query narrows the previous result instead of rescanning everything.
type accountsView struct {
	p      *portfolio.Portfolio
	sorted []int32
	rank   []int32 // rank[account index] = position in sorted
	base   []int32
	rows   []int32
	exact  int // rows[:exact] contain every term; the rest match fuzzily

	// arena holds every account's Fold back to back in account order, so a
	// full filter pass streams through 4 MB instead of chasing 100,000
	// pointers in sort order (which costs more than the matching).
	arena []byte
	offs  []uint32
	hit   []uint8

	query, applied string
	sortCol        int
	desc           bool
	band           metrics.Band
	member         *openMember

	w, h int
	tbl  table
	cell []cell // scratch for fetch
}

func newAccountsView() *accountsView {
	v := &accountsView{tbl: newTable(accountCols), cell: make([]cell, len(accountCols))}
	v.tbl.fetch = v.fetch
	return v
}

func (v *accountsView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.tbl.setSize(w, h-2) // title and column header
}

// SetPortfolio installs a (re)loaded portfolio, keeping sort, filters and
// the cursor on the same account ID.
func (v *accountsView) SetPortfolio(p *portfolio.Portfolio) {
	keep := v.selectedID()
	v.p = p
	v.buildArena()
	v.resort()
	v.tbl.invalidate()
	v.selectID(keep)
}

func (v *accountsView) buildArena() {
	n := len(v.p.Accounts)
	size := 0
	for i := range v.p.Accounts {
		size += len(v.p.Accounts[i].Fold)
	}
	v.arena = slices.Grow(v.arena[:0], size)
	v.offs = slices.Grow(v.offs[:0], n+1)
	for i := range v.p.Accounts {
		v.offs = append(v.offs, uint32(len(v.arena)))
		v.arena = append(v.arena, v.p.Accounts[i].Fold...)
	}
	v.offs = append(v.offs, uint32(len(v.arena)))
	v.hit = slices.Grow(v.hit[:0], n)[:n]
}

func (v *accountsView) foldAt(i int32) []byte { return v.arena[v.offs[i]:v.offs[i+1]] }

func (v *accountsView) selectedID() uint64 {
	if v.p == nil || v.tbl.cursor >= len(v.rows) || len(v.rows) == 0 {
		return 0
	}
	return v.p.Accounts[v.rows[v.tbl.cursor]].ID
}

func (v *accountsView) selectID(id uint64) { v.selectRecord(recAccount, id) }

func (v *accountsView) selectRecord(kind recordKind, id uint64) bool {
	if kind == recAccount && id != 0 && v.p != nil {
		if ai := v.p.AccountIndex(id); ai >= 0 {
			for i, r := range v.rows {
				if int(r) == ai {
					v.tbl.setCursor(i)
					return true
				}
			}
		}
	}
	v.tbl.clamp()
	return false
}

func (v *accountsView) resort() {
	v.sorted = v.sorted[:0]
	if v.p == nil {
		v.rebase()
		return
	}
	for i := range v.p.Accounts {
		if v.p.Accounts[i].Live {
			v.sorted = append(v.sorted, int32(i))
		}
	}
	accts := v.p.Accounts
	cmp := accountCmp(v.sortCol)
	desc := v.desc
	// Sorting 100,000 indexes by comparing account fields chases a pointer
	// per comparison; sorting compact (key, index) pairs first and only
	// comparing fields on equal keys keeps the sort in cache.
	keyFn := sortKey(v.sortCol)
	pairs := make([]keyed, len(v.sorted))
	for k, i := range v.sorted {
		key := keyFn(&accts[i])
		if desc {
			key = ^key
		}
		pairs[k] = keyed{key, i}
	}
	slices.SortFunc(pairs, func(x, y keyed) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		c := cmp(&accts[x.i], &accts[y.i])
		if desc {
			c = -c
		}
		if c == 0 {
			return int(x.i - y.i)
		}
		return c
	})
	for k := range pairs {
		v.sorted[k] = pairs[k].i
	}
	if cap(v.rank) < len(accts) {
		v.rank = make([]int32, len(accts))
	}
	v.rank = v.rank[:len(accts)]
	for pos, i := range v.sorted {
		v.rank[i] = int32(pos)
	}
	v.rebase()
}

type keyed struct {
	key uint64
	i   int32
}

// sortKey maps an account to a number whose order agrees with accountCmp
// (equal keys fall back to it): the first 8 bytes of the folded name, or
// the column's integer value shifted to unsigned.
func sortKey(col int) func(a *portfolio.Account) uint64 {
	num := func(n int) uint64 { return uint64(int64(n)) ^ (1 << 63) }
	switch col {
	case sortARR:
		return func(a *portfolio.Account) uint64 { return uint64(a.ARRCents) ^ (1 << 63) }
	case sortHealth:
		return func(a *portfolio.Account) uint64 { return num(healthKey(a)) }
	case sortTrend:
		return func(a *portfolio.Account) uint64 { return num(trendKey(a)) }
	case sortRenewal:
		return func(a *portfolio.Account) uint64 { return num(renewKey(a)) }
	case sortTouch:
		return func(a *portfolio.Account) uint64 { return num(touchKey(a)) }
	case sortNPS:
		return func(a *portfolio.Account) uint64 { return num(optKey(a.NPS)) }
	case sortFlags:
		return func(a *portfolio.Account) uint64 { return num(-flagCount(a.Flags)) }
	case sortName:
		return func(a *portfolio.Account) uint64 {
			var k uint64
			n := foldName(a)
			for j := 0; j < 8; j++ {
				k <<= 8
				if j < len(n) {
					k |= uint64(n[j])
				}
			}
			return k
		}
	}
	return func(*portfolio.Account) uint64 { return 0 }
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// accountCmp orders by one column; rows without a value sort last ascending.
func accountCmp(col int) func(a, b *portfolio.Account) int {
	switch col {
	case sortOwner:
		return func(a, b *portfolio.Account) int {
			if c := strings.Compare(strings.ToLower(a.OwnerName), strings.ToLower(b.OwnerName)); c != 0 {
				return c
			}
			return strings.Compare(a.Fold, b.Fold)
		}
	case sortSegment:
		return func(a, b *portfolio.Account) int { return strings.Compare(string(a.Segment), string(b.Segment)) }
	case sortARR:
		return func(a, b *portfolio.Account) int { return cmpInt64(a.ARRCents, b.ARRCents) }
	case sortHealth:
		return func(a, b *portfolio.Account) int { return cmpInt(healthKey(a), healthKey(b)) }
	case sortTrend:
		return func(a, b *portfolio.Account) int { return cmpInt(trendKey(a), trendKey(b)) }
	case sortRenewal:
		return func(a, b *portfolio.Account) int { return cmpInt(renewKey(a), renewKey(b)) }
	case sortTouch:
		return func(a, b *portfolio.Account) int { return cmpInt(touchKey(a), touchKey(b)) }
	case sortNPS:
		return func(a, b *portfolio.Account) int { return cmpInt(optKey(a.NPS), optKey(b.NPS)) }
	case sortFlags:
		return func(a, b *portfolio.Account) int { return cmpInt(-flagCount(a.Flags), -flagCount(b.Flags)) }
	}
	// Fold starts with the lower-cased name: a case-insensitive name order
	// without lower-casing 100,000 names per sort.
	return func(a, b *portfolio.Account) int {
		if c := strings.Compare(foldName(a), foldName(b)); c != 0 {
			return c
		}
		return strings.Compare(a.Fold, b.Fold)
	}
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// foldName is the name part of Fold (exact whenever lower-casing keeps
// the byte length, which covers ASCII).
func foldName(a *portfolio.Account) string { return a.Fold[:min(len(a.Name), len(a.Fold))] }

const missing = 1 << 30

func healthKey(a *portfolio.Account) int {
	if !a.Health.HasScore {
		return missing
	}
	return a.Health.Score
}

func trendKey(a *portfolio.Account) int {
	if !a.Trend.OK {
		return missing
	}
	return a.Trend.Delta
}

func renewKey(a *portfolio.Account) int {
	if a.RenewalDate.IsZero() {
		return missing
	}
	return a.DaysToRenewal
}

// touchKey sorts the longest-untouched first ascending.
func touchKey(a *portfolio.Account) int {
	if a.LastTouch.IsZero() {
		return -missing
	}
	return int(a.LastTouch)
}

func optKey(o metrics.Opt) int {
	if !o.Set {
		return missing
	}
	return int(o.V)
}

func flagCount(f metrics.Flags) int {
	n := 0
	for ; f != 0; f &= f - 1 {
		n++
	}
	return n
}

// rebase applies the band and member filters, then the query from scratch.
func (v *accountsView) rebase() {
	v.base = v.base[:0]
	for _, i := range v.sorted {
		a := &v.p.Accounts[i]
		if v.band != "" && a.Health.Band != v.band {
			continue
		}
		if v.member != nil && !v.inBook(a) {
			continue
		}
		v.base = append(v.base, i)
	}
	v.applied = ""
	v.filter()
}

// inBook mirrors the team view's Unassigned row: accounts of an unknown or
// inactive owner belong to nobody.
func (v *accountsView) inBook(a *portfolio.Account) bool {
	if v.member.unassigned {
		m := v.p.Member(a.OwnerID)
		return a.OwnerID == 0 || m == nil || !m.Active
	}
	return a.OwnerID == v.member.id
}

// filter brings rows in line with the query, narrowing from the previous
// result when the query only grew.
func (v *accountsView) filter() {
	q := strings.ToLower(strings.TrimSpace(v.query))
	terms := termsOf(q)
	if len(terms) == 0 {
		v.rows = append(v.rows[:0], v.base...)
		v.exact = len(v.rows)
		v.applied = q
		v.tbl.setRows(len(v.rows))
		return
	}
	if v.applied != "" && strings.HasPrefix(q, v.applied) && len(v.rows) > 0 {
		// Every hit of the longer query was a hit of the shorter one: an
		// exact hit stays exact or turns fuzzy, a fuzzy one stays fuzzy.
		var ex, fzA, fzB []int32
		for k, i := range v.rows {
			switch matchBytes(v.foldAt(i), terms) {
			case 2:
				ex = append(ex, i)
			case 1:
				if k < v.exact {
					fzA = append(fzA, i)
				} else {
					fzB = append(fzB, i)
				}
			}
		}
		v.rows = append(v.rows[:0], ex...)
		v.exact = len(ex)
		v.rows = mergeByRank(v.rows, fzA, fzB, v.rank)
	} else {
		// Match in memory order, then collect in sort order.
		for i := range v.hit {
			v.hit[i] = matchBytes(v.foldAt(int32(i)), terms)
		}
		var fz []int32
		rows := v.rows[:0]
		for _, i := range v.base {
			switch v.hit[i] {
			case 2:
				rows = append(rows, i)
			case 1:
				fz = append(fz, i)
			}
		}
		v.exact = len(rows)
		v.rows = append(rows, fz...)
	}
	v.applied = q
	v.tbl.setRows(len(v.rows))
}

func termsOf(q string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(q) {
		out = append(out, []byte(f))
	}
	return out
}

// matchBytes is matchFold over the arena.
func matchBytes(fold []byte, terms [][]byte) uint8 {
	score := uint8(2)
	for _, t := range terms {
		if bytes.Contains(fold, t) {
			continue
		}
		// A one-letter term that is not contained is not a subsequence.
		if len(t) == 1 || !subsequence(fold, t) {
			return 0
		}
		score = 1
	}
	return score
}

func mergeByRank(dst, a, b []int32, rank []int32) []int32 {
	for len(a) > 0 && len(b) > 0 {
		if rank[a[0]] <= rank[b[0]] {
			dst, a = append(dst, a[0]), a[1:]
		} else {
			dst, b = append(dst, b[0]), b[1:]
		}
	}
	dst = append(dst, a...)
	return append(dst, b...)
}

// matchFold scores a pre-folded "name owner segment" against the terms:
// 2 when every term occurs as written, 1 when every term occurs as a
// subsequence (fuzzy: "acmcorp" finds "Acme Corp"), 0 otherwise.
func matchFold(fold string, terms []string) int {
	score := 2
	for _, t := range terms {
		if strings.Contains(fold, t) {
			continue
		}
		if !subsequence([]byte(fold), []byte(t)) {
			return 0
		}
		score = 1
	}
	return score
}

func subsequence(s, t []byte) bool {
	ascii := true
	for _, c := range t {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		// ASCII bytes never occur inside a multi-byte rune, so bytes will do.
		j := 0
		for i := 0; i < len(s) && j < len(t); i++ {
			if s[i] == t[j] {
				j++
			}
		}
		return j == len(t)
	}
	for len(s) > 0 && len(t) > 0 {
		r, n := utf8.DecodeRune(s)
		want, m := utf8.DecodeRune(t)
		if r == want {
			t = t[m:]
		}
		s = s[n:]
	}
	return len(t) == 0
}

func (v *accountsView) SetQuery(q string) {
	if q == v.query {
		return
	}
	keep := v.selectedID()
	v.query = q
	v.filter()
	// Typing jumps to the best hit; the cursor only survives a clear.
	if q == "" {
		v.selectID(keep)
	} else {
		v.tbl.setCursor(0)
	}
}

func (v *accountsView) Query() string { return v.query }

// setMember narrows the table to one member's book (from the team view);
// nil shows everyone again.
func (v *accountsView) setMember(m *openMember) {
	v.member = m
	v.query, v.applied = "", ""
	if v.p != nil {
		v.rebase()
	}
	v.tbl.setCursor(0)
}

func (v *accountsView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if v.p == nil {
		return nil
	}
	switch {
	case v.tbl.move(k, msg):
	case key.Matches(msg, k.Open):
		if id := v.selectedID(); id != 0 {
			return openAccount{id}
		}
	case key.Matches(msg, k.Sort):
		keep := v.selectedID()
		v.sortCol = (v.sortCol + 1) % numSorts
		v.desc = v.sortCol == sortARR // biggest accounts first is the useful default
		v.resort()
		v.tbl.invalidate()
		v.selectID(keep)
	case key.Matches(msg, k.Reverse):
		keep := v.selectedID()
		v.desc = !v.desc
		v.resort()
		v.tbl.invalidate()
		v.selectID(keep)
	case key.Matches(msg, k.Band):
		keep := v.selectedID()
		v.band = bandFilters[(slices.Index(bandFilters, v.band)+1)%len(bandFilters)]
		v.rebase()
		v.selectID(keep)
	case key.Matches(msg, k.AcctImport):
		return doAction{act: actImport}
	default:
		if act, ok := accountActionKey(k, msg); ok {
			if id := v.selectedID(); id != 0 {
				return doAction{act: act, id: id}
			}
		}
	}
	return nil
}

// accountActionKey maps the keys that act on one account.
func accountActionKey(k *KeyMap, msg keyMsg) (action, bool) {
	switch {
	case key.Matches(msg, k.AcctLog):
		return actLog, true
	case key.Matches(msg, k.AcctRaise):
		return actRaise, true
	case key.Matches(msg, k.AcctOverride):
		return actOverride, true
	case key.Matches(msg, k.AcctClearOvr):
		return actClearOverride, true
	case key.Matches(msg, k.AcctEdit):
		return actEditAccount, true
	case key.Matches(msg, k.AcctReassign):
		return actReassign, true
	}
	return 0, false
}

func (v *accountsView) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Open, k.Filter, k.Sort, k.Band, k.AcctLog, k.AcctEdit, k.AcctRaise, k.AcctOverride, k.AcctImport, k.Help, k.Quit}
}

func (v *accountsView) fetch(i int) (uint64, []cell) {
	a := &v.p.Accounts[v.rows[i]]
	c := v.cell
	c[0] = plain(a.Name)
	c[1] = plain(orDash(a.OwnerName, "unassigned"))
	c[2] = plain(segmentShort(a.Segment))
	c[3] = plain(money(a.ARRCents, v.p.Settings.Currency))
	c[4] = styledCell(healthText(a.Health), bandStyle(a.Health.Band))
	c[5] = plain(a.Trend.String())
	if a.RenewalDate.IsZero() {
		c[6] = plain("—")
	} else {
		c[6] = plain(daysLeft(a.DaysToRenewal))
	}
	c[7] = plain(ago(a.LastTouch, v.p.AsOf))
	c[8] = plain(orDash(a.NPS.String(), "—"))
	if a.Flags != 0 {
		c[9] = styledCell(a.Flags.String(), styles.Warn)
	} else {
		c[9] = plain("")
	}
	return a.ID, c
}

// healthText is the score with the band's glyph and word; "*" marks a
// manual override (the health detail explains it).
func healthText(h metrics.Health) string {
	s := bandGlyph(h.Band) + " "
	if h.HasScore {
		s += itoa(h.Score) + " "
	} else {
		s += "-- "
	}
	s += string(h.Band)
	if h.Overridden() {
		s += "*"
	}
	return s
}

func orDash(s, dash string) string {
	if s == "" {
		return dash
	}
	return s
}

func (v *accountsView) title() string {
	total := len(v.sorted)
	t := itoa(len(v.rows)) + " of " + itoa(total) + " accounts"
	if v.member != nil {
		t += " · book of " + v.member.name
	}
	if v.band != "" {
		t += " · band " + bandLabel(v.band)
	}
	if v.query != "" {
		t += " · /" + v.query
	}
	arrow := "↑"
	if v.desc {
		arrow = "↓"
	}
	t += " · sort " + strings.ToLower(accountCols[v.sortCol].title) + " " + arrow
	return t
}

func (v *accountsView) View() string {
	if v.p == nil {
		return "Loading…"
	}
	empty := "No accounts."
	if v.query != "" || v.band != "" || v.member != nil {
		empty = "No account matches the filter (esc clears it)."
	}
	return styles.Title.Render(fit(v.title(), v.w, false)) + "\n" + v.tbl.view(empty)
}
