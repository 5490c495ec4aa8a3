package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// playbooksModal is the playbooks' settings-like screen (README,
// "Playbooks"), opened with p from the health settings: the list of
// playbooks with their trigger, steps and whether they are active; enter
// edits the selected one, n adds one, D deletes it (after a y/N: the
// tasks it started stay, and the episodes go with it). Everyone may
// look; the store lets only a manager save, and says so in the form.
//
// The list is read when the screen opens and after each save, in the
// update loop: a handful of records, and a file opened for one read costs
// a fraction of a millisecond (README, "Serve your team").
type playbooksModal struct {
	m       *Model
	list    []store.Playbook
	members []store.Member
	err     error
	cursor  int
	child   *form
	confirm *confirmModal // the delete's question, while it is asked
	w, h    int
}

func newPlaybooksModal(m *Model) *playbooksModal {
	s := &playbooksModal{m: m}
	s.reload()
	return s
}

func (s *playbooksModal) reload() {
	s.err = store.View(s.m.opt.Path, s.m.opt.Store, func(tx *store.Tx) (err error) {
		if s.list, err = tx.Playbooks(); err != nil {
			return err
		}
		s.members, err = tx.Members()
		return err
	})
	s.cursor = max(0, min(s.cursor, len(s.list)-1))
}

// SetPortfolio follows a reload: another session may have changed them.
func (s *playbooksModal) SetPortfolio(*portfolio.Portfolio) {
	if s.child == nil {
		s.reload()
	}
}

func (s *playbooksModal) SetSize(w, h int) {
	s.w, s.h = w, h
	if s.child != nil {
		s.child.SetSize(w, h)
	}
}

func (s *playbooksModal) Token() int {
	switch {
	case s.child != nil:
		return s.child.token
	case s.confirm != nil:
		return s.confirm.token
	}
	return -1
}

// written closes the form (or the delete's question) on success and
// reads the list again; the screen stays open.
func (s *playbooksModal) written(err error) bool {
	if s.child != nil && s.child.written(err) {
		s.child = nil
		s.reload()
	}
	if s.confirm != nil && s.confirm.written(err) {
		s.confirm = nil
		s.reload()
	}
	return false
}

func (s *playbooksModal) takesText() bool { return s.child != nil && s.child.takesText() }

func (s *playbooksModal) HandleKey(k *KeyMap, msg keyMsg) (bool, tea.Cmd) {
	if s.child != nil {
		if done, cmd := s.child.HandleKey(k, msg); done {
			s.child = nil // cancelled: nothing was written
			s.m.clearStatus()
		} else {
			return false, cmd
		}
		return false, nil
	}
	if s.confirm != nil {
		done, cmd := s.confirm.HandleKey(k, msg)
		if done {
			s.confirm = nil // answered no: nothing was written
		}
		return false, cmd
	}
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
		return true, nil
	case key.Matches(msg, k.Open):
		if len(s.list) > 0 {
			s.child = s.editForm(s.list[s.cursor])
			s.child.SetSize(s.w, s.h)
		}
	case key.Matches(msg, k.PlaybookNew):
		s.child = s.editForm(store.Playbook{Trigger: metrics.TriggerManual, Active: true})
		s.child.SetSize(s.w, s.h)
	case key.Matches(msg, k.PlaybookDelete):
		if len(s.list) > 0 {
			s.confirm = s.deleteQuestion(s.list[s.cursor])
			s.confirm.SetSize(s.w, s.h)
		}
	default:
		navigate(k, msg, &s.cursor, len(s.list), max(1, s.h-3), func() {
			s.cursor = max(0, min(s.cursor, len(s.list)-1))
		})
	}
	return false, nil
}

// stepsText writes a playbook's steps one a line, as the form edits them:
// "+2d | owner | Call the executive sponsor"; the owner is "owner" (the
// account's), "manager" (the owner's manager) or a member's name.
func stepsText(p store.Playbook, members []store.Member) string {
	var lines []string
	for _, st := range p.Steps {
		owner := "owner"
		switch st.Owner {
		case store.OwnerManager:
			owner = "manager"
		case store.OwnerMember:
			owner = fmt.Sprintf("member #%d", st.MemberID)
			for _, m := range members {
				if m.ID == st.MemberID {
					owner = m.Name
				}
			}
		}
		lines = append(lines, fmt.Sprintf("%+dd | %s | %s", st.OffsetDays, owner, st.Title))
	}
	return strings.Join(lines, "\n")
}

