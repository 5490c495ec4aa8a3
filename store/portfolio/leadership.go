package portfolio

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"steward/metrics"
)

// Period is the length of the report's comparison (report --period):
// the period ending at as_of against the one just before it, and the
// same period a year earlier (README, "The leadership report").
type Period string

const (
	PeriodQuarter    Period = "quarter"
	PeriodMonth      Period = "month"
	PeriodTrailing12 Period = "trailing-12"
)

// Periods are the comparisons report --period offers.
var Periods = []Period{PeriodQuarter, PeriodMonth, PeriodTrailing12}

// ParsePeriod reads a --period value ("" is the quarter).
func ParsePeriod(s string) (Period, error) {
	p := Period(strings.ToLower(strings.TrimSpace(s)))
	if p == "" {
		return PeriodQuarter, nil
	}
	for _, v := range Periods {
		if p == v {
			return p, nil
		}
	}
	return "", fmt.Errorf("--period %q: choose quarter, month or trailing-12", s)
}

// months is the period's length.
func (p Period) months() int {
	switch p {
	case PeriodMonth:
		return 1
	case PeriodTrailing12:
		return 12
	}
	return 3
}

// periodLabel is how a sentence names the period of months ending at end.
func periodLabel(months int, end metrics.Date) string {
	if months == 1 {
		return "the month to " + end.String()
	}
	return fmt.Sprintf("the %d months to %s", months, end)
}

// ReportOptions choose what the report compares and carry what the
// portfolio in memory does not hold.
type ReportOptions struct {
	Period Period // "" is PeriodQuarter
	// BandWeeks are the band mix of the last weekly snapshots
	// (LoadBandWeeks): the snapshots are not part of the portfolio. The
	// readers with a database (LoadReportWith, LoadPast) read them
	// themselves.
	BandWeeks []BandWeek
}

// comparisonPeriods are the periods a comparison sums: the one ending at
// asOf, the one before it and, for the quarter and the month, the same
// one a year earlier. Each is a window like the report's (window_start,
// window_end): the cohort is the accounts with ARR at the end of Start.
//
// The quarter and the month step back by calendar months clamped to the
// month's last day (the month to 2026-03-31 starts at the end of
// 2026-02-28, not of 2026-03-03); trailing-12 is the headline's window
// (metrics.TrailingYear) and the one before it, so its current period is
// the headline's to the account.
func comparisonPeriods(asOf metrics.Date, per Period) []period {
	n := per.months()
	if per == PeriodTrailing12 {
		// The previous period already is the year before.
		mk := func(w metrics.Window) period { return period{label: periodLabel(n, w.End), w: w} }
		cur := metrics.TrailingYear(asOf)
		return []period{mk(cur), mk(metrics.TrailingYear(cur.Start))}
	}
	// Every boundary is counted from asOf, so a clamped one does not
	// carry into the next (the quarter to 2026-05-31: from 2026-02-28,
	// the one before from 2025-11-30).
	back := func(months int) metrics.Date { return metrics.AddMonthsClamped(asOf, -months) }
	mk := func(start, end metrics.Date) period {
		return period{label: periodLabel(n, end), w: metrics.Window{Start: start, End: end}}
	}
	return []period{mk(back(n), asOf), mk(back(2*n), back(n)), mk(back(12+n), back(12))}
}

func (p *period) figures() PeriodFigures {
	ret := p.ret.Retention()
	ren := p.ren.Finish()
	return PeriodFigures{Label: p.label, Start: p.w.Start, End: p.w.End, Accounts: p.live, ARRCents: p.arr,
		NRR: opt(ret.NRR), GRR: opt(ret.GRR), LogoRetention: opt(ret.LogoRetention), RenewalRate: opt(ren.Rate),
		CohortAccounts: ret.CohortSize, CohortStartARRCents: ret.StartARRCents, NewCents: p.newCents,
		ExpansionCents: ret.ExpansionCents, ContractionCents: ret.ContractionCents, ChurnedCents: ret.ChurnedCents}
}

