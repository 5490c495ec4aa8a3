package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// The charts' titles at 120 columns, and in the half of 80 columns a
// grid cell has (shorter, so the latest figures stay whole).
var (
	trendTitles = []string{"NRR/GRR by quarter · Q", "ARR by month · ", "Band mix by week · W", "Open escalations by week · W"}
	gridTitles  = []string{"NRR/GRR · Q", "ARR by month · ", "Band mix by week · W", "Escalations · W"}
)

// 7 opens the Trends view from every view and page: each tab, an
// escalation, an account's health detail, a member's page, the book
// opened from the team view, and the help.
func TestTrendsKeyFromEveryView(t *testing.T) {
	path := fixturePath(t, 120)
	routes := map[string][]string{
		"review":         {"1"},
		"team":           {"2"},
		"accounts":       {"3"},
		"escalations":    {"4"},
		"renewals":       {"5"},
		"tasks":          {"6"},
		"trends":         {"7"},
		"escalation":     {"4", "enter"},
		"health detail":  {"3", "enter"},
		"from a queue":   {"4", "enter", "enter"},
		"member page":    {"2", "enter"},
		"member's book":  {"2", "b"},
		"filtered":       {"3", "/", "a", "enter"},
		"renewal detail": {"5", "enter"},
	}
	for name, keys := range routes {
		t.Run(name, func(t *testing.T) {
			m := loaded(t, path, 120, 40)
			press(m, keys...)
			press(m, "7")
			if _, ok := m.current().(*trendsView); !ok {
				t.Fatalf("after %v and 7 the page is %T", keys, m.current())
			}
			mustContain(t, screen(m), append([]string{"[7 Trends]"}, trendTitles...)...)
		})
	}
}

// ledgerARR is the ARR of the whole portfolio on day, from each
// account's ledger (the last entry on or before it); an account with no
// ledger has its ARR while live. The KPIs and the trends read the ledger
// (README, "Health and KPIs, in brief"); the fixture's churned accounts
// kept their ARR in the ledger, so this is not the header's live ARR.
func ledgerARR(p *portfolio.Portfolio, day metrics.Date) int64 {
	var sum int64
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if len(a.Ledger) == 0 {
			if a.Live {
				sum += a.ARRCents
			}
			continue
		}
		var arr int64
		for _, e := range a.Ledger {
			if e.Date <= day {
				arr = e.ARRCents
			}
		}
		sum += arr
	}
	return sum
}

// The charts' labelled figures are the portfolio's, counted here
// another way: the ARR at the last month's end is the ledgers' sum today; the
// current week's open escalations and those past their SLA are the open
// ones now; the latest band mix is the latest snapshot's week scores,
// counted from the file; the quarter's NRR and GRR are the series'.
func TestTrendsChartsShowTheFigures(t *testing.T) {
	path := fixturePath(t, 200)
	m := loaded(t, path, 120, 40)
	press(m, "7")
	s := screen(m)
	p := m.p
	cur := p.Settings.Currency
	mustContain(t, s, "ARR by month · Nov "+money(ledgerARR(p, fixAsOf), cur))

	open, breached := 0, 0
	for i := range p.Escalations {
		e := &p.Escalations[i]
		if e.Open() {
			open++
			if !e.SLADue.IsZero() && p.Now.After(e.SLADue) {
				breached++
			}
		}
	}
	if open == 0 || breached == 0 {
		t.Fatalf("the fixture should have open (%d) and breached (%d) escalations", open, breached)
	}
	mustContain(t, s, "Open escalations by week · "+metrics.WeekOf(fixAsOf).String()[5:]+" "+itoa(open)+" open, "+itoa(breached)+" past SLA")

	var counts [4]int // red, yellow, green, unknown
	var week metrics.Week
	err := store.View(path, store.Options{}, func(tx *store.Tx) error {
		week = tx.LatestWeekBefore(metrics.WeekOf(fixAsOf.AddDays(7)))
		return tx.ForEachWeekScore(week, func(_ uint64, ws store.WeekScore) error {
			switch ws.Band {
			case metrics.Red:
				counts[0]++
			case metrics.Yellow:
				counts[1]++
			case metrics.Green:
				counts[2]++
			default:
				counts[3]++
			}
			return nil
		})
	})
	if err != nil || week == 0 {
		t.Fatalf("latest snapshot week %v: %v", week, err)
	}
	want := "Band mix by week · " + week.String()[5:] + " ■" + itoa(counts[0]) + " ◆" + itoa(counts[1]) + " ●" + itoa(counts[2])
	if counts[3] > 0 {
		want += " ?" + itoa(counts[3])
	}
	mustContain(t, s, want)

	tr := p.Trends(portfolio.Scope{})
	q := tr.Quarters[len(tr.Quarters)-1]
	if q.NRR == nil || q.GRR == nil {
		t.Fatalf("the current quarter has no cohort: %+v", q)
	}
	mustContain(t, s, "NRR/GRR by quarter · "+quarterShort(q.Label)+" NRR "+pct(ratioOf(q.NRR))+" GRR "+pct(ratioOf(q.GRR)))
	mustContain(t, s, "█ red", "▒ yellow", "░ green", "N─ NRR", "G· GRR")
}

