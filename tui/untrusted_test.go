package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"steward/store"
)

// Names, notes and titles from imports may hold bidi overrides,
// zero-width and control characters: every screen shows them escaped, so
// none can reorder or break a line.
func TestUntrustedTextIsEscapedOnScreen(t *testing.T) {
	path := fixturePath(t, 20)
	evil := "Acme\u202Egnp.exe\u2066 Zero\u200bWidth\u0085C1\x07Bell\x1b[31mRed"
	var id uint64
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		as, err := tx.Accounts()
		if err != nil {
			return err
		}
		a := as[0]
		a.Name = evil
		a.SuccessPlan = "Plan\u202Ereversed\nsecond line\u200f"
		id = a.ID
		return tx.PutAccount(&a)
	})
	if err != nil {
		t.Fatal(err)
	}
	m := loaded(t, path, 160, 60)
	press(m, "3", "/")
	typeText(m, "acme")
	press(m, "enter")
	if m.accounts.selectedID() != id {
		t.Fatalf("the filter did not find the account")
	}
	check := func(where string) {
		t.Helper()
		s := screen(m)
		for _, bad := range []string{"\u202E", "\u2066", "\u200b", "\u0085", "\x07", "\u200f"} {
			if strings.Contains(s, bad) {
				t.Fatalf("%s: raw %q reached the screen", where, bad)
			}
		}
		if strings.Contains(s, "\x1b[31m") {
			t.Fatalf("%s: an escape sequence from a name reached the terminal", where)
		}
		mustContain(t, s, "⟨U+202E⟩")
		for i, l := range strings.Split(s, "\n") {
			if w := ansi.StringWidth(l); w > 160 {
				t.Fatalf("%s: line %d is %d cells wide", where, i, w)
			}
		}
	}
	check("accounts")
	press(m, "enter")
	check("health detail")
	mustContain(t, screen(m), "⟨U+200B⟩", "⟨U+0085⟩", "⟨U+0007⟩", "⟨U+001B⟩", "⟨U+200F⟩")
	// A form title quotes the name too.
	press(m, "l")
	check("log activity form")
	press(m, "esc")

	if got := sanitize("a\tb\xffc"); got != "a b�c" {
		t.Errorf("sanitize = %q", got)
	}
	if got := sanitize("👨\u200d👩\u200d👧 family"); got != "👨\u200d👩\u200d👧 family" {
		t.Errorf("a zero-width joiner inside an emoji was escaped: %q", got)
	}
}
