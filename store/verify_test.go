package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// ---- damage, by hand, at the byte level ----

// fileBytes reads the whole file; patch writes b at off.
func patch(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	return sha256.Sum256(readFile(t, path))
}

// bucketRoot is the root page of a top-level bucket (0: inline).
func bucketRoot(t *testing.T, path string, name []byte) uint64 {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var root uint64
	b.View(func(tx *bolt.Tx) error { root = uint64(tx.Bucket(name).Root()); return nil })
	return root
}

// pageAt reads page id's first page.
func pageAt(t *testing.T, path string, id uint64) []byte {
	t.Helper()
	ps := int64(header(t, path).pageSize)
	return readFile(t, path)[int64(id)*ps : int64(id+1)*ps]
}

// branchChild is where, in the file, element i of branch page id keeps its
// child's page id, and that id.
func branchChild(t *testing.T, path string, id uint64, i int) (off int64, child uint64) {
	t.Helper()
	p := pageAt(t, path, id)
	if binary.LittleEndian.Uint16(p[8:]) != branchPageFlag {
		t.Fatalf("page %d is not a branch page", id)
	}
	e := pageHeaderSize + i*branchElemSize
	ps := int64(header(t, path).pageSize)
	return int64(id)*ps + int64(e) + 8, binary.LittleEndian.Uint64(p[e+8:])
}

func u64le(v uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b
}

// damagedDB is a seeded database big enough that the accounts and
// snapshots buckets have branch pages.
func damagedDB(t *testing.T) string {
	t.Helper()
	path := newDBPath(t)
	seed(t, path, 1500)
	if root := bucketRoot(t, path, bAccounts); binary.LittleEndian.Uint16(pageAt(t, path, root)[8:]) != branchPageFlag {
		t.Fatal("fixture: the accounts bucket has no branch page")
	}
	return path
}

// expectRefused asserts the whole contract for a damaged file: check lists
// a problem mentioning want, a writer is refused with the restore advice,
// a read either fails with the same advice or succeeds and warns, nothing
// panics, and the file is byte for byte as before.
func expectRefused(t *testing.T, path string, want string) {
	t.Helper()
	before := sum(t, path)
	opt := Options{LockTimeout: time.Second}
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panicked: %v", r)
			}
		}()
		rep, err := Check(path, opt)
		if err != nil {
			t.Fatalf("Check returned an error, not a report: %v", err)
		}
		if all := strings.Join(rep.Problems, "\n"); !strings.Contains(all, want) {
			t.Errorf("Check problems do not mention %q:\n%s", want, all)
		}
		err = Update(path, opt, func(tx *Tx) error {
			return tx.PutMember(&Member{Name: "writer", Role: RoleCoordinator})
		})
		wantErrContains(t, "Update of a damaged file", err, shown(path), "is damaged", "it was not modified", "restore it from a backup")
		if !IsDamaged(err) {
			t.Errorf("Update error is not a *DamagedError: %T", err)
		}
		var warned *DamagedError
		err = View(path, Options{LockTimeout: time.Second, Warn: func(d *DamagedError) { warned = d }}, func(tx *Tx) error {
			_, err := tx.Accounts()
			return err
		})
		if err == nil && warned == nil {
			t.Error("a read of a damaged file succeeded without a warning")
		}
		if err != nil {
			wantErrContains(t, "View of a damaged file", err, shown(path), "is damaged", "restore it from a backup")
		}
		err = Backup(path, filepath.Join(t.TempDir(), "b.db"), opt)
		wantErrContains(t, "Backup of a damaged file", err, "is damaged", "no backup was written")
	}()
	if sum(t, path) != before {
		t.Error("the damaged file was modified")
	}
}

// shown is the part of a long temporary path a message keeps (QuotePath).
func shown(path string) string {
	if len(path) > 70 {
		return path[len(path)-70:]
	}
	return path
}

