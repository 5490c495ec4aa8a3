package portfolio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"steward/metrics"
	"steward/store"
)

// Report is the leadership report. Its JSON form is a documented, stable
// interface (README, "Report JSON"): keys are only ever added. Ratios are
// fractions (1.07, not 107); a KPI whose cohort is empty is null.
type Report struct {
	AsOf                   metrics.Date         `json:"as_of"`
	WindowStart            metrics.Date         `json:"window_start"`
	WindowEnd              metrics.Date         `json:"window_end"`
	Currency               string               `json:"currency"`
	Accounts               int                  `json:"accounts"`
	ARRCents               int64                `json:"arr_cents"`
	NRR                    *float64             `json:"nrr"`
	GRR                    *float64             `json:"grr"`
	LogoRetention          *float64             `json:"logo_retention"`
	LogoChurn              *float64             `json:"logo_churn"`
	RevenueChurn           *float64             `json:"revenue_churn"`
	CohortAccounts         int                  `json:"cohort_accounts"`
	CohortStartARRCents    int64                `json:"cohort_start_arr_cents"`
	ExpansionCents         int64                `json:"expansion_cents"`
	ContractionCents       int64                `json:"contraction_cents"`
	ChurnedCents           int64                `json:"churned_cents"`
	RenewalRate            *float64             `json:"renewal_rate"`
	GrossDollarRenewalRate *float64             `json:"gross_dollar_renewal_rate"`
	RenewalsDueInWindow    int                  `json:"renewals_due_in_window"`
	RenewalsRenewed        int                  `json:"renewals_renewed"`
	NPS                    *float64             `json:"nps"` // -100..100
	NPSResponses           *int                 `json:"nps_responses"`
	CSAT                   *float64             `json:"csat"` // top-two-box share, 0..1
	CSATMean               *float64             `json:"csat_mean"`
	CSATResponses          *int                 `json:"csat_responses"`
	PipelineCents          *int64               `json:"expansion_pipeline_cents"`
	Bands                  map[metrics.Band]int `json:"bands"`
	Escalations            map[string]int       `json:"escalations"`
	EscalationsBreached    int                  `json:"escalations_breached"`
	AccountsAtRisk         int                  `json:"accounts_at_risk"`
	ARRAtRiskCents         int64                `json:"arr_at_risk_cents"`
	RenewalsDue            map[string]DueJSON   `json:"renewals_due"`
	Members                []MemberReport       `json:"members"`
	AtRisk                 []AtRiskRenewal      `json:"at_risk_renewals"`
	// SinceBaseline is the portfolio as it stood at the review's baseline
	// day and the ARR moves since (baseline.go); null in a report as of a
	// past day.
	SinceBaseline *SinceBaseline `json:"since_baseline"`
	// RenewalForecast is this quarter's and the next one's forecast;
	// null as of a past day.
	RenewalForecast []ForecastJSON `json:"renewal_forecast"`
	OverdueRenewals *int           `json:"overdue_renewals"`
	OverdueARRCents *int64         `json:"overdue_renewals_arr_cents"`
	// ForecastVsActual sets the last closed quarter's forecast against
	// what renewed; null as of a past day, or when no forecast snapshot
	// was taken in that quarter.
	ForecastVsActual *ReconcileJSON `json:"forecast_vs_actual"`
	// StaleData is the live accounts whose health inputs are older than
	// the freshness.stale_days setting; null as of a past day (the inputs'
	// date keeps only its latest value).
	StaleData *StaleData `json:"stale_data"`
	// CurrentOnly lists the figures steward keeps only as a latest value,
	// left out (null) of a report as of a past day; empty for today.
	CurrentOnly []string `json:"current_only"`
	// AsOfSources says what a report as of a past day was rebuilt from;
	// null for today's report.
	AsOfSources *AsOfSources `json:"as_of_sources"`
	// Summary is the executive summary: three to five sentences written
	// from the figures below (README, "The leadership report").
	Summary []string `json:"summary"`
	// Comparison sets the window's KPIs beside the previous period's
	// (report --period).
	Comparison *Comparison `json:"comparison"`
	// Targets are leadership's targets from the settings.
	Targets Targets `json:"targets"`
	// Trends are the series behind the report's charts.
	Trends *Trends `json:"trends"`
	// TopARRAtRisk are the three live accounts with the most ARR at risk
	// (accounts_at_risk's largest).
	TopARRAtRisk []AtRiskRenewal `json:"top_arr_at_risk"`
	// TopEscalations are the open escalations a leadership report names:
	// the most severe first, then the oldest (topesc.go).
	TopEscalations []EscalationJSON `json:"top_escalations"`
}

// AsOfSources says where each figure of a report as of a past day comes
// from (README, "Report JSON").
type AsOfSources struct {
	// SnapshotWeek is the ISO week ("2026-W39") of the snapshot behind
	// bands and scores: the newest week that had ended by as_of. Null when
	// there is none, and every account then counts as unknown.
	SnapshotWeek *string `json:"snapshot_week"`
	Accounts     string  `json:"accounts"`      // "ledger": live accounts and ARR
	KPIs         string  `json:"kpis"`          // "ledger": entries on or before as_of
	Bands        string  `json:"bands"`         // "snapshot"
	Escalations  string  `json:"escalations"`   // "timeline": open, status, severity, breached at the end of as_of
	Owners       string  `json:"owners"`        // "current": ownership history is not kept
	Capacity     string  `json:"capacity"`      // "current"
	RenewalDates string  `json:"renewal_dates"` // "current_by_term": today's, moved back by whole annual terms
}

