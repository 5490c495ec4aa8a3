package transfer

import (
	"path/filepath"
	"testing"

	"steward/metrics"
	"steward/store"
)

// BenchmarkImport100k imports 100,000 account rows (CSV generated in the
// set-up) into a database holding the fixture team, in one transaction.
//
// On a database with the default playbooks (README, "Playbooks"), so the
// import evaluates every row's triggers and starts the playbooks whose
// condition holds: playbooks/op says how many.
func BenchmarkImport100k(b *testing.B) { benchImport(b, false) }

// BenchmarkImport100kNoPlaybooks is the same import with no playbook to
// evaluate: the import as it was before playbooks.
func BenchmarkImport100kNoPlaybooks(b *testing.B) {
	benchImportWith(b, false, func(tx *store.Tx) error {
		if err := tx.SeedPlaybooks(); err != nil {
			return err
		}
		list, err := tx.Playbooks()
		for _, p := range list {
			if err := tx.DeletePlaybook(p.ID, store.Actor{}); err != nil {
				return err
			}
		}
		return err
	})
}

// BenchmarkImport100kEvaluateOnly evaluates three playbooks on every row
// (scores, flags, the account's episodes) whose condition holds for none
// (no champion changed in the file): the evaluation's own cost.
func BenchmarkImport100kEvaluateOnly(b *testing.B) { benchImportWith(b, false, championOnly) }

// championOnly sets the three default playbooks to fire on a champion
// change, which no row of the generated file makes.
func championOnly(tx *store.Tx) error {
	if err := tx.SeedPlaybooks(); err != nil {
		return err
	}
	list, err := tx.Playbooks()
	for _, p := range list {
		p.Trigger, p.TriggerDays = metrics.TriggerChampionChanged, 0
		if _, err := tx.PutPlaybook(p, store.Actor{}, testNow); err != nil {
			return err
		}
	}
	return err
}

// BenchmarkImport100kEvaluateExecution is EvaluateOnly with the
// execution component on (README, "The execution component"): each
// evaluation also counts the account's overdue tasks and reads its plan
// summary.
func BenchmarkImport100kEvaluateExecution(b *testing.B) {
	benchImportWith(b, false, func(tx *store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.Health.Execution = true
		if err := tx.PutSettings(s); err != nil {
			return err
		}
		return championOnly(tx)
	})
}

// BenchmarkImport100kRandomIDs is the same with CRM IDs in random order.
func BenchmarkImport100kRandomIDs(b *testing.B) { benchImport(b, true) }

func benchImport(b *testing.B, randomIDs bool) { benchImportWith(b, randomIDs, nil) }

func benchImportWith(b *testing.B, randomIDs bool, setup func(tx *store.Tx) error) {
	base := fixtureDB(b)
	if setup != nil {
		if err := store.Update(base, testOpt, setup); err != nil {
			b.Fatal(err)
		}
	}
	fired := 0
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
		fired = res.PlaybooksFired
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(fired), "playbooks/op")
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
