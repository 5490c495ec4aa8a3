package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/store/storetest"
)

// Members carry SSH public keys: a manager adds and removes them (each in
// the roster log), a key belongs to one active member, anything that is
// not one public key line is refused with what to paste, and the check
// reads them back.
func TestMemberKeys(t *testing.T) {
	path := newDBPath(t)
	db := openRW(t, path)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var boss, amy, gone Member
	mustUpdate(t, db, func(tx *Tx) error {
		var err error
		if boss, err = tx.AddMember(Member{Name: "Boss", Role: RoleManager}, Actor{}, now); err != nil {
			return err
		}
		if amy, err = tx.AddMember(Member{Name: "Amy", Role: RoleAccountManager}, Actor{}, now); err != nil {
			return err
		}
		if gone, err = tx.AddMember(Member{Name: "Gone", Role: RoleCoordinator}, Actor{}, now); err != nil {
			return err
		}
		_, err = tx.DeactivateMember(gone.ID, Actor{}, now)
		return err
	})
	by := Actor{ID: boss.ID, Name: boss.Name}
	line, fp := storetest.NewPublicKey(t, "amy@laptop")
	line2, fp2 := storetest.NewPublicKey(t, "amy@desk")
	mustUpdate(t, db, func(tx *Tx) error {
		k, err := tx.AddMemberKey(amy.ID, "  "+line+"  ", by, now)
		if err != nil {
			return err
		}
		if k.Fingerprint != fp || k.Key != line || k.MemberID != amy.ID || k.AddedBy != "Boss" {
			t.Errorf("stored %+v", k)
		}
		_, err = tx.AddMemberKey(amy.ID, line2, by, now.Add(time.Minute))
		return err
	})
	refuse := func(what string, fn func(tx *Tx) error, wants ...string) {
		t.Helper()
		err := db.Update(fn)
		if err == nil {
			t.Fatalf("%s: accepted", what)
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", what, err, w)
			}
		}
	}
	refuse("the same key for someone else", func(tx *Tx) error { _, err := tx.AddMemberKey(boss.ID, line, by, now); return err }, fp, "already belongs to Amy")
	refuse("not a key", func(tx *Tx) error { _, err := tx.AddMemberKey(amy.ID, "ssh-ed25519 notbase64", by, now); return err }, "not an SSH public key", ".pub")
	refuse("a private key", func(tx *Tx) error {
		_, err := tx.AddMemberKey(amy.ID, "-----BEGIN OPENSSH PRIVATE KEY-----", by, now)
		return err
	}, "not an SSH public key")
	refuse("empty", func(tx *Tx) error { _, err := tx.AddMemberKey(amy.ID, " ", by, now); return err }, "empty")
	refuse("with options", func(tx *Tx) error { _, err := tx.AddMemberKey(amy.ID, `command="x" `+line2, by, now); return err }, "without options")
	other, _ := storetest.NewPublicKey(t, "")
	refuse("an inactive member", func(tx *Tx) error { _, err := tx.AddMemberKey(gone.ID, other, by, now); return err }, "no longer active")
	refuse("an account manager adding one", func(tx *Tx) error {
		_, err := tx.AddMemberKey(amy.ID, other, Actor{ID: amy.ID, Name: amy.Name}, now)
		if !errors.Is(err, ErrNotAllowed) {
			t.Errorf("want ErrNotAllowed, got %v", err)
		}
		return err
	}, "only a manager")
	refuse("removing a key that is someone else's", func(tx *Tx) error { return tx.RemoveMemberKey(boss.ID, fp, by, now) }, "Boss has no key")

	mustView(t, db, func(tx *Tx) error {
		keys, err := tx.MemberKeys(amy.ID)
		if err != nil || len(keys) != 2 || keys[0].Fingerprint != fp || keys[1].Fingerprint != fp2 {
			t.Fatalf("Amy's keys: %+v, %v", keys, err)
		}
		if k, err := tx.MemberKey(fp2); err != nil || k.MemberID != amy.ID {
			t.Fatalf("lookup by fingerprint: %+v, %v", k, err)
		}
		log, _ := tx.RosterLog(amy.ID)
		if last := log[len(log)-1]; !strings.Contains(last.Text, "added SSH key "+fp2+" (amy@desk)") || last.Author != "Boss" {
			t.Errorf("roster log: %+v", last)
		}
		return nil
	})
	mustUpdate(t, db, func(tx *Tx) error { return tx.RemoveMemberKey(amy.ID, fp, by, now) })
	mustView(t, db, func(tx *Tx) error {
		if _, err := tx.MemberKey(fp); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a removed key is still found: %v", err)
		}
		return nil
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
	// A key record that names another key is damage the check reports.
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bMemberKeys)
		v := b.Get([]byte(fp2))
		return b.Put([]byte(fp), v)
	})
	if err := Verify(path, Options{}); err == nil || !strings.Contains(err.Error(), "member key") {
		t.Fatalf("check of a key filed under another's fingerprint: %v", err)
	}
}
