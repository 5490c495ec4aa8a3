package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// ---- helpers (prefixed act to stay clear of the other store tests) ----

var actOpt = Options{LockTimeout: 2 * time.Second}

// actCET is a non-UTC zone: every action must store its instants in UTC.
var actCET = time.FixedZone("CET", 3600)

// actNow is the "now" handed to the actions: 2026-03-02 14:30 CET, 13:30 UTC.
var actNow = time.Date(2026, 3, 2, 14, 30, 0, 0, actCET)

// actFix is a small roster and book written to a real file.
type actFix struct {
	path                   string
	mia, sam, alex, ivy    Member  // mia: manager; ivy: inactive
	acme, beta             Account // acme owned by sam, beta by alex
	byMia, bySam, byAlex   Actor
	acmeARR                int64
	acmeTouch, acmeLastQBR metrics.Date
}

func actSetup(t *testing.T) *actFix {
	t.Helper()
	f := &actFix{path: filepath.Join(t.TempDir(), "steward.db")}
	f.acmeARR = 50_000_00
	f.acmeTouch, f.acmeLastQBR = day("2026-01-10"), day("2025-12-01")
	actUpdate(t, f.path, func(tx *Tx) error {
		f.mia = Member{Name: "Mia Manager", Email: "mia@example.com", Role: RoleManager, Active: true}
		f.sam = Member{Name: "Sam Senior", Email: "sam@example.com", Role: RoleSeniorAM, Active: true}
		f.alex = Member{Name: "Alex Am", Email: "alex@example.com", Role: RoleAccountManager, Active: true}
		f.ivy = Member{Name: "Ivy Gone", Email: "ivy@example.com", Role: RoleAccountManager, Active: false}
		for _, m := range []*Member{&f.mia, &f.sam, &f.alex, &f.ivy} {
			if err := tx.PutMember(m); err != nil {
				return err
			}
		}
		f.acme = Account{Name: "Acme", ExternalID: "CRM-1", OwnerID: f.sam.ID, ARRCents: f.acmeARR, Seats: 100,
			ChampionName: "Carol", ChampionEmail: "carol@acme.test", ContractStart: day("2025-01-01"),
			RenewalDate: day("2026-12-31"), LastTouch: f.acmeTouch, LastQBR: f.acmeLastQBR}
		f.beta = Account{Name: "Beta", ExternalID: "CRM-2", OwnerID: f.alex.ID, ARRCents: 10_000_00}
		for _, a := range []*Account{&f.acme, &f.beta} {
			if err := tx.PutAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	f.byMia = Actor{ID: f.mia.ID, Name: f.mia.Name}
	f.bySam = Actor{ID: f.sam.ID, Name: f.sam.Name}
	f.byAlex = Actor{ID: f.alex.ID, Name: f.alex.Name}
	return f
}

// actUpdate runs fn through store.Update (open, one transaction, close).
func actUpdate(t *testing.T, path string, fn func(*Tx) error) {
	t.Helper()
	if err := Update(path, actOpt, fn); err != nil {
		t.Fatalf("store.Update: %v", err)
	}
}

// actView reads through store.View: a fresh read-only handle on the file.
func actView(t *testing.T, path string, fn func(*Tx) error) {
	t.Helper()
	if err := View(path, actOpt, fn); err != nil {
		t.Fatalf("store.View: %v", err)
	}
}

// actFingerprint hashes every bucket of the file (keys, values, nested
// buckets and sequences), so "wrote nothing" means exactly that.
func actFingerprint(t *testing.T, path string) string {
	t.Helper()
	h := sha256.New()
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		var seq [8]byte
		binary.BigEndian.PutUint64(seq[:], b.Sequence())
		h.Write(seq[:])
		_ = b.ForEach(func(k, v []byte) error {
			fmt.Fprintf(h, "%d:%x=", len(k), k)
			if v == nil {
				h.Write([]byte("{"))
				walk(b.Bucket(k))
				h.Write([]byte("}"))
				return nil
			}
			fmt.Fprintf(h, "%d:%x;", len(v), v)
			return nil
		})
	}
	actView(t, path, func(tx *Tx) error {
		return tx.tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			fmt.Fprintf(h, "[%s]", name)
			walk(b)
			return nil
		})
	})
	return hex.EncodeToString(h.Sum(nil))
}

// actRefused asserts that fn fails with an error holding every want and
// leaves the file exactly as it was: once through store.Update (the error
// rolls the transaction back) and once with the error swallowed and the
// transaction committed, which holds the action to its promise of
// validating before it writes.
func actRefused(t *testing.T, path, what string, fn func(*Tx) error, wants ...string) {
	t.Helper()
	before := actFingerprint(t, path)
	err := Update(path, actOpt, fn)
	wantErrContains(t, what, err, wants...)
	if after := actFingerprint(t, path); after != before {
		t.Errorf("%s: the refused action changed the file", what)
	}
	var inner error
	if err := Update(path, actOpt, func(tx *Tx) error { inner = fn(tx); return nil }); err != nil {
		t.Fatalf("%s: committing after a refusal: %v", what, err)
	}
	if inner == nil {
		t.Errorf("%s: second run got no error", what)
	}
	if after := actFingerprint(t, path); after != before {
		t.Errorf("%s: the action wrote before it refused (visible when the caller commits)", what)
	}
}

func actEsc(t *testing.T, path string, id uint64) (Escalation, []Event) {
	t.Helper()
	var e Escalation
	var tl []Event
	actView(t, path, func(tx *Tx) error {
		var err error
		if e, err = tx.Escalation(id); err != nil {
			return err
		}
		tl, err = tx.Timeline(id)
		return err
	})
	return e, tl
}

func actAccount(t *testing.T, path string, id uint64) (Account, []Activity) {
	t.Helper()
	var a Account
	var acts []Activity
	actView(t, path, func(tx *Tx) error {
		var err error
		if a, err = tx.Account(id); err != nil {
			return err
		}
		acts, err = tx.Activities(id, 0)
		return err
	})
	return a, acts
}

// actUTC fails unless got is the instant want, stored in UTC.
func actUTC(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s = %v, want %v in UTC", what, got, want.UTC())
	}
}

// actCheckEvent checks the last timeline event.
func actCheckEvent(t *testing.T, what string, tl []Event, wantLen int, author string, at time.Time, kind string, text ...string) {
	t.Helper()
	if len(tl) != wantLen {
		t.Fatalf("%s: timeline has %d events, want %d: %+v", what, len(tl), wantLen, tl)
	}
	ev := tl[len(tl)-1]
	if ev.Author != author || ev.Kind != kind {
		t.Errorf("%s: event author %q kind %q, want %q %q", what, ev.Author, ev.Kind, author, kind)
	}
	actUTC(t, what+": event time", ev.At, at)
	for _, s := range text {
		if !strings.Contains(ev.Text, s) {
			t.Errorf("%s: event text %q does not contain %q", what, ev.Text, s)
		}
	}
}

