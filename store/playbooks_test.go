package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"steward/metrics"
)

// pbTasks lists an account's tasks that playbook name created.
func pbTasks(t *testing.T, path string, account uint64, name string) []Task {
	t.Helper()
	var out []Task
	actView(t, path, func(tx *Tx) error {
		all, err := tx.TasksOf(account)
		for _, tk := range all {
			if tk.Playbook == name {
				out = append(out, tk)
			}
		}
		return err
	})
	return out
}

func pbEdit(t *testing.T, f *actFix, now time.Time, mutate func(a *Account)) {
	t.Helper()
	actUpdate(t, f.path, func(tx *Tx) error {
		a, err := tx.Account(f.acme.ID)
		if err != nil {
			return err
		}
		mutate(&a)
		_, err = tx.EditAccount(a, "", f.byMia, now)
		return err
	})
}

func pbPut(t *testing.T, f *actFix, p Playbook) Playbook {
	t.Helper()
	actUpdate(t, f.path, func(tx *Tx) (err error) {
		p, err = tx.PutPlaybook(p, f.byMia, actNow)
		return err
	})
	return p
}

func TestPlaybookDefaultsSeededOnce(t *testing.T) {
	path := newDBPath(t)
	actView(t, path, func(tx *Tx) error {
		list, err := tx.Playbooks()
		if err != nil || len(list) != 3 || list[0].ID != 0 {
			t.Errorf("before any write: %+v, %v; want the 3 defaults, unwritten", list, err)
		}
		return nil
	})
	actUpdate(t, path, func(tx *Tx) error { return tx.SeedPlaybooks() })
	var red Playbook
	actUpdate(t, path, func(tx *Tx) (err error) {
		if red, err = tx.PlaybookNamed("red account RECOVERY"); err != nil {
			return err
		}
		return tx.DeletePlaybook(red.ID, Actor{})
	})
	if red.Trigger != metrics.TriggerBandToRed || len(red.Steps) != 4 || red.Steps[2].Owner != OwnerManager || red.Steps[3].OffsetDays != 21 {
		t.Errorf("red account recovery = %+v", red)
	}
	actUpdate(t, path, func(tx *Tx) error { return tx.SeedPlaybooks() })
	actView(t, path, func(tx *Tx) error {
		list, err := tx.Playbooks()
		if err != nil || len(list) != 2 || list[0].Name != "Champion change" || list[1].Name != "Renewal prep (120 days)" || list[1].TriggerDays != 120 {
			t.Errorf("after deleting one: %+v, %v; a deleted default must not come back", list, err)
		}
		_, err = tx.PlaybookNamed("Red account recovery")
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "Champion change") {
			t.Errorf("PlaybookNamed of a deleted one: %v", err)
		}
		return nil
	})
}

// A default edited before the defaults were written (the list shows
// them unwritten) replaces that default rather than clash with it.
func TestPlaybookDefaultEditedBeforeSeeding(t *testing.T) {
	path := newDBPath(t)
	actUpdate(t, path, func(tx *Tx) error {
		_, err := tx.PutPlaybook(Playbook{Name: "Red account recovery", Trigger: metrics.TriggerBandToRed, Active: true,
			Steps: []Step{{Title: "Call", OffsetDays: 1, Owner: OwnerAccount}}}, Actor{}, actNow)
		return err
	})
	actView(t, path, func(tx *Tx) error {
		list, err := tx.Playbooks()
		if len(list) != 3 || list[1].Name != "Red account recovery" || len(list[1].Steps) != 1 || list[1].ID == 0 {
			t.Errorf("playbooks = %+v", list)
		}
		return err
	})
}

