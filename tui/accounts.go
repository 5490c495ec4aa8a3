package tui

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

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

	// arena holds every account's folded name back to back in account
	// order, so a full filter pass streams through 2 MB instead of chasing
	// 100,000 pointers in sort order (which costs more than the matching).
	// The rest of an account's text, "owner segment", is shared by many
	// accounts: it is matched once per distinct text (groups), not once
	// per account.
	arena    []byte
	offs     []uint32
	masks    []uint64   // byteMask of each name: the filter's prefilter
	wmasks   []uint64   // byteMask of the bytes that start a word of the name
	pmasks   []pairMask // pairMask of each name: a longer term's prefilter
	group    []int32    // account -> index into groups
	groups   []string   // distinct folded "owner segment" texts
	gmasks   []uint64   // byteMask of each group's text
	gpairs   []pairMask
	groupIDs map[string]int32
	// mark[i] == gen<<2|g: account i matched the latest pass, in group g
	// (word, substring, fuzzy); sub and fuzzy are the collection's scratch.
	mark       []uint32
	gen        uint32
	sub, fuzzy []int32
	// byName is the live accounts in name order (once per load); pairs
	// and tmp are the sort's scratch, kept between sorts.
	byName     []int32
	named      []bool // named[i]: account i is in byName (it was live)
	pairs, tmp []keyed
	keys       []uint64 // the sort column's key of each account, by index
	ranks      func(owner uint64) uint64
	ranksOf    *portfolio.Portfolio // the portfolio ranks was made for

	query, applied string
	sortCol        int
	desc           bool
	band           metrics.Band
	member         *openMember

	w, h int
	tbl  table
	cell []cell // scratch for fetch

	pending bool   // SetPortfolio's portfolio is not built in yet (ensure)
	keep    uint64 // the account the cursor was on when it was set
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
// the cursor on the same account ID. The filter's arena and the name
// order are built when the view is first used (ensure), not here: the
// first frame is the review, and at 100,000 accounts they cost 60 ms
// (README, "Design notes", First frame).
func (v *accountsView) SetPortfolio(p *portfolio.Portfolio) {
	if !v.pending {
		v.keep = v.selectedID()
	}
	v.p = p
	v.pending = true
}

// ensure builds what SetPortfolio left for the first use. Every entry
// point that reads rows calls it; the model also calls it once the first
// frame is on screen (warmMsg), so the first `3` is instant.
func (v *accountsView) ensure() {
	if !v.pending || v.p == nil {
		return
	}
	v.pending = false
	v.p.Folds()
	v.byName = nil
	v.buildArena()
	v.resort()
	v.tbl.invalidate()
	v.selectID(v.keep)
}

// updated takes in the accounts the change feed changed (indexes into the
// same, updated portfolio). Only a new, renamed, churned or revived
// account rebuilds the arena and the name order; otherwise the shared
// owner text is looked up again and the current sort and filter rerun:
// a few milliseconds at 100,000 accounts, against a rebuild's tens.
func (v *accountsView) updated(p *portfolio.Portfolio, changed []int) {
	if v.p == nil || v.pending {
		v.SetPortfolio(p)
		return
	}
	keep := v.selectedID()
	v.p = p
	for _, i := range changed {
		if i >= len(v.offs)-1 || i >= len(v.named) {
			v.byName = nil
			v.buildArena()
			v.resort()
			v.tbl.invalidate()
			v.selectID(keep)
			return
		}
		a := &v.p.Accounts[i]
		if string(v.arena[v.offs[i]:v.offs[i+1]]) != foldName(a) || a.Live != v.named[i] {
			v.byName = nil
			v.buildArena()
			v.resort()
			v.tbl.invalidate()
			v.selectID(keep)
			return
		}
	}
	for _, i := range changed {
		a := &v.p.Accounts[i]
		v.group[i] = v.groupOf(a.Fold[min(len(a.Fold), a.NameLen+1):])
	}
	v.resort()
	v.tbl.invalidate()
	v.selectID(keep)
}

