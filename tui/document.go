package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// document is a scrollable block of pre-built lines for the detail
// screens: lines are built when data or width change, and View only slices
// the visible window.
type document struct {
	th     *theme
	w, h   int
	lines  []string
	offset int
}

func (d *document) setSize(w, h int) {
	d.w, d.h = w, max(1, h)
	d.clamp()
}

func (d *document) reset() { d.lines = d.lines[:0] }

// line adds styled text; callers pass user text through sanitize first,
// since styles need their escape codes intact.
func (d *document) line(s string) {
	for _, l := range strings.Split(s, "\n") {
		d.lines = append(d.lines, truncLine(l, d.w))
	}
}

func (d *document) blank() { d.lines = append(d.lines, "") }

func (d *document) title(s string) { d.line(d.th.Title.Render(truncLine(s, d.w))) }

func (d *document) section(s string) { d.line(d.th.Section.Render(truncLine(s, d.w))) }

func (d *document) kv(k, v string) {
	d.line(d.th.Label.Render(fit(k, 14, false)) + " " + v)
}

// wrap word-wraps free text (success plans, descriptions) to the width.
func (d *document) wrap(s string) {
	w := max(10, d.w-2)
	for _, para := range strings.Split(s, "\n") {
		for _, l := range strings.Split(ansi.Wordwrap(sanitize(para), w, ""), "\n") {
			d.line("  " + l)
		}
	}
}

func (d *document) clamp() {
	d.offset = min(d.offset, len(d.lines)-d.h)
	d.offset = max(d.offset, 0)
}

func (d *document) move(k *KeyMap, msg keyMsg) bool {
	top := d.offset
	// The document has no cursor: movement scrolls; treating the first
	// visible line as the cursor reuses the list keys unchanged.
	ok := navigate(k, msg, &top, max(1, len(d.lines)-d.h+1), d.h, func() {})
	d.offset = top
	d.clamp()
	return ok
}

func (d *document) view() string {
	d.clamp()
	var b strings.Builder
	end := min(d.offset+d.h, len(d.lines))
	for i := d.offset; i < d.offset+d.h; i++ {
		if i > d.offset {
			b.WriteByte('\n')
		}
		if i < end {
			b.WriteString(d.lines[i])
		}
	}
	return b.String()
}
