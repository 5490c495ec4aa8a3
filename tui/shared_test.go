package tui

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/transfer"
)

// hubSession is a session on the hub, in a real program without a
// terminal.
type hubSession struct {
	s    *Session
	p    *tea.Program
	done chan error
}

func openOnHub(t *testing.T, h *Hub, member store.Member) *hubSession {
	t.Helper()
	s := h.NewSession(SessionOptions{MemberID: member.ID, Name: member.Name})
	p := tea.NewProgram(s, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	s.Attach(p)
	hs := &hubSession{s: s, p: p, done: make(chan error, 1)}
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		_, err := p.Run()
		s.Close()
		hs.done <- err
	}()
	p.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	t.Cleanup(func() {
		p.Kill()
		<-finished
	})
	return hs
}

// read runs f on the session's model with every session stopped (the
// hub's write lock), so the test reads a model no Update is changing.
func (hs *hubSession) read(f func(m *Model)) {
	hs.s.hub.mu.Lock()
	defer hs.s.hub.mu.Unlock()
	f(hs.s.m())
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func hubFixture(t *testing.T) (string, *Hub, []store.Member) {
	t.Helper()
	path := fixturePath(t, 200)
	h, err := NewHub(HubOptions{Path: path, Now: func() time.Time { return fixNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	var members []store.Member
	if err := store.View(path, store.Options{}, func(tx *store.Tx) (err error) {
		members, err = tx.Members()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return path, h, members
}

// Every session shows the one portfolio the hub keeps, and a change from
// elsewhere is read once and reaches them all.
func TestHubSessionsShareOnePortfolio(t *testing.T) {
	path, h, members := hubFixture(t)
	a, b := openOnHub(t, h, members[0]), openOnHub(t, h, members[1])
	eventually(t, "both sessions to join", func() bool { return h.Sessions() == 2 })
	var acct, first uint64
	var touched metrics.Date
	a.read(func(m *Model) {
		first = m.p.Seq
		for _, ac := range m.p.Accounts {
			if ac.Live && ac.LastTouch < metrics.DateOf(fixNow.Local()) {
				acct, touched = ac.ID, ac.LastTouch
				break
			}
		}
	})
	if err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		_, err := tx.LogActivity(acct, store.ActCall, "from the shell", store.Actor{}, fixNow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var seq uint64
	eventually(t, "the change to reach both sessions", func() bool {
		h.mu.RLock()
		seq = h.p.Seq
		h.mu.RUnlock()
		ok := true
		for _, s := range []*hubSession{a, b} {
			s.read(func(m *Model) {
				ok = ok && m.p.Seq == seq && m.p == h.p && m.p.Account(acct).LastTouch != touched
			})
		}
		return ok && seq > first
	})
}

// An import from the shell is one transaction: sessions see all of it or
// none of it, never a part.
func TestHubSeesAnImportWhole(t *testing.T) {
	path, h, members := hubFixture(t)
	a := openOnHub(t, h, members[0])
	eventually(t, "the session to join", func() bool { return h.Sessions() == 1 })
	var before int
	a.read(func(m *Model) { before = len(m.p.Accounts) })
	var seen sync.Map
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			a.read(func(m *Model) { seen.Store(len(m.p.Accounts), true) })
			time.Sleep(time.Millisecond)
		}
	}()
	csv := "Name,Owner,ARR,Renewal Date\n"
	for _, n := range []string{"Whole One", "Whole Two", "Whole Three"} {
		csv += n + "," + members[0].Email + ",1000,2027-06-30\n"
	}
	file := filepath.Join(t.TempDir(), "new.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := transfer.Import(path, store.Options{}, file, transfer.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the import to land", func() bool {
		_, ok := seen.Load(before + 3)
		return ok
	})
	close(stop)
	seen.Range(func(k, _ any) bool {
		if n := k.(int); n != before && n != before+3 {
			t.Errorf("a session saw %d accounts: part of the import", n)
		}
		return true
	})
}

// A panic in one session's dashboard ends that session, with the error,
// and never the hub or another session.
func TestPanicEndsOnlyItsSession(t *testing.T) {
	_, h, members := hubFixture(t)
	// The hook is in place before any session runs, and removed after
	// they all ended (cleanups run last first).
	var target atomic.Pointer[Model]
	updateHook = func(m *Model, msg tea.Msg) {
		if k, ok := msg.(tea.KeyMsg); ok && k.String() == "P" && m == target.Load() {
			panic("boom")
		}
	}
	t.Cleanup(func() { updateHook = nil })
	a, b := openOnHub(t, h, members[0]), openOnHub(t, h, members[1])
	eventually(t, "both sessions to join", func() bool { return h.Sessions() == 2 })
	target.Store(a.s.m())
	a.p.Send(keyOf("P"))
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the panicking session did not end")
	}
	if why := a.s.Ended(); !strings.Contains(why, "internal error (boom)") {
		t.Fatalf("the session ended with %q", why)
	}
	eventually(t, "the ended session to leave", func() bool { return h.Sessions() == 1 })
	b.p.Send(keyOf("P"))
	b.p.Send(keyOf("4"))
	eventually(t, "the other session to go on", func() bool {
		tab := 0
		b.read(func(m *Model) { tab = m.tab })
		return tab == tabEscalations
	})
}

// The sessions' accounts views read one index and one set of sort
// orders, which the hub keeps up to date; each keeps its own filter.
func TestAccountsViewsShareOneIndex(t *testing.T) {
	path, h, members := hubFixture(t)
	a, b := openOnHub(t, h, members[0]), openOnHub(t, h, members[1])
	eventually(t, "both sessions to join", func() bool { return h.Sessions() == 2 })
	for _, s := range []*hubSession{a, b} {
		s.p.Send(keyOf("3"))
	}
	a.p.Send(keyOf("s")) // owner: an order made once, for both
	b.p.Send(keyOf("s"))
	for _, k := range []string{"/", "a", "l"} {
		a.p.Send(keyOf(k))
	}
	var acct uint64
	var name string
	eventually(t, "both views built, a filtered", func() bool {
		ok := true
		a.read(func(m *Model) { ok = ok && !m.accounts.pending && m.accounts.query == "al" && m.accounts.sortCol == 1 })
		b.read(func(m *Model) {
			ok = ok && !m.accounts.pending && m.accounts.query == "" && m.accounts.sortCol == 1
			if ok && len(m.accounts.rows) > 0 {
				r := &m.p.Accounts[m.accounts.rows[0]]
				acct, name = r.ID, r.Name
			}
		})
		return ok
	})
	same := func(m *Model) bool {
		return unsafe.SliceData(m.accounts.arena) == unsafe.SliceData(h.accounts.ix.arena) &&
			unsafe.SliceData(m.accounts.orders[1]) == unsafe.SliceData(h.accounts.orders[1])
	}
	a.read(func(m *Model) {
		if !same(m) {
			t.Fatal("session a built an index or order of its own")
		}
	})
	b.read(func(m *Model) {
		if !same(m) {
			t.Fatal("session b built an index or order of its own")
		}
	})
	// A change from elsewhere bands b's top account red: both views
	// follow, through the one index the hub fixed.
	if err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		_, err := tx.SetOverride(acct, metrics.Red, "shared index", fixAsOf.AddDays(10), store.Actor{}, fixNow)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b.p.Send(keyOf("b")) // band filter: red
	eventually(t, "the red band to show in b's filter", func() bool {
		found := false
		b.read(func(m *Model) {
			for _, r := range m.accounts.rows {
				found = found || m.p.Accounts[r].ID == acct
			}
		})
		return found
	})
	a.read(func(m *Model) {
		if !same(m) || m.accounts.query != "al" {
			t.Fatal("a lost the shared index or its own filter")
		}
		if i := m.p.AccountIndex(acct); m.accounts.bandOf[i] != bandCode(metrics.Red) {
			t.Fatalf("a's view still has %s in its old band", name)
		}
	})
}
