package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"steward/metrics"
)

// Success plans (README, "Success plans"): an account's plan is its
// free-text summary (Account.SuccessPlan) and a list of objectives, each
// with a status and dated milestones, kept in one record per account in
// the success_plans bucket. Every change is one action of a member (the
// account's owner or a manager, DoPlan), in one transaction, with an
// activity entry that says what changed, like every other change to an
// account.

var bPlans = []byte("success_plans")

// Milestone is one dated step of an objective.
type Milestone struct {
	ID     int
	Text   string
	Due    metrics.Date // required: a milestone is a dated checkpoint
	Done   bool
	DoneAt time.Time // when it was ticked (zero when not done)
	DoneBy string    // who ticked it
}

// Objective is one objective of a success plan.
type Objective struct {
	ID         int
	Text       string
	Target     metrics.Date // zero: no target date
	Status     metrics.ObjectiveStatus
	Milestones []Milestone
}

// Plan is an account's objectives, in the order they were added. IDs of
// objectives and milestones come from one counter per plan (LastID), so
// an ID names one thing for the life of the account, even after what it
// named was removed.
type Plan struct {
	AccountID  uint64
	Objectives []Objective
	LastID     int
}

// Limits of one plan: a plan is read whole by the health detail and
// written whole by every action, so it stays small.
const (
	MaxObjectives     = 50
	MaxMilestones     = 50 // per objective
	MaxPlanTextLength = 500
)

// Progress is the plan's progress on day.
func (p *Plan) Progress(day metrics.Date) metrics.PlanProgress {
	return metrics.ProgressOf(p.shapes(), day)
}

// Summary is what the plan-at-risk flag needs of the plan.
func (p *Plan) Summary() metrics.PlanSummary { return metrics.SummaryOf(p.shapes()) }

func (p *Plan) shapes() []metrics.PlanObjective {
	out := make([]metrics.PlanObjective, len(p.Objectives))
	for i, o := range p.Objectives {
		out[i].Status = o.Status
		out[i].Milestones = make([]metrics.PlanMilestone, len(o.Milestones))
		for j, m := range o.Milestones {
			out[i].Milestones[j] = metrics.PlanMilestone{Due: m.Due, Done: m.Done}
		}
	}
	return out
}

// Objective is the objective with ID id, or nil.
func (p *Plan) Objective(id int) *Objective {
	for i := range p.Objectives {
		if p.Objectives[i].ID == id {
			return &p.Objectives[i]
		}
	}
	return nil
}

// Milestone is the milestone with ID id and its objective, or nils.
func (p *Plan) Milestone(id int) (*Objective, *Milestone) {
	for i := range p.Objectives {
		o := &p.Objectives[i]
		for j := range o.Milestones {
			if o.Milestones[j].ID == id {
				return o, &o.Milestones[j]
			}
		}
	}
	return nil, nil
}

