package store

import (
	"errors"
	"fmt"
)

// Roles and what each may do (README, "Roles and permissions"). Every
// write action of the store asks allow first, in its own transaction, so
// the rules hold for every front end: a dashboard with --as, the command
// line, and later the team server.
//
//   - A manager may do everything.
//   - A senior AM, an account manager or a coordinator reads everything;
//     logs activity, edits fields, overrides the band and raises
//     escalations on the accounts they own; adds notes to, changes the
//     status of, resolves and reopens the escalations they own or that
//     are on their accounts. Never settings, the roster, reassigning an
//     account, severity, assignment or a triage decision (sending to the
//     director included). The success plan (DoPlan) of an account is
//     its owner's or a manager's, as its fields are.
//   - An actor with no member (ID 0) is the person at the command line
//     running steward on a file they can write anyway: everything, as
//     before roles were enforced. The dashboard always acts as a member
//     (--as, or the first active manager).

// Action is what an actor asks to do, for allow.
type Action int

const (
	DoLogActivity Action = iota
	DoEditAccount
	DoOverride
	DoRaise
	DoNote
	DoStatus
	DoResolve
	DoTriage
	DoReassign
	DoRoster
	DoSettings
	DoOneOnOne
	DoSavedView
	DoForecast
	DoTask
	DoPlan
	DoPlaybook
)

// what each action is, in a refusal ("only a manager can ...", "only
// the account's owner or a manager can ...").
var actionText = [...]string{
	DoLogActivity: "log activity on",
	DoEditAccount: "edit",
	DoOverride:    "override the health band of",
	DoRaise:       "raise an escalation on",
	DoNote:        "add a note to",
	DoStatus:      "change the status of",
	DoResolve:     "resolve",
	DoTriage:      "change the severity or the owner of an escalation, or decide its triage",
	DoReassign:    "reassign accounts",
	DoRoster:      "change the roster",
	DoSettings:    "change the health settings",
	DoOneOnOne:    "log a 1:1 with",
	DoSavedView:   "save or delete a view",
	DoForecast:    "set the renewal forecast of",
	DoTask:        "add or close tasks on",
	DoPlan:        "edit the success plan of",
	DoPlaybook:    "change the playbooks",
}

// ErrNotAllowed is what every refusal of allow wraps.
var ErrNotAllowed = errors.New("not allowed")

// allow says whether by may do the action on the account or escalation
// (0 when it is about neither), with a refusal that names the rule.
func (t *Tx) allow(by Actor, do Action, accountID, escalationID uint64) error {
	if by.ID == 0 {
		return nil
	}
	m, err := t.Member(by.ID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %s is not on the roster", ErrNotAllowed, by.Name)
	}
	if err != nil {
		return err
	}
	if !m.Active {
		return fmt.Errorf("%w: %s is no longer active", ErrNotAllowed, m.Name)
	}
	if m.Role == RoleManager {
		return nil
	}
	switch do {
	case DoSavedView:
		return nil // views are shared: any active member keeps them
	case DoOneOnOne:
		// accountID is the member the 1:1 was with: they may log their
		// own, a manager anyone's.
		if accountID == m.ID {
			return nil
		}
		return fmt.Errorf("%w: only a manager or the member themselves can %s someone", ErrNotAllowed, actionText[do])
	case DoTriage, DoReassign, DoRoster, DoSettings, DoPlaybook:
		return fmt.Errorf("%w: only a manager can %s", ErrNotAllowed, actionText[do])
	case DoNote, DoStatus, DoResolve:
		e, err := t.Escalation(escalationID)
		if err != nil {
			return err
		}
		if e.OwnerID == m.ID {
			return nil
		}
		if a, err := t.Account(e.AccountID); err == nil && a.OwnerID == m.ID {
			return nil
		}
		return fmt.Errorf("%w: only the escalation's owner, the account's owner or a manager can %s escalation #%d", ErrNotAllowed, actionText[do], e.ID)
	}
	a, err := t.Account(accountID)
	if err != nil {
		return err
	}
	if a.OwnerID == m.ID {
		return nil
	}
	return fmt.Errorf("%w: only the account's owner or a manager can %s %s", ErrNotAllowed, actionText[do], a.Name)
}

// ImportAllowed says whether member may import a file over the team
// server: a dry run is a read, open to every member; an import writes
// whole files across many books at once, which only a manager may.
func ImportAllowed(m Member, dryRun bool) error {
	switch {
	case !m.Active:
		return fmt.Errorf("%w: %s is no longer active", ErrNotAllowed, m.Name)
	case dryRun || m.Role == RoleManager:
		return nil
	}
	return fmt.Errorf("%w: only a manager can import; check a file with import --dry-run", ErrNotAllowed)
}
