package portfolio

import "steward/metrics"

// Trends are the series the leadership report's charts and the
// dashboard's Trends view draw (README, "Trends and charts"). Every list
// is oldest first. Its JSON form is part of the report's stable
// interface: keys are only ever added.
type Trends struct {
	// Quarters are the trailing eight calendar quarters' NRR and GRR, the
	// last one the current quarter to date; a quarter whose cohort is
	// empty has null ratios.
	Quarters []PeriodKPI `json:"quarters"`
	// ARRMonths is the live ARR at the end of each of the last twelve
	// months, the last one at as_of.
	ARRMonths []MonthARR `json:"arr_by_month"`
	// Bridge moves the ARR from the report window's start to its end.
	Bridge ARRBridge `json:"arr_bridge"`
	// BandWeeks is the band mix of each of the last 13 weekly snapshots.
	BandWeeks []BandWeek `json:"band_mix_by_week"`
	// EscalationWeeks counts the escalations open at the end of each of
	// the last 13 weeks.
	EscalationWeeks []EscalationWeek `json:"open_escalations_by_week"`
	// RenewalMonths are the renewals due in each of the next six calendar
	// months (the first the current month from as_of on).
	RenewalMonths []RenewalMonth `json:"renewals_by_month"`
}

// PeriodKPI is the retention of one period's cohort: the accounts with
// ARR at its start, measured at its end.
type PeriodKPI struct {
	Label               string       `json:"label"` // "2026-Q3", "2026-11", or "trailing 12 months to 2026-09-30"
	Start               metrics.Date `json:"start"`
	End                 metrics.Date `json:"end"`
	NRR                 *float64     `json:"nrr"`
	GRR                 *float64     `json:"grr"`
	CohortAccounts      int          `json:"cohort_accounts"`
	CohortStartARRCents int64        `json:"cohort_start_arr_cents"`
}

// MonthARR is the live ARR and account count at the end of a month.
type MonthARR struct {
	Month    string       `json:"month"` // "2026-11"
	End      metrics.Date `json:"end"`
	Accounts int          `json:"accounts"`
	ARRCents int64        `json:"arr_cents"`
}

// ARRBridge is the waterfall from the ARR at Start to the ARR at End:
// StartCents + NewCents + ExpansionCents - ContractionCents - ChurnCents
// == EndCents, to the cent.
type ARRBridge struct {
	Start            metrics.Date `json:"start"`
	End              metrics.Date `json:"end"`
	StartCents       int64        `json:"start_cents"`
	NewCents         int64        `json:"new_cents"`
	ExpansionCents   int64        `json:"expansion_cents"`
	ContractionCents int64        `json:"contraction_cents"`
	ChurnCents       int64        `json:"churn_cents"`
	EndCents         int64        `json:"end_cents"`
}

// BandWeek is one weekly snapshot's band mix.
type BandWeek struct {
	Week    string `json:"week"` // "2026-W48"
	Green   int    `json:"green"`
	Yellow  int    `json:"yellow"`
	Red     int    `json:"red"`
	Unknown int    `json:"unknown"`
}

// EscalationWeek counts the escalations open at the end of a week's
// Sunday, and how many of them had breached their SLA by then.
type EscalationWeek struct {
	Week     string `json:"week"`
	Open     int    `json:"open"`
	Breached int    `json:"breached"`
}

// RenewalMonth is the renewals due in one calendar month, by band and by
// forecast category.
type RenewalMonth struct {
	Month      string                                       `json:"month"` // "2026-12"
	Start      metrics.Date                                 `json:"start"`
	End        metrics.Date                                 `json:"end"`
	Count      int                                          `json:"count"`
	ARRCents   int64                                        `json:"arr_cents"`
	ByBand     map[metrics.Band]metrics.BandDue             `json:"by_band"`
	ByCategory map[metrics.ForecastCategory]metrics.BandDue `json:"by_category"`
}

// Comparison sets the report's KPIs beside the previous period's, and
// the same period a year before when the ledger reaches back (report
// --period quarter|month|trailing-12).
type Comparison struct {
	Period   string         `json:"period"` // "quarter", "month" or "trailing-12"
	Current  PeriodFigures  `json:"current"`
	Previous PeriodFigures  `json:"previous"`
	YearAgo  *PeriodFigures `json:"year_ago"` // null when no ledger entry is that old
}

// PeriodFigures are one period's KPIs: the retention of the cohort with
// ARR at Start, measured at End, and the renewals due inside it.
type PeriodFigures struct {
	Label               string       `json:"label"`
	Start               metrics.Date `json:"start"`
	End                 metrics.Date `json:"end"`
	Accounts            int          `json:"accounts"`  // live at End
	ARRCents            int64        `json:"arr_cents"` // live ARR at End
	NRR                 *float64     `json:"nrr"`
	GRR                 *float64     `json:"grr"`
	LogoRetention       *float64     `json:"logo_retention"`
	RenewalRate         *float64     `json:"renewal_rate"`
	CohortAccounts      int          `json:"cohort_accounts"`
	CohortStartARRCents int64        `json:"cohort_start_arr_cents"`
	NewCents            int64        `json:"new_cents"`
	ExpansionCents      int64        `json:"expansion_cents"`
	ContractionCents    int64        `json:"contraction_cents"`
	ChurnedCents        int64        `json:"churned_cents"`
}

// Targets are leadership's targets (settings targets.nrr, targets.grr,
// targets.renewal_rate), fractions like the KPIs; null when unset.
type Targets struct {
	NRR         *float64 `json:"nrr"`
	GRR         *float64 `json:"grr"`
	RenewalRate *float64 `json:"renewal_rate"`
}
