package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"steward/metrics"
)

// ---- members ----

func TestMembers(t *testing.T) {
	db := newDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		for _, r := range Roles {
			m := &Member{Name: "Someone " + string(r), Email: string(r) + "@example.com", Role: r, Active: true}
			if err := tx.PutMember(m); err != nil {
				return err
			}
			if m.Capacity != r.DefaultCapacity() {
				t.Errorf("role %s: capacity %d, want default %d", r, m.Capacity, r.DefaultCapacity())
			}
		}
		explicit := &Member{Name: "Zoë 山田 🚀", Role: RoleAccountManager, Capacity: 42, LastOneOnOne: day("2026-03-02")}
		return tx.PutMember(explicit)
	})
	if got := []int{RoleManager.DefaultCapacity(), RoleSeniorAM.DefaultCapacity(), RoleAccountManager.DefaultCapacity(), RoleCoordinator.DefaultCapacity()}; got[0] <= 0 || got[1] <= 0 || got[2] <= 0 || got[3] <= 0 {
		t.Errorf("default capacities must be positive: %v", got)
	}
	mustView(t, db, func(tx *Tx) error {
		ms, err := tx.Members()
		if err != nil {
			return err
		}
		if len(ms) != 5 {
			t.Fatalf("%d members, want 5", len(ms))
		}
		for i, m := range ms {
			if m.ID != uint64(i+1) {
				t.Errorf("member %d has ID %d: want IDs 1.. in order", i, m.ID)
			}
		}
		m, err := tx.Member(5)
		if err != nil {
			return err
		}
		want := Member{ID: 5, Name: "Zoë 山田 🚀", Role: RoleAccountManager, Capacity: 42, LastOneOnOne: day("2026-03-02")}
		if m != want {
			t.Errorf("Member(5) = %+v, want %+v", m, want)
		}
		if _, err := tx.Member(99); !errors.Is(err, ErrNotFound) {
			t.Errorf("Member(99): err = %v, want ErrNotFound", err)
		}
		return nil
	})
	// Replacing keeps the ID and the count.
	mustUpdate(t, db, func(tx *Tx) error {
		m, err := tx.Member(2)
		if err != nil {
			return err
		}
		m.Active = false
		m.Email = "new@example.com"
		if err := tx.PutMember(&m); err != nil {
			return err
		}
		got, err := tx.Member(2)
		if err != nil {
			return err
		}
		if got != m {
			t.Errorf("replaced member = %+v, want %+v", got, m)
		}
		ms, _ := tx.Members()
		if len(ms) != 5 {
			t.Errorf("%d members after a replace, want 5", len(ms))
		}
		return nil
	})
}

func TestPutMemberRefusesBadInput(t *testing.T) {
	db := newDB(t)
	for _, m := range []Member{
		{Name: "Ann", Role: "director"},
		{Name: "Ann", Role: ""},
		{Name: "   ", Role: RoleManager},
	} {
		err := db.Update(func(tx *Tx) error { return tx.PutMember(&m) })
		if err == nil {
			t.Errorf("PutMember(%+v) succeeded, want an error", m)
		}
	}
	err := db.Update(func(tx *Tx) error { return tx.PutMember(&Member{Name: "Ann", Role: "ceo"}) })
	wantErrContains(t, "bad role", err, `"ceo"`, "Ann")
	mustView(t, db, func(tx *Tx) error {
		if ms, _ := tx.Members(); len(ms) != 0 {
			t.Errorf("refused members were stored: %+v", ms)
		}
		return nil
	})
}

// ---- accounts ----

func fullAccount() Account {
	return Account{
		Name:            "株式会社テスト 🚀 Ünïcödé",
		ExternalID:      "0015g00000XyZ 顧客",
		OwnerID:         7,
		Segment:         metrics.MidMarket,
		Lifecycle:       Onboarding,
		ARRCents:        123_456_78,
		ContractStart:   day("2025-01-15"),
		RenewalDate:     day("2027-01-14"),
		Seats:           250,
		ActiveUsers:     metrics.Some(0), // set to zero is not "no data"
		Tickets30d:      metrics.Some(12),
		OpenCritical:    2,
		ChampionName:    "Émilie Dubois",
		ChampionEmail:   "emilie@example.fr",
		ChampionChanged: true,
		LastTouch:       day("2026-03-01"),
		LastQBR:         day("2026-01-20"),
		NPS:             metrics.Some(0), // NPS 0 is a real answer
		CSAT:            metrics.Opt{},
		PipelineCents:   40_000_00,
		PipelineStage:   "proposal",
		SuccessPlan:     strings.Repeat("Grow adoption in EMEA. 成功 ", 1<<20/30+1),
		Override: &metrics.Override{
			Band:    metrics.Yellow,
			Reason:  "exec sponsor left",
			Author:  "lead",
			Expires: day("2026-04-30"),
		},
		CreatedAt: time.Date(2025, 1, 15, 9, 30, 0, 123456789, time.UTC),
		UpdatedAt: time.Date(2026, 3, 1, 17, 0, 5, 1, time.UTC),
	}
}

func TestAccountRoundTrip(t *testing.T) {
	db := newDB(t)
	full := fullAccount()
	if len(full.SuccessPlan) < 1<<20 {
		t.Fatalf("success plan is only %d bytes", len(full.SuccessPlan))
	}
	sparse := Account{Name: "Bare"} // every optional field unset
	mustUpdate(t, db, func(tx *Tx) error {
		for _, a := range []*Account{&full, &sparse} {
			if err := tx.PutAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if full.ID != 1 || sparse.ID != 2 {
		t.Errorf("IDs %d, %d: want 1, 2", full.ID, sparse.ID)
	}
	if sparse.Lifecycle != Active {
		t.Errorf("an account without a lifecycle became %q, want active", sparse.Lifecycle)
	}
	mustView(t, db, func(tx *Tx) error {
		for _, want := range []Account{full, sparse} {
			got, err := tx.Account(want.ID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("account %d did not round-trip:\n got %s\nwant %s", want.ID, brief(got), brief(want))
			}
		}
		got, _ := tx.Account(2)
		if got.Override != nil || got.NPS.Set || got.CSAT.Set || got.ActiveUsers.Set || !got.CreatedAt.IsZero() {
			t.Errorf("unset fields came back set: %+v", brief(got))
		}
		all, err := tx.Accounts()
		if err != nil {
			return err
		}
		if len(all) != 2 || !reflect.DeepEqual(all[0], full) || !reflect.DeepEqual(all[1], sparse) {
			t.Errorf("Accounts() does not match Account(id)")
		}
		if _, err := tx.Account(3); !errors.Is(err, ErrNotFound) {
			t.Errorf("Account(3): err = %v, want ErrNotFound", err)
		}
		return nil
	})
}

// brief prints an account without its megabyte of success plan.
func brief(a Account) string {
	if len(a.SuccessPlan) > 40 {
		a.SuccessPlan = fmt.Sprintf("%.40s...(%d bytes)", a.SuccessPlan, len(a.SuccessPlan))
	}
	s := fmt.Sprintf("%+v", a)
	if a.Override != nil {
		s += fmt.Sprintf(" override=%+v", *a.Override)
	}
	return s
}

func TestPutAccountRefusesBadInput(t *testing.T) {
	db := newDB(t)
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{Name: "Neg", ARRCents: -1}, "negative"},
		{Account{Name: ""}, "name"},
		{Account{Name: "L", Lifecycle: "dormant"}, "dormant"},
		{Account{Name: "S", Segment: "huge"}, "huge"},
	} {
		a := tc.a
		err := db.Update(func(tx *Tx) error { return tx.PutAccount(&a) })
		wantErrContains(t, fmt.Sprintf("PutAccount(%+v)", tc.a), err, tc.want)
	}
	mustView(t, db, func(tx *Tx) error {
		if n := tx.Counts()["accounts"]; n != 0 {
			t.Errorf("%d refused accounts were stored", n)
		}
		return nil
	})
}

func TestOwnerIndex(t *testing.T) {
	db := newDB(t)
	var a, b, c Account
	mustUpdate(t, db, func(tx *Tx) error {
		a = Account{Name: "A", OwnerID: 1}
		b = Account{Name: "B", OwnerID: 1}
		c = Account{Name: "C"} // unassigned
		for _, x := range []*Account{&a, &b, &c} {
			if err := tx.PutAccount(x); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(owner uint64, want ...uint64) {
		t.Helper()
		mustView(t, db, func(tx *Tx) error {
			if got := tx.AccountIDsByOwner(owner); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("AccountIDsByOwner(%d) = %v, want %v", owner, got, want)
			}
			return nil
		})
	}
	check(1, a.ID, b.ID)
	check(0, c.ID)
	check(2)
	mustUpdate(t, db, func(tx *Tx) error {
		a.OwnerID = 2
		c.OwnerID = 2
		if err := tx.PutAccount(&a); err != nil {
			return err
		}
		return tx.PutAccount(&c)
	})
	check(1, b.ID)
	check(2, a.ID, c.ID)
	check(0)
}

func TestExternalIDIndex(t *testing.T) {
	db := newDB(t)
	var a, b Account
	mustUpdate(t, db, func(tx *Tx) error {
		a = Account{Name: "A", ExternalID: "CRM-1"}
		b = Account{Name: "B", ExternalID: "CRM-2"}
		if err := tx.PutAccount(&a); err != nil {
			return err
		}
		return tx.PutAccount(&b)
	})
	mustView(t, db, func(tx *Tx) error {
		got, err := tx.AccountByExternalID("CRM-2")
		if err != nil || got.ID != b.ID {
			t.Errorf("AccountByExternalID(CRM-2) = %d, %v; want %d", got.ID, err, b.ID)
		}
		if _, err := tx.AccountByExternalID("CRM-9"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown external ID: err = %v, want ErrNotFound", err)
		}
		if _, err := tx.AccountByExternalID(""); !errors.Is(err, ErrNotFound) {
			t.Errorf("empty external ID: err = %v, want ErrNotFound", err)
		}
		return nil
	})

	// A second account with the same external ID is refused, whether new or existing.
	err := db.Update(func(tx *Tx) error { return tx.PutAccount(&Account{Name: "dup", ExternalID: "CRM-1"}) })
	wantErrContains(t, "new account with a taken external ID", err, "CRM-1")
	b2 := b
	b2.ExternalID = "CRM-1"
	err = db.Update(func(tx *Tx) error { return tx.PutAccount(&b2) })
	wantErrContains(t, "existing account taking another's external ID", err, "CRM-1")
	mustView(t, db, func(tx *Tx) error {
		for ext, id := range map[string]uint64{"CRM-1": a.ID, "CRM-2": b.ID} {
			got, err := tx.AccountByExternalID(ext)
			if err != nil || got.ID != id {
				t.Errorf("after refusals AccountByExternalID(%s) = %d, %v; want %d", ext, got.ID, err, id)
			}
		}
		if n := tx.Counts()["accounts"]; n != 2 {
			t.Errorf("%d accounts, want 2", n)
		}
		return nil
	})

	// Re-putting an account with its own external ID is fine.
	mustUpdate(t, db, func(tx *Tx) error { a.ARRCents = 5; return tx.PutAccount(&a) })

	// Changing A's external ID frees the old one for someone else.
	mustUpdate(t, db, func(tx *Tx) error {
		a.ExternalID = "CRM-1-renamed"
		if err := tx.PutAccount(&a); err != nil {
			return err
		}
		return tx.PutAccount(&Account{Name: "C", ExternalID: "CRM-1"})
	})
	// Clearing B's external ID frees it too.
	mustUpdate(t, db, func(tx *Tx) error { b.ExternalID = ""; return tx.PutAccount(&b) })
	mustView(t, db, func(tx *Tx) error {
		got, err := tx.AccountByExternalID("CRM-1-renamed")
		if err != nil || got.ID != a.ID {
			t.Errorf("renamed external ID finds %d, %v; want %d", got.ID, err, a.ID)
		}
		got, err = tx.AccountByExternalID("CRM-1")
		if err != nil || got.Name != "C" {
			t.Errorf("freed external ID finds %+v, %v; want account C", got.Name, err)
		}
		if _, err := tx.AccountByExternalID("CRM-2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("cleared external ID still finds an account: %v", err)
		}
		return nil
	})
}

func TestNewIDsNeverOverwriteExplicitIDs(t *testing.T) {
	// A record put with an explicit ID the store never assigned (a restore,
	// an import that keeps IDs) must not be overwritten by the next new record.
	db := newDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		if err := tx.PutAccount(&Account{ID: 2, Name: "explicit", ExternalID: "X-2", OwnerID: 9}); err != nil {
			return err
		}
		return tx.PutMember(&Member{ID: 2, Name: "explicit", Role: RoleManager})
	})
	mustUpdate(t, db, func(tx *Tx) error {
		for i := 0; i < 3; i++ {
			if err := tx.PutAccount(&Account{Name: fmt.Sprint("new ", i)}); err != nil {
				return err
			}
			if err := tx.PutMember(&Member{Name: fmt.Sprint("new ", i), Role: RoleCoordinator}); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, db, func(tx *Tx) error {
		accts, err := tx.Accounts()
		if err != nil {
			return err
		}
		if len(accts) != 4 {
			t.Errorf("%d accounts after 1 explicit + 3 new, want 4 (a new account overwrote the explicit one)", len(accts))
		}
		if got, err := tx.AccountByExternalID("X-2"); err != nil || got.Name != "explicit" {
			t.Errorf("explicit account: %+v, %v", got.Name, err)
		}
		ms, err := tx.Members()
		if err != nil {
			return err
		}
		if len(ms) != 4 {
			t.Errorf("%d members after 1 explicit + 3 new, want 4 (a new member overwrote the explicit one)", len(ms))
		}
		return nil
	})
}

// ---- ARR ledger ----

func TestLedger(t *testing.T) {
	db := newDB(t)
	type e struct {
		acct uint64
		date string
		arr  int64
		kind metrics.LedgerKind
	}
	in := []e{
		{1, "2026-03-01", 120, metrics.KindExpansion},
		{2, "2025-06-01", 50, metrics.KindNew},
		{1, "2024-01-01", 100, metrics.KindNew},
		{1, "2025-01-01", 90, metrics.KindContraction},
		{2, "2026-06-01", 0, metrics.KindChurn},
		{1, "2025-01-01", 95, metrics.KindRenewal}, // same day: insertion order
		{1, "1999-12-31", 10, metrics.KindNew},
	}
	mustUpdate(t, db, func(tx *Tx) error {
		for _, x := range in {
			l := &LedgerEntry{AccountID: x.acct, Date: day(x.date), ARRCents: x.arr, Kind: x.kind, Author: "me", Note: "n " + x.date}
			if err := tx.AppendLedger(l); err != nil {
				return err
			}
			if l.Seq == 0 {
				t.Error("AppendLedger did not assign a sequence")
			}
		}
		return nil
	})
	mustView(t, db, func(tx *Tx) error {
		l1, err := tx.Ledger(1)
		if err != nil {
			return err
		}
		var got []string
		for _, l := range l1 {
			got = append(got, fmt.Sprintf("%s:%d:%s", l.Date, l.ARRCents, l.Kind))
			if l.AccountID != 1 || l.Author != "me" || l.Note != "n "+l.Date.String() {
				t.Errorf("entry did not round-trip: %+v", l)
			}
		}
		want := "[1999-12-31:10:new 2024-01-01:100:new 2025-01-01:90:contraction 2025-01-01:95:renewal 2026-03-01:120:expansion]"
		if fmt.Sprint(got) != want {
			t.Errorf("Ledger(1) = %v\nwant %s", got, want)
		}
		if l, _ := tx.Ledger(3); len(l) != 0 {
			t.Errorf("Ledger(3) = %v, want none", l)
		}

		var all []string
		if err := tx.ForEachLedger(func(l *LedgerEntry) error {
			all = append(all, fmt.Sprintf("%d@%s", l.AccountID, l.Date))
			return nil
		}); err != nil {
			return err
		}
		wantAll := "[1@1999-12-31 1@2024-01-01 1@2025-01-01 1@2025-01-01 1@2026-03-01 2@2025-06-01 2@2026-06-01]"
		if fmt.Sprint(all) != wantAll {
			t.Errorf("ForEachLedger = %v\nwant %s", all, wantAll)
		}
		stop := errors.New("stop")
		n := 0
		if err := tx.ForEachLedger(func(*LedgerEntry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Errorf("ForEachLedger did not stop at the callback's error: %v after %d", err, n)
		}
		return nil
	})
}

func TestAppendLedgerRefusesBadInput(t *testing.T) {
	db := newDB(t)
	for _, l := range []LedgerEntry{
		{AccountID: 1, Date: day("2026-01-01"), Kind: "upsell"},
		{AccountID: 1, Date: day("2026-01-01"), Kind: ""},
		{AccountID: 0, Date: day("2026-01-01"), Kind: metrics.KindNew},
		{AccountID: 1, Kind: metrics.KindNew},
		{AccountID: 1, Date: day("2026-01-01"), Kind: metrics.KindNew, ARRCents: -5},
	} {
		l := l
		if err := db.Update(func(tx *Tx) error { return tx.AppendLedger(&l) }); err == nil {
			t.Errorf("AppendLedger(%+v) succeeded, want an error", l)
		}
	}
	err := db.Update(func(tx *Tx) error {
		return tx.AppendLedger(&LedgerEntry{AccountID: 1, Date: day("2026-01-01"), Kind: "upsell"})
	})
	wantErrContains(t, "bad kind", err, "upsell")
}

// ---- snapshots ----

func TestSnapshots(t *testing.T) {
	db := newDB(t)
	snap := func(acct uint64, w metrics.Week, score int, band metrics.Band) *Snapshot {
		return &Snapshot{AccountID: acct, Week: w, Score: score, Band: band,
			Components: [metrics.NumComponents]int8{int8(score % 100), -1, 100, 0, -1}, ARRCents: int64(acct) * 1000}
	}
	mustUpdate(t, db, func(tx *Tx) error {
		// Out of order, across a year boundary.
		for _, s := range []*Snapshot{
			snap(1, 202701, 60, metrics.Yellow),
			snap(1, 202652, 75, metrics.Green),
			snap(2, 202652, 20, metrics.Red),
			snap(1, 202610, 90, metrics.Green),
			snap(3, 202701, -1, metrics.Unknown),
		} {
			if err := tx.PutSnapshot(s); err != nil {
				return err
			}
		}
		return nil
	})
	mustView(t, db, func(tx *Tx) error {
		h, err := tx.SnapshotHistory(1)
		if err != nil {
			return err
		}
		var weeks []metrics.Week
		for _, s := range h {
			weeks = append(weeks, s.Week)
		}
		if weekList(weeks) != "[202610 202652 202701]" {
			t.Errorf("SnapshotHistory(1) weeks = %v, want oldest first", weeks)
		}
		if want := *snap(1, 202652, 75, metrics.Green); h[1] != want {
			t.Errorf("snapshot did not round-trip:\n got %+v\nwant %+v", h[1], want)
		}
		if got := weekList(tx.SnapshotWeeks()); got != "[202610 202652 202701]" {
			t.Errorf("SnapshotWeeks = %s", got)
		}
		for _, tc := range []struct{ before, want metrics.Week }{
			{202610, 0}, {202601, 0}, {202611, 202610}, {202652, 202610}, {202701, 202652}, {202702, 202701}, {203001, 202701},
		} {
			if got := tx.LatestWeekBefore(tc.before); got != tc.want {
				t.Errorf("LatestWeekBefore(%d) = %d, want %d", tc.before, got, tc.want)
			}
		}
		ws, err := tx.WeekScores(202652)
		if err != nil {
			return err
		}
		want := map[uint64]WeekScore{1: {75, metrics.Green}, 2: {20, metrics.Red}}
		if !reflect.DeepEqual(ws, want) {
			t.Errorf("WeekScores(202652) = %v, want %v", ws, want)
		}
		ws, _ = tx.WeekScores(202701)
		if want := (map[uint64]WeekScore{1: {60, metrics.Yellow}, 3: {-1, metrics.Unknown}}); !reflect.DeepEqual(ws, want) {
			t.Errorf("WeekScores(202701) = %v, want %v", ws, want)
		}
		if ws, _ := tx.WeekScores(202611); len(ws) != 0 {
			t.Errorf("WeekScores of an empty week = %v", ws)
		}
		for w, want := range map[metrics.Week]bool{202610: true, 202652: true, 202611: false, 202700: false} {
			if got := tx.HasWeek(w); got != want {
				t.Errorf("HasWeek(%d) = %v, want %v", w, got, want)
			}
		}
		return nil
	})

	// Replacing a week's snapshot replaces its index entry too.
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutSnapshot(snap(2, 202652, 85, metrics.Green)) })
	mustView(t, db, func(tx *Tx) error {
		ws, _ := tx.WeekScores(202652)
		if got := ws[2]; got != (WeekScore{85, metrics.Green}) || len(ws) != 2 {
			t.Errorf("after replacing: WeekScores(202652) = %v", ws)
		}
		h, _ := tx.SnapshotHistory(2)
		if len(h) != 1 || h[0].Score != 85 {
			t.Errorf("after replacing: SnapshotHistory(2) = %+v", h)
		}
		return nil
	})

	for _, s := range []Snapshot{{AccountID: 0, Week: 202610}, {AccountID: 1}} {
		s := s
		if err := db.Update(func(tx *Tx) error { return tx.PutSnapshot(&s) }); err == nil {
			t.Errorf("PutSnapshot(%+v) succeeded, want an error", s)
		}
	}
}

func TestEmptySnapshotQueries(t *testing.T) {
	db := newDB(t)
	mustView(t, db, func(tx *Tx) error {
		if w := tx.SnapshotWeeks(); len(w) != 0 {
			t.Errorf("SnapshotWeeks on an empty file = %v", w)
		}
		if w := tx.LatestWeekBefore(202610); w != 0 {
			t.Errorf("LatestWeekBefore on an empty file = %d", w)
		}
		if tx.HasWeek(202610) {
			t.Error("HasWeek on an empty file")
		}
		return nil
	})
}

// weekList prints weeks as the integers they are stored as.
func weekList(ws []metrics.Week) string {
	n := make([]int32, len(ws))
	for i, w := range ws {
		n[i] = int32(w)
	}
	return fmt.Sprint(n)
}

// ---- activities ----

func TestActivities(t *testing.T) {
	db := newDB(t)
	start := day("2026-03-02")
	var acct, other Account
	mustUpdate(t, db, func(tx *Tx) error {
		acct = Account{Name: "A", LastTouch: start, LastQBR: day("2025-12-01")}
		other = Account{Name: "B"}
		if err := tx.PutAccount(&acct); err != nil {
			return err
		}
		return tx.PutAccount(&other)
	})
	at := func(d string) time.Time { return day(d).Time().Add(15 * time.Hour) }
	log := func(kind, d string) Activity {
		t.Helper()
		a := Activity{AccountID: acct.ID, At: at(d), Author: "me", Kind: kind, Text: kind + " on " + d}
		mustUpdate(t, db, func(tx *Tx) error { return tx.AppendActivity(&a) })
		if a.ID == 0 {
			t.Errorf("AppendActivity(%s) assigned no ID", kind)
		}
		return a
	}
	dates := func() (metrics.Date, metrics.Date) {
		t.Helper()
		var a Account
		mustView(t, db, func(tx *Tx) error { var err error; a, err = tx.Account(acct.ID); return err })
		return a.LastTouch, a.LastQBR
	}

	log(ActNote, "2026-03-05")
	if lt, _ := dates(); lt != start {
		t.Errorf("a note moved last touch to %s", lt)
	}
	for i, kind := range []string{ActCall, ActEmail, ActMeeting} {
		d := start.AddDays(i + 1).String()
		log(kind, d)
		if lt, lq := dates(); lt.String() != d || lq != day("2025-12-01") {
			t.Errorf("after a %s on %s: last touch %s, last QBR %s", kind, d, lt, lq)
		}
	}
	log(ActQBR, "2026-03-10")
	if lt, lq := dates(); lt != day("2026-03-10") || lq != day("2026-03-10") {
		t.Errorf("after a QBR: last touch %s, last QBR %s; want both 2026-03-10", lt, lq)
	}
	// Logging something that happened earlier never moves dates backwards.
	log(ActCall, "2026-01-01")
	log(ActQBR, "2026-02-01")
	if lt, lq := dates(); lt != day("2026-03-10") || lq != day("2026-03-10") {
		t.Errorf("a back-dated log moved dates backwards: last touch %s, last QBR %s", lt, lq)
	}

	// Another account's activity stays with that account.
	mustUpdate(t, db, func(tx *Tx) error {
		return tx.AppendActivity(&Activity{AccountID: other.ID, At: at("2026-03-20"), Kind: ActCall})
	})

	mustView(t, db, func(tx *Tx) error {
		all, err := tx.Activities(acct.ID, 0)
		if err != nil {
			return err
		}
		var kinds []string
		for _, a := range all {
			kinds = append(kinds, a.Kind)
			if a.AccountID != acct.ID {
				t.Errorf("Activities(%d) returned one of account %d", acct.ID, a.AccountID)
			}
		}
		if got := fmt.Sprint(kinds); got != "[qbr call qbr meeting email call note]" {
			t.Errorf("Activities newest first = %s", got)
		}
		if !all[len(all)-1].At.Equal(at("2026-03-05")) || all[len(all)-1].Text != "note on 2026-03-05" {
			t.Errorf("activity did not round-trip: %+v", all[len(all)-1])
		}
		two, _ := tx.Activities(acct.ID, 2)
		if len(two) != 2 || two[0].ID != all[0].ID || two[1].ID != all[1].ID {
			t.Errorf("Activities with limit 2 = %+v", two)
		}
		o, _ := tx.Activities(other.ID, 0)
		if len(o) != 1 {
			t.Errorf("Activities(other) = %+v", o)
		}
		if none, _ := tx.Activities(99, 0); len(none) != 0 {
			t.Errorf("Activities of an unknown account = %+v", none)
		}
		n := 0
		if err := tx.ForEachActivity(func(*Activity) error { n++; return nil }); err != nil || n != 8 {
			t.Errorf("ForEachActivity saw %d, %v; want 8", n, err)
		}
		return nil
	})

	for _, a := range []Activity{
		{AccountID: acct.ID, Kind: "smoke signal"},
		{AccountID: 99, Kind: ActCall},
	} {
		a := a
		if err := db.Update(func(tx *Tx) error { return tx.AppendActivity(&a) }); err == nil {
			t.Errorf("AppendActivity(%+v) succeeded, want an error", a)
		}
	}
	// An activity without a time gets "now".
	a := Activity{AccountID: other.ID, Kind: ActNote}
	mustUpdate(t, db, func(tx *Tx) error { return tx.AppendActivity(&a) })
	if time.Since(a.At) > time.Minute || a.At.IsZero() {
		t.Errorf("activity without a time got %v", a.At)
	}
}

// ---- escalations ----

func TestEscalations(t *testing.T) {
	db := newDB(t)
	var a1, a2 Account
	var e1, e2 Escalation
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	mustUpdate(t, db, func(tx *Tx) error {
		a1, a2 = Account{Name: "A1"}, Account{Name: "A2"}
		if err := tx.PutAccount(&a1); err != nil {
			return err
		}
		if err := tx.PutAccount(&a2); err != nil {
			return err
		}
		e1 = Escalation{AccountID: a1.ID, Title: "Outage", Description: "down 3h", Severity: SevCritical,
			Status: StatusOpen, RaisedBy: 1, CreatedAt: now, UpdatedAt: now, SLADue: now.Add(4 * time.Hour)}
		e2 = Escalation{AccountID: a1.ID, Title: "Invoice", Severity: SevLow, Status: StatusOpen, CreatedAt: now}
		for _, e := range []*Escalation{&e1, &e2} {
			if err := tx.PutEscalation(e); err != nil {
				return err
			}
			if err := tx.AppendEvent(&Event{EscalationID: e.ID, At: now, Author: "me", Kind: "created", Text: e.Title}); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(f func(*Tx) []uint64) string {
		var s string
		mustView(t, db, func(tx *Tx) error { s = fmt.Sprint(f(tx)); return nil })
		return s
	}
	byStatus := func(s string) string { return ids(func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(s) }) }
	byAcct := func(a uint64) string { return ids(func(tx *Tx) []uint64 { return tx.EscalationIDsByAccount(a) }) }

	if got := byStatus(StatusOpen); got != "[1 2]" {
		t.Errorf("open = %s", got)
	}
	if got := byAcct(a1.ID); got != "[1 2]" {
		t.Errorf("by account 1 = %s", got)
	}
	mustView(t, db, func(tx *Tx) error {
		got, err := tx.Escalation(e1.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, e1) {
			t.Errorf("escalation did not round-trip:\n got %+v\nwant %+v", got, e1)
		}
		if _, err := tx.Escalation(99); !errors.Is(err, ErrNotFound) {
			t.Errorf("Escalation(99): %v, want ErrNotFound", err)
		}
		return nil
	})

	// Status and account changes move the index entries.
	mustUpdate(t, db, func(tx *Tx) error {
		e1.Status, e1.OwnerID, e1.Decision = StatusInProgress, 3, DecisionManager
		if err := tx.PutEscalation(&e1); err != nil {
			return err
		}
		if err := tx.AppendEvent(&Event{EscalationID: e1.ID, At: now.Add(time.Hour), Kind: "status", Text: "in progress"}); err != nil {
			return err
		}
		e2.AccountID = a2.ID
		return tx.PutEscalation(&e2)
	})
	if got := byStatus(StatusOpen); got != "[2]" {
		t.Errorf("open after a status change = %s", got)
	}
	if got := byStatus(StatusInProgress); got != "[1]" {
		t.Errorf("in progress after a status change = %s", got)
	}
	if got, got2 := byAcct(a1.ID), byAcct(a2.ID); got != "[1]" || got2 != "[2]" {
		t.Errorf("by account after moving escalation 2: %s, %s", got, got2)
	}
	mustUpdate(t, db, func(tx *Tx) error {
		e1.Status, e1.ResolvedAt = StatusResolved, now.Add(2*time.Hour)
		if err := tx.PutEscalation(&e1); err != nil {
			return err
		}
		return tx.AppendEvent(&Event{EscalationID: e1.ID, At: now.Add(2 * time.Hour), Kind: "resolved"})
	})
	if got, got2 := byStatus(StatusInProgress), byStatus(StatusResolved); got != "[]" || got2 != "[1]" {
		t.Errorf("after resolving: in progress %s, resolved %s", got, got2)
	}

	mustView(t, db, func(tx *Tx) error {
		tl, err := tx.Timeline(e1.ID)
		if err != nil {
			return err
		}
		var kinds []string
		for i, ev := range tl {
			kinds = append(kinds, ev.Kind)
			if ev.EscalationID != e1.ID || (i > 0 && ev.Seq <= tl[i-1].Seq) {
				t.Errorf("timeline event out of place: %+v", ev)
			}
		}
		if got := fmt.Sprint(kinds); got != "[created status resolved]" {
			t.Errorf("Timeline(1) = %s, want oldest first", got)
		}
		tl2, _ := tx.Timeline(e2.ID)
		if len(tl2) != 1 || tl2[0].Text != "Invoice" || !tl2[0].At.Equal(now) {
			t.Errorf("Timeline(2) = %+v", tl2)
		}
		all, err := tx.Escalations()
		if err != nil {
			return err
		}
		if len(all) != 2 || all[0].Status != StatusResolved || all[1].AccountID != a2.ID {
			t.Errorf("Escalations() = %+v", all)
		}
		return nil
	})

	for _, tc := range []struct {
		e    Escalation
		want string
	}{
		{Escalation{AccountID: a1.ID, Title: "x", Severity: "urgent", Status: StatusOpen}, "urgent"},
		{Escalation{AccountID: a1.ID, Title: "x", Severity: SevHigh, Status: "closed"}, "closed"},
		{Escalation{AccountID: 99, Title: "x", Severity: SevHigh, Status: StatusOpen}, "99"},
		{Escalation{AccountID: a1.ID, Title: " ", Severity: SevHigh, Status: StatusOpen}, "title"},
	} {
		e := tc.e
		err := db.Update(func(tx *Tx) error { return tx.PutEscalation(&e) })
		wantErrContains(t, fmt.Sprintf("PutEscalation(%+v)", tc.e), err, tc.want)
	}
	err := db.Update(func(tx *Tx) error { return tx.AppendEvent(&Event{EscalationID: 99, Kind: "note"}) })
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("AppendEvent to an unknown escalation: %v, want ErrNotFound", err)
	}
}

// ---- settings ----

func TestSettings(t *testing.T) {
	db := newDB(t)
	mustView(t, db, func(tx *Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(s, DefaultSettings()) {
			t.Errorf("settings of a new file = %+v, want the defaults", s)
		}
		return nil
	})
	s := DefaultSettings()
	s.Currency = "EUR"
	s.Health.Weights.Sentiment = 0
	s.Health.Green = 80
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutSettings(s) })
	mustView(t, db, func(tx *Tx) error {
		got, err := tx.Settings()
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("settings did not round-trip: %+v", got)
		}
		return nil
	})

	bad := map[string]func(*Settings){
		"negative weight":   func(s *Settings) { s.Health.Weights.Adoption = -1 },
		"weights add to 0":  func(s *Settings) { s.Health.Weights = metrics.Weights{} },
		"yellow over green": func(s *Settings) { s.Health.Yellow, s.Health.Green = 80, 70 },
		"currency":          func(s *Settings) { s.Currency = "US" },
		"no SLA":            func(s *Settings) { s.Health.SLA.Critical = 0 },
	}
	for name, f := range bad {
		b := DefaultSettings()
		f(&b)
		if err := db.Update(func(tx *Tx) error { return tx.PutSettings(b) }); err == nil {
			t.Errorf("PutSettings with %s succeeded, want an error", name)
		}
	}
	mustView(t, db, func(tx *Tx) error {
		if got, _ := tx.Settings(); !reflect.DeepEqual(got, s) {
			t.Errorf("refused settings changed the stored ones: %+v", got)
		}
		return nil
	})
}