// groupOf is the index of a folded "owner segment" text in groups,
// added with its masks when it is new.
func (v *accountsView) groupOf(rest string) int32 {
	g, ok := v.groupIDs[rest]
	if !ok {
		g = int32(len(v.groups))
		v.groupIDs[rest] = g
		v.groups = append(v.groups, rest)
		v.gmasks = append(v.gmasks, byteMask(rest))
		v.gpairs = append(v.gpairs, namePairs(rest))
	}
	return g
}

func (v *accountsView) buildArena() {
	n := len(v.p.Accounts)
	size := 0
	for i := range v.p.Accounts {
		size += v.p.Accounts[i].NameLen
	}
	v.arena = slices.Grow(v.arena[:0], size)
	v.offs = slices.Grow(v.offs[:0], n+1)
	v.masks = slices.Grow(v.masks[:0], n)[:n]
	v.wmasks = slices.Grow(v.wmasks[:0], n)[:n]
	v.pmasks = slices.Grow(v.pmasks[:0], n)[:n]
	v.group = slices.Grow(v.group[:0], n)[:n]
	v.groups, v.gmasks, v.gpairs = v.groups[:0], v.gmasks[:0], v.gpairs[:0]
	v.groupIDs = map[string]int32{}
	for i := range v.p.Accounts {
		a := &v.p.Accounts[i]
		name := foldName(a)
		v.offs = append(v.offs, uint32(len(v.arena)))
		v.arena = append(v.arena, name...)
		v.masks[i], v.wmasks[i], v.pmasks[i] = byteMask(name), wordStartMask(name), namePairs(name)
		v.group[i] = v.groupOf(a.Fold[min(len(a.Fold), a.NameLen+1):])
	}
	v.offs = append(v.offs, uint32(len(v.arena)))
	v.mark = slices.Grow(v.mark[:0], n)[:n]
	clear(v.mark)
}

func (v *accountsView) selectedID() uint64 {
	v.ensure()
	if v.p == nil || v.tbl.cursor >= len(v.rows) || len(v.rows) == 0 {
		return 0
	}
	return v.p.Accounts[v.rows[v.tbl.cursor]].ID
}

func (v *accountsView) selectID(id uint64) { v.selectRecord(recAccount, id) }

