package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// Minimum terminal size at which every view lays out; below it a single
// line says so.
const (
	minWidth  = 60
	minHeight = 15
)

// Tabs, in the order of keys 1-7.
const (
	tabReview = iota
	tabTeam
	tabAccounts
	tabEscalations
	tabRenewals
	tabTasks
	tabTrends
	numTabs
)

var tabNames = [numTabs]string{"Review", "Team", "Accounts", "Escalations", "Renewals", "Tasks", "Trends"}

// tabShort are the names of the tabs not on screen when the full row does
// not fit (seven tabs take 83 columns): the active one keeps its name.
var tabShort = [numTabs]string{"Review", "Team", "Accts", "Escal.", "Renew.", "Tasks", "Trends"}

// frame is one entry of the esc history: a pushed detail page, or (page
// nil) a return from the member-filtered accounts view to the team view.
type frame struct {
	page      page
	returnTab int
}

// modal is an open form, prompt or the settings screen. It sees every key
// before anything else (ctrl+c excepted) so that a form never loses what was
// typed to a global key; it returns its write commands, whose typed result
// messages come back through Update and find it by token (writeTarget).
type modal interface {
	HandleKey(k *KeyMap, msg keyMsg) (done bool, cmd tea.Cmd)
	SetSize(w, h int)
	View() string
}

// Model is the root of the program. Focus precedence for a key: modal,
// then the filter input, then global keys, then the active page.
type Model struct {
	opt  Options
	th   *theme // every style, from this Model's renderer (styles.go)
	keys KeyMap
	help help.Model
	w, h int

	p       *portfolio.Portfolio
	seq     int // sequence of the latest load issued
	loading bool
	stat    fileStat
	fatal   error

	status      string
	statusErr   bool
	statusPage  page      // the page the status belongs to
	statusUntil time.Time // when it expires; zero: until replaced
	// afterLoad replaces the "Reloaded" status once the reload a write
	// asked for lands, so the user reads what their action did.
	afterLoad string
	// manualReload: the running load was asked for with ctrl+r.
	manualReload bool
	// snapshotAfterJoin: the week's snapshot waits for the first manager.
	snapshotAfterJoin bool
	// clockTick schedules the next minute tick (tests replace it and send
	// clockMsg themselves, with their own clock in Options.Now).
	clockTick func() tea.Cmd
	// expireTick schedules the clearing of a status after d (tests
	// replace it and poll by hand, which clears a status too).
	expireTick func(d time.Duration) tea.Cmd

	tab      int
	tabs     [numTabs]page
	review   *reviewView
	team     *teamView
	accounts *accountsView
	escs     *escView
	renewals *renewalsView
	tasks    *tasksView
	trends   *trendsView
	stack    []frame
	// reads are the background reads of the portfolio's accounts that a
	// change must halt before it moves them (trends.go).
	reads   []*bgRead
	pageSeq int

	modal     modal
	token     int // of the latest form write, so a result finds its form
	focusEsc  uint64
	actor     store.Actor
	actorErr  error
	filtering bool
	// filterSelected: the filter input holds a kept query, selected.
	filterSelected bool
	input          textinput.Model
	showHelp       bool
	helpDoc        document

	header   string
	tabsLine string

	// frame is the last View, and stale says something may have changed
	// on screen since: every message but a poll that found the file as it
	// was, a status raised or cleared. View hands an unstale frame back
	// instead of drawing it again, which is most of what an idle
	// dashboard would cost (README, "Performance").
	frame string
	stale bool
	// watch wakes the poll when the file is written (watch.go); nil: the
	// poll runs on a timer.
	watch *fileWatch
	// hub is the team server's shared read model (shared.go) and sess
	// this model's session on it; nil for a dashboard of its own.
	hub   *Hub
	sess  *Session
	quiet bool // the message being handled changed nothing on screen
	draws int  // frames drawn (a test counts them)
}

// New builds the root model; Init starts the first load.
func New(opt Options) *Model {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	r := opt.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	th := newTheme(r)
	m := &Model{opt: opt, th: th, keys: DefaultKeyMap(), help: th.help(), w: 80, h: 24, clockTick: clockTick, expireTick: expireTick}
	m.review, m.team, m.accounts, m.escs = newReviewView(th), newTeamView(th), newAccountsView(th), newEscView(th)
	m.renewals = newRenewalsView(m.th)
	m.tasks = newTasksView(m.th)
	m.trends = newTrendsView(m.th)
	m.tabs = [numTabs]page{m.review, m.team, m.accounts, m.escs, m.renewals, m.tasks, m.trends}
	m.helpDoc.th = th
	m.input = textinput.New()
	th.input(&m.input)
	m.input.Prompt = "/"
	m.input.Placeholder = "type to filter: name, owner, segment"
	m.input.Cursor.SetMode(cursor.CursorStatic) // no blink ticker while idle
	m.progress("Loading " + opt.Path + "…")
	m.layout()
	return m
}

// Err is the fatal error that ended the program (the first load failed).
func (m *Model) Err() error { return m.fatal }

func (m *Model) asOf() metrics.Date {
	if !m.opt.AsOf.IsZero() {
		return m.opt.AsOf
	}
	return portfolio.Today(m.opt.Now())
}

func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.load(true), m.nextPoll(), m.clockTick())
}

func (m *Model) load(first bool) tea.Cmd {
	if m.hub != nil {
		m.hub.poke(true) // one reload for every session
		return nil
	}
	m.seq++
	m.loading = true
	return loadCmd(m.seq, m.opt.Path, m.opt.Store, m.asOf(), m.opt.Now(), first)
}

func (m *Model) tooSmall() bool { return m.w < minWidth || m.h < minHeight }

// current is the page that receives keys and fills the body.
func (m *Model) current() page {
	if n := len(m.stack); n > 0 && m.stack[n-1].page != nil {
		return m.stack[n-1].page
	}
	return m.tabs[m.tab]
}

func (m *Model) bodyHeight() int { return max(1, m.h-4) }

// layout hands every page its size; only the root knows the terminal's.
func (m *Model) layout() {
	w, h := m.w, m.bodyHeight()
	for _, pg := range m.tabs {
		pg.SetSize(w, h)
	}
	for _, f := range m.stack {
		if f.page != nil {
			f.page.SetSize(w, h)
		}
	}
	if m.modal != nil {
		m.modal.SetSize(w, h)
	}
	m.help.Width = w
	m.input.Width = max(10, w-24) // room for the match count
	m.helpDoc.setSize(w, h)
	m.buildHelp()
	m.buildHeader()
	m.buildTabs()
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	until := m.statusUntil
	m.quiet = false
	_, cmd := m.update(msg)
	if !m.quiet {
		m.stale = true
	}
	if m.statusUntil != until && !m.statusUntil.IsZero() {
		// A status with a time to live gets a timer of its own: the
		// poll that used to clear it now sleeps while the file is quiet.
		cmd = tea.Batch(cmd, m.expireTick(m.statusUntil.Sub(m.opt.Now())))
	}
	return m, cmd
}

// warmMsg comes right after a load's frame: what that frame did not
// need starts building then (accountsView.prebuild).
type warmMsg struct{}

func warm() tea.Msg { return warmMsg{} }

// expireMsg asks to clear a status whose time is up.
type expireMsg struct{}

func expireTick(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return expireMsg{} })
}

func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.layout()
		return m, m.trendsNeeded() // a member page grown tall enough for its charts
	case loadedMsg:
		return m, m.onLoaded(msg)
	case detailMsg:
		for _, f := range m.stack {
			if pg, ok := f.page.(*healthPage); ok && pg.seq == msg.seq {
				pg.err = msg.err
				if msg.err == nil {
					pg.d = &msg.d
				}
				pg.rebuild()
			}
		}
		return m, nil
	case timelineMsg:
		for _, f := range m.stack {
			if pg, ok := f.page.(*escPage); ok && pg.seq == msg.seq {
				pg.err = msg.err
				if msg.err == nil {
					pg.e, pg.events = &msg.e, msg.events
				}
				pg.rebuild()
			}
		}
		return m, nil
	case writtenMsg:
		if w, ok := m.modal.(writeTarget); ok && msg.token != 0 && w.Token() == msg.token {
			if w.written(msg.err) {
				m.modal = nil
			}
		}
		if msg.err != nil {
			m.fail(msg.what + " failed: " + friendlyErr(msg.err))
			return m, nil
		}
		// A new escalation is selected once it is on screen (a team
		// server's hub may have brought it in already). Until then the
		// status says it is loading, not that it is there, and the queue's
		// action keys wait (startAction): they would act on the row the
		// cursor was on.
		if msg.focus != 0 && !m.escs.selectRecord(recEscalation, msg.focus) {
			m.focusEsc = msg.focus
			m.afterLoad = msg.what
			m.progress("Saved: the new escalation is loading…")
			if m.loading && m.hub == nil {
				return m, nil // the poll reloads once the running load is done
			}
			return m, m.refresh()
		}
		m.say(msg.what)
		if m.hub != nil {
			return m, m.refresh()
		}
		m.afterLoad = msg.what
		if m.loading {
			return m, nil // the poll reloads once the running load is done
		}
		return m, m.refresh()
	case deltaMsg:
		return m, m.onDelta(msg)
	case trendsMsg:
		return m, m.onTrends(msg)
	case importedMsg:
		return m, m.onImported(msg)
	case viewsMsg:
		switch {
		case msg.err != nil:
			m.fail("the saved views were not read: " + friendlyErr(msg.err))
		case len(msg.views) == 0:
			m.say("No saved view yet: ctrl+s saves this one")
		case m.modal == nil:
			m.openModal(m.viewsForm(msg.views))
		}
		return m, nil
	case memberSinceMsg:
		for _, f := range m.stack {
			if pg, ok := f.page.(*memberPage); ok && pg.seq == msg.seq && m.p != nil {
				if msg.err != nil {
					m.fail("the figures at the last 1:1 were not read: " + friendlyErr(msg.err))
					continue
				}
				day, _ := pg.lastOneOnOne()
				since := m.p.BookSince(pg.id, pg.unassigned, day, msg.scores)
				pg.since, pg.notes = &since, msg.notes
				pg.rebuild()
			}
		}
		return m, nil
	case playbookListMsg:
		a := (*portfolio.Account)(nil)
		if m.p != nil {
			a = m.p.Account(msg.account)
		}
		switch {
		case msg.err != nil:
			m.fail("the playbooks were not read: " + friendlyErr(msg.err))
		case a == nil:
		case !anyActive(msg.list):
			m.say("No active playbook to start: managers add them in the settings (, then p)")
		default:
			m.openModal(m.startPlaybookForm(a, msg.list))
		}
		return m, nil
	case quarterMsg:
		if msg.err != nil {
			m.fail("the quarter's forecast was not read: " + friendlyErr(msg.err))
			return m, nil
		}
		if m.p != nil {
			m.showClosed(&msg.q)
		}
		return m, nil
	case baselineMsg:
		switch {
		case msg.err != nil:
			m.fail("moving the baseline failed: " + friendlyErr(msg.err))
		case msg.none != "":
			m.say("The baseline stays: " + msg.none)
		case msg.own || m.p == nil:
			m.review.setBaseline(0, nil)
			m.say("Baseline " + msg.week.String() + ": the review's own comparison week")
		default:
			alt := m.p.ReviewAgainst(msg.week, msg.scores)
			m.review.setBaseline(msg.week, &alt)
			m.say("Baseline " + msg.week.String() + " (from Mon " + msg.week.Monday().String() + "): [ and ] move it")
		}
		return m, nil
	case snapshotMsg:
		if m.actorErr != nil {
			return m, nil // the status line keeps saying why changes are disabled
		}
		if msg.err != nil {
			m.fail("this week's snapshot was not taken: " + msg.err.Error())
			return m, nil
		}
		if msg.res.Accounts == 0 {
			return m, nil
		}
		// Our own write: the reload it needs says what we did, never "the
		// database changed", and the poll then finds nothing new.
		m.say(fmt.Sprintf("Snapshot of %s taken (%d accounts)", msg.res.Week, msg.res.Accounts))
		m.afterLoad = m.status
		if m.loading {
			return m, nil
		}
		return m, m.load(false)
	case expireMsg:
		m.quiet = !m.expireStatus()
		return m, nil
	case pollMsg:
		m.quiet = !m.expireStatus()
		return m, statCmd(m.opt.Path)
	case warmMsg:
		// The frame is on screen: start building what the accounts view
		// and its filter need, in the background, before a key asks.
		m.quiet = true
		return m, m.accounts.prebuild()
	case builtMsg:
		m.accounts.built(msg.b)
		return m, nil
	case clockMsg:
		return m, tea.Batch(m.onClock(), m.clockTick())
	case statMsg:
		var cmd tea.Cmd
		if !m.loading && m.p != nil && msg.stat != m.stat {
			cmd = m.refresh()
		}
		m.quiet = cmd == nil
		return m, tea.Batch(cmd, m.nextPoll())
	case tea.KeyMsg:
		if m.isBurst(msg) {
			return m, m.onBurst(msg)
		}
		return m, m.onKey(msg)
	}
	return m, nil
}

