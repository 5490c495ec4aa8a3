package tui

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"steward/metrics"
)

// Every colour is adaptive (light, dark) so the dashboard reads on both
// kinds of terminal; every colour also travels with a glyph or word, so
// NO_COLOR and colour-blind users lose nothing.
var (
	colGreen  = lipgloss.AdaptiveColor{Light: "#1A7F37", Dark: "#3FB950"}
	colYellow = lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#D29922"}
	colRed    = lipgloss.AdaptiveColor{Light: "#CF222E", Dark: "#F85149"}
	colMuted  = lipgloss.AdaptiveColor{Light: "#6E7781", Dark: "#8B949E"}
	colAccent = lipgloss.AdaptiveColor{Light: "#0550AE", Dark: "#58A6FF"}
	colSelBg  = lipgloss.AdaptiveColor{Light: "#DDF4FF", Dark: "#1F3A5F"}
	colSelFg  = lipgloss.AdaptiveColor{Light: "#0A0A0A", Dark: "#F0F6FC"}
)

// theme holds every style of the program, built once.
type theme struct {
	Header    lipgloss.Style
	Tab       lipgloss.Style
	TabActive lipgloss.Style
	Title     lipgloss.Style
	ColHead   lipgloss.Style
	Selected  lipgloss.Style
	Muted     lipgloss.Style
	Section   lipgloss.Style
	Label     lipgloss.Style
	Status    lipgloss.Style
	Error     lipgloss.Style
	Warn      lipgloss.Style
	Bands     map[metrics.Band]lipgloss.Style
}

var styles = newTheme()

func newTheme() theme {
	s := lipgloss.NewStyle
	return theme{
		Header:    s().Bold(true),
		Tab:       s().Foreground(colMuted),
		TabActive: s().Bold(true).Foreground(colAccent).Underline(true),
		Title:     s().Bold(true),
		ColHead:   s().Bold(true).Foreground(colMuted),
		Selected:  s().Bold(true).Background(colSelBg).Foreground(colSelFg),
		Muted:     s().Foreground(colMuted),
		Section:   s().Bold(true).Foreground(colAccent),
		Label:     s().Foreground(colMuted),
		Status:    s().Foreground(colMuted),
		Error:     s().Bold(true).Foreground(colRed),
		Warn:      s().Foreground(colYellow),
		Bands: map[metrics.Band]lipgloss.Style{
			metrics.Green:   s().Foreground(colGreen),
			metrics.Yellow:  s().Foreground(colYellow),
			metrics.Red:     s().Bold(true).Foreground(colRed),
			metrics.Unknown: s().Foreground(colMuted),
		},
	}
}

// bandGlyph gives each band its own shape so a band reads without colour.
func bandGlyph(b metrics.Band) string {
	switch b {
	case metrics.Green:
		return "●"
	case metrics.Yellow:
		return "◆"
	case metrics.Red:
		return "■"
	}
	return "?"
}

// bandLabel is glyph and word, e.g. "■ red".
func bandLabel(b metrics.Band) string {
	if b == "" {
		b = metrics.Unknown
	}
	return bandGlyph(b) + " " + string(b)
}

func bandStyle(b metrics.Band) lipgloss.Style {
	if st, ok := styles.Bands[b]; ok {
		return st
	}
	return styles.Bands[metrics.Unknown]
}

// configureTerminal decides the colour profile and background once, before
// Bubble Tea owns the terminal: querying the background later can stall
// (under tmux especially), and NO_COLOR must mean no escape codes at all.
func configureTerminal() {
	if noColor() {
		lipgloss.SetColorProfile(termenv.Ascii)
		return
	}
	lipgloss.SetHasDarkBackground(termenv.HasDarkBackground())
}

func noColor() bool {
	_, set := os.LookupEnv("NO_COLOR")
	return set && os.Getenv("NO_COLOR") != ""
}
