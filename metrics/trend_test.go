package metrics

import (
	"math/rand"
	"testing"
	"time"
)

func TestARRAtDays(t *testing.T) {
	l := []LedgerEntry{{Date: day("2025-01-10"), ARRCents: 100}, {Date: day("2025-03-01"), ARRCents: 150}, {Date: day("2025-06-01"), ARRCents: 0}}
	days := []Date{day("2025-01-09"), day("2025-01-10"), day("2025-02-28"), day("2025-03-01"), day("2025-12-31")}
	out := make([]int64, len(days))
	ARRAtDays(l, days, out)
	want := []int64{0, 100, 100, 150, 0}
	for i := range want {
		if out[i] != want[i] || out[i] != ARRAt(l, days[i]) {
			t.Errorf("ARR at %s = %d, want %d", days[i], out[i], want[i])
		}
	}
}

func TestBridgeSteps(t *testing.T) {
	for _, tc := range []struct {
		start, end int64
		want       Bridge
	}{
		{0, 500, Bridge{New: 500, End: 500}},                       // a sale or a win back
		{400, 0, Bridge{Start: 400, Churn: 400}},                   // lost
		{400, 700, Bridge{Start: 400, Expansion: 300, End: 700}},   // grew
		{400, 100, Bridge{Start: 400, Contraction: 300, End: 100}}, // shrank
		{400, 400, Bridge{Start: 400, End: 400}},                   // kept
		{0, 0, Bridge{}},                                           // never a customer
		{-50, 200, Bridge{New: 200, End: 200}},                     // a negative ARR is none
		{300, -20, Bridge{Start: 300, Churn: 300}},
	} {
		var b Bridge
		b.Add(tc.start, tc.end)
		if b != tc.want || !b.Balanced() {
			t.Errorf("Add(%d, %d) = %+v, want %+v", tc.start, tc.end, b, tc.want)
		}
	}
}

// TestBridgeBalances: any ledgers, including accounts that churn and come
// back inside the window, give a bridge from the ARR at the start to the
// ARR at the end, to the cent; its steps are the cohort's retention
// figures plus the new ARR.
func TestBridgeBalances(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	base := day("2024-01-01")
	for round := 0; round < 200; round++ {
		w := Window{Start: base.AddDays(rng.Intn(200)), End: base.AddDays(300 + rng.Intn(300))}
		var b Bridge
		var ret RetentionSums
		var startSum, endSum int64
		for n := rng.Intn(30); n > 0; n-- {
			var l []LedgerEntry
			d := base.AddDays(-rng.Intn(100))
			for k := rng.Intn(6); k > 0; k-- {
				arr := int64(rng.Intn(5)) * int64(rng.Intn(1_000_000))
				l = append(l, LedgerEntry{Date: d, ARRCents: arr})
				d = d.AddDays(1 + rng.Intn(200))
			}
			s, e := ARRAt(l, w.Start), ARRAt(l, w.End)
			b.Add(s, e)
			ret.Add(AccountRetention(&KPIAccount{Ledger: l}, w))
			startSum += s
			endSum += e
		}
		if !b.Balanced() || b.Start != startSum || b.End != endSum {
			t.Fatalf("round %d: bridge %+v does not lead from %d to %d", round, b, startSum, endSum)
		}
		if b.Expansion != ret.ExpansionCents || b.Contraction != ret.ContractionCents || b.Churn != ret.Churn {
			t.Fatalf("round %d: bridge %+v, retention %+v", round, b, ret)
		}
	}
}

