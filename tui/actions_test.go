package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
)

// Every action is driven through the real root model with key messages
// against a database in t.TempDir(); the assertions reopen the file in a
// new store.

const actorName = "Alice Moreau" // the first manager: the default actor

func triage(t *testing.T) (*Model, string) {
	t.Helper()
	path := fixturePath(t, 40)
	return loaded(t, path, 120, 40), path
}

func reread(t *testing.T, path string, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := store.View(path, store.Options{ReadOnly: true}, fn); err != nil {
		t.Fatal(err)
	}
}

func escOf(t *testing.T, path string, id uint64) (store.Escalation, []store.Event) {
	t.Helper()
	var e store.Escalation
	var evs []store.Event
	reread(t, path, func(tx *store.Tx) (err error) {
		if e, err = tx.Escalation(id); err != nil {
			return err
		}
		evs, err = tx.Timeline(id)
		return err
	})
	return e, evs
}

func acctOf(t *testing.T, path string, id uint64) (store.Account, []store.Activity) {
	t.Helper()
	var a store.Account
	var acts []store.Activity
	reread(t, path, func(tx *store.Tx) (err error) {
		if a, err = tx.Account(id); err != nil {
			return err
		}
		acts, err = tx.Activities(id, 0)
		return err
	})
	return a, acts
}

// lastEvent checks the newest timeline event's author, time, kind and text.
func lastEvent(t *testing.T, evs []store.Event, kind, text string) {
	t.Helper()
	ev := evs[len(evs)-1]
	if ev.Author != actorName || !ev.At.Equal(fixNow) || ev.Kind != kind || !strings.Contains(ev.Text, text) {
		t.Fatalf("last event = %+v, want %s by %s at %s containing %q", ev, kind, actorName, fixNow, text)
	}
}

func lastActivity(t *testing.T, acts []store.Activity, kind, text string) {
	t.Helper()
	a := acts[0] // newest first
	if a.Kind == "playbook" && len(acts) > 1 && kind != "playbook" {
		// A playbook the action started is logged after the action.
		a = acts[1]
	}
	if a.Author != actorName || !a.At.Equal(fixNow) || a.Kind != kind || !strings.Contains(a.Text, text) {
		t.Fatalf("last activity = %+v, want %s by %s at %s containing %q", a, kind, actorName, fixNow, text)
	}
}

func openForm(t testing.TB, m *Model) *form {
	t.Helper()
	switch md := m.modal.(type) {
	case *form:
		return md
	case *settingsModal:
		if md.child != nil {
			return md.child
		}
	}
	t.Fatalf("no form open; status %q\n%s", m.status, screen(m))
	return nil
}

func noModal(t *testing.T, m *Model) {
	t.Helper()
	if m.modal != nil {
		t.Fatalf("modal still open; status %q\n%s", m.status, screen(m))
	}
}

func memberID(t *testing.T, m *Model, name string) uint64 {
	for _, mem := range m.p.Members {
		if mem.Name == name {
			return mem.ID
		}
	}
	t.Fatalf("no member %s", name)
	return 0
}

func TestCreateEscalation(t *testing.T) {
	m, path := triage(t)
	before := len(m.p.Escalations)
	press(m, "4", "c")
	f := openForm(t, m)
	typeText(m, "globex") // the account picker filters fuzzily
	press(m, "tab")
	typeText(m, "Quarterly invoice wrong")
	press(m, "tab")
	typeText(m, "Billed twice; CFO is upset")
	press(m, "tab")
	typeText(m, "crit")
	mustContain(t, screen(m), "New escalation", "Globex", "SLA 4 h")
	press(m, "enter")
	noModal(t, m)
	if f.pending {
		t.Fatal("form still pending")
	}
	if len(m.p.Escalations) != before+1 {
		t.Fatalf("escalations %d, want %d", len(m.p.Escalations), before+1)
	}
	id := m.escs.selectedID()
	e, evs := escOf(t, path, id)
	if e.Title != "Quarterly invoice wrong" || e.Severity != store.SevCritical || e.Description != "Billed twice; CFO is upset" ||
		!e.SLADue.Equal(fixNow.Add(4*time.Hour)) || e.RaisedBy != memberID(t, m, actorName) || e.Status != store.StatusOpen {
		t.Fatalf("created %+v", e)
	}
	if a := m.p.Account(e.AccountID); a == nil || a.Name != "Globex" {
		t.Fatalf("account %d", e.AccountID)
	}
	lastEvent(t, evs, "created", "Quarterly invoice wrong")
	mustContain(t, screen(m), "Created #", "▸")
}

