package portfolio

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// The execution component (README, "The execution component") scores
// alike wherever steward scores: the read model on open, the feed as a
// task closes, the detail, the weekly snapshot and the playbook trigger
// it evaluates. One account whose only other data is adoption at 50,
// with execution weighed as adoption is: the score is (50 + exec) / 2.
func TestExecutionScoresAlikeEverywhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "steward.db")
	mon := metrics.NewDate(2026, time.March, 2) // a Monday
	at := func(d metrics.Date) time.Time {
		return time.Date(d.Time().Year(), d.Time().Month(), d.Time().Day(), 12, 0, 0, 0, time.Local)
	}
	mia := store.Actor{Name: "Mia"}
	var id uint64
	var tasks []uint64
	if err := store.Update(path, opt0, func(tx *store.Tx) error {
		s := store.DefaultSettings()
		s.Health.Execution = true
		s.Health.Weights.Execution = s.Health.Weights.Adoption
		if err := tx.PutSettings(s); err != nil {
			return err
		}
		m := store.Member{Name: "Mia", Role: store.RoleManager, Active: true}
		if err := tx.PutMember(&m); err != nil {
			return err
		}
		mia.ID = m.ID
		a := store.Account{Name: "Acme", OwnerID: m.ID, ARRCents: 5_000_00, Seats: 100, ActiveUsers: metrics.Some(50),
			Segment: metrics.SMB, Lifecycle: store.Active}
		if err := tx.PutAccount(&a); err != nil {
			return err
		}
		id = a.ID
		for _, title := range []string{"one", "two", "three", "four"} {
			tk, err := tx.AddTask(store.NewTask{AccountID: id, Title: title, Due: mon.AddDays(2)}, mia, at(mon))
			if err != nil {
				return err
			}
			tasks = append(tasks, tk.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check := func(what string, day metrics.Date, p *Portfolio, score int, band metrics.Band, inputs string) {
		t.Helper()
		a := p.Account(id)
		if a.Health.Score != score || a.Health.Band != band {
			t.Errorf("%s: the read model scores %d %s, want %d %s", what, a.Health.Score, a.Health.Band, score, band)
		}
		if h := p.HealthOf(a); h.Verdict != a.Health {
			t.Errorf("%s: HealthOf gives %+v, the verdict is %+v", what, h.Verdict, a.Health)
		}
		d, err := LoadDetail(path, opt0, id, day)
		if err != nil {
			t.Fatal(err)
		}
		if d.Health.Verdict != a.Health || !strings.Contains(d.Health.Components[metrics.Execution].Inputs, inputs) {
			t.Errorf("%s: the detail scores %+v, execution %q; want the read model's %+v and %q", what, d.Health.Verdict,
				d.Health.Components[metrics.Execution].Inputs, a.Health, inputs)
		}
	}
	p, err := Load(path, opt0, mon, at(mon))
	if err != nil {
		t.Fatal(err)
	}
	check("nothing overdue", mon, p, 75, metrics.Green, "nothing overdue")

	// A week on, the four tasks are overdue: execution 0, (50+0)/2 = 25,
	// red. The weekly snapshot sees the band the read model shows, and its
	// trigger starts Red account recovery.
	next := mon.AddDays(7)
	if p, err = Load(path, opt0, next, at(next)); err != nil {
		t.Fatal(err)
	}
	check("four overdue", next, p, 25, metrics.Red, "4 overdue tasks")
	if _, err := TakeSnapshot(path, opt0, next, false); err != nil {
		t.Fatal(err)
	}
	if err := store.View(path, opt0, func(tx *store.Tx) error {
		h, err := tx.SnapshotHistory(id)
		if err != nil {
			return err
		}
		s := h[len(h)-1]
		if s.Score != 25 || s.Band != metrics.Red || s.Components[metrics.Execution] != 0 || s.Components[metrics.Adoption] != 50 {
			t.Errorf("the snapshot holds %+v, want 25 red with execution 0 and adoption 50", s)
		}
		all, err := tx.TasksOf(id)
		if err != nil {
			return err
		}
		fired := 0
		for _, tk := range all {
			if tk.Playbook == "Red account recovery" {
				fired++
			}
		}
		if fired != 4 {
			t.Errorf("the snapshot fired %d recovery tasks, want the playbook's 4", fired)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// The feed rescores the account as its tasks close: two done leave
	// two overdue, execution 50, (50+50)/2 = 50, yellow. The recovery
	// tasks are due from today on, so they are not overdue.
	if p, err = Load(path, opt0, next, at(next)); err != nil {
		t.Fatal(err)
	}
	stepFeed(t, path, &p, "two tasks done", func(tx *store.Tx) error {
		for _, tk := range tasks[:2] {
			if _, err := tx.CloseTask(tk, store.TaskDone, "", mia, at(next)); err != nil {
				return err
			}
		}
		return nil
	})
	check("two overdue", next, p, 50, metrics.Yellow, "2 overdue tasks")

	// An overdue plan milestone costs 25 more: (50+25)/2 = 37.5 -> 38, red.
	stepFeed(t, path, &p, "a milestone overdue", func(tx *store.Tx) error {
		o, err := tx.AddObjective(id, "Roll out to the second site", next.AddDays(60), metrics.OnTrack, mia, at(next))
		if err != nil {
			return err
		}
		_, err = tx.AddMilestone(id, o.ID, "Site survey", next.AddDays(-3), mia, at(next))
		return err
	})
	check("two overdue and a milestone", next, p, 38, metrics.Red, "a plan milestone overdue since "+next.AddDays(-2).String())

	// Off, the same file scores adoption alone, and a snapshot keeps no
	// execution score.
	if err := store.Update(path, opt0, func(tx *store.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.Health.Execution = false
		return tx.PutSettings(s)
	}); err != nil {
		t.Fatal(err)
	}
	if p, err = Load(path, opt0, next, at(next)); err != nil {
		t.Fatal(err)
	}
	if a := p.Account(id); a.Health.Score != 50 {
		t.Errorf("with execution off the account scores %d, want adoption's 50", a.Health.Score)
	}
	if _, err := TakeSnapshot(path, opt0, next, false); err != nil {
		t.Fatal(err)
	}
	if err := store.View(path, opt0, func(tx *store.Tx) error {
		h, err := tx.SnapshotHistory(id)
		if s := h[len(h)-1]; err == nil && (s.Score != 50 || s.Components[metrics.Execution] != -1) {
			t.Errorf("the retaken snapshot holds %+v, want 50 and no execution score", s)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
