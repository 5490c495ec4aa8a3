package tui

import (
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
)

// The playbooks screen (p in the health settings) on the real model and
// file: it lists the defaults; n adds one, its steps one a line, saved
// through the store; a step line that does not parse is refused in the
// form, with what to write, and nothing is written.
func TestPlaybooksScreen(t *testing.T) {
	path := fixturePath(t, 20)
	m := loaded(t, path, 160, 40)
	quietTimers(m)
	press(m, ",")
	mustContain(t, screen(m), "Health settings", "p playbooks")
	press(m, "p")
	mustContain(t, screen(m), "Playbooks", "Red account recovery", "band_to_red", "Renewal prep (120 days)", "renewal_in_days 120")

	press(m, "n")
	mustContain(t, screen(m), "New playbook", "Name", "Trigger", "Steps")
	typeText(m, "QBR rescue")
	press(m, "tab")
	clearInput(m)
	typeText(m, "qbr_overdue")
	press(m, "tab", "tab")
	typeText(m, "+7d | owner | Book the QBR")
	press(m, "enter")
	if pb, ok := m.modal.(*playbooksModal); !ok || pb.child != nil {
		t.Fatalf("the playbooks list should be back after a save\n%s", screen(m))
	}
	mustContain(t, screen(m), "QBR rescue", "qbr_overdue")
	reread(t, path, func(tx *store.Tx) error {
		p, err := tx.PlaybookNamed("QBR rescue")
		if err != nil {
			return err
		}
		if p.Trigger != metrics.TriggerQBROverdue || !p.Active || len(p.Steps) != 1 || p.Steps[0].OffsetDays != 7 || p.Steps[0].Owner != store.OwnerAccount || p.Steps[0].Title != "Book the QBR" {
			t.Errorf("saved %+v", p)
		}
		return nil
	})

	press(m, "n")
	typeText(m, "Bad one")
	press(m, "tab", "tab", "tab")
	typeText(m, "soon | owner | Call")
	press(m, "enter")
	pb, ok := m.modal.(*playbooksModal)
	if !ok || pb.child == nil || pb.child.err == "" {
		t.Fatalf("a bad step line was accepted\n%s", screen(m))
	}
	mustContain(t, screen(m), "not a number of days")
	reread(t, path, func(tx *store.Tx) error {
		if _, err := tx.PlaybookNamed("Bad one"); err == nil {
			t.Error("a refused playbook was written")
		}
		return nil
	})

	// D deletes the selected playbook after a y/N; no keeps it.
	press(m, "esc", "y")
	if pb, ok := m.modal.(*playbooksModal); !ok || pb.child != nil {
		t.Fatalf("the form did not close\n%s", screen(m))
	}
	press(m, "g", "down") // by name: Champion change, QBR rescue, …
	if !strings.Contains(lineWith(screen(m), "▸"), "QBR rescue") {
		t.Fatalf("the cursor is not on QBR rescue:\n%s", screen(m))
	}
	press(m, "D")
	mustContain(t, screen(m), "Delete the playbook QBR rescue", "The tasks it started stay")
	press(m, "n")
	mustContain(t, screen(m), "Playbooks", "QBR rescue")
	press(m, "D", "y")
	s := screen(m)
	if strings.Contains(s, "qbr_overdue") || !strings.Contains(s, "Red account recovery") || !strings.Contains(s, "Deleted the playbook QBR rescue") {
		t.Fatalf("after the delete the list reads\n%s", s)
	}
	reread(t, path, func(tx *store.Tx) error {
		if _, err := tx.PlaybookNamed("QBR rescue"); err == nil {
			t.Error("the deleted playbook is still in the file")
		}
		return nil
	})

	// An account manager sees the playbooks; saving one is a manager's.
	opt := testOptions(path)
	opt.As = "dana@example.com"
	am, err := openLoaded(opt, 160, 40)
	if err != nil {
		t.Fatal(err)
	}
	quietTimers(am)
	press(am, ",", "p")
	mustContain(t, screen(am), "Red account recovery")
	press(am, "n")
	typeText(am, "Mine")
	press(am, "tab", "tab", "tab")
	typeText(am, "+1d | owner | Call")
	press(am, "enter")
	mustContain(t, screen(am), "only a manager can change the playbooks")
}
