package metrics

import (
	"math"
	"strings"
	"testing"
)

// asOf is the "today" of the health tests: Monday 2026-03-16.
var asOf = day("2026-03-16")

// ago is the date n days before asOf.
func ago(n int) Date { return asOf.AddDays(-n) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		errs   []string // substrings the error must contain; none means valid
	}{
		{"default config is valid", func(*Config) {}, nil},
		{"one positive weight is enough", func(c *Config) { c.Weights = Weights{Sentiment: 1} }, nil},
		{"widest thresholds 0 < 100", func(c *Config) { c.Yellow, c.Green = 0, 100 }, nil},
		{"mid-market boundary 0", func(c *Config) { c.MidMarketMinCents = 0 }, nil},
		{"negative weight is named", func(c *Config) { c.Weights.Adoption = -1 }, []string{"weights.adoption is -1"}},
		{"negative sentiment weight", func(c *Config) { c.Weights.Sentiment = -0.5 }, []string{"weights.sentiment is -0.5"}},
		{"all weights zero", func(c *Config) { c.Weights = Weights{} }, []string{"add up to 0"}},
		{"yellow == green", func(c *Config) { c.Yellow, c.Green = 70, 70 }, []string{"yellow=70 green=70"}},
		{"yellow > green", func(c *Config) { c.Yellow, c.Green = 80, 70 }, []string{"yellow=80 green=70"}},
		{"negative yellow", func(c *Config) { c.Yellow = -1 }, []string{"thresholds yellow=-1"}},
		{"green above 100", func(c *Config) { c.Green = 101 }, []string{"green=101"}},
		{"segment boundaries equal", func(c *Config) { c.MidMarketMinCents = c.EnterpriseMinCents }, []string{"segment boundaries"}},
		{"negative mid-market boundary", func(c *Config) { c.MidMarketMinCents = -1 }, []string{"segment boundaries"}},
		{"zero enterprise cadence", func(c *Config) { c.Cadence.Enterprise = 0 }, []string{"touch cadences"}},
		{"negative smb cadence", func(c *Config) { c.Cadence.SMB = -5 }, []string{"touch cadences"}},
		{"zero QBR interval", func(c *Config) { c.QBRIntervalDays = 0 }, []string{"qbr_interval_days"}},
		{"zero SLA", func(c *Config) { c.SLA.Low = 0 }, []string{"SLA hours"}},
		{"every problem is reported", func(c *Config) {
			c.Weights.Support = -2
			c.QBRIntervalDays = 0
			c.Green = 30
		}, []string{"weights.support is -2", "qbr_interval_days", "yellow=40 green=30"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mutate(&c)
			err := c.Validate()
			if len(tc.errs) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tc.errs)
			}
			for _, want := range tc.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate() = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestDefaultConfigIsSpec(t *testing.T) {
	c := DefaultConfig()
	if c.Weights != (Weights{Adoption: 35, Support: 20, Engagement: 25, Sentiment: 20, Execution: 15}) {
		t.Errorf("default weights %+v, want 35/20/25/20 (and execution 15, off)", c.Weights)
	}
	if c.Execution {
		t.Error("the execution component is on by default: the spec's health model has four")
	}
	if c.Green != 70 || c.Yellow != 40 {
		t.Errorf("default thresholds green=%d yellow=%d, want 70/40", c.Green, c.Yellow)
	}
	if c.Cadence.For(Enterprise) != 14 || c.Cadence.For(MidMarket) != 30 || c.Cadence.For(SMB) != 60 {
		t.Errorf("default cadence %+v, want 14/30/60", c.Cadence)
	}
	if c.QBRIntervalDays != 90 {
		t.Errorf("QBR interval %d, want 90", c.QBRIntervalDays)
	}
	if c.SLA.For("critical") != 4 || c.SLA.For("high") != 24 || c.SLA.For("medium") != 72 || c.SLA.For("low") != 168 || c.SLA.For("bogus") != 168 {
		t.Errorf("SLA hours %+v", c.SLA)
	}
}

func TestSegmentFor(t *testing.T) {
	def := DefaultConfig()
	custom := DefaultConfig()
	custom.EnterpriseMinCents, custom.MidMarketMinCents = 50_000_00, 5_000_00
	tests := []struct {
		name string
		c    Config
		arr  int64
		want Segment
	}{
		{"zero ARR", def, 0, SMB},
		{"$19,999.99 is below mid-market", def, 19_999_99, SMB},
		{"$20,000 exactly is mid-market", def, 20_000_00, MidMarket},
		{"$99,999.99 is still mid-market", def, 99_999_99, MidMarket},
		{"$100,000 exactly is enterprise", def, 100_000_00, Enterprise},
		{"$2M is enterprise", def, 2_000_000_00, Enterprise},
		{"custom: $4,999.99 smb", custom, 4_999_99, SMB},
		{"custom: $5,000 mid-market", custom, 5_000_00, MidMarket},
		{"custom: $50,000 enterprise", custom, 50_000_00, Enterprise},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.SegmentFor(tc.arr); got != tc.want {
				t.Errorf("SegmentFor(%d) = %s, want %s", tc.arr, got, tc.want)
			}
		})
	}
	for _, s := range Segments {
		if !s.Valid() {
			t.Errorf("%s not Valid", s)
		}
	}
	if Segment("startup").Valid() {
		t.Error(`Segment("startup").Valid() = true`)
	}
}

