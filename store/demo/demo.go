// Package demo writes a deterministic, realistic demo portfolio: a manager
// and their team, accounts across the three segments with an ARR ledger
// whose retention KPIs look like a healthy B2B book (NRR about 1.08, GRR
// about 0.91), thirteen weeks of health snapshots with believable trends,
// escalations in every severity and status, and an activity log.
//
// Everything is drawn from one PCG source seeded from Options.Seed (plus
// per-account streams derived from it), and every date is relative to
// Options.Today and every instant to Options.Now, so the same options give
// the same database content. Nothing iterates a map.
package demo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// Options say what to generate.
type Options struct {
	Accounts int          // 0 means the default, about 150
	Members  int          // team members besides the manager; 0 means 5 up to the default size, about Accounts/28 beyond it
	Seed     int64        // same seed + same Today (+ same Now) => identical content
	Today    metrics.Date // the "current" day; zero means metrics.DateOf(time.Now())
	Now      time.Time    // the current instant for escalation times; zero means time.Now().UTC()
}

// Summary counts what Write stored.
type Summary struct {
	Members, Accounts, LedgerEntries, Snapshots, Escalations, Activities, Tasks int
}

// DefaultAccounts is the size of `steward demo` without --accounts.
const DefaultAccounts = 150

const (
	defaultMembers = 5
	snapshotWeeks  = 13
	// batchAccounts bounds one write transaction. Each commit costs two
	// fsyncs, but a transaction's dirty B+tree nodes live on the Go heap
	// and grow by copying until the commit splits them, so very large
	// transactions are slower overall: at 100,000 accounts one commit per
	// 5,000 accounts measured about 40% less CPU than one per 20,000 and
	// half that of a single transaction. firstBatch is explained in write.
	batchAccounts = 5_000
	firstBatch    = 500
	// manyActivities is the book size up to which accounts get a few older
	// activities besides the latest touch and QBR.
	manyActivities = 2_000
)

// Retention targets: the generator nudges the trailing-year ledger until
// the portfolio's NRR and GRR land in these ranges.
const (
	nrrLo, nrrAim, nrrHi = 1.06, 1.08, 1.10
	grrLo, grrAim, grrHi = 0.89, 0.91, 0.935
)

// Write creates a fresh database at path (the caller has already refused or
// removed an existing file) and fills it. It writes through the store API in
// a handful of transactions (one per 5,000 accounts). Record IDs are
// predicted from an empty file, so a file that already holds members or
// accounts makes the first transaction fail and roll back: nothing is
// written to it.
func Write(path string, opt Options) (Summary, error) {
	g := newGenerator(opt)
	g.generate()
	return g.write(path)
}

type trendKind uint8

const (
	trendStable trendKind = iota
	trendSliding
	trendRecovering
)

// lev is one planned ledger entry. f is the multiplicative ARR change the
// entry makes (0 for churn); arr is filled in by price.
type lev struct {
	date  metrics.Date
	kind  metrics.LedgerKind
	f     float64
	anniv bool // on a contract anniversary: the renewal of a term
	arr   int64
	note  string
}

type acct struct {
	a       store.Account
	seg     metrics.Segment
	unit    int64 // ARR rounding unit in cents
	target  int64 // ARR after the last non-churn entry (current ARR of a live account)
	levs    []lev
	churnAt metrics.Date
	late    metrics.Date // a renewal past due, still being negotiated
	next    metrics.Date // next anniversary after today
	unknown bool         // brand new: no health data at all
	latent  float64      // 0..1 "true health" the inputs are drawn from
	owner   int          // member index; -1 unassigned
	// current health: score (when hasScore) and the band from the score
	score    int
	hasScore bool
	computed metrics.Band
	comps    [metrics.NumComponents]int8
	trend    trendKind
	amount   int // trend size in points
	weeks    int // weeks the trend took
	ovFrom   metrics.Date
	ovTo     metrics.Date
	ovBand   metrics.Band
	// cohort bookkeeping for calibration
	s, e int64
}

type esc struct {
	e      store.Escalation
	acct   int
	events []store.Event
}

type generator struct {
	opt      Options
	n        int
	cfg      metrics.Config
	rng      *rand.Rand
	today    metrics.Date
	now      time.Time
	ws       metrics.Date // KPI window start: today - 12 months
	ls       metrics.Date // ledger window start: today - 15 months
	thisWeek metrics.Week
	weeks    []metrics.Week // the snapshot weeks, oldest first
	// the weeks of forecast snapshots, oldest first, and the quarters
	// they cover (the last one, closed, and this one)
	callWeeks    []metrics.Week
	callQuarters []metrics.Date
	members      []store.Member
	acc          []acct
	escs         []esc
	plans        []store.Plan // success plans, in account order (plans.go)
}

func newGenerator(opt Options) *generator {
	if opt.Accounts <= 0 {
		opt.Accounts = DefaultAccounts
	}
	if opt.Members <= 0 {
		// About 28 accounts per person keeps a large book's load near 85%
		// of capacity once churned accounts drop out.
		opt.Members = defaultMembers
		if opt.Accounts > DefaultAccounts {
			opt.Members = max(defaultMembers, int(math.Round(float64(opt.Accounts)/28)))
		}
	}
	if opt.Today.IsZero() {
		opt.Today = metrics.DateOf(time.Now())
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now().UTC()
	}
	g := &generator{
		opt:   opt,
		n:     opt.Accounts,
		cfg:   store.DefaultSettings().Health,
		rng:   rand.New(rand.NewPCG(uint64(opt.Seed), 0x5157_e3a4_d0_00_00_01)),
		today: opt.Today,
		now:   opt.Now.UTC().Truncate(time.Second),
	}
	g.ws = g.today.AddMonths(-12)
	g.ls = g.today.AddMonths(-15)
	g.thisWeek = metrics.WeekOf(g.today)
	w := g.thisWeek
	for range snapshotWeeks {
		w = w.Prev()
		g.weeks = append(g.weeks, w)
	}
	slices.Reverse(g.weeks)
	// The forecast snapshots: every week from the last quarter's first
	// to last week, as a weekly `steward snapshot` would have taken them.
	last, _ := metrics.Quarter(g.today)
	g.callQuarters = []metrics.Date{last.AddMonths(-3), last}
	for w := metrics.WeekOf(last.AddMonths(-3)); w < g.thisWeek; w = metrics.WeekOf(w.Monday().AddDays(7)) {
		if w.Monday() >= last.AddMonths(-3) {
			g.callWeeks = append(g.callWeeks, w)
		}
	}
	return g
}

// ---- random helpers ----

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// between is a uniform integer in [lo, hi].
func (g *generator) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.rng.IntN(hi-lo+1)
}

