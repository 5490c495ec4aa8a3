package store

import (
	"fmt"
	"time"

	"steward/metrics"
)

// Role is a member's role on the team.
type Role string

const (
	RoleManager        Role = "manager"
	RoleSeniorAM       Role = "senior_am"
	RoleAccountManager Role = "account_manager"
	RoleCoordinator    Role = "coordinator"
)

// Roles lists the roles, most senior first.
var Roles = []Role{RoleManager, RoleSeniorAM, RoleAccountManager, RoleCoordinator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// DefaultCapacity is the number of accounts a member of role r is expected
// to carry when no capacity is set (SPEC leaves the numbers to us; see README).
func (r Role) DefaultCapacity() int {
	switch r {
	case RoleManager:
		return 10
	case RoleSeniorAM:
		return 35
	case RoleAccountManager:
		return 30
	default:
		return 15
	}
}

// Member is one person on the roster.
type Member struct {
	ID           uint64       `json:"id"`
	Name         string       `json:"name"`
	Email        string       `json:"email"`
	Role         Role         `json:"role"`
	Capacity     int          `json:"capacity"` // max accounts
	LastOneOnOne metrics.Date `json:"last_one_on_one"`
	// NextOneOnOne is the next 1:1 planned when the last was logged
	// (zero: none planned).
	NextOneOnOne metrics.Date `json:"next_one_on_one,omitempty"`
	Active       bool         `json:"active"`
}

// Lifecycle is where an account is in its life with us.
type Lifecycle string

const (
	Onboarding Lifecycle = "onboarding"
	Active     Lifecycle = "active"
	Churned    Lifecycle = "churned"
)

// Valid reports whether l is a known lifecycle.
func (l Lifecycle) Valid() bool { return l == Onboarding || l == Active || l == Churned }

// Account is one client account. Money is integer cents.
type Account struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	ExternalID string `json:"external_id"` // the CRM's ID; unique when set
	OwnerID    uint64 `json:"owner_id"`    // 0: unassigned
	// Segment is set explicitly or empty, in which case it is derived from
	// ARR with the configured boundaries (see EffectiveSegment).
	Segment         metrics.Segment   `json:"segment"`
	Lifecycle       Lifecycle         `json:"lifecycle"`
	ARRCents        int64             `json:"arr_cents"`
	ContractStart   metrics.Date      `json:"contract_start"`
	RenewalDate     metrics.Date      `json:"renewal_date"`
	Seats           int               `json:"seats"`
	ActiveUsers     metrics.Opt       `json:"active_users"`
	Tickets30d      metrics.Opt       `json:"tickets_30d"`
	OpenCritical    int               `json:"open_critical"`
	ChampionName    string            `json:"champion_name"`
	ChampionEmail   string            `json:"champion_email"`
	ChampionChanged bool              `json:"champion_changed"`
	LastTouch       metrics.Date      `json:"last_touch"`
	LastQBR         metrics.Date      `json:"last_qbr"`
	NPS             metrics.Opt       `json:"nps"`
	CSAT            metrics.Opt       `json:"csat"`
	PipelineCents   int64             `json:"expansion_pipeline_cents"`
	PipelineStage   string            `json:"expansion_pipeline_stage"`
	SuccessPlan     string            `json:"success_plan"`
	Plan            string            `json:"plan"` // the plan or tier the CRM names ("Enterprise"): text, not a segment
	Override        *metrics.Override `json:"override,omitempty"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	// InputsAt is when the health inputs (the fields HealthInputs reads,
	// the override aside: that is an opinion, not data) were last
	// updated by an import or an edit; zero on an account written before
	// steward kept it (see InputsUpdated).
	InputsAt time.Time `json:"inputs_at"`
}

// InputsUpdated is when a's health inputs were last updated: InputsAt,
// or for an account written before steward kept it, UpdatedAt (its last
// write of any kind, never earlier than the last update of its inputs, so
// such an account is never wrongly called stale), else CreatedAt. Zero
// means unknown, which is never stale either (README, "Money at risk, and
// what changed": data freshness).
func (a *Account) InputsUpdated() time.Time {
	switch {
	case !a.InputsAt.IsZero():
		return a.InputsAt
	case !a.UpdatedAt.IsZero():
		return a.UpdatedAt
	}
	return a.CreatedAt
}

// SameHealthInputs reports whether a and b hold the same health inputs:
// the fields HealthInputs reads, but the override. An edit or an import
// that changes any of them moves InputsAt.
func SameHealthInputs(a, b *Account) bool {
	return a.Segment == b.Segment && a.Seats == b.Seats && a.ActiveUsers == b.ActiveUsers &&
		a.Tickets30d == b.Tickets30d && a.OpenCritical == b.OpenCritical && a.LastTouch == b.LastTouch &&
		a.LastQBR == b.LastQBR && a.ContractStart == b.ContractStart && a.NPS == b.NPS && a.CSAT == b.CSAT &&
		a.ChampionChanged == b.ChampionChanged && a.RenewalDate == b.RenewalDate
}

// EffectiveSegment is the explicit segment, or the one ARR implies.
func (a *Account) EffectiveSegment(cfg metrics.Config) metrics.Segment {
	if a.Segment.Valid() {
		return a.Segment
	}
	return cfg.SegmentFor(a.ARRCents)
}

// HealthInputs is what the health formulas read of a.
func (a *Account) HealthInputs(cfg metrics.Config) metrics.Inputs {
	return metrics.Inputs{
		Segment:         a.EffectiveSegment(cfg),
		Seats:           a.Seats,
		ActiveUsers:     a.ActiveUsers,
		Tickets30d:      a.Tickets30d,
		OpenCritical:    a.OpenCritical,
		LastTouch:       a.LastTouch,
		LastQBR:         a.LastQBR,
		ContractStart:   a.ContractStart,
		NPS:             a.NPS,
		CSAT:            a.CSAT,
		Override:        a.Override,
		ChampionChanged: a.ChampionChanged,
		RenewalDate:     a.RenewalDate,
	}
}

// LedgerEntry is one dated ARR change of one account: from Date on, the
// account's ARR is ARRCents.
type LedgerEntry struct {
	AccountID uint64             `json:"account_id"`
	Seq       uint64             `json:"seq"` // store-assigned, orders entries of one day
	Date      metrics.Date       `json:"date"`
	ARRCents  int64              `json:"arr_cents"`
	Kind      metrics.LedgerKind `json:"kind"`
	Author    string             `json:"author"`
	Note      string             `json:"note"`
}

// Snapshot is one account's health in one ISO week.
type Snapshot struct {
	AccountID  uint64                      `json:"account_id"`
	Week       metrics.Week                `json:"week"`
	Score      int                         `json:"score"` // -1: unknown
	Band       metrics.Band                `json:"band"`
	Components [metrics.NumComponents]int8 `json:"components"` // -1: no data
	ARRCents   int64                       `json:"arr_cents"`
}

// WeekScore is the part of a snapshot the review and trends need, kept in
// the by-week index so one week's scores are one range scan.
type WeekScore struct {
	Score int // -1: unknown
	Band  metrics.Band
}

// Activity kinds.
const (
	ActCall    = "call"
	ActEmail   = "email"
	ActMeeting = "meeting"
	ActQBR     = "qbr"
	ActNote    = "note"
)

// ActivityKinds lists the kinds of activity a person can log.
var ActivityKinds = []string{ActCall, ActEmail, ActMeeting, ActQBR, ActNote}

// Activity is one entry of an account's append-only log.
type Activity struct {
	ID        uint64    `json:"id"`
	AccountID uint64    `json:"account_id"`
	At        time.Time `json:"at"`
	Author    string    `json:"author"`
	Session   string    `json:"session,omitempty"` // SSH key fingerprint of the author's session
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
}

// Escalation severities, statuses and decisions.
const (
	SevCritical = "critical"
	SevHigh     = "high"
	SevMedium   = "medium"
	SevLow      = "low"

	StatusOpen          = "open"
	StatusInProgress    = "in_progress"
	StatusWaitingClient = "waiting_client"
	StatusWithDirector  = "with_director"
	StatusResolved      = "resolved"

	DecisionCoach    = "coach"
	DecisionManager  = "manager"
	DecisionDirector = "director"
)

// Severities lists severities, most severe first.
var Severities = []string{SevCritical, SevHigh, SevMedium, SevLow}

// Statuses lists the statuses in workflow order.
var Statuses = []string{StatusOpen, StatusInProgress, StatusWaitingClient, StatusWithDirector, StatusResolved}

// Decisions lists the triage decisions.
var Decisions = []string{DecisionCoach, DecisionManager, DecisionDirector}

// SeverityRank orders severities: critical 0 .. low 3, unknown 4.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return len(Severities)
}

// Escalation is one client escalation. Its timeline lives in its own
// append-only bucket (see Tx.Timeline).
type Escalation struct {
	ID          uint64    `json:"id"`
	AccountID   uint64    `json:"account_id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Severity    string    `json:"severity"`
	Status      string    `json:"status"`
	RaisedBy    uint64    `json:"raised_by"` // member ID, 0 when unknown
	OwnerID     uint64    `json:"owner_id"`  // member ID, 0 when unassigned
	Decision    string    `json:"decision"`  // "" until triaged
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ResolvedAt  time.Time `json:"resolved_at"` // zero while unresolved
	SLADue      time.Time `json:"sla_due"`
}

