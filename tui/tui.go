// Package tui is steward's dashboard: a Bubble Tea program over the
// portfolio read model. It holds the database only for the length of a
// read (SPEC section 7) and watches the file, so that changes made by
// other steward processes show up at once (watch.go).
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
//   - On a team server (steward serve) every session is a Model on one Hub
//     (shared.go): one portfolio and one accounts index for all of them,
//     followed once per change; a Session (session.go) reads it under the
//     hub's read lock.
//   - Every style comes from the Model's own renderer (Options.Renderer,
//     styles.go), never lipgloss's default one: served over SSH, one
//     process runs a Model per session, and each paints with its own
//     client's colour profile and background.
package tui

import (
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"golang.org/x/term"

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
	// FirstFrameLog, when set, names a file Run appends the milliseconds
	// from Started to the first loaded frame on screen to (a line), for
	// the benchmark of a real open (README, "Performance").
	FirstFrameLog string
	Started       time.Time
	// Renderer paints every style: an SSH session's own, so that each
	// client gets its colour profile and background. nil: lipgloss's
	// default renderer, the process's terminal (Run configures it).
	Renderer *lipgloss.Renderer
	// MemberID, when set, is the signed-in member of a team server's
	// session (Hub.NewSession): changes are theirs, As is not read.
	// Session is the fingerprint of the key the session signed in with.
	MemberID uint64
	Session  string
}

// Run opens the dashboard in the alternate screen and returns when the user
// quits, or with the error that made the first load fail.
//
// Every exit path gives the terminal back. Bubble Tea restores it on a
// quit, a signal and a panic in Update or View; it also catches a panic in
// a command's goroutine, but prints a stack trace, and a fault in a
// goroutine that reads the database (SIGSEGV, SIGBUS through bbolt's map)
// is no panic at all: the process died with the terminal in raw mode on
// the alternate screen. So every command and every Update and View runs
// under a guard of our own (guarded below) that turns a panic, and a
// fault (debug.SetPanicOnFault), into one line of error and an orderly
// quit. What no process can catch in itself (a fatal runtime error, a
// SIGKILL) the command line handles by running the dashboard in a child
// process and restoring the terminal when the child dies (main.go,
// runDashboard).
func Run(opt Options) error {
	configureTerminal()
	// Loads walk only the tree's shape; the full verification runs once a
	// load is on screen (guarded.Update), so the first frame waits for
	// nothing but the read (README "Sharing the file").
	opt.Store.Background = true
	g := &guarded{m: New(opt)}
	g.m.watch = watchFile(opt.Path)
	defer g.m.watch.Close()
	in, out := os.Stdin, os.Stdout
	if !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		// Not our own terminal: Bubble Tea's renderer and its ways of
		// finding one (it opens /dev/tty for input).
		g.p = tea.NewProgram(g, tea.WithAltScreen())
		_, err := g.p.Run()
		return g.result(err)
	}
	// Our own terminal: frames are drawn by display (display.go), so
	// Bubble Tea gets no renderer, and what its renderer set up (raw
	// mode, the screen's modes, the window size) is done here.
	state, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		return fmt.Errorf("cannot use the terminal: %w", err)
	}
	defer term.Restore(int(in.Fd()), state)
	g.display = newDisplay(out)
	g.display.open()
	defer g.display.close()
	g.p = tea.NewProgram(g, tea.WithoutRenderer(), tea.WithInput(in))
	stop := watchWindowSize(g.p, out.Fd())
	_, err = g.p.Run()
	stop()
	return g.result(err)
}

// watchWindowSize sends the terminal's size now and at every SIGWINCH,
// until stop is called.
func watchWindowSize(p *tea.Program, fd uintptr) (stop func()) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			if w, h, err := term.GetSize(int(fd)); err == nil {
				p.Send(tea.WindowSizeMsg{Width: w, Height: h})
			}
			select {
			case <-winch:
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(done)
	}
}

func (g *guarded) result(err error) error {
	if g.crash != nil {
		return g.crash
	}
	if err != nil {
		return err
	}
	return g.m.fatal
}

// guarded wraps the root model so that nothing inside it can end the
// process without giving the terminal back (see Run).
type guarded struct {
	m       *Model
	p       *tea.Program
	display *display // nil: Bubble Tea's renderer draws
	crash   error
	// firstFrame: the first frame with a portfolio has been drawn.
	firstFrame bool
}

// updateHook, when set, sees every message first, inside the guard (a
// test makes one session's dashboard panic with it).
var updateHook func(m *Model, msg tea.Msg)

// crashMsg ends the program after a panic or fault caught by the guard.
type crashMsg struct{ err error }

func crashed(r any) error {
	return fmt.Errorf("the dashboard stopped on an internal error (%v): changes saved before it are kept; please report it", r)
}

func (g *guarded) Init() tea.Cmd { return g.wrap(g.m.Init()) }

func (g *guarded) Update(msg tea.Msg) (model tea.Model, cmd tea.Cmd) {
	if c, ok := msg.(crashMsg); ok {
		if g.crash == nil {
			g.crash = c.err
		}
		return g, tea.Quit
	}
	defer func() {
		if r := recover(); r != nil {
			g.crash = crashed(r)
			model, cmd = g, tea.Quit
		}
	}()
	if h := updateHook; h != nil {
		h(g.m, msg)
	}
	if ws, ok := msg.(tea.WindowSizeMsg); ok && g.display != nil {
		g.display.resize(ws.Width, ws.Height)
	}
	_, cmd = g.m.Update(msg)
	if l, ok := msg.(loadedMsg); ok && l.err == nil {
		// The file as loaded gets its full walk now, off the screen's path;
		// a write (this week's snapshot, an edit) then finds it verified.
		store.VerifyInBackground(g.m.opt.Path, g.m.opt.Store)
	}
	return g, g.wrap(cmd)
}

func (g *guarded) View() (view string) {
	defer func() {
		if r := recover(); r != nil {
			err := crashed(r)
			// View runs on the event loop, which Send would block: ask
			// from another goroutine.
			go g.p.Send(crashMsg{err})
			view = ""
		}
	}()
	view = g.m.View()
	if g.display != nil {
		g.display.draw(view)
	}
	if !g.firstFrame && g.m.p != nil {
		g.firstFrame = true
		if log := g.m.opt.FirstFrameLog; log != "" {
			if f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
				fmt.Fprintf(f, "%d\n", time.Since(g.m.opt.Started).Milliseconds())
				f.Close()
			}
		}
	}
	return view
}

// wrap runs cmd, and every command of a batch it returns, with faults
// turned into panics and panics into a crashMsg.
func (g *guarded) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				msg = crashMsg{crashed(r)}
			}
		}()
		msg = cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for i := range b {
				b[i] = g.wrap(b[i])
			}
		}
		return msg
	}
}

// findActor is who acts: the signed-in member of a team server's
// session, else --as (store.FindActor).
func (o *Options) findActor(members []store.Member) (store.Actor, error) {
	if o.MemberID != 0 {
		return store.MemberActor(members, o.MemberID, o.Session)
	}
	return store.FindActor(members, o.As)
}
