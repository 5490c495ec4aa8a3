// Package portfolio is the read model every screen and report shares: one
// consistent read of the database joined with the health and KPI formulas of
// package metrics. Build is pure (no I/O) so screens and tests can construct a
// Portfolio from records in memory; Load reads them in one transaction.
package portfolio

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"steward/metrics"
	"steward/store"
)

// Account is one account with everything computed about it.
type Account struct {
	store.Account
	OwnerName string // "" when unassigned
	Segment   metrics.Segment
	Live      bool            // not churned
	Health    metrics.Verdict // the components are left out: Detail explains one account
	Prev      store.WeekScore // score at the comparison snapshot
	HasPrev   bool
	Trend     metrics.Trend
	Flags     metrics.Flags
	// Forecast is how the renewal is expected to close: the owner's word
	// when they set one (ForecastSet), else from the band.
	Forecast         metrics.ForecastCategory
	ExpectedARRCents int64
	ForecastSet      bool
	// StaleInputs: the health inputs were last updated (InputsUpdated)
	// more than the freshness.stale_days setting before the day, so the
	// band stands on old numbers (README, data freshness). Beside
	// ForecastSet, it takes no room of its own in the row.
	StaleInputs   bool
	DaysToRenewal int // meaningful when RenewalDate is set
	OpenEsc       int // unresolved escalations
	// Fold is the folded (FoldText) "name owner segment" the filter
	// matches against, prepared once so typing does not re-fold 100,000
	// strings; its first NameLen bytes are the folded name. Only screens
	// filter: Folds makes them (a report never pays for them).
	Fold    string
	NameLen int
	// Ledger is the account's ARR ledger, oldest first. Its share of the
	// KPIs (metrics' additive figures) is computed from it when the
	// account enters or leaves a book, so a book's KPIs are sums and one
	// changed account is rescored alone (README, "Design notes").
	Ledger []metrics.LedgerEntry
}

// figures are the account's KPI figures over w, from its ledger.
type figures struct {
	ret metrics.RetentionSums
	ren metrics.Renewals
}

func (a *Account) figures(w metrics.Window) figures {
	ka := metrics.KPIAccount{Ledger: a.Ledger, ContractStart: a.ContractStart, RenewalDate: a.RenewalDate, Churned: !a.Live}
	return figures{metrics.AccountRetention(&ka, w), metrics.AccountRenewals(&ka, w)}
}

// Escalation is one escalation joined with its account and people.
type Escalation struct {
	store.Escalation
	AccountName string
	AccountARR  int64
	OwnerName   string // "" when unassigned
	RaisedName  string
	Breached    bool
}

// MemberRow is one line of the team roster.
type MemberRow struct {
	Member          store.Member // ID 0 with Name "Unassigned" for the pool
	Unassigned      bool
	Accounts        int // live accounts owned
	ARRCents        int64
	Bands           map[metrics.Band]int
	Retention       metrics.Retention
	CSAT            metrics.CSATResult
	NPS             metrics.NPSResult
	OpenEsc         int
	Due90           int
	Due90ARRCents   int64
	OverCapacity    bool
	DaysSinceOneOne int // -1 when never recorded
	// AtRisk and AtRiskARRCents are the member's live accounts whose ARR
	// is at risk (metrics.AtRisk), and that ARR.
	AtRisk         int
	AtRiskARRCents int64
	// Load is the member's live accounts weighed by segment (settings
	// load.*), LoadShare that over their capacity (n/a without one).
	Load      float64
	LoadShare metrics.Ratio
	// OneOnOneDue: the last 1:1 is older than the cadence (settings
	// cadence.one_on_one), or there was none.
	OneOnOneDue bool
	// Stale and StaleARRCents are the member's live accounts whose health
	// inputs are stale (Account.StaleInputs), and their ARR.
	Stale         int
	StaleARRCents int64
	// OverdueTasks are the member's open tasks past their due date.
	OverdueTasks int
}

// KPIs are the portfolio numbers of SPEC section 4.
type KPIs struct {
	Window         metrics.Window
	LiveAccounts   int
	ARRCents       int64
	Bands          map[metrics.Band]int
	Retention      metrics.Retention
	Renewals       metrics.Renewals
	NPS            metrics.NPSResult
	CSAT           metrics.CSATResult
	PipelineCents  int64
	Due            []metrics.DueBucket // 30, 60, 90 days
	EscByStatus    map[string]int
	OpenEsc        int
	BreachedEsc    int
	UnassignedLive int
	// AtRisk and AtRiskARRCents: live accounts in red, or yellow with a
	// renewal within 90 days or overdue (metrics.AtRisk), and their ARR.
	AtRisk         int
	AtRiskARRCents int64
	// Forecast is the renewal forecast of this quarter [0] and the next
	// [1] (metrics.Quarter of AsOf); OverdueRenewals are past due and not
	// renewed.
	Forecast        [2]metrics.Forecast
	OverdueRenewals int
	OverdueARRCents int64
	// Stale and StaleARRCents are the live accounts whose health inputs
	// are stale (Account.StaleInputs), and their ARR.
	Stale         int
	StaleARRCents int64
}

