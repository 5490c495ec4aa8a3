package store

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// The band counts follow every write of snapshots, and a reader of a week
// without one counts its index.
func TestWeekBandCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "steward.db")
	const w1, w2 = metrics.Week(202610), metrics.Week(202611)
	put := func(id uint64, w metrics.Week, b metrics.Band) func(tx *Tx) error {
		return func(tx *Tx) error {
			return tx.PutSnapshot(&Snapshot{AccountID: id, Week: w, Score: 50, Band: b})
		}
	}
	update := func(fns ...func(tx *Tx) error) {
		t.Helper()
		if err := Update(path, Options{}, func(tx *Tx) error {
			for _, fn := range fns {
				if err := fn(tx); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	want := func(w metrics.Week, n [4]int, stored bool) {
		t.Helper()
		if err := View(path, Options{}, func(tx *Tx) error {
			got, err := tx.WeekBands(w)
			if err != nil {
				return err
			}
			scan, _, err := tx.countWeekBands(w)
			if err != nil {
				return err
			}
			has := tx.tx.Bucket(bSnapBands) != nil && tx.tx.Bucket(bSnapBands).Get(u32(uint32(w))) != nil
			if got != n || scan != n || has != stored {
				t.Errorf("week %s: counts %v (index %v, stored %v), want %v (stored %v)", w, got, scan, has, n, stored)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	update(func(tx *Tx) error {
		for i := 1; i <= 9; i++ {
			if err := tx.PutAccount(&Account{Name: "A" + string(rune('0'+i)), ARRCents: 100}); err != nil {
				return err
			}
		}
		return nil
	})
	update(put(1, w1, metrics.Green), put(2, w1, metrics.Red), put(3, w1, metrics.Unknown), put(1, w2, metrics.Yellow))
	want(w1, [4]int{1, 0, 1, 1}, true)
	want(w2, [4]int{0, 1, 0, 0}, true)
	// A retake replaces a band; a later transaction adds an account.
	update(put(2, w1, metrics.Green))
	update(put(4, w1, metrics.Yellow))
	want(w1, [4]int{2, 1, 0, 1}, true)
	// Deleting snapshots; a week left with none keeps no count.
	update(func(tx *Tx) error { return tx.DeleteSnapshot(3, w1) })
	want(w1, [4]int{2, 1, 0, 0}, true)
	update(func(tx *Tx) error { return tx.DeleteSnapshot(1, w2) })
	want(w2, [4]int{}, false)

	// A count a build from before the counts left behind (here: removed,
	// then made wrong): the reader counts the index for a week with none,
	// and the weekly snapshot's recount puts a wrong one right.
	raw := func(fn func(b *bolt.Bucket) error) {
		t.Helper()
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bSnapBands)) }); err != nil {
			t.Fatal(err)
		}
	}
	raw(func(b *bolt.Bucket) error { return b.Delete(u32(uint32(w1))) })
	want(w1, [4]int{2, 1, 0, 0}, false)
	update(put(9, w2, metrics.Red))
	raw(func(b *bolt.Bucket) error { return b.Put(u32(uint32(w2)), encodeWeekBands([4]int{7, 7, 7, 7})) })
	update(func(tx *Tx) error { tx.RecountWeekBands(13); return nil })
	want(w1, [4]int{2, 1, 0, 0}, true)
	want(w2, [4]int{0, 0, 1, 0}, true)
	// A stale count is not damage: check passes.
	raw(func(b *bolt.Bucket) error { return b.Put(u32(uint32(w2)), encodeWeekBands([4]int{7, 7, 7, 7})) })
	rep, err := Check(path, Options{})
	if err != nil || len(rep.Problems) != 0 {
		t.Errorf("check of a stale count: %v, %v", rep.Problems, err)
	}
}
