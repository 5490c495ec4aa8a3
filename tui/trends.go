package tui

import (
	"slices"
	"strings"
	"sync"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"steward/store"
	"steward/store/portfolio"
)

// trendsView is the Trends tab (README, "The dashboard", Trends): NRR and
// GRR per quarter, the ARR per month, the band mix per week and the open
// escalations per week, four charts (charts.go) in a grid at 80x24 and
// larger, fewer in a single column below that, a message when not even
// one fits. The series are read by a command (trendsCmd), not on the
// screen's goroutine: the band mix reads the weekly snapshots from the
// file. Until the first read lands the view says it is loading; after a
// change it keeps the charts it has until the new ones come.
type trendsView struct {
	th   *theme
	w, h int
	p    *portfolio.Portfolio
	tr   *portfolio.Trends // of asked, nil until the first read lands
	err  error
	// asked is the portfolio the latest read was issued for, seq its
	// number: a read for an older portfolio is dropped when it lands.
	asked *portfolio.Portfolio
	seq   int
	lines []string // the drawn body, made again on data or size
}

func newTrendsView(th *theme) *trendsView { return &trendsView{th: th} }

func (v *trendsView) SetSize(w, h int) {
	if w != v.w || h != v.h {
		v.w, v.h = w, h
		v.lines = nil
	}
}

func (v *trendsView) SetPortfolio(p *portfolio.Portfolio) { v.p = p }

func (v *trendsView) HandleKey(*KeyMap, keyMsg) intent { return nil }

func (v *trendsView) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Review, k.Accounts, k.NextTab, k.Refresh, k.Help, k.Quit}
}

// stale reports whether the view's portfolio has no read issued yet.
func (v *trendsView) stale() bool { return v.p != nil && v.asked != v.p }

// landed takes in a read's result.
func (v *trendsView) landed(msg trendsMsg) {
	if msg.seq != v.seq {
		return
	}
	if msg.halted {
		v.asked = nil // the clock moved before it began: asked again
		return
	}
	v.err = msg.err
	if msg.err == nil {
		tr := msg.tr
		v.tr = &tr
	}
	v.lines = nil
}

// Chart sizes: the grid needs 80x24 (a body of 80x20), a chart in the
// single column at least trendsMinW x trendsChartMinH.
const (
	trendsGridW     = 80
	trendsGridH     = 20
	trendsMinW      = 30
	trendsChartMinH = 8
)

func (v *trendsView) View() string {
	if v.lines == nil {
		v.lines = v.draw()
	}
	return strings.Join(v.lines, "\n")
}

func (v *trendsView) draw() []string {
	w, h := v.w, v.h
	msg := func(s string) []string { return []string{v.th.Muted.Render(truncLine(s, w))} }
	switch {
	case w <= 0 || h <= 0:
		return nil
	case v.err != nil:
		return []string{v.th.Error.Render(truncLine("error: the trends were not read: "+friendlyErr(v.err), w))}
	case v.tr == nil:
		return msg("Loading trends…")
	}
	charts := trendCharts(v.th, v.tr, v.p.Settings.Currency)
	switch {
	case w >= trendsGridW && h >= trendsGridH:
		lw := (w - 2) / 2
		rw := w - 2 - lw
		th := h / 2
		bh := h - th
		out := sideBySide(2, charts[0](lw, th), charts[1](rw, th))
		return append(out, sideBySide(2, charts[2](lw, bh), charts[3](rw, bh))...)
	case w >= trendsMinW && h >= trendsChartMinH:
		// One column, as many charts as fit, and a line saying where
		// the rest are.
		n := min(len(charts), h/trendsChartMinH)
		room := h
		if n < len(charts) {
			room--
		}
		var out []string
		for i := 0; i < n; i++ {
			ch := room / n
			if i == n-1 {
				ch = room - (n-1)*(room/n)
			}
			out = append(out, charts[i](w, ch)...)
		}
		if n < len(charts) {
			out = append(out, msg(itoa(n)+" of 4 charts: 80x24 shows all four")...)
		}
		return out
	}
	return msg("Trends: the charts need 30x8 or more")
}

// trendCharts are the four charts of the Trends view, each drawn at the
// size it is given.
func trendCharts(th *theme, tr *portfolio.Trends, cur string) [4]func(w, h int) []string {
	return [4]func(w, h int) []string{
		func(w, h int) []string { return retentionChart(th, w, h, retentionTitle(w, tr.Quarters), tr.Quarters) },
		func(w, h int) []string { return arrChart(th, w, h, tr.ARRMonths, cur) },
		func(w, h int) []string { return bandChart(th, w, h, bandTitle(w, tr.BandWeeks), tr.BandWeeks) },
		func(w, h int) []string {
			labels, vals := make([]string, len(tr.EscalationWeeks)), make([]float64, len(tr.EscalationWeeks))
			title := "Open escalations by week"
			for i, e := range tr.EscalationWeeks {
				labels[i], vals[i] = weekShort(e.Week), float64(e.Open)
			}
			if n := len(tr.EscalationWeeks); n > 0 {
				e := tr.EscalationWeeks[n-1]
				latest := weekShort(e.Week) + " " + itoa(e.Open) + " open, " + itoa(e.Breached) + " past SLA"
				title = pickTitle(w, title+" · "+latest, "Escalations · "+latest, "Open · "+latest)
			}
			return barChart(th, w, h, title, labels, vals, 0, func(v float64) string { return itoa(int(v)) }, th.Error)
		},
	}
}

// trendsMsg is a read's result: the trends of one scope, band mix
// included.
type trendsMsg struct {
	seq    int
	tr     portfolio.Trends
	err    error
	halted bool // the portfolio moved before the read began: nothing read
}

// bgRead is one background read of the portfolio's accounts (the trends
// and the book's band mix read them). A change applied to the portfolio
// moves accounts in place, so it halts the reads first (Model.haltReads):
// a read that runs is waited for, one that has not begun never will.
type bgRead struct {
	mu     sync.Mutex
	halted bool
	done   bool // read whole: nothing left to halt
}

func (r *bgRead) halt() {
	r.mu.Lock()
	r.halted = true
	r.mu.Unlock()
}

// trendsCmd reads scope s of p: the series from memory, the band mix from
// the weekly snapshots in the file: the whole portfolio's by scanning
// each week (LoadBandWeeks), a book's by looking its accounts up (ids,
// taken on the screen's goroutine; LoadBandWeeksOf).
func trendsCmd(r *bgRead, seq int, path string, opt store.Options, p *portfolio.Portfolio, s portfolio.Scope, ids []uint64) tea.Cmd {
	asOf := p.AsOf
	return func() tea.Msg {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.halted {
			return trendsMsg{seq: seq, halted: true}
		}
		// The band mix's read (the weeks' stored counts; on a file from
		// before them, 13 weeks of the snapshot index) runs beside the
		// sums from memory.
		var weeks []portfolio.BandWeek
		var err error
		read := make(chan struct{})
		go func() {
			defer close(read)
			if s.Owner != nil {
				weeks, err = portfolio.LoadBandWeeksOf(path, opt, asOf, ids, portfolio.TrendWeeks)
				return
			}
			weeks, err = portfolio.LoadBandWeeks(path, opt, p, s, portfolio.TrendWeeks)
		}()
		msg := trendsMsg{seq: seq, tr: p.Trends(s)}
		<-read
		msg.tr.BandWeeks, msg.err = weeks, err
		r.done = true
		return msg
	}
}

// readTrends issues a read of scope s of the model's portfolio and
// keeps it to halt (haltReads).
func (m *Model) readTrends(seq int, s portfolio.Scope) tea.Cmd {
	r := &bgRead{}
	m.reads = slices.DeleteFunc(m.reads, func(r *bgRead) bool {
		if !r.mu.TryLock() {
			return false // running: the screen does not wait for it here
		}
		defer r.mu.Unlock()
		return r.done
	})
	m.reads = append(m.reads, r)
	var ids []uint64
	if s.Owner != nil {
		ids = m.p.ScopeIDs(s)
	}
	return trendsCmd(r, seq, m.opt.Path, m.opt.Store, m.p, s, ids)
}

// haltReads halts the background reads of the portfolio before it moves.
func (m *Model) haltReads() {
	for _, r := range m.reads {
		r.halt()
	}
	m.reads = m.reads[:0]
}

// trendsNeeded issues the reads the page on screen waits for: the
// Trends view's, or a member page's book.
func (m *Model) trendsNeeded() tea.Cmd {
	if m.p == nil {
		return nil
	}
	switch pg := m.current().(type) {
	case *trendsView:
		if !pg.stale() {
			return nil
		}
		m.pageSeq++
		pg.asked, pg.seq = m.p, m.pageSeq
		return m.readTrends(pg.seq, portfolio.Scope{})
	case *memberPage:
		if pg.asked == m.p || pg.doc.h < smallChartsPageH {
			return nil // read once per portfolio, and only for a page with room
		}
		m.pageSeq++
		pg.asked, pg.trendSeq = m.p, m.pageSeq
		owner := pg.memberID()
		return m.readTrends(pg.trendSeq, portfolio.Scope{Owner: &owner})
	}
	return nil
}

// onTrends hands a read's result to the page it is for, and asks again
// for a read that was halted before it began.
func (m *Model) onTrends(msg trendsMsg) tea.Cmd {
	m.trends.landed(msg)
	for _, f := range m.stack {
		if pg, ok := f.page.(*memberPage); ok {
			pg.landed(msg)
		}
	}
	return m.trendsNeeded()
}