// PastCurrentOnly are the report's figures that exist only as a latest
// value; a report as of a past day leaves them out (null) and lists them
// in current_only.
var PastCurrentOnly = []string{
	"nps", "nps_responses", "csat", "csat_mean", "csat_responses", "expansion_pipeline_cents",
	"members.csat", "members.nps", "at_risk_renewals.flags.champion-changed", "at_risk_renewals.flags.qbr-overdue",
	"stale_data", "members.stale_data",
	// Added last, as the list only ever grows at its end.
	"at_risk_renewals.flags.plan-at-risk",
	"trends.renewals_by_month",
}

// StaleFigures count accounts whose health inputs are stale (README,
// data freshness) and sum their ARR.
type StaleFigures struct {
	Accounts int   `json:"accounts"`
	ARRCents int64 `json:"arr_cents"`
}

// StaleData is the portfolio's stale data with the setting it is judged
// by.
type StaleData struct {
	StaleDays int `json:"stale_days"`
	StaleFigures
}

// SinceBaseline is the review's "then": figures at the end of the
// baseline day, to set beside the report's figures for now.
type SinceBaseline struct {
	BaselineWeek    *string              `json:"baseline_week"` // null: no earlier snapshot, a week ago
	BaselineDay     metrics.Date         `json:"baseline_day"`
	Accounts        int                  `json:"accounts"`
	ARRCents        int64                `json:"arr_cents"`
	NRR             *float64             `json:"nrr"`
	GRR             *float64             `json:"grr"`
	Bands           map[metrics.Band]int `json:"bands"`
	ARRAtRiskCents  int64                `json:"arr_at_risk_cents"`
	OpenEscalations int                  `json:"open_escalations"`
	Moves           []MoveJSON           `json:"arr_moves"`
}

// ForecastJSON is one quarter's renewal forecast.
type ForecastJSON struct {
	Quarter          string                             `json:"quarter"`
	Start            metrics.Date                       `json:"start"`
	End              metrics.Date                       `json:"end"`
	Renewals         int                                `json:"renewals"`
	DueARRCents      int64                              `json:"due_arr_cents"`
	ByCategory       map[metrics.ForecastCategory]int64 `json:"by_category_arr_cents"`
	ExpectedARRCents int64                              `json:"expected_arr_cents"`
	GRR              *float64                           `json:"forecast_grr"`
}

// ReconcileJSON is a closed quarter's forecast against its actuals
// (Portfolio.Reconcile): the opening call is the forecast of record.
type ReconcileJSON struct {
	Quarter              string                                    `json:"quarter"`
	Start                metrics.Date                              `json:"start"`
	End                  metrics.Date                              `json:"end"`
	FirstWeek            string                                    `json:"first_call_week"`
	LastWeek             string                                    `json:"last_call_week"`
	WeeklyCalls          int                                       `json:"weekly_calls"`
	Renewals             int                                       `json:"renewals"`
	DueARRCents          int64                                     `json:"due_arr_cents"`
	ExpectedARRCents     int64                                     `json:"expected_arr_cents"`
	ForecastGRR          *float64                                  `json:"forecast_grr"`
	ClosingExpectedCents int64                                     `json:"last_call_expected_arr_cents"`
	ClosingGRR           *float64                                  `json:"last_call_forecast_grr"`
	Renewed              int                                       `json:"renewed"`
	RenewedARRCents      int64                                     `json:"renewed_arr_cents"`
	ActualGRR            *float64                                  `json:"actual_grr"`
	VarianceARRCents     int64                                     `json:"variance_arr_cents"`
	Pending              int                                       `json:"pending"`
	ByCategory           map[metrics.ForecastCategory]CategoryJSON `json:"by_category"`
	Variances            []VarianceJSON                            `json:"variances"`
}

// CategoryJSON is one forecast category of a reconciled quarter.
type CategoryJSON struct {
	Renewals         int   `json:"renewals"`
	Renewed          int   `json:"renewed"`
	DueARRCents      int64 `json:"due_arr_cents"`
	ExpectedARRCents int64 `json:"expected_arr_cents"`
	RenewedARRCents  int64 `json:"renewed_arr_cents"`
}

// VarianceJSON is one renewal that did not close as called: below what
// was expected, or renewed against a call of at risk or churn expected
// (CallRow.Surprise).
type VarianceJSON struct {
	AccountID        uint64                   `json:"account_id"`
	Account          string                   `json:"account"`
	Owner            string                   `json:"owner"`
	Due              metrics.Date             `json:"due"`
	Category         metrics.ForecastCategory `json:"category"`
	ARRCents         int64                    `json:"arr_cents"`
	ExpectedARRCents int64                    `json:"expected_arr_cents"`
	Outcome          string                   `json:"outcome"`
	RenewedARRCents  int64                    `json:"renewed_arr_cents"`
	VarianceCents    int64                    `json:"variance_cents"`
}

