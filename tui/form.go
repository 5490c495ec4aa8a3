package tui

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"steward/store/portfolio"
)

// Forms are modal and keyboard-complete: tab/shift+tab move between
// fields, enter submits, esc cancels (asking before it discards typed
// input). Every key goes to the form, so q and the view keys are letters
// here; only ctrl+c quits. A form validates inline before it submits, and
// a failed write keeps it open with its content and the error.
//
// Fields are bubbles textinputs; a choice field is a picker: the typed text
// filters its options fuzzily and up/down move the highlight (in a text
// field up/down move between fields, like shift+tab/tab).

// option is one choice of a picker.
type option struct {
	label string
	value string
	id    uint64
	// name is the folded primary text (an account's name, a label) that
	// exact and prefix hits are judged on; fold is the folded text every
	// term is searched in (name plus owner, email...). Both default to
	// the folded label.
	name string
	fold string
	// code is a machine value people may type ("director"); enum options
	// set it, account and member options (numeric IDs) do not.
	code string
}

// picker is a filtered list of options behind a text input. Typing ranks
// the options (match.go); enter takes the highlighted option, and when the
// typed text fits several options equally well nothing is highlighted
// until the user picks one with up/down: a triage decision is never saved
// by a guess.
type picker struct {
	opts    []option
	matches []int
	tier    matchTier // of the best match
	sel     int       // index into matches; -1: nothing highlighted
	query   string
	// applied is the folded query matches was computed for; allShown:
	// matches is every option (empty query).
	applied  string
	allShown bool
	shown    int // how many matches to show when focused
	// chosen is the option (index into opts, -1 for none) the user settled
	// on: the field's value when it opened, or the last one moved to with
	// up/down. Typing only browses: a query that is deleted again brings
	// the chosen option back instead of whatever matched first.
	chosen int
	// noChoice: no option counts as selected until the user picks one.
	noChoice bool
	// explicit: the user moved the highlight with up/down; a value the
	// caller preselected does not hold the highlight against what is typed.
	explicit bool
}

func newPicker(opts []option, selected string) *picker {
	p := &picker{opts: opts, shown: 6, chosen: -1}
	for i := range p.opts {
		o := &p.opts[i]
		if o.name == "" {
			o.name = portfolio.FoldText(o.label)
		}
		if o.fold == "" {
			o.fold = o.name
		}
		if selected != "" && o.value == selected {
			p.chosen = i
		}
	}
	if p.chosen < 0 && len(p.opts) > 0 {
		p.chosen = 0
	}
	p.filter("")
	return p
}

// mustChoose drops the default when nothing was preselected: the field then
// has no value (and a required one refuses to submit) until the user types
// or moves to an option. Choosing an account by accident is worse than
// being asked.
func (p *picker) mustChoose(selected string) {
	for _, o := range p.opts {
		if o.value == selected {
			return
		}
	}
	p.chosen, p.noChoice = -1, true
	p.filter(p.query)
}