func (g *generator) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func clampF(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func roundUnit(v float64, unit int64) int64 {
	r := int64(math.Round(v/float64(unit))) * unit
	return max(r, unit)
}

// ---- generation ----

func (g *generator) generate() {
	g.genMembers()
	g.planAccounts()
	g.calibrate()
	g.genNames()
	g.genOwners()
	for i := range g.acc {
		g.genFields(&g.acc[i])
	}
	g.genEscalations()
	for i := range g.acc {
		g.score(&g.acc[i])
	}
	g.genOverrides()
	g.genTrends()
	g.genInputsDates()
	g.genPlans() // last: its own stream, so nothing above moves
}

// genMembers makes the manager (index 0) and the team.
func (g *generator) genMembers() {
	m := g.opt.Members
	roles := make([]store.Role, m)
	if m == defaultMembers {
		copy(roles, []store.Role{store.RoleSeniorAM, store.RoleSeniorAM, store.RoleAccountManager, store.RoleAccountManager, store.RoleCoordinator})
	} else {
		senior := int(math.Round(0.25 * float64(m)))
		coord := int(math.Round(0.15 * float64(m)))
		for i := range roles {
			switch {
			case i < senior:
				roles[i] = store.RoleSeniorAM
			case i < senior+coord:
				roles[i] = store.RoleCoordinator
			default:
				roles[i] = store.RoleAccountManager
			}
		}
		g.rng.Shuffle(len(roles), func(i, j int) { roles[i], roles[j] = roles[j], roles[i] })
	}
	roles = append([]store.Role{store.RoleManager}, roles...)

	// Unique names: a permutation of first x last, with a middle initial
	// once a very large team exhausts the combinations.
	space := len(firstNames) * len(lastNames)
	perm := g.rng.Perm(space)
	seen := map[string]int{}
	for i, role := range roles {
		p := perm[i%space]
		first, last := firstNames[p%len(firstNames)], lastNames[p/len(firstNames)]
		name := first + " " + last
		local := mailLocal(first, last)
		if i >= space {
			initial := string(rune('A' + (i/space-1)%26))
			name = first + " " + initial + ". " + last
			local = mailLocal(first, strings.ToLower(initial)+last)
		}
		if k := seen[local]; k > 0 {
			local = fmt.Sprintf("%s%d", local, k+1)
		}
		seen[local]++
		mem := store.Member{
			Name:   name,
			Email:  local + "@example.com",
			Role:   role,
			Active: true,
		}
		mem.Capacity = role.DefaultCapacity()
		// One-on-ones: most within two weeks, about a third overdue.
		switch {
		case role == store.RoleManager:
			mem.LastOneOnOne = g.today.AddDays(-g.between(5, 20))
		case m == defaultMembers:
			mem.LastOneOnOne = g.today.AddDays(-[]int{3, 9, 26, 12, 41}[i-1])
		case g.chance(0.02):
			// never recorded
		case g.chance(0.3):
			mem.LastOneOnOne = g.today.AddDays(-g.between(22, 60))
		default:
			mem.LastOneOnOne = g.today.AddDays(-g.between(1, 14))
		}
		g.members = append(g.members, mem)
	}
}

// segRange is the ARR range of a segment in dollars.
func segRange(s metrics.Segment) [2]float64 {
	switch s {
	case metrics.Enterprise:
		return [2]float64{100_000, 1_200_000}
	case metrics.MidMarket:
		return [2]float64{20_000, 100_000}
	}
	return [2]float64{3_000, 20_000}
}

func segUnit(s metrics.Segment) int64 {
	switch s {
	case metrics.Enterprise:
		return 500_00
	case metrics.MidMarket:
		return 100_00
	}
	return 60_00 // SMB plans are monthly prices times twelve
}

func churnProb(s metrics.Segment) float64 {
	switch s {
	case metrics.Enterprise:
		return 0.035
	case metrics.MidMarket:
		return 0.07
	}
	return 0.10
}

// planAccounts draws each account's segment, ARR, contract start and ARR
// ledger over the last 15 months.
func (g *generator) planAccounts() {
	type draw struct {
		seg     metrics.Segment
		target  int64
		cs      metrics.Date
		unknown bool
		i       int32
	}
	draws := make([]draw, g.n)
	nUnknown := 0
	if g.n >= 20 {
		nUnknown = 1 + g.n/2000
	}
	// Contract days of the year are stratified over the book, so that the
	// renewals due in the next 30/60/90 days are about 8/16/25% of it for
	// any seed, not just on average.
	strata := g.rng.Perm(g.n)
	for i := range draws {
		d := &draws[i]
		d.i = int32(i)
		frac := (float64(strata[i]) + g.rng.Float64()) / float64(g.n)
		switch u := g.rng.Float64(); {
		case u < 0.18:
			d.seg = metrics.Enterprise
		case u < 0.55:
			d.seg = metrics.MidMarket
		default:
			d.seg = metrics.SMB
		}
		unit, r := segUnit(d.seg), segRange(d.seg)
		dollars := math.Exp(g.uniform(math.Log(r[0]), math.Log(r[1])))
		d.target = roundUnit(dollars*100, unit)
		if d.target >= int64(r[1]*100) {
			d.target -= unit
		}
		var age int
		switch u := g.rng.Float64(); {
		case i < nUnknown:
			d.unknown = true
			age = g.between(2, 8)
		case u < 0.04:
			age = g.between(10, 85) // onboarding
		case u < 0.20:
			age = 90 + int(frac*275)
		default:
			age = 365*g.between(1, 3) + int(frac*365) // one to four years
		}
		d.cs = g.today.AddDays(-age)
	}
	// Oldest customers get the lowest IDs, as in any CRM.
	slices.SortFunc(draws, func(x, y draw) int {
		if x.cs != y.cs {
			return int(x.cs) - int(y.cs)
		}
		return int(x.i) - int(y.i)
	})
	g.acc = make([]acct, g.n)
	for i, d := range draws {
		a := &g.acc[i]
		a.owner = -1
		a.seg, a.unit, a.target, a.unknown = d.seg, segUnit(d.seg), d.target, d.unknown
		a.a.ContractStart = d.cs
		a.levs = make([]lev, 0, 4)
		g.planLedger(a)
		g.price(a)
	}
}

func (g *generator) planLedger(a *acct) {
	cs := a.a.ContractStart
	a.levs = append(a.levs[:0], lev{date: cs, kind: metrics.KindNew, f: 1, note: "New contract"})
	if a.unknown {
		a.next = cs.AddMonths(12)
		return
	}
	for k := 1; ; k++ {
		d := cs.AddMonths(12 * k)
		if d > g.today {
			a.next = d
			break
		}
		if d <= g.ls {
			continue
		}
		if g.chance(churnProb(a.seg)) {
			a.levs = append(a.levs, lev{date: d, kind: metrics.KindChurn, anniv: true, note: "Did not renew"})
			a.churnAt = d
			break
		}
		if g.today.Sub(d) <= 25 && g.chance(0.2) {
			a.late = d // still negotiating: no entry yet
			continue
		}
		a.levs = append(a.levs, g.renewal(d))
	}
	lo, hi := max(g.ls, cs.AddDays(45)).AddDays(1), g.today.AddDays(-3)
	if a.churnAt != 0 {
		hi = min(hi, a.churnAt.AddDays(-7))
	}
	if hi > lo {
		switch u := g.rng.Float64(); {
		case u < 0.52:
			a.insert(g.expansion(metrics.Date(g.between(int(lo), int(hi)))))
		case u < 0.59:
			a.insert(lev{date: metrics.Date(g.between(int(lo), int(hi))), kind: metrics.KindContraction, f: g.uniform(0.78, 0.92), note: "Seats reduced mid-term"})
		}
	}
}

// renewal is the outcome of one term's renewal on day d.
func (g *generator) renewal(d metrics.Date) lev {
	switch u := g.rng.Float64(); {
	case u < 0.14:
		return lev{date: d, kind: metrics.KindRenewal, anniv: true, f: g.uniform(0.7, 0.9), note: "Renewed with fewer seats"}
	case u < 0.45:
		return lev{date: d, kind: metrics.KindRenewal, anniv: true, f: 1, note: "Renewed flat"}
	case u < 0.82:
		f := g.uniform(1.03, 1.08)
		return lev{date: d, kind: metrics.KindRenewal, anniv: true, f: f, note: fmt.Sprintf("Renewed with %.0f%% uplift", (f-1)*100)}
	default:
		return lev{date: d, kind: metrics.KindExpansion, anniv: true, f: g.uniform(1.10, 1.40), note: "Renewed and expanded"}
	}
}

func (g *generator) expansion(d metrics.Date) lev {
	return lev{date: d, kind: metrics.KindExpansion, f: g.uniform(1.12, 1.6), note: g.pick([]string{"Added seats", "Cross-sell: analytics add-on", "New department onboarded", "Upgraded plan tier"})}
}

// insert adds a mid-term entry in date order, never on another entry's day.
func (a *acct) insert(e lev) {
	for {
		clash := false
		for _, x := range a.levs {
			clash = clash || x.date == e.date
		}
		if !clash {
			break
		}
		e.date--
	}
	i := sort.Search(len(a.levs), func(i int) bool { return a.levs[i].date > e.date })
	a.levs = slices.Insert(a.levs, i, e)
}

// price fills in each entry's ARR, working back from the target so the last
// entry is exactly the account's ARR.
func (g *generator) price(a *acct) {
	prod, last := 1.0, 0
	for i, e := range a.levs {
		if i > 0 && e.kind != metrics.KindChurn {
			prod *= e.f
			last = i
		}
	}
	v := roundUnit(float64(a.target)/prod, a.unit)
	for i := range a.levs {
		e := &a.levs[i]
		if e.kind == metrics.KindChurn {
			e.arr = 0
			continue
		}
		if i > 0 {
			v = roundUnit(float64(v)*e.f, a.unit)
		}
		if i == last {
			v = a.target
		}
		e.arr = v
	}
}

func (a *acct) arrAt(d metrics.Date) int64 {
	var v int64
	for _, e := range a.levs {
		if e.date > d {
			break
		}
		v = e.arr
	}
	return v
}

// ---- retention calibration ----

type sums struct{ s, e, grr int64 }

func (x *sums) add(a *acct, sign int64) {
	x.s += sign * a.s
	x.e += sign * a.e
	x.grr += sign * min(a.s, a.e)
}

func (x sums) nrr() float64 { return float64(x.e) / float64(x.s) }
func (x sums) gr() float64  { return float64(x.grr) / float64(x.s) }

// calibrate nudges individual accounts' trailing-year ledger (un-churn a
// loss, add a downsell, add or remove an expansion) until NRR and GRR land
// in their target ranges. With random draws alone a 150-account book swings
// by several points with one enterprise churn; this keeps every seed and
// size plausible while each account's history stays a believable story.
func (g *generator) calibrate() {
	var cohort []int
	var tot sums
	for i := range g.acc {
		a := &g.acc[i]
		a.s, a.e = a.arrAt(g.ws), a.arrAt(g.today)
		if a.s > 0 {
			cohort = append(cohort, i)
			tot.add(a, 1)
		}
	}
	if len(cohort) == 0 {
		return
	}
	// Once a ratio leaves its range, bring it back to its aim rather than
	// just over the edge, so books land near the aims, not on a boundary.
	const (
		none = iota
		grrUp
		grrDown
		nrrUp
		nrrDown
	)
	fixing := none
	for iter := 0; iter < 20*len(cohort)+200; iter++ {
		nrr, gr := tot.nrr(), tot.gr()
		if fixing == none {
			switch {
			case gr < grrLo:
				fixing = grrUp
			case gr > grrHi:
				fixing = grrDown
			case nrr < nrrLo:
				fixing = nrrUp
			case nrr > nrrHi:
				fixing = nrrDown
			default:
				return
			}
		}
		// Each mode has a second move for when a small book runs out of
		// candidates for the first.
		var ops [2]func(*acct) bool
		loss := func(a *acct) bool { return g.loss(a, tot.s) }
		switch {
		case fixing == grrUp && gr < grrAim:
			ops = [2]func(*acct) bool{g.unloss, g.unloss}
		case fixing == grrDown && gr > grrAim:
			ops = [2]func(*acct) bool{loss, g.unexpand}
		case fixing == nrrUp && nrr < nrrAim:
			ops = [2]func(*acct) bool{g.expand, g.boost}
		case fixing == nrrDown && nrr > nrrAim:
			ops = [2]func(*acct) bool{g.unexpand, loss}
		default:
			fixing = none
			continue
		}
	moves:
		for _, op := range ops {
			for try := 0; try < 64; try++ {
				a := &g.acc[cohort[g.rng.IntN(len(cohort))]]
				tot.add(a, -1)
				ok := op(a)
				if ok {
					g.price(a)
					a.s, a.e = a.arrAt(g.ws), a.arrAt(g.today)
				}
				tot.add(a, 1)
				if ok {
					break moves
				}
			}
		}
	}
}

func (g *generator) nextAnniversary(cs metrics.Date) metrics.Date {
	for k := 1; ; k++ {
		if d := cs.AddMonths(12 * k); d > g.today {
			return d
		}
	}
}

func (g *generator) inWindow(e *lev) bool { return e.date > g.ws && e.date <= g.today }

// unloss turns the account's trailing-year losses into flat outcomes.
func (g *generator) unloss(a *acct) bool {
	changed := false
	for i := 0; i < len(a.levs); i++ {
		e := &a.levs[i]
		if i == 0 || !g.inWindow(e) || (e.kind != metrics.KindChurn && e.f >= 1) {
			continue
		}
		switch {
		case e.kind == metrics.KindChurn:
			*e = lev{date: e.date, kind: metrics.KindRenewal, anniv: true, f: 1, note: "Renewed flat"}
			a.churnAt = 0
			a.next = g.nextAnniversary(a.a.ContractStart)
		case e.anniv:
			*e = lev{date: e.date, kind: metrics.KindRenewal, anniv: true, f: 1, note: "Renewed flat"}
		default:
			a.levs = slices.Delete(a.levs, i, i+1)
			i--
		}
		changed = true
	}
	return changed
}

// loss adds a downsell (or, for a small account, a churn) at the account's
// renewal inside the window. GRR counts each account's net change, so an
// account that also expanded in the window is left alone (and expand skips
// accounts with a loss): otherwise the two nudges cancel out.
func (g *generator) loss(a *acct, total int64) bool {
	if a.churnAt != 0 {
		return false
	}
	at := -1
	for i := range a.levs {
		e := &a.levs[i]
		if i > 0 && g.inWindow(e) && (e.f < 1 || e.kind == metrics.KindExpansion) {
			return false
		}
		if e.anniv && g.inWindow(e) {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	d := a.levs[at].date
	if at == len(a.levs)-1 && float64(a.s) < 0.02*float64(total) && g.chance(0.35) {
		a.levs[at] = lev{date: d, kind: metrics.KindChurn, anniv: true, note: "Did not renew"}
		a.churnAt = d
		return true
	}
	a.levs[at] = lev{date: d, kind: metrics.KindRenewal, anniv: true, f: g.uniform(0.7, 0.9), note: "Renewed with fewer seats"}
	return true
}

// expand adds a mid-term expansion inside the window or, when the account
// already has one, turns its renewal inside the window into an expansion.
func (g *generator) expand(a *acct) bool {
	if a.churnAt != 0 {
		return false
	}
	renewal, hasMid := -1, false
	for i := 1; i < len(a.levs); i++ {
		switch e := &a.levs[i]; {
		case !g.inWindow(e):
		case e.f < 1:
			return false // see loss
		case e.anniv && e.kind == metrics.KindRenewal && e.f >= 1:
			renewal = i
		case !e.anniv && e.kind == metrics.KindExpansion:
			hasMid = true
		}
	}
	lo, hi := max(g.ws, a.a.ContractStart.AddDays(45)).AddDays(1), g.today.AddDays(-3)
	if !hasMid && hi > lo {
		a.insert(g.expansion(metrics.Date(g.between(int(lo), int(hi)))))
		return true
	}
	if renewal >= 0 {
		e := &a.levs[renewal]
		*e = lev{date: e.date, kind: metrics.KindExpansion, anniv: true, f: g.uniform(1.10, 1.35), note: "Renewed and expanded"}
		return true
	}
	return false
}

// boost makes a trailing-year expansion bigger.
func (g *generator) boost(a *acct) bool {
	for i := 1; i < len(a.levs); i++ {
		if e := &a.levs[i]; g.inWindow(e) && e.kind == metrics.KindExpansion && e.f < 2 {
			e.f *= g.uniform(1.08, 1.2)
			return true
		}
	}
	return false
}

// unexpand removes a trailing-year expansion.
func (g *generator) unexpand(a *acct) bool {
	for i := 1; i < len(a.levs); i++ {
		e := &a.levs[i]
		if !g.inWindow(e) || e.kind != metrics.KindExpansion {
			continue
		}
		if e.anniv {
			*e = lev{date: e.date, kind: metrics.KindRenewal, anniv: true, f: 1.04, note: "Renewed with 4% uplift"}
		} else {
			a.levs = slices.Delete(a.levs, i, i+1)
		}
		return true
	}
	return false
}

// ---- names and owners ----

func (g *generator) genNames() {
	words, cores, sufs := len(companyWords), len(companyCores), len(companySuffixes)
	space := words * cores * sufs
	// Where the wide-character names go: spread through the book.
	special := map[int]int{}
	ns := min(len(specialCompanies), g.n/3)
	for k := range ns {
		special[(2*k+1)*g.n/(2*ns)] = k
	}
	// Names are drawn at random, most without a legal suffix, and redrawn
	// on a clash; when a huge book exhausts the short names, a permutation
	// of the whole space hands out the rest, and past that a region tag
	// keeps them unique.
	taken := make(map[int]bool, min(g.n, space))
	perm := g.rng.Perm(space)
	next := 0
	regions := []string{"EMEA", "APAC", "Americas", "Nordics", "DACH", "UK", "LATAM"}
	// Salesforce-style account IDs, increasing with creation order.
	ext := int64(g.rng.IntN(1_000_000)) + 40_000_000
	for i := range g.acc {
		a := &g.acc[i]
		var name, domain string
		if k, ok := special[i]; ok {
			name, domain = specialCompanies[k].name, specialCompanies[k].domain
		} else {
			p, tag := -1, ""
			for try := 0; try < 8 && len(taken) < space; try++ {
				c := g.rng.IntN(words * cores)
				if !g.chance(0.45) {
					c += (1 + g.rng.IntN(sufs-1)) * words * cores
				}
				if !taken[c] {
					p = c
					break
				}
			}
			for p < 0 {
				if len(taken) >= space {
					round := len(taken) / space
					tag = " (" + regions[(round-1)%len(regions)] + fmt.Sprint((round-1)/len(regions)+1) + ")"
					p = perm[len(taken)%space]
					break
				}
				if c := perm[next]; !taken[c] {
					p = c
				}
				next++
			}
			if tag == "" {
				taken[p] = true
			} else {
				taken[-1-len(taken)] = true // count the tagged ones too
			}
			w, c, sf := p%words, (p/words)%cores, p/(words*cores)
			name = companyWords[w] + " " + companyCores[c]
			if companySuffixes[sf] != "" {
				name += " " + companySuffixes[sf]
			}
			name += tag
			domain = slug(companyWords[w]+" "+companyCores[c]) + ".example"
		}
		a.a.Name = name
		ext += int64(g.between(3, 400))
		a.a.ExternalID = "001Dn" + base62(ext, 10)
		first, last := g.pick(firstNames), g.pick(lastNames)
		a.a.ChampionName = first + " " + last
		a.a.ChampionEmail = mailLocal(first, last) + "@" + domain
	}
}

const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62 writes v in width digits of 0-9A-Za-z, which sort in ASCII order.
func base62(v int64, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = b62[v%62]
		v /= 62
	}
	return string(b)
}

// genOwners assigns accounts so that each member's expected load is in
// proportion to their capacity, with enterprise accounts going mostly to
// senior people and the manager and SMB mostly to coordinators: a small
// iterative proportional fit of a role x segment affinity table to the
// roles' capacity and the book's segment mix.
func (g *generator) genOwners() {
	roles := []store.Role{store.RoleManager, store.RoleSeniorAM, store.RoleAccountManager, store.RoleCoordinator}
	affinity := [4][3]float64{ // enterprise, mid-market, SMB
		{1.5, 0.4, 0},
		{2.0, 1.0, 0.3},
		{0.6, 1.2, 1.0},
		{0, 0.4, 2.0},
	}
	segIdx := func(s metrics.Segment) int { return slices.Index(metrics.Segments, s) }
	byRole := make([][]int, len(roles))
	var row [4]float64
	for i, m := range g.members {
		r := slices.Index(roles, m.Role)
		byRole[r] = append(byRole[r], i)
		c := float64(m.Capacity)
		if m.Role == store.RoleManager {
			c *= 0.6 // the manager keeps a small strategic book
		}
		row[r] += c
	}
	var col [3]float64
	for i := range g.acc {
		col[segIdx(g.acc[i].seg)]++
	}
	var rowSum float64
	for _, v := range row {
		rowSum += v
	}
	for r := range row {
		row[r] *= float64(g.n) / rowSum
	}
	m := affinity
	for range 60 {
		for r := range m {
			var t float64
			for s := range m[r] {
				t += m[r][s]
			}
			for s := range m[r] {
				if t > 0 {
					m[r][s] *= row[r] / t
				}
			}
		}
		for s := range col {
			var t float64
			for r := range m {
				t += m[r][s]
			}
			for r := range m {
				if t > 0 {
					m[r][s] *= col[s] / t
				}
			}
		}
	}
	for i := range g.acc {
		a := &g.acc[i]
		s := segIdx(a.seg)
		var t float64
		for r := range m {
			t += m[r][s]
		}
		x := g.rng.Float64() * t
		r := 0
		for ; r < len(m)-1 && (x >= m[r][s] || len(byRole[r]) == 0); r++ {
			x -= m[r][s]
		}
		if len(byRole[r]) == 0 {
			r = 0 // only the manager
		}
		a.owner = byRole[r][g.rng.IntN(len(byRole[r]))]
	}
	// A couple of accounts wait in the unassigned pool: the newest live
	// ones (just signed, not yet handed over).
	nUn := 2 + max(0, g.n-DefaultAccounts)/1500
	if g.n < 50 {
		nUn = 1
	}
	for i := len(g.acc) - 1; i >= 0 && nUn > 0; i-- {
		if a := &g.acc[i]; a.churnAt == 0 && !a.unknown && g.chance(0.5) {
			a.owner = -1
			nUn--
		}
	}
}

func (g *generator) ownerName(a *acct) string {
	if a.owner < 0 {
		return g.members[0].Name
	}
	return g.members[a.owner].Name
}

// ---- account fields ----

func (g *generator) genFields(a *acct) {
	x := &a.a
	cs := x.ContractStart
	if a.owner >= 0 {
		x.OwnerID = uint64(a.owner + 1) // members are written first: IDs 1..
	}
	age := g.today.Sub(cs)
	switch {
	case a.churnAt != 0:
		x.Lifecycle = store.Churned
		x.Segment = a.seg
		x.RenewalDate = a.churnAt
	case age < 90:
		x.Lifecycle = store.Onboarding
	default:
		x.Lifecycle = store.Active
	}
	if a.churnAt == 0 {
		x.ARRCents = a.target
		x.RenewalDate = a.next
		if a.late != 0 {
			x.RenewalDate = a.late
		}
	}
	// The latent health drives every input; losses and gains in the
	// ledger tilt it, so churned and downsold accounts look the part.
	h := clampF(0.62+0.21*g.rng.NormFloat64(), 0.03, 0.98)
	for i, e := range a.levs {
		switch {
		case i == 0 || e.date <= g.ws:
		case e.kind == metrics.KindChurn:
			h -= 0.3
		case e.f < 1:
			h -= 0.12
		case e.kind == metrics.KindExpansion:
			h += 0.08
		}
	}
	if a.late != 0 {
		h -= 0.15
	}
	a.latent = clampF(h, 0.02, 0.98)
	h = a.latent

	// Seats at a list price per seat and year that falls with volume.
	price := g.uniform(400, 900)
	switch a.seg {
	case metrics.Enterprise:
		price = g.uniform(250, 600)
	case metrics.MidMarket:
		price = g.uniform(300, 700)
	}
	x.Seats = max(3, int(float64(a.target)/100/price))
	x.CreatedAt = g.instant(cs, 9)
	if a.unknown {
		// Signed days ago: nothing measured yet, so the band is unknown.
		x.UpdatedAt = x.CreatedAt
		x.SuccessPlan = "Kickoff to be scheduled; collect success criteria from the sponsor."
		return
	}
	onboarding := x.Lifecycle == store.Onboarding
	if !g.chance(0.03) {
		r := clampF(0.12+0.85*h+0.08*g.rng.NormFloat64(), 0.02, 1)
		if onboarding {
			r *= g.uniform(0.4, 0.9)
		}
		x.ActiveUsers = metrics.Some(int(math.Round(r * float64(x.Seats))))
	}
	if !g.chance(0.02) {
		t := math.Max(0, 5.2*(1-h)+0.6*g.rng.NormFloat64())
		x.Tickets30d = metrics.Some(int(math.Round(t * float64(x.Seats) / 10)))
	}
	if (h < 0.35 && g.chance(0.12)) || g.chance(0.01) {
		x.OpenCritical = 1
	}
	k := g.cfg.Cadence.For(a.seg)
	days := max(1, int(math.Round(float64(k)*math.Max(0.05, 3.4*(1-h)-0.75+0.3*g.rng.NormFloat64()))))
	if onboarding {
		days = g.between(1, 7)
	}
	x.LastTouch = max(g.today.AddDays(-days), cs.AddDays(1))
	if a.seg != metrics.SMB || g.chance(0.4) {
		var qbr int
		switch {
		case a.seg == metrics.SMB:
			qbr = g.between(30, 300)
		case h > 0.5 && !g.chance(0.15):
			qbr = g.between(10, 88)
		default:
			qbr = g.between(40, 200)
		}
		if d := g.today.AddDays(-qbr); d > cs.AddDays(30) {
			x.LastQBR = d
		}
	}
	x.LastTouch = max(x.LastTouch, x.LastQBR)
	if a.churnAt != 0 {
		// Frozen at the missed renewal.
		x.LastTouch = min(x.LastTouch, a.churnAt.AddDays(-g.between(3, 20)))
		if x.LastQBR > x.LastTouch {
			x.LastQBR = 0
		}
	}
	if g.chance(0.72) {
		x.NPS = metrics.Some(int(clampF(math.Round(10*h+2.2+1.4*g.rng.NormFloat64()), 0, 10)))
	}
	if g.chance(0.78) {
		x.CSAT = metrics.Some(int(clampF(math.Round(1.6+4*h+0.6*g.rng.NormFloat64()), 1, 5)))
	}
	x.ChampionChanged = g.chance(0.03) || (h < 0.4 && g.chance(0.1))
	if a.churnAt == 0 && g.chance(0.12+0.2*h) {
		x.PipelineCents = roundUnit(float64(a.target)*g.uniform(0.1, 0.45), a.unit)
		x.PipelineStage = stages[min(len(stages)-1, int(math.Abs(g.rng.NormFloat64())*1.6))]
	}
	if g.chance(0.85) {
		text := strings.Replace(g.pick(planGoals), "{seats}", strconv.Itoa(max(1, x.Seats-int(x.ActiveUsers.V))), 1)
		x.SuccessPlan = text + ". " + g.pick(planNext)
	}
	x.UpdatedAt = g.instant(x.LastTouch, 17)
}

// instant is hour:mm UTC on day d, never after now.
func (g *generator) instant(d metrics.Date, hour int) time.Time {
	t := d.Time().Add(time.Duration(hour)*time.Hour + time.Duration(g.rng.IntN(60))*time.Minute)
	if t.After(g.now) {
		t = g.now.Add(-time.Minute)
	}
	return t
}

// ---- health, overrides and trends ----

func (g *generator) score(a *acct) {
	snap := portfolio.SnapshotOf(&a.a, g.cfg, g.today)
	a.score, a.hasScore, a.comps = snap.Score, snap.Score >= 0, snap.Components
	a.computed = metrics.Unknown
	if a.hasScore {
		a.computed = g.cfg.BandFor(a.score)
	}
}

// genOverrides places one live and one expired health override (a few more
// in a large book), as a manager would.
func (g *generator) genOverrides() {
	n := 1 + g.n/5000
	mgr := g.members[0].Name
	live, expired := 0, 0
	for _, i := range g.rng.Perm(len(g.acc)) {
		a := &g.acc[i]
		if a.churnAt != 0 || a.unknown || !a.hasScore {
			continue
		}
		switch {
		case live < n && a.seg == metrics.Enterprise && a.computed != metrics.Red:
			a.ovFrom = g.today.AddDays(-g.between(9, 20))
			a.ovTo = g.today.AddDays(g.between(14, 45))
			a.ovBand = metrics.Red
			a.a.Override = &metrics.Override{Band: metrics.Red, Reason: "CFO signalled a budget cut; renewal at risk despite healthy usage", Author: mgr, Expires: a.ovTo}
			live++
		case expired < n && a.computed != metrics.Green:
			a.ovFrom = g.today.AddDays(-g.between(50, 70))
			a.ovTo = g.today.AddDays(-g.between(5, 20))
			a.ovBand = metrics.Green
			a.a.Override = &metrics.Override{Band: metrics.Green, Reason: "Usage feed broken during their SSO migration; real usage is fine", Author: mgr, Expires: a.ovTo}
			expired++
		default:
			continue
		}
		g.score(a)
		if live >= n && expired >= n {
			break
		}
	}
}

// genTrends chooses about 10% of the scored accounts that slid since last
// week and 8% that are recovering; the rest wander around their score.
func (g *generator) genTrends() {
	lastMonday := g.weeks[len(g.weeks)-1].Monday()
	var cand []int
	for i := range g.acc {
		a := &g.acc[i]
		if a.churnAt == 0 && a.hasScore && a.a.ContractStart < lastMonday {
			cand = append(cand, i)
		}
	}
	g.rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	nSlide := max(1, int(math.Round(0.10*float64(len(cand)))))
	nRecover := int(math.Round(0.08 * float64(len(cand))))
	green := int(math.Round(0.3 * float64(nSlide)))
	for _, i := range cand {
		a := &g.acc[i]
		s := a.score
		isGreen := g.cfg.BandFor(s) == metrics.Green
		switch {
		case nSlide > 0 && isGreen && green > 0 && s <= 88:
			a.trend, a.amount, a.weeks = trendSliding, g.between(10, min(22, 100-s)), 1
			green--
			nSlide--
		case nSlide > green && !isGreen:
			need := g.cfg.Green - s
			if s < g.cfg.Yellow {
				need = g.cfg.Yellow - s
			}
			a.trend, a.weeks = trendSliding, 1
			switch {
			case need <= 28 && g.chance(0.75):
				a.amount = need + g.between(1, 6) // crossed into a worse band
			case g.chance(0.5):
				a.amount = g.between(10, 20)
			default:
				a.amount, a.weeks = g.between(8, 18), g.between(2, 3)
			}
			a.amount = min(a.amount, 100-s)
			nSlide--
		case nRecover > 0 && s <= 88 && s >= 15:
			a.trend, a.amount, a.weeks = trendRecovering, g.between(8, min(20, s)), g.between(3, 8)
			nRecover--
		}
	}
}

// genInputsDates dates every account's health inputs (README, data
// freshness): most were refreshed by the CRM's sync within the last
// week; about 4% of the live ones between 31 and 120 days ago, a few red
// ones among them (two that slid into red this week, when there are), so
// the review's stale data and its "stale" marker on worsened rows have
// something to show. It draws from its own random stream, after
// everything else: the rest of the demo is what it was, and the accounts
// export, which leaves the date out, is byte for byte the same.
func (g *generator) genInputsDates() {
	rng := rand.New(rand.NewPCG(uint64(g.opt.Seed), 0x57a1_eda7_a000_0001))
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	var live, slidRed, red []int
	for i := range g.acc {
		a := &g.acc[i]
		if a.churnAt != 0 || a.unknown {
			continue
		}
		live = append(live, i)
		switch {
		case a.computed != metrics.Red:
		case a.trend == trendSliding && a.weeks == 1:
			slidRed = append(slidRed, i)
		default:
			red = append(red, i)
		}
	}
	stale := make(map[int]bool)
	want := int(math.Round(0.04 * float64(len(live))))
	take := func(from []int, n int) {
		rng.Shuffle(len(from), func(i, j int) { from[i], from[j] = from[j], from[i] })
		for _, i := range from {
			if n <= 0 || len(stale) >= want {
				return
			}
			// Inputs cannot be older than the account.
			if !stale[i] && g.today.Sub(metrics.DateOf(g.acc[i].a.CreatedAt)) > 120 {
				stale[i] = true
				n--
			}
		}
	}
	take(slidRed, 2)
	take(red, max(3, want/5)-len(stale))
	take(live, want)
	for i := range g.acc {
		a := &g.acc[i]
		x := &a.a
		switch {
		case a.churnAt != 0:
			x.InputsAt = x.UpdatedAt // frozen when they left
		case a.unknown:
			x.InputsAt = x.CreatedAt // as new as the account
		case stale[i]:
			// Around midday UTC, the same day in every zone near it.
			d := g.today.AddDays(-between(31, 120))
			x.InputsAt = d.Time().Add(time.Duration(between(10*60, 13*60)) * time.Minute)
		default:
			from := g.now.Add(-7 * 24 * time.Hour)
			if x.CreatedAt.After(from) {
				from = x.CreatedAt
			}
			x.InputsAt = from.Add(time.Duration(rng.Int64N(int64(g.now.Sub(from))/int64(time.Minute)+1)) * time.Minute)
		}
		// The write that dated the inputs updated the record.
		if x.InputsAt.After(x.UpdatedAt) {
			x.UpdatedAt = x.InputsAt
		}
	}
}

// pastScore is the synthesized score k weeks before this week.
func (a *acct) pastScore(k int, noise float64) int {
	s := a.score
	var d float64
	switch a.trend {
	case trendSliding:
		d = float64(a.amount) * math.Min(1, float64(k)/float64(a.weeks))
	case trendRecovering:
		d = -float64(a.amount) * math.Min(1, float64(k)/float64(a.weeks))
	}
	return int(clampF(math.Round(float64(s)+d+noise), 0, 100))
}

// ---- escalations ----

func (g *generator) genEscalations() {
	n := min(g.n/10, 2500)
	if g.n >= 5 {
		n = max(n, 5)
	}
	if n == 0 {
		return
	}
	statuses := deck(g, n, store.Statuses, []float64{0.2, 0.22, 0.15, 0.13, 0.3})
	sevs := deck(g, n, store.Severities, []float64{0.12, 0.28, 0.38, 0.22})

	// Accounts in trouble escalate more: weight by (1-latent)^2.
	var cum []float64
	var idx []int
	var t float64
	for i := range g.acc {
		a := &g.acc[i]
		if a.churnAt != 0 || a.unknown {
			continue
		}
		t += (1 - a.latent) * (1 - a.latent)
		cum = append(cum, t)
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return
	}
	// Unresolved ones: about half past their SLA, at least one of each kind.
	var lateDeck []bool
	for _, st := range statuses {
		if st != store.StatusResolved {
			lateDeck = append(lateDeck, len(lateDeck)%2 == 0)
		}
	}
	g.rng.Shuffle(len(lateDeck), func(i, j int) { lateDeck[i], lateDeck[j] = lateDeck[j], lateDeck[i] })
	mgr := &g.members[0]
	var topics []int
	for j := range n {
		ai := idx[min(sort.SearchFloat64s(cum, g.rng.Float64()*t), len(idx)-1)]
		a := &g.acc[ai]
		if j%len(escTopics) == 0 {
			topics = g.rng.Perm(len(escTopics)) // no repeats in a small book
		}
		topic := escTopics[topics[j%len(escTopics)]]
		e := store.Escalation{
			Title:       topic.title,
			Description: topic.desc,
			Severity:    sevs[j],
			Status:      statuses[j],
		}
		sla := time.Duration(g.cfg.SLA.For(e.Severity)) * time.Hour
		open := e.Status != store.StatusResolved
		late := false
		if open {
			late, lateDeck = lateDeck[0], lateDeck[1:]
		}
		var age time.Duration
		switch {
		case !open:
			age = time.Duration(g.uniform(2, 60) * 24 * float64(time.Hour))
		case late:
			age = min(time.Duration(g.uniform(1.3, 4)*float64(sla)), 40*24*time.Hour)
			if age <= sla {
				age = sla + time.Hour
			}
		default:
			age = time.Duration(g.uniform(0.1, 0.85) * float64(sla))
		}
		e.CreatedAt = g.now.Add(-age).Truncate(time.Minute)
		e.SLADue = e.CreatedAt.Add(sla)
		owner := uint64(0)
		ownerName := ""
		if a.owner >= 0 {
			owner, ownerName = uint64(a.owner+1), g.members[a.owner].Name
		}
		raiser := owner
		raiserName := ownerName
		if raiser == 0 || g.chance(0.2) {
			raiser, raiserName = 1, mgr.Name
		}
		e.RaisedBy = raiser
		switch e.Status {
		case store.StatusWithDirector:
			e.Decision = store.DecisionDirector
		case store.StatusOpen:
			if g.chance(0.4) {
				e.Decision = store.DecisionCoach
			}
		default:
			e.Decision = []string{store.DecisionCoach, store.DecisionCoach, store.DecisionManager, "", store.DecisionDirector}[g.rng.IntN(5)]
			if e.Decision == store.DecisionDirector && e.Status != store.StatusResolved {
				e.Decision = store.DecisionManager
			}
		}
		switch {
		case e.Decision == store.DecisionManager || e.Decision == store.DecisionDirector || owner == 0:
			e.OwnerID, ownerName = 1, mgr.Name
		case e.Status == store.StatusOpen && e.Decision == "" && g.chance(0.5):
			e.OwnerID, ownerName = 0, "" // waiting for triage
		default:
			e.OwnerID = owner
		}
		var end time.Time
		if open {
			end = e.CreatedAt.Add(time.Duration(g.uniform(0.5, 0.95) * float64(g.now.Sub(e.CreatedAt))))
		} else {
			end = e.CreatedAt.Add(time.Duration(g.uniform(0.3, 1.6) * float64(sla)))
			if end.After(g.now) {
				end = g.now.Add(-time.Hour)
			}
			e.ResolvedAt = end.Truncate(time.Minute)
			end = e.ResolvedAt
		}
		if open && e.Severity == store.SevCritical {
			a.a.OpenCritical = max(a.a.OpenCritical, 1)
		}
		x := esc{e: e, acct: ai}
		x.events = g.timeline(&x, raiserName, ownerName, end)
		x.e.UpdatedAt = x.events[len(x.events)-1].At
		g.escs = append(g.escs, x)
	}
	// IDs in order of creation.
	sort.SliceStable(g.escs, func(i, j int) bool { return g.escs[i].e.CreatedAt.Before(g.escs[j].e.CreatedAt) })
}

// deck returns n values in random order, each of vals in proportion to its
// weight (largest remainder) and at least once when n allows.
func deck(g *generator, n int, vals []string, w []float64) []string {
	counts := make([]int, len(vals))
	rem := make([]float64, len(vals))
	left := n
	for i := range vals {
		x := w[i] * float64(n)
		counts[i] = int(x)
		rem[i] = x - float64(counts[i])
		if counts[i] == 0 && left > 0 {
			counts[i], rem[i] = 1, 0
		}
		left -= counts[i]
	}
	for left > 0 {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		counts[best]++
		rem[best] = -1
		left--
	}
	for left < 0 { // tiny n: take from the largest
		best := 0
		for i := range counts {
			if counts[i] > counts[best] {
				best = i
			}
		}
		counts[best]--
		left++
	}
	out := make([]string, 0, n)
	for i, c := range counts {
		for range c {
			out = append(out, vals[i])
		}
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// timeline writes the events that explain the escalation's state, spread
// between its creation and end.
func (g *generator) timeline(x *esc, raiser, owner string, end time.Time) []store.Event {
	e := &x.e
	mgr := g.members[0].Name
	type ev struct{ author, kind, text string }
	evs := []ev{{raiser, "created", fmt.Sprintf("Raised (%s): %s", e.Severity, e.Description)}}
	if e.OwnerID != 0 {
		evs = append(evs, ev{mgr, "assigned", "Assigned to " + owner})
	}
	if g.chance(0.2) {
		from := map[string]string{store.SevCritical: store.SevHigh, store.SevHigh: store.SevMedium, store.SevMedium: store.SevLow, store.SevLow: store.SevMedium}[e.Severity]
		evs = append(evs, ev{mgr, "severity", fmt.Sprintf("Severity %s → %s after talking to the customer", from, e.Severity)})
		evs[0].text = fmt.Sprintf("Raised (%s): %s", from, e.Description)
	}
	switch e.Decision {
	case store.DecisionCoach:
		evs = append(evs, ev{mgr, "decision", "Decision: coach — " + owner + " handles it with support from the manager"})
	case store.DecisionManager:
		evs = append(evs, ev{mgr, "decision", "Decision: manager takes it"})
	case store.DecisionDirector:
		evs = append(evs, ev{mgr, "decision", "Decision: send to the director"})
	}
	author := owner
	if author == "" {
		author = mgr
	}
	path := map[string][]string{
		store.StatusOpen:          nil,
		store.StatusInProgress:    {store.StatusInProgress},
		store.StatusWaitingClient: {store.StatusInProgress, store.StatusWaitingClient},
		store.StatusWithDirector:  {store.StatusInProgress, store.StatusWithDirector},
		store.StatusResolved:      {store.StatusInProgress},
	}[e.Status]
	prev := store.StatusOpen
	for _, st := range path {
		evs = append(evs, ev{author, "status", prev + " → " + st})
		prev = st
		if g.chance(0.6) {
			evs = append(evs, ev{author, "note", g.pick(escNotes)})
		}
	}
	if e.Status == store.StatusOpen && g.chance(0.4) {
		evs = append(evs, ev{raiser, "note", g.pick(escNotes)})
	}
	if e.Status == store.StatusResolved {
		evs = append(evs, ev{author, "resolved", g.pick(escResolutions)})
	}
	// Instants: creation first, the end last, the rest in between.
	span := end.Sub(e.CreatedAt)
	fr := make([]float64, len(evs))
	for i := 1; i < len(fr); i++ {
		fr[i] = g.rng.Float64()
	}
	slices.Sort(fr[1:])
	if len(fr) > 1 {
		fr[len(fr)-1] = 1
	}
	out := make([]store.Event, len(evs))
	for i, v := range evs {
		at := e.CreatedAt.Add(time.Duration(fr[i] * float64(span))).Truncate(time.Second)
		if i > 0 && !at.After(out[i-1].At) {
			at = out[i-1].At.Add(time.Second)
		}
		out[i] = store.Event{At: at, Author: v.author, Kind: v.kind, Text: v.text}
	}
	if e.Status == store.StatusResolved {
		e.ResolvedAt = out[len(out)-1].At
	}
	return out
}

// ---- writing ----

// batch is one write transaction's worth of prepared records. A fresh file
// numbers accounts from 1 in the order they are stored, so account i gets
// ID i+1 and its records can be built before it is written; write checks
// the assumption.
type batch struct {
	lo, hi int
	ledger []store.LedgerEntry
	snaps  []store.Snapshot
	acts   []store.Activity
	calls  []weekCall
	// per account (i-lo): the end of its records in the slices above
	ledgerEnd, snapEnd, actEnd []int
}

// weekCall is one renewal in one week's forecast snapshot.
type weekCall struct {
	week metrics.Week
	call store.ForecastCall
}

// write stores the book. One goroutine prepares the records of the next
// batch (snapshot histories, activities) while this one writes the current
// batch, so the two cores share the work; bbolt itself is single-writer.
func (g *generator) write(path string) (sum Summary, err error) {
	sum = Summary{Members: len(g.members), Accounts: len(g.acc), Escalations: len(g.escs)}
	db, err := store.Open(path, store.Options{})
	if err != nil {
		return sum, err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	batches := make(chan *batch, 1)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(batches)
		p := preparer{g: g, pcg: rand.NewPCG(0, 0)}
		p.rng = rand.New(p.pcg)
		// The first transaction is small on purpose: in an empty bucket
		// every key lands in one in-memory leaf until the commit splits
		// it, and the by-week snapshot index receives thirteen
		// interleaved runs, which makes each insert shift the rest of
		// that leaf. Once the first commit has split the index into
		// pages, later batches append to the end of each week's run.
		for lo, hi := 0, min(firstBatch, len(g.acc)); lo < len(g.acc); lo, hi = hi, min(hi+batchAccounts, len(g.acc)) {
			select {
			case batches <- p.batch(lo, hi):
			case <-done:
				return
			}
		}
	}()
	var calls []weekCall
	for b := range batches {
		err = db.Update(func(tx *store.Tx) error {
			if b.lo == 0 {
				if err := g.writeTeam(tx, path); err != nil {
					return err
				}
			}
			if err := g.writeBatch(tx, b, path); err != nil {
				return err
			}
			if b.hi == len(g.acc) {
				if err := g.writeEscalations(tx); err != nil {
					return err
				}
				return g.writeForecasts(tx)
			}
			return nil
		})
		if err != nil {
			return sum, err
		}
		sum.LedgerEntries += len(b.ledger)
		sum.Snapshots += len(b.snaps)
		sum.Activities += len(b.acts)
		calls = append(calls, b.calls...)
	}
	// The forecast snapshots go in last, a week at a time in key order,
	// as a weekly snapshot writes them: interleaved with the batches their
	// pages would sit between the accounts' and the ledger's, and every
	// walk of those would map them too (README, Resident memory).
	slices.SortFunc(calls, func(x, y weekCall) int {
		if c := cmp.Compare(x.week, y.week); c != 0 {
			return c
		}
		return cmp.Compare(x.call.AccountID, y.call.AccountID)
	})
	err = db.Update(func(tx *store.Tx) error {
		for i := range calls {
			if err := tx.PutForecastCall(calls[i].week, &calls[i].call); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	// The success plans last too, in account order, for the same reason:
	// the dashboard's open reads them in one walk of their own pages.
	err = db.Update(func(tx *store.Tx) error {
		for i := range g.plans {
			if err := tx.PutPlan(&g.plans[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	// The tasks go last too, in commits of a bounded size.
	tasks := g.genTasks()
	for lo := 0; lo < len(tasks); lo += 50_000 {
		hi := min(lo+50_000, len(tasks))
		if err := db.Update(func(tx *store.Tx) error {
			for i := lo; i < hi; i++ {
				if err := tx.PutTask(&tasks[i]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return sum, err
		}
	}
	all, err := g.writePlaybooks(db)
	sum.Tasks = all
	return sum, err
}

// writePlaybooks gives the demo its playbooks (the defaults) and their
// history: every live account whose trigger condition holds had its
// playbook started, on the day it would have been (a red account's on a
// day of the last two weeks, a renewal's when it came within 120 days,
// anything else today), with the episode state that goes with it, so
// the weekly snapshot the dashboard takes on open starts nothing twice
// (README, "Playbooks"). Steps long past their date were done or
// skipped, as genTasks closes its own. The days come from a random
// stream of their own, drawn last, so the rest of the demo is as it was.
// It returns how many tasks the demo holds, the playbooks' included.
func (g *generator) writePlaybooks(db *store.DB) (int, error) {
	rng := rand.New(rand.NewPCG(uint64(g.opt.Seed), 0x9b00_0000_0000_0013))
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	tasks := 0
	for lo := 0; lo < len(g.acc); lo += 20_000 {
		hi := min(lo+20_000, len(g.acc))
		err := db.Update(func(tx *store.Tx) error {
			if err := tx.SeedPlaybooks(); err != nil {
				return err
			}
			for i := lo; i < hi; i++ {
				a := &g.acc[i]
				if a.churnAt != 0 {
					continue
				}
				acc := a.a
				acc.ID = uint64(i + 1) // as writeBatch checked
				var days []metrics.Date
				if a.computed == metrics.Red {
					days = append(days, g.today.AddDays(-rng.IntN(15)))
				}
				if r := acc.RenewalDate; !r.IsZero() && r >= g.today && r.Sub(g.today) <= 120 {
					days = append(days, r.AddDays(-120))
				}
				slices.Sort(days)
				fired := 0
				for _, d := range append(days, g.today) {
					ev := store.Evaluation{Today: d, By: store.Actor{Name: "weekly snapshot"}, Now: g.now.AddDate(0, 0, d.Sub(g.today))}
					n, err := tx.EvaluatePlaybooks(&acc, ev)
					if err != nil {
						return err
					}
					fired += n
				}
				if fired > 0 {
					if err := g.closePlaybookSteps(tx, &acc, rng, between); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return tasks, err
		}
	}
	err := db.View(func(tx *store.Tx) error {
		tasks = tx.TaskCount()
		return nil
	})
	return tasks, err
}

// closePlaybookSteps closes the playbook tasks of a long past their date,
// as genTasks does its own: a recent one may still be open, and late.
func (g *generator) closePlaybookSteps(tx *store.Tx, acc *store.Account, rng *rand.Rand, between func(lo, hi int) int) error {
	list, err := tx.TasksOf(acc.ID)
	if err != nil {
		return err
	}
	closer := "—"
	if acc.OwnerID != 0 {
		closer = g.members[acc.OwnerID-1].Name
	}
	for _, t := range list {
		if t.Playbook == "" || t.Status != store.TaskOpen || t.Due >= g.today {
			continue
		}
		open := 0.0
		if g.today.Sub(t.Due) <= 21 {
			open = 0.35
		}
		switch u := rng.Float64(); {
		case u < open:
			continue
		case u < open+(1-open)*0.85:
			t.Status, t.ClosedBy = store.TaskDone, closer
			t.ClosedAt = g.instant(min(t.Due.AddDays(between(-2, 3)), g.today), 10+rng.IntN(7))
		default:
			t.Status, t.ClosedBy, t.Note = store.TaskSkipped, closer, skipReasons[rng.IntN(len(skipReasons))]
			t.ClosedAt = g.instant(min(t.Due, g.today), 11)
		}
		if t.ClosedAt.Before(t.CreatedAt) {
			t.ClosedAt = t.CreatedAt
		}
		if err := tx.PutTask(&t); err != nil {
			return err
		}
	}
	return nil
}

// Task titles by what set them off.
var (
	redTasks    = []string{"Adoption workshop with the admins", "Send the recovery plan in writing", "Escalate the open critical tickets"}
	yellowTasks = []string{"Usage review with the champion", "Re-train the new team leads", "Confirm the success criteria for next quarter", "Share the adoption dashboard"}
	greenTasks  = []string{"Quarterly business review prep", "Ask for a reference or case study", "Expansion discovery call", "Send the product roadmap briefing"}
	skipReasons = []string{"The sponsor asked to wait until the new quarter", "Covered in the QBR instead", "The champion left; replanned with the new one", "Duplicate of the escalation's action plan"}
)

// genTasks is each live account's task history: a few done or skipped
// in the last 90 days, and open ones, some past their date, the rest
// due in the next weeks; red accounts carry the most. From a random
// stream of its own, drawn last, so the rest of the demo is as it was.
func (g *generator) genTasks() []store.Task {
	rng := rand.New(rand.NewPCG(uint64(g.opt.Seed), 0x7a5c_0000_0000_0013))
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	var out []store.Task
	for i := range g.acc {
		a := &g.acc[i]
		if a.churnAt != 0 || a.unknown || a.owner < 0 {
			continue
		}
		owner := &g.members[a.owner]
		// About two hand-made tasks an account, and with the
		// playbooks' about three: 323,726 at 100,000 accounts, near the
		// size the tasks view is measured at (README, Performance).
		titles, n := greenTasks, between(0, 3)
		// A red account's recovery and a renewal's prep come from the
		// playbooks (writePlaybooks); these are the work around them.
		switch a.computed {
		case metrics.Red:
			titles, n = redTasks, between(1, 2)
		case metrics.Yellow:
			titles, n = yellowTasks, between(1, 4)
		}
		for k := 0; k < n; k++ {
			created := g.today.AddDays(-between(1, 90))
			due := created.AddDays(between(3, 21))
			t := store.Task{AccountID: uint64(i + 1), Title: titles[rng.IntN(len(titles))], OwnerID: uint64(a.owner + 1), Due: due, Status: store.TaskOpen,
				CreatedBy: owner.Name, CreatedAt: g.instant(created, 9+rng.IntN(8))}
			if due < g.today {
				// Long past its date a task was closed one way or the
				// other; a recent one may still be open, and late.
				open := 0.0
				if g.today.Sub(due) <= 21 {
					open = 0.35
				}
				switch u := rng.Float64(); {
				case u < open:
				case u < open+(1-open)*0.85:
					t.Status, t.ClosedBy = store.TaskDone, owner.Name
					t.ClosedAt = g.instant(min(due.AddDays(between(-2, 3)), g.today), 10+rng.IntN(7))
				default:
					t.Status, t.ClosedBy, t.Note = store.TaskSkipped, owner.Name, skipReasons[rng.IntN(len(skipReasons))]
					t.ClosedAt = g.instant(min(due, g.today), 11)
				}
			}
			if t.ClosedAt.Before(t.CreatedAt) && !t.ClosedAt.IsZero() {
				t.ClosedAt = t.CreatedAt
			}
			out = append(out, t)
		}
	}
	return out
}

func (g *generator) writeTeam(tx *store.Tx, path string) error {
	if err := tx.PutSettings(Settings()); err != nil {
		return err
	}
	for i := range g.members {
		m := g.members[i]
		if err := tx.PutMember(&m); err != nil {
			return err
		}
		if m.ID != uint64(i+1) {
			return fmt.Errorf("demo: %s is not a fresh database", path)
		}
	}
	return g.writeOneOnOnes(tx)
}

// oneOnOneNotes are what a manager writes after a 1:1, picked by member
// and meeting (not from the generator's random stream, so the rest of
// the demo stays as it was).
var oneOnOneNotes = []string{
	"Walked through the renewals due this quarter; two need an exec sponsor call.",
	"Book is heavy on SMB: agreed to hand three accounts to the pool.",
	"QBR prep: decks for the two largest accounts by Friday.",
	"Escalation follow-ups are slipping: block an hour a day for them.",
	"Expansion pipeline looks good; check the procurement timeline on the largest.",
	"Coaching: lead the next QBR, I join as observer.",
}

// writeOneOnOnes logs each member's last three 1:1s, two weeks apart,
// ending at their last 1:1, with the next planned two weeks after.
func (g *generator) writeOneOnOnes(tx *store.Tx) error {
	var manager string
	for _, m := range g.members {
		if m.Role == store.RoleManager {
			manager = m.Name
			break
		}
	}
	for i, m := range g.members {
		if m.Role == store.RoleManager || !m.Active || m.LastOneOnOne.IsZero() {
			continue
		}
		for k := 2; k >= 0; k-- {
			day := m.LastOneOnOne.AddDays(-14 * k)
			next := day.AddDays(14)
			note := oneOnOneNotes[(i*3+k)%len(oneOnOneNotes)]
			if _, err := tx.LogOneOnOne(uint64(i+1), day, next, note, store.Actor{Name: manager}, g.now); err != nil { // IDs as writeTeam checked
				return err
			}
		}
	}
	return nil
}

func (g *generator) writeBatch(tx *store.Tx, b *batch, path string) error {
	var li, si, ai int
	for i := b.lo; i < b.hi; i++ {
		acc := g.acc[i].a
		if err := tx.PutAccount(&acc); err != nil {
			return err
		}
		if acc.ID != uint64(i+1) {
			return fmt.Errorf("demo: %s is not a fresh database", path)
		}
		for ; li < b.ledgerEnd[i-b.lo]; li++ {
			if err := tx.AppendLedger(&b.ledger[li]); err != nil {
				return err
			}
		}
		for ; si < b.snapEnd[i-b.lo]; si++ {
			if err := tx.PutSnapshot(&b.snaps[si]); err != nil {
				return err
			}
		}
		for ; ai < b.actEnd[i-b.lo]; ai++ {
			if err := tx.AppendActivity(&b.acts[ai]); err != nil {
				return err
			}
		}
	}
	return nil
}

// forecastCalls is the account's renewals in each weekly forecast
// snapshot from the start of the last quarter to last week, so the
// renewals view has a closed quarter to set against what renewed. A
// renewal whose outcome the ledger already holds is called from it, with
// the noise of a real forecast: the opening call (the first half of the
// quarter's weeks) often wrong, the closing one mostly right. One still
// to come is called from the band.
func (p *preparer) forecastCalls(out []weekCall, a *acct, id uint64) []weekCall {
	g, rng := p.g, p.rng
	if a.unknown || len(g.callWeeks) == 0 {
		return out
	}
	cs := a.a.ContractStart
	for _, first := range g.callQuarters {
		_, last := metrics.Quarter(first)
		for k := 1; ; k++ {
			due := cs.AddMonths(12 * k)
			if due > last {
				break
			}
			if due < first {
				continue
			}
			out = p.callsOf(out, a, id, due, first, rng.Float64(), rng.Float64())
		}
	}
	return out
}

// callsOf adds the weekly calls of a's renewal due on due, in the quarter
// starting on first; u and v are its draws.
func (p *preparer) callsOf(out []weekCall, a *acct, id uint64, due, first metrics.Date, u, v float64) []weekCall {
	g := p.g
	var outcome *lev
	for j := range a.levs {
		if e := &a.levs[j]; e.anniv && e.date == due {
			outcome = e
		}
	}
	var weeks []metrics.Week
	for _, w := range g.callWeeks {
		if m := w.Monday(); m >= first && m < first.AddMonths(3) {
			weeks = append(weeks, w)
		}
	}
	for j, w := range weeks {
		mon := w.Monday()
		if cs := a.a.ContractStart; cs >= mon || (outcome != nil && outcome.date < mon) || (a.churnAt != 0 && a.churnAt < mon) {
			continue // not yet a customer, or the renewal already closed (its date moved on)
		}
		arr := a.arrAt(mon)
		closing := j >= len(weeks)/2
		cat, expected := demoCall(a, outcome, arr, closing, u, v)
		out = append(out, weekCall{week: w, call: store.ForecastCall{AccountID: id,
			ForecastCall: metrics.ForecastCall{Due: due, Category: cat, ARRCents: arr, ExpectedARRCents: expected}}})
	}
	return out
}

// demoCall is how a renewal was called. With its outcome known, the
// opening call is often wrong (a quarter of the renewals that grew were
// not called commit, most churns were not called churn) and the closing
// call mostly right; otherwise it comes from the band now.
func demoCall(a *acct, outcome *lev, arr int64, closing bool, u, v float64) (metrics.ForecastCategory, int64) {
	x := u
	if closing {
		x = v * 0.5 // closer to the truth: the low end of each spread
	}
	switch {
	case outcome == nil && a.churnAt == 0:
		return metrics.DefaultForecast(a.computed, 0), arr
	case outcome == nil || outcome.kind == metrics.KindChurn:
		switch {
		case x < 0.35:
			return metrics.ChurnExpected, 0
		case x < 0.8:
			return metrics.AtRiskRenewal, arr
		}
		return metrics.Likely, arr
	case outcome.arr < arr:
		if x < 0.45 {
			return metrics.Likely, outcome.arr // the downsell was agreed
		}
		if x < 0.75 {
			return metrics.AtRiskRenewal, arr
		}
		return metrics.Commit, arr
	}
	switch {
	case x < 0.75:
		return metrics.Commit, arr
	case x < 0.95:
		return metrics.Likely, arr
	}
	return metrics.AtRiskRenewal, arr
}

func (g *generator) writeEscalations(tx *store.Tx) error {
	for i := range g.escs {
		x := &g.escs[i]
		e := x.e
		e.AccountID = uint64(x.acct + 1)
		if err := tx.PutEscalation(&e); err != nil {
			return err
		}
		for _, ev := range x.events {
			ev.EscalationID = e.ID
			if err := tx.AppendEvent(&ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// preparer builds batches; it only reads the generator.
type preparer struct {
	g   *generator
	pcg *rand.PCG
	rng *rand.Rand
}

func (p *preparer) batch(lo, hi int) *batch {
	g := p.g
	n := hi - lo
	b := &batch{
		lo: lo, hi: hi,
		ledger:    make([]store.LedgerEntry, 0, 3*n),
		snaps:     make([]store.Snapshot, 0, snapshotWeeks*n),
		acts:      make([]store.Activity, 0, 2*n),
		ledgerEnd: make([]int, n),
		snapEnd:   make([]int, n),
		actEnd:    make([]int, n),
	}
	for i := lo; i < hi; i++ {
		a := &g.acc[i]
		id := uint64(i + 1)
		// A private stream per account: its snapshots and activities do
		// not shift when another account changes.
		p.pcg.Seed(uint64(g.opt.Seed)^0xa5a5_5a5a_0f0f_f0f0, uint64(i))
		author := g.ownerName(a)
		for _, e := range a.levs {
			b.ledger = append(b.ledger, store.LedgerEntry{AccountID: id, Date: e.date, ARRCents: e.arr, Kind: e.kind, Author: author, Note: e.note})
		}
		b.snaps = p.snapshots(b.snaps, a, id)
		b.acts = p.activities(b.acts, a, id, author)
		b.calls = p.forecastCalls(b.calls, a, id) // last: the streams above stay as they were
		b.ledgerEnd[i-lo], b.snapEnd[i-lo], b.actEnd[i-lo] = len(b.ledger), len(b.snaps), len(b.acts)
	}
	return b
}

func (p *preparer) snapshots(out []store.Snapshot, a *acct, id uint64) []store.Snapshot {
	g, rng := p.g, p.rng
	drift := 0.3 * rng.NormFloat64()
	var noise float64
	// Walk back from last week: noise is an AR(1) so neighbouring weeks
	// look alike.
	var scores [snapshotWeeks]int
	for k := 1; k <= snapshotWeeks; k++ {
		noise = 0.6*noise + 2*rng.NormFloat64()
		n := noise + drift*float64(k)
		if a.trend == trendSliding && k <= a.weeks {
			n = 0.3 * n // the fall dominates the recent weeks
		}
		scores[snapshotWeeks-k] = a.pastScore(k, n)
	}
	for j, wk := range g.weeks {
		mon := wk.Monday()
		if mon < a.a.ContractStart || (a.churnAt != 0 && mon >= a.churnAt) {
			continue
		}
		s := store.Snapshot{AccountID: id, Week: wk, Score: -1, Band: metrics.Unknown, ARRCents: a.arrAt(mon)}
		for c := range s.Components {
			s.Components[c] = -1
		}
		if a.hasScore {
			s.Score = scores[j]
			s.Band = g.cfg.BandFor(s.Score)
			delta := s.Score - a.score
			for c, v := range a.comps {
				if v >= 0 {
					s.Components[c] = int8(clampF(float64(int(v)+delta), 0, 100))
				}
			}
		}
		if a.ovBand != "" && mon >= a.ovFrom && mon <= a.ovTo {
			s.Band = a.ovBand
		}
		out = append(out, s)
	}
	return out
}

// activities is the account's recent history in time order, consistent
// with its last touch and last QBR: no call, email, meeting or QBR is later
// than the dates already on the account, so AppendActivity moves neither.
func (p *preparer) activities(out []store.Activity, a *acct, id uint64, author string) []store.Activity {
	g, rng := p.g, p.rng
	x := &a.a
	if a.unknown {
		return out
	}
	type act struct {
		day  metrics.Date
		kind string
		text string
	}
	var buf [8]act
	acts := buf[:0]
	pickText := func(kind string) string {
		l := activityText[kind]
		return l[rng.IntN(len(l))]
	}
	if g.n <= manyActivities {
		lo := max(x.ContractStart, x.LastTouch.AddDays(-150))
		for range 2 + rng.IntN(3) {
			if x.LastTouch.Sub(lo) < 2 {
				break
			}
			d := lo.AddDays(rng.IntN(x.LastTouch.Sub(lo) - 1))
			kind := []string{store.ActCall, store.ActEmail, store.ActMeeting, store.ActNote}[rng.IntN(4)]
			acts = append(acts, act{d, kind, pickText(kind)})
		}
	}
	if x.ChampionChanged {
		d := max(x.ContractStart, x.LastTouch.AddDays(-rng.IntN(20)))
		acts = append(acts, act{d, store.ActNote, fmt.Sprintf("Champion changed: %s is the new primary contact.", x.ChampionName)})
	}
	// A large book logs only the latest touch: the QBR date stands on
	// its own (the detail view reads it from the account).
	if !x.LastQBR.IsZero() && (g.n <= manyActivities || x.LastQBR == x.LastTouch) {
		acts = append(acts, act{x.LastQBR, store.ActQBR, pickText(store.ActQBR)})
	}
	if x.LastTouch != x.LastQBR {
		kind := []string{store.ActCall, store.ActEmail, store.ActMeeting}[rng.IntN(3)]
		acts = append(acts, act{x.LastTouch, kind, pickText(kind)})
	}
	if a.ovBand != "" {
		acts = append(acts, act{a.ovFrom, "override", fmt.Sprintf("Health override → %s until %s: %s", a.ovBand, a.ovTo, x.Override.Reason)})
	}
	if a.churnAt != 0 {
		acts = append(acts, act{a.churnAt, store.ActNote, "Customer did not renew; exit interview scheduled."})
	}
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].day < acts[j].day })
	for i, v := range acts {
		at := v.day.Time().Add(time.Duration(8+rng.IntN(9))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		if at.After(g.now) {
			at = g.now.Add(-time.Duration(len(acts)-i) * time.Minute)
		}
		auth := author
		if v.kind == "override" {
			auth = g.members[0].Name
		}
		out = append(out, store.Activity{AccountID: id, At: at, Author: auth, Kind: v.kind, Text: v.text})
	}
	return out
}

// writeForecasts has owners call some renewals of the next six months:
// every third red one is expected to churn, every fourth yellow one to
// renew lower (85%). Picked by index, not from the random stream, so the
// rest of the demo stays as it was.
func (g *generator) writeForecasts(tx *store.Tx) error {
	red, yellow := 0, 0
	for i := range g.acc {
		a := &g.acc[i]
		if a.a.Lifecycle == store.Churned || a.next.IsZero() || a.next.Sub(g.today) > 180 || a.unknown {
			continue
		}
		owner := "the account manager"
		if a.owner >= 0 {
			owner = g.members[a.owner].Name
		}
		by := store.Actor{Name: owner}
		id := uint64(i + 1) // as writeBatch checked
		switch a.computed {
		case metrics.Red:
			if red++; red%3 == 0 {
				if err := tx.SetForecast(id, metrics.ChurnExpected, -1, "Champion left and the budget moved: no renewal expected", by, g.now); err != nil {
					return err
				}
			}
		case metrics.Yellow:
			if yellow++; yellow%4 == 0 {
				if err := tx.SetForecast(id, metrics.Likely, a.target*85/100, "Downsell to the core plan agreed in principle", by, g.now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Settings are the demo's settings: the defaults, with the targets a VP
// of Customer Success would set, so the report shows them (README, "The
// leadership report").
func Settings() store.Settings {
	s := store.DefaultSettings()
	nrr, grr, renewal := 1.05, 0.90, 0.85
	s.Targets = store.Targets{NRR: &nrr, GRR: &grr, RenewalRate: &renewal}
	return s
}
