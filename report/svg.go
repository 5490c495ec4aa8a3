package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The charts are drawn here, by hand, as inline SVG: a report that must
// open offline and carry no script cannot use a charting library, and
// four kinds of chart are little code. Each chart is laid out first (the
// geometry functions below, which the tests check) and then written.
//
// Every chart reads in greyscale print and without colour: series differ
// by pattern, dash or marker as well as by colour, and carry direct labels
// or a legend with their latest figures (README, "The HTML report").

// Chart canvas: the viewBox every chart shares, so that two sit side by
// side on an A4 or Letter page with text at the page's small size.
const (
	chartW = 360.0
	chartH = 214.0
)

// box is a chart's plot area inside its canvas.
type box struct{ left, top, right, bottom float64 }

func (b box) width() float64  { return b.right - b.left }
func (b box) height() float64 { return b.bottom - b.top }

// linear maps a data domain [d0, d1] onto a pixel range [r0, r1].
type linear struct{ d0, d1, r0, r1 float64 }

func (s linear) at(v float64) float64 {
	if s.d1 == s.d0 {
		return (s.r0 + s.r1) / 2
	}
	return s.r0 + (v-s.d0)*(s.r1-s.r0)/(s.d1-s.d0)
}

// niceStep is the step of 1, 2 or 5 times a power of ten nearest above
// raw: axis ticks people read at a glance.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// niceTicks covers [lo, hi] with at most about n+1 ticks on a nice step;
// the first tick is at or below lo, the last at or above hi.
func niceTicks(lo, hi float64, n int) []float64 {
	if hi < lo {
		lo, hi = hi, lo
	}
	if hi == lo {
		if lo == 0 {
			hi = 1
		} else {
			lo, hi = lo-math.Abs(lo)*0.1, hi+math.Abs(hi)*0.1
		}
	}
	step := niceStep((hi - lo) / float64(max(n, 1)))
	// A tick is k steps, written as k*m / 10^-e (or k*m * 10^e) so that
	// 0.85 comes out as the double nearest 0.85, not 17*0.05.
	e := math.Floor(math.Log10(step) + 1e-9)
	m := math.Round(step / math.Pow(10, e))
	tick := func(k float64) float64 {
		if e < 0 {
			return k * m / math.Pow(10, -e)
		}
		return k * m * math.Pow(10, e)
	}
	k := math.Floor(lo/step + 1e-9)
	var ticks []float64
	for ; ; k++ {
		v := tick(k)
		ticks = append(ticks, v)
		if v >= hi-step*1e-9 || len(ticks) > 50 {
			break
		}
	}
	return ticks
}

// pt is a point on the canvas.
type pt struct{ X, Y float64 }