func TestVerifyHealthyFile(t *testing.T) {
	path := damagedDB(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := readHeader(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []verifyMode{verifyShape, verifyPages, verifyRecords} {
		if res := verifyFile(f, m, mode); len(res.problems) > 0 || !res.shapeOK {
			t.Errorf("mode %d: a healthy file has problems: %q", mode, res.problems)
		}
	}
	rep, err := Check(path, Options{})
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("Check of a healthy file: %v %q", err, rep.Problems)
	}
	if rep.Counts["accounts"] != 1500 || rep.Counts["snapshots"] != 1500 || rep.Counts["timeline"] != 1 {
		t.Errorf("counts %v", rep.Counts)
	}
}

func TestVerifyPageDamage(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		damage     func(t *testing.T, path string)
	}{
		{"zeroed branch page", "its header says it is page 0", func(t *testing.T, path string) {
			root := bucketRoot(t, path, bAccounts)
			ps := int64(header(t, path).pageSize)
			patch(t, path, int64(root)*ps, make([]byte, ps))
		}},
		{"zeroed leaf page", "its header says it is page 0", func(t *testing.T, path string) {
			_, leaf := branchChild(t, path, bucketRoot(t, path, bSnapshots), 1)
			ps := int64(header(t, path).pageSize)
			patch(t, path, int64(leaf)*ps, make([]byte, ps))
		}},
		{"a cycle: a branch page points at itself", "reached twice", func(t *testing.T, path string) {
			root := bucketRoot(t, path, bAccounts)
			off, _ := branchChild(t, path, root, 1)
			patch(t, path, off, u64le(root))
		}},
		{"two branch elements share a child", "reached twice", func(t *testing.T, path string) {
			root := bucketRoot(t, path, bSnapshots)
			_, first := branchChild(t, path, root, 0)
			off, _ := branchChild(t, path, root, 2)
			patch(t, path, off, u64le(first))
		}},
		{"a child past the end of the file", "outside the file", func(t *testing.T, path string) {
			off, _ := branchChild(t, path, bucketRoot(t, path, bAccounts), 0)
			patch(t, path, off, u64le(1<<40))
		}},
		{"a child that is a meta page", "outside the file", func(t *testing.T, path string) {
			off, _ := branchChild(t, path, bucketRoot(t, path, bLedger), 0)
			patch(t, path, off, u64le(1))
		}},
		{"a key runs past its page", "runs past the end of the page", func(t *testing.T, path string) {
			_, leaf := branchChild(t, path, bucketRoot(t, path, bAccounts), 0)
			ps := int64(header(t, path).pageSize)
			// element 3's ksize
			patch(t, path, int64(leaf)*ps+pageHeaderSize+3*leafElemSize+8, []byte{0xff, 0xff, 0xff, 0x7f})
		}},
		{"keys out of order", "is not after key", func(t *testing.T, path string) {
			_, leaf := branchChild(t, path, bucketRoot(t, path, bAccounts), 0)
			p := pageAt(t, path, leaf)
			e := pageHeaderSize + 5*leafElemSize
			pos := binary.LittleEndian.Uint32(p[e+4:])
			ps := int64(header(t, path).pageSize)
			patch(t, path, int64(leaf)*ps+int64(e)+int64(pos)+7, []byte{0}) // the ID's low byte
		}},
		{"a page counts more elements than it holds", "do not fit", func(t *testing.T, path string) {
			_, leaf := branchChild(t, path, bucketRoot(t, path, bLedger), 0)
			ps := int64(header(t, path).pageSize)
			patch(t, path, int64(leaf)*ps+10, []byte{0xff, 0xff})
		}},
		{"unknown page type", "expected a branch or leaf page", func(t *testing.T, path string) {
			_, leaf := branchChild(t, path, bucketRoot(t, path, bActivities), 0)
			ps := int64(header(t, path).pageSize)
			patch(t, path, int64(leaf)*ps+8, []byte{0x40, 0})
		}},
		{"freelist lists a page twice", "twice", func(t *testing.T, path string) {
			fl, ps := freelistPage(t, path)
			p := pageAt(t, path, fl)
			if binary.LittleEndian.Uint16(p[10:]) < 2 {
				t.Skip("fixture freelist too short")
			}
			patch(t, path, int64(fl)*ps+pageHeaderSize+8, p[pageHeaderSize:pageHeaderSize+8])
		}},
		{"freelist lists a page past the end", "outside the file", func(t *testing.T, path string) {
			fl, ps := freelistPage(t, path)
			patch(t, path, int64(fl)*ps+pageHeaderSize, u64le(1<<33))
		}},
		{"a page neither used nor free", "neither in use nor free", func(t *testing.T, path string) {
			fl, ps := freelistPage(t, path)
			p := pageAt(t, path, fl)
			n := binary.LittleEndian.Uint16(p[10:])
			if n == 0 || n == 0xffff {
				t.Skip("fixture freelist empty or long")
			}
			patch(t, path, int64(fl)*ps+10, []byte{byte(n - 1), byte((n - 1) >> 8)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := damagedDB(t)
			tc.damage(t, path)
			expectRefused(t, path, tc.want)
		})
	}
}

// An inline bucket (a small one, kept in its parent's page) is walked too.
func TestVerifyInlineBucket(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 3)
	if err := Update(path, Options{}, func(tx *Tx) error {
		_, err := tx.SetSetting("sla.high", "30", Actor{Name: "Lead"}, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if root := bucketRoot(t, path, bSettingsLog); root != 0 {
		t.Fatalf("settings_log is not inline (root %d)", root)
	}
	rep, err := Check(path, Options{})
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("healthy inline bucket: %v %q", err, rep.Problems)
	}
	// Find the inline page: the settings_log entry of the root bucket's leaf.
	b := readFile(t, path)
	i := bytes.Index(b, []byte("settings_log"))
	if i < 0 {
		t.Fatal("no settings_log key in the file")
	}
	// The value follows the key: bucket header (16) then the inline page,
	// whose count is at +10.
	patch(t, path, int64(i+len("settings_log")+bucketHeaderSize+10), []byte{0xff, 0x7f})
	expectRefused(t, path, "inline bucket")
}

func TestCheckDecodesEveryBucketAndIndex(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		damage     func(tx *bolt.Tx) error
	}{
		{"a garbled snapshot", "snapshot of account 7", func(tx *bolt.Tx) error {
			return tx.Bucket(bSnapshots).Put(key(u64(7), u32(202610)), []byte{1, 0xff})
		}},
		{"a snapshot with an impossible band", "impossible band", func(tx *bolt.Tx) error {
			s := Snapshot{Score: 50, Band: "purple"}
			return tx.Bucket(bSnapshots).Put(key(u64(7), u32(202610)), encodeSnapshot(&s))
		}},
		{"a snapshot missing from the by-week index", "snapshots_by_week", func(tx *bolt.Tx) error {
			return tx.Bucket(bSnapByWeek).Delete(key(u32(202610), u64(9)))
		}},
		{"a by-week entry without its snapshot", "snapshots_by_week", func(tx *bolt.Tx) error {
			return tx.Bucket(bSnapByWeek).Put(key(u32(202611), u64(9)), []byte{50, 'y'})
		}},
		{"a by-week entry that disagrees with its snapshot", "snapshots_by_week", func(tx *bolt.Tx) error {
			return tx.Bucket(bSnapByWeek).Put(key(u32(202610), u64(9)), []byte{99, 'r'})
		}},
		{"a garbled by-week value", "snapshots_by_week", func(tx *bolt.Tx) error {
			return tx.Bucket(bSnapByWeek).Put(key(u32(202610), u64(9)), []byte{1, 2, 3})
		}},
		{"a playbook episode of no playbook", "episodes of playbook 77, which does not exist", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bEpisodes)
			if err != nil {
				return err
			}
			return b.Put(episodeKey(1, 77), encodeEpisode(metrics.Episode{Open: true}))
		}},
		{"a garbled playbook episode", "playbook episode of account 1, playbook 2", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bEpisodes)
			if err != nil {
				return err
			}
			return b.Put(episodeKey(1, 2), []byte{9})
		}},
		{"a playbook with an unknown trigger", "band_to_purple", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bPlaybooks)
			if err != nil {
				return err
			}
			return b.Put(u64(5), []byte(`{"id":5,"name":"X","trigger":"band_to_purple","steps":[]}`))
		}},
		{"a garbled timeline event", "timeline event 1 of escalation 1", func(tx *bolt.Tx) error {
			return tx.Bucket(bTimeline).Put(key(u64(1), u64(1)), []byte("{oops"))
		}},
		{"a timeline event of no escalation", "escalation 9, which does not exist", func(tx *bolt.Tx) error {
			return tx.Bucket(bTimeline).Put(key(u64(9), u64(1)), []byte(`{"escalation_id":9,"seq":1}`))
		}},
		{"a garbled roster log entry", "roster log", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bRosterLog)
			if err != nil {
				return err
			}
			b.SetSequence(1)
			return b.Put(key(u64(1), u64(1)), []byte("not json"))
		}},
		{"a garbled settings log entry", "settings log entry 1", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bSettingsLog)
			if err != nil {
				return err
			}
			b.SetSequence(1)
			return b.Put(u64(1), []byte("\x00"))
		}},
		{"a garbled member", "member 1", func(tx *bolt.Tx) error {
			return tx.Bucket(bMembers).Put(u64(1), []byte("{"))
		}},
		{"garbled settings", "settings", func(tx *bolt.Tx) error {
			return tx.Bucket(bMeta).Put(kSettings, []byte("\x00garbage"))
		}},
		{"settings with no stale-data threshold", "freshness.stale_days", func(tx *bolt.Tx) error {
			return tx.Bucket(bMeta).Put(kSettings, []byte(`{"currency":"USD","health":{"stale_days":0}}`))
		}},
		{"settings with a negative target", "targets.grr", func(tx *bolt.Tx) error {
			return tx.Bucket(bMeta).Put(kSettings, []byte(`{"currency":"USD","health":{"weights":{"adoption":35,"support":20,"engagement":25,"sentiment":20},"green":70,"yellow":40,"stale_days":30},"targets":{"grr":-0.9}}`))
		}},
		{"an owner index entry for no account", "accounts_by_owner", func(tx *bolt.Tx) error {
			return tx.Bucket(bAccByOwner).Put(key(u64(1), u64(999)), nil)
		}},
		{"an account missing from the owner index", "accounts_by_owner", func(tx *bolt.Tx) error {
			return tx.Bucket(bAccByOwner).Delete(key(u64(1), u64(5)))
		}},
		{"an account filed under the wrong owner", "accounts_by_owner", func(tx *bolt.Tx) error {
			if err := tx.Bucket(bAccByOwner).Delete(key(u64(1), u64(5))); err != nil {
				return err
			}
			return tx.Bucket(bAccByOwner).Put(key(u64(2), u64(5)), nil)
		}},
		{"an external ID missing from its index", "accounts_by_external_id", func(tx *bolt.Tx) error {
			return tx.Bucket(bAccByExtID).Delete([]byte("E4"))
		}},
		{"an external ID pointing at the wrong account", "accounts_by_external_id", func(tx *bolt.Tx) error {
			return tx.Bucket(bAccByExtID).Put([]byte("E4"), u64(6))
		}},
		{"an escalation under the wrong status", "escalations_by_status", func(tx *bolt.Tx) error {
			if err := tx.Bucket(bEscByStatus).Delete(statusKey(StatusOpen, 1)); err != nil {
				return err
			}
			return tx.Bucket(bEscByStatus).Put(statusKey(StatusResolved, 1), nil)
		}},
		{"an escalation missing from the account index", "escalations_by_account", func(tx *bolt.Tx) error {
			return tx.Bucket(bEscByAcct).Delete(key(u64(1), u64(1)))
		}},
		{"an activity of no account", "which does not exist", func(tx *bolt.Tx) error {
			return tx.Bucket(bActivities).Put(key(u64(999), u64(1)), []byte(`{"id":1,"account_id":999}`))
		}},
		{"an activity whose record disagrees with its key", "the record says activity", func(tx *bolt.Tx) error {
			return tx.Bucket(bActivities).Put(key(u64(3), u64(3)), []byte(`{"id":4,"account_id":3,"kind":"call"}`))
		}},
		{"a ledger entry with an impossible kind", "impossible kind", func(tx *bolt.Tx) error {
			l := LedgerEntry{ARRCents: 5, Kind: "gift"}
			return tx.Bucket(bLedger).Put(key(u64(3), dateKey(day("2026-01-02")), u64(3)), encodeLedger(&l))
		}},
		{"an ID counter behind the IDs", "the next new record would overwrite", func(tx *bolt.Tx) error {
			return tx.Bucket(bAccounts).SetSequence(3)
		}},
		{"a garbled band count", "snapshot_bands", func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bSnapBands)
			if err != nil {
				return err
			}
			return b.Put(u32(202610), []byte{0, 1, 2})
		}},
		{"a bucket missing", "bucket is missing", func(tx *bolt.Tx) error {
			return tx.DeleteBucket(bEscByAcct)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := newDBPath(t)
			seed(t, path, 12)
			rawUpdate(t, path, tc.damage)
			expectRefused(t, path, tc.want)
		})
	}
}

// TestHelperCheckCorpus is not a test: run as a child process, it runs
// Check on every file named in its environment and prints one line per
// file, so a crash (bbolt's Check panicking on its own goroutine, a fault
// through the map) shows up as a dead child, not a dead test binary.
func TestHelperCheckCorpus(t *testing.T) {
	list := os.Getenv("STEWARD_HELPER_CHECK_CORPUS")
	if list == "" {
		t.Skip("helper process for TestCheckNeverCrashes")
	}
	for _, path := range strings.Split(list, "\n") {
		rep, err := Check(path, Options{LockTimeout: time.Second})
		fmt.Printf("checked %s: %d problems, err %v\n", filepath.Base(path), len(rep.Problems), err != nil)
	}
	fmt.Println("done")
	os.Exit(0)
}

// flipCorpus writes n copies of src with a few random bytes flipped in
// pages the database uses (seeded, so every run sees the same files).
func flipCorpus(t *testing.T, src string, n int, seed int64) []string {
	t.Helper()
	good := readFile(t, src)
	h := header(t, src)
	used := int64(h.pgid) * int64(h.pageSize)
	r := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	var out []string
	for i := 0; i < n; i++ {
		b := bytes.Clone(good)
		for j := 0; j < 1+r.Intn(3); j++ {
			off := 2*int64(h.pageSize) + r.Int63n(used-2*int64(h.pageSize))
			b[off] ^= byte(1 + r.Intn(255))
		}
		path := filepath.Join(dir, fmt.Sprintf("flip%03d.db", i))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	return out
}

// TestCheckNeverCrashes runs Check over 200 copies of a database with
// random bytes flipped (the experiment: 15 of 200 killed steward
// check with a panic or SIGSEGV), in a child process, and wants every copy
// checked and none modified.
func TestCheckNeverCrashes(t *testing.T) {
	src := newDBPath(t)
	seed(t, src, 300)
	corpus := flipCorpus(t, src, 200, 8)
	sums := map[string][32]byte{}
	for _, p := range corpus {
		sums[p] = sum(t, p)
	}
	c := startChild(t, "TestHelperCheckCorpus", "STEWARD_HELPER_CHECK_CORPUS="+strings.Join(corpus, "\n"))
	var out []string
	timeout := time.After(60 * time.Second)
collect:
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				break collect
			}
			out = append(out, l)
		case <-timeout:
			t.Fatalf("Check of the corpus did not finish within 60s; last lines:\n%s", strings.Join(out[max(0, len(out)-3):], "\n"))
		}
	}
	err := c.cmd.Wait()
	if err != nil || len(out) == 0 || out[len(out)-1] != "done" {
		last := "nothing"
		if len(out) > 0 {
			last = out[len(out)-1]
		}
		t.Fatalf("Check crashed after %d of %d files (last: %s): %v\nstderr:\n%s", len(out), len(corpus), last, err, firstLines(c.stderr.String(), 12))
	}
	damaged := 0
	for _, l := range out {
		if strings.Contains(l, "err true") || !strings.Contains(l, " 0 problems") {
			damaged++
		}
	}
	if damaged < len(corpus)/3 {
		t.Errorf("only %d of %d flipped copies were found damaged", damaged, len(corpus))
	}
	for _, p := range corpus {
		if sum(t, p) != sums[p] {
			t.Errorf("%s was modified by Check", filepath.Base(p))
		}
	}
}

