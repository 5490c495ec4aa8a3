package portfolio_test

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

// benchPortfolioDB is the database the read-model benchmarks load:
// STEWARD_BENCH_DB when set (steward demo --accounts N --db FILE --no-tui
// makes one), otherwise STEWARD_BENCH_ACCOUNTS (default 100,000) written
// to a temporary folder.
func benchPortfolioDB(b *testing.B) string {
	if path := os.Getenv("STEWARD_BENCH_DB"); path != "" {
		return path
	}
	n := 100_000
	if s := os.Getenv("STEWARD_BENCH_ACCOUNTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		n = v
	}
	path := filepath.Join(b.TempDir(), "big.db")
	if _, err := demo.Write(path, demo.Options{Accounts: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkLoad is the read model's open: one read transaction, scores,
// books, KPIs and the review (README "Performance"). allocs-MB against
// live-MB is the "allocations per open <= 2x the live heap".
func BenchmarkLoad(b *testing.B) {
	path := benchPortfolioDB(b)
	now := time.Now().UTC()
	asOf := metrics.DateOf(now)
	var p *portfolio.Portfolio
	load := func() {
		var err error
		if p, err = portfolio.Load(path, store.Options{}, asOf, now); err != nil {
			b.Fatal(err)
		}
	}
	load() // warms the page cache, as a file in use is
	p = nil
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p = nil
		load()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	runtime.GC()
	var live runtime.MemStats
	runtime.ReadMemStats(&live)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "allocs-MB")
	b.ReportMetric(float64(live.HeapAlloc)/1e6, "live-MB")
	runtime.KeepAlive(p)
}

// BenchmarkReportJSON is `steward report --format json` without the
// process start: the streamed report and its JSON.
func BenchmarkReportJSON(b *testing.B) {
	path := benchPortfolioDB(b)
	now := time.Now().UTC()
	asOf := metrics.DateOf(now)
	report := func() {
		r, err := portfolio.LoadReport(path, store.Options{}, asOf, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	report() // warms the page cache (and makes the database, the first time) outside the timing
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		report()
	}
}

// BenchmarkQuarterCalls reads the last closed quarter's first and last
// forecast snapshots and reconciles them with the ledgers, as the report
// does at 100,000 accounts.
func BenchmarkQuarterCalls(b *testing.B) {
	path := benchPortfolioDB(b)
	now := time.Now().UTC()
	asOf := metrics.DateOf(now)
	p, err := portfolio.Load(path, store.Options{}, asOf, now)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var q portfolio.QuarterCalls
	for i := 0; i < b.N; i++ {
		if err := store.View(path, store.Options{}, func(tx *store.Tx) (err error) {
			q, err = portfolio.ReadQuarterCalls(tx, portfolio.PrevQuarter(asOf))
			return err
		}); err != nil {
			b.Fatal(err)
		}
		_ = p.Reconcile(q)
	}
	b.ReportMetric(float64(len(q.Opening)+len(q.Closing)), "calls")
}

// BenchmarkTrends is what the Trends view reads when it opens: the
// portfolio's series and the band mix of the last 13 snapshots (README,
// "Performance": under 100 ms at 100,000 accounts).
func BenchmarkTrends(b *testing.B) {
	path := benchPortfolioDB(b)
	now := time.Now().UTC()
	p, err := portfolio.Load(path, store.Options{}, metrics.DateOf(now), now)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr := p.Trends(portfolio.Scope{})
		if tr.BandWeeks, err = portfolio.LoadBandWeeks(path, store.Options{}, p, portfolio.Scope{}, portfolio.TrendWeeks); err != nil {
			b.Fatal(err)
		}
		if len(tr.Quarters) != portfolio.TrendQuarters {
			b.Fatalf("%d quarters", len(tr.Quarters))
		}
	}
}
