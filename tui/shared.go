package tui

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/store"
	"steward/store/portfolio"
)

// Hub is the read model the sessions of a team server share (steward
// serve; README, "Serve your team"). It loads the portfolio once, follows
// the file's change feed once per change, and hands each change to every
// session, so thirty sessions cost one portfolio, not thirty.
//
// A change is applied under the write lock: Apply updates accounts in
// place, so no session may be reading them. Every session's Update and
// View run under the read lock (Session), and each session's own
// background readers (the accounts view's index and sort orders) are
// halted inside the write lock before the portfolio moves. Sessions learn
// of the change by a message sent after the lock is released: Send blocks
// until the session's loop takes it, and that loop may be waiting for the
// lock.
type Hub struct {
	path string
	opt  store.Options
	now  func() time.Time
	log  func(level, msg string, kv ...any)

	mu       sync.RWMutex
	p        *portfolio.Portfolio
	stat     fileStat
	sessions map[*Session]struct{}

	// pmu guards which escalation each session has open (presence; who
	// is signed in is the sessions themselves). Nothing of presence is
	// written to the database.
	pmu sync.Mutex

	kick   chan bool // a session wrote (false) or asked for a full reload (true)
	done   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
	watch  *fileWatch
	// writes counts the sessions' writes in flight, so a server that stops
	// lets them commit first (Drain).
	writes Inflight
	// accounts is the accounts views' shared index and orders.
	accounts sharedAccounts
}

// HubOptions configure a Hub.
type HubOptions struct {
	Path  string
	Store store.Options
	Now   func() time.Time // nil: time.Now
	// Log receives the hub's errors (a reload that failed), one line each.
	Log func(level, msg string, kv ...any)
}

// NewHub loads the portfolio (upgrading an older file in place, as the
// dashboard does) and starts following the file. It takes this week's
// snapshot in the background when the week has none.
func NewHub(o HubOptions) (*Hub, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = func(string, string, ...any) {}
	}
	h := &Hub{path: o.Path, opt: o.Store, now: o.Now, log: o.Log, sessions: map[*Session]struct{}{},
		kick: make(chan bool, 1), done: make(chan struct{})}
	msg := loadCmd(0, o.Path, o.Store, portfolio.Today(o.Now()), o.Now(), true)().(loadedMsg)
	if msg.err != nil {
		return nil, msg.err
	}
	msg.p.Folds() // once, here: sessions only read the portfolio
	h.p, h.stat = msg.p, msg.stat
	h.watch = watchFile(o.Path)
	h.snapshotIfDue(h.p)
	h.wg.Add(1)
	go h.follow()
	return h, nil
}

// snapshotIfDue takes the week's snapshot in the background when p's week
// has none yet: at the start, and on the first day of a new week (a server
// runs across Mondays; the dashboard takes it when it opens).
func (h *Hub) snapshotIfDue(p *portfolio.Portfolio) {
	if p.Review.CurrentWeekSnapped || len(p.Accounts) == 0 {
		return
	}
	asOf := p.AsOf
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		if _, err := portfolio.TakeSnapshot(h.path, h.opt, asOf, true); err != nil {
			h.log("error", "this week's snapshot was not taken", "err", err)
		}
		h.poke(false)
	}()
}

// Close stops following the file. Sessions still open keep the last
// portfolio.
func (h *Hub) Close() {
	h.closed.Do(func() {
		close(h.done)
		h.watch.Close()
	})
	h.wg.Wait()
}

// Drain waits up to d for the sessions' writes in flight to commit, and
// reports whether they did.
func (h *Hub) Drain(d time.Duration) bool {
	h.writes.Close() // a save pressed now is refused, not lost half-way
	return h.writes.Wait(d)
}

// Accounts is the number of accounts in the shared portfolio.
func (h *Hub) Accounts() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.p.Accounts)
}

// poke asks the follower to look at the file now: a session's own write
// shows in every session without waiting for the file's notice.
func (h *Hub) poke(full bool) {
	for {
		select {
		case h.kick <- full:
			return
		default:
		}
		select {
		case prev := <-h.kick:
			full = full || prev // merge with the waiting poke
		default:
		}
	}
}

// follow brings the portfolio up to date whenever the file changes (a
// session's write, a steward import from the shell) and moves its clock
// every minute.
func (h *Hub) follow() {
	defer h.wg.Done()
	woke := make(chan struct{}, 1)
	if h.watch != nil {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			for {
				h.watch.wait(watchedPoll, h.done)
				select {
				case woke <- struct{}{}:
				default:
				}
				select {
				case <-h.done:
					return
				default:
				}
			}
		}()
	}
	poll := time.NewTicker(pollInterval)
	defer poll.Stop()
	minute := time.NewTimer(untilNextMinute(h.now()))
	defer minute.Stop()
	for {
		full := false
		select {
		case <-h.done:
			return
		case full = <-h.kick:
		case <-woke:
		case <-poll.C:
			if h.watch != nil {
				continue // the watch wakes us; its own slow stat covers lost notices
			}
		case <-minute.C:
			minute.Reset(untilNextMinute(h.now()))
			h.clock()
			continue
		}
		h.refresh(full)
	}
}