// actCheckActivity checks the newest activity (acts is newest first).
func actCheckActivity(t *testing.T, what string, acts []Activity, wantLen int, author string, at time.Time, kind string, text ...string) {
	t.Helper()
	if len(acts) != wantLen {
		t.Fatalf("%s: %d activities, want %d: %+v", what, len(acts), wantLen, acts)
	}
	a := acts[0]
	if a.Author != author || a.Kind != kind {
		t.Errorf("%s: activity author %q kind %q, want %q %q", what, a.Author, a.Kind, author, kind)
	}
	actUTC(t, what+": activity time", a.At, at)
	for _, s := range text {
		if !strings.Contains(a.Text, s) {
			t.Errorf("%s: activity text %q does not contain %q", what, a.Text, s)
		}
	}
}

// actCreate raises an escalation on acme and returns it.
func actCreate(t *testing.T, f *actFix, sev string, now time.Time) Escalation {
	t.Helper()
	var e Escalation
	actUpdate(t, f.path, func(tx *Tx) error {
		var err error
		e, err = tx.CreateEscalation(NewEscalation{AccountID: f.acme.ID, Title: "Outage", Severity: sev, OwnerID: f.sam.ID}, f.byMia, now)
		return err
	})
	return e
}

func actIDs(t *testing.T, path string, fn func(tx *Tx) []uint64) string {
	t.Helper()
	var s string
	actView(t, path, func(tx *Tx) error { s = fmt.Sprint(fn(tx)); return nil })
	return s
}

// ---- FindActor ----

func TestActFindActor(t *testing.T) {
	members := []Member{
		{ID: 1, Name: "Old Boss", Email: "old@example.com", Role: RoleManager, Active: false},
		{ID: 2, Name: "Alex Am", Email: "alex@example.com", Role: RoleAccountManager, Active: true},
		{ID: 3, Name: "Mia Manager", Email: "mia@example.com", Role: RoleManager, Active: true},
		{ID: 4, Name: "Max Manager", Email: "max@example.com", Role: RoleManager, Active: true},
	}
	for _, tc := range []struct {
		who  string
		want Actor
	}{
		{"", Actor{ID: 3, Name: "Mia Manager"}}, // first active manager
		{"  ", Actor{ID: 3, Name: "Mia Manager"}},
		{"alex am", Actor{ID: 2, Name: "Alex Am"}},
		{"ALEX@EXAMPLE.COM", Actor{ID: 2, Name: "Alex Am"}},
		{" Max Manager ", Actor{ID: 4, Name: "Max Manager"}},
	} {
		got, err := FindActor(members, tc.who)
		if err != nil || got != tc.want {
			t.Errorf("FindActor(%q) = %+v, %v; want %+v", tc.who, got, err, tc.want)
		}
	}

	_, err := FindActor(members, "nobody")
	wantErrContains(t, `FindActor("nobody")`, err, "nobody", "Alex Am", "Mia Manager", "Max Manager")
	if err != nil && strings.Contains(err.Error(), "Old Boss") {
		t.Errorf("the list of names offers an inactive member: %v", err)
	}
	_, err = FindActor(members, "old@example.com")
	wantErrContains(t, "FindActor(inactive member)", err, "no active member")

	_, err = FindActor(members[:2], "")
	wantErrContains(t, "FindActor with no active manager", err, "no active manager")
	_, err = FindActor(nil, "")
	wantErrContains(t, "FindActor on an empty roster", err, "no active manager")

	// And against a real roster read back from the file.
	f := actSetup(t)
	var roster []Member
	actView(t, f.path, func(tx *Tx) error { var err error; roster, err = tx.Members(); return err })
	if got, err := FindActor(roster, ""); err != nil || got != f.byMia {
		t.Errorf("FindActor(roster, \"\") = %+v, %v; want %+v", got, err, f.byMia)
	}
	if got, err := FindActor(roster, "SAM@example.com"); err != nil || got != f.bySam {
		t.Errorf("FindActor(roster, sam's email) = %+v, %v; want %+v", got, err, f.bySam)
	}
}

// ---- escalations ----

func TestActCreateEscalation(t *testing.T) {
	f := actSetup(t)
	var e Escalation
	actUpdate(t, f.path, func(tx *Tx) error {
		var err error
		e, err = tx.CreateEscalation(NewEscalation{AccountID: f.acme.ID, Title: "  Outage in EU  ",
			Description: " down 3h ", Severity: SevHigh, OwnerID: f.sam.ID}, f.byMia, actNow)
		return err
	})
	got, tl := actEsc(t, f.path, e.ID)
	if got.Title != "Outage in EU" || got.Description != "down 3h" || got.Severity != SevHigh ||
		got.Status != StatusOpen || got.RaisedBy != f.mia.ID || got.OwnerID != f.sam.ID ||
		got.AccountID != f.acme.ID || got.Decision != "" || !got.ResolvedAt.IsZero() {
		t.Errorf("stored escalation = %+v", got)
	}
	actUTC(t, "CreatedAt", got.CreatedAt, actNow)
	actUTC(t, "UpdatedAt", got.UpdatedAt, actNow)
	actUTC(t, "SLADue", got.SLADue, actNow.Add(24*time.Hour))
	actCheckEvent(t, "created", tl, 1, f.mia.Name, actNow, "created", "raised high: Outage in EU")
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusOpen) }); s != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("open escalations = %s", s)
	}
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByAccount(f.acme.ID) }); s != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("acme's escalations = %s", s)
	}

	// The SLA of each severity, from the default settings.
	for sev, hours := range map[string]int{SevCritical: 4, SevHigh: 24, SevMedium: 72, SevLow: 168} {
		e := actCreate(t, f, sev, actNow)
		got, _ := actEsc(t, f.path, e.ID)
		actUTC(t, sev+" SLADue", got.SLADue, actNow.Add(time.Duration(hours)*time.Hour))
	}

	refuse := func(what string, n NewEscalation, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error {
			_, err := tx.CreateEscalation(n, f.byMia, actNow)
			return err
		}, wants...)
	}
	refuse("empty title", NewEscalation{AccountID: f.acme.ID, Title: " \t", Severity: SevHigh}, "title")
	refuse("bad severity", NewEscalation{AccountID: f.acme.ID, Title: "x", Severity: "urgent"}, "urgent", "critical")
	refuse("no severity", NewEscalation{AccountID: f.acme.ID, Title: "x"}, "severity")
	refuse("unknown account", NewEscalation{AccountID: 999, Title: "x", Severity: SevLow}, "999")
	refuse("unknown owner", NewEscalation{AccountID: f.acme.ID, Title: "x", Severity: SevLow, OwnerID: 999}, "999")
}

