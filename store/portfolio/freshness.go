package portfolio

import (
	"time"

	"steward/metrics"
	"steward/store"
)

// Data freshness (README, "Money at risk, and what changed"): an
// account's health inputs are dated by the import or edit that last
// updated them (store.Account.InputsUpdated), and are stale on a day when
// that was more than the freshness.stale_days setting before it. Days are
// the local zone's, as Today's.

// InputsDay is the day a's health inputs were last updated; zero when
// nothing says (an account written with no dates at all).
func InputsDay(a *store.Account) metrics.Date {
	t := a.InputsUpdated()
	if t.IsZero() {
		return 0
	}
	return metrics.DateOf(t.Local())
}

// InputsAge is how many days before asOf a's health inputs were last
// updated; false when nothing says.
func InputsAge(a *store.Account, asOf metrics.Date) (int, bool) {
	d := InputsDay(a)
	if d.IsZero() {
		return 0, false
	}
	return asOf.Sub(d), true
}

// StaleBefore is the start of the day staleDays before asOf: inputs
// updated before that instant are more than staleDays days old on asOf
// (InputsAge > staleDays). Scoring compares each account's instant with
// it, which costs no zone lookup per account.
func StaleBefore(asOf metrics.Date, staleDays int) time.Time {
	y, m, d := asOf.AddDays(-staleDays).Time().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}