// The view says it is loading until the read lands; the read runs in
// the command, not in the key's Update.
func TestTrendsLoadsInTheBackground(t *testing.T) {
	m := loaded(t, fixturePath(t, 60), 100, 30)
	_, cmd := m.Update(keyOf("7"))
	mustContain(t, screen(m), "[7 Trends]", "Loading trends…")
	if m.trends.tr != nil || cmd == nil {
		t.Fatal("the trends were read in Update, not in a command")
	}
	drive(m, cmd)
	mustContain(t, screen(m), trendTitles...)
	if strings.Contains(screen(m), "Loading trends") {
		t.Fatal("still loading after the read landed")
	}
	// Back on it later: nothing read again while the portfolio is the same.
	press(m, "1")
	_, cmd = m.Update(keyOf("7"))
	if cmd != nil {
		if _, ok := cmd().(trendsMsg); ok {
			t.Fatal("read again for the same portfolio")
		}
	}
}

// The minute tick halts the reads of the accounts (Retime moves their
// flags in place): a read halted before it began is asked again, and the
// view does not stay "loading".
func TestTrendsReadHaltedByTheClockIsAskedAgain(t *testing.T) {
	m := loaded(t, fixturePath(t, 60), 100, 30)
	_, cmd := m.Update(keyOf("7"))
	_, tick := m.Update(clockMsg{})
	drive(m, tick)
	msg := cmd()
	if tm, ok := msg.(trendsMsg); !ok || !tm.halted {
		t.Fatalf("the read ran after the clock halted it: %T %+v", msg, msg)
	}
	_, again := m.Update(msg)
	if again == nil {
		t.Fatal("the halted read was not asked again")
	}
	mustContain(t, screen(m), "Loading trends…")
	drive(m, again)
	mustContain(t, screen(m), trendTitles[:2]...)
}

// Under NO_COLOR (the tests' Ascii profile) no escape code is written
// and the band mix carries its patterns and legend.
func TestTrendsReadWithoutColour(t *testing.T) {
	m := loaded(t, fixturePath(t, 120), 80, 24)
	press(m, "7")
	s := screen(m)
	if strings.Contains(s, "\x1b[") {
		t.Fatalf("escape codes under NO_COLOR:\n%s", s)
	}
	mustContain(t, s, "█", "▒", "░", "red", "yellow", "green")
	band := lineWith(s, "Band mix by week")
	mustContain(t, band, "■", "◆", "●")
}

// At every size from 20x6 to 120x40 no line is wider than the terminal
// and the frame has its height; at 80x24 and larger all four charts are
// on screen; the view itself at small sizes says what it can.
func TestTrendsAtEverySize(t *testing.T) {
	m := loaded(t, fixturePath(t, 120), 80, 24)
	press(m, "7")
	for _, sz := range [][2]int{{20, 6}, {40, 12}, {59, 14}, {60, 15}, {70, 20}, {79, 23}, {80, 24}, {100, 30}, {120, 40}, {200, 60}} {
		w, h := sz[0], sz[1]
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		s := screen(m)
		lines := strings.Split(s, "\n")
		if len(lines) > h {
			t.Fatalf("%dx%d: %d lines", w, h, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Fatalf("%dx%d: line %d wide: %q", w, h, ansi.StringWidth(l), l)
			}
		}
		if w >= 80 && h >= 24 {
			mustContain(t, s, "NRR/GRR", " NRR ", " GRR ", "ARR by month · ", "Band mix by week · W", "scalations", " past SLA")
		}
		if w == 80 && h == 24 {
			mustContain(t, s, gridTitles...)
		}
		if w >= 120 && h >= 40 {
			mustContain(t, s, trendTitles...)
		}
		if w == 70 {
			mustContain(t, s, "NRR/GRR by quarter · Q", "ARR by month · ", "2 of 4 charts: 80x24 shows all four")
		}
	}
	// The view alone, below the dashboard's own minimum.
	v := m.trends
	for w := 0; w <= 90; w += 3 {
		for h := 0; h <= 30; h++ {
			v.SetSize(w, h)
			for _, l := range strings.Split(v.View(), "\n") {
				if ansi.StringWidth(l) > w {
					t.Fatalf("view at %dx%d: line %q", w, h, l)
				}
			}
			if n := strings.Count(v.View(), "\n") + 1; h > 0 && n > h {
				t.Fatalf("view at %dx%d: %d lines", w, h, n)
			}
		}
	}
	v.SetSize(20, 6)
	mustContain(t, v.View(), "Trends: the charts")
}

