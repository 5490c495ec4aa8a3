package portfolio

import (
	"cmp"
	"slices"

	"steward/metrics"
	"steward/store"
)

// QuarterCalls is a quarter's weekly forecast snapshots as the
// reconciliation reads them: the first call of the quarter (the forecast
// of record, the one the quarter was planned on) and the last one (how it
// stood when the quarter closed). Weeks is how many weekly calls there were.
type QuarterCalls struct {
	First               metrics.Date // the quarter's first day
	FirstWeek, LastWeek metrics.Week
	Weeks               int
	Opening, Closing    []store.ForecastCall // by account ID
}

// ReadQuarterCalls reads the forecast snapshots of the quarter starting
// on first (none: Weeks is 0). A week belongs to the quarter its Monday
// is in, as the snapshot that wrote it decided.
func ReadQuarterCalls(tx *store.Tx, first metrics.Date) (QuarterCalls, error) {
	q := QuarterCalls{First: first}
	_, last := metrics.Quarter(first)
	// A seek per week of the quarter, not a walk over every week kept.
	for w := metrics.WeekOf(first); w.Monday() <= last; w = metrics.WeekOf(w.Monday().AddDays(7)) {
		if w.Monday() >= first && tx.HasForecastWeek(w) {
			if q.Weeks == 0 {
				q.FirstWeek = w
			}
			q.LastWeek = w
			q.Weeks++
		}
	}
	if q.Weeks == 0 {
		return q, nil
	}
	var err error
	if q.Opening, err = tx.ForecastWeek(q.FirstWeek); err != nil {
		return q, err
	}
	if q.LastWeek == q.FirstWeek {
		q.Closing = q.Opening
		return q, nil
	}
	q.Closing, err = tx.ForecastWeek(q.LastWeek)
	return q, err
}

// PrevQuarter is the first day of the quarter before the one holding d.
func PrevQuarter(d metrics.Date) metrics.Date {
	first, _ := metrics.Quarter(d)
	return first.AddMonths(-3)
}

// CallRow is one renewal of a reconciled quarter.
type CallRow struct {
	AccountID uint64
	Account   int  // index in Portfolio.Accounts; -1 when the account is gone
	Set       bool // its owner or a manager made the call
	metrics.CallResult
}

// Surprise reports whether the renewal is one to reconcile: it closed
// below what was expected, or it renewed though it was called at risk or
// expected to churn. An uplift on a renewal called to renew is in the
// sums, not a surprise: at 100,000 accounts it would be most of the list.
func (r *CallRow) Surprise() bool {
	if r.Variance() < 0 {
		return true
	}
	renewed := r.Outcome == metrics.OutcomeRenewed || r.Outcome == metrics.OutcomeContracted
	return renewed && (r.Category == metrics.AtRiskRenewal || r.Category == metrics.ChurnExpected)
}

// Reconciled is a closed quarter's forecast against what renewed: the
// opening call's renewals with their outcomes as the ledger tells them on
// the portfolio's day, the largest shortfall first, then the upsides,
// then the renewals that closed as called.
type Reconciled struct {
	QuarterCalls
	Rows    []CallRow
	Sums    metrics.Reconciliation // over the opening call
	Closing metrics.Forecast       // the last call (closingForecast), for comparison
}

// Reconcile sets q's opening call against the ledgers of the portfolio.
func (p *Portfolio) Reconcile(q QuarterCalls) Reconciled {
	rows := make([]CallRow, 0, len(q.Opening))
	for _, c := range q.Opening {
		i := p.AccountIndex(c.AccountID)
		var ledger []metrics.LedgerEntry
		if i >= 0 {
			ledger = p.Accounts[i].Ledger
		}
		rows = append(rows, callRow(c, i, ledger, p.AsOf))
	}
	r := sumReconcile(q, rows)
	sortCallRows(r.Rows)
	return r
}

// callRow is call c's row: what the ledger says became of it on asOf.
func callRow(c store.ForecastCall, account int, ledger []metrics.LedgerEntry, asOf metrics.Date) CallRow {
	o, renewed := metrics.RenewalOutcome(ledger, c.ForecastCall, asOf)
	return CallRow{AccountID: c.AccountID, Account: account, Set: c.Set,
		CallResult: metrics.CallResult{ForecastCall: c.ForecastCall, Outcome: o, RenewedCents: renewed}}
}

// sumReconcile sums the rows of q's opening call (in account order).
func sumReconcile(q QuarterCalls, rows []CallRow) Reconciled {
	r := Reconciled{QuarterCalls: q, Rows: rows}
	results := make([]metrics.CallResult, len(rows))
	for i := range rows {
		results[i] = rows[i].CallResult
	}
	r.Sums = metrics.Reconcile(results)
	r.Closing = closingForecast(q, rows)
	return r
}

// sortCallRows puts the largest shortfall first, then the upsides, then
// the renewals that closed as called.
func sortCallRows(rows []CallRow) {
	slices.SortFunc(rows, func(a, b CallRow) int {
		if c := cmp.Compare(varianceRank(a.Variance()), varianceRank(b.Variance())); c != 0 {
			return c
		}
		if c := cmp.Compare(abs64(b.Variance()), abs64(a.Variance())); c != 0 {
			return c
		}
		return cmp.Compare(a.AccountID, b.AccountID)
	})
}

// closingForecast is the quarter's forecast as it stood at its last
// call: the renewals still open then as called, the ones already closed
// at what they renewed at (a weekly snapshot lists only the open ones).
// rows are the opening call's, in account order.
func closingForecast(q QuarterCalls, rows []CallRow) metrics.Forecast {
	out := make([]metrics.ForecastRow, 0, len(rows))
	for _, c := range q.Closing {
		out = append(out, metrics.ForecastRow{Category: c.Category, ARRCents: c.ARRCents, ExpectedARRCents: c.ExpectedARRCents})
	}
	// Both lists are in account order: one pass finds the renewals the
	// last call no longer lists.
	k := 0
	for _, r := range rows {
		for k < len(q.Closing) && q.Closing[k].AccountID < r.AccountID {
			k++
		}
		if k < len(q.Closing) && q.Closing[k].AccountID == r.AccountID {
			continue
		}
		out = append(out, metrics.ForecastRow{Category: r.Category, ARRCents: r.ARRCents, ExpectedARRCents: r.RenewedCents})
	}
	return metrics.ForecastOf(out)
}

// varianceRank orders shortfalls, then upsides, then renewals as called.
func varianceRank(v int64) int {
	switch {
	case v < 0:
		return 0
	case v > 0:
		return 1
	}
	return 2
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
