package tui

import (
	"strings"
	"testing"
	"time"

	"steward/store"
)

// The task flow on the real model over a real file: t on an account adds
// a task (owner the account's, due a week out), the tasks view lists it,
// space marks one done with a note, s skips one and insists on a reason;
// the review lists the overdue one once the clock passes its date, and
// the team counts it. Each write is checked in the database.
func TestTasksFlow(t *testing.T) {
	path := fixturePath(t, 60)
	// Tasks by hand only: opening takes the week's snapshot, which would
	// start the default playbooks on the fixture's red accounts.
	noPlaybooks(t, path)
	m := loaded(t, path, 160, 50)
	quietTimers(m)
	press(m, "3")
	screen(m)
	a := m.p.Account(m.accounts.selectedID())
	owner := m.p.MemberName(a.OwnerID)
	add := func(title, due string) {
		t.Helper()
		press(m, "t")
		mustContain(t, screen(m), "New task on "+short(a.Name, 40), "Title", "Owner", "Due")
		typeText(m, title)
		press(m, "tab", "tab")
		for range len(m.asOf().AddDays(7).String()) {
			press(m, "backspace")
		}
		typeText(m, due)
		press(m, "enter")
		mustContain(t, screen(m), "on "+short(a.Name, 40)+", due ")
	}
	add("Call the sponsor", "+2d")
	add("Send the renewal quote", "+3d")
	add("Book the QBR", "+5d")
	tasks := tasksOf(t, path, a.ID)
	if len(tasks) != 3 || tasks[0].OwnerID != a.OwnerID || tasks[0].Due != m.asOf().AddDays(2) || tasks[2].Title != "Book the QBR" {
		t.Fatalf("tasks in the database: %+v", tasks)
	}

	press(m, "6")
	s := screen(m)
	mustContain(t, s, "[6 Tasks]", "Open tasks (3)", "Call the sponsor", "Send the renewal quote", a.Name, owner)
	// The soonest first: space marks it done, with a note.
	if !strings.Contains(lineWith(s, "▸"), "Call the sponsor") {
		t.Fatalf("the cursor is not on the soonest task:\n%s", s)
	}
	press(m, " ")
	mustContain(t, screen(m), "Mark done: Call the sponsor", "A note is optional")
	typeText(m, "Spoke to Dana")
	press(m, "enter")
	mustContain(t, screen(m), "done: Call the sponsor", "Open tasks (2)")
	// s skips the next; a reason is required.
	press(m, "s")
	mustContain(t, screen(m), "Skip: Send the renewal quote")
	press(m, "enter")
	if m.modal == nil {
		t.Fatal("a skip without a reason was accepted")
	}
	typeText(m, "Quote goes out with the QBR")
	press(m, "enter")
	mustContain(t, screen(m), "skipped: Send the renewal quote", "Open tasks (1)")
	tasks = tasksOf(t, path, a.ID)
	if tasks[0].Status != store.TaskDone || tasks[0].Note != "Spoke to Dana" || tasks[1].Status != store.TaskSkipped || tasks[1].Note != "Quote goes out with the QBR" || tasks[2].Status != store.TaskOpen {
		t.Fatalf("after done and skip: %+v", tasks)
	}
	// The account's detail lists its tasks, open and closed.
	press(m, "enter")
	mustContain(t, screen(m), "Tasks (1 open)", "☐ due "+m.asOf().AddDays(5).String(), "Book the QBR",
		"☑ skipped", "Send the renewal quote (Quote goes out with the QBR)", "☑ done", "Call the sponsor (Spoke to Dana)")
	press(m, "esc")
	mustContain(t, screen(m), "[6 Tasks]")
	// o narrows to the overdue: none yet.
	press(m, "o")
	mustContain(t, screen(m), "Open tasks (0) · overdue", "No open task matches")
	press(m, "esc")
	mustContain(t, screen(m), "Open tasks (1) · overdue first")
	// / narrows by title, account or owner.
	press(m, "/")
	typeText(m, "nothing like this")
	press(m, "enter")
	mustContain(t, screen(m), "Open tasks (0)", "matching")
	press(m, "esc")
	mustContain(t, screen(m), "Open tasks (1)", "Book the QBR")

	// Six days on, the QBR task is a day late: the review and the team say so.
	later := fixNow.Add(6 * 24 * time.Hour)
	m2, err := openLoaded(Options{Path: path, Now: func() time.Time { return later }, AsOf: fixAsOf.AddDays(6)}, 160, 50)
	if err != nil {
		t.Fatal(err)
	}
	s = screen(m2)
	mustContain(t, s, "Overdue tasks (1)", "Book the QBR", "1d late")
	press(m2, "2")
	row := ""
	for _, l := range strings.Split(screen(m2), "\n") {
		if strings.Contains(l, owner) && !strings.Contains(l, "ARR $") {
			row = l
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(row), "⚠ 1") {
		t.Fatalf("the team row of %s does not count the late task: %q", owner, row)
	}
}

// noPlaybooks deletes the default playbooks, for tests about something
// else that a snapshot would otherwise start them in.
func noPlaybooks(t testing.TB, path string) {
	t.Helper()
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		if err := tx.SeedPlaybooks(); err != nil {
			return err
		}
		list, err := tx.Playbooks()
		if err != nil {
			return err
		}
		for _, p := range list {
			if err := tx.DeletePlaybook(p.ID, store.Actor{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// P starts a playbook on an account by hand: the playbooks are read in
// the background, one is picked, and its steps become the account's
// tasks, due from today, in one write.
func TestStartAPlaybookByHand(t *testing.T) {
	path := fixturePath(t, 40)
	m := loaded(t, path, 160, 50)
	quietTimers(m)
	press(m, "3")
	screen(m)
	a := m.p.Account(m.accounts.selectedID())
	press(m, "P")
	mustContain(t, screen(m), "Start a playbook on "+short(a.Name, 40), "Playbook", "Its steps become tasks")
	typeText(m, "champion")
	press(m, "enter")
	mustContain(t, screen(m), "Started a playbook on "+short(a.Name, 40)+": 3 tasks")
	tasks := tasksOf(t, path, a.ID)
	if len(tasks) != 3 || tasks[0].Playbook != "Champion change" || tasks[0].Title != "Meet the new champion" || tasks[0].Due != m.asOf().AddDays(3) {
		t.Fatalf("the account's tasks after starting Champion change: %+v", tasks)
	}
}

// tasksOf reads every task of an account from the file.
func tasksOf(t *testing.T, path string, id uint64) []store.Task {
	t.Helper()
	var tasks []store.Task
	if err := store.View(path, store.Options{}, func(tx *store.Tx) (err error) {
		tasks, err = tx.TasksOf(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tasks
}
