package tui

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/charmbracelet/bubbles/key"

	"steward/metrics"
	"steward/store"
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

// segmentFilters is the order `t` cycles the segment filter, and
// renewalWindows the days `r` cycles the renewal window (0: any).
var (
	segmentFilters = []metrics.Segment{"", metrics.Enterprise, metrics.MidMarket, metrics.SMB}
	renewalWindows = []int{0, 30, 60, 90}
)

// accountsView is the sortable, filterable table of live accounts. Rows
// are indexes into Portfolio.Accounts through three stages: asc (every
// live account by the sort column, read backwards when descending), base
// (band and member filter) and rows (the typed query), so a keystroke
// only redoes the last stage, and a growing query narrows the previous
// result instead of rescanning everything.
type accountsView struct {
	th   *theme
	p    *portfolio.Portfolio
	asc  []int32 // the live accounts by the sort column, ascending (read-only: it is orders[sortCol])
	base []int32 // read-only: asc itself, or baseOwn
	rows []int32 // read-only: base itself, or rowsOwn
	// baseOwn and rowsOwn are the lists the view fills (rebase).
	baseOwn, rowsOwn []int32

	accountIndex
	// mark[i] is 1 + the group (word, substring, fuzzy) of account i's hit
	// in the latest pass, 0 for a miss: a byte each, so the collection's
	// reads in sort order stay in the core's cache. passes are the results
	// of the query and the queries typed on the way to it, spare the lists
	// of dropped passes, to fill again; partGroups is the collection's
	// scratch for each parallel piece, kept between passes.
	mark       []uint8
	marked     string // the query mark is for ("" when none)
	passes     []pass
	spare      [][]int32
	partGroups [maxParts][3][]int32
	ranks      func(owner uint64) uint64
	ranksOf    *store.Member // the roster ranks was made for (the feed never changes it: a roster change reloads)
	// orders[col] is the ascending order by column col, made on a press
	// or ahead by maker (sortorders.go) for the accounts as of version;
	// scratch is the presses' working memory.
	orders  [numSorts][]int32
	version uint64
	maker   *orderMaker
	scratch sortScratch
	pre     *prebuild // the index being built in the background (prebuild.go)

	query   string
	sortCol int
	desc    bool
	band    metrics.Band
	member  *openMember
	segment metrics.Segment // "" every segment
	within  int             // renewal within this many days; 0: any

	w, h int
	tbl  table
	cell []cell // scratch for fetch

	pending bool   // SetPortfolio's portfolio is not built in yet (ensure)
	keep    uint64 // the account the cursor was on when it was set

	// hub, on a team server, holds the index and the sort orders every
	// session's view shares (shared.go, sharedAccounts): the view reads
	// them and never builds or changes them itself.
	hub *Hub
}

func newAccountsView(th *theme) *accountsView {
	v := &accountsView{th: th, tbl: newTable(th, accountCols), cell: make([]cell, len(accountCols))}
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
	v.changedRows() // the maker reads the portfolio being replaced
	v.p = p
	v.pending = true
}

// ensure builds what SetPortfolio left for the first use, and reports
// whether the rows are ready. Every entry point that reads rows calls it.
// Once a load's frame is on screen (warmMsg) the index is built in the
// background (prebuild.go): until it is done the view is not ready (it
// says so, and keys other than the filter's wait), and builtMsg brings
// it in. With no build started, ensure builds the index here.
func (v *accountsView) ensure() bool {
	if !v.pending || v.p == nil {
		return true
	}
	if b := v.pre; b != nil && b.p == v.p && !b.finished() {
		return false
	}
	v.pending = false
	v.p.Folds()
	if v.hub != nil {
		v.adoptShared()
		return true
	}
	pre := v.takePrebuilt()
	v.changedRows()
	if pre != nil {
		v.accountIndex = pre.ix
		if pre.order != nil {
			v.orders[pre.col] = pre.order
		}
	} else {
		v.accountIndex.build(v.p.Accounts, nil)
	}
	v.mark = slices.Grow(v.mark[:0], len(v.masks))[:len(v.masks)]
	v.forget()
	v.resort()
	v.tbl.invalidate()
	v.selectID(v.keep)
	v.startOrders()
	return true
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
	if v.hub != nil {
		// The hub brought the shared index and orders up to date first.
		v.keep = keep
		v.adoptShared()
		return
	}
	if !v.accountIndex.fits(v.p.Accounts, changed) {
		v.changedRows()
		v.accountIndex.build(v.p.Accounts, nil)
		v.mark = slices.Grow(v.mark[:0], len(v.masks))[:len(v.masks)]
		v.forget()
		v.resort()
		v.tbl.invalidate()
		v.selectID(keep)
		v.startOrders()
		return
	}
	v.accountIndex.follow(v.p.Accounts, changed)
	if !v.fixOrders(changed) {
		v.changedRows()
	}
	v.forget() // an owner's or segment's text may have changed
	v.resort()
	v.tbl.invalidate()
	v.selectID(keep)
	v.startOrders()
}