func reconcileJSON(r *Reconciled, variances []VarianceJSON) *ReconcileJSON {
	if r.Weeks == 0 {
		return nil
	}
	_, end := metrics.Quarter(r.First)
	s := r.Sums
	out := &ReconcileJSON{Quarter: metrics.QuarterName(r.First), Start: r.First, End: end,
		FirstWeek: r.FirstWeek.String(), LastWeek: r.LastWeek.String(), WeeklyCalls: r.Weeks,
		Renewals: s.Count, DueARRCents: s.DueCents, ExpectedARRCents: s.ExpectedCents, ForecastGRR: opt(s.ForecastGRR),
		ClosingExpectedCents: r.Closing.ExpectedCents, ClosingGRR: opt(r.Closing.GRR),
		Renewed: s.Renewed, RenewedARRCents: s.RenewedCents, ActualGRR: opt(s.ActualGRR), VarianceARRCents: s.VarianceCents,
		Pending: s.Pending, ByCategory: map[metrics.ForecastCategory]CategoryJSON{}, Variances: variances}
	for i, c := range metrics.ForecastCategories {
		b := s.ByCategory[i]
		out.ByCategory[c] = CategoryJSON{Renewals: b.Count, Renewed: b.Renewed, DueARRCents: b.DueCents, ExpectedARRCents: b.ExpectedCents, RenewedARRCents: b.RenewedCents}
	}
	if out.Variances == nil {
		out.Variances = []VarianceJSON{}
	}
	return out
}

func varianceJSON(row *CallRow, name, owner string) VarianceJSON {
	return VarianceJSON{AccountID: row.AccountID, Account: name, Owner: owner, Due: row.Due, Category: row.Category,
		ARRCents: row.ARRCents, ExpectedARRCents: max(row.ExpectedARRCents, 0), Outcome: row.Outcome.String(),
		RenewedARRCents: row.RenewedCents, VarianceCents: row.Variance()}
}

// ForecastVsActual is the report's forecast_vs_actual: q, a closed
// quarter's calls (ReadQuarterCalls), against the portfolio's ledgers.
// The portfolio does not carry the calls: only the report and the
// renewals view's closed quarter read them (LoadReport reads them itself).
func (p *Portfolio) ForecastVsActual(q QuarterCalls) *ReconcileJSON {
	if q.Weeks == 0 {
		return nil
	}
	r := p.Reconcile(q)
	var vs []VarianceJSON
	for i := range r.Rows {
		row := &r.Rows[i]
		if !row.Surprise() {
			continue
		}
		name, owner := "", ""
		if row.Account >= 0 {
			a := &p.Accounts[row.Account]
			name, owner = a.Name, a.OwnerName
		}
		vs = append(vs, varianceJSON(row, name, owner))
	}
	return reconcileJSON(&r, vs)
}

// humanCategory is a forecast category in words ("churn expected").
func humanCategory(c metrics.ForecastCategory) string { return strings.ReplaceAll(string(c), "_", " ") }

// MoveJSON is one ARR move after the baseline day.
type MoveJSON struct {
	AccountID uint64             `json:"account_id"`
	Account   string             `json:"account"`
	Kind      metrics.LedgerKind `json:"kind"`
	Date      metrics.Date       `json:"date"`
	FromCents int64              `json:"from_cents"`
	ToCents   int64              `json:"to_cents"`
}

// sinceBaseline is the report's SinceBaseline of the review's "then";
// the moves are the caller's.
func (p *Portfolio) sinceBaseline() *SinceBaseline {
	t := &p.Review.Then
	if t.Day.IsZero() {
		return nil
	}
	s := &SinceBaseline{BaselineDay: t.Day, Accounts: t.Live, ARRCents: t.ARRCents, NRR: opt(t.NRR), GRR: opt(t.GRR),
		Bands: fullBands(t.Bands), ARRAtRiskCents: t.AtRiskARRCents, OpenEscalations: t.OpenEsc, Moves: []MoveJSON{}}
	if w := p.Review.ComparedWithWeek; w != 0 {
		name := w.String()
		s.BaselineWeek = &name
	}
	return s
}

// DueJSON is one renewal horizon.
type DueJSON struct {
	Count    int                              `json:"count"`
	ARRCents int64                            `json:"arr_cents"`
	ByBand   map[metrics.Band]metrics.BandDue `json:"by_band"`
}

// MemberReport is one row of the per-member table.
type MemberReport struct {
	ID               uint64               `json:"id"` // 0 for the Unassigned pool
	Name             string               `json:"name"`
	Email            string               `json:"email"`
	Role             string               `json:"role"`
	Accounts         int                  `json:"accounts"`
	Capacity         int                  `json:"capacity"`
	OverCapacity     bool                 `json:"over_capacity"`
	ARRCents         int64                `json:"arr_cents"`
	NRR              *float64             `json:"nrr"`
	GRR              *float64             `json:"grr"`
	Bands            map[metrics.Band]int `json:"bands"`
	OpenEscalations  int                  `json:"open_escalations"`
	RenewalsDue90    int                  `json:"renewals_due_90"`
	RenewalsDue90ARR int64                `json:"renewals_due_90_arr_cents"`
	AccountsAtRisk   int                  `json:"accounts_at_risk"`
	ARRAtRiskCents   int64                `json:"arr_at_risk_cents"`
	Load             float64              `json:"load"`
	LoadShare        *float64             `json:"load_share"`
	CSAT             *float64             `json:"csat"`
	NPS              *float64             `json:"nps"`
	// StaleData is the member's live accounts with stale health inputs;
	// null as of a past day.
	StaleData *StaleFigures `json:"stale_data"`
	// CohortAccounts is the sample behind the member's NRR and GRR: a
	// figure from fewer than 5 accounts is marked as a small sample.
	CohortAccounts int `json:"cohort_accounts"`
}

