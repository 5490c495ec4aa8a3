package store_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/store/demo"
)

// BenchmarkFloorRead is the floor the read model is measured against
// (README "Performance"): a bare bbolt cursor over the records an open
// and the report read (accounts and ledger), touching each value's first
// byte and decoding nothing. STEWARD_BENCH_DB names an existing file to
// use instead of writing a 100,000-account one.
func BenchmarkFloorRead(b *testing.B) {
	path := os.Getenv("STEWARD_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "big.db")
		if _, err := demo.Write(path, demo.Options{Accounts: 100_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		n, sum := 0, 0
		err = db.View(func(tx *bolt.Tx) error {
			for _, name := range []string{"accounts", "ledger"} {
				err := tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
					n++
					if len(v) > 0 {
						sum += int(v[0])
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		db.Close()
		if err != nil || n == 0 || sum == 0 {
			b.Fatalf("read %d records: %v", n, err)
		}
	}
}
