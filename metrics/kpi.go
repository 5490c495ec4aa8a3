package metrics

import "sort"

// LedgerKind says why an account's ARR changed.
type LedgerKind string

const (
	KindNew         LedgerKind = "new"
	KindRenewal     LedgerKind = "renewal"
	KindExpansion   LedgerKind = "expansion"
	KindContraction LedgerKind = "contraction"
	KindChurn       LedgerKind = "churn"
)

// LedgerKinds lists every kind.
var LedgerKinds = []LedgerKind{KindNew, KindRenewal, KindExpansion, KindContraction, KindChurn}

// Valid reports whether k is a known kind.
func (k LedgerKind) Valid() bool {
	for _, v := range LedgerKinds {
		if k == v {
			return true
		}
	}
	return false
}

// LedgerEntry records that from Date on the account's ARR is ARRCents.
type LedgerEntry struct {
	Date     Date
	ARRCents int64
	Kind     LedgerKind
}

// ARRAt is the ARR in force at the end of day d: the last entry dated on or
// before d (entries must be sorted by date), or 0 before the first entry.
func ARRAt(entries []LedgerEntry, d Date) int64 {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].Date > d })
	if i == 0 {
		return 0
	}
	return entries[i-1].ARRCents
}

// Ratio is a KPI that may be undefined ("n/a") because its cohort is empty.
type Ratio struct {
	V  float64
	OK bool
}

func ratio(num, den float64) Ratio {
	if den == 0 {
		return Ratio{}
	}
	return Ratio{V: num / den, OK: true}
}

// Window is a closed range of days, [Start, End].
type Window struct {
	Start, End Date
}

// TrailingYear is the default KPI window: the twelve months to end.
func TrailingYear(end Date) Window { return Window{Start: end.AddMonths(-12), End: end} }

// KPIAccount is what the portfolio KPIs read of one account.
type KPIAccount struct {
	Ledger        []LedgerEntry // sorted by date
	ContractStart Date
	RenewalDate   Date // the next (or, if never renewed, the missed) renewal date
	Churned       bool
}

// Retention holds the cohort KPIs of SPEC section 4.
type Retention struct {
	CohortSize     int
	StartARRCents  int64 // S
	EndARRCents    int64 // the cohort's ARR at End, churned counting 0
	NRR            Ratio
	GRR            Ratio
	LogoRetention  Ratio
	LogoChurn      Ratio
	RevenueChurn   Ratio
	ExpansionCents int64 // positive net change of cohort accounts
	// ContractionCents is the decrease of cohort accounts still alive at End.
	ContractionCents int64
	ChurnedCents     int64 // start ARR of cohort accounts at 0 at End
	Retained         int   // cohort accounts with ARR > 0 at End
}

// RetentionSums are the additive parts of Retention: one account's
// figures, or a book's, which is the sum of its accounts'. A read model
// keeps each account's and updates a total by subtracting the old figures
// and adding the new when one account changes (README, "Design notes").
type RetentionSums struct {
	CohortSize, Retained                    int
	StartARRCents, EndARRCents, GRRCents    int64
	ExpansionCents, ContractionCents, Churn int64
}

// Add adds o to s; Sub takes it away again.
func (s *RetentionSums) Add(o RetentionSums) {
	s.CohortSize += o.CohortSize
	s.Retained += o.Retained
	s.StartARRCents += o.StartARRCents
	s.EndARRCents += o.EndARRCents
	s.GRRCents += o.GRRCents
	s.ExpansionCents += o.ExpansionCents
	s.ContractionCents += o.ContractionCents
	s.Churn += o.Churn
}

func (s *RetentionSums) Sub(o RetentionSums) {
	s.Add(RetentionSums{-o.CohortSize, -o.Retained, -o.StartARRCents, -o.EndARRCents, -o.GRRCents,
		-o.ExpansionCents, -o.ContractionCents, -o.Churn})
}

