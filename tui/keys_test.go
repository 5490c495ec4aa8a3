package tui

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Every binding of the KeyMap is in the generated full help, with a key
// and a description.
func TestFullHelpHasEveryBinding(t *testing.T) {
	k := DefaultKeyMap()
	inHelp := map[string]bool{}
	for _, g := range k.FullHelp() {
		for _, b := range g {
			inHelp[b.Help().Key+"\x00"+b.Help().Desc] = true
		}
	}
	v := reflect.ValueOf(k)
	for i := 0; i < v.NumField(); i++ {
		b := v.Field(i).Interface().(key.Binding)
		name := v.Type().Field(i).Name
		if b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("%s has no help text", name)
		}
		if !inHelp[b.Help().Key+"\x00"+b.Help().Desc] {
			t.Errorf("%s (%s) is missing from FullHelp", name, b.Help().Key)
		}
	}
}

// The `?` screen shows every binding at the smallest and largest sizes
// (scrolling at the smallest).
func TestHelpScreenAtEverySize(t *testing.T) {
	for _, size := range [][2]int{{60, 15}, {80, 24}, {250, 70}} {
		m := loaded(t, emptyDB(t), size[0], size[1])
		press(m, "esc") // the "Who are you?" form of an empty roster
		press(m, "?")
		var seen strings.Builder
		for i := 0; i < 80; i++ { // enough to scroll through the whole help at 60x15
			seen.WriteString(screen(m))
			press(m, "j")
		}
		for _, g := range m.keys.FullHelp() {
			for _, b := range g {
				re := regexp.MustCompile(regexp.QuoteMeta(b.Help().Key) + ` +` + regexp.QuoteMeta(b.Help().Desc))
				if !re.MatchString(seen.String()) {
					t.Fatalf("%v: help lacks %q %q", size, b.Help().Key, b.Help().Desc)
				}
			}
		}
		m.Update(tea.KeyMsg{Type: tea.KeyEsc})
		if m.showHelp {
			t.Fatal("esc did not close the help")
		}
	}
}
