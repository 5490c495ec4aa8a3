// Package report writes the leadership report as one self-contained HTML
// file (README, "The HTML report"): inline CSS and SVG, no script,
// no font, image or request from elsewhere, so it opens offline, survives
// a mail attachment and prints to PDF on A4 or Letter.
package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"

	"strconv"
	"strings"

	"steward/metrics"
	"steward/store/portfolio"
)

//go:embed report.html.tmpl
var pageSource string

// page is parsed once; html/template escapes every value by its context
// (account and member names are untrusted text from a CRM).
var page = template.Must(template.New("report").Parse(pageSource))

// How many rows the long lists show: a leadership report is one to three
// pages; the full lists are in `steward report --format md` and json.
const (
	atRiskRows     = 12
	teamRows       = 12 // the members with the most ARR, in the report's order
	smallSampleMin = 5  // a member's NRR or GRR from fewer accounts is marked
)

// WriteHTML writes r as one self-contained HTML5 document.
func WriteHTML(w io.Writer, r portfolio.Report) error {
	return page.Execute(w, build(r))
}

type view struct {
	AsOf, WindowStart, WindowEnd string
	Headline                     string
	PastNote                     string
	Summary                      []string
	Cards                        []card
	Comparison                   *comparisonView
	Charts                       []chart
	Members                      []memberRow
	MembersMore                  string
	SmallSamples                 bool
	AtRisk                       []atRiskRow
	AtRiskMore                   string
	AtRiskTotal                  string
	Escalations                  []escRow
	EscalationsNote              string
}

// card is one KPI tile: a value, lines under it, and a target mark that
// says below or met in a glyph and a word, never in colour alone.
type card struct {
	Label, Value string
	Lines        []string
	Mark         string
	Below        bool
}

type comparisonView struct {
	Heading,
	Current, Previous, YearAgo string
	HasYearAgo bool
	Rows       []comparisonRow
}

type comparisonRow struct {
	KPI, Current, Previous, Change, YearAgo, YoYChange string
}

type memberRow struct {
	Name, Role, Accounts, Capacity, RenewalsARR, ARR, NRR, GRR, Sample, Green, Yellow, Red, AtRisk, Escalations, Renewals, CSAT string
	OverCapacity, Small                                                                                                         bool
}

type atRiskRow struct {
	Account, Owner, ARR, Renewal, When, Band, Score, Flags string
	Lapsed                                                 bool
}

type escRow struct {
	Severity, Account, Title, Status, Owner, Opened, Age, SLA string
	Breached                                                  bool
}

