package tui

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/charmbracelet/bubbles/key"

	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// memberPage is one member's page, what a 1:1 needs on one screen: their
// book now and its change since their last 1:1, what worsened in it since
// then, renewals in 90 days, open escalations, accounts past their touch
// cadence, and capacity with the load by segment. Enter on the team view
// opens it; `b` opens their book in the accounts view. The figures at the
// last 1:1 need that week's snapshot, read in the background
// (memberSinceMsg); until it comes the page shows today's figures.
type memberPage struct {
	th         *theme
	id         uint64
	unassigned bool
	name       string
	seq        int
	p          *portfolio.Portfolio
	since      *portfolio.BookSince // at the last 1:1; nil until read
	notes      []store.OneOnOne     // the 1:1s logged, latest first
	doc        document
	// The book's trends (README, "The dashboard", Trends), read in the
	// background like the Trends view's (trendsNeeded): asked is the
	// portfolio the latest read was for, tr what landed (kept across a
	// change until the new one lands).
	asked    *portfolio.Portfolio
	trendSeq int
	tr       *portfolio.Trends
}

func newMemberPage(th *theme, in openMember, seq int, p *portfolio.Portfolio) *memberPage {
	pg := &memberPage{th: th, id: in.id, unassigned: in.unassigned, name: in.name, seq: seq, p: p, doc: document{th: th}}
	pg.rebuild()
	return pg
}

func (pg *memberPage) SetSize(w, h int) {
	pg.doc.setSize(w, h)
	pg.rebuild()
}

func (pg *memberPage) SetPortfolio(p *portfolio.Portfolio) {
	pg.p = p
	pg.since = nil // of the accounts replaced: read again (Model.refreshPage)
	pg.rebuild()
}

// landed takes in the book's trends when they are this page's.
func (pg *memberPage) landed(msg trendsMsg) {
	if msg.seq != pg.trendSeq {
		return
	}
	if msg.halted {
		pg.asked = nil // halted before it began: asked again
		return
	}
	if msg.err != nil {
		return // the page keeps its sections; the charts are left out
	}
	tr := msg.tr
	pg.tr = &tr
	pg.rebuild()
}

func (pg *memberPage) HandleKey(k *KeyMap, msg keyMsg) intent {
	if key.Matches(msg, k.MemberBook) {
		return openMember{id: pg.id, name: pg.name, unassigned: pg.unassigned}
	}
	pg.doc.move(k, msg)
	return nil
}

func (pg *memberPage) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Back, k.LogOneOnOne, k.MemberBook, k.Down, k.Up, k.Help}
}

func (pg *memberPage) View() string { return pg.doc.view() }

// row is the member's team row (nil when they left the roster).
func (pg *memberPage) row() *portfolio.MemberRow {
	if pg.p == nil {
		return nil
	}
	for i := range pg.p.Team {
		r := &pg.p.Team[i]
		if r.Unassigned == pg.unassigned && (pg.unassigned || r.Member.ID == pg.id) {
			return r
		}
	}
	return nil
}

// lastOneOnOne is the day the figures "then" are for: the last 1:1, or
// 30 days ago when there was none.
func (pg *memberPage) lastOneOnOne() (metrics.Date, bool) {
	if r := pg.row(); r != nil && !r.Member.LastOneOnOne.IsZero() && !pg.unassigned {
		return r.Member.LastOneOnOne, true
	}
	return pg.p.AsOf.AddDays(-30), false
}

func (pg *memberPage) owns(a *portfolio.Account) bool {
	if pg.unassigned {
		return a.OwnerID == 0 || a.OwnerName == ""
	}
	return a.OwnerID == pg.id
}