// A change made elsewhere reaches the charts through the change feed:
// the ARR of the last month moves by what the edit added.
func TestTrendsFollowTheChangeFeed(t *testing.T) {
	path := fixturePath(t, 80)
	m := loaded(t, path, 120, 40)
	press(m, "7")
	before := ledgerARR(m.p, fixAsOf)
	cur := m.p.Settings.Currency
	mustContain(t, screen(m), "ARR by month · Nov "+money(before, cur))
	var id uint64
	for i := range m.p.Accounts {
		if a := &m.p.Accounts[i]; a.Live && a.ARRCents > 0 {
			id = a.ID
			break
		}
	}
	changeElsewhere(t, m, path, func(_ int, a *store.Account) { a.ARRCents += 10_000_000_00 }, id)
	after := ledgerARR(m.p, fixAsOf)
	if after != before+10_000_000_00 {
		t.Fatalf("ARR %d after the change, want %d", after, before+10_000_000_00)
	}
	mustContain(t, screen(m), "ARR by month · Nov "+money(after, cur))
}

// The member page charts the member's book: NRR/GRR, ARR and band mix of
// the accounts they own, when the page has room.
func TestMemberPageCharts(t *testing.T) {
	m := loaded(t, fixturePath(t, 200), 120, 48)
	press(m, "2", "enter")
	pg, ok := m.current().(*memberPage)
	if !ok {
		t.Fatalf("page %T", m.current())
	}
	owner := pg.memberID()
	tr := m.p.Trends(portfolio.Scope{Owner: &owner})
	var arr int64
	for i := range m.p.Accounts {
		if a := &m.p.Accounts[i]; a.Live && a.OwnerID == owner {
			arr += a.ARRCents
		}
	}
	if last := tr.ARRMonths[len(tr.ARRMonths)-1].ARRCents; last != arr {
		t.Fatalf("the book's ARR now %d, the series' last month %d", arr, last)
	}
	s := screen(m)
	mustContain(t, s, "NRR/GRR · Q", "ARR by month · Nov "+money(arr, m.p.Settings.Currency), "Band mix by week · W")
	// A short terminal leaves the page's own sections the room, and a
	// page opened short reads its charts once it is tall enough.
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	if strings.Contains(screen(m), "ARR by month") {
		t.Fatal("charts on a 24-row member page")
	}
	press(m, "esc", "enter")
	if pg := m.current().(*memberPage); pg.tr != nil || pg.asked != nil {
		t.Fatal("a short member page read its charts")
	}
	_, cmd := m.Update(tea.WindowSizeMsg{Width: 120, Height: 48})
	drive(m, cmd)
	mustContain(t, screen(m), "ARR by month · Nov "+money(arr, m.p.Settings.Currency))
	// The book's band mix is the book's: the same as LoadBandWeeks counts.
	bands, err := portfolio.LoadBandWeeks(m.opt.Path, store.Options{}, m.p, portfolio.Scope{Owner: &owner}, portfolio.TrendWeeks)
	if err != nil || len(bands) == 0 {
		t.Fatalf("band weeks %v: %v", bands, err)
	}
	last := bands[len(bands)-1]
	mustContain(t, screen(m), "Band mix by week · "+weekShort(last.Week)+" ■"+itoa(last.Red)+" ◆"+itoa(last.Yellow)+" ●"+itoa(last.Green))
}

// The health detail charts the account's ARR by month from its ledger
// and its weekly score from the snapshots the page read.
func TestHealthDetailCharts(t *testing.T) {
	m := loaded(t, fixturePath(t, 60), 120, 60)
	press(m, "3", "enter")
	pg, ok := m.current().(*healthPage)
	if !ok || pg.d == nil {
		t.Fatalf("page %T without its detail", m.current())
	}
	a := m.p.Account(pg.id)
	hist := pg.d.History
	if len(hist) == 0 {
		t.Fatal("the fixture's account has no snapshot")
	}
	lastScore := itoa(hist[len(hist)-1].Score)
	if hist[len(hist)-1].Score < 0 {
		lastScore = "no data"
	}
	for range 5 {
		press(m, "pgdown")
	}
	s := strings.Join(pg.doc.lines, "\n")
	mustContain(t, s, "ARR by month · Nov "+money(a.ARRCents, m.p.Settings.Currency),
		"Score by week · "+weekShort(hist[len(hist)-1].Week.String())+" "+lastScore)
}
