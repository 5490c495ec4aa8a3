package portfolio

import (
	"cmp"
	"runtime"
	"slices"

	"steward/metrics"
	"steward/store"
)

// What changed since the baseline (README, "The dashboard", Review). The
// review compares with a baseline week, the week of its snapshot; the
// baseline day is the day before that week's Monday (Review.Since), and
// "then" is the portfolio as it stood at that day's end: ARR and the
// trailing-year NRR and GRR from the ledger, bands from the baseline
// week's snapshot, ARR at risk from those bands and the renewal dates as
// they stood, and the escalations open then. Nothing of it is stored:
// it is summed from the accounts, once when the portfolio is built and
// then per changed account, as the books are.

// Then is the portfolio's figures at the baseline day.
type Then struct {
	Day            metrics.Date
	ARRCents       int64
	Live           int
	NRR, GRR       metrics.Ratio
	Bands          map[metrics.Band]int
	AtRiskARRCents int64
	OpenEsc        int
}

// Move is one ARR change on the ledger after the baseline day: a new
// account, a churn, an expansion or a contraction (a renewal at another
// price counts as the one it is).
type Move struct {
	Account   int // index into Portfolio.Accounts
	Date      metrics.Date
	Kind      metrics.LedgerKind
	FromCents int64
	ToCents   int64
}

// Delta is the signed ARR change.
func (m Move) Delta() int64 { return m.ToCents - m.FromCents }

// baseSums are the additive parts of Then.
type baseSums struct {
	ret    metrics.RetentionSums
	arr    int64
	live   int
	bands  [4]int
	atRisk int64
}

// add adds a's figures at day (sign 1) or takes them out (sign -1), its
// band then being the comparison snapshot's.
func (s *baseSums) add(a *Account, day metrics.Date, sign int) {
	band := metrics.Unknown
	if a.HasPrev {
		band = a.Prev.Band
	}
	s.addBand(a, day, band, sign)
}

// addBand is add with the band a had then.
func (s *baseSums) addBand(a *Account, day metrics.Date, band metrics.Band, sign int) {
	ka := metrics.KPIAccount{Ledger: a.Ledger, ContractStart: a.ContractStart, RenewalDate: a.RenewalDate, Churned: !a.Live}
	r := metrics.AccountRetention(&ka, metrics.TrailingYear(day))
	if sign > 0 {
		s.ret.Add(r)
	} else {
		s.ret.Sub(r)
	}
	arr := metrics.ARRAt(a.Ledger, day)
	if len(a.Ledger) == 0 && a.Live {
		// No ledger at all (a record typed in, never priced): its ARR
		// is taken as unchanged, not as new.
		arr = a.ARRCents
	}
	if arr <= 0 {
		return // not a customer then
	}
	s64 := int64(sign)
	s.live += sign
	s.arr += s64 * arr
	s.bands[bandIndex(band)] += sign
	// Only a yellow account's risk depends on its renewal date then,
	// which takes a walk of its ledger to find.
	var due metrics.Date
	if band == metrics.Yellow {
		due = metrics.RenewalDateOn(a.RenewalDate, a.ContractStart, a.Ledger, day)
	}
	if metrics.AtRisk(band, !due.IsZero(), due.Sub(day)) {
		s.atRisk += s64 * arr
	}
}

// movesOf appends a's ledger moves after day, through asOf.
func movesOf(out []Move, i int, a *Account, day, asOf metrics.Date) []Move {
	// The entries after day are the last few, if any: find them from the
	// end, without a search through the account's history.
	first := len(a.Ledger)
	for first > 0 && a.Ledger[first-1].Date > day {
		first--
	}
	if first == len(a.Ledger) {
		return out
	}
	var prev int64
	if first > 0 {
		prev = a.Ledger[first-1].ARRCents
	}
	for _, e := range a.Ledger[first:] {
		if e.Date > asOf {
			break
		}
		from := prev
		prev = e.ARRCents
		kind := e.Kind
		switch {
		case e.ARRCents == from:
			continue // a renewal at the same price moves nothing
		case kind == metrics.KindRenewal && e.ARRCents > from:
			kind = metrics.KindExpansion
		case kind == metrics.KindRenewal:
			kind = metrics.KindContraction
		}
		out = append(out, Move{Account: i, Date: e.Date, Kind: kind, FromCents: from, ToCents: e.ARRCents})
	}
	return out
}

