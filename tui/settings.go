package tui

import (
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"steward/store"
	"steward/store/portfolio"
)

func userHome() (string, error) { return os.UserHomeDir() }

// settingsModal lists the health settings; enter edits the selected one in
// a one-field form. The store validates the whole configuration (weights
// >= 0 with a positive sum, 0 <= yellow < green <= 100, ascending segment
// boundaries) and logs the change with author and time; every score is
// recomputed by the reload that follows.
type settingsModal struct {
	m      *Model
	list   []store.SettingInfo
	log    []store.SettingChange
	cursor int
	offset int // first list row shown: the list scrolls with the cursor
	child  *form
	w, h   int
}

func newSettingsModal(m *Model) *settingsModal {
	s := &settingsModal{m: m}
	s.SetPortfolio(m.p)
	return s
}

func (s *settingsModal) SetPortfolio(p *portfolio.Portfolio) {
	if p != nil {
		s.list = store.SettingList(p.Settings)
		s.log = p.SettingsLog
	}
}

func (s *settingsModal) SetSize(w, h int) {
	s.w, s.h = w, h
	if s.child != nil {
		s.child.SetSize(w, h)
	}
}

func (s *settingsModal) Token() int {
	if s.child != nil {
		return s.child.token
	}
	return -1
}

// written closes the edit form on success; the list stays open.
func (s *settingsModal) written(err error) bool {
	if s.child != nil && s.child.written(err) {
		s.child = nil
	}
	return false
}

// takesText: only the edit form of a setting holds text; the list takes
// keys one by one.
func (s *settingsModal) takesText() bool { return s.child != nil && s.child.takesText() }

func (s *settingsModal) HandleKey(k *KeyMap, msg keyMsg) (bool, tea.Cmd) {
	if s.child != nil {
		done, cmd := s.child.HandleKey(k, msg)
		if done {
			s.child = nil // cancelled: nothing was written
			s.m.clearStatus()
		}
		return false, cmd
	}
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Settings), key.Matches(msg, k.Quit):
		return true, nil
	case key.Matches(msg, k.Open):
		if len(s.list) > 0 {
			s.child = s.editForm(s.list[s.cursor])
			s.child.SetSize(s.w, s.h)
		}
	case key.Matches(msg, k.Playbooks):
		// The playbooks are settings of the team's work: their screen
		// takes this one's place (README, "Playbooks").
		pb := newPlaybooksModal(s.m)
		pb.SetSize(s.w, s.h)
		s.m.modal = pb
	default:
		navigate(k, msg, &s.cursor, len(s.list), s.rows(), s.clamp)
	}
	return false, nil
}

func (s *settingsModal) editForm(si store.SettingInfo) *form {
	m := s.m
	v := textField("Value", si.Value, true)
	v.hint = si.Help
	f := newForm(m.th, "Setting "+si.Key, v)
	f.intro = []string{"Current value " + si.Value + ". The change is checked as a whole, logged with your name, and rescores every account."}
	f.token = m.nextToken()
	k := si.Key
	f.submit = func(f *form) tea.Cmd {
		val := f.fields[0].value()
		return m.actionCmd(f.token, "Set "+k, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			_, err := tx.SetSetting(k, val, by, now)
			return "Setting " + k + " = " + val + ": every score recomputed", 0, err
		})
	}
	return f
}

// settingsHead is the title, a blank line and the column header.
const settingsHead = 3

// rows is how many settings the list shows; the list comes first and the
// change log gets what is left (when it has room for one entry).
func (s *settingsModal) rows() int {
	avail := max(1, s.h-settingsHead)
	logWant := 0
	if len(s.log) > 0 {
		logWant = 2 + len(s.log) // blank, header, entries
	}
	if len(s.list)+logWant <= avail {
		return max(1, len(s.list))
	}
	return max(1, min(avail, max(min(len(s.list), 5), avail-logWant)))
}

// clamp keeps the cursor on a setting and the window around the cursor.
func (s *settingsModal) clamp() {
	n, h := len(s.list), s.rows()
	s.cursor = max(0, min(s.cursor, n-1))
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
	s.offset = max(0, min(s.offset, n-h))
}

func (s *settingsModal) View() string {
	if s.child != nil {
		return s.child.View()
	}
	s.clamp()
	n, h := len(s.list), s.rows()
	end := min(n, s.offset+h)
	var b strings.Builder
	title := "Health settings"
	if n > 0 {
		title += " " + itoa(s.offset+1) + "-" + itoa(end) + " of " + itoa(n)
	}
	b.WriteString(s.m.th.Title.Render(truncLine(title+" · enter edits · p playbooks · esc closes", s.w)) + "\n\n")
	b.WriteString(s.m.th.ColHead.Render(truncLine("  "+fit("setting", 26, false)+" "+fit("value", 10, true)+"  meaning", s.w)) + "\n")
	for i := s.offset; i < end; i++ {
		si := s.list[i]
		line := fit(si.Key, 26, false) + " " + fit(si.Value, 10, true) + "  " + si.Help
		if i == s.cursor {
			b.WriteString(s.m.th.Selected.Render(truncLine("▸ "+line, s.w)))
		} else {
			b.WriteString(truncLine("  "+line, s.w))
		}
		b.WriteByte('\n')
	}
	if room := s.h - settingsHead - (end - s.offset) - 2; len(s.log) > 0 && room > 0 {
		b.WriteString("\n" + s.m.th.ColHead.Render(truncLine("  latest changes", s.w)) + "\n")
		for _, c := range s.log[:min(len(s.log), room)] {
			line := c.At.Local().Format("2006-01-02 15:04") + "  " + c.Author + " set " + c.Key + " " + c.Old + " → " + c.New
			b.WriteString(truncLine("  "+sanitize(line), s.w) + "\n")
		}
	}
	return b.String()
}

func (s *settingsModal) Hints(k *KeyMap) []key.Binding {
	if s.child != nil {
		return s.child.Hints(k)
	}
	return []key.Binding{withHelp(k.Open, "edit"), k.Playbooks, withHelp(k.Back, "close"), k.Down, k.Up, k.ForceQuit}
}