// TestSkimAgreesWithDecode: the verifier's allocation-free readers accept
// exactly what the real decoders accept.
func TestSkimAgreesWithDecode(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	s := Snapshot{Score: 77, Band: metrics.Green, Components: [metrics.NumComponents]int8{1, -1, 100, 3}, ARRCents: 1 << 40}
	l := LedgerEntry{ARRCents: 9, Kind: metrics.KindChurn, Author: "a", Note: "n"}
	seeds := [][]byte{encodeSnapshot(&s), encodeLedger(&l)}
	for i := 0; i < 20000; i++ {
		b := bytes.Clone(seeds[i%2])
		switch r.Intn(3) {
		case 0:
			b = b[:r.Intn(len(b)+1)]
		case 1:
			b[r.Intn(len(b))] ^= byte(1 + r.Intn(255))
		default:
			b = make([]byte, 1+r.Intn(24))
			r.Read(b)
			b[0] = 1
		}
		var ds Snapshot
		derr := decodeSnapshot(b, &ds)
		ws, serr := skimSnapshot(b)
		if derr == nil && ds.Band.Valid() {
			if serr != nil || !bytes.Equal(ws[:], encodeWeekScore(&ds)) {
				t.Fatalf("snapshot %x: decode ok (%+v), skim %v %v", b, ds, ws, serr)
			}
		} else if serr == nil {
			t.Fatalf("snapshot %x: decode %v (band %q), skim accepted it", b, derr, ds.Band)
		}
		var dl LedgerEntry
		derr = decodeLedger(b, &dl)
		serr = skimLedger(b)
		if (derr == nil && dl.Kind.Valid()) != (serr == nil) {
			t.Fatalf("ledger %x: decode %v (kind %q), skim %v", b, derr, dl.Kind, serr)
		}
	}
}