// An inactive member cannot be given an escalation: AssignEscalation refuses
// it and DeactivateMember insists they own none, so creating one with such
// an owner must be refused too.
func TestActCreateEscalationRefusesInactiveOwner(t *testing.T) {
	f := actSetup(t)
	actRefused(t, f.path, "CreateEscalation owned by an inactive member", func(tx *Tx) error {
		_, err := tx.CreateEscalation(NewEscalation{AccountID: f.acme.ID, Title: "x", Severity: SevLow, OwnerID: f.ivy.ID}, f.byMia, actNow)
		return err
	}, f.ivy.Name)
}

func TestActAssignEscalation(t *testing.T) {
	f := actSetup(t)
	e := actCreate(t, f, SevHigh, actNow)
	t1 := actNow.Add(time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.AssignEscalation(e.ID, f.alex.ID, f.byMia, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	if got.OwnerID != f.alex.ID {
		t.Errorf("owner = %d, want %d", got.OwnerID, f.alex.ID)
	}
	actUTC(t, "UpdatedAt", got.UpdatedAt, t1)
	actUTC(t, "CreatedAt", got.CreatedAt, actNow)
	actCheckEvent(t, "assign", tl, 2, f.mia.Name, t1, "assigned", "assigned to Alex Am")

	t2 := actNow.Add(2 * time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.AssignEscalation(e.ID, 0, f.byMia, t2); return err })
	got, tl = actEsc(t, f.path, e.ID)
	if got.OwnerID != 0 {
		t.Errorf("owner after unassigning = %d", got.OwnerID)
	}
	actCheckEvent(t, "unassign", tl, 3, f.mia.Name, t2, "assigned", "nobody")

	refuse := func(what string, id, owner uint64, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.AssignEscalation(id, owner, f.byMia, t2); return err }, wants...)
	}
	refuse("assign to the current owner", e.ID, 0, "already")
	refuse("assign to an inactive member", e.ID, f.ivy.ID, f.ivy.Name, "active")
	refuse("assign to an unknown member", e.ID, 999, "999")
	refuse("assign an unknown escalation", 999, f.alex.ID, "999")
}

func TestActSetSeverity(t *testing.T) {
	f := actSetup(t)
	created := actNow
	e := actCreate(t, f, SevLow, created)
	t1 := created.Add(5 * time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSeverity(e.ID, SevCritical, f.byMia, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	if got.Severity != SevCritical {
		t.Errorf("severity = %q", got.Severity)
	}
	// From the creation time, not from now: already breached.
	actUTC(t, "SLADue after critical", got.SLADue, created.Add(4*time.Hour))
	actUTC(t, "UpdatedAt", got.UpdatedAt, t1)
	actCheckEvent(t, "severity", tl, 2, f.mia.Name, t1, "severity", "low → critical")

	t2 := created.Add(6 * time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSeverity(e.ID, SevMedium, f.byMia, t2); return err })
	got, tl = actEsc(t, f.path, e.ID)
	actUTC(t, "SLADue after medium", got.SLADue, created.Add(72*time.Hour))
	actCheckEvent(t, "severity", tl, 3, f.mia.Name, t2, "severity", "critical → medium")

	// The SLA hours come from the stored settings.
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSetting("sla.high", "10", f.byMia, t2); return err })
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSeverity(e.ID, SevHigh, f.byMia, t2); return err })
	got, _ = actEsc(t, f.path, e.ID)
	actUTC(t, "SLADue after high with sla.high=10", got.SLADue, created.Add(10*time.Hour))

	refuse := func(what string, id uint64, sev string, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.SetSeverity(id, sev, f.byMia, t2); return err }, wants...)
	}
	refuse("bad severity", e.ID, "urgent", "urgent")
	refuse("empty severity", e.ID, "", "severity")
	refuse("same severity", e.ID, SevHigh, "already")
	refuse("unknown escalation", 999, SevHigh, "999")
}

func TestActSetStatus(t *testing.T) {
	f := actSetup(t)
	e := actCreate(t, f, SevHigh, actNow)
	t1 := actNow.Add(time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetStatus(e.ID, StatusInProgress, f.bySam, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	if got.Status != StatusInProgress {
		t.Errorf("status = %q", got.Status)
	}
	actUTC(t, "UpdatedAt", got.UpdatedAt, t1)
	actCheckEvent(t, "status", tl, 2, f.sam.Name, t1, "status", "open → in_progress")
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusInProgress) }); s != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("in progress = %s", s)
	}
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusOpen) }); s != "[]" {
		t.Errorf("open = %s", s)
	}

	refuse := func(what string, id uint64, status string, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.SetStatus(id, status, f.byMia, t1); return err }, wants...)
	}
	refuse("status resolved (has its own action)", e.ID, StatusResolved, "resolve")
	refuse("unknown status", e.ID, "closed", "closed")
	refuse("same status", e.ID, StatusInProgress, "already")
	refuse("unknown escalation", 999, StatusOpen, "999")

	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Resolve(e.ID, "fixed", f.byMia, t1); return err })
	refuse("status change on a resolved escalation", e.ID, StatusWaitingClient, "reopen")
}

func TestActDecide(t *testing.T) {
	f := actSetup(t)
	e := actCreate(t, f, SevHigh, actNow)
	t1, t2 := actNow.Add(time.Hour), actNow.Add(2*time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Decide(e.ID, DecisionCoach, f.byMia, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	if got.Decision != DecisionCoach || got.Status != StatusOpen {
		t.Errorf("after coach: decision %q status %q", got.Decision, got.Status)
	}
	actCheckEvent(t, "coach", tl, 2, f.mia.Name, t1, "decision", "coach the account manager")

	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Decide(e.ID, DecisionDirector, f.byMia, t2); return err })
	got, tl = actEsc(t, f.path, e.ID)
	if got.Decision != DecisionDirector || got.Status != StatusWithDirector {
		t.Errorf("after director: decision %q status %q, want director with_director", got.Decision, got.Status)
	}
	actUTC(t, "UpdatedAt", got.UpdatedAt, t2)
	actCheckEvent(t, "director", tl, 3, f.mia.Name, t2, "decision", "director", "open → with_director")
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusWithDirector) }); s != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("with director = %s", s)
	}
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusOpen) }); s != "[]" {
		t.Errorf("open = %s", s)
	}

	refuse := func(what string, id uint64, d string, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.Decide(id, d, f.byMia, t2); return err }, wants...)
	}
	refuse("unknown decision", e.ID, "ceo", "ceo")
	refuse("unknown escalation", 999, DecisionCoach, "999")
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Resolve(e.ID, "done", f.byMia, t2); return err })
	refuse("decide on a resolved escalation", e.ID, DecisionManager, "reopen")
}

