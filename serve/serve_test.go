package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	gossh "golang.org/x/crypto/ssh"

	"steward/serve/servetest"
	"steward/store"
	"steward/store/demo"
)

// These tests run the real server on 127.0.0.1 and a random port, and
// drive it with golang.org/x/crypto/ssh clients that request a PTY, as a
// member's terminal does.

// binary is the steward binary the SSH commands run (built once).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "steward-serve-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve tests: no temporary folder:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "steward")
	if out, err := exec.Command("go", "build", "-o", binary, "steward").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "serve tests: building steward failed: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// person is a member with a key.
type person struct {
	store.Member
	key servetest.Key
}

type fixture struct {
	t    *testing.T
	db   string
	srv  *Server
	addr string
	logs *servetest.Buffer

	manager, am, other, gone person
	// amOwn is an account the account manager owns, theirs another's.
	amOwn, theirs store.Account
}

// newFixture writes a 60-account demo portfolio, gives four members a key
// each (deactivating one), and serves it.
func newFixture(t *testing.T, tune func(*Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: filepath.Join(t.TempDir(), "team.db"), logs: &servetest.Buffer{}}
	if _, err := demo.Write(f.db, demo.Options{Accounts: 60, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	err := store.Update(f.db, store.Options{}, func(tx *store.Tx) error {
		members, err := tx.Members()
		if err != nil {
			return err
		}
		accts, err := tx.Accounts()
		if err != nil {
			return err
		}
		owned := map[uint64][]store.Account{}
		for _, a := range accts {
			if a.Lifecycle != store.Churned {
				owned[a.OwnerID] = append(owned[a.OwnerID], a)
			}
		}
		for _, m := range members {
			switch {
			case !m.Active:
			case m.Role == store.RoleManager && f.manager.ID == 0:
				f.manager.Member = m
			case f.am.ID == 0 && len(owned[m.ID]) > 0:
				f.am.Member = m
			case f.other.ID == 0 && len(owned[m.ID]) > 0:
				f.other.Member = m
			}
		}
		if f.manager.ID == 0 || f.am.ID == 0 || f.other.ID == 0 {
			t.Fatalf("the demo roster lacks a manager and two owners: %+v", members)
		}
		f.gone.Member, err = tx.AddMember(store.Member{Name: "Gale Gone", Email: "gale@example.com", Role: store.RoleAccountManager, Capacity: 10, Active: true}, store.Actor{}, time.Now())
		if err != nil {
			return err
		}
		f.amOwn, f.theirs = owned[f.am.ID][0], owned[f.other.ID][0]
		for _, p := range []*person{&f.manager, &f.am, &f.other, &f.gone} {
			p.key = servetest.NewKey(t)
			if _, err := tx.AddMemberKey(p.ID, p.key.Line, store.Actor{}, time.Now()); err != nil {
				return err
			}
		}
		_, err = tx.DeactivateMember(f.gone.ID, store.Actor{}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{DB: f.db, Exe: binary, Log: log.NewWithOptions(f.logs, log.Options{Formatter: log.LogfmtFormatter, Level: log.DebugLevel}), IdleTimeout: time.Hour}
	if tune != nil {
		tune(&cfg)
	}
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	go f.srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.srv.Shutdown(ctx)
	})
	return f
}

func (f *fixture) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return servetest.Dial(f.addr, auth...)
}

// open signs p in and opens a w×h dashboard, waiting for its first frame.
func (f *fixture) open(p person, w, h int, env ...string) *servetest.Term {
	f.t.Helper()
	c, err := f.dial(gossh.PublicKeys(p.key.Signer))
	if err != nil {
		f.t.Fatalf("%s could not sign in: %v", p.Name, err)
	}
	tm, err := servetest.Open(c, w, h, env...)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(tm.Close)
	tm.WaitFor(f.t, 0, "as "+p.Name, 10*time.Second)
	return tm
}

func TestMemberSignsInWithTheirKey(t *testing.T) {
	f := newFixture(t, nil)
	tm := f.open(f.manager, 140, 40)
	if txt := tm.Text(0); !strings.Contains(txt, "1 Review") || !strings.Contains(txt, "Signed in as "+f.manager.Name) {
		t.Fatalf("the dashboard did not open as %s:\n%s", f.manager.Name, txt)
	}
	if !strings.Contains(tm.Raw(), "\x1b[") {
		t.Fatal("a 256-colour client got no colour")
	}
	if logs := f.logs.String(); !strings.Contains(logs, "msg=connect") || !strings.Contains(logs, f.manager.key.Fingerprint) {
		t.Fatalf("the connect line names no key:\n%s", logs)
	}
	tm.Keys("q")
	if code := tm.Wait(t, 5*time.Second); code != 0 {
		t.Fatalf("quitting ended with status %d", code)
	}
	waitFor(t, func() bool { return f.srv.Hub().Sessions() == 0 }, "the session to leave the hub")
	if logs := f.logs.String(); !strings.Contains(logs, "msg=disconnect") {
		t.Fatalf("no disconnect line:\n%s", logs)
	}
}

func TestNoColorSessionHasNoEscapeColours(t *testing.T) {
	f := newFixture(t, nil)
	tm := f.open(f.manager, 140, 40, "NO_COLOR=1")
	tm.Keys("4")
	tm.WaitFor(t, 0, "[4 Escalations]", 5*time.Second)
	if raw := tm.Raw(); strings.Contains(raw, "\x1b[38;") || strings.Contains(raw, "\x1b[31m") {
		t.Fatal("NO_COLOR in the session's environment still got colours")
	}
}

func TestRefusedAtAuthentication(t *testing.T) {
	f := newFixture(t, nil)
	stranger := servetest.NewKey(t)
	cases := []struct {
		name string
		auth gossh.AuthMethod
		log  string
	}{
		{"an unknown key", gossh.PublicKeys(stranger.Signer), stranger.Fingerprint},
		{"a deactivated member's key", gossh.PublicKeys(f.gone.key.Signer), f.gone.key.Fingerprint},
		{"a password", gossh.Password("hunter2"), "password sign-in is not accepted"},
		{"keyboard-interactive", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil }), "keyboard-interactive sign-in is not accepted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := f.dial(c.auth)
			if err == nil {
				cl.Close()
				t.Fatal("signed in")
			}
			t.Logf("refused: %v", err)
			waitFor(t, func() bool { return strings.Contains(f.logs.String(), c.log) }, "the refusal's log line")
		})
	}
	if n := f.srv.Hub().Sessions(); n != 0 {
		t.Fatalf("%d sessions opened", n)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "no longer an active member") || !strings.Contains(logs, `msg="key refused"`) {
		t.Fatalf("the deactivated member's refusal does not say why:\n%s", logs)
	}
	// The connection's own line comes once the server has closed it,
	// after the client has its answer.
	waitFor(t, func() bool { return strings.Count(f.logs.String(), "msg=refused") >= 3 }, "a refused line for each refused connection")
}

// A client that offers the manager's public key (which it cannot sign
// with) and then signs in with the account manager's key is the account
// manager: the session's member comes from the key that authenticated,
// not from a key merely offered (README, "Serve your team").
func TestOfferedKeyIsNotTheSessionsMember(t *testing.T) {
	f := newFixture(t, nil)
	tm := servetest.Connect(t, f.addr, 140, 40, gossh.PublicKeys(servetest.OfferOnly{Key: f.manager.key.Signer.PublicKey()}, f.am.key.Signer))
	tm.WaitFor(t, 0, "Signed in as "+f.am.Name, 10*time.Second)
	if logs := f.logs.String(); !strings.Contains(logs, `msg="key accepted" member="`+f.manager.Name+`" key=`+f.manager.key.Fingerprint) {
		t.Fatalf("the manager's key was not offered first:\n%s", logs)
	}
	if strings.Contains(tm.Text(0), "as "+f.manager.Name) {
		t.Fatalf("the session is %s, whose key was only offered", f.manager.Name)
	}
	// And what it writes is the account manager's, with their key.
	logActivity(t, tm, f.amOwn.Name, "Offered-key check")
	tm.WaitFor(t, 0, "Logged a call on", 10*time.Second)
	acts := activities(t, f.db, f.amOwn.ID)
	last := acts[0]
	if last.Text != "Offered-key check" || last.Author != f.am.Name || last.Session != f.am.key.Fingerprint {
		t.Fatalf("the activity is %+v, want author %s with key %s", last, f.am.Name, f.am.key.Fingerprint)
	}
}

// findAccount filters the accounts view down to the account named.
func findAccount(t *testing.T, tm *servetest.Term, account string) {
	t.Helper()
	tm.Keys("3")
	m := tm.Mark()
	tm.Keys("/")
	tm.Type(account)
	tm.Keys("\r")
	tm.WaitFor(t, m, "1 of ", 5*time.Second)
}

// logActivity opens an account by name from the accounts view and logs a
// call with text.
func logActivity(t *testing.T, tm *servetest.Term, account, text string) {
	t.Helper()
	findAccount(t, tm, account)
	m := tm.Mark()
	tm.Keys("l")
	tm.WaitFor(t, m, "Log activity on", 5*time.Second)
	tm.Keys("\t")
	tm.Type(text)
	tm.Keys("\r")
}

func activities(t *testing.T, db string, account uint64) []store.Activity {
	t.Helper()
	var acts []store.Activity
	err := store.View(db, store.Options{}, func(tx *store.Tx) (err error) {
		acts, err = tx.Activities(account, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) == 0 {
		t.Fatal("no activities")
	}
	return acts
}

func TestAccountManagerMayEditOnlyTheirOwn(t *testing.T) {
	f := newFixture(t, nil)
	tm := f.open(f.am, 140, 40)
	before := len(activities(t, f.db, f.theirs.ID))
	m := tm.Mark()
	logActivity(t, tm, f.theirs.Name, "Not mine to log")
	tm.WaitFor(t, m, "only the account's owner or a manager can log activity on", 5*time.Second)
	if after := len(activities(t, f.db, f.theirs.ID)); after != before {
		t.Fatalf("a refused activity was written: %d activities, were %d", after, before)
	}
	tm.Esc()
	tm.WaitScreen(t, "Discard what you typed?", false, 5*time.Second)
	tm.Keys("y")
	tm.WaitScreen(t, "Log activity on", true, 5*time.Second)
	tm.Esc() // and the kept filter
	m = tm.Mark()
	logActivity(t, tm, f.amOwn.Name, "Renewal call, went well")
	tm.WaitFor(t, m, "Logged a call on", 5*time.Second)
	last := activities(t, f.db, f.amOwn.ID)[0]
	if last.Text != "Renewal call, went well" || last.Author != f.am.Name || last.Session != f.am.key.Fingerprint {
		t.Fatalf("the activity is %+v", last)
	}
}

// A change made in one session shows in another within 250 ms, and the
// other keeps its own place.
func TestChangeInOneSessionShowsInAnother(t *testing.T) {
	f := newFixture(t, nil)
	a := f.open(f.manager, 140, 40)
	// b is taller: the health page lists the account's open tasks (the
	// playbooks' among them) above its latest activities.
	b := f.open(f.am, 140, 56)
	a.WaitFor(t, 0, "also here: "+f.am.Name, 5*time.Second)
	b.WaitFor(t, 0, "also here: "+f.manager.Name, 5*time.Second)
	// b opens its own account's health page; a logs a call on it.
	findAccount(t, b, f.amOwn.Name)
	mb := b.Mark()
	b.Keys("\r")
	b.WaitFor(t, mb, "Latest activities", 5*time.Second)
	// Three changes, each of which must show; the quickest within 250 ms.
	// A feed that polled, or waited for a timer, would miss it every
	// time; one change slowed by CI running a browser beside this test
	// does not fail it.
	best := time.Hour
	for i := 1; i <= 3; i++ {
		text := fmt.Sprintf("Seen from the other session, %d", i)
		ma := a.Mark()
		mb = b.Mark()
		logActivity(t, a, f.amOwn.Name, text)
		a.WaitFor(t, ma, "Logged a call on", 5*time.Second)
		saved := time.Now()
		b.WaitFor(t, mb, text, 5*time.Second)
		best = min(best, time.Since(saved))
	}
	if best > 250*time.Millisecond {
		t.Errorf("the quickest of three changes took %s to show in the other session (want under 250 ms)", best)
	}
	if !strings.Contains(b.Text(mb), "Latest activities") {
		t.Fatal("the other session lost its page")
	}
}

// Both leads with one escalation open see each other on it.
func TestEscalationShowsWhoElseHasItOpen(t *testing.T) {
	f := newFixture(t, nil)
	a := f.open(f.manager, 140, 40)
	b := f.open(f.other, 140, 40)
	for _, tm := range []*servetest.Term{a, b} {
		tm.Keys("4")
		tm.WaitFor(t, 0, "[4 Escalations]", 5*time.Second)
		tm.Keys("g\r")
		tm.WaitFor(t, 0, "Escalation #", 5*time.Second)
	}
	a.WaitFor(t, 0, "also open by "+f.other.Name, 5*time.Second)
	b.WaitFor(t, 0, "also open by "+f.manager.Name, 5*time.Second)
	a.WaitScreen(t, "also open by "+f.other.Name, false, 5*time.Second)
	b.Esc()
	a.WaitScreen(t, "also open by", true, 5*time.Second)
}

func TestResizeRelaysOut(t *testing.T) {
	f := newFixture(t, nil)
	tm := f.open(f.manager, 140, 40)
	tm.WaitScreen(t, "● ", false, 5*time.Second) // the header's full band counts
	if err := tm.Resize(40, 10); err != nil {
		t.Fatal(err)
	}
	tm.WaitScreen(t, "too small", false, 5*time.Second)
	if err := tm.Resize(70, 30); err != nil {
		t.Fatal(err)
	}
	tm.WaitScreen(t, "[1 Review]", false, 5*time.Second)
	if scr := tm.Screen(); strings.Contains(scr, "too small") || !strings.Contains(scr, "due90") {
		t.Fatalf("70 columns did not get the compact header:\n%s", scr)
	}
}

func TestMaxSessionsTurnsTheNextAway(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxSessions = 1 })
	f.open(f.manager, 100, 30)
	tm := servetest.Connect(t, f.addr, 100, 30, gossh.PublicKeys(f.am.key.Signer))
	if code := tm.Wait(t, 5*time.Second); code != 1 {
		t.Fatalf("status %d", code)
	}
	if txt := tm.Text(0); !strings.Contains(txt, "already has its 1 sessions open") {
		t.Fatalf("the second session was told: %q", txt)
	}
}

func TestIdleSessionEndsWithAMessage(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.IdleTimeout = 400 * time.Millisecond })
	tm := f.open(f.manager, 100, 30)
	if code := tm.Wait(t, 5*time.Second); code != 1 {
		t.Fatalf("status %d", code)
	}
	if txt := tm.Text(0); !strings.Contains(txt, "no key was pressed for 400ms") {
		t.Fatalf("the idle session was told: %q", txt)
	}
}

// A client that stops answering (a laptop closed mid-form) is dropped by
// the keepalives, and what it was typing is not written.
func TestSilentClientIsDropped(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.KeepAlive, c.KeepAliveMax = 100*time.Millisecond, 2 })
	proxy := servetest.NewFreezer(t, f.addr)
	tm := servetest.Connect(t, proxy.Addr, 120, 30, gossh.PublicKeys(f.am.key.Signer))
	tm.WaitFor(t, 0, "Signed in as", 10*time.Second)
	before := len(activities(t, f.db, f.amOwn.ID))
	findAccount(t, tm, f.amOwn.Name)
	tm.Keys("l\tHalf-typed")
	time.Sleep(200 * time.Millisecond)
	proxy.Freeze()
	waitFor(t, func() bool { return f.srv.Hub().Sessions() == 0 }, "the silent session to be dropped")
	if !strings.Contains(f.logs.String(), "stopped answering keepalives") {
		t.Fatalf("no log line for the drop:\n%s", f.logs.String())
	}
	if after := len(activities(t, f.db, f.amOwn.ID)); after != before {
		t.Fatal("the dropped session's form was written")
	}
	// And the file is not held: a write from the shell goes through.
	if err := store.Update(f.db, store.Options{LockTimeout: time.Second}, func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestShutdownTellsEverySession(t *testing.T) {
	f := newFixture(t, nil)
	a := f.open(f.manager, 100, 30)
	b := f.open(f.am, 100, 30)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("shutdown took %s", took)
	}
	for _, tm := range []*servetest.Term{a, b} {
		tm.Wait(t, 5*time.Second)
		if !strings.Contains(tm.Text(0), "the server is restarting") {
			t.Fatalf("a session was not told: %q", tm.Text(0))
		}
	}
}

func TestSSHCommands(t *testing.T) {
	f := newFixture(t, nil)
	run := func(p person, cmd string, stdin string) (string, string, int) {
		t.Helper()
		c, err := f.dial(gossh.PublicKeys(p.key.Signer))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		s.Stdout, s.Stderr, s.Stdin = &out, &errb, strings.NewReader(stdin)
		err = s.Run(cmd)
		code := 0
		var exit *gossh.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitStatus()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), code
	}
	out, _, code := run(f.am, "report --format csv", "")
	if code != 0 || !strings.HasPrefix(out, "as_of,member,") {
		t.Fatalf("report: status %d, %q", code, out)
	}
	_, errs, code := run(f.am, "export accounts --out /tmp/x.csv", "")
	if code != 2 || !strings.Contains(errs, "--out is set by the server") {
		t.Fatalf("export --out: status %d, %q", code, errs)
	}
	_, errs, code = run(f.am, "backup /tmp/b.db", "")
	if code != 2 || !strings.Contains(errs, "over SSH you can run report, export and import") {
		t.Fatalf("backup: status %d, %q", code, errs)
	}
	csv := "Name,Owner,ARR,Renewal Date\nBrand New Co," + f.am.Email + ",12000,2027-06-30\n"
	out, _, code = run(f.am, "import --dry-run", csv)
	if code != 0 || !strings.Contains(out, "stdin") {
		t.Fatalf("dry run by an account manager: status %d, %q", code, out)
	}
	for _, cmd := range []string{"import", "import --dry-run --dry-run=false", "import -dry-run=0"} {
		_, errs, code = run(f.am, cmd, csv)
		if code != 1 || !strings.Contains(errs, "only a manager can import") {
			t.Fatalf("%s by an account manager: status %d, %q", cmd, code, errs)
		}
	}
	_, errs, code = run(f.am, "import --dry-run=maybe", csv)
	if code != 2 {
		t.Fatalf("--dry-run=maybe: status %d, %q", code, errs)
	}
	out, _, code = run(f.am, "report --help", "")
	if code != 0 || !strings.Contains(out, "steward over SSH runs, as you") || strings.Contains(out, f.db) {
		t.Fatalf("report --help: status %d, %q", code, out)
	}
	bad := "Name,Owner,ARR,Renewal Date\nBad Date Co," + f.am.Email + ",12000,2026-02-30\n"
	_, errs, code = run(f.manager, "import", bad)
	if code != 1 || !strings.Contains(errs, "stdin:2") {
		t.Fatalf("a bad import: status %d, %q", code, errs)
	}
	tm := f.open(f.other, 140, 40)
	m := tm.Mark()
	out, errs, code = run(f.manager, "import --kind accounts", csv)
	if code != 0 {
		t.Fatalf("import by the manager: status %d, %q %q", code, out, errs)
	}
	tm.Keys("3/Brand New")
	tm.WaitFor(t, m, "Brand New Co", 5*time.Second)
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A save still waiting for the file when the server is told to stop
// commits before the server exits.
func TestShutdownLetsAWriteInFlightCommit(t *testing.T) {
	f := newFixture(t, nil)
	tm := f.open(f.am, 140, 40)
	held, release := make(chan struct{}), make(chan struct{})
	go store.Update(f.db, store.Options{}, func(*store.Tx) error {
		close(held)
		<-release
		return nil
	})
	<-held
	logActivity(t, tm, f.amOwn.Name, "In flight at shutdown")
	time.Sleep(300 * time.Millisecond) // the save waits for the file
	go func() {
		time.Sleep(500 * time.Millisecond)
		close(release)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-release:
	default:
		t.Fatal("Shutdown returned while the save still waited for the file")
	}
	if last := activities(t, f.db, f.amOwn.ID)[0]; last.Text != "In flight at shutdown" {
		t.Fatalf("the save in flight was lost: the latest activity is %q", last.Text)
	}
}

// The status a session opens with goes away as any other does.
func TestSignedInStatusExpires(t *testing.T) {
	t.Parallel() // it waits out the status
	f := newFixture(t, nil)
	tm := f.open(f.manager, 140, 40)
	tm.WaitScreen(t, "Signed in as", false, 5*time.Second)
	tm.WaitScreen(t, "Signed in as", true, 8*time.Second)
}

// A key removed while its session is open signs that session out at the
// next change; the member's other keys are untouched.
func TestRemovedKeySignsTheSessionOut(t *testing.T) {
	f := newFixture(t, nil)
	tm := f.open(f.am, 120, 30)
	other := f.open(f.manager, 120, 30)
	if err := store.Update(f.db, store.Options{}, func(tx *store.Tx) error {
		return tx.RemoveMemberKey(f.am.ID, f.am.key.Fingerprint, store.Actor{}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if code := tm.Wait(t, 5*time.Second); code != 1 {
		t.Fatalf("status %d", code)
	}
	if txt := tm.Text(0); !strings.Contains(txt, "you were signed out") {
		t.Fatalf("the session was told: %q", txt)
	}
	select {
	case <-other.Done():
		t.Fatal("the manager's session ended too")
	default:
	}
}

// A session channel closed on a connection that stays open (a client that
// multiplexes) ends its dashboard: no spinning, no slot kept.
func TestClosedChannelEndsTheDashboard(t *testing.T) {
	f := newFixture(t, nil)
	c, err := f.dial(gossh.PublicKeys(f.am.key.Signer))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tm, err := servetest.Open(c, 120, 30)
	if err != nil {
		t.Fatal(err)
	}
	tm.WaitFor(t, 0, "Signed in as", 10*time.Second)
	tm.Sess.Close()
	waitFor(t, func() bool { return f.srv.Hub().Sessions() == 0 }, "the dashboard to end with its channel")
}