// ---- one write, one transaction ----

func TestFailedUpdateLeavesNothing(t *testing.T) {
	path := newDBPath(t)
	boom := errors.New("boom")
	counts := func() map[string]int {
		var c map[string]int
		if err := View(path, Options{}, func(tx *Tx) error { c = tx.Counts(); return nil }); err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := counts()
	err := Update(path, Options{}, func(tx *Tx) error {
		m := &Member{Name: "M", Role: RoleManager}
		if err := tx.PutMember(m); err != nil {
			return err
		}
		a := &Account{Name: "A", OwnerID: m.ID, ExternalID: "E-1"}
		if err := tx.PutAccount(a); err != nil {
			return err
		}
		if err := tx.AppendLedger(&LedgerEntry{AccountID: a.ID, Date: day("2026-01-01"), Kind: metrics.KindNew, ARRCents: 1}); err != nil {
			return err
		}
		if err := tx.PutSnapshot(&Snapshot{AccountID: a.ID, Week: 202610, Score: 50, Band: metrics.Yellow}); err != nil {
			return err
		}
		if err := tx.AppendActivity(&Activity{AccountID: a.ID, Kind: ActCall}); err != nil {
			return err
		}
		e := &Escalation{AccountID: a.ID, Title: "E", Severity: SevHigh, Status: StatusOpen}
		if err := tx.PutEscalation(e); err != nil {
			return err
		}
		if err := tx.AppendEvent(&Event{EscalationID: e.ID, Kind: "created"}); err != nil {
			return err
		}
		s := DefaultSettings()
		s.Currency = "GBP"
		if err := tx.PutSettings(s); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	if after := counts(); !reflect.DeepEqual(before, after) {
		t.Errorf("a failed Update left records behind: %v -> %v", before, after)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		if _, err := tx.AccountByExternalID("E-1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("index entry survived the rollback: %v", err)
		}
		if ids := tx.AccountIDsByOwner(1); len(ids) != 0 {
			t.Errorf("owner index survived the rollback: %v", ids)
		}
		if tx.HasWeek(202610) || len(tx.EscalationIDsByStatus(StatusOpen)) != 0 {
			t.Error("snapshot or escalation index survived the rollback")
		}
		if s, _ := tx.Settings(); s.Currency != "USD" {
			t.Errorf("settings survived the rollback: %s", s.Currency)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Sequences roll back too: the next record gets ID 1.
	if err := Update(path, Options{}, func(tx *Tx) error {
		a := &Account{Name: "first"}
		if err := tx.PutAccount(a); err != nil {
			return err
		}
		if a.ID != 1 {
			t.Errorf("first committed account got ID %d, want 1", a.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestPanicInUpdateRollsBack(t *testing.T) {
	db := newDB(t)
	err := db.Update(func(tx *Tx) error {
		if err := tx.PutAccount(&Account{Name: "A"}); err != nil {
			return err
		}
		panic("caller bug")
	})
	if err == nil {
		t.Fatal("a panicking Update returned no error")
	}
	mustView(t, db, func(tx *Tx) error {
		if n := tx.Counts()["accounts"]; n != 0 {
			t.Errorf("a panicking Update committed %d accounts", n)
		}
		return nil
	})
	// The handle is still usable.
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutAccount(&Account{Name: "B"}) })
}

func TestValuesOutliveTheirTransaction(t *testing.T) {
	// Records returned by a Tx are copies: reading them after the
	// transaction (and after later writes remap the file) is safe.
	db := newDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		return tx.PutAccount(&Account{Name: "keep me", ExternalID: "K", SuccessPlan: "plan"})
	})
	var got []Account
	mustView(t, db, func(tx *Tx) error { var err error; got, err = tx.Accounts(); return err })
	mustUpdate(t, db, func(tx *Tx) error {
		for i := 0; i < 3000; i++ {
			if err := tx.PutAccount(&Account{Name: strings.Repeat("x", 200)}); err != nil {
				return err
			}
		}
		return nil
	})
	if got[0].Name != "keep me" || got[0].ExternalID != "K" || got[0].SuccessPlan != "plan" {
		t.Errorf("account read earlier changed to %+v", got[0])
	}
}
