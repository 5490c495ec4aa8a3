package tui

import (
	"math"
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/barchart"
	"github.com/NimbleMarkets/ntcharts/canvas"
	"github.com/NimbleMarkets/ntcharts/linechart"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store/portfolio"
)

// The charts of the Trends view, the member page and the health detail
// (README, "The dashboard", Trends). ntcharts draws the marks: its bar
// chart the bars with their eighth-block tops, its line chart the lines,
// its canvas the stacked band bars. The axes, the numbers on them and
// the labels are written here, so that every figure on screen is the
// exact figure of the series (ntcharts' own axis labels are spaced by
// rows, not by values). Every chart is a block of exactly h lines of
// exactly w cells, so a view lays them side by side and never overflows.
//
// Colour is never the only carrier: the two retention lines are marked
// N and G, each band of the stacked bars has its own fill pattern, and
// each chart names its latest values in its title.

// Fill patterns of the band mix, bottom to top: the risk sits on the
// axis, where its height reads first.
var bandFills = []struct {
	band metrics.Band
	fill rune
}{
	{metrics.Red, '█'},
	{metrics.Yellow, '▒'},
	{metrics.Green, '░'},
	{metrics.Unknown, '·'},
}

func bandCount(w portfolio.BandWeek, b metrics.Band) int {
	switch b {
	case metrics.Red:
		return w.Red
	case metrics.Yellow:
		return w.Yellow
	case metrics.Green:
		return w.Green
	}
	return w.Unknown
}

// chartCell is s cut or padded to exactly w cells.
func chartCell(s string, w int) string {
	s = truncLine(s, w)
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// chartBlock pads lines to h lines of w cells.
func chartBlock(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = chartCell(l, w)
	}
	return out
}

// sideBySide joins blocks of equal height with gap spaces between them.
func sideBySide(gap int, blocks ...[]string) []string {
	if len(blocks) == 0 {
		return nil
	}
	out := make([]string, len(blocks[0]))
	sep := strings.Repeat(" ", gap)
	for i := range out {
		parts := make([]string, len(blocks))
		for j, b := range blocks {
			if i < len(b) {
				parts[j] = b[i]
			}
		}
		out[i] = strings.Join(parts, sep)
	}
	return out
}

// yAxis puts the value labels left of the plot's rows: top on the first
// row, bottom on the last, mid (when not empty) on the row it names.
// Each row gets the label column, then the axis.
func yAxis(th *theme, rows []string, labels map[int]string) []string {
	lw := 0
	for _, l := range labels {
		lw = max(lw, len(l))
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = th.Muted.Render(fit(labels[i], lw, true)+"┤") + r
	}
	return out
}

// axisWidth is how many cells the y labels and the axis take.
func axisWidth(labels ...string) int {
	lw := 0
	for _, l := range labels {
		lw = max(lw, len(l))
	}
	return lw + 1
}

// xLabels is the row under a plot of width pw starting after indent
// cells: each label at its column (cols), left to right, a label dropped
// when it would touch the one before, the last one always kept.
func xLabels(th *theme, indent, pw int, labels []string, cols []int) string {
	row := []rune(strings.Repeat(" ", pw))
	end := -2 // the last cell written
	place := func(i int, force bool) {
		l := []rune(labels[i])
		at := min(max(0, cols[i]), max(0, pw-len(l)))
		if !force && at <= end+1 {
			return
		}
		if force {
			// The last label wins over one it would touch.
			for k := max(0, at-1); k < pw; k++ {
				row[k] = ' '
			}
		}
		for k, r := range l {
			if at+k < pw {
				row[at+k] = r
			}
		}
		end = at + len(l) - 1
	}
	n := len(labels)
	if n == 0 {
		return strings.Repeat(" ", indent+pw)
	}
	last := []rune(labels[n-1])
	lastAt := min(max(0, cols[n-1]), max(0, pw-len(last)))
	for i := 0; i < n-1; i++ {
		if cols[i]+len([]rune(labels[i])) < lastAt {
			place(i, false)
		}
	}
	place(n-1, true)
	return strings.Repeat(" ", indent) + th.Muted.Render(string(row))
}

