package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestEndToEndInTmux builds the real binary, runs `steward demo` in a real
// terminal (tmux at 120x40), visits every view and the health detail with
// keystrokes, and checks that q ends the process cleanly.
func TestEndToEndInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not installed: the end-to-end test needs it (apt-get install tmux); CI installs it")
	}
	dir := t.TempDir()
	bin := os.Getenv("STEWARD_E2E_BINARY") // a prebuilt binary, for debugging
	if bin == "" {
		bin = filepath.Join(dir, "steward")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	db := filepath.Join(dir, "demo.db")
	sock := fmt.Sprintf("steward-e2e-%d", os.Getpid())
	tm := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// The shell line reports the exit status after the alt screen closes.
	script := fmt.Sprintf("%q demo --db %q 2>%q; echo \"steward exited with $?\"; sleep 60", bin, db, filepath.Join(dir, "stderr"))
	tm("new-session", "-d", "-s", "e2e", "-x", "120", "-y", "40", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", sock, "kill-server").Run() })

	screen := ""
	waitFor := func(what string, parts ...string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			screen = tm("capture-pane", "-p", "-t", "e2e")
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(screen, p)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
				t.Fatalf("%s: screen lacks %q:\n%s\nstderr: %s", what, parts, screen, stderr)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	keys := func(k ...string) { tm(append([]string{"send-keys", "-t", "e2e"}, k...)...) }

	waitFor("review on open", "[1 Review]", "Monday review", "Worsened since", "ARR $", "NRR")
	if !strings.Contains(screen, "▸ ") {
		t.Fatalf("the review has no selectable row:\n%s", screen)
	}
	keys("2")
	waitFor("team", "[2 Team]", "Team ·", "manager")
	keys("3")
	waitFor("accounts", "[3 Accounts]", " accounts · sort")
	keys("j", "j", "Enter")
	waitFor("health detail", "health detail", "Components", "Weekly score")
	keys("Escape")
	waitFor("back to accounts", "[3 Accounts]", " accounts · sort")
	keys("4")
	waitFor("escalations", "[4 Escalations]", "Escalations ·")
	keys("Enter")
	waitFor("escalation timeline", "Escalation #", "Timeline")
	// Separate sends: esc followed at once by a key reads as alt+key.
	keys("Escape")
	waitFor("back to the queue", "Escalations ·", "SLA")
	keys("1")
	waitFor("review again", "[1 Review]", "Monday review")
	keys("q")
	waitFor("clean exit", "steward exited with 0")
}
