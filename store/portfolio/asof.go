package portfolio

import (
	"sort"
	"strings"
	"time"

	"steward/metrics"
	"steward/store"
)

// A report as of a past day shows the portfolio as it stood at the end of
// that day, from the records steward keeps with dates: the ARR ledger
// (accounts and ARR), the weekly snapshots (bands and scores) and the
// escalation timelines (open, status, severity, breached). What steward
// keeps only as a latest value (NPS, CSAT, expansion pipeline, champion
// changed, last QBR) is left out. The README's "Report JSON" section lists
// each rule.

// Past is the portfolio rebuilt for a day before today. Its Accounts are
// those that existed that day, with that day's ARR, liveness, band, score
// and renewal date; fields steward keeps only as a latest value (NPS, CSAT,
// pipeline, champion changed, override) are cleared so that no aggregate
// mixes them in. Owners, names and the roster are today's.
type Past struct {
	*Portfolio
	// SnapshotWeek is the week whose snapshot gave the bands and scores: the
	// newest one that had ended by the end of the day (0 when none had).
	SnapshotWeek metrics.Week
	// End is the end of the day, when escalations are judged.
	End time.Time
	// BandWeeks are the band mix of the snapshots up to SnapshotWeek.
	BandWeeks []BandWeek
}

// PastRaw is what LoadPast reads: the records Build reads, read for the
// day after (so that Prev is the snapshot of the newest week that ended by
// the day; see ReadPastRaw), the snapshot before that one (for the trend),
// and the timelines of the escalations whose state changed after the day.
type PastRaw struct {
	Raw
	Before     map[uint64]store.WeekScore
	BeforeWeek metrics.Week
	Timelines  map[uint64][]store.Event
	// BandWeeks are the band mix of the last TrendWeeks snapshots up to
	// the one behind the bands (PrevWeek).
	BandWeeks []BandWeek
}

// EndOfDay is the first instant after day d in the local zone, the zone
// whose civil date "today" is (see Today).
func EndOfDay(d metrics.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.Local)
}

// LoadPast reads the database in one read transaction and rebuilds the
// portfolio as it stood at the end of day, a day before today.
func LoadPast(path string, opt store.Options, day metrics.Date) (*Past, error) {
	var raw PastRaw
	err := store.View(path, opt, func(tx *store.Tx) error {
		var err error
		raw, err = ReadPastRaw(tx, day)
		return err
	})
	if err != nil {
		return nil, err
	}
	return BuildPast(raw, day), nil
}

// ReadPastRaw reads what BuildPast needs inside an open transaction.
func ReadPastRaw(tx *store.Tx, day metrics.Date) (PastRaw, error) {
	// A week's snapshot may have been taken on any day of that week (the
	// dashboard takes it when first opened, cron when scheduled), so only
	// a week that had ended by the end of day surely predates it. ReadRaw's
	// comparison week for day+1 is exactly that week: the newest snapshot
	// week before the week of day+1, which includes the week of day only
	// when day is its Sunday.
	raw, err := ReadRaw(tx, day.AddDays(1))
	if err != nil {
		return PastRaw{}, err
	}
	pr := PastRaw{Raw: raw, Timelines: map[uint64][]store.Event{}, BandWeeks: []BandWeek{}}
	if raw.PrevWeek != 0 {
		if pr.BandWeeks, err = bandWeeks(tx, nil, Scope{}, TrendWeeks, raw.PrevWeek); err != nil {
			return pr, err
		}
		if pr.BeforeWeek = tx.LatestWeekBefore(raw.PrevWeek); pr.BeforeWeek != 0 {
			if pr.Before, err = tx.WeekScores(pr.BeforeWeek); err != nil {
				return pr, err
			}
		}
	}
	end := EndOfDay(day)
	// Only escalations that existed by the end of the day and changed
	// after it need their timeline; the rest are as stored, and accounts
	// never need one, so the cost does not grow with the book.
	for _, e := range raw.Escalations {
		if !e.CreatedAt.After(end) && changedAfter(&e, end) {
			if pr.Timelines[e.ID], err = tx.Timeline(e.ID); err != nil {
				return pr, err
			}
		}
	}
	return pr, nil
}