// filter ranks the options against q: exact, then prefix, then word-start,
// then substring, then tight subsequence hits, in option order within a
// tier (the tightest first among subsequence hits). The highlight stays on
// an option the user moved to while it is among the best matches; else it
// goes to the best match when exactly one option is best, and to nothing
// when several are (ambiguous: enter then asks for up/down). An empty
// query goes back to the chosen option. A query that only grew narrows
// the previous matches (a hit of the longer query is a hit of the shorter
// one), so typing stays fast over 100,000 accounts.
func (p *picker) filter(q string) {
	prev := -1
	if p.explicit && p.sel >= 0 && p.sel < len(p.matches) {
		prev = p.matches[p.sel]
	}
	cq := compileQuery(q)
	narrow := p.query != "" && strings.HasPrefix(cq.text, p.applied) && p.applied != "" && !p.allShown
	p.query = q
	if cq.empty() {
		p.matches = p.matches[:0]
		for i := range p.opts {
			p.matches = append(p.matches, i)
		}
		p.applied, p.allShown = "", true
		p.tier, p.sel = tierExact, p.chosen // matches is every option, in order
		if p.chosen < 0 && !p.noChoice && len(p.opts) > 0 {
			p.sel = 0
		}
		return
	}
	var groups [tierNone][]int
	rank := func(i int) {
		o := &p.opts[i]
		if t := cq.rank(o.name, o.code, o.fold); t != tierNone {
			groups[t] = append(groups[t], i)
		}
	}
	if narrow {
		// Earlier matches are in tier order, not option order: put them
		// back in option order before re-ranking.
		old := append([]int(nil), p.matches...)
		slices.Sort(old)
		for _, i := range old {
			rank(i)
		}
	} else {
		for i := range p.opts {
			rank(i)
		}
	}
	if fz := groups[tierFuzzy]; len(fz) > 1 {
		spans := make(map[int]int, len(fz))
		for _, i := range fz {
			spans[i] = cq.span(p.opts[i].fold)
		}
		sort.SliceStable(fz, func(a, b int) bool { return spans[fz[a]] < spans[fz[b]] })
	}
	p.matches = p.matches[:0]
	best, bestTier := 0, tierNone
	for t, g := range groups {
		if len(g) > 0 && bestTier == tierNone {
			best, bestTier = len(g), matchTier(t)
		}
		p.matches = append(p.matches, g...)
	}
	p.applied, p.allShown = cq.text, false
	p.tier, p.sel = bestTier, -1
	if bestTier == tierNone {
		return
	}
	for j := 0; j < best; j++ {
		if p.matches[j] == prev {
			p.sel = j
			return
		}
	}
	if best == 1 {
		p.sel = 0
	}
}

// ambiguous reports typed text that fits several options equally well,
// with none picked yet.
func (p *picker) ambiguous() bool { return p.query != "" && p.sel < 0 && len(p.matches) > 1 }

func (p *picker) selected() (option, bool) {
	if p.sel < 0 || p.sel >= len(p.matches) {
		return option{}, false
	}
	return p.opts[p.matches[p.sel]], true
}

// move is an explicit choice: it becomes the chosen option.
func (p *picker) move(d int) {
	n := len(p.matches)
	if n == 0 {
		return
	}
	switch {
	case p.sel >= 0:
		p.sel = (p.sel + d + n) % n
	case d > 0:
		p.sel = 0
	default:
		p.sel = n - 1
	}
	p.chosen, p.explicit = p.matches[p.sel], true
}

// field is one input of a form.
type field struct {
	label    string
	hint     string
	in       textinput.Model
	pick     *picker         // nil: free text
	area     *textarea.Model // multi-line text (plans, descriptions); in is unused
	initial  string          // value when the form opened (text) or selected option value (picker)
	required bool
	hidden   bool
	visited  bool
	// selected: the field's text is selected, as when a web or huh form
	// field receives the focus by tab: the first typed character replaces
	// it, backspace clears it, and arrows, home and end deselect and edit
	// in place.
	selected bool
	check    func(v string) error // extra validation of a text value
	err      string
}

func (f *field) value() string {
	if f.area != nil {
		return strings.TrimSpace(f.area.Value())
	}
	if f.pick != nil {
		o, _ := f.pick.selected()
		return o.value
	}
	return strings.TrimSpace(f.in.Value())
}

func (f *field) optID() uint64 {
	if f.pick != nil {
		o, _ := f.pick.selected()
		return o.id
	}
	return 0
}

func (f *field) dirty() bool {
	if f.area != nil {
		return f.area.Value() != f.initial
	}
	if f.pick != nil {
		return f.pick.query != "" || f.value() != f.initial
	}
	return f.in.Value() != f.initial
}

func newInput(value string, limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	in.Cursor.SetMode(cursor.CursorStatic) // no blink ticker
	in.SetValue(value)
	in.CursorEnd()
	return in
}

func textField(label, value string, required bool) *field {
	in := newInput(value, 4000)
	// initial is what the input holds (it may have normalised the text), so
	// an untouched field is never "dirty".
	return &field{label: label, in: in, initial: in.Value(), required: required}
}

// areaField is multi-line text (bubbles textarea): enter still saves the
// form, tab moves on, and alt+enter or ctrl+j starts a new line, as in huh.
func areaField(label, value string) *field {
	ta := textarea.New()
	ta.Prompt = ""
	ta.ShowLineNumbers = false
	ta.CharLimit = 4000
	ta.MaxHeight = 0
	ta.Cursor.SetMode(cursor.CursorStatic) // no blink ticker
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("alt+enter", "ctrl+j"))
	ta.SetHeight(4)
	ta.SetValue(value)
	return &field{label: label, in: newInput("", 1), area: &ta, initial: ta.Value(), hint: "alt+enter or ctrl+j: new line"}
}