// isBurst reports whether msg is several typed letters delivered as one
// message (fast typing, key repeat, ssh): Bubble Tea v1 reads them in one
// go, and key bindings only match single characters. A paste, or anything
// while a text input has the focus, stays whole: the input takes it as text.
func (m *Model) isBurst(msg tea.KeyMsg) bool {
	return msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !msg.Alt && !m.textFocused()
}

// textFocused reports whether the key goes to a text input: the filter, or
// an open form field (a y/N prompt inside a form answers single keys).
func (m *Model) textFocused() bool {
	if m.filtering {
		return true
	}
	if m.modal == nil || m.tooSmall() {
		return false
	}
	if t, ok := m.modal.(interface{ takesText() bool }); ok {
		return t.takesText()
	}
	return true // a modal that does not say may hold text
}

// onBurst handles each rune of a burst as its own key, in order; the focus
// is re-evaluated per key, so a key that opens a form or the filter hands
// the rest of the burst to it as text.
func (m *Model) onBurst(msg tea.KeyMsg) tea.Cmd {
	var cmds []tea.Cmd
	for i, r := range msg.Runes {
		one := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
		if r == ' ' {
			one.Type = tea.KeySpace
		}
		if m.textFocused() {
			// The rest is text for the input that just took the focus.
			rest := tea.KeyMsg{Type: tea.KeyRunes, Runes: msg.Runes[i:]}
			cmds = append(cmds, m.onKey(rest))
			break
		}
		cmds = append(cmds, m.onKey(one))
	}
	return tea.Batch(cmds...)
}

