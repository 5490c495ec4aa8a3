package tui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// The renewals view (key 5): every live account's renewal that is
// overdue, due this quarter or next, with its forecast; above the table,
// each quarter's forecast: ARR due, by category, and the forecast GRR
// (README, "Money at risk, and what changed", renewal forecast).

var renewalCols = []column{
	{title: "When", min: 7, pref: 9, prio: 1},
	{title: "Account", min: 12, pref: 28, flex: true, prio: 0},
	{title: "Owner", min: 8, pref: 16, prio: 5},
	{title: "Renewal", min: 10, pref: 10, prio: 2},
	{title: "Due", min: 6, pref: 8, right: true, prio: 2},
	{title: "Forecast", min: 9, pref: 16, prio: 0}, // fits "✎ churn expected"
	{title: "ARR", min: 7, pref: 8, right: true, prio: 1},
	{title: "Expected", min: 7, pref: 9, right: true, prio: 3},
	{title: "Health", min: 12, pref: 13, prio: 4},
}

// Periods of the view, in its order.
const (
	perOverdue = iota
	perThis
	perNext
)

// The columns of a closed quarter, forecast against actual.
var reconcileCols = []column{
	{title: "Account", min: 12, pref: 28, flex: true, prio: 0},
	{title: "Owner", min: 8, pref: 16, prio: 5},
	{title: "Due", min: 10, pref: 10, prio: 3},
	{title: "Called", min: 9, pref: 16, prio: 1},
	{title: "ARR", min: 7, pref: 8, right: true, prio: 4},
	{title: "Expected", min: 7, pref: 9, right: true, prio: 2},
	{title: "Outcome", min: 8, pref: 12, prio: 1},
	{title: "Renewed", min: 7, pref: 8, right: true, prio: 2},
	{title: "Variance", min: 8, pref: 9, right: true, prio: 0},
}

// moveQuarter asks the root for the forecast snapshots of the quarter
// starting on first (the current quarter: back to the live view).
type moveQuarter struct{ first metrics.Date }

type renewalsView struct {
	th *theme
	p  *portfolio.Portfolio
	// closed is the closed quarter shown, forecast against actual (nil:
	// the live view); rec is it reconciled against the portfolio's
	// ledgers, made again when the portfolio changes (recStale).
	closed   *portfolio.QuarterCalls
	rec      portfolio.Reconciled
	recStale bool
	rtbl     table
	rcell    []cell
	// stale: the rows are of an earlier portfolio; they are made when the
	// view is next shown (ensure), not on every change: a team server
	// applies each change to every session.
	stale bool
	byARR bool   // s: within a category, the largest ARR first (else the soonest)
	keep  uint64 // the account the cursor was on
	rows  []int  // account indexes, by period, category, date (or ARR)
	per   []int8
	first metrics.Date // this quarter's first day
	next  metrics.Date // the next quarter's
	w, h  int
	tbl   table
	cell  []cell
}

func newRenewalsView(th *theme) *renewalsView {
	v := &renewalsView{th: th, tbl: newTable(th, renewalCols), cell: make([]cell, len(renewalCols)),
		rtbl: newTable(th, reconcileCols), rcell: make([]cell, len(reconcileCols))}
	v.tbl.fetch = v.fetch
	v.rtbl.fetch = v.fetchCall
	return v
}

func (v *renewalsView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.tbl.setSize(w, h-3)  // two forecast lines and the column header
	v.rtbl.setSize(w, h-4) // three lines of the quarter and the header
}

// showQuarter shows q, a closed quarter (nil: back to the live view).
func (v *renewalsView) showQuarter(q *portfolio.QuarterCalls) {
	v.closed, v.recStale = q, true
	v.rtbl.setCursor(0)
}

func (v *renewalsView) selectedID() uint64 {
	if v.p == nil {
		return 0
	}
	if v.closed != nil {
		v.ensure()
		if len(v.rec.Rows) == 0 {
			return 0
		}
		return v.rec.Rows[v.rtbl.cursor].AccountID
	}
	if v.stale {
		return v.keep
	}
	if len(v.rows) == 0 {
		return 0
	}
	return v.p.Accounts[v.rows[v.tbl.cursor]].ID
}