func build(r portfolio.Report) view {
	m := func(c int64) string { return portfolio.Money(c, r.Currency) }
	v := view{
		AsOf: r.AsOf.String(), WindowStart: r.WindowStart.String(), WindowEnd: r.WindowEnd.String(),
		Headline: fmt.Sprintf("%s live accounts · %s ARR · trailing 12 months %s to %s", thousands(r.Accounts), m(r.ARRCents), r.WindowStart, r.WindowEnd),
		Summary:  r.Summary,
	}
	if r.AsOfSources != nil {
		v.PastNote = "This report shows " + r.AsOf.String() + ", a past day: the KPIs are rebuilt from the ARR ledger, bands from that week's snapshot, " +
			"escalations from their timelines; owners are today's, and NPS, CSAT and the pipeline are left out (steward keeps only their latest value)."
	}
	v.Cards = cards(r)
	v.Comparison = comparison(r)
	v.Charts = charts(r)
	shown, restMembers, restAccounts, restMemberARR := teamShown(r.Members)
	for i, mr := range r.Members {
		if !shown[i] {
			continue
		}
		row := memberRow{Name: mr.Name, Role: roleWord(mr.Role), Accounts: thousands(mr.Accounts), ARR: m(mr.ARRCents),
			NRR: portfolio.Pct(mr.NRR), GRR: portfolio.Pct(mr.GRR), Sample: thousands(mr.CohortAccounts),
			Green: thousands(mr.Bands[metrics.Green]), Yellow: thousands(mr.Bands[metrics.Yellow]), Red: thousands(mr.Bands[metrics.Red]),
			AtRisk: m(mr.ARRAtRiskCents), Escalations: thousands(mr.OpenEscalations),
			Renewals: thousands(mr.RenewalsDue90), RenewalsARR: m(mr.RenewalsDue90ARR), CSAT: portfolio.Pct(mr.CSAT),
			OverCapacity: mr.OverCapacity}
		if r.AsOfSources != nil {
			row.CSAT = "left out"
		}
		if mr.ID == 0 && mr.Role == "" {
			row.Role = "no active owner"
		}
		if mr.OverCapacity {
			row.Capacity = "over capacity of " + thousands(mr.Capacity)
		}
		// A ratio from a handful of accounts reads like a fact; the mark
		// says it is not one.
		if mr.CohortAccounts < smallSampleMin && (mr.NRR != nil || mr.GRR != nil) {
			row.Small = true
			v.SmallSamples = true
		}
		v.Members = append(v.Members, row)
	}
	if restMembers > 0 {
		v.MembersMore = fmt.Sprintf("and %s more members with %s accounts and %s ARR: the full table is in steward report --format md or json.",
			thousands(restMembers), thousands(restAccounts), m(restMemberARR))
	}
	var restARR int64
	for i, a := range r.AtRisk {
		if i >= atRiskRows {
			restARR += a.ARRCents
			continue
		}
		owner := a.Owner
		if owner == "" {
			owner = "Unassigned"
		}
		row := atRiskRow{Account: a.Account, Owner: owner, ARR: m(a.ARRCents), Renewal: a.RenewalDate.String(), Band: string(a.Band), Score: "n/a"}
		if a.Score != nil {
			row.Score = strconv.Itoa(*a.Score)
		}
		switch {
		case a.DaysLeft < 0:
			row.Lapsed = true
			row.When = "lapsed " + days(-a.DaysLeft) + " ago"
		case a.DaysLeft == 0:
			row.When = "due today"
		default:
			row.When = "in " + days(a.DaysLeft)
		}
		var fl []string
		for _, f := range a.Flags {
			if f != "renewal-risk" { // every row has it: the table is the renewals at risk
				fl = append(fl, flagWord(f))
			}
		}
		row.Flags = strings.Join(fl, ", ")
		v.AtRisk = append(v.AtRisk, row)
	}
	var atRiskARR int64
	for _, a := range r.AtRisk {
		atRiskARR += a.ARRCents
	}
	v.AtRiskTotal = fmt.Sprintf("%s renewals within 90 days or lapsed, below green: %s ARR.", thousands(len(r.AtRisk)), m(atRiskARR))
	if n := len(r.AtRisk) - atRiskRows; n > 0 {
		v.AtRiskMore = fmt.Sprintf("and %s more renewals at risk (%s ARR): the full list is in steward report --format md or json.", thousands(n), m(restARR))
	}
	for _, e := range r.TopEscalations {
		owner := e.Owner
		if owner == "" {
			owner = "unassigned"
		}
		row := escRow{Severity: e.Severity, Account: e.Account, Title: e.Title, Status: statusWord(e.Status), Owner: owner,
			Opened: e.Opened.String(), Age: days(e.AgeDays), SLA: "within SLA", Breached: e.Breached}
		if e.Breached {
			row.SLA = "past SLA"
		}
		v.Escalations = append(v.Escalations, row)
	}
	open := 0
	var parts []string
	for _, s := range []string{"open", "in_progress", "waiting_client", "with_director"} {
		n := r.Escalations[s]
		open += n
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, statusWord(s)))
		}
	}
	v.EscalationsNote = fmt.Sprintf("%d unresolved escalations", open)
	if len(parts) > 0 {
		v.EscalationsNote += " (" + strings.Join(parts, ", ") + ")"
	}
	v.EscalationsNote += fmt.Sprintf(", %d of them past SLA; %d resolved.", r.EscalationsBreached, r.Escalations["resolved"])
	if len(r.TopEscalations) > 0 {
		v.EscalationsNote += " The most severe, then the longest open:"
	}
	return v
}

// days is a whole number of days in words.
func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return thousands(n) + " days"
}

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// pointsChange is the change of a ratio in percentage points, with an
// arrow glyph so the direction reads without colour.
func pointsChange(now, then *float64) string {
	if now == nil || then == nil {
		return "n/a"
	}
	d := (*now - *then) * 100
	return arrow(d) + " " + signed(strconv.FormatFloat(abs(d), 'f', 1, 64), d) + " pts"
}

