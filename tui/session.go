package tui

import (
	"fmt"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// SessionOptions describe one signed-in member's dashboard on a Hub.
type SessionOptions struct {
	// MemberID and Name are the member the session's key belongs to:
	// every change is theirs, checked again inside each write.
	MemberID uint64
	Name     string
	// Fingerprint is the SHA256 fingerprint of the key the session was
	// authenticated with; every audit entry records it.
	Fingerprint string
	// Renderer paints with the client's colour profile and background.
	Renderer *lipgloss.Renderer
	// IdleTimeout ends a session no key was pressed in for that long;
	// zero: never.
	IdleTimeout time.Duration
}

// Session is one member's dashboard on a Hub: the same Model as a local
// dashboard, under the guard that turns a panic into the end of this
// session only, reading the hub's portfolio under its read lock.
type Session struct {
	g           *guarded
	hub         *Hub
	memberID    uint64
	name        string
	fingerprint string
	idle        time.Duration
	lastKey     time.Time

	// pending are the commands the hub's changes asked for, taken by the
	// session's next Update; written under the hub's write lock, read
	// under its read lock.
	pending []tea.Cmd
	woken   atomic.Bool
	viewing uint64 // the escalation open (hub.pmu)
	// ended says why the session ended itself (idle), for the line the
	// server prints after the dashboard's screen is gone.
	ended string
}

// NewSession makes a member's dashboard on the hub. Attach its program
// before running it.
func (h *Hub) NewSession(o SessionOptions) *Session {
	m := New(Options{Path: h.path, Store: h.opt, Now: h.now, Renderer: o.Renderer,
		MemberID: o.MemberID, Session: o.Fingerprint})
	s := &Session{g: &guarded{m: m}, hub: h, memberID: o.MemberID, name: o.Name, fingerprint: o.Fingerprint, idle: o.IdleTimeout, lastKey: h.now()}
	m.hub, m.sess, m.accounts.hub = h, s, h
	return s
}

// Attach gives the session the program it runs in, for the hub's notices.
func (s *Session) Attach(p *tea.Program) { s.g.p = p }

// Close leaves the hub; the server calls it when the program has ended.
func (s *Session) Close() { s.hub.leave(s) }

// Ended is why the session ended: the idle timeout's line, or the
// internal error that stopped its dashboard; "" when the member quit.
func (s *Session) Ended() string {
	if s.g.crash != nil {
		return s.g.crash.Error()
	}
	return s.ended
}

func (s *Session) m() *Model { return s.g.m }

// wakeMsg tells a session the hub changed what it shows (a change, the
// minute, who is here).
type wakeMsg struct{}

// idleMsg asks the session whether it has been idle too long.
type idleMsg struct{}

func (s *Session) idleTick() tea.Cmd {
	if s.idle <= 0 {
		return nil
	}
	return tea.Tick(min(s.idle, time.Minute), func(time.Time) tea.Msg { return idleMsg{} })
}

// adopt runs f on the model under the hub's write lock (the caller holds
// it) and keeps the commands it returns for the session's next Update. A
// panic ends this session, never the hub.
func (s *Session) adopt(f func(m *Model) tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			err := crashed(r)
			if p := s.g.p; p != nil {
				go p.Send(crashMsg{err})
			} else if s.g.crash == nil {
				s.g.crash = err
			}
		}
	}()
	m := s.m()
	until := m.statusUntil
	if cmd := f(m); cmd != nil {
		s.pending = append(s.pending, cmd)
	}
	if m.statusUntil != until && !m.statusUntil.IsZero() {
		// A status raised here, outside Update, expires as one raised
		// there does (Model.Update).
		s.pending = append(s.pending, m.expireTick(m.statusUntil.Sub(m.opt.Now())))
	}
	m.stale = true
}

// end signs the session out with why (the hub holds its write lock).
func (s *Session) end(why string) {
	if s.ended == "" {
		s.ended = why
		s.pending = append(s.pending, tea.Quit)
	}
}

// wake sends one wakeMsg, unless one is on its way already.
func (s *Session) wake() {
	if p := s.g.p; p != nil && s.woken.CompareAndSwap(false, true) {
		go p.Send(wakeMsg{})
	}
}

func (s *Session) Init() tea.Cmd {
	s.hub.join(s)
	s.hub.mu.RLock()
	cmds := append(s.pending, s.idleTick())
	s.pending = nil
	s.hub.mu.RUnlock()
	return s.g.wrap(tea.Batch(cmds...))
}

func (s *Session) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tea.KeyMsg:
		s.lastKey = s.hub.now()
	case idleMsg:
		if idle := s.hub.now().Sub(s.lastKey); idle >= s.idle {
			s.ended = fmt.Sprintf("no key was pressed for %s: the session ended (the server's --idle-timeout); sign in again to go on", s.idle)
			return s, tea.Quit
		}
		return s, s.idleTick()
	}
	viewing, cmd := s.update(msg)
	if viewing != s.viewingNow() {
		s.hub.setViewing(s, viewing)
	}
	return s, cmd
}

func (s *Session) viewingNow() uint64 {
	s.hub.pmu.Lock()
	defer s.hub.pmu.Unlock()
	return s.viewing
}

// update runs the model's Update under the hub's read lock, with what the
// hub's changes asked for, and says which escalation is open after it.
func (s *Session) update(msg tea.Msg) (viewing uint64, cmd tea.Cmd) {
	s.hub.mu.RLock()
	defer s.hub.mu.RUnlock()
	defer func() {
		// What runs here outside the model's guard ends the session on a
		// panic as the guard does: with one line, never the server.
		if r := recover(); r != nil {
			s.g.crash = crashed(r)
			cmd = tea.Quit
		}
	}()
	if _, ok := msg.(wakeMsg); ok {
		s.woken.Store(false)
		s.m().presenceChanged()
		cmd = s.g.wrap(tea.Batch(s.pending...))
		s.pending = nil
	}
	_, own := s.g.Update(msg)
	return s.m().openEscalation(), tea.Batch(cmd, own)
}

func (s *Session) View() string {
	s.hub.mu.RLock()
	defer s.hub.mu.RUnlock()
	return s.g.View()
}

// presenceChanged redraws who else is here: the header, and the open
// escalation's "also open by".
func (m *Model) presenceChanged() {
	m.buildTabs()
	for _, f := range m.stack {
		if pg, ok := f.page.(*escPage); ok {
			pg.others = m.hub.viewers(pg.id, m.sess)
			pg.rebuild()
		}
	}
}

// openEscalation is the escalation whose page is on top, 0 for none.
func (m *Model) openEscalation() uint64 {
	if pg, ok := m.current().(*escPage); ok {
		return pg.id
	}
	return 0
}