func pickField(label string, opts []option, selected string) *field {
	f := &field{label: label, in: newInput("", 100), pick: newPicker(opts, selected)}
	f.in.Placeholder = "type to filter"
	f.initial = f.value()
	return f
}

func enumOptions(values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{label: humanize(v), value: v, code: portfolio.FoldText(v)}
	}
	return out
}

// prompt is the reusable y/N question: y answers yes; any other key, enter
// included, is No.
type prompt struct {
	question string
	active   bool
}

func (p *prompt) ask(q string) { p.question, p.active = q, true }

// answer consumes a key while the prompt is active.
func (p *prompt) answer(msg tea.KeyMsg) bool {
	p.active = false
	return msg.Type == tea.KeyRunes && len(msg.Runes) == 1 && (msg.Runes[0] == 'y' || msg.Runes[0] == 'Y')
}

func (p *prompt) view(th *theme) string {
	return th.Warn.Render(p.question + " (y/N)")
}

// formResult is what a submitting form hands the root: the write to run.
type submitFunc func(f *form) tea.Cmd

// form is a modal of fields.
type form struct {
	th      *theme
	title   string
	intro   []string // lines above the fields (what is being changed)
	fields  []*field
	focus   int
	err     string // form-level error: failed write or validation summary
	warn    string
	token   int  // identifies the write in flight
	pending bool // a write is running
	w, h    int

	// validate runs after the per-field checks; it may set field errors
	// and warnings and returns false to stop the submit.
	validate func(f *form) bool
	submit   submitFunc
	// onChange runs after every key (dynamic fields, live hints).
	onChange func(f *form)
	// confirm, when set, is asked (y/N) before the write.
	confirm func(f *form) string
	// confirmed is set while submit runs after a yes to the sure prompt
	// (a form may also ask it itself, as the import does after its dry run).
	confirmed bool
	// sureInfo is shown above the sure prompt (the dry run's summary).
	sureInfo string

	discard prompt
	sure    prompt

	// extra renders below the fields (the import's error panel).
	extra *document
}

// newForm paints the fields with th: they were made before the form and
// know no renderer.
func newForm(th *theme, title string, fields ...*field) *form {
	f := &form{th: th, title: title, fields: fields}
	for _, fl := range fields {
		th.input(&fl.in)
		if fl.area != nil {
			th.area(fl.area)
		}
	}
	f.focusField(0)
	return f
}

func (f *form) SetSize(w, h int) {
	f.w, f.h = w, h
	for _, fl := range f.fields {
		switch {
		case fl.area != nil:
			fl.area.SetWidth(max(10, min(70, w-24)))
		case fl.pick != nil:
			fl.in.Width = 22 // the query; the choice shows beside it
		case fl.check != nil:
			fl.in.Width = 20 // numbers and dates
		default:
			fl.in.Width = max(10, min(70, w-24))
		}
	}
	if f.extra != nil {
		f.extra.setSize(w, max(3, h-len(f.fields)-6))
	}
}

func (f *form) field(label string) *field {
	for _, fl := range f.fields {
		if fl.label == label {
			return fl
		}
	}
	panic("no field " + label)
}

func (f *form) focusField(i int) {
	for j, fl := range f.fields {
		if j == i {
			fl.in.Focus()
			if fl.area != nil {
				fl.area.Focus()
			}
			fl.visited = true
		} else {
			fl.in.Blur()
			if fl.area != nil {
				fl.area.Blur()
			}
		}
	}
	f.focus = i
}

// step moves the focus to the next visible field (d = 1) or the previous
// one (d = -1) and selects its text.
func (f *form) step(d int) {
	n := len(f.fields)
	i := f.focus
	for k := 0; k < n; k++ {
		i = (i + d + n) % n
		if !f.fields[i].hidden {
			break
		}
	}
	f.focusField(i)
	fl := f.fields[i]
	fl.selected = fl.pick == nil && fl.area == nil && fl.in.Value() != ""
}