// "Manager takes it" does what it says: the acting manager becomes the
// owner and the work is in progress, all in one audited event.
func TestActDecideManagerTakesIt(t *testing.T) {
	f := actSetup(t)
	e := actCreate(t, f, SevHigh, actNow)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.AssignEscalation(e.ID, f.alex.ID, f.byMia, actNow); return err })
	t1 := actNow.Add(time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Decide(e.ID, DecisionManager, f.byMia, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	if got.Decision != DecisionManager || got.OwnerID != f.mia.ID || got.Status != StatusInProgress {
		t.Fatalf("after manager takes it: decision %q owner %d status %q, want manager, %d, in_progress", got.Decision, got.OwnerID, got.Status, f.mia.ID)
	}
	actCheckEvent(t, "manager", tl, len(tl), f.mia.Name, t1, "decision", "manager takes it", "owner Alex Am → Mia Manager", "open → in_progress")
	if s := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusInProgress) }); s != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("in progress = %s", s)
	}
	actRefused(t, f.path, "manager takes it without an acting member", func(tx *Tx) error {
		_, err := tx.Decide(e.ID, DecisionManager, Actor{Name: "ghost"}, t1)
		return err
	}, "--as")
}

func TestActAddNote(t *testing.T) {
	f := actSetup(t)
	e := actCreate(t, f, SevMedium, actNow)
	t1 := actNow.Add(30 * time.Minute)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.AddNote(e.ID, "  called the CTO  ", f.bySam, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	actCheckEvent(t, "note", tl, 2, f.sam.Name, t1, "note")
	if tl[1].Text != "called the CTO" {
		t.Errorf("note text = %q", tl[1].Text)
	}
	actUTC(t, "UpdatedAt", got.UpdatedAt, t1)
	if got.Status != StatusOpen || got.Severity != SevMedium {
		t.Errorf("a note changed the escalation: %+v", got)
	}
	actRefused(t, f.path, "empty note", func(tx *Tx) error { _, err := tx.AddNote(e.ID, " \n ", f.bySam, t1); return err }, "empty")
	actRefused(t, f.path, "note on an unknown escalation", func(tx *Tx) error { _, err := tx.AddNote(999, "x", f.bySam, t1); return err }, "999")
}

func TestActResolveAndReopen(t *testing.T) {
	f := actSetup(t)
	e := actCreate(t, f, SevHigh, actNow)
	t1, t2 := actNow.Add(3*time.Hour), actNow.Add(5*time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetStatus(e.ID, StatusWaitingClient, f.bySam, actNow); return err })

	actRefused(t, f.path, "resolve without a note", func(tx *Tx) error { _, err := tx.Resolve(e.ID, "  ", f.bySam, t1); return err }, "note")
	actRefused(t, f.path, "reopen an open escalation", func(tx *Tx) error { _, err := tx.Reopen(e.ID, "why", f.bySam, t1); return err }, "not resolved")

	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Resolve(e.ID, " patched ", f.bySam, t1); return err })
	got, tl := actEsc(t, f.path, e.ID)
	if got.Status != StatusResolved || got.Open() {
		t.Errorf("status after resolve = %q", got.Status)
	}
	actUTC(t, "ResolvedAt", got.ResolvedAt, t1)
	actUTC(t, "UpdatedAt", got.UpdatedAt, t1)
	actCheckEvent(t, "resolve", tl, 3, f.sam.Name, t1, "resolved", "patched")
	for _, s := range OpenStatuses {
		if ids := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(s) }); ids != "[]" {
			t.Errorf("after resolve, %s = %s", s, ids)
		}
	}
	if ids := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusResolved) }); ids != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("after resolve, resolved = %s", ids)
	}

	actRefused(t, f.path, "resolve a resolved escalation", func(tx *Tx) error { _, err := tx.Resolve(e.ID, "again", f.bySam, t2); return err }, "already resolved")
	actRefused(t, f.path, "reopen without a reason", func(tx *Tx) error { _, err := tx.Reopen(e.ID, "", f.bySam, t2); return err }, "reason")
	actRefused(t, f.path, "status change on a resolved escalation", func(tx *Tx) error {
		_, err := tx.SetStatus(e.ID, StatusInProgress, f.bySam, t2)
		return err
	}, "resolved")

	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Reopen(e.ID, "came back", f.byMia, t2); return err })
	got, tl = actEsc(t, f.path, e.ID)
	if got.Status != StatusOpen || !got.ResolvedAt.IsZero() {
		t.Errorf("after reopen: status %q resolved at %v", got.Status, got.ResolvedAt)
	}
	actUTC(t, "UpdatedAt", got.UpdatedAt, t2)
	actCheckEvent(t, "reopen", tl, 4, f.mia.Name, t2, "reopened", "came back")
	if ids := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusResolved) }); ids != "[]" {
		t.Errorf("after reopen, resolved = %s", ids)
	}
	if ids := actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.EscalationIDsByStatus(StatusOpen) }); ids != fmt.Sprint([]uint64{e.ID}) {
		t.Errorf("after reopen, open = %s", ids)
	}
	var kinds []string
	for _, ev := range tl {
		kinds = append(kinds, ev.Kind)
	}
	if s := fmt.Sprint(kinds); s != "[created status resolved reopened]" {
		t.Errorf("timeline kinds = %s", s)
	}
}

// ---- account actions ----