// skimAccount accepts exactly the accounts that decodeAccount decodes and
// validateAccountFields (and the override's band) accept, and reads the
// same owner and external ID.
func TestSkimAccountAgreesWithDecode(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	full := fullAccount()
	full.SuccessPlan = "short"
	plain := Account{Name: "x", Lifecycle: Active}
	withPlan := full
	withPlan.Plan = "Enterprise Plus" // format 2
	withInputs := plain
	withInputs.InputsAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) // format 3
	seeds := [][]byte{encodeAccount(&full), encodeAccount(&plain), readGolden(t, "account.v1.bin"), encodeAccount(&withPlan),
		encodeAccount(&withInputs), readGolden(t, "account.v3.bin")}
	for i := 0; i < 30000; i++ {
		b := bytes.Clone(seeds[i%len(seeds)])
		for j := 0; j <= r.Intn(3); j++ {
			switch r.Intn(3) {
			case 0:
				b = b[:r.Intn(len(b)+1)]
			default:
				if len(b) > 0 {
					b[r.Intn(len(b))] ^= byte(1 + r.Intn(255))
				}
			}
		}
		var a Account
		ok := decodeAccount(1, b, &a) == nil
		if ok {
			life := a.Lifecycle
			ok = validateAccountFields(&a) == nil && (life == "" || life.Valid()) && (a.Override == nil || a.Override.Band.Valid())
		}
		owner, ext, _, err := skimAccount(b)
		if ok != (err == nil) {
			t.Fatalf("account %x: decode+validate ok=%v, skim %v", b, ok, err)
		}
		if ok && (owner != a.OwnerID || string(ext) != a.ExternalID) {
			t.Fatalf("account %x: skim read owner %d ext %q, decode %d %q", b, owner, ext, a.OwnerID, a.ExternalID)
		}
	}
}

