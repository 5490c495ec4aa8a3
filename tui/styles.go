package tui

import (
	"os"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
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

// theme holds every style of one Model, built once from that Model's
// renderer: served over SSH, each session has its own client's colour
// profile and background, so no style may come from lipgloss's default
// renderer (the process's own terminal). The styles are values and the
// theme is never changed after newTheme, so views read it freely.
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

	// The bubbles components build their defaults with lipgloss.NewStyle,
	// that is on the default renderer; these replace them.
	Help                        help.Styles
	InputPlaceholder, InputHint lipgloss.Style
	AreaFocused, AreaBlurred    textarea.Style
	plain                       lipgloss.Style
}

func newTheme(r *lipgloss.Renderer) *theme {
	s := r.NewStyle
	// bubbles' own colours (help.New, textinput.New, textarea.DefaultStyles).
	helpKey := s().Foreground(lipgloss.AdaptiveColor{Light: "#909090", Dark: "#626262"})
	helpDesc := s().Foreground(lipgloss.AdaptiveColor{Light: "#B2B2B2", Dark: "#4A4A4A"})
	helpSep := s().Foreground(lipgloss.AdaptiveColor{Light: "#DDDADA", Dark: "#3C3C3C"})
	faint := s().Foreground(lipgloss.Color("240"))
	return &theme{
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
		Help: help.Styles{
			ShortKey:       helpKey,
			ShortDesc:      helpDesc,
			ShortSeparator: helpSep,
			Ellipsis:       helpSep,
			FullKey:        helpKey,
			FullDesc:       helpDesc,
			FullSeparator:  helpSep,
		},
		InputPlaceholder: faint,
		InputHint:        faint,
		AreaFocused: textarea.Style{
			Base:             s(),
			CursorLine:       s().Background(lipgloss.AdaptiveColor{Light: "255", Dark: "0"}),
			CursorLineNumber: s().Foreground(lipgloss.AdaptiveColor{Light: "240"}),
			EndOfBuffer:      s().Foreground(lipgloss.AdaptiveColor{Light: "254", Dark: "0"}),
			LineNumber:       s().Foreground(lipgloss.AdaptiveColor{Light: "249", Dark: "7"}),
			Placeholder:      faint,
			Prompt:           s().Foreground(lipgloss.Color("7")),
			Text:             s(),
		},
		AreaBlurred: textarea.Style{
			Base:             s(),
			CursorLine:       s().Foreground(lipgloss.AdaptiveColor{Light: "245", Dark: "7"}),
			CursorLineNumber: s().Foreground(lipgloss.AdaptiveColor{Light: "249", Dark: "7"}),
			EndOfBuffer:      s().Foreground(lipgloss.AdaptiveColor{Light: "254", Dark: "0"}),
			LineNumber:       s().Foreground(lipgloss.AdaptiveColor{Light: "249", Dark: "7"}),
			Placeholder:      faint,
			Prompt:           s().Foreground(lipgloss.Color("7")),
			Text:             s().Foreground(lipgloss.AdaptiveColor{Light: "245", Dark: "7"}),
		},
		plain: s(),
	}
}

// band is the colour of a band; an unknown or empty band looks unknown.
func (th *theme) band(b metrics.Band) lipgloss.Style {
	if st, ok := th.Bands[b]; ok {
		return st
	}
	return th.Bands[metrics.Unknown]
}

// help is a help.Model that paints with this theme.
func (th *theme) help() help.Model {
	h := help.New()
	h.Styles = th.Help
	return h
}

// input styles a textinput. Its zero styles (prompt, text, cursor) would
// render through the default renderer too, so every one is set.
func (th *theme) input(in *textinput.Model) {
	in.PromptStyle = th.plain
	in.TextStyle = th.plain
	in.PlaceholderStyle = th.InputPlaceholder
	in.CompletionStyle = th.InputHint
	in.Cursor.Style = th.plain
	in.Cursor.TextStyle = th.plain
}

// area styles a textarea, cursor included.
func (th *theme) area(ta *textarea.Model) {
	ta.FocusedStyle, ta.BlurredStyle = th.AreaFocused, th.AreaBlurred
	ta.Cursor.Style = th.plain
	ta.Cursor.TextStyle = th.plain
	if ta.Focused() {
		ta.Focus() // its current style is a pointer to one of the two
	} else {
		ta.Blur()
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