func TestActLogActivity(t *testing.T) {
	f := actSetup(t)
	n := 0
	log := func(kind string, at time.Time) Account {
		t.Helper()
		actUpdate(t, f.path, func(tx *Tx) error {
			_, err := tx.LogActivity(f.acme.ID, kind, "  "+kind+" text  ", f.bySam, at)
			return err
		})
		n++
		a, acts := actAccount(t, f.path, f.acme.ID)
		actCheckActivity(t, kind, acts, n, f.sam.Name, at, kind)
		if acts[0].Text != kind+" text" || acts[0].AccountID != f.acme.ID {
			t.Errorf("%s: activity = %+v", kind, acts[0])
		}
		return a
	}

	d1 := actNow // 2026-03-02
	a := log(ActNote, d1.AddDate(0, 0, 1))
	if a.LastTouch != f.acmeTouch || a.LastQBR != f.acmeLastQBR {
		t.Errorf("a note moved last touch/QBR to %s/%s", a.LastTouch, a.LastQBR)
	}
	a = log(ActCall, d1)
	if a.LastTouch != day("2026-03-02") || a.LastQBR != f.acmeLastQBR {
		t.Errorf("after a call: last touch %s, last QBR %s", a.LastTouch, a.LastQBR)
	}
	a = log(ActEmail, d1.AddDate(0, 0, 1))
	if a.LastTouch != day("2026-03-03") {
		t.Errorf("after an email: last touch %s", a.LastTouch)
	}
	a = log(ActMeeting, d1.AddDate(0, 0, 2))
	if a.LastTouch != day("2026-03-04") || a.LastQBR != f.acmeLastQBR {
		t.Errorf("after a meeting: last touch %s, last QBR %s", a.LastTouch, a.LastQBR)
	}
	a = log(ActQBR, d1.AddDate(0, 0, 3))
	if a.LastTouch != day("2026-03-05") || a.LastQBR != day("2026-03-05") {
		t.Errorf("after a QBR: last touch %s, last QBR %s", a.LastTouch, a.LastQBR)
	}
	a = log(ActNote, d1.AddDate(0, 0, 9))
	if a.LastTouch != day("2026-03-05") || a.LastQBR != day("2026-03-05") {
		t.Errorf("a later note moved last touch/QBR to %s/%s", a.LastTouch, a.LastQBR)
	}

	refuse := func(what string, acct uint64, kind, text string, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error {
			_, err := tx.LogActivity(acct, kind, text, f.bySam, d1)
			return err
		}, wants...)
	}
	refuse("unknown kind", f.acme.ID, "lunch", "x", "lunch")
	refuse("internal kind override", f.acme.ID, "override", "x", "override")
	refuse("internal kind edit", f.acme.ID, "edit", "x", "edit")
	refuse("empty text", f.acme.ID, ActCall, "  ", "empty")
	refuse("unknown account", 999, ActCall, "x", "999")
}

func TestActOverride(t *testing.T) {
	f := actSetup(t)
	expires := day("2026-03-31")
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.SetOverride(f.acme.ID, metrics.Yellow, " exec sponsor left ", expires, f.byMia, actNow)
		return err
	})
	a, acts := actAccount(t, f.path, f.acme.ID)
	want := metrics.Override{Band: metrics.Yellow, Reason: "exec sponsor left", Author: f.mia.Name, Expires: expires}
	if a.Override == nil || *a.Override != want {
		t.Errorf("override = %+v, want %+v", a.Override, want)
	}
	actUTC(t, "UpdatedAt", a.UpdatedAt, actNow)
	actCheckActivity(t, "override", acts, 1, f.mia.Name, actNow, "override", "yellow", "2026-03-31", "exec sponsor left")

	// Expiring today is allowed.
	today := day("2026-03-02")
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.SetOverride(f.acme.ID, metrics.Red, "renewal at risk", today, f.byMia, actNow)
		return err
	})
	a, acts = actAccount(t, f.path, f.acme.ID)
	if a.Override == nil || a.Override.Band != metrics.Red || a.Override.Expires != today {
		t.Errorf("override expiring today = %+v", a.Override)
	}
	// Red by override starts the red playbook in the same change (README,
	// "Playbooks"): its entry is the newest.
	if len(acts) != 3 || acts[0].Kind != "playbook" || !strings.Contains(acts[0].Text, "Red account recovery") {
		t.Fatalf("override to red: activities %+v, want the red playbook's first", acts)
	}
	actCheckActivity(t, "override today", acts[1:], 2, f.mia.Name, actNow, "override", "red")

	refuse := func(what string, band metrics.Band, reason string, exp metrics.Date, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error {
			_, err := tx.SetOverride(f.acme.ID, band, reason, exp, f.byMia, actNow)
			return err
		}, wants...)
	}
	refuse("band unknown", metrics.Unknown, "r", expires, "unknown")
	refuse("band empty", "", "r", expires, "green")
	refuse("band purple", "purple", "r", expires, "purple")
	refuse("no reason", metrics.Green, "  ", expires, "reason")
	refuse("expiry in the past", metrics.Green, "r", day("2026-03-01"), "2026-03-01", "past")
	refuse("no expiry", metrics.Green, "r", 0, "expiry")
	actRefused(t, f.path, "override on an unknown account", func(tx *Tx) error {
		_, err := tx.SetOverride(999, metrics.Green, "r", expires, f.byMia, actNow)
		return err
	}, "999")

	t1 := actNow.Add(time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.ClearOverride(f.acme.ID, f.bySam, t1); return err })
	a, acts = actAccount(t, f.path, f.acme.ID)
	if a.Override != nil {
		t.Errorf("override after clearing = %+v", a.Override)
	}
	actUTC(t, "UpdatedAt after clearing", a.UpdatedAt, t1)
	actCheckActivity(t, "clear", acts, 4, f.sam.Name, t1, "override", "cleared", "red", "renewal at risk") // with the playbook's
	actRefused(t, f.path, "clear without an override", func(tx *Tx) error { _, err := tx.ClearOverride(f.acme.ID, f.bySam, t1); return err }, "no override")
}

func TestActReassignAccount(t *testing.T) {
	f := actSetup(t)
	owned := func(m uint64) string {
		return actIDs(t, f.path, func(tx *Tx) []uint64 { return tx.AccountIDsByOwner(m) })
	}
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.ReassignAccount(f.acme.ID, f.alex.ID, f.byMia, actNow); return err })
	a, acts := actAccount(t, f.path, f.acme.ID)
	if a.OwnerID != f.alex.ID {
		t.Errorf("owner = %d, want %d", a.OwnerID, f.alex.ID)
	}
	actUTC(t, "UpdatedAt", a.UpdatedAt, actNow)
	actCheckActivity(t, "reassign", acts, 1, f.mia.Name, actNow, "edit", "Sam Senior → Alex Am")
	if got, want := owned(f.alex.ID), fmt.Sprint([]uint64{f.acme.ID, f.beta.ID}); got != want {
		t.Errorf("alex owns %s, want %s", got, want)
	}
	if got := owned(f.sam.ID); got != "[]" {
		t.Errorf("sam still owns %s", got)
	}

	t1 := actNow.Add(time.Hour)
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.ReassignAccount(f.acme.ID, 0, f.byMia, t1); return err })
	a, acts = actAccount(t, f.path, f.acme.ID)
	if a.OwnerID != 0 {
		t.Errorf("owner after unassigning = %d", a.OwnerID)
	}
	actCheckActivity(t, "unassign", acts, 2, f.mia.Name, t1, "edit", "Alex Am → nobody")
	if got := owned(0); got != fmt.Sprint([]uint64{f.acme.ID}) {
		t.Errorf("unassigned pool = %s", got)
	}

	refuse := func(what string, acct, owner uint64, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.ReassignAccount(acct, owner, f.byMia, t1); return err }, wants...)
	}
	refuse("reassign to an inactive member", f.acme.ID, f.ivy.ID, f.ivy.Name, "active")
	refuse("reassign to the current owner", f.beta.ID, f.alex.ID, "already")
	refuse("reassign to an unknown member", f.acme.ID, 999, "999")
	refuse("reassign an unknown account", 999, f.alex.ID, "999")
}