// A writer verifies once per process and state of the file: its own
// commits keep the file verified, another process's commit does not.
func TestVerificationOncePerFileState(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 20)
	runs := func() int { verifyRuns.Lock(); defer verifyRuns.Unlock(); return verifyRuns.n }
	write := func() {
		t.Helper()
		if err := Update(path, Options{}, func(tx *Tx) error {
			return tx.PutMember(&Member{Name: "m", Role: RoleCoordinator})
		}); err != nil {
			t.Fatal(err)
		}
	}
	forgetVerdicts()
	os.Remove(stampPath(path)) // as if no process had ever verified it
	n0 := runs()
	write()
	if got := runs() - n0; got != 1 {
		t.Fatalf("first write: %d verifications, want 1", got)
	}
	write()
	write()
	if got := runs() - n0; got != 1 {
		t.Fatalf("writes after our own commit verified again: %d verifications", got)
	}
	if err := View(path, Options{}, func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := runs() - n0; got != 1 {
		t.Fatalf("a read of a verified file verified again: %d", got)
	}
	// Another process's commit (bbolt directly, so no verdict is kept),
	// in the same clock tick and at the same size as far as it matters.
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("x"), []byte("y")) })
	write()
	if got := runs() - n0; got != 2 {
		t.Fatalf("a write after another process's commit: %d verifications, want 2", got)
	}
	// A new process (no verdicts in memory) trusts the stamp the last one
	// left for this state of the file...
	forgetVerdicts()
	write()
	if got := runs() - n0; got != 2 {
		t.Fatalf("a new process walked a file stamped clean in this state: %d", got)
	}
	// ...but check never does, and a stamp of another state is void.
	if _, err := Check(path, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := runs() - n0; got != 3 {
		t.Fatalf("check trusted the stamp: %d", got)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put([]byte("x"), []byte("z")) })
	forgetVerdicts()
	write()
	if got := runs() - n0; got != 4 {
		t.Fatalf("a stamp of an earlier state was trusted: %d", got)
	}
}