func TestAdoption(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name    string
		seats   int
		active  Opt
		hasData bool
		want    float64
	}{
		{"r=0 -> 0", 100, Some(0), true, 0},
		{"r=10/100=0.1 <= 0.2 -> 0", 100, Some(10), true, 0},
		{"r=20/100=0.2 -> 0 exactly at the floor", 100, Some(20), true, 0},
		{"r=0.21 -> (0.21-0.2)/0.6=0.01667 -> 1.67", 100, Some(21), true, 100.0 / 60},
		{"r=30/50=0.6 -> (0.6-0.2)/0.6=0.6667 -> 66.67", 50, Some(30), true, 200.0 / 3},
		{"r=50/100=0.5 -> 0.3/0.6=0.5 -> 50", 100, Some(50), true, 50},
		{"r=79/100 -> 0.59/0.6 -> 98.33", 100, Some(79), true, 59.0 / 0.6},
		{"r=80/100=0.8 -> 0.6/0.6 -> 100 exactly at the cap", 100, Some(80), true, 100},
		{"r=1.0 -> 100", 40, Some(40), true, 100},
		{"r=1.2 (more users than seats) -> clamp 100", 10, Some(12), true, 100},
		{"no usage data -> left out", 100, Opt{}, false, 0},
		{"no seats -> left out", 0, Some(5), false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := c.Score(Inputs{Segment: SMB, Seats: tc.seats, ActiveUsers: tc.active}, asOf)
			got := h.Components[Adoption]
			if got.HasData != tc.hasData {
				t.Fatalf("HasData = %v, want %v", got.HasData, tc.hasData)
			}
			if tc.hasData && !near(got.Score, tc.want) {
				t.Errorf("adoption = %.6f, want %.6f", got.Score, tc.want)
			}
			if got.Inputs != "" {
				t.Errorf("Score fills Inputs %q; only Explain should", got.Inputs)
			}
			if ex := c.Explain(Inputs{Segment: SMB, Seats: tc.seats, ActiveUsers: tc.active}, asOf).Components[Adoption]; ex.Inputs == "" || ex.Score != got.Score || ex.HasData != got.HasData {
				t.Errorf("Explain: %+v, want Score's numbers with Inputs text", ex)
			}
		})
	}
}

func TestSupport(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name     string
		seats    int
		tickets  Opt
		critical int
		hasData  bool
		want     float64
	}{
		{"t=0 -> 100", 100, Some(0), 0, true, 100},
		{"t=10/100*10=1 -> (1-1/5)=0.8 -> 80", 100, Some(10), 0, true, 80},
		{"t=25/100*10=2.5 -> 0.5 -> 50", 100, Some(25), 0, true, 50},
		{"t=5/50*10=1 -> 80", 50, Some(5), 0, true, 80},
		{"t=3/20*10=1.5 -> 0.7 -> 70", 20, Some(3), 0, true, 70},
		{"t=50/100*10=5 -> 0", 100, Some(50), 0, true, 0},
		{"t=6 -> clamp 0", 100, Some(60), 0, true, 0},
		{"t=1 -> 80, 1 critical -> 80-25=55", 100, Some(10), 1, true, 55},
		{"t=1 -> 80, 2 critical -> 80-50=30", 100, Some(10), 2, true, 30},
		{"t=0 -> 100, 4 critical -> 100-100=0", 100, Some(0), 4, true, 0},
		{"t=1 -> 80, 4 critical -> 80-100=-20 -> floor 0", 100, Some(10), 4, true, 0},
		{"t=6 -> 0, 1 critical -> -25 -> floor 0", 100, Some(60), 1, true, 0},
		{"no ticket data -> left out", 100, Opt{}, 2, false, 0},
		{"no seats -> left out", 0, Some(3), 0, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := c.Score(Inputs{Segment: SMB, Seats: tc.seats, Tickets30d: tc.tickets, OpenCritical: tc.critical}, asOf)
			got := h.Components[Support]
			if got.HasData != tc.hasData {
				t.Fatalf("HasData = %v, want %v", got.HasData, tc.hasData)
			}
			if tc.hasData && !near(got.Score, tc.want) {
				t.Errorf("support = %.6f, want %.6f", got.Score, tc.want)
			}
		})
	}
}