func (v *accountsView) selectRecord(kind recordKind, id uint64) bool {
	v.ensure()
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

// keepOrTop keeps the selected account selected after a re-sort or a
// filter change when it is still shown, and goes to the top otherwise.
func (v *accountsView) keepOrTop(id uint64) {
	if !v.selectRecord(recAccount, id) {
		v.tbl.setCursor(0)
	}
}

func (v *accountsView) resort() {
	v.sorted = v.sorted[:0]
	if v.p == nil {
		v.rebase()
		return
	}
	accts := v.p.Accounts
	if v.byName == nil {
		v.byName = sortByName(accts)
		v.named = slices.Grow(v.named[:0], len(accts))[:len(accts)]
		clear(v.named)
		for _, i := range v.byName {
			v.named[i] = true
		}
	}
	// Every column sorts the name order stably by the column's value, so
	// ties read alphabetically and a press of `s` is one radix pass over
	// compact keys, not a comparison sort chasing 100,000 pointers.
	// The keys are made in account order, a sequential pass over the
	// rows, and then read in name order from the compact key slice: read
	// in name order from the rows, each key was a cache miss (at a million
	// accounts, most of a sort's time).
	// Both passes run one piece per core on a large book.
	keyFn := sortKey(v.sortCol, v.p, v.ownerRanks)
	v.keys = slices.Grow(v.keys[:0], len(accts))[:len(accts)]
	parallel(len(accts), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v.keys[i] = keyFn(&accts[i])
		}
	})
	n := len(v.byName)
	v.pairs = slices.Grow(v.pairs[:0], n)[:n]
	parallel(n, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			i := v.byName[k]
			if v.desc {
				i = v.byName[n-1-k]
			}
			key := v.keys[i]
			if v.desc {
				key = ^key
			}
			v.pairs[k] = keyed{key, i}
		}
	})
	v.tmp = slices.Grow(v.tmp[:0], len(v.pairs))[:len(v.pairs)]
	radixSort(v.pairs, v.tmp)
	for _, p := range v.pairs {
		v.sorted = append(v.sorted, p.i)
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

// sortByName orders the live accounts by folded name (then the rest of the
// folded text, then index): once per load, the order every column sort
// starts from.
func sortByName(accts []portfolio.Account) []int32 {
	type named struct {
		hi, lo uint64
		i      int32
	}
	list := make([]named, 0, len(accts))
	for i := range accts {
		if a := &accts[i]; a.Live {
			n := foldName(a)
			list = append(list, named{nameBytes(n, 0, 8), nameBytes(n, 8, 8), int32(i)})
		}
	}
	slices.SortFunc(list, func(x, y named) int {
		if x.hi != y.hi {
			return cmpUint(x.hi, y.hi)
		}
		if x.lo != y.lo {
			return cmpUint(x.lo, y.lo)
		}
		a, b := &accts[x.i], &accts[y.i]
		if c := strings.Compare(foldName(a), foldName(b)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Fold, b.Fold); c != 0 {
			return c
		}
		return int(x.i - y.i)
	})
	out := make([]int32, len(list))
	for k, n := range list {
		out[k] = n.i
	}
	return out
}

// keyed is an account index with its sort key.
type keyed struct {
	key uint64
	i   int32
}

// radixSort sorts by key, stably (least significant byte first, skipping
// bytes that are the same in every key).
func radixSort(a, tmp []keyed) {
	var and, or uint64 = ^uint64(0), 0
	for _, p := range a {
		and &= p.key
		or |= p.key
	}
	src, dst := a, tmp
	for shift := uint(0); shift < 64; shift += 8 {
		if (and>>shift)&0xff == (or>>shift)&0xff {
			continue // every key has the same byte here
		}
		var count [257]int
		for _, p := range src {
			count[(p.key>>shift)&0xff+1]++
		}
		for b := 1; b < 257; b++ {
			count[b] += count[b-1]
		}
		for _, p := range src {
			b := (p.key >> shift) & 0xff
			dst[count[b]] = p
			count[b]++
		}
		src, dst = dst, src
	}
	if len(a) > 0 && &src[0] != &a[0] {
		copy(a, src)
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// nameBytes packs n bytes of s from off, big-endian, zero-padded.
func nameBytes(s string, off, n int) uint64 {
	var k uint64
	for j := off; j < off+n; j++ {
		k <<= 8
		if j < len(s) {
			k |= uint64(s[j])
		}
	}
	return k
}

// sortKey maps an account to its key for column col; the name order
// breaks ties. Rows without a value sort last ascending.
// ownerRanks is the owners' order (ownerRanks) of the view's portfolio,
// made once per portfolio (tens of thousands of names on a large team),
// not once per press of `s`.
func (v *accountsView) ownerRanks() func(id uint64) uint64 {
	if v.ranksOf != v.p {
		v.ranks, v.ranksOf = ownerRanks(v.p), v.p
	}
	return v.ranks
}

// sortKey is column col's key of an account; owners gives the owners'
// order (ownerRanks), asked once, for the owner column only.
func sortKey(col int, p *portfolio.Portfolio, owners func() func(id uint64) uint64) func(a *portfolio.Account) uint64 {
	num := func(n int) uint64 { return uint64(int64(n)) ^ (1 << 63) }
	switch col {
	case sortOwner:
		rank := owners()
		return func(a *portfolio.Account) uint64 { return rank(a.OwnerID) }
	case sortSegment:
		return func(a *portfolio.Account) uint64 {
			switch a.Segment {
			case metrics.Enterprise:
				return 0
			case metrics.MidMarket:
				return 1
			case metrics.SMB:
				return 2
			}
			return 3
		}
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
	}
	return func(*portfolio.Account) uint64 { return 0 } // the name order itself
}

// ownerRanks orders the owners by folded name (unassigned first), once per
// sort instead of lower-casing two names per comparison.
func ownerRanks(p *portfolio.Portfolio) func(id uint64) uint64 {
	type owner struct {
		id   uint64
		fold string
	}
	owners := []owner{{0, ""}}
	var maxID uint64
	for _, m := range p.Members {
		owners = append(owners, owner{m.ID, portfolio.FoldText(p.MemberName(m.ID))})
		maxID = max(maxID, m.ID)
	}
	slices.SortStableFunc(owners, func(a, b owner) int { return strings.Compare(a.fold, b.fold) })
	rank := func(r int) uint64 { return uint64(min(r, 1<<16-1)) }
	// Member IDs come from a counter: a slice by ID is an array read per
	// account, where a map was a hash probe (a million of them a sort).
	if maxID > uint64(4*len(owners)+1024) {
		ranks := make(map[uint64]uint64, len(owners))
		for r, o := range owners {
			ranks[o.id] = rank(r)
		}
		return func(id uint64) uint64 { return ranks[id] }
	}
	ranks := make([]uint64, maxID+1)
	for r, o := range owners {
		ranks[o.id] = rank(r)
	}
	return func(id uint64) uint64 {
		if id < uint64(len(ranks)) {
			return ranks[id]
		}
		return 0 // not a member: with the unassigned, as a map's zero value put it
	}
}

// foldName is the name part of Fold (exact whenever lower-casing keeps
// the byte length, which covers ASCII).
func foldName(a *portfolio.Account) string { return a.Fold[:a.NameLen] }

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

// filter brings rows in line with the query: word and prefix hits first,
// then substring hits, then tight subsequence hits (match.go), each group
// in the current sort order. A query that only grew re-matches just the
// previous rows (a hit's tier can only worsen as terms grow).
func (v *accountsView) filter() {
	q := compileQuery(v.query)
	if q.empty() {
		v.rows = append(v.rows[:0], v.base...)
		v.applied = ""
		v.tbl.setRows(len(v.rows))
		return
	}
	v.gen++
	if v.gen >= 1<<30 { // wrapping: stale marks could pass for this pass's
		clear(v.mark)
		v.gen = 1
	}
	// Each term's tier in each shared "owner segment" text, and the bytes
	// a name must hold for the term to be worth reading in it.
	mt := &matchTerms{terms: make([]matchTerm, len(q.terms)), gen: v.gen << 2}
	for t, term := range q.terms {
		mt.terms[t] = matchTerm{text: term, need: byteMask(term), pairs: termPairs(term), letter: len(term) == 1 && exactBit(term[0])}
	}
	mt.gt = make([]matchTier, len(v.groups)*len(q.terms))
	for g, text := range v.groups {
		for t := range mt.terms {
			tm := &mt.terms[t]
			tier := tierNone
			if v.gmasks[g]&tm.need == tm.need && v.gpairs[g].holds(&tm.pairs) {
				tier = termTier(text, tm.text)
			}
			mt.gt[g*len(q.terms)+t] = tier
		}
	}
	if v.applied != "" && strings.HasPrefix(q.text, v.applied) {
		rows := v.rows
		parallel(len(rows), func(lo, hi int) {
			for _, i := range rows[lo:hi] {
				v.match(mt, i)
			}
		})
	} else {
		// Match in memory order, then collect in sort order.
		parallel(len(v.masks), func(lo, hi int) {
			if len(mt.terms) == 1 && mt.terms[0].letter {
				v.matchLetter(mt, lo, hi)
				return
			}
			for i := lo; i < hi; i++ {
				v.match(mt, int32(i))
			}
		})
	}
	// Word hits go straight into rows; the other two groups wait in
	// scratch kept between passes.
	rows, sub, fuzzy := v.rows[:0], v.sub[:0], v.fuzzy[:0]
	gen := mt.gen
	for _, i := range v.base {
		switch v.mark[i] {
		case gen:
			rows = append(rows, i)
		case gen | 1:
			sub = append(sub, i)
		case gen | 2:
			fuzzy = append(fuzzy, i)
		}
	}
	v.rows = append(append(rows, sub...), fuzzy...)
	v.sub, v.fuzzy = sub, fuzzy
	v.applied = q.text
	v.tbl.setRows(len(v.rows))
}

// parallel runs f over [0, n) in one piece per core when n is large
// enough to be worth a goroutine: matching 100,000 rows takes about 2 ms
// on one core, and a frame is 16 ms (each piece writes only its own
// rows' marks).
func parallel(n int, f func(lo, hi int)) {
	pieces := min(runtime.GOMAXPROCS(0), n/minPiece)
	if pieces < 2 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	var failed atomic.Value
	for p := 1; p < pieces; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					failed.Store(fmt.Sprint(r)) // raised on the caller's goroutine, which the guard watches
				}
			}()
			f(p*n/pieces, (p+1)*n/pieces)
		}()
	}
	f(0, n/pieces)
	wg.Wait()
	if r := failed.Load(); r != nil {
		panic(r)
	}
}

