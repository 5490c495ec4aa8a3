package store

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// seed writes a small portfolio: members, accounts with ledger entries,
// snapshots, activities and an escalation with its timeline.
func seed(t *testing.T, path string, accounts int) {
	t.Helper()
	if err := Update(path, Options{}, func(tx *Tx) error {
		m := &Member{Name: "Lead", Role: RoleManager}
		if err := tx.PutMember(m); err != nil {
			return err
		}
		for i := 0; i < accounts; i++ {
			a := &Account{Name: fmt.Sprintf("Account %d", i), OwnerID: m.ID, ExternalID: fmt.Sprint("E", i), ARRCents: int64(i) * 100}
			if err := tx.PutAccount(a); err != nil {
				return err
			}
			if err := tx.AppendLedger(&LedgerEntry{AccountID: a.ID, Date: day("2026-01-01"), ARRCents: a.ARRCents, Kind: metrics.KindNew}); err != nil {
				return err
			}
			if err := tx.PutSnapshot(&Snapshot{AccountID: a.ID, Week: 202610, Score: i % 100, Band: metrics.Green}); err != nil {
				return err
			}
			if err := tx.AppendActivity(&Activity{AccountID: a.ID, Kind: ActCall, At: day("2026-03-02").Time()}); err != nil {
				return err
			}
		}
		e := &Escalation{AccountID: 1, Title: "E", Severity: SevHigh, Status: StatusOpen}
		if err := tx.PutEscalation(e); err != nil {
			return err
		}
		return tx.AppendEvent(&Event{EscalationID: e.ID, Kind: "created"})
	}); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

func accountsOf(t *testing.T, path string) []Account {
	t.Helper()
	var out []Account
	if err := View(path, Options{}, func(tx *Tx) error { var err error; out, err = tx.Accounts(); return err }); err != nil {
		t.Fatalf("accounts of %s: %v", path, err)
	}
	return out
}

// leftovers lists the backup temp files in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".steward-backup-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBackupWhileAReaderIsOpen(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 50)
	reader, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	dir := t.TempDir()
	dest := filepath.Join(dir, "backup.db")
	if err := Backup(path, dest, Options{LockTimeout: time.Second}); err != nil {
		t.Fatalf("Backup beside an open reader: %v", err)
	}
	st, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup has mode %#o, want 0600", st.Mode().Perm())
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left behind: %v", l)
	}
	want := accountsOf(t, path)
	if got := accountsOf(t, dest); !reflect.DeepEqual(got, want) || len(got) != 50 {
		t.Errorf("backup has %d accounts, want the same %d", len(got), len(want))
	}
	rep, err := Check(dest, Options{})
	if err != nil || len(rep.Problems) > 0 {
		t.Errorf("Check of the backup: %v %v", err, rep.Problems)
	}
	if rep.Counts["accounts"] != 50 || rep.Counts["timeline"] != 1 {
		t.Errorf("backup counts = %v", rep.Counts)
	}
}

func TestBackupRefusals(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 3)
	dir := t.TempDir()

	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Backup(path, existing, Options{})
	wantErrContains(t, "backup onto an existing file", err, existing, "already exists")
	if string(readFile(t, existing)) != "keep me" {
		t.Error("a refused backup overwrote the existing file")
	}

	if err := Backup(path, path, Options{}); err == nil {
		t.Error("backup onto the database itself succeeded")
	}
	if err := Backup(path, filepath.Dir(path)+"/./"+filepath.Base(path), Options{}); err == nil {
		t.Error("backup onto the database itself, spelled differently, succeeded")
	}

	missing := filepath.Join(dir, "no", "such", "folder", "b.db")
	if err := Backup(path, missing, Options{}); err == nil {
		t.Error("backup into a missing folder succeeded")
	}

	// Locked by a writer: a polite failure, no file, no temp file.
	openRW(t, path)
	dest := filepath.Join(dir, "locked.db")
	err = Backup(path, dest, Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("backup while a writer holds the file: %v, want ErrLocked", err)
	}
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed backup left %s behind", dest)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("temporary files left behind by failed backups: %v", l)
	}
}

func TestCheckHealthy(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 20)
	rep, err := Check(path, Options{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("healthy file has problems: %v", rep.Problems)
	}
	if rep.Schema != SchemaVersion {
		t.Errorf("schema = %d", rep.Schema)
	}
	want := map[string]int{"members": 1, "accounts": 20, "ledger": 20, "snapshots": 20, "activities": 20, "escalations": 1, "timeline": 1}
	if !reflect.DeepEqual(rep.Counts, want) {
		t.Errorf("counts = %v, want %v", rep.Counts, want)
	}
}

