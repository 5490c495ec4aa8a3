package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// healthPage is the health detail of one account: what the score is made
// of and what to do about it. The portfolio's copy renders at once; the
// explained health, history, activities and escalations arrive by a
// LoadDetail command.
type healthPage struct {
	th     *theme
	id     uint64
	seq    int
	p      *portfolio.Portfolio
	d      *portfolio.Detail
	err    error
	doc    document
	loaded bool
}

func newHealthPage(th *theme, id uint64, seq int, p *portfolio.Portfolio) *healthPage {
	pg := &healthPage{th: th, id: id, seq: seq, p: p, doc: document{th: th}}
	pg.rebuild()
	return pg
}

func (pg *healthPage) SetSize(w, h int) {
	pg.doc.setSize(w, h)
	pg.rebuild()
}

func (pg *healthPage) record() (recordKind, uint64) { return recAccount, pg.id }

func (pg *healthPage) SetPortfolio(p *portfolio.Portfolio) {
	pg.p = p
	pg.rebuild()
}

func (pg *healthPage) HandleKey(k *KeyMap, msg keyMsg) intent {
	if act, ok := accountActionKey(k, msg); ok {
		return doAction{act: act, id: pg.id}
	}
	switch {
	case key.Matches(msg, k.PlanObjective):
		return doAction{act: actAddObjective, id: pg.id}
	case key.Matches(msg, k.PlanMilestone):
		return doAction{act: actAddMilestone, id: pg.id}
	case key.Matches(msg, k.PlanTick):
		return doAction{act: actTickMilestone, id: pg.id}
	case key.Matches(msg, k.PlanStatus):
		return doAction{act: actObjectiveStatus, id: pg.id}
	case key.Matches(msg, k.PlanEdit):
		return doAction{act: actEditPlan, id: pg.id}
	}
	if key.Matches(msg, k.ReadAll) {
		if a := pg.account(); a != nil {
			return openPager{title: a.Name + " · in full (esc goes back)", text: pg.fullText(a)}
		}
	}
	pg.doc.move(k, msg)
	return nil
}

func (pg *healthPage) account() *portfolio.Account {
	if pg.p == nil {
		return nil
	}
	return pg.p.Account(pg.id)
}

// flagMeaning says why each risk flag is raised (README, "Health and
// KPIs, in brief").
var flagMeaning = map[string]string{
	"renewal-risk":     "renewal within 90 days (or overdue) and the band is not green",
	"champion-changed": "the primary contact left or changed",
	"qbr-overdue":      "the last QBR is older than the QBR interval",
	"dropping":         "the score fell 10 points or more since the baseline week",
	"sla-breach":       "an open escalation is past its SLA",
	"plan-at-risk":     "an objective of the success plan is at risk, or one of its milestones is overdue",
}

// fullText is every long text of the page, uncut, for the pager: the
// override reason, the flags and what they mean, the success plan, the
// open escalations and the activities.
func (pg *healthPage) fullText(a *portfolio.Account) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	h := pg.health(a)
	if o := h.Override; o != nil {
		line("Override: " + bandLabel(o.Band) + " by " + orDash(o.Author, "—") + ", until " + orDash(o.Expires.String(), "no expiry"))
		line("  " + orDash(o.Reason, "no reason given"))
		line("")
	}
	line("Risk flags:")
	if a.Flags == 0 {
		line("  none")
	}
	for _, f := range a.Flags.Names() {
		line("  " + f + ": " + flagMeaning[f])
	}
	line("")
	line("Success plan:")
	line(orDash(strings.TrimSpace(a.SuccessPlan), "  none written"))
	if pg.d != nil {
		planFullText(&b, &pg.d.Plan.Plan, pg.p.AsOf)
		line("")
		line("Escalations:")
		for _, e := range pg.d.Escalations {
			line("  #" + itoa(int(e.ID)) + " " + e.Title + " (" + e.Severity + ", " + humanize(e.Status) + ")")
			if e.Description != "" {
				line("    " + e.Description)
			}
		}
		line("")
		line("Activities, newest first:")
		for _, act := range pg.d.Activities {
			line("  " + fmtInstant(act.At) + " " + act.Kind + " by " + orDash(act.Author, "—") + ":")
			line("    " + act.Text)
		}
	}
	return b.String()
}

func (pg *healthPage) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Back, k.AcctLog, k.AcctEdit, k.PlanObjective, k.PlanMilestone, k.PlanTick, k.PlanStatus, k.PlanEdit, k.AcctRaise, k.AcctOverride,
		k.AcctClearOvr, k.AcctReassign, k.ReadAll, k.Down, k.Up, k.Help}
}

func (pg *healthPage) View() string { return pg.doc.view() }

