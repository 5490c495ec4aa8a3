package metrics

import (
	"fmt"
	"time"
)

// ForecastCategory is how a renewal is expected to close.
type ForecastCategory string

const (
	Commit        ForecastCategory = "commit"
	Likely        ForecastCategory = "likely"
	AtRiskRenewal ForecastCategory = "at_risk"
	ChurnExpected ForecastCategory = "churn_expected"
)

// ForecastCategories lists the categories, surest first.
var ForecastCategories = []ForecastCategory{Commit, Likely, AtRiskRenewal, ChurnExpected}

// Valid reports whether c is a category.
func (c ForecastCategory) Valid() bool {
	for _, v := range ForecastCategories {
		if c == v {
			return true
		}
	}
	return false
}

// DefaultForecast is a renewal's category when its owner has not set one:
// from the health band, a red account at risk, a yellow one likely (at
// risk when a renewal-risk flag says its renewal is near), a green one
// commit; no data is likely. Churn is expected only by someone's word.
func DefaultForecast(band Band, flags Flags) ForecastCategory {
	switch band {
	case Red:
		return AtRiskRenewal
	case Yellow:
		if flags&FlagRenewalRisk != 0 {
			return AtRiskRenewal
		}
		return Likely
	case Green:
		return Commit
	}
	return Likely
}

// ForecastRow is one renewal in a forecast: its ARR now and the ARR it
// is expected to renew at.
type ForecastRow struct {
	Category         ForecastCategory
	ARRCents         int64
	ExpectedARRCents int64
}

// Forecast sums a period's renewals by category.
type Forecast struct {
	Count         int
	DueARRCents   int64
	ByCategory    map[ForecastCategory]int64 // current ARR of the renewals in each
	ExpectedCents int64                      // what they are expected to renew at
	// GRR is the forecast gross retention of the ARR due: each renewal's
	// expected ARR, capped at its current ARR, over the ARR due; n/a when
	// nothing is due.
	GRR Ratio
}

// ForecastOf sums rows.
func ForecastOf(rows []ForecastRow) Forecast {
	f := Forecast{ByCategory: map[ForecastCategory]int64{}}
	var kept int64
	for _, r := range rows {
		f.Count++
		f.DueARRCents += r.ARRCents
		f.ByCategory[r.Category] += r.ARRCents
		exp := max(r.ExpectedARRCents, 0)
		f.ExpectedCents += exp
		kept += min(exp, r.ARRCents)
	}
	f.GRR = ratio(float64(kept), float64(f.DueARRCents))
	return f
}

// Quarter is the calendar quarter holding d: its first and last day.
func Quarter(d Date) (first, last Date) {
	t := d.Time()
	m := (int(t.Month())-1)/3*3 + 1
	first = NewDate(t.Year(), time.Month(m), 1)
	return first, first.AddMonths(3).AddDays(-1)
}

