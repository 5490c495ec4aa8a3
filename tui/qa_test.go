package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
)

// otherWriter changes the database the way another process would (an
// import, another dashboard) while a form is open.
func otherWriter(t *testing.T, path string, fn func(tx *store.Tx, by store.Actor) error) {
	t.Helper()
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		members, err := tx.Members()
		if err != nil {
			return err
		}
		by, err := store.FindActor(members, "Alice Moreau") // a manager: may change anything
		if err != nil {
			return err
		}
		return fn(tx, by)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ledgerLen(t *testing.T, path string, id uint64) int {
	t.Helper()
	var n int
	reread(t, path, func(tx *store.Tx) error { l, err := tx.Ledger(id); n = len(l); return err })
	return n
}

// The edit form writes only the fields the user changed, onto the record
// as committed: what another process saved while it was open survives, and
// an untouched ARR writes no ledger entry.
func TestEditAccountKeepsConcurrentChanges(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	old, _ := acctOf(t, path, id)

	press(m, "e")
	openForm(t, m)

	newARR, newSeats := old.ARRCents+2_500_000, old.Seats+37
	otherWriter(t, path, func(tx *store.Tx, by store.Actor) error {
		a, err := tx.Account(id)
		if err != nil {
			return err
		}
		a.ARRCents, a.Seats = newARR, newSeats
		_, err = tx.EditAccount(a, metrics.KindExpansion, by, fixNow)
		return err
	})
	ledgerBefore := ledgerLen(t, path, id)

	nps := 3
	if old.NPS == metrics.Some(nps) {
		nps = 4
	}
	press(m, "tab", "tab", "tab", "tab", "tab") // ARR → renewal, seats, users, tickets, NPS
	mustContain(t, screen(m), "▸ NPS")
	clearInput(m)
	typeText(m, itoa(nps))
	press(m, "enter")
	noModal(t, m)

	a, acts := acctOf(t, path, id)
	if a.ARRCents != newARR || a.Seats != newSeats {
		t.Fatalf("ARR %d seats %d: the other writer's %d and %d were reverted", a.ARRCents, a.Seats, newARR, newSeats)
	}
	if a.NPS != metrics.Some(nps) {
		t.Fatalf("NPS %v, want %d", a.NPS, nps)
	}
	if n := ledgerLen(t, path, id); n != ledgerBefore {
		t.Fatalf("ledger has %d entries, want %d: an NPS edit wrote an ARR change", n, ledgerBefore)
	}
	lastActivity(t, acts, "edit", "NPS")
	if strings.Contains(acts[0].Text, "ARR") || strings.Contains(acts[0].Text, "seats") {
		t.Fatalf("the edit logged %q", acts[0].Text)
	}

	// A form saved without any change says so and writes nothing.
	press(m, "e", "enter")
	mustContain(t, screen(m), "nothing changed")
	press(m, "esc")
	noModal(t, m)
	if b, _ := acctOf(t, path, id); !b.UpdatedAt.Equal(a.UpdatedAt) {
		t.Fatal("an unchanged form wrote")
	}
}

func TestEditMemberKeepsConcurrentChanges(t *testing.T) {
	m, path := triage(t)
	press(m, "2", "g")
	sel, _ := m.team.selectedKey()
	var old store.Member
	reread(t, path, func(tx *store.Tx) (err error) { old, err = tx.Member(sel); return err })

	press(m, "e")
	openForm(t, m)
	newEmail, newOne, newCap := "moved@example.com", fixAsOf.AddDays(-1), old.Capacity+7
	otherWriter(t, path, func(tx *store.Tx, by store.Actor) error {
		mem, err := tx.Member(sel)
		if err != nil {
			return err
		}
		mem.Email, mem.LastOneOnOne, mem.Capacity = newEmail, newOne, newCap
		_, err = tx.EditMember(mem, by, fixNow)
		return err
	})

	clearInput(m) // Name has the focus
	typeText(m, "Renamed Person")
	press(m, "enter")
	noModal(t, m)

	var got store.Member
	reread(t, path, func(tx *store.Tx) (err error) { got, err = tx.Member(sel); return err })
	if got.Name != "Renamed Person" || got.Email != newEmail || got.LastOneOnOne != newOne || got.Capacity != newCap || got.Role != old.Role {
		t.Fatalf("member %+v: want the new name over the other writer's email %s, 1:1 %s, capacity %d", got, newEmail, newOne, newCap)
	}
}

// Bubble Tea v1 delivers quickly typed letters as one message: each is
// still a key, unless a text input has the focus.
func TestKeyBurstsAreSplit(t *testing.T) {
	m, _ := triage(t)
	press(m, "3")
	start := m.accounts.tbl.cursor
	burst := func(s string) {
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
		drive(m, cmd)
	}
	burst("jjj")
	if got := m.accounts.tbl.cursor; got != start+3 {
		t.Fatalf("cursor %d after jjj, want %d", got, start+3)
	}
	burst("kk")
	if got := m.accounts.tbl.cursor; got != start+1 {
		t.Fatalf("cursor %d after kk, want %d", got, start+1)
	}
	burst("34")
	if m.tab != tabEscalations {
		t.Fatalf("tab %d after 34, want escalations", m.tab)
	}

	// In the filter input the burst is text.
	press(m, "3", "/")
	burst("abc")
	if got := m.input.Value(); got != "abc" {
		t.Fatalf("filter %q, want abc", got)
	}
	if m.accounts.Query() != "abc" {
		t.Fatalf("query %q", m.accounts.Query())
	}
	press(m, "esc")

	// A key that opens a form hands the rest of the burst to its field.
	press(m, "4")
	burst("nq1")
	f := openForm(t, m)
	if got := f.field("Note").in.Value(); got != "q1" {
		t.Fatalf("note %q, want q1", got)
	}

	// A paste is never split.
	press(m, "esc", "y")
	noModal(t, m)
	press(m, "2")
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("12"), Paste: true})
	drive(m, cmd)
	if m.tab != tabTeam {
		t.Fatalf("tab %d: a pasted 12 acted as keys", m.tab)
	}
}