// typeOverSelection applies a key to a field whose text is selected; see
// typeOver.
func (fl *field) typeOverSelection(msg keyMsg) (consumed bool) {
	return typeOver(&fl.in, &fl.selected, msg)
}

// typeOver applies a key to an input whose whole text is selected (a form
// field reached by tab, the `/` filter reopened on a kept query): typed
// text replaces the selection, backspace and delete clear it, arrows,
// home and end deselect and move in place. It reports whether the key
// was consumed; otherwise the key goes on to the input.
func typeOver(in *textinput.Model, selected *bool, msg keyMsg) (consumed bool) {
	if !*selected {
		return false
	}
	*selected = false
	switch msg.Type {
	case tea.KeyRunes, tea.KeySpace:
		in.SetValue("")
	case tea.KeyBackspace, tea.KeyDelete, tea.KeyCtrlH:
		in.SetValue("")
		return true
	case tea.KeyLeft, tea.KeyHome, tea.KeyCtrlA:
		in.CursorStart()
		return true
	case tea.KeyRight, tea.KeyEnd, tea.KeyCtrlE:
		in.CursorEnd()
		return true
	}
	return false
}

func (f *form) dirty() bool {
	for _, fl := range f.fields {
		if !fl.hidden && fl.dirty() {
			return true
		}
	}
	return false
}

// check validates every visible field and the form; it reports whether the
// form may be submitted.
func (f *form) check() bool {
	ok := true
	f.warn = ""
	for _, fl := range f.fields {
		fl.err = ""
		if fl.hidden {
			continue
		}
		v := fl.value()
		switch {
		case fl.pick != nil && len(fl.pick.matches) == 0:
			fl.err = "no choice matches " + strings.TrimSpace(fl.pick.query)
		case fl.pick != nil && fl.pick.ambiguous():
			fl.err = itoa(len(fl.pick.matches)) + " choices match " + strconv.Quote(strings.TrimSpace(fl.pick.query)) + ": type more, or ↑/↓ to pick one"
		case fl.required && v == "":
			fl.err = "required"
		case fl.check != nil && v != "":
			if err := fl.check(v); err != nil {
				fl.err = err.Error()
			}
		}
		if fl.err != "" {
			ok = false
		}
	}
	if f.validate != nil && !f.validate(f) {
		ok = false
	}
	if !ok {
		f.err = "fix the marked fields, then enter"
		for i, fl := range f.fields {
			if fl.err != "" && !fl.hidden {
				f.focusField(i)
				break
			}
		}
	} else {
		f.err = ""
	}
	return ok
}

func (f *form) HandleKey(k *KeyMap, msg keyMsg) (bool, tea.Cmd) {
	if f.discard.active {
		return f.discard.answer(msg), nil
	}
	if f.sure.active {
		f.sureInfo = ""
		if f.sure.answer(msg) {
			f.confirmed = true
			cmd := f.run()
			f.confirmed = false
			return false, cmd
		}
		f.err = "not submitted"
		return false, nil
	}
	if f.pending {
		return false, nil // the write is running; its result decides
	}
	// A text field always has the focus, so only pgup/pgdn scroll the
	// error panel: j, k, g, G, arrows and ctrl+d/u are text (or field moves).
	// Letters are always text, even when a burst of them spells a key's
	// name ("enter", "esc", "tab" arrive as one runes message whose String()
	// matches those bindings).
	runes := msg.Type == tea.KeyRunes
	if !runes && f.extra != nil && len(f.extra.lines) > 0 && key.Matches(msg, k.PageDown, k.PageUp) {
		f.extra.move(k, msg)
		return false, nil
	}
	fl := f.fields[f.focus]
	switch {
	case runes:
	case key.Matches(msg, k.FormCancel):
		if f.extra != nil && len(f.extra.lines) > 0 {
			f.extra.reset() // esc closes the error panel first
			f.err = ""
			return false, nil
		}
		if f.dirty() {
			f.discard.ask("Discard what you typed?")
			return false, nil
		}
		return true, nil
	case key.Matches(msg, k.FormNext):
		f.step(1)
		return false, nil
	case key.Matches(msg, k.FormPrev):
		f.step(-1)
		return false, nil
	case key.Matches(msg, k.FormSubmit):
		if !f.check() {
			return false, nil
		}
		// A warning never passes silently: the user reads it and says yes.
		switch {
		case f.confirm != nil:
			f.sure.ask(f.confirm(f))
			return false, nil
		case f.warn != "":
			f.sure.ask("Save anyway?")
			return false, nil
		}
		return false, f.run()
	case fl.area != nil:
		// Every other key edits the text, arrows included (below).
	case fl.pick == nil && msg.Type == tea.KeyUp:
		f.step(-1)
		return false, nil
	case fl.pick == nil && msg.Type == tea.KeyDown:
		f.step(1)
		return false, nil
	case fl.pick != nil && (msg.Type == tea.KeyUp || msg.Type == tea.KeyDown):
		if msg.Type == tea.KeyUp {
			fl.pick.move(-1)
		} else {
			fl.pick.move(1)
		}
		f.changed()
		return false, nil
	}
	var cmd tea.Cmd
	switch {
	case fl.area != nil:
		*fl.area, cmd = fl.area.Update(msg)
	case !fl.typeOverSelection(msg):
		fl.in, cmd = fl.in.Update(msg)
	}
	if fl.pick != nil && fl.in.Value() != fl.pick.query {
		fl.pick.filter(fl.in.Value())
	}
	fl.err = ""
	f.err = ""
	f.changed()
	return false, cmd
}

