// Package serve is steward's team server: one process owns the portfolio's
// read model and serves the dashboard over SSH (charmbracelet/wish), each
// member signed in by one of their keys (README, "Serve your team").
//
// Design notes:
//   - Authentication is by public key only. A key is accepted when it
//     belongs to an active member (store.MemberKey by its SHA256
//     fingerprint, read from the shared portfolio). The session's member
//     is looked up again from the key the connection was authenticated
//     with (ssh.Session.PublicKey, which the ssh package takes from the
//     permissions of the key that signed), never remembered from a key
//     the client merely offered: the authentication handler stores
//     nothing.
//   - The file is held only for the length of a transaction, as the
//     local dashboard holds it, so report, backup, export and import keep
//     working from the shell beside the server; the hub follows the file
//     (tui.Hub).
//   - Each session is a tea.Program with its own renderer (the client's
//     colour profile), without a signal handler (a signal to the server
//     must not end sessions one by one), under tui's guard: a panic ends
//     that session with one line, never the server.
//   - SSH commands (report, export, import) run the steward binary itself
//     as a child with the member as --as, so they behave, exit and word
//     their errors exactly as at the shell.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"steward/store"
	"steward/tui"
)

// Config configure a Server.
type Config struct {
	DB    string
	Store store.Options
	// HostKey is the server's private key file, made once (ed25519, 0600)
	// when missing; "" puts it beside the database.
	HostKey     string
	IdleTimeout time.Duration // no key pressed for this long ends a session; 0: never
	MaxSessions int           // dashboards open at once; more are turned away
	// KeepAlive is how often the server asks an idle client whether it is
	// still there; a client that misses KeepAliveMax answers in a row is
	// dropped. Zero: 30 s and 3.
	KeepAlive    time.Duration
	KeepAliveMax int
	// Exe is the steward binary the SSH commands run ("" : none are served).
	Exe string
	Log *log.Logger
	Now func() time.Time
}

// HostKeyBeside is the default host key file of a database.
func HostKeyBeside(db string) string {
	return filepath.Join(filepath.Dir(db), strings.TrimSuffix(filepath.Base(db), filepath.Ext(db))+"_host_ed25519")
}

// Server is a running team server.
type Server struct {
	cfg Config
	hub *tui.Hub
	ssh *ssh.Server
	log *log.Logger

	mu       sync.Mutex
	programs map[*tea.Program]*tui.Session
	stopping bool
	active   atomic.Int32
	// handlers counts the sessions being served (dashboards and
	// commands), so Shutdown can let them finish; once it is closed a new
	// session is told the server is restarting.
	handlers tui.Inflight
}