// Validate checks a plan as a whole: texts, statuses, dates, limits, and
// IDs that are unique and within LastID.
func (p *Plan) Validate() error {
	if len(p.Objectives) > MaxObjectives {
		return fmt.Errorf("a success plan holds at most %d objectives", MaxObjectives)
	}
	seen := map[int]bool{}
	id := func(n int) error {
		if n <= 0 || n > p.LastID || seen[n] {
			return fmt.Errorf("%w: plan ID %d is out of place", errCorrupt, n)
		}
		seen[n] = true
		return nil
	}
	for i := range p.Objectives {
		o := &p.Objectives[i]
		if err := id(o.ID); err != nil {
			return err
		}
		if err := checkPlanText("an objective", o.Text); err != nil {
			return err
		}
		if !o.Status.Valid() {
			return fmt.Errorf("objective status %s is not one of %v", Quote(string(o.Status)), metrics.ObjectiveStatuses)
		}
		if err := checkPlanDate("target date", o.Target, false); err != nil {
			return err
		}
		if len(o.Milestones) > MaxMilestones {
			return fmt.Errorf("an objective holds at most %d milestones", MaxMilestones)
		}
		for j := range o.Milestones {
			m := &o.Milestones[j]
			if err := id(m.ID); err != nil {
				return err
			}
			if err := checkPlanText("a milestone", m.Text); err != nil {
				return err
			}
			if err := checkPlanDate("due date", m.Due, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkPlanText(what, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return errors.New(what + " needs a text")
	case !utf8.ValidString(s):
		return errors.New(what + "'s text is not valid UTF-8")
	case len(s) > MaxPlanTextLength:
		return fmt.Errorf("%s's text is limited to %d bytes", what, MaxPlanTextLength)
	}
	return nil
}

// checkPlanDate refuses a missing date where one is required, and dates no
// form could have meant (before 1900, after 2999): the parsers already
// refuse dates that do not exist (2026-02-30).
func checkPlanDate(what string, d metrics.Date, required bool) error {
	switch {
	case d.IsZero() && required:
		return errors.New("a milestone needs a " + what)
	case d.IsZero():
		return nil
	case d < metrics.NewDate(1900, 1, 1) || d > metrics.NewDate(2999, 12, 31):
		return fmt.Errorf("the %s %s is out of range", what, d)
	}
	return nil
}

// ---- the record and its summary ----

// The plan record: a format byte, the last ID, then the objectives with
// their milestones.
const planFormat = 1

// bPlanSums is the index the dashboard's open reads instead of the plans:
// for each plan that can raise the plan-at-risk flag, its summary
// (metrics.PlanSummary) in five bytes, the earliest open due date (a
// big-endian day number) and the at-risk byte. Read from the plan records
// themselves, the open walked 21 MB of pages at 100,000 accounts for
// 55,000 plans, 22 ms more in a profile; the index is 1.6 MB (README,
// "Success plans"). It is written with its plan, in the same
// transaction, and steward check holds it equal to the plans.
var bPlanSums = []byte("success_plans_summary")

func encodePlanSum(s metrics.PlanSummary) []byte {
	v := make([]byte, 5)
	binary.BigEndian.PutUint32(v, uint32(int32(s.FirstDue)))
	if s.AtRiskObjective {
		v[4] = 1
	}
	return v
}

func decodePlanSum(v []byte) (metrics.PlanSummary, error) {
	if len(v) != 5 || v[4] > 1 {
		return metrics.PlanSummary{}, errCorrupt
	}
	return metrics.PlanSummary{FirstDue: metrics.Date(int32(binary.BigEndian.Uint32(v))), AtRiskObjective: v[4] == 1}, nil
}

func encodePlan(p *Plan) []byte {
	e := enc{b: make([]byte, 0, 64+64*len(p.Objectives))}
	e.u8(planFormat)
	e.uv(uint64(p.LastID))
	e.uv(uint64(len(p.Objectives)))
	for i := range p.Objectives {
		o := &p.Objectives[i]
		e.uv(uint64(o.ID))
		e.str(o.Text)
		e.date(o.Target)
		e.str(string(o.Status))
		e.uv(uint64(len(o.Milestones)))
		for j := range o.Milestones {
			m := &o.Milestones[j]
			e.uv(uint64(m.ID))
			e.str(m.Text)
			e.date(m.Due)
			e.boolean(m.Done)
			e.instant(m.DoneAt)
			e.str(m.DoneBy)
		}
	}
	return e.b
}

// decodePlan decodes a plan record.
func decodePlan(id uint64, b []byte, p *Plan) error {
	d := dec{b: b}
	if d.u8() != planFormat {
		return errCorrupt
	}
	*p = Plan{AccountID: id, LastID: int(d.uv())}
	// Counts are bounded by the bytes left (an objective takes at least
	// five, a milestone at least eight), so a garbled count cannot make
	// a huge allocation.
	n := d.uv()
	if n > uint64(len(d.b))/5 {
		return errCorrupt
	}
	if n > 0 {
		p.Objectives = make([]Objective, n)
	}
	for i := range p.Objectives {
		o := &p.Objectives[i]
		o.ID = int(d.uv())
		o.Text = d.str()
		o.Target = d.date()
		o.Status = metrics.ObjectiveStatus(d.str())
		nm := d.uv()
		if nm > uint64(len(d.b))/8 {
			return errCorrupt
		}
		if nm > 0 {
			o.Milestones = make([]Milestone, nm)
		}
		for j := range o.Milestones {
			m := &o.Milestones[j]
			m.ID = int(d.uv())
			m.Text = d.str()
			m.Due = d.date()
			m.Done = d.boolean()
			m.DoneAt = d.instant()
			m.DoneBy = d.str()
		}
		if d.err != nil {
			return d.err
		}
	}
	if d.err == nil && len(d.b) != 0 {
		return errCorrupt
	}
	return d.err
}

// ---- reading ----

// PlanOf is account id's success plan: no objectives when it has none.
func (t *Tx) PlanOf(id uint64) (Plan, error) {
	p := Plan{AccountID: id}
	b := t.tx.Bucket(bPlans)
	if b == nil {
		return p, nil
	}
	v := b.Get(u64(id))
	if v == nil {
		return p, nil
	}
	if err := decodePlan(id, v, &p); err != nil {
		return Plan{AccountID: id}, fmt.Errorf("success plan of account %d: %w", id, err)
	}
	return p, nil
}

// ForEachPlanSummary calls fn with the summary of every plan that can
// raise the plan-at-risk flag, in account order, from the summary index:
// what the read model needs of the plans.
func (t *Tx) ForEachPlanSummary(fn func(id uint64, s metrics.PlanSummary) error) error {
	b := t.tx.Bucket(bPlanSums)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 8 {
			return fmt.Errorf("success plan summary key: %w", errCorrupt)
		}
		id := binary.BigEndian.Uint64(k)
		s, err := decodePlanSum(v)
		if err != nil {
			return fmt.Errorf("success plan summary of account %d: %w", id, err)
		}
		if err := fn(id, s); err != nil {
			return err
		}
	}
	return nil
}

// PlanSummaries is how many entries the summary index holds (from its
// pages' headers, without reading the entries), so a reader can make room
// for them at once.
func (t *Tx) PlanSummaries() int {
	b := t.tx.Bucket(bPlanSums)
	if b == nil {
		return 0
	}
	return b.Stats().KeyN
}

// PlanSummaryOf is the summary of account id's plan (empty without one,
// or when it can never raise the flag).
func (t *Tx) PlanSummaryOf(id uint64) (metrics.PlanSummary, error) {
	b := t.tx.Bucket(bPlanSums)
	if b == nil {
		return metrics.PlanSummary{}, nil
	}
	v := b.Get(u64(id))
	if v == nil {
		return metrics.PlanSummary{}, nil
	}
	s, err := decodePlanSum(v)
	if err != nil {
		return s, fmt.Errorf("success plan summary of account %d: %w", id, err)
	}
	return s, nil
}

// PlanReader reads plans beside a walk over the accounts in ID order (an
// export): one cursor moving forward, not a lookup per account.
type PlanReader struct {
	t    *Tx
	c    *bolt.Cursor
	k, v []byte
	last uint64
}

// PlanReader starts a merge over the plans.
func (t *Tx) PlanReader() *PlanReader {
	r := &PlanReader{t: t}
	if b := t.tx.Bucket(bPlans); b != nil {
		c := b.Cursor()
		r.c = c
		r.k, r.v = c.First()
	}
	return r
}

// Of is account id's plan (ok false without one). IDs must come in
// increasing order, as the accounts' own cursor gives them; out of order
// they mean damaged pages.
func (r *PlanReader) Of(id uint64) (p Plan, ok bool, err error) {
	if id < r.last {
		return p, false, fmt.Errorf("accounts out of key order (%d after %d): %w", id, r.last, errCorrupt)
	}
	r.last = id
	for r.k != nil {
		if len(r.k) != 8 {
			return p, false, fmt.Errorf("success plan key: %w", errCorrupt)
		}
		// The walk's pages count against what the transaction keeps
		// mapped, as the accounts' do (README, "Performance", Resident
		// memory).
		r.t.hold(r.v)
		at := binary.BigEndian.Uint64(r.k)
		if at > id {
			break
		}
		if at == id {
			if err := decodePlan(id, r.v, &p); err != nil {
				return Plan{}, false, fmt.Errorf("success plan of account %d: %w", id, err)
			}
			ok = true
		}
		r.k, r.v = r.c.Next()
	}
	return p, ok, nil
}

// ---- writing ----

// putPlan stores account id's plan (an empty one deletes the record).
func (t *Tx) putPlan(p *Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b, err := t.tx.CreateBucketIfNotExists(bPlans)
	if err != nil {
		return err
	}
	sums, err := t.tx.CreateBucketIfNotExists(bPlanSums)
	if err != nil {
		return err
	}
	// A plan is rewritten in place at about its size, and the demo
	// writes them in key order: fuller pages make both buckets, and the
	// open's walk over the summaries, half as long.
	b.FillPercent, sums.FillPercent = 0.9, 0.9
	t.touchAccount(p.AccountID)
	k := u64(p.AccountID)
	if s := p.Summary(); s.Empty() {
		err = sums.Delete(k)
	} else {
		err = sums.Put(k, encodePlanSum(s))
	}
	if err != nil {
		return err
	}
	if len(p.Objectives) == 0 && p.LastID == 0 {
		return b.Delete(k)
	}
	return b.Put(k, encodePlan(p))
}

// PutPlan stores a whole plan as it is, without an activity entry: the
// demo generator's (as PutAccount is), not a member's action.
func (t *Tx) PutPlan(p *Plan) error {
	if t.b(bAccounts).Get(u64(p.AccountID)) == nil {
		return fmt.Errorf("success plan of account %d: the account: %w", p.AccountID, ErrNotFound)
	}
	return t.putPlan(p)
}

// changePlan runs one action on account id's plan: the permission, the
// change, the record and the activity entry that says what changed, all
// in the caller's transaction.
func (t *Tx) changePlan(id uint64, by Actor, now time.Time, change func(a *Account, p *Plan) (string, error)) error {
	if err := t.allow(by, DoPlan, id, 0); err != nil {
		return err
	}
	a, err := t.Account(id)
	if err != nil {
		return err
	}
	p, err := t.PlanOf(id)
	if err != nil {
		return err
	}
	text, err := change(&a, &p)
	if err != nil {
		return err
	}
	if err := t.putPlan(&p); err != nil {
		return err
	}
	return t.AppendActivity(&Activity{AccountID: id, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: ActPlan, Text: text})
}

// ActPlan is the kind of the activity entries success-plan changes write.
const ActPlan = "plan"

func (p *Plan) nextID() int {
	p.LastID++
	return p.LastID
}

func statusWord(s metrics.ObjectiveStatus) string { return strings.ReplaceAll(string(s), "_", " ") }

func dateWord(d metrics.Date, none string) string {
	if d.IsZero() {
		return none
	}
	return d.String()
}

func findObjective(a *Account, p *Plan, objID int) (*Objective, error) {
	o := p.Objective(objID)
	if o == nil {
		return nil, fmt.Errorf("%s has no objective #%d (removed by someone else?)", a.Name, objID)
	}
	return o, nil
}

func findMilestone(a *Account, p *Plan, msID int) (*Objective, *Milestone, error) {
	o, m := p.Milestone(msID)
	if m == nil {
		return nil, nil, fmt.Errorf("%s has no milestone #%d (removed by someone else?)", a.Name, msID)
	}
	return o, m, nil
}

// AddObjective adds an objective to account id's plan; an empty status
// is on track.
func (t *Tx) AddObjective(id uint64, text string, target metrics.Date, status metrics.ObjectiveStatus, by Actor, now time.Time) (Objective, error) {
	var added Objective
	err := t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		if status == "" {
			status = metrics.OnTrack
		}
		if len(p.Objectives) >= MaxObjectives {
			return "", fmt.Errorf("%s's success plan already holds %d objectives, the most it may", a.Name, MaxObjectives)
		}
		o := Objective{ID: p.nextID(), Text: strings.TrimSpace(text), Target: target, Status: status}
		p.Objectives = append(p.Objectives, o)
		added = o
		return fmt.Sprintf("Objective #%d added: %s (%s, target %s)", o.ID, o.Text, statusWord(status), dateWord(target, "none")), nil
	})
	return added, err
}