func (m *Model) onLoaded(msg loadedMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil // overtaken by a newer load
	}
	m.loading = false
	if msg.err != nil {
		if msg.first || m.p == nil {
			m.fatal = msg.err
			return tea.Quit
		}
		if lockBusy(msg.err) {
			m.fail(msg.err.Error() + ": retrying")
			m.stat = fileStat{} // forces another attempt at the next poll
		} else {
			m.fail("reload failed: " + msg.err.Error())
			m.stat = msg.stat
		}
		return nil
	}
	prev := m.stat
	m.stat = msg.stat
	m.p = msg.p
	for _, pg := range m.tabs {
		if pg == page(m.accounts) && msg.applied {
			m.accounts.updated(msg.p, msg.changed)
			continue
		}
		pg.SetPortfolio(msg.p)
	}
	var cmds []tea.Cmd
	for _, f := range m.stack {
		if f.page == nil {
			continue
		}
		f.page.SetPortfolio(msg.p)
		if !msg.first {
			cmds = append(cmds, m.refreshPage(f.page))
		}
	}
	if md, ok := m.modal.(interface{ SetPortfolio(*portfolio.Portfolio) }); ok {
		md.SetPortfolio(msg.p)
	}
	if m.focusEsc != 0 {
		m.escs.selectID(m.focusEsc)
		m.focusEsc = 0
	}
	if w := m.review.altWeek; w != 0 {
		// The review was against another week: made again for the new
		// accounts.
		cmds = append(cmds, m.baseline(w, 0))
	}
	m.actor, m.actorErr = m.opt.findActor(msg.p.Members)
	if mem := msg.p.Member(m.actor.ID); mem != nil && m.actorErr == nil {
		m.escs.setMe(mem.ID, mem.Role == store.RoleManager)
		m.tasks.setMe(mem.ID)
	} else {
		m.escs.setMe(0, false)
		m.tasks.setMe(0)
	}
	m.buildHeader()
	if m.hub == nil && (msg.first || m.accounts.pending) {
		// After this frame: see warmMsg. A team server's session builds
		// the accounts index when the view is first opened instead: thirty
		// sessions that never open it cost nothing (README, "Serve your
		// team").
		cmds = append(cmds, warm)
	}
	if msg.first && m.hub != nil {
		// A team server's session: the hub took the week's snapshot, and
		// the member signed in with a key of theirs.
		m.say(fmt.Sprintf("Signed in as %s · %d accounts", m.actorName(), len(msg.p.Accounts)))
		if m.actorErr != nil {
			m.fail(m.actorErr.Error())
		}
	} else if msg.first {
		loaded := fmt.Sprintf("Loaded %d accounts in %s", len(msg.p.Accounts), msg.took.Round(time.Millisecond))
		if msg.upgraded {
			loaded = fmt.Sprintf("Upgraded the file to this steward's format (schema %d) · %s", store.SchemaVersion, loaded)
		}
		m.say(loaded)
		// A read-only dashboard (an --as that matches nobody) writes
		// nothing, not even the weekly snapshot.
		if !msg.p.Review.CurrentWeekSnapped && len(msg.p.Accounts) > 0 && m.actorErr == nil {
			m.progress(m.status + " · taking this week's snapshot…")
			cmds = append(cmds, snapshotCmd(m.opt.Path, m.opt.Store, msg.p.AsOf))
		}
		switch {
		case len(msg.p.Members) == 0:
			m.modal = m.whoAreYouForm()
			m.modal.SetSize(m.w, m.bodyHeight())
			m.snapshotAfterJoin = !msg.p.Review.CurrentWeekSnapped && len(msg.p.Accounts) > 0
			m.progress("The roster is empty: say who you are to make changes")
		case m.actorErr != nil:
			m.fail(m.actorErr.Error() + ": changes are disabled")
		}
	} else if m.snapshotAfterJoin && m.actorErr == nil {
		// The first manager just joined: the week's snapshot a read-only
		// open skipped is taken now.
		m.snapshotAfterJoin = false
		cmds = append(cmds, snapshotCmd(m.opt.Path, m.opt.Store, msg.p.AsOf))
	}
	switch {
	case msg.first:
	case m.hub != nil && m.afterLoad == "" && !m.manualReload:
		// Changes land all day on a team server: each one is in the
		// frame, without a status line of its own.
	case m.afterLoad != "":
		m.say(m.afterLoad)
		m.afterLoad = ""
	case m.manualReload:
		m.say(reloadText(msg, prev, len(msg.p.Accounts), msg.p.KPIs.OpenEsc))
	default:
		m.say("Reloaded: the database changed at " + msg.stat.mod.Local().Format("15:04:05"))
	}
	m.manualReload = false
	cmds = append(cmds, m.trendsNeeded())
	return tea.Batch(cmds...)
}

// refresh brings the portfolio up to date after a change on disk: through
// the change feed when it lists what changed (a few accounts rescored),
// else by a full load (README, "The change feed").
func (m *Model) refresh() tea.Cmd {
	if m.hub != nil {
		m.hub.poke(false) // the hub reads the change once, for every session
		return nil
	}
	if m.p == nil {
		return m.load(false)
	}
	m.seq++
	m.loading = true
	return deltaCmd(m.seq, m.opt.Path, m.opt.Store, m.p.Seq, m.p.AsOf, m.p.Review.ComparedWithWeek)
}

func (m *Model) onDelta(msg deltaMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil // overtaken
	}
	m.loading = false
	switch {
	case msg.err != nil:
		return m.onLoaded(loadedMsg{seq: msg.seq, err: msg.err, stat: msg.stat})
	case msg.d.Reload:
		m.progress("Changes on disk: reloading…")
		return m.load(false)
	}
	start := time.Now()
	m.accounts.halt() // Apply changes accounts in place
	m.haltReads()
	p, changed := m.p.Apply(msg.d, m.opt.Now())
	return m.onLoaded(loadedMsg{seq: msg.seq, p: p, stat: msg.stat, applied: true, changed: changed, took: msg.took + time.Since(start)})
}

// reloadText says what ctrl+r did: read the file again, and whether
// anything had changed on disk since the last read.
func reloadText(msg loadedMsg, prev fileStat, accounts, openEsc int) string {
	what := "nothing had changed on disk"
	if msg.stat != prev {
		what = "the file had changed (last write " + msg.stat.mod.Local().Format("15:04:05") + ")"
	}
	return fmt.Sprintf("Reloaded %d accounts and %d open escalations from disk in %s: %s", accounts, openEsc, msg.took.Round(time.Millisecond), what)
}

// onClock runs on the minute tick. Within the day it moves the
// portfolio's clock and redraws the time-relative cells (row caches only;
// nothing is read from disk). A new day changes every score (days since
// the last touch, days to renewal, overrides that expire), so it reloads
// once, in the background.
func (m *Model) onClock() tea.Cmd {
	if m.p == nil {
		return nil
	}
	now := m.opt.Now()
	if m.opt.AsOf.IsZero() && portfolio.Today(now) != m.p.AsOf {
		if m.loading {
			return nil // the next tick tries again
		}
		m.afterLoad = "A new day: scores, ages and renewals recomputed for " + portfolio.Today(now).String()
		return m.load(false)
	}
	return m.retime(now)
}

// retime moves every view to now, keeping each cursor on its record: the
// queue may re-sort when an SLA breaches. It returns the command of a
// background build it started again.
func (m *Model) retime(now time.Time) tea.Cmd {
	k := m.beforeRetime()
	return m.afterRetime(k, m.p.Retime(now))
}

// retimeKeep is what each cursor was on before the clock moved.
type retimeKeep struct {
	esc    uint64
	rev    uint64
	revSet bool
}

