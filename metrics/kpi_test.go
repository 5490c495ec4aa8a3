package metrics

import (
	"math"
	"sort"
	"testing"
)

// kd is k thousand dollars in cents.
func kd(k int64) int64 { return k * 1000 * 100 }

func entry(date string, k int64, kind LedgerKind) LedgerEntry {
	return LedgerEntry{Date: day(date), ARRCents: kd(k), Kind: kind}
}

func checkRatio(t *testing.T, name string, got Ratio, want float64) {
	t.Helper()
	if !got.OK || math.Abs(got.V-want) > 1e-12 {
		t.Errorf("%s = %+v, want %.6f", name, got, want)
	}
}

func checkNA(t *testing.T, name string, got Ratio) {
	t.Helper()
	if got.OK || got.V != 0 || math.IsNaN(got.V) || math.IsInf(got.V, 0) {
		t.Errorf("%s = %+v, want n/a (Ratio{OK:false})", name, got)
	}
}

func TestARRAt(t *testing.T) {
	ledger := []LedgerEntry{
		entry("2025-01-01", 100, KindNew),
		entry("2025-06-01", 150, KindExpansion),
		entry("2025-09-01", 0, KindChurn),
	}
	tests := []struct {
		name    string
		ledger  []LedgerEntry
		d       string
		wantARR int64
	}{
		{"before the first entry", ledger, "2024-12-31", 0},
		{"on the first entry's day (in force at end of day)", ledger, "2025-01-01", kd(100)},
		{"the day before the expansion", ledger, "2025-05-31", kd(100)},
		{"on the expansion day", ledger, "2025-06-01", kd(150)},
		{"between expansion and churn", ledger, "2025-08-31", kd(150)},
		{"on the churn day", ledger, "2025-09-01", 0},
		{"long after the churn", ledger, "2030-01-01", 0},
		{"empty ledger", nil, "2025-06-01", 0},
		{"two entries on one day: the later one wins", []LedgerEntry{entry("2025-01-01", 10, KindNew), entry("2025-01-01", 12, KindExpansion)}, "2025-01-01", kd(12)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ARRAt(tc.ledger, day(tc.d)); got != tc.wantARR {
				t.Errorf("ARRAt(%s) = %d, want %d", tc.d, got, tc.wantARR)
			}
		})
	}
}

// window2025 is the calendar year 2025.
var window2025 = Window{Start: day("2025-01-01"), End: day("2025-12-31")}

