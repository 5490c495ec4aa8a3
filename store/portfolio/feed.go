package portfolio

import (
	"errors"
	"maps"
	"slices"
	"time"

	"steward/metrics"
	"steward/store"
)

// A portfolio follows the store's change feed (README, "The change feed"):
// ReadDelta reads, in one transaction, the records that changed since the
// portfolio's Seq, and Apply rescores just those accounts and sums the
// books again. A change the feed cannot list (a bulk write, the roster,
// the settings, a new comparison week) or one older than the feed keeps
// asks for a full Load instead.

// Delta is what changed since a portfolio was read.
type Delta struct {
	Seq uint64
	// Reload: read everything again (Load); the rest is empty.
	Reload bool
	// Accounts are the current records of every account touched, or whose
	// escalations were; Ledger and Prev (the comparison week's score) are
	// theirs.
	Accounts    []store.Account
	Ledger      map[uint64][]metrics.LedgerEntry
	Prev        map[uint64]store.WeekScore
	Escalations []store.Escalation
	ThisWeekHas bool
	// Forecasts are the forecasts of the accounts touched that have one;
	// a touched account missing here has none. Plans likewise: the
	// summaries of their success plans (a milestone ticked, an objective
	// at risk), which the plan-at-risk flag reads.
	Forecasts map[uint64]store.Forecast
	// Tasks are the open tasks of the accounts touched.
	Tasks map[uint64][]OpenTask
	Plans map[uint64]metrics.PlanSummary
}

// Empty reports a delta with nothing to apply.
func (d *Delta) Empty() bool { return !d.Reload && len(d.Accounts) == 0 && len(d.Escalations) == 0 }

// ReadDelta reads what changed after seq, for a portfolio as of asOf that
// compares with prevWeek. It takes values, not the portfolio: it runs on a
// command's goroutine while the screen keeps the portfolio.
func ReadDelta(tx *store.Tx, seq uint64, asOf metrics.Date, prevWeek metrics.Week) (Delta, error) {
	d := Delta{Seq: tx.ChangeSeq()}
	changes, complete, err := tx.ChangesSince(seq)
	if err != nil {
		return d, err
	}
	thisWeek := metrics.WeekOf(asOf)
	if !complete || tx.LatestWeekBefore(thisWeek) != prevWeek {
		d.Reload = true
		return d, nil
	}
	accounts := map[uint64]bool{}
	escs := map[uint64]bool{}
	for _, ch := range changes {
		if ch.All || ch.Members || ch.Settings {
			d.Reload = true
			return d, nil
		}
		for _, id := range ch.Accounts {
			accounts[id] = true
		}
		for _, id := range ch.Escalations {
			escs[id] = true
		}
	}
	for _, id := range sortedIDs(escs) {
		e, err := tx.Escalation(id)
		if err != nil {
			return d, err
		}
		d.Escalations = append(d.Escalations, e)
		accounts[e.AccountID] = true // its open count and sla-breach flag
	}
	d.Ledger = make(map[uint64][]metrics.LedgerEntry, len(accounts))
	d.Forecasts = map[uint64]store.Forecast{}
	d.Tasks = map[uint64][]OpenTask{}
	seen := map[string]string{}
	d.Plans = map[uint64]metrics.PlanSummary{}
	d.Prev = make(map[uint64]store.WeekScore, len(accounts))
	for _, id := range sortedIDs(accounts) {
		a, err := tx.Account(id)
		if errors.Is(err, store.ErrNotFound) {
			continue // touched by a transaction that did not keep it
		}
		if err != nil {
			return d, err
		}
		d.Accounts = append(d.Accounts, a)
		if f, ok, err := tx.ForecastOf(id); err != nil {
			return d, err
		} else if ok {
			d.Forecasts[id] = f
		}
		tasks, err := tx.TasksOf(id)
		if err != nil {
			return d, err
		}
		for _, t := range tasks {
			if t.Status == store.TaskOpen {
				d.Tasks[id] = append(d.Tasks[id], openTask(store.OpenTaskOf(&t), seen))
			}
		}
		if s, err := tx.PlanSummaryOf(id); err != nil {
			return d, err
		} else if !s.Empty() {
			d.Plans[id] = s
		}
		l, err := tx.Ledger(id)
		if err != nil {
			return d, err
		}
		for _, e := range l {
			d.Ledger[id] = append(d.Ledger[id], metrics.LedgerEntry{Date: e.Date, ARRCents: e.ARRCents, Kind: e.Kind})
		}
		if prevWeek != 0 {
			ws, ok, err := tx.WeekScore(id, prevWeek)
			if err != nil {
				return d, err
			}
			if ok {
				d.Prev[id] = ws
			}
		}
	}
	d.ThisWeekHas = tx.HasWeek(thisWeek)
	return d, nil
}

