package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"steward/store"
)

// The index built in the background after a frame is the index built on
// the spot; a change through the feed while it is being built stops it
// first (the race detector watches), and the view then shows the change.
func TestPrebuildStopsForTheFeedAndMatchesAFreshBuild(t *testing.T) {
	m, path := triage(t)
	for round := range 3 {
		m.accounts.SetPortfolio(m.p) // as a reload leaves it
		m.Update(warmMsg{})
		if m.accounts.pre == nil {
			t.Fatal("warmMsg started no build")
		}
		if round == 0 {
			<-m.accounts.pre.done // and once after it finished
		}
		changeElsewhere(t, m, path, func(_ int, a *store.Account) { a.ARRCents = int64(round+1) * 1_000_000_000 }, m.p.Accounts[round].ID)
		press(m, "3")
		fresh := loaded(t, path, 120, 40)
		press(fresh, "3")
		var got, want []uint64
		for _, i := range m.accounts.rows {
			got = append(got, m.p.Accounts[i].ID)
		}
		for _, i := range fresh.accounts.rows {
			want = append(want, fresh.p.Accounts[i].ID)
		}
		if !slices.Equal(got, want) || !slices.Equal(m.accounts.arena, fresh.accounts.arena) {
			t.Fatalf("round %d: the view after a build stopped by the feed differs from a fresh one's", round)
		}
		press(m, "1")
	}
}

// The clock's minute tick changes only flags: a finished background build
// of the index is kept (only a flags order it made goes), and a running
// one, stopped for the tick, starts again.
func TestClockKeepsTheBackgroundBuild(t *testing.T) {
	m, _ := triage(t)
	m.accounts.SetPortfolio(m.p)
	m.Update(warmMsg{})
	pre := m.accounts.pre
	<-pre.done
	m.retime(fixNow.Add(time.Minute))
	if m.accounts.pre != pre {
		t.Fatal("a minute tick threw away the finished build of the index")
	}
	// A later tick that breaches SLAs changes flags: the build stays,
	// and the flags order it made does not.
	m.accounts.pre.col, m.accounts.pre.order = sortFlags, []int32{0}
	m.retime(fixNow.Add(30 * 24 * time.Hour))
	if m.accounts.pre != pre || pre.order != nil {
		t.Fatalf("after flags changed: build kept %v, flags order %v", m.accounts.pre == pre, pre.order)
	}
	m.accounts.SetPortfolio(m.p)
	m.Update(warmMsg{})
	cmd := m.retime(fixNow.Add(2 * time.Minute))
	if m.accounts.pre == nil || !m.accounts.pending {
		t.Fatal("a tick during the build left no build")
	}
	drive(m, cmd)
	press(m, "3")
	if len(m.accounts.rows) == 0 {
		t.Fatal("no rows after the build")
	}
}

// While the index is still being built, the accounts view opens at once
// and says so; the filter typed meanwhile waits, and applies once the
// build is in (builtMsg). Nothing blocks the screen's goroutine.
func TestAccountsViewDoesNotWaitForTheBuild(t *testing.T) {
	m, _ := triage(t)
	release := make(chan struct{})
	defer func(h func()) { buildHook = h }(buildHook)
	buildHook = func() { <-release }
	m.accounts.SetPortfolio(m.p)
	_, wait := m.Update(warmMsg{})
	if wait == nil {
		t.Fatal("warmMsg started no build")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		press(m, "3")
		mustContain(t, screen(m), "being built")
		press(m, "/")
		typeText(m, "a")
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("the accounts view waited for the build")
	}
	if m.accounts.Matches() != 0 || !m.accounts.pending {
		t.Fatal("rows before the build was in")
	}
	close(release)
	drive(m, wait)
	if !strings.Contains(screen(m), "/a") || m.accounts.Matches() == 0 {
		t.Fatalf("the filter typed during the build did not apply:\n%s", screen(m))
	}
	for _, i := range m.accounts.rows {
		if a := &m.p.Accounts[i]; !strings.Contains(strings.ToLower(a.Name+" "+a.OwnerName+" "+string(a.Segment)), "a") {
			t.Fatalf("row %q does not match the filter", a.Name)
		}
	}
}