// New loads the portfolio and prepares the SSH server (nothing listens
// until Serve).
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = log.NewWithOptions(io.Discard, log.Options{})
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 30 * time.Second
	}
	if cfg.KeepAliveMax <= 0 {
		cfg.KeepAliveMax = 3
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 64
	}
	if cfg.HostKey == "" {
		cfg.HostKey = HostKeyBeside(cfg.DB)
	}
	s := &Server{cfg: cfg, log: cfg.Log, programs: map[*tea.Program]*tui.Session{}}
	if err := checkHostKey(cfg.HostKey); err != nil {
		return nil, err
	}
	hub, err := tui.NewHub(tui.HubOptions{Path: cfg.DB, Store: cfg.Store, Now: cfg.Now, Log: func(level, msg string, kv ...any) {
		s.log.Error(msg, kv...)
	}})
	if err != nil {
		return nil, err
	}
	s.hub = hub
	s.ssh, err = wish.NewServer(
		wish.WithHostKeyPath(cfg.HostKey),
		wish.WithPublicKeyAuth(s.authKey),
		wish.WithPasswordAuth(func(ctx ssh.Context, _ string) bool {
			s.log.Warn("password refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String(), "why", "password sign-in is not accepted: use a key")
			return false
		}),
		wish.WithKeyboardInteractiveAuth(func(ctx ssh.Context, _ gossh.KeyboardInteractiveChallenge) bool {
			s.log.Warn("keyboard-interactive refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String(), "why", "keyboard-interactive sign-in is not accepted: use a key")
			return false
		}),
		wish.WithMiddleware(s.handle),
		func(srv *ssh.Server) error {
			// One line a connection that never became a session: the
			// refusal (after a line for each key or password it tried),
			// or what broke the handshake.
			srv.ConnectionFailedCallback = func(c net.Conn, err error) {
				if strings.Contains(err.Error(), "no auth passed yet") {
					s.log.Warn("refused", "remote", c.RemoteAddr().String(), "why", "no key of an active member")
					return
				}
				s.log.Warn("connection failed", "remote", c.RemoteAddr().String(), "err", err.Error())
			}
			return nil
		},
	)
	if err != nil {
		hub.Close()
		return nil, fmt.Errorf("host key %s: %w", store.QuotePath(cfg.HostKey), err)
	}
	if err := os.Chmod(cfg.HostKey, 0o600); err != nil {
		hub.Close()
		return nil, fmt.Errorf("host key %s: %w", store.QuotePath(cfg.HostKey), err)
	}
	return s, nil
}

// checkHostKey refuses a host key file anyone else can read: it is the
// server's identity.
func checkHostKey(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // made by New
	}
	if err != nil {
		return fmt.Errorf("host key %s: %w", store.QuotePath(path), err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("host key %s can be read by others (mode %o): run chmod 600 %s", store.QuotePath(path), st.Mode().Perm(), store.QuotePath(path))
	}
	return nil
}

// Hub is the shared read model (for tests and benchmarks).
func (s *Server) Hub() *tui.Hub { return s.hub }

// Serve accepts connections on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown tells every session the server is restarting, ends them, lets
// the writes in flight commit, and closes every connection, within ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.handlers.Close()
	s.mu.Lock()
	s.stopping = true
	for p := range s.programs {
		p.Quit()
	}
	s.mu.Unlock()
	// The dashboards say why they end and the commands (an import) run
	// to their end; then the writes the dashboards started commit.
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Second)
	}
	var err error
	if !s.handlers.Wait(time.Until(deadline)) {
		err = errors.New("sessions still running at shutdown")
	}
	if !s.hub.Drain(max(0, time.Until(deadline))) {
		err = errors.New("a write was still running at shutdown")
	}
	s.ssh.Close() // the listener and every connection
	s.hub.Close()
	return err
}

// fingerprint is how keys are named everywhere: as ssh-keygen -l does.
func fingerprint(k ssh.PublicKey) string { return gossh.FingerprintSHA256(k) }

// authKey accepts the key of an active member. It stores nothing: the
// session finds its member again from the key that authenticated.
func (s *Server) authKey(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := fingerprint(key)
	m, err := s.hub.Member(fp)
	if err != nil {
		s.log.Warn("key refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String(), "key", fp, "why", err.Error())
		return false
	}
	s.log.Debug("key accepted", "member", m.Name, "key", fp)
	return true
}

// handle serves one SSH session: a dashboard, or a command.
func (s *Server) handle(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if !s.handlers.Start() {
			fmt.Fprint(sess.Stderr(), "steward: the server is restarting: sign in again in a moment\r\n")
			sess.Exit(1)
			return
		}
		defer s.handlers.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("session failed", "err", fmt.Sprint(r))
				fmt.Fprintf(sess.Stderr(), "steward: the session stopped on an internal error (%v)\r\n", r)
				sess.Exit(1)
			}
		}()
		key := sess.PublicKey()
		if key == nil {
			fmt.Fprintln(sess.Stderr(), "steward: sign in with a key")
			sess.Exit(1)
			return
		}
		fp := fingerprint(key)
		member, err := s.hub.Member(fp)
		if err != nil {
			s.log.Warn("refused", "user", sess.User(), "remote", sess.RemoteAddr().String(), "key", fp, "why", err.Error())
			fmt.Fprintf(sess.Stderr(), "steward: %v\r\n", err)
			sess.Exit(1)
			return
		}
		who := []any{"member", member.Name, "key", fp, "remote", sess.RemoteAddr().String()}
		if len(sess.Command()) > 0 {
			code := s.command(sess, member, fp)
			s.log.Info("command", append(who, "cmd", sess.RawCommand(), "exit", code)...)
			sess.Exit(code)
			return
		}
		code := s.dashboard(sess, member, fp, who)
		sess.Exit(code)
		next(sess)
	}
}