func untilNextMinute(now time.Time) time.Duration {
	return now.Truncate(time.Minute).Add(time.Minute).Sub(now)
}

// refresh reads what changed since the portfolio was read, if the file
// moved (or full is set), and hands it to every session.
func (h *Hub) refresh(full bool) {
	stat := statOf(h.path)
	if !full && stat == h.stat {
		releaseIfDue()
		return
	}
	cur := h.p // only this goroutine replaces it
	if !full {
		msg := deltaCmd(0, h.path, h.opt, cur.Seq, cur.AsOf, cur.Review.ComparedWithWeek)().(deltaMsg)
		switch {
		case msg.err != nil:
			h.failed(msg.err)
			return
		case !msg.d.Reload:
			h.publish(func() (*portfolio.Portfolio, []int) { return cur.Apply(msg.d, h.now()) }, msg.stat, true)
			return
		}
	}
	msg := loadCmd(0, h.path, h.opt, portfolio.Today(h.now()), h.now(), false)().(loadedMsg)
	if msg.err != nil {
		h.failed(msg.err)
		return
	}
	h.publish(func() (*portfolio.Portfolio, []int) { return msg.p, nil }, msg.stat, false)
}

// failed keeps the portfolio and tries again at the next look; a lock
// held by a long import is only a wait.
func (h *Hub) failed(err error) {
	h.mu.Lock() // join reads it
	h.stat = fileStat{}
	h.mu.Unlock()
	if !errors.Is(err, store.ErrLocked) {
		h.log("error", "reading the changes failed", "err", err)
	}
}

// publish installs the portfolio next makes, under the write lock, in
// every session, then wakes them.
func (h *Hub) publish(next func() (*portfolio.Portfolio, []int), stat fileStat, applied bool) {
	h.mu.Lock()
	for s := range h.sessions {
		s.m().accounts.halt() // Apply changes accounts in place
		s.m().haltReads()
	}
	p, changed := next()
	h.p, h.stat = p, stat
	h.accounts.follow(p, changed, applied)
	took := time.Duration(0)
	for s := range h.sessions {
		s.adopt(func(m *Model) tea.Cmd {
			return m.onLoaded(loadedMsg{seq: m.seq, p: p, stat: stat, applied: applied, changed: changed, took: took})
		})
		// A key removed, or its member deactivated, signs the session out
		// (a session made without a key, in a test, has none to lose).
		if _, err := h.memberOf(s.fingerprint); err != nil && s.fingerprint != "" {
			s.end("you were signed out: " + err.Error())
		}
	}
	h.mu.Unlock()
	h.wakeAll()
	releaseSoon() // what the change replaced is garbage once the sessions drew it
}

// clock moves the shared portfolio to the minute (Model.onClock does it
// for a dashboard of its own); a new day reloads, as it does there.
func (h *Hub) clock() {
	now := h.now()
	if portfolio.Today(now) != h.p.AsOf {
		h.refresh(true)
		h.snapshotIfDue(h.p)
		return
	}
	h.mu.Lock()
	keeps := make(map[*Session]retimeKeep, len(h.sessions))
	for s := range h.sessions {
		keeps[s] = s.m().beforeRetime()
	}
	changed := h.p.Retime(now)
	h.accounts.retimed(changed)
	for s := range h.sessions {
		k := keeps[s]
		s.adopt(func(m *Model) tea.Cmd { return m.afterRetime(k, changed) })
	}
	h.mu.Unlock()
	h.wakeAll()
}

func (h *Hub) wakeAll() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.sessions {
		s.wake()
	}
}

// join registers a session and gives it the portfolio, in one step under
// the write lock, so it misses no change.
func (h *Hub) join(s *Session) {
	h.mu.Lock()
	h.sessions[s] = struct{}{}
	p, stat := h.p, h.stat
	s.adopt(func(m *Model) tea.Cmd {
		return m.onLoaded(loadedMsg{seq: m.seq, p: p, stat: stat, first: true})
	})
	h.mu.Unlock()
	h.presenceChanged()
	releaseSoon() // a session's first frame leaves garbage behind
}

// leave forgets a session that ended, once its background readers have
// stopped: the next change must not move accounts under them.
func (h *Hub) leave(s *Session) {
	h.mu.Lock()
	if _, ok := h.sessions[s]; ok {
		s.m().accounts.halt()
		s.m().haltReads()
		delete(h.sessions, s)
	}
	h.mu.Unlock()
	h.presenceChanged()
	releaseSoon() // what the session held
}

// presenceChanged wakes every session to redraw who else is here.
func (h *Hub) presenceChanged() { h.wakeAll() }

// Sessions is the number of sessions open.
func (h *Hub) Sessions() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.sessions)
}

// others is the distinct names signed in, except self's own member. The
// caller holds mu, either side (a session's Update, or the follower).
func (h *Hub) others(self *Session) []string {
	var names []string
	for s := range h.sessions {
		if self != nil && s.memberID == self.memberID {
			continue
		}
		if !slices.Contains(names, s.name) {
			names = append(names, s.name)
		}
	}
	slices.Sort(names)
	return names
}

