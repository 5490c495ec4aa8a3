package tui

import (
	"os"
	"path/filepath"
	"steward/store/storetest"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"steward/store"
)

func TestMain(m *testing.M) {
	doneStamps := storetest.IsolateStamps()
	// lipgloss caches the profile at first use; fix it so output is the
	// same in a terminal and in CI.
	lipgloss.SetColorProfile(termenv.Ascii)
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(childMain(spec))
	}
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	doneStamps()
	os.Exit(code)
}

func fixturePath(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "steward.db")
	writeFixture(tb, path, n)
	return path
}

func emptyDB(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "empty.db")
	if err := store.Update(path, store.Options{}, func(*store.Tx) error { return nil }); err != nil {
		tb.Fatal(err)
	}
	return path
}

func testOptions(path string) Options {
	return Options{Path: path, Now: func() time.Time { return fixNow }, AsOf: fixAsOf}
}

// quietTimers stops the model's timers: tests send clockMsg and pollMsg
// (which clears an expired status) by hand, with their own clock.
func quietTimers(m *Model) {
	m.clockTick = func() tea.Cmd { return nil }
	m.expireTick = func(time.Duration) tea.Cmd { return nil }
}

// loaded builds the root model against path at w x h and runs its first
// load synchronously (no ticker).
func loaded(tb testing.TB, path string, w, h int) *Model {
	tb.Helper()
	m, err := openLoaded(testOptions(path), w, h)
	if err != nil {
		tb.Fatalf("first load: %v", err)
	}
	return m
}

// openLoaded is loaded for any options; it returns the error instead of
// failing the test, so that other goroutines than the test's can call it.
func openLoaded(opt Options, w, h int) (*Model, error) {
	m := New(opt)
	quietTimers(m)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.load(true))
	return m, m.fatal
}

// drive runs a command and feeds its messages back, the way the runtime
// would; it reports whether the command quit.
func drive(m *Model, cmd tea.Cmd) (quit bool) {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case nil, pollMsg: // the poll chain would never end; tests poll by hand
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			quit = drive(m, c) || quit
		}
	default:
		_, next := m.Update(msg)
		return drive(m, next)
	}
	return quit
}

func keyOf(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+d":
		return tea.KeyMsg{Type: tea.KeyCtrlD}
	case "ctrl+u":
		return tea.KeyMsg{Type: tea.KeyCtrlU}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "home":
		return tea.KeyMsg{Type: tea.KeyHome}
	case "left":
		return tea.KeyMsg{Type: tea.KeyLeft}
	case "right":
		return tea.KeyMsg{Type: tea.KeyRight}
	case "ctrl+r":
		return tea.KeyMsg{Type: tea.KeyCtrlR}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "pgup":
		return tea.KeyMsg{Type: tea.KeyPgUp}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// press sends keys (each a key name or one rune) and runs what they
// start; it reports whether any of them quit.
func press(m *Model, keys ...string) (quit bool) {
	for _, k := range keys {
		_, cmd := m.Update(keyOf(k))
		quit = drive(m, cmd) || quit
	}
	return quit
}

func typeText(m *Model, s string) {
	for _, r := range s {
		press(m, string(r))
	}
}

// screen draws m afresh: tests also change a view's state directly,
// outside Update, which a running program never does.
func screen(m *Model) string {
	m.stale = true
	return m.View()
}

func mustContain(tb testing.TB, s string, parts ...string) {
	tb.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			tb.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

// changeElsewhere edits accounts ids as another process would (one
// write, audited as "cron"; edit gets each account's place in ids), then
// lets m see it: the poll's stat, and the change feed or a reload.
func changeElsewhere(t *testing.T, m *Model, path string, edit func(k int, a *store.Account), ids ...uint64) {
	t.Helper()
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		for k, id := range ids {
			a, err := tx.Account(id)
			if err != nil {
				return err
			}
			old := a.ARRCents
			edit(k, &a)
			kind, _ := store.LedgerKindFor(old, a.ARRCents)
			if _, err = tx.EditAccount(a, kind, store.Actor{Name: "cron"}, fixNow); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := m.Update(statMsg{statOf(path)})
	drive(m, cmd)
}

// lineWith is the first line of s that contains sub ("" if none).
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