func (pg *memberPage) rebuild() {
	d := &pg.doc
	d.reset()
	r := pg.row()
	if r == nil {
		d.title(sanitize(pg.name))
		d.line(pg.th.Muted.Render("No longer on the roster."))
		return
	}
	p, cur := pg.p, pg.p.Settings.Currency
	day, had := pg.lastOneOnOne()
	role := humanize(string(r.Member.Role))
	if r.Unassigned {
		role = "pool"
	}
	d.title(sanitize(r.Member.Name) + " · " + role + " · 1:1 prep (b opens the book)")
	if had {
		d.kv("Last 1:1", day.String()+" ("+itoa(p.AsOf.Sub(day))+"d ago)")
	} else if !r.Unassigned {
		d.kv("Last 1:1", "never: changes below are over the last 30 days")
	}
	d.blank()
	since := "since " + day.String()
	d.section("Book now, " + since)
	then := pg.since
	k := "ARR " + money(r.ARRCents, cur) + " · NRR " + pct(r.Retention.NRR) + " · at risk " + money(r.AtRiskARRCents, cur)
	if then != nil {
		t := &then.Then
		k = "ARR " + money(r.ARRCents, cur) + " " + signedMoney(r.ARRCents-t.ARRCents, cur) +
			" · NRR " + pct(r.Retention.NRR) + " " + signedPoints(r.Retention.NRR, t.NRR) +
			" · at risk " + money(r.AtRiskARRCents, cur) + " " + signedMoney(r.AtRiskARRCents-t.AtRiskARRCents, cur)
	}
	d.line("  " + k)
	bands := ""
	for _, b := range []metrics.Band{metrics.Red, metrics.Yellow, metrics.Green} {
		bands += bandGlyph(b) + " " + itoa(r.Bands[b]) + " " + string(b)
		if then != nil {
			bands += " " + signedCount(r.Bands[b]-then.Then.Bands[b])
		}
		bands += "  "
	}
	d.line("  " + bands)
	if then == nil {
		d.line(pg.th.Muted.Render("  (reading the figures at " + day.String() + "…)"))
	}
	d.blank()
	if pg.tr != nil {
		tr, w := pg.tr, d.w
		smallCharts(d, []func(w, h int) []string{
			func(w, h int) []string {
				return retentionChart(pg.th, w, h, retentionTitle(w, tr.Quarters), tr.Quarters)
			},
			func(w, h int) []string { return arrChart(pg.th, w, h, tr.ARRMonths, cur) },
			func(w, h int) []string { return bandChart(pg.th, w, h, bandTitle(w, tr.BandWeeks), tr.BandWeeks) },
		}, w, pg.doc.h)
	}

	var worse, renew, untouched []int
	if then != nil {
		worse = then.Worsened
	}
	cfg := p.Settings.Health
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if !a.Live || !pg.owns(a) {
			continue
		}
		if !a.RenewalDate.IsZero() && a.DaysToRenewal <= 90 {
			renew = append(renew, i)
		}
		if a.LastTouch.IsZero() || p.AsOf.Sub(a.LastTouch) > cfg.Cadence.For(a.Segment) {
			untouched = append(untouched, i)
		}
	}
	// Renewals soonest first; untouched the largest ARR first, as in
	// the review.
	slices.SortStableFunc(renew, func(x, y int) int { return cmp.Compare(p.Accounts[x].DaysToRenewal, p.Accounts[y].DaysToRenewal) })
	slices.SortStableFunc(untouched, func(x, y int) int { return cmp.Compare(p.Accounts[y].ARRCents, p.Accounts[x].ARRCents) })
	acct := func(i int, extra string) {
		a := &p.Accounts[i]
		d.line("  " + pg.th.band(a.Health.Band).Render(bandGlyph(a.Health.Band)) + " " + sanitize(a.Name) + " · " + money(a.ARRCents, cur) + " · " + extra)
	}
	d.section("Worsened " + since + " (" + itoa(len(worse)) + ")")
	if then != nil && len(worse) == 0 {
		d.line(pg.th.Muted.Render("  Nothing in the book worsened " + since + "."))
	}
	for _, i := range worse {
		a := &p.Accounts[i]
		acct(i, bandLabel(a.Health.Band)+" now, "+a.Trend.String())
	}
	d.blank()
	d.section("Renewals within 90 days (" + itoa(len(renew)) + ")")
	for _, i := range renew {
		a := &p.Accounts[i]
		acct(i, a.RenewalDate.String()+" "+daysLeft(a.DaysToRenewal)+" · "+bandLabel(a.Health.Band))
	}
	d.blank()
	open := 0
	d.section("Open escalations (" + itoa(r.OpenEsc) + ")")
	for _, e := range p.Escalations {
		if !e.Open() || pg.unassigned || p.Responsible(&e) != pg.id {
			continue
		}
		open++
		d.line("  " + slaText(true, e.SLADue, p.Now) + " · " + e.Severity + " · " + sanitize(e.Title) + " · " + sanitize(e.AccountName))
	}
	if open == 0 {
		d.line(pg.th.Muted.Render("  None open."))
	}
	d.blank()
	d.section("Past their touch cadence (" + itoa(len(untouched)) + ")")
	for _, i := range untouched {
		a := &p.Accounts[i]
		age := "never touched"
		if !a.LastTouch.IsZero() {
			age = "last touch " + itoa(p.AsOf.Sub(a.LastTouch)) + "d ago"
		}
		acct(i, age+" (cadence "+itoa(cfg.Cadence.For(a.Segment))+"d)")
	}
	d.blank()
	d.section("1:1s logged (" + itoa(len(pg.notes)) + ")")
	if len(pg.notes) == 0 && !pg.unassigned {
		d.line(pg.th.Muted.Render("  None yet: 1 logs one."))
	}
	for i, o := range pg.notes {
		if i == 5 {
			d.line(pg.th.Muted.Render("  … " + itoa(len(pg.notes)-5) + " earlier"))
			break
		}
		head := "  " + o.Date.String() + " · by " + sanitize(o.Author)
		if !o.Next.IsZero() {
			head += " · next " + o.Next.String()
		}
		d.line(pg.th.Label.Render(head))
		if o.Notes != "" {
			d.wrap(o.Notes)
		}
	}
	d.blank()
	d.section("Capacity")
	var segs metrics.SegmentCounts
	for i := range p.Accounts {
		if a := &p.Accounts[i]; a.Live && pg.owns(a) {
			segs.Add(a.Segment, 1)
		}
	}
	load := "  " + itoa(r.Accounts) + " accounts of a capacity of " + itoa(r.Member.Capacity) +
		" · by segment " + itoa(segs.Enterprise) + " enterprise, " + itoa(segs.MidMarket) + " mid-market, " + itoa(segs.SMB) + " SMB" +
		" · weighted load " + trimFloat(r.Load) + " (" + pct(r.LoadShare) + ")"
	if r.LoadShare.OK && r.LoadShare.V > 1 {
		load = pg.th.Error.Render(load + " ⚠ over")
	}
	d.line(load)
}

func trimFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// openMemberPage asks the root for a member's page (team view, enter).
type openMemberPage struct{ openMember }

// memberSinceMsg carries the scores of the snapshot week of a member
// page's last 1:1 (the newest week not after it).
type memberSinceMsg struct {
	seq    int
	scores map[uint64]store.WeekScore
	notes  []store.OneOnOne
	err    error
}

// memberSinceCmd reads a member's 1:1 notes and the scores of the
// snapshot week of their last 1:1. book is the page's accounts when
// they are few (bookLookups): their
// scores are looked up one by one instead of reading the whole week, a
// hundred thousand entries on a shared box for a book of a few dozen.
func memberSinceCmd(seq int, path string, opt store.Options, member uint64, day metrics.Date, book []uint64) tea.Cmd {
	return func() tea.Msg {
		msg := memberSinceMsg{seq: seq}
		msg.err = store.View(path, opt, func(tx *store.Tx) (err error) {
			if member != 0 {
				if msg.notes, err = tx.OneOnOnes(member); err != nil {
					return err
				}
			}
			w := tx.LatestWeekBefore(metrics.WeekOf(day.AddDays(7)))
			if w == 0 || w > metrics.WeekOf(day) {
				msg.scores = map[uint64]store.WeekScore{}
				return nil
			}
			if book == nil {
				msg.scores, err = tx.WeekScores(w)
				return err
			}
			msg.scores = make(map[uint64]store.WeekScore, len(book))
			for _, id := range book {
				ws, ok, err := tx.WeekScore(id, w)
				if err != nil {
					return err
				}
				if ok {
					msg.scores[id] = ws
				}
			}
			return nil
		})
		return msg
	}
}

// bookLookups is the member page's accounts for memberSinceCmd, taken on
// the screen's goroutine (the change feed moves accounts in place), or nil
// when the book holds 1 in 32 of the accounts or more: then one pass over
// the week is the cheaper read.
func (m *Model) bookLookups(pg *memberPage) []uint64 {
	id := pg.memberID()
	ids := m.p.ScopeIDs(portfolio.Scope{Owner: &id})
	if len(ids)*32 >= len(m.p.Accounts) {
		return nil
	}
	if ids == nil {
		ids = []uint64{} // an empty book reads nothing, not the whole week
	}
	return ids
}

// memberID is the member whose 1:1s the page reads (0 for the pool).
func (pg *memberPage) memberID() uint64 {
	if pg.unassigned {
		return 0
	}
	return pg.id
}