func TestPlaybookRulesAndRoles(t *testing.T) {
	f := actSetup(t)
	ok := Playbook{Name: "Onboarding", Trigger: metrics.TriggerNewAccount, Active: true,
		Steps: []Step{{Title: "Kick-off call", OffsetDays: 1, Owner: OwnerAccount}}}
	put := func(p Playbook, by Actor) func(*Tx) error {
		return func(tx *Tx) error { _, err := tx.PutPlaybook(p, by, actNow); return err }
	}
	actRefused(t, f.path, "a senior AM", put(ok, f.bySam), "only a manager can change the playbooks")
	actUpdate(t, f.path, func(tx *Tx) error { return tx.SeedPlaybooks() })
	bad := func(what string, mutate func(p *Playbook), wants ...string) {
		t.Helper()
		p := ok
		p.Steps = append([]Step(nil), ok.Steps...)
		mutate(&p)
		actRefused(t, f.path, what, put(p, f.byMia), wants...)
	}
	bad("no name", func(p *Playbook) { p.Name = " " }, "needs a name")
	bad("a default's name", func(p *Playbook) { p.Name = "champion CHANGE" }, "another playbook has that name")
	bad("no steps", func(p *Playbook) { p.Steps = nil }, "at least one step")
	bad("offset", func(p *Playbook) { p.Steps[0].OffsetDays = 366 }, "step 1", "offset 366", "-365 to 365")
	bad("no title", func(p *Playbook) { p.Steps[0].Title = "" }, "step 1", "task title")
	bad("owner rule", func(p *Playbook) { p.Steps[0].Owner = "boss" }, "owner", "boss")
	bad("inactive member", func(p *Playbook) { p.Steps[0].Owner, p.Steps[0].MemberID = OwnerMember, f.ivy.ID }, "Ivy Gone is no longer active")
	bad("unknown member", func(p *Playbook) { p.Steps[0].Owner, p.Steps[0].MemberID = OwnerMember, 999 }, "member #999 is not on the roster")
	bad("trigger", func(p *Playbook) { p.Trigger = "band_to_purple" }, "band_to_purple")
	bad("renewal days", func(p *Playbook) { p.Trigger = metrics.TriggerRenewalInDays }, "renewal_in_days needs a number of days")

	p := pbPut(t, f, ok)
	if p.ID == 0 || p.UpdatedBy != f.mia.Name {
		t.Fatalf("created %+v", p)
	}
	actView(t, f.path, func(tx *Tx) error {
		list, err := tx.Playbooks()
		if len(list) != 4 {
			t.Errorf("playbooks = %+v, want the 3 defaults and the new one", list)
		}
		return err
	})
	actRefused(t, f.path, "delete as an AM", func(tx *Tx) error { return tx.DeletePlaybook(p.ID, f.byAlex) }, "only a manager")
	actUpdate(t, f.path, func(tx *Tx) error { return tx.DeletePlaybook(p.ID, f.byMia) })
}

// Red by an edit: the four recovery tasks, due from the edit's day, owned
// by the rules (the account's owner; the owner's manager is the first
// active manager by name); one activity; a second edit still red fires
// nothing; green then red again fires anew.
func TestPlaybookBandToRedOnEdit(t *testing.T) {
	f := actSetup(t)
	toRed := func(a *Account) {
		a.ActiveUsers, a.Seats, a.LastTouch, a.NPS = metrics.Some(5), 100, 0, metrics.Some(0)
	}
	pbEdit(t, f, actNow, toRed)
	today := metrics.DateOf(actNow.Local())
	tasks := pbTasks(t, f.path, f.acme.ID, "Red account recovery")
	if len(tasks) != 4 {
		t.Fatalf("tasks = %+v, want 4", tasks)
	}
	wantOwner := []uint64{f.sam.ID, f.sam.ID, f.mia.ID, f.sam.ID}
	for i, off := range []int{2, 5, 7, 21} {
		tk := tasks[i]
		if tk.Due != today.AddDays(off) || tk.OwnerID != wantOwner[i] || tk.Trigger != "band_to_red" || tk.CreatedBy != f.mia.Name || tk.Status != TaskOpen {
			t.Errorf("task %d = %+v", i, tk)
		}
	}
	_, acts := actAccount(t, f.path, f.acme.ID)
	if acts[0].Kind != "playbook" || !strings.HasPrefix(acts[0].Text, "Playbook Red account recovery started (band_to_red)") {
		t.Errorf("activity = %+v", acts[0])
	}
	pbEdit(t, f, actNow.Add(24*time.Hour), func(a *Account) { a.SuccessPlan = "still red" })
	if n := len(pbTasks(t, f.path, f.acme.ID, "Red account recovery")); n != 4 {
		t.Errorf("a second red edit: %d tasks, want 4", n)
	}
	pbEdit(t, f, actNow.Add(48*time.Hour), func(a *Account) { a.ActiveUsers, a.NPS, a.LastTouch = metrics.Some(90), metrics.Some(10), today })
	pbEdit(t, f, actNow.Add(72*time.Hour), toRed)
	if n := len(pbTasks(t, f.path, f.acme.ID, "Red account recovery")); n != 8 {
		t.Errorf("red, green, red: %d tasks, want 8", n)
	}
}

