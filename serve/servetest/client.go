// Package servetest drives steward's team server the way a member's
// terminal does: a golang.org/x/crypto/ssh client with a PTY, which answers
// the terminal queries a real terminal answers, and keeps what the
// server drew so a test can wait for text on the screen.
package servetest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/crypto/ssh"
)

// Key is a fresh ed25519 key pair: the signer a client signs in with, and
// the authorized_keys line a manager adds to a member.
type Key struct {
	Signer      ssh.Signer
	Line        string
	Fingerprint string
}

// NewKey makes a key.
func NewKey(tb testing.TB) Key {
	tb.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	return Key{Signer: s, Line: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey()))), Fingerprint: ssh.FingerprintSHA256(s.PublicKey())}
}

// Dial connects and authenticates with auth (the first method that the
// server accepts wins, as in OpenSSH).
func Dial(addr string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	return ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User:            "member",
		Auth:            auth,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	})
}

// Term is one session with a PTY: what the server drew, and the keys to
// send.
type Term struct {
	Client *ssh.Client
	Sess   *ssh.Session
	in     io.WriteCloser

	mu   sync.Mutex
	out  bytes.Buffer
	w, h int // the size the server was last told
	done chan struct{}
	err  error // the session's end (an *ssh.ExitError for a non-zero status)
}

// Open opens a dashboard session of w×h on a client, with env set in the
// session's environment (e.g. NO_COLOR).
func Open(c *ssh.Client, w, h int, env ...string) (*Term, error) {
	s, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if err := s.Setenv(k, v); err != nil {
			return nil, err
		}
	}
	if err := s.RequestPty("xterm-256color", h, w, ssh.TerminalModes{}); err != nil {
		return nil, err
	}
	t := &Term{Client: c, Sess: s, done: make(chan struct{}), w: w, h: h}
	if t.in, err = s.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := s.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s.Stderr = writerFunc(t.write)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		buf := make([]byte, 32<<10)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				t.answer(buf[:n])
				t.write(buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	if err := s.Shell(); err != nil {
		return nil, err
	}
	go func() {
		t.err = s.Wait()
		<-drained // the last bytes drawn are read before the end is told
		close(t.done)
	}()
	return t, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (t *Term) write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.out.Write(p)
}

// answer replies to the terminal queries a real terminal answers (the
// background colour, the device attributes), as the server's renderer
// asks them before the first frame.
func (t *Term) answer(p []byte) {
	if bytes.Contains(p, []byte("\x1b]11;?")) {
		io.WriteString(t.in, "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\")
	}
	if bytes.Contains(p, []byte("\x1b[c")) {
		io.WriteString(t.in, "\x1b[?62;22c")
	}
}

// Keys types s (raw bytes: "\r" is enter, "\t" tab, "\x1b" esc).
func (t *Term) Keys(s string) {
	io.WriteString(t.in, s)
}

// Type types s one key at a time, as a person does.
func (t *Term) Type(s string) {
	for _, r := range s {
		io.WriteString(t.in, string(r))
		time.Sleep(5 * time.Millisecond)
	}
}

// Resize tells the server the terminal is now w×h.
func (t *Term) Resize(w, h int) error {
	t.mu.Lock()
	t.w, t.h = w, h
	t.mu.Unlock()
	return t.Sess.WindowChange(h, w)
}

// Screen is what the terminal shows now: the stream so far played on a
// screen of the session's size (a resize applies from the next byte).
func (t *Term) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := newScreen(t.w, t.h)
	s.feed(t.out.Bytes())
	return s.String()
}

