package portfolio

import (
	"fmt"
	"time"

	"steward/metrics"
	"steward/store"
)

// Detail is what the health detail screen reads of one account beyond the
// portfolio: its snapshot history, latest activities and escalations.
type Detail struct {
	AccountID   uint64
	Health      metrics.Health // with each component's inputs written out
	History     []store.Snapshot
	Activities  []store.Activity
	Escalations []store.Escalation
	Tasks       []store.Task // open and closed, oldest first
	// Plan is the account's success plan, with its progress on the day
	// (README, "Success plans"): the portfolio keeps only what the flag
	// needs, so the objectives are read here, when the page opens.
	Plan PlanDetail
}

// DetailActivities is how many activities the detail loads.
const DetailActivities = 20

// LoadDetail reads one account's history in one read transaction.
func LoadDetail(path string, opt store.Options, accountID uint64, asOf metrics.Date) (Detail, error) {
	d := Detail{AccountID: accountID}
	err := store.View(path, opt, func(tx *store.Tx) error {
		set, err := tx.Settings()
		if err != nil {
			return err
		}
		a, err := tx.Account(accountID)
		if err != nil {
			return err
		}
		d.Health = set.Health.Explain(a.HealthInputs(set.Health), asOf)
		if d.Plan.Plan, err = tx.PlanOf(accountID); err != nil {
			return err
		}
		d.Plan.Progress = d.Plan.Plan.Progress(asOf)
		if d.History, err = tx.SnapshotHistory(accountID); err != nil {
			return err
		}
		if d.Activities, err = tx.Activities(accountID, DetailActivities); err != nil {
			return err
		}
		if d.Tasks, err = tx.TasksOf(accountID); err != nil {
			return err
		}
		for _, id := range tx.EscalationIDsByAccount(accountID) {
			e, err := tx.Escalation(id)
			if err != nil {
				return err
			}
			d.Escalations = append(d.Escalations, e)
		}
		return nil
	})
	return d, err
}

// LoadTimeline reads one escalation and its timeline.
func LoadTimeline(path string, opt store.Options, escID uint64) (store.Escalation, []store.Event, error) {
	var e store.Escalation
	var evs []store.Event
	err := store.View(path, opt, func(tx *store.Tx) error {
		var err error
		if e, err = tx.Escalation(escID); err != nil {
			return err
		}
		evs, err = tx.Timeline(escID)
		return err
	})
	return e, evs, err
}

// SnapshotResult says what TakeSnapshot did.
type SnapshotResult struct {
	Week     metrics.Week
	Accounts int
	Replaced bool // the week already had a snapshot and was retaken
}

// TakeSnapshot records every live account's health for the ISO week of asOf
// in one transaction. With onlyIfMissing it does nothing when the week
// already has one (the dashboard's automatic snapshot on open); otherwise it
// retakes the week (the cron job's `steward snapshot`).
func TakeSnapshot(path string, opt store.Options, asOf metrics.Date, onlyIfMissing bool) (SnapshotResult, error) {
	res := SnapshotResult{Week: metrics.WeekOf(asOf)}
	// bbolt holds every leaf the snapshot touches (in a large book, every
	// leaf of the snapshots) until the commit.
	defer TightGC()()
	err := store.Update(path, opt, func(tx *store.Tx) error {
		has, hasCalls := tx.HasWeek(res.Week), tx.HasForecastWeek(res.Week)
		if has && onlyIfMissing && hasCalls {
			return nil
		}
		res.Replaced = has && !onlyIfMissing
		set, err := tx.Settings()
		if err != nil {
			return err
		}
		accts, err := tx.Accounts()
		if err != nil {
			return err
		}
		if !hasCalls || !onlyIfMissing {
			if err := putForecastWeek(tx, accts, set.Health, asOf, res.Week); err != nil {
				return err
			}
		}
		if has && onlyIfMissing {
			return nil // a file from before forecast snapshots: only those were missing
		}
		// Scored first, written after: the accounts (half a kilobyte
		// each) are garbage before bbolt's nodes fill up.
		snaps := make([]store.Snapshot, 0, len(accts))
		var churned []uint64
		for i := range accts {
			a := &accts[i]
			if a.Lifecycle == store.Churned {
				// A retake must not keep the week's score of an account
				// that has churned since.
				if res.Replaced {
					churned = append(churned, a.ID)
				}
				continue
			}
			s := SnapshotOf(a, set.Health, asOf)
			s.Week = res.Week
			snaps = append(snaps, s)
		}
		if err := evaluatePlaybooks(tx, accts, snaps, asOf, res.Week); err != nil {
			return err
		}
		accts = nil
		for _, id := range churned {
			if err := tx.DeleteSnapshot(id, res.Week); err != nil {
				return err
			}
		}
		for i := range snaps {
			if err := tx.PutSnapshot(&snaps[i]); err != nil {
				return err
			}
			res.Accounts++
		}
		// The Trends view's weeks get their band counts (or have them put
		// right) with the snapshot.
		tx.RecountWeekBands(TrendWeeks)
		return nil
	})
	return res, err
}

