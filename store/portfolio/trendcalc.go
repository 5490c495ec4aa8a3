package portfolio

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"time"

	"steward/metrics"
)

// How many points each series has (README, "The leadership report").
const (
	TrendQuarters    = 8
	TrendMonths      = 12
	TrendWeeks       = 13
	TrendRenewMonths = 6
)

// Scope is the part of the portfolio a trend is drawn for: the zero
// Scope is the whole portfolio; Owner set is one member's book by
// current owner (0: the Unassigned pool, the accounts with no active
// owner, as the team table counts them); AccountID set is one account.
type Scope struct {
	AccountID uint64
	Owner     *uint64
}

// holds reports whether account a is in scope s.
func (p *Portfolio) holds(s Scope, a *Account) bool {
	switch {
	case s.AccountID != 0:
		return a.ID == s.AccountID
	case s.Owner == nil:
		return true
	case *s.Owner == 0:
		return p.unassigned(a)
	}
	return a.OwnerID == *s.Owner
}

// holdsEsc reports whether escalation e is in scope s: its account's, or
// the member's it counts against (Responsible), as the team table counts
// open escalations.
func (p *Portfolio) holdsEsc(s Scope, e *Escalation) bool {
	switch {
	case s.AccountID != 0:
		return e.AccountID == s.AccountID
	case s.Owner == nil:
		return true
	case *s.Owner == 0:
		_, ok := p.rowOf.get(p.Responsible(e))
		return !ok
	}
	return p.Responsible(e) == *s.Owner
}

// period is one comparison period being summed.
type period struct {
	label    string
	w        metrics.Window
	at       [2]int // indexes of w.Start and w.End into trendSums.days
	ret      metrics.RetentionSums
	ren      metrics.Renewals
	live     int
	arr      int64
	newCents int64
}

// renewMonth sums one month's renewals due.
type renewMonth struct {
	first, last metrics.Date
	count       int
	arr         int64
	band        [4]metrics.BandDue // metrics.Bands order
	cat         [4]metrics.BandDue // metrics.ForecastCategories order
}

// trendSums sums the series of Trends (and the report's comparison) one
// account at a time: the portfolio adds its accounts in scope, the
// streaming report each account as it goes by. Every figure is additive,
// so the two agree.
type trendSums struct {
	asOf metrics.Date
	// days are every day whose ARR some series reads, ascending; each
	// account's ARR at all of them comes from one walk of its ledger.
	days    []metrics.Date
	ledger  []int64 // scratch: the ledger's ARR at days
	quarter []metrics.Window
	qAt     [][2]int
	qSums   []metrics.RetentionSums
	month   []metrics.Date // month ends, the last as_of
	mAt     []int
	mLive   []int
	mARR    []int64
	window  metrics.Window
	bAt     [2]int
	bridge  metrics.Bridge
	renew   [TrendRenewMonths]renewMonth
	periods []period // the comparison's: current, previous, year ago
	// windows, churned and ren are the periods' windows and per-account
	// scratch for their renewals.
	windows []metrics.Window
	churned []bool
	ren     []metrics.Renewals
	oldest  metrics.Date
	top     []AtRiskRenewal // the largest at-risk ARR, at most topAtRisk
	// clone: the accounts are views into the database's map (the
	// streaming report), so a row kept copies its strings.
	clone bool
}

// topAtRisk is how many accounts TopARRAtRisk names.
const topAtRisk = 3

