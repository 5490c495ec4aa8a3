package tui

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"steward/store"
)

// childEnv makes the test binary act as "another steward process": it
// opens the database, renames one account in one transaction and exits.
const childEnv = "STEWARD_TUI_TEST_CHILD"

func childMain(spec string) int {
	parts := strings.SplitN(spec, "|", 3)
	id, _ := strconv.ParseUint(parts[1], 10, 64)
	err := store.Update(parts[0], store.Options{}, func(tx *store.Tx) error {
		a, err := tx.Account(id)
		if err != nil {
			return err
		}
		a.Name = parts[2]
		return tx.PutAccount(&a)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// The dashboard runs as a real Bubble Tea program while another process
// writes to its file; the new name must be on screen within 2 s and the
// cursor must still be on the same account.
func TestAnotherProcessChangeShowsUp(t *testing.T) {
	path := fixturePath(t, 200)
	m := New(testOptions(path))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	t.Cleanup(func() { _ = tm.Quit() })
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Monday review")) },
		teatest.WithDuration(10*time.Second))

	// The same data in a second model says which account row 5 holds.
	ref := loaded(t, path, 120, 40)
	press(ref, "3", "j", "j", "j", "j", "j")
	selected := ref.accounts.selectedID()
	for _, k := range []string{"3", "j", "j", "j", "j", "j"} {
		tm.Send(keyOf(k))
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("▸ "+ref.p.Account(selected).Name)) },
		teatest.WithDuration(5*time.Second))

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path+"|"+strconv.FormatUint(selected, 10)+"|Renamed Elsewhere Ltd")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	start := time.Now()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Renamed Elsewhere Ltd")) },
		teatest.WithDuration(2*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("change took %s to show", took)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if got := fm.accounts.selectedID(); got != selected {
		t.Fatalf("cursor moved from account %d to %d", selected, got)
	}
	if name := fm.p.Account(selected).Name; name != "Renamed Elsewhere Ltd" {
		t.Fatalf("selected account is %q", name)
	}
}

// A background reload that meets another process's lock keeps the data on
// screen, says so in the status line, and retries at the next poll.
func TestReloadWhileLockedRetries(t *testing.T) {
	path := fixturePath(t, 30)
	opt := testOptions(path)
	opt.Store.LockTimeout = 50 * time.Millisecond
	m := New(opt)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load(true)())
	before := m.p
	db, err := store.Open(path, store.Options{}) // an exclusive writer holds the file
	if err != nil {
		t.Fatal(err)
	}
	m.Update(m.load(false)())
	if m.p != before || !strings.Contains(screen(m), "in use by another steward process") {
		t.Fatalf("locked reload: %s", screen(m))
	}
	db.Close()
	// The next poll sees a "changed" file (the stat was forgotten) and reloads.
	_, cmd := m.Update(statMsg{statOf(path)})
	drive(m, cmd)
	if m.stat != statOf(path) || m.statusErr {
		t.Fatalf("no retry after the lock was released: %s", m.status)
	}
}

// writeCmd is a bare write (no acting member, no form): the smallest
// command that ends in a writtenMsg, for the reload test below.
func writeCmd(path string, opt store.Options, what string, fn func(*store.Tx) error) tea.Cmd {
	return func() tea.Msg {
		return writtenMsg{what: what, err: store.Update(path, opt, fn)}
	}
}

// A write result that names no form reports in the status line and
// reloads, keeping the cursor on the same account.
func TestWriteCommandReloads(t *testing.T) {
	m := loaded(t, fixturePath(t, 60), 100, 30)
	press(m, "3", "j", "j")
	id := m.accounts.selectedID()
	drive(m, writeCmd(m.opt.Path, m.opt.Store, "Renamed the account", func(tx *store.Tx) error {
		a, err := tx.Account(id)
		if err != nil {
			return err
		}
		a.Name = "Zz Renamed"
		return tx.PutAccount(&a)
	}))
	mustContain(t, screen(m), "Renamed the account", "▸ Zz Renamed")
	if m.accounts.selectedID() != id {
		t.Fatal("cursor lost the account")
	}
}

// A change another process makes to one account reaches the screen
// through the change feed: the account is rescored in place (the same
// accounts, not a new load), the header and review follow, the cursor
// stays; a bulk write still loads everything.
func TestChangeElsewhereAppliesThroughTheFeed(t *testing.T) {
	m, path := triage(t)
	press(m, "3", "j", "j")
	id := m.accounts.selectedID()
	before := m.p
	changeElsewhere(t, m, path, func(_ int, a *store.Account) { a.ARRCents += 7_777_700 }, id)
	if &m.p.Accounts[0] != &before.Accounts[0] {
		t.Fatal("the change was read with a full load, not through the feed")
	}
	fresh := loaded(t, path, 120, 40)
	if m.p.KPIs.ARRCents != fresh.p.KPIs.ARRCents || m.p.Account(id).ARRCents != fresh.p.Account(id).ARRCents {
		t.Fatalf("after the feed: ARR %d / account %d, a fresh load says %d / %d",
			m.p.KPIs.ARRCents, m.p.Account(id).ARRCents, fresh.p.KPIs.ARRCents, fresh.p.Account(id).ARRCents)
	}
	if m.accounts.selectedID() != id {
		t.Fatal("the cursor moved")
	}
	mustContain(t, screen(m), "Reloaded")

	// A bulk write (more than the feed lists) loads everything.
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		tx.TouchAll()
		return tx.PutAccount(&store.Account{Name: "Bulk Co"})
	})
	if err != nil {
		t.Fatal(err)
	}
	prev := m.p
	_, cmd := m.Update(statMsg{statOf(path)})
	drive(m, cmd)
	if &m.p.Accounts[0] == &prev.Accounts[0] || m.p.Account(m.p.Accounts[len(m.p.Accounts)-1].ID).Name != "Bulk Co" {
		t.Fatal("a bulk write did not load everything")
	}
}