func TestRetentionOf(t *testing.T) {
	accounts := []KPIAccount{
		// A: 100k -> 150k: expansion +50k.
		{Ledger: []LedgerEntry{entry("2024-03-01", 100, KindNew), entry("2025-05-01", 150, KindExpansion)}},
		// B: 200k -> 150k: contraction 50k.
		{Ledger: []LedgerEntry{entry("2024-01-01", 200, KindNew), entry("2025-07-01", 150, KindContraction)}},
		// C: 50k -> churned: churned ARR 50k.
		{Ledger: []LedgerEntry{entry("2024-06-01", 50, KindNew), entry("2025-08-01", 0, KindChurn)}, Churned: true},
		// D: 80k -> 120k (expansion) -> 90k (contraction) inside the window: only the net +10k counts.
		{Ledger: []LedgerEntry{entry("2024-02-01", 80, KindNew), entry("2025-03-01", 120, KindExpansion), entry("2025-10-01", 90, KindContraction)}},
		// E: new inside the window: not in the cohort.
		{Ledger: []LedgerEntry{entry("2025-04-01", 60, KindNew)}},
		// F: 40k, renewed flat: 40k -> 40k.
		{Ledger: []LedgerEntry{entry("2024-05-01", 40, KindNew), entry("2025-05-01", 40, KindRenewal)}},
		// G: churned before the window: not in the cohort.
		{Ledger: []LedgerEntry{entry("2023-01-01", 70, KindNew), entry("2024-11-01", 0, KindChurn)}, Churned: true},
		// H: no ledger at all.
		{},
	}
	r := RetentionOf(accounts, window2025)

	// Cohort A B C D F: S = 100+200+50+80+40 = 470k.
	if r.CohortSize != 5 || r.StartARRCents != kd(470) {
		t.Fatalf("cohort %d accounts, S=%d; want 5 and 470k", r.CohortSize, r.StartARRCents)
	}
	// End = 150+150+0+90+40 = 430k.
	if r.EndARRCents != kd(430) {
		t.Errorf("end ARR %d, want 430k", r.EndARRCents)
	}
	checkRatio(t, "NRR", r.NRR, 430.0/470) // 430/470 = 0.9149
	// GRR numerator: min(100,150)+min(200,150)+min(50,0)+min(80,90)+min(40,40) = 100+150+0+80+40 = 370k.
	checkRatio(t, "GRR", r.GRR, 370.0/470)                      // 0.7872
	checkRatio(t, "logo retention", r.LogoRetention, 4.0/5)     // A B D F alive of 5 = 0.8
	checkRatio(t, "logo churn", r.LogoChurn, 1-4.0/5)           // 0.2
	checkRatio(t, "revenue churn", r.RevenueChurn, 1-370.0/470) // 100/470 = 0.2128
	// Expansion: A +50, D +10 (net; not +40 then -30) = 60k.
	if r.ExpansionCents != kd(60) {
		t.Errorf("expansion %d, want 60k", r.ExpansionCents)
	}
	// Contraction: B -50 only (D's -30 inside the window is netted away) = 50k.
	if r.ContractionCents != kd(50) {
		t.Errorf("contraction %d, want 50k", r.ContractionCents)
	}
	// Churned: C's 50k.
	if r.ChurnedCents != kd(50) {
		t.Errorf("churned %d, want 50k", r.ChurnedCents)
	}
	if r.Retained != 4 {
		t.Errorf("retained %d, want 4", r.Retained)
	}
	// The movements reconcile: S + expansion - contraction - churned = end: 470+60-50-50 = 430.
	if r.StartARRCents+r.ExpansionCents-r.ContractionCents-r.ChurnedCents != r.EndARRCents {
		t.Error("ARR movements do not reconcile")
	}
}

func TestRetentionSingleAccount(t *testing.T) {
	tests := []struct {
		name                string
		ledger              []LedgerEntry
		nrr, grr, logo      float64
		exp, contr, churned int64
	}{
		{
			"churned: NRR 0/100=0, GRR 0, logo 0/1",
			[]LedgerEntry{entry("2024-01-01", 100, KindNew), entry("2025-06-01", 0, KindChurn)},
			0, 0, 0, 0, 0, kd(100),
		},
		{
			"expanded then contracted: 100 -> 180 -> 120, net +20: NRR 1.2, GRR 100/100=1",
			[]LedgerEntry{entry("2024-01-01", 100, KindNew), entry("2025-03-01", 180, KindExpansion), entry("2025-09-01", 120, KindContraction)},
			1.2, 1, 1, kd(20), 0, 0,
		},
		{
			"expanded then contracted below start: 100 -> 180 -> 70, net -30: NRR 0.7, GRR 0.7",
			[]LedgerEntry{entry("2024-01-01", 100, KindNew), entry("2025-03-01", 180, KindExpansion), entry("2025-09-01", 70, KindContraction)},
			0.7, 0.7, 1, 0, kd(30), 0,
		},
		{
			"churned then won back inside the window: 100 -> 0 -> 100, net 0",
			[]LedgerEntry{entry("2024-01-01", 100, KindNew), entry("2025-03-01", 0, KindChurn), entry("2025-09-01", 100, KindNew)},
			1, 1, 1, 0, 0, 0,
		},
		{
			"churns on the window's last day: counts as churned",
			[]LedgerEntry{entry("2024-01-01", 100, KindNew), entry("2025-12-31", 0, KindChurn)},
			0, 0, 0, 0, 0, kd(100),
		},
		{
			"expands the day after the window: not counted",
			[]LedgerEntry{entry("2024-01-01", 100, KindNew), entry("2026-01-01", 300, KindExpansion)},
			1, 1, 1, 0, 0, 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := RetentionOf([]KPIAccount{{Ledger: tc.ledger}}, window2025)
			if r.CohortSize != 1 || r.StartARRCents != kd(100) {
				t.Fatalf("cohort %d S=%d, want 1 and 100k", r.CohortSize, r.StartARRCents)
			}
			checkRatio(t, "NRR", r.NRR, tc.nrr)
			checkRatio(t, "GRR", r.GRR, tc.grr)
			checkRatio(t, "logo retention", r.LogoRetention, tc.logo)
			checkRatio(t, "logo churn", r.LogoChurn, 1-tc.logo)
			checkRatio(t, "revenue churn", r.RevenueChurn, 1-tc.grr)
			if r.ExpansionCents != tc.exp || r.ContractionCents != tc.contr || r.ChurnedCents != tc.churned {
				t.Errorf("expansion %d contraction %d churned %d, want %d %d %d",
					r.ExpansionCents, r.ContractionCents, r.ChurnedCents, tc.exp, tc.contr, tc.churned)
			}
		})
	}
}

