package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// ---- helpers shared by the store tests ----

// day parses a YYYY-MM-DD literal; a typo in a test is a panic.
func day(s string) metrics.Date {
	d, err := metrics.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// newDBPath creates an empty, current-schema database in a fresh temp
// folder and returns its path.
func newDBPath(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "steward.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// openRW opens path for writing and closes it when the test ends.
func openRW(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newDB is a fresh writable database that is closed when the test ends.
func newDB(t *testing.T) *DB {
	t.Helper()
	return openRW(t, filepath.Join(t.TempDir(), "steward.db"))
}

func mustUpdate(t *testing.T, db *DB, fn func(*Tx) error) {
	t.Helper()
	if err := db.Update(fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func mustView(t *testing.T, db *DB, fn func(*Tx) error) {
	t.Helper()
	if err := db.View(fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// rawUpdate writes to path with bbolt directly, bypassing every check of
// package store: the way to build fixtures and damage.
func rawUpdate(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("bolt.Open(%s): %v", path, err)
	}
	defer b.Close()
	if err := b.Update(fn); err != nil {
		t.Fatalf("raw update: %v", err)
	}
}

// rawSchema reads the schema version straight from the file.
func rawSchema(t *testing.T, path string) uint32 {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, ReadOnly: true})
	if err != nil {
		t.Fatalf("bolt.Open(%s): %v", path, err)
	}
	defer b.Close()
	var v uint32
	if err := b.View(func(tx *bolt.Tx) error { v = schemaOf(tx); return nil }); err != nil {
		t.Fatal(err)
	}
	return v
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantErrContains fails unless err is non-nil and its text holds every want.
func wantErrContains(t *testing.T, what string, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want one containing %q", what, wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not contain %q", what, err, w)
		}
	}
}

// ---- child processes ----

const (
	envHold     = "STEWARD_HELPER_HOLD"      // path whose lock the child holds
	envHoldMode = "STEWARD_HELPER_HOLD_MODE" // rw (store.Open), ro (read-only store.Open) or flock
)

// TestHelperHoldLock is not a test: run as a child process it takes the
// database's file lock, says "ready" and holds it until killed (or until its
// stdin closes, so an orphan never lingers).
func TestHelperHoldLock(t *testing.T) {
	path := os.Getenv(envHold)
	if path == "" {
		t.Skip("helper process for the lock tests")
	}
	switch os.Getenv(envHoldMode) {
	case "flock":
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	case "ro":
		if _, err := Open(path, Options{ReadOnly: true}); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	default:
		if _, err := Open(path, Options{}); err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	}
	fmt.Println("ready")
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
	}
	os.Exit(0)
}

// child is a re-executed test binary running one helper test.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string  // stdout, line by line; closed at EOF
	stderr bytes.Buffer // read it only after the child is reaped
}

// startChild runs the test binary's helper test run with env added, and
// kills it when the test ends.
func startChild(t *testing.T, run string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	c := &child{cmd: cmd, lines: make(chan string, 1<<16)}
	cmd.Stderr = &c.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(c.kill)
	return c
}

// kill SIGKILLs the child and reaps it; it is safe to call twice.
func (c *child) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	c.cmd.Process.Kill()
	c.stdin.Close()
	c.cmd.Wait()
}

// waitLine waits for a line equal to want, failing on anything else.
func (c *child) waitLine(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("child exited before printing %q", want)
			}
			if l == want {
				return
			}
			if strings.HasPrefix(l, "error:") {
				t.Fatalf("child: %s", l)
			}
		case <-deadline:
			t.Fatalf("child did not print %q within %s", want, timeout)
		}
	}
}

// ---- creating and finding the file ----