// AtRiskRenewal is one renewal inside 90 days (or overdue) on a band other
// than green.
type AtRiskRenewal struct {
	AccountID   uint64       `json:"account_id"`
	Account     string       `json:"account"`
	ExternalID  string       `json:"external_id"`
	Owner       string       `json:"owner"`
	ARRCents    int64        `json:"arr_cents"`
	RenewalDate metrics.Date `json:"renewal_date"`
	DaysLeft    int          `json:"days_left"`
	Score       *int         `json:"score"`
	Band        metrics.Band `json:"band"`
	Flags       []string     `json:"flags"`
}

func opt(r metrics.Ratio) *float64 {
	if !r.OK {
		return nil
	}
	v := r.V
	return &v
}

// Report assembles the leadership report from the portfolio, with the
// quarter's comparison and no band mix (the snapshots are not the
// portfolio's: ReportWith takes them).
func (p *Portfolio) Report() Report { return p.ReportWith(ReportOptions{}) }

// report is the report without its leadership parts (finishLeadership).
func (p *Portfolio) report() Report {
	r := p.reportHead()
	for i := range p.Accounts {
		if ar, ok := p.Accounts[i].atRisk(); ok {
			r.AtRisk = append(r.AtRisk, ar)
		}
	}
	sortAtRisk(r.AtRisk)
	if r.SinceBaseline != nil {
		for _, mv := range p.Review.Moves {
			a := &p.Accounts[mv.Account]
			r.SinceBaseline.Moves = append(r.SinceBaseline.Moves, MoveJSON{AccountID: a.ID, Account: a.Name, Kind: mv.Kind, Date: mv.Date, FromCents: mv.FromCents, ToCents: mv.ToCents})
		}
	}
	return r
}

// reportHead is the report without its at-risk rows (an empty list).
func (p *Portfolio) reportHead() Report {
	k := p.KPIs
	r := Report{
		AsOf:                   p.AsOf,
		WindowStart:            k.Window.Start,
		WindowEnd:              k.Window.End,
		Currency:               p.Settings.Currency,
		Accounts:               k.LiveAccounts,
		ARRCents:               k.ARRCents,
		NRR:                    opt(k.Retention.NRR),
		GRR:                    opt(k.Retention.GRR),
		LogoRetention:          opt(k.Retention.LogoRetention),
		LogoChurn:              opt(k.Retention.LogoChurn),
		RevenueChurn:           opt(k.Retention.RevenueChurn),
		CohortAccounts:         k.Retention.CohortSize,
		CohortStartARRCents:    k.Retention.StartARRCents,
		ExpansionCents:         k.Retention.ExpansionCents,
		ContractionCents:       k.Retention.ContractionCents,
		ChurnedCents:           k.Retention.ChurnedCents,
		RenewalRate:            opt(k.Renewals.Rate),
		GrossDollarRenewalRate: opt(k.Renewals.GrossDollarRenewalRate),
		RenewalsDueInWindow:    k.Renewals.Due,
		RenewalsRenewed:        k.Renewals.Renewed,
		NPS:                    opt(k.NPS.Score),
		NPSResponses:           &k.NPS.Responses,
		CSAT:                   opt(k.CSAT.TopTwoBox),
		CSATMean:               opt(k.CSAT.Mean),
		CSATResponses:          &k.CSAT.Responses,
		PipelineCents:          &k.PipelineCents,
		Bands:                  k.Bands,
		Escalations:            k.EscByStatus,
		EscalationsBreached:    k.BreachedEsc,
		AccountsAtRisk:         k.AtRisk,
		ARRAtRiskCents:         k.AtRiskARRCents,
		RenewalsDue:            map[string]DueJSON{},
		Members:                []MemberReport{},
		AtRisk:                 []AtRiskRenewal{},
		CurrentOnly:            []string{},
		SinceBaseline:          p.sinceBaseline(),
		OverdueRenewals:        &k.OverdueRenewals,
		OverdueARRCents:        &k.OverdueARRCents,
		StaleData:              &StaleData{StaleDays: p.Settings.Health.StaleDays, StaleFigures: StaleFigures{Accounts: k.Stale, ARRCents: k.StaleARRCents}},
		Summary:                []string{},
		Targets:                p.targets(),
		TopARRAtRisk:           []AtRiskRenewal{},
		TopEscalations:         p.topEscalations(TopEscalationsN),
	}
	first, _ := metrics.Quarter(p.AsOf)
	for q, f := range k.Forecast {
		start := first.AddMonths(3 * q)
		end := start.AddMonths(3).AddDays(-1)
		r.RenewalForecast = append(r.RenewalForecast, ForecastJSON{Quarter: metrics.QuarterName(start), Start: start, End: end,
			Renewals: f.Count, DueARRCents: f.DueARRCents, ByCategory: f.ByCategory, ExpectedARRCents: f.ExpectedCents, GRR: opt(f.GRR)})
	}
	for _, b := range k.Due {
		r.RenewalsDue[strconv.Itoa(b.Days)] = DueJSON{Count: b.Count, ARRCents: b.ARRCents, ByBand: b.ByBand}
	}
	for _, t := range p.Team {
		r.Members = append(r.Members, MemberReport{
			ID: t.Member.ID, Name: t.Member.Name, Email: t.Member.Email, Role: string(t.Member.Role),
			Accounts: t.Accounts, Capacity: t.Member.Capacity, OverCapacity: t.OverCapacity, ARRCents: t.ARRCents,
			NRR: opt(t.Retention.NRR), GRR: opt(t.Retention.GRR), Bands: fullBands(t.Bands),
			OpenEscalations: t.OpenEsc, RenewalsDue90: t.Due90, RenewalsDue90ARR: t.Due90ARRCents,
			AccountsAtRisk: t.AtRisk, ARRAtRiskCents: t.AtRiskARRCents,
			Load: math.Round(t.Load*100) / 100, LoadShare: opt(t.LoadShare),
			CSAT: opt(t.CSAT.TopTwoBox), NPS: opt(t.NPS.Score),
			StaleData:      &StaleFigures{Accounts: t.Stale, ARRCents: t.StaleARRCents},
			CohortAccounts: t.Retention.CohortSize,
		})
	}
	return r
}

