package portfolio_test

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

var (
	feedDay = metrics.NewDate(2026, time.November, 23)
	feedNow = time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
)

// follow brings p up to date through the feed, or loads afresh when the
// feed asks for it, as the dashboard does; it reports which it did.
func follow(t *testing.T, path string, p **portfolio.Portfolio) (reloaded bool) {
	t.Helper()
	cur := *p
	var d portfolio.Delta
	err := store.View(path, store.Options{}, func(tx *store.Tx) (err error) {
		d, err = portfolio.ReadDelta(tx, cur.Seq, cur.AsOf, cur.Review.ComparedWithWeek)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Reload {
		if *p, err = portfolio.Load(path, store.Options{}, feedDay, feedNow); err != nil {
			t.Fatal(err)
		}
		return true
	}
	*p, _ = cur.Apply(d, feedNow)
	return false
}

// samePortfolio compares a followed portfolio with one loaded from
// scratch, field by field (scores, flags, KPI figures and roll-ups too).
func samePortfolio(t *testing.T, step string, got, want *portfolio.Portfolio) {
	t.Helper()
	if got.Seq != want.Seq {
		t.Fatalf("%s: seq %d, want %d", step, got.Seq, want.Seq)
	}
	if len(got.Accounts) != len(want.Accounts) {
		t.Fatalf("%s: %d accounts, want %d", step, len(got.Accounts), len(want.Accounts))
	}
	for i := range want.Accounts {
		if !reflect.DeepEqual(got.Accounts[i], want.Accounts[i]) {
			t.Fatalf("%s: account %d differs:\nfollowed %+v\nloaded   %+v", step, want.Accounts[i].ID, got.Accounts[i], want.Accounts[i])
		}
	}
	for name, pair := range map[string][2]any{
		"escalations": {got.Escalations, want.Escalations},
		"KPIs":        {got.KPIs, want.KPIs},
		"team":        {got.Team, want.Team},
		"review":      {got.Review, want.Review},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Fatalf("%s: %s differ:\nfollowed %+v\nloaded   %+v", step, name, pair[0], pair[1])
		}
	}
}

// After random writes by several writers at once (each its own open of
// the file and its own lock, as separate processes have), a portfolio
// that follows the feed equals one loaded from scratch; bulk writes, the
// roster and settings, and a reader that fell behind the kept window
// reload and still match.
func TestFollowingTheFeedMatchesALoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.db")
	if _, err := demo.Write(path, demo.Options{Accounts: 300, Seed: 3, Today: feedDay, Now: feedNow}); err != nil {
		t.Fatal(err)
	}
	p, err := portfolio.Load(path, store.Options{}, feedDay, feedNow)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, a := range p.Accounts {
		ids = append(ids, a.ID)
	}
	by := store.Actor{ID: p.Members[0].ID, Name: p.Members[0].Name}
	write := func(r *rand.Rand, n int) error {
		return store.Update(path, store.Options{LockTimeout: 10 * time.Second}, func(tx *store.Tx) error {
			id := ids[r.Intn(len(ids))]
			switch r.Intn(9) {
			case 0:
				_, err := tx.LogActivity(id, store.ActCall, fmt.Sprint("call ", n), by, feedNow)
				return err
			case 1:
				a, err := tx.Account(id)
				if err != nil {
					return err
				}
				old := a.ARRCents
				a.ARRCents += int64(r.Intn(2_000_000) + 1)
				kind, _ := store.LedgerKindFor(old, a.ARRCents)
				a.NPS = metrics.Some(r.Intn(11))
				_, err = tx.EditAccount(a, kind, by, feedNow)
				return err
			case 2:
				_, err := tx.CreateEscalation(store.NewEscalation{AccountID: id, Title: fmt.Sprint("issue ", n), Severity: store.SevHigh}, by, feedNow.Add(-time.Duration(r.Intn(48))*time.Hour))
				return err
			case 3:
				_, err := tx.SetOverride(id, metrics.Red, "exec escalation", feedDay.AddDays(30), by, feedNow)
				if err != nil && r.Intn(2) == 0 {
					return nil
				}
				return err
			case 4:
				es, err := tx.Escalations()
				if err != nil || len(es) == 0 {
					return err
				}
				e := es[r.Intn(len(es))]
				if !e.Open() {
					return nil
				}
				_, err = tx.Resolve(e.ID, "done", by, feedNow)
				return err
			case 5:
				a, err := tx.Account(id)
				if err != nil {
					return err
				}
				owner := p.Members[r.Intn(len(p.Members))]
				if !owner.Active || owner.ID == a.OwnerID {
					return nil
				}
				_, err = tx.ReassignAccount(id, owner.ID, by, feedNow)
				return err
			case 6:
				// A forecast set, changed or taken back.
				cat := metrics.ForecastCategories[r.Intn(len(metrics.ForecastCategories))]
				if err := tx.SetForecast(id, cat, []int64{-1, 0, 5_000_00}[r.Intn(3)], "forecast call", by, feedNow); err != nil {
					return err
				}
				if r.Intn(3) == 0 {
					return tx.SetForecast(id, "", 0, "", by, feedNow)
				}
				return nil
			case 7:
				// A success plan: an objective with a milestone due in
				// the past or the future, ticked or not, sometimes at
				// risk (the plan-at-risk flag follows).
				o, err := tx.AddObjective(id, fmt.Sprint("objective ", n), 0, metrics.ObjectiveStatuses[r.Intn(4)], by, feedNow)
				if err != nil {
					return err
				}
				m, err := tx.AddMilestone(id, o.ID, "milestone", feedDay.AddDays(r.Intn(20)-10), by, feedNow)
				if err != nil || r.Intn(2) == 0 {
					return err
				}
				return tx.SetMilestoneDone(id, m.ID, true, by, feedNow)
			default:
				return tx.PutAccount(&store.Account{Name: fmt.Sprint("New Co ", n), ARRCents: 12_000_00, Seats: 10, ActiveUsers: metrics.Some(5)})
			}
		})
	}
	r := rand.New(rand.NewSource(11))
	reloads := 0
	for round := 0; round < 12; round++ {
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for w := 0; w < 3; w++ {
			wr := rand.New(rand.NewSource(r.Int63()))
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for k := 0; k < 4; k++ {
					if err := write(wr, round*100+w*10+k); err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if follow(t, path, &p) {
			reloads++
		}
		want, err := portfolio.Load(path, store.Options{}, feedDay, feedNow)
		if err != nil {
			t.Fatal(err)
		}
		samePortfolio(t, fmt.Sprint("round ", round), p, want)
	}
	if reloads != 0 {
		t.Fatalf("%d rounds of listed changes reloaded instead of applying", reloads)
	}

	// What the feed cannot list asks for a reload, and the result matches.
	for name, fn := range map[string]func(tx *store.Tx) error{
		"settings": func(tx *store.Tx) error { _, err := tx.SetSetting("bands.green", "72", by, feedNow); return err },
		"roster": func(tx *store.Tx) error {
			_, err := tx.AddMember(store.Member{Name: "Nia New", Role: store.RoleAccountManager}, by, feedNow)
			return err
		},
		"bulk": func(tx *store.Tx) error {
			for i := 0; i < 600; i++ {
				if err := tx.PutAccount(&store.Account{Name: fmt.Sprint("Bulk ", i)}); err != nil {
					return err
				}
			}
			return nil
		},
	} {
		if err := store.Update(path, store.Options{}, fn); err != nil {
			t.Fatal(err)
		}
		if !follow(t, path, &p) {
			t.Fatalf("%s: applied instead of reloading", name)
		}
		want, _ := portfolio.Load(path, store.Options{}, feedDay, feedNow)
		samePortfolio(t, name, p, want)
	}

	// A reader behind the kept window reloads.
	kept := store.KeptChanges
	store.KeptChanges = 3
	defer func() { store.KeptChanges = kept }()
	wr := rand.New(rand.NewSource(99))
	for k := 0; k < 6; k++ {
		if err := write(wr, 9000+k); err != nil {
			t.Fatal(err)
		}
	}
	if !follow(t, path, &p) {
		t.Fatal("a reader six changes behind a window of three applied instead of reloading")
	}
	want, _ := portfolio.Load(path, store.Options{}, feedDay, feedNow)
	samePortfolio(t, "behind the window", p, want)
}
