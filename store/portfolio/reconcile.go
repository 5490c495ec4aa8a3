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
	Closing metrics.Forecast       // the last call (reconciler), for comparison
}

// Reconcile sets q's opening call against the ledgers of the portfolio.
func (p *Portfolio) Reconcile(q QuarterCalls) Reconciled {
	rc := newReconciler(q, true)
	for _, c := range q.Opening {
		i := p.AccountIndex(c.AccountID)
		var ledger []metrics.LedgerEntry
		if i >= 0 {
			ledger = p.Accounts[i].Ledger
		}
		rc.add(callRow(c, i, ledger, p.AsOf))
	}
	return rc.finish()
}

// callRow is call c's row: what the ledger says became of it on asOf.
func callRow(c store.ForecastCall, account int, ledger []metrics.LedgerEntry, asOf metrics.Date) CallRow {
	o, renewed := metrics.RenewalOutcome(ledger, c.ForecastCall, asOf)
	return CallRow{AccountID: c.AccountID, Account: account, Set: c.Set,
		CallResult: metrics.CallResult{ForecastCall: c.ForecastCall, Outcome: o, RenewedCents: renewed}}
}

// reconciler sums a quarter's opening call row by row, in account order,
// keeping every row (the renewals view) or only the surprises (the
// report, which streams 100,000 accounts and keeps what it lists).
type reconciler struct {
	r       Reconciled
	all     bool
	sums    metrics.ReconcileSums
	closing metrics.ForecastSums
	next    int // the first closing call not yet passed
}

func newReconciler(q QuarterCalls, all bool) *reconciler {
	rc := &reconciler{r: Reconciled{QuarterCalls: q}, all: all}
	if all {
		rc.r.Rows = make([]CallRow, 0, len(q.Opening))
	}
	// The quarter as it stood at its last call: the renewals still open
	// then as called, and (add) the ones closed by then at what they
	// renewed at, since a weekly snapshot lists only the open ones.
	for _, c := range q.Closing {
		rc.closing.Add(metrics.ForecastRow{Category: c.Category, ARRCents: c.ARRCents, ExpectedARRCents: c.ExpectedARRCents}, 1)
	}
	return rc
}

func (rc *reconciler) add(row CallRow) {
	rc.sums.Add(row.CallResult)
	cl := rc.r.QuarterCalls.Closing
	for rc.next < len(cl) && cl[rc.next].AccountID < row.AccountID {
		rc.next++
	}
	if rc.next >= len(cl) || cl[rc.next].AccountID != row.AccountID {
		rc.closing.Add(metrics.ForecastRow{Category: row.Category, ARRCents: row.ARRCents, ExpectedARRCents: row.RenewedCents}, 1)
	}
	if rc.all || row.Surprise() {
		rc.r.Rows = append(rc.r.Rows, row)
	}
}

// finish sums up, and orders the rows kept.
func (rc *reconciler) finish() Reconciled {
	rc.r.Sums = rc.sums.Finish()
	rc.r.Closing = rc.closing.Finish()
	sortCallRows(rc.r.Rows)
	return rc.r
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
