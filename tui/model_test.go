package tui

import (
	"os"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"steward/metrics"
)

func TestEveryViewIsReached(t *testing.T) {
	m := loaded(t, fixturePath(t, 200), 120, 48)
	s := screen(m)
	mustContain(t, s, "[1 Review]", "Monday review", "Worsened since", "SLA breached escalations", "New escalations", "Renewals that entered", "Past their touch cadence", "more", "ARR $", "NRR", "GRR", "● ", "green")
	press(m, "2")
	mustContain(t, screen(m), "[2 Team]", "Alice Moreau", "Unassigned", "⚠", "over")
	press(m, "3")
	mustContain(t, screen(m), "[3 Accounts]", "of 196 accounts", "Acme Corp")
	press(m, "4")
	mustContain(t, screen(m), "[4 Escalations]", "Escalations ·", "data export failing")
	press(m, "tab")
	mustContain(t, screen(m), "[5 Renewals]", "Renewals · ", "forecast GRR")
	press(m, "tab")
	mustContain(t, screen(m), "[6 Tasks]", "Open tasks")
	press(m, "tab")
	mustContain(t, screen(m), "[7 Trends]", "NRR/GRR by quarter", "ARR by month", "Band mix by week", "Open escalations by week")
	press(m, "tab")
	mustContain(t, screen(m), "[1 Review]")
	press(m, "shift+tab", "shift+tab", "shift+tab", "shift+tab")
	mustContain(t, screen(m), "[4 Escalations]")
	press(m, "enter")
	mustContain(t, screen(m), "Escalation #", "Timeline (1)", "raised from a support call")
	press(m, "enter")
	mustContain(t, screen(m), "health detail", "Components", "adoption", "Weekly score", "Latest activities")
	press(m, "esc", "esc")
	mustContain(t, screen(m), "[4 Escalations]", "Escalations ·")
}

func selectedAccount(m *Model) uint64 { return m.accounts.selectedID() }

func TestAccountsSortAndFilterChangeRows(t *testing.T) {
	m := loaded(t, fixturePath(t, 300), 120, 40)
	press(m, "3")
	first := func() string { return m.p.Accounts[m.accounts.rows[0]].Name }
	byName := first()
	press(m, "s")      // owner
	press(m, "s", "s") // ARR, descending first
	if m.accounts.sortCol != sortARR || !m.accounts.desc {
		t.Fatalf("sort = %d desc=%v", m.accounts.sortCol, m.accounts.desc)
	}
	top := m.p.Accounts[m.accounts.rows[0]].ARRCents
	for _, r := range m.accounts.rows {
		if m.p.Accounts[r].ARRCents > top {
			t.Fatal("ARR sort is not descending")
		}
	}
	press(m, "S")
	if m.p.Accounts[m.accounts.rows[0]].ARRCents > m.p.Accounts[m.accounts.rows[1]].ARRCents {
		t.Fatal("reverse did not reverse")
	}
	if first() == byName && top == m.p.Accounts[m.accounts.rows[0]].ARRCents {
		t.Fatal("sorting did not change the rows")
	}
	mustContain(t, screen(m), "sort arr ↑")

	total := len(m.accounts.rows)
	press(m, "/")
	typeText(m, "globex")
	n := len(m.accounts.rows)
	if n == 0 || n >= total {
		t.Fatalf("filter kept %d of %d", n, total)
	}
	for _, r := range m.accounts.rows {
		if !strings.Contains(m.p.Accounts[r].Fold, "globex") {
			t.Fatalf("row %q does not match", m.p.Accounts[r].Name)
		}
	}
	mustContain(t, screen(m), itoa(n)+" of "+itoa(total)+" accounts", "/globex")
	// q while typing is a letter, not quit.
	if press(m, "q") {
		t.Fatal("q quit from inside the filter")
	}
	press(m, "backspace", "enter")
	if m.filtering || m.accounts.Query() != "globex" {
		t.Fatalf("enter should keep the filter, got %q", m.accounts.Query())
	}
	press(m, "esc")
	if len(m.accounts.rows) != total {
		t.Fatal("esc did not clear the filter")
	}
	// Fuzzy: letters in order, not contiguous.
	press(m, "/")
	typeText(m, "glbx")
	if len(m.accounts.rows) == 0 || strings.Contains(m.p.Accounts[m.accounts.rows[0]].Fold, "glbx") {
		t.Fatalf("fuzzy filter: %d rows", len(m.accounts.rows))
	}
	press(m, "esc")

	press(m, "b") // red only
	for _, r := range m.accounts.rows {
		if m.p.Accounts[r].Health.Band != metrics.Red {
			t.Fatal("band filter kept a non-red account")
		}
	}
	mustContain(t, screen(m), "band ■ red")
	// ctrl+c quits even while typing.
	press(m, "/")
	if !press(m, "ctrl+c") {
		t.Fatal("ctrl+c did not quit inside the filter")
	}
}

