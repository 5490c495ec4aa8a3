package portfolio

import (
	"math/rand"
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
)

// The fixture's series, computed by hand from its ledger (portfolio_test.go):
// Acme 4.0M from 2024-01-10, 5.0M from 2025-09-10; Beta 3.5M from
// 2024-06-01, 3.0M from 2025-11-01; Gamma 2.0M from 2025-06-01; Delta 20M
// from 2023-01-01; India 3.0M from 2024-02-01, churned 2025-12-01. Echo,
// Foxtrot, Golf and Hotel (9.0M) have no ledger: their ARR throughout.
func TestTrendsFixture(t *testing.T) {
	p := Build(fixture(), asOf, now)
	tr := p.Trends(Scope{})

	if len(tr.Quarters) != TrendQuarters {
		t.Fatalf("%d quarters, want %d", len(tr.Quarters), TrendQuarters)
	}
	type q struct {
		label        string
		start, end   string
		cohort       int
		startARR     int64
		nrr, grr     float64
		undefinedNRR bool
	}
	want := map[int]q{
		// 2025-Q3: cohort at 2025-06-30 Acme 4, Beta 3.5, Gamma 2, Delta
		// 20, India 3 = 32.5M; at 09-30 Acme is 5: 33.5M, nothing lost.
		5: {"2025-Q3", "2025-07-01", "2025-09-30", 5, 32_500_000, 33.5 / 32.5, 1, false},
		// 2025-Q4: 33.5M at 09-30; Beta to 3.0, India to 0: 30M at 12-31.
		6: {"2025-Q4", "2025-10-01", "2025-12-31", 5, 33_500_000, 30 / 33.5, 30 / 33.5, false},
		// 2026-Q1 to date: India is out of the cohort; nothing moved.
		7: {"2026-Q1", "2026-01-01", "2026-03-18", 4, 30_000_000, 1, 1, false},
	}
	for i, w := range want {
		got := tr.Quarters[i]
		if got.Label != w.label || got.Start.String() != w.start || got.End.String() != w.end ||
			got.CohortAccounts != w.cohort || got.CohortStartARRCents != w.startARR {
			t.Errorf("quarter %d = %+v, want %+v", i, got, w)
			continue
		}
		if got.NRR == nil || !near(*got.NRR, w.nrr) || got.GRR == nil || !near(*got.GRR, w.grr) {
			t.Errorf("quarter %s NRR %v GRR %v, want %v %v", w.label, got.NRR, got.GRR, w.nrr, w.grr)
		}
	}
	if first := tr.Quarters[0]; first.Label != "2024-Q2" {
		t.Errorf("first quarter %s, want 2024-Q2", first.Label)
	}

	// The bridge over [2025-03-18, 2026-03-18]: 39.5M at the start (India
	// 3, Acme 4, Beta 3.5, Delta 20 and the unpriced 9), Gamma new 2,
	// Acme +1, Beta -0.5, India churned 3: 39M, the report's ARR.
	b := tr.Bridge
	wantB := ARRBridge{Start: mustDate("2025-03-18"), End: asOf, StartCents: 39_500_000, NewCents: 2_000_000,
		ExpansionCents: 1_000_000, ContractionCents: 500_000, ChurnCents: 3_000_000, EndCents: 39_000_000}
	if b != wantB {
		t.Errorf("bridge = %+v\nwant     %+v", b, wantB)
	}
	if b.EndCents != p.KPIs.ARRCents {
		t.Errorf("bridge ends at %d, the ARR at the window's end is %d", b.EndCents, p.KPIs.ARRCents)
	}
	if b.ExpansionCents != p.KPIs.Retention.ExpansionCents || b.ContractionCents != p.KPIs.Retention.ContractionCents ||
		b.ChurnCents != p.KPIs.Retention.ChurnedCents {
		t.Errorf("bridge steps %+v differ from the KPIs' %+v", b, p.KPIs.Retention)
	}

	if len(tr.ARRMonths) != TrendMonths {
		t.Fatalf("%d months", len(tr.ARRMonths))
	}
	for i, w := range map[int]MonthARR{
		11: {Month: "2026-03", End: asOf, Accounts: 8, ARRCents: 39_000_000},
		8:  {Month: "2025-12", End: mustDate("2025-12-31"), Accounts: 8, ARRCents: 39_000_000},
		7:  {Month: "2025-11", End: mustDate("2025-11-30"), Accounts: 9, ARRCents: 42_000_000},
		0:  {Month: "2025-04", End: mustDate("2025-04-30"), Accounts: 8, ARRCents: 39_500_000},
	} {
		if tr.ARRMonths[i] != w {
			t.Errorf("month %d = %+v, want %+v", i, tr.ARRMonths[i], w)
		}
	}

	// Escalations: at now (W12) e1-e4 open, e1 and e4 past SLA; at the
	// end of W11's Sunday (60 hours before now) e1, e2, e4 and e5 open,
	// e5 past its SLA.
	ew := tr.EscalationWeeks
	if len(ew) != TrendWeeks {
		t.Fatalf("%d escalation weeks", len(ew))
	}
	if got := ew[12]; got != (EscalationWeek{Week: "2026-W12", Open: 4, Breached: 2}) {
		t.Errorf("this week %+v", got)
	}
	if got := ew[11]; got != (EscalationWeek{Week: "2026-W11", Open: 4, Breached: 1}) {
		t.Errorf("last week %+v", got)
	}

	// Renewals: March from the 18th (none), April Foxtrot, May Beta, June
	// Echo, Hotel, Golf, Gamma, Delta.
	rm := tr.RenewalMonths
	if len(rm) != TrendRenewMonths || rm[0].Month != "2026-03" || rm[0].Start != asOf || rm[5].Month != "2026-08" {
		t.Fatalf("renewal months %+v", rm)
	}
	for i, w := range []struct {
		n   int
		arr int64
	}{{0, 0}, {1, 1_500_000}, {1, 3_000_000}, {5, 29_500_000}, {0, 0}, {0, 0}} {
		if rm[i].Count != w.n || rm[i].ARRCents != w.arr {
			t.Errorf("%s: %d renewals, %d, want %d, %d", rm[i].Month, rm[i].Count, rm[i].ARRCents, w.n, w.arr)
		}
		n, arr := 0, int64(0)
		for _, c := range metrics.ForecastCategories {
			n += rm[i].ByCategory[c].Count
			arr += rm[i].ByCategory[c].ARRCents
		}
		if n != w.n || arr != w.arr {
			t.Errorf("%s by category adds to %d, %d", rm[i].Month, n, arr)
		}
	}
	// Gamma yellow, Delta red, Echo red, Golf unknown, Hotel red (override).
	june := rm[3].ByBand
	if june[metrics.Red].Count != 3 || june[metrics.Yellow].Count != 1 || june[metrics.Unknown].Count != 1 || june[metrics.Green].Count != 0 {
		t.Errorf("June by band %+v", june)
	}
}

