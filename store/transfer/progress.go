package transfer

import (
	"fmt"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/progress"
)

// Progress draws an import's progress on a terminal: one line, redrawn in
// place at most ten times a second, with the phase (checking, then
// writing), rows read, megabytes, the share of the file and the rate. Use
// its Update as ImportOptions.Progress and call Done before printing the
// summary. Without a terminal, do not use it: print ImportResult.Summary
// alone.
type Progress struct {
	w        io.Writer
	size     int64 // file size, for the percentage; 0 = unknown
	start    time.Time
	last     time.Time
	lastRows int
	phase    string
	drawn    bool
	bar      progress.Model
}

// NewProgress returns a progress line writing to w for a file of size bytes.
func NewProgress(w io.Writer, size int64) *Progress {
	bar := progress.New(progress.WithWidth(20), progress.WithoutPercentage(), progress.WithSolidFill("6"))
	return &Progress{w: w, size: size, start: time.Now(), phase: "checking", bar: bar}
}

// Update is an ImportOptions.Progress callback.
func (p *Progress) Update(rows int, bytesRead int64) {
	now := time.Now()
	if rows < p.lastRows {
		// The second pass starts over: the rows are now being written.
		p.phase, p.start = "writing", now
	}
	p.lastRows = rows
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	rate := 0.0
	if s := now.Sub(p.start).Seconds(); s > 0 {
		rate = float64(rows) / s
	}
	pct := ""
	if p.size > 0 {
		f := float64(bytesRead) / float64(p.size)
		if f > 1 {
			f = 1
		}
		pct = fmt.Sprintf(" %s %3.0f%%", p.bar.ViewAs(f), f*100)
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s%s  %d rows  %.1f MB  %.0f rows/s", p.phase, pct, rows, float64(bytesRead)/1e6, rate)
	p.drawn = true
}

// Done clears the progress line.
func (p *Progress) Done() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
