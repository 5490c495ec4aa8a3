package metrics

import "fmt"

// A playbook's trigger fires once per account per episode (README,
// "Playbooks"). Step is the whole rule, pure, so that it can be tested by
// table and the store only keeps the Episode it returns.

// TriggerKind is what fires a playbook.
type TriggerKind string

const (
	TriggerBandToRed       TriggerKind = "band_to_red"
	TriggerBandToYellow    TriggerKind = "band_to_yellow"
	TriggerChampionChanged TriggerKind = "champion_changed"
	TriggerRenewalInDays   TriggerKind = "renewal_in_days"
	TriggerNewAccount      TriggerKind = "new_account"
	TriggerQBROverdue      TriggerKind = "qbr_overdue"
	TriggerDropping        TriggerKind = "dropping"
	TriggerManual          TriggerKind = "manual"
)

// TriggerKinds lists the kinds in the order the README documents them.
var TriggerKinds = []TriggerKind{TriggerBandToRed, TriggerBandToYellow, TriggerChampionChanged, TriggerRenewalInDays,
	TriggerNewAccount, TriggerQBROverdue, TriggerDropping, TriggerManual}

// Valid reports whether k is a known kind.
func (k TriggerKind) Valid() bool {
	for _, v := range TriggerKinds {
		if k == v {
			return true
		}
	}
	return false
}

// BandEpisodeGapDays is how long a band trigger's condition may be false
// (the band elsewhere but green) before the episode ends: red, yellow and
// red again within it is one episode; a recovery to green ends it at once.
const BandEpisodeGapDays = 30

// MaxRenewalTriggerDays bounds renewal_in_days N.
const MaxRenewalTriggerDays = 730

// Trigger is a kind and, for renewal_in_days, its N.
type Trigger struct {
	Kind TriggerKind
	Days int
}

// String is the kind, with N for renewal_in_days ("renewal_in_days 120").
func (tr Trigger) String() string {
	if tr.Kind == TriggerRenewalInDays {
		return fmt.Sprintf("%s %d", tr.Kind, tr.Days)
	}
	return string(tr.Kind)
}

// Validate checks the kind and N.
func (tr Trigger) Validate() error {
	if !tr.Kind.Valid() {
		return fmt.Errorf("trigger %q is not one of %v", tr.Kind, TriggerKinds)
	}
	if tr.Kind == TriggerRenewalInDays && (tr.Days < 1 || tr.Days > MaxRenewalTriggerDays) {
		return fmt.Errorf("renewal_in_days needs a number of days from 1 to %d (got %d)", MaxRenewalTriggerDays, tr.Days)
	}
	if tr.Kind != TriggerRenewalInDays && tr.Days != 0 {
		return fmt.Errorf("trigger %s takes no number of days", tr.Kind)
	}
	return nil
}

// TriggerState is what the triggers read of one account on one day.
type TriggerState struct {
	Today   Date
	Band    Band  // after a live override: the band everyone sees
	Flags   Flags // FlagsFor's
	Renewal Date  // zero: none known
	// New is true for the change that created the account.
	New bool
	// KnowsTrend is true when Flags' dropping bit was computed from a
	// trend (the weekly snapshot); otherwise dropping neither fires nor
	// ends.
	KnowsTrend bool
}

// Episode is the stored state of one playbook on one account.
type Episode struct {
	Open bool
	// FalseSince is the first day the condition was seen false while the
	// episode was open (zero: it held at the last look). Band triggers
	// only.
	FalseSince Date
	// Renewal is the renewal date renewal_in_days last fired for.
	Renewal Date
}

// Condition reports whether the trigger's condition holds in s; known is
// false when s cannot tell (dropping without a trend, manual).
func (tr Trigger) Condition(s TriggerState) (holds, known bool) {
	switch tr.Kind {
	case TriggerBandToRed:
		return s.Band == Red, true
	case TriggerBandToYellow:
		return s.Band == Yellow, true
	case TriggerChampionChanged:
		return s.Flags.Has(FlagChampionChanged), true
	case TriggerQBROverdue:
		return s.Flags.Has(FlagQBROverdue), true
	case TriggerDropping:
		return s.Flags.Has(FlagDropping), s.KnowsTrend
	case TriggerRenewalInDays:
		if s.Renewal.IsZero() {
			return false, true
		}
		d := s.Renewal.Sub(s.Today)
		return d >= 0 && d <= tr.Days, true
	case TriggerNewAccount:
		return s.New, true
	}
	return false, false
}

// Step is one evaluation: whether the trigger fires for s given the
// stored episode ep, and the episode to store.
//
//   - band_to_red, band_to_yellow: fires when the band is red (yellow)
//     and no episode is open. The episode ends when the band recovers to
//     green, or once the condition has been false for more than
//     BandEpisodeGapDays (counted from the first day it was seen false).
//   - champion_changed, qbr_overdue, dropping: fires when the flag is set
//     and no episode is open; the episode ends when the flag clears.
//   - renewal_in_days N: fires once per renewal date, when it is 0..N
//     days away.
//   - new_account: fires once, for the change that created the account.
//   - manual: never fires by itself.
func (tr Trigger) Step(s TriggerState, ep Episode) (fire bool, next Episode) {
	holds, known := tr.Condition(s)
	if !known {
		return false, ep
	}
	next = ep
	switch tr.Kind {
	case TriggerBandToRed, TriggerBandToYellow:
		switch {
		case holds && !ep.Open:
			return true, Episode{Open: true}
		case holds && ep.FalseSince != 0 && s.Today.Sub(ep.FalseSince) > BandEpisodeGapDays:
			return true, Episode{Open: true} // away long enough: a new episode
		case holds:
			next.FalseSince = 0
		case !ep.Open:
		case s.Band == Green:
			next = Episode{}
		case ep.FalseSince == 0:
			next.FalseSince = s.Today
		case s.Today.Sub(ep.FalseSince) > BandEpisodeGapDays:
			next = Episode{}
		}
		return false, next
	case TriggerRenewalInDays:
		if holds && ep.Renewal != s.Renewal {
			return true, Episode{Open: true, Renewal: s.Renewal}
		}
		return false, ep
	case TriggerNewAccount:
		if holds && !ep.Open {
			return true, Episode{Open: true}
		}
		return false, ep
	}
	// The flag kinds.
	switch {
	case holds && !ep.Open:
		return true, Episode{Open: true}
	case !holds && ep.Open:
		return false, Episode{}
	}
	return false, ep
}

// Started is the episode after a playbook was started by hand on s: open,
// so that its trigger does not start it a second time for the same
// episode (for renewal_in_days, for the renewal date s has).
func (tr Trigger) Started(s TriggerState) Episode {
	ep := Episode{Open: true}
	if tr.Kind == TriggerRenewalInDays {
		ep.Renewal = s.Renewal
	}
	return ep
}
