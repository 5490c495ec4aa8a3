package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"steward/metrics"
)

// A playbook is a named list of task templates started by a trigger
// (README, "Playbooks"): the red band, a changed champion, a renewal
// coming up. Its triggers are evaluated inside the transaction of the
// change that may fire them (an edit, an import, a snapshot), and the
// episode state that makes them fire once is written in that same
// transaction with the tasks, so a crash never leaves one without the
// other.

// OwnerRule says who gets a step's task.
type OwnerRule string

const (
	OwnerAccount OwnerRule = "account_owner"
	// OwnerManager is the account owner's manager: the roster keeps roles
	// but no reporting line, so it is the first active manager by name.
	OwnerManager OwnerRule = "owners_manager"
	OwnerMember  OwnerRule = "member" // a named member (Step.MemberID)
)

// OwnerRules lists the rules.
var OwnerRules = []OwnerRule{OwnerAccount, OwnerManager, OwnerMember}

// Step is one task template: its task is due OffsetDays after the day
// the playbook fired.
type Step struct {
	Title      string    `json:"title"`
	OffsetDays int       `json:"offset_days"`
	Owner      OwnerRule `json:"owner"`
	MemberID   uint64    `json:"member_id,omitempty"`
}

// Playbook is one playbook. A manual playbook (or an inactive one) is
// only ever started by hand.
type Playbook struct {
	ID          uint64              `json:"id"`
	Name        string              `json:"name"`
	Trigger     metrics.TriggerKind `json:"trigger"`
	TriggerDays int                 `json:"trigger_days,omitempty"` // renewal_in_days N
	Active      bool                `json:"active"`
	Steps       []Step              `json:"steps"`
	UpdatedBy   string              `json:"updated_by,omitempty"`
	UpdatedAt   time.Time           `json:"updated_at,omitempty"`
}

// Trig is the playbook's trigger.
func (p *Playbook) Trig() metrics.Trigger {
	return metrics.Trigger{Kind: p.Trigger, Days: p.TriggerDays}
}

const (
	maxPlaybookName  = 80
	maxPlaybookSteps = 50
	maxStepOffset    = 365
)

var (
	bPlaybooks       = []byte("playbooks")
	bEpisodes        = []byte("playbook_episodes")
	kPlaybooksSeeded = []byte("playbooks_seeded")
)

// DefaultPlaybooks are the three a database starts with, once: a CS
// team's usual answers to a red account, a new champion and a renewal
// four months out. A team edits or deletes them like any other.
func DefaultPlaybooks() []Playbook {
	return []Playbook{
		{Name: "Red account recovery", Trigger: metrics.TriggerBandToRed, Active: true, Steps: []Step{
			{Title: "Call the executive sponsor", OffsetDays: 2, Owner: OwnerAccount},
			{Title: "Root-cause review with support", OffsetDays: 5, Owner: OwnerAccount},
			{Title: "Recovery plan agreed with the manager", OffsetDays: 7, Owner: OwnerManager},
			{Title: "Check-in: is the band moving?", OffsetDays: 21, Owner: OwnerAccount},
		}},
		{Name: "Champion change", Trigger: metrics.TriggerChampionChanged, Active: true, Steps: []Step{
			{Title: "Meet the new champion", OffsetDays: 3, Owner: OwnerAccount},
			{Title: "Re-run the onboarding for the new champion", OffsetDays: 14, Owner: OwnerAccount},
			{Title: "Confirm the success criteria still hold", OffsetDays: 21, Owner: OwnerAccount},
		}},
		{Name: "Renewal prep (120 days)", Trigger: metrics.TriggerRenewalInDays, TriggerDays: 120, Active: true, Steps: []Step{
			{Title: "Confirm the decision maker and process", OffsetDays: 0, Owner: OwnerAccount},
			{Title: "Value review ready", OffsetDays: 30, Owner: OwnerAccount},
			{Title: "Review the renewal quote", OffsetDays: 50, Owner: OwnerManager},
			{Title: "Send the renewal quote", OffsetDays: 60, Owner: OwnerAccount},
		}},
	}
}

