package portfolio

import (
	"slices"
	"strings"

	"steward/metrics"
	"steward/store"
)

// A book is the additive state behind a KPIs value or a team row: every
// account adds its figures once, and a changed account is taken out with
// its old figures and put back with its new ones (Apply), so following
// the change feed costs the changed accounts, not the portfolio (README,
// "Design notes").
type book struct {
	ret            metrics.RetentionSums
	ren            metrics.Renewals
	nps            metrics.NPSResult
	csat           metrics.CSATResult
	live           int
	arr, pipeline  int64
	bands          [4]int // indexes metrics.Bands
	due            [3][4]metrics.BandDue
	unassignedLive int
	// atRisk counts the live accounts whose ARR is at risk
	// (metrics.AtRisk) and sums that ARR.
	atRisk    int
	atRiskARR int64
	segs      metrics.SegmentCounts // live accounts, for the load
	// forecast sums the renewals of this quarter [0] and the next [1];
	// overdue the renewals past due and not yet renewed.
	forecast   [2]metrics.ForecastSums
	overdue    int
	overdueARR int64
	// stale counts the live accounts whose health inputs are stale
	// (Account.StaleInputs) and sums their ARR.
	stale    int
	staleARR int64
}

// dueHorizons are metrics.DueHorizons, fixed at three for the arrays above
// (a test checks they agree).
var dueHorizons = [3]int{30, 60, 90}

func bandIndex(b metrics.Band) int {
	if i := slices.Index(metrics.Bands, b); i >= 0 && i < 4 {
		return i
	}
	return len(metrics.Bands) - 1 // unknown
}

// add adds a's figures f (sign 1) or takes them out (sign -1); unassigned
// says the account has no active owner.
func (b *book) add(a *Account, f *figures, sign int, unassigned bool) {
	if sign > 0 {
		b.ret.Add(f.ret)
		b.ren.Add(f.ren)
	} else {
		b.ret.Sub(f.ret)
		b.ren.Sub(f.ren)
	}
	if !a.Live {
		return
	}
	s64 := int64(sign)
	b.live += sign
	b.segs.Add(a.Segment, sign)
	b.arr += s64 * a.ARRCents
	b.pipeline += s64 * a.PipelineCents
	band := bandIndex(a.Health.Band)
	b.bands[band] += sign
	b.nps.Count(a.NPS, sign)
	b.csat.Count(a.CSAT, sign)
	if !a.RenewalDate.IsZero() && a.DaysToRenewal >= 0 {
		for h, days := range dueHorizons {
			if a.DaysToRenewal <= days {
				b.due[h][band].Count += sign
				b.due[h][band].ARRCents += s64 * a.ARRCents
			}
		}
	}
	if unassigned {
		b.unassignedLive += sign
	}
	if metrics.AtRisk(a.Health.Band, !a.RenewalDate.IsZero(), a.DaysToRenewal) {
		b.atRisk += sign
		b.atRiskARR += s64 * a.ARRCents
	}
	if a.StaleInputs {
		b.stale += sign
		b.staleARR += s64 * a.ARRCents
	}
}

func (b *book) bandMap() map[metrics.Band]int {
	m := make(map[metrics.Band]int, len(metrics.Bands))
	for i, band := range metrics.Bands {
		m[band] = b.bands[i]
	}
	return m
}

// buckets is the renewals due in 30/60/90 days, as metrics.RenewalsDue
// gives them.
func (b *book) buckets() []metrics.DueBucket {
	out := make([]metrics.DueBucket, len(dueHorizons))
	for h, days := range dueHorizons {
		out[h] = metrics.DueBucket{Days: days, ByBand: map[metrics.Band]metrics.BandDue{}}
		for i, band := range metrics.Bands {
			d := b.due[h][i]
			out[h].ByBand[band] = d
			out[h].Count += d.Count
			out[h].ARRCents += d.ARRCents
		}
	}
	return out
}

// unassigned reports whether account a has no active owner: its figures
// go to the Unassigned row.
func (p *Portfolio) unassigned(a *Account) bool {
	_, ok := p.rowOf.get(a.OwnerID)
	return !ok
}