func TestOpenCreatesFileWith0600AndMissingFolders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "steward.db")
	// Without CreateDirs a missing folder is a mistyped path, not a new home.
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Open into a missing folder without CreateDirs: %v", err)
	}
	db, err := Open(path, Options{CreateDirs: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o600 {
		t.Errorf("new database has mode %#o, want 0600", got)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		t.Fatalf("parent folder not created: %v", err)
	}
	if got := rawSchema(t, path); got != SchemaVersion {
		t.Errorf("new file has schema %d, want %d", got, SchemaVersion)
	}
	// The new file holds the default settings and no records.
	if err := View(path, Options{}, func(tx *Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		if s.Currency != "USD" || s.Health != metrics.DefaultConfig() {
			t.Errorf("new file settings = %+v, want the defaults", s)
		}
		for name, n := range tx.Counts() {
			if n != 0 {
				t.Errorf("new file has %d records in %s", n, name)
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("View of a new file: %v", err)
	}
}

func TestOpenReadOnlyMissingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nope", "steward.db")
	for _, tc := range []struct {
		name string
		open func() error
	}{
		{"Open", func() error { _, err := Open(path, Options{ReadOnly: true}); return err }},
		{"View", func() error { return View(path, Options{}, func(*Tx) error { return nil }) }},
	} {
		err := tc.open()
		if !errors.Is(err, ErrNotExist) {
			t.Errorf("%s of a missing file: err = %v, want ErrNotExist", tc.name, err)
		}
		wantErrContains(t, tc.name, err, path, "steward demo", "import")
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a read-only open created the folder (stat err %v)", err)
	}
}

func TestOpenDirectoryIsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, ro := range []bool{false, true} {
		_, err := Open(dir, Options{ReadOnly: ro})
		wantErrContains(t, fmt.Sprintf("Open(dir, ReadOnly=%v)", ro), err, "is a directory")
	}
}

// ---- the file lock ----

func TestLockHeldByAnotherProcess(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"rw", "flock"} {
		t.Run(mode, func(t *testing.T) {
			path := newDBPath(t)
			c := startChild(t, "TestHelperHoldLock", envHold+"="+path, envHoldMode+"="+mode)
			c.waitLine(t, "ready", 15*time.Second)

			opt := Options{LockTimeout: 300 * time.Millisecond}
			for _, tc := range []struct {
				name string
				run  func() error
			}{
				{"Open", func() error {
					db, err := Open(path, opt)
					if err == nil {
						db.Close()
					}
					return err
				}},
				{"Open read-only", func() error {
					db, err := Open(path, Options{LockTimeout: opt.LockTimeout, ReadOnly: true})
					if err == nil {
						db.Close()
					}
					return err
				}},
				{"View", func() error { return View(path, opt, func(*Tx) error { return nil }) }},
				{"Update", func() error { return Update(path, opt, func(*Tx) error { return nil }) }},
			} {
				start := time.Now()
				err := tc.run()
				took := time.Since(start)
				if !errors.Is(err, ErrLocked) {
					t.Errorf("%s while another process holds the lock: err = %v, want ErrLocked", tc.name, err)
				}
				wantErrContains(t, tc.name, err, "database is in use by another steward process")
				if took < 250*time.Millisecond || took > time.Second {
					t.Errorf("%s failed after %s, want about the 300ms lock timeout", tc.name, took)
				}
			}

			c.kill()
			db, err := Open(path, opt)
			if err != nil {
				t.Fatalf("Open after the other process died: %v", err)
			}
			db.Close()
		})
	}
}

func TestSharedLockAllowsReadersNotWriters(t *testing.T) {
	path := newDBPath(t)
	c := startChild(t, "TestHelperHoldLock", envHold+"="+path, envHoldMode+"=ro")
	c.waitLine(t, "ready", 15*time.Second)

	opt := Options{LockTimeout: 300 * time.Millisecond}
	if err := View(path, opt, func(*Tx) error { return nil }); err != nil {
		t.Errorf("View beside another process's reader: %v", err)
	}
	err := Update(path, opt, func(*Tx) error { return nil })
	if !errors.Is(err, ErrLocked) {
		t.Errorf("Update beside another process's reader: err = %v, want ErrLocked", err)
	}
	c.kill()
	if err := Update(path, opt, func(*Tx) error { return nil }); err != nil {
		t.Errorf("Update after the reader left: %v", err)
	}
}

func TestTwoReadOnlyOpensInOneProcess(t *testing.T) {
	path := newDBPath(t)
	opt := Options{ReadOnly: true, LockTimeout: 300 * time.Millisecond}
	a, err := Open(path, opt)
	if err != nil {
		t.Fatalf("first read-only Open: %v", err)
	}
	defer a.Close()
	b, err := Open(path, opt)
	if err != nil {
		t.Fatalf("second read-only Open while the first is open: %v", err)
	}
	defer b.Close()
	for _, db := range []*DB{a, b} {
		mustView(t, db, func(tx *Tx) error { _, err := tx.Accounts(); return err })
	}
	// A writer has to wait for both readers, and gives up politely.
	if err := Update(path, Options{LockTimeout: 200 * time.Millisecond}, func(*Tx) error { return nil }); !errors.Is(err, ErrLocked) {
		t.Errorf("Update beside two readers: err = %v, want ErrLocked", err)
	}
}

func TestDefaultLockTimeout(t *testing.T) {
	// A zero LockTimeout means DefaultLockTimeout, never "wait forever".
	t.Parallel()
	path := newDBPath(t)
	c := startChild(t, "TestHelperHoldLock", envHold+"="+path, envHoldMode+"=rw")
	c.waitLine(t, "ready", 15*time.Second)
	start := time.Now()
	_, err := Open(path, Options{ReadOnly: true})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if took := time.Since(start); took < DefaultLockTimeout-500*time.Millisecond || took > DefaultLockTimeout+2*time.Second {
		t.Errorf("gave up after %s, want about %s", took, DefaultLockTimeout)
	}
	wantErrContains(t, "default timeout", err, "5s")
}

// ---- damaged files ----

// assertDamaged opens path every way a command does and wants the
// "damaged" message each time, no panic, and the bytes left as they were.
func assertDamaged(t *testing.T, path string) {
	t.Helper()
	before := readFile(t, path)
	opt := Options{LockTimeout: time.Second}
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"Open read-only", func() error {
			db, err := Open(path, Options{ReadOnly: true, LockTimeout: time.Second})
			if err == nil {
				db.Close()
			}
			return err
		}},
		{"Open read-write", func() error {
			db, err := Open(path, opt)
			if err == nil {
				db.Close()
			}
			return err
		}},
		{"View", func() error {
			return View(path, opt, func(tx *Tx) error { _, err := tx.Accounts(); return err })
		}},
		{"Update", func() error {
			return Update(path, opt, func(tx *Tx) error { return tx.PutMember(&Member{Name: "x", Role: RoleManager}) })
		}},
		{"Check", func() error { _, err := Check(path, opt); return err }},
		{"Backup", func() error { return Backup(path, filepath.Join(t.TempDir(), "backup.db"), opt) }},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s of a damaged file panicked: %v", tc.name, r)
				}
			}()
			err := tc.run()
			wantErrContains(t, tc.name, err, "is not a steward database or is damaged", path)
		}()
	}
	if after := readFile(t, path); !bytes.Equal(before, after) {
		t.Errorf("opening a damaged file changed it: %d bytes before, %d after", len(before), len(after))
	}
}

func TestDamagedRandomBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "random.db")
	b := make([]byte, 64<<10)
	rand.New(rand.NewSource(1)).Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	assertDamaged(t, path)
}

func TestDamagedTextFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	assertDamaged(t, path)
}

func TestDamagedZeroPages(t *testing.T) {
	// A file of zeroes (a preallocated or wiped file) is not a database.
	path := filepath.Join(t.TempDir(), "zero.db")
	if err := os.WriteFile(path, make([]byte, 32<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	assertDamaged(t, path)
}

// bigDBPath is a database with n accounts, so it spans many pages.
func bigDBPath(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustUpdate(t, db, func(tx *Tx) error {
		for i := 0; i < n; i++ {
			a := &Account{Name: fmt.Sprintf("Account %05d", i), ExternalID: fmt.Sprintf("EXT-%05d", i),
				ARRCents: int64(i) * 1000_00, SuccessPlan: strings.Repeat("plan ", 20)}
			if err := tx.PutAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// header reads the newest valid meta page of a file.
func header(t *testing.T, path string) *metaInfo {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 80)
	m0 := readMeta(f, 0, buf)
	if m0 == nil {
		t.Fatal("fixture has no valid meta page 0")
	}
	if m1 := readMeta(f, int64(m0.pageSize), buf); m1 != nil && m1.txid > m0.txid {
		return m1
	}
	return m0
}

func TestDamagedTruncated(t *testing.T) {
	src := bigDBPath(t, 2000)
	full := readFile(t, src)
	h := header(t, src)
	used := int64(h.pgid) * int64(h.pageSize)
	if used < 50*int64(h.pageSize) {
		t.Fatalf("fixture too small to be interesting: %d pages", h.pgid)
	}
	// bbolt grows files in chunks, so the tail past the high-water mark
	// may be unused; cut into the pages the database really uses.
	sizes := map[string]int64{
		"half the file":           int64(len(full)) / 2,
		"half the used pages":     used / 2,
		"one page short":          used - int64(h.pageSize),
		"one byte short":          used - 1,
		"just past the meta page": 2*int64(h.pageSize) + 100,
	}
	for name, size := range sizes {
		if size >= used {
			continue // not damage: every used page is still there
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "truncated.db")
			if err := os.WriteFile(path, full[:size], 0o600); err != nil {
				t.Fatal(err)
			}
			assertDamaged(t, path)
		})
	}
}

// corruptMetaChecksum flips one byte of the checksum of meta page n.
func corruptMetaChecksum(t *testing.T, path string, pageSize uint32, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	off := int64(n)*int64(pageSize) + 16 + 56
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedMetaChecksum(t *testing.T) {
	path := bigDBPath(t, 200)
	h := header(t, path)
	corruptMetaChecksum(t, path, h.pageSize, 0)
	corruptMetaChecksum(t, path, h.pageSize, 1)
	assertDamaged(t, path)
}

func TestOneBadMetaPageFallsBackToTheOther(t *testing.T) {
	// bbolt keeps two meta pages so a torn meta write loses at most the
	// last commit: one bad checksum is not a damaged database.
	for _, page := range []int{0, 1} {
		t.Run(fmt.Sprint("meta", page), func(t *testing.T) {
			path := bigDBPath(t, 200)
			// Two more commits so both meta pages describe a complete tree.
			for i := 0; i < 2; i++ {
				if err := Update(path, Options{}, func(tx *Tx) error {
					return tx.PutMember(&Member{Name: fmt.Sprint("m", i), Role: RoleCoordinator})
				}); err != nil {
					t.Fatal(err)
				}
			}
			h := header(t, path)
			corruptMetaChecksum(t, path, h.pageSize, page)
			if err := View(path, Options{}, func(tx *Tx) error {
				accts, err := tx.Accounts()
				if err != nil {
					return err
				}
				if len(accts) != 200 {
					t.Errorf("%d accounts after falling back, want 200", len(accts))
				}
				return nil
			}); err != nil {
				t.Fatalf("View with one bad meta page: %v", err)
			}
		})
	}
}

// ---- schema version and migration ----

func putSchema(t *testing.T, path string, v uint32) {
	t.Helper()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return err
		}
		var buf [4]byte
		binary.BigEndian.PutUint32(buf[:], v)
		return b.Put(kSchema, buf[:])
	})
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := newDBPath(t)
	putSchema(t, path, SchemaVersion+1)
	before := readFile(t, path)
	for _, ro := range []bool{true, false} {
		_, err := Open(path, Options{ReadOnly: ro})
		wantErrContains(t, fmt.Sprintf("Open(ReadOnly=%v)", ro), err, "newer steward", path)
	}
	_, err := Check(path, Options{})
	wantErrContains(t, "Check", err, "newer steward")
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("refusing a newer file changed it")
	}
	if got := rawSchema(t, path); got != SchemaVersion+1 {
		t.Errorf("schema is %d after refusing, want %d", got, SchemaVersion+1)
	}
}

