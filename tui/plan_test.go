package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
)

// The success plan on the health detail, driven by keys on a real file
// with an injected clock: an objective and milestones are added, the
// progress line counts them ("0 of 2 milestones done, 1 overdue"), a
// late milestone raises plan-at-risk (detail and accounts view), ticking
// it lowers it, an objective set at risk raises it again, and when the
// clock moves past a due date the milestone turns overdue. Each change is
// an activity entry by the acting member; a bad date is an inline error.
func TestPlanOnTheHealthDetail(t *testing.T) {
	path := fixturePath(t, 40)
	clock := fixNow
	m, err := openLoaded(Options{Path: path, Now: func() time.Time { return clock }}, 120, 60)
	if err != nil {
		t.Fatal(err)
	}
	day := m.p.AsOf
	var id uint64
	var name string
	for i := range m.p.Accounts {
		if a := &m.p.Accounts[i]; a.Live && !a.Flags.Has(metrics.FlagPlanAtRisk) && !strings.ContainsAny(a.Name, "東🚀") {
			id, name = a.ID, a.Name
			break
		}
	}
	drive(m, m.act(openAccount{id}))
	if _, ok := m.current().(*healthPage); !ok {
		t.Fatal("no health detail")
	}
	mustContain(t, screen(m), "Success plan", "No objectives yet: a adds one")
	flagged := func() bool { return m.p.Account(id).Flags.Has(metrics.FlagPlanAtRisk) }

	// An objective.
	press(m, "a")
	openForm(t, m)
	typeText(m, "Roll out to the EMEA sales team")
	press(m, "tab")
	typeText(m, "+8w")
	press(m, "enter")
	noModal(t, m)
	s := screen(m)
	mustContain(t, s, "● on track #1 Roll out to the EMEA sales team · target "+day.AddDays(56).String(), "0 of 0 milestones done · 1 objective")

	// Milestones: one due three days ago, one in ten days.
	for _, ms := range [][2]string{{"Admin training done", "-3d"}, {"50% seats active", "+10d"}} {
		press(m, "m")
		openForm(t, m)
		typeText(m, ms[0])
		press(m, "tab")
		typeText(m, ms[1])
		press(m, "enter")
		noModal(t, m)
	}
	// A date that does not exist is refused inline, and nothing is saved.
	press(m, "m")
	typeText(m, "SSO configured")
	press(m, "tab")
	typeText(m, "2026-02-30")
	press(m, "enter")
	openForm(t, m)
	mustContain(t, screen(m), "not a real calendar date")
	press(m, "esc", "y")
	noModal(t, m)

	s = screen(m)
	mustContain(t, s, "Success plan · 0 of 2 milestones done, 1 overdue · 1 objective",
		"☐ Admin training done · due "+day.AddDays(-3).String()+" · ⚠ overdue 3d",
		"☐ 50% seats active · due "+day.AddDays(10).String()+" (in 10d)",
		"plan-at-risk")
	if strings.Contains(s, "SSO configured") {
		t.Fatal("a refused milestone was saved")
	}
	if !flagged() {
		t.Fatalf("a milestone three days late raised no flag: %v", m.p.Account(id).Flags)
	}
	// The accounts view's flags column says so too (wide enough for
	// every flag the account has).
	m.Update(tea.WindowSizeMsg{Width: 220, Height: 60})
	press(m, "esc", "3", "/")
	typeText(m, name)
	press(m, "enter")
	s = screen(m)
	if row := lineWith(s[strings.Index(s, "Flags"):], name); !strings.Contains(row, "plan-at-risk") {
		t.Fatalf("the accounts row of %s lacks the flag: %q\n%s", name, row, s)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 60})
	drive(m, m.act(openAccount{id}))

	// d ticks the earliest open milestone by default: the late one.
	press(m, "d")
	mustContain(t, screen(m), "☐ Admin training done")
	press(m, "enter")
	noModal(t, m)
	s = screen(m)
	mustContain(t, s, "1 of 2 milestones done · 1 objective", "☑ Admin training done · due "+day.AddDays(-3).String()+" · done "+day.String()+" by "+actorName)
	if strings.Contains(s, "⚠ overdue") || strings.Contains(s, "plan-at-risk") || flagged() {
		t.Fatalf("ticked, the plan is still late:\n%s", s)
	}

	// t sets the objective's status: at risk raises the flag.
	press(m, "u", "tab")
	typeText(m, "at risk")
	press(m, "enter")
	noModal(t, m)
	mustContain(t, screen(m), "◆ at risk  #1 Roll out", "1 objective: 1 at risk")
	if !flagged() {
		t.Fatal("an objective at risk raised no flag")
	}
	press(m, "u", "tab")
	typeText(m, "on track")
	press(m, "enter")
	noModal(t, m)
	if flagged() {
		t.Fatal("back on track, the flag stayed")
	}

	// Eleven days on, the second milestone (due in ten) is a day late:
	// the clock's new day reloads, and the detail counts from it.
	clock = fixNow.Add(11 * 24 * time.Hour)
	_, cmd := m.Update(clockMsg{})
	drive(m, cmd)
	if m.p.AsOf != day.AddDays(11) {
		t.Fatalf("the clock moved 11 days, the portfolio is as of %s", m.p.AsOf)
	}
	mustContain(t, screen(m), "1 of 2 milestones done, 1 overdue", "☐ 50% seats active · due "+day.AddDays(10).String()+" · ⚠ overdue 1d")
	if !flagged() {
		t.Fatal("a milestone a day late raised no flag")
	}

	// Each change is an activity entry of the acting member.
	_, acts := acctOf(t, path, id)
	var plan []string
	for _, a := range acts {
		if a.Kind == store.ActPlan {
			if a.Author != actorName {
				t.Errorf("plan activity by %q: %+v", a.Author, a)
			}
			plan = append(plan, a.Text)
		}
	}
	if len(plan) != 6 || !strings.Contains(plan[2], "Milestone #2 of objective #1 done: Admin training done") {
		t.Fatalf("plan activities %q", plan)
	}
}

