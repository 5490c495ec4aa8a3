package store

import (
	"errors"
	"testing"
	"time"

	"steward/metrics"
)

// Every write action asks the one permission check: a manager may do
// everything, another role only what touches their own accounts and
// escalations, and never settings, the roster, reassigning or triage; a
// refusal says why, wraps ErrNotAllowed and writes nothing, even when the
// caller commits anyway.
func TestRolesAndWhatEachMayDo(t *testing.T) {
	db := newDB(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var boss, amy, ben, gone Member
	var mine, theirs Account
	var onMine, onTheirs, mineOnTheirs Escalation
	mustUpdate(t, db, func(tx *Tx) error {
		var err error
		for _, m := range []*Member{
			{Name: "Boss", Role: RoleManager}, {Name: "Amy", Role: RoleAccountManager},
			{Name: "Ben", Role: RoleSeniorAM}, {Name: "Gone", Role: RoleCoordinator},
		} {
			if *m, err = tx.AddMember(*m, Actor{Name: "setup"}, now); err != nil {
				return err
			}
			switch m.Name {
			case "Boss":
				boss = *m
			case "Amy":
				amy = *m
			case "Ben":
				ben = *m
			default:
				gone = *m
			}
		}
		mine = Account{Name: "Mine Ltd", OwnerID: amy.ID, ARRCents: 100_00}
		theirs = Account{Name: "Theirs Inc", OwnerID: ben.ID, ARRCents: 100_00}
		for _, a := range []*Account{&mine, &theirs} {
			if err := tx.PutAccount(a); err != nil {
				return err
			}
		}
		raise := func(acct, owner uint64) (Escalation, error) {
			return tx.CreateEscalation(NewEscalation{AccountID: acct, Title: "t", Severity: SevHigh, OwnerID: owner}, Actor{}, now)
		}
		if onMine, err = raise(mine.ID, amy.ID); err != nil {
			return err
		}
		if onTheirs, err = raise(theirs.ID, ben.ID); err != nil {
			return err
		}
		if mineOnTheirs, err = raise(theirs.ID, amy.ID); err != nil {
			return err
		}
		_, err = tx.DeactivateMember(gone.ID, Actor{}, now)
		return err
	})
	as := func(m Member) Actor { return Actor{ID: m.ID, Name: m.Name} }
	expires := metrics.DateOf(now).AddDays(30)
	actions := []struct {
		name string
		do   func(tx *Tx, by Actor) error
		amy  bool // allowed to Amy, an account manager
	}{
		{"log activity on her account", func(tx *Tx, by Actor) error { _, err := tx.LogActivity(mine.ID, ActCall, "hi", by, now); return err }, true},
		{"log activity on Ben's", func(tx *Tx, by Actor) error { _, err := tx.LogActivity(theirs.ID, ActCall, "hi", by, now); return err }, false},
		{"edit her account", func(tx *Tx, by Actor) error {
			a, _ := tx.Account(mine.ID)
			a.Seats++
			_, err := tx.EditAccount(a, "", by, now)
			return err
		}, true},
		{"edit Ben's", func(tx *Tx, by Actor) error {
			a, _ := tx.Account(theirs.ID)
			a.Seats++
			_, err := tx.EditAccount(a, "", by, now)
			return err
		}, false},
		{"override her account", func(tx *Tx, by Actor) error {
			_, err := tx.SetOverride(mine.ID, metrics.Red, "why", expires, by, now)
			return err
		}, true},
		{"override Ben's", func(tx *Tx, by Actor) error {
			_, err := tx.SetOverride(theirs.ID, metrics.Red, "why", expires, by, now)
			return err
		}, false},
		{"raise on her account", func(tx *Tx, by Actor) error {
			_, err := tx.CreateEscalation(NewEscalation{AccountID: mine.ID, Title: "x", Severity: SevLow}, by, now)
			return err
		}, true},
		{"raise on her account for Ben", func(tx *Tx, by Actor) error {
			_, err := tx.CreateEscalation(NewEscalation{AccountID: mine.ID, Title: "x", Severity: SevLow, OwnerID: ben.ID}, by, now)
			return err
		}, false},
		{"raise on her account for herself", func(tx *Tx, by Actor) error {
			_, err := tx.CreateEscalation(NewEscalation{AccountID: mine.ID, Title: "x", Severity: SevLow, OwnerID: by.ID}, by, now)
			return err
		}, true},
		{"raise on Ben's", func(tx *Tx, by Actor) error {
			_, err := tx.CreateEscalation(NewEscalation{AccountID: theirs.ID, Title: "x", Severity: SevLow}, by, now)
			return err
		}, false},
		{"note on her escalation on Ben's account", func(tx *Tx, by Actor) error { _, err := tx.AddNote(mineOnTheirs.ID, "n", by, now); return err }, true},
		{"note on Ben's escalation", func(tx *Tx, by Actor) error { _, err := tx.AddNote(onTheirs.ID, "n", by, now); return err }, false},
		{"status of her escalation", func(tx *Tx, by Actor) error { _, err := tx.SetStatus(onMine.ID, StatusInProgress, by, now); return err }, true},
		{"status of Ben's", func(tx *Tx, by Actor) error {
			_, err := tx.SetStatus(onTheirs.ID, StatusInProgress, by, now)
			return err
		}, false},
		{"send hers to the director", func(tx *Tx, by Actor) error {
			_, err := tx.SetStatus(onMine.ID, StatusWithDirector, by, now)
			return err
		}, false},
		{"resolve hers", func(tx *Tx, by Actor) error { _, err := tx.Resolve(onMine.ID, "done", by, now); return err }, true},
		{"resolve Ben's", func(tx *Tx, by Actor) error { _, err := tx.Resolve(onTheirs.ID, "done", by, now); return err }, false},
		{"severity", func(tx *Tx, by Actor) error { _, err := tx.SetSeverity(onMine.ID, SevCritical, by, now); return err }, false},
		{"assign", func(tx *Tx, by Actor) error { _, err := tx.AssignEscalation(onMine.ID, ben.ID, by, now); return err }, false},
		{"triage decision", func(tx *Tx, by Actor) error { _, err := tx.Decide(onMine.ID, DecisionCoach, by, now); return err }, false},
		{"reassign her account", func(tx *Tx, by Actor) error { _, err := tx.ReassignAccount(mine.ID, ben.ID, by, now); return err }, false},
		{"add a member", func(tx *Tx, by Actor) error {
			_, err := tx.AddMember(Member{Name: "New", Role: RoleCoordinator}, by, now)
			return err
		}, false},
		{"edit a member", func(tx *Tx, by Actor) error {
			m, _ := tx.Member(ben.ID)
			m.Capacity++
			_, err := tx.EditMember(m, by, now)
			return err
		}, false},
		{"a setting", func(tx *Tx, by Actor) error { _, err := tx.SetSetting("sla.high_hours", "12", by, now); return err }, false},
	}
	// What a refused action would have touched, read before and after.
	state := func() string {
		var out string
		mustView(t, db, func(tx *Tx) error {
			for _, id := range []uint64{mine.ID, theirs.ID} {
				a, _ := tx.Account(id)
				acts, _ := tx.Activities(id, 0)
				out += a.Name + time.Time(a.UpdatedAt).String() + string(rune('0'+len(acts)))
				out += string(rune('0' + len(tx.EscalationIDsByAccount(id))))
			}
			for _, id := range []uint64{onMine.ID, onTheirs.ID, mineOnTheirs.ID} {
				e, _ := tx.Escalation(id)
				evs, _ := tx.Timeline(id)
				out += e.Status + e.Severity + string(rune('0'+len(evs)))
			}
			ms, _ := tx.Members()
			s, _ := tx.Settings()
			out += string(rune('0'+len(ms))) + time.Duration(s.Health.SLA.High).String()
			for _, m := range ms {
				out += m.Name + string(rune('0'+m.Capacity))
			}
			return nil
		})
		return out
	}
	for _, c := range actions {
		for _, who := range []struct {
			m       Member
			allowed bool
		}{{amy, c.amy}, {gone, false}} {
			before := state()
			var got error
			err := db.Update(func(tx *Tx) error {
				got = c.do(tx, as(who.m))
				return nil // commit whatever was written
			})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case who.allowed && got != nil:
				t.Errorf("%s as %s: refused: %v", c.name, who.m.Name, got)
			case !who.allowed && !errors.Is(got, ErrNotAllowed):
				t.Errorf("%s as %s: want a refusal, got %v", c.name, who.m.Name, got)
			case !who.allowed && state() != before:
				t.Errorf("%s as %s: refused, yet it wrote", c.name, who.m.Name)
			}
		}
	}
	// A manager may do each of them (on a fresh escalation where one was
	// resolved above).
	for _, c := range actions {
		err := db.Update(func(tx *Tx) error { return c.do(tx, as(boss)) })
		if errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s as the manager: %v", c.name, err)
		}
	}
}

