package portfolio

import (
	"math"
	"reflect"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// A quarter of the fixture (2026-Q2) called, closed and reconciled. The
// renewals due in it: Foxtrot 04-17 ($15k), Beta 05-17 ($30k), Echo 06-09
// ($10k), Hotel 06-10 ($40k), Gamma 06-13 ($20k), Golf 06-16 ($25k),
// Delta 06-17 ($200k); Acme renews in Q4.
//
// Opening call (W15, Mon 04-06): Foxtrot commit, Beta likely, Echo churn
// expected, Hotel from its band (expected: its ARR), Gamma at risk, Golf
// commit, Delta likely at a $180k downsell. Due $340k, expected $310k,
// kept 310k: forecast GRR 91.18%.
//
// What happened: Foxtrot renewed flat (0), Beta churned (-30k), Echo and
// Golf recorded nothing (0, -25k), Hotel renewed at $30k (-10k), Gamma
// at $22k (+2k), Delta expanded to $250k within 30 days (+70k). Renewed
// 15+30+22+250 = $317k, variance +$7k; actual GRR (capped) 15+30+20+200
// = 265/340 = 77.94%; 4 renewed.
//
// Closing call (W25, Mon 06-15): Foxtrot renewed and Beta churned by
// then, so they count at what they renewed at (15, 0); Golf is now called
// churn expected. Expected 0+40+20+0+180+15+0 = $255k: GRR 75%.
func TestReconcileAClosedQuarter(t *testing.T) {
	path := writeFixtureDB(t, fixture())
	at := func(d string) time.Time { return mustDate(d).Time().Add(10 * time.Hour) }
	zoe := store.Actor{ID: mZoe, Name: "Zoe Lead"}
	update := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := store.Update(path, opt0, fn); err != nil {
			t.Fatal(err)
		}
	}
	call := func(tx *store.Tx, id uint64, c metrics.ForecastCategory, exp int64, when string) error {
		return tx.SetForecast(id, c, exp, "as agreed", zoe, at(when))
	}
	update(func(tx *store.Tx) error {
		for _, c := range []struct {
			id  uint64
			cat metrics.ForecastCategory
			exp int64
		}{{aFoxtrot, metrics.Commit, -1}, {aBeta, metrics.Likely, -1}, {aEcho, metrics.ChurnExpected, -1},
			{aGamma, metrics.AtRiskRenewal, -1}, {aGolf, metrics.Commit, -1}, {aDelta, metrics.Likely, 18_000_000}} {
			if err := call(tx, c.id, c.cat, c.exp, "2026-04-01"); err != nil {
				return err
			}
		}
		return nil
	})
	open := mustDate("2026-04-06")
	if res, err := TakeSnapshot(path, opt0, open, true); err != nil || res.Accounts == 0 {
		t.Fatalf("opening snapshot: %+v %v", res, err)
	}
	// The week already has both: an automatic snapshot does nothing.
	if res, err := TakeSnapshot(path, opt0, open, true); err != nil || res.Accounts != 0 {
		t.Fatalf("second automatic snapshot: %+v %v", res, err)
	}
	then, err := Load(path, opt0, open, at("2026-04-06"))
	if err != nil {
		t.Fatal(err)
	}
	hotelThen := then.Account(aHotel).Forecast

	ledger := func(tx *store.Tx, id uint64, d string, arr int64, k metrics.LedgerKind) error {
		return tx.AppendLedger(&store.LedgerEntry{AccountID: id, Date: mustDate(d), ARRCents: arr, Kind: k})
	}
	update(func(tx *store.Tx) error {
		if err := ledger(tx, aFoxtrot, "2026-04-17", 1_500_000, metrics.KindRenewal); err != nil {
			return err
		}
		f, err := tx.Account(aFoxtrot)
		if err != nil {
			return err
		}
		f.RenewalDate = mustDate("2027-04-17")
		if err := tx.PutAccount(&f); err != nil {
			return err
		}
		if err := ledger(tx, aBeta, "2026-05-20", 0, metrics.KindChurn); err != nil {
			return err
		}
		b, err := tx.Account(aBeta)
		if err != nil {
			return err
		}
		b.ARRCents, b.Lifecycle = 0, store.Churned
		if err := tx.PutAccount(&b); err != nil {
			return err
		}
		return call(tx, aGolf, metrics.ChurnExpected, -1, "2026-06-12")
	})
	if _, err := TakeSnapshot(path, opt0, mustDate("2026-06-15"), false); err != nil {
		t.Fatal(err)
	}
	update(func(tx *store.Tx) error {
		for _, l := range []struct {
			id  uint64
			d   string
			arr int64
			k   metrics.LedgerKind
		}{{aHotel, "2026-06-10", 3_000_000, metrics.KindRenewal}, {aGamma, "2026-06-13", 2_200_000, metrics.KindRenewal},
			{aDelta, "2026-07-15", 25_000_000, metrics.KindExpansion}} {
			if err := ledger(tx, l.id, l.d, l.arr, l.k); err != nil {
				return err
			}
		}
		return nil
	})

	p, err := Load(path, opt0, mustDate("2026-07-20"), at("2026-07-20"))
	if err != nil {
		t.Fatal(err)
	}
	var q QuarterCalls
	if err := store.View(path, opt0, func(tx *store.Tx) (err error) {
		q, err = ReadQuarterCalls(tx, PrevQuarter(p.AsOf))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if q.First != mustDate("2026-04-01") || q.Weeks != 2 || q.FirstWeek != metrics.WeekOf(open) || q.LastWeek != metrics.WeekOf(mustDate("2026-06-15")) {
		t.Fatalf("the closed quarter's calls: %+v", q)
	}
	r := p.Reconcile(q)
	s := r.Sums
	if s.Count != 7 || s.DueCents != 34_000_000 || s.ExpectedCents != 31_000_000 || s.RenewedCents != 31_700_000 || s.VarianceCents != 700_000 || s.Renewed != 4 || s.Pending != 0 {
		t.Fatalf("sums %+v", s)
	}
	near := func(r metrics.Ratio, want float64) bool { return r.OK && math.Abs(r.V-want) < 1e-9 }
	if !near(s.ForecastGRR, 310.0/340) || !near(s.ActualGRR, 265.0/340) {
		t.Fatalf("GRR forecast %v actual %v", s.ForecastGRR, s.ActualGRR)
	}
	if r.Closing.ExpectedCents != 25_500_000 || !near(r.Closing.GRR, 0.75) {
		t.Fatalf("closing call %+v", r.Closing)
	}
	// Shortfalls first (largest first), then upsides, then as called.
	wantOrder := []struct {
		id       uint64
		outcome  metrics.Outcome
		variance int64
	}{
		{aBeta, metrics.OutcomeChurned, -3_000_000}, {aGolf, metrics.OutcomeNotRecorded, -2_500_000}, {aHotel, metrics.OutcomeContracted, -1_000_000},
		{aDelta, metrics.OutcomeRenewed, 7_000_000}, {aGamma, metrics.OutcomeRenewed, 200_000},
		{aEcho, metrics.OutcomeNotRecorded, 0}, {aFoxtrot, metrics.OutcomeRenewed, 0},
	}
	for i, w := range wantOrder {
		row := r.Rows[i]
		if row.AccountID != w.id || row.Outcome != w.outcome || row.Variance() != w.variance || p.Accounts[row.Account].ID != w.id {
			t.Errorf("row %d: account %d %s %d, want %d %s %d", i, row.AccountID, row.Outcome, row.Variance(), w.id, w.outcome, w.variance)
		}
	}
	// The snapshot calls an account as the renewals view did that day.
	for _, row := range r.Rows {
		if row.AccountID == aHotel && (row.Category != hotelThen || row.Set) {
			t.Errorf("Hotel was called %s (set %v); the view said %s", row.Category, row.Set, hotelThen)
		}
		if row.AccountID == aDelta && (!row.Set || row.ExpectedARRCents != 18_000_000) {
			t.Errorf("Delta's call %+v", row)
		}
	}
	// The report says the same, and lists the surprises: the three
	// shortfalls and Gamma, called at risk, renewed; not Delta's expansion
	// of a renewal called likely.
	j := p.ForecastVsActual(q)
	if streamed, err := LoadReport(path, opt0, p.AsOf, p.Now); err != nil || !reflect.DeepEqual(streamed.ForecastVsActual, j) {
		t.Fatalf("the streamed report's forecast versus actual %+v (%v), want %+v", streamed.ForecastVsActual, err, j)
	}
	if j == nil || j.Quarter != "2026-Q2" || j.Renewals != 7 || j.VarianceARRCents != 700_000 || len(j.Variances) != 4 ||
		j.Variances[0].Account != "Beta" || j.Variances[0].Outcome != "churned" || j.Variances[3].Account != "Gamma" {
		t.Fatalf("report %+v", j)
	}
	// A week whose forecast snapshot is missing (a file from before them)
	// gets one from the automatic snapshot, and its scores stay.
	update(func(tx *store.Tx) error { return tx.PutForecastWeek(metrics.WeekOf(open), nil) })
	if res, err := TakeSnapshot(path, opt0, open, true); err != nil || res.Accounts != 0 || res.Replaced {
		t.Fatalf("forecast-only snapshot: %+v %v", res, err)
	}
	if err := store.View(path, opt0, func(tx *store.Tx) error {
		calls, err := tx.ForecastWeek(metrics.WeekOf(open))
		if len(calls) != 5 { // Foxtrot renewed (its date moved on) and Beta churned since
			t.Errorf("retaken opening call has %d renewals", len(calls))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
