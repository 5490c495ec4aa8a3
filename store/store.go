// Package store keeps steward's records in one bbolt file that several
// steward processes share politely: each operation opens the file, runs one
// transaction and closes it again (SPEC section 7), so a dashboard left open
// never stops an import, a report or a cron snapshot.
package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this build reads and writes. Version 1 had no
// by-week snapshot index; version 2 adds it, version 3 the accounts'
// by-name index (see migrate).
const SchemaVersion = 3

// DefaultLockTimeout bounds the wait for another process's file lock.
const DefaultLockTimeout = 5 * time.Second

// ErrLocked is returned when another process holds the file past the lock
// timeout. Its text is the one SPEC section 7 asks for.
var ErrLocked = errors.New("database is in use by another steward process")

// ErrNotExist is returned when a read-only operation finds no file.
var ErrNotExist = errors.New("no database file")

// ErrOldSchema is returned by a read-only open of a file that needs a
// one-time upgrade, which only a writing open can do.
var ErrOldSchema = errors.New("the database needs a one-time upgrade")

// Options say how to open the file.
type Options struct {
	// LockTimeout bounds the wait for the file lock; 0 means DefaultLockTimeout.
	LockTimeout time.Duration
	// ReadOnly takes a shared lock, so readers run side by side.
	ReadOnly bool
	// CreateDirs lets a first write create missing parent folders. Only the
	// default location wants that: a mistyped --db must not quietly become
	// a new database in a new folder.
	CreateDirs bool
	// Warn hears of damage found while a read succeeded anyway (the read's
	// result may be incomplete or wrong): the command line prints it as one
	// line on stderr. nil: nobody is told. It is called on the goroutine of
	// the read, at most once per open.
	Warn func(*DamagedError)
	// Background is for a long-lived program (the dashboard): a read walks
	// only the tree's shape (which it needs to end safely) and leaves the
	// full walk to VerifyInBackground, which the program starts when the
	// screen is drawn, so nothing is added to a load or to the first frame.
	// A damage verdict this process already holds is still a warning.
	Background bool
}

// DB is an open database. Keep it open only for the length of an operation.
type DB struct {
	bolt *bolt.DB
	path string
	file *os.File // the file bbolt uses, opened and locked by Open
	opt  Options

	// A writer: trusted once verified (or created here) and not tainted by
	// a fault inside a transaction, so Close can vouch for the file.
	trusted, tainted bool
	// A reader: the full walk running beside the read, and what it found.
	pending chan error
	damage  *DamagedError
	warned  bool
	checked *verifyResult // a check's walk, when it passed
}

// checkFailed carries a check's findings out of open.
type checkFailed struct{ res verifyResult }

func (c *checkFailed) Error() string { return c.res.problems[0] }

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

// how says what an open verifies before bbolt sees the file.
type how int

const (
	forRead   how = iota // shape now, the rest beside the read; damage is a warning
	forWrite             // everything now; damage refuses the open
	forBackup            // everything now; damage refuses the copy
	forCheck             // everything now, never from the cache; damage is a report
)

// Open opens (and, unless read-only, creates with mode 0600) the database at
// path, waits at most opt.LockTimeout for the lock, refuses damaged files and
// newer schemas, and migrates older ones in one transaction.
func Open(path string, opt Options) (*DB, error) {
	h := forWrite
	if opt.ReadOnly {
		h = forRead
	}
	return open(path, opt, h)
}

func open(path string, opt Options, h how) (*DB, error) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = DefaultLockTimeout
	}
	opt.ReadOnly = h != forWrite
	st, statErr := os.Stat(path)
	switch {
	case statErr == nil && st.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a database file: give --db the path of a database file", QuotePath(path))
	case statErr == nil && !st.Mode().IsRegular():
		// Never open a device, FIFO or socket: reading a FIFO blocks, and
		// "delete it" is no advice for /dev/null.
		return nil, fmt.Errorf("%s is not a regular file (%s): give --db the path of a database file", QuotePath(path), fileKind(st.Mode()))
	case statErr == nil:
		return openExisting(path, opt, h)
	case errors.Is(statErr, os.ErrNotExist) && opt.ReadOnly:
		return nil, fmt.Errorf("%w at %s: create one with `steward demo --db %s --no-tui` or `steward import`", ErrNotExist, QuotePath(path), QuotePath(path))
	case errors.Is(statErr, os.ErrNotExist):
		return create(path, opt)
	}
	return nil, fmt.Errorf("cannot read %s: %w", QuotePath(path), statErr)
}