func TestActLedgerKindFor(t *testing.T) {
	for _, tc := range []struct {
		old, new  int64
		kind      metrics.LedgerKind
		ambiguous bool
	}{
		{0, 100, metrics.KindNew, false},
		{100, 0, metrics.KindChurn, false},
		{0, 0, metrics.KindChurn, false},
		{100, 200, metrics.KindExpansion, true},
		{200, 100, metrics.KindContraction, true},
		{100, 100, metrics.KindRenewal, true},
	} {
		k, amb := LedgerKindFor(tc.old, tc.new)
		if k != tc.kind || amb != tc.ambiguous {
			t.Errorf("LedgerKindFor(%d, %d) = %s, %v; want %s, %v", tc.old, tc.new, k, amb, tc.kind, tc.ambiguous)
		}
	}
}

func TestActEditAccount(t *testing.T) {
	f := actSetup(t)
	ledger := func() []LedgerEntry {
		t.Helper()
		var l []LedgerEntry
		actView(t, f.path, func(tx *Tx) error { var err error; l, err = tx.Ledger(f.acme.ID); return err })
		return l
	}
	nActs := 0
	edit := func(what string, kind metrics.LedgerKind, at time.Time, change func(a *Account)) Account {
		t.Helper()
		cur, _ := actAccount(t, f.path, f.acme.ID)
		change(&cur)
		var ret Account
		actUpdate(t, f.path, func(tx *Tx) error { var err error; ret, err = tx.EditAccount(cur, kind, f.byMia, at); return err })
		nActs++
		got, acts := actAccount(t, f.path, f.acme.ID)
		actUTC(t, what+": UpdatedAt", got.UpdatedAt, at)
		actCheckActivity(t, what, acts, nActs, f.mia.Name, at, "edit", "edited")
		if got.UpdatedAt != ret.UpdatedAt || got.ARRCents != ret.ARRCents || got.Lifecycle != ret.Lifecycle {
			t.Errorf("%s: returned %+v, stored %+v", what, ret, got)
		}
		return got
	}
	checkLedger := func(what string, n int, arr int64, kind metrics.LedgerKind, d metrics.Date) {
		t.Helper()
		l := ledger()
		if len(l) != n {
			t.Fatalf("%s: %d ledger entries, want %d: %+v", what, len(l), n, l)
		}
		e := l[n-1]
		if e.ARRCents != arr || e.Kind != kind || e.Date != d || e.Author != f.mia.Name {
			t.Errorf("%s: ledger entry %+v, want ARR %d kind %s date %s author %s", what, e, arr, kind, d, f.mia.Name)
		}
	}

	// A change that is not ARR: no ledger entry.
	a := edit("seats", "", actNow, func(a *Account) { a.Seats = 120 })
	if a.Seats != 120 {
		t.Errorf("seats = %d", a.Seats)
	}
	if l := ledger(); len(l) != 0 {
		t.Errorf("a seats edit wrote the ledger: %+v", l)
	}
	if _, acts := actAccount(t, f.path, f.acme.ID); !strings.Contains(acts[0].Text, "seats 100 → 120") {
		t.Errorf("activity text %q does not say what changed", acts[0].Text)
	}

	d := day("2026-03-02")
	a = edit("increase", "", actNow, func(a *Account) { a.ARRCents = 60_000_00 })
	checkLedger("increase", 1, 60_000_00, metrics.KindExpansion, d)
	if a.ARRCents != 60_000_00 {
		t.Errorf("ARR = %d", a.ARRCents)
	}
	if _, acts := actAccount(t, f.path, f.acme.ID); !strings.Contains(acts[0].Text, "ARR 50000.00 → 60000.00") {
		t.Errorf("activity text %q does not show the ARR change", acts[0].Text)
	}

	t2 := actNow.AddDate(0, 0, 1)
	edit("renewal", metrics.KindRenewal, t2, func(a *Account) { a.ARRCents = 66_000_00 })
	checkLedger("renewal", 2, 66_000_00, metrics.KindRenewal, d.AddDays(1))

	t3 := actNow.AddDate(0, 0, 2)
	edit("decrease", "", t3, func(a *Account) { a.ARRCents = 40_000_00 })
	checkLedger("decrease", 3, 40_000_00, metrics.KindContraction, d.AddDays(2))

	refuse := func(what string, kind metrics.LedgerKind, change func(a *Account), wants ...string) {
		t.Helper()
		cur, _ := actAccount(t, f.path, f.acme.ID)
		change(&cur)
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.EditAccount(cur, kind, f.byMia, t3); return err }, wants...)
	}
	refuse("nothing changed", "", func(a *Account) {}, "nothing changed")
	refuse("churn kind with ARR left", metrics.KindChurn, func(a *Account) { a.ARRCents = 1_000_00 }, "churn")
	refuse("unknown ledger kind", "upsell", func(a *Account) { a.ARRCents = 45_000_00 }, "upsell")
	refuse("negative ARR", "", func(a *Account) { a.ARRCents = -1 }, "negative")
	refuse("empty name", "", func(a *Account) { a.Name = " " }, "name")
	actRefused(t, f.path, "edit an unknown account", func(tx *Tx) error {
		_, err := tx.EditAccount(Account{ID: 999, Name: "x"}, "", f.byMia, t3)
		return err
	}, "999")

	t4 := actNow.AddDate(0, 0, 3)
	a = edit("to zero", "", t4, func(a *Account) { a.ARRCents = 0 })
	checkLedger("to zero", 4, 0, metrics.KindChurn, d.AddDays(3))
	if a.Lifecycle != Churned || a.ARRCents != 0 {
		t.Errorf("after ARR to 0: lifecycle %q ARR %d, want churned 0", a.Lifecycle, a.ARRCents)
	}
}

// EditAccount must notice, store and log every field a person can edit:
// a change it does not see is refused as "nothing changed", and one made
// together with another change is stored without a trace in the activity.
func TestActEditAccountSeesEveryField(t *testing.T) {
	for _, tc := range []struct {
		field  string
		change func(a *Account)
		check  func(a Account) bool
	}{
		{"champion email", func(a *Account) { a.ChampionEmail = "dana@acme.test" }, func(a Account) bool { return a.ChampionEmail == "dana@acme.test" }},
		{"contract start", func(a *Account) { a.ContractStart = day("2025-02-01") }, func(a Account) bool { return a.ContractStart == day("2025-02-01") }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			f := actSetup(t)
			cur, _ := actAccount(t, f.path, f.acme.ID)
			tc.change(&cur)
			err := Update(f.path, actOpt, func(tx *Tx) error { _, err := tx.EditAccount(cur, "", f.byMia, actNow); return err })
			if err != nil {
				t.Fatalf("EditAccount changing only the %s: %v", tc.field, err)
			}
			got, acts := actAccount(t, f.path, f.acme.ID)
			if !tc.check(got) {
				t.Errorf("the %s was not stored: %+v", tc.field, got)
			}
			actCheckActivity(t, tc.field, acts, 1, f.mia.Name, actNow, "edit", tc.field)
		})
	}
}

