package transfer

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
)

var update = flag.Bool("update", false, "rewrite the export golden files in testdata/export")

// The exact bytes of every export, pinned: the fixture's (every kind, both
// formats, in readable files) and a 400-account demo portfolio's (by
// SHA-256: ledger, activities and escalation timelines in bulk). The files
// were written by the exporter that built each file in memory before
// exports streamed; regenerate them with -update only for an intended
// change of the output (or of the demo generator).
func TestExportGolden(t *testing.T) {
	dir := filepath.Join("testdata", "export")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	db := fixtureDB(t)
	addOddText(t, db)
	addOddPlan(t, db)
	for _, k := range Kinds {
		for _, format := range []string{"csv", "json"} {
			name := filepath.Join(dir, string(k)+"."+format)
			got := export(t, db, k, format)
			if *update {
				if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s export differs from %s:\n--- got\n%s\n--- want\n%s", format, name, got, want)
			}
		}
	}

	demoDB := filepath.Join(t.TempDir(), "demo.db")
	if _, err := demo.Write(demoDB, demo.Options{Accounts: 400, Seed: 3, Today: testToday, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	var sums []string
	for _, k := range Kinds {
		for _, format := range []string{"csv", "json"} {
			out := export(t, demoDB, k, format)
			sums = append(sums, fmt.Sprintf("%s.%s %x %d", k, format, sha256.Sum256([]byte(out)), len(out)))
		}
	}
	got := strings.Join(sums, "\n") + "\n"
	name := filepath.Join(dir, "demo400.sha256")
	if *update {
		if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("demo exports differ from %s:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// addOddText adds records whose text tests every escaping rule: CSV quoting
// (a leading space, a lone \., CR and LF), formula cells, and JSON escapes
// (control characters, U+2028, invalid UTF-8, non-ASCII kept as is).
func addOddText(t *testing.T, db string) {
	t.Helper()
	odd := []string{" leading space", `\.`, "tab\tinside", "\tformula", "+1 555", "@mention", "line\r\nbreak", "ctl\x01\x1f",
		"sep\u2028\u2029", "bad\xffutf8", "東京 Rocket 🚀", "quote\"d", "'=already", ""}
	err := store.Update(db, testOpt, func(tx *store.Tx) error {
		for i, s := range odd {
			a := store.Account{Name: fmt.Sprintf("Odd %02d %s", i, s), ExternalID: fmt.Sprintf("ODD%02d", i), ChampionName: s,
				SuccessPlan: s, PipelineStage: s, Plan: s, ARRCents: int64(i) * 1_000_37, Seats: i, NPS: metrics.Some(i % 11),
				CreatedAt: testNow}
			if i%3 == 0 {
				a.Lifecycle = store.Churned
			}
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
			if err := tx.AppendActivity(&store.Activity{AccountID: a.ID, At: testNow.Add(-time.Duration(i) * time.Minute), Author: s,
				Kind: store.ActNote, Text: s}); err != nil {
				return err
			}
			if err := tx.AppendLedger(&store.LedgerEntry{AccountID: a.ID, Date: day0("2025-06-01"), ARRCents: a.ARRCents,
				Kind: metrics.KindNew, Author: s, Note: s}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// addOddPlan gives one of the odd accounts a success plan whose texts
// need JSON escapes, with a done milestone and a closed objective; it
// raises no flag, so the CSV goldens show that CSV leaves objectives out.
func addOddPlan(t *testing.T, db string) {
	t.Helper()
	err := store.Update(db, testOpt, func(tx *store.Tx) error {
		a, err := tx.AccountByExternalID("ODD10")
		if err != nil {
			return err
		}
		return tx.PutPlan(&store.Plan{AccountID: a.ID, LastID: 6, Objectives: []store.Objective{
			{ID: 1, Text: "東京 rollout \"phase 2\"\tnow", Target: day0("2026-09-30"), Status: metrics.OnTrack, Milestones: []store.Milestone{
				{ID: 2, Text: "Kick-off\u2028done", Due: day0("2026-02-20"), Done: true, DoneAt: testNow.Add(-240 * time.Hour), DoneBy: "ctl\x01"},
				{ID: 3, Text: "=SUM(A1)", Due: day0("2026-05-01")},
			}},
			{ID: 4, Text: "Dropped idea", Status: metrics.Dropped, Milestones: []store.Milestone{
				{ID: 5, Text: "never done", Due: day0("2026-01-01")},
			}},
			{ID: 6, Text: "Achieved", Target: day0("2026-02-01"), Status: metrics.Achieved},
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
}
