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

// BenchmarkImportOneRow imports one account row (a new ARR for a stored
// account, found by its external ID, and one found by name) into a
// database of 100,000 accounts: a real write each time. Target: 50 ms for
// the whole `steward import` process (README "Performance").
func BenchmarkImportOneRow(b *testing.B) {
	db := fixtureDB(b)
	mustImport(b, db, genAccountsCSV(b, 100_000, false), ImportOptions{})
	next := 0
	for _, c := range []struct{ name, header, key string }{
		{"by-external-id", "Account ID,ARR", "B0050000"},
		{"by-name", "Account Name,ARR", "\"Generated Account 70000, Ltd\""},
	} {
		b.Run(c.name, func(b *testing.B) {
			files := [2]string{
				writeFile(b, "a.csv", c.header+"\n"+c.key+",1234.00\n"),
				writeFile(b, "b.csv", c.header+"\n"+c.key+",4321.00\n"),
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				next++ // across the benchmark's runs: each import changes the ARR
				if res := mustImport(b, db, files[next%2], ImportOptions{}); res.Updated != 1 {
					b.Fatalf("result = %+v", res)
				}
			}
		})
	}
}