// Review holds the Monday sections: indexes into Portfolio.Accounts and
// Portfolio.Escalations.
type Review struct {
	Since       metrics.Date // the Monday of the comparison week, or asOf-7
	Worsened    []int        // band worsened or score fell 10+
	NewEsc      []int        // escalations raised in the last 7 days
	BreachedEsc []int        // unresolved and past SLA
	DueSoon     []int        // unresolved, SLA due within DueSoonHours
	Improved    []int        // band up or score rose 10+
	// Moves are the ledger's ARR changes after the baseline day, the
	// largest first; Then is the portfolio at that day (baseline.go).
	Moves []Move
	Then  Then
	// Against is the baseline week's scores of a review against another
	// week (ReviewAgainst); nil for the portfolio's own, whose accounts
	// carry theirs (Account.Prev).
	Against            map[uint64]store.WeekScore
	EnteredRenewal     []int        // renewal entered the 90-day window this week
	Untouched          []int        // live accounts past their touch cadence
	ComparedWithWeek   metrics.Week // 0 when no earlier snapshot exists
	CurrentWeekSnapped bool
	// Stale are the live accounts whose health inputs are older than the
	// freshness.stale_days setting (Account.StaleInputs), the largest ARR
	// first, and StaleARRCents their ARR: a band from old numbers is not
	// news.
	Stale         []int
	StaleARRCents int64
	// OverdueTasks are open tasks past their due date, as indexes into
	// Portfolio.Tasks: the oldest due date first, then the account's ARR.
	OverdueTasks []int
}

// Portfolio is the computed book.
type Portfolio struct {
	AsOf metrics.Date
	Now  time.Time
	// Seq is the change feed entry this portfolio is up to date with
	// (feed.go).
	Seq      uint64
	Settings store.Settings
	Members  []store.Member
	// MemberKeys is each member's SSH public keys (the team form shows
	// them); a change to them is a roster change, which reloads.
	MemberKeys  map[uint64][]store.MemberKey
	memberIdx   idIndex
	Accounts    []Account // ID order; churned ones included with Live false
	accountIdx  idIndex
	Escalations []Escalation // queue order (see QueueLess)
	// SettingsLog is the latest settings changes, newest first: who tuned
	// the health model, and when.
	SettingsLog []store.SettingChange
	// Tasks are the open tasks, in ID order (README, "Tasks"); closed ones
	// are read with an account's detail.
	Tasks  []OpenTask
	Team   []MemberRow // managers first, then active members by name, then Unassigned when any
	KPIs   KPIs
	Review Review

	// The books behind KPIs and Team (books.go): the portfolio's, and one
	// per row of teamAll (every active member, then the Unassigned pool,
	// which Team leaves out while it is empty).
	total       book
	books       []book
	teamAll     []MemberRow
	rowOf       idIndex                   // active member ID -> row
	touchedRows []bool                    // rows whose books changed since finishTeam
	folded      bool                      // Folds has run
	forecasts   map[uint64]store.Forecast // the forecasts set, by account
	plans       planIndex                 // what the plan-at-risk flag needs of each plan (plans.go)
	base        baseSums                  // Review.Then's sums (baseline.go)
	// overdue is each account's open tasks past their due date, kept
	// while the execution component is on (README, "The execution
	// component"); nil while it is off.
	overdue map[uint64]int
	// tasksChanged: the last Apply changed the open tasks, so the
	// review's overdue list is made again (otherwise its indexes hold).
	tasksChanged bool
}

// Raw is what Load reads from the store.
type Raw struct {
	Settings    store.Settings
	Members     []store.Member
	MemberKeys  map[uint64][]store.MemberKey
	Forecasts   map[uint64]store.Forecast
	Plans       map[uint64]metrics.PlanSummary // the accounts that have a success plan
	Accounts    []store.Account
	Ledger      map[uint64][]metrics.LedgerEntry
	Prev        map[uint64]store.WeekScore
	PrevWeek    metrics.Week
	ThisWeekHas bool
	Escalations []store.Escalation
	SettingsLog []store.SettingChange
	Tasks       []OpenTask // the open ones
	Seq         uint64     // the change feed's newest entry when read
}

