package tui

import (
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
)

// The regressions of the trust issue: what a team lead saves is what they
// chose, and what the screen says is true at this minute.

// "d", "manager", enter saves "manager takes it", never the option that
// merely contains the word, even when that one was the current decision.
func TestDecisionPickerPrefersLabelPrefix(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	id := m.escs.selectedID()
	// Make "coach the account manager" the current decision first: the
	// picker opens with it preselected.
	press(m, "d")
	typeText(m, "coach")
	press(m, "enter")
	noModal(t, m)
	if e, _ := escOf(t, path, id); e.Decision != store.DecisionCoach {
		t.Fatalf("setup: decision %q", e.Decision)
	}
	press(m, "d")
	typeText(m, "manager")
	mustContain(t, screen(m), "→ manager takes it")
	press(m, "enter")
	noModal(t, m)
	e, evs := escOf(t, path, id)
	if e.Decision != store.DecisionManager {
		t.Fatalf("typed manager, saved %q", e.Decision)
	}
	if e.OwnerID != memberID(t, m, actorName) || e.Status != store.StatusInProgress {
		t.Fatalf("manager takes it left owner %d status %s", e.OwnerID, e.Status)
	}
	lastEvent(t, evs, "decision", "manager takes it")
	// The escalation page says the decision in words.
	m.escs.selectID(id)
	press(m, "enter")
	mustContain(t, screen(m), "Decision", "manager takes it")
	if strings.Contains(screen(m), "Decision    manager\n") {
		t.Fatal("the raw decision code is on screen")
	}
}

// Text that fits several options equally well highlights none, and enter
// does nothing until up/down picks one.
func TestAmbiguousPickerWaitsForAChoice(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	id := m.escs.selectedID()
	before, evsBefore := escOf(t, path, id)
	press(m, "d")
	typeText(m, "t") // "the", "takes", "to the": a word of every option
	f := openForm(t, m)
	if _, ok := f.fields[0].pick.selected(); ok {
		t.Fatal("an ambiguous query highlighted an option")
	}
	mustContain(t, screen(m), "3 match: ↑/↓ to pick one")
	press(m, "enter")
	f = openForm(t, m)
	mustContain(t, screen(m), "3 choices match", "↑/↓ to pick one")
	if e, evs := escOf(t, path, id); e.Decision != before.Decision || len(evs) != len(evsBefore) {
		t.Fatal("enter on an ambiguous choice wrote")
	}
	press(m, "down")
	o, ok := f.fields[0].pick.selected()
	if !ok {
		t.Fatal("down picked nothing")
	}
	press(m, "enter")
	noModal(t, m)
	if e, _ := escOf(t, path, id); e.Decision != o.value {
		t.Fatalf("picked %q, saved %q", o.value, e.Decision)
	}
}

// The picker's ranking on its own: exact and code hits, prefixes, word
// starts, substrings and only tight subsequences.
func TestPickerRanking(t *testing.T) {
	opts := func() []option {
		return []option{
			{label: "coach the account manager", value: "coach", code: "coach"},
			{label: "manager takes it", value: "manager", code: "manager"},
			{label: "send to the director", value: "director", code: "director"},
		}
	}
	for _, c := range []struct {
		q, want string // want "" : ambiguous or no match
	}{
		{"manager", "manager"},
		{"man", "manager"},
		{"MANAGER", "manager"},
		{"director", "director"},
		{"dir", "director"},
		{"coach", "coach"},
		{"acc", "coach"}, // a word of one option only
		{"send dir", "director"},
		{"t", ""}, // three word starts: ambiguous
		{"zzz", ""},
		{"mgr", ""}, // as tight in "manager" as in "account manager"
		{"tak", "manager"},
	} {
		p := newPicker(opts(), "coach")
		p.filter(c.q)
		o, ok := p.selected()
		if got := map[bool]string{true: o.value, false: ""}[ok]; got != c.want {
			t.Errorf("%q picked %q, want %q (matches %v)", c.q, got, c.want, p.matches)
		}
	}
	// A loose subsequence is no match: "ravi" is not in "ravenswood industries".
	p := newPicker([]option{{label: "Ravenswood Industries", value: "1"}, {label: "Ravi Patel", value: "2"}}, "")
	p.filter("ravi")
	if len(p.matches) != 1 || p.opts[p.matches[0]].value != "2" {
		t.Fatalf("ravi matched %v", p.matches)
	}
	if got, ok := fuzzySpan("lumen legal", "lgl"); !ok || got != 5 {
		t.Errorf("fuzzySpan(lumen legal, lgl) = %d, want 5", got)
	}
}

