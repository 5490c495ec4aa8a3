package metrics

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
