package portfolio

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"steward/metrics"
	"steward/store"
)

// LoadReport computes today's leadership report reading the accounts one
// at a time: it equals Load(...).Report(), but holds only the members, the
// escalations, the accounts they name and the at-risk rows, never the
// portfolio. A command that prints the report once (steward report) needs
// nothing else, and it stays small and fast at a million accounts (README,
// "Design notes", Streaming report).
func LoadReport(path string, opt store.Options, asOf metrics.Date, now time.Time) (Report, error) {
	return LoadReportWith(path, opt, asOf, now, ReportOptions{})
}

// LoadReportWith is LoadReport with the options' comparison period; it
// reads the band mix of the last TrendWeeks snapshots itself (the
// options' BandWeeks are not read).
func LoadReportWith(path string, opt store.Options, asOf metrics.Date, now time.Time, o ReportOptions) (Report, error) {
	var r Report
	err := store.View(path, opt, func(tx *store.Tx) error {
		var err error
		r, err = streamReport(tx, asOf, now, o)
		return err
	})
	return r, err
}

// streamBatch accounts go from the walk to the scoring at a time, with
// streamBatches batches in flight.
const (
	streamBatch   = 256
	streamBatches = 4
)

// worker is the second goroutine of a read that walks the database on
// the transaction's goroutine and scores what it read on another: it runs
// do on each item sent to it, and then always done (so the walk never
// waits for an item that is not coming back). A panic in do (a fault too,
// as on the store's guarded goroutine) becomes its error, and the items
// after it are only done.
type worker[T any] struct {
	in       chan T
	finished chan struct{}
	once     sync.Once
	failed   error
}

func startWorker[T any](buffer int, do, done func(T)) *worker[T] {
	w := &worker[T]{in: make(chan T, buffer), finished: make(chan struct{})}
	go func() {
		defer close(w.finished)
		debug.SetPanicOnFault(true)
		for x := range w.in {
			if w.failed == nil {
				w.failed = w.guard(func() { do(x) })
			}
			done(x)
		}
	}()
	return w
}

func (w *worker[T]) guard(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("scoring the accounts: %v", r)
		}
	}()
	fn()
	return nil
}

// stop ends the worker and waits for it, however the walk ended: it reads
// what the transaction maps, so it is done before the transaction is. It
// returns the worker's error, if any.
func (w *worker[T]) stop() error {
	w.once.Do(func() {
		close(w.in)
		<-w.finished
	})
	return w.failed
}

