package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store"
)

// The review's sections have column headings, name the baseline week the
// same way everywhere, and lead with the largest ARR at stake.
func TestReviewHeadingsBaselineAndARROrder(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 160, 60)
	s := screen(m)
	base := baselineName(m.p)
	if !strings.HasPrefix(base, "week ") {
		t.Fatalf("the demo has no baseline week: %q", base)
	}
	mustContain(t, s, "baseline "+base, "Worsened since "+base)
	// Column headings under the section headings.
	mustContain(t, s, "Account", "Band", "Score", "SLA", "Severity", "Last touch", "Cadence")
	r := m.p.Review
	for name, list := range map[string][]int{"worsened": r.Worsened, "renewals": r.EnteredRenewal, "untouched": r.Untouched} {
		for k := 1; k < len(list); k++ {
			if a, b := m.p.Accounts[list[k-1]], m.p.Accounts[list[k]]; a.ARRCents < b.ARRCents {
				t.Fatalf("%s: %s (%d) before %s (%d)", name, a.Name, a.ARRCents, b.Name, b.ARRCents)
			}
		}
	}
	for k := 1; k < len(r.BreachedEsc); k++ {
		if a, b := m.p.Escalations[r.BreachedEsc[k-1]], m.p.Escalations[r.BreachedEsc[k]]; a.AccountARR < b.AccountARR {
			t.Fatalf("breached: %q before %q", a.Title, b.Title)
		}
	}
	// The health detail names the baseline the same way.
	press(m, "3", "enter")
	mustContain(t, screen(m), "since "+base)
}

