package portfolio

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

var opt0 = store.Options{}

// writeFixtureDB stores raw in a new bbolt file through the records API,
// inserting with ID 0 so the store assigns the IDs, and checks they are the
// fixture's. Each escalation gets a "created" event.
func writeFixtureDB(t *testing.T, raw Raw) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "steward.db")
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		if err := tx.PutSettings(raw.Settings); err != nil {
			return err
		}
		for _, m := range raw.Members {
			want := m.ID
			m.ID = 0
			if err := tx.PutMember(&m); err != nil {
				return err
			}
			if m.ID != want {
				return fmt.Errorf("member %q got ID %d, want %d", m.Name, m.ID, want)
			}
		}
		for _, a := range raw.Accounts {
			want := a.ID
			a.ID = 0
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
			if a.ID != want {
				return fmt.Errorf("account %q got ID %d, want %d", a.Name, a.ID, want)
			}
		}
		var ids []uint64
		for id := range raw.Ledger {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, id := range ids {
			for _, e := range raw.Ledger[id] {
				if err := tx.AppendLedger(&store.LedgerEntry{AccountID: id, Date: e.Date, ARRCents: e.ARRCents, Kind: e.Kind, Author: "test"}); err != nil {
					return err
				}
			}
		}
		for id, ws := range raw.Prev {
			if err := tx.PutSnapshot(&store.Snapshot{AccountID: id, Week: raw.PrevWeek, Score: ws.Score, Band: ws.Band}); err != nil {
				return err
			}
		}
		for _, e := range raw.Escalations {
			want := e.ID
			e.ID = 0
			if err := tx.PutEscalation(&e); err != nil {
				return err
			}
			if e.ID != want {
				return fmt.Errorf("escalation %q got ID %d, want %d", e.Title, e.ID, want)
			}
			if err := tx.AppendEvent(&store.Event{EscalationID: e.ID, At: e.CreatedAt, Author: "test", Kind: "created", Text: e.Title}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("writing the fixture: %v", err)
	}
	return path
}

func readRaw(t *testing.T, path string, day metrics.Date) Raw {
	t.Helper()
	var raw Raw
	err := store.View(path, opt0, func(tx *store.Tx) error {
		var err error
		raw, err = ReadRaw(tx, day)
		return err
	})
	if err != nil {
		t.Fatalf("ReadRaw: %v", err)
	}
	return raw
}

func TestReadRawRoundTrip(t *testing.T) {
	want := fixture()
	path := writeFixtureDB(t, want)
	got := readRaw(t, path, asOf)
	if !reflect.DeepEqual(got.Settings, want.Settings) {
		t.Errorf("Settings = %+v, want %+v", got.Settings, want.Settings)
	}
	if !reflect.DeepEqual(got.Members, want.Members) {
		t.Errorf("Members = %+v, want %+v", got.Members, want.Members)
	}
	if !reflect.DeepEqual(got.Accounts, want.Accounts) {
		t.Errorf("Accounts differ after the store:\n got %+v\nwant %+v", got.Accounts, want.Accounts)
	}
	if !reflect.DeepEqual(got.Ledger, want.Ledger) {
		t.Errorf("Ledger = %v, want %v", got.Ledger, want.Ledger)
	}
	if !reflect.DeepEqual(got.Prev, want.Prev) || got.PrevWeek != prevWeek || got.ThisWeekHas {
		t.Errorf("Prev = %v (week %v, this week %v), want %v (week %v, false)", got.Prev, got.PrevWeek, got.ThisWeekHas, want.Prev, prevWeek)
	}
	if len(got.Escalations) != len(want.Escalations) {
		t.Fatalf("%d escalations, want %d", len(got.Escalations), len(want.Escalations))
	}
	for i := range want.Escalations {
		g, w := got.Escalations[i], want.Escalations[i]
		if g.ID != w.ID || g.Status != w.Status || g.Severity != w.Severity || g.OwnerID != w.OwnerID ||
			!g.CreatedAt.Equal(w.CreatedAt) || !g.SLADue.Equal(w.SLADue) || !g.ResolvedAt.Equal(w.ResolvedAt) {
			t.Errorf("escalation %d = %+v, want %+v", w.ID, g, w)
		}
	}
}

func TestLoadMatchesBuild(t *testing.T) {
	path := writeFixtureDB(t, fixture())
	p, err := Load(path, opt0, asOf, now)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Build(readRaw(t, path, asOf), asOf, now)
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Load differs from Build(ReadRaw)")
	}
	// And the stored fixture gives the hand-computed answers.
	checkFixtureAccounts(t, p)
	checkFixtureKPIs(t, p)
	checkFixtureTeam(t, p)
	checkFixtureReview(t, p)
	checkFixtureEscalations(t, p)
	if p.Review.CurrentWeekSnapped {
		t.Errorf("CurrentWeekSnapped before any snapshot of %v", thisWeek)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	_, err := Load(path, opt0, asOf, now)
	if !errors.Is(err, store.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want store.ErrNotExist", err)
	}
	if _, err := LoadDetail(path, opt0, 1, asOf); !errors.Is(err, store.ErrNotExist) {
		t.Errorf("LoadDetail(missing) = %v, want store.ErrNotExist", err)
	}
	if _, _, err := LoadTimeline(path, opt0, 1); !errors.Is(err, store.ErrNotExist) {
		t.Errorf("LoadTimeline(missing) = %v, want store.ErrNotExist", err)
	}
}

func TestLoadEmptyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := store.Update(path, opt0, func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path, opt0, asOf, now)
	if err != nil {
		t.Fatalf("Load(empty) = %v", err)
	}
	if len(p.Accounts) != 0 || len(p.Team) != 0 || p.KPIs.Retention.NRR.OK || p.Settings.Currency != "USD" {
		t.Errorf("empty database: %d accounts, %d team rows, NRR %+v, currency %q", len(p.Accounts), len(p.Team), p.KPIs.Retention.NRR, p.Settings.Currency)
	}
}

