package store

import (
	"strings"
	"testing"
	"time"

	"steward/metrics"
)

func TestSavedViews(t *testing.T) {
	path := newDBPath(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var amy Member
	if err := Update(path, Options{}, func(tx *Tx) (err error) {
		amy, err = tx.AddMember(Member{Name: "Amy", Role: RoleAccountManager}, Actor{}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	by := Actor{ID: amy.ID, Name: "Amy", Session: "SHA256:s"}
	err := Update(path, Options{}, func(tx *Tx) error {
		if err := tx.SaveView(SavedView{Name: "Enterprise renewals", Segment: metrics.Enterprise, RenewalDays: 90, Sort: "renewal"}, by, now); err != nil {
			return err
		}
		if err := tx.SaveView(SavedView{Name: "  red book ", Band: metrics.Red, OwnerID: amy.ID, Sort: "arr", Desc: true}, by, now); err != nil {
			return err
		}
		// The same name in another case replaces it.
		if err := tx.SaveView(SavedView{Name: "RED BOOK", Band: metrics.Red, Query: "acme", Sort: "arr"}, by, now); err != nil {
			return err
		}
		for _, bad := range []SavedView{{Name: "  "}, {Name: strings.Repeat("x", 61)}, {Name: "neg", RenewalDays: -1}} {
			if err := tx.SaveView(bad, by, now); err == nil {
				t.Errorf("saved %+v", bad)
			}
		}
		if err := tx.DeleteView("nope", by); err == nil || !strings.Contains(err.Error(), "no saved view") {
			t.Errorf("deleting an unknown view: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		vs, err := tx.SavedViews()
		if err != nil {
			return err
		}
		if len(vs) != 2 || vs[0].Name != "Enterprise renewals" || vs[1].Name != "RED BOOK" || vs[1].Query != "acme" {
			t.Fatalf("views = %+v", vs)
		}
		if vs[0].Author != "Amy" || vs[0].Session != "SHA256:s" || vs[0].RenewalDays != 90 {
			t.Errorf("view = %+v", vs[0])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Update(path, Options{}, func(tx *Tx) error { return tx.DeleteView("red book", by) }); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
}