// AccountRetention is one account's share of the cohort KPIs over w: zero
// unless it had ARR > 0 at w.Start (the cohort).
func AccountRetention(a *KPIAccount, w Window) RetentionSums {
	return RetentionBetween(ARRAt(a.Ledger, w.Start), ARRAt(a.Ledger, w.End))
}

// RetentionBetween is one account's share of the cohort KPIs from its ARR
// at a window's start and at its end: zero unless start > 0.
func RetentionBetween(start, end int64) RetentionSums {
	var r RetentionSums
	if start <= 0 {
		return r
	}
	end = max(end, 0)
	r.CohortSize = 1
	r.StartARRCents, r.EndARRCents = start, end
	r.GRRCents = min(start, end)
	switch {
	case end == 0:
		r.Churn = start
	case end > start:
		r.ExpansionCents = end - start
		r.Retained = 1
	default:
		r.ContractionCents = start - end
		r.Retained = 1
	}
	return r
}

// Retention turns the sums into the KPIs (n/a for an empty cohort).
func (s RetentionSums) Retention() Retention {
	r := Retention{CohortSize: s.CohortSize, StartARRCents: s.StartARRCents, EndARRCents: s.EndARRCents,
		ExpansionCents: s.ExpansionCents, ContractionCents: s.ContractionCents, ChurnedCents: s.Churn, Retained: s.Retained}
	st := float64(s.StartARRCents)
	r.NRR = ratio(float64(s.EndARRCents), st)
	r.GRR = ratio(float64(s.GRRCents), st)
	r.LogoRetention = ratio(float64(s.Retained), float64(s.CohortSize))
	if r.LogoRetention.OK {
		r.LogoChurn = Ratio{V: 1 - r.LogoRetention.V, OK: true}
	}
	if r.GRR.OK {
		r.RevenueChurn = Ratio{V: 1 - r.GRR.V, OK: true}
	}
	return r
}

// RetentionOf computes NRR, GRR, logo retention and the ARR movements over
// w for the given accounts. The cohort is the accounts with ARR > 0 at
// w.Start; an account that expanded then contracted inside the window counts
// only its net change.
func RetentionOf(accounts []KPIAccount, w Window) Retention {
	var s RetentionSums
	for i := range accounts {
		s.Add(AccountRetention(&accounts[i], w))
	}
	return s.Retention()
}

// RenewalWindowDays is how far from the due date a renewal or expansion
// entry still counts as the renewal of that term.
const RenewalWindowDays = 30

// Renewals holds the renewal KPIs.
type Renewals struct {
	Due, Renewed           int
	DueARRCents            int64 // ARR in force the day before each due date
	RenewedARRCents        int64 // renewed ARR, capped at the ARR that was due
	Rate                   Ratio // logo renewal rate
	GrossDollarRenewalRate Ratio
}

// DueDates lists the renewal due dates of a on or inside w. Terms are
// annual: the due dates are the renewal date and its anniversaries back to
// the contract start (SPEC is silent on term length; see README).
func DueDates(a KPIAccount, w Window) []Date {
	if a.RenewalDate.IsZero() {
		return nil
	}
	var out []Date
	for k := 0; ; k++ {
		d := a.RenewalDate.AddMonths(-12 * k)
		if d < w.Start || (!a.ContractStart.IsZero() && d <= a.ContractStart) {
			break
		}
		if d <= w.End {
			out = append(out, d)
		}
	}
	return out
}

// AccountRenewals is one account's share of the renewal KPIs over w (only
// Due, Renewed, DueARRCents and RenewedARRCents are set: they add up; the
// rates are Finish's).
func AccountRenewals(a *KPIAccount, w Window) Renewals {
	var r Renewals
	churned := a.Churned || (len(a.Ledger) > 0 && ARRAt(a.Ledger, w.End) <= 0)
	for _, due := range DueDates(*a, w) {
		r.addDue(a.Ledger, due, churned)
	}
	return r
}