// editEntry is the activity entry of an edit of what (an objective or a
// milestone): "Objective #2 edited: text A → B; target none → 2027-01-31",
// or an error when it changes nothing (a failed change writes nothing).
func editEntry(what, oldText, text, dateName string, oldDate, date metrics.Date) (string, error) {
	var changes []string
	if text != oldText {
		changes = append(changes, "text "+oldText+" → "+text)
	}
	if date != oldDate {
		changes = append(changes, dateName+" "+dateWord(oldDate, "none")+" → "+dateWord(date, "none"))
	}
	if len(changes) == 0 {
		return "", fmt.Errorf("%s is already so: nothing to change", strings.ToLower(what[:1])+what[1:])
	}
	return what + " edited: " + strings.Join(changes, "; "), nil
}

// EditObjective changes an objective's text and target date.
func (t *Tx) EditObjective(id uint64, objID int, text string, target metrics.Date, by Actor, now time.Time) error {
	return t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		o, err := findObjective(a, p, objID)
		if err != nil {
			return "", err
		}
		text = strings.TrimSpace(text)
		entry, err := editEntry(fmt.Sprintf("Objective #%d", objID), o.Text, text, "target", o.Target, target)
		o.Text, o.Target = text, target
		return entry, err
	})
}

// SetObjectiveStatus moves an objective to status (on track, at risk,
// achieved or dropped). Dropping keeps the objective as history;
// RemoveObjective takes one away.
func (t *Tx) SetObjectiveStatus(id uint64, objID int, status metrics.ObjectiveStatus, by Actor, now time.Time) error {
	return t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		if !status.Valid() {
			return "", fmt.Errorf("objective status %s is not one of %v", Quote(string(status)), metrics.ObjectiveStatuses)
		}
		o, err := findObjective(a, p, objID)
		if err != nil {
			return "", err
		}
		if o.Status == status {
			return "", fmt.Errorf("objective #%d is already %s", objID, statusWord(status))
		}
		from := o.Status
		o.Status = status
		return fmt.Sprintf("Objective #%d %s: %s → %s", objID, o.Text, statusWord(from), statusWord(status)), nil
	})
}

