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

// RetentionOf computes NRR, GRR, logo retention and the ARR movements over
// w for the given accounts. The cohort is the accounts with ARR > 0 at
// w.Start; an account that expanded then contracted inside the window counts
// only its net change.
func RetentionOf(accounts []KPIAccount, w Window) Retention {
	var r Retention
	var grrNum int64
	for i := range accounts {
		start := ARRAt(accounts[i].Ledger, w.Start)
		if start <= 0 {
			continue
		}
		end := ARRAt(accounts[i].Ledger, w.End)
		if end < 0 {
			end = 0
		}
		r.CohortSize++
		r.StartARRCents += start
		r.EndARRCents += end
		grrNum += min(start, end)
		switch {
		case end == 0:
			r.ChurnedCents += start
		case end > start:
			r.ExpansionCents += end - start
			r.Retained++
		default:
			r.ContractionCents += start - end
			r.Retained++
		}
	}
	s := float64(r.StartARRCents)
	r.NRR = ratio(float64(r.EndARRCents), s)
	r.GRR = ratio(float64(grrNum), s)
	r.LogoRetention = ratio(float64(r.Retained), float64(r.CohortSize))
	if r.LogoRetention.OK {
		r.LogoChurn = Ratio{V: 1 - r.LogoRetention.V, OK: true}
	}
	if r.GRR.OK {
		r.RevenueChurn = Ratio{V: 1 - r.GRR.V, OK: true}
	}
	return r
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

// RenewalsOf computes the logo and gross dollar renewal rates over w.
func RenewalsOf(accounts []KPIAccount, w Window) Renewals {
	var r Renewals
	for i := range accounts {
		a := &accounts[i]
		churned := a.Churned || (len(a.Ledger) > 0 && ARRAt(a.Ledger, w.End) <= 0)
		for _, due := range DueDates(*a, w) {
			renewal := renewalOf(a.Ledger, due)
			// The ARR that was due is the one in force before the term was
			// renewed: an early renewal must not replace it with its own
			// (possibly smaller) amount.
			before := due
			if renewal != nil && renewal.Date < due {
				before = renewal.Date
			}
			dueARR := ARRAt(a.Ledger, before.AddDays(-1))
			r.Due++
			r.DueARRCents += dueARR
			if churned || renewal == nil {
				continue
			}
			r.Renewed++
			r.RenewedARRCents += min(renewal.ARRCents, dueARR)
		}
	}
	r.Rate = ratio(float64(r.Renewed), float64(r.Due))
	r.GrossDollarRenewalRate = ratio(float64(r.RenewedARRCents), float64(r.DueARRCents))
	return r
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
		if !o.Set {
			continue
		}
		r.Responses++
		switch {
		case o.V >= 9:
			r.Promoters++
		case o.V >= 7:
			r.Passives++
		default:
			r.Detractors++
		}
	}
	r.Score = ratio(float64(r.Promoters-r.Detractors)*100, float64(r.Responses))
	return r
}

// CSATResult is the top-two-box share and the mean of the latest responses.
type CSATResult struct {
	Responses int
	TopTwoBox Ratio // share of 4s and 5s, 0..1
	Mean      Ratio // 1..5
}

// CSATOf computes CSAT over the latest responses; absent ones are skipped.
func CSATOf(responses []Opt) CSATResult {
	var r CSATResult
	var top, sum int
	for _, o := range responses {
		if !o.Set {
			continue
		}
		r.Responses++
		sum += int(o.V)
		if o.V >= 4 {
			top++
		}
	}
	r.TopTwoBox = ratio(float64(top), float64(r.Responses))
	r.Mean = ratio(float64(sum), float64(r.Responses))
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
