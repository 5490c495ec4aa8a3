package tui

import (
	"slices"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// waitOrders builds the view if a load left it for its first use, waits
// for its background maker, if one runs, and takes what it made.
func waitOrders(v *accountsView) {
	v.ensure()
	if v.maker != nil {
		<-v.maker.done
		v.adopt()
	}
}

// The orders made in the background are the orders a press would make,
// and once they are made no press of `s` or `S` sorts anything.
func TestOrdersMadeAheadAreThePressesOrders(t *testing.T) {
	m := loaded(t, fixturePath(t, 3000), 120, 40)
	press(m, "3")
	v := m.accounts
	waitOrders(v)
	for col := range numSorts {
		if v.orders[col] == nil {
			t.Fatalf("no order made ahead for %s", accountCols[col].title)
		}
		var s sortScratch
		want := sortAsc(col, m.p.Accounts, v.byName, v.ownerRanks, &s, parallel)
		if !slices.Equal(v.orders[col], want) {
			t.Fatalf("the order made ahead for %s differs from a press's", accountCols[col].title)
		}
	}
	v.scratch = sortScratch{}
	for range 2 * numSorts {
		press(m, "s")
		press(m, "S")
		if want := sortedOrder(v); !slices.Equal(v.base, want) {
			t.Fatalf("after s, S on %s the rows are not the column's order", accountCols[v.sortCol].title)
		}
	}
	if v.scratch.keys != nil {
		t.Fatal("a press sorted from scratch though every order was made ahead")
	}
}

// The change feed and the clock change accounts in place: the background
// maker is stopped first (the race detector watches), and the orders are
// made again for the changed accounts.
func TestOrdersFollowTheFeedAndTheClock(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	v := m.accounts
	for round := range 4 {
		// A change through the feed while the maker may still run.
		v.changedRows()
		v.startOrders()
		if round == 0 {
			waitOrders(v) // and once after it finished
		}
		id := m.p.Accounts[round].ID
		// Round 3 changes three accounts in one write: each moves while
		// the others are already changed.
		ids := []uint64{id}
		if round == 3 {
			ids = append(ids, m.p.Accounts[10].ID, m.p.Accounts[20].ID)
		}
		version := v.version
		changeElsewhere(t, m, path, func(k int, a *store.Account) {
			a.ARRCents = int64(round+1)*1_000_000_000 - int64(k)*7_000_000        // larger each round
			a.NPS, a.LastTouch = metrics.Some(round+k), fixAsOf.AddDays(-round-k) // more columns move
		}, ids...)
		if m.p.Account(id).ARRCents < 1_000_000_000 {
			t.Fatal("the change did not arrive")
		}
		if v.version != version {
			t.Fatalf("round %d: one changed account threw the orders away instead of moving it in them", round)
		}
		waitOrders(v)
		for col := range numSorts {
			var s sortScratch
			if want := sortAsc(col, m.p.Accounts, v.byName, v.ownerRanks, &s, parallel); !slices.Equal(v.orders[col], want) {
				t.Fatalf("round %d: the %s order is not a fresh sort's after the change", round, accountCols[col].title)
			}
		}
		if last := v.orders[sortARR][len(v.orders[sortARR])-1]; m.p.Accounts[last].ID != id {
			t.Fatalf("round %d: the largest account is %d, want the changed %d", round, m.p.Accounts[last].ID, id)
		}
		if want := sortedOrder(v); !slices.Equal(v.base, want) {
			t.Fatalf("round %d: the rows are not the sort column's order", round)
		}
	}
	// The clock: a retime while the maker runs.
	v.changedRows()
	v.startOrders()
	m.retime(fixNow.Add(3 * 24 * time.Hour))
	waitOrders(v)
}
