package metrics

import (
	"fmt"
	"math"
	"strings"
)

// Band is the traffic-light class of an account's health.
type Band string

const (
	Green   Band = "green"
	Yellow  Band = "yellow"
	Red     Band = "red"
	Unknown Band = "unknown"
)

// Bands lists the bands from best to worst, then unknown.
var Bands = []Band{Green, Yellow, Red, Unknown}

// Valid reports whether b is one of the four bands.
func (b Band) Valid() bool { return b == Green || b == Yellow || b == Red || b == Unknown }

// Rank orders bands for "worsened" comparisons: green 3, yellow 2, red 1;
// unknown is 0 and never counts as a worsening (see Worse).
func (b Band) Rank() int {
	switch b {
	case Green:
		return 3
	case Yellow:
		return 2
	case Red:
		return 1
	}
	return 0
}

// Worse reports whether b is a worse known band than prev.
func (b Band) Worse(prev Band) bool {
	return b.Rank() > 0 && prev.Rank() > 0 && b.Rank() < prev.Rank()
}

// BandFor classifies a composite score.
func (c Config) BandFor(score int) Band {
	switch {
	case score >= c.Green:
		return Green
	case score >= c.Yellow:
		return Yellow
	default:
		return Red
	}
}

// ComponentID names one of the health components: the four of the
// health model, and execution, which counts only while the setting
// execution.enabled is on (README, "The execution component").
type ComponentID int

const (
	Adoption ComponentID = iota
	Support
	Engagement
	Sentiment
	Execution
	NumComponents
)

var componentNames = [NumComponents]string{"adoption", "support", "engagement", "sentiment", "execution"}

func (c ComponentID) String() string { return componentNames[c] }

// Weight returns the configured weight of component c.
func (w Weights) Weight(c ComponentID) float64 {
	switch c {
	case Adoption:
		return w.Adoption
	case Support:
		return w.Support
	case Engagement:
		return w.Engagement
	case Execution:
		return w.Execution
	default:
		return w.Sentiment
	}
}

// Override is a manager's manual band, valid through its expiry date.
type Override struct {
	Band    Band   `json:"band"`
	Reason  string `json:"reason"`
	Author  string `json:"author"`
	Expires Date   `json:"expires"`
}

// LiveOn reports whether the override applies on day d: it is valid up to
// and including its expiry date.
func (o *Override) LiveOn(d Date) bool {
	return o != nil && o.Band.Valid() && o.Band != Unknown && (o.Expires.IsZero() || d <= o.Expires)
}

// Inputs are the facts about one account that the health score reads.
type Inputs struct {
	Segment         Segment
	Seats           int
	ActiveUsers     Opt // active users in the last 30 days
	Tickets30d      Opt // support tickets opened in the last 30 days
	OpenCritical    int
	LastTouch       Date
	LastQBR         Date
	ContractStart   Date
	NPS             Opt // 0..10
	CSAT            Opt // 1..5
	Override        *Override
	ChampionChanged bool
	RenewalDate     Date
	// The execution component's inputs, read only while it is on
	// (Config.Execution): the account's open tasks past their due date,
	// and the earliest due date of its success plan's open milestones
	// (PlanSummary.FirstDue; zero for none).
	OverdueTasks int
	PlanFirstDue Date
}

// ExecutionPenalty is what each overdue task, and an overdue milestone,
// costs the execution component's 100 points.
const ExecutionPenalty = 25

// Component is one component's result, with what it was computed from so the
// health detail can explain it.
type Component struct {
	ID      ComponentID
	HasData bool
	Score   float64 // 0..100, meaningful when HasData
	Weight  float64 // configured weight
	// Contribution is Weight*Score/sum(weights with data): the points this
	// component adds to the composite. Drag is the points it costs:
	// Weight*(100-Score)/sum(weights with data).
	Contribution float64
	Drag         float64
	Inputs       string // human-readable inputs, e.g. "42 of 60 seats active (70%)"
}

// Health is the computed health of one account on one day: its Verdict
// and the components behind it.
type Health struct {
	Verdict
	Components [NumComponents]Component
}

// Verdict is what a list of accounts keeps of each one's Health: the
// score, the bands and the override, a sixth of the size without the
// components (a screen that explains one account scores it again).
type Verdict struct {
	Score      int  // rounded composite; meaningful when HasScore
	HasScore   bool // false when no component has data
	QBROverdue bool
	Computed   Band // band from the score alone
	Band       Band // band after a live override
	Override   *Override
}

// Overridden reports whether a live override set the band.
func (v Verdict) Overridden() bool { return v.Override != nil }