func TestCheckFindsDamagedRecords(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 5)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bAccounts).Put(u64(3), []byte{0x01, 0xff, 0xff, 0xff}); err != nil {
			return err
		}
		if err := tx.Bucket(bMembers).Put(u64(1), []byte("{not json")); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kSettings, []byte("\x00garbage"))
	})
	var rep CheckReport
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("Check of a damaged record panicked: %v", r)
			}
		}()
		rep, err = Check(path, Options{})
	}()
	if err != nil {
		t.Fatalf("Check returned an error instead of a report: %v", err)
	}
	all := strings.Join(rep.Problems, "\n")
	for _, want := range []string{"account 3", "member", "settings"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems do not name %q:\n%s", want, all)
		}
	}
	// The damage is reported, not spread: reading another account still works.
	if err := View(path, Options{}, func(tx *Tx) error {
		if _, err := tx.Account(3); err == nil {
			t.Error("Account(3) decoded garbage without an error")
		}
		a, err := tx.Account(4)
		if err != nil || a.Name != "Account 3" {
			t.Errorf("Account(4) = %q, %v", a.Name, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestDecodersRefuseGarbage(t *testing.T) {
	// Every prefix of a valid value, and random bytes, decode to an error
	// or a value, never a panic or a huge allocation.
	full := fullAccount()
	full.SuccessPlan = "short"
	valid := encodeAccount(&full)
	for n := 0; n < len(valid); n++ {
		var a Account
		if err := decodeAccount(1, valid[:n], &a); err == nil {
			t.Errorf("decodeAccount of a %d-byte prefix succeeded", n)
		}
	}
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 2000; i++ {
		b := make([]byte, r.Intn(64))
		r.Read(b)
		var a Account
		var l LedgerEntry
		var s Snapshot
		_ = decodeAccount(1, b, &a)
		_ = decodeLedger(b, &l)
		_ = decodeSnapshot(b, &s)
		_, _ = decodeWeekScore(b)
	}
	// A length prefix far past the end of the value.
	huge := append([]byte{accountFormat}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
	var a Account
	if err := decodeAccount(1, huge, &a); err == nil {
		t.Error("decodeAccount with an absurd string length succeeded")
	}
}

// ---- crash safety ----

const (
	envCrash     = "STEWARD_HELPER_CRASH"      // database path the child writes to
	envCrashMode = "STEWARD_HELPER_CRASH_MODE" // reopen: store.Update per write; handle: one open DB
)

// TestHelperCrashWriter is not a test: run as a child process it commits
// one account per transaction and prints "ack <id> <name>" after each commit,
// until it is killed (or 20 s pass).
func TestHelperCrashWriter(t *testing.T) {
	path := os.Getenv(envCrash)
	if path == "" {
		t.Skip("helper process for the crash test")
	}
	plan := strings.Repeat("p", 3000) // a few pages per commit
	var db *DB
	if os.Getenv(envCrashMode) == "handle" {
		var err error
		if db, err = Open(path, Options{}); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for n := 0; time.Now().Before(deadline); n++ {
		var id uint64
		write := func(tx *Tx) error {
			name := fmt.Sprintf("crash-%d-%d", os.Getpid(), n)
			a := &Account{Name: name, ExternalID: name, SuccessPlan: plan}
			if err := tx.PutAccount(a); err != nil {
				return err
			}
			id = a.ID
			return tx.PutSnapshot(&Snapshot{AccountID: a.ID, Week: 202610, Score: n % 100, Band: metrics.Red})
		}
		var err error
		if db != nil {
			err = db.Update(write)
		} else {
			err = Update(path, Options{}, write)
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Printf("ack %d crash-%d-%d\n", id, os.Getpid(), n)
	}
	os.Exit(0)
}

func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	path := newDBPath(t)
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	acked := map[uint64]string{} // account ID -> name
	total := 0
	for round, mode := range []string{"reopen", "handle", "reopen", "handle"} {
		target := 30 + r.Intn(80)
		c := startChild(t, "TestHelperCrashWriter", envCrash+"="+path, envCrashMode+"="+mode)
		deadline := time.After(10 * time.Second)
		got := 0
		read := func(l string) {
			var id uint64
			var name string
			if _, err := fmt.Sscanf(l, "ack %d %s", &id, &name); err != nil {
				t.Fatalf("round %d: child said %q", round, l)
			}
			acked[id] = name
			got++
		}
	reading:
		for got < target {
			select {
			case l, ok := <-c.lines:
				if !ok {
					t.Fatalf("round %d: child exited after %d acks", round, got)
				}
				read(l)
			case <-deadline:
				break reading
			}
		}
		// Kill at a random moment after the target, usually mid-commit.
		time.Sleep(time.Duration(r.Intn(5000)) * time.Microsecond)
		c.kill()
		for l := range c.lines { // acks already in the pipe count too
			read(l)
		}
		total += got
		if got == 0 {
			t.Fatalf("round %d (%s): no acknowledged writes", round, mode)
		}

		rep, err := Check(path, Options{LockTimeout: time.Second})
		if err != nil {
			t.Fatalf("round %d: Check after SIGKILL: %v", round, err)
		}
		if len(rep.Problems) > 0 {
			t.Fatalf("round %d: Check after SIGKILL found problems: %v", round, rep.Problems)
		}
		if err := View(path, Options{}, func(tx *Tx) error {
			for id, name := range acked {
				a, err := tx.Account(id)
				if err != nil {
					t.Errorf("round %d: acknowledged account %d lost: %v", round, id, err)
					continue
				}
				if a.Name != name {
					t.Errorf("round %d: account %d is %q, want %q", round, id, a.Name, name)
				}
				if ws, err := tx.WeekScores(202610); err != nil || ws[id].Band != metrics.Red {
					t.Errorf("round %d: snapshot index of account %d lost", round, id)
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("round %d: reading after SIGKILL: %v", round, err)
		}
	}
	t.Logf("%d acknowledged writes across 4 SIGKILLs, all present", total)
	if total < 100 {
		t.Errorf("only %d acknowledged writes: the crash test proved little", total)
	}
}