// barChart draws one series as vertical bars: a title line, the bars
// with the top of the scale (top, or the largest value when top is 0)
// and 0 on the y axis, and the labels under their bars where they fit.
// When the bars do not fit one a column, the oldest are left out.
func barChart(th *theme, w, h int, title string, labels []string, values []float64, top float64, yfmt func(float64) string, st lipgloss.Style) []string {
	lines := []string{th.Title.Render(chartCell(title, w))}
	for _, v := range values {
		top = max(top, v)
	}
	ph := h - 2
	if len(values) == 0 {
		return chartBlock(append(lines, th.Muted.Render("no data yet")), w, h)
	}
	if ph < 2 {
		return chartBlock(lines, w, h)
	}
	topLabel, zero := yfmt(top), yfmt(0)
	aw := axisWidth(topLabel, zero)
	pw := w - aw
	if pw < 2 {
		return chartBlock(lines, w, h)
	}
	if len(values) > pw {
		values, labels = values[len(values)-pw:], labels[len(labels)-pw:]
	}
	n := len(values)
	bw, gap := barLayout(pw, n)
	data := make([]barchart.BarData, n)
	for i, v := range values {
		data[i] = barchart.BarData{Values: []barchart.BarValue{{Value: max(0, v), Style: st}}}
	}
	maxV := top
	if maxV <= 0 {
		maxV = 1
	}
	bc := barchart.New(pw, ph, barchart.WithNoAxis(), barchart.WithNoAutoBarWidth(), barchart.WithBarWidth(bw),
		barchart.WithBarGap(gap), barchart.WithNoAutoMaxValue(), barchart.WithMaxValue(maxV), barchart.WithDataSet(data))
	bc.Draw()
	rows := strings.Split(bc.View(), "\n")
	lines = append(lines, yAxis(th, rows, map[int]string{0: topLabel, len(rows) - 1: zero})...)
	cols := make([]int, n)
	for i := range cols {
		cols[i] = i * (bw + gap)
	}
	lines = append(lines, xLabels(th, aw, pw, labels, cols))
	return chartBlock(lines, w, h)
}

// The small charts of the member page and the health detail: a row of
// charts smallChartH lines high, each at least smallChartW wide, on a
// page at least smallChartsPageH lines high (below that the page's own
// sections need the room).
const (
	smallChartH      = 7
	smallChartW      = 28
	smallChartsPageH = 30
)

// smallCharts adds as many of charts as fit side by side on d, and a
// blank line after them; nothing when the page is short.
func smallCharts(d *document, charts []func(w, h int) []string, w, h int) {
	n := min(len(charts), (w+2)/(smallChartW+2))
	if h < smallChartsPageH || n == 0 {
		return
	}
	cw := (w - 2*(n-1)) / n
	blocks := make([][]string, n)
	for i := range blocks {
		blocks[i] = charts[i](cw, smallChartH)
	}
	for _, l := range sideBySide(2, blocks...) {
		d.line(l)
	}
	d.blank()
}

// barLayout is the width of each of n bars in pw columns and the gap
// between them: one column apart when they fit so, two when there is room.
func barLayout(pw, n int) (bw, gap int) {
	if pw < 2*n-1 {
		return max(1, pw/n), 0
	}
	// Bars wider than four columns read as blocks, not bars.
	bw = min(4, (pw-(n-1))/n)
	gap = 1
	if n > 1 && pw-n*bw >= 2*(n-1) {
		gap = 2
	}
	return bw, gap
}

// bandChart stacks each week's band counts, red on the axis, each band
// in its colour and its own fill pattern, with the legend on the last
// line.
func bandChart(th *theme, w, h int, title string, weeks []portfolio.BandWeek) []string {
	lines := []string{th.Title.Render(chartCell(title, w))}
	if len(weeks) == 0 {
		return chartBlock(append(lines, th.Muted.Render("no weekly snapshot yet")), w, h)
	}
	legend := bandLegend(th, w)
	ph := h - 3
	top := 0
	for _, wk := range weeks {
		top = max(top, wk.Green+wk.Yellow+wk.Red+wk.Unknown)
	}
	topLabel := itoa(top)
	aw := axisWidth(topLabel, "0")
	pw := w - aw
	if ph < 2 || pw < 2 {
		return chartBlock(append(lines, legend), w, h)
	}
	if len(weeks) > pw {
		weeks = weeks[len(weeks)-pw:]
	}
	n := len(weeks)
	bw, gap := barLayout(pw, n)
	c := canvas.New(pw, ph)
	for i, wk := range weeks {
		cum, prev := 0, 0
		for _, f := range bandFills {
			k := bandCount(wk, f.band)
			cum += k
			// Cumulative rounding: the bar's total height is its total,
			// and no band is drawn over another. A band with any account
			// keeps at least one row while the bar has room: ten red
			// accounts of 140 round to none in seven rows, and red is the
			// band a manager looks for.
			hgt := 0
			if top > 0 {
				hgt = int(math.Round(float64(cum) * float64(ph) / float64(top)))
			}
			if k > 0 && hgt <= prev && prev < ph {
				hgt = prev + 1
			}
			cell := canvas.NewCellWithStyle(f.fill, th.band(f.band))
			for y := prev; y < hgt; y++ {
				for x := 0; x < bw; x++ {
					c.SetCell(canvas.Point{X: i*(bw+gap) + x, Y: ph - 1 - y}, cell)
				}
			}
			prev = max(prev, hgt)
		}
	}
	rows := strings.Split(c.View(), "\n")
	lines = append(lines, yAxis(th, rows, map[int]string{0: topLabel, len(rows) - 1: "0"})...)
	labels, cols := make([]string, n), make([]int, n)
	for i, wk := range weeks {
		labels[i], cols[i] = weekShort(wk.Week), i*(bw+gap)
	}
	lines = append(lines, xLabels(th, aw, pw, labels, cols))
	lines = append(lines, legend)
	return chartBlock(lines, w, h)
}

