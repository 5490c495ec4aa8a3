// Package transfer moves records between steward's database and the files
// managers already have: CSV and JSON exports of Salesforce, HubSpot or
// Gainsight going in, and CSV or JSON of every record kind coming out
// (SPEC section 8).
//
// # Import
//
// Import reads a CSV file (RFC 4180: quoted fields, embedded commas, quotes
// and newlines, a UTF-8 byte-order mark, CRLF line ends; comma by default,
// tab for .tsv files, semicolon or tab when the header row holds no comma)
// or a JSON file (an array of objects whose keys are the column names).
// Column names are matched after dropping case and punctuation, against
// steward's own names and the usual CRM export names (see headers.go).
// Unknown columns are reported once in ImportResult.Ignored, never an error;
// the computed columns steward's own exports add (score, band, flags, ...)
// are skipped silently.
//
// Import works in two passes over the file. The first validates every row
// against the database as it is, collecting every problem; nothing is kept
// per row beyond the keys needed to find duplicates, so memory does not grow
// with the size of fields (a field is limited to 64 KiB, a record to 1 MiB).
// Unless it found a problem or DryRun is set, the second pass reads the file
// again and applies it inside one store.Update transaction, validating once
// more against the state inside that transaction: a SIGKILL at any moment
// leaves the database exactly as before or exactly as after. The second
// pass writes each update as it reads it, looking the stored account up
// in the transaction rather than keeping every account in memory; it holds
// the new accounts until the end of the file and then writes them in
// external-ID order (their IDs are assigned in that order), so that
// bbolt's indexes grow by appending; that costs about half a kilobyte of
// memory per new account.
//
// The kind of a file, unless given, is the one its headers give clearly the
// most evidence for (see detectKind): imported fields and the columns such
// files usually carry count, a name several kinds know counts for less, an
// account reference counts for none, and a kind missing a column it cannot
// do without is no candidate. Evidence that fits two kinds about equally
// names them and asks for --kind.
//
// Upsert rules, by kind:
//
//   - accounts: matched by external ID; a row with no external ID (or a file
//     with no ID column) is matched by exact account name. Two rows that
//     match one stored account (one by ID, one by name) are a row error. A column that is
//     absent from the file leaves the stored value alone; a present but empty
//     cell clears the value (NPS, CSAT, active users, tickets, dates,
//     champion, segment back to "derived from ARR", owner back to
//     Unassigned), except that an empty ARR cell never changes a stored ARR
//     (that would record a churn) and an empty external ID never removes a
//     stored one. A file with no owner column puts new accounts in the
//     Unassigned pool. An ARR different from the stored one appends an ARR
//     ledger entry dated ImportOptions.Today: expansion (up), contraction
//     (down), churn (to 0) or new (from 0). A new account with ARR appends a
//     "new" entry dated its contract start (when on or before Today) or
//     Today. The lifecycle comes from the Lifecycle (or Lifecycle Stage)
//     and Status columns and the churn and trial flags, which must agree. A
//     row that churns the account (or takes its ARR to 0) leaves it churned
//     with ARR 0, its ARR kept in the ledger as history followed by a churn
//     entry dated the churn date column or Today (see importer.churn).
//   - members: matched by email (case-insensitive), or by name when the row
//     has no email. Role spellings: see parseRole.
//   - escalations: matched by the Escalation ID column when that escalation
//     exists on the same account, else by (account, title, created at);
//     otherwise created. Each created or changed escalation gets an
//     "imported" timeline event.
//   - activities: always appended, except that an activity equal to a stored
//     one (or an earlier row) in account, instant, kind and text is skipped,
//     so importing the same file twice changes nothing.
//
// Owners (and escalation owners and raisers) are matched by name or email,
// case-insensitively; an unknown one is a row error unless CreateMembers is
// set, which creates an active account_manager.
//
// # Export
//
// Export writes one kind as CSV or JSON using the column names Import
// understands, so an export imports back unchanged (accounts are written in
// name order, so exporting what an export imported gives the same file). CSV cells that start with
// =, +, -, @, tab or carriage return get a leading ' (and Import removes it
// again); JSON is written as is.
package transfer

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"steward/metrics"
)

// Kind is the kind of record a file holds.
type Kind string

// The kinds. Ledger is export only.
const (
	Accounts    Kind = "accounts"
	Members     Kind = "members"
	Escalations Kind = "escalations"
	Activities  Kind = "activities"
	Ledger      Kind = "ledger"
)

// Kinds lists every kind, in the order the CLI documents them.
var Kinds = []Kind{Accounts, Members, Escalations, Activities, Ledger}

// ParseKind reads a kind name as typed on the command line ("account",
// "Accounts" and "arr-ledger" are fine).
func ParseKind(s string) (Kind, error) {
	switch normalize(s) {
	case "account", "accounts":
		return Accounts, nil
	case "member", "members", "team", "roster":
		return Members, nil
	case "escalation", "escalations":
		return Escalations, nil
	case "activity", "activities":
		return Activities, nil
	case "ledger", "arrledger", "arr":
		return Ledger, nil
	}
	return "", fmt.Errorf("unknown kind %q: use accounts, members, escalations, activities or ledger", s)
}

