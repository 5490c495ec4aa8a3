package portfolio

import (
	"slices"

	"steward/metrics"
	"steward/store"
)

// ScopeIDs are the ids of the accounts in scope s, in id order, churned
// ones included (as LoadBandWeeks counts them).
func (p *Portfolio) ScopeIDs(s Scope) []uint64 {
	var ids []uint64
	for i := range p.Accounts {
		if a := &p.Accounts[i]; p.holds(s, a) {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// LoadBandWeeksOf is LoadBandWeeks for the accounts ids (ScopeIDs of a
// member's book, for the member page's chart): each account's score is
// looked up in each of the last n snapshot weeks up to asOf's, where
// LoadBandWeeks scans each week whole. A book is a small part of the
// portfolio: a thousand lookups a week instead of a hundred thousand
// index entries. The ids are taken on the screen's goroutine, so this
// read needs no portfolio (the change feed moves its accounts in place).
func LoadBandWeeksOf(path string, opt store.Options, asOf metrics.Date, ids []uint64, n int) ([]BandWeek, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids) // key order: the lookups walk the index forward
	var out []BandWeek
	err := store.View(path, opt, func(tx *store.Tx) error {
		weeks := snapshotWeeks(tx, n, metrics.WeekOf(asOf))
		out = make([]BandWeek, len(weeks))
		for i, w := range weeks {
			bw := &out[i]
			bw.Week = w.String()
			for _, id := range ids {
				ws, ok, err := tx.WeekScore(id, w)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				switch ws.Band {
				case metrics.Green:
					bw.Green++
				case metrics.Yellow:
					bw.Yellow++
				case metrics.Red:
					bw.Red++
				default:
					bw.Unknown++
				}
			}
		}
		return nil
	})
	return out, err
}
