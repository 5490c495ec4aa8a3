package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// `[` on the renewals view sets the last closed quarter's first call
// against what renewed, checked against the database read on its own;
// `]` comes back; a quarter with no forecast snapshot says so.
func TestForecastVersusActual(t *testing.T) {
	path := demoPath(t, 0)
	m := loaded(t, path, 170, 40)
	quietTimers(m)
	press(m, "5", "[")
	closed := portfolio.PrevQuarter(fixAsOf)
	name := metrics.QuarterName(closed)

	p, err := portfolio.Load(path, store.Options{}, fixAsOf, fixNow)
	if err != nil {
		t.Fatal(err)
	}
	var q portfolio.QuarterCalls
	if err := store.View(path, store.Options{}, func(tx *store.Tx) (err error) {
		q, err = portfolio.ReadQuarterCalls(tx, closed)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r := p.Reconcile(q)
	s := r.Sums
	if q.Weeks < 10 || s.Count == 0 || s.Renewed == s.Count || s.VarianceCents == 0 {
		t.Fatalf("the demo's closed quarter proves little: %d weeks, %+v", q.Weeks, s)
	}
	scr := screen(m)
	mustContain(t, scr, "Renewals · "+name+" closed: forecast GRR "+pct(s.ForecastGRR)+" → actual "+pct(s.ActualGRR),
		"variance "+signedMoney(s.VarianceCents, "USD"),
		"First call "+q.FirstWeek.String()+": "+itoa(s.Count)+" due "+money(s.DueCents, "USD"),
		"last call "+q.LastWeek.String(), "renewed "+itoa(s.Renewed)+" of "+itoa(s.Count),
		"commit "+itoa(s.ByCategory[0].Count)+": "+money(s.ByCategory[0].ExpectedCents, "USD")+" → "+money(s.ByCategory[0].RenewedCents, "USD"))
	// The largest shortfall leads, under the cursor.
	top := r.Rows[0]
	if top.Variance() >= 0 {
		t.Fatalf("the demo's quarter has no shortfall: %+v", top)
	}
	lead := p.Account(top.AccountID)
	mustContain(t, lineWith(scr, "▸"), lead.Name, top.Outcome.String(), signedMoney(top.Variance(), "USD"))

	// Enter opens the account; esc comes back to the same quarter.
	press(m, "enter")
	mustContain(t, screen(m), lead.Name)
	press(m, "esc")
	mustContain(t, screen(m), name+" closed")

	// A change reaches the reconciled rows: the account renamed elsewhere.
	changeElsewhere(t, m, path, func(_ int, a *store.Account) { a.Name = "Renamed Shortfall Ltd" }, top.AccountID)
	mustContain(t, lineWith(screen(m), "▸"), "Renamed Shortfall Ltd")

	// A narrow terminal still draws the answer first, and no line overflows.
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 8})
	for _, l := range strings.Split(screen(m), "\n") {
		if w := ansi.StringWidth(l); w > 40 {
			t.Fatalf("a line of %d cells on a 40-cell terminal: %q", w, l)
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 170, Height: 40})

	// Further back there is nothing recorded: the view stays and says so.
	press(m, "[")
	mustContain(t, screen(m), "No forecast snapshot was taken in "+metrics.QuarterName(closed.AddMonths(-3)), name+" closed")
	// ] forward: the live view of this quarter and the next.
	press(m, "]")
	this, _ := metrics.Quarter(fixAsOf)
	mustContain(t, screen(m), "Renewals · "+metrics.QuarterName(this)+": due ")
	press(m, "]")
	mustContain(t, screen(m), "This quarter is the newest")
}

// s orders the renewals within each period and category by ARR, the
// largest first, and back by date; the cursor stays on its account.
func TestRenewalsSortByARR(t *testing.T) {
	m := loaded(t, demoPath(t, 0), 170, 40)
	press(m, "5")
	screen(m)
	v := m.renewals
	id := v.selectedID()
	ordered := func(byARR bool) {
		t.Helper()
		for k := 1; k < len(v.rows); k++ {
			a, b := &m.p.Accounts[v.rows[k-1]], &m.p.Accounts[v.rows[k]]
			if v.period(a) != v.period(b) || a.Forecast != b.Forecast {
				continue
			}
			if byARR && a.ARRCents < b.ARRCents || !byARR && a.RenewalDate > b.RenewalDate {
				t.Fatalf("rows %d and %d out of order (by ARR %v): %s %d %s, %s %d %s", k-1, k, byARR, a.Name, a.ARRCents, a.RenewalDate, b.Name, b.ARRCents, b.RenewalDate)
			}
		}
	}
	ordered(false)
	press(m, "s")
	mustContain(t, screen(m), "the largest ARR first")
	ordered(true)
	if v.selectedID() != id {
		t.Fatalf("the cursor moved from account %d to %d", id, v.selectedID())
	}
	press(m, "s")
	mustContain(t, screen(m), "the soonest first")
	ordered(false)
}
