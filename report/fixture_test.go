package report

import (
	"steward/metrics"
	"steward/store/portfolio"
)

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }
func i64p(v int64) *int64   { return &v }

// hostileName is an account name a CRM might hand us: markup, an
// ampersand, quotes, CJK and an emoji, which the page must show as text.
const hostileName = `<script>alert("x")</script> & Sons 'Ltd' 株式会社 🚀`

// sampleReport is a report with every section filled by hand: the
// figures are small and round so the expected text is easy to check.
func sampleReport() portfolio.Report {
	band := func(g, y, r, u int) map[metrics.Band]int {
		return map[metrics.Band]int{metrics.Green: g, metrics.Yellow: y, metrics.Red: r, metrics.Unknown: u}
	}
	due := func(g, y, r, u int64) map[metrics.Band]metrics.BandDue {
		return map[metrics.Band]metrics.BandDue{
			metrics.Green: {Count: int(g), ARRCents: g * 10_000_000}, metrics.Yellow: {Count: int(y), ARRCents: y * 10_000_000},
			metrics.Red: {Count: int(r), ARRCents: r * 10_000_000}, metrics.Unknown: {Count: int(u), ARRCents: u * 10_000_000}}
	}
	score := 41
	r := portfolio.Report{
		AsOf: metrics.NewDate(2026, 11, 23), WindowStart: metrics.NewDate(2025, 11, 24), WindowEnd: metrics.NewDate(2026, 11, 23), Currency: "USD",
		Accounts: 150, ARRCents: 1_250_000_000,
		NRR: fp(1.072), GRR: fp(0.912), LogoRetention: fp(0.93), LogoChurn: fp(0.07), RevenueChurn: fp(0.088),
		CohortAccounts: 140, CohortStartARRCents: 1_150_000_000, ExpansionCents: 185_000_000, ContractionCents: 31_000_000, ChurnedCents: 70_200_000,
		RenewalRate: fp(0.88), GrossDollarRenewalRate: fp(0.9), RenewalsDueInWindow: 100, RenewalsRenewed: 88,
		NPS: fp(31), NPSResponses: ip(220), CSAT: fp(0.81), CSATMean: fp(4.1), CSATResponses: ip(310), PipelineCents: i64p(98_000_000),
		Bands: band(98, 30, 16, 6), Escalations: map[string]int{"open": 3, "in_progress": 2, "waiting_client": 1, "with_director": 1, "resolved": 8},
		EscalationsBreached: 2, AccountsAtRisk: 21, ARRAtRiskCents: 210_000_000,
		RenewalsDue: map[string]portfolio.DueJSON{"90": {Count: 40, ARRCents: 400_000_000, ByBand: due(20, 10, 8, 2)}},
		Members: []portfolio.MemberReport{
			{ID: 1, Name: "Zoë O'Neil", Role: "manager", Accounts: 12, Capacity: 10, OverCapacity: true, ARRCents: 150_000_000, NRR: fp(1.1), GRR: fp(0.95),
				Bands: band(8, 3, 1, 0), OpenEscalations: 1, RenewalsDue90: 3, RenewalsDue90ARR: 30_000_000, ARRAtRiskCents: 10_000_000, CSAT: fp(0.9), CohortAccounts: 11},
			{ID: 2, Name: hostileName, Role: "account_manager", Accounts: 3, Capacity: 30, ARRCents: 20_000_000, NRR: fp(0.43), GRR: fp(0.43),
				Bands: band(1, 1, 1, 0), OpenEscalations: 2, RenewalsDue90: 1, RenewalsDue90ARR: 5_000_000, ARRAtRiskCents: 5_000_000, CohortAccounts: 2},
			{ID: 3, Name: "Sam Lee", Role: "senior_am", Accounts: 40, Capacity: 35, ARRCents: 600_000_000, NRR: fp(1.05), GRR: fp(0.9),
				Bands: band(25, 10, 5, 0), RenewalsDue90: 10, RenewalsDue90ARR: 100_000_000, CSAT: fp(0.8), CohortAccounts: 38},
			{ID: 0, Name: "Unassigned", Accounts: 2, ARRCents: 3_000_000, Bands: band(0, 1, 0, 1)},
		},
		AtRisk: []portfolio.AtRiskRenewal{
			{AccountID: 7, Account: "Lapsed Co", Owner: "Sam Lee", ARRCents: 12_000_000, RenewalDate: metrics.NewDate(2026, 11, 13), DaysLeft: -10, Score: &score, Band: metrics.Red, Flags: []string{"renewal-risk", "qbr-overdue"}},
			{AccountID: 8, Account: hostileName, Owner: "", ARRCents: 8_000_000, RenewalDate: metrics.NewDate(2026, 12, 3), DaysLeft: 10, Band: metrics.Yellow, Flags: []string{"renewal-risk", "champion-changed", "plan-at-risk"}},
		},
		CurrentOnly:     []string{},
		RenewalForecast: []portfolio.ForecastJSON{{Quarter: "2026-Q4", Start: metrics.NewDate(2026, 10, 1), End: metrics.NewDate(2026, 12, 31), Renewals: 30, DueARRCents: 300_000_000, ExpectedARRCents: 270_000_000, GRR: fp(0.9), ByCategory: map[metrics.ForecastCategory]int64{metrics.Commit: 200_000_000, metrics.Likely: 50_000_000, metrics.AtRiskRenewal: 30_000_000, metrics.ChurnExpected: 20_000_000}}},
		OverdueRenewals: ip(1), OverdueARRCents: i64p(12_000_000),
		Summary: []string{"NRR is 107.2%, up 1.1 points since last quarter.", "ARR at risk is $2,100,000, led by " + hostileName + "."},
		Comparison: &portfolio.Comparison{Period: "quarter",
			Current:  portfolio.PeriodFigures{Label: "2026-Q4", Start: metrics.NewDate(2026, 10, 1), End: metrics.NewDate(2026, 11, 23), Accounts: 150, ARRCents: 1_250_000_000, NRR: fp(1.02), GRR: fp(0.97), LogoRetention: fp(0.98), RenewalRate: fp(0.9), CohortAccounts: 148, NewCents: 10_000_000},
			Previous: portfolio.PeriodFigures{Label: "2026-Q3", Start: metrics.NewDate(2026, 7, 1), End: metrics.NewDate(2026, 9, 30), Accounts: 148, ARRCents: 1_200_000_000, NRR: fp(1.01), GRR: fp(0.975), LogoRetention: fp(0.97), RenewalRate: fp(0.85), CohortAccounts: 145, NewCents: 20_000_000},
			YearAgo:  &portfolio.PeriodFigures{Label: "2025-Q4", Start: metrics.NewDate(2025, 10, 1), End: metrics.NewDate(2025, 11, 23), Accounts: 130, ARRCents: 1_000_000_000, NRR: fp(1.0), GRR: fp(0.96), CohortAccounts: 128}},
		Targets: portfolio.Targets{NRR: fp(1.05), GRR: fp(0.92), RenewalRate: fp(0.85)},
		Trends: &portfolio.Trends{
			Quarters: []portfolio.PeriodKPI{
				{Label: "2025-Q1", NRR: fp(1.04), GRR: fp(0.93)}, {Label: "2025-Q2", NRR: fp(1.05), GRR: fp(0.92)},
				{Label: "2025-Q3", NRR: nil, GRR: nil}, {Label: "2025-Q4", NRR: fp(1.06), GRR: fp(0.9)},
				{Label: "2026-Q1", NRR: fp(1.07), GRR: fp(0.91)}, {Label: "2026-Q2", NRR: fp(1.06), GRR: fp(0.92)},
				{Label: "2026-Q3", NRR: fp(1.061), GRR: fp(0.905)}, {Label: "2026-Q4", NRR: fp(1.072), GRR: fp(0.912)},
			},
			Bridge: portfolio.ARRBridge{Start: metrics.NewDate(2025, 11, 24), End: metrics.NewDate(2026, 11, 23), StartCents: 1_150_000_000, NewCents: 16_200_000,
				ExpansionCents: 185_000_000, ContractionCents: 31_000_000, ChurnCents: 70_200_000, EndCents: 1_250_000_000},
			RenewalMonths: []portfolio.RenewalMonth{
				{Month: "2026-11", Count: 9, ARRCents: 90_000_000, ByBand: due(5, 2, 1, 1)},
				{Month: "2026-12", Count: 12, ARRCents: 120_000_000, ByBand: due(8, 2, 2, 0)},
				{Month: "2027-01", Count: 6, ARRCents: 60_000_000, ByBand: due(4, 1, 1, 0)},
				{Month: "2027-02", Count: 0, ARRCents: 0, ByBand: due(0, 0, 0, 0)},
				{Month: "2027-03", Count: 10, ARRCents: 100_000_000, ByBand: due(6, 3, 1, 0)},
				{Month: "2027-04", Count: 8, ARRCents: 80_000_000, ByBand: due(5, 2, 0, 1)},
			},
		},
		TopARRAtRisk: []portfolio.AtRiskRenewal{{Account: "Big Corp", ARRCents: 40_000_000}, {Account: hostileName, ARRCents: 30_000_000}, {Account: "Third", ARRCents: 20_000_000}},
		TopEscalations: []portfolio.EscalationJSON{
			{ID: 3, Account: "Big Corp", Title: "Data export <broken>", Severity: "critical", Status: "with_director", Owner: "Sam Lee", Opened: metrics.NewDate(2026, 11, 1), AgeDays: 22, Breached: true},
			{ID: 4, Account: hostileName, Title: "Login & SSO", Severity: "high", Status: "waiting_client", Opened: metrics.NewDate(2026, 11, 20), AgeDays: 3},
		},
	}
	for w := 0; w < 13; w++ {
		r.Trends.BandWeeks = append(r.Trends.BandWeeks, portfolio.BandWeek{Week: "2026-W" + twoDigits(36+w), Green: 90 + w%4, Yellow: 32 - w%3, Red: 18 - w/4, Unknown: 6})
	}
	return r
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }
