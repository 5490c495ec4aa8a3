package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/store"
	"steward/store/storetest"
)

// The first frame is the review: the accounts view's filter arena and name
// order start building in the background on warmMsg (right after that
// frame), and the first use takes them; a use before warmMsg builds them
// on the spot. Either way the view is the same.
func TestFirstFrameLeavesTheAccountsViewForLater(t *testing.T) {
	path := fixturePath(t, 300)
	open := func() (*Model, tea.Cmd) {
		m := New(testOptions(path))
		quietTimers(m)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
		_, cmd := m.Update(m.load(true)())
		if m.fatal != nil {
			t.Fatal(m.fatal)
		}
		mustContain(t, screen(m), "Monday review")
		return m, cmd
	}
	m, _ := open()
	if !m.accounts.pending || len(m.accounts.arena) != 0 {
		t.Fatalf("the first frame built the accounts view (pending %v, arena %d bytes)", m.accounts.pending, len(m.accounts.arena))
	}
	m.Update(warmMsg{})
	if m.accounts.pre == nil || !m.accounts.pending {
		t.Fatal("warmMsg did not start building the accounts view in the background")
	}
	<-m.accounts.pre.done
	pre := m.accounts.pre
	press(m, "3")
	if m.accounts.pending || m.accounts.pre != nil || len(m.accounts.arena) == 0 || &m.accounts.arena[0] != &pre.ix.arena[0] {
		t.Fatal("the first use of the accounts view did not take the index built in the background")
	}
	press(m, "/")
	typeText(m, "a")
	warmed := screen(m)

	// A key before warmMsg builds it on the spot.
	cold, _ := open()
	press(cold, "3", "/")
	typeText(cold, "a")
	if got := screen(cold); got != warmed {
		t.Fatalf("the accounts view differs when used before warmMsg:\n%s\nwant\n%s", got, warmed)
	}
	cold.Update(warmMsg{}) // late: nothing left to do
	if got := screen(cold); got != warmed {
		t.Fatal("a late warmMsg changed the screen")
	}
}

// STEWARD_FIRST_FRAME_LOG: the first frame drawn with a portfolio writes
// one line, the milliseconds since Started; later frames write nothing.
func TestFirstFrameLogIsWrittenOnce(t *testing.T) {
	log := filepath.Join(t.TempDir(), "first-frame")
	opt := testOptions(fixturePath(t, 50))
	opt.FirstFrameLog, opt.Started = log, time.Now().Add(-1500*time.Millisecond)
	g := &guarded{m: New(opt)}
	quietTimers(g.m)
	g.m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	g.View() // "Loading…": no portfolio yet
	if _, err := os.Stat(log); err == nil {
		t.Fatal("the loading frame wrote the log")
	}
	g.m.Update(g.m.load(true)())
	g.View()
	g.View()
	out, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 1 {
		t.Fatalf("log %q, want one line", out)
	}
	if ms, err := strconv.Atoi(lines[0]); err != nil || ms < 1500 || ms > 60_000 {
		t.Fatalf("log says %q ms, want the time since Started", lines[0])
	}
}

// A file from an older steward opens: the dashboard upgrades it in place,
// says so, and shows it; the file is then of this schema.
func TestDashboardUpgradesAnOlderFile(t *testing.T) {
	path := fixturePath(t, 40)
	storetest.AsSchema2(t, path)
	if err := store.View(path, store.Options{}, func(*store.Tx) error { return nil }); !errors.Is(err, store.ErrOldSchema) {
		t.Fatalf("the schema-2 file opened for reading: %v", err)
	}
	m := New(testOptions(path))
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 30})
	m.Update(m.load(true)())
	if m.fatal != nil {
		t.Fatal(m.fatal)
	}
	mustContain(t, screen(m), "Upgraded the file to this steward's format (schema 3)", "Monday review")
	if err := store.View(path, store.Options{}, func(*store.Tx) error { return nil }); err != nil {
		t.Fatalf("after the dashboard opened it: %v", err)
	}
	rep, err := store.Check(path, store.Options{})
	if err != nil || len(rep.Problems) > 0 || rep.Schema != store.SchemaVersion {
		t.Fatalf("check after the upgrade: %v %+v", err, rep)
	}
}