func TestTrendsScopes(t *testing.T) {
	p := Build(fixture(), asOf, now)
	amy, pool := mAmy, uint64(0)
	// Amy: Gamma, Delta, India. 2025-Q4 cohort Gamma 2, Delta 20, India 3
	// = 25M, 22M at the end.
	tr := p.Trends(Scope{Owner: &amy})
	if q := tr.Quarters[6]; q.CohortAccounts != 3 || q.CohortStartARRCents != 25_000_000 || !near(*q.NRR, 22.0/25) {
		t.Errorf("Amy's 2025-Q4 %+v", q)
	}
	if b := tr.Bridge; b.EndCents != 22_000_000 || b.ChurnCents != 3_000_000 || b.NewCents != 2_000_000 {
		t.Errorf("Amy's bridge %+v", b)
	}
	// Amy's open escalations now: e1 on Gamma (unowned: Amy's account).
	if ew := tr.EscalationWeeks[12]; ew.Open != 1 || ew.Breached != 1 {
		t.Errorf("Amy's escalations this week %+v", ew)
	}
	// The pool: Foxtrot (no owner) and Golf (Carl left): 4M, no ledger.
	tr = p.Trends(Scope{Owner: &pool})
	if m := tr.ARRMonths[11]; m.Accounts != 2 || m.ARRCents != 4_000_000 {
		t.Errorf("the pool's ARR %+v", m)
	}
	if q := tr.Quarters[7]; q.NRR != nil || q.CohortAccounts != 0 {
		t.Errorf("the pool's quarter %+v: no ledger, no cohort", q)
	}
	// e4 on Foxtrot, unowned: the pool's.
	if ew := tr.EscalationWeeks[12]; ew.Open != 1 {
		t.Errorf("the pool's escalations %+v", ew)
	}
	tr = p.Trends(Scope{AccountID: aAcme})
	if b := tr.Bridge; b.StartCents != 4_000_000 || b.ExpansionCents != 1_000_000 || b.EndCents != 5_000_000 {
		t.Errorf("Acme's bridge %+v", b)
	}
	if ew := tr.EscalationWeeks[12]; ew.Open != 1 || ew.Breached != 0 {
		t.Errorf("Acme's escalations %+v", ew)
	}
}