func TestEnterEscKeepsCursor(t *testing.T) {
	m := loaded(t, fixturePath(t, 300), 100, 30)
	press(m, "3", "j", "j", "j", "ctrl+d", "j")
	before := selectedAccount(m)
	name := m.p.Account(before).Name
	press(m, "enter")
	mustContain(t, screen(m), name, "health detail", "Largest drag")
	press(m, "j", "G") // scrolling the detail
	press(m, "esc")
	if got := selectedAccount(m); got != before {
		t.Fatalf("cursor moved: %d -> %d", before, got)
	}
	mustContain(t, screen(m), "▸ "+name[:min(len(name), 8)])

	// Review -> detail -> back.
	press(m, "1", "j", "j")
	for m.review.lines[m.review.items[m.review.cursor]].kind != lineItem {
		press(m, "j") // "… N more" expands rather than opens
	}
	cur := m.review.cursor
	press(m, "enter")
	if len(m.stack) != 1 {
		t.Fatal("enter on a review row opened nothing")
	}
	press(m, "esc")
	if m.review.cursor != cur || len(m.stack) != 0 {
		t.Fatal("review cursor lost")
	}

	// Team -> member's page -> their book -> detail -> back -> back to
	// the page -> back to team.
	press(m, "2", "j")
	tc := m.team.tbl.cursor
	member := m.p.Team[m.team.rows[tc]].Member.Name
	press(m, "enter")
	mustContain(t, screen(m), member, "1:1 prep", "Book now")
	press(m, "b")
	mustContain(t, screen(m), "[3 Accounts]", "book of "+member)
	for _, r := range m.accounts.rows {
		if m.p.Accounts[r].OwnerName != member {
			t.Fatalf("member filter shows %q", m.p.Accounts[r].OwnerName)
		}
	}
	press(m, "enter", "esc", "esc")
	mustContain(t, screen(m), "1:1 prep")
	press(m, "esc")
	mustContain(t, screen(m), "[2 Team]")
	if m.team.tbl.cursor != tc || m.accounts.member != nil {
		t.Fatal("team cursor or member filter not restored")
	}
	// Unassigned row opens the pool.
	press(m, "G", "b")
	mustContain(t, screen(m), "book of Unassigned")
	for _, r := range m.accounts.rows {
		if a := m.p.Accounts[r]; a.OwnerName != "" && a.OwnerName != "Zed Former" {
			t.Fatalf("unassigned pool shows %q", a.OwnerName)
		}
	}
}

func TestHelpListsEveryBinding(t *testing.T) {
	m := loaded(t, emptyDB(t), 250, 100)
	press(m, "esc") // the "Who are you?" form of an empty roster
	press(m, "?")
	s := screen(m)
	for _, g := range m.keys.FullHelp() {
		for _, b := range g {
			mustContain(t, s, b.Help().Key, b.Help().Desc)
		}
	}
	press(m, "?")
	if m.showHelp {
		t.Fatal("? did not close the help")
	}
}

