package tui

import (
	"cmp"
	"slices"
	"sync/atomic"

	"steward/store/portfolio"
)

// Sort orders made ahead (README, "Design notes", Sorting a large book).
// At a million accounts one sort from scratch takes 25-30 ms on two cores,
// two frames. Once the accounts view is built, one goroutine makes the
// ascending order of every column in the background; a press of `s` then
// reads a made order, forwards or backwards. The goroutine reads the
// accounts, so what changes them in place (the change feed's Apply, the
// clock's Retime) halts it first (halt) and starts it again after.

// sortScratch is one sort's working memory, kept between sorts.
type sortScratch struct {
	keys       []uint64
	pairs, tmp []keyed
}

// runner runs f over [0, n) in pieces (parallel, or serial pieces that
// can be stopped) and returns how many it used.
type runner func(n int, f func(part, lo, hi int)) int

// sortAsc is the live accounts (byName, the name order) ordered by column
// col's key, ascending, ties in name order: a stable radix sort of the
// name order by compact keys, not a comparison sort chasing the rows. The
// keys are made in account order, a sequential pass over the rows, then
// read in name order from the compact key slice (read in name order from
// the rows, each was a cache miss: at a million accounts, most of a
// sort's time). Descending is the same order backwards.
func sortAsc(col int, accts []portfolio.Account, byName []int32, owners func() func(uint64) uint64, s *sortScratch, run runner) []int32 {
	keyFn := sortKey(col, owners)
	s.keys = slices.Grow(s.keys[:0], len(accts))[:len(accts)]
	run(len(accts), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			s.keys[i] = keyFn(&accts[i])
		}
	})
	n := len(byName)
	s.pairs = slices.Grow(s.pairs[:0], n)[:n]
	run(n, func(_, lo, hi int) {
		for k := lo; k < hi; k++ {
			i := byName[k]
			s.pairs[k] = keyed{s.keys[i], i}
		}
	})
	s.tmp = slices.Grow(s.tmp[:0], n)[:n]
	radixSort(s.pairs, s.tmp)
	out := make([]int32, n)
	for k, p := range s.pairs {
		out[k] = p.i
	}
	return out
}

// orderMaker is one background run making the orders a view lacks.
type orderMaker struct {
	stop    atomic.Bool
	done    chan struct{}
	version uint64                            // the view's version it was started for
	orders  [numSorts]atomic.Pointer[[]int32] // each published once made
}

// startOrders makes, in the background, every column order the view does
// not hold yet for its current accounts.
func (v *accountsView) startOrders() {
	v.haltMaker()
	if v.p == nil || v.pending || v.byName == nil || v.hub != nil { // the hub makes a team's orders once (sharedAccounts)
		return
	}
	// In the order `s` cycles from the current column, so the next press
	// finds its order first.
	var want []int
	for k := 1; k <= numSorts; k++ {
		if col := (v.sortCol + k) % numSorts; v.orders[col] == nil {
			want = append(want, col)
		}
	}
	if len(want) == 0 {
		return
	}
	mk := &orderMaker{done: make(chan struct{}), version: v.version}
	accts, byName, owners := v.p.Accounts, v.byName, v.ownerRanks()
	v.maker = mk
	go func() {
		defer close(mk.done)
		defer func() { _ = recover() }() // a failed order is made again on the press that needs it
		run := stoppable(mk.stop.Load)
		var s sortScratch
		for _, col := range want {
			order := sortAsc(col, accts, byName, func() func(uint64) uint64 { return owners }, &s, run)
			if mk.stop.Load() {
				return // the last order may be unfinished
			}
			mk.orders[col].Store(&order)
		}
	}()
}

// orderPiece is how many rows a background sort reads between looks at
// its stop flag.
const orderPiece = 64 << 10

// stoppable is the runner of background sorts: serial pieces, so a halt
// waits for one piece at most and the other core stays with the screen;
// once stop says so the rest is skipped (the result is then thrown away).
func stoppable(stop func() bool) runner {
	return func(n int, f func(part, lo, hi int)) int {
		for lo := 0; lo < n && !stop(); lo += orderPiece {
			f(0, lo, min(n, lo+orderPiece))
		}
		return 1
	}
}

