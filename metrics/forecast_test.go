package metrics

import (
	"math"
	"testing"
)

func TestDefaultForecast(t *testing.T) {
	for _, c := range []struct {
		band  Band
		flags Flags
		want  ForecastCategory
	}{
		{Green, 0, Commit},
		{Green, FlagRenewalRisk, Commit}, // green renews; the flag is for the review
		{Yellow, 0, Likely},
		{Yellow, FlagRenewalRisk, AtRiskRenewal},
		{Red, 0, AtRiskRenewal},
		{Unknown, 0, Likely},
	} {
		if got := DefaultForecast(c.band, c.flags); got != c.want {
			t.Errorf("DefaultForecast(%s, %v) = %s, want %s", c.band, c.flags, got, c.want)
		}
	}
}

// A quarter by hand: $100k commit renewing flat, $50k likely with a
// planned downsell to $40k, $30k at risk, $20k churn expected (0), and a
// $10k expansion to $15k. Due $210k; expected 100+40+30+0+15 = $185k;
// kept (capped at current) 100+40+30+0+10 = $180k: forecast GRR 180/210.
func TestForecastOf(t *testing.T) {
	f := ForecastOf([]ForecastRow{
		{Commit, 100_000_00, 100_000_00},
		{Likely, 50_000_00, 40_000_00},
		{AtRiskRenewal, 30_000_00, 30_000_00},
		{ChurnExpected, 20_000_00, 0},
		{Commit, 10_000_00, 15_000_00},
	})
	if f.Count != 5 || f.DueARRCents != 210_000_00 || f.ExpectedCents != 185_000_00 {
		t.Fatalf("forecast %+v", f)
	}
	if f.ByCategory[Commit] != 110_000_00 || f.ByCategory[ChurnExpected] != 20_000_00 {
		t.Errorf("by category %v", f.ByCategory)
	}
	if !f.GRR.OK || math.Abs(f.GRR.V-180.0/210) > 1e-12 {
		t.Errorf("GRR %+v, want %v", f.GRR, 180.0/210)
	}
	if e := ForecastOf(nil); e.GRR.OK || e.Count != 0 {
		t.Errorf("an empty quarter: %+v", e)
	}
}

func TestQuarterAndSums(t *testing.T) {
	first, last := Quarter(NewDate(2026, 12, 3))
	if first != NewDate(2026, 10, 1) || last != NewDate(2026, 12, 31) || QuarterName(first) != "2026-Q4" {
		t.Errorf("quarter of 2026-12-03: %s..%s %s", first, last, QuarterName(first))
	}
	if f, l := Quarter(NewDate(2027, 1, 1)); f != NewDate(2027, 1, 1) || l != NewDate(2027, 3, 31) {
		t.Errorf("quarter of 2027-01-01: %s..%s", f, l)
	}
	rows := []ForecastRow{{Commit, 100, 100}, {Likely, 50, 40}, {ChurnExpected, 20, 0}, {Commit, 10, 15}}
	var s ForecastSums
	for _, r := range rows {
		s.Add(r, 1)
	}
	s.Add(ForecastRow{AtRiskRenewal, 30, 30}, 1)
	s.Add(ForecastRow{AtRiskRenewal, 30, 30}, -1) // in and out again
	got, want := s.Finish(), ForecastOf(rows)
	if got.Count != want.Count || got.DueARRCents != want.DueARRCents || got.ExpectedCents != want.ExpectedCents || got.GRR != want.GRR {
		t.Fatalf("sums %+v, rows %+v", got, want)
	}
	for _, c := range ForecastCategories {
		if got.ByCategory[c] != want.ByCategory[c] {
			t.Errorf("%s: %d, want %d", c, got.ByCategory[c], want.ByCategory[c])
		}
	}
}

