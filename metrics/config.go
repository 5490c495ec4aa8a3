package metrics

import (
	"errors"
	"fmt"
	"math"
)

// Segment is the size class of an account.
type Segment string

const (
	Enterprise Segment = "enterprise"
	MidMarket  Segment = "mid_market"
	SMB        Segment = "smb"
)

// Segments lists the segments, largest first.
var Segments = []Segment{Enterprise, MidMarket, SMB}

// Valid reports whether s is a known segment.
func (s Segment) Valid() bool { return s == Enterprise || s == MidMarket || s == SMB }

// Weights are the relative weights of the four health components. Only their
// ratios matter; a component without data drops out of the denominator.
type Weights struct {
	Adoption   float64 `json:"adoption"`
	Support    float64 `json:"support"`
	Engagement float64 `json:"engagement"`
	Sentiment  float64 `json:"sentiment"`
	// Execution weighs the execution component, which counts only while
	// Config.Execution is on.
	Execution float64 `json:"execution"`
}

// Cadence is the expected touch interval in days, per segment.
type Cadence struct {
	Enterprise int `json:"enterprise"`
	MidMarket  int `json:"mid_market"`
	SMB        int `json:"smb"`
}

// For returns the cadence of segment s.
func (c Cadence) For(s Segment) int {
	switch s {
	case Enterprise:
		return c.Enterprise
	case MidMarket:
		return c.MidMarket
	default:
		return c.SMB
	}
}

// SLAHours is the time to resolve an escalation, per severity.
type SLAHours struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
}

// For returns the SLA of a severity name; unknown severities get Low's.
func (s SLAHours) For(severity string) int {
	switch severity {
	case "critical":
		return s.Critical
	case "high":
		return s.High
	case "medium":
		return s.Medium
	default:
		return s.Low
	}
}

// Config is everything a manager may tune about the health model. It is
// stored in the database so that every process computes the same scores.
type Config struct {
	Weights Weights `json:"weights"`
	// Green and Yellow are the lowest scores of those bands; below Yellow is red.
	Green  int `json:"green"`
	Yellow int `json:"yellow"`
	// EnterpriseMinCents and MidMarketMinCents are the ARR boundaries used
	// to derive a segment when an account has none set.
	EnterpriseMinCents int64    `json:"enterprise_min_cents"`
	MidMarketMinCents  int64    `json:"mid_market_min_cents"`
	Cadence            Cadence  `json:"cadence_days"`
	QBRIntervalDays    int      `json:"qbr_interval_days"`
	SLA                SLAHours `json:"sla_hours"`
	// Load is what one account of each segment weighs against a member's
	// capacity (LoadOf).
	Load LoadWeights `json:"load_weights"`
	// OneOnOneDays is how often a member should have a 1:1: past it the
	// team view flags them.
	OneOnOneDays int `json:"one_on_one_days"`
	// StaleDays is how old an account's health inputs may get before the
	// review lists the account as "stale data": a band computed from old
	// numbers is no news.
	StaleDays int `json:"stale_days"`
	// Execution turns on the fifth health component, execution: overdue
	// tasks and plan milestones lower the score (README, "The execution
	// component"). Off by default: the health model of the spec has four.
	Execution bool `json:"execution"`
}

// LoadWeights are the weight of one account of each segment in a
// member's load: by the usual heuristic an enterprise account is about
// three mid-market ones or ten SMB ones.
type LoadWeights struct {
	Enterprise float64 `json:"enterprise"`
	MidMarket  float64 `json:"mid_market"`
	SMB        float64 `json:"smb"`
}

// For is the weight of an account of segment s (an unknown segment weighs
// as mid-market).
func (w LoadWeights) For(s Segment) float64 {
	switch s {
	case Enterprise:
		return w.Enterprise
	case SMB:
		return w.SMB
	}
	return w.MidMarket
}

// MaxLoadWeight bounds a segment's load weight.
const MaxLoadWeight = 100

// DefaultConfig is the health model of SPEC section 3.
func DefaultConfig() Config {
	return Config{
		Weights:            Weights{Adoption: 35, Support: 20, Engagement: 25, Sentiment: 20, Execution: 15},
		Green:              70,
		Yellow:             40,
		EnterpriseMinCents: 100_000_00,
		MidMarketMinCents:  20_000_00,
		Cadence:            Cadence{Enterprise: 14, MidMarket: 30, SMB: 60},
		QBRIntervalDays:    90,
		SLA:                SLAHours{Critical: 4, High: 24, Medium: 72, Low: 168},
		Load:               LoadWeights{Enterprise: 1, MidMarket: 0.33, SMB: 0.1},
		OneOnOneDays:       14,
		StaleDays:          30,
	}
}

