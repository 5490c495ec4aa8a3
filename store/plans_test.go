package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// planFixture is a file with a manager, an account manager owning one
// account and another AM owning a second.
type planFixture struct {
	path           string
	boss, amy, ben Member
	mine, theirs   Account
	byBoss, byAmy  Actor
	now            time.Time
}

func newPlanFixture(t *testing.T) *planFixture {
	t.Helper()
	f := &planFixture{path: newDBPath(t), now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	if err := Update(f.path, Options{}, func(tx *Tx) (err error) {
		if f.boss, err = tx.AddMember(Member{Name: "Boss", Role: RoleManager}, Actor{}, f.now); err != nil {
			return err
		}
		if f.amy, err = tx.AddMember(Member{Name: "Amy", Role: RoleAccountManager}, Actor{}, f.now); err != nil {
			return err
		}
		if f.ben, err = tx.AddMember(Member{Name: "Ben", Role: RoleSeniorAM}, Actor{}, f.now); err != nil {
			return err
		}
		f.mine = Account{Name: "Mine", OwnerID: f.amy.ID, ARRCents: 100_00}
		f.theirs = Account{Name: "Theirs", OwnerID: f.ben.ID, ARRCents: 100_00}
		if err := tx.PutAccount(&f.mine); err != nil {
			return err
		}
		return tx.PutAccount(&f.theirs)
	}); err != nil {
		t.Fatal(err)
	}
	f.byBoss = Actor{ID: f.boss.ID, Name: "Boss"}
	f.byAmy = Actor{ID: f.amy.ID, Name: "Amy", Session: "SHA256:amy"}
	return f
}

func (f *planFixture) update(fn func(*Tx) error) error { return Update(f.path, Options{}, fn) }

func (f *planFixture) plan(t *testing.T, id uint64) Plan {
	t.Helper()
	var p Plan
	if err := View(f.path, Options{}, func(tx *Tx) (err error) { p, err = tx.PlanOf(id); return err }); err != nil {
		t.Fatal(err)
	}
	return p
}

// lastActivity is the newest activity of account id.
func (f *planFixture) lastActivity(t *testing.T, id uint64) Activity {
	t.Helper()
	var acts []Activity
	if err := View(f.path, Options{}, func(tx *Tx) (err error) { acts, err = tx.Activities(id, 1); return err }); err != nil {
		t.Fatal(err)
	}
	if len(acts) == 0 {
		t.Fatal("no activity")
	}
	return acts[0]
}

func TestSuccessPlanActions(t *testing.T) {
	f := newPlanFixture(t)
	d := func(s string) metrics.Date { return day(s) }
	seqBefore := uint64(0)
	_ = View(f.path, Options{}, func(tx *Tx) error { seqBefore = tx.ChangeSeq(); return nil })

	// Each action: its record, and an activity entry by its author
	// (kind "plan") that says what changed.
	steps := []struct {
		name string
		do   func(tx *Tx) error
		says string
	}{
		{"add an objective", func(tx *Tx) error {
			o, err := tx.AddObjective(f.mine.ID, "  Roll out to the EMEA sales team ", d("2026-06-30"), "", f.byAmy, f.now)
			if err == nil && (o.ID != 1 || o.Status != metrics.OnTrack) {
				t.Errorf("added %+v", o)
			}
			return err
		}, "Objective #1 added: Roll out to the EMEA sales team (on track, target 2026-06-30)"},
		{"add a milestone", func(tx *Tx) error {
			m, err := tx.AddMilestone(f.mine.ID, 1, "Admin training done", d("2026-03-01"), f.byAmy, f.now)
			if err == nil && m.ID != 2 {
				t.Errorf("milestone %+v", m)
			}
			return err
		}, "Milestone #2 added to objective #1: Admin training done (due 2026-03-01)"},
		{"add another", func(tx *Tx) error {
			_, err := tx.AddMilestone(f.mine.ID, 1, "50% seats active", d("2026-05-01"), f.byAmy, f.now)
			return err
		}, "Milestone #3 added"},
		{"tick one", func(tx *Tx) error { return tx.SetMilestoneDone(f.mine.ID, 2, true, f.byAmy, f.now) },
			"Milestone #2 of objective #1 done: Admin training done"},
		{"edit a milestone", func(tx *Tx) error {
			return tx.EditMilestone(f.mine.ID, 3, "60% seats active", d("2026-05-15"), f.byAmy, f.now)
		}, "Milestone #3 edited: text 50% seats active → 60% seats active; due 2026-05-01 → 2026-05-15"},
		{"edit the objective", func(tx *Tx) error {
			return tx.EditObjective(f.mine.ID, 1, "Roll out to EMEA", d("2026-07-31"), f.byAmy, f.now)
		}, "Objective #1 edited: text Roll out to the EMEA sales team → Roll out to EMEA; target 2026-06-30 → 2026-07-31"},
		{"a second objective", func(tx *Tx) error {
			_, err := tx.AddObjective(f.mine.ID, "Exec sponsor", 0, metrics.ObjectiveAtRisk, f.byAmy, f.now)
			return err
		}, "Objective #4 added: Exec sponsor (at risk, target none)"},
		{"its status", func(tx *Tx) error { return tx.SetObjectiveStatus(f.mine.ID, 4, metrics.Dropped, f.byAmy, f.now) },
			"Objective #4 Exec sponsor: at risk → dropped"},
		{"a manager on someone else's account", func(tx *Tx) error {
			_, err := tx.AddObjective(f.mine.ID, "Renew early", 0, "", f.byBoss, f.now)
			return err
		}, "Objective #5 added: Renew early"},
		{"remove it", func(tx *Tx) error { return tx.RemoveObjective(f.mine.ID, 5, f.byBoss, f.now) },
			"Objective #5 removed: Renew early (on track, 0 milestones)"},
		{"untick", func(tx *Tx) error { return tx.SetMilestoneDone(f.mine.ID, 2, false, f.byAmy, f.now) },
			"Milestone #2 of objective #1 marked not done"},
	}
	for _, s := range steps {
		if err := f.update(s.do); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		act := f.lastActivity(t, f.mine.ID)
		if act.Kind != ActPlan || !strings.Contains(act.Text, s.says) {
			t.Errorf("%s: activity %s %q, want it to say %q", s.name, act.Kind, act.Text, s.says)
		}
		wantAuthor := "Amy"
		if strings.Contains(s.name, "manager") || s.name == "remove it" {
			wantAuthor = "Boss"
		}
		if act.Author != wantAuthor {
			t.Errorf("%s: author %q, want %q", s.name, act.Author, wantAuthor)
		}
	}

	p := f.plan(t, f.mine.ID)
	want := Plan{AccountID: f.mine.ID, LastID: 5, Objectives: []Objective{
		{ID: 1, Text: "Roll out to EMEA", Target: d("2026-07-31"), Status: metrics.OnTrack, Milestones: []Milestone{
			{ID: 2, Text: "Admin training done", Due: d("2026-03-01")},
			{ID: 3, Text: "60% seats active", Due: d("2026-05-15")},
		}},
		{ID: 4, Text: "Exec sponsor", Status: metrics.Dropped},
	}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("plan\n%+v\nwant\n%+v", p, want)
	}
	// Milestone 2 is due 2026-03-01, not done, of a live objective: on
	// the fixture's day (2026-03-10) the plan is at risk.
	if pr := p.Progress(metrics.DateOf(f.now)); pr.Milestones != 2 || pr.Done != 0 || pr.Overdue != 1 || !pr.AtRisk {
		t.Errorf("progress %+v", pr)
	}

	// A tick records who and when; the record keeps both.
	later := f.now.Add(time.Hour)
	if err := f.update(func(tx *Tx) error { return tx.SetMilestoneDone(f.mine.ID, 2, true, f.byAmy, later) }); err != nil {
		t.Fatal(err)
	}
	ticked := f.plan(t, f.mine.ID)
	if _, m := ticked.Milestone(2); !m.Done || !m.DoneAt.Equal(later) || m.DoneBy != "Amy" {
		t.Errorf("ticked milestone %+v", m)
	}

	// Every action was a change the feed names, so other dashboards
	// re-read the account (and its plan).
	if err := View(f.path, Options{}, func(tx *Tx) error {
		changes, _, err := tx.ChangesSince(seqBefore)
		if err != nil {
			return err
		}
		if len(changes) != len(steps)+1 {
			t.Errorf("%d feed entries for %d actions", len(changes), len(steps)+1)
		}
		for _, c := range changes {
			if !reflect.DeepEqual(c.Accounts, []uint64{f.mine.ID}) {
				t.Errorf("feed entry %+v does not name the account alone", c)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(f.path, Options{}); err != nil {
		t.Fatalf("check: %v", err)
	}
}

// Who may, and what is refused: each refusal writes nothing at all (not
// even an activity entry) and says why.
func TestSuccessPlanRefusals(t *testing.T) {
	f := newPlanFixture(t)
	d := func(s string) metrics.Date { return day(s) }
	if err := f.update(func(tx *Tx) error {
		if _, err := tx.AddObjective(f.mine.ID, "Adoption", 0, "", f.byAmy, f.now); err != nil {
			return err
		}
		_, err := tx.AddMilestone(f.mine.ID, 1, "Kick-off", d("2026-03-20"), f.byAmy, f.now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before := f.plan(t, f.mine.ID)
	beforeAct := f.lastActivity(t, f.mine.ID)
	for _, c := range []struct {
		name string
		fn   func(*Tx) error
		want string
	}{
		{"another owner's account", func(tx *Tx) error {
			_, err := tx.AddObjective(f.theirs.ID, "x", 0, "", f.byAmy, f.now)
			return err
		}, "only the account's owner or a manager can edit the success plan of Theirs"},
		{"empty text", func(tx *Tx) error {
			_, err := tx.AddObjective(f.mine.ID, "   ", 0, "", f.byAmy, f.now)
			return err
		}, "an objective needs a text"},
		{"a status we do not know", func(tx *Tx) error {
			return tx.SetObjectiveStatus(f.mine.ID, 1, "blocked", f.byAmy, f.now)
		}, "objective status \"blocked\" is not one of"},
		{"a status on an unknown status add", func(tx *Tx) error {
			_, err := tx.AddObjective(f.mine.ID, "x", 0, "late", f.byAmy, f.now)
			return err
		}, "is not one of"},
		{"the same status", func(tx *Tx) error {
			return tx.SetObjectiveStatus(f.mine.ID, 1, metrics.OnTrack, f.byAmy, f.now)
		}, "already on track"},
		{"a milestone without a due date", func(tx *Tx) error {
			_, err := tx.AddMilestone(f.mine.ID, 1, "Go live", 0, f.byAmy, f.now)
			return err
		}, "a milestone needs a due date"},
		{"a date nobody meant", func(tx *Tx) error {
			_, err := tx.AddMilestone(f.mine.ID, 1, "Go live", metrics.NewDate(1066, 10, 14), f.byAmy, f.now)
			return err
		}, "out of range"},
		{"an objective that is not there", func(tx *Tx) error {
			_, err := tx.AddMilestone(f.mine.ID, 9, "Go live", d("2026-04-01"), f.byAmy, f.now)
			return err
		}, "Mine has no objective #9"},
		{"a milestone that is not there", func(tx *Tx) error {
			return tx.SetMilestoneDone(f.mine.ID, 1, true, f.byAmy, f.now) // 1 is the objective
		}, "Mine has no milestone #1"},
		{"ticking twice", func(tx *Tx) error {
			if err := tx.SetMilestoneDone(f.mine.ID, 2, true, f.byAmy, f.now); err != nil {
				return err
			}
			return tx.SetMilestoneDone(f.mine.ID, 2, true, f.byAmy, f.now)
		}, "already done"},
		{"an edit that changes nothing", func(tx *Tx) error {
			return tx.EditObjective(f.mine.ID, 1, "Adoption", 0, f.byAmy, f.now)
		}, "nothing to change"},
		{"a text too long", func(tx *Tx) error {
			return tx.EditMilestone(f.mine.ID, 2, strings.Repeat("x", MaxPlanTextLength+1), d("2026-03-20"), f.byAmy, f.now)
		}, "limited to 500 bytes"},
	} {
		err := f.update(c.fn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		if c.name == "another owner's account" && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("the refusal is not ErrNotAllowed: %v", err)
		}
	}
	if got := f.plan(t, f.mine.ID); !reflect.DeepEqual(got, before) {
		t.Errorf("a refused action changed the plan:\n%+v\nwas\n%+v", got, before)
	}
	if act := f.lastActivity(t, f.mine.ID); act.ID != beforeAct.ID {
		t.Errorf("a refused action logged %+v", act)
	}
	if p := f.plan(t, f.theirs.ID); len(p.Objectives) != 0 || p.LastID != 0 {
		t.Errorf("the other account got a plan: %+v", p)
	}
	// A member who left may change nothing.
	if err := f.update(func(tx *Tx) error {
		if _, err := tx.ReassignAccount(f.mine.ID, f.ben.ID, f.byBoss, f.now); err != nil {
			return err
		}
		_, err := tx.DeactivateMember(f.amy.ID, f.byBoss, f.now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := f.update(func(tx *Tx) error { return tx.SetObjectiveStatus(f.mine.ID, 1, metrics.Achieved, f.byAmy, f.now) })
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "no longer active") {
		t.Errorf("a deactivated member: %v", err)
	}
}

// The plan record round-trips through its codec, and its head carries
// the summary; a plan without objectives left keeps its last ID, so a
// new objective never reuses one.
func TestPlanRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 30, 0, 5, time.UTC)
	p := Plan{AccountID: 9, LastID: 7, Objectives: []Objective{
		{ID: 1, Text: "Roll out · 北风", Target: day("2026-06-30"), Status: metrics.OnTrack, Milestones: []Milestone{
			{ID: 2, Text: "Training", Due: day("2026-03-01"), Done: true, DoneAt: at, DoneBy: "Priya"},
			{ID: 6, Text: "Seats", Due: day("2026-05-01")},
		}},
		{ID: 7, Text: "Sponsor", Status: metrics.ObjectiveAtRisk},
	}}
	var got Plan
	if err := decodePlan(9, encodePlan(&p), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip\n%+v\nwant\n%+v", got, p)
	}
	want := metrics.PlanSummary{FirstDue: day("2026-05-01"), AtRiskObjective: true}
	if s, err := decodePlanSum(encodePlanSum(p.Summary())); err != nil || s != want {
		t.Errorf("summary %+v %v, want %+v", s, err, want)
	}
	// Cut short anywhere, or with a byte more, it is damaged, never a
	// panic or a huge allocation.
	raw := encodePlan(&p)
	for n := 0; n < len(raw); n++ {
		if err := decodePlan(9, raw[:n], &got); err == nil {
			t.Fatalf("a record cut at %d bytes decoded", n)
		}
	}
	if err := decodePlan(9, append(raw, 0), &got); err == nil {
		t.Error("a record with a trailing byte decoded")
	}

	f := newPlanFixture(t)
	if err := f.update(func(tx *Tx) error {
		if _, err := tx.AddObjective(f.mine.ID, "One", 0, "", f.byAmy, f.now); err != nil {
			return err
		}
		if err := tx.RemoveObjective(f.mine.ID, 1, f.byAmy, f.now); err != nil {
			return err
		}
		o, err := tx.AddObjective(f.mine.ID, "Two", 0, "", f.byAmy, f.now)
		if err == nil && o.ID != 2 {
			t.Errorf("a removed objective's ID was given again: %+v", o)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// successplan.v1.bin and plansummary.v1.bin were written byte by byte
// by a throwaway script (testdata/README.md), not by the encoders.
func TestGoldenPlanFormat(t *testing.T) {
	var p Plan
	if err := decodePlan(42, readGolden(t, "successplan.v1.bin"), &p); err != nil {
		t.Fatal(err)
	}
	want := Plan{AccountID: 42, LastID: 5, Objectives: []Objective{
		{ID: 1, Text: "Roll out to the EMEA sales team", Target: day("2026-06-30"), Status: metrics.OnTrack, Milestones: []Milestone{
			{ID: 2, Text: "Admin training done", Due: day("2026-03-15"), Done: true, DoneAt: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC), DoneBy: "Priya Kim"},
			{ID: 3, Text: "50% seats active", Due: day("2026-05-01")},
		}},
		{ID: 4, Text: "Exec sponsor sign-off · 北风", Status: metrics.ObjectiveAtRisk, Milestones: []Milestone{
			{ID: 5, Text: "QBR with the CFO", Due: day("2026-04-10")},
		}},
	}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("golden plan decodes to\n%+v\nwant\n%+v", p, want)
	}
	s, err := decodePlanSum(readGolden(t, "plansummary.v1.bin"))
	if err != nil || s != p.Summary() || s != (metrics.PlanSummary{FirstDue: day("2026-04-10"), AtRiskObjective: true}) {
		t.Errorf("golden summary %+v %v", s, err)
	}
}

// steward check reads every plan: damage is found and named.
func TestCheckFindsDamagedPlans(t *testing.T) {
	good := Plan{AccountID: 5, LastID: 2, Objectives: []Objective{{ID: 1, Text: "x", Status: metrics.OnTrack,
		Milestones: []Milestone{{ID: 2, Text: "m", Due: day("2026-03-01")}}}}}
	for _, tc := range []struct {
		name, want string
		value      func() (uint64, []byte)
	}{
		{"garbled", "success plan of account 5", func() (uint64, []byte) { return 5, []byte{1, 2} }},
		{"of no account", "success plan of account 999: the account does not exist", func() (uint64, []byte) {
			p := good
			p.AccountID = 999
			return 999, encodePlan(&p)
		}},
		{"an impossible status", "impossible values", func() (uint64, []byte) {
			p := good
			p.Objectives = []Objective{{ID: 1, Text: "x", Status: "blocked"}}
			return 5, encodePlan(&p)
		}},
		{"an ID given twice", "impossible values", func() (uint64, []byte) {
			p := good
			p.Objectives = []Objective{{ID: 1, Text: "x", Status: metrics.OnTrack, Milestones: []Milestone{{ID: 1, Text: "m", Due: day("2026-03-01")}}}}
			return 5, encodePlan(&p)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := newDBPath(t)
			seed(t, path, 12)
			id, v := tc.value()
			rawUpdate(t, path, func(tx *bolt.Tx) error {
				b, err := tx.CreateBucketIfNotExists(bPlans)
				if err != nil {
					return err
				}
				return b.Put(u64(id), v)
			})
			expectRefused(t, path, tc.want)
		})
	}

	// The summary index must say what the plans say.
	for _, tc := range []struct {
		name   string
		damage func(sums *bolt.Bucket) error
	}{
		{"a summary missing", func(sums *bolt.Bucket) error { return sums.Delete(u64(5)) }},
		{"a summary that disagrees", func(sums *bolt.Bucket) error {
			return sums.Put(u64(5), encodePlanSum(metrics.PlanSummary{FirstDue: day("2026-09-01")}))
		}},
		{"a summary of no plan", func(sums *bolt.Bucket) error {
			return sums.Put(u64(6), encodePlanSum(metrics.PlanSummary{AtRiskObjective: true}))
		}},
		{"a garbled summary", func(sums *bolt.Bucket) error { return sums.Put(u64(5), []byte{1, 2}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := newDBPath(t)
			seed(t, path, 12)
			if err := Update(path, Options{}, func(tx *Tx) error { return tx.PutPlan(&good) }); err != nil {
				t.Fatal(err)
			}
			if err := Verify(path, Options{}); err != nil {
				t.Fatalf("a sound plan: %v", err)
			}
			rawUpdate(t, path, func(tx *bolt.Tx) error { return tc.damage(tx.Bucket(bPlanSums)) })
			expectRefused(t, path, "success_plans_summary")
		})
	}
}
