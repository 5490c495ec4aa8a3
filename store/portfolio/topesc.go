package portfolio

import (
	"sort"

	"steward/metrics"
	"steward/store"
)

// TopEscalationsN is how many open escalations the report lists.
const TopEscalationsN = 5

// EscalationJSON is one open escalation of the report's top list.
type EscalationJSON struct {
	ID        uint64       `json:"id"`
	AccountID uint64       `json:"account_id"`
	Account   string       `json:"account"`
	Title     string       `json:"title"`
	Severity  string       `json:"severity"`
	Status    string       `json:"status"`
	Owner     string       `json:"owner"` // "" when unassigned
	Opened    metrics.Date `json:"opened"`
	AgeDays   int          `json:"age_days"`
	Breached  bool         `json:"breached"` // past its SLA at as_of
}

// topEscalations are the open escalations a leadership report names: the
// most severe first and, within a severity, the oldest (the ones that
// have waited longest are what a VP asks about), at most n of them.
func (p *Portfolio) topEscalations(n int) []EscalationJSON {
	var open []*Escalation
	for i := range p.Escalations {
		if e := &p.Escalations[i]; e.Open() {
			open = append(open, e)
		}
	}
	sort.SliceStable(open, func(i, j int) bool {
		a, b := open[i], open[j]
		if ra, rb := store.SeverityRank(a.Severity), store.SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
	out := make([]EscalationJSON, 0, min(n, len(open)))
	for _, e := range open[:min(n, len(open))] {
		age := 0
		if !e.CreatedAt.IsZero() && p.Now.After(e.CreatedAt) {
			age = int(p.Now.Sub(e.CreatedAt).Hours() / 24)
		}
		out = append(out, EscalationJSON{ID: e.ID, AccountID: e.AccountID, Account: e.AccountName, Title: e.Title,
			Severity: e.Severity, Status: e.Status, Owner: e.OwnerName, Opened: metrics.DateOf(e.CreatedAt),
			AgeDays: age, Breached: e.Breached})
	}
	return out
}