// components are the health components the detail lists: execution
// only while it is on.
func components(cfg metrics.Config) []metrics.ComponentID {
	ids := []metrics.ComponentID{metrics.Adoption, metrics.Support, metrics.Engagement, metrics.Sentiment}
	if cfg.Execution {
		ids = append(ids, metrics.Execution)
	}
	return ids
}

func (pg *healthPage) rebuild() {
	d := &pg.doc
	d.reset()
	var a *portfolio.Account
	if pg.p != nil {
		a = pg.p.Account(pg.id)
	}
	if a == nil {
		d.title("Health detail")
		if pg.p != nil {
			d.line("This account no longer exists (deleted by another process?). esc goes back.")
		} else {
			d.line("Loading…")
		}
		return
	}
	h := pg.health(a)
	band := pg.th.band(h.Band).Render(bandLabel(h.Band))
	d.title(sanitize(a.Name) + " · health detail")
	score := "no data"
	if h.HasScore {
		score = itoa(h.Score) + "/100"
	}
	d.line(pg.th.Label.Render(fit("Health", 14, false)) + " " + band + "  score " + score + "  trend " + a.Trend.String() + sinceText(pg.p))
	if h.Override != nil {
		o := h.Override
		exp := "no expiry"
		if !o.Expires.IsZero() {
			exp = "until " + o.Expires.String()
		}
		d.kv("Override", bandLabel(o.Band)+" by "+orDash(o.Author, "—")+", "+exp+": "+sanitize(orDash(o.Reason, "no reason given"))+
			"  (computed "+bandLabel(h.Computed)+")")
	}
	if c, ok := h.LargestDrag(); ok {
		d.kv("Largest drag", fmt.Sprintf("%s costs %.0f points", c.ID, c.Drag)+dragInputs(c))
	} else if h.HasScore {
		d.kv("Largest drag", "none: every component with data is at 100")
	}
	d.kv("Owner", sanitize(orDash(a.OwnerName, "unassigned"))+" · "+segmentShort(a.Segment)+" · "+string(a.Lifecycle))
	d.kv("Plan", sanitize(orDash(a.Plan, "—")))
	renew := "no renewal date"
	if !a.RenewalDate.IsZero() {
		renew = a.RenewalDate.String() + " (" + daysLeft(a.DaysToRenewal) + ")"
	}
	d.kv("ARR", moneyExact(a.ARRCents, pg.p.Settings.Currency)+" · renewal "+renew)
	if a.PipelineCents > 0 {
		d.kv("Expansion", moneyExact(a.PipelineCents, pg.p.Settings.Currency)+" "+orDash(a.PipelineStage, ""))
	}
	flags := "none"
	if a.Flags != 0 {
		flags = pg.th.Warn.Render("⚑ " + strings.Join(a.Flags.Names(), ", "))
	}
	d.kv("Risk flags", flags)
	d.kv("Success plan", pg.planLine(a))
	champ := orDash(a.ChampionName, "no champion recorded")
	if a.ChampionEmail != "" {
		champ += " <" + a.ChampionEmail + ">"
	}
	champ = sanitize(champ)
	if a.ChampionChanged {
		champ += pg.th.Warn.Render("  (changed)")
	}
	d.kv("Champion", champ)
	d.kv("Touch", "last "+orDash(a.LastTouch.String(), "never")+" ("+ago(a.LastTouch, pg.p.AsOf)+") · last QBR "+orDash(a.LastQBR.String(), "never"))
	d.kv("Inputs updated", pg.inputsText(a))
	d.kv("Settings", settingsText(pg.p.Settings.Health, a.Segment))

	d.blank()
	d.section("Components")
	d.line(pg.th.ColHead.Render(fmt.Sprintf("  %-11s %6s %6s %6s  %s", "component", "score", "weight", "points", "inputs")))
	for _, id := range components(pg.p.Settings.Health) {
		c := h.Components[id]
		inputs := c.Inputs
		if inputs == "" && pg.d == nil {
			inputs = "…"
		}
		if !c.HasData {
			d.line(fmt.Sprintf("  %-11s %6s %6.0f %6s  %s", id, "no data", c.Weight, "—", inputs))
			continue
		}
		d.line(fmt.Sprintf("  %-11s %6.0f %6.0f %6.1f  %s", id, c.Score, c.Weight, c.Contribution, inputs))
	}

	d.blank()
	switch {
	case pg.err != nil:
		d.line(pg.th.Error.Render("error: ") + pg.err.Error())
		return
	case pg.d == nil:
		d.line(pg.th.Muted.Render("Loading history, escalations and activities…"))
		return
	}
	det := pg.d
	d.section("Weekly score (" + itoa(len(det.History)) + " weeks)")
	if len(det.History) == 0 {
		d.line(pg.th.Muted.Render("  No snapshots yet: the first is taken when a week opens."))
	} else {
		d.line("  " + historyLine(det.History, h.Verdict, metrics.WeekOf(pg.p.AsOf), d.w-4))
	}
	d.blank()
	var open []store.Escalation
	for _, e := range det.Escalations {
		if e.Open() {
			open = append(open, e)
		}
	}
	d.section("Open escalations (" + itoa(len(open)) + ")")
	if len(open) == 0 {
		d.line(pg.th.Muted.Render("  None."))
	}
	for _, e := range open {
		sla := slaText(true, e.SLADue, pg.p.Now)
		if e.Breached(pg.p.Now) {
			sla = pg.th.Error.Render("⚠ " + sla)
		}
		d.line("  " + severityCell(pg.th, e.Severity).render() + " · " + humanize(e.Status) + " · " + sla + " · " + sanitize(e.Title))
	}
	d.blank()
	pg.tasksSection(d, det.Tasks)
	d.blank()
	d.section("Latest activities (" + itoa(len(det.Activities)) + ")")
	if len(det.Activities) == 0 {
		d.line(pg.th.Muted.Render("  No activity logged."))
	}
	for _, act := range det.Activities {
		d.line("  " + fmtInstant(act.At) + "  " + fit(act.Kind, 7, false) + " " + sanitize(orDash(act.Author, "—")+": "+act.Text))
	}
	// The charts below the activities: a call just logged stays on the
	// first screen.
	d.blank()
	pg.charts(d, det.History)
	// The plan last: its objectives and milestones can run long, and the
	// activities above must stay on the first screen, where a call just
	// logged is seen; its progress is at the top (planLine).
	d.blank()
	pg.planSection(a)
}

