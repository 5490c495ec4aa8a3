package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"steward/store/demo"
)

func demoPath(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "demo.db")
	if _, err := demo.Write(path, demo.Options{Accounts: n, Seed: 7, Today: fixAsOf, Now: fixNow}); err != nil {
		tb.Fatalf("demo: %v", err)
	}
	return path
}

// `steward demo` must open on a populated review; every view and the
// health detail have data.
func TestDemoIsPopulated(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 120, 40)
	r := m.p.Review
	if len(r.Worsened)+len(r.BreachedEsc)+len(r.NewEsc)+len(r.EnteredRenewal)+len(r.Untouched) == 0 {
		t.Fatal("the demo review is empty")
	}
	s := screen(m)
	mustContain(t, s, "[1 Review]", "Monday review", "baseline week")
	if strings.Count(s, "▸ ") != 1 {
		t.Fatalf("no selected review row:\n%s", s)
	}
	press(m, "2")
	if len(m.team.rows) < 3 {
		t.Fatal("demo team too small")
	}
	press(m, "3")
	mustContain(t, screen(m), " accounts")
	press(m, "enter")
	mustContain(t, screen(m), "health detail", "Weekly score", "Components")
	press(m, "esc", "4")
	if len(m.escs.rows) == 0 {
		t.Fatal("demo has no open escalation")
	}
	press(m, "enter")
	mustContain(t, screen(m), "Escalation #", "Timeline")
}
