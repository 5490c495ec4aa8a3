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