// takesText: a field has the focus unless a y/N prompt is asking.
func (f *form) takesText() bool { return !f.discard.active && !f.sure.active }

func (f *form) changed() {
	if f.onChange != nil {
		f.onChange(f)
	}
}

func (f *form) run() tea.Cmd {
	cmd := f.submit(f)
	if cmd == nil {
		return nil
	}
	f.pending = true
	f.err = ""
	return cmd
}

// written receives the result of the form's write: success closes it; a
// failure keeps everything typed and shows why.
func (f *form) written(err error) (done bool) {
	f.pending = false
	if err != nil {
		f.err = err.Error()
		return false
	}
	return true
}

func (f *form) Token() int { return f.token }

func (f *form) View() string {
	w := max(20, f.w)
	var head, body, foot []string
	head = append(head, f.th.Title.Render(truncLine(sanitize(f.title), w)))
	for _, l := range f.intro {
		head = append(head, truncLine(sanitize(l), w))
	}
	head = append(head, "")
	focusLo, focusHi := 0, 0
	for i, fl := range f.fields {
		if fl.hidden {
			continue
		}
		if i == f.focus {
			focusLo = len(body)
		}
		mark := "  "
		if i == f.focus {
			mark = "▸ "
		}
		label := fit(fl.label, 18, false)
		var val string
		if fl.pick != nil {
			o, ok := fl.pick.selected()
			cur := "(no match)"
			switch {
			case ok:
				cur = o.label
			case fl.pick.ambiguous():
				cur = "(" + itoa(len(fl.pick.matches)) + " match: ↑/↓ to pick one)"
			case fl.pick.query == "":
				cur = "(type to choose)"
			}
			if i == f.focus {
				val = fl.in.View() + "  → " + sanitize(cur)
			} else {
				val = sanitize(cur)
			}
		} else if fl.area != nil && i == f.focus {
			lines := strings.Split(fl.area.View(), "\n")
			for k := 1; k < len(lines); k++ {
				lines[k] = strings.Repeat(" ", 21) + lines[k]
			}
			val = strings.Join(lines, "\n")
		} else if fl.area != nil {
			lines := strings.Split(fl.value(), "\n")
			val = sanitize(lines[0])
			if len(lines) > 1 {
				val += f.th.Muted.Render(fmt.Sprintf("  (+%d lines)", len(lines)-1))
			}
		} else if i == f.focus && fl.selected {
			// The selection reads without colour too: the hint says it.
			val = f.th.Selected.Render(sanitize(fl.in.Value())) + f.th.Muted.Render("  (selected: typing replaces)")
		} else if i == f.focus {
			val = fl.in.View()
		} else {
			val = sanitize(fl.in.Value())
		}
		line := mark + f.th.Label.Render(label) + " " + val
		if fl.hint != "" {
			line += "  " + f.th.Muted.Render(fl.hint)
		}
		for _, l := range strings.Split(line, "\n") {
			body = append(body, truncLine(l, w))
		}
		if fl.err != "" {
			body = append(body, truncLine(strings.Repeat(" ", 21)+f.th.Error.Render("✗ "+fl.err), w))
		}
		if fl.pick != nil && i == f.focus {
			body = append(body, f.pickList(fl.pick, w)...)
		}
		if i == f.focus {
			focusHi = len(body)
		}
	}
	foot = append(foot, "")
	switch {
	case f.discard.active:
		foot = append(foot, f.discard.view(f.th))
	case f.sure.active:
		if f.sureInfo != "" {
			foot = append(foot, truncLine(sanitize(f.sureInfo), w))
		}
		foot = append(foot, truncLine(f.sure.view(f.th), w))
	case f.pending:
		foot = append(foot, f.th.Muted.Render("Saving…"))
	case f.err != "":
		foot = append(foot, f.th.Error.Render(truncLine("✗ "+f.err, w)))
	default:
		foot = append(foot, f.th.Muted.Render("enter saves · tab/shift+tab move · esc cancels"))
	}
	if f.warn != "" {
		foot = append(foot, f.th.Warn.Render(truncLine("⚠ "+f.warn, w)))
	}
	if f.extra != nil && len(f.extra.lines) > 0 {
		foot = append(foot, f.extra.view())
	}
	// A long form scrolls so that the focused field is always in view.
	if room := f.h - len(head) - len(foot); f.h > 0 && len(body) > room && room > 0 {
		lo := 0
		if focusHi > room {
			lo = focusHi - room
		}
		lo = min(lo, focusLo)
		body = body[lo:min(len(body), lo+room)]
	}
	return strings.Join(head, "\n") + "\n" + strings.Join(body, "\n") + "\n" + strings.Join(foot, "\n")
}