func TestRetentionEmptyCohort(t *testing.T) {
	tests := []struct {
		name     string
		accounts []KPIAccount
	}{
		{"no accounts", nil},
		{"only accounts new inside the window", []KPIAccount{
			{Ledger: []LedgerEntry{entry("2025-04-01", 60, KindNew)}},
			{Ledger: []LedgerEntry{entry("2025-12-31", 10, KindNew)}},
		}},
		{"only accounts churned before the window", []KPIAccount{
			{Ledger: []LedgerEntry{entry("2023-01-01", 60, KindNew), entry("2024-12-31", 0, KindChurn)}, Churned: true},
		}},
		{"accounts without a ledger", []KPIAccount{{}, {Churned: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := RetentionOf(tc.accounts, window2025)
			if r.CohortSize != 0 || r.StartARRCents != 0 || r.EndARRCents != 0 || r.Retained != 0 {
				t.Errorf("cohort %+v, want empty", r)
			}
			checkNA(t, "NRR", r.NRR)
			checkNA(t, "GRR", r.GRR)
			checkNA(t, "logo retention", r.LogoRetention)
			checkNA(t, "logo churn", r.LogoChurn)
			checkNA(t, "revenue churn", r.RevenueChurn)
			if r.ExpansionCents != 0 || r.ContractionCents != 0 || r.ChurnedCents != 0 {
				t.Errorf("movements %+v, want none", r)
			}
		})
	}
}

func sortedDates(ds []Date) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	sort.Strings(out)
	return out
}

