package tui

import (
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"

	"steward/store/portfolio"
)

// The accounts view's index (accountIndex: the filter's arena and masks,
// the name order) and the current column's order take 1.3 s at a million
// accounts, 0.13 s at 100,000: built on the screen's goroutine right
// after the first frame, they held every key pressed in that time. So
// the first frame (and each reload) starts them on a goroutine of their
// own; keys on other screens go through at once, the accounts view says
// it is building until builtMsg brings the index in (README, "Design
// notes", First frame). Like the sort orders made ahead
// (sortorders.go), the build reads the accounts, so whatever changes them
// in place halts it first.
type prebuild struct {
	stop  atomic.Bool
	done  chan struct{}
	p     *portfolio.Portfolio
	ok    bool         // built whole (read after done)
	ix    accountIndex // the index
	col   int          // the column order is for
	order []int32      // its ascending order, nil when not made
}

// buildHook runs as a background build starts (a test holds it back).
var buildHook = func() {}

// builtMsg says a background build finished (prebuild's command).
type builtMsg struct{ b *prebuild }

func (b *prebuild) finished() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// prebuild starts building the index of the view's portfolio, if it is
// still to be built and no build of it runs, and returns the command
// that reports its end (builtMsg), or nil.
func (v *accountsView) prebuild() tea.Cmd {
	if !v.pending || v.p == nil || (v.pre != nil && v.pre.p == v.p) || v.hub != nil {
		return nil // a team's index is the hub's (sharedAccounts)
	}
	v.stopPrebuild()
	v.p.Folds() // writes the accounts: here, before the goroutine reads them
	b := &prebuild{done: make(chan struct{}), p: v.p, col: v.sortCol}
	accts, owners := v.p.Accounts, v.ownerRanks()
	v.pre = b
	hook := buildHook
	go func() {
		defer close(b.done)
		defer func() { _ = recover() }() // a failed build is made again where it is needed
		hook()
		stop := b.stop.Load
		if !b.ix.build(accts, stop) {
			return
		}
		var s sortScratch
		order := sortAsc(b.col, accts, b.ix.byName, func() func(uint64) uint64 { return owners }, &s, stoppable(stop))
		if !stop() {
			b.order = order
		}
		b.ok = true
	}()
	return func() tea.Msg {
		<-b.done
		return builtMsg{b}
	}
}

// built takes in a finished background build, if it is still the one for
// the view's portfolio.
func (v *accountsView) built(b *prebuild) {
	if v.pre == b && b.p == v.p {
		v.ensure()
	}
}

// takePrebuilt returns the finished build of the view's portfolio, or nil
// (and stops a build of another portfolio). ensure calls it only once the
// build is done, so it does not wait.
func (v *accountsView) takePrebuilt() *prebuild {
	b := v.pre
	if b == nil {
		return nil
	}
	v.pre = nil
	if b.p != v.p {
		b.stop.Store(true)
		<-b.done
		return nil
	}
	<-b.done
	if !b.ok {
		return nil
	}
	return b
}

// stopPrebuild stops a build that runs and forgets it.
func (v *accountsView) stopPrebuild() {
	if b := v.pre; b != nil {
		b.stop.Store(true)
		<-b.done
		v.pre = nil
	}
}
