package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// freshnessBook is the 40-account fixture with health inputs dated: the
// largest worsened account 47 days back, a fresh worsened one, another
// account exactly 30 days back (not yet stale) and a new account from
// before steward dated inputs, last changed 60 days back. Days count in
// the local zone, as the dashboard's do.
type freshnessBook struct {
	path                      string
	day                       metrics.Date // today by the clock
	worse, fresh, edge, old   uint64
	worseName, edgeName       string
	freshName, legacyName     string
	worseARR, edgeARR, oldARR int64
}

func writeFreshnessBook(t *testing.T) freshnessBook {
	t.Helper()
	b := freshnessBook{path: fixturePath(t, 40), day: portfolio.Today(fixNow), legacyName: "Oldfield Legacy"}
	noon := func(daysAgo int) time.Time {
		y, mo, d := b.day.AddDays(-daysAgo).Time().Date()
		return time.Date(y, mo, d, 12, 0, 0, 0, time.Local)
	}
	p, err := portfolio.Load(b.path, store.Options{}, b.day, fixNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Review.Worsened) < 2 || len(p.Review.Stale) != 0 {
		t.Fatalf("the fixture has %d worsened and %d stale accounts", len(p.Review.Worsened), len(p.Review.Stale))
	}
	w, f := &p.Accounts[p.Review.Worsened[0]], &p.Accounts[p.Review.Worsened[1]]
	b.worse, b.worseName, b.worseARR = w.ID, w.Name, w.ARRCents
	b.fresh, b.freshName = f.ID, f.Name
	for i := range p.Accounts {
		if a := &p.Accounts[i]; a.Live && a.ID != b.worse && a.ID != b.fresh && !strings.Contains(a.Name, w.Name) {
			b.edge, b.edgeName, b.edgeARR = a.ID, a.Name, a.ARRCents
			break
		}
	}
	err = store.Update(b.path, store.Options{}, func(tx *store.Tx) error {
		for id, at := range map[uint64]time.Time{b.worse: noon(47), b.edge: noon(30)} {
			a, err := tx.Account(id)
			if err != nil {
				return err
			}
			a.InputsAt = at
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
		}
		old := store.Account{Name: b.legacyName, Lifecycle: store.Active, ARRCents: 1_234_500, Seats: 20, ActiveUsers: metrics.Some(2),
			NPS: metrics.Some(2), LastTouch: b.day.AddDays(-90), CreatedAt: noon(400), UpdatedAt: noon(60)}
		err := tx.PutAccount(&old)
		b.old, b.oldARR = old.ID, old.ARRCents
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// selectInReview moves the review's cursor to the first item of section
// sec holding account id, as j would.
func selectInReview(t *testing.T, m *Model, sec int, id uint64) {
	t.Helper()
	for range 400 {
		v := m.review
		if l := v.lines[v.items[v.cursor]]; l.kind == lineItem && l.sec == sec && v.p.Accounts[l.idx].ID == id {
			return
		}
		press(m, "j")
	}
	t.Fatalf("account %d is not in review section %d", id, sec)
}

// The review lists the stale data (name, owner, band in glyph and word,
// ARR, the inputs' age) and marks a worsened row whose inputs are stale;
// the health detail says when the inputs were updated and flags them
// stale past the setting; all of it counts days by the injected clock, and
// a new day moves it.
func TestReviewAndDetailShowStaleData(t *testing.T) {
	b := writeFreshnessBook(t)
	clock := fixNow
	m, err := openLoaded(Options{Path: b.path, Now: func() time.Time { return clock }}, 120, 40)
	if err != nil {
		t.Fatal(err)
	}
	s := screen(m)
	// The largest worsened account's band stands on 47-day-old inputs.
	row := lineWith(s, b.worseName)
	if !strings.Contains(row, "stale") || !strings.Contains(s, "Data") {
		t.Fatalf("the worsened row of %s lacks the stale marker: %q\n%s", b.worseName, row, s)
	}
	if row := lineWith(s, b.freshName); row == "" || strings.Contains(row, "stale") {
		t.Fatalf("the fresh worsened row of %s: %q", b.freshName, row)
	}

	// The section: two stale accounts (the 30-day one is not yet), the
	// largest ARR first.
	first, second := b.worse, b.old
	firstName, secondName := b.worseName, b.legacyName
	if b.oldARR > b.worseARR {
		first, second, firstName, secondName = second, first, secondName, firstName
	}
	selectInReview(t, m, secStale, first)
	s = screen(m)
	total := money(b.worseARR+b.oldARR, "USD")
	mustContain(t, s, "Stale data (2) · "+total+" ARR · health inputs older than 30 days")
	a := m.p.Account(b.worse)
	worseRow := lineWith(s, "47d old")
	for _, want := range []string{b.worseName, "47d old", bandLabel(a.Health.Band)[len(bandGlyph(a.Health.Band)):], bandGlyph(a.Health.Band), money(b.worseARR, "USD"), orDash(a.OwnerName, "unassigned")} {
		if !strings.Contains(worseRow, want) {
			t.Fatalf("the stale row lacks %q: %q\n%s", want, worseRow, s)
		}
	}
	if !strings.Contains(lineWith(s, "60d old"), b.legacyName) {
		t.Fatalf("the legacy account is not listed 60 days old (its last change):\n%s", s)
	}
	if sec := s[strings.Index(s, "Stale data ("):]; strings.Index(sec, firstName) > strings.Index(sec, secondName) {
		t.Fatalf("stale rows not largest ARR first (%s before %s):\n%s", firstName, secondName, s)
	}
	if strings.Contains(lineWith(s, "Stale data ("), b.edgeName) || strings.Contains(s, "30d old") {
		t.Fatalf("30-day-old inputs listed as stale:\n%s", s)
	}

	// The detail, right to the day.
	selectInReview(t, m, secStale, b.worse)
	press(m, "enter")
	if _, ok := m.current().(*healthPage); !ok {
		t.Fatal("enter did not open the health detail")
	}
	s = screen(m)
	mustContain(t, s, "Inputs updated "+b.day.AddDays(-47).String()+" (47 days ago)  ⚠ stale: older than 30 days")
	press(m, "esc")
	selectInReview(t, m, secStale, b.old)
	press(m, "enter")
	mustContain(t, screen(m), "Inputs updated "+b.day.AddDays(-60).String()+" (60 days ago, the record's last change)  ⚠ stale")
	press(m, "esc")

	// The 30-day-old inputs: dated, not stale; the next day they are.
	drive(m, m.act(openAccount{b.edge})) // as enter on it in any view does
	s = screen(m)
	mustContain(t, s, "Inputs updated "+b.day.AddDays(-30).String()+" (30 days ago)")
	if strings.Contains(lineWith(s, "Inputs updated"), "stale") {
		t.Fatalf("30-day-old inputs flagged stale:\n%s", s)
	}
	clock = fixNow.Add(24 * time.Hour)
	_, cmd := m.Update(clockMsg{})
	drive(m, cmd)
	if m.p.AsOf != b.day.AddDays(1) {
		t.Fatalf("the clock moved a day, the portfolio is as of %s", m.p.AsOf)
	}
	s = screen(m)
	mustContain(t, s, "Inputs updated "+b.day.AddDays(-30).String()+" (31 days ago)  ⚠ stale")
	press(m, "esc", "1")
	mustContain(t, screen(m), "Stale data (3)")
}

// At the smallest size the dashboard lays out (60x15) the worsened row
// still carries the marker (the Data column outranks the owner), and the
// stale section's rows keep the inputs' age.
func TestStaleDataFitsANarrowTerminal(t *testing.T) {
	b := writeFreshnessBook(t)
	m := loaded(t, b.path, 60, 15)
	s := screen(m)
	var sel string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "▸") {
			sel = l
		}
		if w := ansi.StringWidth(l); w > 60 {
			t.Fatalf("a line is %d wide at 60 columns: %q", w, l)
		}
	}
	if !strings.Contains(sel, "stale") {
		t.Fatalf("the selected worsened row (%s) lacks the stale marker at 60 columns: %q\n%s", b.worseName, sel, s)
	}
	selectInReview(t, m, secStale, b.worse)
	s = screen(m)
	mustContain(t, s, "Stale data (2)", "47d old")
}
