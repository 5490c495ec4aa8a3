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
	var r Report
	err := store.View(path, opt, func(tx *store.Tx) error {
		var err error
		r, err = streamReport(tx, asOf, now)
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

// guardPanic runs fn and returns a panic in it as an error: the scoring
// goroutine is not the transaction's, where the store's guard would catch
// it.
func guardPanic(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("scoring the accounts: %v", r)
		}
	}()
	fn()
	return nil
}

func streamReport(tx *store.Tx, asOf metrics.Date, now time.Time) (Report, error) {
	p, escs, err := begin(tx, asOf, now)
	if err != nil {
		return Report{}, err
	}
	p.accountIdx = newIDIndex(0, 0)
	sc := newScorer(p, nil, escs, asOf, now)
	if _, err := sc.readPrev(tx); err != nil {
		return Report{}, err
	}
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
	free, full := make(chan *batch, streamBatches), make(chan *batch, streamBatches)
	for range streamBatches {
		free <- &batch{accts: make([]Account, 0, streamBatch)}
	}
	var atRisk []AtRiskRenewal
	var failed error // a panic while scoring, as an error
	scored := make(chan struct{})
	go func() {
		defer close(scored)
		// The accounts may view the database's map: a fault reading it (a
		// file cut short under us) must be a panic guardPanic turns into
		// an error, as the store's guard does on its own goroutine.
		debug.SetPanicOnFault(true)
		for b := range full {
			if failed == nil {
				failed = guardPanic(func() {
					for i := range b.accts {
						a := &b.accts[i]
						sc.score(a)
						p.bookAccount(a, 1)
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
				})
			}
			clear(b.accts) // no views kept past the transaction
			b.accts, b.ledger = b.accts[:0], b.ledger[:0]
			free <- b
		}
	}()
	// However the walk ends (a panic included, which the store's guard
	// turns into an error), the scorer is done with the views before the
	// transaction and its map are.
	var stopped sync.Once
	stop := func() { stopped.Do(func() { close(full); <-scored }) }
	defer stop()
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
			full <- cur
			cur = <-free
		}
		return nil
	})
	if len(cur.accts) > 0 {
		full <- cur
	}
	stop()
	if err == nil {
		err = failed
	}
	if err != nil {
		return Report{}, err
	}
	p.joinEscalations(escs)
	p.finishTeam(true)
	p.finishKPIs()

	kept := p.Accounts
	p.Accounts = nil // Report lists the at-risk rows of p.Accounts
	r := p.Report()
	p.Accounts = kept
	sortAtRisk(atRisk)
	if atRisk != nil {
		r.AtRisk = atRisk
	}
	return r, nil
}
