package portfolio_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

// A Scorer computes, one account at a time, exactly what Build computes for
// that account (the accounts export streams with it).
func TestScorerMatchesBuild(t *testing.T) {
	today := metrics.NewDate(2026, time.March, 18)
	now := time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)
	db := filepath.Join(t.TempDir(), "demo.db")
	if _, err := demo.Write(db, demo.Options{Accounts: 600, Seed: 5, Today: today, Now: now}); err != nil {
		t.Fatal(err)
	}
	opt := store.Options{LockTimeout: 5 * time.Second}
	// Days and instants that move scores, flags and SLA breaches about.
	for _, c := range []struct {
		asOf metrics.Date
		now  time.Time
	}{{today, now}, {today.AddDays(9), now.Add(9 * 24 * time.Hour)}, {today.AddDays(-3), now.Add(-80 * time.Hour)}} {
		err := store.View(db, opt, func(tx *store.Tx) error {
			raw, err := portfolio.ReadRaw(tx, c.asOf)
			if err != nil {
				return err
			}
			p := portfolio.Build(raw, c.asOf, c.now)
			sc, err := portfolio.ReadScorer(tx, c.asOf, c.now)
			if err != nil {
				return err
			}
			accts, err := tx.Accounts()
			if err != nil {
				return err
			}
			flagged, prev := 0, 0
			var a portfolio.Account
			for i := range accts {
				a.Account = accts[i]
				sc.Score(&a)
				want := p.Accounts[i]
				want.Fold, want.NameLen = "", 0
				portfolio.StripFigures(&want)
				if !reflect.DeepEqual(a, want) {
					t.Errorf("as of %s, account %d:\nscorer %+v\nbuild  %+v", c.asOf, a.ID, a, want)
				}
				if a.Flags != 0 {
					flagged++
				}
				if a.HasPrev {
					prev++
				}
				if m, w := sc.Member(a.OwnerID), p.Member(a.OwnerID); !reflect.DeepEqual(m, w) {
					t.Errorf("member %d: %v, want %v", a.OwnerID, m, w)
				}
			}
			if flagged == 0 || prev == 0 {
				t.Errorf("as of %s: %d accounts flagged, %d with a previous score: the case proves little", c.asOf, flagged, prev)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
