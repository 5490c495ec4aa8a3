package tui

import (
	"testing"

	"steward/metrics"
)

// t cycles a segment filter and r a renewal window (30/60/90/any); they
// narrow with the band and the query, and esc clears them.
func TestSegmentAndRenewalWindow(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 160, 50)
	press(m, "3", "T")
	count := func(seg metrics.Segment, within int) int {
		n := 0
		for _, a := range m.p.Accounts {
			if !a.Live || (seg != "" && a.Segment != seg) {
				continue
			}
			if within > 0 && (a.RenewalDate.IsZero() || a.DaysToRenewal < 0 || a.DaysToRenewal > within) {
				continue
			}
			n++
		}
		return n
	}
	if got, want := len(m.accounts.rows), count(metrics.Enterprise, 0); got != want || want == 0 {
		t.Fatalf("enterprise: %d rows, want %d", got, want)
	}
	mustContain(t, screen(m), "· enterprise")
	press(m, "r")
	if got, want := len(m.accounts.rows), count(metrics.Enterprise, 30); got != want {
		t.Fatalf("enterprise renewing within 30 days: %d rows, want %d", got, want)
	}
	mustContain(t, screen(m), "renewing within 30d")
	press(m, "r", "r")
	if got, want := len(m.accounts.rows), count(metrics.Enterprise, 90); got != want {
		t.Fatalf("within 90 days: %d rows, want %d", got, want)
	}
	for _, r := range m.accounts.rows {
		if a := m.p.Accounts[r]; a.Segment != metrics.Enterprise || a.DaysToRenewal > 90 {
			t.Fatalf("%s (%s, %dd) is listed", a.Name, a.Segment, a.DaysToRenewal)
		}
	}
	press(m, "S") // reversed: the same rows, backwards
	if got, want := len(m.accounts.rows), count(metrics.Enterprise, 90); got != want {
		t.Fatalf("reversed: %d rows, want %d", got, want)
	}
	press(m, "esc")
	if got, want := len(m.accounts.rows), count("", 0); got != want || m.accounts.segment != "" || m.accounts.within != 0 {
		t.Fatalf("esc left %d rows (want %d), segment %q, window %d", got, want, m.accounts.segment, m.accounts.within)
	}
}

// ctrl+s saves the accounts view's filters and sort under a name, for
// everyone on the database; ' opens it again (or deletes it).
func TestSavedViews(t *testing.T) {
	path := demoPath(t, 0)
	m := loaded(t, path, 160, 50)
	press(m, "3", "T", "r", "r", "s", "s", "s", "/")
	typeText(m, "a")
	press(m, "enter")
	want := m.accounts.current("")
	rows := len(m.accounts.rows)
	press(m, "ctrl+s")
	mustContain(t, screen(m), "Save this accounts view", "enterprise", "renewing within 60d")
	typeText(m, "Big renewals")
	press(m, "enter")
	mustContain(t, screen(m), "Saved the view Big renewals")
	press(m, "esc", "esc") // the query, then the other filters
	if m.accounts.segment != "" || m.accounts.query != "" {
		t.Fatalf("the filters did not clear: %+v", m.accounts.current(""))
	}
	// Another dashboard on the same file finds it.
	other := loaded(t, path, 160, 50)
	press(other, "3", "'")
	mustContain(t, screen(other), "Saved views", "Big renewals")
	press(other, "enter")
	got := other.accounts.current("")
	if got != want || len(other.accounts.rows) != rows {
		t.Fatalf("opened %+v with %d rows, want %+v with %d", got, len(other.accounts.rows), want, rows)
	}
	mustContain(t, screen(other), "Opened the view Big renewals", "renewing within 60d")
	// And deletes it.
	press(other, "'", "tab", "down", "enter")
	mustContain(t, screen(other), "Deleted the view Big renewals")
	press(other, "'")
	mustContain(t, screen(other), "No saved view yet")
}