// bookAccount adds (sign 1) or takes out (sign -1) account a in the
// portfolio's book and its owner's.
//
// Its KPI figures are computed from its ledger each time: an account taken
// out still holds what it was put in with.
func (p *Portfolio) bookAccount(a *Account, sign int) {
	f := a.figures(metrics.TrailingYear(p.AsOf))
	un := p.unassigned(a)
	p.total.add(a, &f, sign, un)
	p.total.addRenewal(a, p.AsOf, sign)
	row := len(p.books) - 1 // Unassigned
	if !un {
		row, _ = p.rowOf.get(a.OwnerID)
	}
	p.books[row].add(a, &f, sign, un)
	p.touchedRows[row] = true
}

// sumBooks lays out the team rows and adds every account to the books.
func (p *Portfolio) sumBooks(asOf metrics.Date) {
	p.layoutTeam(asOf)
	for i := range p.Accounts {
		p.bookAccount(&p.Accounts[i], 1)
	}
	p.finishTeam(true)
}

// layoutTeam lays out the team rows (managers first, then active members
// by name, the Unassigned pool last) with empty books.
func (p *Portfolio) layoutTeam(asOf metrics.Date) {
	order := make([]int, 0, len(p.Members))
	lower := make([]string, len(p.Members))
	for i, m := range p.Members {
		if m.Active {
			order = append(order, i)
			lower[i] = strings.ToLower(m.Name)
		}
	}
	// The members are ordered before their rows are built, with the
	// lower-cased names made once (thousands on a shared box).
	slices.SortStableFunc(order, func(x, y int) int {
		if mx, my := p.Members[x].Role == store.RoleManager, p.Members[y].Role == store.RoleManager; mx != my {
			if mx {
				return -1
			}
			return 1
		}
		return strings.Compare(lower[x], lower[y])
	})
	p.teamAll = make([]MemberRow, 0, len(order)+1)
	var maxID uint64
	for _, i := range order {
		maxID = max(maxID, p.Members[i].ID)
	}
	p.rowOf = newIDIndex(maxID, len(order))
	for _, i := range order {
		m := p.Members[i]
		r := MemberRow{Member: m, DaysSinceOneOne: -1}
		if !m.LastOneOnOne.IsZero() {
			r.DaysSinceOneOne = asOf.Sub(m.LastOneOnOne)
		}
		p.rowOf.set(m.ID, len(p.teamAll))
		p.teamAll = append(p.teamAll, r)
	}
	p.teamAll = append(p.teamAll, MemberRow{Member: store.Member{Name: "Unassigned"}, Unassigned: true, DaysSinceOneOne: -1})
	p.books = make([]book, len(p.teamAll))
	p.total = book{}
	p.touchedRows = make([]bool, len(p.teamAll))
}

// finishKPIs turns the portfolio's book and the queue into its KPIs.
func (p *Portfolio) finishKPIs() {
	b := &p.total
	k := KPIs{
		Window:          metrics.TrailingYear(p.AsOf),
		LiveAccounts:    b.live,
		ARRCents:        b.arr,
		Bands:           b.bandMap(),
		Retention:       b.ret.Retention(),
		Renewals:        b.ren.Finish(),
		NPS:             b.nps.Finish(),
		CSAT:            b.csat.Finish(),
		PipelineCents:   b.pipeline,
		Due:             b.buckets(),
		EscByStatus:     map[string]int{},
		UnassignedLive:  b.unassignedLive,
		AtRisk:          b.atRisk,
		AtRiskARRCents:  b.atRiskARR,
		Forecast:        [2]metrics.Forecast{b.forecast[0].Finish(), b.forecast[1].Finish()},
		OverdueRenewals: b.overdue, OverdueARRCents: b.overdueARR,
		Stale: b.stale, StaleARRCents: b.staleARR,
	}
	for _, s := range store.Statuses {
		k.EscByStatus[s] = 0
	}
	for _, e := range p.Escalations {
		k.EscByStatus[e.Status]++
		if e.Open() {
			k.OpenEsc++
			if e.Breached {
				k.BreachedEsc++
			}
		}
	}
	p.KPIs = k
}