func TestEscalationTriageKeys(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	id := m.escs.selectedID()
	dana := memberID(t, m, "Dana Whitfield")

	press(m, "a")
	typeText(m, "dana")
	press(m, "enter")
	noModal(t, m)
	e, evs := escOf(t, path, id)
	if e.OwnerID != dana {
		t.Fatalf("owner %d, want %d", e.OwnerID, dana)
	}
	lastEvent(t, evs, "assigned", "assigned to Dana Whitfield")

	press(m, "p")
	typeText(m, "low")
	press(m, "enter")
	e, evs = escOf(t, path, id)
	if e.Severity != store.SevLow || !e.SLADue.Equal(e.CreatedAt.Add(168*time.Hour)) {
		t.Fatalf("severity %s due %s", e.Severity, e.SLADue)
	}
	lastEvent(t, evs, "severity", "→ low")

	// The queue order follows at once: the escalation keeps the cursor.
	if m.escs.selectedID() != id {
		t.Fatal("cursor lost the escalation after the reload")
	}
	target := store.StatusWaitingClient
	if e.Status == target {
		target = store.StatusInProgress
	}
	press(m, "t")
	typeText(m, humanize(target))
	press(m, "enter")
	e, evs = escOf(t, path, id)
	if e.Status != target {
		t.Fatalf("status %s", e.Status)
	}
	lastEvent(t, evs, "status", "→ "+target)

	press(m, "d")
	typeText(m, "director")
	press(m, "enter")
	e, evs = escOf(t, path, id)
	if e.Decision != store.DecisionDirector || e.Status != store.StatusWithDirector {
		t.Fatalf("decision %s status %s", e.Decision, e.Status)
	}
	lastEvent(t, evs, "decision", "send to the director")

	press(m, "n")
	typeText(m, "Called the CTO; q and 1 are letters here")
	press(m, "enter")
	_, evs = escOf(t, path, id)
	lastEvent(t, evs, "note", "Called the CTO; q and 1 are letters here")

	// Resolve: a note is required, then y/N with No as the default.
	press(m, "r", "enter")
	f := openForm(t, m)
	mustContain(t, screen(m), "required")
	typeText(m, "Refund issued")
	press(m, "enter", "n")
	if f.err != "not submitted" {
		t.Fatalf("no after the confirmation: %q", f.err)
	}
	press(m, "enter")
	mustContain(t, screen(m), "(y/N)")
	press(m, "y")
	noModal(t, m)
	e, evs = escOf(t, path, id)
	if e.Status != store.StatusResolved || !e.ResolvedAt.Equal(fixNow) {
		t.Fatalf("not resolved: %+v", e)
	}
	lastEvent(t, evs, "resolved", "Refund issued")
	mustContain(t, screen(m), "Resolved #")
	// It left the open queue but a status filter still reaches it.
	for _, r := range m.escs.rows {
		if m.p.Escalations[r].ID == id {
			t.Fatal("resolved escalation still in the open queue")
		}
	}
	press(m, "f") // all
	m.escs.selectID(id)
	if m.escs.selectedID() != id {
		t.Fatal("resolved escalation not in the 'all' filter")
	}
	press(m, "enter")
	mustContain(t, screen(m), "Timeline (7)", "Refund issued", "resolved")

	// Reopen from the detail, with a reason; it is refused while open.
	press(m, "o")
	typeText(m, "Client says it happened again")
	press(m, "enter")
	mustContain(t, screen(m), "Reopen #", "(y/N)")
	press(m, "y")
	e, evs = escOf(t, path, id)
	if e.Status != store.StatusOpen || !e.ResolvedAt.IsZero() {
		t.Fatalf("not reopened: %+v", e)
	}
	lastEvent(t, evs, "reopened", "happened again")
	press(m, "o")
	noModal(t, m)
	mustContain(t, screen(m), "is not resolved")
}

func TestAccountActions(t *testing.T) {
	m, path := triage(t)
	press(m, "3", "j", "j")
	id := m.accounts.selectedID()
	name := m.p.Account(id).Name

	// l: a QBR moves last touch and last QBR.
	press(m, "l")
	typeText(m, "qbr")
	press(m, "tab")
	typeText(m, "Quarterly review with the VP")
	press(m, "enter")
	noModal(t, m)
	a, acts := acctOf(t, path, id)
	if a.LastTouch != fixAsOf || a.LastQBR != fixAsOf {
		t.Fatalf("touch %s qbr %s", a.LastTouch, a.LastQBR)
	}
	lastActivity(t, acts, "qbr", "Quarterly review with the VP")
	if m.p.Account(id).LastQBR != fixAsOf {
		t.Fatal("the screen did not reload the account")
	}

	// x: the create form with the account prefilled.
	press(m, "x")
	mustContain(t, screen(m), "New escalation", name)
	typeText(m, "Raised from the accounts list")
	press(m, "enter")
	noModal(t, m)
	var found bool
	reread(t, path, func(tx *store.Tx) error {
		for _, eid := range tx.EscalationIDsByAccount(id) {
			e, _ := tx.Escalation(eid)
			found = found || (e.Title == "Raised from the accounts list" && e.Severity == store.SevMedium && e.SLADue.Equal(fixNow.Add(72*time.Hour)))
		}
		return nil
	})
	if !found {
		t.Fatal("escalation not raised on the account")
	}

	// o: override with a required reason; the default expiry is 30 days.
	press(m, "o")
	typeText(m, "red")
	press(m, "enter")
	mustContain(t, screen(m), "required") // and the focus is on the reason
	typeText(m, "Champion left, renewal at risk")
	press(m, "enter")
	noModal(t, m)
	a, acts = acctOf(t, path, id)
	if a.Override == nil || a.Override.Band != metrics.Red || a.Override.Expires != fixAsOf.AddDays(30) || a.Override.Author != actorName {
		t.Fatalf("override %+v", a.Override)
	}
	lastActivity(t, acts, "override", "overridden to red")
	if m.p.Account(id).Health.Band != metrics.Red {
		t.Fatal("band not updated on screen")
	}

	// O: clear, after a y/N.
	press(m, "O", "n")
	noModal(t, m)
	if a, _ = acctOf(t, path, id); a.Override == nil {
		t.Fatal("No cleared the override")
	}
	press(m, "O", "y")
	noModal(t, m)
	a, acts = acctOf(t, path, id)
	if a.Override != nil {
		t.Fatal("override not cleared")
	}
	lastActivity(t, acts, "override", "cleared")

	// w: reassign.
	press(m, "w")
	typeText(m, "eve")
	press(m, "enter")
	noModal(t, m)
	a, acts = acctOf(t, path, id)
	if a.OwnerID != memberID(t, m, "Eve Santos") {
		t.Fatalf("owner %d", a.OwnerID)
	}
	lastActivity(t, acts, "edit", "→ Eve Santos")
	if m.p.Account(id).OwnerName != "Eve Santos" {
		t.Fatal("owner not updated on screen")
	}
}