func TestDueDates(t *testing.T) {
	tests := []struct {
		name string
		a    KPIAccount
		w    Window
		want []string
	}{
		{
			"next renewal after the window: last year's anniversary is due",
			KPIAccount{ContractStart: day("2023-03-15"), RenewalDate: day("2026-03-15")},
			window2025, []string{"2025-03-15"},
		},
		{
			"three years of anniversaries, stopping at the contract start",
			KPIAccount{ContractStart: day("2023-03-15"), RenewalDate: day("2026-03-15")},
			Window{day("2020-01-01"), day("2026-12-31")}, []string{"2024-03-15", "2025-03-15", "2026-03-15"},
		},
		{
			"renewal date inside the window",
			KPIAccount{ContractStart: day("2024-09-01"), RenewalDate: day("2025-09-01")},
			window2025, []string{"2025-09-01"},
		},
		{
			"due on the window's first day is inside",
			KPIAccount{ContractStart: day("2024-01-01"), RenewalDate: day("2026-01-01")},
			window2025, []string{"2025-01-01"},
		},
		{
			"due on the window's last day is inside",
			KPIAccount{ContractStart: day("2024-12-31"), RenewalDate: day("2025-12-31")},
			window2025, []string{"2025-12-31"},
		},
		{
			"first term not yet over: nothing due",
			KPIAccount{ContractStart: day("2025-02-01"), RenewalDate: day("2026-02-01")},
			window2025, nil,
		},
		{
			"no contract start: anniversaries back to the window start",
			KPIAccount{RenewalDate: day("2027-06-30")},
			window2025, []string{"2025-06-30"},
		},
		{
			"no renewal date: nothing due",
			KPIAccount{ContractStart: day("2020-01-01")},
			window2025, nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sortedDates(DueDates(tc.a, tc.w))
			if len(got) != len(tc.want) {
				t.Fatalf("DueDates = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("DueDates = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestRenewalsOf(t *testing.T) {
	accounts := []KPIAccount{
		// R1: due 2025-03-01 at 100k; renewal 9 days after at 110k -> renewed, min(110,100)=100k.
		{ContractStart: day("2024-03-01"), RenewalDate: day("2026-03-01"),
			Ledger: []LedgerEntry{entry("2024-03-01", 100, KindNew), entry("2025-03-10", 110, KindRenewal)}},
		// R2: due 2025-06-01 at 50k; renewal 27 days early at the same 50k -> renewed 50k.
		{ContractStart: day("2024-06-01"), RenewalDate: day("2026-06-01"),
			Ledger: []LedgerEntry{entry("2024-06-01", 50, KindNew), entry("2025-05-05", 50, KindRenewal)}},
		// R3: due 2025-09-01 at 30k; churned -> not renewed.
		{ContractStart: day("2024-09-01"), RenewalDate: day("2025-09-01"), Churned: true,
			Ledger: []LedgerEntry{entry("2024-09-01", 30, KindNew), entry("2025-09-01", 0, KindChurn)}},
		// R4: due 2025-04-01 at 20k; renewal entry 35 days late (2025-05-06) -> not renewed.
		{ContractStart: day("2024-04-01"), RenewalDate: day("2026-04-01"),
			Ledger: []LedgerEntry{entry("2024-04-01", 20, KindNew), entry("2025-05-06", 20, KindRenewal)}},
		// R5: due 2025-11-15 at 40k; renewal exactly 30 days early (2025-10-16) -> renewed 40k.
		{ContractStart: day("2024-11-15"), RenewalDate: day("2026-11-15"),
			Ledger: []LedgerEntry{entry("2024-11-15", 40, KindNew), entry("2025-10-16", 40, KindRenewal)}},
		// R6: due 2025-07-01 at 80k; renewed 19 days late with a downsell to 60k -> renewed 60k.
		{ContractStart: day("2024-07-01"), RenewalDate: day("2026-07-01"),
			Ledger: []LedgerEntry{entry("2024-07-01", 80, KindNew), entry("2025-07-20", 60, KindRenewal)}},
		// R7: first term ends 2026-02-01: nothing due in 2025.
		{ContractStart: day("2025-02-01"), RenewalDate: day("2026-02-01"),
			Ledger: []LedgerEntry{entry("2025-02-01", 500, KindNew)}},
		// R8: due 2025-10-01 at 25k; renewed through an expansion 5 days late at 35k -> min(35,25)=25k.
		{ContractStart: day("2024-10-01"), RenewalDate: day("2026-10-01"),
			Ledger: []LedgerEntry{entry("2024-10-01", 25, KindNew), entry("2025-10-06", 35, KindExpansion)}},
	}
	r := RenewalsOf(accounts, window2025)
	// Due: R1 R2 R3 R4 R5 R6 R8 = 7; renewed: R1 R2 R5 R6 R8 = 5.
	if r.Due != 7 || r.Renewed != 5 {
		t.Fatalf("due %d renewed %d, want 7 and 5", r.Due, r.Renewed)
	}
	checkRatio(t, "logo renewal rate", r.Rate, 5.0/7) // 0.7143
	// Due ARR: 100+50+30+20+40+80+25 = 345k.
	if r.DueARRCents != kd(345) {
		t.Errorf("due ARR %d, want 345k", r.DueARRCents)
	}
	// Renewed ARR, capped: 100 (not 110) + 50 + 40 + 60 + 25 (not 35) = 275k.
	if r.RenewedARRCents != kd(275) {
		t.Errorf("renewed ARR %d, want 275k", r.RenewedARRCents)
	}
	checkRatio(t, "gross dollar renewal rate", r.GrossDollarRenewalRate, 275.0/345) // 0.7971
}

func TestRenewalWindow(t *testing.T) {
	// One account, 100k, due 2025-06-15; a single entry of the given kind and date.
	tests := []struct {
		name    string
		date    string
		kind    LedgerKind
		k       int64
		renewed bool
	}{
		{"renewal on the due date", "2025-06-15", KindRenewal, 100, true},
		{"renewal 30 days after (2025-07-15)", "2025-07-15", KindRenewal, 100, true},
		{"renewal 31 days after (2025-07-16)", "2025-07-16", KindRenewal, 100, false},
		{"renewal 30 days before (2025-05-16)", "2025-05-16", KindRenewal, 100, true},
		{"renewal 31 days before (2025-05-15)", "2025-05-15", KindRenewal, 100, false},
		{"expansion 10 days after counts as renewal", "2025-06-25", KindExpansion, 130, true},
		{"expansion 30 days before counts as renewal", "2025-05-16", KindExpansion, 100, true},
		{"a contraction is not a renewal", "2025-06-15", KindContraction, 80, false},
		{"a new entry is not a renewal", "2025-06-15", KindNew, 100, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := KPIAccount{
				ContractStart: day("2024-06-15"),
				RenewalDate:   day("2026-06-15"),
				Ledger:        []LedgerEntry{entry("2024-06-15", 100, KindNew), entry(tc.date, tc.k, tc.kind)},
			}
			r := RenewalsOf([]KPIAccount{a}, window2025)
			if r.Due != 1 || r.DueARRCents != kd(100) {
				t.Fatalf("due %d at %d, want 1 at 100k", r.Due, r.DueARRCents)
			}
			want := 0
			if tc.renewed {
				want = 1
			}
			if r.Renewed != want {
				t.Errorf("renewed %d, want %d", r.Renewed, want)
			}
			checkRatio(t, "rate", r.Rate, float64(want))
		})
	}
}

func TestRenewalNotCountedWhenChurned(t *testing.T) {
	// Renewed on time in 2025-03, then churned in 2025-11: the account is churned at
	// the window's end, so SPEC's "account not churned" fails.
	ledger := []LedgerEntry{entry("2024-03-01", 100, KindNew), entry("2025-03-01", 100, KindRenewal), entry("2025-11-01", 0, KindChurn)}
	tests := []struct {
		name    string
		churned bool
	}{
		{"churned flag set", true},
		{"ledger at 0 at window end, flag not set", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := KPIAccount{ContractStart: day("2024-03-01"), RenewalDate: day("2026-03-01"), Churned: tc.churned, Ledger: ledger}
			r := RenewalsOf([]KPIAccount{a}, window2025)
			if r.Due != 1 || r.Renewed != 0 || r.RenewedARRCents != 0 {
				t.Errorf("due %d renewed %d (%d), want 1 due, 0 renewed", r.Due, r.Renewed, r.RenewedARRCents)
			}
			checkRatio(t, "rate", r.Rate, 0)
			checkRatio(t, "GDRR", r.GrossDollarRenewalRate, 0)
		})
	}
}

// SPEC 4: "gross dollar renewal rate = ARR renewed, capped at the ARR that
// was due, / ARR due". When the renewal entry lands before the due date
// (allowed: within 30 days either side), the ARR that was due is still the
// ARR of the ending term, not the renewed ARR.
func TestRenewalEarlyEntryDueARR(t *testing.T) {
	tests := []struct {
		name            string
		kind            LedgerKind
		k               int64
		dueARR, renewed int64
		gdrr            float64
	}{
		// 100k due 2025-06-15, renewed 10 days early at 80k: 80/100 = 0.8.
		{"early renewal with a downsell", KindRenewal, 80, kd(100), kd(80), 0.8},
		// 100k due, renewed 10 days early at 120k: capped min(120,100)=100 -> 100/100 = 1.
		{"early renewal with an uplift", KindRenewal, 120, kd(100), kd(100), 1},
		// 100k due, expansion 10 days early to 150k: capped at 100 -> 1.
		{"early expansion", KindExpansion, 150, kd(100), kd(100), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := KPIAccount{
				ContractStart: day("2024-06-15"),
				RenewalDate:   day("2026-06-15"),
				Ledger:        []LedgerEntry{entry("2024-06-15", 100, KindNew), entry("2025-06-05", tc.k, tc.kind)},
			}
			r := RenewalsOf([]KPIAccount{a}, window2025)
			if r.Due != 1 || r.Renewed != 1 {
				t.Fatalf("due %d renewed %d, want 1 and 1", r.Due, r.Renewed)
			}
			if r.DueARRCents != tc.dueARR || r.RenewedARRCents != tc.renewed {
				t.Errorf("due ARR %d renewed ARR %d, want %d and %d", r.DueARRCents, r.RenewedARRCents, tc.dueARR, tc.renewed)
			}
			checkRatio(t, "gross dollar renewal rate", r.GrossDollarRenewalRate, tc.gdrr)
		})
	}
}

func TestRenewalsEmpty(t *testing.T) {
	tests := []struct {
		name     string
		accounts []KPIAccount
	}{
		{"no accounts", nil},
		{"nothing due in the window", []KPIAccount{
			{ContractStart: day("2025-02-01"), RenewalDate: day("2026-02-01"), Ledger: []LedgerEntry{entry("2025-02-01", 10, KindNew)}},
			{Ledger: []LedgerEntry{entry("2024-02-01", 10, KindNew)}}, // no renewal date
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := RenewalsOf(tc.accounts, window2025)
			if r.Due != 0 || r.Renewed != 0 || r.DueARRCents != 0 || r.RenewedARRCents != 0 {
				t.Errorf("%+v, want nothing due", r)
			}
			checkNA(t, "renewal rate", r.Rate)
			checkNA(t, "gross dollar renewal rate", r.GrossDollarRenewalRate)
		})
	}
}

func opts(vs ...int) []Opt {
	out := make([]Opt, len(vs))
	for i, v := range vs {
		if v >= 0 {
			out[i] = Some(v)
		}
	}
	return out
}

// absent marks a missing response in opts.
const absent = -1

func TestNPSOf(t *testing.T) {
	tests := []struct {
		name                               string
		in                                 []Opt
		n, promoters, passives, detractors int
		score                              float64
		ok                                 bool
	}{
		{"one of each band edge: (2-2)/6 = 0", opts(10, 9, 8, 7, 6, 0, absent), 6, 2, 2, 2, 0, true},
		{"3 promoters of 4: (3-0)/4 = 75", opts(9, 9, 9, 7), 4, 3, 1, 0, 75, true},
		{"(3 promoters - 1 detractor)/5 = 40", opts(10, 9, 9, 8, 3), 5, 3, 1, 1, 40, true},
		{"all detractors: -100", opts(0, 6), 2, 0, 0, 2, -100, true},
		{"one promoter: 100", opts(10), 1, 1, 0, 0, 100, true},
		{"only passives: 0 of 2 = 0", opts(7, 8), 2, 0, 2, 0, 0, true},
		{"(1-2)/3 = -33.33", opts(9, 6, 5), 3, 1, 0, 2, -100.0 / 3, true},
		{"absent responses are skipped: (1-0)/2 = 50", opts(absent, 9, absent, 8), 2, 1, 1, 0, 50, true},
		{"none: n/a", nil, 0, 0, 0, 0, 0, false},
		{"only absent: n/a", opts(absent, absent), 0, 0, 0, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NPSOf(tc.in)
			if r.Responses != tc.n || r.Promoters != tc.promoters || r.Passives != tc.passives || r.Detractors != tc.detractors {
				t.Errorf("counts %d/%d/%d of %d, want %d/%d/%d of %d",
					r.Promoters, r.Passives, r.Detractors, r.Responses, tc.promoters, tc.passives, tc.detractors, tc.n)
			}
			if tc.ok {
				checkRatio(t, "NPS", r.Score, tc.score)
			} else {
				checkNA(t, "NPS", r.Score)
			}
		})
	}
}

func TestCSATOf(t *testing.T) {
	tests := []struct {
		name      string
		in        []Opt
		n         int
		top, mean float64
		ok        bool
	}{
		{"one of each: top 2/5 = 0.4, mean 15/5 = 3", opts(5, 4, 3, 2, 1), 5, 0.4, 3, true},
		{"5,5,4 + absent: top 3/3 = 1, mean 14/3 = 4.667", opts(5, 5, 4, absent), 3, 1, 14.0 / 3, true},
		{"3,3: top 0, mean 3", opts(3, 3), 2, 0, 3, true},
		{"4,1,1,1: top 1/4 = 0.25, mean 7/4 = 1.75", opts(4, 1, 1, 1), 4, 0.25, 1.75, true},
		{"none: n/a", nil, 0, 0, 0, false},
		{"only absent: n/a", opts(absent), 0, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := CSATOf(tc.in)
			if r.Responses != tc.n {
				t.Errorf("responses %d, want %d", r.Responses, tc.n)
			}
			if tc.ok {
				checkRatio(t, "top-two-box", r.TopTwoBox, tc.top)
				checkRatio(t, "mean", r.Mean, tc.mean)
			} else {
				checkNA(t, "top-two-box", r.TopTwoBox)
				checkNA(t, "mean", r.Mean)
			}
		})
	}
}