// Load reads everything a screen needs in one read transaction and builds
// the portfolio for day asOf, judging SLAs at now. It computes what
// Build(ReadRaw(...)) does (a test holds them equal), reading straight
// into the portfolio: accounts decoded into their rows, the ledger and
// last week's scores merged in account order (README, "Design notes",
// Read model).
func Load(path string, opt store.Options, asOf metrics.Date, now time.Time) (*Portfolio, error) {
	var p *Portfolio
	err := store.View(path, opt, func(tx *store.Tx) error {
		var err error
		p, err = load(tx, asOf, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// initialRows is the room Load makes for rows: the bucket's counter,
// which bounds the count in a sound file (a test makes it smaller).
var initialRows = (*store.Tx).MaxAccounts

// scoreSpan is how many decoded rows Load hands to its scoring goroutine
// at a time.
var scoreSpan = 1024 // a var: a test makes it small

// ledgerBlock is how many ledger entries one allocation holds: accounts'
// ledgers are pieces of a few large blocks, not a slice each.
const ledgerBlock = 1 << 16

// begin reads what every account is scored against (settings, members,
// escalations) into a portfolio without accounts.
func begin(tx *store.Tx, asOf metrics.Date, now time.Time) (*Portfolio, []store.Escalation, error) {
	p := &Portfolio{AsOf: asOf, Now: now, Seq: tx.ChangeSeq()}
	var err error
	if p.Settings, err = tx.Settings(); err != nil {
		return nil, nil, err
	}
	if p.Members, err = tx.Members(); err != nil {
		return nil, nil, err
	}
	if p.MemberKeys, err = memberKeys(tx); err != nil {
		return nil, nil, err
	}
	p.memberIdx = indexMembers(p.Members)
	if p.forecasts, err = tx.Forecasts(); err != nil {
		return nil, nil, err
	}
	if p.plans, err = readPlans(tx); err != nil {
		return nil, nil, err
	}
	if p.Settings.Health.Execution {
		p.overdue = map[uint64]int{}
		err := tx.ForEachOpenTask(func(o *store.OpenTask) error {
			if o.Overdue(asOf) {
				p.overdue[o.AccountID]++
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	escs, err := tx.Escalations()
	if err != nil {
		return nil, nil, err
	}
	return p, escs, nil
}

func load(tx *store.Tx, asOf metrics.Date, now time.Time) (*Portfolio, error) {
	p, escs, err := begin(tx, asOf, now)
	if err != nil {
		return nil, err
	}
	if p.SettingsLog, err = tx.SettingsLog(SettingsLogShown); err != nil {
		return nil, err
	}
	if p.Tasks, err = readOpenTasks(tx); err != nil {
		return nil, err
	}
	sc := newScorer(p, nil, escs, asOf, now)
	prevWeek, err := sc.readPrev(tx)
	if err != nil {
		return nil, err
	}
	thisWeekHas := tx.HasWeek(metrics.WeekOf(asOf))

	// Two goroutines: this one decodes the accounts into their rows and
	// merges in their ledgers (the transaction is its own); the other
	// scores each finished span of rows and adds it to the books. The rows
	// do not move while the other reads them: they are sized by the
	// bucket's counter (the largest ID), and should they fill up, growing
	// waits until the scorer is done.
	p.layoutTeam(asOf)
	type span struct {
		rows []Account
		ack  chan struct{}
	}
	scorer := startWorker(16, func(s span) {
		for i := range s.rows {
			sc.score(&s.rows[i])
			p.bookAccount(&s.rows[i], 1)
		}
	}, func(s span) {
		if s.ack != nil {
			close(s.ack)
		}
	})
	defer scorer.stop()
	p.Accounts = make([]Account, 0, initialRows(tx))
	store.Prefault(p.Accounts)
	runs := tx.LedgerRuns()
	var flat []metrics.LedgerEntry
	sent := 0
	// finish merges in the ledger of the last row decoded.
	finish := func() error {
		n := len(p.Accounts)
		if n == 0 {
			return nil
		}
		a := &p.Accounts[n-1]
		if cap(flat)-len(flat) < 256 {
			flat = make([]metrics.LedgerEntry, 0, ledgerBlock)
			store.Prefault(flat)
		}
		start := len(flat)
		var err error
		if flat, err = runs.Of(a.ID, flat); err != nil {
			return err
		}
		if len(flat) > start {
			a.Ledger = flat[start:len(flat):len(flat)]
		}
		return nil
	}
	var walkErr error
	err = tx.AccountsInto(func() *store.Account {
		if walkErr == nil {
			walkErr = finish()
		}
		n := len(p.Accounts)
		if n-sent >= scoreSpan {
			scorer.in <- span{rows: p.Accounts[sent:n]}
			sent = n
		}
		if n == cap(p.Accounts) {
			ack := make(chan struct{})
			scorer.in <- span{ack: ack}
			<-ack // the scorer is idle: the rows may move
		}
		p.Accounts = append(p.Accounts, Account{})
		return &p.Accounts[n].Account
	})
	if err == nil {
		err = walkErr
	}
	if err == nil {
		err = finish()
	}
	scorer.in <- span{rows: p.Accounts[sent:]}
	if failed := scorer.stop(); err == nil {
		err = failed
	}
	if err != nil {
		return nil, err
	}
	var maxID uint64
	if n := len(p.Accounts); n > 0 {
		maxID = p.Accounts[n-1].ID // ID order
	}
	p.accountIdx = newIDIndex(maxID, len(p.Accounts))
	for i := range p.Accounts {
		p.accountIdx.set(p.Accounts[i].ID, i)
	}

	p.joinEscalations(escs)
	p.finishTeam(true)
	p.finishKPIs()
	p.Review = computeReview(p, prevWeek, thisWeekHas, asOf, now)
	return p, nil
}

// ReadRaw reads the records Build needs inside an open transaction.
func ReadRaw(tx *store.Tx, asOf metrics.Date) (Raw, error) {
	var raw Raw
	var err error
	raw.Seq = tx.ChangeSeq()
	if raw.Settings, err = tx.Settings(); err != nil {
		return raw, err
	}
	if raw.Members, err = tx.Members(); err != nil {
		return raw, err
	}
	if raw.Forecasts, err = tx.Forecasts(); err != nil {
		return raw, err
	}
	raw.Plans = map[uint64]metrics.PlanSummary{}
	if err = tx.ForEachPlanSummary(func(id uint64, s metrics.PlanSummary) error {
		raw.Plans[id] = s
		return nil
	}); err != nil {
		return raw, err
	}
	if raw.MemberKeys, err = memberKeys(tx); err != nil {
		return raw, err
	}
	if raw.Accounts, err = tx.AccountsInBlocks(); err != nil {
		return raw, err
	}
	// The ledger is keyed account‖date: one account's entries are a run.
	// They go into one flat slice, and each account's ledger is a piece of
	// it, instead of a slice grown per account.
	raw.Ledger = make(map[uint64][]metrics.LedgerEntry, len(raw.Accounts))
	flat := make([]metrics.LedgerEntry, 0, 2*len(raw.Accounts)+16)
	var cur uint64
	start := 0
	cut := func() {
		if len(flat) > start {
			raw.Ledger[cur] = flat[start:len(flat):len(flat)]
		}
	}
	err = tx.ForEachLedger(func(l *store.LedgerEntry) error {
		if l.AccountID != cur {
			cut()
			cur, start = l.AccountID, len(flat)
		}
		if len(flat) == cap(flat) {
			// A new block: the pieces already cut keep the old one.
			cut()
			next := make([]metrics.LedgerEntry, len(flat)-start, 2*cap(flat))
			copy(next, flat[start:])
			flat, start = next, 0
		}
		flat = append(flat, metrics.LedgerEntry{Date: l.Date, ARRCents: l.ARRCents, Kind: l.Kind})
		return nil
	})
	cut()
	if err != nil {
		return raw, err
	}
	thisWeek := metrics.WeekOf(asOf)
	raw.ThisWeekHas = tx.HasWeek(thisWeek)
	raw.PrevWeek = tx.LatestWeekBefore(thisWeek)
	if raw.PrevWeek != 0 {
		if raw.Prev, err = tx.WeekScores(raw.PrevWeek); err != nil {
			return raw, err
		}
	}
	if raw.Escalations, err = tx.Escalations(); err != nil {
		return raw, err
	}
	if raw.Tasks, err = readOpenTasks(tx); err != nil {
		return raw, err
	}
	raw.SettingsLog, err = tx.SettingsLog(SettingsLogShown)
	return raw, err
}

// SettingsLogShown is how many settings changes the portfolio carries.
const SettingsLogShown = 5

// Build computes the portfolio from raw records. It is pure.
func Build(raw Raw, asOf metrics.Date, now time.Time) *Portfolio {
	p := &Portfolio{
		AsOf:        asOf,
		Now:         now,
		Seq:         raw.Seq,
		Settings:    raw.Settings,
		Members:     raw.Members,
		MemberKeys:  raw.MemberKeys,
		forecasts:   raw.Forecasts,
		plans:       plansFrom(raw.Plans),
		SettingsLog: raw.SettingsLog,
		Tasks:       raw.Tasks,
		memberIdx:   indexMembers(raw.Members),
	}
	var maxID uint64
	if n := len(raw.Accounts); n > 0 {
		maxID = raw.Accounts[n-1].ID // ID order
	}
	p.accountIdx = newIDIndex(maxID, len(raw.Accounts))
	p.countOverdue()

	sc := newScorer(p, raw.Prev, raw.Escalations, asOf, now)
	p.Accounts = make([]Account, len(raw.Accounts))
	for i := range raw.Accounts {
		a := &p.Accounts[i]
		a.Account = raw.Accounts[i]
		p.accountIdx.set(a.ID, i)
		sc.score(a)
		a.Ledger = raw.Ledger[a.ID]
	}

	p.joinEscalations(raw.Escalations)
	p.sumBooks(asOf)
	p.finishKPIs()
	p.Review = computeReview(p, raw.PrevWeek, raw.ThisWeekHas, asOf, now)
	return p
}

// joinEscalations sets the queue: escs joined with their accounts (those
// in p.Accounts) and people, in triage order.
func (p *Portfolio) joinEscalations(escs []store.Escalation) {
	p.Escalations = make([]Escalation, len(escs))
	for i, e := range escs {
		pe := Escalation{Escalation: e, OwnerName: p.MemberName(e.OwnerID), RaisedName: p.MemberName(e.RaisedBy), Breached: e.Breached(p.Now)}
		if a := p.Account(e.AccountID); a != nil {
			pe.AccountName, pe.AccountARR = a.Name, a.ARRCents
		}
		p.Escalations[i] = pe
	}
	sortQueue(p.Escalations)
}

// scorer computes the per-account fields of Build: one account at a time,
// so that a reader that streams accounts (the accounts export) computes
// exactly what the portfolio shows without holding the portfolio.
type scorer struct {
	p        *Portfolio // settings and members only
	cfg      metrics.Config
	asOf     metrics.Date
	prev     map[uint64]store.WeekScore
	prevList []prevScore     // instead of prev: sorted by account, a fifth of the map's size
	breached map[uint64]bool // accounts with an open escalation past its SLA
	openEsc  map[uint64]int  // open escalations per account
	// staleBefore is the start of the day freshness.stale_days before
	// asOf: inputs updated before it are stale (StaleBefore).
	staleBefore time.Time
	planAt      int // where the last account's plan summary was (planIndex.ofFrom)
}

// prevScore is one account's score in the comparison week; band indexes
// metrics.Bands.
type prevScore struct {
	id    uint64
	score int32
	band  uint8
}

// prevOf is account id's score in the comparison week.
func (s *scorer) prevOf(id uint64) (store.WeekScore, bool) {
	if s.prevList == nil {
		ws, ok := s.prev[id]
		return ws, ok
	}
	l := s.prevList
	i := sort.Search(len(l), func(i int) bool { return l[i].id >= id })
	if i < len(l) && l[i].id == id {
		return store.WeekScore{Score: int(l[i].score), Band: metrics.Bands[l[i].band]}, true
	}
	return store.WeekScore{}, false
}

func newScorer(p *Portfolio, prev map[uint64]store.WeekScore, escs []store.Escalation, asOf metrics.Date, now time.Time) *scorer {
	s := &scorer{p: p, cfg: p.Settings.Health, asOf: asOf, prev: prev, breached: map[uint64]bool{}, openEsc: map[uint64]int{},
		staleBefore: StaleBefore(asOf, p.Settings.Health.StaleDays)}
	for i := range escs {
		if e := &escs[i]; e.Open() {
			s.openEsc[e.AccountID]++
			if e.Breached(now) {
				s.breached[e.AccountID] = true
			}
		}
	}
	return s
}

// score fills every computed field of a but Fold and NameLen from
// a.Account.
func (s *scorer) score(a *Account) {
	a.OwnerName = s.p.MemberName(a.OwnerID)
	a.Segment = a.EffectiveSegment(s.cfg)
	a.Live = a.Lifecycle != store.Churned
	in := a.HealthInputs(s.cfg)
	plan := s.p.plans.ofFrom(&s.planAt, a.ID)
	if s.cfg.Execution {
		in.OverdueTasks, in.PlanFirstDue = s.p.overdue[a.ID], plan.FirstDue
	}
	a.Health = s.cfg.Score(in, s.asOf).Verdict
	a.Prev, a.HasPrev = s.prevOf(a.ID)
	a.Trend = metrics.TrendOf(a.Health, a.Prev.Score, a.HasPrev && a.Prev.Score >= 0)
	a.Flags = metrics.FlagsFor(in, a.Health, a.Trend, s.asOf, s.breached[a.ID])
	if plan.AtRiskOn(s.asOf) {
		a.Flags |= metrics.FlagPlanAtRisk
	}
	a.DaysToRenewal = 0
	if !a.RenewalDate.IsZero() {
		a.DaysToRenewal = a.RenewalDate.Sub(s.asOf)
	}
	a.OpenEsc = s.openEsc[a.ID]
	// An instant against the day's cutoff, not a day per account: the
	// same answer as InputsAge > StaleDays, without a zone lookup each.
	upd := a.InputsUpdated()
	a.StaleInputs = !upd.IsZero() && upd.Before(s.staleBefore)
	f, set := s.p.forecasts[a.ID]
	a.Forecast, a.ExpectedARRCents = forecastFor(a.Health.Band, a.Flags, a.ARRCents, f, set)
	a.ForecastSet = set
}

// HealthOf scores a again with its components, from the inputs its
// verdict was scored from (the list keeps only the verdict).
func (p *Portfolio) HealthOf(a *Account) metrics.Health {
	cfg := p.Settings.Health
	in := a.HealthInputs(cfg)
	if cfg.Execution {
		in.OverdueTasks, in.PlanFirstDue = p.overdue[a.ID], p.plans.of(a.ID).FirstDue
	}
	return cfg.Score(in, p.AsOf)
}

// forecastFor is how a renewal is called: the owner's word f when set,
// else from the band and flags; and the ARR it is expected to renew at.
func forecastFor(band metrics.Band, flags metrics.Flags, arr int64, f store.Forecast, set bool) (metrics.ForecastCategory, int64) {
	cat, expected := metrics.DefaultForecast(band, flags), arr
	if set {
		cat = f.Category
	}
	switch {
	case set && f.ExpectedARRCents >= 0:
		expected = f.ExpectedARRCents
	case cat == metrics.ChurnExpected:
		expected = 0 // churn renews at nothing, unless its owner says what
	}
	return cat, expected
}

// Scorer computes one account's health, trend, risk flags and the other
// computed fields of Account exactly as Build does, for a reader that
// streams accounts one by one and must not hold the whole portfolio.
type Scorer struct {
	s *scorer
}

// ReadScorer reads, inside tx, what scoring needs besides the accounts
// themselves: settings, members, last week's scores and the escalations.
func ReadScorer(tx *store.Tx, asOf metrics.Date, now time.Time) (*Scorer, error) {
	p, escs, err := begin(tx, asOf, now)
	if err != nil {
		return nil, err
	}
	s := newScorer(p, nil, escs, asOf, now)
	if _, err := s.readPrev(tx); err != nil {
		return nil, err
	}
	return &Scorer{s}, nil
}

// readPrev reads the scores of the comparison week (the latest before
// asOf's) as a list in account order, a fifth of a map's size: a reader
// calls it before it reads the accounts. It returns the week, 0 when
// there is none.
func (s *scorer) readPrev(tx *store.Tx) (metrics.Week, error) {
	s.prevList = []prevScore{}
	w := tx.LatestWeekBefore(metrics.WeekOf(s.asOf))
	if w == 0 {
		return 0, nil
	}
	s.prevList = make([]prevScore, 0, tx.MaxAccounts())
	unknown := false
	err := tx.ForEachWeekScore(w, func(id uint64, ws store.WeekScore) error {
		b := slices.Index(metrics.Bands, ws.Band)
		if b < 0 {
			unknown = true // not a band this build knows: keep a map
		}
		s.prevList = append(s.prevList, prevScore{id: id, score: int32(ws.Score), band: uint8(max(b, 0))})
		return nil
	})
	if err != nil {
		return 0, err
	}
	if unknown {
		prev, err := tx.WeekScores(w)
		s.prev, s.prevList = prev, nil
		return w, err
	}
	return w, nil
}

// Score fills a's computed fields (all but Fold and NameLen) from
// a.Account.
func (s *Scorer) Score(a *Account) { s.s.score(a) }

// Member returns member id, or nil.
func (s *Scorer) Member(id uint64) *store.Member { return s.s.p.Member(id) }

// sortQueue puts the escalations in triage order (QueueLess is total, so
// any sort gives the same order).
func sortQueue(q []Escalation) {
	slices.SortFunc(q, func(a, b Escalation) int {
		switch {
		case QueueLess(&a, &b):
			return -1
		case QueueLess(&b, &a):
			return 1
		}
		return 0
	})
}

// QueueLess is the triage order of SPEC section 5: unresolved before
// resolved; then SLA breached first, then severity, then due time, then the
// account's ARR (largest first). Resolved ones follow, newest first.
func QueueLess(a, b *Escalation) bool {
	if a.Open() != b.Open() {
		return a.Open()
	}
	if !a.Open() {
		if !a.ResolvedAt.Equal(b.ResolvedAt) {
			return a.ResolvedAt.After(b.ResolvedAt)
		}
		return a.ID < b.ID // a total order: the queue never depends on how it was built
	}
	if a.Breached != b.Breached {
		return a.Breached
	}
	if ra, rb := store.SeverityRank(a.Severity), store.SeverityRank(b.Severity); ra != rb {
		return ra < rb
	}
	if !a.SLADue.Equal(b.SLADue) {
		// No SLA is no due time: it waits behind every real one.
		if a.SLADue.IsZero() || b.SLADue.IsZero() {
			return b.SLADue.IsZero()
		}
		return a.SLADue.Before(b.SLADue)
	}
	if a.AccountARR != b.AccountARR {
		return a.AccountARR > b.AccountARR
	}
	return a.ID < b.ID
}

// Folds prepares every account's Fold and NameLen, once: what a screen's
// filters and pickers match against. Apply keeps them up to date after.
func (p *Portfolio) Folds() {
	if p.folded {
		return
	}
	owners := make(map[uint64]string, len(p.Members)+1)
	for i := range p.Accounts {
		a := &p.Accounts[i]
		owner, ok := owners[a.OwnerID]
		if !ok {
			owner = FoldText(a.OwnerName)
			owners[a.OwnerID] = owner
		}
		a.setFold(owner)
	}
	p.folded = true
}

func (a *Account) setFold(owner string) {
	name := FoldText(a.Name)
	a.Fold, a.NameLen = name+" "+owner+" "+string(a.Segment), len(name)
}

// MemberName is the name of member id, or "" for 0 or an unknown ID.
func (p *Portfolio) MemberName(id uint64) string {
	if i, ok := p.memberIdx.get(id); ok && id != 0 {
		return p.Members[i].Name
	}
	return ""
}

// Member returns member id, or nil.
func (p *Portfolio) Member(id uint64) *store.Member {
	if i, ok := p.memberIdx.get(id); ok {
		return &p.Members[i]
	}
	return nil
}

// Account returns account id, or nil.
func (p *Portfolio) Account(id uint64) *Account {
	if i := p.AccountIndex(id); i >= 0 {
		return &p.Accounts[i]
	}
	return nil
}

// AccountIndex returns the index of account id in Accounts, or -1. (A
// portfolio that Apply brought up to date may share its index with this
// one; an account added there is not one of this one's.)
func (p *Portfolio) AccountIndex(id uint64) int {
	if i, ok := p.accountIdx.get(id); ok && i < len(p.Accounts) {
		return i
	}
	return -1
}

// indexMembers indexes members by ID.
func indexMembers(members []store.Member) idIndex {
	var maxID uint64
	for i := range members {
		maxID = max(maxID, members[i].ID)
	}
	x := newIDIndex(maxID, len(members))
	for i := range members {
		x.set(members[i].ID, i)
	}
	return x
}

// Due90 is the 90-day renewal bucket.
func (k KPIs) Due90() metrics.DueBucket {
	for _, b := range k.Due {
		if b.Days == 90 {
			return b
		}
	}
	return metrics.DueBucket{}
}

// NewEscalationDays is how far back "new" escalations reach in the review.
const NewEscalationDays = 7

func computeReview(p *Portfolio, prevWeek metrics.Week, thisWeekHas bool, asOf metrics.Date, now time.Time) Review {
	r := Review{ComparedWithWeek: prevWeek, CurrentWeekSnapped: thisWeekHas, Since: asOf.AddDays(-7)}
	if prevWeek != 0 {
		r.Since = prevWeek.Monday()
	}
	// One pass over the rows for every section: the rows are most of the
	// portfolio's memory, and a pass per section read them all again.
	secs := p.reviewSections(&r)
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if !a.Live {
			continue
		}
		for _, sec := range secs {
			if sec.holds(a) {
				*sec.list = append(*sec.list, i)
			}
		}
	}
	for _, sec := range secs {
		slices.SortFunc(*sec.list, sec.cmp)
	}
	r.StaleARRCents = p.sumARR(r.Stale)
	r.NewEsc, r.BreachedEsc, r.DueSoon = reviewEscalations(p.Escalations, now)
	r.OverdueTasks = p.overdueTasks()
	day := baselineDay(r.Since)
	p.base, r.Moves = baselinePass(p.Accounts, day, asOf)
	r.Then = p.base.then(day, p.Escalations)
	return r
}

// reviewSection is one account section of the review: which live accounts
// it holds and in what order.
type reviewSection struct {
	list  *[]int
	holds func(a *Account) bool
	cmp   func(x, y int) int // on indexes into Accounts: a total order
}

// reviewSections are r's account sections. Every section leads with the
// money at stake (README, "The dashboard"): the largest ARR first; then
// the worst fall, the soonest renewal, the longest untouched, the oldest
// inputs; the index
// breaks the last tie, so the order is total (a fast sort, and a changed
// account finds its place by binary search).
func (p *Portfolio) reviewSections(r *Review) []reviewSection {
	cfg, asOf := p.Settings.Health, p.AsOf
	byARR := func(then func(a, b *Account) int) func(x, y int) int {
		return func(x, y int) int {
			a, b := &p.Accounts[x], &p.Accounts[y]
			if a.ARRCents != b.ARRCents {
				return cmp.Compare(b.ARRCents, a.ARRCents)
			}
			if c := then(a, b); c != 0 {
				return c
			}
			return cmp.Compare(x, y)
		}
	}
	return []reviewSection{
		{&r.Worsened, func(a *Account) bool {
			return a.HasPrev && (a.Health.Band.Worse(a.Prev.Band) || (a.Trend.OK && a.Trend.Delta <= metrics.DroppingDelta))
		}, byARR(func(a, b *Account) int { return cmp.Compare(a.Trend.Delta, b.Trend.Delta) })},
		{&r.Improved, func(a *Account) bool {
			return a.HasPrev && (a.Prev.Band.Worse(a.Health.Band) || (a.Trend.OK && a.Trend.Delta >= -metrics.DroppingDelta))
		}, byARR(func(a, b *Account) int { return cmp.Compare(b.Trend.Delta, a.Trend.Delta) })},
		{&r.EnteredRenewal, func(a *Account) bool {
			return !a.RenewalDate.IsZero() && a.DaysToRenewal >= 0 && a.DaysToRenewal <= 90 && a.DaysToRenewal > 90-7
		}, byARR(func(a, b *Account) int { return cmp.Compare(a.DaysToRenewal, b.DaysToRenewal) })},
		{&r.Untouched, func(a *Account) bool {
			return a.LastTouch.IsZero() || asOf.Sub(a.LastTouch) > cfg.Cadence.For(a.Segment)
		}, byARR(func(a, b *Account) int { return cmp.Compare(a.LastTouch, b.LastTouch) })},
		{&r.Stale, func(a *Account) bool { return a.StaleInputs },
			byARR(func(a, b *Account) int { return a.InputsUpdated().Compare(b.InputsUpdated()) })},
	}
}

// sumARR is the ARR of the accounts at indexes list.
func (p *Portfolio) sumARR(list []int) int64 {
	var sum int64
	for _, i := range list {
		sum += p.Accounts[i].ARRCents
	}
	return sum
}

// updateReview moves the changed accounts in or out of the review's
// sections, in place of a rebuild: each section loses them and takes back
// those it still holds, by binary search. The lists are new slices: a
// screen may still read the old review.
func (p *Portfolio) updateReview(changed []int, thisWeekHas bool, now time.Time) {
	r := p.Review
	r.CurrentWeekSnapped = thisWeekHas
	gone := make(map[int]bool, len(changed))
	for _, i := range changed {
		gone[i] = true
	}
	for _, sec := range p.reviewSections(&r) {
		list := make([]int, 0, len(*sec.list)+len(changed))
		for _, i := range *sec.list {
			if !gone[i] {
				list = append(list, i)
			}
		}
		for _, i := range changed {
			if a := &p.Accounts[i]; a.Live && sec.holds(a) {
				at, _ := slices.BinarySearchFunc(list, i, sec.cmp)
				list = slices.Insert(list, at, i)
			}
		}
		*sec.list = list
	}
	r.StaleARRCents = p.sumARR(r.Stale)
	r.NewEsc, r.BreachedEsc, r.DueSoon = reviewEscalations(p.Escalations, now)
	if p.tasksChanged {
		r.OverdueTasks = p.overdueTasks()
	}
	// The moves of the changed accounts are made again; their baseline
	// sums were taken out and put back by Apply (baselineAccount).
	day := baselineDay(r.Since)
	moves := make([]Move, 0, len(r.Moves)+len(changed))
	for _, mv := range r.Moves {
		if !gone[mv.Account] {
			moves = append(moves, mv)
		}
	}
	for _, i := range changed {
		moves = movesOf(moves, i, &p.Accounts[i], day, p.AsOf)
	}
	sortMoves(moves)
	r.Moves = moves
	r.Then = p.base.then(day, p.Escalations)
	p.Review = r
}

// baselineAccount takes a's figures at the baseline day out of the
// review's "then" (sign -1) or puts them in (1), around a change.
func (p *Portfolio) baselineAccount(a *Account, sign int) {
	p.base.add(a, baselineDay(p.Review.Since), sign)
}

// memberKeys is every member's SSH keys, by member.
func memberKeys(tx *store.Tx) (map[uint64][]store.MemberKey, error) {
	keys, err := tx.MemberKeys(0)
	if err != nil {
		return nil, err
	}
	out := map[uint64][]store.MemberKey{}
	for _, k := range keys {
		out[k.MemberID] = append(out[k.MemberID], k)
	}
	return out, nil
}