// halt stops the background maker, if one runs, and keeps what it made,
// and a background build of the index (prebuild.go). Whatever changes the
// accounts in place calls it first.
func (v *accountsView) halt() {
	v.stopPrebuild()
	v.haltMaker()
}

// haltMaker stops the background maker, if one runs, and keeps what it made.
func (v *accountsView) haltMaker() {
	if v.maker == nil {
		return
	}
	v.maker.stop.Store(true)
	<-v.maker.done
	v.adopt()
}

// adopt takes the orders the maker has made so far for the current
// accounts, and forgets a maker that finished.
func (v *accountsView) adopt() {
	mk := v.maker
	if mk == nil {
		return
	}
	if mk.version == v.version {
		for col := range mk.orders {
			if o := mk.orders[col].Load(); o != nil && v.orders[col] == nil {
				v.orders[col] = *o
			}
		}
	}
	select {
	case <-mk.done:
		v.maker = nil
	default: // still making
	}
}

// fixOrders moves the changed accounts (indexes into the same accounts,
// each live before and after, under the same name) to their new places in
// every order made, instead of sorting again: one pass takes them all out
// (the rest stays sorted), then a binary search by key and name order puts
// each back. It reports false (nothing done) for more changes than are
// worth it.
func (v *accountsView) fixOrders(changed []int) bool {
	if len(changed) > maxFixed {
		return false
	}
	v.halt()
	return fixOrders(&v.orders, v.p.Accounts, v.nameRank, changed, v.ownerRanks())
}

// fixOrders is accountsView.fixOrders on orders of accts, whose name
// order ranks are nameRank.
func fixOrders(orders *[numSorts][]int32, accts []portfolio.Account, nameRank []int32, changed []int, owners func(uint64) uint64) bool {
	if len(changed) > maxFixed {
		return false
	}
	moved := make([]int32, len(changed))
	for k, i := range changed {
		moved[k] = int32(i)
	}
	for col, order := range orders {
		if order == nil {
			continue
		}
		rest := order[:0]
		for _, i := range order {
			if !slices.Contains(moved, i) {
				rest = append(rest, i)
			}
		}
		if len(rest)+len(moved) != len(order) {
			return false // a changed account was not in the order
		}
		key := sortKey(col, func() func(uint64) uint64 { return owners })
		for _, i := range moved {
			k, r := key(&accts[i]), nameRank[i]
			to, _ := slices.BinarySearchFunc(rest, k, func(j int32, k uint64) int {
				if c := cmp.Compare(key(&accts[j]), k); c != 0 {
					return c
				}
				return cmp.Compare(nameRank[j], r)
			})
			rest = slices.Insert(rest, to, i) // within order's room: one was taken out for each
		}
		orders[col] = rest
	}
	return true
}

// maxFixed is the most changed accounts fixOrders moves one by one.
const maxFixed = 16

// flagsChanged says the clock moved some accounts' flags (Retime): only
// the flags column's order is stale, and a finished background build of
// the index stays good but for its order if that was the flags column.
// The table re-sorts when it is sorted by flags.
func (v *accountsView) flagsChanged() {
	v.orders[sortFlags] = nil
	if b := v.pre; b != nil && b.col == sortFlags {
		b.order = nil
	}
	if !v.pending && v.p != nil && v.sortCol == sortFlags {
		keep := v.selectedID()
		v.resort()
		v.tbl.invalidate()
		v.keepOrTop(keep)
	}
	v.startOrders()
}

// haltForClock is halt for the clock's Retime, which only changes flags:
// a background build of the index that finished is kept.
func (v *accountsView) haltForClock() {
	if b := v.pre; b != nil {
		select {
		case <-b.done:
			v.pre = nil // kept below
			defer func() { v.pre = b }()
		default:
		}
	}
	v.halt()
}

// changedRows says the accounts changed: every order made is stale.
func (v *accountsView) changedRows() {
	v.halt()
	v.version++
	clear(v.orders[:])
}