func clearInput(m *Model) {
	for i := 0; i < 30; i++ {
		press(m, "backspace")
	}
}

func TestEditAccount(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	old, _ := acctOf(t, path, id)
	var ledgerBefore int
	reread(t, path, func(tx *store.Tx) error { l, err := tx.Ledger(id); ledgerBefore = len(l); return err })

	press(m, "e")
	f := openForm(t, m)
	// Invalid values keep the form open and write nothing.
	for _, bad := range []struct{ field, value, msg string }{
		{"ARR", "-5", "cannot be negative"},
		{"ARR", "12,5", "not an amount"},
		{"NPS", "11", "between 0 and 10"},
		{"CSAT", "0", "between 1 and 5"},
		{"Renewal date", "2027-02-30", "real calendar date"},
		{"Seats", "many", "not a whole number"},
	} {
		fl := f.field(bad.field)
		saved := fl.in.Value()
		fl.in.SetValue(bad.value)
		press(m, "enter")
		if m.modal == nil || !strings.Contains(screen(m), bad.msg) {
			t.Fatalf("%s=%q: %q not shown\n%s", bad.field, bad.value, bad.msg, screen(m))
		}
		fl.in.SetValue(saved)
		fl.in.CursorEnd()
	}
	if a, _ := acctOf(t, path, id); !a.UpdatedAt.Equal(old.UpdatedAt) {
		t.Fatal("an invalid form wrote")
	}

	// Active users above seats is a warning, not an error; a higher ARR
	// asks whether it is an expansion or a renewal.
	f.focusField(0)
	clearInput(m)
	typeText(m, moneyInput(old.ARRCents+1_000_000))
	f.field("Seats").in.SetValue("10")
	f.field("Active users").in.SetValue("12")
	f.field("NPS").in.SetValue("9")
	press(m, "enter")
	mustContain(t, screen(m), "ARR change is", "choose what kind", "exceed seats")
	press(m, "down", "enter") // renewal at a new price
	mustContain(t, screen(m), "Save anyway? (y/N)", "exceed seats")
	press(m, "y")
	noModal(t, m)
	a, acts := acctOf(t, path, id)
	if a.ARRCents != old.ARRCents+1_000_000 || a.Seats != 10 || a.ActiveUsers != metrics.Some(12) || a.NPS != metrics.Some(9) {
		t.Fatalf("edited %+v", a)
	}
	lastActivity(t, acts, "edit", "ARR ")
	var ledger []store.LedgerEntry
	reread(t, path, func(tx *store.Tx) (err error) { ledger, err = tx.Ledger(id); return err })
	le := ledger[len(ledger)-1]
	if len(ledger) != ledgerBefore+1 || le.Kind != metrics.KindRenewal || le.ARRCents != a.ARRCents || le.Author != actorName {
		t.Fatalf("ledger %+v", ledger)
	}
	if m.p.Account(id).ARRCents != a.ARRCents {
		t.Fatal("ARR not updated on screen")
	}

	// ARR to 0 is a churn without a question.
	press(m, "enter", "e") // enter opens the detail; e edits from there
	f = openForm(t, m)
	f.focusField(0)
	clearInput(m)
	typeText(m, "0")
	press(m, "enter")
	noModal(t, m)
	a, _ = acctOf(t, path, id)
	reread(t, path, func(tx *store.Tx) (err error) { ledger, err = tx.Ledger(id); return err })
	if a.Lifecycle != store.Churned || ledger[len(ledger)-1].Kind != metrics.KindChurn {
		t.Fatalf("churn: %s %+v", a.Lifecycle, ledger[len(ledger)-1])
	}
}