// accountIndex is what the accounts view builds once per portfolio: the
// filter's arena and masks, the compact band and owner of each account,
// and the name order every sort starts from. It is a function of the
// accounts alone, so it can be built off the screen's goroutine.
type accountIndex struct {
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
	// bandOf and ownerOf are each account's band (bandCode) and owner,
	// compact, for the band and member filters.
	bandOf  []uint8
	ownerOf []uint64
	// byName is the live accounts in name order; nameRank[i] is account
	// i's place in it, -1 when it is not there (not live).
	byName   []int32
	nameRank []int32
}

// groupOf is the index of a folded "owner segment" text in groups,
// added with its masks when it is new.
func (ix *accountIndex) groupOf(rest string) int32 {
	g, ok := ix.groupIDs[rest]
	if !ok {
		g = int32(len(ix.groups))
		ix.groupIDs[rest] = g
		ix.groups = append(ix.groups, rest)
		ix.gmasks = append(ix.gmasks, byteMask(rest))
		ix.gpairs = append(ix.gpairs, namePairs(rest))
	}
	return g
}

// build makes the index of accts (each folded). stop, when set, is asked
// every few thousand accounts and abandons the build (false).
func (ix *accountIndex) build(accts []portfolio.Account, stop func() bool) bool {
	n := len(accts)
	size := 0
	for i := range accts {
		size += accts[i].NameLen
	}
	ix.arena = slices.Grow(ix.arena[:0], size)
	ix.offs = slices.Grow(ix.offs[:0], n+1)
	ix.masks = slices.Grow(ix.masks[:0], n)[:n]
	ix.wmasks = slices.Grow(ix.wmasks[:0], n)[:n]
	ix.pmasks = slices.Grow(ix.pmasks[:0], n)[:n]
	ix.group = slices.Grow(ix.group[:0], n)[:n]
	ix.bandOf = slices.Grow(ix.bandOf[:0], n)[:n]
	ix.ownerOf = slices.Grow(ix.ownerOf[:0], n)[:n]
	ix.groups, ix.gmasks, ix.gpairs = ix.groups[:0], ix.gmasks[:0], ix.gpairs[:0]
	ix.groupIDs = map[string]int32{}
	for i := range accts {
		if stop != nil && i%4096 == 0 && stop() {
			return false
		}
		a := &accts[i]
		name := foldName(a)
		ix.offs = append(ix.offs, uint32(len(ix.arena)))
		ix.arena = append(ix.arena, name...)
		ix.masks[i], ix.wmasks[i], ix.pmasks[i] = byteMask(name), wordStartMask(name), namePairs(name)
		ix.group[i] = ix.groupOf(a.Fold[min(len(a.Fold), a.NameLen+1):])
		ix.bandOf[i], ix.ownerOf[i] = bandCode(a.Health.Band), a.OwnerID
	}
	ix.offs = append(ix.offs, uint32(len(ix.arena)))
	byName, ok := sortByName(accts, stop)
	if !ok {
		return false
	}
	ix.setNameOrder(byName, n)
	return true
}

