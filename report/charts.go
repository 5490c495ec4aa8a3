package report

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"steward/metrics"
	"steward/store/portfolio"
)

// The series' styles. Colours are mid-tones that read on white and on a
// dark mail client's background; the patterns keep them apart in
// greyscale print.
var (
	styleNRR   = style{Class: "s-nrr", Colour: "#1c7ed6"}
	styleGRR   = style{Class: "s-grr", Colour: "#e8590c"}
	styleTotal = style{Class: "s-total", Colour: "#5c6b7a"}
	styleUp    = style{Class: "s-up", Colour: "#2f9e44"}
	styleDown  = style{Class: "s-down", Colour: "#e03131", Pattern: "hatch"}
	bandStyles = map[metrics.Band]style{
		metrics.Green:   {Class: "s-green", Colour: "#2f9e44"},
		metrics.Yellow:  {Class: "s-yellow", Colour: "#f08c00", Pattern: "dots"},
		metrics.Red:     {Class: "s-red", Colour: "#e03131", Pattern: "hatch"},
		metrics.Unknown: {Class: "s-unknown", Colour: "#adb5bd", Pattern: "cross"},
	}
	// stackBands is the order bands stack in, bottom up: red on the axis,
	// where its change is easiest to read.
	stackBands = []metrics.Band{metrics.Red, metrics.Yellow, metrics.Green, metrics.Unknown}
)

// chart is one drawn chart with its heading.
type chart struct {
	Heading string
	Note    string // a line under the chart: what it shows, or why it is empty
	SVG     template.HTML
}

// shortQuarter turns "2026-Q3" into "Q3 '26".
func shortQuarter(label string) string {
	if y, q, ok := strings.Cut(label, "-"); ok && len(y) == 4 {
		return q + " '" + y[2:]
	}
	return label
}

// shortWeek turns "2026-W48" into "W48".
func shortWeek(label string) string {
	if _, w, ok := strings.Cut(label, "-"); ok {
		return w
	}
	return label
}

// shortMonth turns "2026-12" into "Dec '26".
func shortMonth(label string) string {
	if d, err := metrics.ParseDate(label + "-01"); err == nil {
		t := d.Time()
		return t.Format("Jan") + " '" + t.Format("06")
	}
	return label
}

// compactMoney is an amount for a chart label: "$1.2M", "$350K", "$900".
func compactMoney(cents float64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "−", -cents
	}
	units := cents / 100
	sym := portfolio.CurrencySymbol(currency)
	switch {
	case units >= 999_500:
		return sign + sym + trimZero(strconv.FormatFloat(math.Round(units/1e5)/10, 'f', 1, 64)) + "M"
	case units >= 9_995:
		return sign + sym + strconv.FormatFloat(math.Round(units/1e3), 'f', 0, 64) + "K"
	case units >= 1_000:
		return sign + sym + trimZero(strconv.FormatFloat(math.Round(units/1e2)/10, 'f', 1, 64)) + "K"
	}
	return sign + sym + strconv.FormatFloat(math.Round(units), 'f', 0, 64)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

func pct1(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }

// retentionChart is NRR and GRR over the trailing quarters: NRR a solid
// line with round markers, GRR a dashed one with square markers, each
// point labelled, targets as dotted lines.
func retentionChart(id string, qs []portfolio.PeriodKPI, t portfolio.Targets) chart {
	ch := chart{Heading: "Net and gross revenue retention by quarter"}
	if len(qs) == 0 {
		ch.Note = "No quarterly figures in this report."
		return ch
	}
	labels := make([]string, len(qs))
	nrr, grr := make([]*float64, len(qs)), make([]*float64, len(qs))
	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(v *float64) {
		if v != nil {
			lo, hi = min(lo, *v), max(hi, *v)
		}
	}
	var descN, descG []string
	for i, q := range qs {
		labels[i] = shortQuarter(q.Label)
		nrr[i], grr[i] = q.NRR, q.GRR
		see(q.NRR)
		see(q.GRR)
		descN = append(descN, q.Label+" "+portfolio.Pct(q.NRR))
		descG = append(descG, q.Label+" "+portfolio.Pct(q.GRR))
	}
	see(t.NRR)
	see(t.GRR)
	if math.IsInf(lo, 1) {
		lo, hi = 0.9, 1.1
	}
	ticks := niceTicks(lo-0.01, hi+0.01, 4)
	b := box{left: 40, top: 14, right: chartW - 68, bottom: chartH - 44}
	y := linear{ticks[0], ticks[len(ticks)-1], b.bottom, b.top}
	xs, _ := bandXs(b, len(qs))
	c := canvas{id: id}
	title := "Net and gross revenue retention, last " + strconv.Itoa(len(qs)) + " quarters"
	c.open(title, "NRR: "+strings.Join(descN, ", ")+". GRR: "+strings.Join(descG, ", ")+".", nil)
	c.yAxis(b, y, ticks, func(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%" })
	c.xLabels(b, xs, labels, 1)
	for _, tg := range []struct {
		name string
		v    *float64
	}{{"NRR target", t.NRR}, {"GRR target", t.GRR}} {
		if tg.v == nil {
			continue
		}
		py := y.at(*tg.v)
		fmt.Fprintf(&c.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="target" stroke="#343a40" stroke-dasharray="1.5 2.5" stroke-width="1.2"/>`, f1(b.left), f1(py), f1(b.right), f1(py))
		// Labelled inside the plot, at its left: the right margin holds
		// the series' end labels, which a target near them would cover.
		c.text(b.left+3, py-3, "start", "muted", tg.name+" "+pct1(*tg.v))
	}
	series := []struct {
		name   string
		vals   []*float64
		st     style
		line   string
		marker string
		above  bool
	}{{"NRR", nrr, styleNRR, "solid", "circle", true}, {"GRR", grr, styleGRR, "dash", "square", false}}
	for _, s := range series {
		runs := lineRuns(s.vals, xs, y)
		for _, run := range runs {
			var d strings.Builder
			for i, p := range run {
				if i == 0 {
					d.WriteString("M")
				} else {
					d.WriteString(" L")
				}
				d.WriteString(f1(p.X) + "," + f1(p.Y))
			}
			fmt.Fprintf(&c.b, `<path d="%s" class="%s line" stroke="%s" stroke-width="2" fill="none"%s/>`, d.String(), s.st.Class, s.st.Colour, dashAttr(s.line))
		}
		last := -1
		for i, v := range s.vals {
			if v == nil {
				continue
			}
			last = i
			py := y.at(*v)
			c.marker(xs[i], py, s.marker, s.st)
			ly := py - 6
			if !s.above {
				ly = py + 13
			}
			c.text(xs[i], ly, "middle", "val", strconv.FormatFloat(*v*100, 'f', 0, 64))
		}
		if last >= 0 {
			off := -2.0
			if !s.above {
				off = 9
			}
			c.text(b.right+4, y.at(*s.vals[last])+off, "start", "strong", s.name+" "+pct1(*s.vals[last]))
		}
	}
	c.legend(chartH-8, []legendItem{
		{style: styleNRR, text: "NRR (net, with expansion)", line: "solid", marker: "circle"},
		{style: styleGRR, text: "GRR (gross)", line: "dash", marker: "square"},
	})
	ch.SVG = c.close()
	ch.Note = "Each quarter's cohort: the accounts with ARR on its first day, measured at its end (the current quarter to date). Point labels in %."
	return ch
}

// bridgeChart is the ARR bridge over the report window: start, new,
// expansion, contraction, churn, end, as a waterfall.
func bridgeChart(id string, br portfolio.ARRBridge, currency string) chart {
	ch := chart{Heading: "ARR bridge, " + br.Start.String() + " to " + br.End.String()}
	steps := []wfStep{
		{Label: "Start", Value: float64(br.StartCents), Total: true},
		{Label: "New", Value: float64(br.NewCents)},
		{Label: "Expansion", Value: float64(br.ExpansionCents)},
		{Label: "Contraction", Value: -float64(br.ContractionCents)},
		{Label: "Churn", Value: -float64(br.ChurnCents)},
		{Label: "End", Value: float64(br.EndCents), Total: true},
	}
	// The axis starts near the lowest level, not at zero: the moves are a
	// few percent of the ARR and would be slivers on a zero axis. The
	// break mark on the axis says so.
	levels := waterfallBars(steps, 0)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range levels {
		if l.Kind != "total" {
			lo, hi = min(lo, l.From), max(hi, l.From)
		}
		lo, hi = min(lo, l.To), max(hi, l.To)
	}
	span := hi - lo
	floor := max(0, lo-1.5*span)
	ticks := niceTicks(floor, hi*1.02, 4)
	if ticks[0] < 0 {
		ticks[0] = 0
	}
	broken := ticks[0] > 0
	bars := waterfallBars(steps, ticks[0])
	b := box{left: 46, top: 18, right: chartW - 8, bottom: chartH - 44}
	y := linear{ticks[0], ticks[len(ticks)-1], b.bottom, b.top}
	xs, bw := bandXs(b, len(bars))
	c := canvas{id: id}
	var desc []string
	for _, s := range steps {
		desc = append(desc, s.Label+" "+portfolio.Money(int64(s.Value), currency))
	}
	c.open("ARR bridge from "+br.Start.String()+" to "+br.End.String(), strings.Join(desc, ", ")+".", []style{styleDown})
	c.yAxis(b, y, ticks, func(v float64) string { return compactMoney(v, currency) })
	labels := make([]string, len(bars))
	for i, bar := range bars {
		labels[i] = bar.Label
		st := styleTotal
		switch bar.Kind {
		case "up":
			st = styleUp
		case "down":
			st = styleDown
		}
		top, bottom := y.at(max(bar.From, bar.To)), y.at(min(bar.From, bar.To))
		c.rect(xs[i]-bw*0.32, top, bw*0.64, bottom-top, st)
		val := compactMoney(bar.Amount, currency)
		if bar.Kind == "up" {
			val = "+" + val
		}
		c.text(xs[i], top-4, "middle", "strong", val)
		if i+1 < len(bars) {
			// The connector carries the running level to the next bar.
			py := y.at(bar.To)
			fmt.Fprintf(&c.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="conn" stroke="#868e96" stroke-dasharray="2 2"/>`, f1(xs[i]+bw*0.32), f1(py), f1(xs[i+1]-bw*0.32), f1(py))
		}
	}
	c.xLabels(b, xs, labels, 1)
	if broken {
		// Two short slanted strokes across the axis: it does not start at 0.
		fmt.Fprintf(&c.b, `<path d="M%s,%s l8,-4 M%s,%s l8,-4" class="brk" stroke="#5c636a" stroke-width="1.2"/>`, f1(b.left-4), f1(b.bottom+2), f1(b.left-4), f1(b.bottom+6))
	}
	c.legend(chartH-8, []legendItem{{style: styleTotal, text: "ARR"}, {style: styleUp, text: "added"}, {style: styleDown, text: "lost"}})
	ch.SVG = c.close()
	if broken {
		ch.Note = "The axis starts at " + compactMoney(ticks[0], currency) + ", not zero, so the moves are visible. "
	}
	ch.Note += "Start plus new and expansion, less contraction and churn, is the ARR at the end."
	return ch
}

// stacked draws stacked bars of the bands over categories.
func stacked(c *canvas, b box, labels []string, step int, values [][]float64, bands []metrics.Band, yTicks []float64, yLabel func(float64) string) ([]float64, linear, float64) {
	y := linear{yTicks[0], yTicks[len(yTicks)-1], b.bottom, b.top}
	xs, bw := bandXs(b, len(labels))
	c.yAxis(b, y, yTicks, yLabel)
	for ci, segs := range stackSegs(values, len(labels)) {
		for _, s := range segs {
			top, bottom := y.at(s.To), y.at(s.From)
			c.rect(xs[ci]-bw*0.34, top, bw*0.68, bottom-top, bandStyles[bands[s.Series]])
		}
	}
	c.xLabels(b, xs, labels, step)
	return xs, y, bw
}

func bandLegend(latest map[metrics.Band]string) []legendItem {
	var items []legendItem
	for _, bd := range []metrics.Band{metrics.Green, metrics.Yellow, metrics.Red, metrics.Unknown} {
		items = append(items, legendItem{style: bandStyles[bd], text: string(bd) + " " + latest[bd]})
	}
	return items
}

func bandStylesList() []style {
	var out []style
	for _, bd := range stackBands {
		out = append(out, bandStyles[bd])
	}
	return out
}

// bandMixChart is the band mix of each weekly snapshot: stacked bars,
// red on the axis.
func bandMixChart(id string, weeks []portfolio.BandWeek) chart {
	ch := chart{Heading: "Health bands by week, last " + strconv.Itoa(len(weeks)) + " weeks"}
	if len(weeks) == 0 {
		ch.Note = "No weekly snapshots yet: steward snapshot records one a week."
		return ch
	}
	labels := make([]string, len(weeks))
	values := make([][]float64, len(stackBands))
	for i := range values {
		values[i] = make([]float64, len(weeks))
	}
	hi := 0.0
	var desc []string
	for wi, w := range weeks {
		labels[wi] = shortWeek(w.Week)
		counts := map[metrics.Band]int{metrics.Green: w.Green, metrics.Yellow: w.Yellow, metrics.Red: w.Red, metrics.Unknown: w.Unknown}
		for si, bd := range stackBands {
			values[si][wi] = float64(counts[bd])
		}
		hi = max(hi, float64(w.Green+w.Yellow+w.Red+w.Unknown))
		desc = append(desc, fmt.Sprintf("%s green %d, yellow %d, red %d, unknown %d", w.Week, w.Green, w.Yellow, w.Red, w.Unknown))
	}
	c := canvas{id: id}
	c.open("Health band mix of the last "+strconv.Itoa(len(weeks))+" weekly snapshots", strings.Join(desc, "; ")+".", bandStylesList())
	b := box{left: 40, top: 14, right: chartW - 8, bottom: chartH - 44}
	ticks := niceTicks(0, hi, 4)
	xs, y, _ := stacked(&c, b, labels, 2, values, stackBands, ticks, func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) })
	// The red count on each bar, the figure a VP follows week to week.
	for wi, w := range weeks {
		c.text(xs[wi], y.at(float64(w.Red+w.Yellow+w.Green+w.Unknown))-3, "middle", "val", strconv.Itoa(w.Red))
	}
	last := weeks[len(weeks)-1]
	c.legend(chartH-8, bandLegend(map[metrics.Band]string{metrics.Green: strconv.Itoa(last.Green), metrics.Yellow: strconv.Itoa(last.Yellow),
		metrics.Red: strconv.Itoa(last.Red), metrics.Unknown: strconv.Itoa(last.Unknown)}))
	ch.SVG = c.close()
	ch.Note = "Accounts per band at each week's snapshot; the figure above a bar is its red count, the legend the latest week's."
	return ch
}