func TestDamagedErrorNamesFileAndFix(t *testing.T) {
	long := "/tmp/" + strings.Repeat("deep/", 40) + "d.db"
	for _, e := range []*DamagedError{
		{Path: "/x/d.db", Cause: "page 9: bad"},
		{Path: "/x/d.db", Cause: "page 9: bad", More: 3, Refused: "write"},
		{Path: "/x/d.db", Cause: "no valid bbolt header", Header: true},
		{Path: "/x/d.db", Cause: "c", Refused: "backup"},
		{Path: long, Cause: "c"},
	} {
		msg := e.Error()
		if !strings.Contains(msg, "restore it from") || strings.Contains(msg, "\n") {
			t.Errorf("%q: no fix, or more than one line", msg)
		}
		if e.Path != long && !strings.Contains(msg, e.Path) {
			t.Errorf("%q does not name the file", msg)
		}
		if len(msg) > 400 {
			t.Errorf("%d bytes: too long for one line", len(msg))
		}
	}
	if !IsDamaged(fmt.Errorf("x: %w", &DamagedError{})) || IsDamaged(errors.New("x")) {
		t.Error("IsDamaged does not see through wrapping")
	}
}

// TestHelperFault is not a test: run as a child process, it opens the
// database read-only and then cuts the file short behind its back (as a
// careless copy tool or a full disk might), and reads: bbolt's map now
// points past the end of the file, and the read faults (SIGBUS).
func TestHelperFault(t *testing.T) {
	path := os.Getenv("STEWARD_HELPER_FAULT")
	if path == "" {
		t.Skip("helper process for TestFaultIsAnError")
	}
	db, err := Open(path, Options{ReadOnly: true, LockTimeout: time.Second})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(0)
	}
	if err := os.Truncate(path, 3*4096); err != nil {
		fmt.Println("error:", err)
		os.Exit(0)
	}
	err = db.View(func(tx *Tx) error { _, err := tx.Accounts(); return err })
	fmt.Printf("read: %v\n", err)
	db.Close()
	fmt.Println("done")
	os.Exit(0)
}