// dashboard runs a member's dashboard in the session, and returns the
// exit status.
func (s *Server) dashboard(sess ssh.Session, member store.Member, fp string, who []any) int {
	_, winCh, ok := sess.Pty()
	if !ok {
		fmt.Fprint(sess.Stderr(), "steward: the dashboard needs a terminal: connect with ssh -t, or run a command (report, export, import)\r\n")
		return 1
	}
	if n := s.active.Add(1); int(n) > s.cfg.MaxSessions {
		s.active.Add(-1)
		s.log.Warn("refused", append(who, "why", "max sessions")...)
		fmt.Fprintf(sess, "steward: the server already has its %d sessions open (--max-sessions): try again later\r\n", s.cfg.MaxSessions)
		return 1
	}
	defer s.active.Add(-1)
	r := bm.MakeRenderer(sess)
	if noColor(sess.Environ()) {
		r.SetColorProfile(termenv.Ascii)
	}
	ts := s.hub.NewSession(tui.SessionOptions{MemberID: member.ID, Name: member.Name, Fingerprint: fp, Renderer: r, IdleTimeout: s.cfg.IdleTimeout})
	opts := append([]tea.ProgramOption{tea.WithAltScreen(), tea.WithoutSignalHandler()}, bm.MakeOptions(sess)...)
	p := tea.NewProgram(ts, opts...)
	ts.Attach(p)
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		fmt.Fprint(sess, "steward: the server is restarting: sign in again in a moment\r\n")
		return 1
	}
	s.programs[p] = ts
	s.mu.Unlock()
	s.log.Info("connect", who...)
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				p.Quit()
				return
			case w, ok := <-winCh:
				if !ok {
					// The session's channel closed while its connection
					// stays (a multiplexing client): end the dashboard.
					p.Quit()
					return
				}
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	go s.keepAlive(ctx, sess, p)
	_, err := p.Run()
	p.Kill()
	ts.Close()
	s.mu.Lock()
	delete(s.programs, p)
	stopping := s.stopping
	s.mu.Unlock()
	code := 0
	why := ts.Ended()
	switch {
	case stopping:
		why, code = "the server is restarting: sign in again in a moment", 0
	case why != "":
		code = 1
	case err != nil && !errors.Is(err, tea.ErrProgramKilled):
		why, code = err.Error(), 1
	}
	if why != "" {
		fmt.Fprintf(sess, "steward: %s\r\n", why)
	}
	s.log.Info("disconnect", append(who, "why", orDash(why))...)
	return code
}

// keepAlive asks the client every KeepAlive whether it is still there, and
// ends the session when it misses KeepAliveMax answers in a row: a laptop
// closed mid-session leaves no dashboard behind.
func (s *Server) keepAlive(ctx context.Context, sess ssh.Session, p *tea.Program) {
	conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn)
	if !ok {
		return
	}
	t := time.NewTicker(s.cfg.KeepAlive)
	defer t.Stop()
	missed := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, err := conn.SendRequest("keepalive@openssh.com", true, nil)
			answered <- err
		}()
		select {
		case err := <-answered:
			if err == nil {
				missed = 0
				continue
			}
			missed = s.cfg.KeepAliveMax
		case <-time.After(s.cfg.KeepAlive):
			missed++
		case <-ctx.Done():
			return
		}
		if missed >= s.cfg.KeepAliveMax {
			s.log.Warn("dropped", "remote", sess.RemoteAddr().String(), "why", "the client stopped answering keepalives")
			p.Kill()
			conn.Close()
			return
		}
	}
}

func noColor(env []string) bool {
	return slices.ContainsFunc(env, func(kv string) bool {
		v, ok := strings.CutPrefix(kv, "NO_COLOR=")
		return ok && v != ""
	})
}

func orDash(s string) string {
	if s == "" {
		return "quit"
	}
	return s
}

// HostKeyFingerprint is the SHA256 fingerprint of the server's host key,
// what a client's first connection asks the user to confirm.
func (s *Server) HostKeyFingerprint() string {
	if len(s.ssh.HostSigners) == 0 {
		return ""
	}
	return fingerprint(s.ssh.HostSigners[0].PublicKey())
}