func TestEngagement(t *testing.T) {
	c := DefaultConfig()
	const never = -1
	tests := []struct {
		name    string
		seg     Segment
		touch   int // days since last touch; never = no touch
		qbr     int // days since last QBR; never = none
		hasData bool
		want    float64
	}{
		// enterprise: k=14, 3k=42, linear (42-d)/28.
		{"ent d=0 -> 100", Enterprise, 0, 10, true, 100},
		{"ent d=14=k -> 100", Enterprise, 14, 10, true, 100},
		{"ent d=15 -> (42-15)/28=0.9643 -> 96.43", Enterprise, 15, 10, true, 2700.0 / 28},
		{"ent d=28 -> (42-28)/28=0.5 -> 50", Enterprise, 28, 10, true, 50},
		{"ent d=41 -> 1/28 -> 3.57", Enterprise, 41, 10, true, 100.0 / 28},
		{"ent d=42=3k -> 0", Enterprise, 42, 10, true, 0},
		{"ent d=100 -> 0", Enterprise, 100, 10, true, 0},
		// mid-market: k=30, 3k=90, linear (90-d)/60.
		{"mm d=30=k -> 100", MidMarket, 30, 10, true, 100},
		{"mm d=31 -> 59/60 -> 98.33", MidMarket, 31, 10, true, 5900.0 / 60},
		{"mm d=45 -> 45/60=0.75 -> 75", MidMarket, 45, 10, true, 75},
		{"mm d=60 -> 30/60 -> 50", MidMarket, 60, 10, true, 50},
		{"mm d=90=3k -> 0", MidMarket, 90, 10, true, 0},
		// smb: k=60, 3k=180, linear (180-d)/120.
		{"smb d=60=k -> 100", SMB, 60, never, true, 100},
		{"smb d=90 -> 90/120=0.75 -> 75", SMB, 90, never, true, 75},
		{"smb d=120 -> 60/120 -> 50", SMB, 120, never, true, 50},
		{"smb d=179 -> 1/120 -> 0.83", SMB, 179, never, true, 100.0 / 120},
		{"smb d=180=3k -> 0", SMB, 180, never, true, 0},
		// QBR overdue: last QBR older than 90 days, enterprise and mid-market only.
		{"ent d=10 -> 100, QBR 91 days ago -> 100-20=80", Enterprise, 10, 91, true, 80},
		{"ent d=10 -> 100, QBR exactly 90 days ago is not overdue -> 100", Enterprise, 10, 90, true, 100},
		{"ent d=35 -> (42-35)/28=0.25 -> 25, QBR overdue -> 5", Enterprise, 35, 120, true, 5},
		{"mm d=45 -> 75, QBR overdue -> 55", MidMarket, 45, 120, true, 55},
		{"mm d=90 -> 0, QBR overdue -> -20 -> floor 0", MidMarket, 90, 120, true, 0},
		{"mm d=80 -> 10/60=16.67, QBR overdue -> -3.33 -> floor 0", MidMarket, 80, 120, true, 0},
		{"smb d=10 -> 100, QBR 400 days ago: no QBR duty for smb -> 100", SMB, 10, 400, true, 100},
		{"smb d=90 -> 75, never a QBR: no penalty -> 75", SMB, 90, never, true, 75},
		{"no touch recorded -> left out even with QBR overdue", Enterprise, never, 200, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Inputs{Segment: tc.seg, ContractStart: ago(1000)}
			if tc.touch != never {
				in.LastTouch = ago(tc.touch)
			}
			if tc.qbr != never {
				in.LastQBR = ago(tc.qbr)
			}
			got := c.Score(in, asOf).Components[Engagement]
			if got.HasData != tc.hasData {
				t.Fatalf("HasData = %v, want %v", got.HasData, tc.hasData)
			}
			if tc.hasData && !near(got.Score, tc.want) {
				t.Errorf("engagement = %.6f, want %.6f (inputs %q)", got.Score, tc.want, got.Inputs)
			}
		})
	}
}

func TestEngagementCustomCadence(t *testing.T) {
	c := DefaultConfig()
	c.Cadence = Cadence{Enterprise: 7, MidMarket: 21, SMB: 45}
	c.QBRIntervalDays = 30
	tests := []struct {
		name       string
		seg        Segment
		touch, qbr int
		want       float64
	}{
		{"ent k=7: d=14 -> (21-14)/14=0.5 -> 50", Enterprise, 14, 5, 50},
		{"mm k=21: d=42 -> (63-42)/42=0.5 -> 50", MidMarket, 42, 5, 50},
		{"smb k=45: d=45 -> 100", SMB, 45, 5, 100},
		{"ent k=7: d=7 -> 100, QBR interval 30: 31 days -> overdue -> 80", Enterprise, 7, 31, 80},
		{"ent k=7: d=7 -> 100, QBR 30 days -> not overdue -> 100", Enterprise, 7, 30, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Inputs{Segment: tc.seg, LastTouch: ago(tc.touch), LastQBR: ago(tc.qbr)}
			if got := c.Score(in, asOf).Components[Engagement].Score; !near(got, tc.want) {
				t.Errorf("engagement = %.6f, want %.6f", got, tc.want)
			}
		})
	}
}

func TestQBROverdue(t *testing.T) {
	c := DefaultConfig()
	const none = -1
	tests := []struct {
		name          string
		seg           Segment
		qbr, contract int // days ago; none = not set
		want          bool
	}{
		{"ent QBR 90 days ago: not older than 90", Enterprise, 90, 400, false},
		{"ent QBR 91 days ago: overdue", Enterprise, 91, 400, true},
		{"mm QBR 91 days ago: overdue", MidMarket, 91, 400, true},
		{"mm QBR yesterday", MidMarket, 1, 400, false},
		{"smb never owes a QBR", SMB, 500, 1000, false},
		{"smb without any dates", SMB, none, none, false},
		{"ent never had one, contract 90 days old: not yet", Enterprise, none, 90, false},
		{"ent never had one, contract 91 days old: overdue", Enterprise, none, 91, true},
		{"mm never had one, no contract start: overdue", MidMarket, none, none, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Inputs{Segment: tc.seg}
			if tc.qbr != none {
				in.LastQBR = ago(tc.qbr)
			}
			if tc.contract != none {
				in.ContractStart = ago(tc.contract)
			}
			if got := c.QBROverdue(in, asOf); got != tc.want {
				t.Errorf("QBROverdue = %v, want %v", got, tc.want)
			}
			if got := c.Score(in, asOf).QBROverdue; got != tc.want {
				t.Errorf("Health.QBROverdue = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSentiment(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name      string
		nps, csat Opt
		hasData   bool
		want      float64
	}{
		{"NPS 10 only -> 10*10=100", Some(10), Opt{}, true, 100},
		{"NPS 0 only -> 0 (a real zero, still data)", Some(0), Opt{}, true, 0},
		{"NPS 7 only -> 70", Some(7), Opt{}, true, 70},
		{"CSAT 5 only -> (5-1)/4=1 -> 100", Opt{}, Some(5), true, 100},
		{"CSAT 1 only -> (1-1)/4=0 -> 0", Opt{}, Some(1), true, 0},
		{"CSAT 3 only -> 2/4 -> 50", Opt{}, Some(3), true, 50},
		{"CSAT 4 only -> 3/4 -> 75", Opt{}, Some(4), true, 75},
		{"NPS 8 -> 80, CSAT 4 -> 75: mean 77.5", Some(8), Some(4), true, 77.5},
		{"NPS 6 -> 60, CSAT 2 -> 25: mean 42.5", Some(6), Some(2), true, 42.5},
		{"NPS 10 -> 100, CSAT 1 -> 0: mean 50", Some(10), Some(1), true, 50},
		{"neither -> left out", Opt{}, Opt{}, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.Score(Inputs{NPS: tc.nps, CSAT: tc.csat}, asOf).Components[Sentiment]
			if got.HasData != tc.hasData {
				t.Fatalf("HasData = %v, want %v", got.HasData, tc.hasData)
			}
			if tc.hasData && !near(got.Score, tc.want) {
				t.Errorf("sentiment = %.6f, want %.6f", got.Score, tc.want)
			}
		})
	}
}

// fullInputs is an enterprise account with every component present:
//
//	adoption:   30/50 = 0.6 -> (0.6-0.2)/0.6 = 0.6667 -> 66.667
//	support:    t = 5/50*10 = 1 -> 1-1/5 = 0.8 -> 80, 1 open critical -> 55
//	engagement: k=14, d=21 -> (42-21)/28 = 0.75 -> 75, QBR 100 days ago -> 55
//	sentiment:  NPS 8 -> 80, CSAT 4 -> 75, mean 77.5
func fullInputs() Inputs {
	return Inputs{
		Segment:       Enterprise,
		Seats:         50,
		ActiveUsers:   Some(30),
		Tickets30d:    Some(5),
		OpenCritical:  1,
		LastTouch:     ago(21),
		LastQBR:       ago(100),
		ContractStart: ago(800),
		NPS:           Some(8),
		CSAT:          Some(4),
	}
}

func TestCompositeDefaultWeights(t *testing.T) {
	h := DefaultConfig().Score(fullInputs(), asOf)
	wantComp := [...]float64{200.0 / 3, 55, 55, 77.5}
	if h.Components[Execution].HasData {
		t.Error("execution has data while it is off")
	}
	for i, want := range wantComp {
		if c := h.Components[i]; !c.HasData || !near(c.Score, want) {
			t.Errorf("%s = %.6f (data %v), want %.6f", c.ID, c.Score, c.HasData, want)
		}
	}
	// (35*66.667 + 20*55 + 25*55 + 20*77.5) / 100
	// = (2333.33 + 1100 + 1375 + 1550) / 100 = 63.58 -> 64
	if !h.HasScore || h.Score != 64 {
		t.Fatalf("composite = %d (HasScore %v), want 64", h.Score, h.HasScore)
	}
	if h.Computed != Yellow || h.Band != Yellow {
		t.Errorf("band computed=%s band=%s, want yellow (40 <= 64 < 70)", h.Computed, h.Band)
	}
	// Contributions w*s/100: 23.333 + 11 + 13.75 + 15.5 = 63.583.
	wantContrib := [...]float64{35 * 200.0 / 3 / 100, 11, 13.75, 15.5}
	// Drags w*(100-s)/100: 11.667, 9, 11.25, 4.5.
	wantDrag := [...]float64{35 * 100.0 / 3 / 100, 9, 11.25, 4.5}
	var sum float64
	for i := range wantContrib {
		c := h.Components[i]
		if !near(c.Contribution, wantContrib[i]) || !near(c.Drag, wantDrag[i]) {
			t.Errorf("%s: contribution %.4f drag %.4f, want %.4f %.4f", c.ID, c.Contribution, c.Drag, wantContrib[i], wantDrag[i])
		}
		if c.Weight != DefaultConfig().Weights.Weight(ComponentID(i)) {
			t.Errorf("%s weight %g", c.ID, c.Weight)
		}
		sum += c.Contribution
	}
	if !near(sum, 35*200.0/3/100+11+13.75+15.5) { // 23.333+11+13.75+15.5 = 63.5833
		t.Errorf("sum of contributions %.6f, want 63.5833", sum)
	}
	if !h.QBROverdue {
		t.Error("QBROverdue = false, want true (QBR 100 days ago)")
	}
	if ex := DefaultConfig().Explain(fullInputs(), asOf).Components[Engagement].Inputs; !strings.Contains(ex, "QBR overdue") {
		t.Errorf("engagement inputs %q do not mention the QBR penalty", ex)
	}
	// Largest drag: adoption 11.667 > engagement 11.25 > support 9 > sentiment 4.5.
	if d, ok := h.LargestDrag(); !ok || d.ID != Adoption {
		t.Errorf("LargestDrag = %s, %v; want adoption", d.ID, ok)
	}
}

func TestMissingComponentIsLeftOut(t *testing.T) {
	c := DefaultConfig()
	in := fullInputs()
	in.NPS, in.CSAT = Opt{}, Opt{} // no sentiment data
	h := c.Score(in, asOf)
	if h.Components[Sentiment].HasData {
		t.Fatal("sentiment has data without NPS or CSAT")
	}
	// Left out: (2333.33 + 1100 + 1375) / (35+20+25=80) = 4808.33/80 = 60.10 -> 60 (yellow).
	if h.Score != 60 || h.Band != Yellow {
		t.Errorf("composite = %d %s, want 60 yellow", h.Score, h.Band)
	}
	// Read as zero it would be 4808.33/100 = 48.08 -> 48: a different score.
	asZero := int(math.Round((35*200.0/3 + 20*55 + 25*55 + 20*0) / 100))
	if asZero != 48 || h.Score == asZero {
		t.Errorf("score %d must differ from the zero-filled %d", h.Score, asZero)
	}
	if h.Components[Sentiment].Contribution != 0 || h.Components[Sentiment].Drag != 0 {
		t.Error("a component without data must neither contribute nor drag")
	}
	// Contributions rescale to the weights with data: adoption 35*66.667/80 = 29.17.
	if got := h.Components[Adoption].Contribution; !near(got, 35*200.0/3/80) {
		t.Errorf("adoption contribution %.4f, want 29.1667", got)
	}

	// Only one component: the composite is that component's score.
	only := c.Score(Inputs{Segment: SMB, Seats: 100, ActiveUsers: Some(50)}, asOf)
	if !only.HasScore || only.Score != 50 || only.Band != Yellow {
		t.Errorf("adoption-only 50 -> composite %d %s (HasScore %v), want 50 yellow", only.Score, only.Band, only.HasScore)
	}
}

func TestNoDataIsUnknown(t *testing.T) {
	// Seats with no usage or ticket counts, no touch, no survey responses.
	h := DefaultConfig().Explain(Inputs{Segment: SMB, Seats: 25, OpenCritical: 2}, asOf)
	if h.HasScore {
		t.Errorf("HasScore = true with score %d, want false", h.Score)
	}
	if h.Computed != Unknown || h.Band != Unknown {
		t.Errorf("band computed=%s band=%s, want unknown", h.Computed, h.Band)
	}
	for _, c := range h.Components {
		if c.HasData {
			t.Errorf("%s has data", c.ID)
		}
		if c.Inputs == "" {
			t.Errorf("%s: no explanation for missing data", c.ID)
		}
	}
	if _, ok := h.LargestDrag(); ok {
		t.Error("LargestDrag ok with no data")
	}
}

// Explain computes exactly what Score does and only adds the inputs text.
func TestExplainMatchesScore(t *testing.T) {
	c := DefaultConfig()
	for name, in := range map[string]Inputs{
		"full":     fullInputs(),
		"empty":    {},
		"override": {NPS: Some(3), Override: &Override{Band: Green}},
	} {
		t.Run(name, func(t *testing.T) {
			s, e := c.Score(in, asOf), c.Explain(in, asOf)
			for i := range e.Components {
				if e.Components[i].Inputs == "" {
					t.Errorf("Explain: %s has no inputs text", e.Components[i].ID)
				}
				e.Components[i].Inputs = ""
			}
			if s != e {
				t.Errorf("Score %+v\nExplain %+v", s, e)
			}
		})
	}
}

func TestCompositeRounding(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name      string
		nps, csat Opt
		want      int
		band      Band
	}{
		// Sentiment alone is the composite.
		{"NPS 7 -> 70, CSAT 4 -> 75: 72.5 rounds half up to 73", Some(7), Some(4), 73, Green},
		{"NPS 4 -> 40, CSAT 2 -> 25: 32.5 -> 33", Some(4), Some(2), 33, Red},
		{"NPS 8 -> 80, CSAT 4 -> 75: 77.5 -> 78", Some(8), Some(4), 78, Green},
		{"NPS 5 -> 50, CSAT 3 -> 50: 50", Some(5), Some(3), 50, Yellow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := c.Score(Inputs{NPS: tc.nps, CSAT: tc.csat}, asOf)
			if h.Score != tc.want || h.Band != tc.band {
				t.Errorf("composite %d %s, want %d %s", h.Score, h.Band, tc.want, tc.band)
			}
		})
	}
}

