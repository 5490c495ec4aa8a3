package tui

import (
	"errors"
	"os"
	"runtime/debug"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// Every command below receives copies of what it needs: a tea.Cmd runs on
// another goroutine and must never read the model.

// fileStat is what the change poll compares: another process's commit
// changes the file's modification time (and usually its size).
type fileStat struct {
	mod  time.Time
	size int64
	ok   bool
}

func statOf(path string) fileStat {
	st, err := os.Stat(path)
	if err != nil {
		return fileStat{}
	}
	return fileStat{mod: st.ModTime(), size: st.Size(), ok: true}
}

// loadedMsg carries a portfolio; seq lets the root drop a reply that a
// newer load has overtaken.
type loadedMsg struct {
	// applied: the portfolio was brought up to date through the change
	// feed (deltaMsg); changed are the account indexes it touched.
	applied bool
	changed []int
	seq     int
	p       *portfolio.Portfolio
	stat    fileStat
	err     error
	first   bool
	took    time.Duration
	// upgraded: the file was migrated from an older schema first.
	upgraded bool
}

// loadCmd reads the whole portfolio. The file is stat'ed before reading,
// so a write that lands during the read shows up as a change at the next
// poll and is never missed.
func loadCmd(seq int, path string, opt store.Options, asOf metrics.Date, now time.Time, first bool) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		if !first {
			// A reload builds the new portfolio while the old one is on
			// screen: two at once. The first load has nothing to keep,
			// and a tighter GOGC would cost its first frame about 0.2 s
			// at 100,000 accounts.
			defer portfolio.TightGC()()
		}
		msg := loadedMsg{seq: seq, first: first}
		msg.stat = statOf(path)
		msg.p, msg.err = portfolio.Load(path, opt, asOf, now)
		if first && errors.Is(msg.err, store.ErrOldSchema) {
			// A file from an older steward is upgraded in place, once, as
			// every writing command does: the dashboard writes to it
			// anyway (the week's snapshot, the team's changes).
			if msg.err = store.Upgrade(path, opt); msg.err == nil {
				msg.upgraded = true
				msg.p, msg.err = portfolio.Load(path, opt, asOf, now)
			}
		}
		if msg.err == nil && !first {
			// The filters' keys, off the UI goroutine. The first load
			// leaves them for after its first frame (warmMsg).
			msg.p.Folds()
		}
		msg.took = time.Since(start)
		releaseSoon()
		return msg
	}
}

// A load builds the new portfolio while the old one is still on screen,
// and the week's snapshot writes a record per account in one transaction:
// each leaves hundreds of megabytes of free heap at 100,000 accounts.
// Go's runtime keeps free heap for reuse (and ps counts it) until the heap
// grows back, which a dashboard that only draws never does; the 2-minute
// forced collection and the background scavenger then return it over
// minutes. So the first poll half a second after a load or a write has
// ended, when its result is on screen and what it replaced is garbage,
// collects and hands the free memory back to the OS (README, "Design
// notes").
var release struct {
	sync.Mutex
	at time.Time // zero: nothing to release
}

const releaseDelay = 500 * time.Millisecond

var freeOSMemory = debug.FreeOSMemory // a test counts the calls

func releaseSoon() {
	release.Lock()
	release.at = time.Now().Add(releaseDelay)
	release.Unlock()
}

// releaseIfDue runs on a poll, off the UI goroutine.
func releaseIfDue() {
	release.Lock()
	due := !release.at.IsZero() && time.Now().After(release.at)
	if due {
		release.at = time.Time{}
	}
	release.Unlock()
	if due {
		freeOSMemory()
	}
}

// deltaMsg carries what changed on disk since the portfolio was read (the
// change feed), or asks for a full load.
type deltaMsg struct {
	seq  int
	d    portfolio.Delta
	stat fileStat
	err  error
	took time.Duration
}

// deltaCmd reads the changes after feedSeq for a portfolio as of asOf
// comparing with prevWeek: values only, the portfolio stays on the UI
// goroutine.
func deltaCmd(seq int, path string, opt store.Options, feedSeq uint64, asOf metrics.Date, prevWeek metrics.Week) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		msg := deltaMsg{seq: seq, stat: statOf(path)}
		msg.err = store.View(path, opt, func(tx *store.Tx) (err error) {
			msg.d, err = portfolio.ReadDelta(tx, feedSeq, asOf, prevWeek)
			return err
		})
		msg.took = time.Since(start)
		return msg
	}
}

type snapshotMsg struct {
	res portfolio.SnapshotResult
	err error
}