// beforeRetime notes the cursors and stops what reads the accounts: the
// portfolio's Retime changes their flags in place (a team server's hub
// runs it once for every session between the two halves).
func (m *Model) beforeRetime() retimeKeep {
	k := retimeKeep{esc: m.escs.selectedID()}
	k.rev, k.revSet = m.review.selectedKey()
	m.accounts.haltForClock()
	m.haltReads()
	return k
}

// afterRetime redraws every view for the moved clock; changed is what
// Retime reported.
func (m *Model) afterRetime(k retimeKeep, changed bool) tea.Cmd {
	if changed {
		m.accounts.flagsChanged()
	}
	build := m.accounts.prebuild() // again, if a build was running and the view still waits for it
	m.escs.refresh(k.esc)
	m.review.refresh(k.rev, k.revSet)
	m.accounts.tbl.invalidate()
	m.team.tbl.invalidate()
	for _, f := range m.stack {
		if r, ok := f.page.(interface{ rebuild() }); ok {
			r.rebuild()
		}
	}
	m.buildHeader()
	return build
}

// refreshPage re-reads a detail page's own data after a reload.
func (m *Model) refreshPage(pg page) tea.Cmd {
	m.pageSeq++
	switch pg := pg.(type) {
	case *healthPage:
		pg.seq = m.pageSeq
		return detailCmd(pg.seq, m.opt.Path, m.opt.Store, pg.id, m.p.AsOf)
	case *escPage:
		pg.seq = m.pageSeq
		return timelineCmd(pg.seq, m.opt.Path, m.opt.Store, pg.id)
	case *memberPage:
		pg.seq = m.pageSeq
		day, _ := pg.lastOneOnOne()
		return memberSinceCmd(pg.seq, m.opt.Path, m.opt.Store, pg.memberID(), day, m.bookLookups(pg))
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.keys
	if m.statusErr {
		m.clearStatus() // an error is read by the next key
	}
	if key.Matches(msg, k.ForceQuit) {
		return tea.Quit
	}
	if m.tooSmall() {
		// Nothing is on screen but the size warning: a key must not act
		// unseen (submit a form, type into a filter). q quits only when no
		// form or filter holds typed text.
		if m.modal == nil && !m.filtering && key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	if m.modal != nil {
		done, cmd := m.modal.HandleKey(k, msg)
		if done {
			// A modal that reports done closed without writing (a write
			// closes it through its result): what the status line said
			// about an earlier attempt no longer applies.
			m.modal = nil
			m.clearStatus()
		}
		return cmd
	}
	if m.filtering {
		return m.onFilterKey(msg)
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Quit):
			return tea.Quit
		case key.Matches(msg, k.Help, k.Back):
			m.showHelp = false
		default:
			m.helpDoc.move(k, msg)
		}
		return nil
	}
	if pg, ok := m.current().(*memberPage); ok && key.Matches(msg, k.LogOneOnOne) && !pg.unassigned {
		// On a member's page 1 logs a 1:1 rather than opening the review.
		return m.startAction(doAction{act: actOneOnOne, id: pg.id})
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		m.helpDoc.offset = 0
		return nil
	case key.Matches(msg, k.Review):
		m.switchTab(tabReview)
	case key.Matches(msg, k.Team):
		m.switchTab(tabTeam)
	case key.Matches(msg, k.Accounts):
		m.switchTab(tabAccounts)
	case key.Matches(msg, k.Escalations):
		m.switchTab(tabEscalations)
	case key.Matches(msg, k.Renewals):
		m.switchTab(tabRenewals)
	case key.Matches(msg, k.Tasks):
		m.switchTab(tabTasks)
	case key.Matches(msg, k.Trends):
		m.switchTab(tabTrends)
	case key.Matches(msg, k.NextTab):
		m.switchTab((m.tab + 1) % numTabs)
	case key.Matches(msg, k.PrevTab):
		m.switchTab((m.tab + numTabs - 1) % numTabs)
	case key.Matches(msg, k.Settings):
		if m.p != nil {
			return m.startAction(doAction{act: actSettings})
		}
	case key.Matches(msg, k.Refresh):
		if m.hub != nil {
			// The team server follows the file for every session; a press
			// only makes it look now.
			m.hub.poke(false)
			m.say("The team server keeps this up to date: it looked at the file again")
			return nil
		}
		if !m.loading && m.p != nil {
			m.progress("Reloading…")
			m.manualReload = true
			return m.load(false)
		}
	case key.Matches(msg, k.Filter):
		if f, ok := m.current().(filterable); ok && m.p != nil {
			m.filtering = true
			m.input.SetValue(f.Query())
			m.input.CursorEnd()
			// A kept filter is selected: typing replaces it, an arrow or
			// end edits it.
			m.filterSelected = f.Query() != ""
			return m.input.Focus()
		}
	case key.Matches(msg, k.Back):
		m.back()
	default:
		return m.act(m.current().HandleKey(k, msg))
	}
	// A view or page now on screen may wait for its trends.
	return m.trendsNeeded()
}

func (m *Model) onFilterKey(msg tea.KeyMsg) tea.Cmd {
	k := &m.keys
	f, _ := m.current().(filterable)
	switch {
	case msg.Type == tea.KeyRunes:
		// Letters are text even when they spell a key's name: a burst of
		// typed "enter" arrives as one runes message whose String() is
		// "enter", and must not close the filter.
	case key.Matches(msg, k.FilterClear):
		m.filtering, m.filterSelected = false, false
		m.input.Blur()
		m.input.SetValue("")
		if f != nil {
			f.SetQuery("")
		}
		return nil
	case key.Matches(msg, k.FilterApply):
		m.filtering, m.filterSelected = false, false
		m.input.Blur()
		return nil
	case msg.Type == tea.KeyUp || msg.Type == tea.KeyDown || msg.Type == tea.KeyPgUp || msg.Type == tea.KeyPgDown:
		// Arrows move through the hits while typing; letters stay letters.
		m.current().HandleKey(k, msg)
		return nil
	}
	var cmd tea.Cmd
	if !typeOver(&m.input, &m.filterSelected, msg) {
		m.input, cmd = m.input.Update(msg)
	}
	if f != nil {
		f.SetQuery(m.input.Value())
	}
	return cmd
}

