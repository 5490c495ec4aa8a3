package portfolio

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// localAt is day d at hh:mm in the local zone, the zone days are counted
// in (Today).
func localAt(d metrics.Date, hh, mm int) time.Time {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, hh, mm, 0, 0, time.Local)
}

// freshnessFixture is the fixture with its health inputs dated, as of
// 2026-03-18 with freshness.stale_days 30 (the default):
//
//	Acme    (Bob, 5.0M)         inputs 31 days old, 10:00       stale
//	Beta    (Bob, 3.0M)         inputs 30 days old, 23:59       fresh: 30 is not older than 30
//	Gamma   (Amy, 2.0M)         no InputsAt, updated 45 days ago stale (the UpdatedAt fallback)
//	Delta   (Amy, 20M)          inputs 2 days old, updated 100   fresh: InputsAt wins
//	Echo    (Zoe, 1.0M)         inputs 120 days old             stale (onboarding is live)
//	Foxtrot (unassigned, 1.5M)  no date at all                  unknown: never stale
//	Golf    (Carl gone, 2.5M)   created 60 days ago, nothing else stale (the CreatedAt fallback), Unassigned row
//	Hotel   (Bob, 4.0M)         inputs 31 days old, 00:00       stale
//	India   (Amy, churned)      inputs 200 days old             not live: left out
func freshnessFixture() Raw {
	raw := fixture()
	for i := range raw.Accounts {
		a := &raw.Accounts[i]
		switch a.ID {
		case aAcme:
			a.InputsAt = localAt(in(-31), 10, 0)
		case aBeta:
			a.InputsAt = localAt(in(-30), 23, 59)
		case aGamma:
			a.UpdatedAt = localAt(in(-45), 9, 0)
		case aDelta:
			a.InputsAt, a.UpdatedAt = localAt(in(-2), 9, 0), localAt(in(-100), 9, 0)
		case aEcho:
			a.InputsAt = localAt(in(-120), 9, 0)
		case aGolf:
			a.CreatedAt = localAt(in(-60), 9, 0)
		case aHotel:
			a.InputsAt = localAt(in(-31), 0, 0)
		case aIndia:
			a.InputsAt = localAt(in(-200), 9, 0)
		}
	}
	return raw
}

func checkStaleData(t *testing.T, what string, p *Portfolio, want []uint64, arr int64, team map[string][2]int64) {
	t.Helper()
	r := p.Review
	if got := accountIDs(p, r.Stale); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: Review.Stale = %v, want %v (largest ARR first)", what, got, want)
	}
	if r.StaleARRCents != arr || p.KPIs.Stale != len(want) || p.KPIs.StaleARRCents != arr {
		t.Errorf("%s: stale ARR %d, KPIs %d accounts %d ARR; want %d accounts %d ARR", what, r.StaleARRCents, p.KPIs.Stale, p.KPIs.StaleARRCents, len(want), arr)
	}
	for _, row := range p.Team {
		w := team[row.Member.Name]
		if int64(row.Stale) != w[0] || row.StaleARRCents != w[1] {
			t.Errorf("%s: %s has %d stale accounts, %d ARR; want %d, %d", what, row.Member.Name, row.Stale, row.StaleARRCents, w[0], w[1])
		}
	}
	for i := range p.Accounts {
		a := &p.Accounts[i]
		in := false
		for _, id := range want {
			in = in || id == a.ID
		}
		if a.Live && a.StaleInputs != in {
			t.Errorf("%s: %s has StaleInputs %v", what, a.Name, a.StaleInputs)
		}
	}
}

