package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"steward/store/portfolio"
)

func chartTheme() *theme { return newTheme(lipgloss.DefaultRenderer()) } // Ascii: TestMain

func fptr(v float64) *float64 { return &v }

func sampleQuarters() []portfolio.PeriodKPI {
	return []portfolio.PeriodKPI{
		{Label: "2025-Q1", NRR: fptr(1.02), GRR: fptr(0.91)},
		{Label: "2025-Q2", NRR: fptr(1.05), GRR: fptr(0.93)},
		{Label: "2025-Q3"}, // an empty cohort: no point
		{Label: "2025-Q4", NRR: fptr(0.97), GRR: fptr(0.88)},
	}
}

func sampleWeeks() []portfolio.BandWeek {
	return []portfolio.BandWeek{
		{Week: "2026-W46", Green: 6, Yellow: 2, Red: 2},
		{Week: "2026-W47", Green: 5, Yellow: 3, Red: 2},
		{Week: "2026-W48", Green: 4, Yellow: 3, Red: 3, Unknown: 0},
	}
}

// Every chart is exactly h lines of exactly w cells at any size, the
// tiny ones included: a view lays them side by side on that promise.
func TestChartsKeepTheirSize(t *testing.T) {
	th := chartTheme()
	months := []portfolio.MonthARR{{Month: "2026-10", ARRCents: 100_000_00}, {Month: "2026-11", ARRCents: 120_000_00}}
	for w := 0; w <= 70; w++ {
		for h := 0; h <= 14; h++ {
			for name, lines := range map[string][]string{
				"retention": retentionChart(th, w, h, "NRR/GRR", sampleQuarters()),
				"bars":      arrChart(th, w, h, months, "USD"),
				"bands":     bandChart(th, w, h, "Bands", sampleWeeks()),
				"empty":     bandChart(th, w, h, "Bands", nil),
				"no cohort": retentionChart(th, w, h, "NRR/GRR", []portfolio.PeriodKPI{{Label: "2026-Q3"}, {Label: "2026-Q4"}}),
				"no bars":   barChart(th, w, h, "Open", nil, nil, 0, func(v float64) string { return itoa(int(v)) }, th.Error),
				"all zero":  barChart(th, w, h, "Open", []string{"W1", "W2"}, []float64{0, 0}, 0, func(v float64) string { return itoa(int(v)) }, th.Error),
				"one point": retentionChart(th, w, h, "NRR/GRR", sampleQuarters()[:1]),
			} {
				if len(lines) != h {
					t.Fatalf("%s at %dx%d: %d lines", name, w, h, len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) != w {
						t.Fatalf("%s at %dx%d: line %q is %d wide", name, w, h, l, ansi.StringWidth(l))
					}
				}
			}
		}
	}
}

// The retention chart: the range in tens of percent around the data
// (88%..105% gives 80%..110%), 100% marked, each quarter's N and G on the
// row its value falls on, the quarters named under them, the legend.
func TestRetentionChartPlacesEachPoint(t *testing.T) {
	th := chartTheme()
	const w, h = 40, 10
	lines := retentionChart(th, w, h, "NRR/GRR", sampleQuarters())
	ph := h - 3 // title, quarters, legend
	rowOf := func(v float64) int { return 1 + ph - 1 - int(float64(ph-1)*(v-0.8)/(1.1-0.8)+0.5) }
	mustContain(t, lines[1], "110%┤")
	mustContain(t, lines[ph], "80%┤")
	mustContain(t, lines[rowOf(1.0)], "100%┤")
	mustContain(t, lines[h-2], "Q1'25", "Q2'25", "Q4'25")
	mustContain(t, lines[h-1], "N─ NRR", "G· GRR")
	count := func(r rune) (n int) {
		for _, l := range lines[1 : 1+ph] {
			n += strings.Count(l, string(r))
		}
		return n
	}
	if count('N') != 3 || count('G') != 3 {
		t.Fatalf("want 3 N and 3 G marks (Q3 has no cohort):\n%s", strings.Join(lines, "\n"))
	}
	for _, q := range sampleQuarters() {
		if q.NRR == nil {
			continue
		}
		if !strings.Contains(lines[rowOf(*q.NRR)], "N") || !strings.Contains(lines[rowOf(*q.GRR)], "G") {
			t.Fatalf("%s: N not on row %d or G not on row %d:\n%s", q.Label, rowOf(*q.NRR), rowOf(*q.GRR), strings.Join(lines, "\n"))
		}
	}
}