func TestTeamActions(t *testing.T) {
	m, path := triage(t)
	press(m, "2", "c")
	typeText(m, "Frank Ng")
	press(m, "tab")
	typeText(m, "frank@example.com")
	press(m, "tab")
	typeText(m, "senior")
	press(m, "tab", "tab")
	typeText(m, "2026-13-01")
	press(m, "enter")
	mustContain(t, screen(m), "real calendar date")
	press(m, "backspace", "backspace", "backspace", "backspace", "backspace")
	typeText(m, "11-20")
	press(m, "enter")
	noModal(t, m)
	var frank store.Member
	reread(t, path, func(tx *store.Tx) error {
		ms, err := tx.Members()
		for _, x := range ms {
			if x.Name == "Frank Ng" {
				frank = x
			}
		}
		return err
	})
	if frank.ID == 0 || frank.Role != store.RoleSeniorAM || frank.Capacity != store.RoleSeniorAM.DefaultCapacity() || frank.LastOneOnOne != metrics.NewDate(2026, 11, 20) || !frank.Active {
		t.Fatalf("added %+v", frank)
	}

	// e: edit capacity and 1:1 of the selected member.
	press(m, "g")
	sel, _ := m.team.selectedKey()
	press(m, "e", "tab", "tab", "tab")
	clearInput(m)
	typeText(m, "12")
	press(m, "tab")
	clearInput(m)
	typeText(m, "2026-11-22")
	press(m, "enter")
	noModal(t, m)
	var got store.Member
	reread(t, path, func(tx *store.Tx) (err error) { got, err = tx.Member(sel); return err })
	if got.Capacity != 12 || got.LastOneOnOne != metrics.NewDate(2026, 11, 22) {
		t.Fatalf("edited %+v", got)
	}

	// D: refused up front while the member owns accounts, saying how many.
	press(m, "D")
	noModal(t, m)
	mustContain(t, m.status, "still owns", "account(s)", "open escalation(s)")
	reread(t, path, func(tx *store.Tx) (err error) { got, err = tx.Member(sel); return err })
	if !got.Active {
		t.Fatal("deactivated a member who owns accounts")
	}
	// Frank owns nothing: deactivated.
	m.team.SetQuery("frank")
	press(m, "D", "y")
	noModal(t, m)
	reread(t, path, func(tx *store.Tx) (err error) { got, err = tx.Member(frank.ID); return err })
	if got.Active {
		t.Fatal("Frank still active")
	}
	mustContain(t, m.status, "Deactivated Frank Ng")

	// Every roster change is audited with its author.
	var log []store.RosterChange
	reread(t, path, func(tx *store.Tx) (err error) { log, err = tx.RosterLog(frank.ID); return err })
	if len(log) != 2 || !strings.HasPrefix(log[0].Text, "added Frank Ng") || log[1].Text != "deactivated Frank Ng" || log[0].Author == "" {
		t.Fatalf("Frank's roster log: %+v", log)
	}
	reread(t, path, func(tx *store.Tx) (err error) { log, err = tx.RosterLog(sel); return err })
	if len(log) != 1 || !strings.Contains(log[0].Text, "capacity") || !strings.Contains(log[0].Text, "last 1:1") {
		t.Fatalf("edited member's roster log: %+v", log)
	}
}

func TestSettingsScreen(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	scoreBefore := m.p.Account(id).Health
	press(m, ",")
	mustContain(t, screen(m), "Health settings", "weights.adoption", "sla.critical")
	// bands.yellow above bands.green is refused; nothing is written.
	press(m, "j", "j", "j", "j", "j", "enter")
	f := openForm(t, m)
	clearInput(m)
	typeText(m, "95")
	press(m, "enter")
	if f.err == "" || m.modal == nil {
		t.Fatalf("invalid setting accepted\n%s", screen(m))
	}
	reread(t, path, func(tx *store.Tx) error {
		s, _ := tx.Settings()
		if s.Health.Yellow != 40 {
			t.Fatalf("yellow %d written", s.Health.Yellow)
		}
		return nil
	})
	clearInput(m)
	typeText(m, "0")
	press(m, "enter")
	if _, ok := m.modal.(*settingsModal); !ok || m.modal.(*settingsModal).child != nil {
		t.Fatalf("settings list should stay open after a save\n%s", screen(m))
	}
	mustContain(t, screen(m), "bands.yellow", "every score recomputed")
	// The list shows who changed what once the reload lands.
	mustContain(t, screen(m), "latest changes", actorName+" set bands.yellow 40 → 0")
	var log []store.SettingChange
	reread(t, path, func(tx *store.Tx) (err error) { log, err = tx.SettingsLog(0); return err })
	if len(log) != 1 || log[0].Key != "bands.yellow" || log[0].New != "0" || log[0].Author != actorName || !log[0].At.Equal(fixNow) {
		t.Fatalf("log %+v", log)
	}
	// With yellow at 0 only an override can be red: every score moved at once.
	if red := m.p.KPIs.Bands[metrics.Red]; red > 1 {
		t.Fatalf("%d red accounts after yellow=0", red)
	}
	if h := m.p.Account(id).Health; scoreBefore.HasScore && h.Band == metrics.Red && !h.Overridden() {
		t.Fatalf("band not recomputed: %+v", h)
	}
	press(m, "esc", "enter")
	mustContain(t, screen(m), "Settings", "yellow >= 0")
}