// A member who does not own the account may not edit its plan: the store
// refuses, the form stays open with the rule, and nothing is written.
func TestPlanRefusedToOthers(t *testing.T) {
	path := fixturePath(t, 40)
	opt := testOptions(path)
	opt.As = "dana@example.com"
	m := New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(m, m.load(true))
	dana := memberID(t, m, "Dana Whitfield")
	var id uint64
	var name string
	for i := range m.p.Accounts {
		if a := &m.p.Accounts[i]; a.Live && a.OwnerID != dana && !strings.ContainsAny(a.Name, "東🚀") {
			id, name = a.ID, a.Name
			break
		}
	}
	drive(m, m.act(openAccount{id}))
	press(m, "a")
	typeText(m, "Expand to APAC")
	press(m, "enter")
	openForm(t, m)
	mustContain(t, screen(m), "only the account's owner or a manager can edit the success plan of "+name)
	var plan store.Plan
	reread(t, path, func(tx *store.Tx) (err error) { plan, err = tx.PlanOf(id); return err })
	if len(plan.Objectives) != 0 {
		t.Fatalf("a refused objective was saved: %+v", plan)
	}
	// With no objective, the milestone, tick and status keys say what to
	// do first instead of opening an empty form.
	press(m, "esc", "y")
	for _, k := range []string{"m", "d", "u"} {
		press(m, k)
		noModal(t, m)
		if !strings.Contains(m.status, "a adds one") && !strings.Contains(m.status, "m adds one") {
			t.Fatalf("%s on an empty plan: status %q", k, m.status)
		}
	}
}

// E edits an objective's or a milestone's text and date, or removes it,
// each one change with its activity entry.
func TestEditPlanOnTheHealthDetail(t *testing.T) {
	path := fixturePath(t, 40)
	m := loaded(t, path, 120, 60)
	day := m.p.AsOf
	var id uint64
	for i := range m.p.Accounts {
		if a := &m.p.Accounts[i]; a.Live && !strings.ContainsAny(a.Name, "東🚀") {
			id = a.ID
			break
		}
	}
	by := store.Actor{Name: "test"}
	if err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		o, err := tx.AddObjective(id, "Roll out to EMEA", day.AddDays(60), metrics.OnTrack, by, fixNow)
		if err != nil {
			return err
		}
		if _, err := tx.AddMilestone(id, o.ID, "Admin training", day.AddDays(5), by, fixNow); err != nil {
			return err
		}
		_, err = tx.AddMilestone(id, o.ID, "SSO configured", day.AddDays(9), by, fixNow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m = loaded(t, path, 120, 60)
	drive(m, m.act(openAccount{id}))
	plan := func() store.Plan {
		var p store.Plan
		reread(t, path, func(tx *store.Tx) (err error) { p, err = tx.PlanOf(id); return err })
		return p
	}

	// The objective's text.
	press(m, "E")
	openForm(t, m)
	mustContain(t, screen(m), "Edit the success plan of", "Roll out to EMEA", day.AddDays(60).String())
	press(m, "tab")
	typeText(m, "Roll out to EMEA and APAC")
	press(m, "enter")
	noModal(t, m)
	if p := plan(); p.Objectives[0].Text != "Roll out to EMEA and APAC" || p.Objectives[0].Target != day.AddDays(60) {
		t.Fatalf("after the edit: %+v", p.Objectives[0])
	}
	mustContain(t, screen(m), "Roll out to EMEA and APAC")

	// A milestone's date: picking it fills in its text and date.
	press(m, "E", "down")
	mustContain(t, screen(m), "Admin training", day.AddDays(5).String())
	press(m, "tab", "tab")
	typeText(m, "+20d")
	press(m, "enter")
	noModal(t, m)
	if ms := plan().Objectives[0].Milestones[0]; ms.Text != "Admin training" || ms.Due != day.AddDays(20) {
		t.Fatalf("after the milestone's edit: %+v", ms)
	}

	// Remove the second milestone, then the objective.
	press(m, "E", "down", "down", "tab", "tab", "tab")
	typeText(m, "remove")
	press(m, "enter")
	noModal(t, m)
	if ms := plan().Objectives[0].Milestones; len(ms) != 1 || ms[0].Text != "Admin training" {
		t.Fatalf("after removing SSO configured: %+v", ms)
	}
	press(m, "E", "tab", "tab", "tab")
	typeText(m, "remove")
	press(m, "enter")
	noModal(t, m)
	if p := plan(); len(p.Objectives) != 0 {
		t.Fatalf("after removing the objective: %+v", p.Objectives)
	}
	mustContain(t, screen(m), "No objectives yet: a adds one")
	_, acts := acctOf(t, path, id)
	var texts []string
	for _, a := range acts {
		if a.Kind == store.ActPlan {
			texts = append(texts, a.Text)
		}
	}
	got := strings.Join(texts, "\n")
	mustContain(t, got, "Objective #1 edited: text Roll out to EMEA → Roll out to EMEA and APAC",
		"Milestone #2 edited: due "+day.AddDays(5).String()+" → "+day.AddDays(20).String(),
		"Milestone #3 of objective #1 removed: SSO configured", "Objective #1 removed: Roll out to EMEA and APAC")
}