// Open reports whether e is unresolved.
func (e *Escalation) Open() bool { return e.Status != StatusResolved }

// Breached reports whether e is unresolved and past its SLA at now.
func (e *Escalation) Breached(now time.Time) bool {
	return e.Open() && !e.SLADue.IsZero() && now.After(e.SLADue)
}

// Event is one entry of an escalation's timeline.
type Event struct {
	EscalationID uint64    `json:"escalation_id"`
	Seq          uint64    `json:"seq"`
	At           time.Time `json:"at"`
	Author       string    `json:"author"`
	Session      string    `json:"session,omitempty"` // SSH key fingerprint of the author's session
	Kind         string    `json:"kind"`              // created, assigned, status, severity, decision, note, resolved, reopened
	Text         string    `json:"text"`
}

// Settings are the database-wide settings.
type Settings struct {
	Currency string         `json:"currency"` // ISO 4217, default USD
	Health   metrics.Config `json:"health"`
	// Targets are leadership's targets the report sets the KPIs beside
	// (README, "The leadership report"); unset by default.
	Targets Targets `json:"targets"`
}

// Targets are KPI targets as fractions (1.05 is 105%); nil is unset.
type Targets struct {
	NRR         *float64 `json:"nrr,omitempty"`
	GRR         *float64 `json:"grr,omitempty"`
	RenewalRate *float64 `json:"renewal_rate,omitempty"`
}

// MaxTarget is the largest target a setting takes (1000%).
const MaxTarget = 10.0

// Validate refuses a target that is not a share a KPI can reach.
func (t Targets) Validate() error {
	for _, x := range []struct {
		key string
		v   *float64
	}{{"targets.nrr", t.NRR}, {"targets.grr", t.GRR}, {"targets.renewal_rate", t.RenewalRate}} {
		if x.v != nil && !(*x.v > 0 && *x.v <= MaxTarget) {
			return fmt.Errorf("%s: %v is not a percentage between 0 and %d%%", x.key, *x.v*100, int(MaxTarget*100))
		}
	}
	return nil
}

// DefaultSettings are the settings of a new database.
func DefaultSettings() Settings {
	return Settings{Currency: "USD", Health: metrics.DefaultConfig()}
}
