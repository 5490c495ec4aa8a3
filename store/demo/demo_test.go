package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// A fixed "now" keeps every test independent of the wall clock:
// Wednesday 2026-03-18, 10:30 UTC.
var (
	testNow   = time.Date(2026, time.March, 18, 10, 30, 0, 0, time.UTC)
	testToday = metrics.DateOf(testNow)
)

func writeDemo(t testing.TB, opt Options) (string, Summary) {
	t.Helper()
	if opt.Today.IsZero() {
		opt.Today = testToday
	}
	if opt.Now.IsZero() {
		opt.Now = testNow
	}
	path := filepath.Join(t.TempDir(), "demo.db")
	sum, err := Write(path, opt)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return path, sum
}

func load(t testing.TB, path string) *portfolio.Portfolio {
	t.Helper()
	p, err := portfolio.Load(path, store.Options{}, testToday, testNow)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return p
}

func TestDeterministic(t *testing.T) {
	p1, s1 := writeDemo(t, Options{Seed: 7})
	p2, s2 := writeDemo(t, Options{Seed: 7})
	if s1 != s2 {
		t.Fatalf("summaries differ: %+v vs %+v", s1, s2)
	}
	a, b := load(t, p1), load(t, p2)
	if !reflect.DeepEqual(a.KPIs, b.KPIs) {
		t.Errorf("KPIs differ:\n%+v\n%+v", a.KPIs, b.KPIs)
	}
	if !reflect.DeepEqual(a.Members, b.Members) {
		t.Error("members differ")
	}
	if len(a.Accounts) != len(b.Accounts) {
		t.Fatalf("account counts differ: %d vs %d", len(a.Accounts), len(b.Accounts))
	}
	for i := range a.Accounts {
		if !reflect.DeepEqual(a.Accounts[i], b.Accounts[i]) {
			t.Fatalf("account %d differs:\n%+v\n%+v", i, a.Accounts[i].Account, b.Accounts[i].Account)
		}
	}
	if !reflect.DeepEqual(a.Escalations, b.Escalations) {
		t.Error("escalations differ")
	}
	// The full content, record by record, including ledgers, snapshots,
	// activities and timelines.
	if d1, d2 := dump(t, p1), dump(t, p2); d1 != d2 {
		t.Error("database contents differ")
	}

	// A different seed gives a different book.
	p3, _ := writeDemo(t, Options{Seed: 8})
	if dump(t, p1) == dump(t, p3) {
		t.Error("seeds 7 and 8 gave the same content")
	}
}