func TestStaleData(t *testing.T) {
	raw := freshnessFixture()
	want := []uint64{aAcme, aHotel, aGolf, aGamma, aEcho}
	team := map[string][2]int64{"Bob Ray": {2, 9_000_000}, "Amy Ng": {1, 2_000_000}, "Zoe Lead": {1, 1_000_000}, "Unassigned": {1, 2_500_000}}
	checkStaleData(t, "Build", Build(raw, asOf, now), want, 14_500_000, team)

	// Load from a real file computes the same.
	path := writeFixtureDB(t, raw)
	loaded, err := Load(path, opt0, asOf, now)
	if err != nil {
		t.Fatal(err)
	}
	checkStaleData(t, "Load", loaded, want, 14_500_000, team)
	if age, ok := InputsAge(&loaded.Account(aAcme).Account, asOf); !ok || age != 31 {
		t.Errorf("Acme's inputs are %d days old (%v), want 31", age, ok)
	}
	if _, ok := InputsAge(&loaded.Account(aFoxtrot).Account, asOf); ok {
		t.Error("Foxtrot has no date at all, yet an age")
	}

	// A longer threshold: the 31-day-old inputs are fresh again.
	raw.Settings.Health.StaleDays = 31
	checkStaleData(t, "stale_days 31", Build(raw, asOf, now), []uint64{aGolf, aGamma, aEcho}, 5_500_000,
		map[string][2]int64{"Amy Ng": {1, 2_000_000}, "Zoe Lead": {1, 1_000_000}, "Unassigned": {1, 2_500_000}})
	// And the next day, 30 days is enough for Beta too.
	raw.Settings.Health.StaleDays = 30
	next := Build(raw, asOf.AddDays(1), now.Add(24*time.Hour))
	if got := accountIDs(next, next.Review.Stale); !reflect.DeepEqual(got, []uint64{aAcme, aHotel, aBeta, aGolf, aGamma, aEcho}) {
		t.Errorf("a day later: Stale = %v", got)
	}
	// The fixture as it is has no dates at all: nothing is stale.
	if p := Build(fixture(), asOf, now); len(p.Review.Stale) != 0 || p.KPIs.Stale != 0 {
		t.Errorf("undated accounts called stale: %v", accountIDs(p, p.Review.Stale))
	}
}

// Scoring compares each account's instant with StaleBefore; that must be
// exactly "InputsAge > StaleDays", whatever the zone and the hour, at the
// edges of the day.
func TestStaleBeforeIsInputsAge(t *testing.T) {
	saved := time.Local
	defer func() { time.Local = saved }()
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("UTC-5", -5*3600), time.FixedZone("UTC+13", 13*3600)} {
		time.Local = zone
		for _, days := range []int{1, 30, 90} {
			cut := StaleBefore(asOf, days)
			for mins := -26 * 60; mins <= 26*60; mins += 7 {
				a := store.Account{InputsAt: cut.Add(time.Duration(mins) * time.Minute)}
				age, _ := InputsAge(&a, asOf)
				if stale := a.InputsAt.Before(cut); stale != (age > days) {
					t.Fatalf("zone %s, %d days: inputs at %v are %d days old, but before the cut %v is %v", zone, days, a.InputsAt, age, cut, stale)
				}
			}
		}
	}
}