// atRisk is a's row of the at-risk renewals, when it has one.
func (a *Account) atRisk() (AtRiskRenewal, bool) {
	if !a.Live || !a.Flags.Has(metrics.FlagRenewalRisk) {
		return AtRiskRenewal{}, false
	}
	return a.riskRow(), true
}

// sortAtRisk orders the at-risk renewals: soonest first, then the largest
// ARR; rows come in account ID order, which breaks the last tie.
func sortAtRisk(rows []AtRiskRenewal) {
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].RenewalDate != rows[j].RenewalDate {
			return rows[i].RenewalDate < rows[j].RenewalDate
		}
		return rows[i].ARRCents > rows[j].ARRCents
	})
}

func fullBands(m map[metrics.Band]int) map[metrics.Band]int {
	out := make(map[metrics.Band]int, len(metrics.Bands))
	for _, b := range metrics.Bands {
		out[b] = m[b]
	}
	return out
}

// WriteJSON writes the report as indented JSON, exactly as one
// json.Encoder with a two-space indent would. The two long lists (members,
// at-risk renewals: thousands of rows on a shared box) are written a row
// at a time, so the document is never in memory twice over.
func (r Report) WriteJSON(w io.Writer) error {
	members, atRisk := r.Members, r.AtRisk
	// A nil list stays null, in place; a list with rows is written below.
	if len(r.Members) > 0 {
		r.Members = []MemberReport{}
	}
	if len(r.AtRisk) > 0 {
		r.AtRisk = []AtRiskRenewal{}
	}
	head, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	// A string in JSON holds no raw newline, so these markers can only be
	// the two keys themselves.
	rest := head
	var row rowJSON
	for _, list := range []struct {
		marker string
		n      int
		row    func(i int)
	}{
		{"\n  \"members\": []", len(members), func(i int) { row.member(&members[i]) }},
		{"\n  \"at_risk_renewals\": []", len(atRisk), func(i int) { row.atRisk(&atRisk[i]) }},
	} {
		if list.n == 0 {
			continue
		}
		at := bytes.Index(rest, []byte(list.marker))
		if at < 0 {
			return fmt.Errorf("report JSON: %q not found", list.marker)
		}
		at += len(list.marker) - 1 // before "]"
		bw.Write(rest[:at])
		rest = rest[at+1:] // the "]" is written after the rows
		bw.WriteString("\n")
		for i := 0; i < list.n; i++ {
			row.b = append(row.b[:0], "    "...)
			list.row(i)
			if i < list.n-1 {
				row.b = append(row.b, ',')
			}
			row.b = append(row.b, '\n')
			bw.Write(row.b)
		}
		bw.WriteString("  ]")
	}
	bw.Write(rest)
	bw.WriteString("\n")
	return bw.Flush()
}