// finishTeam turns the books into team rows: every row (all) or those
// whose books changed since; open escalations are counted again for every
// row (a few thousand at most). The Team slice is new each time: a screen
// may still read the previous one.
func (p *Portfolio) finishTeam(all bool) {
	rows := slices.Clone(p.teamAll)
	for i := range rows {
		r := &rows[i]
		if all || p.touchedRows[i] {
			b := &p.books[i]
			r.Accounts, r.ARRCents, r.Bands = b.live, b.arr, b.bandMap()
			r.Retention, r.NPS, r.CSAT = b.ret.Retention(), b.nps.Finish(), b.csat.Finish()
			r.Due90, r.Due90ARRCents = 0, 0
			for _, d := range b.due[len(dueHorizons)-1] {
				r.Due90 += d.Count
				r.Due90ARRCents += d.ARRCents
			}
			r.OverCapacity = !r.Unassigned && r.Member.Capacity > 0 && r.Accounts > r.Member.Capacity
			r.AtRisk, r.AtRiskARRCents = b.atRisk, b.atRiskARR
			r.Stale, r.StaleARRCents = b.stale, b.staleARR
			r.Load = metrics.LoadOf(b.segs, p.Settings.Health.Load)
			r.LoadShare = metrics.LoadShare(r.Load, r.Member.Capacity)
			if r.Unassigned {
				r.LoadShare = metrics.Ratio{}
			}
			r.OneOnOneDue = !r.Unassigned && (r.DaysSinceOneOne < 0 || r.DaysSinceOneOne > p.Settings.Health.OneOnOneDays)
		}
		r.OpenEsc = 0
	}
	for _, e := range p.Escalations {
		if !e.Open() {
			continue
		}
		row, ok := p.rowOf.get(p.Responsible(&e))
		if !ok {
			row = len(rows) - 1
		}
		rows[row].OpenEsc++
	}
	// Overdue tasks are counted again each time too: the open ones are a
	// few per account at most, and a day makes any of them overdue.
	for i := range rows {
		rows[i].OverdueTasks = 0
	}
	for i := range p.Tasks {
		t := &p.Tasks[i]
		if !t.Overdue(p.AsOf) {
			continue
		}
		row, ok := p.rowOf.get(t.OwnerID)
		if !ok {
			row = len(rows) - 1
		}
		rows[row].OverdueTasks++
	}
	clear(p.touchedRows)
	p.teamAll = rows
	// The Unassigned pool has a row only when it holds something.
	un := &rows[len(rows)-1]
	p.Team = rows
	if p.books[len(rows)-1].live == 0 && un.OpenEsc == 0 {
		p.Team = rows[:len(rows)-1]
	}
}

// addRenewal adds a live account's renewal to the quarter it falls in
// (this one or the next) or to the overdue, by its forecast.
func (b *book) addRenewal(a *Account, asOf metrics.Date, sign int) {
	if !a.Live || a.RenewalDate.IsZero() {
		return
	}
	if a.DaysToRenewal < 0 {
		b.overdue += sign
		b.overdueARR += int64(sign) * a.ARRCents
		return
	}
	first, last := metrics.Quarter(asOf)
	next := last.AddDays(1)
	_, nextLast := metrics.Quarter(next)
	row := metrics.ForecastRow{Category: a.Forecast, ARRCents: a.ARRCents, ExpectedARRCents: a.ExpectedARRCents}
	switch d := a.RenewalDate; {
	case d >= first && d <= last:
		b.forecast[0].Add(row, sign)
	case d >= next && d <= nextLast:
		b.forecast[1].Add(row, sign)
	}
}

// Responsible is the member an escalation counts against: its owner, or,
// unowned, the owner of its account (0: nobody).
func (p *Portfolio) Responsible(e *Escalation) uint64 {
	if e.OwnerID != 0 {
		return e.OwnerID
	}
	if a := p.Account(e.AccountID); a != nil {
		return a.OwnerID
	}
	return 0
}