// The health cell fits its widest text ("■ 100 yellow", "? -- unknown")
// at 80 columns before names take extra room.
func TestHealthBandNotCutAt80(t *testing.T) {
	m, path := triage(t)
	otherWriter(t, path, func(tx *store.Tx, by store.Actor) error {
		// Strip the inputs of one account so its band is unknown.
		ids := []uint64{}
		all, err := tx.Accounts()
		if err != nil {
			return err
		}
		for _, a := range all {
			ids = append(ids, a.ID)
		}
		a, err := tx.Account(ids[0])
		if err != nil {
			return err
		}
		a.ActiveUsers, a.Tickets30d, a.NPS, a.CSAT, a.LastTouch, a.LastQBR = metrics.Opt{}, metrics.Opt{}, metrics.Opt{}, metrics.Opt{}, 0, 0
		a.Seats, a.ChampionChanged, a.Override = 0, false, nil
		return tx.PutAccount(&a)
	})
	m = loaded(t, path, 80, 20)
	press(m, "3")
	var haveUnknown, haveYellow bool
	for _, a := range m.p.Accounts {
		haveUnknown = haveUnknown || (a.Live && a.Health.Band == metrics.Unknown)
		haveYellow = haveYellow || (a.Live && a.Health.Band == metrics.Yellow)
	}
	if !haveUnknown || !haveYellow {
		t.Fatalf("fixture lacks an unknown (%v) or yellow (%v) account", haveUnknown, haveYellow)
	}
	for _, band := range []metrics.Band{metrics.Unknown, metrics.Yellow} {
		m.accounts.band = band
		m.accounts.rebase()
		s := screen(m)
		body := strings.Join(strings.Split(s, "\n")[4:], "\n") // below the title and column header
		if !strings.Contains(body, " "+string(band)) {
			t.Fatalf("the %s band word is cut:\n%s", band, s)
		}
		if strings.Contains(body, string(band)[:4]+"…") {
			t.Fatalf("the %s band word is cut:\n%s", band, s)
		}
	}
	m.accounts.band = ""
	m.accounts.rebase()
	if s := screen(m); !strings.Contains(s, "qbr-overdue") || strings.Contains(s, "qbr-ove…") {
		t.Fatalf("the flags are cut:\n%s", s)
	}
	// The review's worsened section names both bands in full.
	press(m, "1")
	if s := screen(m); !strings.Contains(s, "→ ◆ yellow") {
		t.Fatalf("the review cuts the band:\n%s", s)
	}
}

// A burst of letters that spells a key's name ("enter", "esc", "tab") is
// text: it must not submit, cancel or move inside a form or the filter.
func TestTypedKeyNamesAreText(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	id := m.escs.selectedID()
	_, before := escOf(t, path, id)
	press(m, "n")
	openForm(t, m)
	for _, word := range []string{"Client will ", "enter", " the code, ", "esc", "alate via ", "tab", " later"} {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(word)})
	}
	mustContain(t, screen(m), "Client will enter the code, escalate via tab later")
	press(m, "enter")
	noModal(t, m)
	_, evs := escOf(t, path, id)
	if len(evs) != len(before)+1 || evs[len(evs)-1].Text != "Client will enter the code, escalate via tab later" {
		t.Fatalf("note saved as %+v", evs[len(evs)-1])
	}

	press(m, "3", "/")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("enter")})
	if !m.filtering || m.input.Value() != "enter" {
		t.Fatalf("filter after typing \"enter\": filtering=%v value=%q", m.filtering, m.input.Value())
	}
}

// The queue's c has no account to start from: the form must make the user
// choose one rather than quietly using the first in the list.
func TestCreateEscalationNeedsAnAccount(t *testing.T) {
	m, path := triage(t)
	before := len(m.p.Escalations)
	press(m, "4", "c")
	openForm(t, m)
	mustContain(t, screen(m), "(type to choose)")
	press(m, "tab")
	typeText(m, "No account picked")
	press(m, "enter")
	mustContain(t, screen(m), "required", "fix the marked fields")
	// Typing clears the form-level complaint along with the field's.
	typeText(m, "glo")
	if strings.Contains(screen(m), "fix the marked fields") {
		t.Fatal("the stale form error stayed after typing")
	}
	var n int
	reread(t, path, func(tx *store.Tx) error { es, err := tx.Escalations(); n = len(es); return err })
	if n != before {
		t.Fatalf("an escalation was written without an account: %d, want %d", n, before)
	}
}

// An abbreviation picks the account it abbreviates, not one that merely
// holds the letters spread across name, owner and segment.
func TestPickerRanksTightMatchesFirst(t *testing.T) {
	p := newPicker([]option{
		{label: "Brightline Medical AB · Rosa Vogel · enterprise", value: "1"},
		{label: "Lumen Legal Ltd · Tariq Novak · smb", value: "2"},
	}, "")
	p.filter("lmn lgl")
	if o, ok := p.selected(); !ok || o.value != "2" {
		t.Fatalf("top hit for \"lmn lgl\" = %+v, want Lumen Legal Ltd", o)
	}
	if got, ok := fuzzySpan("lumen legal", "lgl"); !ok || got != 5 {
		t.Errorf("fuzzySpan(lumen legal, lgl) = %d, want 5", got)
	}
}
