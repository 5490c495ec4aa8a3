package tui

import (
	"strings"
	"testing"
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
