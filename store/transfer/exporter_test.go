package transfer

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"steward/store"
	"steward/store/demo"
)

// oddStrings mixes the characters every escaping rule is about.
func oddStrings(n int) []string {
	pieces := []string{"a", "Z", " ", "\t", ",", "\"", "\r", "\n", "\\", ".", "'", "=", "-", "+", "@", "\x00", "\x1f", "\x7f",
		"\xff", "\xe2\x80", "é", "İ", "K", "ß", "東", "🚀", "\u2028", "\u2029", "\u00a0", "\u3000", "\ufffd"}
	rng := rand.New(rand.NewSource(1))
	out := []string{"", `\.`, " x", "x ", "\u00a0x", "\u3000x", `\.x`}
	for range n {
		var b strings.Builder
		for range rng.Intn(6) {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		out = append(out, b.String())
	}
	return out
}

// The export's CSV cells are byte for byte what encoding/csv writes.
func TestCSVFieldIsEncodingCSV(t *testing.T) {
	for _, s := range oddStrings(20000) {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Write([]string{s, "x"})
		w.Flush()
		got := string(appendCSVField(nil, s)) + ",x\n"
		if got != want.String() {
			t.Fatalf("%q: got %q, encoding/csv %q", s, got, want.String())
		}
	}
}

// The export's JSON strings parse back to the text (an invalid byte reads
// as U+FFFD), and escape only what JSON requires plus U+2028 and U+2029.
func TestJSONStringParses(t *testing.T) {
	for _, s := range oddStrings(20000) {
		enc := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("%q: %s does not parse: %v", s, enc, err)
		}
		var want strings.Builder
		for _, r := range s {
			want.WriteRune(r) // range yields U+FFFD for an invalid byte
		}
		if back != want.String() {
			t.Fatalf("%q: %s reads back as %q", s, enc, back)
		}
		if !utf8.Valid(enc) || bytes.ContainsAny(enc, "\u2028\u2029<>&") != strings.ContainsAny(s, "<>&") {
			t.Fatalf("%q: %s", s, enc)
		}
	}
}

// compareLower orders as comparing strings.ToLower of both does.
func TestCompareLowerIsToLower(t *testing.T) {
	ss := oddStrings(3000)
	sign := func(n int) int { return min(max(n, -1), 1) }
	for i, a := range ss {
		for _, b := range ss[max(0, i-40):min(len(ss), i+40)] {
			if got, want := sign(compareLower(a, b)), strings.Compare(strings.ToLower(a), strings.ToLower(b)); got != want {
				t.Fatalf("compareLower(%q, %q) = %d, ToLower says %d", a, b, got, want)
			}
		}
	}
}

// An export into a pipe nobody reads (a pager showing its first page)
// must not keep the database: its rows wait in a temporary file, and a
// writer gets the file at once. The reader then gets every byte.
func TestExportToAStalledPipeFreesTheDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if _, err := demo.Write(db, demo.Options{Accounts: 400, Seed: 3, Today: testToday, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	want := export(t, db, Accounts, "json")
	if len(want) < 4<<16 {
		t.Fatalf("the export (%d bytes) fits the pipe and the output buffer: the test proves nothing", len(want))
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() {
		done <- Export(db, testOpt, w, ExportOptions{Kind: Accounts, Format: "json", AsOf: testToday, Now: testNow})
		w.Close()
	}()
	first := make([]byte, 1)
	if _, err := io.ReadFull(r, first); err != nil { // the export has begun writing
		t.Fatal(err)
	}
	err = store.Update(db, store.Options{LockTimeout: 2 * time.Second}, func(tx *store.Tx) error { return nil })
	if errors.Is(err, store.ErrLocked) {
		t.Fatal("a writer waited for an export stalled on its output")
	} else if err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := string(first) + string(rest); got != want {
		t.Fatalf("the pipe got %d bytes, want the %d of the export", len(got), len(want))
	}
}

// Into a regular file, rows go straight to it.
func TestSpoolsOnlyPipesAndTerminals(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, c := range []struct {
		w    io.Writer
		want bool
	}{{f, false}, {null, false}, {&bytes.Buffer{}, false}, {w, true}} {
		if got := spools(c.w); got != c.want {
			t.Errorf("spools(%T %v) = %v", c.w, c.w, got)
		}
	}
}

// The export's name order, sorted by lowered prefixes with the names
// read only on a tie, is exactly the order compareLower, the name, the
// external ID and the ID give; and rows spooled to a temporary file come
// out byte for byte as rows kept in memory.
func TestExportOrderAndSpool(t *testing.T) {
	path := filepath.Join(t.TempDir(), "names.db")
	names := append(oddStrings(400),
		"Acme", "acme", "ACME", "Acme ", "Acme Corporation North", "Acme Corporation South", "Acme Corporation Sou",
		"Acme Corporation Southwest", "acme corporation south", "\u212Acme", "Kcme", "kcme", "Ünïcode", "über", "Über",
		"a\x00b", "a", "", "0", "Zeta", "zeta (DACH1)", "Zeta (DACH1)", "Zeta (DACH10)", "Zeta (DACH2)")
	err := store.Update(path, testOpt, func(tx *store.Tx) error {
		rng := rand.New(rand.NewSource(2))
		for i := range 3 * len(names) {
			a := store.Account{Name: names[rng.Intn(len(names))], ExternalID: fmt.Sprintf("E%02d-%d", rng.Intn(50), i), ARRCents: int64(i) * 100, CreatedAt: testNow}
			if strings.TrimSpace(a.Name) == "" {
				a.Name = "x" + a.Name
			}
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"csv", "json"} {
		inMemory := export(t, path, Accounts, format)
		func() {
			defer func(n int64) { spoolInMemory = n }(spoolInMemory)
			spoolInMemory = 0
			if spooled := export(t, path, Accounts, format); spooled != inMemory {
				t.Fatalf("%s: rows spooled to a file differ from rows kept in memory", format)
			}
		}()
		if format == "json" {
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(inMemory)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		accts := accountsOf(t, path)
		sort.SliceStable(accts, func(x, y int) bool {
			a, b := &accts[x], &accts[y]
			if c := compareLower(a.Name, b.Name); c != 0 {
				return c < 0
			}
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			if a.ExternalID != b.ExternalID {
				return a.ExternalID < b.ExternalID
			}
			return a.ID < b.ID
		})
		if len(rows)-1 != len(accts) {
			t.Fatalf("%d rows for %d accounts", len(rows)-1, len(accts))
		}
		for i, a := range accts {
			// External IDs are unique here (names read back from CSV
			// lose a \r before \n).
			if got := rows[i+1][0]; got != a.ExternalID {
				t.Fatalf("row %d is %q (%q), want %q (%q)", i+1, got, rows[i+1][1], a.ExternalID, a.Name)
			}
		}
	}
}