// clearStatus empties the status line after a cancelled form.
func (m *Model) clearStatus() {
	m.status, m.statusErr, m.statusPage = "", false, nil
	m.stale = true
}

// Status messages (README, "The dashboard"): say is information, shown 5
// seconds; fail is an error, shown 10 seconds or until the next key;
// progress stays until its result replaces it. Each belongs to the page
// that was on screen when it was raised, and another page does not show it.
const (
	infoShown  = 5 * time.Second
	errorShown = 10 * time.Second
)

func (m *Model) say(s string)      { m.setStatus(s, false, infoShown) }
func (m *Model) fail(s string)     { m.setStatus(s, true, errorShown) }
func (m *Model) progress(s string) { m.setStatus(s, false, 0) }

func (m *Model) setStatus(s string, isErr bool, shown time.Duration) {
	m.stale = true // a status raised outside Update is drawn too
	m.status, m.statusErr = s, isErr
	m.statusPage = m.current()
	m.statusUntil = time.Time{}
	if shown > 0 {
		m.statusUntil = m.opt.Now().Add(shown)
	}
}

// expireStatus clears a status whose time is up (checked on the poll
// tick), and reports whether it did.
func (m *Model) expireStatus() bool {
	if m.status != "" && !m.statusUntil.IsZero() && !m.opt.Now().Before(m.statusUntil) {
		m.clearStatus()
		return true
	}
	return false
}

// statusShown is the status as the current page sees it.
func (m *Model) statusShown() (string, bool) {
	if m.statusPage != nil && m.statusPage != m.current() {
		return "", false
	}
	return m.status, m.statusErr
}

func (m *Model) switchTab(t int) {
	for _, f := range m.stack {
		if f.page == nil {
			m.accounts.setMember(nil)
		}
	}
	m.stack = m.stack[:0]
	m.tab = t
	if m.tabs[t] == page(m.accounts) {
		m.accounts.ensure() // its first use takes the index built in the background (prebuild.go)
	}
	m.buildTabs()
}

// back is esc outside a text field: close the top page, else clear the
// page's filter; it never quits.
func (m *Model) back() {
	if n := len(m.stack); n > 0 {
		f := m.stack[n-1]
		m.stack = m.stack[:n-1]
		if f.page == nil {
			m.accounts.setMember(nil)
			m.tab = f.returnTab
			m.buildTabs()
			return
		}
		if rp, ok := f.page.(recordPage); ok {
			if sel, ok := m.current().(recordSelector); ok {
				sel.selectRecord(rp.record())
			}
		}
		return
	}
	if f, ok := m.current().(filterable); ok && f.Query() != "" {
		f.SetQuery("")
		m.input.SetValue("")
		return
	}
	if a := m.accounts; m.tab == tabAccounts && (a.member != nil || a.band != "" || a.segment != "" || a.within != 0) {
		a.band, a.segment, a.within = "", "", 0
		a.setMember(nil) // sorts and filters again
	}
	if t := m.tasks; m.tab == tabTasks && (t.mine || t.late || t.week) {
		t.mine, t.late, t.week, t.stale = false, false, false, true
	}
}

func (m *Model) act(in intent) tea.Cmd {
	if m.p == nil {
		return nil
	}
	switch in := in.(type) {
	case openViews:
		return viewsCmd(m.opt.Path, m.opt.Store)
	case openMemberPage:
		m.pageSeq++
		pg := newMemberPage(m.th, in.openMember, m.pageSeq, m.p)
		pg.SetSize(m.w, m.bodyHeight())
		m.stack = append(m.stack, frame{page: pg})
		day, _ := pg.lastOneOnOne()
		return tea.Batch(memberSinceCmd(pg.seq, m.opt.Path, m.opt.Store, pg.memberID(), day, m.bookLookups(pg)), m.trendsNeeded())
	case moveBaseline:
		return m.baseline(in.week, in.dir)
	case notice:
		m.say(string(in))
		return nil
	case taskAction:
		if m.actorErr != nil {
			return m.refuse("changes are disabled: " + m.actorErr.Error())
		}
		for i := range m.p.Tasks {
			if t := &m.p.Tasks[i]; t.ID == in.id {
				m.openModal(m.closeTaskForm(t, in.skip))
				return nil
			}
		}
		return m.refuse("that task is closed already")
	case moveQuarter:
		return m.moveQuarter(in.first)
	case openAccount:
		m.pageSeq++
		pg := newHealthPage(m.th, in.id, m.pageSeq, m.p)
		pg.SetSize(m.w, m.bodyHeight())
		m.stack = append(m.stack, frame{page: pg})
		return detailCmd(pg.seq, m.opt.Path, m.opt.Store, in.id, m.p.AsOf)
	case openPager:
		pg := newPagerPage(m.th, in.title, in.text)
		pg.SetSize(m.w, m.bodyHeight())
		m.stack = append(m.stack, frame{page: pg})
		return nil
	case openEscalation:
		m.pageSeq++
		pg := newEscPage(m.th, in.id, m.pageSeq, m.p)
		pg.SetSize(m.w, m.bodyHeight())
		m.stack = append(m.stack, frame{page: pg})
		return timelineCmd(pg.seq, m.opt.Path, m.opt.Store, in.id)
	case doAction:
		return m.startAction(in)
	case openMember:
		mem := in
		m.stack = append(m.stack, frame{returnTab: m.tab})
		m.accounts.setMember(&mem)
		m.tab = tabAccounts
		m.buildTabs()
	}
	return nil
}

