package store

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

func TestForecastWeeks(t *testing.T) {
	path := newDBPath(t)
	w1, w2 := metrics.WeekOf(metrics.NewDate(2026, 7, 6)), metrics.WeekOf(metrics.NewDate(2026, 9, 28))
	call := func(id uint64, cat metrics.ForecastCategory, arr, exp int64, set bool) ForecastCall {
		return ForecastCall{AccountID: id, Set: set, ForecastCall: metrics.ForecastCall{Due: metrics.NewDate(2026, 9, 1), Category: cat, ARRCents: arr, ExpectedARRCents: exp}}
	}
	first := []ForecastCall{call(2, metrics.Commit, 100_00, 100_00, false), call(9, metrics.ChurnExpected, 50_00, 0, true), call(300, metrics.Likely, 70_00, 60_00, true)}
	if err := Update(path, Options{}, func(tx *Tx) error {
		if err := tx.PutForecastWeek(w2, []ForecastCall{call(5, metrics.AtRiskRenewal, 1, 1, false), call(9, metrics.Likely, 1, 1, false)}); err != nil {
			return err
		}
		if err := tx.PutForecastWeek(w1, first); err != nil {
			return err
		}
		// A retake replaces the whole week: account 5 is gone from it.
		return tx.PutForecastWeek(w2, []ForecastCall{call(9, metrics.ChurnExpected, 50_00, 0, true)})
	}); err != nil {
		t.Fatal(err)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		if ws := tx.ForecastWeeks(); len(ws) != 2 || ws[0] != w1 || ws[1] != w2 {
			t.Fatalf("weeks %v", ws)
		}
		got, err := tx.ForecastWeek(w1)
		if err != nil {
			return err
		}
		if len(got) != 3 || got[0] != first[0] || got[1] != first[1] || got[2] != first[2] {
			t.Fatalf("week 1 read back as %+v", got)
		}
		if got, _ := tx.ForecastWeek(w2); len(got) != 1 || got[0].AccountID != 9 {
			t.Fatalf("the retaken week is %+v", got)
		}
		if !tx.HasForecastWeek(w1) || tx.HasForecastWeek(w1.Prev()) {
			t.Fatal("HasForecastWeek")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Update(path, Options{}, func(tx *Tx) error {
		return tx.PutForecastWeek(w1, []ForecastCall{call(0, metrics.Commit, 1, 1, false)})
	}); err == nil || !strings.Contains(err.Error(), "needs a week, an account and a category") {
		t.Fatalf("a call without an account: %v", err)
	}
	if err := Verify(path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
	// A damaged call is named by its week and account.
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bForecastWeeks).Put(key(u32(uint32(w1)), u64(9)), []byte{forecastCallFormat, 7})
	})
	if err := Verify(path, Options{}); err == nil || !strings.Contains(err.Error(), "forecast snapshot 2026-W28 of account 9") {
		t.Fatalf("check of a damaged call: %v", err)
	}
	if err := View(path, Options{}, func(tx *Tx) error { _, err := tx.ForecastWeek(w1); return err }); err == nil {
		t.Fatal("a damaged call read back without an error")
	}
}