// addDue counts one due date: the ARR that was due, and whether (and at
// what ARR, capped at that) the term was renewed.
func (r *Renewals) addDue(ledger []LedgerEntry, due Date, churned bool) {
	renewal := renewalOf(ledger, due)
	// The ARR that was due is the one in force before the term was
	// renewed: an early renewal must not replace it with its own
	// (possibly smaller) amount.
	before := due
	if renewal != nil && renewal.Date < due {
		before = renewal.Date
	}
	dueARR := ARRAt(ledger, before.AddDays(-1))
	r.Due++
	r.DueARRCents += dueARR
	if churned || renewal == nil {
		return
	}
	r.Renewed++
	r.RenewedARRCents += min(renewal.ARRCents, dueARR)
}

// AccountRenewalsOver sets out[i] to AccountRenewals(a, ws[i]) with a's
// Churned taken as churned[i], finding a's due dates once for all the
// windows (the report's comparison sums three periods per account).
func AccountRenewalsOver(a *KPIAccount, ws []Window, churned []bool, out []Renewals) {
	for i := range out {
		out[i] = Renewals{}
	}
	if a.RenewalDate.IsZero() || len(ws) == 0 {
		return
	}
	span := ws[0]
	for _, w := range ws[1:] {
		span.Start, span.End = min(span.Start, w.Start), max(span.End, w.End)
	}
	dues := DueDates(*a, span)
	if len(dues) == 0 {
		return
	}
	for i, w := range ws {
		lost := churned[i] || (len(a.Ledger) > 0 && ARRAt(a.Ledger, w.End) <= 0)
		for _, due := range dues {
			if due >= w.Start && due <= w.End {
				out[i].addDue(a.Ledger, due, lost)
			}
		}
	}
}

// Add adds the counts and amounts of o; Sub takes them away. Both leave
// the rates to Finish.
func (r *Renewals) Add(o Renewals) {
	r.Due += o.Due
	r.Renewed += o.Renewed
	r.DueARRCents += o.DueARRCents
	r.RenewedARRCents += o.RenewedARRCents
}

func (r *Renewals) Sub(o Renewals) {
	r.Add(Renewals{Due: -o.Due, Renewed: -o.Renewed, DueARRCents: -o.DueARRCents, RenewedARRCents: -o.RenewedARRCents})
}

// Finish computes the rates from the counts and amounts.
func (r Renewals) Finish() Renewals {
	r.Rate = ratio(float64(r.Renewed), float64(r.Due))
	r.GrossDollarRenewalRate = ratio(float64(r.RenewedARRCents), float64(r.DueARRCents))
	return r
}

