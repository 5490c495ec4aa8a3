// Package tui is steward's dashboard: a Bubble Tea program over the
// portfolio read model. It holds the database only for the length of a
// read (SPEC section 7) and polls the file so that changes made by other
// steward processes show up within two seconds.
//
// Design notes:
//   - One root Model owns the terminal size, the tabs, an esc history stack
//     of detail pages, the status line and the hint line. Key precedence:
//     an open modal (the next issue's forms and prompts), then the `/`
//     filter input, then global keys, then the active page.
//   - All I/O is a tea.Cmd returning a typed message with an error; loads
//     and detail reads carry a sequence number and stale replies are dropped.
//   - Tables are our own (table.go): only visible rows are rendered, row
//     strings are cached by record ID and selection, columns are dropped by
//     priority when the terminal is narrow, and text is truncated with an
//     ellipsis using display widths (CJK, emoji).
//   - The accounts filter matches every space-separated term against the
//     pre-folded "name owner segment": rows containing every term come
//     first, then fuzzy (in-order subsequence) hits, each in the current sort
//     order; a growing query narrows the previous result.
//   - Bands always carry a glyph and a word (● green, ◆ yellow, ■ red,
//     ? unknown); the cursor row carries "▸"; the active tab is bracketed. So
//     NO_COLOR (no escape codes at all) loses nothing.
//   - This week's automatic snapshot is taken after the first frame, in the
//     background; the file poll then reloads.
//   - Actions (actions.go) open a modal form (form.go) built from bubbles
//     textinputs; choices are pickers (fuzzy-filtered option lists). Submit
//     validates inline, then runs one store.Update from a tea.Cmd whose
//     closure holds only copied values; the result carries the form's token,
//     so success closes that form and reloads, and failure (a lock timeout
//     included) keeps it open with its content and the error.
//   - The acting member (Options.As, else the first active manager) is
//     looked up on every load for the header and again inside every write
//     transaction. An --as that matches nobody does not stop the dashboard:
//     it opens read-only, the header says "as ? (unknown --as: read-only)",
//     the status line names the members, and every action key refuses with
//     that message.
package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
)

// Options configure the dashboard.
type Options struct {
	Path  string
	Store store.Options
	Now   func() time.Time // nil: time.Now
	AsOf  metrics.Date     // zero: portfolio.Today(Now())
	// As is the acting member (name or email) recorded as the author of
	// changes by the triage and editing actions; reading needs no author.
	As string
}

// Run opens the dashboard in the alternate screen and returns when the user
// quits, or with the error that made the first load fail.
func Run(opt Options) error {
	configureTerminal()
	m := New(opt)
	final, err := tea.NewProgram(m, tea.WithAltScreen()).Run()
	if err != nil {
		return err
	}
	if fm, ok := final.(*Model); ok && fm.fatal != nil {
		return fm.fatal
	}
	return nil
}