func writeFile(t *testing.T, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportKey(t *testing.T) {
	m, path := triage(t)
	before := len(m.p.Accounts)
	bad := writeFile(t, "bad.csv", "Account Name,ARR,Renewal Date,Account Owner\nGood Co,1000,2027-01-01,Alice Moreau\nBad Co,lots,2027-02-30,Nobody Known\n")
	press(m, "3", "i")
	typeText(m, bad)
	press(m, "enter")
	f := openForm(t, m)
	mustContain(t, screen(m), "nothing was written", "bad.csv:3")
	if !m.statusErr || len(f.extra.lines) < 2 {
		t.Fatalf("errors not shown: %s", m.status)
	}
	if f.sure.active || strings.Contains(screen(m), "(y/N)") {
		t.Fatalf("a dry run with errors must not ask\n%s", screen(m))
	}
	reread(t, path, func(tx *store.Tx) error {
		if _, err := tx.AccountByExternalID("x"); err == nil {
			t.Fatal("?")
		}
		as, _ := tx.Accounts()
		if len(as) != before {
			t.Fatalf("accounts %d after a bad import", len(as))
		}
		return nil
	})
	press(m, "esc") // closes the panel, keeps the form
	if f.extra != nil && len(f.extra.lines) > 0 || m.modal == nil {
		t.Fatal("esc should close the error panel first")
	}
	good := writeFile(t, "good.csv", "Account Name,ARR,Renewal Date,Account Owner\nGood Co,1000,2027-01-01,Alice Moreau\nBetter Co,25000,2027-03-01,dana@example.com\n")
	clearInput(m)
	for i := 0; i < 200; i++ {
		press(m, "backspace")
	}
	typeText(m, good)
	// enter is a dry run: its summary and a y/N question, default No;
	// nothing is written until y.
	unchanged := func() {
		t.Helper()
		reread(t, path, func(tx *store.Tx) error {
			if as, _ := tx.Accounts(); len(as) != before {
				t.Fatalf("accounts %d before the import was confirmed", len(as))
			}
			return nil
		})
	}
	press(m, "enter")
	openForm(t, m)
	mustContain(t, screen(m), "good.csv: 2 accounts (dry run: would be): 2 created", "Import 2 rows into this database? (y/N)")
	unchanged()
	press(m, "enter") // No
	openForm(t, m)
	mustContain(t, screen(m), "not submitted")
	unchanged()
	press(m, "enter", "n")
	openForm(t, m)
	unchanged()
	press(m, "enter", "y")
	noModal(t, m)
	mustContain(t, m.status, "good.csv", "2 created")
	if len(m.p.Accounts) != before+2 {
		t.Fatalf("accounts on screen %d, want %d", len(m.p.Accounts), before+2)
	}
	reread(t, path, func(tx *store.Tx) error {
		as, _ := tx.Accounts()
		if len(as) != before+2 {
			t.Fatalf("accounts %d", len(as))
		}
		return nil
	})
}

// A form with typed input asks before esc discards it; q is a letter.
func TestFormDiscardAndLetters(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	id := m.escs.selectedID()
	_, before := escOf(t, path, id)
	press(m, "n")
	typeText(m, "q1234?/")
	if m.modal == nil || !strings.Contains(screen(m), "q1234?/") {
		t.Fatalf("letters did not reach the form\n%s", screen(m))
	}
	press(m, "esc")
	mustContain(t, screen(m), "Discard what you typed? (y/N)")
	press(m, "enter") // default No
	openForm(t, m)
	mustContain(t, screen(m), "q1234?/")
	press(m, "esc", "y")
	noModal(t, m)
	if _, evs := escOf(t, path, id); len(evs) != len(before) {
		t.Fatal("a cancelled form wrote")
	}
	// An untouched form closes at once.
	press(m, "n", "esc")
	noModal(t, m)
}

// A write that meets another process's lock keeps the form filled and says
// so; nothing is half-written.
func TestWriteWhileLocked(t *testing.T) {
	path := fixturePath(t, 30)
	opt := testOptions(path)
	opt.Store.LockTimeout = 50 * time.Millisecond
	m := New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(m, m.load(true))
	press(m, "4")
	id := m.escs.selectedID()
	_, before := escOf(t, path, id)
	press(m, "n")
	typeText(m, "Kept while locked")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	press(m, "enter")
	f := openForm(t, m)
	if !strings.Contains(m.status, "in use by another steward process") || !m.statusErr ||
		!strings.Contains(f.err, "in use by another steward process") || f.fields[0].in.Value() != "Kept while locked" {
		t.Fatalf("status %q form %q\n%s", m.status, f.err, screen(m))
	}
	db.Close()
	if _, evs := escOf(t, path, id); len(evs) != len(before) {
		t.Fatal("half-written")
	}
	press(m, "enter") // retry once the lock is gone
	noModal(t, m)
	_, evs := escOf(t, path, id)
	lastEvent(t, evs, "note", "Kept while locked")
}

// Another process writes while the dashboard is open: both changes land and
// the dashboard shows the other's.
func TestConcurrentWritesBothLand(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	other := m.p.Accounts[(m.p.AccountIndex(id)+1)%len(m.p.Accounts)].ID
	runChild(t, path, other, "Renamed By Cron")
	press(m, "l")
	typeText(m, "call")
	press(m, "tab")
	typeText(m, "Spoke with the champion")
	press(m, "enter")
	noModal(t, m)
	if m.p.Account(other).Name != "Renamed By Cron" {
		t.Fatal("reload after the write does not show the other process's change")
	}
	a, acts := acctOf(t, path, id)
	lastActivity(t, acts, "call", "Spoke with the champion")
	if a.LastTouch != fixAsOf {
		t.Fatal("last touch")
	}
	if o, _ := acctOf(t, path, other); o.Name != "Renamed By Cron" {
		t.Fatal("the other process's change was lost")
	}
}

// An --as that names nobody disables writes with a clear message.
func TestUnknownActorRefusesWrites(t *testing.T) {
	path := fixturePath(t, 20)
	opt := testOptions(path)
	opt.As = "nobody@example.com"
	m := New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	drive(m, m.load(true))
	mustContain(t, screen(m), "matches no active member", "as ? (unknown")
	press(m, "4", "n")
	noModal(t, m)
	mustContain(t, m.status, "changes are disabled")
	// Reading the settings needs no author; saving one is refused.
	press(m, ",")
	mustContain(t, screen(m), "Health settings")
	press(m, "enter")
	clearInput(m)
	typeText(m, "30")
	press(m, "enter")
	mustContain(t, screen(m), "matches no active member")
	var log []store.SettingChange
	reread(t, path, func(tx *store.Tx) (err error) { log, err = tx.SettingsLog(0); return err })
	if len(log) != 0 {
		t.Fatalf("a read-only dashboard changed a setting: %+v", log)
	}

	opt.As = "dana@example.com"
	m = New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	drive(m, m.load(true))
	mustContain(t, screen(m), "as Dana Whitfield")
	press(m, "4")
	dana := memberID(t, m, "Dana Whitfield")
	var hers, other uint64
	for _, e := range m.p.Escalations {
		a := m.p.Account(e.AccountID)
		switch {
		case e.OwnerID == dana && hers == 0:
			hers = e.ID
		case e.OwnerID != dana && (a == nil || a.OwnerID != dana) && other == 0:
			other = e.ID
		}
	}
	if hers == 0 || other == 0 {
		t.Fatal("the fixture needs an escalation of Dana's and one of someone else's")
	}
	m.escs.selectID(hers)
	press(m, "n")
	typeText(m, "by dana")
	press(m, "enter")
	_, evs := escOf(t, path, hers)
	if ev := evs[len(evs)-1]; ev.Author != "Dana Whitfield" || ev.Text != "by dana" {
		t.Fatalf("author %q, text %q", ev.Author, ev.Text)
	}
	// An account manager's note on someone else's escalation is refused
	// by the store, says why, and writes nothing.
	_, before := escOf(t, path, other)
	m.escs.selectID(other)
	press(m, "n")
	typeText(m, "not mine")
	press(m, "enter")
	mustContain(t, screen(m), "only the escalation's owner")
	if _, after := escOf(t, path, other); len(after) != len(before) {
		t.Fatal("a refused note was written")
	}
}

// runChild renames an account from another process (see childMain).
func runChild(t *testing.T, path string, id uint64, name string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path+"|"+strconv.FormatUint(id, 10)+"|"+name)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
}