func TestTooSmall(t *testing.T) {
	m := loaded(t, fixturePath(t, 50), 59, 15)
	for _, size := range [][2]int{{59, 15}, {60, 14}, {20, 6}, {1, 1}, {0, 0}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := screen(m)
		lines := strings.Split(s, "\n")
		if len(lines) > max(1, size[1]) || len(lines) > 2 {
			t.Fatalf("%v: %d lines: %q", size, len(lines), s)
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > max(1, size[0]) {
				t.Fatalf("%v: a line wider than the terminal: %q", size, s)
			}
		}
		if size[0] >= 20 && (!strings.Contains(s, "small") || !strings.Contains(s, "need 60x15")) {
			t.Fatalf("%v: %q", size, s)
		}
		press(m, "j", "enter", "/", "x", "esc", "3", "G")
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
	if strings.Contains(screen(m), "too small") {
		t.Fatal("60x15 must lay out")
	}
}

// Every view and the detail screens fit the terminal exactly: no line
// wider than the width (truncated, never wrapped) and exactly h lines.
func TestLayoutFitsEverySize(t *testing.T) {
	m := loaded(t, fixturePath(t, 120), 80, 24)
	walk := [][]string{{"1"}, {"2"}, {"3"}, {"4"}, {"3", "enter"}, {"4", "enter"}, {"?"}, {"?", "1"}}
	for _, size := range [][2]int{{60, 15}, {61, 16}, {80, 24}, {120, 40}, {200, 50}, {250, 70}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, keys := range walk {
			press(m, keys...)
			s := screen(m)
			lines := strings.Split(s, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%v after %v: %d lines, want %d\n%s", size, keys, len(lines), size[1], s)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Fatalf("%v after %v: line %d is %d wide: %q", size, keys, i, w, l)
				}
			}
			press(m, "esc")
		}
	}
}

// Rows with CJK and emoji names are exactly as wide as the table.
func TestWideNamesKeepColumnsAligned(t *testing.T) {
	m := loaded(t, fixturePath(t, 40), 100, 30)
	press(m, "3")
	healthCol := func(query, name string) int {
		press(m, "esc", "/")
		typeText(m, query)
		press(m, "enter")
		for _, l := range strings.Split(screen(m), "\n") {
			if !strings.Contains(l, name) {
				continue
			}
			if w := ansi.StringWidth(l); w != 100 {
				t.Fatalf("row %q is %d wide, want 100", l, w)
			}
			for _, b := range []string{"● ", "◆ ", "■ ", "? "} {
				if i := strings.Index(l, b); i >= 0 {
					return ansi.StringWidth(l[:i])
				}
			}
		}
		t.Fatalf("no row for %q:\n%s", name, screen(m))
		return -1
	}
	cjk := healthCol("東京", "東京商事株式会社")
	emoji := healthCol("rocket", "Rocket 🚀 Labs")
	ascii := healthCol("globex", "Globex")
	if cjk != ascii || emoji != ascii {
		t.Fatalf("health column at %d (CJK), %d (emoji), %d (ASCII)", cjk, emoji, ascii)
	}
}

func TestNoColorHasNoEscapes(t *testing.T) {
	m := loaded(t, fixturePath(t, 60), 120, 40)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetColorProfile(termenv.TrueColor)
	m.layout()
	m.accounts.tbl.invalidate()
	press(m, "3")
	if !strings.Contains(screen(m), "\x1b[") {
		t.Fatal("colour profile test is vacuous: no escapes with TrueColor")
	}
	// In colour, every escape sequence is intact (none was sanitised into
	// visible text) and no line outgrows the terminal.
	broken := regexp.MustCompile(`(^|[^\x1b])\[[0-9;]+m`)
	for _, keys := range [][]string{{"1"}, {"2"}, {"3"}, {"4"}, {"3", "enter"}, {"4", "enter"}, {"?"}} {
		press(m, keys...)
		s := screen(m)
		if broken.MatchString(s) {
			t.Fatalf("a broken escape sequence after %v: %q", keys, broken.FindString(s))
		}
		for _, l := range strings.Split(s, "\n") {
			if ansi.StringWidth(l) > 120 {
				t.Fatalf("line too wide after %v: %q", keys, l)
			}
		}
		press(m, "esc")
	}
	t.Setenv("NO_COLOR", "1")
	configureTerminal()
	m.layout()
	for _, keys := range [][]string{{"1"}, {"2"}, {"3"}, {"4"}, {"3", "enter"}, {"4", "enter"}, {"?"}} {
		press(m, keys...)
		for _, tb := range m.tabs {
			tb.SetPortfolio(m.p) // drop cached rows rendered in colour
		}
		s := screen(m)
		if strings.Contains(s, "\x1b") {
			t.Fatalf("escape code with NO_COLOR after %v: %q", keys, s)
		}
		press(m, "esc")
	}
	press(m, "3")
	mustContain(t, screen(m), "▸ ", "green") // selection and bands still read
	_ = os.Getenv
}

