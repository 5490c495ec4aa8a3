package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the live database to dest while other
// processes keep reading (one read transaction). It writes to a temporary
// file beside dest and renames it, so dest is never half-written, and
// refuses to overwrite an existing file.
func Backup(path, dest string, opt Options) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s already exists: choose a new file name for the backup", dest)
	}
	if abs1, _ := filepath.Abs(path); abs1 != "" {
		if abs2, _ := filepath.Abs(dest); abs1 == abs2 {
			return errors.New("the backup file must differ from the database file")
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".steward-backup-*")
	if err != nil {
		return fmt.Errorf("cannot write the backup beside %s: %w", dest, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	// A backup of a damaged file is a damaged backup that looks like a
	// good one: the file is verified first and refused when it fails.
	db, err := open(path, opt, forBackup)
	if err == nil {
		err = db.View(func(t *Tx) error {
			_, err := t.tx.WriteTo(tmp)
			return err
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if IsDamaged(err) {
		return err
	}
	if err != nil {
		return fmt.Errorf("backup failed, nothing was written to %s: %w", QuotePath(dest), diskFull(dest, err))
	}
	return os.Rename(tmpName, dest)
}

// CheckReport is what an integrity check found.
type CheckReport struct {
	Problems []string
	Counts   map[string]int
	Schema   uint32
}

// Check verifies the file page by page and record by record (verify.go and
// records_verify.go: every page reference, key order, the freelist, every
// record of every bucket decoded, every index entry against its record and
// back), and only when all of that passed runs bbolt's own Tx.Check as a
// second opinion: bbolt's check walks pages on a goroutine of its own that
// no recover reaches, so it is safe only on a file whose every page
// reference is known good. The check is read-only, so it works on a
// read-only file and never commits to one it has just found damaged; only a
// file that needs the one-time schema upgrade is opened for writing, once,
// and then checked again.
func Check(path string, opt Options) (CheckReport, error) {
	rep, err := checkOnce(path, opt)
	if !errors.Is(err, ErrOldSchema) {
		return rep, err
	}
	db, err := open(path, opt, forWrite)
	if err != nil {
		return rep, err
	}
	if err := db.Close(); err != nil {
		return rep, err
	}
	return checkOnce(path, opt)
}

// counted are the buckets whose sizes `steward check` prints.
var counted = [][]byte{bMembers, bAccounts, bLedger, bSnapshots, bActivities, bEscalations, bTimeline}

func checkOnce(path string, opt Options) (CheckReport, error) {
	var rep CheckReport
	db, err := open(path, opt, forCheck)
	var failed *checkFailed
	if errors.As(err, &failed) {
		rep.Problems, rep.Schema = failed.res.problems, failed.res.schema
		return rep, nil
	}
	if err != nil {
		return rep, err
	}
	defer db.Close()
	rep.Schema, rep.Counts = db.checked.schema, map[string]int{}
	for _, name := range counted {
		rep.Counts[string(name)] = db.checked.counts[string(name)]
	}
	err = db.View(func(t *Tx) error {
		// Drain the whole channel: Check's goroutine blocks until it is read.
		for err := range t.tx.Check() {
			if len(rep.Problems) < maxProblems {
				rep.Problems = append(rep.Problems, "bbolt: "+err.Error())
			}
		}
		return nil
	})
	return rep, err
}
