package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"steward/metrics"
)

func TestLogOneOnOne(t *testing.T) {
	path := newDBPath(t)
	update := func(fn func(*Tx) error) {
		t.Helper()
		if err := Update(path, Options{}, fn); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	today := metrics.DateOf(now.Local())
	var boss, amy, ben Member
	update(func(tx *Tx) error {
		var err error
		if boss, err = tx.AddMember(Member{Name: "Boss", Role: RoleManager}, Actor{}, now); err != nil {
			return err
		}
		if amy, err = tx.AddMember(Member{Name: "Amy", Role: RoleAccountManager}, Actor{}, now); err != nil {
			return err
		}
		ben, err = tx.AddMember(Member{Name: "Ben", Role: RoleAccountManager}, Actor{}, now)
		return err
	})
	bossA, amyA := Actor{ID: boss.ID, Name: "Boss", Session: "SHA256:k"}, Actor{ID: amy.ID, Name: "Amy"}
	update(func(tx *Tx) error {
		if _, err := tx.LogOneOnOne(amy.ID, today.AddDays(-14), today.AddDays(-7), "first", bossA, now); err != nil {
			return err
		}
		if _, err := tx.LogOneOnOne(amy.ID, today, today.AddDays(14), "  renewal plan for Acme  ", bossA, now); err != nil {
			return err
		}
		// An older one logged late does not move the last 1:1 back.
		if _, err := tx.LogOneOnOne(amy.ID, today.AddDays(-3), 0, "late note", amyA, now); err != nil {
			return err
		}
		return nil
	})
	update(func(tx *Tx) error {
		for _, c := range []struct {
			name      string
			member    uint64
			day, next metrics.Date
			by        Actor
			want      string
		}{
			{"another member's", ben.ID, today, 0, amyA, "only a manager or the member themselves"},
			{"in the future", amy.ID, today.AddDays(1), 0, bossA, "in the future"},
			{"next before this", amy.ID, today, today.AddDays(-1), bossA, "must come after"},
			{"no date", amy.ID, 0, 0, bossA, "needs a date"},
		} {
			_, err := tx.LogOneOnOne(c.member, c.day, c.next, "x", c.by, now)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want %q", c.name, err, c.want)
			}
		}
		if _, err := tx.LogOneOnOne(ben.ID, today, 0, "x", amyA, now); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("a refusal is not ErrNotAllowed: %v", err)
		}
		return nil
	})
	update(func(tx *Tx) error {
		m, err := tx.Member(amy.ID)
		if err != nil {
			return err
		}
		if m.LastOneOnOne != today || m.NextOneOnOne != today.AddDays(14) {
			t.Errorf("last %s next %s, want %s and %s", m.LastOneOnOne, m.NextOneOnOne, today, today.AddDays(14))
		}
		list, err := tx.OneOnOnes(amy.ID)
		if err != nil {
			return err
		}
		if len(list) != 3 || list[0].Notes != "renewal plan for Acme" || list[1].Notes != "late note" || list[2].Notes != "first" {
			t.Fatalf("1:1s newest first = %+v", list)
		}
		if list[0].Author != "Boss" || list[0].Session != "SHA256:k" {
			t.Errorf("the 1:1 is not audited: %+v", list[0])
		}
		log, err := tx.RosterLog(amy.ID)
		if err != nil {
			return err
		}
		if last := log[len(log)-1]; !strings.Contains(last.Text, "1:1 on") {
			t.Errorf("the roster log says %q", last.Text)
		}
		if others, _ := tx.OneOnOnes(ben.ID); len(others) != 0 {
			t.Errorf("Ben has 1:1s: %+v", others)
		}
		return nil
	})
	if err := Verify(path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
}