func TestPlaybookChampionAndRenewalDefaults(t *testing.T) {
	f := actSetup(t)
	today := metrics.DateOf(actNow.Local())
	pbEdit(t, f, actNow, func(a *Account) { a.ChampionChanged, a.ChampionName = true, "Dana" })
	if tasks := pbTasks(t, f.path, f.acme.ID, "Champion change"); len(tasks) != 3 || tasks[0].Due != today.AddDays(3) || tasks[0].Trigger != "champion_changed" {
		t.Errorf("champion change tasks = %+v", tasks)
	}
	pbEdit(t, f, actNow, func(a *Account) { a.ChampionName = "Dana Lee" })
	if n := len(pbTasks(t, f.path, f.acme.ID, "Champion change")); n != 3 {
		t.Errorf("still changed: %d tasks, want 3", n)
	}
	// The renewal 121 days out: nothing; 120: the prep; a later date
	// (renewed) fires again when it comes within 120 days.
	pbEdit(t, f, actNow, func(a *Account) { a.RenewalDate = today.AddDays(121) })
	if n := len(pbTasks(t, f.path, f.acme.ID, "Renewal prep (120 days)")); n != 0 {
		t.Errorf("121 days out: %d tasks", n)
	}
	pbEdit(t, f, actNow, func(a *Account) { a.RenewalDate = today.AddDays(120) })
	tasks := pbTasks(t, f.path, f.acme.ID, "Renewal prep (120 days)")
	if len(tasks) != 4 || tasks[0].Due != today || tasks[2].OwnerID != f.mia.ID || tasks[0].Trigger != "renewal_in_days 120" {
		t.Errorf("renewal prep = %+v", tasks)
	}
	pbEdit(t, f, actNow, func(a *Account) { a.SuccessPlan = "renewing" })
	pbEdit(t, f, actNow, func(a *Account) { a.RenewalDate = today.AddDays(100) })
	if n := len(pbTasks(t, f.path, f.acme.ID, "Renewal prep (120 days)")); n != 8 {
		t.Errorf("a new renewal date within 120 days: %d tasks, want 8", n)
	}
}