func newTrendSums(asOf metrics.Date, window metrics.Window, periods []period) *trendSums {
	t := &trendSums{asOf: asOf, window: window, periods: periods}
	t.quarter = metrics.Quarters(asOf, TrendQuarters)
	first, _ := metrics.Month(asOf)
	for i := TrendMonths - 1; i >= 0; i-- {
		_, last := metrics.Month(first.AddMonths(-i))
		t.month = append(t.month, min(last, asOf))
	}
	for i := range t.renew {
		f := first.AddMonths(i)
		_, last := metrics.Month(f)
		t.renew[i] = renewMonth{first: max(f, asOf), last: last}
	}
	for _, q := range t.quarter {
		t.days = append(t.days, q.Start, q.End)
	}
	t.days = append(t.days, t.month...)
	t.days = append(t.days, window.Start, window.End)
	for _, p := range periods {
		t.days = append(t.days, p.w.Start, p.w.End)
	}
	slices.Sort(t.days)
	t.days = slices.Compact(t.days)
	at := func(d metrics.Date) int {
		i, _ := slices.BinarySearch(t.days, d)
		return i
	}
	for _, q := range t.quarter {
		t.qAt = append(t.qAt, [2]int{at(q.Start), at(q.End)})
	}
	for _, m := range t.month {
		t.mAt = append(t.mAt, at(m))
	}
	t.bAt = [2]int{at(window.Start), at(window.End)}
	for i := range t.periods {
		t.periods[i].at = [2]int{at(t.periods[i].w.Start), at(t.periods[i].w.End)}
		t.windows = append(t.windows, t.periods[i].w)
	}
	t.churned = make([]bool, len(periods))
	t.ren = make([]metrics.Renewals, len(periods))
	t.ledger = make([]int64, len(t.days))
	t.qSums = make([]metrics.RetentionSums, len(t.quarter))
	t.mLive = make([]int, len(t.month))
	t.mARR = make([]int64, len(t.month))
	return t
}

// add puts account a in the sums.
func (t *trendSums) add(a *Account) {
	metrics.ARRAtDays(a.Ledger, t.days, t.ledger)
	// The ARR at a day: the ledger's; an account with no ledger at all (a
	// record typed in, never priced) has its ARR throughout while it is
	// live, as the review's baseline takes it (baseline.go). Retention
	// reads the ledger alone, as the KPIs do.
	arr := func(i int) int64 {
		if len(a.Ledger) == 0 {
			if a.Live {
				return a.ARRCents
			}
			return 0
		}
		return t.ledger[i]
	}
	for k, at := range t.qAt {
		t.qSums[k].Add(metrics.RetentionBetween(t.ledger[at[0]], t.ledger[at[1]]))
	}
	// Live at a day: ARR above 0 on the ledger; an account with no
	// ledger, while it is live (at whatever ARR, as the KPIs count it).
	live := func(i int) bool {
		if len(a.Ledger) == 0 {
			return a.Live
		}
		return t.ledger[i] > 0
	}
	for k, at := range t.mAt {
		if live(at) {
			t.mLive[k]++
			t.mARR[k] += arr(at)
		}
	}
	t.bridge.Add(arr(t.bAt[0]), arr(t.bAt[1]))
	if len(t.periods) > 0 {
		t.addPeriods(a, arr, live)
	}
	if len(a.Ledger) > 0 && (t.oldest.IsZero() || a.Ledger[0].Date < t.oldest) {
		t.oldest = a.Ledger[0].Date
	}
	if !a.Live {
		return
	}
	if !a.RenewalDate.IsZero() && a.DaysToRenewal >= 0 {
		for k := range t.renew {
			m := &t.renew[k]
			if a.RenewalDate < m.first || a.RenewalDate > m.last {
				continue
			}
			m.count++
			m.arr += a.ARRCents
			b := &m.band[bandIndex(a.Health.Band)]
			b.Count++
			b.ARRCents += a.ARRCents
			if c := slices.Index(metrics.ForecastCategories, a.Forecast); c >= 0 {
				m.cat[c].Count++
				m.cat[c].ARRCents += a.ARRCents
			}
			break
		}
	}
	if metrics.AtRisk(a.Health.Band, !a.RenewalDate.IsZero(), a.DaysToRenewal) {
		t.offerTop(a)
	}
}

func (t *trendSums) addPeriods(a *Account, arr func(int) int64, live func(int) bool) {
	// Whether a due renewal was lost is read from the ledger at the
	// period's end; today's lifecycle only speaks for a period that ends
	// today (the headline's rule, metrics.AccountRenewals).
	for i := range t.periods {
		t.churned[i] = !a.Live && (t.periods[i].w.End >= t.asOf || len(a.Ledger) == 0)
	}
	ka := metrics.KPIAccount{Ledger: a.Ledger, ContractStart: a.ContractStart, RenewalDate: a.RenewalDate}
	metrics.AccountRenewalsOver(&ka, t.windows, t.churned, t.ren)
	for i := range t.periods {
		p := &t.periods[i]
		p.ret.Add(metrics.RetentionBetween(t.ledger[p.at[0]], t.ledger[p.at[1]]))
		p.ren.Add(t.ren[i])
		start, end := arr(p.at[0]), arr(p.at[1])
		if live(p.at[1]) {
			p.live++
			p.arr += end
		}
		if start <= 0 && end > 0 {
			p.newCents += end
		}
	}
}