func (v *renewalsView) SetPortfolio(p *portfolio.Portfolio) {
	if v.closed == nil {
		v.keep = v.selectedID()
	}
	v.p, v.stale, v.recStale = p, true, true
}

// ensure makes the rows of the current portfolio.
func (v *renewalsView) ensure() {
	if v.closed != nil && v.recStale && v.p != nil {
		// The outcomes come from the ledgers, which a change may move.
		v.recStale = false
		v.rec = v.p.Reconcile(*v.closed)
		v.rtbl.setRows(len(v.rec.Rows))
		v.rtbl.invalidate()
		v.rtbl.clamp()
	}
	if !v.stale || v.p == nil {
		return
	}
	v.stale = false
	keep, p := v.keep, v.p
	v.first, _ = metrics.Quarter(p.AsOf)
	v.next = v.first.AddMonths(3)
	_, nextLast := metrics.Quarter(v.next)
	v.rows = v.rows[:0]
	for i := range p.Accounts {
		if a := &p.Accounts[i]; a.Live && !a.RenewalDate.IsZero() && a.RenewalDate <= nextLast {
			v.rows = append(v.rows, i)
		}
	}
	rank := func(c metrics.ForecastCategory) int { return slices.Index(metrics.ForecastCategories, c) }
	slices.SortFunc(v.rows, func(x, y int) int {
		a, b := &p.Accounts[x], &p.Accounts[y]
		if c := cmp.Compare(v.period(a), v.period(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(rank(a.Forecast), rank(b.Forecast)); c != 0 {
			return c
		}
		if v.byARR {
			if c := cmp.Compare(b.ARRCents, a.ARRCents); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(a.RenewalDate, b.RenewalDate); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	v.tbl.setRows(len(v.rows))
	v.tbl.invalidate()
	v.selectID(keep)
}

func (v *renewalsView) selectID(id uint64) {
	for k, i := range v.rows {
		if v.p.Accounts[i].ID == id {
			v.tbl.setCursor(k)
			return
		}
	}
	v.tbl.clamp()
}

func (v *renewalsView) record() (recordKind, uint64) { return recAccount, v.selectedID() }

func (v *renewalsView) HandleKey(k *KeyMap, msg keyMsg) intent {
	if v.p == nil {
		return nil
	}
	v.ensure()
	this, _ := metrics.Quarter(v.p.AsOf)
	shown := this
	if v.closed != nil {
		shown = v.closed.First
	}
	switch {
	case key.Matches(msg, k.QuarterBack):
		return moveQuarter{shown.AddMonths(-3)}
	case key.Matches(msg, k.QuarterNext):
		if shown >= this {
			return notice("This quarter is the newest: [ shows a closed one, forecast against actual")
		}
		return moveQuarter{shown.AddMonths(3)}
	case v.closed != nil:
		// A closed quarter is read, not acted on: its calls are history.
		if v.rtbl.move(k, msg) {
			return nil
		}
		if key.Matches(msg, k.Open) {
			if id := v.selectedID(); id != 0 {
				return openAccount{id}
			}
		}
	case v.tbl.move(k, msg):
	case key.Matches(msg, k.Open):
		if id := v.selectedID(); id != 0 {
			return openAccount{id}
		}
	case key.Matches(msg, k.Sort):
		v.byARR = !v.byARR
		v.keep, v.stale = v.selectedID(), true
		if v.byARR {
			return notice("Renewals by period and category, the largest ARR first: s for the soonest first")
		}
		return notice("Renewals by period and category, the soonest first: s for the largest ARR first")
	default:
		if act, ok := accountActionKey(k, msg); ok {
			if id := v.selectedID(); id != 0 {
				return doAction{act: act, id: id}
			}
		}
	}
	return nil
}

func (v *renewalsView) Hints(k *KeyMap) []key.Binding {
	if v.closed != nil {
		return []key.Binding{k.Open, k.QuarterBack, k.QuarterNext, k.Down, k.Up, k.Help, k.Quit}
	}
	return []key.Binding{k.Open, k.SetForecast, k.Sort, k.QuarterBack, k.AcctLog, k.Down, k.Up, k.Help, k.Quit}
}

func (v *renewalsView) fetchCall(k int) (uint64, []cell) {
	row := &v.rec.Rows[k]
	cur := v.p.Settings.Currency
	c := v.rcell
	name, owner := "(account gone)", ""
	if row.Account >= 0 {
		a := &v.p.Accounts[row.Account]
		name, owner = a.Name, orDash(a.OwnerName, "unassigned")
	}
	c[0], c[1], c[2] = plain(name), plain(owner), plain(row.Due.String())
	called := humanize(string(row.Category))
	if row.Set {
		called = "✎ " + called
	}
	c[3] = plain(called)
	c[4] = plain(money(row.ARRCents, cur))
	c[5] = plain(money(max(row.ExpectedARRCents, 0), cur))
	c[6] = plain(row.Outcome.String())
	switch row.Outcome {
	case metrics.OutcomeChurned, metrics.OutcomeNotRecorded:
		c[6] = styledCell(row.Outcome.String(), v.th.Error)
	case metrics.OutcomeContracted, metrics.OutcomePending:
		c[6] = styledCell(row.Outcome.String(), v.th.Warn)
	}
	c[7] = plain(money(row.RenewedCents, cur))
	c[8] = plain(signedMoney(row.Variance(), cur))
	if row.Variance() < 0 {
		c[8] = styledCell(signedMoney(row.Variance(), cur), v.th.Error)
	}
	return row.AccountID, c
}

// closedView is a closed quarter's forecast against what renewed: the
// answer (both GRRs and the variance) leads, then the calls, then each
// category's expected against renewed, then the renewals, the largest
// shortfall first.
func (v *renewalsView) closedView() string {
	r, cur := &v.rec, v.p.Settings.Currency
	s := r.Sums
	name := metrics.QuarterName(r.First)
	if r.Weeks == 0 {
		return v.th.Title.Render(fit("Renewals · "+name, v.w, false)) + "\n" +
			v.th.Muted.Render(fit("No forecast snapshot was taken in "+name+": ] goes forward", v.w, false))
	}
	head := "Renewals · " + name + " closed: forecast GRR " + pct(s.ForecastGRR) + " → actual " + pct(s.ActualGRR) +
		" · variance " + signedMoney(s.VarianceCents, cur) + " (renewed " + money(s.RenewedCents, cur) + " of " + money(s.ExpectedCents, cur) + " expected)"
	calls := "First call " + r.FirstWeek.String() + ": " + itoa(s.Count) + " due " + money(s.DueCents, cur) +
		" · last call " + r.LastWeek.String() + ": expected " + money(r.Closing.ExpectedCents, cur) + ", GRR " + pct(r.Closing.GRR) +
		" · renewed " + itoa(s.Renewed) + " of " + itoa(s.Count)
	if s.Pending > 0 {
		calls += " · " + itoa(s.Pending) + " pending"
	}
	calls += " · ] forward"
	var cats []string
	for i, c := range metrics.ForecastCategories {
		b := s.ByCategory[i]
		cats = append(cats, humanize(string(c))+" "+itoa(b.Count)+": "+money(b.ExpectedCents, cur)+" → "+money(b.RenewedCents, cur))
	}
	return v.th.Title.Render(fit(head, v.w, false)) + "\n" + v.th.Muted.Render(fit(calls, v.w, false)) + "\n" +
		v.th.Muted.Render(fit(strings.Join(cats, " · "), v.w, false)) + "\n" +
		v.rtbl.view("The first call of "+name+" listed no renewal.")
}

func (v *renewalsView) fetch(k int) (uint64, []cell) {
	p, i := v.p, v.rows[k]
	a := &p.Accounts[i]
	cur := p.Settings.Currency
	c := v.cell
	switch v.period(a) {
	case perOverdue:
		c[0] = styledCell("overdue", v.th.Error)
	case perThis:
		c[0] = plain(metrics.QuarterName(v.first))
	default:
		c[0] = plain(metrics.QuarterName(v.first.AddMonths(3)))
	}
	c[1] = plain(a.Name)
	c[2] = plain(orDash(a.OwnerName, "unassigned"))
	c[3] = plain(a.RenewalDate.String())
	c[4] = plain(daysLeft(a.DaysToRenewal))
	// ✎ marks a forecast its owner set (the rest come from the band).
	f := humanize(string(a.Forecast))
	if a.ForecastSet {
		f = "✎ " + f
	}
	c[5] = plain(f)
	switch a.Forecast {
	case metrics.AtRiskRenewal:
		c[5] = styledCell(f, v.th.Warn)
	case metrics.ChurnExpected:
		c[5] = styledCell(f, v.th.Error)
	}
	c[6] = plain(money(a.ARRCents, cur))
	c[7] = plain(money(a.ExpectedARRCents, cur))
	c[8] = styledCell(healthText(a.Health), v.th.band(a.Health.Band))
	return a.ID, c
}

// forecastLine is one quarter's forecast, for the view's head.
func (v *renewalsView) forecastLine(name string, f metrics.Forecast) string {
	cur := v.p.Settings.Currency
	// The forecast GRR and what is expected lead: a narrow terminal cuts
	// the breakdown, not the answer.
	parts := []string{name + ": due " + money(f.DueARRCents, cur) + " (" + itoa(f.Count) + ")",
		"forecast GRR " + pct(f.GRR), "expected " + money(f.ExpectedCents, cur)}
	for _, c := range metrics.ForecastCategories {
		parts = append(parts, humanize(string(c))+" "+money(f.ByCategory[c], cur))
	}
	return strings.Join(parts, " · ")
}

func (v *renewalsView) View() string {
	if v.p == nil {
		return "Loading…"
	}
	v.ensure()
	if v.closed != nil {
		return v.closedView()
	}
	k := &v.p.KPIs
	this := v.forecastLine(metrics.QuarterName(v.first), k.Forecast[0])
	next := v.forecastLine("next "+metrics.QuarterName(v.first.AddMonths(3)), k.Forecast[1]) +
		" · overdue " + itoa(k.OverdueRenewals) + " (" + money(k.OverdueARRCents, v.p.Settings.Currency) + ")"
	return v.th.Title.Render(fit("Renewals · "+this, v.w, false)) + "\n" + v.th.Muted.Render(fit(next, v.w, false)) + "\n" +
		v.tbl.view("No renewal is overdue or due this quarter or next.")
}

// forecastForm sets an account's renewal forecast: a category (or back
// to the default from the band), the ARR it is expected to renew at, and
// why.
func (m *Model) forecastForm(a *portfolio.Account) *form {
	id, name, cur := a.ID, a.Name, m.p.Settings.Currency
	opts := append([]option{{label: "default (from the health band)", value: "", code: "default"}}, enumOptions(stringsOf(metrics.ForecastCategories)...)...)
	sel := ""
	if a.ForecastSet {
		sel = string(a.Forecast)
	}
	cat := pickField("Forecast", opts, sel)
	exp := textField("Expected ARR", "", false)
	exp.hint = "whole " + cur + "; empty: its ARR then (" + moneyExact(a.ARRCents, cur) + ")"
	exp.check = func(v string) error {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		return checkMoney(v)
	}
	reason := textField("Reason", "", false)
	f := newForm(m.th, "Renewal forecast of "+name, cat, exp, reason)
	f.token = m.nextToken()
	f.intro = []string{"Now: " + humanize(string(a.Forecast)) + ", expected " + money(a.ExpectedARRCents, cur) + ". The default comes from the band: green commit, yellow likely (at risk with a renewal-risk flag), red at risk."}
	f.submit = func(f *form) tea.Cmd {
		c := metrics.ForecastCategory(f.field("Forecast").value())
		expected := int64(-1)
		if v := strings.TrimSpace(f.field("Expected ARR").value()); v != "" {
			expected, _ = parseMoney(v)
		}
		why := f.field("Reason").value()
		return m.actionCmd(f.token, "Set the forecast", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			if c == "" {
				return "Forecast of " + name + " back to the default", 0, tx.SetForecast(id, "", 0, "", by, now)
			}
			return "Forecast of " + name + ": " + humanize(string(c)), 0, tx.SetForecast(id, c, expected, why, by, now)
		})
	}
	return f
}

func stringsOf[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// period is which part of the view a listed renewal is in.
func (v *renewalsView) period(a *portfolio.Account) int {
	switch {
	case a.DaysToRenewal < 0:
		return perOverdue
	case a.RenewalDate >= v.next:
		return perNext
	}
	return perThis
}
