package transfer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

var (
	testToday = day0("2026-03-02")
	testNow   = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	testOpt   = store.Options{LockTimeout: 5 * time.Second}
)

func day0(s string) metrics.Date {
	d, err := metrics.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fixtureDB makes a database with a small team and a few accounts that use
// every account field, and returns its path.
func fixtureDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "steward.db")
	err := store.Update(path, testOpt, func(tx *store.Tx) error {
		ms := []store.Member{
			{Name: "Maya Chen", Email: "maya@example.com", Role: store.RoleManager, Active: true},
			{Name: "Omar Haddad", Email: "omar@example.com", Role: store.RoleAccountManager, Active: true, LastOneOnOne: day0("2026-02-20")},
			{Name: "Lena Vogel", Email: "lena@example.com", Role: store.RoleSeniorAM, Capacity: 40, Active: true},
		}
		for i := range ms {
			if err := tx.PutMember(&ms[i]); err != nil {
				return err
			}
		}
		accts := []store.Account{
			{Name: "Acme Corp", ExternalID: "001A", OwnerID: ms[1].ID, ARRCents: 120_000_00, RenewalDate: day0("2026-04-15"),
				ContractStart: day0("2025-04-15"), Seats: 100, ActiveUsers: metrics.Some(70), Tickets30d: metrics.Some(4),
				OpenCritical: 1, ChampionName: "Jo Smith", ChampionEmail: "jo@acme.test", LastTouch: day0("2026-02-25"),
				LastQBR: day0("2026-01-10"), NPS: metrics.Some(9), CSAT: metrics.Some(4), PipelineCents: 30_000_00,
				PipelineStage: "proposal", SuccessPlan: "Roll out to EMEA, then \"APAC\";\nreview in Q3"},
			{Name: "Globex, Inc.", ExternalID: "001B", OwnerID: ms[2].ID, Segment: metrics.MidMarket, ARRCents: 45_500_50,
				RenewalDate: day0("2026-12-01"), Seats: 40, ActiveUsers: metrics.Some(8), ChampionChanged: true,
				LastTouch: day0("2025-12-01"), NPS: metrics.Some(3), SuccessPlan: "=HYPERLINK(\"http://evil\")",
				Override: &metrics.Override{Band: metrics.Red, Reason: "exec sponsor left", Author: "Maya Chen", Expires: day0("2026-06-30")}},
			{Name: "Initech", ExternalID: "001C", Lifecycle: store.Onboarding, ARRCents: 9_000_00, Seats: 10,
				ChampionName: "-Peter", CSAT: metrics.Some(2)},
		}
		for i := range accts {
			accts[i].CreatedAt = testNow
			if err := tx.PutAccount(&accts[i]); err != nil {
				return err
			}
			if err := tx.AppendLedger(&store.LedgerEntry{AccountID: accts[i].ID, Date: day0("2025-04-15"), ARRCents: accts[i].ARRCents, Kind: metrics.KindNew}); err != nil {
				return err
			}
		}
		e := store.Escalation{AccountID: accts[0].ID, Title: "Login outage", Description: "SSO fails, \"urgent\"", Severity: store.SevHigh,
			Status: store.StatusInProgress, RaisedBy: ms[0].ID, OwnerID: ms[1].ID, CreatedAt: testNow.Add(-2 * time.Hour),
			UpdatedAt: testNow.Add(-time.Hour), SLADue: testNow.Add(22 * time.Hour)}
		if err := tx.PutEscalation(&e); err != nil {
			return err
		}
		if err := tx.AppendEvent(&store.Event{EscalationID: e.ID, At: e.CreatedAt, Author: "Maya Chen", Kind: "created", Text: "raised"}); err != nil {
			return err
		}
		return tx.AppendActivity(&store.Activity{AccountID: accts[0].ID, At: testNow.Add(-48 * time.Hour), Author: "Omar Haddad", Kind: store.ActCall, Text: "renewal call, went well"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// emptyDB is a path where no database exists yet.
func emptyDB(t testing.TB) string {
	return filepath.Join(t.TempDir(), "empty.db")
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func export(t testing.TB, db string, k Kind, format string) string {
	t.Helper()
	if _, err := os.Stat(db); os.IsNotExist(err) {
		return "<no database>"
	}
	var b bytes.Buffer
	if err := Export(db, testOpt, &b, ExportOptions{Kind: k, Format: format, AsOf: testToday, Now: testNow}); err != nil {
		t.Fatalf("Export %s: %v", k, err)
	}
	return b.String()
}

// snapshotAll is every kind exported, for "nothing changed" checks.
func snapshotAll(t testing.TB, db string) string {
	t.Helper()
	var all []string
	for _, k := range Kinds {
		all = append(all, export(t, db, k, "json"))
	}
	return strings.Join(all, "\n")
}

func opts(o ImportOptions) ImportOptions {
	if o.Today.IsZero() {
		o.Today = testToday
	}
	return o
}

func mustImport(t testing.TB, db, file string, o ImportOptions) ImportResult {
	t.Helper()
	res, err := Import(db, testOpt, file, opts(o))
	if err != nil {
		t.Fatalf("Import(%s): %v", file, err)
	}
	if len(res.Errors) > 0 {
		for _, e := range res.Errors {
			t.Errorf("row error: %v", e)
		}
		t.FailNow()
	}
	return res
}

func accountsOf(t testing.TB, db string) []store.Account {
	t.Helper()
	var out []store.Account
	err := store.View(db, testOpt, func(tx *store.Tx) error {
		var err error
		out, err = tx.Accounts()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ledgerOf(t testing.TB, db string, acct uint64) []store.LedgerEntry {
	t.Helper()
	var out []store.LedgerEntry
	err := store.View(db, testOpt, func(tx *store.Tx) error {
		var err error
		out, err = tx.Ledger(acct)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
