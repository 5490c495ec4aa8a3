package tui

import (
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
)

// The health detail lists the execution component beside the others
// while it is on (README, "The execution component"), with what it
// counted, and leaves it out while it is off.
func TestDetailShowsExecution(t *testing.T) {
	path := fixturePath(t, 60)
	noPlaybooks(t, path)
	m := loaded(t, path, 160, 60)
	press(m, "3")
	screen(m)
	id := m.accounts.selectedID()
	press(m, "enter")
	s := screen(m)
	if strings.Contains(s, "execution") {
		t.Fatalf("the detail shows execution while it is off:\n%s", s)
	}
	if err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		set, err := tx.Settings()
		if err != nil {
			return err
		}
		set.Health.Execution = true
		if err := tx.PutSettings(set); err != nil {
			return err
		}
		for _, title := range []string{"Call the sponsor", "Send the quote"} {
			if _, err := tx.AddTask(store.NewTask{AccountID: id, Title: title, Due: fixAsOf.AddDays(-3)}, store.Actor{Name: "test"}, fixNow); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m = loaded(t, path, 160, 60)
	press(m, "3")
	screen(m)
	for m.accounts.selectedID() != id {
		press(m, "down")
	}
	press(m, "enter")
	s = screen(m)
	row := lineWith(s, "  execution   ")
	mustContain(t, row, "50", "15", "2 overdue tasks (-25 each)")
	mustContain(t, s, "sentiment 20 execution 15")
	a := m.p.Account(id)
	if h := m.p.HealthOf(a); !h.Components[metrics.Execution].HasData || h.Verdict != a.Health {
		t.Fatalf("the detail's health %+v is not the list's %+v", h.Verdict, a.Health)
	}
}

// The settings screen turns the component on like any other setting: on
// or off typed, anything else refused in the form.
func TestExecutionFromTheSettingsScreen(t *testing.T) {
	path := fixturePath(t, 30)
	noPlaybooks(t, path)
	m := loaded(t, path, 160, 60)
	press(m, ",")
	for !strings.Contains(lineWith(screen(m), "▸"), "execution.enabled") {
		if strings.Contains(lineWith(screen(m), "▸"), "ISO 4217") {
			t.Fatalf("no execution.enabled on the settings screen:\n%s", screen(m))
		}
		press(m, "j")
	}
	press(m, "enter")
	f := openForm(t, m)
	clearInput(m)
	typeText(m, "maybe")
	press(m, "enter")
	if f.err == "" || !strings.Contains(f.err, "neither on nor off") {
		t.Fatalf("a bad value was not refused in the form: %q\n%s", f.err, screen(m))
	}
	clearInput(m)
	typeText(m, "on")
	press(m, "enter")
	reread(t, path, func(tx *store.Tx) error {
		s, err := tx.Settings()
		if err == nil && !s.Health.Execution {
			t.Error("execution.enabled on was not written")
		}
		return err
	})
	if !m.p.Settings.Health.Execution {
		t.Fatal("the dashboard did not reload with the component on")
	}
}
