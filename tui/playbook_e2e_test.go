package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// TestRedAccountPlaybookInTmux is issue 13's walk with the real binary in
// a real terminal: an import pushes a green account to red and starts
// "Red account recovery" for its owner, with due dates counted from the
// import's day; the owner marks one task done and skips one with a
// reason in the tasks view; on a day past the manager's step
// (STEWARD_CLOCK, the injected clock) the review lists that step late;
// importing the same file again starts nothing. Every step is checked
// in the database too.
func TestRedAccountPlaybookInTmux(t *testing.T) {
	tmux := needTmux(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "steward")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "demo.db")
	if out, err := exec.Command(bin, "demo", "--db", db, "--no-tui").CombinedOutput(); err != nil {
		t.Fatalf("steward demo: %v\n%s", err, out)
	}
	now := time.Now()
	today := portfolio.Today(now)
	p, err := portfolio.Load(db, store.Options{}, today, now)
	if err != nil {
		t.Fatal(err)
	}
	// A green account of an account manager, with nothing else about to
	// start a playbook on it (no renewal within 130 days, no champion
	// change).
	var acct *portfolio.Account
	var owner, manager *store.Member
	for i := range p.Members {
		if m := &p.Members[i]; m.Active && m.Role == store.RoleManager && manager == nil {
			manager = m
		}
	}
	for i := range p.Accounts {
		a := &p.Accounts[i]
		m := p.Member(a.OwnerID)
		if a.Live && a.Health.Band == metrics.Green && a.ExternalID != "" && m != nil && m.Active && m.Role != store.RoleManager &&
			!a.ChampionChanged && (a.RenewalDate.IsZero() || a.DaysToRenewal > 130) {
			acct, owner = a, m
			break
		}
	}
	if acct == nil || manager == nil {
		t.Fatal("the demo has no green account of an account manager to push red")
	}
	csv := filepath.Join(dir, "red.csv")
	row := fmt.Sprintf("Account ID,Active Users,Tickets (30d),Open Critical Tickets,NPS,CSAT,Last Touch,Last QBR\n%s,0,60,6,0,1,%s,%s\n",
		acct.ExternalID, today.AddDays(-120), today.AddDays(-400))
	if err := os.WriteFile(csv, []byte(row), 0o600); err != nil {
		t.Fatal(err)
	}
	importFile := func() string {
		t.Helper()
		cmd := exec.Command(bin, "--db", db, "import", csv)
		cmd.Env = append(os.Environ(), "STEWARD_USER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("steward import: %v\n%s", err, out)
		}
		return string(out)
	}
	recovery := func() []store.Task {
		t.Helper()
		var out []store.Task
		if err := store.View(db, store.Options{}, func(tx *store.Tx) error {
			all, err := tx.TasksOf(acct.ID)
			for _, tk := range all {
				if tk.Playbook == "Red account recovery" {
					out = append(out, tk)
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := importFile(); !strings.Contains(out, "1 playbook started") {
		t.Fatalf("the import did not start the playbook:\n%s", out)
	}
	tasks := recovery()
	want := []struct {
		title string
		days  int
		owner uint64
	}{
		{"Call the executive sponsor", 2, owner.ID},
		{"Root-cause review with support", 5, owner.ID},
		{"Recovery plan agreed with the manager", 7, manager.ID},
		{"Check-in: is the band moving?", 21, owner.ID},
	}
	if len(tasks) != len(want) {
		t.Fatalf("%d recovery tasks, want %d: %+v", len(tasks), len(want), tasks)
	}
	for i, w := range want {
		if tk := tasks[i]; tk.Title != w.title || tk.Due != today.AddDays(w.days) || tk.OwnerID != w.owner || tk.Status != store.TaskOpen {
			t.Errorf("task %d: %q due %s owner %d %s, want %q due %s owner %d", i, tk.Title, tk.Due, tk.OwnerID, tk.Status, w.title, today.AddDays(w.days), w.owner)
		}
	}

	sock := fmt.Sprintf("steward-playbook-%d", os.Getpid())
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", sock, "kill-server").Run() })
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	open := func(session, as, clock string) {
		t.Helper()
		env := "TERM=xterm-256color NO_COLOR=1"
		if clock != "" {
			env += " STEWARD_CLOCK=" + clock
		}
		if c := os.Getenv("STEWARD_CACHE_DIR"); c != "" {
			env += fmt.Sprintf(" STEWARD_CACHE_DIR=%q", c)
		}
		script := fmt.Sprintf("unset STEWARD_USER; %s %q --db %q --as %q; echo \"steward exited with $?\"; sleep 60", env, bin, db, as)
		tm("new-session", "-d", "-s", session, "-x", "160", "-y", "50", "sh", "-c", script)
	}
	waitFor := func(session, what string, parts ...string) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			s := tm("capture-pane", "-p", "-t", session)
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(s, p)
			}
			if ok {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not on screen after 10 s: %q\n%s", what, parts, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	keys := func(session string, k ...string) {
		t.Helper()
		tm(append([]string{"send-keys", "-t", session}, k...)...)
	}
	text := func(session, s string) { t.Helper(); tm("send-keys", "-t", session, "-l", s) }
	// filter puts the tasks view on one task by its title.
	filter := func(title string) {
		t.Helper()
		keys("owner", "/")
		text("owner", acct.Name+" "+title)
		keys("owner", "Enter")
		waitFor("owner", "only "+title, "Open tasks (1)", title)
	}

	// The owner, today: their tasks, one done with a note, one skipped.
	open("owner", owner.Email, "")
	waitFor("owner", "review on open", "[1 Review]", "as "+owner.Name)
	keys("owner", "6")
	waitFor("owner", "tasks view", "[6 Tasks]", "Open tasks (")
	keys("owner", "m")
	waitFor("owner", "mine", "· mine")
	filter("Call the executive sponsor")
	keys("owner", "Space")
	waitFor("owner", "done form", "Mark done: Call the executive sponsor")
	text("owner", "Spoke to the sponsor")
	keys("owner", "Enter")
	waitFor("owner", "marked done", "done: Call the executive sponsor")
	keys("owner", "Escape")
	filter("Root-cause review with support")
	keys("owner", "s")
	waitFor("owner", "skip form", "Skip: Root-cause review with support")
	text("owner", "Support already ran one last week")
	keys("owner", "Enter")
	waitFor("owner", "skipped", "skipped: Root-cause review with support")
	keys("owner", "q")
	waitFor("owner", "clean exit", "steward exited with 0")
	tasks = recovery()
	if tasks[0].Status != store.TaskDone || tasks[0].Note != "Spoke to the sponsor" || tasks[0].ClosedBy != owner.Name ||
		tasks[1].Status != store.TaskSkipped || tasks[1].Note != "Support already ran one last week" || tasks[2].Status != store.TaskOpen {
		t.Fatalf("after done and skip: %+v", tasks)
	}

	// Eight days on (the injected clock), the manager's step is a day
	// late: the review lists it; the owner's check-in is not due yet.
	later := today.AddDays(8)
	open("manager", manager.Email, later.String())
	waitFor("manager", "review eight days on", "[1 Review]", "as of "+later.String())
	keys("manager", "/")
	text("manager", acct.Name)
	keys("manager", "Enter")
	s := waitFor("manager", "the late step", "Overdue tasks (", "Recovery plan agreed with the manager")
	if l := lineWith(s, "Recovery plan agreed with the manager"); !strings.Contains(l, "⚠ 1d late ("+today.AddDays(7).String()[5:]+")") || !strings.Contains(l, manager.Name) {
		t.Fatalf("the manager's step is not listed a day late: %q", l)
	}
	if strings.Contains(s, "Check-in: is the band moving?") {
		t.Fatalf("the check-in, due in 13 days, is listed late:\n%s", s)
	}
	keys("manager", "q")
	waitFor("manager", "clean exit", "steward exited with 0")

	// The same file again: the band is still red, the episode goes on.
	if out := importFile(); strings.Contains(out, "playbook") {
		t.Fatalf("re-importing the same file started a playbook:\n%s", out)
	}
	if again := recovery(); len(again) != len(want) {
		t.Fatalf("after the re-import: %d recovery tasks, want %d", len(again), len(want))
	}
}
