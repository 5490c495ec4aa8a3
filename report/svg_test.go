package report

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 150, 4, []float64{0, 50, 100, 150}},
		{0, 143, 4, []float64{0, 50, 100, 150}},
		{0.89, 1.08, 4, []float64{0.85, 0.9, 0.95, 1, 1.05, 1.1}},
		{8e8, 1.42e9, 4, []float64{8e8, 1e9, 1.2e9, 1.4e9, 1.6e9}},
		{0, 0, 4, []float64{0, 0.5, 1}},
	} {
		if got := niceTicks(c.lo, c.hi, c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("niceTicks(%v, %v, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
	}
}

func TestLinear(t *testing.T) {
	y := linear{d0: 0.8, d1: 1.2, r0: 200, r1: 0} // pixels grow downwards
	for v, want := range map[float64]float64{0.8: 200, 1.2: 0, 1.0: 100, 1.1: 50} {
		if got := y.at(v); math.Abs(got-want) > 1e-9 {
			t.Errorf("at(%v) = %v, want %v", v, got, want)
		}
	}
}

// A quarter with no cohort breaks the line in two; it is not drawn as 0.
func TestLineRunsBreakAtAGap(t *testing.T) {
	y := linear{0, 2, 100, 0}
	runs := lineRuns([]*float64{fp(1), fp(1.5), nil, fp(0.5)}, []float64{10, 20, 30, 40}, y)
	want := [][]pt{{{10, 50}, {20, 25}}, {{40, 75}}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("runs = %v, want %v", runs, want)
	}
	if got := lineRuns([]*float64{nil, nil}, []float64{1, 2}, y); got != nil {
		t.Errorf("all gaps gives %v, want no run", got)
	}
}

// The waterfall's moves float from the running level, and the end stands
// where start + new + expansion - contraction - churn left it.
func TestWaterfallBars(t *testing.T) {
	steps := []wfStep{{"Start", 1000, true}, {"New", 100, false}, {"Expansion", 50, false},
		{"Contraction", -30, false}, {"Churn", -20, false}, {"End", 1100, true}}
	got := waterfallBars(steps, 800)
	want := []wfBar{
		{"Start", 800, 1000, "total", 1000},
		{"New", 1000, 1100, "up", 100},
		{"Expansion", 1100, 1150, "up", 50},
		{"Contraction", 1150, 1120, "down", -30},
		{"Churn", 1120, 1100, "down", -20},
		{"End", 800, 1100, "total", 1100},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("bars =\n%v\nwant\n%v", got, want)
	}
	if got[4].To != got[5].To {
		t.Errorf("the last move ends at %v, the end bar at %v", got[4].To, got[5].To)
	}
}

func TestStackSegs(t *testing.T) {
	// Two series over three categories; a zero leaves no segment.
	got := stackSegs([][]float64{{1, 0, 3}, {2, 5, 0}}, 3)
	want := [][]stackSeg{{{0, 0, 1}, {1, 1, 3}}, {{1, 0, 5}}, {{0, 0, 3}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("segments = %v, want %v", got, want)
	}
}

func TestCompactMoney(t *testing.T) {
	for cents, want := range map[float64]string{
		0: "$0", 90_000: "$900", 150_000: "$1.5K", 999_000: "$10K", 35_000_000: "$350K",
		99_950_000: "$1M", 125_000_000: "$1.3M", -70_200_000: "−$702K", 1_250_000_000: "$12.5M",
	} {
		if got := compactMoney(cents, "USD"); got != want {
			t.Errorf("compactMoney(%v) = %q, want %q", cents, got, want)
		}
	}
	if got := compactMoney(120_000_000, "CHF"); got != "CHF 1.2M" {
		t.Errorf("CHF: %q", got)
	}
}

func TestShortLabels(t *testing.T) {
	if got := shortQuarter("2026-Q3"); got != "Q3 '26" {
		t.Errorf("shortQuarter: %q", got)
	}
	if got := shortWeek("2026-W48"); got != "W48" {
		t.Errorf("shortWeek: %q", got)
	}
	if got := shortMonth("2027-01"); got != "Jan '27" {
		t.Errorf("shortMonth: %q", got)
	}
}

// Each chart's SVG: a title and description for screen readers, text
// labels (every figure in words too), and each series with its pattern.
func TestChartsCarryTheirData(t *testing.T) {
	r := sampleReport()
	cs := charts(r)
	if len(cs) != 4 {
		t.Fatalf("%d charts, want 4", len(cs))
	}
	for i, want := range [][]string{
		// NRR and GRR: the last quarter labelled at the line's end, the
		// empty quarter written n/a in the description, the targets drawn.
		{"NRR 107.2%", "GRR 91.2%", "2025-Q3 n/a", "NRR target 105.0%", "GRR target 92.0%", `stroke-dasharray="5 3"`},
		// The bridge: each step's amount, signed; the end to the cent in
		// the description.
		{"+$162K", "+$1.9M", "−$310K", "−$702K", "$12.5M", "End $12,500,000", "url(#c2-hatch-s-down)"},
		// The band mix: the latest week in the legend, patterns per band.
		{"green 90", "yellow 32", "red 15", "unknown 6", "2026-W48 green 90, yellow 32, red 15, unknown 6", "url(#c3-dots-s-yellow)", "url(#c3-hatch-s-red)"},
		// Renewals: ARR and count over each bar, an empty month as such.
		{"$1.2M", "12 due", "0 due", "Dec &#39;26", "2027-02: 0 renewals, $0", "green $2.8M"},
	} {
		svg := string(cs[i].SVG)
		if !strings.HasPrefix(svg, `<svg class="chart" viewBox="0 0 360 214" role="img" aria-labelledby="c`) || !strings.Contains(svg, "<title id=") || !strings.Contains(svg, "<desc id=") {
			t.Errorf("chart %d has no accessible title and description: %.200s", i+1, svg)
		}
		for _, w := range want {
			if !strings.Contains(svg, w) {
				t.Errorf("chart %d (%s) lacks %q", i+1, cs[i].Heading, w)
			}
		}
	}
}

// The bridge's axis starts above zero when the moves are small beside
// the ARR, and the chart says so.
func TestBridgeAxisBreak(t *testing.T) {
	r := sampleReport()
	ch := bridgeChart("x", r.Trends.Bridge, "USD")
	if !strings.Contains(ch.Note, "not zero") || !strings.Contains(string(ch.SVG), `class="brk"`) {
		t.Errorf("no axis break on a bridge whose moves are 5-15%% of its ARR: %q", ch.Note)
	}
	// Moves as large as the ARR: the axis starts at zero.
	big := r.Trends.Bridge
	big.StartCents, big.NewCents, big.ExpansionCents, big.ContractionCents, big.ChurnCents, big.EndCents = 100, 200, 0, 0, 50, 250
	ch = bridgeChart("y", big, "USD")
	if strings.Contains(ch.Note, "not zero") || strings.Contains(string(ch.SVG), `class="brk"`) {
		t.Errorf("an axis break on a bridge that starts at zero: %q", ch.Note)
	}
}
