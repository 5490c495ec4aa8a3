// Package store keeps steward's records in one bbolt file that several
// steward processes share politely: each operation opens the file, runs one
// transaction and closes it again (SPEC section 7), so a dashboard left open
// never stops an import, a report or a cron snapshot.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this build reads and writes. Version 1 had no
// by-week snapshot index; version 2 adds it (see migrate).
const SchemaVersion = 2

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
}

// DB is an open database. Keep it open only for the length of an operation.
type DB struct {
	bolt *bolt.DB
	path string
}

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

// Open opens (and, unless read-only, creates with mode 0600) the database at
// path, waits at most opt.LockTimeout for the lock, refuses damaged files and
// newer schemas, and migrates older ones in one transaction.
func Open(path string, opt Options) (db *DB, err error) {
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = DefaultLockTimeout
	}
	st, statErr := os.Stat(path)
	switch {
	case statErr == nil && st.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a database file", path)
	case statErr == nil && st.Size() == 0:
		// bbolt would quietly make a new database of it; a file that exists
		// but is empty is far more often a lost database than a new one.
		return nil, fmt.Errorf("%s is empty (0 bytes), not a steward database: restore it from a backup, or delete it to start afresh", path)
	case statErr == nil:
		if err := checkHeader(path, st.Size()); err != nil {
			return nil, err
		}
	case errors.Is(statErr, os.ErrNotExist) && opt.ReadOnly:
		return nil, fmt.Errorf("%w at %s: create one with `steward demo --db %s --no-tui` or `steward import`", ErrNotExist, path, path)
	case errors.Is(statErr, os.ErrNotExist):
		dir := filepath.Dir(path)
		if opt.CreateDirs {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("cannot create the folder for %s: %w", path, err)
			}
		} else if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("cannot create %s: the folder %s does not exist", path, dir)
		}
	case statErr != nil:
		return nil, fmt.Errorf("cannot read %s: %w", path, statErr)
	}

	// Damage deep inside a file can make bbolt panic; a user must see one
	// line, not a stack trace. bbolt has taken the file lock by then and
	// its mmap keeps the file open, so release the lock by hand or every
	// later open in this process would report the file as in use.
	var file *os.File
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				_ = syscall.Flock(int(file.Fd()), syscall.LOCK_UN)
				_ = file.Close()
			}
			db, err = nil, damaged(path, fmt.Errorf("%v", r))
		}
	}()
	b, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:      opt.LockTimeout,
		ReadOnly:     opt.ReadOnly,
		FreelistType: bolt.FreelistMapType,
		// Read the freelist during Open even when read-only: a damaged one
		// then panics here, where we recover, rather than later inside
		// bbolt's Check goroutine, where nothing can.
		PreLoadFreelist: true,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, mode)
			file = f
			return f, err
		},
	})
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("%w (%s; waited %s, see --lock-timeout)", ErrLocked, path, opt.LockTimeout)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
			return nil, damaged(path, err)
		}
		if errors.Is(err, os.ErrPermission) {
			if opt.ReadOnly {
				return nil, fmt.Errorf("%s is not readable by this user: fix its permissions or use a copy", path)
			}
			return nil, fmt.Errorf("%s is not writable by this user: fix its permissions (chmod u+w) or work on a copy", path)
		}
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	db = &DB{bolt: b, path: path}
	if err := db.prepare(opt.ReadOnly); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

func damaged(path string, cause error) error {
	return fmt.Errorf("%s is not a steward database or is damaged (%v): restore it from a backup (`steward backup` makes one)", path, cause)
}

// checkHeader reads bbolt's two meta pages before bbolt maps the file: a
// file that is not bbolt at all, or one cut short, would otherwise fail deep
// inside bbolt (a truncated file can even SIGBUS through the mmap).
func checkHeader(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	buf := make([]byte, 80)
	best := readMeta(f, 0, buf)
	if best != nil {
		if m := readMeta(f, int64(best.pageSize), buf); m != nil && m.txid > best.txid {
			best = m
		}
	} else {
		// Page 0 is unreadable; page 1 sits one page in, at a size we must guess.
		for _, ps := range []int64{4096, 8192, 16384, 65536} {
			if best = readMeta(f, ps, buf); best != nil {
				break
			}
		}
	}
	if best == nil {
		return damaged(path, errors.New("no valid bbolt header"))
	}
	if need := int64(best.pgid) * int64(best.pageSize); size < need {
		return damaged(path, fmt.Errorf("file is %d bytes but its header needs %d: truncated", size, need))
	}
	return nil
}

type metaInfo struct {
	pageSize uint32
	pgid     uint64
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
	return &metaInfo{pageSize: ps, pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
}

// Close releases the file and its lock.
func (db *DB) Close() error { return db.bolt.Close() }

// View runs fn in one read transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.guard(func() error { return db.bolt.View(func(t *bolt.Tx) error { return fn(&Tx{tx: t}) }) })
}

// Update runs fn in one write transaction: all of it commits or none.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.guard(func() error { return db.bolt.Update(func(t *bolt.Tx) error { return fn(&Tx{tx: t}) }) })
}

// guard turns a panic inside a transaction into an error: bbolt panics on
// garbled pages, and the user must get one line naming the file.
func (db *DB) guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = damaged(db.path, fmt.Errorf("%v", r))
		}
	}()
	return fn()
}

// View opens the file read-only, runs fn in one transaction and closes it:
// the whole life of a read in a process that shares the file.
func View(path string, opt Options, fn func(*Tx) error) error {
	opt.ReadOnly = true
	db, err := Open(path, opt)
	if err != nil {
		return err
	}
	err = db.View(fn)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// Update opens the file for writing, runs fn in one transaction and closes it.
func Update(path string, opt Options, fn func(*Tx) error) error {
	opt.ReadOnly = false
	db, err := Open(path, opt)
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

var allBuckets = [][]byte{bMeta, bMembers, bAccounts, bAccByOwner, bAccByExtID, bLedger, bSnapshots, bSnapByWeek,
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
	return t.Bucket(bMeta).Put(kSchema, u32(SchemaVersion))
}