// changedAfter reports whether e may have changed after end, so that its
// stored state is not its state at end.
func changedAfter(e *store.Escalation, end time.Time) bool {
	return e.UpdatedAt.IsZero() || e.UpdatedAt.After(end) || e.ResolvedAt.After(end)
}

// BuildPast rebuilds the portfolio as it stood at the end of day. It is
// pure. Review is left empty: it is the Monday screen, not part of the
// report.
func BuildPast(raw PastRaw, day metrics.Date) *Past {
	cfg := raw.Settings.Health
	end := EndOfDay(day)
	p := &Portfolio{
		AsOf:        day,
		Now:         end,
		Settings:    raw.Settings,
		Members:     raw.Members,
		SettingsLog: raw.SettingsLog,
		memberIdx:   indexMembers(raw.Members),
		accountIdx:  newIDIndex(0, 0),
	}

	var escs []store.Escalation
	breachedAcct := map[uint64]bool{}
	openByAcct := map[uint64]int{}
	for _, e := range raw.Escalations {
		e, ok := EscalationAt(e, raw.Timelines[e.ID], end, cfg)
		if !ok {
			continue
		}
		escs = append(escs, e)
		if e.Open() {
			openByAcct[e.AccountID]++
			if e.Breached(end) {
				breachedAcct[e.AccountID] = true
			}
		}
	}

	// The KPIs read the ledger as it stood at the end of the day: a
	// renewal booked later was not a renewal yet.
	p.Accounts = make([]Account, 0, len(raw.Accounts))
	for i := range raw.Accounts {
		src := &raw.Accounts[i]
		full := raw.Ledger[src.ID]
		through := metrics.LedgerThrough(full, day)
		var arr int64
		var live bool
		switch {
		case len(full) == 0:
			// No ledger at all: only the creation time dates the account,
			// and its ARR and lifecycle are all there is.
			if src.CreatedAt.After(end) {
				continue
			}
			arr, live = src.ARRCents, src.Lifecycle != store.Churned
		case len(through) == 0:
			continue // its first ARR came after the day
		default:
			// The last entry on or before the day is its ARR then; a churn
			// sets 0 and a later new or renewal entry revives it.
			arr = through[len(through)-1].ARRCents
			live = arr > 0
		}
		p.Accounts = append(p.Accounts, Account{Account: *src})
		a := &p.Accounts[len(p.Accounts)-1]
		p.accountIdx.set(a.ID, len(p.Accounts)-1)
		a.Ledger = through
		a.ARRCents = arr
		a.Live = live
		switch {
		case !live:
			a.Lifecycle = store.Churned
		case a.Lifecycle == store.Churned:
			a.Lifecycle = store.Active
		}
		a.NPS, a.CSAT = metrics.Opt{}, metrics.Opt{}
		a.PipelineCents, a.PipelineStage = 0, ""
		a.ChampionChanged, a.Override = false, nil
		a.OwnerName = p.MemberName(a.OwnerID)
		a.Segment = a.EffectiveSegment(cfg)
		a.Health = metrics.Verdict{Band: metrics.Unknown, Computed: metrics.Unknown}
		if ws, ok := raw.Prev[a.ID]; ok {
			if ws.Band != "" {
				a.Health.Band, a.Health.Computed = ws.Band, ws.Band
			}
			if ws.Score >= 0 {
				a.Health.Score, a.Health.HasScore = ws.Score, true
			}
		}
		// The trend then: the snapshot's score against the one before it,
		// as today's trend compares with the last snapshot before this week.
		if ws, ok := raw.Before[a.ID]; ok {
			a.Prev, a.HasPrev = ws, true
		}
		a.Trend = metrics.TrendOf(a.Health, a.Prev.Score, a.HasPrev && a.Prev.Score >= 0)
		a.RenewalDate = metrics.RenewalDateOn(src.RenewalDate, src.ContractStart, full, day)
		if !a.RenewalDate.IsZero() {
			a.DaysToRenewal = a.RenewalDate.Sub(day)
		}
		a.OpenEsc = openByAcct[a.ID]
		// Renewal-risk, dropping and sla-breach can be told for a past day;
		// champion-changed, qbr-overdue and plan-at-risk (a plan keeps no
		// history of its statuses) read latest values, left out.
		a.Flags = metrics.FlagsFor(metrics.Inputs{RenewalDate: a.RenewalDate}, a.Health, a.Trend, day, breachedAcct[a.ID])
	}

	p.Escalations = make([]Escalation, len(escs))
	for i, e := range escs {
		pe := Escalation{Escalation: e, OwnerName: p.MemberName(e.OwnerID), RaisedName: p.MemberName(e.RaisedBy), Breached: e.Breached(end)}
		if a := p.Account(e.AccountID); a != nil {
			pe.AccountName, pe.AccountARR = a.Name, a.ARRCents
		}
		p.Escalations[i] = pe
	}
	sort.SliceStable(p.Escalations, func(i, j int) bool { return QueueLess(&p.Escalations[i], &p.Escalations[j]) })

	p.sumBooks(day)
	p.finishKPIs()
	for i := range p.Team {
		p.Team[i].DaysSinceOneOne = -1 // only the latest 1:1 is kept
	}
	return &Past{Portfolio: p, SnapshotWeek: raw.PrevWeek, End: end, BandWeeks: raw.BandWeeks}
}