func streamReport(tx *store.Tx, asOf metrics.Date, now time.Time, o ReportOptions) (Report, error) {
	p, escs, err := begin(tx, asOf, now)
	if err != nil {
		return Report{}, err
	}
	if o.Period == "" {
		o.Period = PeriodQuarter
	}
	// The band mix of the whole book counts the by-week index: no
	// account needs to be known for it.
	if o.BandWeeks, err = bandWeeks(tx, p, Scope{}, TrendWeeks, metrics.WeekOf(asOf)); err != nil {
		return Report{}, err
	}
	// The trends and the comparison are sums over the accounts, made as
	// they go by (Portfolio.Trends sums the same).
	ts := newTrendSums(asOf, metrics.TrailingYear(asOf), comparisonPeriods(asOf, o.Period))
	ts.clone = true
	p.accountIdx = newIDIndex(0, 0)
	sc := newScorer(p, nil, escs, asOf, now)
	prevWeek, err := sc.readPrev(tx)
	if err != nil {
		return Report{}, err
	}
	// The review's baseline, as computeReview sets it: its "then" sums and
	// the ARR moves are made as the accounts go by (baseline.go).
	p.Review.ComparedWithWeek, p.Review.Since = prevWeek, asOf.AddDays(-7)
	if prevWeek != 0 {
		p.Review.Since = prevWeek.Monday()
	}
	day := baselineDay(p.Review.Since)
	var moves []Move
	var moved []MoveJSON
	// The accounts the queue names are kept: joining the queue (names,
	// ARR, the owner an unowned escalation counts against) needs them.
	named := make(map[uint64]bool, len(escs))
	for i := range escs {
		named[escs[i].AccountID] = true
	}
	p.Accounts = make([]Account, 0, len(named))
	p.layoutTeam(asOf)

	// Two goroutines: this one walks the accounts and the ledger (the
	// transaction is its own), the other scores each account and adds it
	// to the books. Batches of accounts go between them and come back to
	// be filled again, so memory stays a few batches whatever the size.
	// The accounts are views into the database's map, valid while the
	// transaction is open (the scoring ends before it does); what outlives
	// the stream is copied.
	type batch struct {
		accts  []Account
		ledger []metrics.LedgerEntry
	}
	free := make(chan *batch, streamBatches)
	for range streamBatches {
		free <- &batch{accts: make([]Account, 0, streamBatch)}
	}
	var atRisk []AtRiskRenewal
	// The last closed quarter's opening call, in account order as the
	// walk is: each call meets its account's ledger as it goes by.
	closed, err := ReadQuarterCalls(tx, PrevQuarter(asOf))
	if err != nil {
		return Report{}, err
	}
	// The calls are copies: the pages they were read from (a 2 MB folio
	// each, other buckets' pages with them) need not stay mapped through
	// the walk (README, Resident memory).
	tx.ReleaseMapped()
	calls := closed.Opening
	rc := newReconciler(closed, false) // only the surprises are kept
	type names struct{ account, owner string }
	varNames := map[uint64]names{}
	callsUpTo := func(a *Account) {
		for len(calls) > 0 && (a == nil || calls[0].AccountID <= a.ID) {
			c := calls[0]
			calls = calls[1:]
			if a == nil || c.AccountID != a.ID {
				rc.add(callRow(c, -1, nil, asOf)) // an account gone
				continue
			}
			row := callRow(c, -1, a.Ledger, asOf)
			if row.Surprise() {
				varNames[a.ID] = names{strings.Clone(a.Name), a.OwnerName}
			}
			rc.add(row)
		}
	}
	scorer := startWorker(streamBatches, func(b *batch) {
		for i := range b.accts {
			a := &b.accts[i]
			sc.score(a)
			callsUpTo(a)
			p.bookAccount(a, 1)
			p.base.add(a, day, 1)
			ts.add(a)
			if moves = movesOf(moves[:0], 0, a, day, asOf); len(moves) > 0 {
				for _, mv := range moves {
					moved = append(moved, MoveJSON{AccountID: a.ID, Account: strings.Clone(a.Name), Kind: mv.Kind, Date: mv.Date, FromCents: mv.FromCents, ToCents: mv.ToCents})
				}
			}
			if ar, ok := a.atRisk(); ok {
				ar.Account, ar.ExternalID = strings.Clone(ar.Account), strings.Clone(ar.ExternalID)
				ar.Band = metrics.Band(strings.Clone(string(ar.Band))) // an override's band is a view
				atRisk = append(atRisk, ar)
			}
			if named[a.ID] {
				// Joining the queue reads the name, the ARR and the owner.
				p.accountIdx.set(a.ID, len(p.Accounts))
				p.Accounts = append(p.Accounts, Account{Account: store.Account{
					ID: a.ID, Name: strings.Clone(a.Name), OwnerID: a.OwnerID, ARRCents: a.ARRCents}})
			}
		}
	}, func(b *batch) {
		clear(b.accts) // no views kept past the transaction
		b.accts, b.ledger = b.accts[:0], b.ledger[:0]
		free <- b
	})
	defer scorer.stop()
	runs := tx.LedgerRuns()
	cur := <-free
	err = tx.ForEachAccountView(func(sa *store.Account) error {
		cur.accts = append(cur.accts, Account{Account: *sa})
		a := &cur.accts[len(cur.accts)-1]
		start := len(cur.ledger)
		var err error
		if cur.ledger, err = runs.Of(a.ID, cur.ledger); err != nil {
			return err
		}
		a.Ledger = cur.ledger[start:len(cur.ledger):len(cur.ledger)]
		if len(cur.accts) == streamBatch {
			scorer.in <- cur
			cur = <-free
		}
		return nil
	})
	if len(cur.accts) > 0 {
		scorer.in <- cur
	}
	if failed := scorer.stop(); err == nil {
		err = failed
	}
	if err != nil {
		return Report{}, err
	}
	callsUpTo(nil)
	p.joinEscalations(escs)
	p.finishTeam(true)
	p.finishKPIs()
	p.Review.Then = p.base.then(day, p.Escalations)

	r := p.reportHead()
	p.finishLeadership(&r, ts, o)
	if closed.Weeks > 0 {
		rec := rc.finish()
		vs := make([]VarianceJSON, 0, len(rec.Rows))
		for i := range rec.Rows {
			n := varNames[rec.Rows[i].AccountID]
			vs = append(vs, varianceJSON(&rec.Rows[i], n.account, n.owner))
		}
		r.ForecastVsActual = reconcileJSON(&rec, vs)
	}
	if r.SinceBaseline != nil {
		sortMoveRows(moved)
		r.SinceBaseline.Moves = append(r.SinceBaseline.Moves, moved...)
	}
	sortAtRisk(atRisk)
	if atRisk != nil {
		r.AtRisk = atRisk
	}
	return r, nil
}