// clocked is triage with a clock the test moves.
func clocked(t *testing.T) (*Model, *time.Time) {
	t.Helper()
	path := fixturePath(t, 40)
	clock := fixNow
	opt := testOptions(path)
	opt.Now = func() time.Time { return clock }
	opt.AsOf = 0 // today by the clock
	m := New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(m, m.load(true))
	if m.fatal != nil {
		t.Fatal(m.fatal)
	}
	return m, &clock
}

// SLA countdowns move with the minute tick, an SLA that runs out turns
// into a breach at the top of the queue with the cursor still on it, and
// none of it reads the database.
func TestSLACountdownFollowsTheClock(t *testing.T) {
	m, clock := clocked(t)
	var target *struct {
		id    uint64
		title string
		due   time.Time
	}
	for _, e := range m.p.Escalations {
		if e.Open() && !e.Breached && e.SLADue.After(fixNow.Add(time.Hour)) {
			target = &struct {
				id    uint64
				title string
				due   time.Time
			}{e.ID, e.Title, e.SLADue}
			break
		}
	}
	if target == nil {
		t.Fatal("the fixture has no escalation with an SLA still running")
	}
	press(m, "4")
	m.escs.selectID(target.id)
	seq := m.seq
	row := func() string {
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, target.title[:min(12, len(target.title))]) {
				return l
			}
		}
		t.Fatalf("no queue row for %q:\n%s", target.title, screen(m))
		return ""
	}

	*clock = target.due.Add(-2*time.Hour - 5*time.Minute - 30*time.Second)
	m.Update(clockMsg{})
	mustContain(t, row(), "in 2h06m")
	*clock = clock.Add(time.Minute)
	m.Update(clockMsg{})
	mustContain(t, row(), "in 2h05m")

	*clock = target.due.Add(-30 * time.Second)
	m.Update(clockMsg{})
	mustContain(t, row(), "in 1m")
	*clock = target.due.Add(61 * time.Second)
	m.Update(clockMsg{})
	mustContain(t, row(), "⚠ 1m over")
	if m.escs.selectedID() != target.id {
		t.Fatalf("the re-sort moved the cursor to %d, want %d", m.escs.selectedID(), target.id)
	}
	if e := m.escalation(target.id); e == nil || !e.Breached {
		t.Fatal("the portfolio does not count the breach")
	}
	var breachedFirst bool
	for _, e := range m.p.Escalations {
		if e.Open() {
			breachedFirst = e.Breached
			break
		}
	}
	if !breachedFirst {
		t.Fatal("the queue does not lead with a breach")
	}
	// The review lists it as breached too.
	press(m, "1")
	mustContain(t, screen(m), "SLA breached escalations")
	if m.seq != seq {
		t.Fatalf("the minute tick reloaded the database (%d loads, want %d)", m.seq, seq)
	}

	// A new day recomputes everything once, from disk.
	*clock = fixNow.Add(24 * time.Hour)
	_, cmd := m.Update(clockMsg{})
	drive(m, cmd)
	if m.seq != seq+1 || m.p.AsOf != fixAsOf.AddDays(1) {
		t.Fatalf("a new day: %d loads, as of %s", m.seq-seq, m.p.AsOf)
	}
	mustContain(t, m.status, "A new day")
}