// Upper bounds of the settings: beyond them the arithmetic (weighted sums,
// hours as durations) would overflow, and no real health model needs them.
const (
	MaxWeight        = 1000
	MaxDays          = 3650
	MaxSLAHours      = 8760
	MaxBoundaryCents = 10_000_000_000_00
)

// Validate says what is wrong with c, naming the setting, or nil.
func (c Config) Validate() error {
	w := c.Weights
	var errs []error
	for _, p := range []struct {
		name string
		v    float64
	}{{"weights.adoption", w.Adoption}, {"weights.support", w.Support}, {"weights.engagement", w.Engagement}, {"weights.sentiment", w.Sentiment}, {"weights.execution", w.Execution}} {
		if p.v < 0 {
			errs = append(errs, fmt.Errorf("%s is %g: weights must be 0 or more", p.name, p.v))
		}
		if p.v > MaxWeight || math.IsNaN(p.v) {
			errs = append(errs, fmt.Errorf("%s is %g: weights must be at most %d (only their ratios matter)", p.name, p.v, MaxWeight))
		}
	}
	if w.Adoption+w.Support+w.Engagement+w.Sentiment <= 0 {
		errs = append(errs, errors.New("the weights add up to 0: at least one must be positive"))
	}
	if !(0 <= c.Yellow && c.Yellow < c.Green && c.Green <= 100) {
		errs = append(errs, fmt.Errorf("thresholds yellow=%d green=%d: need 0 <= yellow < green <= 100", c.Yellow, c.Green))
	}
	if !(0 <= c.MidMarketMinCents && c.MidMarketMinCents < c.EnterpriseMinCents) {
		errs = append(errs, errors.New("segment boundaries must ascend: 0 <= mid_market < enterprise"))
	}
	for _, d := range []int{c.Cadence.Enterprise, c.Cadence.MidMarket, c.Cadence.SMB} {
		if d < 1 || d > MaxDays {
			errs = append(errs, fmt.Errorf("touch cadences must be between 1 and %d days, not %d", MaxDays, d))
			break
		}
	}
	if c.QBRIntervalDays < 1 || c.QBRIntervalDays > MaxDays {
		errs = append(errs, fmt.Errorf("qbr_interval_days must be between 1 and %d, not %d", MaxDays, c.QBRIntervalDays))
	}
	for _, h := range []int{c.SLA.Critical, c.SLA.High, c.SLA.Medium, c.SLA.Low} {
		if h < 1 || h > MaxSLAHours {
			errs = append(errs, fmt.Errorf("SLA hours must be between 1 and %d (a year), not %d", MaxSLAHours, h))
			break
		}
	}
	if c.OneOnOneDays < 1 || c.OneOnOneDays > MaxDays {
		errs = append(errs, fmt.Errorf("the 1:1 cadence must be between 1 and %d days, not %d", MaxDays, c.OneOnOneDays))
	}
	if c.StaleDays < 1 || c.StaleDays > MaxDays {
		errs = append(errs, fmt.Errorf("freshness.stale_days must be between 1 and %d days, not %d", MaxDays, c.StaleDays))
	}
	for _, w := range []float64{c.Load.Enterprise, c.Load.MidMarket, c.Load.SMB} {
		if !(w >= 0 && w <= MaxLoadWeight) {
			errs = append(errs, fmt.Errorf("load weights must be between 0 and %d, not %g", MaxLoadWeight, w))
			break
		}
	}
	if c.EnterpriseMinCents > MaxBoundaryCents {
		errs = append(errs, errors.New("segment boundaries must be below 10 billion"))
	}
	return errors.Join(errs...)
}

// SegmentFor derives a segment from ARR using the configured boundaries.
func (c Config) SegmentFor(arrCents int64) Segment {
	switch {
	case arrCents >= c.EnterpriseMinCents:
		return Enterprise
	case arrCents >= c.MidMarketMinCents:
		return MidMarket
	default:
		return SMB
	}
}