func TestBandThresholds(t *testing.T) {
	def := DefaultConfig()
	custom := DefaultConfig()
	custom.Green, custom.Yellow = 80, 50
	tests := []struct {
		name  string
		c     Config
		score int
		want  Band
	}{
		{"100 green", def, 100, Green},
		{"70 is green (>= 70)", def, 70, Green},
		{"69 is yellow", def, 69, Yellow},
		{"40 is yellow (>= 40)", def, 40, Yellow},
		{"39 is red", def, 39, Red},
		{"0 red", def, 0, Red},
		{"custom 80 green", custom, 80, Green},
		{"custom 79 yellow", custom, 79, Yellow},
		{"custom 50 yellow", custom, 50, Yellow},
		{"custom 49 red", custom, 49, Red},
		{"custom 70 is only yellow", custom, 70, Yellow},
		{"custom 45 is red", custom, 45, Red},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.BandFor(tc.score); got != tc.want {
				t.Errorf("BandFor(%d) = %s, want %s", tc.score, got, tc.want)
			}
		})
	}
}

func TestBandBoundariesThroughScore(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name   string
		active int // of 1000 seats; adoption is the only component
		score  int
		band   Band
	}{
		{"r=0.620 -> 0.42/0.6=0.70 -> 70 green", 620, 70, Green},
		{"r=0.614 -> 0.414/0.6=0.69 -> 69 yellow", 614, 69, Yellow},
		{"r=0.440 -> 0.24/0.6=0.40 -> 40 yellow", 440, 40, Yellow},
		{"r=0.434 -> 0.234/0.6=0.39 -> 39 red", 434, 39, Red},
		{"r=0.617 -> 0.417/0.6=0.695 -> 69.5 rounds to 70 green", 617, 70, Green},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := c.Score(Inputs{Segment: SMB, Seats: 1000, ActiveUsers: Some(tc.active)}, asOf)
			if h.Score != tc.score || h.Band != tc.band || h.Computed != tc.band {
				t.Errorf("score %d band %s, want %d %s", h.Score, h.Band, tc.score, tc.band)
			}
		})
	}
}