type v1Snap struct {
	acct  uint64
	week  metrics.Week
	score int
	band  metrics.Band
}

var v1Snaps = []v1Snap{
	{1, 202610, 80, metrics.Green},
	{1, 202611, 55, metrics.Yellow},
	{2, 202610, 30, metrics.Red},
	{2, 202611, -1, metrics.Unknown},
	{3, 202611, 71, metrics.Green},
	{3, 202612, 39, metrics.Red},
}

// writeV1 builds a schema-1 file with raw bbolt: every bucket but the
// by-week snapshot index (or that index present but empty, as a v1 file
// written by a build that pre-created buckets would have), three accounts
// and their snapshots keyed account|week.
func writeV1(t *testing.T, path string, emptyIndex bool) {
	t.Helper()
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if bytes.Equal(name, bSnapByWeek) && !emptyIndex {
				continue
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		for id := uint64(1); id <= 3; id++ {
			a := Account{ID: id, Name: fmt.Sprint("v1 account ", id), Lifecycle: Active, ARRCents: int64(id) * 50_000_00}
			if err := tx.Bucket(bAccounts).Put(u64(id), encodeAccount(&a)); err != nil {
				return err
			}
			if err := tx.Bucket(bAccByOwner).Put(key(u64(0), u64(id)), nil); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bAccounts).SetSequence(3); err != nil {
			return err
		}
		for _, s := range v1Snaps {
			snap := Snapshot{Score: s.score, Band: s.band, Components: [metrics.NumComponents]int8{1, 2, 3, -1, -1}, ARRCents: 123}
			k := key(u64(s.acct), u32(uint32(s.week)))
			if err := tx.Bucket(bSnapshots).Put(k, encodeSnapshot(&snap)); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(kSchema, u32(1))
	})
}