func weekScores(t *testing.T, path string, w metrics.Week) map[uint64]store.WeekScore {
	t.Helper()
	var out map[uint64]store.WeekScore
	err := store.View(path, opt0, func(tx *store.Tx) error {
		var err error
		out, err = tx.WeekScores(w)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTakeSnapshot(t *testing.T) {
	raw := fixture()
	path := writeFixtureDB(t, raw)

	res, err := TakeSnapshot(path, opt0, asOf, true)
	if err != nil {
		t.Fatalf("TakeSnapshot: %v", err)
	}
	if res != (SnapshotResult{Week: thisWeek, Accounts: 8}) {
		t.Errorf("first snapshot = %+v, want week %v, 8 accounts, not replaced", res, thisWeek)
	}
	ws := weekScores(t, path, thisWeek)
	if len(ws) != 8 {
		t.Errorf("week %v has %d snapshots, want 8", thisWeek, len(ws))
	}
	if _, ok := ws[aIndia]; ok {
		t.Errorf("the churned account was snapshotted")
	}
	for _, want := range []struct {
		id   uint64
		ws   store.WeekScore
		name string
	}{
		{aAcme, store.WeekScore{Score: 100, Band: metrics.Green}, "Acme"},
		{aGolf, store.WeekScore{Score: -1, Band: metrics.Unknown}, "Golf (no data)"},
		{aHotel, store.WeekScore{Score: 96, Band: metrics.Red}, "Hotel (override)"},
	} {
		if ws[want.id] != want.ws {
			t.Errorf("%s snapshot = %+v, want %+v", want.name, ws[want.id], want.ws)
		}
	}

	// Acme's NPS drops to 0: 35+20+25 at 100, sentiment 0 -> 80.
	err = store.Update(path, opt0, func(tx *store.Tx) error {
		a, err := tx.Account(aAcme)
		if err != nil {
			return err
		}
		a.NPS = metrics.Some(0)
		return tx.PutAccount(&a)
	})
	if err != nil {
		t.Fatal(err)
	}

	res, err = TakeSnapshot(path, opt0, asOf, true)
	if err != nil {
		t.Fatalf("second TakeSnapshot: %v", err)
	}
	if res.Accounts != 0 || res.Replaced {
		t.Errorf("onlyIfMissing with the week present = %+v, want a no-op", res)
	}
	if got := weekScores(t, path, thisWeek)[aAcme]; got.Score != 100 {
		t.Errorf("the no-op snapshot changed Acme to %+v", got)
	}

	res, err = TakeSnapshot(path, opt0, asOf.AddDays(1), false)
	if err != nil {
		t.Fatalf("retake: %v", err)
	}
	if res != (SnapshotResult{Week: thisWeek, Accounts: 8, Replaced: true}) {
		t.Errorf("retake = %+v, want week %v, 8 accounts, replaced", res, thisWeek)
	}
	if got := weekScores(t, path, thisWeek)[aAcme]; got != (store.WeekScore{Score: 80, Band: metrics.Green}) {
		t.Errorf("retaken Acme = %+v, want 80 green", got)
	}
	var hist []store.Snapshot
	if err := store.View(path, opt0, func(tx *store.Tx) error {
		var err error
		hist, err = tx.SnapshotHistory(aAcme)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(hist); n != 2 || hist[n-1].Components != [metrics.NumComponents]int8{100, 100, 100, 0, -1} || hist[n-1].ARRCents != 5_000_000 {
		t.Errorf("Acme history = %+v, want W11 then W12 with components [100 100 100 0]", hist)
	}

	// The review still compares with last week; this week is now snapped.
	p, err := Load(path, opt0, asOf, now)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Review.CurrentWeekSnapped || p.Review.ComparedWithWeek != prevWeek {
		t.Errorf("after the snapshot: snapped=%v compared with %v; want true, %v", p.Review.CurrentWeekSnapped, p.Review.ComparedWithWeek, prevWeek)
	}
	if a := p.Account(aAcme); a.Trend != (metrics.Trend{Delta: -10, OK: true}) || !a.Flags.Has(metrics.FlagDropping) {
		t.Errorf("Acme trend %+v flags %q, want -10 dropping", a.Trend, a.Flags)
	}
	// Next week compares with this one.
	next, err := Load(path, opt0, asOf.AddDays(7), now.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if next.Review.ComparedWithWeek != thisWeek || next.Review.CurrentWeekSnapped {
		t.Errorf("a week later: compared with %v snapped %v; want %v, false", next.Review.ComparedWithWeek, next.Review.CurrentWeekSnapped, thisWeek)
	}
}

func TestSnapshotOf(t *testing.T) {
	raw := fixture()
	cfg := raw.Settings.Health
	byID := map[uint64]*store.Account{}
	for i := range raw.Accounts {
		byID[raw.Accounts[i].ID] = &raw.Accounts[i]
	}
	tests := []struct {
		id   uint64
		want store.Snapshot
	}{
		{aGolf, store.Snapshot{AccountID: aGolf, Week: thisWeek, Score: -1, Band: metrics.Unknown, Components: [metrics.NumComponents]int8{-1, -1, -1, -1, -1}, ARRCents: 2_500_000}},
		// adoption 38.33 rounds to 38.
		{aEcho, store.Snapshot{AccountID: aEcho, Week: thisWeek, Score: 38, Band: metrics.Red, Components: [metrics.NumComponents]int8{38, -1, -1, -1, -1}, ARRCents: 1_000_000}},
		// engagement 99.17 rounds to 99, sentiment 20.
		{aBeta, store.Snapshot{AccountID: aBeta, Week: thisWeek, Score: 64, Band: metrics.Yellow, Components: [metrics.NumComponents]int8{-1, -1, 99, 20, -1}, ARRCents: 3_000_000}},
		// the band recorded is the band shown, after the override.
		{aHotel, store.Snapshot{AccountID: aHotel, Week: thisWeek, Score: 96, Band: metrics.Red, Components: [metrics.NumComponents]int8{-1, -1, 100, 90, -1}, ARRCents: 4_000_000}},
	}
	for _, tc := range tests {
		if got := SnapshotOf(byID[tc.id], cfg, asOf); got != tc.want {
			t.Errorf("SnapshotOf(%s) = %+v, want %+v", byID[tc.id].Name, got, tc.want)
		}
	}
}

func TestLoadDetail(t *testing.T) {
	path := writeFixtureDB(t, fixture())
	// An older snapshot of Gamma written after the newer one, 25 notes on
	// Gamma and one on Acme.
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		if err := tx.PutSnapshot(&store.Snapshot{AccountID: aGamma, Week: 202610, Score: 61, Band: metrics.Yellow}); err != nil {
			return err
		}
		for i := 0; i < 25; i++ {
			a := store.Activity{AccountID: aGamma, At: at(-48).Add(time.Duration(i) * time.Minute), Author: "Amy Ng", Kind: store.ActNote, Text: fmt.Sprintf("note %d", i)}
			if err := tx.AppendActivity(&a); err != nil {
				return err
			}
			if i == 10 {
				b := store.Activity{AccountID: aAcme, At: at(-1), Author: "Bob Ray", Kind: store.ActNote, Text: "acme note"}
				if err := tx.AppendActivity(&b); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot would start Gamma's playbooks, whose entry is the
	// newest: this test is about the notes.
	noPlaybooks(t, path)
	if _, err := TakeSnapshot(path, opt0, asOf, true); err != nil {
		t.Fatal(err)
	}

	d, err := LoadDetail(path, opt0, aGamma, asOf)
	if err != nil {
		t.Fatalf("LoadDetail: %v", err)
	}
	if d.AccountID != aGamma {
		t.Errorf("AccountID = %d", d.AccountID)
	}
	var weeks []metrics.Week
	for _, s := range d.History {
		weeks = append(weeks, s.Week)
		if s.AccountID != aGamma {
			t.Errorf("history holds a snapshot of account %d", s.AccountID)
		}
	}
	if want := []metrics.Week{202610, prevWeek, thisWeek}; !reflect.DeepEqual(weeks, want) {
		t.Errorf("history weeks = %v, want %v (oldest first)", weeks, want)
	}
	if len(d.History) == 3 && (d.History[2].Score != 45 || d.History[0].Score != 61) {
		t.Errorf("history scores = %+v", d.History)
	}
	if len(d.Activities) != DetailActivities {
		t.Fatalf("%d activities, want %d", len(d.Activities), DetailActivities)
	}
	for i, a := range d.Activities {
		if want := fmt.Sprintf("note %d", 24-i); a.Text != want || a.AccountID != aGamma {
			t.Errorf("Activities[%d] = %q (account %d), want %q (newest first)", i, a.Text, a.AccountID, want)
		}
	}
	var escs []uint64
	for _, e := range d.Escalations {
		escs = append(escs, e.ID)
	}
	if want := []uint64{e1, e6}; !reflect.DeepEqual(escs, want) {
		t.Errorf("escalations = %v, want %v", escs, want)
	}
	h := d.Health
	if !h.HasScore || h.Score != 45 || h.Band != metrics.Yellow {
		t.Errorf("Health = %d %s, want 45 yellow", h.Score, h.Band)
	}
	for _, c := range h.Components {
		if c.Inputs == "" {
			t.Errorf("component %s has no Inputs text", c.ID)
		}
	}
	if got := h.Components[metrics.Sentiment].Inputs; got != "NPS 4, CSAT 3" {
		t.Errorf("sentiment inputs = %q", got)
	}
	if got := h.Components[metrics.Adoption].Inputs; !strings.Contains(got, "no ") {
		t.Errorf("adoption without data should say so, got %q", got)
	}
	if c, ok := h.LargestDrag(); !ok || c.ID != metrics.Sentiment {
		t.Errorf("LargestDrag = %v %v, want sentiment", c.ID, ok)
	}

	// Acme's detail has its one note and its one escalation.
	d, err = LoadDetail(path, opt0, aAcme, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Activities) != 1 || d.Activities[0].Text != "acme note" || len(d.Escalations) != 1 || d.Escalations[0].ID != e2 {
		t.Errorf("Acme detail: %+v / %+v", d.Activities, d.Escalations)
	}

	if _, err := LoadDetail(path, opt0, 999, asOf); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LoadDetail(999) = %v, want store.ErrNotFound", err)
	}
}

func TestLoadTimeline(t *testing.T) {
	path := writeFixtureDB(t, fixture())
	// Interleave events of E1 and E2.
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		for _, ev := range []store.Event{
			{EscalationID: e1, At: at(-60), Author: "Zoe Lead", Kind: "assigned", Text: "to Amy"},
			{EscalationID: e2, At: at(-50), Author: "Zoe Lead", Kind: "note", Text: "called finance"},
			{EscalationID: e1, At: at(-40), Author: "Amy Ng", Kind: "status", Text: "open -> in_progress"},
			{EscalationID: e1, Author: "Amy Ng", Kind: "note", Text: "no time given"},
		} {
			if err := tx.AppendEvent(&ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e, evs, err := LoadTimeline(path, opt0, e1)
	if err != nil {
		t.Fatalf("LoadTimeline: %v", err)
	}
	if e.ID != e1 || e.Title != "Outage" || e.AccountID != aGamma {
		t.Errorf("escalation = %+v", e)
	}
	var kinds []string
	for i, ev := range evs {
		kinds = append(kinds, ev.Kind)
		if ev.EscalationID != e1 {
			t.Errorf("event %d belongs to escalation %d", i, ev.EscalationID)
		}
		if i > 0 && ev.Seq <= evs[i-1].Seq {
			t.Errorf("event seqs not ascending: %d after %d", ev.Seq, evs[i-1].Seq)
		}
	}
	if want := []string{"created", "assigned", "status", "note"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("timeline kinds = %v, want %v", kinds, want)
	}
	if len(evs) == 4 && evs[3].At.IsZero() {
		t.Errorf("an event appended without an instant got none")
	}
	if _, _, err := LoadTimeline(path, opt0, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LoadTimeline(999) = %v, want store.ErrNotFound", err)
	}
}

// noPlaybooks deletes the default playbooks, for tests about something
// else that a snapshot or an import would otherwise start them in.
func noPlaybooks(t testing.TB, path string) {
	t.Helper()
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		if err := tx.SeedPlaybooks(); err != nil {
			return err
		}
		list, err := tx.Playbooks()
		if err != nil {
			return err
		}
		for _, p := range list {
			if err := tx.DeletePlaybook(p.ID, store.Actor{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
