package portfolio

import (
	"cmp"
	"slices"
	"time"

	"steward/metrics"
)

// Retime moves the portfolio's clock to now, within the same day (a new
// day changes every score's asOf and needs a Build). Everything that
// depends on the minute follows without reading the database: which
// escalations are past their SLA, the queue order, the sla-breach flags,
// the breached count, and the review's new and breached escalations. It
// reports whether the queue order or any breach changed.
func (p *Portfolio) Retime(now time.Time) (changed bool) {
	p.Now = now
	for i := range p.Escalations {
		e := &p.Escalations[i]
		if b := e.Escalation.Breached(now); b != e.Breached {
			e.Breached, changed = b, true
		}
	}
	if changed {
		sortQueue(p.Escalations)
		breached := map[uint64]bool{}
		p.KPIs.BreachedEsc = 0
		for i := range p.Escalations {
			if e := &p.Escalations[i]; e.Breached {
				breached[e.AccountID] = true
				p.KPIs.BreachedEsc++
			}
		}
		for i := range p.Accounts {
			a := &p.Accounts[i]
			if breached[a.ID] {
				a.Flags |= metrics.FlagSLABreach
			} else {
				a.Flags &^= metrics.FlagSLABreach
			}
		}
	}
	p.Review.NewEsc, p.Review.BreachedEsc, p.Review.DueSoon = reviewEscalations(p.Escalations, now)
	return changed
}

// reviewEscalations lists, as indexes into the queue, the escalations
// raised in the last NewEscalationDays, those past their SLA, and the
// unresolved ones whose SLA falls due within DueSoonHours (not yet
// breached), each the largest account ARR first (queue order among
// equals).
func reviewEscalations(queue []Escalation, now time.Time) (fresh, breached, dueSoon []int) {
	cutoff := now.Add(-NewEscalationDays * 24 * time.Hour)
	soon := now.Add(DueSoonHours * time.Hour)
	for i := range queue {
		e := &queue[i]
		if e.CreatedAt.After(cutoff) {
			fresh = append(fresh, i)
		}
		if e.Breached {
			breached = append(breached, i)
		}
		if e.Open() && !e.SLADue.IsZero() && e.SLADue.After(now) && !e.SLADue.After(soon) {
			dueSoon = append(dueSoon, i)
		}
	}
	for _, list := range [][]int{fresh, breached, dueSoon} {
		slices.SortStableFunc(list, func(x, y int) int { return cmp.Compare(queue[y].AccountARR, queue[x].AccountARR) })
	}
	return fresh, breached, dueSoon
}

// DueSoonHours is the review's "due within 24 h" horizon.
const DueSoonHours = 24