func TestMigrateV1(t *testing.T) {
	for _, emptyIndex := range []bool{false, true} {
		t.Run(fmt.Sprintf("emptyIndex=%v", emptyIndex), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v1.db")
			writeV1(t, path, emptyIndex)

			// A reader cannot migrate: it says what to run, and leaves the file alone.
			before := readFile(t, path)
			_, err := Open(path, Options{ReadOnly: true})
			wantErrContains(t, "read-only Open of a v1 file", err, "check", path)
			err = View(path, Options{}, func(*Tx) error { return nil })
			wantErrContains(t, "View of a v1 file", err, "check")
			if !bytes.Equal(before, readFile(t, path)) {
				t.Fatal("a read-only open changed the v1 file")
			}

			db, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("read-write Open of a v1 file: %v", err)
			}
			mustView(t, db, func(tx *Tx) error {
				want := map[metrics.Week]map[uint64]WeekScore{}
				for _, s := range v1Snaps {
					if want[s.week] == nil {
						want[s.week] = map[uint64]WeekScore{}
					}
					want[s.week][s.acct] = WeekScore{Score: s.score, Band: s.band}
				}
				for w, m := range want {
					got, err := tx.WeekScores(w)
					if err != nil {
						return err
					}
					if fmt.Sprint(got) != fmt.Sprint(m) {
						t.Errorf("WeekScores(%d) after migration = %v, want %v", w, got, m)
					}
					if !tx.HasWeek(w) {
						t.Errorf("HasWeek(%d) = false after migration", w)
					}
				}
				if got := weekList(tx.SnapshotWeeks()); got != "[202610 202611 202612]" {
					t.Errorf("SnapshotWeeks = %s", got)
				}
				h, err := tx.SnapshotHistory(3)
				if err != nil {
					return err
				}
				if len(h) != 2 || h[0].Week != 202611 || h[1].Score != 39 {
					t.Errorf("SnapshotHistory(3) = %+v", h)
				}
				// v3: the by-name index, built by the migration.
				named, err := tx.AccountsNamed("V1 Account 2")
				if err != nil {
					return err
				}
				if len(named) != 1 || named[0].ID != 2 {
					t.Errorf("AccountsNamed after migration = %+v, want account 2", named)
				}
				accts, err := tx.Accounts()
				if err != nil {
					return err
				}
				if len(accts) != 3 || accts[2].Name != "v1 account 3" {
					t.Errorf("accounts after migration = %+v", accts)
				}
				return nil
			})
			// New writes land after the v1 records, not on top of them.
			mustUpdate(t, db, func(tx *Tx) error {
				a := &Account{Name: "after migration"}
				if err := tx.PutAccount(a); err != nil {
					return err
				}
				if a.ID != 4 {
					t.Errorf("first account after migration got ID %d, want 4", a.ID)
				}
				return nil
			})
			db.Close()
			if got := rawSchema(t, path); got != SchemaVersion {
				t.Errorf("schema after migration = %d, want %d", got, SchemaVersion)
			}
			rep, err := Check(path, Options{})
			if err != nil || len(rep.Problems) > 0 {
				t.Errorf("Check after migration: %v %v", err, rep.Problems)
			}
			// And now a reader is welcome.
			if err := View(path, Options{}, func(*Tx) error { return nil }); err != nil {
				t.Errorf("View after migration: %v", err)
			}
		})
	}
}