// sortMoves puts the largest ARR change first (then the newest, then
// account order).
func sortMoves(moves []Move) {
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	slices.SortFunc(moves, func(x, y Move) int {
		if c := cmp.Compare(abs(y.Delta()), abs(x.Delta())); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Date, x.Date); c != 0 {
			return c
		}
		return cmp.Compare(x.Account, y.Account)
	})
}

// baselinePass sums every account's figures at day and lists the moves
// after it, in halves on two cores for a large book: it is most of what
// the review adds to building the portfolio (README, "Performance").
func baselinePass(accts []Account, day, asOf metrics.Date) (baseSums, []Move) {
	pass := func(lo, hi int) (s baseSums, moves []Move) {
		for i := lo; i < hi; i++ {
			s.add(&accts[i], day, 1)
			moves = movesOf(moves, i, &accts[i], day, asOf)
		}
		return s, moves
	}
	n := len(accts)
	if n < 20_000 || runtime.GOMAXPROCS(0) < 2 {
		s, moves := pass(0, n)
		sortMoves(moves)
		return s, moves
	}
	var s2 baseSums
	var m2 []Move
	done := make(chan struct{})
	go func() {
		defer close(done)
		s2, m2 = pass(n/2, n)
	}()
	s, moves := pass(0, n/2)
	<-done
	s.merge(&s2)
	moves = append(moves, m2...)
	sortMoves(moves)
	return s, moves
}

// merge adds o's sums into s.
func (s *baseSums) merge(o *baseSums) {
	s.ret.Add(o.ret)
	s.arr += o.arr
	s.live += o.live
	for i := range s.bands {
		s.bands[i] += o.bands[i]
	}
	s.atRisk += o.atRisk
}

// sortMoveRows is sortMoves for the report's rows (the streaming report
// keeps no account indexes; account IDs are in the same order).
func sortMoveRows(rows []MoveJSON) {
	slices.SortFunc(rows, func(x, y MoveJSON) int {
		dx, dy := x.ToCents-x.FromCents, y.ToCents-y.FromCents
		if c := cmp.Compare(max(dy, -dy), max(dx, -dx)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Date, x.Date); c != 0 {
			return c
		}
		return cmp.Compare(x.AccountID, y.AccountID)
	})
}

// openThen counts the escalations open at the end of day: raised by then
// and not resolved by then (a reopen in between is not seen).
func openThen(escs []Escalation, day metrics.Date) int {
	end := EndOfDay(day)
	n := 0
	for i := range escs {
		e := &escs[i]
		if !e.CreatedAt.After(end) && (e.ResolvedAt.IsZero() || e.ResolvedAt.After(end)) {
			n++
		}
	}
	return n
}

// then turns the sums into the figures.
func (s *baseSums) then(day metrics.Date, escs []Escalation) Then {
	ret := s.ret.Retention()
	t := Then{Day: day, ARRCents: s.arr, Live: s.live, NRR: ret.NRR, GRR: ret.GRR, AtRiskARRCents: s.atRisk,
		Bands: map[metrics.Band]int{}, OpenEsc: openThen(escs, day)}
	for i, b := range metrics.Bands {
		t.Bands[b] = s.bands[i]
	}
	return t
}

// baselineDay is the day "then" is: the day before the review's Since.
func baselineDay(since metrics.Date) metrics.Date { return since.AddDays(-1) }

