package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestServeOverOpenSSH runs the real `steward serve` and signs in to it
// with the real OpenSSH client inside a real terminal (tmux): a manager
// walks every view, a member signs in beside them (presence), the manager
// logs a call the member's open health detail shows at once (the
// dashboards are live), both quit cleanly, and SIGTERM stops the server
// with status 0.
func TestServeOverOpenSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	tools := map[string]string{}
	for _, tool := range []string{"ssh", "ssh-keygen", "tmux"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			why := fmt.Sprintf("%s is not installed: the OpenSSH end-to-end test needs it (apt-get install openssh-client tmux; .ci/run installs them)", tool)
			if os.Getenv("CI") != "" {
				t.Fatal(why)
			}
			t.Skip(why)
		}
		tools[tool] = path
	}

	dir := t.TempDir()
	db := demoDB(t)
	manager, member, account := pickServeCast(t, db)
	t.Logf("manager %q, member %q, account %q", manager, member, account)

	// Two keys: one for the manager, one for the member.
	key1, key2 := filepath.Join(dir, "key1"), filepath.Join(dir, "key2")
	for _, k := range []struct{ file, who string }{{key1, manager}, {key2, member}} {
		if out, err := exec.Command(tools["ssh-keygen"], "-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", k.file).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		pub, err := os.ReadFile(k.file + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		r := steward(t, "--db", db, "members", "keys", "add", k.who, strings.TrimSpace(string(pub)))
		if r.code != 0 {
			t.Fatalf("members keys add %q: exit %d: %s", k.who, r.code, r.stderr)
		}
	}

	// The server, its stderr captured.
	srv := startServe(t, db, dir)
	port := srv.port
	srvErr := srv.logs

	// A private tmux server; no agent, so only the key given signs in.
	sock := fmt.Sprintf("steward-openssh-%d-%d", os.Getpid(), time.Now().UnixNano())
	var tmuxEnv []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SSH_AUTH_SOCK=") && !strings.HasPrefix(kv, "TMUX=") {
			tmuxEnv = append(tmuxEnv, kv)
		}
	}
	tmuxCmd := func(args ...string) *exec.Cmd {
		c := exec.Command(tools["tmux"], append([]string{"-L", sock, "-f", "/dev/null"}, args...)...)
		c.Env = tmuxEnv
		return c
	}
	tm := func(args ...string) string {
		t.Helper()
		out, err := tmuxCmd(args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { _ = tmuxCmd("kill-server").Run() })

	// Sessions are named and targeted with a trailing colon: a bare name
	// is also matched against window names ("sh").
	const win1, win2 = "mgr:", "mem:"
	screenOf := func(target string) string {
		out, err := tmuxCmd("capture-pane", "-p", "-t", target).CombinedOutput()
		if err != nil {
			return fmt.Sprintf("(no screen: %v: %s)", err, out)
		}
		return string(out)
	}
	opened := []string{}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, w := range opened {
			t.Logf("screen of tmux session %s:\n%s", strings.TrimSuffix(w, ":"), screenOf(w))
		}
		t.Logf("server stderr:\n%s", srvErr)
	})
	knownHosts := filepath.Join(dir, "known_hosts")
	signIn := func(session, key string) {
		t.Helper()
		// -F /dev/null: no user or system ssh_config (no SendEnv, no
		// ControlMaster); BatchMode: a refused key fails at once
		// instead of asking for a password nobody types.
		ssh := strings.Join([]string{"env", "-u", "SSH_AUTH_SOCK", "TERM=xterm-256color",
			shQuote(tools["ssh"]), "-F", "/dev/null", "-tt", "-p", port, "-i", shQuote(key),
			"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
			"-o", "UserKnownHostsFile=" + shQuote(knownHosts), "-o", "LogLevel=ERROR", "127.0.0.1"}, " ")
		// 56 rows: the health page lists an account's open tasks (the
		// playbooks' among them) and its success plan above the latest
		// activities the test watches.
		tm("new-session", "-d", "-s", session, "-x", "120", "-y", "56", "sh", "-c", ssh+"; echo EXIT=$?; sleep 30")
		opened = append(opened, session+":")
	}

	waitUntil := func(target, what string, within time.Duration, ok func(screen string) bool) string {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			screen := tm("capture-pane", "-p", "-t", target)
			if ok(screen) {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("tmux session %s: %s not reached within %v", strings.TrimSuffix(target, ":"), what, within)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor := func(target, what string, parts ...string) string {
		t.Helper()
		return waitUntil(target, fmt.Sprintf("%s (screen showing %q)", what, parts), 20*time.Second, func(s string) bool {
			for _, p := range parts {
				if !strings.Contains(s, p) {
					return false
				}
			}
			return true
		})
	}
	keys := func(target string, k ...string) { t.Helper(); tm(append([]string{"send-keys", "-t", target}, k...)...) }
	text := func(target, s string) { t.Helper(); tm("send-keys", "-t", target, "-l", s) }
	// esc alone: a key sent right after it would read as alt+key.
	esc := func(target string) {
		t.Helper()
		keys(target, "Escape")
		time.Sleep(200 * time.Millisecond)
	}
	line := func(screen, containing string) string {
		for _, l := range strings.Split(screen, "\n") {
			if strings.Contains(l, containing) {
				return l
			}
		}
		return ""
	}
	statusLine := func(screen string) string {
		lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
		if len(lines) < 2 {
			return ""
		}
		return lines[len(lines)-2]
	}
	// openAccount filters the accounts view down to the account and
	// leaves the cursor on it (enter keeps the filter).
	openAccount := func(target string) {
		t.Helper()
		keys(target, "3")
		waitFor(target, "accounts", "[3 Accounts]", "accounts · sort")
		keys(target, "/")
		text(target, account)
		keys(target, "Enter")
		waitUntil(target, "the filtered accounts with the cursor on "+account, 20*time.Second, func(s string) bool {
			return strings.Contains(s, "/"+account+" · sort") && strings.HasPrefix(line(s, "▸ "), "▸ "+account+" ")
		})
	}

	// The manager walks every view.
	signIn("mgr", key1)
	waitFor(win1, "signed in", "as "+manager)
	keys(win1, "1")
	waitFor(win1, "review", "[1 Review]", "Monday review")
	keys(win1, "2")
	waitFor(win1, "team", "[2 Team]")
	keys(win1, "3")
	waitFor(win1, "accounts", "[3 Accounts]", "accounts · sort")
	keys(win1, "4")
	waitFor(win1, "escalations", "[4 Escalations]")
	keys(win1, "Enter")
	waitFor(win1, "escalation timeline", "Escalation #")
	esc(win1)
	waitUntil(win1, "back to the queue", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "[4 Escalations]") && !strings.Contains(s, "Escalation #")
	})
	keys(win1, "3")
	waitFor(win1, "accounts again", "[3 Accounts]", "accounts · sort")
	keys(win1, "Enter")
	waitFor(win1, "health detail", "health detail", "Latest activities")
	esc(win1)
	waitUntil(win1, "back to the accounts", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "accounts · sort") && !strings.Contains(s, "Latest activities")
	})

	// The member signs in beside them: the manager sees them.
	signIn("mem", key2)
	waitFor(win2, "member signed in", "as "+member)
	waitUntil(win1, "presence of "+member, 20*time.Second, func(s string) bool {
		return strings.Contains(line(s, "4 Escalations"), "also here: "+member)
	})

	// The member opens the account's health detail.
	const note = "Called from OpenSSH e2e"
	openAccount(win2)
	keys(win2, "Enter")
	screen := waitFor(win2, "the account's health detail", account+" · health detail", "Latest activities")
	if strings.Contains(screen, note) {
		t.Fatalf("the detail shows %q before it was logged", note)
	}

	// The manager logs a call on it.
	openAccount(win1)
	keys(win1, "l")
	screen = waitFor(win1, "log activity form", "Log activity on "+account, "Kind")
	if l := line(screen, "Kind"); !strings.Contains(l, "call") {
		t.Fatalf("the Kind field does not preselect call: %q", l)
	}
	keys(win1, "Tab")
	text(win1, note)
	waitFor(win1, "the text typed", note)
	keys(win1, "Enter")
	waitUntil(win1, "saved", 20*time.Second, func(s string) bool {
		return strings.Contains(statusLine(s), "Logged a call on "+account)
	})
	saved := time.Now()
	waitUntil(win2, "the call shown live in the member's health detail", 3*time.Second, func(s string) bool {
		return strings.Contains(line(s, note), manager)
	})
	t.Logf("the member's dashboard showed the call %v after the manager's status line", time.Since(saved).Round(time.Millisecond))

	// Both quit; each ssh client exits 0.
	keys(win1, "q")
	keys(win2, "q")
	waitFor(win1, "the manager's ssh exit", "EXIT=0")
	waitFor(win2, "the member's ssh exit", "EXIT=0")

	// SIGTERM stops the server cleanly.
	srv.stop(t)
}

// pickServeCast reads the demo's roster and accounts: the first active
// manager, an active account manager (or senior) who owns accounts, and
// one of their open accounts whose name no other account's contains (so
// the filter leaves it first) and that fits its column. ASCII names are
// preferred: they are typed into the terminal.
func pickServeCast(t *testing.T, db string) (manager, member, account string) {
	t.Helper()
	members := exportCSV(t, db, "members")
	accounts := exportCSV(t, db, "accounts")
	var names []string
	for _, a := range accounts {
		names = append(names, strings.ToLower(a["Account Name"]))
	}
	unique := func(name string) bool {
		n := 0
		for _, other := range names {
			if strings.Contains(other, strings.ToLower(name)) {
				n++
			}
		}
		return n == 1
	}
	owned := func(who string) string {
		for _, a := range accounts {
			name := a["Account Name"]
			if a["Account Owner"] == who && a["Lifecycle"] != "churned" && isASCII(name) && len(name) <= 24 && unique(name) {
				return name
			}
		}
		return ""
	}
	for _, ascii := range []bool{true, false} {
		for _, m := range members {
			if m["Active"] != "true" || (ascii && !isASCII(m["Name"])) {
				continue
			}
			switch m["Role"] {
			case "manager":
				if manager == "" {
					manager = m["Name"]
				}
			case "account_manager", "senior_am":
				if member == "" {
					if a := owned(m["Name"]); a != "" {
						member, account = m["Name"], a
					}
				}
			}
		}
	}
	if manager == "" || member == "" {
		t.Fatalf("the demo has no manager (%q) or no member owning a suitable account (%q)", manager, member)
	}
	return manager, member, account
}

// exportCSV runs steward export and returns its rows keyed by header.
func exportCSV(t *testing.T, db, what string) []map[string]string {
	t.Helper()
	r := steward(t, "--db", db, "export", what)
	if r.code != 0 {
		t.Fatalf("export %s: exit %d: %s", what, r.code, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("export %s: %v (%d records)", what, err, len(recs))
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func isASCII(s string) bool { return utf8.RuneCountInString(s) == len(s) }

// shQuote quotes s for sh.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
