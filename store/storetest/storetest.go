// Package storetest holds what the tests of several packages need from
// the store's surroundings: a private folder for verification stamps, and
// a way to measure resident memory from a cold page cache.
package storetest

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/unix"
)

// IsolateStamps points the verification stamps (store/guard.go) of a test
// binary's throwaway files at a fresh folder, not the user's cache, and
// returns what removes it. Call it first in TestMain.
func IsolateStamps() (remove func()) {
	if os.Getenv("STEWARD_CACHE_DIR") != "" {
		// A child process of a test: it shares its parent's folder.
		return func() {}
	}
	dir, err := os.MkdirTemp("", "steward-stamps-")
	if err != nil {
		return func() {}
	}
	os.Setenv("STEWARD_CACHE_DIR", dir)
	return func() { os.RemoveAll(dir) }
}

// Evict writes the file out and drops it from the page cache: Linux maps
// a whole large folio (up to 2 MB) of a file written in big chunks on one
// page fault, so a warm cache can add tens of megabytes of file pages the
// process never touched to its resident set.
func Evict(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		tb.Fatal(err)
	}
}

// AsSchema2 rewrites the database at path as schema 2 wrote it (no
// accounts_by_name index), for tests of the upgrade.
func AsSchema2(tb testing.TB, path string) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("accounts_by_name")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte{0, 0, 0, 2})
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// PutRaw writes value under key in bucket of the database at path with
// bbolt directly, past the store's checks: damage for tests.
func PutRaw(tb testing.TB, path, bucket string, key, value []byte) {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bucket)).Put(key, value) }); err != nil {
		tb.Fatal(err)
	}
}

// NewPublicKey makes a fresh ed25519 SSH public key: its authorized_keys
// line (with comment, when there is one) and its SHA256 fingerprint.
func NewPublicKey(tb testing.TB, comment string) (line, fingerprint string) {
	tb.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	line = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
	if comment != "" {
		line += " " + comment
	}
	return line, ssh.FingerprintSHA256(k)
}