// RemoveObjective takes an objective and its milestones off the plan (one
// written by mistake); its ID is never given again, and the activity
// entry keeps what it said.
func (t *Tx) RemoveObjective(id uint64, objID int, by Actor, now time.Time) error {
	return t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		o, err := findObjective(a, p, objID)
		if err != nil {
			return "", err
		}
		text := fmt.Sprintf("Objective #%d removed: %s (%s, %d milestones)", objID, o.Text, statusWord(o.Status), len(o.Milestones))
		p.Objectives = slices.DeleteFunc(p.Objectives, func(x Objective) bool { return x.ID == objID })
		return text, nil
	})
}

// AddMilestone adds a milestone, due on due, to an objective.
func (t *Tx) AddMilestone(id uint64, objID int, text string, due metrics.Date, by Actor, now time.Time) (Milestone, error) {
	var added Milestone
	err := t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		o, err := findObjective(a, p, objID)
		if err != nil {
			return "", err
		}
		if len(o.Milestones) >= MaxMilestones {
			return "", fmt.Errorf("objective #%d already holds %d milestones, the most it may", objID, MaxMilestones)
		}
		m := Milestone{ID: p.nextID(), Text: strings.TrimSpace(text), Due: due}
		o.Milestones = append(o.Milestones, m)
		added = m
		return fmt.Sprintf("Milestone #%d added to objective #%d: %s (due %s)", m.ID, objID, m.Text, dateWord(due, "none")), nil
	})
	return added, err
}