// Money formats cents as a whole amount with thousands separators: 1234567
// cents in USD is "$12,346". Reports round to whole units; the cents stay in
// the JSON.
func Money(cents int64, currency string) string {
	neg := cents <= -50 // what rounds to zero shows as zero, not "-$0"
	if cents < 0 {
		cents = -cents
	}
	units := (cents + 50) / 100
	s := strconv.FormatInt(units, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	sym := CurrencySymbol(currency)
	if neg {
		return "-" + sym + b.String()
	}
	return sym + b.String()
}

// CurrencySymbol is the prefix amounts in currency carry: a symbol for the
// common ones, else the ISO code and a space ("CHF 1,200").
func CurrencySymbol(currency string) string {
	switch currency {
	case "USD", "":
		return "$"
	case "EUR":
		return "€"
	case "GBP":
		return "£"
	}
	return currency + " "
}

// Pct formats a fraction as a percentage with one decimal, or n/a.
func Pct(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

func num(v *float64, prec int) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

// WriteMarkdown writes the report for humans: KPIs, the member table and the
// at-risk renewals.
func (r Report) WriteMarkdown(w io.Writer) error {
	m := func(c int64) string { return Money(c, r.Currency) }
	var b strings.Builder
	fmt.Fprintf(&b, "# Leadership report, %s\n\n", r.AsOf)
	fmt.Fprintf(&b, "Window: %s to %s (trailing 12 months). %d live accounts, %s ARR.\n\n", r.WindowStart, r.WindowEnd, r.Accounts, m(r.ARRCents))
	if r.AsOfSources != nil {
		b.WriteString(r.pastNote())
	}
	r.writeLeadership(&b)
	// A past day's report leaves out what only has a latest value.
	const leftOut = "left out: only today's value is kept"
	nps, csat, pipeline := leftOut, leftOut, leftOut
	if r.NPSResponses != nil {
		nps = fmt.Sprintf("%s (%d responses)", num(r.NPS, 0), *r.NPSResponses)
	}
	if r.CSATResponses != nil {
		csat = fmt.Sprintf("%s, mean %s (%d responses)", Pct(r.CSAT), num(r.CSATMean, 2), *r.CSATResponses)
	}
	if r.PipelineCents != nil {
		pipeline = m(*r.PipelineCents)
	}
	staleData := leftOut
	if sd := r.StaleData; sd != nil {
		staleData = fmt.Sprintf("%d accounts, %s ARR (health inputs older than %d days: their bands stand on old numbers)", sd.Accounts, m(sd.ARRCents), sd.StaleDays)
	}
	b.WriteString("## Portfolio\n\n| KPI | Value |\n|---|---|\n")
	rows := [][2]string{
		{"Net revenue retention (NRR)", Pct(r.NRR) + targetMark(r.NRR, r.Targets.NRR)},
		{"Gross revenue retention (GRR)", Pct(r.GRR) + targetMark(r.GRR, r.Targets.GRR)},
		{"Logo retention", Pct(r.LogoRetention)},
		{"Logo churn", Pct(r.LogoChurn)},
		{"Revenue churn", Pct(r.RevenueChurn)},
		{"Cohort at window start", fmt.Sprintf("%d accounts, %s", r.CohortAccounts, m(r.CohortStartARRCents))},
		{"Expansion", m(r.ExpansionCents)},
		{"Contraction", m(r.ContractionCents)},
		{"Churned ARR", m(r.ChurnedCents)},
		{"Renewal rate (logos)", fmt.Sprintf("%s (%d of %d due)%s", Pct(r.RenewalRate), r.RenewalsRenewed, r.RenewalsDueInWindow, targetMark(r.RenewalRate, r.Targets.RenewalRate))},
		{"Gross dollar renewal rate", Pct(r.GrossDollarRenewalRate)},
		{"NPS", nps},
		{"CSAT (4-5 share)", csat},
		{"Expansion pipeline", pipeline},
		{"ARR at risk", fmt.Sprintf("%s in %d accounts (red, or yellow renewing within 90 days)", m(r.ARRAtRiskCents), r.AccountsAtRisk)},
		{"Stale data", staleData},
		{"Health bands", fmt.Sprintf("green %d, yellow %d, red %d, unknown %d", r.Bands[metrics.Green], r.Bands[metrics.Yellow], r.Bands[metrics.Red], r.Bands[metrics.Unknown])},
		{"Escalations", escalationCounts(r.Escalations, r.EscalationsBreached)},
	}
	for _, d := range []string{"30", "60", "90"} {
		due := r.RenewalsDue[d]
		rows = append(rows, [2]string{"Renewals due in " + d + " days", fmt.Sprintf("%d, %s (red %d, yellow %d, green %d, unknown %d)",
			due.Count, m(due.ARRCents), due.ByBand[metrics.Red].Count, due.ByBand[metrics.Yellow].Count, due.ByBand[metrics.Green].Count, due.ByBand[metrics.Unknown].Count)})
	}
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], mdCell(row[1]))
	}
	b.WriteString("\n## Team\n\n| Member | Role | Accounts | ARR | At risk | NRR | GRR | Cohort | Green | Yellow | Red | Open esc. | Renewals 90d | CSAT |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	small := false
	for _, mr := range r.Members {
		// A ratio from fewer than SmallSample accounts carries a mark.
		mark := ""
		if mr.NRR != nil && mr.CohortAccounts < SmallSample {
			mark, small = "*", true
		}
		accts := strconv.Itoa(mr.Accounts)
		if mr.OverCapacity {
			accts += fmt.Sprintf(" (over capacity %d)", mr.Capacity)
		}
		memberCSAT := Pct(mr.CSAT)
		if r.AsOfSources != nil {
			memberCSAT = "left out"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s%s | %s%s | %d | %d | %d | %d | %d | %d (%s) | %s |\n",
			mdCell(mr.Name), RoleName(mr.Role), accts, m(mr.ARRCents), m(mr.ARRAtRiskCents), Pct(mr.NRR), mark, Pct(mr.GRR), mark,
			mr.CohortAccounts, mr.Bands[metrics.Green], mr.Bands[metrics.Yellow], mr.Bands[metrics.Red], mr.OpenEscalations,
			mr.RenewalsDue90, m(mr.RenewalsDue90ARR), memberCSAT)
	}
	if small {
		fmt.Fprintf(&b, "\n\\* From fewer than %d accounts (the cohort column): a small sample, not a rate to compare.\n", SmallSample)
	}
	if len(r.RenewalForecast) > 0 {
		b.WriteString("\n## Renewal forecast\n\n| Quarter | Renewals | ARR due | Commit | Likely | At risk | Churn expected | Expected | Forecast GRR |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, q := range r.RenewalForecast {
			c := q.ByCategory
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", q.Quarter, q.Renewals, m(q.DueARRCents),
				m(c[metrics.Commit]), m(c[metrics.Likely]), m(c[metrics.AtRiskRenewal]), m(c[metrics.ChurnExpected]), m(q.ExpectedARRCents), Pct(q.GRR))
		}
		if r.OverdueRenewals != nil && *r.OverdueRenewals > 0 {
			fmt.Fprintf(&b, "\n%d renewals are overdue (%s).\n", *r.OverdueRenewals, m(*r.OverdueARRCents))
		}
	}
	if q := r.ForecastVsActual; q != nil {
		fmt.Fprintf(&b, "\n## Forecast versus actual, %s\n\nThe first weekly call (%s) against what renewed; the last call was %s.\n\n", q.Quarter, q.FirstWeek, q.LastWeek)
		fmt.Fprintf(&b, "| Call | Renewals | ARR due | Expected | Renewed | Variance |\n|---|--:|--:|--:|--:|--:|\n")
		for _, c := range metrics.ForecastCategories {
			x := q.ByCategory[c]
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s (%d) | %s |\n", humanCategory(c), x.Renewals, m(x.DueARRCents), m(x.ExpectedARRCents),
				m(x.RenewedARRCents), x.Renewed, m(x.RenewedARRCents-x.ExpectedARRCents))
		}
		fmt.Fprintf(&b, "| **All** | %d | %s | %s | %s (%d) | %s |\n", q.Renewals, m(q.DueARRCents), m(q.ExpectedARRCents), m(q.RenewedARRCents), q.Renewed, m(q.VarianceARRCents))
		fmt.Fprintf(&b, "\nForecast GRR %s (last call %s), actual %s", Pct(q.ForecastGRR), Pct(q.ClosingGRR), Pct(q.ActualGRR))
		if q.Pending > 0 {
			fmt.Fprintf(&b, "; %d still pending", q.Pending)
		}
		b.WriteString(".\n")
	}
	if s := r.SinceBaseline; s != nil {
		week := "the week before"
		if s.BaselineWeek != nil {
			week = *s.BaselineWeek
		}
		fmt.Fprintf(&b, "\n## Since %s (baseline day %s)\n\n| Figure | Then | Now |\n|---|--:|--:|\n", week, s.BaselineDay)
		fmt.Fprintf(&b, "| ARR | %s | %s |\n| NRR | %s | %s |\n| GRR | %s | %s |\n| ARR at risk | %s | %s |\n| Open escalations | %d | %d |\n",
			m(s.ARRCents), m(r.ARRCents), Pct(s.NRR), Pct(r.NRR), Pct(s.GRR), Pct(r.GRR), m(s.ARRAtRiskCents), m(r.ARRAtRiskCents), s.OpenEscalations, openOf(r.Escalations))
		if len(s.Moves) > 0 {
			b.WriteString("\n| ARR move | Account | Date | Then | Now |\n|---|---|---|--:|--:|\n")
			for i, mv := range s.Moves {
				if i == 10 {
					fmt.Fprintf(&b, "| … | %d more | | | |\n", len(s.Moves)-10)
					break
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mv.Kind, mdCell(mv.Account), mv.Date, m(mv.FromCents), m(mv.ToCents))
			}
		}
	}
	fmt.Fprintf(&b, "\n## At-risk renewals (%d)\n\n", len(r.AtRisk))
	if len(r.AtRisk) == 0 {
		b.WriteString("No renewal inside 90 days is below green.\n")
	} else {
		b.WriteString("| Account | Owner | ARR | Renewal | Days left | Score | Band | Flags |\n|---|---|--:|---|--:|--:|---|---|\n")
		for _, a := range r.AtRisk {
			score := "n/a"
			if a.Score != nil {
				score = strconv.Itoa(*a.Score)
			}
			owner := a.Owner
			if owner == "" {
				owner = "Unassigned"
			}
			left := strconv.Itoa(a.DaysLeft)
			if a.DaysLeft < 0 {
				left = fmt.Sprintf("lapsed %d days ago", -a.DaysLeft)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdCell(a.Account), mdCell(owner), m(a.ARRCents),
				a.RenewalDate, left, score, a.Band, strings.Join(a.Flags, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pastNote is the paragraph a report as of a past day opens with: what its
// figures were rebuilt from, what is today's, and what is left out.
func (r Report) pastNote() string {
	src := r.AsOfSources
	bands := fmt.Sprintf("no health snapshot is from a week that had ended by %s, so every account counts as unknown", r.AsOf)
	if src.SnapshotWeek != nil {
		bands = fmt.Sprintf("health bands and scores from the %s snapshot (the newest week that had ended by %s; an account without one counts as unknown)", *src.SnapshotWeek, r.AsOf)
	}
	return fmt.Sprintf("> **As of %s, a past day.** Live accounts, ARR and the KPIs come from the ARR ledger (entries on or before %s); %s; "+
		"escalations from their timelines (open, status, severity and past SLA at the end of the day). "+
		"Owners and capacity are today's, as ownership history is not kept; renewal dates are today's, moved back by whole annual terms "+
		"when a term was renewed after %s. "+
		"Left out, as steward keeps only their latest value: NPS, CSAT (also per member), expansion pipeline, "+
		"and the champion-changed, qbr-overdue and plan-at-risk flags.\n\n", r.AsOf, r.AsOf, bands, r.AsOf)
}

// mdCell keeps a value inside its table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// CSVSafe prefixes a cell a spreadsheet would run as a formula (leading =,
// +, -, @, tab or carriage return) with a quote. It also prefixes cells that
// already start with quotes before such a character, so that the importer's
// unescaping (drop one leading quote) is its exact inverse.
func CSVSafe(s string) string {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i < len(s) && IsFormulaStart(s[i]) {
		return "'" + s
	}
	return s
}

// IsFormulaStart reports whether a cell starting with c would be run as a
// formula by a spreadsheet.
func IsFormulaStart(c byte) bool {
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
}

// csvNum leaves an undefined KPI empty, which a spreadsheet treats as blank.
func csvNum(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return num(v, prec)
}

// WriteCSV writes the per-member table, one row per member, a
// "Portfolio" row with the totals, then a row for each period of the
// comparison ("Portfolio, the 3 months to 2026-12-03", the one before, a
// year earlier), for a spreadsheet. Columns are only ever added at the
// end; a period row fills the columns a period has, with as_of its end.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cents := func(c int64) string { return strconv.FormatInt(c, 10) }
	_ = cw.Write([]string{"as_of", "member", "email", "role", "accounts", "arr_cents", "nrr", "grr", "green", "yellow", "red", "unknown",
		"open_escalations", "renewals_due_90", "renewals_due_90_arr_cents", "csat", "nps", "accounts_at_risk", "arr_at_risk_cents",
		"cohort_accounts", "period_start", "renewal_rate", "new_cents", "expansion_cents", "contraction_cents", "churned_cents"})
	for _, m := range r.Members {
		_ = cw.Write([]string{r.AsOf.String(), CSVSafe(m.Name), CSVSafe(m.Email), m.Role, strconv.Itoa(m.Accounts), cents(m.ARRCents),
			csvNum(m.NRR, 4), csvNum(m.GRR, 4), strconv.Itoa(m.Bands[metrics.Green]), strconv.Itoa(m.Bands[metrics.Yellow]),
			strconv.Itoa(m.Bands[metrics.Red]), strconv.Itoa(m.Bands[metrics.Unknown]), strconv.Itoa(m.OpenEscalations),
			strconv.Itoa(m.RenewalsDue90), cents(m.RenewalsDue90ARR), csvNum(m.CSAT, 4), csvNum(m.NPS, 1),
			strconv.Itoa(m.AccountsAtRisk), cents(m.ARRAtRiskCents), strconv.Itoa(m.CohortAccounts), "", "", "", "", "", ""})
	}
	open := 0
	for s, n := range r.Escalations {
		if s != "resolved" {
			open += n
		}
	}
	due := r.RenewalsDue["90"]
	newARR := ""
	if r.Trends != nil {
		newARR = cents(r.Trends.Bridge.NewCents)
	}
	_ = cw.Write([]string{r.AsOf.String(), "Portfolio", "", "", strconv.Itoa(r.Accounts), cents(r.ARRCents), csvNum(r.NRR, 4), csvNum(r.GRR, 4),
		strconv.Itoa(r.Bands[metrics.Green]), strconv.Itoa(r.Bands[metrics.Yellow]), strconv.Itoa(r.Bands[metrics.Red]),
		strconv.Itoa(r.Bands[metrics.Unknown]), strconv.Itoa(open), strconv.Itoa(due.Count), cents(due.ARRCents), csvNum(r.CSAT, 4), csvNum(r.NPS, 1),
		strconv.Itoa(r.AccountsAtRisk), cents(r.ARRAtRiskCents), strconv.Itoa(r.CohortAccounts), r.WindowStart.String(),
		csvNum(r.RenewalRate, 4), newARR, cents(r.ExpansionCents), cents(r.ContractionCents), cents(r.ChurnedCents)})
	if c := r.Comparison; c != nil {
		periods := []*PeriodFigures{&c.Current, &c.Previous}
		if c.YearAgo != nil {
			periods = append(periods, c.YearAgo)
		}
		for _, p := range periods {
			_ = cw.Write([]string{p.End.String(), "Portfolio, " + p.Label, "", "", strconv.Itoa(p.Accounts), cents(p.ARRCents),
				csvNum(p.NRR, 4), csvNum(p.GRR, 4), "", "", "", "", "", "", "", "", "", "", "",
				strconv.Itoa(p.CohortAccounts), p.Start.String(), csvNum(p.RenewalRate, 4), cents(p.NewCents),
				cents(p.ExpansionCents), cents(p.ContractionCents), cents(p.ChurnedCents)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// openOf counts the unresolved escalations of a by-status count.
func openOf(byStatus map[string]int) int {
	n := 0
	for s, c := range byStatus {
		if s != "resolved" {
			n += c
		}
	}
	return n
}

// escalationCounts is "open 1, in progress 1, waiting on the client 0,
// with the director 1, resolved 2; 1 past SLA", statuses named as every
// report names them (StatusName).
func escalationCounts(byStatus map[string]int, breached int) string {
	var parts []string
	for _, st := range []string{store.StatusOpen, store.StatusInProgress, store.StatusWaitingClient, store.StatusWithDirector, store.StatusResolved} {
		parts = append(parts, fmt.Sprintf("%s %d", StatusName(st), byStatus[st]))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; %d past SLA", breached)
}