// charts draws the account's ARR at each month's end, from its ledger,
// and its weekly score from the snapshots the detail read, when the
// screen has room (smallCharts).
func (pg *healthPage) charts(d *document, hist []store.Snapshot) {
	tr := pg.p.Trends(portfolio.Scope{AccountID: pg.id})
	cur := pg.p.Settings.Currency
	if len(hist) > portfolio.TrendWeeks {
		hist = hist[len(hist)-portfolio.TrendWeeks:]
	}
	labels, scores := make([]string, 0, len(hist)), make([]float64, 0, len(hist))
	for _, s := range hist {
		labels, scores = append(labels, weekShort(s.Week.String())), append(scores, float64(max(0, s.Score)))
	}
	title := "Score by week"
	if n := len(hist); n > 0 {
		score := "no data"
		if hist[n-1].Score >= 0 {
			score = itoa(hist[n-1].Score)
		}
		title += " · " + labels[n-1] + " " + score
	}
	smallCharts(d, []func(w, h int) []string{
		func(w, h int) []string { return arrChart(pg.th, w, h, tr.ARRMonths, cur) },
		func(w, h int) []string {
			// On the 0-100 scale, as the sparkline above.
			return barChart(pg.th, w, h, title, labels, scores, 100, func(v float64) string { return itoa(int(v)) }, pg.th.Section)
		},
	}, d.w, d.h)
}

// The detail shows the soonest open tasks and the newest closed ones, a
// few of each: a playbook can give an account many, and the activities
// below must stay within a screen.
const (
	detailOpenTasks   = 5
	detailClosedTasks = 3
)

// tasksSection lists the account's open tasks, the soonest first (late
// ones flagged), and its latest closed ones with who closed them and why.
func (pg *healthPage) tasksSection(d *document, tasks []store.Task) {
	var open, closed []store.Task
	for _, t := range tasks {
		if t.Status == store.TaskOpen {
			open = append(open, t)
		} else {
			closed = append(closed, t)
		}
	}
	slices.SortStableFunc(open, func(a, b store.Task) int { return cmp.Compare(a.Due, b.Due) })
	slices.SortStableFunc(closed, func(a, b store.Task) int { return b.ClosedAt.Compare(a.ClosedAt) })
	d.section("Tasks (" + itoa(len(open)) + " open) · t adds one")
	if len(open) == 0 {
		d.line(pg.th.Muted.Render("  No open task."))
	}
	today := pg.p.AsOf
	for i, t := range open {
		if i == detailOpenTasks {
			d.line(pg.th.Muted.Render("  … " + itoa(len(open)-i) + " more open (the tasks view, 6, lists them all)"))
			break
		}
		due := "due " + t.Due.String() + " (" + daysLeft(t.Due.Sub(today)) + ")"
		if t.Overdue(today) {
			due = pg.th.Error.Render(lateText(t.Due, today))
		}
		d.line("  ☐ " + due + " · " + sanitize(orDash(pg.p.MemberName(t.OwnerID), "nobody")) + " · " + sanitize(t.Title))
	}
	for i, t := range closed {
		if i == detailClosedTasks {
			d.line(pg.th.Muted.Render("  … " + itoa(len(closed)-i) + " more closed"))
			break
		}
		line := "  ☑ " + string(t.Status) + " " + fmtInstant(t.ClosedAt) + " by " + orDash(t.ClosedBy, "—") + " · " + t.Title
		if t.Note != "" {
			line += " (" + t.Note + ")"
		}
		d.line(pg.th.Muted.Render(sanitize(line)))
	}
}