// fits reports whether the index still holds for accts after the change
// feed changed the accounts at changed (same indexes): no account is new,
// renamed, churned or revived. Otherwise it must be built again.
func (ix *accountIndex) fits(accts []portfolio.Account, changed []int) bool {
	for _, i := range changed {
		if i >= len(ix.offs)-1 || i >= len(ix.nameRank) ||
			string(ix.arena[ix.offs[i]:ix.offs[i+1]]) != foldName(&accts[i]) || accts[i].Live != (ix.nameRank[i] >= 0) {
			return false
		}
	}
	return true
}

// follow takes in what changed at the accounts at changed, which fits:
// their owner and segment text, band and owner.
func (ix *accountIndex) follow(accts []portfolio.Account, changed []int) {
	for _, i := range changed {
		a := &accts[i]
		ix.group[i] = ix.groupOf(a.Fold[min(len(a.Fold), a.NameLen+1):])
		ix.bandOf[i], ix.ownerOf[i] = bandCode(a.Health.Band), a.OwnerID
	}
}

// setNameOrder installs the name order of n accounts.
func (ix *accountIndex) setNameOrder(byName []int32, n int) {
	ix.byName = byName
	ix.nameRank = slices.Grow(ix.nameRank[:0], n)[:n]
	for i := range ix.nameRank {
		ix.nameRank[i] = -1
	}
	for k, i := range byName {
		ix.nameRank[i] = int32(k)
	}
}

func (v *accountsView) selectedID() uint64 {
	if !v.ensure() {
		return v.keep // the account the cursor will be on
	}
	if v.p == nil || v.tbl.cursor >= len(v.rows) || len(v.rows) == 0 {
		return 0
	}
	return v.p.Accounts[v.rows[v.tbl.cursor]].ID
}

func (v *accountsView) selectID(id uint64) { v.selectRecord(recAccount, id) }