// TestFaultIsAnError: a fault through bbolt's memory map is an error naming
// the file, not a dead process (debug.SetPanicOnFault in the guard).
func TestFaultIsAnError(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 3000)
	c := startChild(t, "TestHelperFault", "STEWARD_HELPER_FAULT="+path)
	var out []string
	for l := range c.lines {
		out = append(out, l)
	}
	err := c.cmd.Wait()
	text := strings.Join(out, "\n")
	if err != nil || !strings.HasSuffix(text, "done") {
		t.Fatalf("a fault through the map killed the process (%v):\n%s\nstderr:\n%s", err, text, firstLines(c.stderr.String(), 8))
	}
	if !strings.Contains(text, "read: ") || !strings.Contains(text, "is damaged") || !strings.Contains(text, "restore it from a backup") {
		t.Errorf("the read after the fault should say the file is damaged:\n%s", text)
	}
}

// The dashboard's reads (Options.Background) walk only the shape; the full
// walk runs when the dashboard asks (VerifyInBackground), on a lock of its
// own: the damage arrives through Warn, and the write that follows is
// refused from the verdict.
func TestBackgroundReadVerifiesAfterTheRead(t *testing.T) {
	path := newDBPath(t)
	seed(t, path, 12)
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bSnapByWeek).Delete(key(u32(202610), u64(9))) })
	forgetVerdicts()
	warned := make(chan *DamagedError, 1)
	opt := Options{Background: true, Warn: func(d *DamagedError) { warned <- d }}
	runs := func() int { verifyRuns.Lock(); defer verifyRuns.Unlock(); return verifyRuns.n }
	n0 := runs()
	var accts []Account
	if err := View(path, opt, func(tx *Tx) error { var err error; accts, err = tx.Accounts(); return err }); err != nil {
		t.Fatalf("a background-verified read of a readable file: %v", err)
	}
	if len(accts) != 12 || runs() != n0 {
		t.Fatalf("read %d accounts, %d full verifications: a Background read walks only the shape", len(accts), runs()-n0)
	}
	VerifyInBackground(path, opt)
	VerifyInBackground(path, opt) // the same state: walked once
	select {
	case d := <-warned:
		if !strings.Contains(d.Error(), "snapshots_by_week") {
			t.Errorf("warning: %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no warning from the background verification")
	}
	err := Update(path, opt, func(tx *Tx) error { return tx.PutMember(&Member{Name: "m", Role: RoleCoordinator}) })
	wantErrContains(t, "write after a background verification", err, "is damaged", "it was not modified")
	if got := runs() - n0; got != 1 {
		t.Errorf("%d full verifications, want 1 (the background one, reused by the write)", got)
	}
}
