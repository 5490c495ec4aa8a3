package tui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"steward/store"
)

// Saved views (README, "Money at risk, and what changed", saved views):
// ctrl+s in the accounts view saves the current filter text, band,
// owner, segment, renewal window and sort under a name, in the database,
// for everyone using it; ' lists them to open or delete.

// current is the accounts view's state as a saved view named name.
func (v *accountsView) current(name string) store.SavedView {
	sv := store.SavedView{Name: name, Query: v.query, Band: v.band, Segment: v.segment, RenewalDays: v.within,
		Sort: strings.ToLower(accountCols[v.sortCol].title), Desc: v.desc}
	if v.member != nil {
		sv.OwnerID, sv.Unassigned = v.member.id, v.member.unassigned
	}
	return sv
}

// applyView puts the accounts view in sv's state.
func (v *accountsView) applyView(sv store.SavedView) {
	v.band, v.segment, v.within, v.desc = sv.Band, sv.Segment, sv.RenewalDays, sv.Desc
	for col, c := range accountCols[:numSorts] {
		if strings.ToLower(c.title) == sv.Sort {
			v.sortCol = col
		}
	}
	v.member = nil
	if sv.OwnerID != 0 || sv.Unassigned {
		name := "Unassigned"
		if !sv.Unassigned && v.p != nil {
			name = v.p.MemberName(sv.OwnerID)
		}
		v.member = &openMember{id: sv.OwnerID, name: name, unassigned: sv.Unassigned}
	}
	v.query = sv.Query
	if v.ensure() && v.p != nil {
		v.resort()
		v.tbl.invalidate()
		v.tbl.setCursor(0)
	}
}

// viewSummary says what a saved view shows, for the list.
func viewSummary(sv store.SavedView) string {
	var parts []string
	if sv.Query != "" {
		parts = append(parts, "/"+sv.Query)
	}
	if sv.Band != "" {
		parts = append(parts, bandLabel(sv.Band))
	}
	if sv.Segment != "" {
		parts = append(parts, humanize(string(sv.Segment)))
	}
	if sv.RenewalDays > 0 {
		parts = append(parts, "renewing within "+itoa(sv.RenewalDays)+"d")
	}
	if sv.Unassigned {
		parts = append(parts, "Unassigned")
	} else if sv.OwnerID != 0 {
		parts = append(parts, "owner #"+itoa(int(sv.OwnerID)))
	}
	dir := "↑"
	if sv.Desc {
		dir = "↓"
	}
	parts = append(parts, "sort "+sv.Sort+" "+dir)
	return strings.Join(parts, " · ")
}

// openViews asks the root to list the saved views.
type openViews struct{}

type viewsMsg struct {
	views []store.SavedView
	err   error
}

func viewsCmd(path string, opt store.Options) tea.Cmd {
	return func() tea.Msg {
		var msg viewsMsg
		msg.err = store.View(path, opt, func(tx *store.Tx) (err error) {
			msg.views, err = tx.SavedViews()
			return err
		})
		return msg
	}
}

// saveViewForm names the accounts view's state to save it.
func (m *Model) saveViewForm() *form {
	name := textField("Name", "", true)
	f := newForm(m.th, "Save this accounts view", name)
	f.token = m.nextToken()
	sv := m.accounts.current("")
	f.intro = []string{"Saves " + viewSummary(sv) + " for everyone using this database; ' opens it again."}
	f.submit = func(f *form) tea.Cmd {
		sv.Name = f.field("Name").value()
		label := "Save the view"
		return m.actionCmd(f.token, label, func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
			return "Saved the view " + strings.TrimSpace(sv.Name), 0, tx.SaveView(sv, by, now)
		})
	}
	return f
}

// viewsForm lists the saved views to open one, or delete it.
func (m *Model) viewsForm(views []store.SavedView) *form {
	opts := make([]option, len(views))
	byName := map[string]store.SavedView{}
	for i, sv := range views {
		opts[i] = option{label: sv.Name + " · " + viewSummary(sv), value: sv.Name}
		byName[sv.Name] = sv
	}
	pick := pickField("View", opts, views[0].Name)
	do := pickField("Do", enumOptions("open", "delete"), "open")
	f := newForm(m.th, "Saved views", pick, do)
	f.token = m.nextToken()
	f.submit = func(f *form) tea.Cmd {
		sv, token := byName[f.field("View").value()], f.token
		if f.field("Do").value() == "delete" {
			return m.actionCmd(token, "Delete the view", func(tx *store.Tx, by store.Actor, now time.Time) (string, uint64, error) {
				return "Deleted the view " + sv.Name, 0, tx.DeleteView(sv.Name, by)
			})
		}
		m.accounts.applyView(sv)
		m.input.SetValue(sv.Query)
		return func() tea.Msg { return writtenMsg{token: token, what: "Opened the view " + sv.Name} }
	}
	return f
}