// EditMilestone changes a milestone's text and due date.
func (t *Tx) EditMilestone(id uint64, msID int, text string, due metrics.Date, by Actor, now time.Time) error {
	return t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		_, m, err := findMilestone(a, p, msID)
		if err != nil {
			return "", err
		}
		text = strings.TrimSpace(text)
		entry, err := editEntry(fmt.Sprintf("Milestone #%d", msID), m.Text, text, "due", m.Due, due)
		m.Text, m.Due = text, due
		return entry, err
	})
}

// RemoveMilestone removes a milestone from its objective.
func (t *Tx) RemoveMilestone(id uint64, msID int, by Actor, now time.Time) error {
	return t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		o, m, err := findMilestone(a, p, msID)
		if err != nil {
			return "", err
		}
		text := fmt.Sprintf("Milestone #%d of objective #%d removed: %s (due %s)", msID, o.ID, m.Text, dateWord(m.Due, "none"))
		o.Milestones = slices.DeleteFunc(o.Milestones, func(x Milestone) bool { return x.ID == msID })
		return text, nil
	})
}

// SetMilestoneDone marks a milestone done (by whom, when) or not done.
func (t *Tx) SetMilestoneDone(id uint64, msID int, done bool, by Actor, now time.Time) error {
	return t.changePlan(id, by, now, func(a *Account, p *Plan) (string, error) {
		o, m, err := findMilestone(a, p, msID)
		if err != nil {
			return "", err
		}
		if m.Done == done {
			if done {
				return "", fmt.Errorf("milestone #%d is already done", msID)
			}
			return "", fmt.Errorf("milestone #%d is not done", msID)
		}
		m.Done = done
		if done {
			m.DoneAt, m.DoneBy = now.UTC(), by.Name
			return fmt.Sprintf("Milestone #%d of objective #%d done: %s", msID, o.ID, m.Text), nil
		}
		m.DoneAt, m.DoneBy = time.Time{}, ""
		return fmt.Sprintf("Milestone #%d of objective #%d marked not done: %s", msID, o.ID, m.Text), nil
	})
}