// The stale list follows the change feed: an edit of a health input takes
// an account off it at once, an edit of anything else leaves it, and the
// followed portfolio equals a fresh load, review and books included.
func TestStaleDataFollowsTheFeed(t *testing.T) {
	path := writeFixtureDB(t, freshnessFixture())
	p, err := Load(path, opt0, asOf, now)
	if err != nil {
		t.Fatal(err)
	}
	by := store.Actor{ID: mZoe, Name: "Zoe Lead"}
	step := func(what string, fn func(tx *store.Tx) error) { t.Helper(); stepFeed(t, path, &p, what, fn) }
	edit := func(id uint64, change func(a *store.Account)) func(tx *store.Tx) error {
		return func(tx *store.Tx) error {
			a, err := tx.Account(id)
			if err != nil {
				return err
			}
			change(&a)
			_, err = tx.EditAccount(a, "", by, now)
			return err
		}
	}
	step("Acme's NPS", edit(aAcme, func(a *store.Account) { a.NPS = metrics.Some(9) }))
	checkStaleData(t, "after Acme's NPS", p, []uint64{aHotel, aGolf, aGamma, aEcho}, 9_500_000,
		map[string][2]int64{"Bob Ray": {1, 4_000_000}, "Amy Ng": {1, 2_000_000}, "Zoe Lead": {1, 1_000_000}, "Unassigned": {1, 2_500_000}})

	step("Hotel's plan", edit(aHotel, func(a *store.Account) { a.Plan = "Gold" }))
	if got := accountIDs(p, p.Review.Stale); !reflect.DeepEqual(got, []uint64{aHotel, aGolf, aGamma, aEcho}) {
		t.Errorf("after Hotel's plan: Stale = %v, want Hotel still on it", got)
	}
	// A logged call moves the last touch, not the inputs' date.
	step("a call to Echo", func(tx *store.Tx) error {
		_, err := tx.LogActivity(aEcho, store.ActCall, "check-in", by, now)
		return err
	})
	if got := accountIDs(p, p.Review.Stale); !reflect.DeepEqual(got, []uint64{aHotel, aGolf, aGamma, aEcho}) {
		t.Errorf("after a call to Echo: Stale = %v, want Echo still on it", got)
	}
	// Gamma (dated by its last write) gets its seats confirmed.
	step("Gamma's seats", edit(aGamma, func(a *store.Account) { a.Seats = 12 }))
	if got := accountIDs(p, p.Review.Stale); !reflect.DeepEqual(got, []uint64{aHotel, aGolf, aEcho}) || p.Review.StaleARRCents != 7_500_000 {
		t.Errorf("after Gamma's seats: Stale = %v, %d ARR", got, p.Review.StaleARRCents)
	}
}

// The report carries the stale data: stale_data at the top with the
// setting, per member, a Markdown line; null as of a past day, where the
// inputs' date is only today's.
func TestReportStaleData(t *testing.T) {
	p := Build(freshnessFixture(), asOf, now)
	js := decodeReportJSON(t, p.Report())
	sd := obj(t, js, "stale_data")
	if number(t, sd, "stale_days") != 30 || number(t, sd, "accounts") != 5 || number(t, sd, "arr_cents") != 14_500_000 || len(sd) != 3 {
		t.Errorf("stale_data = %v, want 30 days, 5 accounts, 14500000 cents", sd)
	}
	want := map[string][2]float64{"Bob Ray": {2, 9_000_000}, "Amy Ng": {1, 2_000_000}, "Zoe Lead": {1, 1_000_000}, "Unassigned": {1, 2_500_000}}
	for _, m := range js["members"].([]any) {
		row := m.(map[string]any)
		got := obj(t, row, "stale_data")
		w := want[row["name"].(string)]
		if number(t, got, "accounts") != w[0] || number(t, got, "arr_cents") != w[1] {
			t.Errorf("%s: stale_data %v, want %v", row["name"], got, w)
		}
	}
	var md strings.Builder
	if err := p.Report().WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if line := "| Stale data | 5 accounts, $145,000 ARR (health inputs older than 30 days"; !strings.Contains(md.String(), line) {
		t.Errorf("the Markdown lacks %q:\n%s", line, md.String())
	}

	past := Past{Portfolio: p}
	r := past.Report()
	if r.StaleData != nil || !slices.Contains(r.CurrentOnly, "stale_data") || !slices.Contains(r.CurrentOnly, "members.stale_data") {
		t.Errorf("as of a past day: stale_data %+v, current_only %v", r.StaleData, r.CurrentOnly)
	}
	for _, m := range r.Members {
		if m.StaleData != nil {
			t.Errorf("as of a past day %s has stale_data %+v", m.Name, m.StaleData)
		}
	}
	md.Reset()
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| Stale data | left out") {
		t.Errorf("as of a past day the Markdown does not leave stale data out")
	}
}