// moneyChange is the change of an amount, and in percent of the old one.
func moneyChange(now, then int64, currency string) string {
	d := now - then
	s := arrow(float64(d)) + " " + signed(strings.TrimPrefix(portfolio.Money(absI(d), currency), "-"), float64(d))
	if then != 0 {
		p := float64(d) / float64(then) * 100
		s += " (" + signed(strconv.FormatFloat(abs(p), 'f', 1, 64), p) + "%)"
	}
	return s
}

func arrow(d float64) string {
	switch {
	case d > 0.05:
		return "▲"
	case d < -0.05:
		return "▼"
	}
	return "="
}

func signed(s string, d float64) string {
	switch {
	case d > 0.05:
		return "+" + s
	case d < -0.05:
		return "−" + s
	}
	return s
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func absI(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// targetMark sets an actual beside its target: "✓ on target (105.0%)" or
// "▼ below target 105.0%"; "" without a target or an actual.
func targetMark(actual, target *float64) (string, bool) {
	if target == nil || actual == nil {
		return "", false
	}
	if *actual < *target {
		return "▼ below target " + portfolio.Pct(target), true
	}
	return "✓ on target (" + portfolio.Pct(target) + ")", false
}

func cards(r portfolio.Report) []card {
	m := func(c int64) string { return portfolio.Money(c, r.Currency) }
	cmp := r.Comparison
	// periodLine sets the comparison period's figure beside the previous
	// one's, each with its period's name: the card's own value is the
	// trailing twelve months', which is not the same figure.
	periodLine := func(f func(portfolio.PeriodFigures) *float64) string {
		if cmp == nil {
			return ""
		}
		c, p := f(cmp.Current), f(cmp.Previous)
		return fmt.Sprintf("Last %s: %s (%s on the %s before)", periodName(cmp.Period), portfolio.Pct(c), pointsChange(c, p), periodName(cmp.Period))
	}
	yoyLine := func(f func(portfolio.PeriodFigures) *float64) string {
		if cmp == nil || cmp.YearAgo == nil {
			return ""
		}
		return fmt.Sprintf("A year before: %s (%s)", portfolio.Pct(f(*cmp.YearAgo)), pointsChange(f(cmp.Current), f(*cmp.YearAgo)))
	}
	ratio := func(label string, v, target *float64, lines []string, f func(portfolio.PeriodFigures) *float64) card {
		c := card{Label: label, Value: portfolio.Pct(v)}
		c.Mark, c.Below = targetMark(v, target)
		c.Lines = nonEmpty(append(lines, periodLine(f), yoyLine(f)))
		return c
	}
	nrr := func(p portfolio.PeriodFigures) *float64 { return p.NRR }
	grr := func(p portfolio.PeriodFigures) *float64 { return p.GRR }
	ren := func(p portfolio.PeriodFigures) *float64 { return p.RenewalRate }
	logo := func(p portfolio.PeriodFigures) *float64 { return p.LogoRetention }
	cohort := fmt.Sprintf("cohort of %s accounts, %s at the start", thousands(r.CohortAccounts), m(r.CohortStartARRCents))
	out := []card{
		ratio("Net revenue retention", r.NRR, r.Targets.NRR, []string{cohort}, nrr),
		ratio("Gross revenue retention", r.GRR, r.Targets.GRR, []string{fmt.Sprintf("%s expansion, %s contraction, %s churned", m(r.ExpansionCents), m(r.ContractionCents), m(r.ChurnedCents))}, grr),
		ratio("Renewal rate", r.RenewalRate, r.Targets.RenewalRate, []string{fmt.Sprintf("%s of %s renewals due in the window renewed", thousands(r.RenewalsRenewed), thousands(r.RenewalsDueInWindow))}, ren),
		ratio("Logo retention", r.LogoRetention, nil, []string{"gross dollar renewal rate " + portfolio.Pct(r.GrossDollarRenewalRate)}, logo),
	}
	arr := card{Label: "ARR", Value: m(r.ARRCents), Lines: []string{thousands(r.Accounts) + " live accounts"}}
	if cmp != nil {
		arr.Lines = append(arr.Lines, fmt.Sprintf("%s in the last %s", moneyChange(cmp.Current.ARRCents, cmp.Previous.ARRCents, r.Currency), periodName(cmp.Period)))
		if cmp.YearAgo != nil {
			arr.Lines = append(arr.Lines, fmt.Sprintf("%s on a year before", moneyChange(cmp.Current.ARRCents, cmp.YearAgo.ARRCents, r.Currency)))
		}
	}
	risk := card{Label: "ARR at risk", Value: m(r.ARRAtRiskCents), Lines: []string{fmt.Sprintf("%s accounts: red, or yellow renewing within 90 days", thousands(r.AccountsAtRisk))}}
	if len(r.TopARRAtRisk) > 0 {
		var names []string
		for _, a := range r.TopARRAtRisk {
			names = append(names, fmt.Sprintf("%s (%s)", a.Account, m(a.ARRCents)))
		}
		risk.Lines = append(risk.Lines, "largest: "+strings.Join(names, ", "))
	}
	out = append(out, arr, risk)
	if len(r.RenewalForecast) > 0 {
		q := r.RenewalForecast[0]
		fc := card{Label: "Renewal forecast, " + q.Quarter, Value: m(q.ExpectedARRCents),
			Lines: []string{fmt.Sprintf("expected of %s due in %s renewals; forecast GRR %s", m(q.DueARRCents), thousands(q.Renewals), portfolio.Pct(q.GRR))}}
		var cats []string
		for _, c := range metrics.ForecastCategories {
			if v := q.ByCategory[c]; v != 0 {
				cats = append(cats, categoryWord(c)+" "+compactMoney(float64(v), r.Currency))
			}
		}
		if len(cats) > 0 {
			fc.Lines = append(fc.Lines, strings.Join(cats, ", "))
		}
		out = append(out, fc)
	} else {
		out = append(out, card{Label: "Renewal forecast", Value: "n/a", Lines: []string{"not kept for a past day"}})
	}
	open := 0
	for s, n := range r.Escalations {
		if s != "resolved" {
			open += n
		}
	}
	esc := card{Label: "Open escalations", Value: thousands(open), Lines: []string{fmt.Sprintf("%d past SLA", r.EscalationsBreached)}}
	if r.EscalationsBreached > 0 {
		esc.Mark, esc.Below = "▲ "+strconv.Itoa(r.EscalationsBreached)+" past SLA", true
		esc.Lines = nil
	}
	out = append(out, esc)
	nps := card{Label: "NPS", Value: "left out", Lines: []string{"only today's value is kept"}}
	if r.NPSResponses != nil {
		nps.Value, nps.Lines = num0(r.NPS), []string{thousands(*r.NPSResponses) + " responses"}
	}
	csat := card{Label: "CSAT (4 or 5 of 5)", Value: "left out", Lines: []string{"only today's value is kept"}}
	if r.CSATResponses != nil {
		csat.Value, csat.Lines = portfolio.Pct(r.CSAT), []string{thousands(*r.CSATResponses) + " responses"}
	}
	pipe := card{Label: "Expansion pipeline", Value: "left out", Lines: []string{"only today's value is kept"}}
	if r.PipelineCents != nil {
		pipe.Value, pipe.Lines = m(*r.PipelineCents), []string{"open expansion opportunities"}
	}
	due := r.RenewalsDue["90"]
	renew := card{Label: "Renewals in 90 days", Value: thousands(due.Count), Lines: []string{m(due.ARRCents) + " ARR due"}}
	if r.OverdueRenewals != nil && *r.OverdueRenewals > 0 {
		renew.Lines = append(renew.Lines, fmt.Sprintf("%d lapsed, not renewed (%s)", *r.OverdueRenewals, m(*r.OverdueARRCents)))
	}
	return append(out, renew, nps, csat, pipe)
}

// periodName is a comparison period in words: "3 months".
func periodName(period string) string {
	switch period {
	case "quarter":
		return "3 months"
	case "month":
		return "month"
	case "trailing-12", "trailing-12-months":
		return "12 months"
	}
	return "period"
}

func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func num0(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v, 'f', 0, 64)
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func comparison(r portfolio.Report) *comparisonView {
	c := r.Comparison
	if c == nil {
		return nil
	}
	m := func(v int64) string { return portfolio.Money(v, r.Currency) }
	cv := &comparisonView{Heading: upperFirst(c.Current.Label), Current: c.Current.Label, Previous: c.Previous.Label, HasYearAgo: c.YearAgo != nil}
	if c.YearAgo != nil {
		cv.YearAgo = c.YearAgo.Label
	}
	yr := func(f func(portfolio.PeriodFigures) string, ch func(a, b portfolio.PeriodFigures) string) (string, string) {
		if c.YearAgo == nil {
			return "", ""
		}
		return f(*c.YearAgo), ch(c.Current, *c.YearAgo)
	}
	type kpi struct {
		name  string
		ratio func(portfolio.PeriodFigures) *float64
		money func(portfolio.PeriodFigures) int64
	}
	for _, k := range []kpi{
		{"Net revenue retention", func(p portfolio.PeriodFigures) *float64 { return p.NRR }, nil},
		{"Gross revenue retention", func(p portfolio.PeriodFigures) *float64 { return p.GRR }, nil},
		{"Logo retention", func(p portfolio.PeriodFigures) *float64 { return p.LogoRetention }, nil},
		{"Renewal rate", func(p portfolio.PeriodFigures) *float64 { return p.RenewalRate }, nil},
		{"ARR at the end", nil, func(p portfolio.PeriodFigures) int64 { return p.ARRCents }},
		{"New ARR", nil, func(p portfolio.PeriodFigures) int64 { return p.NewCents }},
		{"Expansion", nil, func(p portfolio.PeriodFigures) int64 { return p.ExpansionCents }},
		{"Contraction", nil, func(p portfolio.PeriodFigures) int64 { return p.ContractionCents }},
		{"Churned ARR", nil, func(p portfolio.PeriodFigures) int64 { return p.ChurnedCents }},
	} {
		row := comparisonRow{KPI: k.name}
		if k.ratio != nil {
			f := func(p portfolio.PeriodFigures) string { return portfolio.Pct(k.ratio(p)) }
			ch := func(a, b portfolio.PeriodFigures) string { return pointsChange(k.ratio(a), k.ratio(b)) }
			row.Current, row.Previous, row.Change = f(c.Current), f(c.Previous), ch(c.Current, c.Previous)
			row.YearAgo, row.YoYChange = yr(f, ch)
		} else {
			f := func(p portfolio.PeriodFigures) string { return m(k.money(p)) }
			ch := func(a, b portfolio.PeriodFigures) string { return moneyChange(k.money(a), k.money(b), r.Currency) }
			row.Current, row.Previous, row.Change = f(c.Current), f(c.Previous), ch(c.Current, c.Previous)
			row.YearAgo, row.YoYChange = yr(f, ch)
		}
		cv.Rows = append(cv.Rows, row)
	}
	cohort := func(p portfolio.PeriodFigures) string { return thousands(p.CohortAccounts) }
	row := comparisonRow{KPI: "Cohort (accounts)", Current: cohort(c.Current), Previous: cohort(c.Previous), Change: ""}
	if c.YearAgo != nil {
		row.YearAgo = cohort(*c.YearAgo)
	}
	cv.Rows = append(cv.Rows, row)
	return cv
}

func charts(r portfolio.Report) []chart {
	t := r.Trends
	if t == nil {
		return nil
	}
	return []chart{
		retentionChart("c1", t.Quarters, r.Targets),
		bridgeChart("c2", t.Bridge, r.Currency),
		bandMixChart("c3", t.BandWeeks),
		renewalsChart("c4", t.RenewalMonths, r.Currency),
	}
}

// teamShown picks the members the page lists: all of a team, or on a
// shared box of thousands the teamRows with the most ARR (a report a VP
// forwards is one to three pages), kept in the report's order; and what
// the rest hold.
func teamShown(ms []portfolio.MemberReport) (shown []bool, rest, accounts int, arr int64) {
	shown = make([]bool, len(ms))
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ms[order[a]].ARRCents > ms[order[b]].ARRCents })
	for k, i := range order {
		if k < teamRows {
			shown[i] = true
			continue
		}
		rest++
		accounts += ms[i].Accounts
		arr += ms[i].ARRCents
	}
	return shown, rest, accounts, arr
}