// ---- rendering ----

func (m *Model) buildHeader() {
	if m.p == nil {
		m.header = m.th.Header.Render(fit("steward", m.w, false))
		return
	}
	k := &m.p.KPIs
	due := k.Due90()
	// The full line names each band; a narrow terminal gets the compact
	// one, where the band glyphs still say which count is which.
	for _, compact := range []bool{false, true} {
		sep := " · "
		if compact {
			sep = " "
		}
		var b strings.Builder
		cur := m.p.Settings.Currency
		b.WriteString("ARR " + money(k.ARRCents, cur))
		b.WriteString(sep + "NRR " + pct(k.Retention.NRR))
		b.WriteString(sep + "GRR " + pct(k.Retention.GRR))
		b.WriteString(sep)
		plainW := ansi.StringWidth(b.String())
		for i, band := range metrics.Bands {
			if band == metrics.Unknown && k.Bands[band] == 0 {
				continue
			}
			label := bandGlyph(band) + " " + itoa(k.Bands[band]) + " " + string(band)
			if compact {
				label = bandGlyph(band) + itoa(k.Bands[band])
			}
			if i > 0 {
				b.WriteString(" ")
				plainW++
			}
			plainW += ansi.StringWidth(label)
			b.WriteString(m.th.band(band).Render(label))
		}
		// ARR at risk sits beside the bands it comes from: red, and
		// yellow renewing within 90 days (metrics.AtRisk).
		tail := sep + "at risk " + money(k.AtRiskARRCents, cur) + sep + "renewals 90d " + money(due.ARRCents, cur) + " (" + itoa(due.Count) + ")"
		if compact {
			tail = sep + "risk " + money(k.AtRiskARRCents, cur) + sep + "due90 " + money(due.ARRCents, cur) + "/" + itoa(due.Count)
		}
		tail += sep + "as " + sanitize(m.actorName())
		b.WriteString(tail)
		plainW += ansi.StringWidth(tail)
		if plainW <= m.w || compact {
			m.header = m.th.Header.Render(truncLine(b.String(), m.w))
			return
		}
	}
}

func (m *Model) buildTabs() {
	// The active tab keeps its name; the others shorten, then show their
	// number alone, until the row fits.
	names := tabNames
	for _, short := range [][numTabs]string{tabShort, {}} {
		if tabsWidth(names) <= m.w {
			break
		}
		for i := range names {
			if i != m.tab {
				names[i] = short[i]
			}
		}
	}
	var b strings.Builder
	for i, name := range names {
		label := itoa(i + 1)
		if name != "" {
			label += " " + name
		}
		if i == m.tab {
			// Brackets mark the active tab without relying on colour.
			b.WriteString(m.th.TabActive.Render("[" + label + "]"))
		} else {
			b.WriteString(m.th.Tab.Render(" " + label + " "))
		}
		b.WriteString(" ")
	}
	// Who else is signed in to the team server sits at the right of the
	// tabs, where the header's figures leave it room: every name when
	// they fit, else how many.
	if m.hub != nil {
		if others := m.hub.others(m.sess); len(others) > 0 {
			used := ansi.StringWidth(b.String())
			here := sanitize("also here: " + strings.Join(others, ", "))
			if used+ansi.StringWidth(here)+1 > m.w {
				here = "also here: " + itoa(len(others))
			}
			if pad := m.w - used - ansi.StringWidth(here); pad >= 1 {
				b.WriteString(strings.Repeat(" ", pad) + m.th.Muted.Render(here))
			}
		}
	}
	m.tabsLine = truncLine(b.String(), m.w)
}

// tabsWidth is the width of the tab row with names.
func tabsWidth(names [numTabs]string) int {
	w := 0
	for i, n := range names {
		w += len(itoa(i+1)) + 3
		if n != "" {
			w += 1 + len(n)
		}
	}
	return w
}

func (m *Model) View() string {
	if !m.stale && m.frame != "" {
		return m.frame
	}
	m.frame, m.stale = m.draw(), false
	m.draws++
	return m.frame
}

func (m *Model) draw() string {
	if m.tooSmall() {
		return m.tooSmallView()
	}
	var body string
	switch {
	case m.modal != nil:
		body = m.modal.View()
	case m.showHelp:
		body = m.helpDoc.view()
	case m.p == nil:
		body = "Loading…"
	default:
		body = m.current().View()
	}
	body = padLines(body, m.bodyHeight())

	var status string
	switch {
	case m.filtering:
		status = truncLine(m.filterLine(), m.w)
	default:
		if text, isErr := m.statusShown(); isErr {
			status = m.th.Error.Render(truncLine("error: "+statusText(text), m.w))
		} else {
			status = m.th.Status.Render(truncLine(statusText(text), m.w))
		}
	}
	return m.header + "\n" + m.tabsLine + "\n" + body + "\n" + status + "\n" + m.hintLine()
}

// filterLine is the `/` input with the number of matches; a kept query
// reopened is shown selected (with a word, for NO_COLOR).
func (m *Model) filterLine() string {
	in := m.input.View()
	if m.filterSelected {
		in = "/" + m.th.Selected.Render(sanitize(m.input.Value())) + m.th.Muted.Render("  (selected: typing replaces)")
	}
	if f, ok := m.current().(filterable); ok && m.input.Value() != "" {
		n := f.Matches()
		word := " matches"
		if n == 1 {
			word = " match"
		}
		in += m.th.Muted.Render("  · " + itoa(n) + word)
	}
	return in
}