func TestCustomWeightsAndThresholds(t *testing.T) {
	tests := []struct {
		name   string
		w      Weights
		green  int
		yellow int
		score  int
		band   Band
	}{
		{"default weights -> 63.58 -> 64 yellow", DefaultConfig().Weights, 70, 40, 64, Yellow},
		{"equal weights: (66.667+55+55+77.5)/4 = 254.167/4 = 63.54 -> 64", Weights{1, 1, 1, 1, 0}, 70, 40, 64, Yellow},
		{"adoption 10, sentiment 30: (666.67+2325)/40 = 74.79 -> 75 green", Weights{Adoption: 10, Sentiment: 30}, 70, 40, 75, Green},
		{"support 50, engagement 50: (55+55)/2 = 55", Weights{Support: 50, Engagement: 50}, 70, 40, 55, Yellow},
		{"adoption only -> 66.667 -> 67", Weights{Adoption: 1}, 70, 40, 67, Yellow},
		{"weights scale-free: 70/40/50/40 = 2x default -> 64", Weights{70, 40, 50, 40, 0}, 70, 40, 64, Yellow},
		{"thresholds green 60 yellow 50: 64 green", DefaultConfig().Weights, 60, 50, 64, Green},
		{"thresholds green 80 yellow 65: 64 red", DefaultConfig().Weights, 80, 65, 64, Red},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Weights, c.Green, c.Yellow = tc.w, tc.green, tc.yellow
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			h := c.Score(fullInputs(), asOf)
			if h.Score != tc.score || h.Band != tc.band {
				t.Errorf("score %d %s, want %d %s", h.Score, h.Band, tc.score, tc.band)
			}
		})
	}
}

func TestOverride(t *testing.T) {
	c := DefaultConfig()
	in := fullInputs() // computes 64 yellow
	tests := []struct {
		name string
		ov   *Override
		live bool
		band Band
	}{
		{"no override", nil, false, Yellow},
		{"expires today: live on the expiry day", &Override{Band: Red, Reason: "exec sponsor left", Author: "ann", Expires: asOf}, true, Red},
		{"expires tomorrow: live", &Override{Band: Green, Expires: asOf.AddDays(1)}, true, Green},
		{"expired yesterday: ignored", &Override{Band: Red, Expires: asOf.AddDays(-1)}, false, Yellow},
		{"no expiry date: live", &Override{Band: Green}, true, Green},
		{"unknown band is not an override", &Override{Band: Unknown, Expires: asOf.AddDays(10)}, false, Yellow},
		{"invalid band is not an override", &Override{Band: "purple", Expires: asOf.AddDays(10)}, false, Yellow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in.Override = tc.ov
			h := c.Score(in, asOf)
			// The computed score stays visible, whatever the override.
			if !h.HasScore || h.Score != 64 || h.Computed != Yellow {
				t.Errorf("score %d computed %s, want 64 yellow unchanged", h.Score, h.Computed)
			}
			if h.Band != tc.band {
				t.Errorf("Band = %s, want %s", h.Band, tc.band)
			}
			if h.Overridden() != tc.live || (tc.live && h.Override != tc.ov) {
				t.Errorf("Overridden = %v (%+v), want %v", h.Overridden(), h.Override, tc.live)
			}
			if got := tc.ov.LiveOn(asOf); got != tc.live {
				t.Errorf("LiveOn = %v, want %v", got, tc.live)
			}
		})
	}
	// The same override read on its expiry day and the day after.
	ov := &Override{Band: Red, Expires: day("2026-03-31")}
	if !ov.LiveOn(day("2026-03-31")) {
		t.Error("override not live on its expiry day 2026-03-31")
	}
	if ov.LiveOn(day("2026-04-01")) {
		t.Error("override still live the day after expiry")
	}
	in.Override = ov
	if h := c.Score(in, day("2026-04-01")); h.Band == Red || h.Overridden() {
		t.Errorf("day after expiry: band %s, overridden %v", h.Band, h.Overridden())
	}
	// An override on an account with no data sets the band; there is still no score.
	h := c.Score(Inputs{Override: &Override{Band: Red}}, asOf)
	if h.HasScore || h.Computed != Unknown || h.Band != Red {
		t.Errorf("no-data override: HasScore %v computed %s band %s", h.HasScore, h.Computed, h.Band)
	}
}