// bandLegend names each band's fill, in words when they fit in w, else
// by initial.
func bandLegend(th *theme, w int) string {
	for _, short := range []bool{false, true} {
		parts, width := make([]string, 0, len(bandFills)), len(bandFills)-1
		for _, f := range bandFills {
			name := string(f.band)
			if short {
				name = strings.ToUpper(name[:1])
			}
			width += 2 + len(name)
			parts = append(parts, th.band(f.band).Render(string(f.fill)+" "+name))
		}
		if width <= w || short {
			return strings.Join(parts, " ")
		}
	}
	return ""
}

// retentionChart draws NRR and GRR per quarter as two lines, each point
// marked with its letter (N, G; B where they meet), 100% as a dotted
// reference when it is in range, the range's ends on the y axis and the
// quarters under their points.
func retentionChart(th *theme, w, h int, title string, qs []portfolio.PeriodKPI) []string {
	lines := []string{th.Title.Render(chartCell(title, w))}
	lo, hi, any := math.Inf(1), math.Inf(-1), false
	for _, q := range qs {
		for _, v := range []*float64{q.NRR, q.GRR} {
			if v != nil {
				lo, hi, any = math.Min(lo, *v), math.Max(hi, *v), true
			}
		}
	}
	nrrStyle, grrStyle := th.Section, th.Warn
	legend := nrrStyle.Render("N─ NRR") + " " + grrStyle.Render("G· GRR") + th.Muted.Render(" (B both)")
	if !any {
		return chartBlock(append(lines, th.Muted.Render("no quarter with a cohort yet")), w, h)
	}
	// The range in whole tens of percent, around the data.
	lo = math.Floor(lo*10+1e-9) / 10
	hi = math.Ceil(hi*10-1e-9) / 10
	if hi <= lo {
		hi = lo + 0.1
	}
	ph := h - 3
	topLabel, botLabel := pctOf(hi), pctOf(lo)
	aw := axisWidth(topLabel, botLabel, "100%")
	pw := w - aw
	n := len(qs)
	if ph < 2 || pw < 2*n-1 {
		return chartBlock(append(lines, legend), w, h)
	}
	lc := linechart.New(pw, ph, 0, float64(max(1, n-1)), lo*100, hi*100, linechart.WithXYSteps(0, 0))
	rowOf := func(v float64) int {
		return ph - 1 - int(math.Round((v-lo)/(hi-lo)*float64(ph-1)))
	}
	labels := map[int]string{0: topLabel, ph - 1: botLabel}
	if lo < 1 && hi > 1 {
		lc.DrawRuneLineWithStyle(canvas.Float64Point{X: 0, Y: 100}, canvas.Float64Point{X: float64(max(1, n-1)), Y: 100}, '┈', th.Muted)
		if r := rowOf(1); labels[r] == "" {
			labels[r] = "100%"
		}
	}
	pt := func(i int, v float64) canvas.Float64Point { return canvas.Float64Point{X: float64(i), Y: v * 100} }
	series := []struct {
		vals  func(q portfolio.PeriodKPI) *float64
		line  func(a, b canvas.Float64Point)
		mark  rune
		style lipgloss.Style
	}{
		{func(q portfolio.PeriodKPI) *float64 { return q.GRR }, func(a, b canvas.Float64Point) { lc.DrawRuneLineWithStyle(a, b, '·', grrStyle) }, 'G', grrStyle},
		{func(q portfolio.PeriodKPI) *float64 { return q.NRR }, func(a, b canvas.Float64Point) { lc.DrawRuneLineWithStyle(a, b, '─', nrrStyle) }, 'N', nrrStyle},
	}
	for _, s := range series {
		for i := 1; i < n; i++ {
			if a, b := s.vals(qs[i-1]), s.vals(qs[i]); a != nil && b != nil {
				s.line(pt(i-1, *a), pt(i, *b))
			}
		}
	}
	for i, q := range qs {
		for _, s := range series {
			if v := s.vals(q); v != nil {
				mark := s.mark
				if q.NRR != nil && q.GRR != nil && rowOf(*q.NRR) == rowOf(*q.GRR) {
					mark = 'B'
				}
				lc.DrawRuneWithStyle(pt(i, *v), mark, s.style)
			}
		}
	}
	rows := strings.Split(lc.View(), "\n")
	lines = append(lines, yAxis(th, rows, labels)...)
	xl, cols := make([]string, n), make([]int, n)
	for i, q := range qs {
		xl[i] = quarterShort(q.Label)
		if n > 1 {
			cols[i] = int(math.Round(float64(i) * float64(pw-1) / float64(n-1)))
		}
	}
	// A quarter's label starts at its point, and the last ends there.
	if n > 1 {
		cols[n-1] -= len(xl[n-1]) - 1
	}
	lines = append(lines, xLabels(th, aw, pw, xl, cols))
	lines = append(lines, legend)
	return chartBlock(lines, w, h)
}

