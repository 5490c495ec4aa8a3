package portfolio

import (
	"testing"

	"steward/store"
)

// The report's top escalations: open ones only, the most severe first,
// the oldest first within a severity; names joined, ages in whole days.
func TestTopEscalations(t *testing.T) {
	raw := fixture()
	// An older high one than e1: within a severity, age decides.
	raw.Escalations = append(raw.Escalations, store.Escalation{ID: 7, AccountID: aBeta, Title: "Slow sync", Severity: store.SevHigh,
		Status: store.StatusOpen, CreatedAt: at(-500), UpdatedAt: at(-500), SLADue: at(40)})
	p := Build(raw, asOf, now)
	got := p.Report().TopEscalations
	type row struct {
		id       uint64
		account  string
		age      int
		breached bool
		owner    string
	}
	want := []row{
		{e2, "Acme", 10, false, "Zoe Lead"}, // critical, 240 h
		{7, "Beta", 20, false, ""},          // high, 500 h: older than e1
		{e1, "Gamma", 3, true, ""},          // high, 72 h, past SLA
		{e4, "Foxtrot", 8, true, ""},        // medium
		{e3, "Hotel", 1, false, ""},         // low
	}
	if len(got) != len(want) {
		t.Fatalf("got %d top escalations, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.AgeDays != w.age || g.Breached != w.breached || g.Owner != w.owner || len(g.Account) < len(w.account) || g.Account[:len(w.account)] != w.account {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
		if g.Status == store.StatusResolved {
			t.Errorf("row %d is resolved: %+v", i, g)
		}
	}
	if got := p.topEscalations(2); len(got) != 2 || got[0].ID != e2 || got[1].ID != 7 {
		t.Errorf("topEscalations(2) = %+v, want e2 then 7", got)
	}
	if got := (&Portfolio{}).topEscalations(5); got == nil || len(got) != 0 {
		t.Errorf("no escalations gives %#v, want an empty list (JSON [])", got)
	}
}