// ---- members ----

func TestActAddMember(t *testing.T) {
	f := actSetup(t)
	var m Member
	actUpdate(t, f.path, func(tx *Tx) error {
		var err error
		m, err = tx.AddMember(Member{ID: 77, Name: "  Noor New ", Email: " noor@example.com ", Role: RoleCoordinator}, f.byMia, actNow)
		return err
	})
	var got Member
	actView(t, f.path, func(tx *Tx) error { var err error; got, err = tx.Member(m.ID); return err })
	want := Member{ID: m.ID, Name: "Noor New", Email: "noor@example.com", Role: RoleCoordinator,
		Capacity: RoleCoordinator.DefaultCapacity(), Active: true}
	if got != want || m.ID == 77 || m.ID == 0 {
		t.Errorf("stored member = %+v, want %+v (a new ID, not the one passed in)", got, want)
	}

	refuse := func(what string, nm Member, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.AddMember(nm, f.byMia, actNow); return err }, wants...)
	}
	refuse("bad role", Member{Name: "X", Role: "boss"}, "boss")
	refuse("no role", Member{Name: "X"}, "role")
	refuse("duplicate email", Member{Name: "Other", Email: "MIA@Example.com", Role: RoleAccountManager}, "Mia Manager")
	refuse("duplicate name", Member{Name: "sam senior", Role: RoleAccountManager}, "Sam Senior")
	refuse("empty name", Member{Name: "  ", Role: RoleAccountManager}, "name")
	refuse("email without @", Member{Name: "X", Email: "x.example.com", Role: RoleAccountManager}, "@")
	refuse("negative capacity", Member{Name: "X", Role: RoleAccountManager, Capacity: -1}, "capacity")
}

func TestActEditMember(t *testing.T) {
	f := actSetup(t)
	alex := f.alex
	alex.Role, alex.Capacity, alex.Email, alex.LastOneOnOne = RoleSeniorAM, 40, "alex.am@example.com", day("2026-02-27")
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.EditMember(alex, f.byMia, actNow); return err })
	var got Member
	actView(t, f.path, func(tx *Tx) error { var err error; got, err = tx.Member(alex.ID); return err })
	if got != alex {
		t.Errorf("stored member = %+v, want %+v", got, alex)
	}
	// Keeping one's own name and email is not a clash.
	same := got
	same.Capacity = 41
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.EditMember(same, f.byMia, actNow); return err })

	refuse := func(what string, m Member, wants ...string) {
		t.Helper()
		actRefused(t, f.path, what, func(tx *Tx) error { _, err := tx.EditMember(m, f.byMia, actNow); return err }, wants...)
	}
	dup := same
	dup.Email = "Sam@example.com"
	refuse("another member's email", dup, "Sam Senior")
	bad := same
	bad.Role = "intern"
	refuse("bad role", bad, "intern")
	refuse("unknown member", Member{ID: 999, Name: "X", Role: RoleManager}, "999")
}

func TestActDeactivateMember(t *testing.T) {
	f := actSetup(t)
	var gamma, delta Account
	var open, busy, done Escalation
	actUpdate(t, f.path, func(tx *Tx) error {
		gamma = Account{Name: "Gamma", OwnerID: f.sam.ID, ARRCents: 5_000_00, Lifecycle: Onboarding}
		delta = Account{Name: "Delta", OwnerID: f.sam.ID, Lifecycle: Churned}
		for _, a := range []*Account{&gamma, &delta} {
			if err := tx.PutAccount(a); err != nil {
				return err
			}
		}
		var err error
		mk := func(sev string) Escalation {
			if err != nil {
				return Escalation{}
			}
			var e Escalation
			e, err = tx.CreateEscalation(NewEscalation{AccountID: f.beta.ID, Title: "t " + sev, Severity: sev, OwnerID: f.sam.ID}, f.byMia, actNow)
			return e
		}
		open, busy, done = mk(SevHigh), mk(SevLow), mk(SevMedium)
		if err != nil {
			return err
		}
		if _, err := tx.SetStatus(busy.ID, StatusInProgress, f.byMia, actNow); err != nil {
			return err
		}
		_, err = tx.Resolve(done.ID, "fixed", f.byMia, actNow)
		return err
	})
	deactivate := func(tx *Tx) error { _, err := tx.DeactivateMember(f.sam.ID, f.byMia, actNow); return err }
	// acme and gamma count (delta is churned); open and busy count (done is resolved).
	actRefused(t, f.path, "deactivate while owning accounts and escalations", deactivate,
		"Sam Senior", "2 account(s)", "2 open escalation(s)")

	actUpdate(t, f.path, func(tx *Tx) error {
		for _, id := range []uint64{f.acme.ID, gamma.ID} {
			if _, err := tx.ReassignAccount(id, f.alex.ID, f.byMia, actNow); err != nil {
				return err
			}
		}
		_, err := tx.AssignEscalation(open.ID, f.alex.ID, f.byMia, actNow)
		return err
	})
	actRefused(t, f.path, "deactivate while owning an escalation", deactivate, "0 account(s)", "1 open escalation(s)")

	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.Resolve(busy.ID, "done", f.byMia, actNow); return err })
	actUpdate(t, f.path, deactivate)
	var got Member
	var roster []Member
	actView(t, f.path, func(tx *Tx) error {
		var err error
		if got, err = tx.Member(f.sam.ID); err != nil {
			return err
		}
		roster, err = tx.Members()
		return err
	})
	if got.Active {
		t.Errorf("member still active after DeactivateMember: %+v", got)
	}
	if want := f.sam; got.Name != want.Name || got.Email != want.Email || got.Role != want.Role {
		t.Errorf("deactivating changed more than the flag: %+v", got)
	}
	if _, err := FindActor(roster, "Sam Senior"); err == nil {
		t.Error("FindActor still finds a deactivated member")
	}
	actRefused(t, f.path, "deactivate twice", deactivate, "already inactive")
	actRefused(t, f.path, "deactivate an unknown member", func(tx *Tx) error { _, err := tx.DeactivateMember(999, f.byMia, actNow); return err }, "999")
	if _, err := FindActor(roster, ""); err != nil {
		t.Errorf("FindActor default after deactivation: %v", err)
	}
}