func sortedIDs(set map[uint64]bool) []uint64 {
	out := make([]uint64, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Apply returns p brought up to date with d (which must not ask for a
// Reload), judging SLAs at now: the touched accounts are rescored, the
// queue re-sorted, the KPIs, the team and the review summed again. It also
// returns the indexes in Accounts of the accounts it changed or added
// (added ones at the end, in ID order, as Build orders them).
//
// The result is a new Portfolio that shares the accounts with p (updated
// in place: an account keeps its index) but not the queue, the team or the
// review, so a screen can still read p to find what its cursor was on.
func (old *Portfolio) Apply(d Delta, now time.Time) (*Portfolio, []int) {
	np := *old
	p := &np
	p.Escalations = slices.Clone(old.Escalations)
	p.Now = now
	// Escalations first: an account's open count and flags read them.
	pos := make(map[uint64]int, len(p.Escalations))
	for i := range p.Escalations {
		pos[p.Escalations[i].ID] = i
	}
	for _, e := range d.Escalations {
		pe := Escalation{Escalation: e}
		if i, ok := pos[e.ID]; ok {
			p.Escalations[i] = pe
		} else {
			pos[e.ID] = len(p.Escalations)
			p.Escalations = append(p.Escalations, pe)
		}
	}
	raw := make([]store.Escalation, len(p.Escalations))
	for i := range p.Escalations {
		raw[i] = p.Escalations[i].Escalation
	}
	// The forecasts of the touched accounts, in a new map: the old
	// portfolio keeps its own.
	if len(d.Accounts) > 0 {
		p.forecasts = maps.Clone(p.forecasts)
		if p.forecasts == nil {
			p.forecasts = map[uint64]store.Forecast{}
		}
		for _, src := range d.Accounts {
			delete(p.forecasts, src.ID)
			if f, ok := d.Forecasts[src.ID]; ok {
				p.forecasts[src.ID] = f
			}
		}
	}
	p.tasksChanged = false
	if len(d.Accounts) > 0 {
		p.Tasks, p.tasksChanged = withTasks(old.Tasks, d.Accounts, d.Tasks)
		ids := make([]uint64, len(d.Accounts))
		for i := range d.Accounts {
			ids[i] = d.Accounts[i].ID
		}
		p.plans = p.plans.with(ids, d.Plans)
		if p.tasksChanged {
			p.countOverdue() // a new map: the old portfolio keeps its own
		}
	}
	sc := newScorer(p, d.Prev, raw, p.AsOf, now)
	var changed []int
	for _, src := range d.Accounts {
		i := p.AccountIndex(src.ID)
		ok := i >= 0
		if !ok {
			i = len(p.Accounts)
			p.Accounts = append(p.Accounts, Account{})
			p.accountIdx.set(src.ID, i)
		}
		a := &p.Accounts[i]
		if ok {
			p.bookAccount(a, -1) // its old figures out
			p.baselineAccount(a, -1)
		}
		*a = Account{Account: src}
		sc.score(a)
		a.Ledger = d.Ledger[src.ID]
		if p.folded {
			a.setFold(FoldText(a.OwnerName))
		}
		p.bookAccount(a, 1) // and its new ones in
		p.baselineAccount(a, 1)
		changed = append(changed, i)
	}
	for i := range p.Escalations {
		pe := &p.Escalations[i]
		pe.OwnerName, pe.RaisedName, pe.Breached = p.MemberName(pe.OwnerID), p.MemberName(pe.RaisedBy), pe.Escalation.Breached(now)
		pe.AccountName, pe.AccountARR = "", 0
		if a := p.Account(pe.AccountID); a != nil {
			pe.AccountName, pe.AccountARR = a.Name, a.ARRCents
		}
	}
	sortQueue(p.Escalations)
	p.finishKPIs()
	p.finishTeam(false)
	p.updateReview(changed, d.ThisWeekHas, now)
	p.Seq = d.Seq
	return p, changed
}