// A long form scrolls in a small terminal so the focused field stays in
// view, and the footer is always shown.
func TestLongFormScrollsInSmallTerminal(t *testing.T) {
	m := loaded(t, fixturePath(t, 20), 60, 15)
	press(m, "3", "e")
	mustContain(t, screen(m), "Edit ", "▸ ARR")
	press(m, "shift+tab") // wraps to the last field
	mustContain(t, screen(m), "▸ Success plan", "enter saves")
	press(m, "shift+tab", "shift+tab", "shift+tab")
	mustContain(t, screen(m), "▸ Lifecycle", "› active")
	if n := strings.Count(screen(m), "\n") + 1; n != 15 {
		t.Fatalf("screen has %d lines", n)
	}
}

// The same keys act from the detail pages.
func TestActionsFromDetailPages(t *testing.T) {
	m, path := triage(t)
	press(m, "4", "enter")
	if _, ok := m.current().(*escPage); !ok {
		t.Fatal("no escalation page")
	}
	id := m.escs.selectedID()
	e0, _ := escOf(t, path, id)
	press(m, "n")
	typeText(m, "From the detail page")
	press(m, "enter")
	_, evs := escOf(t, path, id)
	lastEvent(t, evs, "note", "From the detail page")
	mustContain(t, screen(m), "From the detail page") // the timeline reloaded

	press(m, "c") // prefilled with this escalation's account
	mustContain(t, screen(m), "New escalation", "▸ Title")
	typeText(m, "Follow-up")
	press(m, "enter")
	noModal(t, m)
	var ok bool
	reread(t, path, func(tx *store.Tx) error {
		for _, eid := range tx.EscalationIDsByAccount(e0.AccountID) {
			e, _ := tx.Escalation(eid)
			ok = ok || e.Title == "Follow-up"
		}
		return nil
	})
	if !ok {
		t.Fatal("follow-up not created on the same account")
	}

	press(m, "enter") // the account's health detail
	if _, ok := m.current().(*healthPage); !ok {
		t.Fatal("no health page")
	}
	mustContain(t, screen(m), "Settings", "weights adoption 35")
	press(m, "l", "down", "down") // call → email → meeting
	mustContain(t, screen(m), "› meeting")
	press(m, "tab")
	typeText(m, "Onsite workshop")
	press(m, "enter")
	_, acts := acctOf(t, path, e0.AccountID)
	lastActivity(t, acts, "meeting", "Onsite workshop")
	mustContain(t, screen(m), "Onsite workshop")
}

// After an import error the panel is open, but the field has the focus:
// letters (j, k, g, G) and editing keys go to the path being corrected;
// only pgup/pgdn scroll the panel.
func TestImportErrorPanelLeavesKeysToTheField(t *testing.T) {
	m, _ := triage(t)
	var rows strings.Builder
	rows.WriteString("Account Name,ARR,Renewal Date,Account Owner\n")
	for i := 0; i < 40; i++ {
		rows.WriteString("Bad " + strconv.Itoa(i) + ",lots,2027-02-30,Nobody Known\n")
	}
	bad := writeFile(t, "bad.csv", rows.String())
	press(m, "3", "i")
	typeText(m, bad)
	press(m, "enter")
	f := openForm(t, m)
	if len(f.extra.lines) < 20 {
		t.Fatalf("no error panel\n%s", screen(m))
	}
	mustContain(t, screen(m), "pgup/pgdn scroll")
	for i := 0; i < 200; i++ {
		press(m, "backspace")
	}
	typeText(m, "/tmp/gkjGx")
	press(m, "up", "down", "ctrl+d", "ctrl+u") // field moves and line editing, never the panel
	typeText(m, "/tmp/gkjGx")
	if got := f.field("File").in.Value(); got != "/tmp/gkjGx" {
		t.Fatalf("field holds %q, want /tmp/gkjGx\n%s", got, screen(m))
	}
	if f.extra.offset != 0 {
		t.Fatalf("a text key scrolled the panel to %d", f.extra.offset)
	}
	mustContain(t, screen(m), "/tmp/gkjGx")
	press(m, "pgdown")
	if f.extra.offset == 0 {
		t.Fatal("pgdn did not scroll the panel")
	}
	press(m, "pgup")
	if f.extra.offset != 0 {
		t.Fatal("pgup did not scroll the panel back")
	}
	if got := f.field("File").in.Value(); got != "/tmp/gkjGx" {
		t.Fatalf("paging changed the field to %q", got)
	}
}

