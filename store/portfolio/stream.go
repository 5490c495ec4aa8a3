package portfolio

import (
	"strings"
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

	runs := tx.LedgerRuns()
	var ledger []metrics.LedgerEntry
	var atRisk []AtRiskRenewal
	var a Account
	// The accounts are views into the database's map (valid during the
	// call): what outlives the call is copied.
	err = tx.ForEachAccountView(func(sa *store.Account) error {
		a = Account{Account: *sa}
		sc.score(&a)
		var err error
		if ledger, err = runs.Of(a.ID, ledger[:0]); err != nil {
			return err
		}
		a.Ledger = ledger
		p.bookAccount(&a, 1)
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
		return nil
	})
	a = Account{}
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