// QuarterName is "2027-Q1".
func QuarterName(first Date) string {
	t := first.Time()
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// ForecastSums is the additive form of Forecast (a portfolio keeps one
// per period and follows changes account by account).
type ForecastSums struct {
	Count    int
	Due      int64
	Expected int64
	Kept     int64
	ByCat    [4]int64 // ForecastCategories order
}

// Add adds one renewal (sign 1) or takes it out (-1).
func (s *ForecastSums) Add(r ForecastRow, sign int) {
	s64 := int64(sign)
	exp := max(r.ExpectedARRCents, 0)
	s.Count += sign
	s.Due += s64 * r.ARRCents
	s.Expected += s64 * exp
	s.Kept += s64 * min(exp, r.ARRCents)
	for i, c := range ForecastCategories {
		if c == r.Category {
			s.ByCat[i] += s64 * r.ARRCents
		}
	}
}

// Finish turns the sums into a Forecast.
func (s ForecastSums) Finish() Forecast {
	f := Forecast{Count: s.Count, DueARRCents: s.Due, ExpectedCents: s.Expected, ByCategory: map[ForecastCategory]int64{}, GRR: ratio(float64(s.Kept), float64(s.Due))}
	for i, c := range ForecastCategories {
		f.ByCategory[c] = s.ByCat[i]
	}
	return f
}

// ForecastCall is one renewal as a weekly forecast snapshot recorded it:
// when it was due, how its owner (or the band) called it, the ARR it had
// and the ARR it was expected to renew at.
type ForecastCall struct {
	Due              Date
	Category         ForecastCategory
	ARRCents         int64
	ExpectedARRCents int64
}

// Outcome is how a renewal closed, as the ledger tells it.
type Outcome uint8

const (
	// OutcomePending: due within the last RenewalWindowDays and nothing
	// recorded yet; it counts as not renewed until something is.
	OutcomePending    Outcome = iota
	OutcomeRenewed            // at the ARR it was called with, or more
	OutcomeContracted         // renewed, lower
	OutcomeChurned
	// OutcomeNotRecorded: past the window with neither a renewal nor a
	// churn in the ledger; counted as not renewed, as the renewal rate
	// counts it.
	OutcomeNotRecorded
)

var outcomeNames = [...]string{"pending", "renewed", "contracted", "churned", "not recorded"}

func (o Outcome) String() string { return outcomeNames[o] }

// RenewalOutcome reads, on day asOf, how the renewal of call closed from
// the account's ledger (sorted by date): a renewal or expansion entry
// within RenewalWindowDays of the due date is the renewal (as for the
// renewal rate), at that entry's ARR; without one, an account at no ARR
// has churned. It returns the outcome and the ARR renewed.
func RenewalOutcome(ledger []LedgerEntry, call ForecastCall, asOf Date) (Outcome, int64) {
	if r := renewalOf(ledger, call.Due); r != nil && r.Date <= asOf && r.ARRCents > 0 {
		if r.ARRCents < call.ARRCents {
			return OutcomeContracted, r.ARRCents
		}
		return OutcomeRenewed, r.ARRCents
	}
	switch {
	case len(ledger) > 0 && ARRAt(ledger, asOf) <= 0:
		return OutcomeChurned, 0
	case asOf.Sub(call.Due) <= RenewalWindowDays:
		return OutcomePending, 0
	}
	return OutcomeNotRecorded, 0
}

// CallResult is a call with what became of it.
type CallResult struct {
	ForecastCall
	Outcome      Outcome
	RenewedCents int64
}

// Variance is what renewed less what was expected: negative, a shortfall.
func (r CallResult) Variance() int64 { return r.RenewedCents - max(r.ExpectedARRCents, 0) }

// CategoryResult sums one category's calls and what they renewed at.
type CategoryResult struct {
	Count, Renewed                        int
	DueCents, ExpectedCents, RenewedCents int64
}

// Reconciliation is a closed quarter's forecast against its actuals, over
// the same renewals: the ones the forecast listed, each with the ARR it
// had when called, so both GRRs share one denominator.
type Reconciliation struct {
	Count, Renewed, Pending int
	DueCents                int64
	ExpectedCents           int64             // what the calls expected
	RenewedCents            int64             // what renewed (uncapped: an uplift shows)
	ForecastGRR, ActualGRR  Ratio             // each capped at the ARR due, over it
	VarianceCents           int64             // RenewedCents - ExpectedCents
	ByCategory              [4]CategoryResult // ForecastCategories order
}

// Reconcile sums results.
func Reconcile(results []CallResult) Reconciliation {
	var s ReconcileSums
	for _, c := range results {
		s.Add(c)
	}
	return s.Finish()
}

// ReconcileSums is Reconcile's additive form, for a reader that meets the
// calls one by one and keeps none of them.
type ReconcileSums struct {
	r            Reconciliation
	keptF, keptA int64
}

// Add adds one call and its outcome.
func (s *ReconcileSums) Add(c CallResult) {
	r := &s.r
	exp := max(c.ExpectedARRCents, 0)
	renewed := c.Outcome == OutcomeRenewed || c.Outcome == OutcomeContracted
	r.Count++
	r.DueCents += c.ARRCents
	r.ExpectedCents += exp
	r.RenewedCents += c.RenewedCents
	s.keptF += min(exp, c.ARRCents)
	s.keptA += min(c.RenewedCents, c.ARRCents)
	if renewed {
		r.Renewed++
	}
	if c.Outcome == OutcomePending {
		r.Pending++
	}
	for i, cat := range ForecastCategories {
		if cat != c.Category {
			continue
		}
		b := &r.ByCategory[i]
		b.Count++
		b.DueCents += c.ARRCents
		b.ExpectedCents += exp
		b.RenewedCents += c.RenewedCents
		if renewed {
			b.Renewed++
		}
	}
}

// Finish is the reconciliation of the calls added.
func (s ReconcileSums) Finish() Reconciliation {
	r := s.r
	r.VarianceCents = r.RenewedCents - r.ExpectedCents
	r.ForecastGRR = ratio(float64(s.keptF), float64(r.DueCents))
	r.ActualGRR = ratio(float64(s.keptA), float64(r.DueCents))
	return r
}
