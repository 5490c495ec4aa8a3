package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// These tests run the real binary on damaged and awkward files (README
// "Sharing the file"): a read says the file is damaged, a write refuses,
// a failed write gives its disk space back, and echoed input stays short.

func sha(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// unindexedSnapshot damages a demo database the way a lost write or a
// flipped bit in an index does: one snapshot drops out of the by-week
// index. Every page is sound and every read works; the file is damaged.
func unindexedSnapshot(t *testing.T, db string) {
	t.Helper()
	b, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket([]byte("snapshots_by_week")).Cursor().First()
		if k == nil {
			return fmt.Errorf("no by-week entries")
		}
		return tx.Bucket([]byte("snapshots_by_week")).Delete(bytes.Clone(k))
	}); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedButReadableFile(t *testing.T) {
	db := demoDB(t)
	unindexedSnapshot(t, db)
	before := sha(t, db)
	// Reads that produce their output: exit 0 and one warning line.
	for _, args := range [][]string{
		{"report"},
		{"report", "--format", "json"},
		{"export", "accounts"},
		{"settings", "get"},
	} {
		r := steward(t, append([]string{"--db", db}, args...)...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.code != 0 || len(r.stdout) < 100 || len(lines) != 1 {
			t.Errorf("%v: exit %d, %d bytes out, stderr %q; want exit 0, the output and one warning line", args, r.code, len(r.stdout), r.stderr)
			continue
		}
		for _, want := range []string{"warning", db, "is damaged", "restore it from a backup", "steward check"} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("%v: the warning lacks %q: %q", args, want, lines[0])
			}
		}
	}
	// Writes and backups refuse, with the advice.
	bak := filepath.Join(t.TempDir(), "b.db")
	for _, args := range [][]string{
		{"snapshot"},
		{"settings", "set", "weights.adoption", "40"},
		{"backup", bak},
	} {
		r := steward(t, append([]string{"--db", db}, args...)...)
		oneCleanLine(t, r)
		for _, want := range []string{db, "is damaged", "restore it from"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%v: %q lacks %q", args, r.stderr, want)
			}
		}
	}
	if _, err := os.Stat(bak); err == nil {
		t.Error("a backup of a damaged file was written")
	}
	r := steward(t, "--db", db, "check")
	if r.code != 1 || !strings.Contains(r.stdout, "problem: snapshots_by_week") {
		t.Errorf("check: exit %d, stdout %q", r.code, r.stdout)
	}
	oneCleanLine(t, r)
	if sha(t, db) != before {
		t.Error("a command modified the damaged file")
	}
}

// Echoed input is cut to 80 characters: a pasted document as --as, a
// setting's value or a path never floods the terminal.
func TestLongInputIsQuotedShort(t *testing.T) {
	db := demoDB(t)
	huge := strings.Repeat("x", 100_000)
	deep := filepath.Join(t.TempDir(), strings.Repeat("d", 200), "steward.db")
	for _, args := range [][]string{
		{"--db", db, "--as", huge, "settings", "set", "weights.adoption", "40"},
		{"--db", db, "settings", "set", "weights.adoption", huge},
		{"--db", db, "settings", "set", huge, "1"},
		{"--db", db, "settings", "get", huge},
		{"--db", db, "report", "--format", huge},
		{"--db", db, "report", "--as-of", huge},
		{"--db", db, "export", huge},
		{"--db", db, huge},
		{"--db", db, "report", "--" + huge},
		{"--db", deep, "snapshot"},
		{"--db", deep + "x", "report"},
	} {
		r := steward(t, args...)
		oneCleanLine(t, r)
		if strings.Contains(r.stderr, strings.Repeat("x", 81)) || strings.Contains(r.stderr, strings.Repeat("d", 81)) || len(r.stderr) > 600 {
			t.Errorf("%.60q...: more than 80 characters of the input echoed, in %d bytes: %.300q", strings.Join(args, " "), len(r.stderr), r.stderr)
		}
	}
}