// The kinds no default uses, each with a playbook of its own, and the
// owner rules' fallbacks.
func TestPlaybookOtherKindsAndOwnerRules(t *testing.T) {
	f := actSetup(t)
	today := metrics.DateOf(actNow.Local())
	// Only these playbooks: the defaults would fire on the same edits.
	actUpdate(t, f.path, func(tx *Tx) error {
		if err := tx.SeedPlaybooks(); err != nil {
			return err
		}
		list, _ := tx.Playbooks()
		for _, p := range list {
			if err := tx.DeletePlaybook(p.ID, f.byMia); err != nil {
				return err
			}
		}
		return nil
	})
	step := func(title string, owner OwnerRule, member uint64) []Step {
		return []Step{{Title: title, OffsetDays: -1, Owner: owner, MemberID: member}}
	}
	qbr := pbPut(t, f, Playbook{Name: "QBR", Trigger: metrics.TriggerQBROverdue, Active: true, Steps: step("Book the QBR", OwnerMember, f.alex.ID)})
	pbPut(t, f, Playbook{Name: "Yellow", Trigger: metrics.TriggerBandToYellow, Active: true, Steps: step("Look into it", OwnerManager, 0)})
	drop := pbPut(t, f, Playbook{Name: "Dropping", Trigger: metrics.TriggerDropping, Active: true, Steps: step("Why the drop?", OwnerAccount, 0)})
	manual := pbPut(t, f, Playbook{Name: "By hand", Trigger: metrics.TriggerManual, Active: true, Steps: step("Hand work", OwnerAccount, 0)})
	pbPut(t, f, Playbook{Name: "Off", Trigger: metrics.TriggerQBROverdue, Active: false, Steps: step("Never", OwnerAccount, 0)})

	// Alex leaves before the QBR falls overdue: Sam (the owner) gets it,
	// and the activity says why. Acme's last QBR (2025-12-01) is 91 days
	// old on 2026-03-02.
	actUpdate(t, f.path, func(tx *Tx) error {
		m := f.alex
		m.Active = false
		return tx.PutMember(&m)
	})
	pbEdit(t, f, actNow, func(a *Account) { a.SuccessPlan = "grow" })
	tasks := pbTasks(t, f.path, f.acme.ID, "QBR")
	if len(tasks) != 1 || tasks[0].OwnerID != f.sam.ID || tasks[0].Due != today.AddDays(-1) {
		t.Errorf("qbr tasks = %+v", tasks)
	}
	_, acts := actAccount(t, f.path, f.acme.ID)
	said := false
	for _, a := range acts {
		said = said || strings.HasPrefix(a.Text, "Playbook QBR started (qbr_overdue)") && strings.Contains(a.Text, "Alex Am is no longer active: the account's owner has")
	}
	if !said {
		t.Errorf("activities = %+v, want the QBR playbook's saying who has the task and why", acts)
	}
	// Acme was yellow already: the manager rule gives Mia that one.
	if tasks := pbTasks(t, f.path, f.acme.ID, "Yellow"); len(tasks) != 1 || tasks[0].OwnerID != f.mia.ID {
		t.Errorf("yellow tasks = %+v", tasks)
	}
	if n := len(pbTasks(t, f.path, f.acme.ID, "Off")); n != 0 {
		t.Errorf("an inactive playbook fired %d tasks", n)
	}
	// The QBR logged: the flag clears, the episode ends; overdue again
	// fires again.
	pbEdit(t, f, actNow, func(a *Account) { a.LastQBR = today })
	pbEdit(t, f, actNow, func(a *Account) { a.LastQBR = today.AddDays(-200) })
	if n := len(pbTasks(t, f.path, f.acme.ID, "QBR")); n != 2 {
		t.Errorf("qbr overdue twice: %d tasks, want 2", n)
	}
	_ = qbr

	// Yellow, with no active manager on the roster: the owner has it.
	actUpdate(t, f.path, func(tx *Tx) error {
		m := f.mia
		m.Active = false
		return tx.PutMember(&m)
	})
	for _, users := range []int{90, 50} { // green, then yellow
		actUpdate(t, f.path, func(tx *Tx) error {
			a, _ := tx.Account(f.acme.ID)
			a.ActiveUsers, a.Seats, a.LastTouch, a.NPS, a.CSAT, a.Tickets30d = metrics.Some(users), 100, 0, metrics.Opt{}, metrics.Opt{}, metrics.Opt{}
			_, err := tx.EditAccount(a, "", Actor{Name: "cli"}, actNow)
			return err
		})
	}
	tasks = pbTasks(t, f.path, f.acme.ID, "Yellow")
	if len(tasks) != 2 || tasks[1].OwnerID != f.sam.ID {
		t.Errorf("yellow tasks = %+v, the second the owner's (no active manager)", tasks)
	}

	// Dropping: only an evaluation that knows the trend fires it.
	ev := Evaluation{Today: today, By: Actor{Name: "weekly snapshot"}, Now: actNow}
	actUpdate(t, f.path, func(tx *Tx) error {
		a, _ := tx.Account(f.acme.ID)
		ev.Trend = metrics.Trend{Delta: -15, OK: true}
		if n, err := tx.EvaluatePlaybooks(&a, ev); n != 0 || err != nil {
			t.Errorf("dropping without KnowsTrend: %d fired, %v", n, err)
		}
		ev.KnowsTrend = true
		if n, err := tx.EvaluatePlaybooks(&a, ev); n != 1 || err != nil {
			t.Errorf("dropping: %d fired, %v", n, err)
		}
		if n, err := tx.EvaluatePlaybooks(&a, ev); n != 0 || err != nil {
			t.Errorf("dropping again: %d fired, %v", n, err)
		}
		ep, err := tx.Episode(a.ID, drop.ID)
		if !ep.Open || err != nil {
			t.Errorf("dropping episode = %+v, %v", ep, err)
		}
		return nil
	})

	// Manual: never by itself; by hand by the owner (not by another AM).
	if n := len(pbTasks(t, f.path, f.acme.ID, "By hand")); n != 0 {
		t.Errorf("manual fired %d", n)
	}
	actRefused(t, f.path, "start on someone else's account", func(tx *Tx) error {
		_, err := tx.StartPlaybook(f.acme.ID, manual.ID, Actor{ID: f.beta.OwnerID, Name: "Alex Am"}, actNow, today)
		return err
	}, "no longer active")
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.StartPlaybook(f.acme.ID, manual.ID, f.bySam, actNow, today)
		return err
	})
	if tasks := pbTasks(t, f.path, f.acme.ID, "By hand"); len(tasks) != 1 || tasks[0].Trigger != "started by Sam Senior" {
		t.Errorf("by hand = %+v", tasks)
	}
}

