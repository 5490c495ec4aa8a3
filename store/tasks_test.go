package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

func TestTasks(t *testing.T) {
	path := newDBPath(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	amy, ben, mine, theirs := twoAccountManagers(t, path, now)
	update := func(fn func(*Tx) error) error { return Update(path, Options{}, fn) }
	byAmy, byBen := Actor{ID: amy.ID, Name: "Amy", Session: "SHA256:a"}, Actor{ID: ben.ID, Name: "Ben"}
	due := metrics.NewDate(2026, 12, 10)
	var first, second Task
	if err := update(func(tx *Tx) (err error) {
		// No owner given: the account's.
		if first, err = tx.AddTask(NewTask{AccountID: mine.ID, Title: " Call the sponsor ", Due: due}, byAmy, now); err != nil {
			return err
		}
		// Amy may give a task on her account to Ben.
		second, err = tx.AddTask(NewTask{AccountID: mine.ID, Title: "Send the QBR deck", OwnerID: ben.ID, Due: due.AddDays(-10)}, byAmy, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if first.OwnerID != amy.ID || first.Title != "Call the sponsor" || first.Status != TaskOpen || first.CreatedBy != "Amy" || first.Session != "SHA256:a" {
		t.Fatalf("first task %+v", first)
	}
	if !second.Overdue(metrics.NewDate(2026, 12, 3)) || first.Overdue(metrics.NewDate(2026, 12, 3)) {
		t.Fatal("Overdue")
	}
	for _, c := range []struct {
		name string
		fn   func(*Tx) error
		want string
	}{
		{"on another's account", func(tx *Tx) error {
			_, err := tx.AddTask(NewTask{AccountID: theirs.ID, Title: "x", Due: due}, byAmy, now)
			return err
		}, "only the account's owner or a manager"},
		{"no title", func(tx *Tx) error {
			_, err := tx.AddTask(NewTask{AccountID: mine.ID, Title: "  ", Due: due}, byAmy, now)
			return err
		}, "needs a title"},
		{"no date", func(tx *Tx) error {
			_, err := tx.AddTask(NewTask{AccountID: mine.ID, Title: "x"}, byAmy, now)
			return err
		}, "needs a due date"},
		{"a skip without a reason", func(tx *Tx) error { _, err := tx.CloseTask(first.ID, TaskSkipped, " ", byAmy, now); return err }, "needs a reason"},
		{"closing it open", func(tx *Tx) error { _, err := tx.CloseTask(first.ID, TaskOpen, "", byAmy, now); return err }, "done or skipped"},
		{"Ben closing Amy's task on Amy's account", func(tx *Tx) error { _, err := tx.CloseTask(first.ID, TaskDone, "", byBen, now); return err }, "task #1 is Amy's"},
	} {
		err := update(c.fn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if strings.HasPrefix(c.name, "on another's") && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("the refusal is not ErrNotAllowed: %v", err)
		}
	}
	// Ben owns the second task, though not the account: he may close it.
	if err := update(func(tx *Tx) error {
		if _, err := tx.CloseTask(second.ID, TaskSkipped, "The QBR moved to January", byBen, now.Add(time.Hour)); err != nil {
			return err
		}
		_, err := tx.CloseTask(first.ID, TaskDone, "Spoke to Dana", byAmy, now.Add(2*time.Hour))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := update(func(tx *Tx) error { _, err := tx.CloseTask(first.ID, TaskSkipped, "again", byAmy, now); return err }); err == nil || !strings.Contains(err.Error(), "already done") {
		t.Fatalf("closing a closed task: %v", err)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		open, err := tx.OpenTasks()
		if err != nil || len(open) != 0 {
			t.Fatalf("open tasks %+v %v", open, err)
		}
		all, err := tx.TasksOf(mine.ID)
		if err != nil || len(all) != 2 || all[0].Status != TaskDone || all[0].Note != "Spoke to Dana" || all[0].ClosedBy != "Amy" ||
			all[1].Status != TaskSkipped || all[1].Note != "The QBR moved to January" || all[1].ClosedBy != "Ben" {
			t.Fatalf("tasks of the account %+v %v", all, err)
		}
		acts, err := tx.Activities(mine.ID, 0)
		if err != nil {
			return err
		}
		var texts []string
		for _, a := range acts {
			if a.Kind == "task" {
				texts = append(texts, a.Author+": "+a.Text)
			}
		}
		want := []string{ // newest first
			"Amy: Task #1 done: Call the sponsor (Spoke to Dana)",
			"Ben: Task #2 skipped: Send the QBR deck (why: The QBR moved to January)",
			"Amy: Task #2 for Ben, due 2026-11-30: Send the QBR deck",
			"Amy: Task #1 for Amy, due 2026-12-10: Call the sponsor",
		}
		if strings.Join(texts, "\n") != strings.Join(want, "\n") {
			t.Fatalf("audit entries:\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var third Task
	if err := update(func(tx *Tx) (err error) {
		third, err = tx.AddTask(NewTask{AccountID: mine.ID, Title: "Follow up", Due: due}, byAmy, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := View(path, Options{}, func(tx *Tx) error {
		var open []OpenTask
		err := tx.ForEachOpenTask(func(o *OpenTask) error { open = append(open, *o); return nil })
		if err != nil || len(open) != 1 || open[0].ID != third.ID || open[0].Title != "Follow up" || open[0].From != "by Amy" || open[0].OwnerID != amy.ID || open[0].Due != due {
			t.Fatalf("the open-task index %+v %v", open, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
	// An open task missing from the open-task index is damage check names.
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bTasksOpen).Delete(u64(third.ID)) })
	if err := Verify(path, Options{}); err == nil || !strings.Contains(err.Error(), "tasks_open: 0 entries for 1 open tasks") {
		t.Fatalf("check of a missing open-task entry: %v", err)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bTasks).Put(u64(first.ID), []byte{taskFormat, 1}) })
	if err := Verify(path, Options{}); err == nil || !strings.Contains(err.Error(), "task 1") {
		t.Fatalf("check of a damaged task: %v", err)
	}
}