func TestLargestDrag(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name string
		in   Inputs
		want ComponentID
		ok   bool
	}{
		{"full example: adoption drag 35*33.33/100=11.67 beats engagement 25*45/100=11.25", fullInputs(), Adoption, true},
		{
			// adoption 100 (drag 0), support t=25/100*10=2.5 -> 50 (drag 20*50/55=18.2),
			// no touch, no sentiment.
			"support is the only drag", Inputs{Segment: SMB, Seats: 100, ActiveUsers: Some(90), Tickets30d: Some(25)}, Support, true,
		},
		{
			// adoption 100, sentiment NPS 9 -> 90: drag 20*10/55 = 3.6.
			"a small drag still counts", Inputs{Segment: SMB, Seats: 100, ActiveUsers: Some(90), NPS: Some(9)}, Sentiment, true,
		},
		{"everything at 100: nothing drags", Inputs{Segment: SMB, Seats: 10, ActiveUsers: Some(10), Tickets30d: Some(0), LastTouch: ago(1), NPS: Some(10), CSAT: Some(5)}, 0, false},
		{"no data: nothing drags", Inputs{}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := c.Score(tc.in, asOf).LargestDrag()
			if ok != tc.ok || (ok && got.ID != tc.want) {
				t.Errorf("LargestDrag = %s, %v; want %s, %v", got.ID, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestTrend(t *testing.T) {
	scored := Verdict{Score: 60, HasScore: true}
	tests := []struct {
		name      string
		now       Verdict
		prev      int
		prevKnown bool
		want      Trend
		arrow     string
		str       string
	}{
		{"fell 72 -> 60 = -12", scored, 72, true, Trend{-12, true}, "▼", "▼-12"},
		{"rose 55 -> 60 = +5", scored, 55, true, Trend{5, true}, "▲", "▲+5"},
		{"flat 60 -> 60 = 0", scored, 60, true, Trend{0, true}, "▶", "▶0"},
		{"no previous snapshot", scored, 0, false, Trend{}, "·", "·"},
		{"no score now", Verdict{Score: 0}, 50, true, Trend{}, "·", "·"},
		{"from 0 (a real previous score) to 60", scored, 0, true, Trend{60, true}, "▲", "▲+60"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := TrendOf(tc.now, tc.prev, tc.prevKnown)
			if got != tc.want {
				t.Fatalf("TrendOf = %+v, want %+v", got, tc.want)
			}
			if got.Arrow() != tc.arrow || got.String() != tc.str {
				t.Errorf("Arrow %q String %q, want %q %q", got.Arrow(), got.String(), tc.arrow, tc.str)
			}
		})
	}
}

func TestFlagsFor(t *testing.T) {
	yellow := Verdict{Score: 55, HasScore: true, Computed: Yellow, Band: Yellow}
	green := Verdict{Score: 80, HasScore: true, Computed: Green, Band: Green}
	red := Verdict{Score: 20, HasScore: true, Computed: Red, Band: Red}
	unknown := Verdict{Computed: Unknown, Band: Unknown}
	overriddenGreen := Verdict{Score: 55, HasScore: true, Computed: Yellow, Band: Green, Override: &Override{Band: Green}}
	qbrLate := Verdict{Score: 80, HasScore: true, Computed: Green, Band: Green, QBROverdue: true}
	flat := Trend{0, true}
	renewIn := func(n int) Inputs { return Inputs{RenewalDate: asOf.AddDays(n)} }
	tests := []struct {
		name  string
		in    Inputs
		h     Verdict
		t     Trend
		sla   bool
		want  Flags
		names string
	}{
		{"nothing to flag", renewIn(200), green, flat, false, 0, ""},
		{"renewal in 90 days, yellow", renewIn(90), yellow, flat, false, FlagRenewalRisk, "renewal-risk"},
		{"renewal in 91 days, yellow: outside the window", renewIn(91), yellow, flat, false, 0, ""},
		{"renewal today, red", renewIn(0), red, flat, false, FlagRenewalRisk, "renewal-risk"},
		{"renewal overdue by 30 days, yellow", renewIn(-30), yellow, flat, false, FlagRenewalRisk, "renewal-risk"},
		{"renewal overdue by 400 days, red", renewIn(-400), red, flat, false, FlagRenewalRisk, "renewal-risk"},
		{"renewal in 30 days but green", renewIn(30), green, flat, false, 0, ""},
		{"renewal in 30 days, unknown band is not green", renewIn(30), unknown, flat, false, FlagRenewalRisk, "renewal-risk"},
		{"renewal in 30 days, override made it green", renewIn(30), overriddenGreen, flat, false, 0, ""},
		{"no renewal date", Inputs{}, red, flat, false, 0, ""},
		{"champion changed", Inputs{ChampionChanged: true}, green, flat, false, FlagChampionChanged, "champion-changed"},
		{"QBR overdue", Inputs{}, qbrLate, flat, false, FlagQBROverdue, "qbr-overdue"},
		{"trend -10: dropping", Inputs{}, green, Trend{-10, true}, false, FlagDropping, "dropping"},
		{"trend -9: not dropping", Inputs{}, green, Trend{-9, true}, false, 0, ""},
		{"trend -25: dropping", Inputs{}, green, Trend{-25, true}, false, FlagDropping, "dropping"},
		{"trend +15", Inputs{}, green, Trend{15, true}, false, 0, ""},
		{"no trend (even with a stale delta)", Inputs{}, green, Trend{Delta: -20}, false, 0, ""},
		{"SLA breach", Inputs{}, green, flat, true, FlagSLABreach, "sla-breach"},
		{
			"everything at once, in fixed order",
			Inputs{RenewalDate: asOf.AddDays(10), ChampionChanged: true},
			Verdict{Score: 30, HasScore: true, Computed: Red, Band: Red, QBROverdue: true},
			Trend{-15, true}, true,
			FlagRenewalRisk | FlagChampionChanged | FlagQBROverdue | FlagDropping | FlagSLABreach,
			"renewal-risk champion-changed qbr-overdue dropping sla-breach",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FlagsFor(tc.in, tc.h, tc.t, asOf, tc.sla)
			if got != tc.want {
				t.Errorf("FlagsFor = %v (%d), want %v (%d)", got, got, tc.want, tc.want)
			}
			if got.String() != tc.names {
				t.Errorf("String = %q, want %q", got.String(), tc.names)
			}
			if len(got.Names()) != len(strings.Fields(tc.names)) {
				t.Errorf("Names = %q", got.Names())
			}
		})
	}

	// End to end: an enterprise account with a QBR 100 days ago flags qbr-overdue.
	in := fullInputs()
	h := DefaultConfig().Score(in, asOf).Verdict
	if f := FlagsFor(in, h, TrendOf(h, 0, false), asOf, false); !f.Has(FlagQBROverdue) || f.Has(FlagDropping) {
		t.Errorf("flags %q, want qbr-overdue and no dropping", f)
	}
}

func TestBandOrder(t *testing.T) {
	tests := []struct {
		now, prev Band
		worse     bool
	}{
		{Yellow, Green, true},
		{Red, Green, true},
		{Red, Yellow, true},
		{Green, Yellow, false},
		{Yellow, Yellow, false},
		{Unknown, Green, false},
		{Red, Unknown, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.prev)+"->"+string(tc.now), func(t *testing.T) {
			if got := tc.now.Worse(tc.prev); got != tc.worse {
				t.Errorf("%s.Worse(%s) = %v, want %v", tc.now, tc.prev, got, tc.worse)
			}
		})
	}
	for _, b := range Bands {
		if !b.Valid() {
			t.Errorf("%s not valid", b)
		}
	}
	if Band("purple").Valid() {
		t.Error("purple is valid")
	}
}

// Settings beyond these bounds would overflow the weighted sums or the SLA
// durations; Validate refuses them by name.
func TestValidateUpperBounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"huge weight", func(c *Config) { c.Weights.Adoption = 1e308 }, "weights.adoption"},
		{"NaN weight", func(c *Config) { c.Weights.Support = math.NaN() }, "weights.support"},
		{"SLA past a year", func(c *Config) { c.SLA.Low = 9_000_000_000 }, "SLA hours"},
		{"cadence past ten years", func(c *Config) { c.Cadence.SMB = 4000 }, "cadences"},
		{"QBR interval past ten years", func(c *Config) { c.QBRIntervalDays = 4000 }, "qbr_interval_days"},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
	c := DefaultConfig()
	c.Weights.Adoption, c.SLA.Low, c.Cadence.SMB = MaxWeight, MaxSLAHours, MaxDays
	if err := c.Validate(); err != nil {
		t.Errorf("the bounds themselves are valid: %v", err)
	}
}