// EscalationAt is e as it stood at end, from its timeline evs (oldest
// first), and whether it existed then. Its status is the one the last
// status-changing event on or before end set (created and reopened: open;
// resolved: resolved; a status, decision or import event: the status after
// its "→"); with none, the "from" of the first change after end; with no
// change recorded at all, today's status (open at end when it was resolved
// only after end). Its severity follows the severity events the same way,
// and its SLA due is today's when the severity is today's, else recomputed
// from the creation time with today's SLA hours. Owner and decision stay
// today's.
func EscalationAt(e store.Escalation, evs []store.Event, end time.Time, cfg metrics.Config) (store.Escalation, bool) {
	if e.CreatedAt.After(end) {
		return e, false
	}
	if !changedAfter(&e, end) {
		return e, true
	}
	status := valueAt(evs, end, statusChange)
	if status == "" {
		status = e.Status
		if status == store.StatusResolved && e.ResolvedAt.After(end) {
			status = store.StatusOpen
		}
	}
	sev := valueAt(evs, end, severityChange)
	if sev != "" && sev != e.Severity {
		e.Severity = sev
		e.SLADue = store.SLADue(cfg, sev, e.CreatedAt)
	}
	e.Status = status
	e.UpdatedAt = e.CreatedAt
	var resolved time.Time
	for _, ev := range evs {
		if ev.At.After(end) {
			break
		}
		e.UpdatedAt = ev.At
		if ev.Kind == "resolved" {
			resolved = ev.At
		}
	}
	switch {
	case status != store.StatusResolved:
		e.ResolvedAt = time.Time{}
	case !resolved.IsZero():
		e.ResolvedAt = resolved
	case e.ResolvedAt.After(end):
		e.ResolvedAt = end
	}
	return e, true
}

// valueAt replays the changes change finds in evs: the value the last one
// on or before end set; with none, the value the first one after end
// changed from; "" when evs record no change.
func valueAt(evs []store.Event, end time.Time, change func(store.Event) (from, to string)) string {
	last := ""
	for _, ev := range evs {
		from, to := change(ev)
		if to == "" {
			continue
		}
		if !ev.At.After(end) {
			last = to
			continue
		}
		if last == "" {
			return from
		}
		break
	}
	return last
}

