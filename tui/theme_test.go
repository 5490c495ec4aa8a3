package tui

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// themeScreens are the key sequences whose screens the theme tests compare:
// every tab, the detail pages, help, the filter input (a textinput) and a
// form (textinputs, and a focused textarea) under the help line.
var themeScreens = [][]string{
	{"1"}, {"2"}, {"3"}, {"4"}, {"7"},
	{"3", "enter"}, {"4", "enter"}, {"?"},
	{"3", "/", "a", "c"},
	{"4", "n"},
	{"3", "x", "tab"},
}

func themeRenderer(p termenv.Profile, dark bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	r.SetHasDarkBackground(dark)
	return r
}

// themeRun drives a fresh model over themeScreens and returns its screens.
// It may run on any goroutine: it reports errors instead of failing.
func themeRun(path string, r *lipgloss.Renderer) ([]string, error) {
	opt := testOptions(path)
	opt.Renderer = r
	m, err := openLoaded(opt, 120, 40)
	if err != nil {
		return nil, err
	}
	m.clearStatus() // "Loaded … in 3ms": the time differs from run to run
	var out []string
	for _, keys := range themeScreens {
		press(m, keys...)
		out = append(out, screen(m))
		for n := 0; m.modal != nil || m.filtering || m.showHelp || len(m.stack) > 0; n++ {
			if n == 5 {
				return nil, fmt.Errorf("esc does not close the screen after %v", keys)
			}
			press(m, "esc")
			if f, ok := m.modal.(*form); ok && f.discard.active {
				press(m, "y")
			}
		}
	}
	return out, nil
}

// checkThemes: a has no escape code at all, b paints in true colour with
// the dark background's colours, and both say the same thing.
func checkThemes(t *testing.T, a, b []string) {
	t.Helper()
	darkMuted := "38;2;139;147;158" // colMuted.Dark, #8B949E as lipgloss rounds it
	for i, keys := range themeScreens {
		if strings.Contains(a[i], "\x1b[") {
			t.Fatalf("Ascii model emits escape codes after %v:\n%q", keys, a[i])
		}
		if !strings.Contains(b[i], "\x1b[") || !strings.Contains(b[i], "38;2;") {
			t.Fatalf("TrueColor model has no true colour after %v:\n%q", keys, b[i])
		}
		if !strings.Contains(b[i], darkMuted) {
			t.Fatalf("TrueColor model ignores its dark background after %v:\n%q", keys, b[i])
		}
		if plain := ansi.Strip(b[i]); plain != a[i] {
			t.Fatalf("the two models differ in text after %v:\nascii:\n%s\ntruecolor, stripped:\n%s", keys, a[i], plain)
		}
	}
}

// Two Models in one process (one per SSH session) paint with their own
// renderers, whatever lipgloss's default renderer says.
func TestThemePerModel(t *testing.T) {
	path := fixturePath(t, 40)
	loaded(t, path, 120, 40) // takes the week's snapshot, so both models load the same data
	defer lipgloss.SetColorProfile(termenv.Ascii)
	for _, global := range []termenv.Profile{termenv.Ascii, termenv.TrueColor} {
		lipgloss.SetColorProfile(global)
		a, err := themeRun(path, themeRenderer(termenv.Ascii, false))
		if err != nil {
			t.Fatal(err)
		}
		b, err := themeRun(path, themeRenderer(termenv.TrueColor, true))
		if err != nil {
			t.Fatal(err)
		}
		checkThemes(t, a, b)
	}
}

// The same, with both models loaded and driven at once: under -race this
// proves they share no mutable style state.
func TestThemeConcurrentModels(t *testing.T) {
	path := fixturePath(t, 40)
	loaded(t, path, 120, 40)
	renderers := []*lipgloss.Renderer{themeRenderer(termenv.Ascii, false), themeRenderer(termenv.TrueColor, true)}
	screens := make([][]string, len(renderers))
	errs := make([]error, len(renderers))
	var wg sync.WaitGroup
	for i, r := range renderers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			screens[i], errs[i] = themeRun(path, r)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkThemes(t, screens[0], screens[1])
}