// Stacked bands under NO_COLOR: no escape code, each band its own fill,
// red on the axis, the heights in proportion to the counts (10 accounts
// on 10 rows: a row an account), the legend naming each fill.
func TestBandChartReadsWithoutColour(t *testing.T) {
	th := chartTheme()
	lines := bandChart(th, 34, 13, "Band mix", sampleWeeks())
	out := strings.Join(lines, "\n")
	if strings.Contains(out, "\x1b[") {
		t.Fatalf("escape codes under the Ascii profile:\n%s", out)
	}
	mustContain(t, lines[12], "█ red", "▒ yellow", "░ green", "· unknown")
	mustContain(t, lines[1], "10┤")
	mustContain(t, lines[10], " 0┤")
	mustContain(t, lines[11], "W46", "W48")
	// The last week (4 green, 3 yellow, 3 red) is the last bar: its
	// column reads, bottom up, three █, three ▒, four ░.
	col := -1
	for i, r := range []rune(lines[10]) {
		if r == '█' {
			col = i
		}
	}
	var stack []rune
	for y := 10; y >= 1; y-- {
		stack = append(stack, []rune(lines[y])[col])
	}
	if got := string(stack); got != "███▒▒▒░░░░" {
		t.Fatalf("last bar bottom up = %q:\n%s", got, out)
	}
}

// A bar chart's top label is the largest value and 0 the floor; a bar of
// half the largest is half as high.
func TestBarChartScalesToItsMaximum(t *testing.T) {
	th := chartTheme()
	lines := barChart(th, 20, 10, "Open", []string{"W1", "W2"}, []float64{4, 8}, 0, func(v float64) string { return itoa(int(v)) }, th.Error)
	mustContain(t, lines[1], "8┤")
	mustContain(t, lines[8], "0┤")
	height := func(col int) (n int) {
		for _, l := range lines[1:9] {
			if []rune(l)[col] == '█' {
				n++
			}
		}
		return n
	}
	first, second := -1, -1
	for i, r := range []rune(lines[8]) {
		if r == '█' && first < 0 {
			first = i
		}
		if r == '█' {
			second = i
		}
	}
	if height(first) != 4 || height(second) != 8 {
		t.Fatalf("heights %d and %d, want 4 and 8:\n%s", height(first), height(second), strings.Join(lines, "\n"))
	}
	mustContain(t, lines[9], "W1", "W2")
	// On a fixed scale of 16, the 8 is half as high as the plot.
	lines = barChart(th, 20, 10, "Open", []string{"W1", "W2"}, []float64{4, 8}, 16, func(v float64) string { return itoa(int(v)) }, th.Error)
	mustContain(t, lines[1], "16┤")
	for i, r := range []rune(lines[8]) {
		if r == '█' {
			second = i
		}
	}
	if height(second) != 4 {
		t.Fatalf("8 of 16 is %d rows of 8:\n%s", height(second), strings.Join(lines, "\n"))
	}
}

// A band with any account keeps a row of its own: 10 red of 140 in seven
// rows would round to none, and the red accounts are the ones a manager
// looks for.
func TestBandChartKeepsASmallBand(t *testing.T) {
	th := chartTheme()
	weeks := []portfolio.BandWeek{{Week: "2026-W48", Green: 95, Yellow: 35, Red: 10}}
	lines := bandChart(th, 20, 10, "Band mix", weeks) // 7 rows of plot
	var stack []rune
	col := -1
	for i, r := range []rune(lines[7]) {
		if r == '█' || r == '▒' {
			col = i
			break
		}
	}
	if col < 0 {
		t.Fatalf("no bar on the axis row:\n%s", strings.Join(lines, "\n"))
	}
	for y := 7; y >= 1; y-- {
		stack = append(stack, []rune(lines[y])[col])
	}
	// Red 10 rounds to 0 rows but keeps 1; yellow's top at 45/140 of 7
	// rows is 2, green fills to 7.
	if got := string(stack); got != "█▒░░░░░" {
		t.Fatalf("the bar bottom up = %q:\n%s", got, strings.Join(lines, "\n"))
	}
}
