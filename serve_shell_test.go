package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"steward/serve/servetest"
)

// serveProc is a real `steward serve` on 127.0.0.1 and a random port.
type serveProc struct {
	cmd     *exec.Cmd
	port    string
	logs    *servetest.Buffer
	done    chan error
	stopped bool
}

// startServe starts the server on db and waits for its listening line.
func startServe(t *testing.T, db, dir string, flags ...string) *serveProc {
	t.Helper()
	s := &serveProc{logs: &servetest.Buffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(binary, append([]string{"serve", "--db", db, "--listen", "127.0.0.1:0", "--host-key", filepath.Join(dir, "host_key")}, flags...)...)
	s.cmd.Env = append(os.Environ(), "STEWARD_DB=")
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if !s.stopped {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	listening := regexp.MustCompile(`msg=listening addr=127\.0\.0\.1:(\d+)(\s|$)`)
	for deadline := time.Now().Add(15 * time.Second); s.port == ""; {
		first, _, complete := strings.Cut(s.logs.String(), "\n")
		switch {
		case complete:
			m := listening.FindStringSubmatch(first)
			if m == nil {
				t.Fatalf("the server's first log line is not msg=listening with an addr:\n%s", s.logs)
			}
			s.port = m[1]
		case time.Now().After(deadline):
			t.Fatalf("the server logged no line within 15 s:\n%s", s.logs)
		default:
			select {
			case err := <-s.done:
				s.stopped = true
				t.Fatalf("the server exited before listening (%v):\n%s", err, s.logs)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return s
}

// stop sends SIGTERM and asserts the server exits 0 within 5 s, saying so.
func (s *serveProc) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		s.stopped = true
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			t.Fatalf("the server exited with %v after SIGTERM, want status 0:\n%s", ee, s.logs)
		case err != nil:
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("the server did not exit within 5 s of SIGTERM:\n%s", s.logs)
	}
	if !strings.Contains(s.logs.String(), "msg=stopped") {
		t.Fatalf("the server did not log msg=stopped:\n%s", s.logs)
	}
	return time.Since(start)
}

// The server holds the file only for the length of a transaction: the
// shell's report, export, backup, snapshot and import run beside it, and
// an import lands in the open sessions whole; SIGTERM then tells the
// session and exits 0.
func TestServeBesideTheShell(t *testing.T) {
	dir := t.TempDir()
	db := demoDB(t)
	manager, _, _ := pickServeCast(t, db)
	key := servetest.NewKey(t)
	if r := steward(t, "--db", db, "members", "keys", "add", manager, key.Line); r.code != 0 {
		t.Fatalf("keys add: %d %s", r.code, r.stderr)
	}
	srv := startServe(t, db, dir)
	tm := servetest.Connect(t, "127.0.0.1:"+srv.port, 140, 40, gossh.PublicKeys(key.Signer))
	tm.WaitFor(t, 0, "Signed in as "+manager, 10*time.Second)
	tm.Keys("3")
	tm.WaitScreen(t, "accounts · sort", false, 5*time.Second)

	for _, args := range [][]string{
		{"report", "--format", "csv"},
		{"export", "accounts"},
		{"backup", filepath.Join(dir, "copy.db")},
		{"snapshot"},
		{"check"},
	} {
		if r := steward(t, append([]string{"--db", db}, args...)...); r.code != 0 {
			t.Fatalf("steward %v beside the server: exit %d: %s", args, r.code, r.stderr)
		}
	}
	csv := "Name,Owner,ARR,Renewal Date\n"
	for _, n := range []string{"Shellfish One", "Shellfish Two", "Shellfish Three"} {
		csv += n + "," + manager + ",1000,2027-06-30\n"
	}
	file := filepath.Join(dir, "new.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := steward(t, "--db", db, "import", file); r.code != 0 {
		t.Fatalf("import beside the server: exit %d: %s", r.code, r.stderr)
	}
	tm.Keys("/")
	tm.Type("shellfish")
	for _, n := range []string{"Shellfish One", "Shellfish Two", "Shellfish Three"} {
		tm.WaitScreen(t, n, false, 5*time.Second)
	}
	if took := srv.stop(t); took > 5*time.Second {
		t.Fatalf("stopping took %s", took)
	}
	tm.Wait(t, 5*time.Second)
	if !strings.Contains(tm.Text(0), "the server is restarting") {
		t.Fatalf("the session was not told the server is restarting:\n%s", tm.Screen())
	}
}