func TestCheckMigratesV1(t *testing.T) {
	// `steward check` is what the read-only message tells people to run.
	path := filepath.Join(t.TempDir(), "v1.db")
	writeV1(t, path, false)
	rep, err := Check(path, Options{})
	if err != nil {
		t.Fatalf("Check of a v1 file: %v", err)
	}
	if rep.Schema != SchemaVersion || len(rep.Problems) > 0 {
		t.Errorf("Check of a v1 file: schema %d, problems %v", rep.Schema, rep.Problems)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		if !tx.HasWeek(202612) {
			t.Error("week index missing after Check migrated the file")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestFailedMigrationLeavesV1(t *testing.T) {
	// A migration is one transaction: a damaged snapshot stops it and the
	// file stays a readable v1 file.
	path := filepath.Join(t.TempDir(), "v1.db")
	writeV1(t, path, false)
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bSnapshots).Put(key(u64(3), u32(202613)), []byte{0xff, 0xff})
	})
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("migration of a damaged v1 file panicked: %v", r)
			}
		}()
		_, err := Open(path, Options{})
		if err == nil {
			t.Fatal("migration of a v1 file with a damaged snapshot succeeded")
		}
		// Like every other refusal, it names the file and says what is wrong.
		wantErrContains(t, "failed migration", err, path, "damaged")
	}()
	if got := rawSchema(t, path); got != 1 {
		t.Errorf("schema after a failed migration = %d, want 1", got)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bSnapByWeek) != nil {
			t.Error("a failed migration left the by-week index bucket behind")
		}
		return nil
	})
}

func TestEmptySchemaZeroFileReadOnly(t *testing.T) {
	// A bbolt file with no steward buckets (schema 0): a reader says how
	// to create a database; a writer initialises it.
	path := filepath.Join(t.TempDir(), "bare.db")
	rawUpdate(t, path, func(*bolt.Tx) error { return nil })
	_, err := Open(path, Options{ReadOnly: true})
	wantErrContains(t, "read-only Open of a bare bbolt file", err, "empty database", "steward demo")
	db := openRW(t, path)
	mustView(t, db, func(tx *Tx) error {
		if v := schemaOf(tx.tx); v != SchemaVersion {
			t.Errorf("schema after initialising = %d", v)
		}
		return nil
	})
}