// Playbooks lists the playbooks by name. A database whose defaults were
// never written (nothing has written since this version) lists the
// defaults as they will be written, with ID 0.
func (t *Tx) Playbooks() ([]Playbook, error) {
	if t.b(bMeta).Get(kPlaybooksSeeded) == nil {
		return DefaultPlaybooks(), nil
	}
	var out []Playbook
	if b := t.tx.Bucket(bPlaybooks); b != nil {
		err := b.ForEach(func(k, v []byte) error {
			var p Playbook
			if err := json.Unmarshal(v, &p); err != nil || len(k) != 8 {
				return fmt.Errorf("playbook %s: %w", showKey(k), errCorrupt)
			}
			out = append(out, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// PlaybookNamed finds a playbook by name, ignoring case.
func (t *Tx) PlaybookNamed(name string) (Playbook, error) {
	list, err := t.Playbooks()
	if err != nil {
		return Playbook{}, err
	}
	for _, p := range list {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			return p, nil
		}
	}
	names := make([]string, len(list))
	for i, p := range list {
		names[i] = p.Name
	}
	return Playbook{}, fmt.Errorf("%w: no playbook is named %s (there are: %s)", ErrNotFound, Quote(name), strings.Join(names, ", "))
}

// seedPlaybooks writes the defaults the first time a write transaction
// needs the playbooks; the marker keeps a team that deleted them from
// getting them back.
func (t *Tx) seedPlaybooks() error {
	meta := t.b(bMeta)
	if meta.Get(kPlaybooksSeeded) != nil {
		return nil
	}
	if err := meta.Put(kPlaybooksSeeded, []byte{1}); err != nil {
		return err
	}
	for _, p := range DefaultPlaybooks() {
		p.UpdatedBy = "steward"
		if err := t.putPlaybook(&p); err != nil {
			return err
		}
	}
	return nil
}

// SeedPlaybooks writes the default playbooks unless they were written
// once already (for the demo and a new database).
func (t *Tx) SeedPlaybooks() error { t.pb = nil; return t.seedPlaybooks() }

func (t *Tx) putPlaybook(p *Playbook) error {
	b, err := t.tx.CreateBucketIfNotExists(bPlaybooks)
	if err != nil {
		return err
	}
	if p.ID == 0 {
		if p.ID, err = b.NextSequence(); err != nil {
			return err
		}
	}
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	t.pb = nil // this transaction's evaluations read the new version
	return b.Put(u64(p.ID), v)
}

// validatePlaybook checks p against the rules of the README and the
// other playbooks: a unique name, one step at least, offsets within a
// year, a named member who exists and is active.
func (t *Tx) validatePlaybook(p *Playbook) error {
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.Name == "":
		return errors.New("a playbook needs a name")
	case len(p.Name) > maxPlaybookName:
		return fmt.Errorf("playbook %s: the name is %d characters, keep it under %d", Quote(p.Name), len(p.Name), maxPlaybookName)
	case len(p.Steps) == 0:
		return fmt.Errorf("playbook %s: add at least one step (a task title, its offset in days and its owner)", Quote(p.Name))
	case len(p.Steps) > maxPlaybookSteps:
		return fmt.Errorf("playbook %s: %d steps, at most %d", Quote(p.Name), len(p.Steps), maxPlaybookSteps)
	}
	if err := p.Trig().Validate(); err != nil {
		return fmt.Errorf("playbook %s: %w", Quote(p.Name), err)
	}
	list, err := t.Playbooks()
	if err != nil {
		return err
	}
	for _, o := range list {
		// The unwritten defaults have ID 0, as a new playbook has: one
		// named as a default is that default, edited before it was
		// written (PutPlaybook gives it the default's ID once written).
		if o.ID != 0 && o.ID != p.ID && strings.EqualFold(o.Name, p.Name) {
			return fmt.Errorf("playbook %s: another playbook has that name; pick another", Quote(p.Name))
		}
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		s.Title = strings.TrimSpace(s.Title)
		where := fmt.Sprintf("playbook %s, step %d", Quote(p.Name), i+1)
		switch {
		case s.Title == "":
			return fmt.Errorf("%s: a step needs a task title", where)
		case len(s.Title) > maxTaskTitle:
			return fmt.Errorf("%s: the title is %d characters, keep it under %d", where, len(s.Title), maxTaskTitle)
		case s.OffsetDays < -maxStepOffset || s.OffsetDays > maxStepOffset:
			return fmt.Errorf("%s: offset %d days: use -%d to %d", where, s.OffsetDays, maxStepOffset, maxStepOffset)
		}
		switch s.Owner {
		case OwnerAccount, OwnerManager:
			s.MemberID = 0
		case OwnerMember:
			m, err := t.Member(s.MemberID)
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%s: member #%d is not on the roster", where, s.MemberID)
			}
			if err != nil {
				return err
			}
			if !m.Active {
				return fmt.Errorf("%s: %s is no longer active; pick an active member", where, m.Name)
			}
		default:
			return fmt.Errorf("%s: owner %s is not one of %v", where, Quote(string(s.Owner)), OwnerRules)
		}
	}
	return nil
}

// PutPlaybook creates (ID 0) or replaces a playbook. Only a manager may.
func (t *Tx) PutPlaybook(p Playbook, by Actor, now time.Time) (Playbook, error) {
	if err := t.allow(by, DoPlaybook, 0, 0); err != nil {
		return p, err
	}
	if p.ID != 0 {
		if t.tx.Bucket(bPlaybooks) == nil || t.tx.Bucket(bPlaybooks).Get(u64(p.ID)) == nil {
			return p, fmt.Errorf("%w: playbook #%d", ErrNotFound, p.ID)
		}
	}
	p.Steps = append([]Step(nil), p.Steps...)
	// Validated before anything is written, the defaults' seeding
	// included: a refusal leaves the file as it was.
	if err := t.validatePlaybook(&p); err != nil {
		return p, err
	}
	seeded := t.b(bMeta).Get(kPlaybooksSeeded) != nil
	if err := t.seedPlaybooks(); err != nil {
		return p, err
	}
	if !seeded && p.ID == 0 {
		// A default edited (in the list, or a file exported) before the
		// defaults were written: it replaces that default.
		if d, err := t.PlaybookNamed(p.Name); err == nil {
			p.ID = d.ID
		}
	}
	if p.ID != 0 {
		// A new trigger starts with no episodes: the old one's say
		// nothing about it (an open red episode would keep a playbook
		// now on champion_changed from firing).
		var old Playbook
		if v := t.tx.Bucket(bPlaybooks).Get(u64(p.ID)); v != nil && json.Unmarshal(v, &old) == nil && old.Trig() != p.Trig() {
			if err := t.dropEpisodes(p.ID); err != nil {
				return p, err
			}
		}
	}
	p.UpdatedBy, p.UpdatedAt = by.Name, now.UTC()
	return p, t.putPlaybook(&p)
}

// DeletePlaybook removes a playbook and its episodes; the tasks it
// created stay, naming it. Only a manager may.
func (t *Tx) DeletePlaybook(id uint64, by Actor) error {
	if err := t.allow(by, DoPlaybook, 0, 0); err != nil {
		return err
	}
	if err := t.seedPlaybooks(); err != nil {
		return err
	}
	b := t.tx.Bucket(bPlaybooks)
	if b == nil || b.Get(u64(id)) == nil {
		return fmt.Errorf("%w: playbook #%d", ErrNotFound, id)
	}
	if err := b.Delete(u64(id)); err != nil {
		return err
	}
	t.pb = nil
	return t.dropEpisodes(id)
}

// dropEpisodes deletes every episode of playbook id.
func (t *Tx) dropEpisodes(id uint64) error {
	eb := t.tx.Bucket(bEpisodes)
	if eb == nil {
		return nil
	}
	var dead [][]byte
	err := eb.ForEach(func(k, _ []byte) error {
		if len(k) == 16 && binary.BigEndian.Uint64(k[8:]) == id {
			dead = append(dead, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range dead {
		if err := eb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// ---- episodes ----

const episodeFormat = 1

func encodeEpisode(ep metrics.Episode) []byte {
	e := enc{b: make([]byte, 0, 12)}
	e.u8(episodeFormat)
	e.boolean(ep.Open)
	e.date(ep.FalseSince)
	e.date(ep.Renewal)
	return e.b
}

func decodeEpisode(b []byte) (metrics.Episode, error) {
	d := dec{b: b}
	if d.u8() != episodeFormat {
		return metrics.Episode{}, errCorrupt
	}
	ep := metrics.Episode{Open: d.boolean(), FalseSince: d.date(), Renewal: d.date()}
	if d.err == nil && len(d.b) != 0 {
		return ep, errCorrupt
	}
	return ep, d.err
}

func episodeKey(accountID, playbookID uint64) []byte { return key(u64(accountID), u64(playbookID)) }

// Episode is the stored episode of a playbook on an account (zero: none).
func (t *Tx) Episode(accountID, playbookID uint64) (metrics.Episode, error) {
	b := t.tx.Bucket(bEpisodes)
	if b == nil {
		return metrics.Episode{}, nil
	}
	v := b.Get(episodeKey(accountID, playbookID))
	if v == nil {
		return metrics.Episode{}, nil
	}
	return decodeEpisode(v)
}

func (t *Tx) putEpisode(accountID, playbookID uint64, ep metrics.Episode) error {
	if ep == (metrics.Episode{}) {
		if b := t.tx.Bucket(bEpisodes); b != nil {
			return b.Delete(episodeKey(accountID, playbookID))
		}
		return nil
	}
	b, err := t.tx.CreateBucketIfNotExists(bEpisodes)
	if err != nil {
		return err
	}
	return b.Put(episodeKey(accountID, playbookID), encodeEpisode(ep))
}

// ---- evaluation ----

// playbookCache is what a transaction's evaluations share: the playbooks
// a trigger can start, the settings and the roster the owner rules read.
type playbookCache struct {
	triggered []Playbook // active, not manual
	byID      map[uint64]*Playbook
	cfg       metrics.Config
	members   map[uint64]*Member
	manager   uint64 // the first active manager by name (OwnerManager), 0: none
}

func (t *Tx) playbooks() (*playbookCache, error) {
	if t.pb != nil {
		return t.pb, nil
	}
	if t.tx.Writable() {
		if err := t.seedPlaybooks(); err != nil {
			return nil, err
		}
	}
	list, err := t.Playbooks()
	if err != nil {
		return nil, err
	}
	set, err := t.Settings()
	if err != nil {
		return nil, err
	}
	members, err := t.Members()
	if err != nil {
		return nil, err
	}
	c := &playbookCache{byID: map[uint64]*Playbook{}, cfg: set.Health, members: map[uint64]*Member{}}
	for i := range list {
		c.byID[list[i].ID] = &list[i]
		if list[i].Active && list[i].Trigger != metrics.TriggerManual {
			c.triggered = append(c.triggered, list[i])
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	for i := range members {
		m := &members[i]
		c.members[m.ID] = m
		if c.manager == 0 && m.Active && m.Role == RoleManager {
			c.manager = m.ID
		}
	}
	t.pb = c
	return c, nil
}

// Evaluation is one change's look at an account's triggers.
type Evaluation struct {
	Today metrics.Date
	By    Actor // the change's author: also the author of the tasks it fires
	Now   time.Time
	New   bool // the change created the account
	// Trend is the account's trend when the change knows it (the weekly
	// snapshot): only then can dropping fire or end.
	Trend      metrics.Trend
	KnowsTrend bool
	// Exec reads the execution component's inputs, for a caller that
	// evaluates every account (the snapshot reads them in bulk); nil, they
	// are read for the one account.
	Exec *Execution
}

// EvaluatePlaybooks evaluates every active playbook's trigger on a (as
// stored by the caller's change, in this transaction) and fires those
// whose episode starts now. It returns how many fired. Churned accounts
// start nothing.
func (t *Tx) EvaluatePlaybooks(a *Account, ev Evaluation) (int, error) {
	c, err := t.playbooks()
	if err != nil || len(c.triggered) == 0 || a.Lifecycle == Churned {
		return 0, err
	}
	s, err := t.triggerState(c, a, ev)
	if err != nil {
		return 0, err
	}
	// The account's episodes, one range read.
	var eps [8]storedEpisode
	found := eps[:0]
	if b := t.tx.Bucket(bEpisodes); b != nil {
		prefix := u64(a.ID)
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			ep, err := decodeEpisode(v)
			if err != nil || len(k) != 16 {
				return 0, fmt.Errorf("playbook episode %s: %w", showKey(k), errCorrupt)
			}
			found = append(found, storedEpisode{binary.BigEndian.Uint64(k[8:]), ep})
		}
	}
	fired := 0
	for i := range c.triggered {
		p := &c.triggered[i]
		var ep metrics.Episode
		for _, f := range found {
			if f.pb == p.ID {
				ep = f.ep
			}
		}
		fire, next := p.Trig().Step(s, ep)
		if next != ep {
			if err := t.putEpisode(a.ID, p.ID, next); err != nil {
				return fired, err
			}
		}
		if fire {
			if err := t.firePlaybook(c, a, p, p.Trig().String(), ev); err != nil {
				return fired, err
			}
			fired++
		}
	}
	return fired, nil
}

type storedEpisode struct {
	pb uint64
	ep metrics.Episode
}

func (t *Tx) triggerState(c *playbookCache, a *Account, ev Evaluation) (metrics.TriggerState, error) {
	x := ev.Exec
	if x == nil {
		x = t.Execution(c.cfg, ev.Today)
	}
	in, err := x.Inputs(a)
	if err != nil {
		return metrics.TriggerState{}, err
	}
	h := c.cfg.Score(in, ev.Today).Verdict
	return metrics.TriggerState{Today: ev.Today, Band: h.Band, Flags: metrics.FlagsFor(in, h, ev.Trend, ev.Today, false),
		Renewal: a.RenewalDate, New: ev.New, KnowsTrend: ev.KnowsTrend}, nil
}

// firePlaybook creates a playbook's tasks on a, due from ev.Today, and
// one activity entry that says the playbook started, why, and which
// tasks it made for whom (one entry, not one a task: a playbook is one
// event in the account's story).
func (t *Tx) firePlaybook(c *playbookCache, a *Account, p *Playbook, trigger string, ev Evaluation) error {
	var ids []string
	var notes []string
	for _, s := range p.Steps {
		owner, note := c.ownerFor(a, s)
		if note != "" {
			notes = append(notes, note)
		}
		tk := Task{AccountID: a.ID, Title: s.Title, OwnerID: owner, Due: ev.Today.AddDays(s.OffsetDays), Status: TaskOpen,
			Playbook: p.Name, Trigger: trigger, CreatedBy: ev.By.Name, CreatedAt: ev.Now.UTC(), Session: ev.By.Session}
		if err := t.putTask(&tk); err != nil {
			return err
		}
		ids = append(ids, fmt.Sprintf("#%d %s (%s, due %s)", tk.ID, tk.Title, c.name(owner), tk.Due))
	}
	text := fmt.Sprintf("Playbook %s started (%s): %s", p.Name, trigger, strings.Join(ids, "; "))
	if len(notes) > 0 {
		text += ". " + strings.Join(notes, "; ")
	}
	return t.AppendActivity(&Activity{AccountID: a.ID, At: ev.Now.UTC(), Author: ev.By.Name, Session: ev.By.Session, Kind: "playbook", Text: text})
}

// ownerFor applies a step's owner rule on a, with a note when it had to
// fall back to the account's owner.
func (c *playbookCache) ownerFor(a *Account, s Step) (uint64, string) {
	switch s.Owner {
	case OwnerManager:
		if c.manager != 0 {
			return c.manager, ""
		}
		return a.OwnerID, fmt.Sprintf("no active manager for %s: the account's owner has it", Quote(s.Title))
	case OwnerMember:
		if m := c.members[s.MemberID]; m != nil && m.Active {
			return m.ID, ""
		}
		who := fmt.Sprintf("member #%d", s.MemberID)
		if m := c.members[s.MemberID]; m != nil {
			who = m.Name
		}
		return a.OwnerID, fmt.Sprintf("%s is no longer active: the account's owner has %s", who, Quote(s.Title))
	}
	return a.OwnerID, ""
}

func (c *playbookCache) name(id uint64) string {
	if m := c.members[id]; m != nil {
		return m.Name
	}
	return "nobody"
}

// StartPlaybook starts a playbook on an account by hand, whatever its
// trigger: the account's owner or a manager may. Its trigger will not
// start it again for the episode under way.
func (t *Tx) StartPlaybook(accountID, playbookID uint64, by Actor, now time.Time, today metrics.Date) (int, error) {
	if err := t.allow(by, DoTask, accountID, 0); err != nil {
		return 0, err
	}
	a, err := t.Account(accountID)
	if err != nil {
		return 0, err
	}
	c, err := t.playbooks()
	if err != nil {
		return 0, err
	}
	p := c.byID[playbookID]
	if p == nil {
		return 0, fmt.Errorf("%w: playbook #%d", ErrNotFound, playbookID)
	}
	ev := Evaluation{Today: today, By: by, Now: now}
	if err := t.firePlaybook(c, &a, p, "started by "+by.Name, ev); err != nil {
		return 0, err
	}
	if p.Trigger == metrics.TriggerManual {
		return len(p.Steps), nil
	}
	st, err := t.triggerState(c, &a, ev)
	if err != nil {
		return 0, err
	}
	return len(p.Steps), t.putEpisode(a.ID, p.ID, p.Trig().Started(st))
}