// topLess orders the at-risk accounts by ARR, largest first, then by ID.
func topLess(x, y *AtRiskRenewal) int {
	if c := cmp.Compare(y.ARRCents, x.ARRCents); c != 0 {
		return c
	}
	return cmp.Compare(x.AccountID, y.AccountID)
}

// offerTop keeps a among the largest at-risk accounts if it is one.
func (t *trendSums) offerTop(a *Account) {
	if len(t.top) == topAtRisk {
		last := &t.top[topAtRisk-1]
		if a.ARRCents < last.ARRCents || (a.ARRCents == last.ARRCents && a.ID > last.AccountID) {
			return
		}
	}
	row := a.riskRow()
	if t.clone {
		row.Account, row.ExternalID = strings.Clone(row.Account), strings.Clone(row.ExternalID)
		row.Band = metrics.Band(strings.Clone(string(row.Band)))
	}
	at, _ := slices.BinarySearchFunc(t.top, &row, func(x AtRiskRenewal, y *AtRiskRenewal) int { return topLess(&x, y) })
	t.top = slices.Insert(t.top, at, row)
	if len(t.top) > topAtRisk {
		t.top = t.top[:topAtRisk]
	}
}

// merge adds o's sums into t (the same days and periods).
func (t *trendSums) merge(o *trendSums) {
	for k := range t.qSums {
		t.qSums[k].Add(o.qSums[k])
	}
	for k := range t.mLive {
		t.mLive[k] += o.mLive[k]
		t.mARR[k] += o.mARR[k]
	}
	t.bridge.Merge(o.bridge)
	for i := range t.periods {
		p, q := &t.periods[i], &o.periods[i]
		p.ret.Add(q.ret)
		p.ren.Add(q.ren)
		p.live += q.live
		p.arr += q.arr
		p.newCents += q.newCents
	}
	if !o.oldest.IsZero() && (t.oldest.IsZero() || o.oldest < t.oldest) {
		t.oldest = o.oldest
	}
	for i := range t.renew {
		m, n := &t.renew[i], &o.renew[i]
		m.count += n.count
		m.arr += n.arr
		for j := range m.band {
			m.band[j].Count += n.band[j].Count
			m.band[j].ARRCents += n.band[j].ARRCents
			m.cat[j].Count += n.cat[j].Count
			m.cat[j].ARRCents += n.cat[j].ARRCents
		}
	}
	for _, row := range o.top {
		if len(t.top) < topAtRisk || topLess(&row, &t.top[len(t.top)-1]) < 0 {
			at, _ := slices.BinarySearchFunc(t.top, &row, func(x AtRiskRenewal, y *AtRiskRenewal) int { return topLess(&x, y) })
			t.top = slices.Insert(t.top, at, row)
			if len(t.top) > topAtRisk {
				t.top = t.top[:topAtRisk]
			}
		}
	}
}

// trends turns the sums into the series, with the escalations of scope s
// counted week by week (BandWeeks are LoadBandWeeks').
func (t *trendSums) trends(p *Portfolio, s Scope) Trends {
	tr := Trends{Quarters: make([]PeriodKPI, len(t.quarter)), ARRMonths: make([]MonthARR, len(t.month)),
		BandWeeks: []BandWeek{}, RenewalMonths: make([]RenewalMonth, len(t.renew))}
	for k, q := range t.quarter {
		ret := t.qSums[k].Retention()
		tr.Quarters[k] = PeriodKPI{Label: metrics.QuarterName(q.Start.AddDays(1)), Start: q.Start.AddDays(1), End: q.End,
			NRR: opt(ret.NRR), GRR: opt(ret.GRR), CohortAccounts: ret.CohortSize, CohortStartARRCents: ret.StartARRCents}
	}
	for k, m := range t.month {
		tr.ARRMonths[k] = MonthARR{Month: metrics.MonthName(m), End: m, Accounts: t.mLive[k], ARRCents: t.mARR[k]}
	}
	b := t.bridge
	tr.Bridge = ARRBridge{Start: t.window.Start, End: t.window.End, StartCents: b.Start, NewCents: b.New,
		ExpansionCents: b.Expansion, ContractionCents: b.Contraction, ChurnCents: b.Churn, EndCents: b.End}
	for k := range t.renew {
		m := &t.renew[k]
		rm := RenewalMonth{Month: metrics.MonthName(m.first), Start: m.first, End: m.last, Count: m.count, ARRCents: m.arr,
			ByBand: map[metrics.Band]metrics.BandDue{}, ByCategory: map[metrics.ForecastCategory]metrics.BandDue{}}
		for i, band := range metrics.Bands {
			rm.ByBand[band] = m.band[i]
		}
		for i, c := range metrics.ForecastCategories {
			rm.ByCategory[c] = m.cat[i]
		}
		tr.RenewalMonths[k] = rm
	}
	tr.EscalationWeeks = p.escalationWeeks(s)
	return tr
}