// statusChange is the status change one timeline event records.
func statusChange(ev store.Event) (from, to string) {
	switch ev.Kind {
	case "created":
		return "", store.StatusOpen
	case "resolved":
		// The event does not name the status it closed; it was open.
		return store.StatusOpen, store.StatusResolved
	case "reopened":
		return store.StatusResolved, store.StatusOpen
	case "status", "decision", "imported":
		// "status open → in_progress", "decision: ...; status open →
		// with_director", "updated by import from f.csv: status open →
		// resolved"
		from, to, _ := arrowPair(ev.Text, store.Statuses)
		return from, to
	}
	return "", ""
}

// severityChange is the severity change one timeline event records
// ("severity low → high; SLA due ...").
func severityChange(ev store.Event) (from, to string) {
	if ev.Kind == "severity" || ev.Kind == "imported" {
		from, to, _ := arrowPair(ev.Text, store.Severities)
		return from, to
	}
	return "", ""
}

// arrowPair finds the first "A → B" in text whose two words are both in
// vocab (case-insensitive).
func arrowPair(text string, vocab []string) (from, to string, ok bool) {
	const arrow = "→"
	rest := text
	for {
		i := strings.Index(rest, arrow)
		if i < 0 {
			return "", "", false
		}
		before, after := rest[:i], rest[i+len(arrow):]
		rest = after
		a := strings.ToLower(lastWord(before))
		b := strings.ToLower(firstWord(after))
		if inVocab(a, vocab) && inVocab(b, vocab) {
			return a, b, true
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func lastWord(s string) string {
	s = strings.TrimRight(s, " ")
	i := len(s)
	for i > 0 && isWordByte(s[i-1]) {
		i--
	}
	return s[i:]
}

func firstWord(s string) string {
	s = strings.TrimLeft(s, " ")
	i := 0
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	return s[:i]
}

func inVocab(w string, vocab []string) bool {
	for _, v := range vocab {
		if w == v {
			return true
		}
	}
	return false
}

// Report is the leadership report as of the past day. Figures steward
// keeps only as a latest value are null and listed in CurrentOnly;
// AsOfSources says where the rest came from.
func (p *Past) Report() Report { return p.ReportWith(ReportOptions{}) }

// ReportWith is Report with the options' comparison period. The trends,
// the comparison and the largest ARR at risk are rebuilt as of the day
// (ledger, snapshots, timelines); the renewals by month are left out
// (null), as their forecast categories are today's word.
func (p *Past) ReportWith(o ReportOptions) Report {
	r := p.Portfolio.report()
	r.SinceBaseline = nil                                                   // the review's baseline is today's
	r.RenewalForecast, r.OverdueRenewals, r.OverdueARRCents = nil, nil, nil // forecasts are today's word
	r.ForecastVsActual = nil                                                // so is the quarter reconciled
	r.NPS, r.NPSResponses, r.CSAT, r.CSATMean, r.CSATResponses, r.PipelineCents = nil, nil, nil, nil, nil, nil
	r.StaleData = nil // the inputs' date keeps only its latest value
	for i := range r.Members {
		r.Members[i].CSAT, r.Members[i].NPS, r.Members[i].StaleData = nil, nil, nil
	}
	r.CurrentOnly = append([]string{}, PastCurrentOnly...)
	r.AsOfSources = &AsOfSources{Accounts: "ledger", KPIs: "ledger", Bands: "snapshot", Escalations: "timeline",
		Owners: "current", Capacity: "current", RenewalDates: "current_by_term"}
	if p.SnapshotWeek != 0 {
		w := p.SnapshotWeek.String()
		r.AsOfSources.SnapshotWeek = &w
	}
	if o.BandWeeks == nil {
		o.BandWeeks = p.BandWeeks
	}
	if o.Period == "" {
		o.Period = PeriodQuarter
	}
	p.finishLeadership(&r, p.trendSums(Scope{}, p.reportPeriods(o.Period)), o)
	r.Trends.RenewalMonths = nil
	return r
}
