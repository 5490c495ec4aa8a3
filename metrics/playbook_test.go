package metrics

import (
	"testing"
	"time"
)

// Each row is one evaluation; rows of one sequence carry the episode on.
type pbStep struct {
	day   int // days after the start day
	band  Band
	flags Flags
	renew int // renewal date, days after the start day (0: none)
	isNew bool
	trend bool
	fire  bool
	open  bool // the episode afterwards
}

func runSteps(t *testing.T, name string, tr Trigger, steps []pbStep) {
	t.Helper()
	start := NewDate(2026, time.January, 1)
	var ep Episode
	for i, s := range steps {
		st := TriggerState{Today: start.AddDays(s.day), Band: s.band, Flags: s.flags, New: s.isNew, KnowsTrend: s.trend}
		if s.renew != 0 {
			st.Renewal = start.AddDays(s.renew)
		}
		var fire bool
		fire, ep = tr.Step(st, ep)
		if fire != s.fire || ep.Open != s.open {
			t.Errorf("%s step %d (day %d, %s): fire %v open %v, want fire %v open %v", name, i, s.day, s.band, fire, ep.Open, s.fire, s.open)
		}
	}
}

func TestTriggerBandToRed(t *testing.T) {
	red := Trigger{Kind: TriggerBandToRed}
	runSteps(t, "red, yellow, red within 30 days: one episode", red, []pbStep{
		{day: 0, band: Green},
		{day: 7, band: Red, fire: true, open: true},
		{day: 8, band: Red, open: true},
		{day: 14, band: Yellow, open: true},
		{day: 44, band: Red, open: true}, // false since day 14: 30 days, not more
	})
	runSteps(t, "recovered to green and falls again: refires", red, []pbStep{
		{day: 0, band: Red, fire: true, open: true},
		{day: 3, band: Green},
		{day: 4, band: Red, fire: true, open: true},
	})
	runSteps(t, "yellow for more than 30 days, then red: a new episode", red, []pbStep{
		{day: 0, band: Red, fire: true, open: true},
		{day: 10, band: Yellow, open: true},
		{day: 41, band: Red, fire: true, open: true}, // 31 days false
	})
	runSteps(t, "the episode ends after 31 days away even with no red since", red, []pbStep{
		{day: 0, band: Red, fire: true, open: true},
		{day: 1, band: Unknown, open: true},
		{day: 31, band: Yellow, open: true},
		{day: 32, band: Yellow},
		{day: 33, band: Red, fire: true, open: true},
	})
	runSteps(t, "red and unseen for 60 days: still the same episode", red, []pbStep{
		{day: 0, band: Red, fire: true, open: true},
		{day: 60, band: Red, open: true},
	})
	runSteps(t, "back to red resets the count", red, []pbStep{
		{day: 0, band: Red, fire: true, open: true},
		{day: 10, band: Yellow, open: true},
		{day: 20, band: Red, open: true},
		{day: 30, band: Yellow, open: true},
		{day: 55, band: Red, open: true}, // 25 days since day 30
	})
}

func TestTriggerBandToYellow(t *testing.T) {
	runSteps(t, "yellow", Trigger{Kind: TriggerBandToYellow}, []pbStep{
		{day: 0, band: Green},
		{day: 1, band: Yellow, fire: true, open: true},
		{day: 2, band: Red, open: true},
		{day: 9, band: Yellow, open: true},
		{day: 10, band: Green},
		{day: 11, band: Yellow, fire: true, open: true},
	})
}

func TestTriggerFlags(t *testing.T) {
	for _, c := range []struct {
		kind TriggerKind
		flag Flags
	}{{TriggerChampionChanged, FlagChampionChanged}, {TriggerQBROverdue, FlagQBROverdue}} {
		runSteps(t, string(c.kind), Trigger{Kind: c.kind}, []pbStep{
			{day: 0, flags: FlagRenewalRisk},
			{day: 1, flags: c.flag | FlagRenewalRisk, fire: true, open: true},
			{day: 2, flags: c.flag, open: true},
			{day: 3},
			{day: 4, flags: c.flag, fire: true, open: true},
		})
	}
	// Dropping is known only with a trend: without one it neither fires
	// nor ends.
	runSteps(t, "dropping", Trigger{Kind: TriggerDropping}, []pbStep{
		{day: 0, flags: FlagDropping},
		{day: 7, flags: FlagDropping, trend: true, fire: true, open: true},
		{day: 8, open: true},
		{day: 14, trend: true},
		{day: 21, flags: FlagDropping, trend: true, fire: true, open: true},
	})
}

func TestTriggerRenewalInDays(t *testing.T) {
	runSteps(t, "renewal 120", Trigger{Kind: TriggerRenewalInDays, Days: 120}, []pbStep{
		{day: 0, renew: 200},
		{day: 79, renew: 200},
		{day: 80, renew: 200, fire: true, open: true}, // 120 days to go
		{day: 81, renew: 200, open: true},
		{day: 90, renew: 190, fire: true, open: true}, // a new renewal date
		{day: 200, renew: 190, open: true},            // past: does not fire again
		{day: 201, renew: 190 + 365, open: true},      // renewed: a year out
		{day: 201 + 245, renew: 190 + 365, fire: true, open: true},
		{day: 202 + 245, open: true}, // the date it fired for is kept
	})
	var ep Episode
	tr := Trigger{Kind: TriggerRenewalInDays, Days: 30}
	fire, _ := tr.Step(TriggerState{Today: 100, Renewal: 90}, ep)
	if fire {
		t.Error("a renewal already past fired")
	}
}

func TestTriggerNewAndManual(t *testing.T) {
	runSteps(t, "new", Trigger{Kind: TriggerNewAccount}, []pbStep{
		{day: 0, isNew: true, fire: true, open: true},
		{day: 0, isNew: true, open: true},
		{day: 1, open: true},
	})
	runSteps(t, "new, seen later", Trigger{Kind: TriggerNewAccount}, []pbStep{{day: 0}})
	runSteps(t, "manual", Trigger{Kind: TriggerManual}, []pbStep{
		{day: 0, band: Red, flags: FlagChampionChanged | FlagDropping, isNew: true, trend: true},
	})
}

func TestTriggerStartedByHand(t *testing.T) {
	tr := Trigger{Kind: TriggerBandToRed}
	s := TriggerState{Today: 10, Band: Red}
	if fire, _ := tr.Step(s, tr.Started(s)); fire {
		t.Error("started by hand, then fired by its trigger")
	}
	rn := Trigger{Kind: TriggerRenewalInDays, Days: 120}
	s = TriggerState{Today: 10, Renewal: 40}
	if fire, _ := rn.Step(s, rn.Started(s)); fire {
		t.Error("renewal started by hand, then fired")
	}
}

func TestTriggerValidate(t *testing.T) {
	for _, c := range []struct {
		tr Trigger
		ok bool
	}{
		{Trigger{Kind: TriggerBandToRed}, true},
		{Trigger{Kind: TriggerRenewalInDays, Days: 120}, true},
		{Trigger{Kind: TriggerRenewalInDays}, false},
		{Trigger{Kind: TriggerRenewalInDays, Days: 731}, false},
		{Trigger{Kind: TriggerBandToRed, Days: 3}, false},
		{Trigger{Kind: "band_to_purple"}, false},
	} {
		if err := c.tr.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.tr, err)
		}
	}
	if s := (Trigger{Kind: TriggerRenewalInDays, Days: 120}).String(); s != "renewal_in_days 120" {
		t.Errorf("String = %q", s)
	}
}