func TestQuartersAndWeeks(t *testing.T) {
	qs := Quarters(day("2026-11-23"), 3)
	want := []Window{
		{day("2026-03-31"), day("2026-06-30")},
		{day("2026-06-30"), day("2026-09-30")},
		{day("2026-09-30"), day("2026-11-23")},
	}
	for i := range want {
		if qs[i] != want[i] {
			t.Errorf("quarter %d = %s..%s, want %s..%s", i, qs[i].Start, qs[i].End, want[i].Start, want[i].End)
		}
	}
	first, last := Month(day("2024-02-10"))
	if first != day("2024-02-01") || last != day("2024-02-29") || MonthName(first) != "2024-02" {
		t.Errorf("Month = %s..%s", first, last)
	}
	ws := LastWeeks(day("2026-01-02"), 3) // a Friday of 2026-W01
	if ws[0].String() != "2025-W51" || ws[1].String() != "2025-W52" || ws[2].String() != "2026-W01" {
		t.Errorf("LastWeeks = %v", ws)
	}
	if ws[2].Sunday() != day("2026-01-04") {
		t.Errorf("Sunday of 2026-W01 = %s", ws[2].Sunday())
	}
	c := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	r := c.Add(5 * time.Hour)
	for _, tc := range []struct {
		t    time.Time
		open bool
	}{{c.Add(-time.Second), false}, {c, true}, {r.Add(-time.Second), true}, {r, false}} {
		if OpenAt(c, r, tc.t) != tc.open {
			t.Errorf("OpenAt(%v) = %v", tc.t, !tc.open)
		}
	}
	if !OpenAt(c, time.Time{}, c.Add(1000*time.Hour)) {
		t.Error("an unresolved escalation is open")
	}
}

// AccountRenewalsOver is AccountRenewals window by window, for any
// ledgers, renewal dates and windows.
func TestAccountRenewalsOver(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	base := day("2024-01-01")
	kinds := []LedgerKind{KindNew, KindRenewal, KindExpansion, KindContraction, KindChurn}
	for round := 0; round < 500; round++ {
		a := KPIAccount{RenewalDate: base.AddDays(rng.Intn(900))}
		if rng.Intn(3) == 0 {
			a.ContractStart = base.AddDays(rng.Intn(400) - 300)
		}
		d := base.AddDays(-rng.Intn(400))
		for k := rng.Intn(6); k > 0; k-- {
			a.Ledger = append(a.Ledger, LedgerEntry{Date: d, ARRCents: int64(rng.Intn(4)) * 1000, Kind: kinds[rng.Intn(len(kinds))]})
			d = d.AddDays(1 + rng.Intn(250))
		}
		var ws []Window
		var churned []bool
		for k := 1 + rng.Intn(3); k > 0; k-- {
			end := base.AddDays(rng.Intn(900))
			ws = append(ws, Window{Start: end.AddMonths(-1 - rng.Intn(12)), End: end})
			churned = append(churned, rng.Intn(4) == 0)
		}
		out := make([]Renewals, len(ws))
		AccountRenewalsOver(&a, ws, churned, out)
		for i, w := range ws {
			one := a
			one.Churned = churned[i]
			if want := AccountRenewals(&one, w); out[i] != want {
				t.Fatalf("round %d window %d: %+v, want %+v", round, i, out[i], want)
			}
		}
	}
}

func TestAddMonthsClamped(t *testing.T) {
	for _, tc := range []struct {
		d    string
		n    int
		want string
	}{
		{"2026-03-31", -1, "2026-02-28"},
		{"2024-03-31", -1, "2024-02-29"},
		{"2026-05-31", -3, "2026-02-28"},
		{"2026-08-31", -3, "2026-05-31"},
		{"2024-02-29", -12, "2023-02-28"},
		{"2026-01-15", -1, "2025-12-15"},
		{"2026-01-31", -13, "2024-12-31"},
		{"2025-12-31", 2, "2026-02-28"},
		{"2026-11-23", -12, "2025-11-23"},
	} {
		if got := AddMonthsClamped(day(tc.d), tc.n); got.String() != tc.want {
			t.Errorf("AddMonthsClamped(%s, %d) = %s, want %s", tc.d, tc.n, got, tc.want)
		}
	}
}