// Started by hand, a triggered playbook does not start again for the
// episode under way.
func TestPlaybookStartedByHandDoesNotRefire(t *testing.T) {
	f := actSetup(t)
	var red Playbook
	actUpdate(t, f.path, func(tx *Tx) (err error) {
		if err = tx.SeedPlaybooks(); err != nil {
			return err
		}
		red, err = tx.PlaybookNamed("Red account recovery")
		return err
	})
	today := metrics.DateOf(actNow.Local())
	actRefused(t, f.path, "another AM", func(tx *Tx) error {
		_, err := tx.StartPlaybook(f.acme.ID, red.ID, f.byAlex, actNow, today)
		return err
	}, "only the account's owner or a manager")
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.StartPlaybook(f.acme.ID, red.ID, f.bySam, actNow, today)
		return err
	})
	pbEdit(t, f, actNow, func(a *Account) {
		a.ActiveUsers, a.Seats, a.LastTouch, a.NPS = metrics.Some(5), 100, 0, metrics.Some(0)
	})
	if n := len(pbTasks(t, f.path, f.acme.ID, "Red account recovery")); n != 4 {
		t.Errorf("started by hand then red: %d tasks, want 4", n)
	}
}

// A playbook whose trigger changes starts with no episodes: the old
// trigger's open one does not keep the new one from firing.
func TestPlaybookNewTriggerForgetsEpisodes(t *testing.T) {
	f := actSetup(t)
	pbEdit(t, f, actNow, func(a *Account) {
		a.ActiveUsers, a.Seats, a.LastTouch, a.NPS = metrics.Some(5), 100, 0, metrics.Some(0)
	})
	var red Playbook
	actUpdate(t, f.path, func(tx *Tx) (err error) {
		if red, err = tx.PlaybookNamed("Red account recovery"); err != nil {
			return err
		}
		if ep, _ := tx.Episode(f.acme.ID, red.ID); !ep.Open {
			t.Errorf("red episode = %+v, want open", ep)
		}
		other, err := tx.PlaybookNamed("Champion change")
		if err != nil {
			return err
		}
		if err := tx.DeletePlaybook(other.ID, f.byMia); err != nil {
			return err
		}
		red.Trigger = metrics.TriggerChampionChanged
		_, err = tx.PutPlaybook(red, f.byMia, actNow)
		return err
	})
	pbEdit(t, f, actNow, func(a *Account) { a.ChampionChanged = true })
	if n := len(pbTasks(t, f.path, f.acme.ID, "Red account recovery")); n != 8 {
		t.Errorf("%d tasks, want 4 from the red band and 4 from the champion", n)
	}
}