// statusText is the status message as one safe line: it often quotes
// names and errors that quote user input.
func statusText(s string) string { return sanitize(strings.ReplaceAll(s, "\n", " · ")) }

// tooSmallView says the terminal is too small and names the minimum: on
// one line when it fits, else on two short lines (both fit 20 columns).
func (m *Model) tooSmallView() string {
	need := fmt.Sprintf("need %dx%d", minWidth, minHeight)
	w := max(1, m.w)
	if long := fmt.Sprintf("Terminal too small (%dx%d): %s", m.w, m.h, need); len(long) <= w {
		return long
	}
	if m.h >= 2 {
		head := fmt.Sprintf("Too small (%dx%d):", m.w, m.h)
		if len(head) > w {
			head = "Too small:"
		}
		return fit(head, w, false) + "\n" + fit(need, w, false)
	}
	return fit("Too small: "+need, w, false)
}

func (m *Model) hintLine() string {
	h := m.help
	var bs []key.Binding
	switch {
	case m.filtering:
		bs = []key.Binding{m.keys.FilterApply, m.keys.FilterClear, m.keys.ForceQuit}
	case m.modal != nil:
		if hm, ok := m.modal.(interface{ Hints(*KeyMap) []key.Binding }); ok {
			bs = hm.Hints(&m.keys)
		}
	case m.showHelp:
		bs = []key.Binding{withHelp(m.keys.Back, "close help"), m.keys.Quit}
	default:
		bs = m.current().Hints(&m.keys)
	}
	return fitHints(h, bs, m.keys.Help, m.w)
}

// fitHints is the one-line hint: every binding when they fit; otherwise as
// many as fit followed by "? help", never a hint cut in the middle.
func fitHints(h help.Model, bs []key.Binding, helpKey key.Binding, w int) string {
	h.Width = 0 // we decide what is dropped
	if line := h.View(hintMap(bs)); ansi.StringWidth(line) <= w {
		return line
	}
	more := withHelp(helpKey, "all keys")
	for n := len(bs) - 1; n >= 0; n-- {
		keep := make([]key.Binding, 0, n+1)
		for _, b := range bs[:n] {
			if !key.Matches(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")}, b) {
				keep = append(keep, b)
			}
		}
		if line := h.View(hintMap(append(keep, more))); ansi.StringWidth(line) <= w {
			return line
		}
	}
	return truncLine(h.View(hintMap([]key.Binding{more})), w)
}

// buildHelp lays the `?` screen out from the keymap: the groups side by
// side when they fit, stacked otherwise, never cut; it scrolls when the
// terminal is short.
func (m *Model) buildHelp() {
	h := m.help
	h.ShowAll = true
	h.Width = 0 // we decide the layout; help's own would drop groups
	groups := m.keys.FullHelp()
	text := h.FullHelpView(groups)
	if maxLineWidth(text) > m.w {
		var parts []string
		for _, g := range groups {
			parts = append(parts, h.FullHelpView([][]key.Binding{g}))
		}
		text = strings.Join(parts, "\n\n")
	}
	d := &m.helpDoc
	d.reset()
	d.title("Keys (esc or ? closes; j/k scroll)")
	d.blank()
	d.line(text)
}

func maxLineWidth(s string) int {
	w := 0
	for _, l := range strings.Split(s, "\n") {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// padLines makes s exactly n lines: cut below, padded with empty lines.
func padLines(s string, n int) string {
	c := strings.Count(s, "\n") + 1
	if c == n {
		return s
	}
	if c > n {
		i := 0
		for k := 0; k < n; k++ {
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return s
			}
			i += j + 1
		}
		return s[:i-1]
	}
	return s + strings.Repeat("\n", n-c)
}

// actorName is who the header says is acting.
func (m *Model) actorName() string {
	if m.actorErr != nil && m.hub != nil {
		return m.actor.Name + " (read-only)"
	}
	if m.actorErr != nil {
		return "? (unknown --as: read-only)"
	}
	return m.actor.Name
}

// moveQuarter shows the quarter starting on first in the renewals view:
// the current one live, a closed one from its forecast snapshots, read in
// the background (quarterMsg).
func (m *Model) moveQuarter(first metrics.Date) tea.Cmd {
	this, _ := metrics.Quarter(m.p.AsOf)
	switch {
	case first >= this:
		m.renewals.showQuarter(nil)
		m.say("Renewals of this quarter and the next, as forecast now")
		return nil
	}
	return quarterCmd(m.opt.Path, m.opt.Store, first)
}

// showClosed shows a closed quarter's calls, or says there were none.
func (m *Model) showClosed(q *portfolio.QuarterCalls) {
	name := metrics.QuarterName(q.First)
	if q.Weeks == 0 {
		m.say("No forecast snapshot was taken in " + name + ": steward keeps one a week from when it first ran")
		return
	}
	m.renewals.showQuarter(q)
	m.say(name + ": the first weekly call (" + q.FirstWeek.String() + ") against what renewed; [ and ] move a quarter")
}

// baseline reads the baseline week one back, one forward or (dir 0) week
// itself, for the review (baselineMsg).
func (m *Model) baseline(week metrics.Week, dir int) tea.Cmd {
	if week == 0 && dir != 0 {
		m.say("No earlier snapshot to compare with yet")
		return nil
	}
	return baselineCmd(m.opt.Path, m.opt.Store, week, dir, metrics.WeekOf(m.p.AsOf), m.p.Review.ComparedWithWeek)
}
