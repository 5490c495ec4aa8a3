package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"steward/metrics"
)

// The actions below are the changes a person makes from the dashboard or
// the command line. Each runs inside the caller's transaction, validates
// before it writes, and leaves its audit entry (an escalation timeline event
// or an account activity) in the same transaction, so a change and its
// explanation commit together or not at all.

// Actor is the member recorded as the author of a change. Session, when
// set, is the SHA256 fingerprint of the SSH key the change came through
// (steward serve); every audit entry the change writes records it.
type Actor struct {
	ID      uint64
	Name    string
	Session string
}

// MemberActor is the actor of a signed-in member: the active member with
// that ID. A member deactivated or removed since signing in acts no more.
func MemberActor(members []Member, id uint64, session string) (Actor, error) {
	for _, m := range members {
		if m.ID == id {
			if !m.Active {
				return Actor{Name: m.Name}, fmt.Errorf("%s is no longer an active member: changes are disabled", Quote(m.Name))
			}
			return Actor{ID: m.ID, Name: m.Name, Session: session}, nil
		}
	}
	return Actor{Name: "unknown"}, errors.New("your member record was removed from the roster: changes are disabled")
}

// FindActor picks the acting member: the active member whose name or email
// matches who (case-insensitive), or, when who is empty, the first active
// manager. It says which names exist when nothing matches.
func FindActor(members []Member, who string) (Actor, error) {
	who = strings.TrimSpace(who)
	if who == "" {
		for _, m := range members {
			if m.Active && m.Role == RoleManager {
				return Actor{ID: m.ID, Name: m.Name}, nil
			}
		}
		return Actor{Name: "unknown"}, errors.New("no active manager on the roster: pass --as NAME_OR_EMAIL")
	}
	for _, m := range members {
		if m.Active && (strings.EqualFold(m.Name, who) || strings.EqualFold(m.Email, who)) {
			return Actor{ID: m.ID, Name: m.Name}, nil
		}
	}
	var names []string
	for _, m := range members {
		if m.Active {
			names = append(names, m.Name)
		}
	}
	return Actor{}, fmt.Errorf("--as %s matches no active member (try one of: %s)", Quote(who), strings.Join(names, ", "))
}

// SLADue is the SLA due instant of an escalation of severity sev raised at
// created.
func SLADue(cfg metrics.Config, sev string, created time.Time) time.Time {
	return created.Add(time.Duration(cfg.SLA.For(sev)) * time.Hour)
}

func validSeverity(s string) bool { return SeverityRank(s) < len(Severities) }