// freelistPage is the freelist page of the newest valid meta page.
func freelistPage(t *testing.T, path string) (pgid uint64, pageSize int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 80)
	h := header(t, path)
	for _, off := range []int64{0, int64(h.pageSize)} {
		if m := readMeta(f, off, buf); m != nil && m.txid == h.txid {
			return binary.LittleEndian.Uint64(buf[16+32:]), int64(h.pageSize)
		}
	}
	t.Fatal("no current meta page")
	return 0, 0
}

// overwritePage fills page n of path with random bytes.
func overwritePage(t *testing.T, path string, n uint64, pageSize int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, pageSize)
	rand.New(rand.NewSource(int64(n))).Read(b)
	if _, err := f.WriteAt(b, int64(n)*pageSize); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedFreelistPage(t *testing.T) {
	// bbolt panics while loading a garbled freelist in a read-write open.
	// The user must get the "damaged" message, and the failed open must
	// not keep the file locked: every later open in the same process (the
	// TUI is one long process) must say "damaged" too, never "in use".
	path := bigDBPath(t, 500)
	pg, ps := freelistPage(t, path)
	overwritePage(t, path, pg, ps)
	before := readFile(t, path)
	opt := Options{LockTimeout: 300 * time.Millisecond}
	for i := 0; i < 2; i++ {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("read-write Open of a file with a damaged freelist panicked: %v", r)
				}
			}()
			db, err := Open(path, opt)
			if err == nil {
				db.Close()
			}
			if errors.Is(err, ErrLocked) {
				t.Errorf("attempt %d: the file is still locked by an earlier failed open in this process: %v", i+1, err)
			}
			wantErrContains(t, fmt.Sprintf("read-write Open #%d", i+1), err, "is damaged", "freelist", "it was not modified", "restore it from a backup")
		}()
	}
	rep, err := Check(path, opt)
	if err != nil {
		t.Errorf("Check after a failed open: %v", err)
	}
	if len(rep.Problems) == 0 || !strings.Contains(rep.Problems[0], "freelist") {
		t.Errorf("Check should report the freelist: %q", rep.Problems)
	}
	// Readers do not need the freelist: they may still read the records,
	// but must not be locked out either.
	if err := View(path, opt, func(tx *Tx) error { _, err := tx.Accounts(); return err }); errors.Is(err, ErrLocked) {
		t.Errorf("View after a failed open: %v", err)
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("opening a file with a damaged freelist changed it")
	}
}

const envCheck = "STEWARD_HELPER_CHECK" // path the child runs Check on

// TestHelperCheck is not a test: run as a child process it runs Check on
// a file and prints what it found, so that a crash (a panic in a goroutine
// no recover can reach) shows up as a failed child, not a dead test binary.
func TestHelperCheck(t *testing.T) {
	path := os.Getenv(envCheck)
	if path == "" {
		t.Skip("helper process for the damaged-page test")
	}
	rep, err := Check(path, Options{LockTimeout: time.Second})
	fmt.Printf("err: %v\n", err)
	for _, p := range rep.Problems {
		fmt.Printf("problem: %s\n", p)
	}
	fmt.Println("done")
	os.Exit(0)
}

func TestDamagedDataPage(t *testing.T) {
	// A garbled B-tree page deep in a file whose header is fine: the
	// accounts bucket's root page. Opening works (the header and schema
	// are intact); reading the accounts and checking the file must report
	// the damage, never crash, and Check must not write into the file.
	path := bigDBPath(t, 2000)
	var root uint64
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b.View(func(tx *bolt.Tx) error { root = uint64(tx.Bucket(bAccounts).Root()); return nil })
	b.Close()
	h := header(t, path)
	if root < 2 || root >= h.pgid {
		t.Fatalf("accounts root page %d is not a data page", root)
	}
	overwritePage(t, path, root, int64(h.pageSize))
	before := readFile(t, path)

	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("reading a damaged page panicked: %v", r)
			}
		}()
		err := View(path, Options{}, func(tx *Tx) error { _, err := tx.Accounts(); return err })
		wantErrContains(t, "View of a damaged page", err, "is damaged", "restore it from a backup")
	}()

	c := startChild(t, "TestHelperCheck", envCheck+"="+path)
	var out []string
	timeout := time.After(20 * time.Second)