// minPiece is the fewest rows worth a goroutine of their own (a test
// lowers it).
var minPiece = 16 << 10

// matchTerms is a compiled query with its per-group tiers.
type matchTerms struct {
	terms []matchTerm
	gt    []matchTier // [group*len(terms)+term]
	gen   uint32      // the pass's mark, shifted: the low two bits hold the group
}

type matchTerm struct {
	text   string
	need   uint64   // byteMask
	pairs  pairMask // termPairs
	letter bool     // one letter or digit: the masks alone place it
}

// match marks account i as a hit, with its group: every term must occur
// in the name or in the shared owner and segment text; a term's tier is
// the better of the two, and the row's the worst of its terms.
func (v *accountsView) match(mt *matchTerms, i int32) {
	gt := mt.gt[int(v.group[i])*len(mt.terms):]
	mask := v.masks[i]
	worst := tierExact
	for t := range mt.terms {
		tm := &mt.terms[t]
		best := gt[t]
		if best > tierWord && mask&tm.need == tm.need {
			if tm.letter {
				// One letter or digit: the masks alone say where it is.
				if v.wmasks[i]&tm.need != 0 {
					best = tierWord
				} else {
					best = min(best, tierSubstring)
				}
			} else if v.pmasks[i].holds(&tm.pairs) {
				best = min(best, termTier(v.name(i), tm.text))
			}
		}
		if best == tierNone {
			return
		}
		worst = max(worst, best)
	}
	v.mark[i] = mt.gen | uint32(worst.group())
}

