package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// An idle dashboard draws nothing: a poll that finds the file as it was
// hands the last frame back; an expiring status, a key, a resize and a
// change on disk draw.
func TestIdlePollDrawsNothing(t *testing.T) {
	m := loaded(t, fixturePath(t, 40), 120, 40)
	first := m.View()
	n := m.draws
	for i := 0; i < 5; i++ {
		m.Update(pollMsg{})
		m.Update(statMsg{m.stat})
		if v := m.View(); v != first {
			t.Fatal("an idle poll changed the frame")
		}
	}
	if m.draws != n {
		t.Fatalf("idle polls drew %d frames, want none", m.draws-n)
	}
	press(m, "3")
	if !strings.Contains(m.View(), "[3 Accounts]") || m.draws != n+1 {
		t.Fatal("a key was not drawn")
	}
	m.say("Saved")
	m.View()
	n = m.draws
	m.statusUntil = time.Time{}.Add(1) // long past
	m.Update(expireMsg{})
	if v := m.View(); m.draws != n+1 || strings.Contains(v, "Saved") {
		t.Fatalf("the expired status was not cleared from the screen (%d draws)", m.draws-n)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if m.View(); m.draws != n+2 {
		t.Fatal("a resize was not drawn")
	}
	// The file changed: the poll starts a read, and its result is drawn.
	_, cmd := m.Update(statMsg{fileStat{}})
	if cmd == nil {
		t.Fatal("a changed file started no read")
	}
	if m.View(); m.draws != n+3 {
		t.Fatal("the poll that found a change was not drawn")
	}
}

// display writes only the rows that changed, truncated to the width,
// erases rows a shorter frame no longer has, and starts over on a resize.
func TestDisplayWritesOnlyChangedRows(t *testing.T) {
	var out bytes.Buffer
	d := newDisplay(&out)
	d.resize(10, 3)
	d.draw("alpha\nbravo\ncharlie-delta-echo")
	got := out.String()
	for _, want := range []string{"\x1b[2J", "alpha\x1b[K", "bravo\x1b[K", "charlie-de"} {
		if !strings.Contains(got, want) {
			t.Fatalf("first frame lacks %q: %q", want, got)
		}
	}
	if strings.Contains(got, "charlie-del") {
		t.Fatalf("a row wider than the terminal was not cut: %q", got)
	}
	out.Reset()
	d.draw("alpha\nBRAVO\ncharlie-delta-echo")
	if got := out.String(); got != "\x1b[2;1HBRAVO\x1b[K" {
		t.Fatalf("one changed row wrote %q", got)
	}
	out.Reset()
	d.draw("alpha\nBRAVO\ncharlie-delta-echo")
	if out.Len() != 0 {
		t.Fatalf("the same frame wrote %q", out.String())
	}
	d.draw("alpha\nBRAVO\ncharlie-delta-echo\nfour\nfive")
	if strings.Contains(out.String(), "five") {
		t.Fatalf("a row below the terminal was written: %q", out.String())
	}
	out.Reset()
	d.draw("alpha")
	if got := out.String(); got != "\x1b[2;1H\x1b[J" {
		t.Fatalf("a shorter frame wrote %q", got)
	}
	out.Reset()
	d.resize(20, 5)
	d.draw("alpha")
	if got := out.String(); got != "\x1b[2J\x1b[Halpha\x1b[K" {
		t.Fatalf("after a resize the frame wrote %q", got)
	}
}

// The watch wakes the poll when the file is written, at once, and not for
// other files in its folder.
func TestWatchWakesOnAWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "steward.db")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := watchFile(path)
	if w == nil {
		t.Skip("no inotify here: the dashboard polls")
	}
	defer w.Close()
	wait := func(write func()) time.Duration {
		done := make(chan time.Duration)
		go func() {
			start := time.Now()
			w.wait(3*time.Second, nil)
			done <- time.Since(start)
		}()
		time.Sleep(100 * time.Millisecond)
		write()
		return <-done
	}
	if took := wait(func() {}); took < 3*time.Second {
		t.Fatalf("a quiet file woke the wait after %s", took)
	}
	other := filepath.Join(dir, "backup.db")
	if took := wait(func() { os.WriteFile(other, []byte("y"), 0o600) }); took < 3*time.Second {
		t.Fatalf("another file woke the wait after %s", took)
	}
	took := wait(func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		f.WriteAt([]byte("z"), 4096)
		f.Close()
	})
	if took > time.Second {
		t.Fatalf("a write woke the wait after %s, not at once", took)
	}
}
