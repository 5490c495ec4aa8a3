package metrics

import "sort"

// Helpers for reports as of a past day: what the ledger and an account's
// renewal date said on that day, from the records steward keeps today.

// LedgerThrough is the part of entries (sorted by date) dated on or before
// d: the ledger as it stood at the end of day d. It shares entries' array.
func LedgerThrough(entries []LedgerEntry, d Date) []LedgerEntry {
	return entries[:sort.Search(len(entries), func(i int) bool { return entries[i].Date > d })]
}

// renewalOf is the ledger entry that renewed the term due on due: the first
// renewal or expansion entry within RenewalWindowDays of it, or nil.
func renewalOf(entries []LedgerEntry, due Date) *LedgerEntry {
	for j := range entries {
		e := &entries[j]
		if (e.Kind == KindRenewal || e.Kind == KindExpansion) && abs(e.Date.Sub(due)) <= RenewalWindowDays {
			return e
		}
	}
	return nil
}

// RenewalDateOn estimates the renewal date an account had on day d from
// the one it has today (renewal). Renewal dates keep no history, and terms
// are annual (see DueDates), so a date that moved on when a term was renewed
// after d is moved back by whole terms:
//   - a due date on or after d was still to come on d, unless the ledger
//     shows it renewed early, on or before d;
//   - a due date before d was still outstanding (overdue) on d when the
//     ledger shows it renewed only after d.
//
// A due date is never moved back to or before the contract start. entries
// is the account's whole ledger, sorted by date; the zero date stays zero.
func RenewalDateOn(renewal, contractStart Date, entries []LedgerEntry, d Date) Date {
	if renewal.IsZero() {
		return renewal
	}
	r := renewal
	for {
		prev := r.AddMonths(-12)
		if !contractStart.IsZero() && prev <= contractStart {
			return r
		}
		e := renewalOf(entries, prev)
		if prev < d {
			if e != nil && e.Date > d {
				return prev
			}
			return r
		}
		if e != nil && e.Date <= d {
			// Renewed early: on d the date had already moved on to r.
			return r
		}
		r = prev
	}
}