// ctrl+r says what it did.
func TestRefreshSaysWhatItDid(t *testing.T) {
	m, _ := triage(t)
	press(m, "ctrl+r") // the first one reads this week's automatic snapshot
	press(m, "ctrl+r")
	mustContain(t, m.status, "Reloaded 40 accounts", "nothing had changed on disk")
}

// A field reached by tab has its text selected: typing replaces it, an
// arrow or end deselects and edits in place. Above-seats users are asked
// about before the save, and a no writes nothing.
func TestTabSelectsFieldTextAndWarningAsks(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	old, _ := acctOf(t, path, id)
	if !old.ActiveUsers.Set || old.Seats == 0 {
		t.Fatalf("fixture account has no users/seats: %+v", old)
	}
	press(m, "e", "tab", "tab", "tab")
	f := openForm(t, m)
	if fl := f.fields[f.focus]; fl.label != "Active users" || !fl.selected {
		t.Fatalf("tab landed on %q selected=%v", fl.label, fl.selected)
	}
	mustContain(t, screen(m), "typing replaces")
	typeText(m, "400")
	if v := f.field("Active users").in.Value(); v != "400" {
		t.Fatalf("typing over the selection gave %q", v)
	}
	press(m, "enter")
	mustContain(t, screen(m), "Save anyway? (y/N)", "exceed seats")
	press(m, "n")
	openForm(t, m)
	if a, _ := acctOf(t, path, id); a.ActiveUsers != old.ActiveUsers {
		t.Fatal("a no saved the edit")
	}
	press(m, "enter", "y")
	noModal(t, m)
	if a, _ := acctOf(t, path, id); a.ActiveUsers != metrics.Some(400) {
		t.Fatalf("saved active users %v, want 400", a.ActiveUsers)
	}

	// End deselects and appends; backspace on a selection clears it.
	press(m, "e", "tab", "tab")
	f = openForm(t, m)
	seats := f.field("Seats")
	want := seats.in.Value() + "0"
	press(m, "end")
	typeText(m, "0")
	if v := seats.in.Value(); v != want {
		t.Fatalf("end then 0 gave %q, want %q", v, want)
	}
	press(m, "tab", "shift+tab", "backspace")
	if v := seats.in.Value(); v != "" {
		t.Fatalf("backspace on a selection left %q", v)
	}
	press(m, "esc", "y")
	noModal(t, m)
}

// The sparkline ends with the score the header shows, even when this
// week's snapshot was taken before an edit, and names its range.
func TestSparklineEndsWithTheCurrentScore(t *testing.T) {
	w := metrics.WeekOf(fixAsOf)
	hist := []store.Snapshot{
		{Week: w - 2, Score: 40}, {Week: w - 1, Score: 43}, {Week: w, Score: 24},
	}
	got := historyLine(hist, metrics.Verdict{Score: 65, HasScore: true}, w, 100)
	mustContain(t, got, "now 65", "min 40", "max 65")
	if strings.Contains(got, "24") {
		t.Fatalf("the stale snapshot of this week is still drawn: %q", got)
	}
	if !strings.Contains(got, "▄▄▆ now") { // 40, 43 then 65 on the 0-100 scale
		t.Fatalf("points: %q", got)
	}
	// No snapshot this week yet: the current score is appended.
	got = historyLine(hist[:2], metrics.Verdict{Score: 65, HasScore: true}, w, 100)
	mustContain(t, got, "now 65", "min 40")

	// In the dashboard: the header's score is the sparkline's last point.
	m, _ := triage(t)
	press(m, "3", "enter")
	s := screen(m)
	pg := m.current().(*healthPage)
	h := pg.d.Health
	mustContain(t, s, "score "+itoa(h.Score)+"/100", "now "+itoa(h.Score)+")")
}

