package tui

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// The fixed clock of the fixtures: a Monday morning.
var (
	fixAsOf = metrics.NewDate(2026, time.November, 23)
	fixNow  = time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
)

var fixNames = []string{"Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
	"東京商事株式会社", "Rocket 🚀 Labs", "Soylent", "Hooli", "Vandelay Imports", "Pied Piper", "Cyberdyne", "Tyrell",
	"Massive Dynamic", "Oscorp", "Wonka Confections", "Nakatomi Trading", "Gringotts", "Duff Brewing"}

// writeFixture builds a realistic database of n accounts at path in one
// transaction: members (one over capacity, one inactive), accounts with
// CJK and emoji names and some unassigned, an ARR ledger, two weeks of
// earlier snapshots (some accounts fell), escalations (some breached, some
// new) with timelines, and activities.
func writeFixture(tb testing.TB, path string, n int) {
	tb.Helper()
	r := rand.New(rand.NewSource(42))
	cfg := metrics.DefaultConfig()
	var members []store.Member
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		members = []store.Member{
			{Name: "Alice Moreau", Email: "alice@example.com", Role: store.RoleManager, Active: true, LastOneOnOne: fixAsOf.AddDays(-6)},
			{Name: "Bob Okafor", Email: "bob@example.com", Role: store.RoleSeniorAM, Capacity: max(3, n/10), Active: true, LastOneOnOne: fixAsOf.AddDays(-20)},
			{Name: "陈静 Chen Jing", Email: "chen@example.com", Role: store.RoleAccountManager, Capacity: n, Active: true},
			{Name: "Dana Whitfield", Email: "dana@example.com", Role: store.RoleAccountManager, Capacity: n, Active: true, LastOneOnOne: fixAsOf.AddDays(-3)},
			{Name: "Eve Santos", Email: "eve@example.com", Role: store.RoleCoordinator, Capacity: n, Active: true},
			{Name: "Zed Former", Email: "zed@example.com", Role: store.RoleAccountManager, Active: false},
		}
		for i := range members {
			if err := tx.PutMember(&members[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	// Chunks of accounts per transaction: bbolt splits its nodes at commit,
	// and one huge transaction of interleaved index keys is quadratic.
	const chunk = 2000
	for lo := 0; lo < n; lo += chunk {
		if err := writeAccounts(path, r, cfg, members, lo, min(n, lo+chunk)); err != nil {
			tb.Fatalf("fixture: %v", err)
		}
	}
}

func writeAccounts(path string, r *rand.Rand, cfg metrics.Config, members []store.Member, lo, hi int) error {
	return store.Update(path, store.Options{}, func(tx *store.Tx) error {
		prevWeek := metrics.WeekOf(fixAsOf).Prev()
		for i := lo; i < hi; i++ {
			name := fixNames[i%len(fixNames)]
			if i >= len(fixNames) {
				name = fmt.Sprintf("%s %d", name, i/len(fixNames))
			}
			var owner uint64
			if i%17 != 16 { // every 17th account has no owner
				owner = members[i%len(members)].ID
			}
			seats := 10 + r.Intn(400)
			arr := int64(5_000+r.Intn(300_000)) * 100
			a := store.Account{
				Name:          name,
				ExternalID:    fmt.Sprintf("CRM-%06d", i),
				OwnerID:       owner,
				ARRCents:      arr,
				ContractStart: fixAsOf.AddDays(-400 - r.Intn(600)),
				RenewalDate:   fixAsOf.AddDays(-10 + r.Intn(380)),
				Seats:         seats,
				ActiveUsers:   metrics.Some(r.Intn(seats + 1)),
				Tickets30d:    metrics.Some(r.Intn(seats/5 + 1)),
				OpenCritical:  r.Intn(10) / 8,
				ChampionName:  "Pat Lee",
				LastTouch:     fixAsOf.AddDays(-r.Intn(120)),
				LastQBR:       fixAsOf.AddDays(-r.Intn(150)),
				SuccessPlan:   "Expand to the EU team by Q2; weekly adoption review with the champion.",
				CreatedAt:     fixNow.Add(-400 * 24 * time.Hour),
				UpdatedAt:     fixNow,
			}
			if i%5 != 0 {
				a.NPS = metrics.Some(r.Intn(11))
			}
			if i%3 != 0 {
				a.CSAT = metrics.Some(1 + r.Intn(5))
			}
			if i%4 == 1 {
				a.RenewalDate = fixAsOf.AddDays(84 + r.Intn(7)) // just entered the 90-day window
			}
			if i%23 == 5 {
				a.ChampionChanged = true
			}
			if i == 3 {
				a.Override = &metrics.Override{Band: metrics.Red, Reason: "CFO asked for a termination quote", Author: "Alice Moreau", Expires: fixAsOf.AddDays(30)}
			}
			if i%41 == 40 {
				a.Lifecycle = store.Churned
			}
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
			if err := tx.AppendLedger(&store.LedgerEntry{AccountID: a.ID, Date: a.ContractStart, ARRCents: arr * 9 / 10, Kind: metrics.KindNew}); err != nil {
				return err
			}
			if err := tx.AppendLedger(&store.LedgerEntry{AccountID: a.ID, Date: fixAsOf.AddDays(-100), ARRCents: arr, Kind: metrics.KindExpansion}); err != nil {
				return err
			}
			if a.Lifecycle == store.Churned {
				continue
			}
			// Two earlier weeks; every third account was doing better then.
			cur := portfolio.SnapshotOf(&a, cfg, fixAsOf)
			for k, w := range []metrics.Week{prevWeek.Prev(), prevWeek} {
				s := cur
				s.Week = w
				if s.Score >= 0 && i%3 == 0 {
					s.Score = min(100, s.Score+12+k)
					s.Band = cfg.BandFor(s.Score)
				}
				if err := tx.PutSnapshot(&s); err != nil {
					return err
				}
			}
			if i < 60 {
				for j := 0; j < 3; j++ {
					act := store.Activity{AccountID: a.ID, At: fixNow.Add(-time.Duration(j*5+1) * 24 * time.Hour), Author: "Dana Whitfield",
						Kind: store.ActivityKinds[j%len(store.ActivityKinds)], Text: fmt.Sprintf("Check-in %d about rollout", j)}
					if err := tx.AppendActivity(&act); err != nil {
						return err
					}
				}
			}
			if i%7 == 2 && i < 2000 {
				sev := store.Severities[i%len(store.Severities)]
				created := fixNow.Add(-time.Duration(1+i%240) * time.Hour)
				e := store.Escalation{AccountID: a.ID, Title: fmt.Sprintf("%s: data export failing", name), Severity: sev,
					Status: store.Statuses[i%4], OwnerID: owner, RaisedBy: members[0].ID, CreatedAt: created, UpdatedAt: created,
					SLADue: created.Add(time.Duration(cfg.SLA.For(sev)) * time.Hour), Description: "The nightly export to the client's warehouse fails since the upgrade."}
				if err := tx.PutEscalation(&e); err != nil {
					return err
				}
				if err := tx.AppendEvent(&store.Event{EscalationID: e.ID, At: created, Author: "Alice Moreau", Kind: "created", Text: "raised from a support call"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
