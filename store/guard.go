package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// The guard: what stands between a damaged file and a process that would
// crash on it or write to it (README "Sharing the file").
//
//   - Every open takes the file lock itself, before bbolt sees the file,
//     then checks the header and walks the pages (verify.go) under that
//     lock, and only then hands the same *os.File to bbolt, whose own
//     flock on it succeeds at once. So the walk and the transaction see
//     one and the same state of the file.
//   - A writer verifies fully before its first write (migrations and the
//     creation of buckets included); a file that fails is refused with
//     the restore advice and is never modified.
//   - A reader walks the tree's shape first (one sequential pass over the
//     page headers: tens of milliseconds at 100,000 accounts), so that a
//     read always ends; the rest runs beside the read on the command line,
//     and once the screen is drawn in the dashboard (Options.Background,
//     VerifyInBackground), so its first frame waits for nothing more.
//     Damage found then is a warning (Options.Warn) when the read itself
//     succeeded, else the error.
//   - A process verifies a file once: the verdict is kept for the file's
//     identity (device, inode, size, modification time) and reused until
//     another process changes it. A writer's own commits keep it verified,
//     so an edit in the dashboard stays instant.

// DamagedError says a file is damaged, where and what to do about it.
type DamagedError struct {
	Path  string
	Cause string // the first problem found
	More  int    // further problems
	// Header is set when the file is not a bbolt file at all (or is cut
	// short): it may never have been a steward database.
	Header bool
	// Refused names what was refused because of the damage: "" (a read
	// that failed), "write" or "backup"; "check" is check's own verdict.
	Refused string
}

func (e *DamagedError) Error() string {
	var b strings.Builder
	b.WriteString(QuotePath(e.Path))
	if e.Header {
		b.WriteString(" is not a steward database or is damaged (")
	} else {
		b.WriteString(" is damaged (")
	}
	b.WriteString(e.Cause)
	if e.More > 0 {
		fmt.Fprintf(&b, "; %d more problem(s)", e.More)
	}
	b.WriteString(")")
	switch e.Refused {
	case "write":
		b.WriteString(": it was not modified; restore it from a backup (`steward backup` makes one) or run `steward check` for details")
	case "check":
		b.WriteString(": restore it from a backup (`steward backup` makes one); check changed nothing")
	case "backup":
		b.WriteString(": no backup was written, since a copy of a damaged file is a damaged backup; restore it from an earlier backup, or run `steward check` for details")
	default:
		b.WriteString(": restore it from a backup (`steward backup` makes one)")
		if !e.Header {
			b.WriteString(" or run `steward check` for details")
		}
	}
	return b.String()
}

// Warning is the same news for a read that succeeded anyway.
func (e *DamagedError) Warning() string {
	more := ""
	if e.More > 0 {
		more = fmt.Sprintf("; %d more problem(s)", e.More)
	}
	return fmt.Sprintf("warning: %s is damaged (%s%s): what was read may be incomplete or wrong; restore it from a backup (`steward backup` makes one) or run `steward check` for details",
		QuotePath(e.Path), e.Cause, more)
}

// IsDamaged reports whether err says a database file is damaged.
func IsDamaged(err error) bool {
	var d *DamagedError
	return errors.As(err, &d)
}

func damagedBy(path string, problems []string, refused string) *DamagedError {
	e := &DamagedError{Path: path, Refused: refused}
	if len(problems) > 0 {
		e.Cause, e.More = problems[0], len(problems)-1
	}
	return e
}

// damaged wraps what went wrong inside bbolt or a decoder.
func damaged(path string, cause error) error {
	var d *DamagedError
	if errors.As(cause, &d) {
		return d
	}
	return &DamagedError{Path: path, Cause: cause.Error()}
}

// lockFile takes the flock bbolt takes (shared for readers, exclusive for
// writers), polling as bbolt does, for at most timeout.
func lockFile(f *os.File, exclusive bool, timeout time.Duration) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return err
		case time.Now().After(deadline):
			return berrors.ErrTimeout
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fileID is what tells that a file changed since it was verified: every
// bbolt commit writes a meta page with a new transaction id, and any write
// changes the modification time (which the kernel keeps in ticks of a few
// milliseconds, hence the transaction id too) or the size.
type fileID struct {
	dev, ino uint64
	size     int64
	mod      int64
	txid     uint64
}

// identify reads f's identity, after its header is known good (m).
func identify(f *os.File, m *metaInfo) (fileID, error) {
	st, err := f.Stat()
	if err != nil {
		return fileID{}, err
	}
	id := fileID{size: st.Size(), mod: st.ModTime().UnixNano(), txid: m.txid}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(sys.Dev), sys.Ino
	}
	return id, nil
}

// verdict is what this process knows about one state of one file.
type verdict struct {
	id       fileID
	shapeOK  bool  // a reader may read it
	full     bool  // the full walk ran
	err      error // its result: nil passed, else a *DamagedError
	inflight bool  // a full walk of this state is running
}

var verdicts = struct {
	sync.Mutex
	m map[[2]uint64]verdict
}{m: map[[2]uint64]verdict{}}

func lookupVerdict(id fileID) (verdict, bool) {
	verdicts.Lock()
	defer verdicts.Unlock()
	v, ok := verdicts.m[[2]uint64{id.dev, id.ino}]
	if !ok || v.id != id {
		return verdict{}, false
	}
	return v, true
}

func keepVerdict(v verdict) {
	if v.id.ino == 0 && v.id.dev == 0 {
		return // no identity: nothing to key it by
	}
	verdicts.Lock()
	defer verdicts.Unlock()
	verdicts.m[[2]uint64{v.id.dev, v.id.ino}] = v
}