// comparison turns the summed periods into the report's comparison; the
// year-ago period is left out (null) when no ledger entry is as old as
// its start.
func (t *trendSums) comparison(per Period) *Comparison {
	c := &Comparison{Period: string(per), Current: t.periods[0].figures(), Previous: t.periods[1].figures()}
	if len(t.periods) > 2 {
		if y := &t.periods[2]; !t.oldest.IsZero() && t.oldest <= y.w.Start {
			f := y.figures()
			c.YearAgo = &f
		}
	}
	return c
}

// targets are the settings' targets, as the report shows them.
func (p *Portfolio) targets() Targets {
	t := p.Settings.Targets
	cp := func(v *float64) *float64 {
		if v == nil {
			return nil
		}
		x := *v
		return &x
	}
	return Targets{NRR: cp(t.NRR), GRR: cp(t.GRR), RenewalRate: cp(t.RenewalRate)}
}

// reportPeriods makes the comparison's periods, for each pass that sums them.
func (p *Portfolio) reportPeriods(per Period) func() []period {
	return func() []period { return comparisonPeriods(p.AsOf, per) }
}

// finishLeadership fills the report's leadership parts from the summed
// trends: trends, comparison, top ARR at risk and the summary.
func (p *Portfolio) finishLeadership(r *Report, t *trendSums, o ReportOptions) {
	per := o.Period
	if per == "" {
		per = PeriodQuarter
	}
	tr := t.trends(p, Scope{})
	if o.BandWeeks != nil {
		tr.BandWeeks = o.BandWeeks
	}
	r.Trends = &tr
	r.Comparison = t.comparison(per)
	r.TopARRAtRisk = append([]AtRiskRenewal{}, t.top...)
	r.Summary = r.summary()
}

// ReportWith is the leadership report with the options' comparison and
// band mix; Report is ReportWith(ReportOptions{}).
func (p *Portfolio) ReportWith(o ReportOptions) Report {
	r := p.report()
	per := o.Period
	if per == "" {
		per = PeriodQuarter
	}
	p.finishLeadership(&r, p.trendSums(Scope{}, p.reportPeriods(per)), o)
	return r
}

// SmallSample is the cohort below which a ratio is said with its sample:
// from fewer accounts, a ratio is an anecdote, not a rate.
const SmallSample = 5

// ratioWithSample is a ratio as a sentence says it: with its sample when
// that is small ("43.0% (from 1 account)"), n/a when undefined.
func ratioWithSample(v *float64, n int, unit string) string {
	if v == nil {
		return "n/a"
	}
	s := Pct(v)
	if n < SmallSample {
		s += fmt.Sprintf(" (from %d %s)", n, plural(n, unit))
	}
	return s
}

func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}

// pointsChange says how b moved to a, in percentage points.
func pointsChange(a, b *float64) string {
	if a == nil || b == nil {
		return ""
	}
	d := math.Round((*a-*b)*1000) / 10
	switch {
	case d > 0:
		return "up " + strconv.FormatFloat(d, 'f', 1, 64) + " points"
	case d < 0:
		return "down " + strconv.FormatFloat(-d, 'f', 1, 64) + " points"
	}
	return "unchanged"
}

// BelowTarget reports whether v is below target t (false when either is
// unset).
func BelowTarget(v, t *float64) bool { return v != nil && t != nil && *v < *t-1e-12 }

// kpiPhrase is a ratio as the summary says it: with its sample when it
// is from fewer than SmallSample (n of unit), and against its target
// when one is set: "43.0% (from 1 account; below its 90.0% target)".
func kpiPhrase(v *float64, n int, unit string, target *float64) string {
	if v == nil {
		return "n/a"
	}
	var notes []string
	if n < SmallSample {
		notes = append(notes, fmt.Sprintf("from %d %s", n, plural(n, unit)))
	}
	switch {
	case target == nil:
	case BelowTarget(v, target):
		notes = append(notes, "below its "+Pct(target)+" target")
	default:
		notes = append(notes, "meeting its "+Pct(target)+" target")
	}
	if len(notes) == 0 {
		return Pct(v)
	}
	return Pct(v) + " (" + strings.Join(notes, "; ") + ")"
}