func (v *accountsView) selectRecord(kind recordKind, id uint64) bool {
	if !v.ensure() {
		if kind == recAccount {
			v.keep = id // selected once the rows are built
		}
		return false
	}
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

// resort orders the live accounts by the sort column, from an order
// made ahead when there is one (sortorders.go), then filters them again.
func (v *accountsView) resort() {
	if v.p == nil {
		v.asc = nil
		v.rebase()
		return
	}
	accts := v.p.Accounts
	v.adopt()
	switch {
	case v.orders[v.sortCol] != nil:
	case v.hub != nil:
		v.orders[v.sortCol] = v.hub.accounts.order(v.p, v.sortCol)
	default:
		v.orders[v.sortCol] = sortAsc(v.sortCol, accts, v.byName, v.ownerRanks, &v.scratch, parallel)
	}
	v.asc = v.orders[v.sortCol]
	v.rebase()
}

// sortByName orders the live accounts by folded name (then the rest of the
// folded text, then index): once per load, the order every column sort
// starts from. stop, when set, is asked every few thousand comparisons
// and abandons the sort (false).
func sortByName(accts []portfolio.Account, stop func() bool) (order []int32, ok bool) {
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
	// A sort cannot be left halfway but by a panic out of its comparison.
	defer func() {
		if r := recover(); r != nil {
			if r != errStopSort {
				panic(r)
			}
			order, ok = nil, false
		}
	}()
	calls := 0
	slices.SortFunc(list, func(x, y named) int {
		if calls++; stop != nil && calls%8192 == 0 && stop() {
			panic(errStopSort)
		}
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
	return out, true
}

var errStopSort = errors.New("sort stopped")

// keyed is an account index with its sort key.
type keyed struct {
	key uint64
	i   int32
}

// radixSort sorts by key, stably (least significant byte first). The keys
// are taken relative to the smallest, so a column of small numbers either
// side of zero (trend, days to renewal) sorts in one or two passes
// instead of eight, and bytes that are the same in every key are skipped.
func radixSort(a, tmp []keyed) {
	lo := ^uint64(0)
	for _, p := range a {
		lo = min(lo, p.key)
	}
	var and, or uint64 = ^uint64(0), 0
	for k := range a {
		a[k].key -= lo
		and &= a[k].key
		or |= a[k].key
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
	if roster := unsafe.SliceData(v.p.Members); v.ranks == nil || v.ranksOf != roster {
		v.ranks, v.ranksOf = ownerRanks(v.p), roster
	}
	return v.ranks
}

// sortKey is column col's key of an account; owners gives the owners'
// order (ownerRanks), asked once, for the owner column only.
func sortKey(col int, owners func() func(id uint64) uint64) func(a *portfolio.Account) uint64 {
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

// rebase applies the band and member filters to the sort order, then the
// query (the marks of the last match stay: only the order changed). It
// reads compact copies of each account's band and owner, so a filtered
// re-sort does not visit a million rows in sort order.
//
// The unfiltered ascending base is the sort order itself, and the rows of
// an empty query are the base: views, not copies (baseOwn and rowsOwn are
// the lists a view fills itself). On a team server that order is shared
// by every session, so a session's accounts view costs its marks and not
// two more lists of every account.
func (v *accountsView) rebase() {
	n := len(v.asc)
	plain := v.segment == "" && v.within == 0
	if plain && v.band == "" && v.member == nil && !v.desc {
		v.base = v.asc
		v.filter()
		return
	}
	v.base = v.baseOwn[:0]
	defer func() { v.baseOwn = v.base }()
	if plain && v.band == "" && v.member == nil {
		for k := n - 1; k >= 0; k-- {
			v.base = append(v.base, v.asc[k])
		}
		v.filter()
		return
	}
	band := bandCode(v.band)
	var inBook func(owner uint64) bool
	if v.member != nil {
		inBook = v.inBook()
	}
	for k := range n {
		i := v.asc[k]
		if v.desc {
			i = v.asc[n-1-k]
		}
		if v.band != "" && v.bandOf[i] != band {
			continue
		}
		if inBook != nil && !inBook(v.ownerOf[i]) {
			continue
		}
		if !plain {
			// Segment and renewal window read the row itself: rarer
			// filters, not worth a compact copy per account.
			a := &v.p.Accounts[i]
			if v.segment != "" && a.Segment != v.segment {
				continue
			}
			if v.within > 0 && (a.RenewalDate.IsZero() || a.DaysToRenewal < 0 || a.DaysToRenewal > v.within) {
				continue
			}
		}
		v.base = append(v.base, i)
	}
	v.filter()
}

// bandCode is a band's position in bandFilters, a byte per account.
func bandCode(b metrics.Band) uint8 {
	return uint8(max(0, slices.Index(bandFilters, b)))
}

// inBook mirrors the team view's Unassigned row: accounts of an unknown or
// inactive owner belong to nobody.
func (v *accountsView) inBook() func(owner uint64) bool {
	if !v.member.unassigned {
		id := v.member.id
		return func(owner uint64) bool { return owner == id }
	}
	active := map[uint64]bool{}
	for _, m := range v.p.Members {
		if m.Active {
			active[m.ID] = true
		}
	}
	return func(owner uint64) bool { return owner == 0 || !active[owner] }
}

// filter brings rows in line with the query: word and prefix hits first,
// then substring hits, then tight subsequence hits (match.go), each group
// in the current sort order. Which accounts match does not depend on the
// sort or the band and member filters, so those only collect the marked
// accounts again; a query that grew re-matches just the previous hits (a
// hit's tier can only worsen as terms grow), and one that shrank back to a
// query typed on the way is restored from its pass.
func (v *accountsView) filter() {
	q := compileQuery(v.query)
	if q.empty() {
		v.rows = v.base
		v.tbl.setRows(len(v.rows))
		return
	}
	if v.marked != q.text {
		v.matchQuery(&q)
	}
	v.collect()
	v.tbl.setRows(len(v.rows))
}

// pass is the result of matching one query: its hits in account order,
// each packed with its group (hit = index | group<<groupShift), in the
// pieces the parallel match made them (joined, they are one list).
type pass struct {
	text  string
	parts [][]int32
}

func (p *pass) len() int {
	n := 0
	for _, h := range p.parts {
		n += len(h)
	}
	return n
}

// span calls f with the pieces of hits lo to hi of the joined list.
func (p *pass) span(lo, hi int, f func([]int32)) {
	for _, h := range p.parts {
		if lo < len(h) && hi > 0 {
			f(h[max(lo, 0):min(hi, len(h))])
		}
		lo, hi = lo-len(h), hi-len(h)
	}
}

const groupShift = 29 // account indexes stay below 1<<29, so a packed hit is never negative

// forget drops every pass and the marks: the accounts' text changed.
func (v *accountsView) forget() {
	v.dropPasses(0)
	v.marked = ""
}

// dropPasses keeps the first k passes; the lists of the others are kept
// for the next passes to fill: at a million accounts a fresh list of a
// first letter's hits is 2 MB the kernel must zero, a third of a frame.
func (v *accountsView) dropPasses(k int) {
	for _, p := range v.passes[k:] {
		for _, h := range p.parts {
			v.spare = append(v.spare, h[:0])
		}
	}
	clear(v.passes[k:])
	v.passes = v.passes[:k]
}

// spareList takes the roomiest of the spare lists (nil when none is).
func (v *accountsView) spareList() []int32 {
	best := -1
	for i, h := range v.spare {
		if best < 0 || cap(h) > cap(v.spare[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	h := v.spare[best]
	last := len(v.spare) - 1
	v.spare[best] = v.spare[last]
	v.spare[last] = nil
	v.spare = v.spare[:last]
	return h
}

// matchQuery marks the accounts q matches and makes its pass the last of
// v.passes, which keeps the queries typed on the way to it (each a prefix
// of the next).
func (v *accountsView) matchQuery(q *query) {
	k := len(v.passes)
	for k > 0 && !strings.HasPrefix(q.text, v.passes[k-1].text) {
		k--
	}
	v.dropPasses(k)
	clear(v.mark)
	v.marked = q.text
	if k > 0 && v.passes[k-1].text == q.text {
		for _, hits := range v.passes[k-1].parts {
			for _, h := range hits {
				v.mark[h&(1<<groupShift-1)] = uint8(1 + h>>groupShift)
			}
		}
		return
	}
	// Each term's tier in each shared "owner segment" text, and the bytes
	// a name must hold for the term to be worth reading in it.
	mt := &matchTerms{terms: make([]matchTerm, len(q.terms))}
	for t, term := range q.terms {
		mt.terms[t] = matchTerm{text: term, need: byteMask(term), pairs: termPairs(term), letter: len(term) == 1 && exactBit(term[0])}
	}
	// A large team has tens of thousands of owner texts: pieces too.
	mt.gt = make([]matchTier, len(v.groups)*len(q.terms))
	parallel(len(v.groups), func(_, lo, hi int) {
		for g := lo; g < hi; g++ {
			for t := range mt.terms {
				tm := &mt.terms[t]
				tier := tierNone
				if v.gmasks[g]&tm.need == tm.need && v.gpairs[g].holds(&tm.pairs) {
					tier = termTier(v.groups[g], tm.text)
				}
				mt.gt[g*len(q.terms)+t] = tier
			}
		}
	})
	// Match in memory order (account index): a full pass streams through
	// the arrays, and a narrowing one reads the previous hits, kept in
	// account order too (read in sort order, each row was a cache miss:
	// at a million accounts, most of a keystroke).
	var from *pass
	n := len(v.masks)
	if k > 0 {
		from = &v.passes[k-1]
		n = from.len()
	}
	var out [maxParts][]int32
	for part := range out {
		out[part] = v.spareList()
	}
	parts := parallel(n, func(part, lo, hi int) {
		hits := out[part]
		switch {
		case from != nil:
			from.span(lo, hi, func(prev []int32) { hits = v.matchRows(mt, prev, hits) })
		case len(mt.terms) == 1 && mt.terms[0].letter:
			hits = v.matchLetter(mt, lo, hi, hits)
		default:
			for i := lo; i < hi; i++ {
				hits = v.match(mt, int32(i), hits)
			}
		}
		out[part] = hits
	})
	for _, h := range out[parts:] {
		if h != nil {
			v.spare = append(v.spare, h)
		}
	}
	v.passes = append(v.passes, pass{q.text, slices.Clone(out[:parts])})
	// The passes kept hold at most a few times the accounts: the shortest
	// (largest) go first; a one-letter pass is the cheapest to redo.
	kept := 0
	for i := range v.passes {
		kept += v.passes[i].len()
	}
	drop := 0
	for drop < len(v.passes)-1 && kept > 4*len(v.masks)+4096 {
		kept -= v.passes[drop].len()
		drop++
	}
	if drop > 0 {
		for _, p := range v.passes[:drop] {
			for _, h := range p.parts {
				v.spare = append(v.spare, h[:0])
			}
		}
		n := copy(v.passes, v.passes[drop:])
		clear(v.passes[n:])
		v.passes = v.passes[:n]
	}
}

// collect lists the marked accounts in base order (the sort, then the
// band and member filters), word and prefix hits first, then substring,
// then fuzzy hits: one piece of base per core, each with its own three
// lists, joined group by group.
func (v *accountsView) collect() {
	base, mark := v.base, v.mark
	parts := parallel(len(base), func(part, lo, hi int) {
		g := &v.partGroups[part]
		for k := range g {
			g[k] = g[k][:0]
		}
		for _, i := range base[lo:hi] {
			if m := mark[i]; m != 0 {
				g[m-1] = append(g[m-1], i)
			}
		}
	})
	rows := v.rowsOwn[:0]
	for k := 0; k < 3; k++ {
		for part := 0; part < parts; part++ {
			rows = append(rows, v.partGroups[part][k]...)
		}
	}
	v.rows, v.rowsOwn = rows, rows
}

// parallel runs f over [0, n) in one piece per core (at most maxParts)
// when n is large enough to be worth a goroutine: matching 100,000 rows
// takes about 2 ms on one core, and a frame is 16 ms. Each piece gets its
// number, so it can write scratch of its own; parallel returns how many
// pieces ran.
func parallel(n int, f func(part, lo, hi int)) int {
	pieces := min(runtime.GOMAXPROCS(0), n/minPiece, maxParts)
	if pieces < 2 {
		f(0, 0, n)
		return 1
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
			f(p, p*n/pieces, (p+1)*n/pieces)
		}()
	}
	f(0, 0, n/pieces)
	wg.Wait()
	if r := failed.Load(); r != nil {
		panic(r)
	}
	return pieces
}

// maxParts bounds the pieces of a parallel pass (and the per-piece
// scratch the accounts view keeps).
const maxParts = 8

// minPiece is the fewest rows worth a goroutine of their own (a test
// lowers it).
var minPiece = 16 << 10

// matchTerms is a compiled query with its per-group tiers.
type matchTerms struct {
	terms []matchTerm
	gt    []matchTier // [group*len(terms)+term]
}

type matchTerm struct {
	text   string
	need   uint64   // byteMask
	pairs  pairMask // termPairs
	letter bool     // one letter or digit: the masks alone place it
}

// match marks account i when it is a hit and appends it, packed with its
// group, to out: every term must occur in the name or in the shared owner
// and segment text; a term's tier is the better of the two, and the row's
// the worst of its terms.
func (v *accountsView) match(mt *matchTerms, i int32, out []int32) []int32 {
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
			return out
		}
		worst = max(worst, best)
	}
	g := worst.group()
	v.mark[i] = 1 + g
	return append(out, i|int32(g)<<groupShift)
}

// matchRows is match over the packed hits of an earlier pass.
func (v *accountsView) matchRows(mt *matchTerms, from, out []int32) []int32 {
	for _, h := range from {
		out = v.match(mt, h&(1<<groupShift-1), out)
	}
	return out
}

// matchLetter is match for accounts lo to hi and a query of one letter or
// digit, the first key of every filter: the masks answer it, so the loop
// is a few loads a row.
func (v *accountsView) matchLetter(mt *matchTerms, lo, hi int, out []int32) []int32 {
	need, gt := mt.terms[0].need, mt.gt
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
			g := best.group()
			mark[i] = 1 + g
			out = append(out, int32(lo+i)|int32(g)<<groupShift)
		}
	}
	return out
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
	if !v.ensure() {
		v.query = q // applied once the rows are built
		return
	}
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
	if !v.ensure() {
		return 0
	}
	return len(v.rows)
}

// setMember narrows the table to one member's book (from the team view);
// nil shows everyone again.
func (v *accountsView) setMember(m *openMember) {
	ready := v.ensure()
	v.member = m
	v.query = ""
	if ready && v.p != nil {
		v.rebase()
	}
	v.tbl.setCursor(0)
}

func (v *accountsView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if !v.ensure() || v.p == nil {
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
	case key.Matches(msg, k.Band, k.Segment, k.RenewalWindow):
		keep := v.selectedID()
		switch {
		case key.Matches(msg, k.Band):
			v.band = cycle(bandFilters, v.band)
		case key.Matches(msg, k.Segment):
			v.segment = cycle(segmentFilters, v.segment)
		default:
			v.within = cycle(renewalWindows, v.within)
		}
		v.rebase()
		v.keepOrTop(keep)
	case key.Matches(msg, k.SaveView):
		return doAction{act: actSaveView}
	case key.Matches(msg, k.OpenViews):
		return openViews{}
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
	case key.Matches(msg, k.SetForecast):
		return actForecast, true
	case key.Matches(msg, k.AddTask):
		return actAddTask, true
	case key.Matches(msg, k.StartPlay):
		return actStartPlaybook, true
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
	return []key.Binding{k.Open, k.Filter, k.Sort, k.Band, k.Segment, k.RenewalWindow, k.AcctLog, k.AcctEdit, k.AcctRaise, k.AcctOverride, k.AcctImport, k.Help, k.Quit}
}

func (v *accountsView) fetch(i int) (uint64, []cell) {
	a := &v.p.Accounts[v.rows[i]]
	c := v.cell
	c[0] = plain(a.Name)
	c[1] = plain(orDash(a.OwnerName, "unassigned"))
	c[2] = plain(segmentShort(a.Segment))
	c[3] = plain(money(a.ARRCents, v.p.Settings.Currency))
	c[4] = styledCell(healthText(a.Health), v.th.band(a.Health.Band))
	c[5] = plain(a.Trend.String())
	if a.RenewalDate.IsZero() {
		c[6] = plain("—")
	} else {
		c[6] = plain(daysLeft(a.DaysToRenewal))
	}
	c[7] = plain(ago(a.LastTouch, v.p.AsOf))
	c[8] = plain(orDash(a.NPS.String(), "—"))
	if a.Flags != 0 {
		c[9] = styledCell(a.Flags.String(), v.th.Warn)
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
	if !v.ensure() {
		return "Accounts · sorting and indexing " + itoa(len(v.p.Accounts)) + " accounts…"
	}
	total := len(v.byName)
	t := itoa(len(v.rows)) + " of " + itoa(total) + " accounts"
	if v.member != nil {
		t += " · book of " + v.member.name
	}
	if v.band != "" {
		t += " · band " + bandLabel(v.band)
	}
	if v.segment != "" {
		t += " · " + humanize(string(v.segment))
	}
	if v.within > 0 {
		t += " · renewing within " + itoa(v.within) + "d"
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
	if !v.ensure() {
		return v.title() + "\n\nThe list is being built in the background (a second or two for a million accounts); a filter typed now applies once it is in."
	}
	if v.p == nil {
		return "Loading…"
	}
	empty := "No accounts."
	if v.query != "" || v.band != "" || v.member != nil {
		empty = "No account matches the filter (esc clears it)."
	}
	return v.th.Title.Render(fit(v.title(), v.w, false)) + "\n" + v.tbl.view(empty)
}

// cycle is the value after cur in list, round.
func cycle[T comparable](list []T, cur T) T {
	return list[(slices.Index(list, cur)+1)%len(list)]
}