// LargestDrag is the component that costs the composite the most points; ok
// is false when nothing drags (no data, or every component at 100).
func (h Health) LargestDrag() (Component, bool) {
	best := -1
	for i, c := range h.Components {
		if c.HasData && c.Drag > 0.0001 && (best < 0 || c.Drag > h.Components[best].Drag) {
			best = i
		}
	}
	if best < 0 {
		return Component{}, false
	}
	return h.Components[best], true
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// QBROverdue: enterprise and mid-market accounts owe a QBR every
// QBRIntervalDays. An account that never had one is overdue once its
// contract is older than the interval (or when no start date is known).
func (c Config) QBROverdue(in Inputs, asOf Date) bool {
	if in.Segment != Enterprise && in.Segment != MidMarket {
		return false
	}
	if !in.LastQBR.IsZero() {
		return asOf.Sub(in.LastQBR) > c.QBRIntervalDays
	}
	return in.ContractStart.IsZero() || asOf.Sub(in.ContractStart) > c.QBRIntervalDays
}

// Score computes the health of one account on day asOf. It leaves the
// components' Inputs text empty: the portfolio scores every account on open,
// and formatting 400,000 strings nobody reads would cost a visible pause.
func (c Config) Score(in Inputs, asOf Date) Health { return c.score(in, asOf, false) }

// Explain is Score with each component's inputs written out for the health
// detail.
func (c Config) Explain(in Inputs, asOf Date) Health { return c.score(in, asOf, true) }

func (c Config) score(in Inputs, asOf Date, explain bool) Health {
	var h Health
	comps := &h.Components
	for i := range comps {
		comps[i].ID = ComponentID(i)
		comps[i].Weight = c.Weights.Weight(ComponentID(i))
	}

	// Adoption: r = active/seats; 20% or less is 0, 80% or more is 100.
	if in.Seats > 0 && in.ActiveUsers.Set {
		r := float64(in.ActiveUsers.V) / float64(in.Seats)
		comps[Adoption].HasData = true
		comps[Adoption].Score = clamp01((r-0.2)/0.6) * 100
		if explain {
			comps[Adoption].Inputs = fmt.Sprintf("%d of %d seats active (%.0f%%)", in.ActiveUsers.V, in.Seats, r*100)
		}
	} else if explain {
		comps[Adoption].Inputs = "no seat or usage data"
	}

	// Support: t = tickets per 10 seats in 30 days; minus 25 per open critical.
	if in.Seats > 0 && in.Tickets30d.Set {
		t := float64(in.Tickets30d.V) / float64(in.Seats) * 10
		s := clamp01(1-t/5)*100 - 25*float64(in.OpenCritical)
		comps[Support].HasData = true
		comps[Support].Score = math.Max(0, s)
		if explain {
			comps[Support].Inputs = fmt.Sprintf("%d tickets in 30 days (%.1f per 10 seats), %d open critical", in.Tickets30d.V, t, in.OpenCritical)
		}
	} else if explain {
		comps[Support].Inputs = "no ticket data"
	}

	// Engagement: full marks within the cadence, 0 at three cadences, linear
	// between; minus 20 with an overdue QBR.
	h.QBROverdue = c.QBROverdue(in, asOf)
	if !in.LastTouch.IsZero() {
		d := float64(asOf.Sub(in.LastTouch))
		k := float64(c.Cadence.For(in.Segment))
		var s float64
		switch {
		case d <= k:
			s = 100
		case d >= 3*k:
			s = 0
		default:
			s = (3*k - d) / (2 * k) * 100
		}
		note := ""
		if h.QBROverdue {
			s -= 20
			note = ", QBR overdue (-20)"
		}
		comps[Engagement].HasData = true
		comps[Engagement].Score = math.Max(0, s)
		if explain {
			comps[Engagement].Inputs = fmt.Sprintf("last touch %d days ago, cadence %d days%s", int(d), int(k), note)
		}
	} else if explain {
		comps[Engagement].Inputs = "no touch recorded"
	}

	// Sentiment: mean of the available of NPS x 10 and (CSAT-1)/4 x 100.
	var parts []string
	var sum float64
	var n int
	if in.NPS.Set {
		sum += float64(in.NPS.V) * 10
		n++
		if explain {
			parts = append(parts, fmt.Sprintf("NPS %d", in.NPS.V))
		}
	}
	if in.CSAT.Set {
		sum += float64(in.CSAT.V-1) / 4 * 100
		n++
		if explain {
			parts = append(parts, fmt.Sprintf("CSAT %d", in.CSAT.V))
		}
	}
	if n > 0 {
		comps[Sentiment].HasData = true
		comps[Sentiment].Score = sum / float64(n)
		if explain {
			comps[Sentiment].Inputs = strings.Join(parts, ", ")
		}
	} else if explain {
		comps[Sentiment].Inputs = "no NPS or CSAT response"
	}

	// Execution: 100 with nothing overdue, 25 less per overdue task and
	// 25 less when a milestone of the success plan is overdue, never below
	// 0. It counts only beside another component with data, so turning it
	// on never gives a score to an account without one; and closing work
	// never lowers a score, as "no open work" scores 100, not "no data".
	if c.Execution {
		other := false
		for i := Adoption; i < Execution; i++ {
			other = other || comps[i].HasData
		}
		milestone := !in.PlanFirstDue.IsZero() && in.PlanFirstDue < asOf
		if other {
			s := 100 - ExecutionPenalty*float64(in.OverdueTasks)
			if milestone {
				s -= ExecutionPenalty
			}
			comps[Execution].HasData = true
			comps[Execution].Score = math.Max(0, s)
		}
		if explain {
			comps[Execution].Inputs = executionText(in.OverdueTasks, milestone, in.PlanFirstDue, other)
		}
	} else if explain {
		comps[Execution].Inputs = "off (setting execution.enabled)"
	}

	var wsum, total float64
	for _, comp := range comps {
		if comp.HasData {
			wsum += comp.Weight
			total += comp.Weight * comp.Score
		}
	}
	if wsum > 0 {
		for i := range comps {
			if comps[i].HasData {
				comps[i].Contribution = comps[i].Weight * comps[i].Score / wsum
				comps[i].Drag = comps[i].Weight * (100 - comps[i].Score) / wsum
			}
		}
		h.HasScore = true
		h.Score = int(math.Round(total / wsum))
		h.Computed = c.BandFor(h.Score)
	} else {
		h.Computed = Unknown
	}
	h.Band = h.Computed
	if in.Override.LiveOn(asOf) {
		h.Override = in.Override
		h.Band = in.Override.Band
	}
	return h
}

// Trend is the change of score since the last snapshot before this week.
type Trend struct {
	Delta int
	OK    bool // false when either score is unknown
}

// TrendOf compares a score with a previous one; a missing side gives no trend.
func TrendOf(now Verdict, prevScore int, prevKnown bool) Trend {
	if !now.HasScore || !prevKnown {
		return Trend{}
	}
	return Trend{Delta: now.Score - prevScore, OK: true}
}

// Arrow is ▲, ▼ or ▶ (flat), or "·" without a trend; the number travels
// beside it so the arrow is never the only carrier of meaning.
func (t Trend) Arrow() string {
	switch {
	case !t.OK:
		return "·"
	case t.Delta > 0:
		return "▲"
	case t.Delta < 0:
		return "▼"
	}
	return "▶"
}

// String is the arrow with its signed number, e.g. "▼-12".
func (t Trend) String() string {
	if !t.OK {
		return "·"
	}
	if t.Delta > 0 {
		return fmt.Sprintf("▲+%d", t.Delta)
	}
	return fmt.Sprintf("%s%d", t.Arrow(), t.Delta)
}

// Flags is a set of risk flags.
type Flags uint8

const (
	FlagRenewalRisk Flags = 1 << iota
	FlagChampionChanged
	FlagQBROverdue
	FlagDropping
	FlagSLABreach
	// FlagPlanAtRisk: a live objective of the success plan is at risk, or
	// one of its milestones is overdue (PlanSummary.AtRiskOn). Added last,
	// so the other flags keep their bits.
	FlagPlanAtRisk
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{FlagRenewalRisk, "renewal-risk"},
	{FlagChampionChanged, "champion-changed"},
	{FlagQBROverdue, "qbr-overdue"},
	{FlagDropping, "dropping"},
	{FlagSLABreach, "sla-breach"},
	{FlagPlanAtRisk, "plan-at-risk"},
}

// Has reports whether f includes g.
func (f Flags) Has(g Flags) bool { return f&g != 0 }

// Names lists the flags in a fixed order.
func (f Flags) Names() []string {
	var out []string
	for _, n := range flagNames {
		if f.Has(n.f) {
			out = append(out, n.name)
		}
	}
	return out
}

// String joins the flag names with spaces.
func (f Flags) String() string { return strings.Join(f.Names(), " ") }

// RiskWindowDays is how close a renewal must be to count as at risk.
const RiskWindowDays = 90

// DroppingDelta is the trend at or below which an account is "dropping".
const DroppingDelta = -10

// FlagsFor computes the risk flags of SPEC section 3.
func FlagsFor(in Inputs, h Verdict, t Trend, asOf Date, slaBreached bool) Flags {
	var f Flags
	if !in.RenewalDate.IsZero() {
		// A renewal already past its date and not yet renewed is at least
		// as much at risk as one coming up, so there is no lower bound.
		if in.RenewalDate.Sub(asOf) <= RiskWindowDays && h.Band != Green {
			f |= FlagRenewalRisk
		}
	}
	if in.ChampionChanged {
		f |= FlagChampionChanged
	}
	if h.QBROverdue {
		f |= FlagQBROverdue
	}
	if t.OK && t.Delta <= DroppingDelta {
		f |= FlagDropping
	}
	if slaBreached {
		f |= FlagSLABreach
	}
	return f
}

func executionText(tasks int, milestone bool, due Date, other bool) string {
	if !other {
		return "not scored without another component's data"
	}
	var parts []string
	switch tasks {
	case 0:
	case 1:
		parts = append(parts, "1 overdue task")
	default:
		parts = append(parts, fmt.Sprintf("%d overdue tasks", tasks))
	}
	if milestone {
		parts = append(parts, "a plan milestone overdue since "+due.AddDays(1).String())
	}
	if len(parts) == 0 {
		return "nothing overdue"
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (-%d each)", ExecutionPenalty)
}