func TestLoadBandWeeks(t *testing.T) {
	raw := fixture()
	path := writeFixtureDB(t, raw)
	// Two more weeks: W10 all green, and this week (W12) with Acme red.
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		for _, id := range []uint64{aAcme, aBeta, aGamma} {
			if err := tx.PutSnapshot(&store.Snapshot{AccountID: id, Week: 202610, Score: 90, Band: metrics.Green}); err != nil {
				return err
			}
		}
		return tx.PutSnapshot(&store.Snapshot{AccountID: aAcme, Week: thisWeek, Score: 20, Band: metrics.Red})
	})
	if err != nil {
		t.Fatal(err)
	}
	p := Build(raw, asOf, now)
	got, err := LoadBandWeeks(path, opt0, p, Scope{}, 13)
	if err != nil {
		t.Fatal(err)
	}
	// W11 is the fixture's Prev: Acme, Beta, India green; Gamma, Echo
	// yellow; Delta red; Golf unknown.
	want := []BandWeek{
		{Week: "2026-W10", Green: 3},
		{Week: "2026-W11", Green: 3, Yellow: 2, Red: 1, Unknown: 1},
		{Week: "2026-W12", Red: 1},
	}
	if !equalBandWeeks(got, want) {
		t.Errorf("band weeks %+v, want %+v", got, want)
	}
	if got, _ := LoadBandWeeks(path, opt0, p, Scope{}, 2); !equalBandWeeks(got, want[1:]) {
		t.Errorf("the last two weeks %+v", got)
	}
	bob := mBob // Acme, Beta, Hotel
	if got, _ := LoadBandWeeks(path, opt0, p, Scope{Owner: &bob}, 13); !equalBandWeeks(got, []BandWeek{
		{Week: "2026-W10", Green: 2}, {Week: "2026-W11", Green: 2}, {Week: "2026-W12", Red: 1}}) {
		t.Errorf("Bob's band weeks %+v", got)
	}
	if got, _ := LoadBandWeeks(path, opt0, p, Scope{AccountID: aGamma}, 13); !equalBandWeeks(got, []BandWeek{
		{Week: "2026-W10", Green: 1}, {Week: "2026-W11", Yellow: 1}, {Week: "2026-W12"}}) {
		t.Errorf("Gamma's band weeks %+v", got)
	}
	// The day before this week: W12 is not yet.
	past := Build(raw, mustDate("2026-03-15"), now)
	if got, _ := LoadBandWeeks(path, opt0, past, Scope{}, 13); !equalBandWeeks(got, want[:2]) {
		t.Errorf("band weeks as of W11's Sunday %+v", got)
	}
}

