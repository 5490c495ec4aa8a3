package tui

import (
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"steward/store"
)

// A database made by importing a CRM file has accounts and no roster, and
// without a member nobody can act: the dashboard would open read-only "as
// ?". So the first dashboard on an empty roster asks once who the user is
// and puts them on it as the first manager, audited as their own doing
// (store.AddFirstManager). With members but an unknown --as the dashboard
// stays read-only and names the members, as before.
func (m *Model) whoAreYouForm() *form {
	name, email := "", ""
	if as := strings.TrimSpace(m.opt.As); strings.Contains(as, "@") {
		email = as
	} else {
		name = as
	}
	nameF := textField("Name", name, true)
	emailF := textField("Email", email, false)
	emailF.check = func(v string) error {
		if !strings.Contains(v, "@") {
			return errNoAt
		}
		return nil
	}
	f := newForm(m.th, "Who are you?", nameF, emailF)
	f.intro = []string{
		"Nobody is on this database's roster yet, so nobody can make changes.",
		"You will be its first manager; add your team from the Team view (2, then c).",
	}
	f.token = m.nextToken()
	path, opt := m.opt.Path, m.opt.Store
	f.submit = func(f *form) tea.Cmd {
		n, e := f.field("Name").value(), f.field("Email").value()
		now := m.opt.Now()
		// The author of later changes is this person from now on.
		m.opt.As = n
		return func() tea.Msg {
			err := store.Update(path, opt, func(tx *store.Tx) error {
				_, err := tx.AddFirstManager(n, e, now)
				return err
			})
			return writtenMsg{token: f.token, what: "Welcome, " + n + ": you are this database's first manager", err: err}
		}
	}
	return f
}

type formError string

func (e formError) Error() string { return string(e) }

const errNoAt = formError("an email address has an @")