// Member changes have no timeline of their own: the roster log audits them.
func TestActRosterLog(t *testing.T) {
	f := actSetup(t)
	var added Member
	actUpdate(t, f.path, func(tx *Tx) error {
		var err error
		added, err = tx.AddMember(Member{Name: "Rhea Roster", Email: "rhea@example.com", Role: RoleAccountManager}, f.byMia, actNow)
		return err
	})
	edited := added
	edited.Capacity = 12
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.EditMember(edited, f.byMia, actNow); return err })
	actRefused(t, f.path, "edit with nothing changed", func(tx *Tx) error { _, err := tx.EditMember(edited, f.byMia, actNow); return err }, "nothing changed")
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.DeactivateMember(added.ID, f.byMia, actNow); return err })
	var log []RosterChange
	actView(t, f.path, func(tx *Tx) error { var err error; log, err = tx.RosterLog(added.ID); return err })
	want := []string{"added Rhea Roster as account_manager (capacity 30)", "edited capacity 30 → 12", "deactivated Rhea Roster"}
	if len(log) != len(want) {
		t.Fatalf("roster log has %d entries, want %d: %+v", len(log), len(want), log)
	}
	for i, ch := range log {
		if ch.Text != want[i] || ch.Author != f.byMia.Name || !ch.At.Equal(actNow) || ch.At.Location() != time.UTC {
			t.Errorf("entry %d = %+v, want %q by %s at %s UTC", i, ch, want[i], f.byMia.Name, actNow.UTC())
		}
	}
}

// Marking an account churned while it still has ARR would leave the ledger
// (and so NRR, GRR and logo churn) saying it was retained.
func TestActChurnNeedsARRZero(t *testing.T) {
	f := actSetup(t)
	churned := f.acme
	churned.Lifecycle = Churned
	actRefused(t, f.path, "churned with ARR", func(tx *Tx) error { _, err := tx.EditAccount(churned, "", f.byMia, actNow); return err }, "set its ARR to 0")
	churned.ARRCents = 0
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.EditAccount(churned, "", f.byMia, actNow); return err })
	actView(t, f.path, func(tx *Tx) error {
		l, err := tx.Ledger(f.acme.ID)
		if err != nil {
			return err
		}
		if last := l[len(l)-1]; last.Kind != "churn" || last.ARRCents != 0 {
			t.Errorf("last ledger entry %+v, want a churn to 0", last)
		}
		return nil
	})
}

func TestCurrencyMustBeAnISOCode(t *testing.T) {
	f := actSetup(t)
	for _, bad := range []string{"€", "X1$", "usdd", ""} {
		actRefused(t, f.path, "currency "+bad, func(tx *Tx) error { _, err := tx.SetSetting("currency", bad, f.byMia, actNow); return err }, "ISO 4217")
	}
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSetting("currency", "eur", f.byMia, actNow); return err })
}

// Last touch is the person's own day (the dashboard's "today" is local), not
// the UTC day of the instant.
func TestActActivityDayIsLocal(t *testing.T) {
	saved := time.Local
	time.Local = time.FixedZone("PST", -8*3600)
	t.Cleanup(func() { time.Local = saved })
	f := actSetup(t)
	at := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC) // 19:00 on the 23rd in PST
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.LogActivity(f.acme.ID, ActCall, "evening call", f.byMia, at)
		return err
	})
	actView(t, f.path, func(tx *Tx) error {
		a, err := tx.Account(f.acme.ID)
		if a.LastTouch != day("2026-11-23") {
			t.Errorf("last touch %s, want the local day 2026-11-23", a.LastTouch)
		}
		return err
	})
}

// An edit dates the health inputs only when one of them changed: a new
// plan or pipeline leaves InputsAt where it was, a new NPS moves it to the
// edit's time. A legacy account (no InputsAt) keeps its estimate, its last
// write, through writes that do not touch the inputs; a caller cannot set
// InputsAt itself.
func TestEditAccountDatesTheInputs(t *testing.T) {
	f := actSetup(t)
	written := time.Date(2025, 11, 3, 10, 0, 0, 0, time.UTC)
	var id uint64
	actUpdate(t, f.path, func(tx *Tx) error {
		a := Account{Name: "Legacy Ltd", OwnerID: f.sam.ID, ARRCents: 30_000_00, Seats: 20, ActiveUsers: metrics.Some(15),
			CreatedAt: written.AddDate(-1, 0, 0), UpdatedAt: written}
		err := tx.PutAccount(&a)
		id = a.ID
		return err
	})
	edit := func(what string, at time.Time, change func(a *Account)) Account {
		t.Helper()
		cur, _ := actAccount(t, f.path, id)
		change(&cur)
		actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.EditAccount(cur, "", f.byMia, at); return err })
		got, _ := actAccount(t, f.path, id)
		return got
	}
	got, _ := actAccount(t, f.path, id)
	if !got.InputsAt.IsZero() || !got.InputsUpdated().Equal(written) {
		t.Fatalf("a new legacy-style account: InputsAt %v, InputsUpdated %v; want zero and %v", got.InputsAt, got.InputsUpdated(), written)
	}

	t1 := actNow
	got = edit("plan", t1, func(a *Account) { a.Plan = "Growth"; a.PipelineCents = 5_000_00 })
	actUTC(t, "UpdatedAt after a plan edit", got.UpdatedAt, t1)
	actUTC(t, "InputsAt after a plan edit (the legacy estimate pinned)", got.InputsAt, written)

	t2 := actNow.Add(48 * time.Hour)
	got = edit("NPS", t2, func(a *Account) { a.NPS = metrics.Some(8) })
	actUTC(t, "InputsAt after an NPS edit", got.InputsAt, t2)

	t3 := t2.Add(24 * time.Hour)
	got = edit("stage and a forged date", t3, func(a *Account) { a.PipelineStage = "proposal"; a.InputsAt = t3.Add(time.Hour) })
	actUTC(t, "InputsAt after a stage edit that tried to set it", got.InputsAt, t2)

	// A logged call moves the last touch but is not an update of the
	// inputs a CRM brings (README: only an import or an edit dates them).
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.LogActivity(id, ActCall, "check-in", f.byMia, t3.Add(24*time.Hour))
		return err
	})
	got, _ = actAccount(t, f.path, id)
	actUTC(t, "InputsAt after a logged call", got.InputsAt, t2)

	t4 := t3.Add(72 * time.Hour)
	got = edit("renewal date", t4, func(a *Account) { a.RenewalDate = day("2026-09-30") })
	actUTC(t, "InputsAt after a renewal-date edit", got.InputsAt, t4)
}