func equalBandWeeks(a, b []BandWeek) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The comparison on the fixture, by hand (the ledger as in
// TestTrendsFixture).
func TestComparisonFixture(t *testing.T) {
	p := Build(fixture(), asOf, now)
	type fig struct {
		label          string
		start, end     string
		cohort         int
		startARR       int64
		nrr, grr       float64
		accounts       int
		arr, newCents  int64
		contr, churned int64
	}
	check := func(name string, got *PeriodFigures, w fig) {
		t.Helper()
		if got == nil {
			t.Errorf("%s: missing", name)
			return
		}
		if got.Label != w.label || got.Start.String() != w.start || got.End.String() != w.end || got.CohortAccounts != w.cohort ||
			got.CohortStartARRCents != w.startARR || got.Accounts != w.accounts || got.ARRCents != w.arr || got.NewCents != w.newCents ||
			got.ContractionCents != w.contr || got.ChurnedCents != w.churned {
			t.Errorf("%s = %+v\nwant %+v", name, *got, w)
		}
		if got.NRR == nil || !near(*got.NRR, w.nrr) || got.GRR == nil || !near(*got.GRR, w.grr) {
			t.Errorf("%s NRR %v GRR %v, want %v %v", name, got.NRR, got.GRR, w.nrr, w.grr)
		}
	}
	// Quarter over quarter. This quarter, from 2025-12-18: Acme 5, Beta
	// 3, Gamma 2, Delta 20 (India gone): 30M, unchanged. The one before,
	// from 2025-09-18: those and India 3, Beta 3.5: 33.5M; Beta -0.5M,
	// India churned: 30M, NRR = GRR = 30/33.5. A year earlier, from
	// 2024-12-18: Acme 4, Beta 3.5, Delta 20, India 3: 30.5M, unchanged.
	c := p.ReportWith(ReportOptions{Period: PeriodQuarter}).Comparison
	if c.Period != "quarter" {
		t.Errorf("period %q", c.Period)
	}
	check("this quarter", &c.Current, fig{"the 3 months to 2026-03-18", "2025-12-18", "2026-03-18", 4, 30_000_000, 1, 1, 8, 39_000_000, 0, 0, 0})
	check("the quarter before", &c.Previous, fig{"the 3 months to 2025-12-18", "2025-09-18", "2025-12-18", 5, 33_500_000, 30 / 33.5, 30 / 33.5, 8, 39_000_000, 0, 500_000, 3_000_000})
	check("a year earlier", c.YearAgo, fig{"the 3 months to 2025-03-18", "2024-12-18", "2025-03-18", 4, 30_500_000, 1, 1, 8, 39_500_000, 0, 0, 0})

	// Trailing 12 months: the current period is the headline's (cohort
	// 30.5M at 2025-03-18, 28M at the end, 27M kept); the one before,
	// from 2024-03-18: Acme 4, Delta 20, India 3 = 27M, unchanged, and
	// Beta (from 2024-06-01) new 3.5M. No separate year-ago period.
	r := p.ReportWith(ReportOptions{Period: PeriodTrailing12})
	c = r.Comparison
	check("these 12 months", &c.Current, fig{"the 12 months to 2026-03-18", "2025-03-18", "2026-03-18", 4, 30_500_000, 28 / 30.5, 27 / 30.5, 8, 39_000_000, 2_000_000, 500_000, 3_000_000})
	if *c.Current.NRR != *r.NRR || *c.Current.GRR != *r.GRR || *c.Current.RenewalRate != *r.RenewalRate {
		t.Errorf("the trailing-12 period differs from the headline: %+v", c.Current)
	}
	check("the 12 months before", &c.Previous, fig{"the 12 months to 2025-03-18", "2024-03-18", "2025-03-18", 3, 27_000_000, 1, 1, 8, 39_500_000, 3_500_000, 0, 0})
	if c.YearAgo != nil {
		t.Errorf("trailing-12 has a year-ago period: %+v", c.YearAgo)
	}

	// A month: nothing moved from 2026-01-18 to 2026-03-18.
	c = p.ReportWith(ReportOptions{Period: PeriodMonth}).Comparison
	check("this month", &c.Current, fig{"the month to 2026-03-18", "2026-02-18", "2026-03-18", 4, 30_000_000, 1, 1, 8, 39_000_000, 0, 0, 0})
	check("the month before", &c.Previous, fig{"the month to 2026-02-18", "2026-01-18", "2026-02-18", 4, 30_000_000, 1, 1, 8, 39_000_000, 0, 0, 0})

	// A ledger that starts inside the year-ago period has no year-ago
	// figures.
	raw := fixture()
	for id, l := range raw.Ledger {
		var kept []metrics.LedgerEntry
		for _, e := range l {
			if e.Date >= mustDate("2025-01-01") {
				kept = append(kept, e)
			}
		}
		raw.Ledger[id] = kept
	}
	if c := Build(raw, asOf, now).ReportWith(ReportOptions{}).Comparison; c.YearAgo != nil {
		t.Errorf("a ledger from 2025-01-01 has a year-ago period from 2024-12-18: %+v", c.YearAgo)
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]Period{"": PeriodQuarter, "quarter": PeriodQuarter, " Month ": PeriodMonth, "trailing-12": PeriodTrailing12} {
		if got, err := ParsePeriod(in); err != nil || got != want {
			t.Errorf("ParsePeriod(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParsePeriod("week"); err == nil || !strings.Contains(err.Error(), "quarter, month or trailing-12") {
		t.Errorf("ParsePeriod(week) = %v", err)
	}
}

// The summary on the fixture: a cohort of 4 accounts is said with its
// sample; targets below and met are said so.
func TestSummaryFixture(t *testing.T) {
	raw := fixture()
	nrr, grr := 1.05, 0.85
	raw.Settings.Targets = store.Targets{NRR: &nrr, GRR: &grr}
	r := Build(raw, asOf, now).Report()
	want := []string{
		"Over the 12 months to 2026-03-18, NRR was 91.8% (from 4 accounts; below its 105.0% target) and GRR 88.5% (from 4 accounts; meeting its 85.0% target); 1 of 9 renewals due renewed, a rate of 11.1%.",
		"For the 3 months to 2026-03-18, NRR was 100.0% (from 4 accounts) and GRR 100.0% (from 4 accounts), against 89.6% and 89.6% for the 3 months to 2025-12-18 (NRR up 10.4 points, GRR up 10.4 points); a year earlier NRR was 100.0% (from 4 accounts).",
		// Delta (red), Hotel (red), Beta, Gamma (yellow, renewing
		// within 90 days) and Echo (red); Golf has no band.
		"$300,000 of ARR is at risk in 5 accounts (76.9% of ARR), the largest in Delta ($200,000), Hotel ($40,000) and Beta ($30,000).",
		"No renewal is due in the rest of 2026-Q1.",
		"4 escalations are open, 2 past their SLA, against 0 at the end of 2025-W52.",
	}
	if strings.Join(r.Summary, "\n") != strings.Join(want, "\n") {
		t.Errorf("summary:\n%s\nwant:\n%s", strings.Join(r.Summary, "\n"), strings.Join(want, "\n"))
	}
	if len(r.TopARRAtRisk) != 3 || r.TopARRAtRisk[0].AccountID != aDelta || r.TopARRAtRisk[2].AccountID != aBeta {
		t.Errorf("top ARR at risk %+v", r.TopARRAtRisk)
	}
	if r.Targets.NRR == nil || *r.Targets.NRR != 1.05 || r.Targets.RenewalRate != nil {
		t.Errorf("targets %+v", r.Targets)
	}
}

// On random books (accounts that churn and come back, start inside the
// window, have no ledger), the series agree with the KPI formulas applied
// account by account, and the bridge leads from its start to its end.
func TestTrendsRandomBooks(t *testing.T) {
	rng := rand.New(rand.NewSource(1414))
	kinds := []metrics.LedgerKind{metrics.KindNew, metrics.KindRenewal, metrics.KindExpansion, metrics.KindContraction}
	for round := 0; round < 40; round++ {
		raw := Raw{Settings: store.DefaultSettings(), Ledger: map[uint64][]metrics.LedgerEntry{}}
		n := 1 + rng.Intn(60)
		for id := uint64(1); id <= uint64(n); id++ {
			a := store.Account{ID: id, Name: "A", Lifecycle: store.Active, RenewalDate: asOf.AddDays(rng.Intn(400) - 100)}
			var l []metrics.LedgerEntry
			d := asOf.AddDays(-900 + rng.Intn(300))
			for k := rng.Intn(7); k > 0 && d <= asOf; k-- {
				e := metrics.LedgerEntry{Date: d, ARRCents: int64(1+rng.Intn(50)) * 10_000, Kind: kinds[rng.Intn(len(kinds))]}
				if rng.Intn(4) == 0 {
					e.ARRCents, e.Kind = 0, metrics.KindChurn // and maybe back later
				}
				l = append(l, e)
				d = d.AddDays(1 + rng.Intn(200))
			}
			if len(l) > 0 {
				raw.Ledger[id] = l
				a.ARRCents = l[len(l)-1].ARRCents
				if a.ARRCents == 0 {
					a.Lifecycle = store.Churned
				}
			} else {
				a.ARRCents = int64(rng.Intn(20)) * 10_000
			}
			raw.Accounts = append(raw.Accounts, a)
		}
		p := Build(raw, asOf, now)
		tr := p.Trends(Scope{})
		b := tr.Bridge
		if b.StartCents+b.NewCents+b.ExpansionCents-b.ContractionCents-b.ChurnCents != b.EndCents || b.EndCents != p.KPIs.ARRCents {
			t.Fatalf("round %d: bridge %+v, ARR %d", round, b, p.KPIs.ARRCents)
		}
		r := p.KPIs.Retention
		if b.ExpansionCents != r.ExpansionCents || b.ContractionCents != r.ContractionCents || b.ChurnCents != r.ChurnedCents {
			t.Fatalf("round %d: bridge %+v, retention %+v", round, b, r)
		}
		var kas []metrics.KPIAccount
		for i := range p.Accounts {
			a := &p.Accounts[i]
			kas = append(kas, metrics.KPIAccount{Ledger: a.Ledger, ContractStart: a.ContractStart, RenewalDate: a.RenewalDate, Churned: !a.Live})
		}
		for k, w := range metrics.Quarters(asOf, TrendQuarters) {
			want := metrics.RetentionOf(kas, w)
			q := tr.Quarters[k]
			if q.CohortAccounts != want.CohortSize || q.CohortStartARRCents != want.StartARRCents || (q.NRR == nil) != !want.NRR.OK ||
				(q.NRR != nil && !near(*q.NRR, want.NRR.V)) || (q.GRR != nil && !near(*q.GRR, want.GRR.V)) {
				t.Fatalf("round %d quarter %s: %+v, want %+v", round, q.Label, q, want)
			}
		}
		c := p.ReportWith(ReportOptions{}).Comparison
		for _, f := range []*PeriodFigures{&c.Current, &c.Previous} {
			w := metrics.Window{Start: f.Start, End: f.End}
			want := metrics.RetentionOf(kas, w)
			if f.CohortAccounts != want.CohortSize || f.ExpansionCents != want.ExpansionCents || f.ChurnedCents != want.ChurnedCents {
				t.Fatalf("round %d %s: %+v, want %+v", round, f.Label, f, want)
			}
		}
		// The current period ends today: its renewals are the headline's
		// rule over its window.
		if want := metrics.RenewalsOf(kas, metrics.Window{Start: c.Current.Start, End: c.Current.End}); (c.Current.RenewalRate == nil) != !want.Rate.OK ||
			(c.Current.RenewalRate != nil && !near(*c.Current.RenewalRate, want.Rate.V)) {
			t.Fatalf("round %d: renewal rate %v, want %+v", round, c.Current.RenewalRate, want)
		}
		if last := tr.ARRMonths[len(tr.ARRMonths)-1]; last.ARRCents != p.KPIs.ARRCents || last.Accounts != p.KPIs.LiveAccounts {
			t.Fatalf("round %d: last month %+v, KPIs %d accounts %d", round, last, p.KPIs.LiveAccounts, p.KPIs.ARRCents)
		}
	}
}

// Comparison periods step back by whole calendar months counted from the
// day, a month's end standing for the end of a shorter month.
func TestComparisonPeriodsAtMonthEnd(t *testing.T) {
	win := func(ps []period) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.w.Start.String()+".."+p.w.End.String())
		}
		return out
	}
	for _, tc := range []struct {
		day  string
		per  Period
		want []string
	}{
		{"2026-05-31", PeriodQuarter, []string{"2026-02-28..2026-05-31", "2025-11-30..2026-02-28", "2025-02-28..2025-05-31"}},
		{"2026-03-31", PeriodMonth, []string{"2026-02-28..2026-03-31", "2026-01-31..2026-02-28", "2025-02-28..2025-03-31"}},
		{"2024-02-29", PeriodTrailing12, []string{"2023-03-01..2024-02-29", "2022-03-01..2023-03-01"}}, // the headline's window
	} {
		got := win(comparisonPeriods(mustDate(tc.day), tc.per))
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%s %s: %v, want %v", tc.per, tc.day, got, tc.want)
		}
	}
	if w := metrics.TrailingYear(mustDate("2024-02-29")); w.Start.String() != "2023-03-01" {
		t.Errorf("the headline window starts %s", w.Start)
	}
}