// TestFullDiskGivesSpaceBack imports into a database on a 2 MB file system
// (a tmpfs mounted in a private mount namespace, so nothing outside the
// test sees it). bbolt grows the file before writing the import's pages
// and used to leave it grown when the disk filled up: the file went from
// 1 MB to 17 MB of allocated-but-failed pages and the disk stayed full.
func TestFullDiskGivesSpaceBack(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a small file system")
	}
	if err := exec.Command("unshare", "--mount", "--map-root-user", "true").Run(); err != nil {
		t.Skipf("cannot make a private mount namespace here (unshare: %v): the test needs unshare(1) and user namespaces", err)
	}
	dir := t.TempDir()
	db := demoDB(t)
	var csv strings.Builder
	csv.WriteString("Account ID,Account Name,ARR,Renewal Date\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&csv, "FULL-%06d,Full Disk Test Account %06d with a long name,%d,2027-01-01\n", i, i, 1000+i)
	}
	if err := os.WriteFile(filepath.Join(dir, "rows.csv"), []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o700)
	script := `set -e
mount -t tmpfs -o size=2m tmpfs "$MNT"
cp "$DB" "$MNT/d.db"
echo "before $(stat -c %s "$MNT/d.db") $(stat -c %b "$MNT/d.db")"
set +e
"$BIN" --db "$MNT/d.db" import "$CSV" 2>"$ERR"
echo "code $?"
echo "after $(stat -c %s "$MNT/d.db") $(stat -c %b "$MNT/d.db")"
echo "free $(df -k --output=avail "$MNT" | tail -1)"
echo "stderr $(cat "$ERR")"
"$BIN" --db "$MNT/d.db" check >/dev/null 2>&1; echo "check $?"
`
	cmd := exec.Command("unshare", "--mount", "--map-root-user", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "MNT="+mnt, "DB="+db, "BIN="+binary, "CSV="+filepath.Join(dir, "rows.csv"), "ERR="+filepath.Join(dir, "err"), "STEWARD_DB=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the full-disk script failed: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(l, " ")
		got[k] = v
	}
	if got["code"] != "1" {
		t.Fatalf("the import on a full disk should fail with exit 1:\n%s", out)
	}
	before, after := strings.Fields(got["before"]), strings.Fields(got["after"])
	if len(before) != 2 || len(after) != 2 || before[0] != after[0] {
		t.Errorf("the file was left at another size: before %v, after %v (size, 512-byte blocks)\n%s", before, after, out)
	}
	if free, _ := strconv.Atoi(strings.TrimSpace(got["free"])); free < 700 {
		t.Errorf("only %d KB free after the failed import: the space was not given back\n%s", free, out)
	}
	for _, want := range []string{"disk is full", "free some space", "d.db"} {
		if !strings.Contains(got["stderr"], want) {
			t.Errorf("the error does not say %q: %q", want, got["stderr"])
		}
	}
	if got["check"] != "0" {
		t.Errorf("the database is not sound after the failed import (check exit %s)", got["check"])
	}
}

// TestDashboardCrashRestoresTerminal kills the dashboard's process with
// SIGKILL, which nothing in it can catch: the terminal must come back in
// cooked mode, off the alternate screen, with one line saying what
// happened.
func TestDashboardCrashRestoresTerminal(t *testing.T) {
	tm, dir := tmuxServer(t, "crash")
	db := demoDB(t)
	script := fmt.Sprintf("%q --db %q 2>%q; echo \"steward exited with $?\"; echo \"modes: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e -icanon -e icanon -e echo -e -echo | tr '\\n' ' ')\"; sleep 60",
		binary, db, filepath.Join(dir, "stderr"))
	tm("new-session", "-d", "-s", "s", "-x", "100", "-y", "30", "sh", "-c", script)
	screen := waitScreen(t, tm, "s", "Monday review")
	// The process that runs the dashboard is the one with the database open.
	pid := dashboardPID(t, db)
	if err := exec.Command("kill", "-9", strconv.Itoa(pid)).Run(); err != nil {
		t.Fatal(err)
	}
	screen = waitScreen(t, tm, "s", "modes: ")
	if !strings.Contains(screen, "steward exited with 1") {
		t.Errorf("exit code after the crash:\n%s", screen)
	}
	if !strings.Contains(screen, "icanon") || strings.Contains(screen, "-icanon") || strings.Contains(screen, "-echo") {
		t.Errorf("the terminal was left in raw mode:\n%s", screen)
	}
	if strings.Contains(screen, "Monday review") {
		t.Errorf("the dashboard's screen is still shown (alternate screen not left):\n%s", screen)
	}
	stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
	lines := strings.Split(strings.TrimRight(string(stderr), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "terminal was restored") || !strings.Contains(lines[0], db) {
		t.Errorf("stderr after the crash: %q", stderr)
	}
}

// dashboardPID finds the steward process that holds db open: with the
// crash guard it is the child of the command the user ran.
func dashboardPID(t *testing.T, db string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := exec.Command("pgrep", "-f", "--", "--db "+db).Output()
		pids := strings.Fields(string(out))
		// The newest matching process runs the dashboard.
		if len(pids) > 0 {
			best := 0
			for _, p := range pids {
				if n, _ := strconv.Atoi(p); n > best {
					best = n
				}
			}
			return best
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no dashboard process found")
	return 0
}

// tmuxServer starts a private tmux server for one test.
func tmuxServer(t *testing.T, name string) (tm func(args ...string) string, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not installed (CI installs it)")
	}
	dir = t.TempDir()
	sock := fmt.Sprintf("steward-%s-%d", name, os.Getpid())
	tm = func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", sock, "kill-server").Run() })
	return tm, dir
}

func waitScreen(t *testing.T, tm func(args ...string) string, target, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := tm("capture-pane", "-p", "-t", target)
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q:\n%s", want, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