// ImportOptions say how to read a file.
type ImportOptions struct {
	Kind          Kind // "" = detect from the headers
	DryRun        bool
	CreateMembers bool
	// DateFormat is the layout of non-ISO dates, e.g. m/d/yyyy, d/m/yyyy,
	// dd.mm.yyyy, yyyy/mm/dd (or a Go layout such as 01/02/2006). ""
	// accepts ISO 8601 (YYYY-MM-DD) and RFC 3339 only; ISO dates are always
	// accepted.
	DateFormat string
	Delimiter  rune   // 0 = ',' (tab for .tsv/.tab files; ';' or tab when the header has no comma but those)
	Author     string // recorded on ledger entries, activities and events the import creates; "" = "import"
	// Today dates the ledger entries of ARR changes; zero = today (local).
	Today metrics.Date
	// Now is the import's instant (the inputs' date, the records' times);
	// zero = now.
	Now time.Time
	// Progress, when set, is called from the importing goroutine at most
	// every 1000 rows and once at the end of each pass: first while the file
	// is validated, then (counting from 0 again) while it is written.
	Progress func(rowsRead int, bytesRead int64)
}

// RowError is one problem with one row.
type RowError struct {
	File   string
	Line   int // physical line where the record starts (header = 1); for JSON the record number (first = 1)
	Column string
	Reason string
	Value  string
	// Record is set for JSON input: Line is a record number, not a line.
	Record bool
}

// maxShownValue is how much of a bad value an error message quotes.
const maxShownValue = 60

// Error is `FILE:LINE: column "X": reason (value "...")`; the column and
// value parts are left out when they do not apply.
func (e RowError) Error() string {
	var b strings.Builder
	if e.Record {
		fmt.Fprintf(&b, "%s: record %d: ", e.File, e.Line)
	} else {
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q: ", e.Column)
	}
	b.WriteString(e.Reason)
	if e.Value != "" {
		fmt.Fprintf(&b, " (value %q)", shorten(e.Value, maxShownValue))
	}
	return b.String()
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n {
			break
		}
		k++
	}
	return s[:i] + "…"
}

// ImportResult says what an import found and did.
type ImportResult struct {
	Kind                              Kind
	Rows, Created, Updated, Unchanged int
	// Refreshed counts the accounts whose row changes nothing but the
	// date of their health inputs: the file states inputs equal to the
	// stored ones, which dates them now (README, data freshness).
	// Unchanged rows change nothing at all.
	Refreshed      int
	MembersCreated []string // with CreateMembers: the names of the members created (or that would be)
	Ignored        []string // unknown column names, once each
	Errors         []RowError
	// DryRun echoes the option: the counts say what would happen.
	DryRun bool
	// Elapsed is the wall time of the whole import.
	Elapsed time.Duration
	// PlaybooksFired counts the playbooks the written rows started
	// (README, "Playbooks"); a dry run starts none.
	PlaybooksFired int
}

// Written reports whether the import changed the database.
func (r ImportResult) Written() bool {
	return !r.DryRun && len(r.Errors) == 0 && (r.Created > 0 || r.Updated > 0 || r.Refreshed > 0 || len(r.MembersCreated) > 0)
}

// Summary is the one-line outcome, e.g. "accounts.csv: 120 accounts: 100
// created, 15 updated, 3 refreshed, 2 unchanged" or "accounts.csv: 3 bad rows of 120,
// nothing was written".
func (r ImportResult) Summary(file string) string {
	if len(r.Errors) > 0 {
		bad := map[int]bool{}
		for _, e := range r.Errors {
			bad[e.Line] = true
		}
		rows := "rows"
		if len(bad) == 1 {
			rows = "row"
		}
		return fmt.Sprintf("%s: %d bad %s (%d problems) of %d %s, nothing was written", file, len(bad), rows, len(r.Errors), r.Rows, r.Kind)
	}
	verb := ""
	if r.DryRun {
		verb = " (dry run: would be)"
	}
	refreshed := ""
	if r.Kind == Accounts {
		// Rows that only date the health inputs (see Refreshed).
		refreshed = fmt.Sprintf(", %d refreshed", r.Refreshed)
	}
	s := fmt.Sprintf("%s: %d %s%s: %d created, %d updated%s, %d unchanged", file, r.Rows, r.Kind, verb, r.Created, r.Updated, refreshed, r.Unchanged)
	if len(r.MembersCreated) > 0 {
		s += fmt.Sprintf("; %d new team members", len(r.MembersCreated))
	}
	switch {
	case r.PlaybooksFired == 1:
		s += "; 1 playbook started"
	case r.PlaybooksFired > 1:
		s += fmt.Sprintf("; %d playbooks started", r.PlaybooksFired)
	}
	if r.Elapsed > 0 && !r.DryRun {
		s += fmt.Sprintf(" in %.1fs", r.Elapsed.Seconds())
	}
	return s
}

// ExportOptions say what to write.
type ExportOptions struct {
	Kind   Kind
	Format string       // "csv" (default) or "json"
	AsOf   metrics.Date // day the computed columns are for; zero = today
	Now    time.Time    // instant SLAs are judged at; zero = now
}