// How a renewal closed, read from its ledger on 2026-12-03. Each account
// had $100k due on 2026-09-15 (called at that ARR).
func TestRenewalOutcome(t *testing.T) {
	asOf := NewDate(2026, 12, 3)
	due := NewDate(2026, 9, 15)
	start := LedgerEntry{Date: NewDate(2025, 9, 15), ARRCents: 100_000_00, Kind: KindNew}
	call := ForecastCall{Due: due, Category: Commit, ARRCents: 100_000_00, ExpectedARRCents: 100_000_00}
	for _, c := range []struct {
		name    string
		ledger  []LedgerEntry
		call    ForecastCall
		want    Outcome
		renewed int64
	}{
		{"flat", []LedgerEntry{start, {NewDate(2026, 9, 10), 100_000_00, KindRenewal}}, call, OutcomeRenewed, 100_000_00},
		{"uplift, 30 days late", []LedgerEntry{start, {NewDate(2026, 10, 15), 110_000_00, KindRenewal}}, call, OutcomeRenewed, 110_000_00},
		{"31 days late is not this renewal", []LedgerEntry{start, {NewDate(2026, 10, 16), 110_000_00, KindRenewal}}, call, OutcomeNotRecorded, 0},
		{"downsell", []LedgerEntry{start, {NewDate(2026, 9, 15), 80_000_00, KindRenewal}}, call, OutcomeContracted, 80_000_00},
		{"churned before the date", []LedgerEntry{start, {NewDate(2026, 8, 1), 0, KindChurn}}, call, OutcomeChurned, 0},
		{"nothing recorded", []LedgerEntry{start}, call, OutcomeNotRecorded, 0},
		{"due last week: pending", []LedgerEntry{start}, ForecastCall{Due: NewDate(2026, 11, 26), ARRCents: 100_000_00}, OutcomePending, 0},
		{"a renewal after asOf is not yet", []LedgerEntry{start, {NewDate(2026, 12, 10), 100_000_00, KindRenewal}}, ForecastCall{Due: NewDate(2026, 12, 1), ARRCents: 100_000_00}, OutcomePending, 0},
	} {
		got, renewed := RenewalOutcome(c.ledger, c.call, asOf)
		if got != c.want || renewed != c.renewed {
			t.Errorf("%s: %s at %d, want %s at %d", c.name, got, renewed, c.want, c.renewed)
		}
	}
}

// A closed quarter by hand. Called: $100k commit (renewed flat), $50k
// commit (churned: a $50k miss), $40k likely expected at $30k (renewed
// at $35k: +$5k), $20k at risk (renewed with uplift at $24k: +$4k), $10k
// churn expected at 0 (churned), $30k likely (pending).
// Due 250k; expected 100+50+30+20+0+30 = 230k; renewed 100+0+35+24 = 159k;
// variance -71k. Forecast GRR: kept 100+50+30+20+0+30 = 230/250 = 92%;
// actual: 100+0+35+20 = 155/250 = 62%.
func TestReconcile(t *testing.T) {
	c := func(cat ForecastCategory, arr, exp int64, o Outcome, renewed int64) CallResult {
		return CallResult{ForecastCall{Category: cat, ARRCents: arr * 10_000, ExpectedARRCents: exp * 10_000}, o, renewed * 10_000}
	}
	r := Reconcile([]CallResult{
		c(Commit, 1000, 1000, OutcomeRenewed, 1000),
		c(Commit, 500, 500, OutcomeChurned, 0),
		c(Likely, 400, 300, OutcomeContracted, 350),
		c(AtRiskRenewal, 200, 200, OutcomeRenewed, 240),
		c(ChurnExpected, 100, 0, OutcomeChurned, 0),
		c(Likely, 300, 300, OutcomePending, 0),
	})
	if r.Count != 6 || r.Renewed != 3 || r.Pending != 1 {
		t.Fatalf("counts %+v", r)
	}
	if r.DueCents != 250_000_00 || r.ExpectedCents != 230_000_00 || r.RenewedCents != 159_000_00 || r.VarianceCents != -71_000_00 {
		t.Fatalf("sums %+v", r)
	}
	if !r.ForecastGRR.OK || math.Abs(r.ForecastGRR.V-0.92) > 1e-9 || !r.ActualGRR.OK || math.Abs(r.ActualGRR.V-0.62) > 1e-9 {
		t.Fatalf("GRR forecast %v actual %v", r.ForecastGRR, r.ActualGRR)
	}
	commit := r.ByCategory[0]
	if commit.Count != 2 || commit.Renewed != 1 || commit.DueCents != 150_000_00 || commit.ExpectedCents != 150_000_00 || commit.RenewedCents != 100_000_00 {
		t.Fatalf("commit %+v", commit)
	}
	likely := r.ByCategory[1]
	if likely.Count != 2 || likely.Renewed != 1 || likely.ExpectedCents != 60_000_00 || likely.RenewedCents != 35_000_00 {
		t.Fatalf("likely %+v", likely)
	}
	if v := c(Likely, 400, 300, OutcomeContracted, 350).Variance(); v != 5_000_00 {
		t.Fatalf("variance %d", v)
	}
	if e := Reconcile(nil); e.ForecastGRR.OK || e.ActualGRR.OK {
		t.Fatalf("an empty quarter has no GRR: %+v", e)
	}
}
