package portfolio

import (
	"steward/metrics"
	"steward/store"
)

// LoadBandWeeks reads the band mix of scope s in the last n weekly
// snapshots taken by p's day (the week of p.AsOf included), oldest first:
// weeks without a snapshot are skipped, not drawn as empty. An account
// counts in the scope of its current owner (Scope): for a member's book
// it reads p's accounts, so p must not change under it meanwhile; the
// whole portfolio and one account read only the store.
func LoadBandWeeks(path string, opt store.Options, p *Portfolio, s Scope, n int) ([]BandWeek, error) {
	var out []BandWeek
	err := store.View(path, opt, func(tx *store.Tx) error {
		var err error
		out, err = bandWeeks(tx, p, s, n, metrics.WeekOf(p.AsOf))
		return err
	})
	return out, err
}

// snapshotWeeks are the last n snapshot weeks up to through, oldest first.
func snapshotWeeks(tx *store.Tx, n int, through metrics.Week) []metrics.Week {
	var weeks []metrics.Week
	if through == 0 {
		return weeks
	}
	w := metrics.WeekOf(through.Monday().AddDays(7))
	for len(weeks) < n {
		if w = tx.LatestWeekBefore(w); w == 0 {
			break
		}
		weeks = append(weeks, w)
	}
	for i, j := 0, len(weeks)-1; i < j; i, j = i+1, j-1 {
		weeks[i], weeks[j] = weeks[j], weeks[i]
	}
	return weeks
}

// bandWeeks is LoadBandWeeks inside a transaction, for the snapshot
// weeks up to through. The whole portfolio's mix counts the by-week
// index's band bytes; a book much smaller than the portfolio looks its
// accounts up week by week, a larger one filters the index by owner.
func bandWeeks(tx *store.Tx, p *Portfolio, s Scope, n int, through metrics.Week) ([]BandWeek, error) {
	weeks := snapshotWeeks(tx, n, through)
	out := make([]BandWeek, len(weeks))
	var ids []uint64 // the scope's accounts, when looked up one by one
	switch {
	case s.AccountID != 0:
		ids = []uint64{s.AccountID}
	case s.Owner != nil:
		for i := range p.Accounts {
			if a := &p.Accounts[i]; p.holds(s, a) {
				ids = append(ids, a.ID)
			}
		}
		if len(ids) > len(p.Accounts)/lookupShare {
			ids = nil
		}
	}
	for i, w := range weeks {
		out[i].Week = w.String()
		var c [4]int
		var err error
		switch {
		case ids != nil:
			for _, id := range ids {
				ws, ok, err := tx.WeekScore(id, w)
				if err != nil {
					return nil, err
				}
				if ok {
					c[bandIndex(ws.Band)]++
				}
			}
		case s.Owner == nil:
			c, err = tx.WeekBands(w)
		default:
			err = tx.ForEachWeekScore(w, func(id uint64, ws store.WeekScore) error {
				if a := p.Account(id); a != nil && p.holds(s, a) {
					c[bandIndex(ws.Band)]++
				}
				return nil
			})
		}
		if err != nil {
			return nil, err
		}
		out[i].Green, out[i].Yellow, out[i].Red, out[i].Unknown = c[0], c[1], c[2], c[3]
	}
	return out, nil
}

// lookupShare: a book of fewer than one account in lookupShare of the
// portfolio's looks its accounts up; a seek costs about as much as
// reading that many index entries in a row.
const lookupShare = 32