// claimVerification reports whether the caller is to run the full walk of
// the file state id: nobody has, and nobody is running it.
func claimVerification(id fileID) bool {
	verdicts.Lock()
	defer verdicts.Unlock()
	k := [2]uint64{id.dev, id.ino}
	if v, ok := verdicts.m[k]; ok && v.id == id && (v.full || v.inflight) {
		return false
	}
	verdicts.m[k] = verdict{id: id, shapeOK: true, inflight: true}
	return true
}

// VerifyInBackground starts the full walk of the file at path as it is
// now, unless this process has verified that state or is walking it: on a
// goroutine, with a file descriptor and a shared lock of its own, so the
// caller waits for nothing. Damage goes to opt.Warn, and the verdict to
// the next open (a write then refuses, or goes ahead without walking
// again). The dashboard calls it after each load (Options.Background).
func VerifyInBackground(path string, opt Options) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = DefaultLockTimeout
	}
	go verifyDetached(path, opt)
}

func verifyDetached(path string, opt Options) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if lockFile(f, false, opt.LockTimeout) != nil {
		return // busy: the next read or write verifies
	}
	m, err := readHeader(f)
	if err != nil {
		return
	}
	id, err := identify(f, m)
	if err != nil || !claimVerification(id) {
		return
	}
	res := verifyFile(f, m, verifyRecords)
	if len(res.problems) == 0 {
		keepVerdict(verdict{id: id, shapeOK: true, full: true})
		stampClean(path, id)
		return
	}
	d := damagedBy(path, res.problems, "")
	keepVerdict(verdict{id: id, shapeOK: res.shapeOK, full: true, err: d})
	if opt.Warn != nil {
		opt.Warn(d)
	}
}

// trust records that f, as it is now, is a file this process knows to be
// sound: it verified it, or it wrote it under its own exclusive lock.
func trust(f *os.File) {
	m, err := readHeader(f)
	if err != nil {
		return
	}
	if id, err := identify(f, m); err == nil {
		keepVerdict(verdict{id: id, shapeOK: true, full: true})
		stampClean(f.Name(), id)
	}
}

// forgetVerdicts empties the cache (tests).
func forgetVerdicts() {
	verdicts.Lock()
	defer verdicts.Unlock()
	verdicts.m = map[[2]uint64]verdict{}
}

// giveBack undoes the growth of a file whose commit failed (a full disk):
// bbolt grows the file before writing the transaction's pages and leaves
// it grown when the write fails. The caller holds the exclusive lock, so
// no other process can be using the space. It never cuts below what the
// newest valid meta page needs, in case the failure came after that page
// was written.
func giveBack(f *os.File, before int64) {
	st, err := f.Stat()
	if err != nil || st.Size() <= before {
		return
	}
	to := before
	if m, err := readHeader(f); err == nil {
		if need := int64(m.pgid) * int64(m.pageSize); need > to {
			to = need
		}
	}
	if to < st.Size() {
		_ = f.Truncate(to)
	}
}

// diskFull turns ENOSPC (or a quota) into the advice a person can act on.
func diskFull(path string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("cannot write %s: the disk is full; nothing was changed and the space the write took was given back: free some space and try again", QuotePath(path))
	}
	return err
}

// Verify walks the file at path as a writer does before its first write
// (every page, every record, every index), whatever this process already
// knows about it, under a shared lock. It returns nil or a *DamagedError.
func Verify(path string, opt Options) error {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = DefaultLockTimeout
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", QuotePath(path), err)
	}
	defer f.Close()
	if err := lockFile(f, false, opt.LockTimeout); err != nil {
		return lockError(path, opt, err)
	}
	m, err := readHeader(f)
	if err != nil {
		return &DamagedError{Path: path, Cause: err.Error(), Header: true}
	}
	if res := verifyFile(f, m, verifyRecords); len(res.problems) > 0 {
		return damagedBy(path, res.problems, "")
	}
	return nil
}

// A clean verdict outlives the process that reached it: it is stamped in
// the user's cache directory, keyed by the file's absolute path, with the
// file state it holds for (fileID). The next process to open the file in
// that state (a cron snapshot, an import, a report) trusts the stamp
// instead of walking the file again, so a command-line write costs its
// write, not a 0.3 s walk of a large file. Any commit changes the state
// and voids the stamp; the writer that made it, having verified the state
// it started from, stamps the new one. A stamp that cannot be written (no
// cache directory, a read-only home) only costs the next process a walk
// (README, "A damaged file").

// stampPath is where the stamp of the database at path lives, or "".
func stampPath(path string) string {
	dir := os.Getenv("STEWARD_CACHE_DIR") // tests keep their stamps apart
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "steward", "verified")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, hex.EncodeToString(sum[:12]))
}

func (id fileID) stamp() []byte {
	return []byte(fmt.Sprintf("steward verified v1 %d %d %d %d %d\n", id.dev, id.ino, id.size, id.mod, id.txid))
}

// stampClean records that the file at path is clean in state id.
func stampClean(path string, id fileID) {
	sp := stampPath(path)
	if sp == "" || (id.dev == 0 && id.ino == 0) {
		return
	}
	if err := os.MkdirAll(filepath.Dir(sp), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(sp), ".stamp-*")
	if err != nil {
		return
	}
	_, err = tmp.Write(id.stamp())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil || os.Rename(tmp.Name(), sp) != nil {
		os.Remove(tmp.Name())
	}
}

// stampedClean reports whether a stamp says the file at path is clean in
// state id.
func stampedClean(path string, id fileID) bool {
	sp := stampPath(path)
	if sp == "" || (id.dev == 0 && id.ino == 0) {
		return false
	}
	b, err := os.ReadFile(sp)
	return err == nil && bytes.Equal(b, id.stamp())
}
