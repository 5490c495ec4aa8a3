package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"steward/store"
)

// replaceableOut checks report --out before the report is made: its
// folder must exist, and the name must not be a folder or a special file.
// An existing report is replaced: a cron job writes the same file every
// week (README, "The HTML report").
func replaceableOut(out string) error {
	dir := filepath.Dir(out)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("cannot write %s: the folder %s does not exist; create it or choose another --out", store.QuotePath(out), store.QuotePath(dir))
	}
	if st, err := os.Stat(out); err == nil && !st.Mode().IsRegular() {
		what := "not a regular file"
		if st.IsDir() {
			what = "a folder"
		}
		return fmt.Errorf("cannot write %s: it is %s; give --out a file name", store.QuotePath(out), what)
	}
	return nil
}

// replaceFile writes out with write through a temporary file beside it,
// synced and then renamed over out: a reader (a mail job, a web server)
// sees the old report or the new one, never half of one, and a failed
// write leaves the old one in place.
func replaceFile(out string, stderr io.Writer, write func(io.Writer) error) error {
	if err := replaceableOut(out); err != nil {
		return err
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, ".steward-report-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write %s: %v in the folder %s; choose a folder you can write to for --out", store.QuotePath(out), err, store.QuotePath(dir))
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	// The report is for other people and programs to read: an existing
	// file keeps its mode, a new one gets the usual 0644, not the 0600 a
	// temporary file is made with.
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(out); err == nil {
		mode = st.Mode().Perm()
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", store.QuotePath(out), err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("cannot write %s: %v", store.QuotePath(out), err)
	}
	fmt.Fprintf(stderr, "wrote %s\n", out)
	return nil
}