// pickTitle is the first of titles that fits in w cells (the last, cut,
// when none does): a chart names its latest figures in full where there
// is room, in fewer words where there is not, never cut mid-figure.
func pickTitle(w int, titles ...string) string {
	for _, t := range titles {
		if ansi.StringWidth(t) <= w {
			return t
		}
	}
	return titles[len(titles)-1]
}

// pctOf is a fraction as a whole percentage.
func pctOf(v float64) string { return strconv.Itoa(int(math.Round(v*100))) + "%" }

// ratioOf is an optional fraction as a metrics.Ratio, for pct.
func ratioOf(v *float64) metrics.Ratio {
	if v == nil {
		return metrics.Ratio{}
	}
	return metrics.Ratio{V: *v, OK: true}
}

// quarterShort is "2026-Q3" as "Q3'26".
func quarterShort(label string) string {
	if len(label) == 7 && label[4] == '-' && label[5] == 'Q' {
		return label[5:] + "'" + label[2:4]
	}
	return label
}

// weekShort is "2026-W48" as "W48".
func weekShort(label string) string {
	if i := strings.LastIndexByte(label, 'W'); i >= 0 {
		return label[i:]
	}
	return label
}

// monthShort is "2026-11" as "Nov".
func monthShort(label string) string {
	if len(label) == 7 && label[4] == '-' {
		if m, err := strconv.Atoi(label[5:]); err == nil && m >= 1 && m <= 12 {
			return [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[m-1]
		}
	}
	return label
}

// arrChart is the ARR at the end of each month, the latest in the title.
func arrChart(th *theme, w, h int, months []portfolio.MonthARR, cur string) []string {
	labels, vals := make([]string, len(months)), make([]float64, len(months))
	title := "ARR by month"
	for i, m := range months {
		labels[i], vals[i] = monthShort(m.Month), float64(m.ARRCents)
	}
	if n := len(months); n > 0 {
		latest := monthShort(months[n-1].Month) + " " + money(months[n-1].ARRCents, cur)
		title = pickTitle(w, title+" · "+latest, "ARR · "+latest)
	}
	return barChart(th, w, h, title, labels, vals, 0, func(v float64) string { return money(int64(v), cur) }, th.Section)
}

// retentionTitle names the latest quarter's NRR and GRR, in w cells.
func retentionTitle(w int, qs []portfolio.PeriodKPI) string {
	title := "NRR/GRR by quarter"
	if n := len(qs); n > 0 {
		q := qs[n-1]
		latest := quarterShort(q.Label) + " NRR " + pct(ratioOf(q.NRR)) + " GRR " + pct(ratioOf(q.GRR))
		title = pickTitle(w, title+" · "+latest, "NRR/GRR · "+latest, latest)
	}
	return title
}

// bandTitle names the latest week's count of each band, by glyph, in w
// cells.
func bandTitle(w int, weeks []portfolio.BandWeek) string {
	title := "Band mix by week"
	if n := len(weeks); n > 0 {
		wk := weeks[n-1]
		latest := weekShort(wk.Week)
		for _, f := range bandFills {
			if c := bandCount(wk, f.band); c > 0 || f.band != metrics.Unknown {
				latest += " " + bandGlyph(f.band) + itoa(c)
			}
		}
		title = pickTitle(w, title+" · "+latest, "Bands · "+latest)
	}
	return title
}