func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

// create makes a new database file. O_EXCL: if another process made the
// file in the meantime, it is an existing file like any other.
func create(path string, opt Options) (*DB, error) {
	dir := filepath.Dir(path)
	if opt.CreateDirs {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create the folder for %s: %w", QuotePath(path), err)
		}
	} else if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("cannot create %s: the folder %s does not exist", QuotePath(path), QuotePath(dir))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return openExisting(path, opt, forWrite)
	}
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("cannot create %s: the folder is not writable by this user", QuotePath(path))
		}
		return nil, fmt.Errorf("cannot create %s: %w", QuotePath(path), err)
	}
	if err := lockFile(f, true, opt.LockTimeout); err != nil {
		f.Close()
		return nil, lockError(path, opt, err)
	}
	db, err := openBolt(path, f, opt)
	if err == nil {
		db.trusted = true
		if err = db.prepare(false); err != nil {
			db.Close()
		}
	}
	if err != nil {
		// Leave no 0-byte file behind: the next open would refuse it.
		if st, serr := os.Stat(path); serr == nil && st.Size() == 0 {
			os.Remove(path)
		}
		return nil, diskFull(path, err)
	}
	return db, nil
}

func lockError(path string, opt Options, err error) error {
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("%w (%s; waited %s, see --lock-timeout)", ErrLocked, QuotePath(path), opt.LockTimeout)
	}
	return fmt.Errorf("cannot lock %s: %w", QuotePath(path), err)
}

// openExisting locks the file, checks its header and verifies it (see
// guard.go) before bbolt maps it.
func openExisting(path string, opt Options, h how) (*DB, error) {
	flag := os.O_RDONLY
	if !opt.ReadOnly {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			if opt.ReadOnly {
				return nil, fmt.Errorf("%s is not readable by this user: fix its permissions or use a copy", QuotePath(path))
			}
			return nil, fmt.Errorf("%s is not writable by this user: fix its permissions (chmod u+w) or work on a copy", QuotePath(path))
		}
		return nil, fmt.Errorf("cannot open %s: %w", QuotePath(path), err)
	}
	keep := false
	defer func() {
		if !keep {
			f.Close() // also drops the lock
		}
	}()
	if err := lockFile(f, !opt.ReadOnly, opt.LockTimeout); err != nil {
		return nil, lockError(path, opt, err)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", QuotePath(path), err)
	}
	if st.Size() == 0 {
		// bbolt would quietly make a new database of it; a file that exists
		// but is empty is far more often a lost database than a new one.
		return nil, fmt.Errorf("%s is empty (0 bytes), not a steward database: restore it from a backup, or delete it to start afresh", QuotePath(path))
	}
	m, err := readHeader(f)
	if err != nil {
		return nil, &DamagedError{Path: path, Cause: err.Error(), Header: true}
	}
	id, err := identify(f, m)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", QuotePath(path), err)
	}

	var pending chan error
	var known *DamagedError
	var checked *verifyResult
	v, cached := lookupVerdict(id)
	if !cached && h != forCheck && stampedClean(path, id) {
		// Verified clean in this state by an earlier process (guard.go).
		v, cached = verdict{id: id, shapeOK: true, full: true}, true
		keepVerdict(v)
	}
	refuse := func(err error, refused string) error {
		e := *err.(*DamagedError)
		e.Refused = refused
		return &e
	}
	switch {
	case h == forCheck:
		// Never from the cache: a check looks at the file as it is.
		res := verifyFile(f, m, verifyRecords)
		if len(res.problems) > 0 {
			keepVerdict(verdict{id: id, shapeOK: res.shapeOK, full: true, err: damagedBy(path, res.problems, "")})
			return nil, &checkFailed{res}
		}
		keepVerdict(verdict{id: id, shapeOK: true, full: true})
		stampClean(path, id)
		checked = &res
	case cached && v.full && v.err == nil:
		// Verified by this process, and unchanged since.
	case h == forRead:
		switch {
		case cached && v.full && v.shapeOK:
			known = v.err.(*DamagedError) // readable: the read warns
		case cached && v.full:
			return nil, refuse(v.err, "")
		case !cached || !v.shapeOK:
			if res := verifyFile(f, m, verifyShape); !res.shapeOK {
				err := damagedBy(path, res.problems, "")
				keepVerdict(verdict{id: id, full: true, err: err})
				return nil, err
			}
			keepVerdict(verdict{id: id, shapeOK: true})
		}
		switch {
		case known != nil:
		case opt.Background:
		default:
			pending = make(chan error, 1) // claimed once bbolt has the file
		}
	default: // a writer or a backup: everything, now
		refused := "write"
		if h == forBackup {
			refused = "backup"
		}
		if cached && v.full {
			return nil, refuse(v.err, refused)
		}
		res := verifyFile(f, m, verifyRecords)
		if len(res.problems) > 0 {
			err := damagedBy(path, res.problems, refused)
			keepVerdict(verdict{id: id, shapeOK: res.shapeOK, full: true, err: err})
			return nil, err
		}
		keepVerdict(verdict{id: id, shapeOK: true, full: true})
		stampClean(path, id)
	}

	db, err := openBolt(path, f, opt)
	if err != nil {
		return nil, err
	}
	keep = true
	db.trusted = !opt.ReadOnly
	db.damage = known
	db.checked = checked
	if pending != nil && claimVerification(id) {
		db.pending = pending
		go func() { pending <- verifyInBackground(f, m, id, path) }()
	}
	if err := db.prepare(opt.ReadOnly); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// verifyInBackground is a reader's full walk, run beside its read.