// RenewalsOf computes the logo and gross dollar renewal rates over w.
func RenewalsOf(accounts []KPIAccount, w Window) Renewals {
	var r Renewals
	for i := range accounts {
		r.Add(AccountRenewals(&accounts[i], w))
	}
	return r.Finish()
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// NPSResult is the Net Promoter Score over the latest responses.
type NPSResult struct {
	Responses, Promoters, Passives, Detractors int
	Score                                      Ratio // -100..100
}

// NPSOf computes NPS: % promoters (9-10) minus % detractors (0-6), passives
// counted in the total. Absent responses are skipped.
func NPSOf(responses []Opt) NPSResult {
	var r NPSResult
	for _, o := range responses {
		r.Count(o, 1)
	}
	return r.Finish()
}

// Count adds one response (n = 1) or takes it away (n = -1); absent
// responses count nothing. Finish computes the score.
func (r *NPSResult) Count(o Opt, n int) {
	if !o.Set {
		return
	}
	r.Responses += n
	switch {
	case o.V >= 9:
		r.Promoters += n
	case o.V >= 7:
		r.Passives += n
	default:
		r.Detractors += n
	}
}

// Finish computes the score from the counts.
func (r NPSResult) Finish() NPSResult {
	r.Score = ratio(float64(r.Promoters-r.Detractors)*100, float64(r.Responses))
	return r
}

// CSATResult is the top-two-box share and the mean of the latest responses.
type CSATResult struct {
	Responses int
	TopTwoBox Ratio // share of 4s and 5s, 0..1
	Mean      Ratio // 1..5
	// Top and Sum are the counts behind the ratios (4s and 5s; the sum of
	// the responses), so books add up.
	Top, Sum int
}

// CSATOf computes CSAT over the latest responses; absent ones are skipped.
func CSATOf(responses []Opt) CSATResult {
	var r CSATResult
	for _, o := range responses {
		r.Count(o, 1)
	}
	return r.Finish()
}

// Count adds one response (n = 1) or takes it away (n = -1).
func (r *CSATResult) Count(o Opt, n int) {
	if !o.Set {
		return
	}
	r.Responses += n
	r.Sum += n * int(o.V)
	if o.V >= 4 {
		r.Top += n
	}
}

// Finish computes the ratios from the counts.
func (r CSATResult) Finish() CSATResult {
	r.TopTwoBox = ratio(float64(r.Top), float64(r.Responses))
	r.Mean = ratio(float64(r.Sum), float64(r.Responses))
	return r
}

// DueItem is what the renewals-due table reads of one live account.
type DueItem struct {
	RenewalDate Date
	ARRCents    int64
	Band        Band
}

// DueBucket counts the renewals due within a horizon, in total and by band.
type DueBucket struct {
	Days     int
	Count    int
	ARRCents int64
	ByBand   map[Band]BandDue
}

// BandDue is one band's share of a DueBucket.
type BandDue struct {
	Count    int   `json:"count"`
	ARRCents int64 `json:"arr_cents"`
}

// DueHorizons are the renewal horizons the dashboard and report show.
var DueHorizons = []int{30, 60, 90}

// RenewalsDue counts the renewals due within each horizon of asOf
// (cumulative: the 90-day bucket includes the 30-day one; a renewal due today
// counts, an overdue one does not).
func RenewalsDue(items []DueItem, asOf Date) []DueBucket {
	out := make([]DueBucket, len(DueHorizons))
	for i, h := range DueHorizons {
		out[i] = DueBucket{Days: h, ByBand: map[Band]BandDue{}}
		for _, b := range Bands {
			out[i].ByBand[b] = BandDue{}
		}
	}
	for _, it := range items {
		if it.RenewalDate.IsZero() {
			continue
		}
		left := it.RenewalDate.Sub(asOf)
		if left < 0 {
			continue
		}
		for i, h := range DueHorizons {
			if left <= h {
				b := out[i].ByBand[it.Band]
				b.Count++
				b.ARRCents += it.ARRCents
				out[i].ByBand[it.Band] = b
				out[i].Count++
				out[i].ARRCents += it.ARRCents
			}
		}
	}
	return out
}

// RiskRenewalDays is how near a yellow account's renewal puts its ARR at
// risk.
const RiskRenewalDays = 90

// AtRisk reports whether a live account's ARR counts as at risk: its band
// is red (the verdict's band, so an override to red counts and an
// override away from red does not), or it is yellow with a renewal due
// within RiskRenewalDays days or already overdue. hasRenewal is false for
// an account without a renewal date.
func AtRisk(band Band, hasRenewal bool, daysToRenewal int) bool {
	switch band {
	case Red:
		return true
	case Yellow:
		return hasRenewal && daysToRenewal <= RiskRenewalDays
	}
	return false
}

// SegmentCounts counts live accounts by segment.
type SegmentCounts struct{ Enterprise, MidMarket, SMB int }

// Add counts one account of segment s (sign 1) or takes it out (-1).
func (c *SegmentCounts) Add(s Segment, sign int) {
	switch s {
	case Enterprise:
		c.Enterprise += sign
	case SMB:
		c.SMB += sign
	default:
		c.MidMarket += sign
	}
}

// LoadOf is a book's load: its accounts weighed by segment.
func LoadOf(c SegmentCounts, w LoadWeights) float64 {
	return float64(c.Enterprise)*w.Enterprise + float64(c.MidMarket)*w.MidMarket + float64(c.SMB)*w.SMB
}

// LoadShare is load as a share of capacity (1 is full); n/a without a
// capacity.
func LoadShare(load float64, capacity int) Ratio {
	if capacity <= 0 {
		return Ratio{}
	}
	return Ratio{V: load / float64(capacity), OK: true}
}
