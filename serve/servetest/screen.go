package servetest

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// screen is the little of a terminal that Bubble Tea's renderer uses:
// cursor moves, erasing, the alternate screen and printable text (colours
// are dropped). It shows what a member would see now, where the raw
// stream only shows what was redrawn.
type screen struct {
	w, h     int
	cells    [][]string
	row, col int
}

func newScreen(w, h int) *screen {
	s := &screen{w: w, h: h}
	s.clear()
	return s
}

func (s *screen) clear() {
	s.cells = make([][]string, s.h)
	for i := range s.cells {
		s.cells[i] = make([]string, s.w)
	}
}

func (s *screen) resize(w, h int) {
	old := s.cells
	s.w, s.h = w, h
	s.clear()
	for r := 0; r < min(len(old), h); r++ {
		copy(s.cells[r], old[r])
	}
	s.row, s.col = min(s.row, h-1), min(s.col, w-1)
}

func (s *screen) feed(b []byte) {
	p := ansi.NewParser()
	var state byte
	for len(b) > 0 {
		seq, width, n, st := ansi.DecodeSequence(b, state, p)
		state = st
		b = b[n:]
		switch {
		case len(seq) == 0:
		case seq[0] == '\r':
			s.col = 0
		case seq[0] == '\n':
			s.newline()
		case seq[0] == '\b':
			s.col = max(0, s.col-1)
		case seq[0] == 0x1b && len(seq) > 1 && seq[1] == '[':
			s.csi(p)
		case seq[0] < 0x20 || seq[0] == 0x1b || seq[0] == 0x7f:
		case width > 0:
			if s.col+width > s.w {
				continue // the renderer never wraps; drop what would
			}
			s.cells[s.row][s.col] = string(seq)
			for i := 1; i < width; i++ {
				s.cells[s.row][s.col+i] = ""
			}
			s.col += width
		}
	}
}

func (s *screen) newline() {
	if s.row == s.h-1 {
		s.cells = append(s.cells[1:], make([]string, s.w))
		return
	}
	s.row++
}

func (s *screen) csi(p *ansi.Parser) {
	cmd := ansi.Cmd(p.Command())
	n := func(i, def int) int {
		v, _ := p.Param(i, def)
		return max(v, def)
	}
	switch {
	case cmd.Prefix() == '?':
		if v, _ := p.Param(0, 0); v == 1049 || v == 47 || v == 1047 {
			s.clear()
			s.row, s.col = 0, 0
		}
		return
	}
	switch cmd.Final() {
	case 'H', 'f':
		s.row, s.col = min(n(0, 1), s.h)-1, min(n(1, 1), s.w)-1
	case 'A':
		s.row = max(0, s.row-n(0, 1))
	case 'B':
		s.row = min(s.h-1, s.row+n(0, 1))
	case 'C':
		s.col = min(s.w-1, s.col+n(0, 1))
	case 'D':
		s.col = max(0, s.col-n(0, 1))
	case 'G':
		s.col = min(n(0, 1), s.w) - 1
	case 'K':
		v, _ := p.Param(0, 0)
		from, to := s.col, s.w
		switch v {
		case 1:
			from, to = 0, s.col+1
		case 2:
			from = 0
		}
		for i := from; i < min(to, s.w); i++ {
			s.cells[s.row][i] = " "
		}
	case 'J':
		v, _ := p.Param(0, 0)
		if v == 2 || v == 3 {
			s.clear()
			return
		}
		for i := s.col; i < s.w; i++ {
			s.cells[s.row][i] = " "
		}
		for r := s.row + 1; r < s.h; r++ {
			s.cells[r] = make([]string, s.w)
		}
	}
}

func (s *screen) String() string {
	var b strings.Builder
	for r, line := range s.cells {
		if r > 0 {
			b.WriteByte('\n')
		}
		var l strings.Builder
		for _, c := range line {
			if c == "" {
				c = " "
			}
			l.WriteString(c)
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
	}
	return b.String()
}