// inputsText is when the account's health inputs were last updated (an
// import or an edit), how long before the day that is, and "⚠ stale" past
// the freshness.stale_days setting (README, data freshness). An account
// from before steward dated its inputs shows its last change instead,
// and says so.
func (pg *healthPage) inputsText(a *portfolio.Account) string {
	day := portfolio.InputsDay(&a.Account)
	if day.IsZero() {
		return "unknown"
	}
	age := pg.p.AsOf.Sub(day)
	s := day.String() + " ("
	switch {
	case age <= 0:
		s += "today"
	case age == 1:
		s += "1 day ago"
	default:
		s += itoa(age) + " days ago"
	}
	if a.InputsAt.IsZero() {
		s += ", the record's last change"
	}
	s += ")"
	if a.StaleInputs {
		s += "  " + pg.th.Warn.Render("⚠ stale: older than "+itoa(pg.p.Settings.Health.StaleDays)+" days, the band stands on old numbers")
	}
	return s
}

func sinceText(p *portfolio.Portfolio) string {
	if p == nil || p.Review.ComparedWithWeek == 0 {
		return ""
	}
	return " since " + baselineName(p)
}

func dragInputs(c metrics.Component) string {
	if c.Inputs == "" {
		return ""
	}
	return " (" + c.Inputs + ")"
}

const sparkRunes = "▁▂▃▄▅▆▇█"

// historyLine is the weekly scores as a sparkline ending with the score
// shown above it: this week's point is the current score (the snapshot is
// replaced, or the point added), so the line never disagrees with the
// header. The lowest and highest scores label the range; the newest weeks
// are kept when space is short. The glyphs are on the 0-100 scale.
func historyLine(hist []store.Snapshot, cur metrics.Verdict, thisWeek metrics.Week, w int) string {
	pts := make([]int, 0, len(hist)+1)
	weeks := make([]metrics.Week, 0, len(hist)+1)
	for _, s := range hist {
		if s.Week >= thisWeek {
			break // this week is the current score, below
		}
		pts, weeks = append(pts, s.Score), append(weeks, s.Week)
	}
	now := -1
	if cur.HasScore {
		now = cur.Score
	}
	pts, weeks = append(pts, now), append(weeks, thisWeek)
	first := weeks[0].String()
	room := max(4, w-len(first)-len("now")-2-30)
	if len(pts) > room {
		pts, weeks = pts[len(pts)-room:], weeks[len(weeks)-room:]
		first = weeks[0].String()
	}
	spark := []rune(sparkRunes)
	var b strings.Builder
	lo, hi := -1, -1
	for _, s := range pts {
		if s < 0 {
			b.WriteRune('·')
			continue
		}
		if lo < 0 || s < lo {
			lo = s
		}
		hi = max(hi, s)
		b.WriteRune(spark[min(len(spark)-1, s*len(spark)/101)])
	}
	nowText := "no data"
	if now >= 0 {
		nowText = itoa(now)
	}
	rng := ""
	if lo >= 0 {
		rng = "min " + itoa(lo) + " · max " + itoa(hi) + " · "
	}
	return first + " " + b.String() + " now  (" + rng + "now " + nowText + ")"
}

// settingsText names the settings that produced a score.
func settingsText(c metrics.Config, seg metrics.Segment) string {
	w := c.Weights
	exec := ""
	if c.Execution {
		exec = fmt.Sprintf(" execution %g", w.Execution)
	}
	return fmt.Sprintf("weights adoption %g support %g engagement %g sentiment %g%s · green >= %d, yellow >= %d · cadence %d d (%s) · QBR every %d d (`,` edits)",
		w.Adoption, w.Support, w.Engagement, w.Sentiment, exec, c.Green, c.Yellow, c.Cadence.For(seg), segmentShort(seg), c.QBRIntervalDays)
}

// health is the account's health with its components: the loaded detail's
// (with each component's inputs written out), or until it comes, the
// account scored again from the portfolio's copy (the list keeps only the
// verdict).
func (pg *healthPage) health(a *portfolio.Account) metrics.Health {
	if pg.d != nil {
		return pg.d.Health
	}
	return pg.p.HealthOf(a)
}