func TestRenewalsDue(t *testing.T) {
	today := day("2026-01-01")
	items := []DueItem{
		{today, kd(10), Green},               // due today: in 30/60/90
		{today.AddDays(30), kd(20), Yellow},  // day 30: in 30/60/90
		{today.AddDays(31), kd(30), Red},     // day 31: in 60/90
		{today.AddDays(60), kd(40), Green},   // day 60: in 60/90
		{today.AddDays(61), kd(50), Unknown}, // day 61: in 90
		{today.AddDays(90), kd(60), Red},     // day 90: in 90
		{today.AddDays(91), kd(70), Green},   // day 91: outside
		{today.AddDays(-1), kd(80), Yellow},  // overdue: excluded
		{0, kd(90), Red},                     // no renewal date: excluded
	}
	got := RenewalsDue(items, today)
	type bd = BandDue
	want := []struct {
		days   int
		count  int
		arr    int64
		byBand map[Band]BandDue
	}{
		// 30: today 10 + day-30 20 = 2 accounts, 30k.
		{30, 2, kd(30), map[Band]BandDue{Green: bd{1, kd(10)}, Yellow: bd{1, kd(20)}, Red: {}, Unknown: {}}},
		// 60: + day-31 30 + day-60 40 = 4 accounts, 100k.
		{60, 4, kd(100), map[Band]BandDue{Green: bd{2, kd(50)}, Yellow: bd{1, kd(20)}, Red: bd{1, kd(30)}, Unknown: {}}},
		// 90: + day-61 50 + day-90 60 = 6 accounts, 210k.
		{90, 6, kd(210), map[Band]BandDue{Green: bd{2, kd(50)}, Yellow: bd{1, kd(20)}, Red: bd{2, kd(90)}, Unknown: bd{1, kd(50)}}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d buckets, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Days != w.days || g.Count != w.count || g.ARRCents != w.arr {
			t.Errorf("bucket %d: %d days, %d accounts, %d; want %d days, %d, %d", i, g.Days, g.Count, g.ARRCents, w.days, w.count, w.arr)
		}
		for _, b := range Bands {
			if gb, ok := g.ByBand[b]; !ok || gb != w.byBand[b] {
				t.Errorf("%d days, %s: %+v (present %v), want %+v", w.days, b, gb, ok, w.byBand[b])
			}
		}
		var n int
		var arr int64
		for _, gb := range g.ByBand {
			n += gb.Count
			arr += gb.ARRCents
		}
		if n != g.Count || arr != g.ARRCents {
			t.Errorf("%d days: bands sum to %d / %d, total %d / %d", w.days, n, arr, g.Count, g.ARRCents)
		}
	}

	// Nothing due: three zero buckets with every band present.
	for _, b := range RenewalsDue(nil, today) {
		if b.Count != 0 || b.ARRCents != 0 || len(b.ByBand) != len(Bands) {
			t.Errorf("empty: %+v", b)
		}
	}
}

func TestLedgerKindValid(t *testing.T) {
	for _, k := range LedgerKinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
	}
	if LedgerKind("refund").Valid() {
		t.Error("refund is valid")
	}
}