// escalationWeeks counts scope s's escalations open at the end of each
// of the last TrendWeeks weeks' Sunday (the current week's at the
// portfolio's now, when that comes first), and those past their SLA
// then. An escalation counts as open from its raising to its resolution;
// one reopened and unresolved, from its raising on (the time it spent
// resolved is not seen, as the review's "then" does not see it:
// baseline.go).
func (p *Portfolio) escalationWeeks(s Scope) []EscalationWeek {
	weeks := metrics.LastWeeks(p.AsOf, TrendWeeks)
	out := make([]EscalationWeek, len(weeks))
	ends := make([]time.Time, len(weeks))
	for i, w := range weeks {
		out[i].Week = w.String()
		ends[i] = EndOfDay(w.Sunday())
		if !p.Now.IsZero() && p.Now.Before(ends[i]) {
			ends[i] = p.Now
		}
	}
	for i := range p.Escalations {
		e := &p.Escalations[i]
		if !p.holdsEsc(s, e) {
			continue
		}
		resolved := e.ResolvedAt
		if e.Open() {
			resolved = time.Time{} // open now, whatever a record says
		}
		for k, end := range ends {
			if !metrics.OpenAt(e.CreatedAt, resolved, end) {
				continue
			}
			out[k].Open++
			if !e.SLADue.IsZero() && end.After(e.SLADue) {
				out[k].Breached++
			}
		}
	}
	return out
}

// Trends are scope s's series from the portfolio in memory: everything
// but BandWeeks, which the weekly snapshots hold (LoadBandWeeks).
func (p *Portfolio) Trends(s Scope) Trends {
	t := p.trendSums(s, nil)
	return t.trends(p, s)
}

// trendSums sums the accounts of scope s, on two cores for a large book
// (the read model's other passes do the same: baseline.go).
func (p *Portfolio) trendSums(s Scope, periods func() []period) *trendSums {
	mk := func() *trendSums {
		var ps []period
		if periods != nil {
			ps = periods()
		}
		return newTrendSums(p.AsOf, p.KPIs.Window, ps)
	}
	pass := func(t *trendSums, lo, hi int) {
		for i := lo; i < hi; i++ {
			if a := &p.Accounts[i]; p.holds(s, a) {
				t.add(a)
			}
		}
	}
	t := mk()
	if s.AccountID != 0 {
		if a := p.Account(s.AccountID); a != nil {
			t.add(a)
		}
		return t
	}
	n := len(p.Accounts)
	if n < 20_000 || parallelism() < 2 {
		pass(t, 0, n)
		return t
	}
	o := mk()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pass(o, n/2, n)
	}()
	pass(t, 0, n/2)
	<-done
	t.merge(o)
	return t
}

// riskRow is a's row in a list of accounts at risk.
func (a *Account) riskRow() AtRiskRenewal {
	ar := AtRiskRenewal{AccountID: a.ID, Account: a.Name, ExternalID: a.ExternalID, Owner: a.OwnerName,
		ARRCents: a.ARRCents, RenewalDate: a.RenewalDate, DaysLeft: a.DaysToRenewal, Band: a.Health.Band, Flags: a.Flags.Names()}
	if a.Health.HasScore {
		s := a.Health.Score
		ar.Score = &s
	}
	return ar
}

// parallelism is how many cores a pass over the accounts may use.
func parallelism() int { return runtime.GOMAXPROCS(0) }
