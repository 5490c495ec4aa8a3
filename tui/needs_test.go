package tui

import (
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// The queue's "what needs me" keys each narrow it to exactly the
// escalations their rule names, and the title says which are on. The
// demo's manager decides triage; an account manager has nothing awaiting
// a decision.
func TestWhatNeedsMe(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 140, 40)
	press(m, "4")
	me := m.actor.ID
	now := m.p.Now
	count := func(ok func(e *store.Escalation) bool) int {
		n := 0
		for i := range m.p.Escalations {
			if e := &m.p.Escalations[i].Escalation; e.Open() && ok(e) {
				n++
			}
		}
		return n
	}
	cases := []struct {
		key, title string
		rule       func(e *store.Escalation) bool
	}{
		{"m", "needs me: mine", func(e *store.Escalation) bool { return e.OwnerID == me }},
		{"u", "needs me: awaiting my decision", func(e *store.Escalation) bool { return e.Decision == "" && e.Status == store.StatusOpen }},
		{"W", "needs me: with the director", func(e *store.Escalation) bool { return e.Status == store.StatusWithDirector }},
		{"!", "needs me: due within 24 h", func(e *store.Escalation) bool {
			return !e.SLADue.IsZero() && e.SLADue.After(now) && e.SLADue.Sub(now) <= 24*time.Hour
		}},
	}
	for _, c := range cases {
		press(m, c.key)
		want := count(c.rule)
		if want == 0 {
			t.Errorf("%s: the demo has no escalation for it: the test proves nothing", c.title)
		}
		if got := len(m.escs.rows); got != want {
			t.Errorf("%s: %d rows, want %d", c.title, got, want)
		}
		for _, r := range m.escs.rows {
			if e := &m.p.Escalations[r].Escalation; !c.rule(e) {
				t.Errorf("%s lists #%d, which it should not", c.title, e.ID)
			}
		}
		mustContain(t, screen(m), c.title)
		press(m, c.key) // off again
		if strings.Contains(screen(m), "needs me") {
			t.Errorf("%s stays in the title after it was turned off", c.title)
		}
	}
	// Two on at once narrow together.
	press(m, "m", "!")
	both := count(func(e *store.Escalation) bool { return e.OwnerID == me && cases[3].rule(e) })
	if len(m.escs.rows) != both {
		t.Errorf("mine + due within 24 h: %d rows, want %d", len(m.escs.rows), both)
	}
	mustContain(t, screen(m), "needs me: mine + due within 24 h")
}

