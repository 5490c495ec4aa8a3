package tui

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// display puts the dashboard's frames on the terminal, in place of Bubble
// Tea's renderer (README, "Performance", idle). That renderer wakes 60
// times a second to compare the last frame with the one before, which
// kept an untouched dashboard at over 1% of a core, and a key's frame
// waited for its next tick. display writes a frame when View makes it, on
// the event loop, and only the lines that differ from the terminal's: a
// key is drawn at once, and nothing runs while nothing happens.
type display struct {
	out   io.Writer
	w, h  int
	lines []string // what the terminal shows, one string a row
	clear bool     // the next frame starts from an erased screen
	buf   bytes.Buffer
}

// Terminal modes the dashboard runs in: the alternate screen (the shell's
// screen comes back on exit), no cursor, bracketed paste (so a pasted
// text arrives as one message, not as keys).
const (
	displayOpen  = ansi.SetModeAltScreenSaveCursor + ansi.EraseEntireScreen + ansi.CursorHomePosition + ansi.HideCursor + ansi.SetModeBracketedPaste
	displayClose = ansi.ResetModeBracketedPaste + ansi.ShowCursor + ansi.ResetModeAltScreenSaveCursor
)

func newDisplay(out io.Writer) *display { return &display{out: out} }

func (s *display) open()  { io.WriteString(s.out, displayOpen) }
func (s *display) close() { io.WriteString(s.out, displayClose) }

// resize starts over: a terminal reflows or crops what it showed, so the
// rows on it are no longer known.
func (s *display) resize(w, h int) {
	s.w, s.h = w, h
	s.lines, s.clear = nil, true
}

// draw shows frame: rows below the terminal's height are cut, rows wider
// than it are truncated, and only rows that changed are written, in one
// write.
func (s *display) draw(frame string) {
	lines := strings.Split(frame, "\n")
	if s.h > 0 && len(lines) > s.h {
		lines = lines[:s.h]
	}
	s.buf.Reset()
	if s.clear {
		s.buf.WriteString(ansi.EraseEntireScreen)
		s.clear = false
	}
	for i, l := range lines {
		if i < len(s.lines) && s.lines[i] == l {
			continue
		}
		s.buf.WriteString(ansi.CursorPosition(1, i+1))
		if s.w > 0 {
			l = ansi.Truncate(l, s.w, "")
		}
		s.buf.WriteString(l)
		if s.w <= 0 || ansi.StringWidth(l) < s.w {
			s.buf.WriteString(ansi.EraseLineRight)
		}
	}
	if len(s.lines) > len(lines) {
		s.buf.WriteString(ansi.CursorPosition(1, len(lines)+1))
		s.buf.WriteString(ansi.EraseScreenBelow)
	}
	s.lines = lines
	if s.buf.Len() > 0 {
		_, _ = s.out.Write(s.buf.Bytes())
	}
}