// viewers is who else has escalation id open; the caller holds mu.
func (h *Hub) viewers(id uint64, self *Session) []string {
	h.pmu.Lock()
	defer h.pmu.Unlock()
	var names []string
	for s := range h.sessions {
		if s != self && id != 0 && s.viewing == id && !slices.Contains(names, s.name) {
			names = append(names, s.name)
		}
	}
	slices.Sort(names)
	return names
}

// setViewing records which escalation s has open (0: none) and tells the
// others. The caller holds no lock.
func (h *Hub) setViewing(s *Session, id uint64) {
	h.pmu.Lock()
	s.viewing = id
	h.pmu.Unlock()
	h.presenceChanged()
}

// Member is the active member key fp (a SHA256 fingerprint) belongs to,
// as of the latest change: the server signs a key in by it.
func (h *Hub) Member(fp string) (store.Member, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.memberOf(fp)
}

// memberOf is Member for a caller that holds mu.
func (h *Hub) memberOf(fp string) (store.Member, error) {
	for id, keys := range h.p.MemberKeys {
		for _, k := range keys {
			if k.Fingerprint != fp {
				continue
			}
			m := h.p.Member(id)
			switch {
			case m == nil:
				return store.Member{}, fmt.Errorf("key %s belongs to no member on the roster", fp)
			case !m.Active:
				return store.Member{}, fmt.Errorf("key %s belongs to %s, who is no longer an active member", fp, m.Name)
			}
			return *m, nil
		}
	}
	return store.Member{}, fmt.Errorf("key %s belongs to no member: a manager adds it with steward members keys add MEMBER KEY", fp)
}

// sharedAccounts is the accounts view's index (the filter's arena and
// masks, the name order) and the sort orders made, for the hub's
// portfolio: built once, when a session first opens the accounts view,
// and read by every session's view; each view keeps only its own filter
// and rows. At 100,000 accounts that is 15 MB a session not spent
// (README, "Serve your team").
//
// Sessions build it and its orders under the hub's read lock, so mu
// orders them; the hub changes it in place only under its write lock,
// when no session reads it, and every view that holds it takes it again
// in the same step (accountsView.updated).
type sharedAccounts struct {
	mu      sync.Mutex
	p       *portfolio.Portfolio // what ix indexes; nil: not built
	ix      accountIndex
	orders  [numSorts][]int32
	ranks   func(uint64) uint64
	scratch sortScratch
}

// index is the index of p, built when it is not yet.
func (s *sharedAccounts) index(p *portfolio.Portfolio) accountIndex {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.build(p)
	return s.ix
}

func (s *sharedAccounts) build(p *portfolio.Portfolio) {
	if s.p == p {
		return
	}
	// Fresh arrays: a view may still read the old ones.
	s.ix = accountIndex{}
	s.ix.build(p.Accounts, nil)
	s.p, s.orders, s.ranks = p, [numSorts][]int32{}, nil
}

// order is p's ascending order by column col, made when it is not yet.
func (s *sharedAccounts) order(p *portfolio.Portfolio, col int) []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.build(p)
	if s.orders[col] == nil {
		if s.ranks == nil {
			s.ranks = ownerRanks(p)
		}
		s.orders[col] = sortAsc(col, p.Accounts, s.ix.byName, func() func(uint64) uint64 { return s.ranks }, &s.scratch, parallel)
	}
	return s.orders[col]
}

// follow brings the shared index from the portfolio it was built for to
// p: in place when the change feed changed a few accounts that keep their
// names (applied, changed), else it is dropped and built again on demand.
// The caller holds the hub's write lock.
func (s *sharedAccounts) follow(p *portfolio.Portfolio, changed []int, applied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p == nil {
		return
	}
	if !applied || !s.ix.fits(p.Accounts, changed) {
		s.p, s.ix, s.orders, s.ranks = nil, accountIndex{}, [numSorts][]int32{}, nil
		return
	}
	s.ix.follow(p.Accounts, changed)
	if s.ranks == nil {
		s.ranks = ownerRanks(p) // the roster is the same: a roster change reloads
	}
	if !fixOrders(&s.orders, p.Accounts, s.ix.nameRank, changed, s.ranks) {
		s.orders = [numSorts][]int32{}
	}
	s.p = p
}

// retimed drops the flags order when the clock moved some flags.
func (s *sharedAccounts) retimed(changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if changed {
		s.orders[sortFlags] = nil
	}
}

// adoptShared takes the hub's index of the view's portfolio and sorts and
// filters the view's own rows from it.
func (v *accountsView) adoptShared() {
	v.pending = false
	v.changedRows()
	v.accountIndex = v.hub.accounts.index(v.p)
	v.mark = slices.Grow(v.mark[:0], len(v.masks))[:len(v.masks)]
	v.forget()
	v.resort()
	v.tbl.invalidate()
	v.selectID(v.keep)
}