// A new escalation is owned by its account's owner unless the user picks
// someone; reopen asks y/N; w shows each candidate's load and can take
// the account's open escalations along; dates take today, -3d, +2w.
func TestTriageDefaultsAndReassign(t *testing.T) {
	m, path := triage(t)
	// x on an account: the owner field starts at the account's owner.
	press(m, "3")
	for m.p.Account(m.accounts.selectedID()).OwnerID == 0 {
		press(m, "j")
	}
	acct := m.p.Account(m.accounts.selectedID())
	press(m, "x")
	f := openForm(t, m)
	if got := f.field("Owner").optID(); got != acct.OwnerID {
		t.Fatalf("new escalation owner %d, want the account's %d", got, acct.OwnerID)
	}
	typeText(m, "Invoices wrong")
	press(m, "enter")
	noModal(t, m)
	id := m.escs.selectedID()
	if e, _ := escOf(t, path, id); e.OwnerID != acct.OwnerID {
		t.Fatalf("saved owner %d, want %d", e.OwnerID, acct.OwnerID)
	}

	// Reopen asks; n leaves it resolved.
	press(m, "4")
	m.escs.selectID(id)
	press(m, "r")
	typeText(m, "Credited")
	press(m, "enter", "y")
	press(m, "f") // all statuses: the resolved one stays reachable
	m.escs.selectID(id)
	press(m, "o")
	typeText(m, "Again")
	press(m, "enter")
	mustContain(t, screen(m), "Reopen #", "(y/N)")
	press(m, "n")
	if e, _ := escOf(t, path, id); e.Status != store.StatusResolved {
		t.Fatalf("n reopened it: %s", e.Status)
	}
	press(m, "esc", "y")
	noModal(t, m)
	press(m, "o")
	typeText(m, "Again")
	press(m, "enter", "y")
	noModal(t, m)

	// w: loads on the candidates, and the open escalations move along.
	press(m, "3")
	m.accounts.selectID(acct.ID)
	press(m, "w")
	s := screen(m)
	mustContain(t, s, "accounts", "open on this account", "leave them with their owners")
	if !strings.Contains(s, "/") {
		t.Fatalf("no load shown:\n%s", s)
	}
	f = openForm(t, m)
	typeText(m, "dana")
	press(m, "tab")
	typeText(m, "move")
	press(m, "enter")
	noModal(t, m)
	dana := memberID(t, m, "Dana Whitfield")
	if a, _ := acctOf(t, path, acct.ID); a.OwnerID != dana {
		t.Fatalf("account owner %d, want Dana %d", a.OwnerID, dana)
	}
	if e, _ := escOf(t, path, id); e.OwnerID != dana {
		t.Fatalf("the open escalation stayed with %d", e.OwnerID)
	}
	mustContain(t, m.status, "with 1 open escalation")

	// Relative dates.
	for in, want := range map[string]metrics.Date{
		"today": fixAsOf, "yesterday": fixAsOf.AddDays(-1), "-3d": fixAsOf.AddDays(-3),
		"+2w": fixAsOf.AddDays(14), "2027-01-31": metrics.NewDate(2027, time.January, 31),
	} {
		if got, err := parseDay(in, fixAsOf); err != nil || got != want {
			t.Errorf("parseDay(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"-3x", "3d", "+d", "2027-02-30", "soon"} {
		if _, err := parseDay(bad, fixAsOf); err == nil {
			t.Errorf("parseDay(%q) accepted", bad)
		}
	}
	press(m, "enter", "e", "tab")
	typeText(m, "+2w")
	press(m, "enter")
	noModal(t, m)
	if a, _ := acctOf(t, path, acct.ID); a.RenewalDate != fixAsOf.AddDays(14) {
		t.Fatalf("renewal +2w saved %s", a.RenewalDate)
	}
}

// A database with accounts and an empty roster (straight after a CRM
// import) asks once who the user is and makes them its first manager,
// audited; the week's snapshot follows.
func TestEmptyRosterAsksWhoYouAre(t *testing.T) {
	path := emptyDB(t)
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		for _, n := range []string{"Acme", "Globex"} {
			a := store.Account{Name: n, ARRCents: 50_000_00, Seats: 10, ActiveUsers: metrics.Some(8)}
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := loaded(t, path, 120, 40)
	mustContain(t, screen(m), "Who are you?", "first manager")
	typeText(m, "Priya Raman")
	press(m, "tab")
	typeText(m, "priya@example.com")
	press(m, "enter")
	noModal(t, m)
	mustContain(t, screen(m), "as Priya Raman")
	var members []store.Member
	var log []store.RosterChange
	var snapped bool
	reread(t, path, func(tx *store.Tx) (err error) {
		if members, err = tx.Members(); err != nil {
			return err
		}
		snapped = tx.HasWeek(metrics.WeekOf(fixAsOf))
		log, err = tx.RosterLog(members[0].ID)
		return err
	})
	if len(members) != 1 || members[0].Name != "Priya Raman" || members[0].Role != store.RoleManager || members[0].Email != "priya@example.com" {
		t.Fatalf("roster %+v", members)
	}
	if len(log) != 1 || log[0].Author != "Priya Raman" || !strings.Contains(log[0].Text, "first manager") {
		t.Fatalf("roster log %+v", log)
	}
	if !snapped {
		t.Fatal("the week's snapshot was not taken after joining")
	}
	// Actions work now.
	press(m, "3", "l")
	openForm(t, m)
	press(m, "esc")

	// A second "first manager" is refused by the store.
	err = store.Update(path, store.Options{}, func(tx *store.Tx) error {
		_, err := tx.AddFirstManager("Eve", "eve@example.com", fixNow)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "already has members") {
		t.Fatalf("second first manager: %v", err)
	}
}

// Hints that do not fit collapse to "? all keys" instead of being cut.
func TestHintsCollapseToHelp(t *testing.T) {
	m, _ := triage(t)
	for _, w := range []int{60, 80, 100} {
		m.Update(tea.WindowSizeMsg{Width: w, Height: 30})
		for _, tab := range []string{"1", "2", "3", "4"} {
			press(m, tab)
			lines := strings.Split(screen(m), "\n")
			hint := lines[len(lines)-1]
			if strings.Contains(hint, "…") {
				t.Fatalf("%d cols, tab %s: the hint line was cut: %q", w, tab, hint)
			}
			if ansi.StringWidth(hint) > w {
				t.Fatalf("%d cols: hint %d wide", w, ansi.StringWidth(hint))
			}
			if w == 60 {
				mustContain(t, hint, "? all keys")
			}
		}
	}
}

// Long text reads whole: `v` opens a pager with every note uncut; the
// success plan and descriptions are multi-line (alt+enter / ctrl+j).
func TestLongTextPagerAndTextarea(t *testing.T) {
	m, path := triage(t)
	press(m, "4", "enter", "n")
	long := strings.Repeat("The client's finance team asked for a credit note and a call. ", 12) + "END-OF-NOTE"
	typeText(m, long)
	press(m, "enter")
	noModal(t, m)
	if strings.Contains(screen(m), "END-OF-NOTE") {
		t.Fatal("the fixture note fits the screen: nothing to prove")
	}
	press(m, "v")
	var seen strings.Builder
	for i := 0; i < 20; i++ {
		seen.WriteString(screen(m))
		press(m, "j")
	}
	mustContain(t, seen.String(), "in full", "END-OF-NOTE")
	press(m, "esc")
	if _, ok := m.current().(*escPage); !ok {
		t.Fatal("esc did not return to the escalation")
	}

	// A two-line success plan, typed with ctrl+j.
	press(m, "3")
	id := m.accounts.selectedID()
	press(m, "e")
	f := openForm(t, m)
	for f.fields[f.focus].label != "Success plan" {
		press(m, "tab")
	}
	for i := 0; i < 200; i++ {
		press(m, "backspace")
	}
	typeText(m, "Land the EU team")
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlJ})
	typeText(m, "Weekly adoption review")
	press(m, "enter")
	noModal(t, m)
	if a, _ := acctOf(t, path, id); a.SuccessPlan != "Land the EU team\nWeekly adoption review" {
		t.Fatalf("plan saved as %q", a.SuccessPlan)
	}
	press(m, "enter", "v")
	mustContain(t, screen(m), "Land the EU team", "Weekly adoption review", "Risk flags")
}

// The plan (tier) a CRM import brings can be edited, and the edit is
// audited like any other field.
func TestPlanIsEditable(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	press(m, "e")
	f := openForm(t, m)
	for f.fields[f.focus].label != "Plan" {
		press(m, "tab")
	}
	typeText(m, "Enterprise Plus")
	press(m, "enter")
	noModal(t, m)
	a, acts := acctOf(t, path, id)
	if a.Plan != "Enterprise Plus" {
		t.Fatalf("plan %q", a.Plan)
	}
	lastActivity(t, acts, "edit", "plan")
	press(m, "enter")
	mustContain(t, screen(m), "Plan", "Enterprise Plus")
}