collect:
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				break collect
			}
			out = append(out, l)
		case <-timeout:
			t.Fatal("Check of a damaged page did not finish within 20s")
		}
	}
	err = c.cmd.Wait()
	text := strings.Join(out, "\n")
	if err != nil || !strings.HasSuffix(text, "done") {
		t.Fatalf("Check of a file with a damaged page crashed the process (%v); stdout:\n%s\nstderr starts:\n%s",
			err, text, firstLines(c.stderr.String(), 12))
	}
	if !strings.Contains(text, "damaged") && !strings.Contains(text, "problem:") {
		t.Errorf("Check of a damaged page reported nothing:\n%s", text)
	}
	if !bytes.Equal(before, readFile(t, path)) {
		t.Error("Check wrote into a file it found damaged")
	}
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// An existing empty file is far more often a lost database than a new one:
// no open may quietly turn it into an empty database, and check must say so.
func TestZeroLengthFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zero.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{true, false} {
		if _, err := Open(path, Options{ReadOnly: ro}); err == nil || !strings.Contains(err.Error(), "is empty (0 bytes)") {
			t.Errorf("Open(ReadOnly=%v) of a 0-byte file: %v", ro, err)
		}
	}
	if _, err := Check(path, Options{}); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Errorf("Check of a 0-byte file: %v", err)
	}
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Errorf("the 0-byte file was written: now %d bytes", st.Size())
	}
}

// The by-name index follows every write (a new account, a rename, two
// accounts whose names differ only in case), and the check tells when it
// does not.
func TestAccountsByName(t *testing.T) {
	db := newDB(t)
	var acme, other Account
	mustUpdate(t, db, func(tx *Tx) error {
		acme = Account{Name: "Acme Corp", Lifecycle: Active}
		other = Account{Name: "ACME corp", Lifecycle: Active}
		return tx.PutAccounts([]*Account{&acme, &other, {Name: "Acme Corporation", Lifecycle: Active}})
	})
	names := func(q string) string {
		var got []string
		mustView(t, db, func(tx *Tx) error {
			list, err := tx.AccountsNamed(q)
			for _, a := range list {
				got = append(got, fmt.Sprintf("%d:%s", a.ID, a.Name))
			}
			return err
		})
		return strings.Join(got, ",")
	}
	if got := names("acme CORP"); got != fmt.Sprintf("%d:Acme Corp,%d:ACME corp", acme.ID, other.ID) {
		t.Fatalf("AccountsNamed(acme CORP) = %s", got)
	}
	acme.Name = "Zenith Ltd"
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutAccount(&acme) })
	if got := names("acme corp"); got != fmt.Sprintf("%d:ACME corp", other.ID) {
		t.Fatalf("after the rename AccountsNamed(acme corp) = %s", got)
	}
	if got := names("zenith ltd"); got != fmt.Sprintf("%d:Zenith Ltd", acme.ID) {
		t.Fatalf("AccountsNamed(zenith ltd) = %s", got)
	}
	path := db.path
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if rep, err := Check(path, Options{}); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("Check after writes: %v %q", err, rep.Problems)
	}
	// A lost index entry is damage the check names.
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bAccByName).Delete(nameKey("ACME corp", other.ID)) })
	rep, _ := Check(path, Options{})
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "accounts_by_name") {
		t.Fatalf("Check of a file missing a by-name entry: %q", rep.Problems)
	}
}