func oneOf(v string, list []string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

// NewEscalation is what the create form collects.
type NewEscalation struct {
	AccountID   uint64
	Title       string
	Description string
	Severity    string
	OwnerID     uint64 // 0: unassigned
}

// CreateEscalation opens an escalation with its SLA computed from the
// severity and a "created" timeline event.
func (t *Tx) CreateEscalation(n NewEscalation, by Actor, now time.Time) (Escalation, error) {
	if err := t.allow(by, DoRaise, n.AccountID, 0); err != nil {
		return Escalation{}, err
	}
	if n.OwnerID != 0 && n.OwnerID != by.ID {
		// Raising it for someone else assigns it: a triage decision.
		if err := t.allow(by, DoTriage, n.AccountID, 0); err != nil {
			return Escalation{}, err
		}
	}
	if strings.TrimSpace(n.Title) == "" {
		return Escalation{}, errors.New("title is required")
	}
	if !validSeverity(n.Severity) {
		return Escalation{}, fmt.Errorf("severity %s is not one of %s", Quote(n.Severity), strings.Join(Severities, ", "))
	}
	set, err := t.Settings()
	if err != nil {
		return Escalation{}, err
	}
	if _, err := t.memberName(n.OwnerID); err != nil {
		return Escalation{}, err
	}
	now = now.UTC()
	e := Escalation{
		AccountID: n.AccountID, Title: strings.TrimSpace(n.Title), Description: strings.TrimSpace(n.Description),
		Severity: n.Severity, Status: StatusOpen, RaisedBy: by.ID, OwnerID: n.OwnerID,
		CreatedAt: now, UpdatedAt: now, SLADue: SLADue(set.Health, n.Severity, now),
	}
	if err := t.PutEscalation(&e); err != nil {
		return Escalation{}, err
	}
	text := fmt.Sprintf("raised %s: %s", e.Severity, e.Title)
	return e, t.AppendEvent(&Event{EscalationID: e.ID, At: now, Author: by.Name, Session: by.Session, Kind: "created", Text: text})
}

// changeEscalation loads an escalation, lets mutate change it, stores it
// and appends the event mutate describes. mutate returns the event kind and
// text, or an error that leaves everything untouched.
func (t *Tx) changeEscalation(id uint64, do Action, by Actor, now time.Time, mutate func(e *Escalation) (kind, text string, err error)) (Escalation, error) {
	e, err := t.Escalation(id)
	if err != nil {
		return e, err
	}
	if err := t.allow(by, do, e.AccountID, id); err != nil {
		return e, err
	}
	kind, text, err := mutate(&e)
	if err != nil {
		return e, err
	}
	now = now.UTC()
	e.UpdatedAt = now
	if err := t.PutEscalation(&e); err != nil {
		return e, err
	}
	return e, t.AppendEvent(&Event{EscalationID: id, At: now, Author: by.Name, Session: by.Session, Kind: kind, Text: text})
}

func (t *Tx) memberName(id uint64) (string, error) {
	if id == 0 {
		return "nobody", nil
	}
	m, err := t.Member(id)
	if err != nil {
		return "", err
	}
	if !m.Active {
		return "", fmt.Errorf("%s is no longer active", m.Name)
	}
	return m.Name, nil
}

// AssignEscalation gives an escalation to a member (0: unassign).
func (t *Tx) AssignEscalation(id, owner uint64, by Actor, now time.Time) (Escalation, error) {
	return t.changeEscalation(id, DoTriage, by, now, func(e *Escalation) (string, string, error) {
		name, err := t.memberName(owner)
		if err != nil {
			return "", "", err
		}
		if e.OwnerID == owner {
			return "", "", fmt.Errorf("already assigned to %s", name)
		}
		e.OwnerID = owner
		return "assigned", "assigned to " + name, nil
	})
}

// SetSeverity changes the severity and recomputes the SLA due time from the
// creation time.
func (t *Tx) SetSeverity(id uint64, sev string, by Actor, now time.Time) (Escalation, error) {
	set, err := t.Settings()
	if err != nil {
		return Escalation{}, err
	}
	return t.changeEscalation(id, DoTriage, by, now, func(e *Escalation) (string, string, error) {
		if !validSeverity(sev) {
			return "", "", fmt.Errorf("severity %s is not one of %s", Quote(sev), strings.Join(Severities, ", "))
		}
		if e.Severity == sev {
			return "", "", fmt.Errorf("severity is already %s", sev)
		}
		old := e.Severity
		e.Severity = sev
		e.SLADue = SLADue(set.Health, sev, e.CreatedAt)
		return "severity", fmt.Sprintf("severity %s → %s; SLA due %s", old, sev, e.SLADue.Format("2006-01-02 15:04 MST")), nil
	})
}

// OpenStatuses are the statuses a person can set with the status key;
// resolving has its own action because it needs a resolution note.
var OpenStatuses = []string{StatusOpen, StatusInProgress, StatusWaitingClient, StatusWithDirector}

// SetStatus moves an unresolved escalation between the open statuses.
func (t *Tx) SetStatus(id uint64, status string, by Actor, now time.Time) (Escalation, error) {
	do := DoStatus
	if status == StatusWithDirector {
		do = DoTriage // sending to the director is a triage decision
	}
	return t.changeEscalation(id, do, by, now, func(e *Escalation) (string, string, error) {
		if !oneOf(status, OpenStatuses) {
			return "", "", fmt.Errorf("status %s is not one of %s (resolve with its own action)", Quote(status), strings.Join(OpenStatuses, ", "))
		}
		if !e.Open() {
			return "", "", errors.New("the escalation is resolved: reopen it first")
		}
		if e.Status == status {
			return "", "", fmt.Errorf("status is already %s", status)
		}
		old := e.Status
		e.Status = status
		return "status", fmt.Sprintf("status %s → %s", old, status), nil
	})
}

// DecisionText says what a triage decision means, for the timeline.
var DecisionText = map[string]string{
	DecisionCoach:    "coach the account manager",
	DecisionManager:  "manager takes it",
	DecisionDirector: "send to the director",
}

// Decide records the triage decision and does what it says: "manager
// takes it" makes the acting manager the owner and sets the status in
// progress; "send to the director" sets the status with director.
func (t *Tx) Decide(id uint64, decision string, by Actor, now time.Time) (Escalation, error) {
	return t.changeEscalation(id, DoTriage, by, now, func(e *Escalation) (string, string, error) {
		if !oneOf(decision, Decisions) {
			return "", "", fmt.Errorf("decision %s is not one of %s", Quote(decision), strings.Join(Decisions, ", "))
		}
		if !e.Open() {
			return "", "", errors.New("the escalation is resolved: reopen it first")
		}
		e.Decision = decision
		text := "decision: " + DecisionText[decision]
		status := ""
		switch decision {
		case DecisionDirector:
			status = StatusWithDirector
		case DecisionManager:
			if _, err := t.memberName(by.ID); err != nil || by.ID == 0 {
				return "", "", errors.New("the manager who takes it must be an active member: pass --as")
			}
			if e.OwnerID != by.ID {
				old, err := t.ownerName(e.OwnerID)
				if err != nil {
					return "", "", err
				}
				text += fmt.Sprintf("; owner %s → %s", old, by.Name)
				e.OwnerID = by.ID
			}
			status = StatusInProgress
		}
		if status != "" && e.Status != status {
			text += fmt.Sprintf("; status %s → %s", e.Status, status)
			e.Status = status
		}
		return "decision", text, nil
	})
}

// ownerName names a current owner for the timeline, inactive ones included.
func (t *Tx) ownerName(id uint64) (string, error) {
	if id == 0 {
		return "nobody", nil
	}
	m, err := t.Member(id)
	if errors.Is(err, ErrNotFound) {
		return fmt.Sprintf("member %d", id), nil
	}
	return m.Name, err
}

// MoveOpenEscalations assigns every unresolved escalation of an account to
// owner (0: unassign), each with its own timeline event; it returns how
// many moved. One use: a reassigned account takes its open work along.
func (t *Tx) MoveOpenEscalations(accountID, owner uint64, by Actor, now time.Time) (int, error) {
	moved := 0
	for _, id := range t.EscalationIDsByAccount(accountID) {
		e, err := t.Escalation(id)
		if err != nil {
			return moved, err
		}
		if !e.Open() || e.OwnerID == owner {
			continue
		}
		if _, err := t.AssignEscalation(id, owner, by, now); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// AddNote appends a note to the timeline.
func (t *Tx) AddNote(id uint64, text string, by Actor, now time.Time) (Escalation, error) {
	return t.changeEscalation(id, DoNote, by, now, func(e *Escalation) (string, string, error) {
		if strings.TrimSpace(text) == "" {
			return "", "", errors.New("the note is empty")
		}
		return "note", strings.TrimSpace(text), nil
	})
}

// Resolve closes an escalation with a required resolution note.
func (t *Tx) Resolve(id uint64, note string, by Actor, now time.Time) (Escalation, error) {
	return t.changeEscalation(id, DoResolve, by, now, func(e *Escalation) (string, string, error) {
		if strings.TrimSpace(note) == "" {
			return "", "", errors.New("a resolution note is required")
		}
		if !e.Open() {
			return "", "", errors.New("the escalation is already resolved")
		}
		e.Status = StatusResolved
		e.ResolvedAt = now.UTC()
		return "resolved", strings.TrimSpace(note), nil
	})
}

// Reopen puts a resolved escalation back in the queue with a reason.
func (t *Tx) Reopen(id uint64, reason string, by Actor, now time.Time) (Escalation, error) {
	return t.changeEscalation(id, DoStatus, by, now, func(e *Escalation) (string, string, error) {
		if strings.TrimSpace(reason) == "" {
			return "", "", errors.New("a reason is required")
		}
		if e.Open() {
			return "", "", errors.New("the escalation is not resolved")
		}
		e.Status = StatusOpen
		e.ResolvedAt = time.Time{}
		return "reopened", strings.TrimSpace(reason), nil
	})
}

// LogActivity logs a call, email, meeting, QBR or note on an account.
func (t *Tx) LogActivity(accountID uint64, kind, text string, by Actor, now time.Time) (Activity, error) {
	if err := t.allow(by, DoLogActivity, accountID, 0); err != nil {
		return Activity{}, err
	}
	if !oneOf(kind, ActivityKinds) {
		return Activity{}, fmt.Errorf("activity kind %s is not one of %s", Quote(kind), strings.Join(ActivityKinds, ", "))
	}
	if strings.TrimSpace(text) == "" {
		return Activity{}, errors.New("the activity text is empty")
	}
	a := Activity{AccountID: accountID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: kind, Text: strings.TrimSpace(text)}
	return a, t.AppendActivity(&a)
}

// SetOverride sets a manual band with a reason and an expiry date, logged
// as an activity.
func (t *Tx) SetOverride(accountID uint64, band metrics.Band, reason string, expires metrics.Date, by Actor, now time.Time) (Account, error) {
	a, err := t.Account(accountID)
	if err != nil {
		return a, err
	}
	if err := t.allow(by, DoOverride, accountID, 0); err != nil {
		return a, err
	}
	if band != metrics.Green && band != metrics.Yellow && band != metrics.Red {
		return a, fmt.Errorf("band %s: choose green, yellow or red", Quote(string(band)))
	}
	if strings.TrimSpace(reason) == "" {
		return a, errors.New("a reason is required for an override")
	}
	today := metrics.DateOf(now.Local())
	if expires.IsZero() || expires < today {
		return a, fmt.Errorf("expiry %s is in the past: choose today or later", expires)
	}
	a.Override = &metrics.Override{Band: band, Reason: strings.TrimSpace(reason), Author: by.Name, Expires: expires}
	a.UpdatedAt = now.UTC()
	if err := t.PutAccount(&a); err != nil {
		return a, err
	}
	text := fmt.Sprintf("health overridden to %s until %s: %s", band, expires, a.Override.Reason)
	if err := t.AppendActivity(&Activity{AccountID: accountID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "override", Text: text}); err != nil {
		return a, err
	}
	// An override is the band everyone sees: a band trigger reads it.
	_, err = t.EvaluatePlaybooks(&a, Evaluation{Today: today, By: by, Now: now})
	return a, err
}

// ClearOverride removes a manual band, logged as an activity.
func (t *Tx) ClearOverride(accountID uint64, by Actor, now time.Time) (Account, error) {
	a, err := t.Account(accountID)
	if err != nil {
		return a, err
	}
	if err := t.allow(by, DoOverride, accountID, 0); err != nil {
		return a, err
	}
	if a.Override == nil {
		return a, errors.New("the account has no override")
	}
	old := a.Override
	a.Override = nil
	a.UpdatedAt = now.UTC()
	if err := t.PutAccount(&a); err != nil {
		return a, err
	}
	text := fmt.Sprintf("override to %s cleared (was: %s)", old.Band, old.Reason)
	if err := t.AppendActivity(&Activity{AccountID: accountID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "override", Text: text}); err != nil {
		return a, err
	}
	_, err = t.EvaluatePlaybooks(&a, Evaluation{Today: metrics.DateOf(now.Local()), By: by, Now: now})
	return a, err
}

// ReassignAccount moves an account to another member (0: unassigned).
func (t *Tx) ReassignAccount(accountID, owner uint64, by Actor, now time.Time) (Account, error) {
	a, err := t.Account(accountID)
	if err != nil {
		return a, err
	}
	if err := t.allow(by, DoReassign, accountID, 0); err != nil {
		return a, err
	}
	name, err := t.memberName(owner)
	if err != nil {
		return a, err
	}
	if a.OwnerID == owner {
		return a, fmt.Errorf("already owned by %s", name)
	}
	from, _ := t.memberName(a.OwnerID)
	if from == "" {
		from = "an inactive member"
	}
	a.OwnerID = owner
	a.UpdatedAt = now.UTC()
	if err := t.PutAccount(&a); err != nil {
		return a, err
	}
	return a, t.AppendActivity(&Activity{AccountID: accountID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "edit",
		Text: fmt.Sprintf("owner %s → %s", from, name)})
}

// LedgerKindFor is the ledger kind an ARR change implies, and whether the
// change is ambiguous (an increase can be an expansion or a renewal at a
// higher price; the form asks).
func LedgerKindFor(oldARR, newARR int64) (metrics.LedgerKind, bool) {
	switch {
	case newARR == 0:
		return metrics.KindChurn, false
	case oldARR == 0:
		return metrics.KindNew, false
	case newARR > oldARR:
		return metrics.KindExpansion, true
	case newARR < oldARR:
		return metrics.KindContraction, true
	}
	return metrics.KindRenewal, true
}

// EditAccount stores the edited account. When ARR changed it appends a
// ledger entry of kind (or the implied one when kind is empty), and a
// change to 0 churns the account. When a health input changed, the
// inputs are dated now (InputsAt). The change is logged as an activity
// listing what changed.
func (t *Tx) EditAccount(edited Account, kind metrics.LedgerKind, by Actor, now time.Time) (Account, error) {
	old, err := t.Account(edited.ID)
	if err != nil {
		return old, err
	}
	if err := t.allow(by, DoEditAccount, edited.ID, 0); err != nil {
		return old, err
	}
	// Owner and override have their own actions with their own audit text.
	if edited.OwnerID != old.OwnerID || !sameOverride(edited.Override, old.Override) {
		return old, errors.New("change the owner or the override with their own actions")
	}
	changes := describeChanges(&old, &edited)
	if len(changes) == 0 {
		return old, errors.New("nothing changed")
	}
	if err := t.validateAccount(&edited); err != nil {
		return old, err
	}
	// A churn is an ARR event: the KPIs read the ledger, so an account
	// marked churned while it still has ARR would count as retained there
	// and as lost everywhere else.
	if edited.Lifecycle == Churned && old.Lifecycle != Churned && edited.ARRCents > 0 {
		return old, errors.New("to churn an account set its ARR to 0: the ledger then records the churn")
	}
	edited.UpdatedAt = now.UTC()
	// InputsAt is steward's to keep, not a field to edit: it moves when a
	// health input changes (README, "Money at risk, and what changed":
	// data freshness), and an edit of anything else leaves it.
	edited.InputsAt = old.InputsAt
	if !SameHealthInputs(&old, &edited) {
		edited.InputsAt = now.UTC()
	}
	if edited.ARRCents != old.ARRCents {
		if kind == "" {
			kind, _ = LedgerKindFor(old.ARRCents, edited.ARRCents)
		}
		if !kind.Valid() {
			return old, fmt.Errorf("ledger kind %s is not one of %v", Quote(string(kind)), metrics.LedgerKinds)
		}
		if kind == metrics.KindChurn && edited.ARRCents != 0 {
			return old, errors.New("a churn sets ARR to 0")
		}
		if edited.ARRCents == 0 {
			edited.Lifecycle = Churned
		}
		if err := t.AppendLedger(&LedgerEntry{AccountID: edited.ID, Date: metrics.DateOf(now.Local()), ARRCents: edited.ARRCents,
			Kind: kind, Author: by.Name, Note: "edited in steward"}); err != nil {
			return old, err
		}
	}
	if err := t.PutAccount(&edited); err != nil {
		return old, err
	}
	if err := t.AppendActivity(&Activity{AccountID: edited.ID, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "edit",
		Text: "edited " + strings.Join(changes, "; ")}); err != nil {
		return old, err
	}
	// The playbooks this edit starts fire in its transaction (README,
	// "Playbooks").
	_, err = t.EvaluatePlaybooks(&edited, Evaluation{Today: metrics.DateOf(now.Local()), By: by, Now: now})
	return edited, err
}

func describeChanges(a, b *Account) []string {
	var out []string
	add := func(name, x, y string) {
		if x != y {
			out = append(out, fmt.Sprintf("%s %s → %s", name, orNone(x), orNone(y)))
		}
	}
	add("name", a.Name, b.Name)
	add("external ID", a.ExternalID, b.ExternalID)
	add("contract start", a.ContractStart.String(), b.ContractStart.String())
	add("champion email", a.ChampionEmail, b.ChampionEmail)
	add("last touch", a.LastTouch.String(), b.LastTouch.String())
	add("last QBR", a.LastQBR.String(), b.LastQBR.String())
	add("ARR", fmt.Sprintf("%.2f", float64(a.ARRCents)/100), fmt.Sprintf("%.2f", float64(b.ARRCents)/100))
	add("renewal date", a.RenewalDate.String(), b.RenewalDate.String())
	add("seats", fmt.Sprint(a.Seats), fmt.Sprint(b.Seats))
	add("active users", a.ActiveUsers.String(), b.ActiveUsers.String())
	add("tickets", a.Tickets30d.String(), b.Tickets30d.String())
	add("open critical", fmt.Sprint(a.OpenCritical), fmt.Sprint(b.OpenCritical))
	add("NPS", a.NPS.String(), b.NPS.String())
	add("CSAT", a.CSAT.String(), b.CSAT.String())
	add("champion changed", fmt.Sprint(a.ChampionChanged), fmt.Sprint(b.ChampionChanged))
	add("champion", a.ChampionName, b.ChampionName)
	add("segment", string(a.Segment), string(b.Segment))
	add("lifecycle", string(a.Lifecycle), string(b.Lifecycle))
	add("pipeline", fmt.Sprintf("%.2f", float64(a.PipelineCents)/100), fmt.Sprintf("%.2f", float64(b.PipelineCents)/100))
	add("pipeline stage", a.PipelineStage, b.PipelineStage)
	add("plan", a.Plan, b.Plan)
	if a.SuccessPlan != b.SuccessPlan {
		out = append(out, "success plan")
	}
	return out
}

func sameOverride(a, b *metrics.Override) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// RosterChange is one entry of the roster log: members have no timeline
// or activity log of their own, so their changes are audited here.
type RosterChange struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	Author   string    `json:"author"`
	Session  string    `json:"session,omitempty"` // SSH key fingerprint of the author's session
	MemberID uint64    `json:"member_id"`
	Text     string    `json:"text"`
}

var bRosterLog = []byte("roster_log")

func (t *Tx) logRoster(memberID uint64, text string, by Actor, now time.Time) error {
	if _, err := t.tx.CreateBucketIfNotExists(bRosterLog); err != nil {
		return err
	}
	t.touchMembers()
	ch := RosterChange{At: now.UTC(), Author: by.Name, Session: by.Session, MemberID: memberID, Text: text}
	return t.appendJSON(bRosterLog, memberID, &ch.Seq, &ch)
}

// RosterLog returns one member's roster changes, oldest first.
func (t *Tx) RosterLog(memberID uint64) ([]RosterChange, error) {
	var out []RosterChange
	if t.tx.Bucket(bRosterLog) == nil {
		return nil, nil
	}
	for _, v := range t.prefixValues(bRosterLog, u64(memberID)) {
		var ch RosterChange
		if err := json.Unmarshal(v, &ch); err != nil {
			return nil, fmt.Errorf("roster log: %w", errCorrupt)
		}
		out = append(out, ch)
	}
	return out, nil
}

// AddMember adds a member to the roster, logged with its author.
func (t *Tx) AddMember(m Member, by Actor, now time.Time) (Member, error) {
	if err := t.allow(by, DoRoster, 0, 0); err != nil {
		return m, err
	}
	m.ID = 0
	m.Active = true
	if err := validateMember(t, &m); err != nil {
		return m, err
	}
	if err := t.PutMember(&m); err != nil {
		return m, err
	}
	return m, t.logRoster(m.ID, fmt.Sprintf("added %s as %s (capacity %d)", m.Name, m.Role, m.Capacity), by, now)
}

// ErrRosterNotEmpty refuses a second "first manager".
var ErrRosterNotEmpty = errors.New("the roster already has members: ask one of them to add you")

// AddFirstManager puts the first person on an empty roster, as a manager
// who is their own author: the first thing after importing a CRM file,
// when nobody is there to add anyone. Refused once anyone is on the
// roster (two dashboards asking at once create one manager, not two).
func (t *Tx) AddFirstManager(name, email string, now time.Time) (Member, error) {
	members, err := t.Members()
	if err != nil {
		return Member{}, err
	}
	if len(members) > 0 {
		return Member{}, ErrRosterNotEmpty
	}
	m := Member{Name: strings.TrimSpace(name), Email: strings.TrimSpace(email), Role: RoleManager, Active: true}
	if err := validateMember(t, &m); err != nil {
		return m, err
	}
	if err := t.PutMember(&m); err != nil {
		return m, err
	}
	by := Actor{ID: m.ID, Name: m.Name}
	return m, t.logRoster(m.ID, fmt.Sprintf("added %s as the first manager (by themselves, on an empty roster)", m.Name), by, now)
}

// EditMember stores changes to a member, logged with its author. Active is
// kept as stored: deactivating has its own checks (DeactivateMember).
func (t *Tx) EditMember(m Member, by Actor, now time.Time) (Member, error) {
	if err := t.allow(by, DoRoster, 0, 0); err != nil {
		return m, err
	}
	old, err := t.Member(m.ID)
	if err != nil {
		return m, err
	}
	m.Active = old.Active
	if err := validateMember(t, &m); err != nil {
		return m, err
	}
	if m.Capacity <= 0 {
		m.Capacity = m.Role.DefaultCapacity()
	}
	var changes []string
	add := func(name, x, y string) {
		if x != y {
			changes = append(changes, fmt.Sprintf("%s %s → %s", name, orNone(x), orNone(y)))
		}
	}
	add("name", old.Name, m.Name)
	add("email", old.Email, m.Email)
	add("role", string(old.Role), string(m.Role))
	add("capacity", fmt.Sprint(old.Capacity), fmt.Sprint(m.Capacity))
	add("last 1:1", old.LastOneOnOne.String(), m.LastOneOnOne.String())
	if len(changes) == 0 {
		return m, errors.New("nothing changed")
	}
	if err := t.PutMember(&m); err != nil {
		return m, err
	}
	return m, t.logRoster(m.ID, "edited "+strings.Join(changes, "; "), by, now)
}

func validateMember(t *Tx, m *Member) error {
	m.Name = strings.TrimSpace(m.Name)
	m.Email = strings.TrimSpace(m.Email)
	if m.Name == "" {
		return errors.New("name is required")
	}
	if m.Email != "" && !strings.Contains(m.Email, "@") {
		return fmt.Errorf("email %s has no @", Quote(m.Email))
	}
	if !m.Role.Valid() {
		return fmt.Errorf("role %s is not one of manager, senior_am, account_manager, coordinator", Quote(string(m.Role)))
	}
	if m.Capacity < 0 {
		return errors.New("capacity cannot be negative")
	}
	all, err := t.Members()
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != m.ID && (strings.EqualFold(o.Name, m.Name) || (m.Email != "" && strings.EqualFold(o.Email, m.Email))) {
			return fmt.Errorf("%s already uses that name or email", o.Name)
		}
	}
	return nil
}

// DeactivateMember takes a member off the roster; refused while they still
// own accounts or open escalations, saying how many.
func (t *Tx) DeactivateMember(id uint64, by Actor, now time.Time) (Member, error) {
	if err := t.allow(by, DoRoster, 0, 0); err != nil {
		return Member{}, err
	}
	m, err := t.Member(id)
	if err != nil {
		return m, err
	}
	if !m.Active {
		return m, fmt.Errorf("%s is already inactive", m.Name)
	}
	owned := 0
	for _, aid := range t.AccountIDsByOwner(id) {
		if a, err := t.Account(aid); err == nil && a.Lifecycle != Churned {
			owned++
		}
	}
	open := 0
	for _, s := range OpenStatuses {
		for _, eid := range t.EscalationIDsByStatus(s) {
			if e, err := t.Escalation(eid); err == nil && e.OwnerID == id {
				open++
			}
		}
	}
	if owned > 0 || open > 0 {
		return m, fmt.Errorf("%s still owns %d account(s) and %d open escalation(s): reassign them first", m.Name, owned, open)
	}
	m.Active = false
	if err := t.PutMember(&m); err != nil {
		return m, err
	}
	return m, t.logRoster(m.ID, "deactivated "+m.Name, by, now)
}