// ReviewAgainst is the review with week w's snapshot (scores) as its
// baseline instead of the comparison week: what worsened and improved
// since, the ARR moves since, and "then" are computed again for that pair
// of weeks; the sections that do not depend on the baseline are p's own.
// Nothing is stored (README, "The dashboard", moving the baseline).
func (p *Portfolio) ReviewAgainst(w metrics.Week, scores map[uint64]store.WeekScore) Review {
	r := p.Review
	r.ComparedWithWeek, r.Since, r.Against = w, w.Monday(), scores
	r.Worsened, r.Improved, r.Moves = nil, nil, nil
	day := baselineDay(r.Since)
	var base baseSums
	delta := make(map[int]int) // account index -> score change, where known
	for i := range p.Accounts {
		a := &p.Accounts[i]
		prev, has := scores[a.ID]
		band := metrics.Unknown
		if has {
			band = prev.Band
		}
		base.addBand(a, day, band, 1)
		r.Moves = movesOf(r.Moves, i, a, day, p.AsOf)
		if !a.Live || !has {
			continue
		}
		t := metrics.TrendOf(a.Health, prev.Score, prev.Score >= 0)
		if t.OK {
			delta[i] = t.Delta
		}
		// The same rules as the review's own sections (reviewSections).
		if a.Health.Band.Worse(prev.Band) || (t.OK && t.Delta <= metrics.DroppingDelta) {
			r.Worsened = append(r.Worsened, i)
		}
		if prev.Band.Worse(a.Health.Band) || (t.OK && t.Delta >= -metrics.DroppingDelta) {
			r.Improved = append(r.Improved, i)
		}
	}
	byARR := func(then func(x, y int) int) func(x, y int) int {
		return func(x, y int) int {
			if c := cmp.Compare(p.Accounts[y].ARRCents, p.Accounts[x].ARRCents); c != 0 {
				return c
			}
			if c := then(x, y); c != 0 {
				return c
			}
			return cmp.Compare(x, y)
		}
	}
	slices.SortFunc(r.Worsened, byARR(func(x, y int) int { return cmp.Compare(delta[x], delta[y]) }))
	slices.SortFunc(r.Improved, byARR(func(x, y int) int { return cmp.Compare(delta[y], delta[x]) }))
	sortMoves(r.Moves)
	r.Then = base.then(day, p.Escalations)
	return r
}

// BookSince is one member's book (or the Unassigned pool) at an earlier
// day, their last 1:1, for the member page: the figures then, with the
// bands of that day's week snapshot (scores), and what worsened since.
type BookSince struct {
	Then     Then
	Worsened []int // indexes into Accounts, largest ARR first
}

// BookSince computes b for member (unassigned: the pool) at day.
func (p *Portfolio) BookSince(member uint64, unassigned bool, day metrics.Date, scores map[uint64]store.WeekScore) BookSince {
	var base baseSums
	var out BookSince
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if p.unassigned(a) != unassigned || (!unassigned && a.OwnerID != member) {
			continue
		}
		prev, has := scores[a.ID]
		band := metrics.Unknown
		if has {
			band = prev.Band
		}
		base.addBand(a, day, band, 1)
		if !a.Live || !has {
			continue
		}
		t := metrics.TrendOf(a.Health, prev.Score, prev.Score >= 0)
		if a.Health.Band.Worse(prev.Band) || (t.OK && t.Delta <= metrics.DroppingDelta) {
			out.Worsened = append(out.Worsened, i)
		}
	}
	slices.SortFunc(out.Worsened, func(x, y int) int {
		if c := cmp.Compare(p.Accounts[y].ARRCents, p.Accounts[x].ARRCents); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	var escs []Escalation
	for _, e := range p.Escalations {
		if !unassigned && p.Responsible(&e) == member {
			escs = append(escs, e)
		}
	}
	out.Then = base.then(day, escs)
	return out
}