// lineRuns are the runs of defined points of one series: a quarter with
// no value (an empty cohort) breaks the line rather than being drawn as
// zero or bridged over.
func lineRuns(values []*float64, xs []float64, y linear) [][]pt {
	var runs [][]pt
	var cur []pt
	for i, v := range values {
		if v == nil {
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, pt{xs[i], y.at(*v)})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// bandXs are the centres of n equal bands across the plot, and each
// band's width.
func bandXs(b box, n int) ([]float64, float64) {
	if n == 0 {
		return nil, 0
	}
	w := b.width() / float64(n)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = b.left + w*(float64(i)+0.5)
	}
	return xs, w
}

// wfStep is one step of a waterfall: a total (start, end) stands on the
// axis; a move (new, expansion, contraction, churn) floats from the
// running level, up when positive and down when negative.
type wfStep struct {
	Label string
	Value float64 // a total's level, or a move's signed amount
	Total bool
}

// wfBar is one waterfall bar between two levels of the data domain.
type wfBar struct {
	Label    string
	From, To float64 // From is where the bar starts (the level before it), To where it ends
	Kind     string  // "total", "up" or "down"
	Amount   float64 // the step's value
}

// waterfallBars lays the steps out as bars: each move starts where the
// running level stands and leaves it moved; a total stands on base and
// resets the running level to its value.
func waterfallBars(steps []wfStep, base float64) []wfBar {
	out := make([]wfBar, 0, len(steps))
	level := 0.0
	for _, s := range steps {
		if s.Total {
			out = append(out, wfBar{Label: s.Label, From: base, To: s.Value, Kind: "total", Amount: s.Value})
			level = s.Value
			continue
		}
		kind := "up"
		if s.Value < 0 {
			kind = "down"
		}
		out = append(out, wfBar{Label: s.Label, From: level, To: level + s.Value, Kind: kind, Amount: s.Value})
		level += s.Value
	}
	return out
}

// stackSeg is one segment of a stacked bar, in the data domain.
type stackSeg struct {
	Series   int
	From, To float64
}

// stackSegs stacks values[series][category] bottom up in series order;
// a zero leaves no segment.
func stackSegs(values [][]float64, categories int) [][]stackSeg {
	out := make([][]stackSeg, categories)
	for c := 0; c < categories; c++ {
		level := 0.0
		for s := range values {
			v := values[s][c]
			if v <= 0 {
				continue
			}
			out[c] = append(out[c], stackSeg{Series: s, From: level, To: level + v})
			level += v
		}
	}
	return out
}

// style is how a series is drawn: its CSS class (the colour, which dark
// mode may change), the colour written into the element as well (for a
// mail client that drops the style sheet), and its pattern, if any.
type style struct {
	Class   string
	Colour  string
	Pattern string // "", "hatch", "dots", "cross"
}

// canvas writes one chart's SVG.
type canvas struct {
	id string
	b  strings.Builder
}

func f1(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// open starts the SVG with its title and description for screen readers
// (role="img" and aria-labelledby), and the patterns its styles use.
func (c *canvas) open(title, desc string, styles []style) {
	fmt.Fprintf(&c.b, `<svg class="chart" viewBox="0 0 %s %s" role="img" aria-labelledby="%s-t %s-d">`,
		f1(chartW), f1(chartH), c.id, c.id)
	fmt.Fprintf(&c.b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.id, html.EscapeString(title), c.id, html.EscapeString(desc))
	var defs strings.Builder
	for _, s := range styles {
		if s.Pattern == "" {
			continue
		}
		fmt.Fprintf(&defs, `<pattern id="%s" patternUnits="userSpaceOnUse" width="6" height="6"><rect class="%s" fill="%s" width="6" height="6"/>`,
			c.patternID(s), s.Class, s.Colour)
		switch s.Pattern {
		case "hatch":
			defs.WriteString(`<path class="ink" d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" stroke-width="1.3"/>`)
		case "dots":
			defs.WriteString(`<circle class="ink-dot" cx="3" cy="3" r="1.1" fill="#fff"/>`)
		case "cross":
			defs.WriteString(`<path class="ink" d="M0,3 h6 M3,0 v6" stroke="#fff" stroke-width="1"/>`)
		}
		defs.WriteString(`</pattern>`)
	}
	if defs.Len() > 0 {
		c.b.WriteString("<defs>" + defs.String() + "</defs>")
	}
}

func (c *canvas) patternID(s style) string { return c.id + "-" + s.Pattern + "-" + s.Class }

// fill is the fill attribute of a shape in style s.
func (c *canvas) fill(s style) string {
	if s.Pattern != "" {
		return fmt.Sprintf(`fill="url(#%s)"`, c.patternID(s))
	}
	return fmt.Sprintf(`class="%s" fill="%s"`, s.Class, s.Colour)
}

func (c *canvas) rect(x, y, w, h float64, s style) {
	if h < 0 {
		y, h = y+h, -h
	}
	fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="%s" height="%s" %s/>`, f1(x), f1(y), f1(w), f1(max(h, 0.5)), c.fill(s))
}

// text writes a label; anchor is start, middle or end; class is t (body
// text), muted or strong.
func (c *canvas) text(x, y float64, anchor, class, s string) {
	fmt.Fprintf(&c.b, `<text x="%s" y="%s" text-anchor="%s" class="%s" fill="%s">%s</text>`, f1(x), f1(y), anchor, class, textColour(class), html.EscapeString(s))
}

func textColour(class string) string {
	if class == "muted" {
		return "#5c636a"
	}
	return "#1d2125"
}

func (c *canvas) line(x1, y1, x2, y2 float64, class string) {
	fmt.Fprintf(&c.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="%s" stroke="#c9ced4"/>`, f1(x1), f1(y1), f1(x2), f1(y2), class)
}

// yAxis draws the horizontal grid lines at ticks with their labels.
func (c *canvas) yAxis(b box, y linear, ticks []float64, label func(float64) string) {
	for _, v := range ticks {
		py := y.at(v)
		c.line(b.left, py, b.right, py, "grid")
		c.text(b.left-5, py+3.5, "end", "muted", label(v))
	}
}

// xLabels writes the category labels under the plot, every step-th one.
func (c *canvas) xLabels(b box, xs []float64, labels []string, step int) {
	for i, x := range xs {
		if step > 1 && i%step != (len(xs)-1)%step {
			continue
		}
		c.text(x, b.bottom+13, "middle", "muted", labels[i])
	}
}

// legend writes swatches and their words in one row under the plot.
func (c *canvas) legend(y float64, items []legendItem) {
	x := 10.0
	for _, it := range items {
		switch {
		case it.line != "":
			fmt.Fprintf(&c.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="%s" stroke="%s" stroke-width="2"%s/>`,
				f1(x), f1(y-3.5), f1(x+16), f1(y-3.5), it.style.Class, it.style.Colour, dashAttr(it.line))
			c.marker(x+8, y-3.5, it.marker, it.style)
			x += 20
		default:
			c.rect(x, y-9, 11, 11, it.style)
			fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="11" height="11" fill="none" class="edge" stroke="#5c636a" stroke-width="0.5"/>`, f1(x), f1(y-9))
			x += 15
		}
		c.text(x, y, "start", "t", it.text)
		x += textWidth(it.text) + 12
	}
}

type legendItem struct {
	style  style
	text   string
	line   string // "solid" or "dash" for a line series
	marker string // "circle" or "square"
}

func dashAttr(line string) string {
	if line == "dash" {
		return ` stroke-dasharray="5 3"`
	}
	return ""
}

func (c *canvas) marker(x, y float64, kind string, s style) {
	if kind == "square" {
		fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="6" height="6" class="%s" fill="%s"/>`, f1(x-3), f1(y-3), s.Class, s.Colour)
		return
	}
	fmt.Fprintf(&c.b, `<circle cx="%s" cy="%s" r="3.2" class="%s" fill="%s"/>`, f1(x), f1(y), s.Class, s.Colour)
}

// textWidth estimates a label's width at the charts' 10px font: enough
// to place the next legend item without measuring glyphs.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r == ' ' || r == '.' || r == ',' || r == '%':
			w += 3.5
		case r > 0x2E80:
			w += 10
		default:
			w += 5.8
		}
	}
	return w
}

func (c *canvas) close() template.HTML {
	c.b.WriteString("</svg>")
	// The SVG is built from escaped text and numbers only (text above).
	return template.HTML(c.b.String())
}