func verifyInBackground(f *os.File, m *metaInfo, id fileID, path string) error {
	res := verifyFile(f, m, verifyRecords)
	if len(res.problems) == 0 {
		keepVerdict(verdict{id: id, shapeOK: true, full: true})
		stampClean(path, id)
		return nil
	}
	err := damagedBy(path, res.problems, "")
	keepVerdict(verdict{id: id, shapeOK: true, full: true, err: err})
	return err
}

// openBolt hands the locked file f to bbolt.
func openBolt(path string, f *os.File, opt Options) (db *DB, err error) {
	// Damage that slipped past the checks can still make bbolt panic, or
	// fault through its map: a user must see one line, not a stack trace.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, damaged(path, fmt.Errorf("%v", r))
		}
	}()
	handed := false
	b, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opt.LockTimeout,
		ReadOnly:     opt.ReadOnly,
		FreelistType: bolt.FreelistMapType,
		// The file is already open and locked: bbolt's own flock on the
		// same open file succeeds at once. Any later open (Tx.WriteTo with
		// a WriteFlag) gets a file of its own, which it may close.
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			if handed {
				return os.OpenFile(name, flag, mode)
			}
			handed = true
			return f, nil
		},
	})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, lockError(path, opt, err)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
			return nil, &DamagedError{Path: path, Cause: err.Error(), Header: true}
		}
		return nil, fmt.Errorf("cannot open %s: %w", QuotePath(path), err)
	}
	return &DB{bolt: b, path: path, file: f, opt: opt}, nil
}

// readHeader reads bbolt's two meta pages and returns the one bbolt will
// use (the valid one with the higher transaction id), after checking that
// the file holds every page it counts: a file that is not bbolt at all, or
// one cut short, would otherwise fail deep inside bbolt (a truncated file
// can even SIGBUS through the mmap).
func readHeader(f *os.File) (*metaInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 80)
	best := readMeta(f, 0, buf)
	if best != nil {
		if m := readMeta(f, int64(best.pageSize), buf); m != nil && m.txid > best.txid && m.pageSize == best.pageSize {
			best = m
		}
	} else {
		// Page 0 is unreadable; page 1 sits one page in, at a size we must guess.
		for _, ps := range []int64{4096, 8192, 16384, 65536} {
			if best = readMeta(f, ps, buf); best != nil && int64(best.pageSize) == ps {
				break
			}
			best = nil
		}
	}
	if best == nil {
		return nil, errors.New("no valid bbolt header")
	}
	if need := int64(best.pgid) * int64(best.pageSize); best.pgid < 2 || st.Size() < need || need/int64(best.pageSize) != int64(best.pgid) {
		return nil, fmt.Errorf("file is %d bytes but its header needs %d: truncated", st.Size(), need)
	}
	return best, nil
}

