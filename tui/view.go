package tui

import (
	"strconv"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"steward/store/portfolio"
)

type keyMsg = tea.KeyMsg

// page is the contract every screen meets. The root owns layout and hands
// each page its size; pages never guess the terminal size. HandleKey returns
// an intent (openAccount, openEscalation, ...) that the root acts on, so
// navigation between screens lives in one place.
type page interface {
	SetSize(w, h int)
	SetPortfolio(p *portfolio.Portfolio)
	HandleKey(k *KeyMap, msg keyMsg) intent
	View() string
	Hints(k *KeyMap) []key.Binding
}

// A detail page shows one record; esc back to the list it was opened from
// puts the list's cursor on that record again, wherever a reload or the
// minute tick re-sorted it (a resolve and a reopen move an escalation out
// of the queue and back).
type recordKind int

const (
	recAccount recordKind = iota
	recEscalation
)

type recordPage interface {
	record() (recordKind, uint64)
}

// recordSelector is a list that can put its cursor on a record; it
// reports false when the record is not shown (filtered out, resolved).
type recordSelector interface {
	selectRecord(kind recordKind, id uint64) bool
}

// filterable pages accept `/` queries.
type filterable interface {
	SetQuery(q string)
	Query() string
	// Matches is how many rows the query keeps (shown while typing).
	Matches() int
}

// intent is what a key asks the root to do beyond the page itself.
type intent interface{}

type openAccount struct{ id uint64 }

// notice is a line for the status bar, when a key has nothing to do.
type notice string

type openEscalation struct{ id uint64 }

type openMember struct {
	id         uint64
	name       string
	unassigned bool
}

// navigate applies the list movement keys to a cursor over n rows with a
// page of h rows.
func navigate(k *KeyMap, msg keyMsg, cursor *int, n, h int, clamp func()) bool {
	half := max(1, h/2)
	switch {
	case key.Matches(msg, k.Up):
		*cursor--
	case key.Matches(msg, k.Down):
		*cursor++
	case key.Matches(msg, k.Top):
		*cursor = 0
	case key.Matches(msg, k.Bottom):
		*cursor = n - 1
	case key.Matches(msg, k.HalfDown):
		*cursor += half
	case key.Matches(msg, k.HalfUp):
		*cursor -= half
	case key.Matches(msg, k.PageDown):
		*cursor += max(1, h)
	case key.Matches(msg, k.PageUp):
		*cursor -= max(1, h)
	default:
		return false
	}
	clamp()
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }
