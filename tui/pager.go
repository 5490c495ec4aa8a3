package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	"github.com/charmbracelet/x/ansi"

	"steward/store/portfolio"
)

// pagerPage shows long text whole, word-wrapped and scrollable (bubbles
// viewport): a timeline note, an override reason, a success plan or a
// flag list that a detail page had to cut at the screen's width. `v` on a
// detail page opens it; esc goes back. The text is plain user text,
// escaped by sanitize, so the page needs no styles of its own beyond the
// title.
type pagerPage struct {
	th    *theme
	title string
	text  string
	vp    viewport.Model
	w, h  int
}

// openPager is the intent a detail page returns for `v`.
type openPager struct{ title, text string }

func newPagerPage(th *theme, title, text string) *pagerPage {
	return &pagerPage{th: th, title: title, text: text, vp: viewport.New(0, 0)}
}

func (pg *pagerPage) SetSize(w, h int) {
	pg.w, pg.h = w, h
	pg.vp.Width, pg.vp.Height = w, max(1, h-1)
	pg.vp.SetContent(wrapText(pg.text, max(10, w-2)))
}

func (pg *pagerPage) SetPortfolio(*portfolio.Portfolio) {}

// wrapText wraps every paragraph of untrusted text to w cells; a
// paragraph's leading spaces indent all of its lines.
func wrapText(text string, w int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		body := strings.TrimLeft(para, " ")
		indent := para[:len(para)-len(body)]
		for _, l := range strings.Split(ansi.Wordwrap(sanitize(body), max(10, w-len(indent)), ""), "\n") {
			out = append(out, indent+l)
		}
	}
	return strings.Join(out, "\n")
}

// HandleKey maps the one keymap's movement keys onto the viewport.
func (pg *pagerPage) HandleKey(k *KeyMap, msg keyMsg) intent {
	switch {
	case key.Matches(msg, k.Down):
		pg.vp.ScrollDown(1)
	case key.Matches(msg, k.Up):
		pg.vp.ScrollUp(1)
	case key.Matches(msg, k.HalfDown):
		pg.vp.HalfPageDown()
	case key.Matches(msg, k.HalfUp):
		pg.vp.HalfPageUp()
	case key.Matches(msg, k.PageDown):
		pg.vp.PageDown()
	case key.Matches(msg, k.PageUp):
		pg.vp.PageUp()
	case key.Matches(msg, k.Top):
		pg.vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		pg.vp.GotoBottom()
	}
	return nil
}

func (pg *pagerPage) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Back, k.Down, k.Up, k.PageDown, k.Top, k.Bottom, k.Help}
}

func (pg *pagerPage) View() string {
	pos := ""
	if n := pg.vp.TotalLineCount(); n > pg.vp.Height {
		pos = " · " + itoa(pg.vp.YOffset+1) + "-" + itoa(min(n, pg.vp.YOffset+pg.vp.Height)) + " of " + itoa(n) + " lines"
	}
	return pg.th.Title.Render(truncLine(sanitize(pg.title)+pos, pg.w)) + "\n" + pg.vp.View()
}