// evaluatePlaybooks is the weekly evaluation of the playbooks' triggers
// (README, "Playbooks"), in the snapshot's transaction: it catches the
// conditions time brings about with no change to the account (a renewal
// coming within its days, a QBR falling overdue, a band sinking as the
// last touch ages), and it is the one evaluation that knows the trend, so
// the only one where dropping fires or ends. snaps are the live accounts'
// snapshots, in the order of accts.
func evaluatePlaybooks(tx *store.Tx, accts []store.Account, snaps []store.Snapshot, asOf metrics.Date, w metrics.Week) error {
	prev, err := tx.WeekScores(tx.LatestWeekBefore(w))
	if err != nil {
		return err
	}
	ev := store.Evaluation{Today: asOf, By: store.Actor{Name: "weekly snapshot"}, Now: time.Now(), KnowsTrend: true}
	j := 0
	for i := range accts {
		a := &accts[i]
		if a.Lifecycle == store.Churned {
			continue
		}
		s := &snaps[j]
		j++
		p, ok := prev[a.ID]
		ev.Trend = metrics.TrendOf(metrics.Verdict{Score: s.Score, HasScore: s.Score >= 0}, p.Score, ok && p.Score >= 0)
		if _, err := tx.EvaluatePlaybooks(a, ev); err != nil {
			return fmt.Errorf("playbooks of %s: %w", a.Name, err)
		}
	}
	return nil
}

// putForecastWeek records week w's forecast snapshot: every live
// account's renewal due in the quarter of the week's Monday (a week that
// straddles two quarters belongs to the one it starts in), called as the
// renewals view calls it on day asOf.
func putForecastWeek(tx *store.Tx, accts []store.Account, cfg metrics.Config, asOf metrics.Date, w metrics.Week) error {
	forecasts, err := tx.Forecasts()
	if err != nil {
		return err
	}
	first, last := metrics.Quarter(w.Monday())
	var calls []store.ForecastCall
	for i := range accts {
		a := &accts[i]
		if a.Lifecycle == store.Churned || a.RenewalDate < first || a.RenewalDate > last {
			continue
		}
		in := a.HealthInputs(cfg)
		h := cfg.Score(in, asOf).Verdict
		flags := metrics.FlagsFor(in, h, metrics.Trend{}, asOf, false) // only the renewal-risk flag counts
		f, set := forecasts[a.ID]
		cat, expected := forecastFor(h.Band, flags, a.ARRCents, f, set)
		calls = append(calls, store.ForecastCall{AccountID: a.ID, Set: set,
			ForecastCall: metrics.ForecastCall{Due: a.RenewalDate, Category: cat, ARRCents: a.ARRCents, ExpectedARRCents: expected}})
	}
	return tx.PutForecastWeek(w, calls)
}

// SnapshotOf computes the snapshot record of one account on day asOf.
func SnapshotOf(a *store.Account, cfg metrics.Config, asOf metrics.Date) store.Snapshot {
	h := cfg.Score(a.HealthInputs(cfg), asOf)
	s := store.Snapshot{AccountID: a.ID, Week: metrics.WeekOf(asOf), Score: -1, Band: h.Band, ARRCents: a.ARRCents}
	if h.HasScore {
		s.Score = h.Score
	}
	for i, c := range h.Components {
		s.Components[i] = -1
		if c.HasData {
			s.Components[i] = int8(c.Score + 0.5)
		}
	}
	return s
}

// Today is the civil date of now in the local zone: a manager's Monday is
// their own Monday.
func Today(now time.Time) metrics.Date { return metrics.DateOf(now.Local()) }