func TestEmptyPortfolioNeverPanics(t *testing.T) {
	m := loaded(t, emptyDB(t), 80, 24)
	mustContain(t, screen(m), "Who are you?")
	press(m, "esc")
	mustContain(t, screen(m), "No earlier snapshot", "No escalation is past its SLA", "No renewal entered")
	for _, k := range []string{"2", "enter", "j", "G", "3", "enter", "s", "S", "b", "/", "x", "enter", "4", "f", "v", "enter", "1", "enter", "g", "ctrl+d", "ctrl+u", "pgdown", "pgup", "tab", "shift+tab", "esc", "?", "?"} {
		press(m, k)
		screen(m)
	}
	press(m, "3")
	mustContain(t, screen(m), "0 of 0 accounts")
}

func TestStaleLoadIsDropped(t *testing.T) {
	path := fixturePath(t, 30)
	m := loaded(t, path, 100, 30)
	old := m.p
	stale := m.load(false)
	fresh := m.load(false)
	drive(m, fresh)
	got := m.p
	drive(m, stale) // arrives late: must be ignored
	if m.p != got || m.p == old {
		t.Fatal("a stale load reply replaced a newer one")
	}
	// A late detail reply for a page that was closed is dropped too.
	press(m, "3", "enter")
	pg := m.stack[0].page.(*healthPage)
	press(m, "esc")
	m.Update(detailMsg{seq: pg.seq})
}

func TestFirstLoadFailureIsFatal(t *testing.T) {
	path := t.TempDir() + "/garbage.db"
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	m := New(testOptions(path))
	if !drive(m, m.load(true)) || m.Err() == nil {
		t.Fatal("a damaged file must end the program with an error")
	}
}

func TestEscalationFilters(t *testing.T) {
	m := loaded(t, fixturePath(t, 300), 120, 40)
	press(m, "4")
	all := len(m.escs.rows)
	// The queue starts with breached ones.
	seenOK := false
	for _, r := range m.escs.rows {
		e := m.p.Escalations[r]
		if !e.Breached {
			seenOK = true
		} else if seenOK {
			t.Fatal("a breached escalation after an unbreached one")
		}
	}
	press(m, "v") // critical
	for _, r := range m.escs.rows {
		if m.p.Escalations[r].Severity != "critical" {
			t.Fatal("severity filter")
		}
	}
	press(m, "v", "v", "v", "v", "f", "f") // all severities; status "all" then "open"
	for _, r := range m.escs.rows {
		if m.p.Escalations[r].Status != "open" {
			t.Fatal("status filter")
		}
	}
	if len(m.escs.rows) >= all {
		t.Fatal("status filter kept everything")
	}
	mustContain(t, screen(m), "status open")
}

// Below the minimum size only the size warning is on screen, so an open
// form must not take keys it cannot show: enter does not submit unseen.
// ctrl+c still quits, and the warning reads fully at 20x6.
func TestTooSmallHoldsTheOpenForm(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	id := m.escs.selectedID()
	_, before := escOf(t, path, id)
	press(m, "n")
	typeText(m, "typed")
	m.Update(tea.WindowSizeMsg{Width: 20, Height: 6})
	s := screen(m)
	for _, l := range strings.Split(s, "\n") {
		if w := ansi.StringWidth(l); w > 20 || strings.Contains(l, "…") {
			t.Fatalf("line %q is cut at 20 columns:\n%s", l, s)
		}
	}
	mustContain(t, s, "Too small", "need 60x15")
	press(m, "enter")
	typeText(m, " unseen")
	if quit := press(m, "q", "esc", "y"); quit {
		t.Fatal("q quit with a form open")
	}
	if _, evs := escOf(t, path, id); len(evs) != len(before) {
		t.Fatal("the hidden form submitted")
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if f := openForm(t, m); f.fields[0].in.Value() != "typed" {
		t.Fatalf("the form holds %q", f.fields[0].in.Value())
	}
	mustContain(t, screen(m), "Note on ", "typed")
	m.Update(tea.WindowSizeMsg{Width: 20, Height: 6})
	if !press(m, "ctrl+c") {
		t.Fatal("ctrl+c did not quit")
	}
}
