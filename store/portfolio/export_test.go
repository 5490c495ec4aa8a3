package portfolio

import "steward/metrics"

// StripFigures clears what Build adds beyond the Scorer's fields (the
// ledger and the KPI figures), for tests that compare the two.
func StripFigures(a *Account) {
	a.Ledger, a.ret, a.ren = nil, metrics.RetentionSums{}, metrics.Renewals{}
}