// Esc from an escalation's page lands on that escalation, wherever the
// resolve and the reopen moved it in the queue; and from a health detail
// on that account.
func TestEscReturnsToTheSameRecord(t *testing.T) {
	m, _ := triage(t)
	press(m, "4", "j", "j")
	id := m.escs.selectedID()
	press(m, "enter", "r")
	typeText(m, "Refund issued")
	press(m, "enter", "y")
	noModal(t, m)
	press(m, "o")
	typeText(m, "It happened again")
	press(m, "enter", "y")
	noModal(t, m)
	press(m, "esc")
	if got := m.escs.selectedID(); got != id {
		t.Fatalf("esc landed on escalation %d, want %d", got, id)
	}

	// Accounts sorted by health: an edit that moves the account in the
	// sort still brings esc back to it.
	press(m, "3", "j", "j", "j")
	acct := m.accounts.selectedID()
	press(m, "enter", "e")
	f := openForm(t, m)
	f.focusField(0)
	clearInput(m)
	typeText(m, "1")
	press(m, "enter")
	if fl := openForm(t, m).field("ARR change is"); !fl.hidden {
		press(m, "enter")
	}
	noModal(t, m)
	press(m, "esc")
	if got := m.accounts.selectedID(); got != acct {
		t.Fatalf("esc landed on account %d, want %d", got, acct)
	}
}

// A read-only dashboard (an --as that names nobody) writes nothing, not
// even this week's automatic snapshot.
func TestReadOnlyDashboardTakesNoSnapshot(t *testing.T) {
	path := fixturePath(t, 20)
	var had bool
	reread(t, path, func(tx *store.Tx) error { had = tx.HasWeek(metrics.WeekOf(fixAsOf)); return nil })
	if had {
		t.Fatal("the fixture already has this week's snapshot")
	}
	before := fileHash(t, path)
	opt := testOptions(path)
	opt.As = "nobody@example.com"
	m := New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(m, m.load(true))
	mustContain(t, screen(m), "as ? (unknown")
	if after := fileHash(t, path); after != before {
		t.Fatal("a read-only dashboard wrote to the file")
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// Status messages expire (information after 5 s, errors after 10 s or at
// the next key), belong to the page that raised them, and the dashboard's
// own snapshot never reads as "the database changed".
func TestStatusMessagesExpireAndBelong(t *testing.T) {
	m, clock := clocked(t)
	if !strings.Contains(m.status, "Snapshot of") {
		t.Fatalf("after the automatic snapshot the status says %q", m.status)
	}
	// The poll after our own snapshot finds nothing new to announce.
	m.Update(statMsg{statOf(m.opt.Path)})
	if strings.Contains(m.status, "database changed") {
		t.Fatalf("our own snapshot was announced as a change: %q", m.status)
	}
	*clock = clock.Add(6 * time.Second)
	m.Update(pollMsg{})
	if _, ok := statusOf(m); ok {
		t.Fatalf("information outlived 5 s: %q", m.status)
	}

	press(m, "ctrl+r")
	mustContain(t, screen(m), "Reloaded")
	press(m, "2") // another page: the message is not its
	if strings.Contains(screen(m), "Reloaded") {
		t.Fatal("a status followed the user to another page")
	}

	// An error stays up to 10 s, or until the next key.
	press(m, "3")
	m.fail("the file is locked")
	*clock = clock.Add(9 * time.Second)
	m.Update(pollMsg{})
	mustContain(t, screen(m), "the file is locked")
	*clock = clock.Add(2 * time.Second)
	m.Update(pollMsg{})
	if strings.Contains(screen(m), "the file is locked") {
		t.Fatal("an error outlived 10 s")
	}
	m.fail("the file is locked")
	press(m, "j")
	if strings.Contains(screen(m), "the file is locked") {
		t.Fatal("an error outlived the next key")
	}
}

func statusOf(m *Model) (string, bool) {
	s, _ := m.statusShown()
	return s, s != ""
}
