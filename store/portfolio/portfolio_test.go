package portfolio

import (
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// The fixture's "today": Wednesday 2026-03-18, in ISO week 2026-W12. Its
// comparison snapshot is the week before, 2026-W11.
var (
	asOf     = mustDate("2026-03-18")
	now      = time.Date(2026, 3, 18, 12, 0, 0, 0, time.UTC)
	thisWeek = metrics.Week(202612)
	prevWeek = metrics.Week(202611)
)

func mustDate(s string) metrics.Date {
	d, err := metrics.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// in is the date n days after asOf (negative: before).
func in(n int) metrics.Date { return asOf.AddDays(n) }

// at is the instant h hours after now (negative: before).
func at(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// Fixture IDs. They are the IDs the store assigns when the records are
// inserted in slice order, so the same expectations hold for the DB tests.
const (
	mZoe  uint64 = 1 // manager
	mBob  uint64 = 2 // account manager, capacity 2 (over capacity)
	mAmy  uint64 = 3 // account manager
	mCarl uint64 = 4 // inactive

	aAcme    uint64 = 1 // Bob: green 100, rise +10, expired override
	aBeta    uint64 = 2 // Bob: yellow 64, was green 80 (band worse, -16), untouched 61 days
	aGamma   uint64 = 3 // Amy: yellow 45, was yellow 58 (-13), breached escalation, renewal in 87
	aDelta   uint64 = 4 // Amy: red 25 enterprise, qbr overdue, renewal in 91
	aEcho    uint64 = 5 // Zoe: red 38, was yellow 42 (band worse, -4), renewal in 83
	aFoxtrot uint64 = 6 // unassigned: green 91, breached escalation, champion changed
	aGolf    uint64 = 7 // Carl (inactive): no data at all, renewal in 90
	aHotel   uint64 = 8 // Bob: computed green 96, live override red, renewal in 84
	aIndia   uint64 = 9 // Amy: churned

	e1 uint64 = 1 // Gamma, high, open, unowned, breached, new
	e2 uint64 = 2 // Acme, critical, in_progress, owned by Zoe, old
	e3 uint64 = 3 // Hotel, low, waiting_client, unowned, new
	e4 uint64 = 4 // Foxtrot, medium, with_director, unowned, breached, old
	e5 uint64 = 5 // Delta, critical, resolved a day ago, new
	e6 uint64 = 6 // Gamma, low, resolved five days ago, old
)

func fixture() Raw {
	members := []store.Member{
		{ID: mZoe, Name: "Zoe Lead", Email: "zoe@example.com", Role: store.RoleManager, Capacity: 10, Active: true},
		{ID: mBob, Name: "Bob Ray", Email: "bob@example.com", Role: store.RoleAccountManager, Capacity: 2, LastOneOnOne: in(-10), Active: true},
		{ID: mAmy, Name: "Amy Ng", Email: "amy@example.com", Role: store.RoleAccountManager, Capacity: 30, LastOneOnOne: in(-3), Active: true},
		{ID: mCarl, Name: "Carl Gone", Email: "carl@example.com", Role: store.RoleSeniorAM, Capacity: 35, Active: false},
	}
	smb := metrics.SMB
	accounts := []store.Account{
		{ID: aAcme, Name: "Acme", ExternalID: "CRM-1", OwnerID: mBob, Segment: smb, Lifecycle: store.Active, ARRCents: 5_000_000,
			ContractStart: mustDate("2024-01-10"), RenewalDate: in(200), Seats: 100, ActiveUsers: metrics.Some(80),
			Tickets30d: metrics.Some(0), LastTouch: in(-5), NPS: metrics.Some(10), PipelineCents: 1_000_000,
			Override: &metrics.Override{Band: metrics.Red, Reason: "old worry", Author: "Zoe Lead", Expires: in(-1)}},
		{ID: aBeta, Name: "Beta", OwnerID: mBob, Segment: smb, Lifecycle: store.Active, ARRCents: 3_000_000,
			ContractStart: mustDate("2024-06-01"), RenewalDate: in(60), LastTouch: in(-61), NPS: metrics.Some(2), PipelineCents: 500_000},
		{ID: aGamma, Name: "Gamma", OwnerID: mAmy, Segment: smb, Lifecycle: store.Active, ARRCents: 2_000_000,
			ContractStart: mustDate("2025-06-01"), RenewalDate: in(87), NPS: metrics.Some(4), CSAT: metrics.Some(3)},
		{ID: aDelta, Name: "Delta", OwnerID: mAmy, Lifecycle: store.Active, ARRCents: 20_000_000,
			ContractStart: mustDate("2023-01-01"), RenewalDate: in(91), Seats: 100, ActiveUsers: metrics.Some(20),
			LastTouch: in(-3), NPS: metrics.Some(0)},
		{ID: aEcho, Name: "Echo", OwnerID: mZoe, Segment: smb, Lifecycle: store.Onboarding, ARRCents: 1_000_000,
			RenewalDate: in(83), Seats: 100, ActiveUsers: metrics.Some(43)},
		{ID: aFoxtrot, Name: "Foxtrot", OwnerID: 0, Segment: smb, Lifecycle: store.Active, ARRCents: 1_500_000,
			RenewalDate: in(30), LastTouch: in(-1), NPS: metrics.Some(8), ChampionChanged: true},
		{ID: aGolf, Name: "Golf", OwnerID: mCarl, Segment: smb, Lifecycle: store.Active, ARRCents: 2_500_000, RenewalDate: in(90)},
		{ID: aHotel, Name: "Hotel", OwnerID: mBob, Segment: smb, Lifecycle: store.Active, ARRCents: 4_000_000,
			RenewalDate: in(84), LastTouch: in(-2), NPS: metrics.Some(9),
			Override: &metrics.Override{Band: metrics.Red, Reason: "exec sponsor left", Author: "Zoe Lead", Expires: in(10)}},
		{ID: aIndia, Name: "India", OwnerID: mAmy, Segment: smb, Lifecycle: store.Churned, ARRCents: 3_000_000,
			ContractStart: mustDate("2024-02-01"), RenewalDate: mustDate("2026-02-01"), NPS: metrics.Some(1), PipelineCents: 9_000_000},
	}
	le := func(d string, arr int64, k metrics.LedgerKind) metrics.LedgerEntry {
		return metrics.LedgerEntry{Date: mustDate(d), ARRCents: arr, Kind: k}
	}
	// Window [2025-03-18, 2026-03-18]. Cohort: Acme 4.0M->5.0M, Beta
	// 3.5M->3.0M, Delta 20M->20M, India 3M->0 (Gamma starts inside the window).
	ledger := map[uint64][]metrics.LedgerEntry{
		aAcme:  {le("2024-01-10", 4_000_000, metrics.KindNew), le("2025-09-10", 5_000_000, metrics.KindExpansion)},
		aBeta:  {le("2024-06-01", 3_500_000, metrics.KindNew), le("2025-11-01", 3_000_000, metrics.KindContraction)},
		aGamma: {le("2025-06-01", 2_000_000, metrics.KindNew)},
		aDelta: {le("2023-01-01", 20_000_000, metrics.KindNew)},
		aIndia: {le("2024-02-01", 3_000_000, metrics.KindNew), le("2025-12-01", 0, metrics.KindChurn)},
	}
	prev := map[uint64]store.WeekScore{
		aAcme:  {Score: 90, Band: metrics.Green},
		aBeta:  {Score: 80, Band: metrics.Green},
		aGamma: {Score: 58, Band: metrics.Yellow},
		aDelta: {Score: 30, Band: metrics.Red},
		aEcho:  {Score: 42, Band: metrics.Yellow},
		aGolf:  {Score: -1, Band: metrics.Unknown},
		aIndia: {Score: 70, Band: metrics.Green},
	}
	escs := []store.Escalation{
		{ID: e1, AccountID: aGamma, Title: "Outage", Severity: store.SevHigh, Status: store.StatusOpen, RaisedBy: mBob,
			CreatedAt: at(-72), UpdatedAt: at(-72), SLADue: at(-2)},
		{ID: e2, AccountID: aAcme, Title: "Invoice dispute", Severity: store.SevCritical, Status: store.StatusInProgress, OwnerID: mZoe,
			Decision: store.DecisionManager, CreatedAt: at(-240), UpdatedAt: at(-10), SLADue: at(2)},
		{ID: e3, AccountID: aHotel, Title: "Slow reports", Severity: store.SevLow, Status: store.StatusWaitingClient,
			CreatedAt: at(-24), UpdatedAt: at(-24), SLADue: at(48)},
		{ID: e4, AccountID: aFoxtrot, Title: "Data loss", Severity: store.SevMedium, Status: store.StatusWithDirector,
			Decision: store.DecisionDirector, CreatedAt: at(-192), UpdatedAt: at(-100), SLADue: at(-1)},
		{ID: e5, AccountID: aDelta, Title: "Login broken", Severity: store.SevCritical, Status: store.StatusResolved, OwnerID: mAmy,
			CreatedAt: at(-120), UpdatedAt: at(-24), ResolvedAt: at(-24), SLADue: at(-100)},
		{ID: e6, AccountID: aGamma, Title: "Training", Severity: store.SevLow, Status: store.StatusResolved, OwnerID: mAmy,
			CreatedAt: at(-720), UpdatedAt: at(-120), ResolvedAt: at(-120), SLADue: at(-600)},
	}
	return Raw{
		Settings:    store.DefaultSettings(),
		Members:     members,
		Accounts:    accounts,
		Ledger:      ledger,
		Prev:        prev,
		PrevWeek:    prevWeek,
		Escalations: escs,
	}
}

func TestFixtureCalendar(t *testing.T) {
	if got := metrics.WeekOf(asOf); got != thisWeek {
		t.Fatalf("WeekOf(%s) = %v, want %v", asOf, got, thisWeek)
	}
	if got := thisWeek.Prev(); got != prevWeek {
		t.Fatalf("%v.Prev() = %v, want %v", thisWeek, got, prevWeek)
	}
}

func accountByID(t *testing.T, p *Portfolio, id uint64) *Account {
	t.Helper()
	a := p.Account(id)
	if a == nil {
		t.Fatalf("account %d missing from the portfolio", id)
	}
	return a
}

func accountIDs(p *Portfolio, idx []int) []uint64 {
	out := []uint64{}
	for _, i := range idx {
		out = append(out, p.Accounts[i].ID)
	}
	return out
}

func escIDs(p *Portfolio, idx []int) []uint64 {
	out := []uint64{}
	for _, i := range idx {
		out = append(out, p.Escalations[i].ID)
	}
	return out
}

func teamRow(t *testing.T, p *Portfolio, name string) MemberRow {
	t.Helper()
	for _, r := range p.Team {
		if r.Member.Name == name {
			return r
		}
	}
	t.Fatalf("no team row %q", name)
	return MemberRow{}
}

func TestBuildAccounts(t *testing.T) {
	checkFixtureAccounts(t, Build(fixture(), asOf, now))
}

// checkFixtureAccounts holds the hand-computed per-account expectations of
// the fixture (default weights 35/20/25/20, bands 70/40, SMB cadence 60).
func checkFixtureAccounts(t *testing.T, p *Portfolio) {
	t.Helper()
	type want struct {
		id         uint64
		owner      string
		segment    metrics.Segment
		live       bool
		hasScore   bool
		score      int
		computed   metrics.Band
		band       metrics.Band
		overridden bool
		trendOK    bool
		delta      int
		flags      string
		days       int
		openEsc    int
	}
	tests := []want{
		// 4 components at 100; the override expired yesterday.
		{aAcme, "Bob Ray", metrics.SMB, true, true, 100, metrics.Green, metrics.Green, false, true, +10, "", 200, 1},
		// engagement (180-61)/120*100 = 99.17, sentiment 20: (25*99.17+20*20)/45 = 63.98.
		{aBeta, "Bob Ray", metrics.SMB, true, true, 64, metrics.Yellow, metrics.Yellow, false, true, -16, "renewal-risk dropping", 60, 0},
		// sentiment only: mean(NPS 4 -> 40, CSAT 3 -> 50) = 45.
		{aGamma, "Amy Ng", metrics.SMB, true, true, 45, metrics.Yellow, metrics.Yellow, false, true, -13, "renewal-risk dropping sla-breach", 87, 1},
		// enterprise by ARR; adoption 0, engagement 100-20 (QBR overdue), sentiment 0: 25*80/80 = 25.
		{aDelta, "Amy Ng", metrics.Enterprise, true, true, 25, metrics.Red, metrics.Red, false, true, -5, "qbr-overdue", 91, 0},
		// adoption only: (0.43-0.2)/0.6 = 38.33.
		{aEcho, "Zoe Lead", metrics.SMB, true, true, 38, metrics.Red, metrics.Red, false, true, -4, "renewal-risk", 83, 0},
		// engagement 100, sentiment 80: (2500+1600)/45 = 91.1.
		{aFoxtrot, "", metrics.SMB, true, true, 91, metrics.Green, metrics.Green, false, false, 0, "champion-changed sla-breach", 30, 1},
		// no component data: unknown band; its previous score is unknown too.
		{aGolf, "Carl Gone", metrics.SMB, true, false, 0, metrics.Unknown, metrics.Unknown, false, false, 0, "renewal-risk", 90, 0},
		// engagement 100, sentiment 90: (2500+1800)/45 = 95.6, green, overridden to red.
		{aHotel, "Bob Ray", metrics.SMB, true, true, 96, metrics.Green, metrics.Red, true, false, 0, "renewal-risk", 84, 1},
	}
	if len(p.Accounts) != 9 {
		t.Fatalf("len(Accounts) = %d, want 9 (churned included)", len(p.Accounts))
	}
	for i, a := range p.Accounts {
		if a.ID != uint64(i+1) {
			t.Errorf("Accounts[%d].ID = %d, want ID order", i, a.ID)
		}
	}
	for _, w := range tests {
		a := accountByID(t, p, w.id)
		name := a.Name
		if a.OwnerName != w.owner {
			t.Errorf("%s: OwnerName = %q, want %q", name, a.OwnerName, w.owner)
		}
		if a.Segment != w.segment {
			t.Errorf("%s: Segment = %q, want %q", name, a.Segment, w.segment)
		}
		if a.Live != w.live {
			t.Errorf("%s: Live = %v, want %v", name, a.Live, w.live)
		}
		h := a.Health
		if h.HasScore != w.hasScore || (w.hasScore && h.Score != w.score) {
			t.Errorf("%s: score = %d (has %v), want %d (has %v)", name, h.Score, h.HasScore, w.score, w.hasScore)
		}
		if h.Computed != w.computed || h.Band != w.band {
			t.Errorf("%s: band = %s (computed %s), want %s (computed %s)", name, h.Band, h.Computed, w.band, w.computed)
		}
		if h.Overridden() != w.overridden {
			t.Errorf("%s: Overridden() = %v, want %v", name, h.Overridden(), w.overridden)
		}
		if a.Trend.OK != w.trendOK || (w.trendOK && a.Trend.Delta != w.delta) {
			t.Errorf("%s: trend = %+v, want OK=%v delta %d", name, a.Trend, w.trendOK, w.delta)
		}
		if got := a.Flags.String(); got != w.flags {
			t.Errorf("%s: flags = %q, want %q", name, got, w.flags)
		}
		if a.DaysToRenewal != w.days {
			t.Errorf("%s: DaysToRenewal = %d, want %d", name, a.DaysToRenewal, w.days)
		}
		if a.OpenEsc != w.openEsc {
			t.Errorf("%s: OpenEsc = %d, want %d", name, a.OpenEsc, w.openEsc)
		}
		if a.Fold != "" {
			t.Errorf("%s: Fold = %q before Folds: a report must not pay for the filter keys", name, a.Fold)
		}
	}
	p.Folds()
	for _, w := range tests {
		a := accountByID(t, p, w.id)
		if !strings.Contains(a.Fold, strings.ToLower(a.Name)) || !strings.Contains(a.Fold, strings.ToLower(w.owner)) || a.Fold[:a.NameLen] != strings.ToLower(a.Name) {
			t.Errorf("%s: Fold = %q (name %d bytes), want the lower-cased name and owner", a.Name, a.Fold, a.NameLen)
		}
	}
	if a := accountByID(t, p, aHotel); a.Health.Override == nil || a.Health.Override.Reason != "exec sponsor left" {
		t.Errorf("Hotel: the live override is not carried in Health.Override: %+v", a.Health.Override)
	}
	if a := accountByID(t, p, aIndia); a.Live {
		t.Errorf("India is churned but Live = true")
	}
	if p.Account(999) != nil || p.AccountIndex(999) != -1 {
		t.Errorf("an unknown account ID must give nil / -1")
	}
	if p.AccountIndex(aGolf) != int(aGolf-1) {
		t.Errorf("AccountIndex(Golf) = %d, want %d", p.AccountIndex(aGolf), aGolf-1)
	}
	if p.MemberName(0) != "" || p.MemberName(999) != "" || p.MemberName(mCarl) != "Carl Gone" {
		t.Errorf("MemberName: 0 and unknown IDs must be \"\", inactive members keep their name")
	}
}

func TestBuildKPIs(t *testing.T) {
	checkFixtureKPIs(t, Build(fixture(), asOf, now))
}

func checkFixtureKPIs(t *testing.T, p *Portfolio) {
	t.Helper()
	k := p.KPIs
	if k.Window != (metrics.Window{Start: mustDate("2025-03-18"), End: asOf}) {
		t.Errorf("Window = %v..%v, want the trailing year 2025-03-18..2026-03-18", k.Window.Start, k.Window.End)
	}
	if k.LiveAccounts != 8 {
		t.Errorf("LiveAccounts = %d, want 8 (the churned account excluded)", k.LiveAccounts)
	}
	// 5.0 + 3.0 + 2.0 + 20.0 + 1.0 + 1.5 + 2.5 + 4.0 (M cents); India's stale ARR excluded.
	if k.ARRCents != 39_000_000 {
		t.Errorf("ARRCents = %d, want 39000000", k.ARRCents)
	}
	wantBands := map[metrics.Band]int{metrics.Green: 2, metrics.Yellow: 2, metrics.Red: 3, metrics.Unknown: 1}
	if !reflect.DeepEqual(k.Bands, wantBands) {
		t.Errorf("Bands = %v, want %v", k.Bands, wantBands)
	}
	sum := 0
	for _, n := range k.Bands {
		sum += n
	}
	if sum != k.LiveAccounts {
		t.Errorf("band counts add up to %d, want LiveAccounts %d", sum, k.LiveAccounts)
	}
	// Cohort Acme, Beta, Delta, India: S = 4 + 3.5 + 20 + 3 = 30.5M;
	// end = 5 + 3 + 20 + 0 = 28M; GRR numerator = 4 + 3 + 20 + 0 = 27M.
	r := k.Retention
	if r.CohortSize != 4 || r.StartARRCents != 30_500_000 || r.EndARRCents != 28_000_000 {
		t.Errorf("cohort = %d accounts, %d -> %d; want 4, 30500000 -> 28000000", r.CohortSize, r.StartARRCents, r.EndARRCents)
	}
	if !r.NRR.OK || !near(r.NRR.V, 28.0/30.5) {
		t.Errorf("NRR = %+v, want %v", r.NRR, 28.0/30.5)
	}
	if !r.GRR.OK || !near(r.GRR.V, 27.0/30.5) {
		t.Errorf("GRR = %+v, want %v", r.GRR, 27.0/30.5)
	}
	if !r.LogoRetention.OK || !near(r.LogoRetention.V, 0.75) {
		t.Errorf("LogoRetention = %+v, want 0.75", r.LogoRetention)
	}
	if r.ExpansionCents != 1_000_000 || r.ContractionCents != 500_000 || r.ChurnedCents != 3_000_000 {
		t.Errorf("movements = +%d -%d churned %d, want +1000000 -500000 churned 3000000", r.ExpansionCents, r.ContractionCents, r.ChurnedCents)
	}
	// Every account with a renewal date has one due date in the window;
	// only Acme's (2025-10-04) has a renewal/expansion entry within 30 days.
	if k.Renewals.Due != 9 || k.Renewals.Renewed != 1 || !k.Renewals.Rate.OK || !near(k.Renewals.Rate.V, 1.0/9) {
		t.Errorf("Renewals = %+v, want 1 of 9 renewed", k.Renewals)
	}
	// Live NPS: 10, 2, 4, 0, 8, 9: 2 promoters, 1 passive, 3 detractors.
	if k.NPS.Responses != 6 || !k.NPS.Score.OK || !near(k.NPS.Score.V, -100.0/6) {
		t.Errorf("NPS = %+v, want 6 responses, score -16.67", k.NPS)
	}
	if k.CSAT.Responses != 1 || !k.CSAT.TopTwoBox.OK || k.CSAT.TopTwoBox.V != 0 || !near(k.CSAT.Mean.V, 3) {
		t.Errorf("CSAT = %+v, want 1 response, top-two 0, mean 3", k.CSAT)
	}
	if k.PipelineCents != 1_500_000 {
		t.Errorf("PipelineCents = %d, want 1500000 (churned pipeline excluded)", k.PipelineCents)
	}
	wantEsc := map[string]int{"open": 1, "in_progress": 1, "waiting_client": 1, "with_director": 1, "resolved": 2}
	if !reflect.DeepEqual(k.EscByStatus, wantEsc) {
		t.Errorf("EscByStatus = %v, want %v", k.EscByStatus, wantEsc)
	}
	if k.OpenEsc != 4 || k.BreachedEsc != 2 {
		t.Errorf("OpenEsc, BreachedEsc = %d, %d; want 4, 2", k.OpenEsc, k.BreachedEsc)
	}
	type bucket struct {
		days, count int
		arr         int64
	}
	want := []bucket{{30, 1, 1_500_000}, {60, 2, 4_500_000}, {90, 6, 14_000_000}}
	if len(k.Due) != len(want) {
		t.Fatalf("len(Due) = %d, want 3", len(k.Due))
	}
	for i, w := range want {
		if b := k.Due[i]; b.Days != w.days || b.Count != w.count || b.ARRCents != w.arr {
			t.Errorf("Due[%d] = %d days %d / %d, want %d days %d / %d", i, b.Days, b.Count, b.ARRCents, w.days, w.count, w.arr)
		}
	}
	d90 := k.Due90()
	wantBy := map[metrics.Band]metrics.BandDue{
		metrics.Green:   {Count: 1, ARRCents: 1_500_000}, // Foxtrot
		metrics.Yellow:  {Count: 2, ARRCents: 5_000_000}, // Beta, Gamma
		metrics.Red:     {Count: 2, ARRCents: 5_000_000}, // Echo, Hotel (override)
		metrics.Unknown: {Count: 1, ARRCents: 2_500_000}, // Golf
	}
	if !reflect.DeepEqual(d90.ByBand, wantBy) {
		t.Errorf("Due90().ByBand = %v, want %v", d90.ByBand, wantBy)
	}
}

func TestBuildTeam(t *testing.T) {
	checkFixtureTeam(t, Build(fixture(), asOf, now))
}

func checkFixtureTeam(t *testing.T, p *Portfolio) {
	t.Helper()
	var names []string
	for _, r := range p.Team {
		names = append(names, r.Member.Name)
	}
	// Manager first, then by name (Amy before Bob although Bob's ID is
	// lower); the inactive member has no row; the pool comes last.
	if want := []string{"Zoe Lead", "Amy Ng", "Bob Ray", "Unassigned"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("Team = %q, want %q", names, want)
	}
	type want struct {
		name       string
		accounts   int
		arr        int64
		bands      map[metrics.Band]int
		openEsc    int
		due90      int
		due90ARR   int64
		over       bool
		sinceOneOn int
	}
	tests := []want{
		{"Zoe Lead", 1, 1_000_000, map[metrics.Band]int{metrics.Red: 1}, 1, 1, 1_000_000, false, -1},
		{"Amy Ng", 2, 22_000_000, map[metrics.Band]int{metrics.Yellow: 1, metrics.Red: 1}, 1, 1, 2_000_000, false, 3},
		{"Bob Ray", 3, 12_000_000, map[metrics.Band]int{metrics.Green: 1, metrics.Yellow: 1, metrics.Red: 1}, 1, 2, 7_000_000, true, 10},
		{"Unassigned", 2, 4_000_000, map[metrics.Band]int{metrics.Green: 1, metrics.Unknown: 1}, 1, 2, 4_000_000, false, -1},
	}
	for _, w := range tests {
		r := teamRow(t, p, w.name)
		if r.Accounts != w.accounts || r.ARRCents != w.arr {
			t.Errorf("%s: %d accounts, %d ARR; want %d, %d", w.name, r.Accounts, r.ARRCents, w.accounts, w.arr)
		}
		for _, b := range metrics.Bands {
			if r.Bands[b] != w.bands[b] {
				t.Errorf("%s: Bands[%s] = %d, want %d", w.name, b, r.Bands[b], w.bands[b])
			}
		}
		if r.OpenEsc != w.openEsc {
			t.Errorf("%s: OpenEsc = %d, want %d", w.name, r.OpenEsc, w.openEsc)
		}
		if r.Due90 != w.due90 || r.Due90ARRCents != w.due90ARR {
			t.Errorf("%s: Due90 = %d / %d, want %d / %d", w.name, r.Due90, r.Due90ARRCents, w.due90, w.due90ARR)
		}
		if r.OverCapacity != w.over {
			t.Errorf("%s: OverCapacity = %v, want %v", w.name, r.OverCapacity, w.over)
		}
		if r.DaysSinceOneOne != w.sinceOneOn {
			t.Errorf("%s: DaysSinceOneOne = %d, want %d", w.name, r.DaysSinceOneOne, w.sinceOneOn)
		}
	}
	u := teamRow(t, p, "Unassigned")
	if !u.Unassigned || u.Member.ID != 0 {
		t.Errorf("Unassigned row: Unassigned=%v ID=%d, want true, 0", u.Unassigned, u.Member.ID)
	}
	// Member books: Bob's cohort Acme 4->5, Beta 3.5->3 (NRR 8/7.5); Amy's
	// includes her churned India: Delta 20->20, India 3->0 (NRR 20/23).
	bob := teamRow(t, p, "Bob Ray")
	if !bob.Retention.NRR.OK || !near(bob.Retention.NRR.V, 8.0/7.5) || !near(bob.Retention.GRR.V, 7.0/7.5) {
		t.Errorf("Bob: NRR %+v GRR %+v, want %v, %v", bob.Retention.NRR, bob.Retention.GRR, 8.0/7.5, 7.0/7.5)
	}
	if !bob.NPS.Score.OK || !near(bob.NPS.Score.V, 100.0/3) {
		t.Errorf("Bob: NPS %+v, want 33.3 (10, 2, 9)", bob.NPS)
	}
	amy := teamRow(t, p, "Amy Ng")
	if !amy.Retention.NRR.OK || !near(amy.Retention.NRR.V, 20.0/23) || amy.Retention.CohortSize != 2 {
		t.Errorf("Amy: NRR %+v (cohort %d), want %v over 2 accounts", amy.Retention.NRR, amy.Retention.CohortSize, 20.0/23)
	}
	if z := teamRow(t, p, "Zoe Lead"); z.Retention.NRR.OK {
		t.Errorf("Zoe has no ledger: NRR must be n/a, got %+v", z.Retention.NRR)
	}
}

func TestBuildTeamUnassignedRowOnlyWhenNeeded(t *testing.T) {
	raw := fixture()
	// Hand Foxtrot and Golf to Amy and take E4 (on Foxtrot) with them: the
	// pool is empty and has no row.
	for i := range raw.Accounts {
		if id := raw.Accounts[i].ID; id == aFoxtrot || id == aGolf {
			raw.Accounts[i].OwnerID = mAmy
		}
	}
	p := Build(raw, asOf, now)
	for _, r := range p.Team {
		if r.Unassigned {
			t.Fatalf("Team has an Unassigned row with nothing unassigned: %+v", r)
		}
	}
	if got := teamRow(t, p, "Amy Ng"); got.Accounts != 4 || got.OpenEsc != 2 {
		t.Errorf("Amy after the hand-over: %d accounts, %d open escalations; want 4, 2", got.Accounts, got.OpenEsc)
	}
}

func TestBuildReview(t *testing.T) {
	checkFixtureReview(t, Build(fixture(), asOf, now))
}

func checkFixtureReview(t *testing.T, p *Portfolio) {
	t.Helper()
	r := p.Review
	if r.ComparedWithWeek != prevWeek || r.Since != mustDate("2026-03-09") {
		t.Errorf("compared with %v since %s, want %v since 2026-03-09", r.ComparedWithWeek, r.Since, prevWeek)
	}
	// Beta fell 16 and left green; Gamma fell 13 inside yellow; Echo fell 4
	// but left yellow for red. Delta fell 5 inside red: not worsened. India
	// (churned) fell 60: excluded. Golf's previous score is unknown.
	if got, want := accountIDs(p, r.Worsened), []uint64{aBeta, aGamma, aEcho}; !reflect.DeepEqual(got, want) {
		t.Errorf("Worsened = %v, want %v (worst fall first)", got, want)
	}
	// 84..90 days away, largest ARR first; Echo (83) and Delta (91) are outside.
	if got, want := accountIDs(p, r.EnteredRenewal), []uint64{aHotel, aGolf, aGamma}; !reflect.DeepEqual(got, want) {
		t.Errorf("EnteredRenewal = %v, want %v", got, want)
	}
	// Beta (61 days against a 60-day cadence) and the never touched, largest ARR first.
	if got, want := accountIDs(p, r.Untouched), []uint64{aBeta, aGolf, aGamma, aEcho}; !reflect.DeepEqual(got, want) {
		t.Errorf("Untouched = %v, want %v", got, want)
	}
	if got, want := escIDs(p, r.NewEsc), []uint64{e5, e3, e1}; !reflect.DeepEqual(got, want) {
		t.Errorf("NewEsc = %v, want %v (created within 7 days, largest account ARR first)", got, want)
	}
	if got, want := escIDs(p, r.BreachedEsc), []uint64{e1, e4}; !reflect.DeepEqual(got, want) {
		t.Errorf("BreachedEsc = %v, want %v", got, want)
	}
}

func TestBuildEscalations(t *testing.T) {
	checkFixtureEscalations(t, Build(fixture(), asOf, now))
}

func checkFixtureEscalations(t *testing.T, p *Portfolio) {
	t.Helper()
	var ids []uint64
	for _, e := range p.Escalations {
		ids = append(ids, e.ID)
	}
	if want := []uint64{e1, e4, e2, e3, e5, e6}; !reflect.DeepEqual(ids, want) {
		t.Errorf("queue = %v, want %v", ids, want)
	}
	for _, e := range p.Escalations {
		switch e.ID {
		case e1:
			if !e.Breached || e.AccountName != "Gamma" || e.AccountARR != 2_000_000 || e.OwnerName != "" || e.RaisedName != "Bob Ray" {
				t.Errorf("E1 joined as %+v", e)
			}
		case e2:
			if e.Breached || e.OwnerName != "Zoe Lead" || e.AccountName != "Acme" {
				t.Errorf("E2 joined as %+v", e)
			}
		case e5:
			if e.Breached {
				t.Errorf("E5 is resolved: never breached, though its SLA has passed")
			}
		}
	}
}

func TestBuildEmptyRaw(t *testing.T) {
	for name, raw := range map[string]Raw{
		"zero Raw":          {},
		"default settings":  {Settings: store.DefaultSettings()},
		"members, no books": {Settings: store.DefaultSettings(), Members: fixture().Members},
	} {
		t.Run(name, func(t *testing.T) {
			p := Build(raw, asOf, now)
			k := p.KPIs
			if k.LiveAccounts != 0 || k.ARRCents != 0 {
				t.Errorf("LiveAccounts, ARR = %d, %d; want 0, 0", k.LiveAccounts, k.ARRCents)
			}
			for _, r := range []metrics.Ratio{k.Retention.NRR, k.Retention.GRR, k.Retention.LogoRetention, k.Retention.LogoChurn,
				k.Retention.RevenueChurn, k.Renewals.Rate, k.Renewals.GrossDollarRenewalRate, k.NPS.Score, k.CSAT.TopTwoBox, k.CSAT.Mean} {
				if r.OK || r.V != 0 {
					t.Errorf("a KPI over an empty book is %+v, want {0 false}", r)
				}
			}
			if len(k.Bands) != 4 || len(k.EscByStatus) != 5 || len(k.Due) != 3 {
				t.Errorf("Bands %v, EscByStatus %v, Due %v: want every band, status and horizon present at 0", k.Bands, k.EscByStatus, k.Due)
			}
			for _, row := range p.Team {
				if row.Unassigned {
					t.Errorf("empty book has an Unassigned row")
				}
				if row.Accounts != 0 || row.OverCapacity || row.Retention.NRR.OK {
					t.Errorf("empty member row %+v", row)
				}
			}
			rv := p.Review
			if len(rv.Worsened)+len(rv.NewEsc)+len(rv.BreachedEsc)+len(rv.EnteredRenewal)+len(rv.Untouched) != 0 {
				t.Errorf("empty review has entries: %+v", rv)
			}
			if rv.ComparedWithWeek != 0 || rv.Since != in(-7) {
				t.Errorf("with no snapshot: compared with %v since %s; want 0 since %s", rv.ComparedWithWeek, rv.Since, in(-7))
			}
			_ = p.Report() // must not panic either
		})
	}
}

func TestBuildDoesNotAliasPrevAcrossAccounts(t *testing.T) {
	// An account with no previous snapshot must not pick up a neighbour's.
	raw := fixture()
	p := Build(raw, asOf, now)
	for _, id := range []uint64{aFoxtrot, aHotel} {
		if a := accountByID(t, p, id); a.HasPrev || a.Trend.OK {
			t.Errorf("%s has no snapshot but HasPrev=%v Trend=%+v", a.Name, a.HasPrev, a.Trend)
		}
	}
	if a := accountByID(t, p, aGolf); !a.HasPrev || a.Trend.OK {
		t.Errorf("Golf has an unknown-score snapshot: want HasPrev and no trend, got %v %+v", a.HasPrev, a.Trend)
	}
}

func TestQueueLess(t *testing.T) {
	due := now
	mk := func(id uint64, status, sev string, breached bool, sla time.Time, arr int64, resolved time.Time) Escalation {
		return Escalation{Escalation: store.Escalation{ID: id, Status: status, Severity: sev, SLADue: sla, ResolvedAt: resolved},
			AccountARR: arr, Breached: breached}
	}
	open, res := store.StatusOpen, store.StatusResolved
	queue := []Escalation{
		mk(1, open, store.SevCritical, true, due.Add(-2*time.Hour), 100, time.Time{}),                   // breached, critical, due first
		mk(2, store.StatusWithDirector, store.SevCritical, true, due.Add(-time.Hour), 100, time.Time{}), // breached, critical, due later
		mk(3, store.StatusInProgress, store.SevLow, true, due.Add(-9*time.Hour), 999, time.Time{}),      // breached, low
		mk(4, store.StatusWaitingClient, store.SevCritical, false, due.Add(time.Hour), 500, time.Time{}),
		mk(5, open, store.SevCritical, false, due.Add(time.Hour), 300, time.Time{}), // same due, less ARR
		mk(6, open, store.SevCritical, false, due.Add(time.Hour), 300, time.Time{}), // full tie: ID order
		mk(7, open, store.SevHigh, false, due.Add(-time.Hour+time.Minute), 9_999, time.Time{}),
		mk(8, open, store.SevMedium, false, due.Add(time.Minute), 1, time.Time{}),
		mk(9, open, store.SevMedium, false, due.Add(2*time.Minute), 1_000_000, time.Time{}), // later due beats bigger ARR
		mk(10, res, store.SevCritical, false, due, 1, due.Add(-time.Hour)),                  // resolved newest first
		mk(11, res, store.SevLow, false, due, 1, due.Add(-48*time.Hour)),
	}
	// Claiming "breached" on a resolved one must not lift it above open ones.
	queue = append(queue, mk(12, res, store.SevCritical, true, due, 1, due.Add(-72*time.Hour)))
	want := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 50; round++ {
		q := append([]Escalation(nil), queue...)
		rng.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
		insertionSortQueue(q)
		var got []uint64
		for _, e := range q {
			got = append(got, e.ID)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: order %v, want %v", round, got, want)
		}
	}
	for i := range queue {
		if QueueLess(&queue[i], &queue[i]) {
			t.Errorf("QueueLess(x, x) is true for ID %d", queue[i].ID)
		}
		for j := range queue {
			if i != j && QueueLess(&queue[i], &queue[j]) == QueueLess(&queue[j], &queue[i]) {
				t.Errorf("QueueLess is not a strict order between %d and %d", queue[i].ID, queue[j].ID)
			}
		}
	}
}

// insertionSortQueue is an insertion sort driven only by QueueLess, so the test does
// not depend on sort.Slice's handling of ties.
func insertionSortQueue(q []Escalation) {
	for i := 1; i < len(q); i++ {
		for j := i; j > 0 && QueueLess(&q[j], &q[j-1]); j-- {
			q[j], q[j-1] = q[j-1], q[j]
		}
	}
}

func TestBuildUnknownEscalationAccount(t *testing.T) {
	raw := fixture()
	raw.Escalations = append(raw.Escalations, store.Escalation{ID: 7, AccountID: 999, Title: "Orphan", Severity: store.SevLow,
		Status: store.StatusOpen, CreatedAt: at(-1), SLADue: at(100)})
	p := Build(raw, asOf, now)
	var found bool
	for _, e := range p.Escalations {
		if e.ID == 7 {
			found = true
			if e.AccountName != "" || e.AccountARR != 0 {
				t.Errorf("orphan escalation joined to %q / %d", e.AccountName, e.AccountARR)
			}
		}
	}
	if !found {
		t.Fatal("orphan escalation dropped")
	}
	if got := teamRow(t, p, "Unassigned").OpenEsc; got != 2 {
		t.Errorf("Unassigned.OpenEsc = %d, want 2 (E4 and the orphan)", got)
	}
}

// An escalation without an SLA due time ("no SLA" in the queue) has no
// deadline, so within its severity it must follow those that are due, not
// jump ahead of them: QueueLess orders by "due time", and the zero time is
// not one.
func TestQueueLessNoSLALast(t *testing.T) {
	noSLA := Escalation{Escalation: store.Escalation{ID: 1, Status: store.StatusOpen, Severity: store.SevHigh}, AccountARR: 1}
	dueSoon := Escalation{Escalation: store.Escalation{ID: 2, Status: store.StatusOpen, Severity: store.SevHigh, SLADue: at(1)}, AccountARR: 1}
	if QueueLess(&noSLA, &dueSoon) || !QueueLess(&dueSoon, &noSLA) {
		t.Errorf("an escalation with no SLA sorts before one due in an hour of the same severity")
	}
	// Severity still comes first: a critical one without SLA leads a high one that is due.
	crit := noSLA
	crit.ID, crit.Severity = 3, store.SevCritical
	if !QueueLess(&crit, &dueSoon) {
		t.Errorf("severity must outrank the missing SLA")
	}
}