// snapshotCmd takes this week's snapshot when the week has none (SPEC
// section 2). It runs after the first frame: at 100,000 accounts the write
// takes seconds, and the review compares with earlier weeks anyway. The
// poll then sees the file change and reloads in the background.
func snapshotCmd(path string, opt store.Options, asOf metrics.Date) tea.Cmd {
	return func() tea.Msg {
		res, err := portfolio.TakeSnapshot(path, opt, asOf, true)
		releaseSoon()
		return snapshotMsg{res: res, err: err}
	}
}

// writtenMsg is the result of a write command. The triage and editing
// actions build their writes with Model.actionCmd (actions.go), so every
// change is one transaction as the acting member, never blocks the UI, and
// ends in the status line and a background reload.
type writtenMsg struct {
	token int    // the form that asked, 0 for none
	focus uint64 // a new escalation to select after the reload
	what  string
	err   error
}

type detailMsg struct {
	seq int
	d   portfolio.Detail
	err error
}

func detailCmd(seq int, path string, opt store.Options, id uint64, asOf metrics.Date) tea.Cmd {
	return func() tea.Msg {
		d, err := portfolio.LoadDetail(path, opt, id, asOf)
		return detailMsg{seq: seq, d: d, err: err}
	}
}

type timelineMsg struct {
	seq    int
	e      store.Escalation
	events []store.Event
	err    error
}

func timelineCmd(seq int, path string, opt store.Options, id uint64) tea.Cmd {
	return func() tea.Msg {
		e, evs, err := portfolio.LoadTimeline(path, opt, id)
		return timelineMsg{seq: seq, e: e, events: evs, err: err}
	}
}

// pollInterval: a change made elsewhere shows within a few hundred
// milliseconds. A poll is one stat of the file (microseconds).
const pollInterval = 200 * time.Millisecond

type pollMsg struct{}

type statMsg struct{ stat fileStat }

func pollTick() tea.Cmd {
	return tea.Tick(pollInterval, func(time.Time) tea.Msg { return pollMsg{} })
}

func statCmd(path string) tea.Cmd {
	return func() tea.Msg {
		releaseIfDue()
		return statMsg{statOf(path)}
	}
}

// clockMsg is the minute tick: every time-relative cell (SLA due and
// over, ages) is recomputed from the clock without reading the database.
type clockMsg struct{}

// clockTick fires at the start of the next wall-clock minute (tea.Every
// aligns with the system clock), so "in 5m" turns "in 4m" when the
// minute does.
func clockTick() tea.Cmd {
	return tea.Every(time.Minute, func(time.Time) tea.Msg { return clockMsg{} })
}

// lockBusy reports a lock timeout, which a background reload retries.
func lockBusy(err error) bool { return errors.Is(err, store.ErrLocked) }

// quarterMsg carries a closed quarter's forecast snapshots.
type quarterMsg struct {
	q   portfolio.QuarterCalls
	err error
}

func quarterCmd(path string, opt store.Options, first metrics.Date) tea.Cmd {
	return func() tea.Msg {
		var msg quarterMsg
		msg.err = store.View(path, opt, func(tx *store.Tx) (err error) {
			msg.q, err = portfolio.ReadQuarterCalls(tx, first)
			return err
		})
		return msg
	}
}

// baselineMsg carries the scores of another baseline week for the review
// (moveBaseline), or says there is none that way, or that the week is the
// portfolio's own comparison week (own).
type baselineMsg struct {
	week   metrics.Week
	scores map[uint64]store.WeekScore
	own    bool
	none   string
	err    error
}

// baselineCmd finds the snapshot week one back (dir -1) or forward (1)
// from week, or week itself (0), before this week, and reads its scores.
func baselineCmd(path string, opt store.Options, week metrics.Week, dir int, thisWeek, own metrics.Week) tea.Cmd {
	return func() tea.Msg {
		var msg baselineMsg
		msg.err = store.View(path, opt, func(tx *store.Tx) (err error) {
			target := metrics.Week(0)
			for _, w := range tx.SnapshotWeeks() {
				switch {
				case w >= thisWeek:
				case dir == 0 && w == week, dir < 0 && w < week, dir > 0 && w > week && target == 0:
					target = w
				}
			}
			switch {
			case target == 0 && dir < 0:
				msg.none = "no snapshot before " + week.String() + " to compare with"
				return nil
			case target == 0:
				msg.none = week.String() + " is the latest week before this one"
				return nil
			case target == own:
				msg.week, msg.own = target, true
				return nil
			}
			msg.week = target
			msg.scores, err = tx.WeekScores(target)
			return err
		})
		return msg
	}
}