// dump renders every record of the database as text.
func dump(t testing.TB, path string) string {
	t.Helper()
	var out []byte
	err := store.View(path, store.Options{}, func(tx *store.Tx) error {
		ms, err := tx.Members()
		if err != nil {
			return err
		}
		out = fmt.Appendf(out, "%+v\n", ms)
		as, err := tx.Accounts()
		if err != nil {
			return err
		}
		for _, a := range as {
			ov := a.Override
			a.Override = nil // a pointer would print as an address
			out = fmt.Appendf(out, "%+v %+v\n", a, ov)
			h, err := tx.SnapshotHistory(a.ID)
			if err != nil {
				return err
			}
			out = fmt.Appendf(out, "%+v\n", h)
			acts, err := tx.Activities(a.ID, 0)
			if err != nil {
				return err
			}
			out = fmt.Appendf(out, "%+v\n", acts)
		}
		if err := tx.ForEachLedger(func(l *store.LedgerEntry) error {
			out = fmt.Appendf(out, "%+v\n", *l)
			return nil
		}); err != nil {
			return err
		}
		es, err := tx.Escalations()
		if err != nil {
			return err
		}
		for _, e := range es {
			tl, err := tx.Timeline(e.ID)
			if err != nil {
				return err
			}
			out = fmt.Appendf(out, "%+v %+v\n", e, tl)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestDefaultShape(t *testing.T) {
	path, sum := writeDemo(t, Options{Seed: 1})
	p := load(t, path)
	cfg := p.Settings.Health
	k := p.KPIs
	t.Logf("summary %+v", sum)
	t.Logf("NRR %.3f GRR %.3f logo retention %.3f, cohort %d; renewal rate %.2f; bands %v; due %d/%d/%d; escalations %v breached %d; NPS %.0f CSAT %.2f",
		k.Retention.NRR.V, k.Retention.GRR.V, k.Retention.LogoRetention.V, k.Retention.CohortSize, k.Renewals.Rate.V,
		k.Bands, k.Due[0].Count, k.Due[1].Count, k.Due[2].Count, k.EscByStatus, k.BreachedEsc, k.NPS.Score.V, k.CSAT.TopTwoBox.V)

	// Team: one manager and five members of mixed roles.
	roles := map[store.Role]int{}
	for _, m := range p.Members {
		roles[m.Role]++
		if m.Email == "" || m.Name == "" {
			t.Errorf("member without name or email: %+v", m)
		}
	}
	if len(p.Members) != 6 || roles[store.RoleManager] != 1 || roles[store.RoleSeniorAM] == 0 || roles[store.RoleAccountManager] == 0 || roles[store.RoleCoordinator] == 0 {
		t.Errorf("members: %d, roles %v", len(p.Members), roles)
	}
	overdue := 0
	for _, r := range p.Team {
		if !r.Unassigned && r.DaysSinceOneOne > 21 {
			overdue++
		}
	}
	if overdue == 0 {
		t.Error("no overdue 1:1")
	}
	if sum.Members != 6 || sum.Accounts != DefaultAccounts || len(p.Accounts) != DefaultAccounts {
		t.Errorf("summary %+v, %d accounts loaded", sum, len(p.Accounts))
	}

	// Accounts.
	segs := map[metrics.Segment]int{}
	life := map[store.Lifecycle]int{}
	names := map[string]bool{}
	exts := map[string]bool{}
	var unassigned, noData, pipeline, plans, champChanged, liveOv, expiredOv, wide, emoji int
	for i := range p.Accounts {
		a := &p.Accounts[i]
		segs[a.Segment]++
		life[a.Lifecycle]++
		if names[a.Name] {
			t.Errorf("duplicate name %q", a.Name)
		}
		names[a.Name] = true
		if exts[a.ExternalID] || len(a.ExternalID) != 15 || a.ExternalID[:3] != "001" {
			t.Errorf("bad or duplicate external ID %q", a.ExternalID)
		}
		exts[a.ExternalID] = true
		if a.Name == "株式会社サクラ物流" {
			wide++
		}
		if a.Name == "Rocket 🚀 Labs" {
			emoji++
		}
		if a.Live && a.OwnerID == 0 {
			unassigned++
		}
		cfg := p.Settings.Health
		for _, c := range cfg.Score(a.HealthInputs(cfg), p.AsOf).Components {
			if !c.HasData {
				noData++
				break
			}
		}
		if a.PipelineCents > 0 {
			pipeline++
			if a.PipelineStage == "" {
				t.Errorf("%s: pipeline without stage", a.Name)
			}
		}
		if a.SuccessPlan != "" {
			plans++
		}
		if a.ChampionChanged {
			champChanged++
		}
		if a.ChampionName == "" || a.ChampionEmail == "" {
			t.Errorf("%s: no champion", a.Name)
		}
		if a.Override != nil {
			if a.Override.LiveOn(testToday) {
				liveOv++
			} else {
				expiredOv++
			}
		}
		if a.Lifecycle == store.Churned {
			if a.ARRCents != 0 {
				t.Errorf("%s: churned with ARR %d", a.Name, a.ARRCents)
			}
		} else {
			lo, hi := map[metrics.Segment][2]int64{
				metrics.Enterprise: {100_000_00, 1_200_000_00},
				metrics.MidMarket:  {20_000_00, 100_000_00},
				metrics.SMB:        {3_000_00, 20_000_00},
			}[a.Segment][0], map[metrics.Segment][2]int64{
				metrics.Enterprise: {100_000_00, 1_200_000_00},
				metrics.MidMarket:  {20_000_00, 100_000_00},
				metrics.SMB:        {3_000_00, 20_000_00},
			}[a.Segment][1]
			if a.ARRCents < lo || a.ARRCents >= hi {
				t.Errorf("%s: %s ARR %d out of range", a.Name, a.Segment, a.ARRCents)
			}
			if a.RenewalDate <= testToday && a.RenewalDate < testToday.AddDays(-30) {
				t.Errorf("%s: renewal date %s long past", a.Name, a.RenewalDate)
			}
		}
	}
	for _, s := range metrics.Segments {
		if segs[s] == 0 {
			t.Errorf("no %s accounts", s)
		}
	}
	if life[store.Onboarding] == 0 || life[store.Churned] == 0 || life[store.Active] < 100 {
		t.Errorf("lifecycles %v", life)
	}
	if unassigned < 1 || unassigned > 2 || k.UnassignedLive != unassigned {
		t.Errorf("unassigned live accounts: %d (KPI %d)", unassigned, k.UnassignedLive)
	}
	if noData == 0 {
		t.Error("no account with a component without data")
	}
	if pipeline == 0 || plans < len(p.Accounts)/2 || champChanged == 0 {
		t.Errorf("pipeline %d, success plans %d, champion changed %d", pipeline, plans, champChanged)
	}
	if liveOv != 1 || expiredOv != 1 {
		t.Errorf("overrides: %d live, %d expired", liveOv, expiredOv)
	}
	if wide != 1 || emoji != 1 {
		t.Errorf("wide-character names: CJK %d, emoji %d", wide, emoji)
	}

	// Bands.
	for _, b := range []metrics.Band{metrics.Green, metrics.Yellow, metrics.Red} {
		if k.Bands[b] == 0 {
			t.Errorf("no %s account: %v", b, k.Bands)
		}
	}
	// Renewals.
	for _, d := range k.Due {
		if d.Count == 0 {
			t.Errorf("no renewal due in %d days", d.Days)
		}
	}
	// Escalations: every severity and status, some breached, some new.
	sevs := map[string]int{}
	for _, e := range p.Escalations {
		sevs[e.Severity]++
		want := e.CreatedAt.Add(time.Duration(cfg.SLA.For(e.Severity)) * time.Hour)
		if !e.SLADue.Equal(want) {
			t.Errorf("escalation %d: SLA due %s, want %s", e.ID, e.SLADue, want)
		}
		if e.CreatedAt.After(testNow) || e.UpdatedAt.After(testNow) || e.ResolvedAt.After(testNow) {
			t.Errorf("escalation %d in the future", e.ID)
		}
		if e.Open() != e.ResolvedAt.IsZero() {
			t.Errorf("escalation %d: status %s, resolved at %s", e.ID, e.Status, e.ResolvedAt)
		}
	}
	for _, s := range store.Severities {
		if sevs[s] == 0 {
			t.Errorf("no %s escalation", s)
		}
	}
	for _, s := range store.Statuses {
		if k.EscByStatus[s] == 0 {
			t.Errorf("no %s escalation: %v", s, k.EscByStatus)
		}
	}
	if len(p.Escalations) < 10 || len(p.Escalations) > 20 {
		t.Errorf("%d escalations", len(p.Escalations))
	}
	if k.BreachedEsc < 2 || k.BreachedEsc == k.OpenEsc {
		t.Errorf("breached %d of %d open", k.BreachedEsc, k.OpenEsc)
	}
	if len(p.Review.NewEsc) == 0 {
		t.Error("no escalation in the last 7 days")
	}

	// Snapshots: the 13 weeks before this week, not this week.
	thisWeek := metrics.WeekOf(testToday)
	if p.Review.CurrentWeekSnapped {
		t.Error("the current week has a snapshot")
	}
	if p.Review.ComparedWithWeek != thisWeek.Prev() {
		t.Errorf("compared with %s, want %s", p.Review.ComparedWithWeek, thisWeek.Prev())
	}
	var weeks []metrics.Week
	var detail portfolio.Detail
	err := store.View(path, store.Options{}, func(tx *store.Tx) error {
		weeks = tx.SnapshotWeeks()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w := thisWeek
	for i := len(weeks) - 1; i >= 0; i-- {
		w = w.Prev()
		if weeks[i] != w {
			t.Errorf("snapshot weeks %v: want the 13 weeks before %s", weeks, thisWeek)
			break
		}
	}
	if len(weeks) != 13 {
		t.Errorf("%d snapshot weeks", len(weeks))
	}
	// Trends: some band worsened, some fell 10+, some rose.
	var worse, fell, rose int
	for _, i := range p.Review.Worsened {
		a := &p.Accounts[i]
		if a.Health.Band.Worse(a.Prev.Band) {
			worse++
		}
		if a.Trend.OK && a.Trend.Delta <= -10 {
			fell++
		}
	}
	for i := range p.Accounts {
		if a := &p.Accounts[i]; a.Trend.OK && a.Trend.Delta >= 5 {
			rose++
		}
	}
	if worse == 0 || fell == 0 || rose == 0 {
		t.Errorf("trends: %d worsened band, %d fell 10+, %d rose 5+", worse, fell, rose)
	}
	t.Logf("review: %d worsened (%d band, %d fell 10+), %d rose 5+, %d untouched, %d entered renewal", len(p.Review.Worsened), worse, fell, rose, len(p.Review.Untouched), len(p.Review.EnteredRenewal))

	// Ledger: the last entry is the account's ARR; churned ones end in a
	// churn entry.
	for i := range p.Accounts {
		a := &p.Accounts[i]
		detail, err = portfolio.LoadDetail(path, store.Options{}, a.ID, testToday)
		if err != nil {
			t.Fatal(err)
		}
		if a.Health.Score != detail.Health.Score {
			t.Errorf("%s: detail score %d vs %d", a.Name, detail.Health.Score, a.Health.Score)
		}
		for _, act := range detail.Activities {
			if act.At.After(testNow) {
				t.Errorf("%s: activity in the future: %+v", a.Name, act)
			}
		}
		if a.Health.Band != metrics.Unknown && a.Live && len(detail.Activities) == 0 {
			t.Errorf("%s: no activities", a.Name)
		}
		// The log agrees with the account's last touch and last QBR.
		var touch, qbr metrics.Date
		for _, act := range detail.Activities {
			d := metrics.DateOf(act.At)
			switch act.Kind {
			case store.ActQBR:
				qbr = max(qbr, d)
				fallthrough
			case store.ActCall, store.ActEmail, store.ActMeeting:
				touch = max(touch, d)
			}
		}
		if touch != a.LastTouch || qbr != a.LastQBR {
			t.Errorf("%s: activities touch %s / QBR %s, account %s / %s", a.Name, touch, qbr, a.LastTouch, a.LastQBR)
		}
	}
	err = store.View(path, store.Options{}, func(tx *store.Tx) error {
		for i := range p.Accounts {
			a := &p.Accounts[i]
			l, err := tx.Ledger(a.ID)
			if err != nil {
				return err
			}
			if len(l) == 0 || l[0].Date != a.ContractStart || l[0].Kind != metrics.KindNew {
				t.Errorf("%s: ledger does not start at the contract start: %+v", a.Name, l)
				continue
			}
			last := l[len(l)-1]
			if last.ARRCents != a.ARRCents {
				t.Errorf("%s: ledger ends at %d, account ARR %d", a.Name, last.ARRCents, a.ARRCents)
			}
			if (a.Lifecycle == store.Churned) != (last.Kind == metrics.KindChurn) {
				t.Errorf("%s: lifecycle %s, last ledger entry %s", a.Name, a.Lifecycle, last.Kind)
			}
			for _, e := range l[1:] {
				if e.Date < testToday.AddMonths(-15) || e.Date > testToday {
					t.Errorf("%s: ledger entry outside 15 months: %+v", a.Name, e)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRetentionAcrossSeeds(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		path, _ := writeDemo(t, Options{Seed: seed})
		k := load(t, path).KPIs
		nrr, grr := k.Retention.NRR, k.Retention.GRR
		t.Logf("seed %d: NRR %.3f GRR %.3f bands %v due %d/%d/%d", seed, nrr.V, grr.V, k.Bands, k.Due[0].Count, k.Due[1].Count, k.Due[2].Count)
		if !nrr.OK || nrr.V < 1.00 || nrr.V > 1.20 {
			t.Errorf("seed %d: NRR %.3f outside 1.00..1.20", seed, nrr.V)
		}
		if !grr.OK || grr.V < 0.85 || grr.V > 0.96 {
			t.Errorf("seed %d: GRR %.3f outside 0.85..0.96", seed, grr.V)
		}
	}
}

func TestLargerBook(t *testing.T) {
	path, sum := writeDemo(t, Options{Accounts: 5000, Seed: 42})
	p := load(t, path)
	k := p.KPIs
	t.Logf("summary %+v; NRR %.3f GRR %.3f bands %v due %d/%d/%d escalations %v", sum, k.Retention.NRR.V, k.Retention.GRR.V, k.Bands, k.Due[0].Count, k.Due[1].Count, k.Due[2].Count, k.EscByStatus)
	if nrr := k.Retention.NRR.V; nrr < 1.00 || nrr > 1.20 {
		t.Errorf("NRR %.3f outside 1.00..1.20", nrr)
	}
	if grr := k.Retention.GRR.V; grr < 0.85 || grr > 0.96 {
		t.Errorf("GRR %.3f outside 0.85..0.96", grr)
	}
	if sum.Accounts != 5000 || len(p.Accounts) != 5000 {
		t.Errorf("%d accounts", len(p.Accounts))
	}
	if sum.Members < 150 || sum.Members > 200 {
		t.Errorf("%d members for 5,000 accounts", sum.Members)
	}
	if sum.Escalations != 500 {
		t.Errorf("%d escalations", sum.Escalations)
	}
	// Renewals due: roughly 8%, 16% and 25% of the live book.
	live := float64(k.LiveAccounts)
	for i, want := range []float64{0.08, 0.16, 0.25} {
		got := float64(k.Due[i].Count) / live
		if got < want*0.7 || got > want*1.3 {
			t.Errorf("renewals due in %d days: %.1f%% of the book, want about %.0f%%", k.Due[i].Days, got*100, want*100)
		}
	}
	// Capacity: the team is sized for the book.
	over := 0
	for _, r := range p.Team {
		if r.OverCapacity {
			over++
		}
	}
	if over > len(p.Team)/2 {
		t.Errorf("%d of %d members over capacity", over, len(p.Team))
	}
	names := map[string]bool{}
	for i := range p.Accounts {
		if names[p.Accounts[i].Name] {
			t.Fatalf("duplicate name %q", p.Accounts[i].Name)
		}
		names[p.Accounts[i].Name] = true
	}
}

func TestSmallBooks(t *testing.T) {
	for _, n := range []int{1, 3, 12} {
		path, sum := writeDemo(t, Options{Accounts: n, Seed: 3})
		p := load(t, path)
		if len(p.Accounts) != n || sum.Accounts != n {
			t.Errorf("%d accounts: loaded %d", n, len(p.Accounts))
		}
	}
}

// BenchmarkWrite100k times a 100,000-account demo (13 snapshots per account,
// the 15-month ledger, activities and escalations): run it with
// go test ./store/demo -run '^$' -bench Write100k -benchtime 1x
func BenchmarkWrite100k(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, "demo.db")
		sum, err := Write(path, Options{Accounts: 100_000, Seed: int64(i + 1), Today: testToday, Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// The retention KPIs hold at this size too, for every seed run.
		k := load(b, path).KPIs
		nrr, grr := k.Retention.NRR.V, k.Retention.GRR.V
		if nrr < 1.00 || nrr > 1.20 || grr < 0.85 || grr > 0.96 {
			b.Errorf("100k accounts, seed %d: NRR %.3f, GRR %.3f", i+1, nrr, grr)
		}
		if i == 0 {
			b.ReportMetric(float64(sum.Snapshots), "snapshots/op")
			b.ReportMetric(float64(sum.LedgerEntries), "ledger/op")
			b.ReportMetric(nrr, "NRR")
			b.ReportMetric(grr, "GRR")
		}
		if err := os.Remove(path); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func TestRefusesAFilledDatabase(t *testing.T) {
	path, _ := writeDemo(t, Options{Accounts: 20, Seed: 1})
	before := dump(t, path)
	if _, err := Write(path, Options{Accounts: 20, Seed: 2, Today: testToday, Now: testNow}); err == nil {
		t.Fatal("Write into a filled database succeeded")
	}
	if dump(t, path) != before {
		t.Error("a refused Write changed the database")
	}
}

func TestZeroOptionsUseTheClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	sum, err := Write(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accounts != DefaultAccounts || sum.Members != 6 || sum.Escalations == 0 {
		t.Errorf("summary %+v", sum)
	}
	now := time.Now()
	p, err := portfolio.Load(path, store.Options{}, portfolio.Today(now), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Review.ComparedWithWeek != metrics.WeekOf(portfolio.Today(now)).Prev() {
		t.Errorf("compared with %s", p.Review.ComparedWithWeek)
	}
}

// The demo dates its accounts' health inputs so the review's stale data
// means something: most live accounts within the last 7 days, about 4%
// between 31 and 120 days ago, red ones among them and at least one that
// worsened this week (the review marks it stale); nothing older than its
// account or newer than now, in the default book and a larger one.
func TestInputsDates(t *testing.T) {
	for _, n := range []int{0, 2000} {
		path, _ := writeDemo(t, Options{Seed: 1, Accounts: n})
		p := load(t, path)
		live, recent, stale, staleRed := 0, 0, 0, 0
		for i := range p.Accounts {
			a := &p.Accounts[i]
			if a.InputsAt.IsZero() || a.InputsAt.After(testNow) || a.InputsAt.Before(a.CreatedAt) || a.UpdatedAt.Before(a.InputsAt) {
				t.Errorf("%s: inputs dated %v, created %v, updated %v, now %v", a.Name, a.InputsAt, a.CreatedAt, a.UpdatedAt, testNow)
			}
			if !a.Live {
				continue
			}
			live++
			age, _ := portfolio.InputsAge(&a.Account, testToday)
			switch {
			case age <= 7:
				recent++
			case age <= 30:
				// A brand-new account without data: dated when it was
				// created, days ago.
				if a.Health.Band != metrics.Unknown {
					t.Errorf("%s: inputs %d days old, neither within a week nor 31-120 days", a.Name, age)
				}
			case age >= 31 && age <= 120:
				stale++
				if a.Health.Band == metrics.Red {
					staleRed++
				}
			default:
				t.Errorf("%s: inputs %d days old, neither within a week nor 31-120 days", a.Name, age)
			}
			if a.StaleInputs != (age > 30) {
				t.Errorf("%s: %d days old, StaleInputs %v", a.Name, age, a.StaleInputs)
			}
		}
		share := float64(stale) / float64(live)
		t.Logf("%d accounts: %d live, %d within 7 days, %d stale (%.1f%%), %d of them red", len(p.Accounts), live, recent, stale, 100*share, staleRed)
		if share < 0.03 || share > 0.05 || staleRed < 3 || len(p.Review.Stale) != stale || float64(recent) < 0.9*float64(live) {
			t.Errorf("%d accounts: %d of %d live stale (%.1f%%), %d red, review lists %d; want about 4%%, 3+ red", len(p.Accounts), stale, live, 100*share, staleRed, len(p.Review.Stale))
		}
		worsenedStale := 0
		for _, i := range p.Review.Worsened {
			if p.Accounts[i].StaleInputs {
				worsenedStale++
			}
		}
		if worsenedStale == 0 {
			t.Errorf("%d accounts: no worsened account has stale inputs for the review to mark", len(p.Accounts))
		}
	}
}