// Typing in a choice field only browses: text that is deleted again gives
// back the choice the field had, and a highlight that still matches stays.
func TestPickerKeepsTheChoiceWhileTyping(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	for i := 0; i < len(m.p.Accounts) && m.p.Account(m.accounts.selectedID()).Lifecycle != store.Active; i++ {
		press(m, "j")
	}
	id := m.accounts.selectedID()
	if m.p.Account(id).Lifecycle != store.Active {
		t.Fatal("the fixture has no active account")
	}
	press(m, "e", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
	f := openForm(t, m)
	life := f.field("Lifecycle")
	mustContain(t, screen(m), "▸ Lifecycle", "› active")
	typeText(m, "z")
	mustContain(t, screen(m), "(no match)")
	press(m, "backspace")
	if v := life.value(); v != "active" {
		t.Fatalf("z then backspace chose %q", v)
	}
	mustContain(t, screen(m), "→ active")
	typeText(m, "a") // onboarding matches too, but active still does
	if v := life.value(); v != "active" {
		t.Fatalf("typing a matching letter moved the choice to %q", v)
	}
	press(m, "backspace")
	typeText(m, "ch") // matches churned only: the highlight follows
	if v := life.value(); v != "churned" {
		t.Fatalf("after ch: %q", v)
	}
	press(m, "backspace", "backspace")
	if v := life.value(); v != "active" {
		t.Fatalf("an emptied query left %q", v)
	}
	// Nothing changed, so esc closes without asking, and nothing is written.
	press(m, "esc")
	noModal(t, m)
	if a, _ := acctOf(t, path, id); a.Lifecycle != store.Active {
		t.Fatalf("lifecycle %s", a.Lifecycle)
	}
	// An explicit move is the new choice, even after the query is deleted.
	press(m, "e", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
	typeText(m, "n")
	press(m, "down")
	chosen := openForm(t, m).field("Lifecycle").value()
	press(m, "backspace")
	if v := openForm(t, m).field("Lifecycle").value(); v != chosen {
		t.Fatalf("moved to %q, emptied query gave %q", chosen, v)
	}
	press(m, "esc", "y")
	noModal(t, m)

	// The owner pickers of w (reassign) and a (assign) behave the same.
	owner := strconv.FormatUint(m.p.Account(id).OwnerID, 10)
	press(m, "w")
	typeText(m, "z")
	press(m, "backspace")
	if v := openForm(t, m).fields[0].value(); v != owner {
		t.Fatalf("reassign owner %q, want %q", v, owner)
	}
	press(m, "esc")
	noModal(t, m)
	press(m, "4")
	e := m.escalation(m.escs.selectedID())
	press(m, "a")
	typeText(m, "zq")
	press(m, "backspace", "backspace")
	if v := openForm(t, m).fields[0].value(); v != strconv.FormatUint(e.OwnerID, 10) {
		t.Fatalf("assign owner %q, want %d", v, e.OwnerID)
	}
	press(m, "esc")
	noModal(t, m)
}

// Money fields read amounts the way imports do (transfer.ParseAmount).
func TestMoneyFieldsReadImportAmounts(t *testing.T) {
	m, path := triage(t)
	press(m, "3")
	id := m.accounts.selectedID()
	old, _ := acctOf(t, path, id)
	press(m, "e", "shift+tab", "shift+tab", "shift+tab")
	mustContain(t, screen(m), "▸ Expansion pipeline")
	clearInput(m)
	typeText(m, "12,5") // a decimal comma is refused, not guessed
	press(m, "enter")
	openForm(t, m)
	mustContain(t, screen(m), "▸ Expansion pipeline", `"12,5" is not an amount`)
	if a, _ := acctOf(t, path, id); !a.UpdatedAt.Equal(old.UpdatedAt) {
		t.Fatal("a refused amount was written")
	}
	clearInput(m)
	typeText(m, "12.5k")
	press(m, "tab", "tab", "tab") // wraps to ARR
	mustContain(t, screen(m), "▸ ARR")
	clearInput(m)
	typeText(m, "€12000")
	press(m, "enter")
	if m.modal != nil && strings.Contains(screen(m), "ARR change is") {
		press(m, "enter") // the kind question: keep the implied kind
	}
	noModal(t, m)
	a, _ := acctOf(t, path, id)
	if a.ARRCents != 1_200_000 || a.PipelineCents != 1_250_000 {
		t.Fatalf("ARR %d pipeline %d cents, want 1200000 and 1250000", a.ARRCents, a.PipelineCents)
	}
}

// The settings list scrolls with its cursor in a small terminal.
func TestSettingsListScrolls(t *testing.T) {
	m := loaded(t, fixturePath(t, 20), 60, 15)
	press(m, ",")
	n := len(m.modal.(*settingsModal).list)
	mustContain(t, screen(m), "Health settings 1-", " of "+strconv.Itoa(n), "▸ weights.adoption")
	press(m, "G")
	s := screen(m)
	mustContain(t, s, "▸ currency", "-"+strconv.Itoa(n)+" of "+strconv.Itoa(n))
	if strings.Contains(s, "weights.adoption") {
		t.Fatalf("the top of the list is still shown\n%s", s)
	}
	if lines := strings.Count(s, "\n") + 1; lines != 15 {
		t.Fatalf("%d lines\n%s", lines, s)
	}
	press(m, "g")
	mustContain(t, screen(m), "▸ weights.adoption", "Health settings 1-")
	press(m, "G", "enter") // enter edits the setting under the cursor
	mustContain(t, screen(m), "Setting currency")
	clearInput(m)
	typeText(m, "EUR")
	press(m, "enter")
	// With a change log the list still keeps its cursor in view.
	s = screen(m)
	mustContain(t, s, "▸ currency", "EUR", "latest changes", actorName+" set currency USD → EUR", "ARR €")
	if lines := strings.Count(s, "\n") + 1; lines != 15 {
		t.Fatalf("%d lines with the change log\n%s", lines, s)
	}
}

// Changing a member's role gives the new role's default capacity unless a
// capacity was set explicitly.
func TestMemberRoleChangeTakesTheNewDefault(t *testing.T) {
	m, path := triage(t)
	member := func(name string) store.Member {
		t.Helper()
		var got store.Member
		reread(t, path, func(tx *store.Tx) error {
			ms, err := tx.Members()
			for _, x := range ms {
				if x.Name == name {
					got = x
				}
			}
			return err
		})
		return got
	}
	press(m, "2", "c")
	typeText(m, "Quinn Coord")
	press(m, "tab", "tab")
	typeText(m, "coord")
	press(m, "enter")
	noModal(t, m)
	if c := member("Quinn Coord"); c.Role != store.RoleCoordinator || c.Capacity != 15 {
		t.Fatalf("added %+v", c)
	}
	edit := func(name, role string) {
		t.Helper()
		press(m, "/")
		typeText(m, name)
		press(m, "enter", "e")
		f := openForm(t, m)
		if f.field("Name").in.Value() != name {
			t.Fatalf("editing %q", f.field("Name").in.Value())
		}
		press(m, "tab", "tab")
		typeText(m, role)
		press(m, "enter")
		noModal(t, m)
		press(m, "esc")
	}
	press(m, "/")
	typeText(m, "quinn")
	press(m, "enter", "e")
	mustContain(t, screen(m), "Edit Quinn Coord")
	if v := openForm(t, m).field("Capacity").in.Value(); v != "" {
		t.Fatalf("a default capacity is prefilled as %q", v)
	}
	press(m, "esc", "esc")
	edit("Quinn Coord", "account manager")
	if c := member("Quinn Coord"); c.Role != store.RoleAccountManager || c.Capacity != 30 {
		t.Fatalf("coordinator → account manager: %+v", c)
	}
	// Bob's capacity was set by hand: a new role keeps it.
	bob := member("Bob Okafor")
	if bob.Capacity == bob.Role.DefaultCapacity() {
		t.Fatal("fixture: Bob should have an explicit capacity")
	}
	edit("Bob Okafor", "coordinator")
	if b := member("Bob Okafor"); b.Role != store.RoleCoordinator || b.Capacity != bob.Capacity {
		t.Fatalf("explicit capacity %d lost: %+v", bob.Capacity, b)
	}
}

// A form that closes without writing takes its error status with it.
func TestCancelledFormClearsTheErrorStatus(t *testing.T) {
	m, _ := triage(t)
	press(m, "3", "i")
	typeText(m, filepath.Join(t.TempDir(), "nope.csv"))
	press(m, "enter")
	if !m.statusErr || !strings.Contains(m.status, "import failed") {
		t.Fatalf("status %q", m.status)
	}
	press(m, "esc")      // closes the error panel
	press(m, "esc", "y") // discards the typed path
	noModal(t, m)
	if m.statusErr || strings.Contains(screen(m), "import failed") {
		t.Fatalf("error status outlived the form: %q\n%s", m.status, screen(m))
	}

	// The same for a settings edit whose write failed.
	press(m, ",", "enter")
	clearInput(m)
	typeText(m, "-1")
	press(m, "enter")
	if !m.statusErr {
		t.Fatalf("the bad setting was not refused: %q", m.status)
	}
	press(m, "esc", "y")
	if m.statusErr || strings.Contains(screen(m), "error:") {
		t.Fatalf("error status outlived the settings form: %q", m.status)
	}
	press(m, "esc")
	noModal(t, m)
}

// Until a new escalation is on screen the status says it is loading and
// the queue's action keys wait: they would act on the row the cursor was
// on (a slow reload let an assign land on another escalation).
func TestNewEscalationIsActedOnOnlyOnceShown(t *testing.T) {
	m, path := triage(t)
	press(m, "4")
	var id uint64
	var acct uint64
	for _, a := range m.p.Accounts {
		if a.Live {
			acct = a.ID
			break
		}
	}
	if err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		e, err := tx.CreateEscalation(store.NewEscalation{AccountID: acct, Title: "Made elsewhere", Severity: store.SevHigh}, m.actor, fixNow)
		id = e.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := m.escs.selectedID()
	// The write's result, before its reload has run.
	_, reload := m.Update(writtenMsg{token: 0, focus: id, what: "Created #" + itoa(int(id)) + " Made elsewhere"})
	mustContain(t, screen(m), "the new escalation is loading")
	if strings.Contains(screen(m), "Created #") {
		t.Fatal("the status says created before the escalation is on screen")
	}
	press(m, "a")
	mustContain(t, screen(m), "still loading")
	if m.modal != nil || m.escs.selectedID() != before {
		t.Fatal("an action opened on the row the cursor was on")
	}
	drive(m, reload)
	if m.escs.selectedID() != id {
		t.Fatalf("the cursor is on #%d, want the new #%d", m.escs.selectedID(), id)
	}
	mustContain(t, screen(m), "Created #"+itoa(int(id)))
	press(m, "a")
	mustContain(t, screen(m), "Assign #"+itoa(int(id)))
}
