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
	err = View(path, opt, func(t *Tx) error {
		_, err := t.tx.WriteTo(tmp)
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup failed, nothing was written to %s: %w", dest, err)
	}
	return os.Rename(tmpName, dest)
}

// CheckReport is what an integrity check found.
type CheckReport struct {
	Problems []string
	Counts   map[string]int
	Schema   uint32
}

// Check verifies the file page by page (bbolt's own consistency check) and
// then decodes every record, so a damaged value is found now rather than
// when a screen first needs it. The check is read-only, so it works on a
// read-only file and never commits to one it has just found damaged; only a
// file that needs the one-time schema upgrade is opened for writing, once.
func Check(path string, opt Options) (CheckReport, error) {
	var rep CheckReport
	err := View(path, opt, func(*Tx) error { return nil })
	if errors.Is(err, ErrOldSchema) {
		db, err := Open(path, Options{LockTimeout: opt.LockTimeout})
		if err != nil {
			return rep, err
		}
		if err := db.Close(); err != nil {
			return rep, err
		}
	} else if err != nil {
		return rep, err
	}
	err = View(path, opt, func(t *Tx) error {
		rep.Schema = schemaOf(t.tx)
		// Walk every page on this goroutine first: bbolt's Check runs on a
		// goroutine of its own, where a panic on a garbled page could not
		// be recovered and would kill the process.
		rep.Counts = t.Counts()
		// Drain the whole channel: Check's goroutine blocks until it is read.
		for err := range t.tx.Check() {
			if len(rep.Problems) < 50 {
				rep.Problems = append(rep.Problems, err.Error())
			}
		}
		if len(rep.Problems) > 0 {
			return nil
		}
		note := func(err error) {
			if err != nil {
				rep.Problems = append(rep.Problems, err.Error())
			}
		}
		_, err := t.Members()
		note(err)
		_, err = t.Accounts()
		note(err)
		note(t.ForEachLedger(func(*LedgerEntry) error { return nil }))
		note(t.ForEachActivity(func(*Activity) error { return nil }))
		_, err = t.Escalations()
		note(err)
		_, err = t.Settings()
		note(err)
		return nil
	})
	return rep, err
}
