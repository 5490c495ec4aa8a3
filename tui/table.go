package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// column describes one table column. Columns are dropped from the lowest
// priority (highest prio number) when the terminal is too narrow, and the
// flex column takes whatever width is left.
type column struct {
	title string
	min   int // narrowest useful width
	pref  int // width it gets when there is room
	flex  bool
	max   int // a flex column grows no wider than this (0: no cap) while another flex column can take the width
	right bool
	prio  int
	// last: shown only with the width the others leave once they have
	// grown to their preferred width (a figure that must not cost another
	// column its text).
	last bool
}

// cell is one rendered value; styled cells (bands, breaches) carry their
// style, which the selection highlight replaces.
type cell struct {
	text   string
	style  *lipgloss.Style
	styled bool
}

func plain(s string) cell { return cell{text: s} }

func styledCell(s string, st lipgloss.Style) cell { return cell{text: s, style: &st, styled: true} }

type rowKey struct {
	id  uint64
	sel bool
}

// table is our own small renderer (bubbles' table restyles every visible
// cell on every move and cannot colour one cell): it renders only the
// visible window and caches each rendered row string by ID and selection,
// so a cursor move re-renders at most two rows.
type table struct {
	th     *theme
	cols   []column
	widths []int // per column, 0 when hidden
	width  int
	height int // rows of data shown (header excluded)
	cursor int
	offset int
	n      int
	cache  map[rowKey]string
	header string
	// fetch returns the ID and cells of row i; set by the owning view.
	fetch func(i int) (uint64, []cell)
}

const gutter = 2 // "▸ " marks the cursor row without relying on colour

func newTable(th *theme, cols []column) table {
	return table{th: th, cols: cols, cache: map[rowKey]string{}}
}

// setSize lays the columns out for width w and h data rows.
func (t *table) setSize(w, h int) {
	if h < 1 {
		h = 1
	}
	t.height = h
	if w == t.width && t.widths != nil {
		t.clamp()
		return
	}
	t.width = w
	t.layout()
	t.invalidate()
	t.clamp()
}

func (t *table) layout() {
	t.widths = make([]int, len(t.cols))
	avail := t.width - gutter
	order := make([]int, len(t.cols))
	for i := range order {
		order[i] = i
	}
	// Stable insertion sort by priority: few columns.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && t.cols[order[j]].prio < t.cols[order[j-1]].prio; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	used := 0
	place := func(last bool) {
		for _, i := range order {
			if t.cols[i].last != last {
				continue
			}
			need := t.cols[i].min
			if used > 0 {
				need++ // the gap before it
			}
			if used+need > avail {
				continue
			}
			t.widths[i] = t.cols[i].min
			used += need
		}
	}
	// Grow visible columns toward their preferred width, by priority.
	grow := func() {
		for _, i := range order {
			if t.widths[i] == 0 {
				continue
			}
			if extra := min(t.cols[i].pref-t.widths[i], avail-used); extra > 0 {
				t.widths[i] += extra
				used += extra
			}
		}
	}
	place(false)
	grow()
	place(true)
	grow()
	// Leftover width is shared by the flex columns (names, flags, titles);
	// a capped one (names) stops at its cap, and the others take the rest.
	var flex, open []int
	for i, c := range t.cols {
		if c.flex && t.widths[i] > 0 {
			flex = append(flex, i)
			if c.max == 0 || t.widths[i] < c.max {
				open = append(open, i)
			}
		}
	}
	for len(open) > 0 && avail > used {
		share := max(1, (avail-used)/len(open))
		var next []int
		for _, i := range open {
			add := min(share, avail-used)
			if c := t.cols[i]; c.max > 0 {
				add = min(add, c.max-t.widths[i])
			}
			t.widths[i] += add
			used += add
			if c := t.cols[i]; c.max == 0 || t.widths[i] < c.max {
				next = append(next, i)
			}
		}
		open = next
	}
	if len(flex) > 0 && avail > used {
		// Every flex column is capped: the last one takes the rest anyway,
		// so rows keep the full width.
		t.widths[flex[len(flex)-1]] += avail - used
		used = avail
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", gutter))
	first := true
	for i, c := range t.cols {
		if t.widths[i] == 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(fit(c.title, t.widths[i], c.right))
	}
	t.header = t.th.ColHead.Render(fit(b.String(), t.width, false))
}

// invalidate drops cached rows: after a reload or a width change.
func (t *table) invalidate() { clear(t.cache) }

func (t *table) setRows(n int) {
	t.n = n
	t.clamp()
}

func (t *table) clamp() {
	if t.cursor >= t.n {
		t.cursor = t.n - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	if t.offset > t.cursor {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+t.height {
		t.offset = t.cursor - t.height + 1
	}
	if t.offset > t.n-t.height {
		t.offset = max(0, t.n-t.height)
	}
	if t.offset < 0 {
		t.offset = 0
	}
}

func (t *table) setCursor(i int) {
	t.cursor = i
	t.clamp()
}

// move applies a navigation key; it reports whether the key was one.
func (t *table) move(k *KeyMap, msg keyMsg) bool {
	return navigate(k, msg, &t.cursor, t.n, t.height, t.clamp)
}

func (t *table) renderRow(i int) string {
	id, cells := t.fetch(i)
	sel := i == t.cursor
	rk := rowKey{id, sel}
	if s, ok := t.cache[rk]; ok {
		return s
	}
	if len(t.cache) > 4096 {
		// Bounded: scrolling through 100,000 rows must not keep them all.
		t.invalidate()
	}
	s := t.compose(cells, sel)
	t.cache[rk] = s
	return s
}

func (t *table) compose(cells []cell, sel bool) string {
	var b strings.Builder
	b.Grow(t.width + 32)
	if sel {
		b.WriteString("▸ ")
	} else {
		b.WriteString("  ")
	}
	first := true
	for i, c := range t.cols {
		w := t.widths[i]
		if w == 0 || i >= len(cells) {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		txt := fit(cells[i].text, w, c.right)
		if cells[i].styled && !sel {
			txt = cells[i].style.Render(txt)
		}
		b.WriteString(txt)
	}
	line := b.String()
	if sel {
		line = t.th.Selected.Render(line)
	}
	return line
}

// view renders the header and the visible rows, padded to the full height.
func (t *table) view(empty string) string {
	var b strings.Builder
	b.WriteString(t.header)
	if t.n == 0 {
		b.WriteByte('\n')
		b.WriteString(t.th.Muted.Render(fit("  "+empty, t.width, false)))
		for i := 1; i < t.height; i++ {
			b.WriteByte('\n')
		}
		return b.String()
	}
	end := min(t.offset+t.height, t.n)
	for i := t.offset; i < end; i++ {
		b.WriteByte('\n')
		b.WriteString(t.renderRow(i))
	}
	for i := end - t.offset; i < t.height; i++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// rangeText is "x-y of n" for titles.
func (t *table) rangeText() string {
	if t.n == 0 {
		return "0 of 0"
	}
	return itoa(t.offset+1) + "-" + itoa(min(t.offset+t.height, t.n)) + " of " + itoa(t.n)
}
