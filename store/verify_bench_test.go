package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"steward/store"
	"steward/store/demo"
)

// BenchmarkVerify100k measures what a command-line write pays before its
// first write on a 100,000-account database (README "Performance"): the
// walk over every page, record and index. STEWARD_BENCH_DB names an
// existing file to use instead of writing one (steward demo --accounts
// 100000 --db FILE --no-tui makes one).
func BenchmarkVerify100k(b *testing.B) {
	path := os.Getenv("STEWARD_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "big.db")
		if _, err := demo.Write(path, demo.Options{Accounts: 100_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := store.Verify(path, store.Options{}); err != nil {
		b.Fatal(err) // also warms the page cache, as a file in use is
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := store.Verify(path, store.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Size())/1e6, "MB")
}