// matchLetter is match for accounts lo to hi and a query of one letter or
// digit, the first key of every filter: the masks answer it, so the loop
// is a few loads a row.
func (v *accountsView) matchLetter(mt *matchTerms, lo, hi int) {
	need, gt, gen := mt.terms[0].need, mt.gt, mt.gen
	masks, wmasks, group, mark := v.masks[lo:hi], v.wmasks[lo:hi], v.group[lo:hi], v.mark[lo:hi]
	for i := range masks {
		best := gt[group[i]]
		if best > tierWord && masks[i]&need != 0 {
			if wmasks[i]&need != 0 {
				best = tierWord
			} else {
				best = min(best, tierSubstring)
			}
		}
		if best != tierNone {
			mark[i] = gen | uint32(best.group())
		}
	}
}

// name is account i's folded name. The arena is only appended to between
// loads: a string view of it saves copying names per keystroke.
func (v *accountsView) name(i int32) string {
	lo, hi := v.offs[i], v.offs[i+1]
	if hi <= lo {
		return ""
	}
	return unsafe.String(&v.arena[lo], int(hi-lo))
}

func (v *accountsView) SetQuery(q string) {
	v.ensure()
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

func (v *accountsView) Matches() int {
	v.ensure()
	return len(v.rows)
}

// setMember narrows the table to one member's book (from the team view);
// nil shows everyone again.
func (v *accountsView) setMember(m *openMember) {
	v.ensure()
	v.member = m
	v.query, v.applied = "", ""
	if v.p != nil {
		v.rebase()
	}
	v.tbl.setCursor(0)
}

func (v *accountsView) HandleKey(k *KeyMap, msg keyMsg) intent {
	v.ensure()
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
		v.keepOrTop(keep)
	case key.Matches(msg, k.Reverse):
		keep := v.selectedID()
		v.desc = !v.desc
		v.resort()
		v.tbl.invalidate()
		v.keepOrTop(keep)
	case key.Matches(msg, k.Band):
		keep := v.selectedID()
		v.band = bandFilters[(slices.Index(bandFilters, v.band)+1)%len(bandFilters)]
		v.rebase()
		v.keepOrTop(keep)
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
func healthText(h metrics.Verdict) string {
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
	v.ensure()
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
	v.ensure()
	if v.p == nil {
		return "Loading…"
	}
	empty := "No accounts."
	if v.query != "" || v.band != "" || v.member != nil {
		empty = "No account matches the filter (esc clears it)."
	}
	return styles.Title.Render(fit(v.title(), v.w, false)) + "\n" + v.tbl.view(empty)
}