// WaitScreen waits until the screen shows text (or, with gone, no longer
// does), failing the test after d with the screen.
func (t *Term) WaitScreen(tb testing.TB, text string, gone bool, d time.Duration) time.Duration {
	tb.Helper()
	start := time.Now()
	for {
		if strings.Contains(t.Screen(), text) != gone {
			return time.Since(start)
		}
		if time.Since(start) > d {
			tb.Fatalf("waited %s for the screen to %s %q; it shows:\n%s", d, map[bool]string{false: "show", true: "lose"}[gone], text, t.Screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Esc presses escape alone: a key typed right after it would read as
// alt+key, as in a real terminal.
func (t *Term) Esc() {
	io.WriteString(t.in, "\x1b")
	time.Sleep(150 * time.Millisecond)
}

// Raw is everything drawn so far, escape codes included.
func (t *Term) Raw() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.out.String()
}

// Mark is the place in the output from which a later wait looks.
func (t *Term) Mark() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.out.Len()
}

// Text is what was drawn after mark, without escape codes.
func (t *Term) Text(mark int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return ansi.Strip(string(t.out.Bytes()[min(mark, t.out.Len()):]))
}

// WaitFor waits until text appears after mark, and returns how long it
// took; it fails the test after d with what was on the screen.
func (t *Term) WaitFor(tb testing.TB, mark int, text string, d time.Duration) time.Duration {
	tb.Helper()
	start := time.Now()
	for {
		if strings.Contains(t.Text(mark), text) {
			return time.Since(start)
		}
		if time.Since(start) > d {
			tb.Fatalf("%q did not appear within %s; the screen shows:\n%s", text, d, t.Screen())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Find is the last match of re after mark ("" when none).
func (t *Term) Find(mark int, re *regexp.Regexp) string {
	m := re.FindAllString(t.Text(mark), -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// Done is closed when the session has ended.
func (t *Term) Done() <-chan struct{} { return t.done }

// Wait waits up to d for the session to end and returns its exit status.
func (t *Term) Wait(tb testing.TB, d time.Duration) int {
	tb.Helper()
	select {
	case <-t.done:
	case <-time.After(d):
		tb.Fatalf("the session did not end within %s; the screen had:\n%s", d, tail(t.Text(0), 2000))
	}
	if t.err == nil {
		return 0
	}
	if e, ok := t.err.(*ssh.ExitError); ok {
		return e.ExitStatus()
	}
	return -1
}

// Close ends the client's connection.
func (t *Term) Close() {
	t.Sess.Close()
	t.Client.Close()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// OfferOnly offers Key's public key, which the server's key check
// accepts, but never proves it: its "signature" is of a kind the server
// turns down without ending the connection, so the client goes on to its
// next key. A client with it first and a real key second is the case of a
// key offered during authentication that is not the one the session was
// authenticated with.
type OfferOnly struct{ Key ssh.PublicKey }

func (o OfferOnly) PublicKey() ssh.PublicKey { return o.Key }

func (o OfferOnly) Sign(io.Reader, []byte) (*ssh.Signature, error) {
	return &ssh.Signature{Format: ssh.KeyAlgoRSASHA512, Blob: make([]byte, 64)}, nil
}

// Freezer is a TCP proxy that can stop forwarding without closing: a
// laptop closed mid-session, as the server sees it.
type Freezer struct {
	Addr   string
	l      net.Listener
	stop   chan struct{}
	mu     sync.Mutex
	frozen bool
}

// NewFreezer forwards a local port to target.
func NewFreezer(tb testing.TB, target string) *Freezer {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	f := &Freezer{Addr: l.Addr().String(), l: l, stop: make(chan struct{})}
	tb.Cleanup(func() { l.Close(); close(f.stop) })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go f.pipe(c, s)
			go f.pipe(s, c)
		}
	}()
	return f
}

// Freeze stops every byte, both ways, for good.
func (f *Freezer) Freeze() {
	f.mu.Lock()
	f.frozen = true
	f.mu.Unlock()
}

func (f *Freezer) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		f.mu.Lock()
		frozen := f.frozen
		f.mu.Unlock()
		if frozen {
			<-f.stop // hold the connection open, silent, until the test ends
			src.Close()
			dst.Close()
			return
		}
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// String names the term for failures.
func (t *Term) String() string { return fmt.Sprintf("term(%p)", t) }

// Connect signs in to addr with auth and opens a w×h session, failing the
// test when either is refused; the session is closed when the test ends.
func Connect(tb testing.TB, addr string, w, h int, auth ...ssh.AuthMethod) *Term {
	tb.Helper()
	c, err := Dial(addr, auth...)
	if err != nil {
		tb.Fatalf("signing in to %s: %v", addr, err)
	}
	t, err := Open(c, w, h)
	if err != nil {
		c.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(t.Close)
	return t
}

// Buffer is a bytes.Buffer one goroutine (a server's log, a child
// process) writes while the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
