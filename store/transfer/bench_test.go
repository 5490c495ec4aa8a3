package transfer

import (
	"path/filepath"
	"testing"
)

// BenchmarkImport100k imports 100,000 account rows (CSV generated in the
// set-up) into a database holding the fixture team, in one transaction.
func BenchmarkImport100k(b *testing.B) { benchImport(b, false) }

// BenchmarkImport100kRandomIDs is the same with CRM IDs in random order.
func BenchmarkImport100kRandomIDs(b *testing.B) { benchImport(b, true) }

func benchImport(b *testing.B, randomIDs bool) {
	base := fixtureDB(b)
	file := genAccountsCSV(b, 100_000, randomIDs)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := filepath.Join(b.TempDir(), "bench.db")
		copyFile(b, base, db)
		b.StartTimer()
		res := mustImport(b, db, file, ImportOptions{})
		if res.Created != 100_000 {
			b.Fatalf("result = %+v", res)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