// A change made through the team server records the session's key
// fingerprint beside the member in the audit entry it writes: the
// timeline, the activity log, the roster log and the settings log.
func TestAuditEntriesRecordTheSession(t *testing.T) {
	db := newDB(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	const fp = "SHA256:session-key"
	mustUpdate(t, db, func(tx *Tx) error {
		boss, err := tx.AddMember(Member{Name: "Boss", Role: RoleManager}, Actor{Name: "setup"}, now)
		if err != nil {
			return err
		}
		by := Actor{ID: boss.ID, Name: boss.Name, Session: fp}
		acct := Account{Name: "Audited Ltd", OwnerID: boss.ID, ARRCents: 100_00}
		if err := tx.PutAccount(&acct); err != nil {
			return err
		}
		e, err := tx.CreateEscalation(NewEscalation{AccountID: acct.ID, Title: "t", Severity: SevHigh}, by, now)
		if err != nil {
			return err
		}
		if _, err := tx.LogActivity(acct.ID, ActCall, "called", by, now); err != nil {
			return err
		}
		amy, err := tx.AddMember(Member{Name: "Amy", Role: RoleAccountManager}, by, now)
		if err != nil {
			return err
		}
		if _, err := tx.SetSetting("sla.high", "12", by, now); err != nil {
			return err
		}
		evs, err := tx.Timeline(e.ID)
		if err != nil {
			return err
		}
		acts, err := tx.Activities(acct.ID, 0)
		if err != nil {
			return err
		}
		roster, err := tx.RosterLog(amy.ID)
		if err != nil {
			return err
		}
		settings, err := tx.SettingsLog(1)
		if err != nil {
			return err
		}
		for what, got := range map[string]string{
			"timeline": evs[0].Session, "activity": acts[0].Session, "roster log": roster[0].Session, "settings log": settings[0].Session,
		} {
			if got != fp {
				t.Errorf("the %s entry records session %q, want %q", what, got, fp)
			}
		}
		return nil
	})
}
