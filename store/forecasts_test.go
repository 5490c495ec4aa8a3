package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"steward/metrics"
)

func TestSetForecast(t *testing.T) {
	path := newDBPath(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	amy, _, mine, theirs := twoAccountManagers(t, path, now)
	update := func(fn func(*Tx) error) error { return Update(path, Options{}, fn) }
	by := Actor{ID: amy.ID, Name: "Amy", Session: "SHA256:a"}
	if err := update(func(tx *Tx) error {
		return tx.SetForecast(mine.ID, metrics.Likely, 80_00, "downsell planned", by, now)
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func(*Tx) error
		want string
	}{
		{"another owner's", func(tx *Tx) error { return tx.SetForecast(theirs.ID, metrics.Commit, -1, "x", by, now) }, "only the account's owner or a manager"},
		{"no reason", func(tx *Tx) error { return tx.SetForecast(mine.ID, metrics.Commit, -1, " ", by, now) }, "needs a reason"},
		{"a category we do not know", func(tx *Tx) error { return tx.SetForecast(mine.ID, "maybe", -1, "x", by, now) }, "is not one of"},
		{"a negative ARR", func(tx *Tx) error { return tx.SetForecast(mine.ID, metrics.Commit, -5, "x", by, now) }, "cannot be negative"},
	} {
		err := update(c.fn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if c.name == "another owner's" && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("the refusal is not ErrNotAllowed: %v", err)
		}
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		f, ok, err := tx.ForecastOf(mine.ID)
		if err != nil || !ok || f.Category != metrics.Likely || f.ExpectedARRCents != 80_00 || f.Author != "Amy" || f.Session != "SHA256:a" {
			t.Fatalf("forecast %+v %v %v", f, ok, err)
		}
		acts, err := tx.Activities(mine.ID, 0)
		if err != nil || len(acts) == 0 || acts[0].Kind != "forecast" || !strings.Contains(acts[0].Text, "downsell planned") {
			t.Fatalf("no audit entry: %+v %v", acts, err)
		}
		all, err := tx.Forecasts()
		if err != nil || len(all) != 1 {
			t.Fatalf("forecasts %v %v", all, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Back to the default.
	if err := update(func(tx *Tx) error { return tx.SetForecast(mine.ID, "", 0, "", by, now) }); err != nil {
		t.Fatal(err)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		if _, ok, _ := tx.ForecastOf(mine.ID); ok {
			t.Error("the forecast was not taken back")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
}

// twoAccountManagers writes Amy and Ben, account managers, and an account
// of each: Mine (Amy's) and Theirs (Ben's), for the tests of who may act
// on an account.
func twoAccountManagers(t *testing.T, path string, now time.Time) (amy, ben Member, mine, theirs Account) {
	t.Helper()
	err := Update(path, Options{}, func(tx *Tx) (err error) {
		if amy, err = tx.AddMember(Member{Name: "Amy", Role: RoleAccountManager}, Actor{}, now); err != nil {
			return err
		}
		if ben, err = tx.AddMember(Member{Name: "Ben", Role: RoleAccountManager}, Actor{}, now); err != nil {
			return err
		}
		mine, theirs = Account{Name: "Mine", OwnerID: amy.ID, ARRCents: 100_00}, Account{Name: "Theirs", OwnerID: ben.ID, ARRCents: 100_00}
		if err := tx.PutAccount(&mine); err != nil {
			return err
		}
		return tx.PutAccount(&theirs)
	})
	if err != nil {
		t.Fatal(err)
	}
	return amy, ben, mine, theirs
}