// An account manager decides no triage: "awaiting my decision" is empty
// and says why.
func TestAwaitingDecisionIsAManagers(t *testing.T) {
	path := demoPath(t, 0)
	var am string
	if err := store.View(path, store.Options{}, func(tx *store.Tx) error {
		members, err := tx.Members()
		for _, mem := range members {
			if mem.Active && mem.Role == store.RoleAccountManager {
				am = mem.Name
				break
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	opt := testOptions(path)
	opt.As = am
	m, err := openLoaded(opt, 140, 40)
	if err != nil {
		t.Fatal(err)
	}
	press(m, "4", "u")
	if len(m.escs.rows) != 0 {
		t.Fatalf("%d escalations await an account manager's decision", len(m.escs.rows))
	}
	mustContain(t, screen(m), "Only a manager decides triage")
}

// The review opens with what moved since the baseline, each figure with
// its signed change, and lists what improved and the ARR moves; enter on
// a move opens its account.
func TestReviewShowsWhatChanged(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 160, 60)
	s := screen(m)
	mustContain(t, s, "Since ", "ARR ", "NRR ", " pts", "at risk ", "Improved since", "ARR moves since")
	then := m.p.Review.Then
	want := "open esc " + itoa(m.p.KPIs.OpenEsc) + " " + signedCount(m.p.KPIs.OpenEsc-then.OpenEsc)
	mustContain(t, s, want)
	if len(m.p.Review.Moves) == 0 || len(m.p.Review.Improved) == 0 {
		t.Fatal("the demo has no ARR move or no improved account: the screen proves nothing")
	}
	mv := m.p.Review.Moves[0]
	mustContain(t, s, m.p.Accounts[mv.Account].Name, signedMoney(mv.Delta(), m.p.Settings.Currency))
	// Down to the first move, and open it.
	for i, li := range m.review.items {
		if m.review.lines[li].sec == secMoves {
			m.review.cursor = i
			break
		}
	}
	press(m, "enter")
	mustContain(t, screen(m), m.p.Accounts[mv.Account].Name, "health detail")
}

// [ moves the baseline a week back and the whole review follows that
// pair of weeks; ] comes back to the review's own comparison week.
func TestMoveTheBaseline(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 160, 60)
	own := m.p.Review.ComparedWithWeek
	if own == 0 {
		t.Fatal("the demo has no comparison week")
	}
	press(m, "[")
	back := m.review.altWeek
	if back == 0 || back >= own {
		t.Fatalf("[ moved the baseline to %s (own %s)", back, own)
	}
	s := screen(m)
	mustContain(t, s, "baseline week "+back.String(), "Worsened since week "+back.String(), "Since "+back.Monday().String())
	alt := m.review.rev()
	if alt.Then.Day != back.Monday().AddDays(-1) || alt == &m.p.Review {
		t.Fatalf("the review shown is not against %s", back)
	}
	// Each row compares with that week too: its band and score then.
	if len(alt.Worsened) == 0 {
		t.Fatal("nothing worsened against the week before: the rows prove nothing")
	}
	a := m.p.Accounts[alt.Worsened[0]]
	then := alt.Against[a.ID]
	mustContain(t, s, bandLabel(then.Band)+" → "+bandLabel(a.Health.Band), itoa(then.Score)+" → "+itoa(a.Health.Score))
	press(m, "[")
	if m.review.altWeek >= back {
		t.Fatalf("a second [ did not go further back: %s", m.review.altWeek)
	}
	press(m, "]", "]")
	if m.review.alt != nil {
		t.Fatalf("] twice did not come back to the own week: at %s", m.review.altWeek)
	}
	mustContain(t, screen(m), "baseline week "+own.String())
	press(m, "]")
	mustContain(t, screen(m), "is the latest week before this one")
}

// Enter on a member opens their 1:1 page: the book now and since their
// last 1:1, what worsened in it since, renewals, escalations, overdue
// touches and capacity; b opens their book.
func TestMemberPage(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 140, 80)
	press(m, "2")
	// The member with the most accounts and a last 1:1.
	best := -1
	for i, ri := range m.team.rows {
		r := &m.p.Team[ri]
		if !r.Unassigned && !r.Member.LastOneOnOne.IsZero() && (best < 0 || r.Accounts > m.p.Team[m.team.rows[best]].Accounts) {
			best = i
		}
	}
	if best < 0 {
		t.Fatal("no member with a last 1:1 in the demo")
	}
	m.team.tbl.setCursor(best)
	r := m.p.Team[m.team.rows[best]]
	press(m, "enter")
	pg, ok := m.current().(*memberPage)
	if !ok || pg.since == nil {
		t.Fatalf("the member page did not open with its figures at the last 1:1 (%T)", m.current())
	}
	day := r.Member.LastOneOnOne
	s := screen(m)
	mustContain(t, s, r.Member.Name, "1:1 prep", "Last 1:1", day.String(), "Book now, since "+day.String(),
		"Worsened since "+day.String(), "Renewals within 90 days", "Open escalations ("+itoa(r.OpenEsc)+")", "Capacity", "weighted load")
	renewals := 0
	for _, a := range m.p.Accounts {
		if a.Live && a.OwnerID == r.Member.ID && !a.RenewalDate.IsZero() && a.DaysToRenewal <= 90 {
			renewals++
		}
	}
	mustContain(t, s, "Renewals within 90 days ("+itoa(renewals)+")")
	// The worsened list is the member's, by the review's rule.
	for _, i := range pg.since.Worsened {
		if a := m.p.Accounts[i]; a.OwnerID != r.Member.ID {
			t.Errorf("%s is in the member's worsened list but owned by %s", a.Name, a.OwnerName)
		}
	}
	press(m, "b")
	mustContain(t, screen(m), "book of "+r.Member.Name)
}

// 1 on a member's page logs a 1:1: it moves their last 1:1, plans the
// next, and its notes show on the page; the team view flags a 1:1 past
// the cadence.
func TestLogAOneOnOne(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 140, 90)
	press(m, "2", "j", "enter")
	pg, ok := m.current().(*memberPage)
	if !ok {
		t.Fatalf("no member page: %T", m.current())
	}
	name, before := pg.name, len(pg.notes)
	if before == 0 {
		t.Error("the demo logged no 1:1 for the member")
	}
	press(m, "1")
	mustContain(t, screen(m), "Log a 1:1 with "+name, "Next 1:1")
	press(m, "tab")
	typeText(m, "Walked through the Q1 renewals")
	press(m, "enter")
	mustContain(t, screen(m), "Logged the 1:1 with "+name)
	pg = m.current().(*memberPage)
	s := screen(m)
	mustContain(t, s, "1:1s logged ("+itoa(before+1)+")", "Walked through the Q1 renewals", "Last 1:1       "+m.asOf().String())
	if pg.notes[0].Notes != "Walked through the Q1 renewals" {
		t.Errorf("the newest 1:1 on the page is %+v", pg.notes[0])
	}
	row := pg.row()
	if row.Member.LastOneOnOne != m.asOf() || row.Member.NextOneOnOne != m.asOf().AddDays(14) || row.OneOnOneDue {
		t.Fatalf("after the 1:1: last %s next %s due %v", row.Member.LastOneOnOne, row.Member.NextOneOnOne, row.OneOnOneDue)
	}
	press(m, "esc")
	mustContain(t, screen(m), "0d ago → "+m.asOf().AddDays(14).String()[5:])
	// A member past the cadence is flagged.
	for _, r := range m.p.Team {
		if r.Unassigned || r.DaysSinceOneOne <= m.p.Settings.Health.OneOnOneDays {
			continue
		}
		if !r.OneOnOneDue {
			t.Errorf("%s: %d days since the last 1:1, not flagged", r.Member.Name, r.DaysSinceOneOne)
		}
		mustContain(t, screen(m), "⚠ "+itoa(r.DaysSinceOneOne)+"d ago")
	}
}