// renewalsChart is the ARR of the renewals due in each of the next
// months, stacked by band, with the ARR and the count over each bar.
func renewalsChart(id string, months []portfolio.RenewalMonth, currency string) chart {
	ch := chart{Heading: "Renewals due by month, next " + strconv.Itoa(len(months)) + " months"}
	if len(months) == 0 {
		ch.Note = "No renewal months in this report."
		return ch
	}
	labels := make([]string, len(months))
	values := make([][]float64, len(stackBands))
	for i := range values {
		values[i] = make([]float64, len(months))
	}
	hi := 0.0
	var desc []string
	latest := map[metrics.Band]string{}
	totals := map[metrics.Band]int64{}
	for mi, m := range months {
		labels[mi] = shortMonth(m.Month)
		var parts []string
		for si, bd := range stackBands {
			values[si][mi] = float64(m.ByBand[bd].ARRCents)
			totals[bd] += m.ByBand[bd].ARRCents
		}
		for _, bd := range metrics.Bands {
			parts = append(parts, fmt.Sprintf("%s %d", bd, m.ByBand[bd].Count))
		}
		hi = max(hi, float64(m.ARRCents))
		desc = append(desc, fmt.Sprintf("%s: %d renewals, %s (%s)", m.Month, m.Count, portfolio.Money(m.ARRCents, currency), strings.Join(parts, ", ")))
	}
	for _, bd := range metrics.Bands {
		latest[bd] = compactMoney(float64(totals[bd]), currency)
	}
	c := canvas{id: id}
	c.open("ARR of the renewals due in each of the next "+strconv.Itoa(len(months))+" months, by health band", strings.Join(desc, "; ")+".", bandStylesList())
	b := box{left: 46, top: 24, right: chartW - 8, bottom: chartH - 44}
	ticks := niceTicks(0, hi*1.05, 4)
	xs, y, _ := stacked(&c, b, labels, 1, values, stackBands, ticks, func(v float64) string { return compactMoney(v, currency) })
	for mi, m := range months {
		top := y.at(float64(m.ARRCents))
		c.text(xs[mi], top-13, "middle", "strong", compactMoney(float64(m.ARRCents), currency))
		c.text(xs[mi], top-3, "middle", "val", strconv.Itoa(m.Count)+" due")
	}
	c.legend(chartH-8, bandLegend(latest))
	ch.SVG = c.close()
	ch.Note = "ARR due per month by the account's band today; over each bar its ARR and number of renewals; the legend sums the six months."
	return ch
}