type metaInfo struct {
	pageSize uint32
	root     uint64 // the root bucket's page
	freelist uint64 // the freelist's page (pgidNoFreelist: not stored)
	pgid     uint64 // high-water mark: pages 0..pgid-1 are in use or free
	txid     uint64
}

// readMeta decodes one meta page at off (layout from bbolt's internal
// common.Meta: a 16-byte page header, then magic, version, page size, flags,
// root bucket, freelist, pgid, txid and an FNV-64a checksum of the fields).
func readMeta(f io.ReaderAt, off int64, buf []byte) *metaInfo {
	const magic = 0xED0CDAED
	if _, err := f.ReadAt(buf[:80], off); err != nil {
		return nil
	}
	m := buf[16:80]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != magic || le.Uint32(m[4:]) != 2 {
		return nil
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return nil
	}
	ps := le.Uint32(m[8:])
	if ps < 512 || ps > 1<<20 {
		return nil
	}
	return &metaInfo{pageSize: ps, root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]), pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
}

// Close waits for a reader's background verification (it must finish
// under the lock, or a writer's commit could look like damage), vouches
// for a file this process wrote, and releases the file and its lock.
func (db *DB) Close() error {
	db.settle()
	if db.trusted && !db.tainted {
		trust(db.file)
	}
	return db.bolt.Close()
}

// settle waits for the background verification, if one runs.
func (db *DB) settle() {
	if db.pending == nil {
		return
	}
	if err := <-db.pending; err != nil {
		db.damage = err.(*DamagedError)
	}
	db.pending = nil
}

// View runs fn in one read transaction. On a reader, the verification
// running beside it decides the outcome: damage turns a failed read into
// the damaged-file error, and a successful one into a warning (Options.Warn).
func (db *DB) View(fn func(*Tx) error) error {
	err := db.guard(func() error { return db.bolt.View(func(t *bolt.Tx) error { return fn(&Tx{tx: t}) }) })
	db.settle()
	if db.damage == nil {
		return err
	}
	if IsDamaged(err) {
		return db.damage // what the walk found says more than the symptom
	}
	if !db.warned && db.opt.Warn != nil {
		db.warned = true
		db.opt.Warn(db.damage)
	}
	return err
}

// Update runs fn in one write transaction: all of it commits or none. When
// the commit fails (a full disk), the file is cut back to its size before
// the transaction, so the space the failed write took is given back.
func (db *DB) Update(fn func(*Tx) error) error {
	var before int64 = -1
	if st, err := db.file.Stat(); err == nil {
		before = st.Size()
	}
	err := db.guard(func() error {
		return db.bolt.Update(func(t *bolt.Tx) error {
			tx := &Tx{tx: t, ch: &changeSet{}}
			if err := fn(tx); err != nil {
				return err
			}
			if err := tx.flushWeekBands(); err != nil {
				return err
			}
			return tx.logChange(time.Now())
		})
	})
	if err != nil && before >= 0 {
		giveBack(db.file, before)
	}
	if err != nil && !IsDamaged(err) {
		err = diskFull(db.path, err)
	}
	return err
}

// guard turns a panic inside a transaction into an error, and a fault
// through bbolt's map (SIGSEGV, SIGBUS on a damaged or shrunken file) into
// such a panic first: the user gets one line naming the file, never a stack
// trace, and the process lives on. bbolt rolls the transaction back on the
// way out. A record that does not decode is damage too, reported the same.
func (db *DB) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db.tainted = true
			err = damaged(db.path, fmt.Errorf("%v", r))
		}
	}()
	err = fn()
	if errors.Is(err, errCorrupt) {
		err = damaged(db.path, err)
	}
	return err
}