// 5 lists the renewals overdue, this quarter and next with their
// forecast; F sets one, and the quarter's forecast follows.
func TestRenewalsAndForecast(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 170, 60)
	press(m, "5")
	screen(m) // the rows are made when the view is shown
	first, _ := metrics.Quarter(m.p.AsOf)
	_, nextLast := metrics.Quarter(first.AddMonths(3))
	want := 0
	for _, a := range m.p.Accounts {
		if a.Live && !a.RenewalDate.IsZero() && a.RenewalDate <= nextLast {
			want++
		}
	}
	if len(m.renewals.rows) != want || want == 0 {
		t.Fatalf("%d renewal rows, want %d", len(m.renewals.rows), want)
	}
	f := m.p.KPIs.Forecast[1]
	mustContain(t, screen(m), "[5 Renewals]", "next "+metrics.QuarterName(first.AddMonths(3))+": due "+money(f.DueARRCents, "USD"), "forecast GRR "+pct(f.GRR))
	// The first row of next quarter: expect it to churn.
	k := 0
	for k < len(m.renewals.rows) && m.renewals.period(&m.p.Accounts[m.renewals.rows[k]]) != perNext {
		k++
	}
	m.renewals.tbl.setCursor(k)
	a := m.p.Accounts[m.renewals.rows[k]]
	press(m, "F")
	mustContain(t, screen(m), "Renewal forecast of "+a.Name)
	typeText(m, "churn")
	press(m, "tab", "tab")
	typeText(m, "Moving to a competitor")
	press(m, "enter")
	mustContain(t, screen(m), "Forecast of "+a.Name+": churn expected")
	got := m.p.Account(a.ID)
	if got.Forecast != metrics.ChurnExpected || !got.ForecastSet || got.ExpectedARRCents != 0 {
		t.Fatalf("after F: %s set %v expected %d", got.Forecast, got.ForecastSet, got.ExpectedARRCents)
	}
	if after := m.p.KPIs.Forecast[1]; after.ExpectedCents != f.ExpectedCents-a.ExpectedARRCents || after.ByCategory[metrics.ChurnExpected] < a.ARRCents {
		t.Fatalf("the quarter did not follow: expected %d (was %d, minus %d)", after.ExpectedCents, f.ExpectedCents, a.ExpectedARRCents)
	}
	mustContain(t, screen(m), "✎ churn expected")
}