func TestExecutionComponent(t *testing.T) {
	on := DefaultConfig()
	on.Execution = true
	// fullInputs scores 6358.33 weighted points over weights of 100; with
	// execution on, its 15 join the weights: (6358.33 + 15*exec) / 115.
	for _, tc := range []struct {
		name      string
		overdue   int
		firstDue  Date
		exec      float64
		score     int
		band      Band
		inputsHas string
	}{
		{"nothing overdue: (6358.33+1500)/115 = 68.33", 0, 0, 100, 68, Yellow, "nothing overdue"},
		{"2 overdue tasks: (6358.33+750)/115 = 61.81", 2, 0, 50, 62, Yellow, "2 overdue tasks"},
		{"1 task and a milestone: (6358.33+750)/115", 1, asOf.AddDays(-3), 50, 62, Yellow, "a plan milestone overdue since " + asOf.AddDays(-2).String()},
		{"a milestone due today is not overdue", 0, asOf, 100, 68, Yellow, "nothing overdue"},
		{"3 tasks and a milestone: 0 -> 6358.33/115 = 55.29", 3, asOf.AddDays(-1), 0, 55, Yellow, "3 overdue tasks"},
		{"never below 0", 9, asOf.AddDays(-1), 0, 55, Yellow, "9 overdue tasks"},
	} {
		in := fullInputs()
		in.OverdueTasks, in.PlanFirstDue = tc.overdue, tc.firstDue
		h := on.Explain(in, asOf)
		c := h.Components[Execution]
		if !c.HasData || !near(c.Score, tc.exec) || c.Weight != 15 {
			t.Errorf("%s: execution %+v, want %.0f at weight 15", tc.name, c, tc.exec)
		}
		if h.Score != tc.score || h.Band != tc.band {
			t.Errorf("%s: composite %d %s, want %d %s", tc.name, h.Score, h.Band, tc.score, tc.band)
		}
		if !strings.Contains(c.Inputs, tc.inputsHas) {
			t.Errorf("%s: execution inputs %q, want them to say %q", tc.name, c.Inputs, tc.inputsHas)
		}
		// Off, the same inputs score as the spec's four components do.
		if off := DefaultConfig().Score(in, asOf); off.Score != 64 || off.Components[Execution].HasData {
			t.Errorf("%s: with execution off the score is %d (execution data %v), want 64 and none", tc.name, off.Score, off.Components[Execution].HasData)
		}
	}
	// Execution alone never scores an account: an account with no other
	// data stays unknown, however its tasks stand.
	h := on.Explain(Inputs{OverdueTasks: 2}, asOf)
	if h.HasScore || h.Band != Unknown || h.Components[Execution].HasData {
		t.Errorf("execution alone gave %+v, want no score", h.Verdict)
	}
	// Closing the last task never lowers a score: no open work is 100.
	worse := fullInputs()
	worse.OverdueTasks = 1
	if a, b := on.Score(worse, asOf), on.Score(fullInputs(), asOf); a.Score > b.Score {
		t.Errorf("an overdue task scores %d, above %d without it", a.Score, b.Score)
	}
}
