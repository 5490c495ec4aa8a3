package tui

import (
	"encoding/json"
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
// keystrokes (the Trends view too, from a tab and from a member's page),
// and checks that q ends the process cleanly.
func TestEndToEndInTmux(t *testing.T) {
	dir, _, _, tm := startDemoInTmux(t, "steward-e2e", 120, 40)
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
	keys("5")
	waitFor("renewals", "[5 Renewals]", "Renewals · ", "forecast GRR", "Forecast")
	keys("Enter")
	waitFor("health detail from the renewals", "health detail", "Components")
	keys("Escape")
	waitFor("back to the renewals", "[5 Renewals]", "forecast GRR")
	keys("6")
	waitFor("tasks", "[6 Tasks]", "Open tasks (", "late (")
	keys("Enter")
	waitFor("health detail from the tasks", "health detail", "Components")
	keys("Escape")
	waitFor("back to the tasks", "[6 Tasks]", "Open tasks (")
	keys("7")
	waitFor("trends", "[7 Trends]", "NRR/GRR by quarter · Q", "ARR by month · ", "Band mix by week · W", "Open escalations by week · W", "█ red", "N─ NRR")
	keys("2")
	waitFor("team again", "[2 Team]", "Team ·")
	keys("Enter")
	waitFor("member page", "1:1 prep", "Book now", "1:1s logged", "ARR by month · ", "Band mix by week")
	keys("7")
	waitFor("trends from the member page", "[7 Trends]", "Open escalations by week · W")
	keys("2")
	waitFor("team from the trends", "[2 Team]", "Team ·")
	keys("Enter")
	waitFor("member page again", "1:1 prep", "Book now")
	keys("Escape")
	waitFor("back to the team", "[2 Team]", "Team ·")
	keys("1")
	waitFor("review again", "[1 Review]", "Monday review")
	keys("q")
	waitFor("clean exit", "steward exited with 0")
}

// reportEscalations runs `steward --db FILE report --format json` and
// returns the escalation counts by status.
func reportEscalations(t *testing.T, bin, db string) (total, resolved int) {
	t.Helper()
	out, err := exec.Command(bin, "--db", db, "report", "--format", "json").Output()
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	var r struct {
		Escalations map[string]int `json:"escalations"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("report json: %v\n%s", err, out)
	}
	for _, n := range r.Escalations {
		total += n
	}
	return total, r.Escalations["resolved"]
}

// TestTriageEndToEndInTmux walks one full triage on the demo in a real
// terminal: create an escalation, assign it, decide, add a note, resolve it
// (confirming), resolve one existing escalation too, quit; the leadership
// report then counts one escalation more, two more resolved and one fewer
// unresolved.
func TestTriageEndToEndInTmux(t *testing.T) {
	dir, bin, db, tm := startDemoInTmux(t, "steward-triage", 140, 45)
	screen := ""
	// Every distinct bottom line seen, for a failure: a status that came
	// and went (an error after a lock wait under load) says what happened.
	var seen []string
	waitUntil := func(what string, ok func(s string) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			screen = tm("capture-pane", "-p", "-t", "e2e")
			lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
			last := strings.TrimSpace(strings.Join(lines[max(0, len(lines)-2):], " | "))
			if len(seen) == 0 || !strings.HasSuffix(seen[len(seen)-1], " "+last) {
				seen = append(seen, time.Now().Format("15:04:05.000")+" "+last)
			}
			if ok(screen) {
				return
			}
			if time.Now().After(deadline) {
				stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
				t.Fatalf("%s: not reached:\n%s\nstderr: %s\nbottom lines seen, oldest first:\n%s", what, screen, stderr, strings.Join(seen[max(0, len(seen)-12):], "\n"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor := func(what string, parts ...string) {
		t.Helper()
		waitUntil(what, func(s string) bool {
			for _, p := range parts {
				if !strings.Contains(s, p) {
					return false
				}
			}
			return true
		})
	}
	keys := func(k ...string) { tm(append([]string{"send-keys", "-t", "e2e"}, k...)...) }
	text := func(s string) { tm("send-keys", "-t", "e2e", "-l", s) }
	statusLine := func(s string) string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		if len(lines) < 2 {
			return ""
		}
		return lines[len(lines)-2]
	}

	waitFor("review on open", "[1 Review]", "Monday review", "as ")
	total0, resolved0 := reportEscalations(t, bin, db)

	keys("4")
	waitFor("queue", "[4 Escalations]", "Escalations ·")
	keys("c")
	waitFor("create form", "New escalation", "Account", "(type to choose)")
	keys("Down") // the account must be chosen: nothing is preselected
	keys("Tab")
	text("E2E outage on the portal")
	keys("Tab")
	text("Customers cannot log in")
	keys("Enter")
	waitFor("created", "Created #", "E2E outage on the portal")
	keys("a")
	waitFor("assign form", "Assign #", "E2E outage")
	keys("Up") // from Unassigned to the last active member
	keys("Enter")
	waitFor("assigned", "Assigned #")
	keys("d")
	waitFor("decision form", "Triage decision on #")
	keys("Enter") // coach the account manager
	waitFor("decided", "Decision on #", "coach the account manager")
	keys("n")
	waitFor("note form", "Note on #")
	text("Called the client back")
	keys("Enter")
	waitFor("noted", "Note added to #")
	keys("r")
	waitFor("resolve form", "Resolve #", "Resolution")
	text("Password reset flow fixed")
	keys("Enter")
	waitFor("confirmation", "(y/N)")
	keys("y")
	waitUntil("resolved", func(s string) bool {
		st := statusLine(s)
		return strings.Contains(st, "Resolved #") && strings.Contains(st, "E2E outage")
	})

	// One existing escalation too: the cursor is on another open one now.
	keys("g")
	keys("r")
	waitFor("second resolve form", "Resolve #", "Resolution")
	text("Handled on the phone")
	keys("Enter")
	waitFor("second confirmation", "(y/N)")
	keys("y")
	waitUntil("second resolved", func(s string) bool {
		st := statusLine(s)
		return strings.Contains(st, "Resolved #") && !strings.Contains(st, "E2E outage") && !strings.Contains(s, "(y/N)")
	})
	keys("q")
	waitFor("clean exit", "steward exited with 0")

	total1, resolved1 := reportEscalations(t, bin, db)
	if total1 != total0+1 || resolved1 != resolved0+2 || total1-resolved1 != total0-resolved0-1 {
		t.Fatalf("report before: %d total, %d resolved; after: %d total, %d resolved", total0, resolved0, total1, resolved1)
	}
}

// startDemoInTmux builds the binary (or takes STEWARD_E2E_BINARY), runs
// `steward demo --db FILE` in a fresh tmux server at w x h, and returns
// the temp dir, binary, database and a tmux command runner. It skips under
// -short or without tmux (CI installs it).
func startDemoInTmux(t *testing.T, name string, w, h int) (dir, bin, db string, tm func(args ...string) string) {
	t.Helper()
	tmux := needTmux(t)
	dir = t.TempDir()
	bin = os.Getenv("STEWARD_E2E_BINARY") // a prebuilt binary, for debugging
	if bin == "" {
		bin = filepath.Join(dir, "steward")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	db = filepath.Join(dir, "demo.db")
	sock := fmt.Sprintf("%s-%d", name, os.Getpid())
	tm = func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// The shell line reports the exit status after the alt screen closes.
	script := fmt.Sprintf("%q demo --db %q 2>%q; echo \"steward exited with $?\"; sleep 60", bin, db, filepath.Join(dir, "stderr"))
	tm("new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", sock, "kill-server").Run() })
	return dir, bin, db, tm
}

// needTmux is the tmux binary of an end-to-end test. It skips under
// -short, and without tmux on a developer's machine; under CI (which
// installs tmux) a missing tmux is a broken set-up and fails.
func needTmux(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		why := "tmux not installed: the end-to-end test needs it (apt-get install tmux; .ci/run installs it)"
		if os.Getenv("CI") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return tmux
}