func (f *form) pickList(p *picker, w int) []string {
	var out []string
	n := len(p.matches)
	lo := max(0, min(p.sel-p.shown/2, n-p.shown))
	hi := min(n, lo+p.shown)
	for j := lo; j < hi; j++ {
		o := p.opts[p.matches[j]]
		line := strings.Repeat(" ", 21)
		if j == p.sel {
			line += f.th.Selected.Render("› " + sanitize(o.label))
		} else {
			line += "  " + sanitize(o.label)
		}
		out = append(out, truncLine(line, w))
	}
	if n > hi-lo {
		out = append(out, strings.Repeat(" ", 23)+f.th.Muted.Render(itoa(n)+" choices · ↑/↓ move · type to filter"))
	}
	return out
}

func (f *form) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.FormSubmit, k.FormNext, k.FormPrev, k.FormCancel, k.ForceQuit}
}

// confirmModal is a standalone y/N question (clear override, deactivate).
type confirmModal struct {
	th    *theme
	title string
	p     prompt
	token int
	yes   func() tea.Cmd
	w     int
	err   string
	pend  bool
}

func newConfirm(th *theme, title, question string, token int, yes func() tea.Cmd) *confirmModal {
	c := &confirmModal{th: th, title: title, token: token, yes: yes}
	c.p.ask(question)
	return c
}

func (c *confirmModal) SetSize(w, h int) { c.w = w }

func (c *confirmModal) HandleKey(k *KeyMap, msg keyMsg) (bool, tea.Cmd) {
	if c.pend {
		return false, nil
	}
	if !c.p.active { // after a failed write any key closes
		return true, nil
	}
	if c.p.answer(msg) {
		c.pend = true
		return false, c.yes()
	}
	return true, nil
}

func (c *confirmModal) takesText() bool { return false }

func (c *confirmModal) written(err error) bool {
	c.pend = false
	if err != nil {
		c.err = err.Error()
		return false
	}
	return true
}

func (c *confirmModal) Token() int { return c.token }

func (c *confirmModal) View() string {
	s := c.th.Title.Render(truncLine(sanitize(c.title), c.w)) + "\n\n"
	switch {
	case c.pend:
		s += c.th.Muted.Render("Saving…")
	case c.err != "":
		s += c.th.Error.Render(truncLine("✗ "+c.err, c.w)) + "\n\n" + c.th.Muted.Render("any key closes")
	default:
		s += c.p.view(c.th)
	}
	return s
}

func (c *confirmModal) Hints(k *KeyMap) []key.Binding {
	return []key.Binding{k.Confirm, withHelp(k.FormCancel, "no"), k.ForceQuit}
}