// View opens the file read-only, runs fn in one transaction and closes it:
// the whole life of a read in a process that shares the file.
func View(path string, opt Options, fn func(*Tx) error) error {
	db, err := open(path, opt, forRead)
	if err != nil {
		return err
	}
	err = db.View(fn)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Upgrade opens the file for writing, which migrates a file of an older
// schema (after the full check every write gets), and closes it: for a
// program that reads with View but may change the file, such as the
// dashboard, on ErrOldSchema.
func Upgrade(path string, opt Options) error {
	db, err := open(path, opt, forWrite)
	if err != nil {
		return err
	}
	return db.Close()
}

// Update opens the file for writing, runs fn in one transaction and closes it.
func Update(path string, opt Options, fn func(*Tx) error) error {
	db, err := open(path, opt, forWrite)
	if err != nil {
		return err
	}
	err = db.Update(fn)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Bucket names.
var (
	bMeta        = []byte("meta")
	bMembers     = []byte("members")
	bAccounts    = []byte("accounts")
	bAccByOwner  = []byte("accounts_by_owner")
	bAccByExtID  = []byte("accounts_by_external_id")
	bAccByName   = []byte("accounts_by_name")
	bLedger      = []byte("ledger")
	bSnapshots   = []byte("snapshots")
	bSnapByWeek  = []byte("snapshots_by_week")
	bActivities  = []byte("activities")
	bEscalations = []byte("escalations")
	bEscByStatus = []byte("escalations_by_status")
	bEscByAcct   = []byte("escalations_by_account")
	bTimeline    = []byte("timeline")

	kSchema   = []byte("schema_version")
	kSettings = []byte("settings")
)

var allBuckets = [][]byte{bMeta, bMembers, bAccounts, bAccByOwner, bAccByExtID, bAccByName, bLedger, bSnapshots, bSnapByWeek,
	bActivities, bEscalations, bEscByStatus, bEscByAcct, bTimeline}

// prepare checks the schema version and migrates an older file. A read-only
// handle cannot migrate, so it asks the caller to run a writing command once.
func (db *DB) prepare(readOnly bool) error {
	var v uint32
	err := db.guard(func() error {
		return db.bolt.View(func(t *bolt.Tx) error {
			v = schemaOf(t)
			return nil
		})
	})
	if err != nil {
		return err
	}
	switch {
	case v > SchemaVersion:
		return fmt.Errorf("%s was written by a newer steward (schema %d, this build reads up to %d): upgrade steward", db.path, v, SchemaVersion)
	case v == SchemaVersion:
		return nil
	case readOnly:
		if v == 0 {
			return fmt.Errorf("%s is an empty database: create one with `steward demo --db %s --no-tui` or `steward import`", db.path, db.path)
		}
		return fmt.Errorf("%w: %s uses schema %d, this steward %d; run `steward --db %s check` once", ErrOldSchema, db.path, v, SchemaVersion, db.path)
	}
	err = db.guard(func() error { return db.bolt.Update(func(t *bolt.Tx) error { return migrate(t, v) }) })
	if err != nil {
		return damaged(db.path, fmt.Errorf("upgrading schema %d to %d: %w", v, SchemaVersion, err))
	}
	return nil
}

func schemaOf(t *bolt.Tx) uint32 {
	m := t.Bucket(bMeta)
	if m == nil {
		return 0
	}
	b := m.Get(kSchema)
	if len(b) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// migrate brings a file from schema `from` to SchemaVersion inside one
// transaction, so a crash mid-migration leaves the old, readable file.
func migrate(t *bolt.Tx, from uint32) error {
	for _, name := range allBuckets {
		if _, err := t.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	tx := &Tx{tx: t}
	if from == 0 {
		if err := tx.PutSettings(DefaultSettings()); err != nil {
			return err
		}
	}
	if from == 1 {
		// v2: the by-week index of snapshots, rebuilt from the snapshots.
		idx := t.Bucket(bSnapByWeek)
		c := t.Bucket(bSnapshots).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 12 {
				return errCorrupt
			}
			var s Snapshot
			if err := decodeSnapshot(v, &s); err != nil {
				return err
			}
			if err := idx.Put(key(k[8:12], k[0:8]), encodeWeekScore(&s)); err != nil {
				return err
			}
		}
	}
	if from >= 1 && from < 3 {
		// v3: the accounts' by-name index, built from the accounts and
		// put in key order.
		var keys [][]byte
		err := t.Bucket(bAccounts).ForEach(func(k, v []byte) error {
			var a Account
			if len(k) != 8 {
				return errCorrupt
			}
			if err := decodeAccount(binary.BigEndian.Uint64(k), v, &a); err != nil {
				return err
			}
			keys = append(keys, nameKey(a.Name, a.ID))
			return nil
		})
		if err != nil {
			return err
		}
		sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
		idx := t.Bucket(bAccByName)
		for _, k := range keys {
			if err := idx.Put(k, nil); err != nil {
				return err
			}
		}
	}
	return t.Bucket(bMeta).Put(kSchema, u32(SchemaVersion))
}