// parseSteps reads the steps field back; a line that does not parse is
// named with what to write instead.
func parseSteps(text string, members []store.Member) ([]store.Step, error) {
	var out []store.Step
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("step line %d: write it as +DAYSd | owner, manager or a member's name | title", i+1)
		}
		off, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(parts[0]), "+"), "d"))
		if err != nil {
			return nil, fmt.Errorf("step line %d: %s is not a number of days such as +2d or -1d", i+1, store.Quote(strings.TrimSpace(parts[0])))
		}
		st := store.Step{OffsetDays: off, Title: strings.TrimSpace(parts[2])}
		switch who := strings.TrimSpace(parts[1]); strings.ToLower(who) {
		case "owner", "account owner", string(store.OwnerAccount):
			st.Owner = store.OwnerAccount
		case "manager", "owner's manager", string(store.OwnerManager):
			st.Owner = store.OwnerManager
		default:
			st.Owner = store.OwnerMember
			for _, m := range members {
				if strings.EqualFold(m.Name, who) || (m.Email != "" && strings.EqualFold(m.Email, who)) {
					st.MemberID = m.ID
				}
			}
			if st.MemberID == 0 {
				return nil, fmt.Errorf("step line %d: no member is named %s (write owner, manager or a member's name)", i+1, store.Quote(who))
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// parseTrigger reads "band_to_red" or "renewal_in_days 120".
func parseTrigger(s string) (metrics.TriggerKind, int, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "", 0, errors.New("a trigger is required (manual: started by hand only)")
	}
	kind, days := metrics.TriggerKind(strings.ToLower(f[0])), 0
	if len(f) > 1 {
		n, err := strconv.Atoi(f[1])
		if err != nil || len(f) > 2 {
			return "", 0, fmt.Errorf("trigger %s: only renewal_in_days takes a number, as in renewal_in_days 120", store.Quote(s))
		}
		days = n
	}
	return kind, days, nil
}

func (s *playbooksModal) editForm(p store.Playbook) *form {
	m := s.m
	name := textField("Name", p.Name, true)
	trig := textField("Trigger", p.Trig().String(), true)
	trig.hint = "band_to_red, band_to_yellow, champion_changed, renewal_in_days N, new_account, qbr_overdue, dropping, manual"
	active := pickField("Active", []option{{label: "yes: its trigger starts it", value: "yes"}, {label: "no: only by hand", value: "no"}}, yesNo(p.Active))
	steps := areaField("Steps", stepsText(p, s.members))
	steps.hint = "one a line: +2d | owner, manager or a member's name | title (alt+enter: new line)"
	title := "New playbook"
	if p.ID != 0 {
		title = "Playbook " + p.Name
	}
	f := newForm(m.th, title, name, trig, active, steps)
	f.intro = []string{"Tasks are due the given days after the day it starts. Only a manager can save; the change applies from the next evaluation."}
	f.token = m.nextToken()
	members, id := s.members, p.ID
	f.submit = func(f *form) tea.Cmd {
		np := store.Playbook{ID: id, Name: f.field("Name").value(), Active: f.field("Active").value() == "yes"}
		stepsText, trigText := f.field("Steps").value(), f.field("Trigger").value()
		return m.actionCmd(f.token, "Save the playbook", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			var err error
			if np.Trigger, np.TriggerDays, err = parseTrigger(trigText); err != nil {
				return "", 0, err
			}
			if np.Steps, err = parseSteps(stepsText, members); err != nil {
				return "", 0, err
			}
			saved, err := tx.PutPlaybook(np, by, now)
			return "Saved the playbook " + saved.Name, 0, err
		})
	}
	return f
}

// deleteQuestion asks before deleting p: a delete cannot be undone
// from the screen (steward playbooks export keeps a copy).
func (s *playbooksModal) deleteQuestion(p store.Playbook) *confirmModal {
	m, tok := s.m, s.m.nextToken()
	id, name := p.ID, short(p.Name, 40)
	return newConfirm(m.th, "Delete the playbook "+name,
		"Delete "+name+"? The tasks it started stay; it starts nothing more.", tok, func() tea.Cmd {
			return m.actionCmd(tok, "Delete the playbook", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				return "Deleted the playbook " + name, 0, tx.DeletePlaybook(id, by)
			})
		})
}

func (s *playbooksModal) View() string {
	if s.child != nil {
		return s.child.View()
	}
	if s.confirm != nil {
		return s.confirm.View()
	}
	var b strings.Builder
	b.WriteString(s.m.th.Title.Render(truncLine("Playbooks · enter edits · n adds · D deletes · esc closes", s.w)) + "\n\n")
	if s.err != nil {
		b.WriteString(s.m.th.Error.Render(truncLine("The playbooks were not read: "+friendlyErr(s.err), s.w)) + "\n")
		return b.String()
	}
	if len(s.list) == 0 {
		b.WriteString(s.m.th.Muted.Render("  No playbook. n adds one.") + "\n")
		return b.String()
	}
	b.WriteString(s.m.th.ColHead.Render(truncLine("  "+fit("playbook", 30, false)+" "+fit("trigger", 20, false)+" "+fit("steps", 5, true)+"  active", s.w)) + "\n")
	h := max(1, s.h-3)
	off := max(0, s.cursor-h+1)
	for i := off; i < min(len(s.list), off+h); i++ {
		p := s.list[i]
		line := fit(p.Name, 30, false) + " " + fit(p.Trig().String(), 20, false) + " " + fit(itoa(len(p.Steps)), 5, true) + "  " + yesNo(p.Active)
		if i == s.cursor {
			b.WriteString(s.m.th.Selected.Render(truncLine("▸ "+sanitize(line), s.w)))
		} else {
			b.WriteString(truncLine("  "+sanitize(line), s.w))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func (s *playbooksModal) Hints(k *KeyMap) []key.Binding {
	if s.child != nil {
		return s.child.Hints(k)
	}
	if s.confirm != nil {
		return s.confirm.Hints(k)
	}
	return []key.Binding{withHelp(k.Open, "edit"), k.PlaybookNew, k.PlaybookDelete, withHelp(k.Back, "close"), k.Down, k.Up, k.ForceQuit}
}
