package portfolio_test

import (
	"path/filepath"
	"reflect"
	"testing"

	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

// LoadBandWeeksOf, looking each account of a book up week by week,
// counts what LoadBandWeeks counts scanning each week whole: for every
// member's book, the Unassigned pool, one account and the whole
// portfolio.
func TestLoadBandWeeksOfAgreesWithLoadBandWeeks(t *testing.T) {
	path, p := bandWeeksFixture(t)
	scopes := []portfolio.Scope{{}}
	zero := uint64(0)
	scopes = append(scopes, portfolio.Scope{Owner: &zero})
	for _, m := range p.Members {
		id := m.ID
		scopes = append(scopes, portfolio.Scope{Owner: &id})
	}
	scopes = append(scopes, portfolio.Scope{AccountID: p.Accounts[0].ID})
	nonEmpty := 0
	for _, s := range scopes {
		want, err := portfolio.LoadBandWeeks(path, store.Options{}, p, s, portfolio.TrendWeeks)
		if err != nil {
			t.Fatal(err)
		}
		got, err := portfolio.LoadBandWeeksOf(path, store.Options{}, p.AsOf, p.ScopeIDs(s), portfolio.TrendWeeks)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scope %+v: by account %+v, by week %+v", s, got, want)
		}
		for _, w := range got {
			if w.Green+w.Yellow+w.Red+w.Unknown > 0 {
				nonEmpty++
				break
			}
		}
	}
	if nonEmpty < 3 {
		t.Fatalf("only %d scopes had snapshots: the fixture tests nothing", nonEmpty)
	}
}

// bandWeeksFixture is a demo book of 400 accounts with its weekly
// snapshots, and its portfolio.
func bandWeeksFixture(t *testing.T) (string, *portfolio.Portfolio) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bands.db")
	if _, err := demo.Write(path, demo.Options{Accounts: 400, Seed: 7, Today: feedDay, Now: feedNow}); err != nil {
		t.Fatal(err)
	}
	p, err := portfolio.Load(path, store.Options{}, feedDay, feedNow)
	if err != nil {
		t.Fatal(err)
	}
	return path, p
}