// ReplacePlan replaces account id's objectives with objs (an import of
// accounts JSON with objectives): IDs are given anew after the plan's
// last, so none names something else than before; a done milestone
// without a time is done now, by author. Like the rest of an import it
// is not checked against roles (README, "Roles and permissions"); the
// activity log says what the import did.
func (t *Tx) ReplacePlan(id uint64, objs []Objective, author, source string, now time.Time) error {
	p, err := t.PlanOf(id)
	if err != nil {
		return err
	}
	p.Objectives = make([]Objective, len(objs))
	milestones := 0
	for i, o := range objs {
		o.ID = p.nextID()
		o.Milestones = append([]Milestone(nil), o.Milestones...)
		for j := range o.Milestones {
			m := &o.Milestones[j]
			m.ID = p.nextID()
			switch {
			case !m.Done:
				m.DoneAt, m.DoneBy = time.Time{}, ""
			case m.DoneAt.IsZero():
				m.DoneAt = now.UTC()
				if m.DoneBy == "" {
					m.DoneBy = author
				}
			}
			milestones++
		}
		p.Objectives[i] = o
	}
	if err := t.putPlan(&p); err != nil {
		return err
	}
	return t.AppendActivity(&Activity{AccountID: id, At: now.UTC(), Author: author, Kind: ActPlan,
		Text: fmt.Sprintf("Success plan objectives replaced by %s: %d objectives, %d milestones", source, len(objs), milestones)})
}

// SameObjectives reports whether two lists of objectives say the same,
// IDs aside (an import that states the plan as it is changes nothing).
func SameObjectives(a, b []Objective) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Text != y.Text || x.Target != y.Target || x.Status != y.Status || len(x.Milestones) != len(y.Milestones) {
			return false
		}
		for j := range x.Milestones {
			m, n := &x.Milestones[j], &y.Milestones[j]
			if m.Text != n.Text || m.Due != n.Due || m.Done != n.Done || !m.DoneAt.Equal(n.DoneAt) || m.DoneBy != n.DoneBy {
				return false
			}
		}
	}
	return true
}
