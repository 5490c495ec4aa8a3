package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

// BenchmarkReportHTML is `steward report --format html` without the
// process start, at 100,000 accounts (README, "Performance"): the
// streamed report and its page. STEWARD_BENCH_DB names a database
// (steward demo --accounts 100000 --no-tui --db FILE makes one);
// otherwise one is written to a temporary folder.
func BenchmarkReportHTML(b *testing.B) {
	path := os.Getenv("STEWARD_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "big.db")
		if _, err := demo.Write(path, demo.Options{Accounts: 100_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().UTC()
	asOf := metrics.DateOf(now)
	report := func() int {
		r, err := portfolio.LoadReport(path, store.Options{}, asOf, now)
		if err != nil {
			b.Fatal(err)
		}
		cw := &countWriter{}
		if err := WriteHTML(cw, r); err != nil {
			b.Fatal(err)
		}
		return cw.n
	}
	report() // warms the page cache outside the timing
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = report()
	}
	b.ReportMetric(float64(n)/1e3, "page-kB")
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