// summary writes the executive summary from the figures (README, "The
// leadership report"): retention and its target; its change against the
// previous period; the ARR at risk and the accounts behind most of it;
// this quarter's renewal forecast (today's report only); the escalations.
func (r *Report) summary() []string {
	m := func(c int64) string { return Money(c, r.Currency) }
	var out []string
	s := fmt.Sprintf("Over the 12 months to %s, NRR was %s and GRR %s", r.WindowEnd,
		kpiPhrase(r.NRR, r.CohortAccounts, "account", r.Targets.NRR), kpiPhrase(r.GRR, r.CohortAccounts, "account", r.Targets.GRR))
	if r.RenewalsDueInWindow > 0 {
		// The count is said, so the renewal rate needs no sample note.
		s += fmt.Sprintf("; %d of %d renewals due renewed, a rate of %s", r.RenewalsRenewed, r.RenewalsDueInWindow,
			kpiPhrase(r.RenewalRate, SmallSample, "", r.Targets.RenewalRate))
	}
	out = append(out, s+".")
	if c := r.Comparison; c != nil {
		cur, prev := c.Current, c.Previous
		s := fmt.Sprintf("For %s, NRR was %s and GRR %s", cur.Label,
			ratioWithSample(cur.NRR, cur.CohortAccounts, "account"), ratioWithSample(cur.GRR, cur.CohortAccounts, "account"))
		if prev.NRR == nil {
			s += fmt.Sprintf("; the ledger has no cohort for %s to compare with", prev.Label)
		} else {
			s += fmt.Sprintf(", against %s and %s for %s (NRR %s, GRR %s)", ratioWithSample(prev.NRR, prev.CohortAccounts, "account"),
				ratioWithSample(prev.GRR, prev.CohortAccounts, "account"), prev.Label, pointsChange(cur.NRR, prev.NRR), pointsChange(cur.GRR, prev.GRR))
		}
		if y := c.YearAgo; y != nil && y.NRR != nil && cur.NRR != nil {
			s += fmt.Sprintf("; a year earlier NRR was %s", ratioWithSample(y.NRR, y.CohortAccounts, "account"))
		}
		out = append(out, s+".")
	}
	if r.AccountsAtRisk == 0 {
		out = append(out, "No ARR is at risk: no live account is red, or yellow with a renewal within 90 days.")
	} else {
		share := ""
		if r.ARRCents > 0 {
			v := float64(r.ARRAtRiskCents) / float64(r.ARRCents)
			share = fmt.Sprintf(" (%s of ARR)", Pct(&v))
		}
		s := fmt.Sprintf("%s of ARR is at risk in %d %s%s", m(r.ARRAtRiskCents), r.AccountsAtRisk, plural(r.AccountsAtRisk, "account"), share)
		var names []string
		for _, a := range r.TopARRAtRisk {
			names = append(names, fmt.Sprintf("%s (%s)", a.Account, m(a.ARRCents)))
		}
		switch len(names) {
		case 0:
		case 1:
			s += ", all of it in " + names[0]
		default:
			lead := "the largest"
			if len(names) == r.AccountsAtRisk {
				lead = "all of it"
			}
			s += fmt.Sprintf(", %s in %s and %s", lead, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
		}
		out = append(out, s+".")
	}
	if len(r.RenewalForecast) > 0 {
		q := r.RenewalForecast[0]
		if q.Renewals == 0 {
			out = append(out, fmt.Sprintf("No renewal is due in the rest of %s.", q.Quarter))
		} else {
			var parts []string
			for _, c := range metrics.ForecastCategories {
				if v := q.ByCategory[c]; v != 0 {
					parts = append(parts, m(v)+" "+humanCategory(c))
				}
			}
			calls := strings.Join(parts, ", ")
			if n := len(parts); n > 1 {
				calls = strings.Join(parts[:n-1], ", ") + " and " + parts[n-1]
			}
			verb := "are"
			if q.Renewals == 1 {
				verb = "is"
			}
			out = append(out, fmt.Sprintf("%d %s worth %s %s due in the rest of %s: %s, a forecast GRR of %s.",
				q.Renewals, plural(q.Renewals, "renewal"), m(q.DueARRCents), verb, q.Quarter, calls, Pct(q.GRR)))
		}
	}
	open := openOf(r.Escalations)
	s = fmt.Sprintf("%d %s open, %d past %s SLA", open, plural(open, "escalation")+map[bool]string{true: " is", false: " are"}[open == 1],
		r.EscalationsBreached, map[bool]string{true: "its", false: "their"}[r.EscalationsBreached == 1])
	if open == 0 {
		s = "No escalation is open"
	}
	if tr := r.Trends; tr != nil && len(tr.EscalationWeeks) > 1 {
		first := tr.EscalationWeeks[0]
		if open == 0 && first.Open == 0 {
			s += fmt.Sprintf(", nor was one at the end of %s", first.Week)
		} else {
			s += fmt.Sprintf(", against %d at the end of %s", first.Open, first.Week)
		}
	}
	out = append(out, s+".")
	return out
}

// targetMark is what a KPI's cell adds for its target: " (below the
// 105.0% target)", " (target 90.0%: met)", or nothing when unset.
func targetMark(v, t *float64) string {
	switch {
	case t == nil:
		return ""
	case BelowTarget(v, t):
		return " (below the " + Pct(t) + " target)"
	case v == nil:
		return " (target " + Pct(t) + ")"
	}
	return " (target " + Pct(t) + ": met)"
}

// signedPoints is the change from b to a in percentage points ("+4.7
// pts"), or "n/a".
func signedPoints(a, b *float64) string {
	if a == nil || b == nil {
		return "n/a"
	}
	d := math.Round((*a-*b)*1000) / 10
	if d == 0 {
		return "0.0 pts"
	}
	return fmt.Sprintf("%+.1f pts", d)
}

// writeLeadership writes the report's leadership sections for Markdown:
// the summary, the targets, the period comparison, the ARR at risk with
// its largest accounts, and the trends as sparklines and small tables.
func (r Report) writeLeadership(b *strings.Builder) {
	m := func(c int64) string { return Money(c, r.Currency) }
	if len(r.Summary) > 0 {
		b.WriteString("## Summary\n\n" + strings.Join(r.Summary, " ") + "\n\n")
	}
	t := r.Targets
	if t.NRR != nil || t.GRR != nil || t.RenewalRate != nil {
		b.WriteString("## Targets\n\n| KPI (12 months) | Actual | Target | Status |\n|---|--:|--:|---|\n")
		for _, row := range []struct {
			name   string
			v, tgt *float64
		}{{"NRR", r.NRR, t.NRR}, {"GRR", r.GRR, t.GRR}, {"Renewal rate", r.RenewalRate, t.RenewalRate}} {
			if row.tgt == nil {
				continue
			}
			status := "met"
			switch {
			case row.v == nil:
				status = "no figure"
			case BelowTarget(row.v, row.tgt):
				status = "**below target**"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", row.name, Pct(row.v), Pct(row.tgt), status)
		}
		b.WriteString("\n")
	}
	if c := r.Comparison; c != nil {
		cur, prev := c.Current, c.Previous
		fmt.Fprintf(b, "## Compared with the previous period\n\n%s (cohort at %s) against %s", capitalize(cur.Label), cur.Start, prev.Label)
		if c.YearAgo != nil {
			fmt.Fprintf(b, " and %s", c.YearAgo.Label)
		}
		b.WriteString(". A ratio from fewer than 5 accounts carries its sample.\n\n| Figure | This period | Previous | Change | Year earlier |\n|---|--:|--:|--:|--:|\n")
		ya := func(f func(p *PeriodFigures) string) string {
			if c.YearAgo == nil {
				return "n/a"
			}
			return f(c.YearAgo)
		}
		ratio := func(name string, get func(p *PeriodFigures) *float64, sample func(p *PeriodFigures) int, unit string) {
			f := func(p *PeriodFigures) string { return ratioWithSample(get(p), sample(p), unit) }
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", name, f(&cur), f(&prev), signedPoints(get(&cur), get(&prev)), ya(f))
		}
		cohort := func(p *PeriodFigures) int { return p.CohortAccounts }
		ratio("NRR", func(p *PeriodFigures) *float64 { return p.NRR }, cohort, "account")
		ratio("GRR", func(p *PeriodFigures) *float64 { return p.GRR }, cohort, "account")
		ratio("Logo retention", func(p *PeriodFigures) *float64 { return p.LogoRetention }, cohort, "account")
		// The renewal rate's sample is not carried per period: it is
		// said with its cohort's accounts only in the headline.
		ratio("Renewal rate", func(p *PeriodFigures) *float64 { return p.RenewalRate }, func(*PeriodFigures) int { return SmallSample }, "")
		money := func(name string, get func(p *PeriodFigures) int64) {
			f := func(p *PeriodFigures) string { return m(get(p)) }
			d := get(&cur) - get(&prev)
			sign := "+"
			if d < 0 {
				sign = ""
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s%s | %s |\n", name, f(&cur), f(&prev), sign, m(d), ya(f))
		}
		count := func(name string, get func(p *PeriodFigures) int) {
			f := func(p *PeriodFigures) string { return strconv.Itoa(get(p)) }
			fmt.Fprintf(b, "| %s | %s | %s | %+d | %s |\n", name, f(&cur), f(&prev), get(&cur)-get(&prev), ya(f))
		}
		count("Cohort (accounts)", cohort)
		money("Cohort ARR at start", func(p *PeriodFigures) int64 { return p.CohortStartARRCents })
		money("New ARR", func(p *PeriodFigures) int64 { return p.NewCents })
		money("Expansion", func(p *PeriodFigures) int64 { return p.ExpansionCents })
		money("Contraction", func(p *PeriodFigures) int64 { return p.ContractionCents })
		money("Churned ARR", func(p *PeriodFigures) int64 { return p.ChurnedCents })
		count("Live accounts at end", func(p *PeriodFigures) int { return p.Accounts })
		money("ARR at end", func(p *PeriodFigures) int64 { return p.ARRCents })
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "## ARR at risk\n\n%s in %d %s (red, or yellow renewing within 90 days).", m(r.ARRAtRiskCents), r.AccountsAtRisk, plural(r.AccountsAtRisk, "account"))
	if len(r.TopARRAtRisk) > 0 {
		b.WriteString(" The largest:\n\n| Account | Owner | ARR | Band | Renewal |\n|---|---|--:|---|---|\n")
		for _, a := range r.TopARRAtRisk {
			owner := a.Owner
			if owner == "" {
				owner = "Unassigned"
			}
			due := "none"
			switch {
			case a.RenewalDate.IsZero():
			case a.DaysLeft < 0:
				due = fmt.Sprintf("%s (lapsed)", a.RenewalDate)
			case a.DaysLeft == 0:
				due = fmt.Sprintf("%s (today)", a.RenewalDate)
			default:
				due = fmt.Sprintf("%s (in %d %s)", a.RenewalDate, a.DaysLeft, plural(a.DaysLeft, "day"))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdCell(a.Account), mdCell(owner), m(a.ARRCents), a.Band, due)
		}
	}
	b.WriteString("\n\n")
	if tr := r.Trends; tr != nil {
		r.writeTrends(b, tr)
	}
}

// writeTrends writes the series as sparklines and two small tables.
func (r Report) writeTrends(b *strings.Builder, tr *Trends) {
	m := func(c int64) string { return Money(c, r.Currency) }
	b.WriteString("## Trends\n\n")
	if q := tr.Quarters; len(q) > 0 {
		nrr, grr := make([]*float64, len(q)), make([]*float64, len(q))
		for i := range q {
			nrr[i], grr[i] = q[i].NRR, q[i].GRR
		}
		span := q[0].Label + " to " + q[len(q)-1].Label + " (to date)"
		fmt.Fprintf(b, "- NRR by quarter, %s: `%s` %s\n", span, Sparkline(nrr), seriesEnds(nrr))
		fmt.Fprintf(b, "- GRR by quarter, %s: `%s` %s\n", span, Sparkline(grr), seriesEnds(grr))
	}
	if ms := tr.ARRMonths; len(ms) > 0 {
		v := make([]int64, len(ms))
		for i := range ms {
			v[i] = ms[i].ARRCents
		}
		fmt.Fprintf(b, "- ARR by month, %s to %s: `%s` %s to %s\n", ms[0].Month, ms[len(ms)-1].Month, SparklineInts(v), m(v[0]), m(v[len(v)-1]))
	}
	if ws := tr.EscalationWeeks; len(ws) > 0 {
		v := make([]int64, len(ws))
		for i := range ws {
			v[i] = int64(ws[i].Open)
		}
		fmt.Fprintf(b, "- Open escalations by week, %s to %s: `%s` %d to %d\n", ws[0].Week, ws[len(ws)-1].Week, SparklineInts(v), v[0], v[len(v)-1])
	}
	if ws := tr.BandWeeks; len(ws) > 0 {
		v := make([]int64, len(ws))
		for i := range ws {
			v[i] = int64(ws[i].Red)
		}
		last := ws[len(ws)-1]
		fmt.Fprintf(b, "- Red accounts by weekly snapshot, %s to %s: `%s` %d to %d (last: green %d, yellow %d, red %d, unknown %d)\n",
			ws[0].Week, last.Week, SparklineInts(v), v[0], v[len(v)-1], last.Green, last.Yellow, last.Red, last.Unknown)
	}
	br := tr.Bridge
	fmt.Fprintf(b, "\n### ARR bridge, %s to %s\n\n| Start | New | Expansion | Contraction | Churn | End |\n|--:|--:|--:|--:|--:|--:|\n| %s | +%s | +%s | -%s | -%s | %s |\n",
		br.Start, br.End, m(br.StartCents), m(br.NewCents), m(br.ExpansionCents), m(br.ContractionCents), m(br.ChurnCents), m(br.EndCents))
	if len(tr.RenewalMonths) > 0 {
		b.WriteString("\n### Renewals due by month\n\n| Month | Renewals | ARR | Commit | Likely | At risk | Churn expected |\n|---|--:|--:|--:|--:|--:|--:|\n")
		for _, rm := range tr.RenewalMonths {
			c := rm.ByCategory
			fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %s |\n", rm.Month, rm.Count, m(rm.ARRCents),
				m(c[metrics.Commit].ARRCents), m(c[metrics.Likely].ARRCents), m(c[metrics.AtRiskRenewal].ARRCents), m(c[metrics.ChurnExpected].ARRCents))
		}
	}
	b.WriteString("\n")
}

// seriesEnds is "98.1% to 104.0%": the first and last figures a series
// has.
func seriesEnds(v []*float64) string {
	var first, last *float64
	for _, x := range v {
		if x != nil {
			if first == nil {
				first = x
			}
			last = x
		}
	}
	if first == nil {
		return "(no cohort)"
	}
	return Pct(first) + " to " + Pct(last)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
