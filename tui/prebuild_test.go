package tui

import (
	"slices"
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
		id := m.p.Accounts[round].ID
		err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
			a, err := tx.Account(id)
			if err != nil {
				return err
			}
			old := a.ARRCents
			a.ARRCents = int64(round+1) * 1_000_000_000
			kind, _ := store.LedgerKindFor(old, a.ARRCents)
			_, err = tx.EditAccount(a, kind, store.Actor{Name: "cron"}, fixNow)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, cmd := m.Update(statMsg{statOf(path)})
		drive(m, cmd)
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
	running := m.accounts.pre
	m.retime(fixNow.Add(2 * time.Minute))
	if m.accounts.pre == nil || !m.accounts.pending {
		t.Fatal("a tick during the build left no build")
	}
	_ = running
	press(m, "3")
	if len(m.accounts.rows) == 0 {
		t.Fatal("no rows after the build")
	}
}
