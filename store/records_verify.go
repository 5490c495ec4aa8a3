package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"runtime/debug"
	"sort"
	"strconv"
	"syscall"

	"steward/metrics"
)

// recordVerifier rides on the page walk (verify.go) and checks steward's
// own layer: every record of every bucket decodes, its key agrees with its
// value, every index entry points at an existing record and every record
// is in its indexes, and no bucket's ID counter lags behind its IDs (the
// next new record would overwrite an old one). Buckets arrive in name
// order, which puts every bucket after the ones it refers to (accounts
// before its indexes, ledger and snapshots; escalations before theirs and
// the timeline; members before the roster log; snapshots before the
// by-week index).
type recordVerifier struct {
	problems []string
	schema   uint32
	counts   map[string]int

	keyMembers []uint64 // the members SSH keys belong to (member_keys sorts before members)
	// The playbooks episodes name (playbook_episodes sorts before
	// playbooks), and the playbooks.
	episodePlaybooks, playbooks map[uint64]bool

	cur     string // the bucket being walked
	seqOff  int    // where its keys hold an ID from its counter, or -1
	seq     uint64 // its ID counter
	maxID   uint64 // the highest ID its keys hold
	handler func(k, v []byte)
	seen    map[string]bool

	count int // records in the current bucket

	// Indexes are compared with their records as multisets: the count and
	// a sum of 64-bit hashes of each entry, computed from the records and
	// from the index. Equal counts and sums mean equal contents (a random
	// corruption matches with odds of 2^-64), at no memory per record.
	accounts    []uint64 // account IDs, ascending (the bucket's key order)
	lastAcct    uint64   // a one-entry cache: keys come grouped by account
	lastAcctOK  bool
	owners      multiset // (owner, account) of every account
	byOwner     multiset // ... and of the owner index
	exts        multiset // (external ID, account) of every account that has one
	byExt       multiset
	names       multiset // by-name index key of every account
	byName      multiset
	members     map[uint64]bool
	escs        map[uint64]escRef
	escByAcct   int
	escByStatus int
	openTasks   multiset             // (id, open-task entry) of every open task
	openIdx     multiset             // ... and of the open-task index
	planSums    multiset             // (account, summary) of every plan that can raise the flag
	planIdx     multiset             // ... and of the summary index
	weeks       map[uint32]*weekSums // snapshots by week, for the by-week index
	week        uint32
	weekSum     *weekSums
}

// multiset is a count and a hash sum (see recordVerifier).
type multiset struct {
	n   int
	sum uint64
}

var hashSeed = maphash.MakeSeed()

func (m *multiset) add(a, b, c []byte) {
	var buf [64]byte
	x := append(append(append(buf[:0], a...), b...), c...)
	m.n++
	m.sum += maphash.Bytes(hashSeed, x)
}

// weekSums is one week's snapshots and by-week index entries.
type weekSums struct{ snaps, index multiset }

type escRef struct {
	account uint64
	status  string
}

func newRecordVerifier() *recordVerifier {
	return &recordVerifier{counts: map[string]int{}, seen: map[string]bool{},
		members: map[uint64]bool{}, escs: map[uint64]escRef{}, weeks: map[uint32]*weekSums{}}
}

func (r *recordVerifier) problem(format string, args ...any) {
	if len(r.problems) < maxProblems {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// sequenced lists the buckets whose keys carry IDs from the bucket's own
// counter, and where in the key the ID sits.
var sequenced = map[string]int{
	string(bAccounts): 0, string(bMembers): 0, string(bEscalations): 0, string(bSettingsLog): 0,
	string(bLedger): 12, string(bActivities): 8, string(bTimeline): 8, string(bRosterLog): 8, string(bOneOnOnes): 8,
	string(bChanges): 0, string(bTasks): 0,
}

// consume runs the checks over the walk's events until the walk closes
// the channel, then the cross-checks. It reads the map too, so a fault is
// a panic here as on the walk's goroutine; after one, it drains the
// channel so the walk never blocks.
func (r *recordVerifier) consume(data []byte, events <-chan []kvEvent) {
	defer func() {
		for range events {
		}
	}()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			r.problems = append(r.problems, fmt.Sprintf("record-level damage (%v)", p))
		}
	}()
	// The checks read the pages the walk sent, up to a few thousand
	// behind it: they hand the mapping back as the walk does, or the
	// pages they map stay (README, "Performance", Resident memory).
	mapped := heldMap{budget: verifyHeld / mapPiece}
	for batch := range events {
		for _, e := range batch {
			if mapped.hold(uintptr(e.koff)) {
				_ = syscall.Madvise(data, syscall.MADV_DONTNEED)
				mapped.reset()
			}
			k := data[e.koff : e.koff+uint64(e.klen)]
			switch e.kind {
			case evLeaf:
				r.leaf(k, e.voff)
			case evBucket:
				r.bucket(k, e.voff)
			case evNested:
				r.nested(k, data[e.voff:e.voff+uint64(e.vlen)])
			}
		}
	}
	r.done()
}

// leaf reads the plain records of a leaf page the walk has checked (every
// element within the page, keys in order).
func (r *recordVerifier) leaf(p []byte, count uint64) {
	le := binary.LittleEndian
	for i := uint64(0); i < count; i++ {
		e := pageHeaderSize + i*leafElemSize
		if le.Uint32(p[e:]) != 0 {
			continue // a bucket: the walk reports it
		}
		ks := e + uint64(le.Uint32(p[e+4:]))
		ke := ks + uint64(le.Uint32(p[e+8:]))
		r.kv(p[ks:ke], p[ke:ke+uint64(le.Uint32(p[e+12:]))])
	}
}

func (r *recordVerifier) bucket(name []byte, seq uint64) {
	r.endBucket()
	r.cur, r.seq, r.maxID, r.count = string(name), seq, 0, 0
	r.seqOff = -1
	if off, ok := sequenced[r.cur]; ok {
		r.seqOff = off
	}
	r.seen[r.cur] = true
	r.handler = r.handlers()[r.cur]
}

func (r *recordVerifier) nested(parent, name []byte) {
	r.problem("%s: holds a bucket %s, which steward never makes", parent, showKey(name))
}

func (r *recordVerifier) kv(k, v []byte) {
	r.count++
	if off := r.seqOff; off >= 0 && len(k) >= off+8 {
		if id := binary.BigEndian.Uint64(k[off:]); id > r.maxID {
			r.maxID = id
		}
	}
	if r.handler != nil {
		r.handler(k, v)
	}
}

// endBucket closes the bucket being walked: its counter and the index
// counts that are complete once it is.
func (r *recordVerifier) endBucket() {
	if r.cur == "" {
		return
	}
	r.counts[r.cur] = r.count
	if r.seqOff >= 0 && r.maxID > r.seq {
		r.problem("%s: the ID counter is %d but ID %d is in use: the next new record would overwrite an old one", r.cur, r.seq, r.maxID)
	}
	switch r.cur {
	case string(bAccByOwner):
		if r.byOwner != r.owners {
			r.problem("accounts_by_owner: %d entries for %d accounts, and they do not match the accounts' owners", r.byOwner.n, r.owners.n)
		}
	case string(bAccByExtID):
		if r.byExt != r.exts {
			r.problem("accounts_by_external_id: %d entries for %d accounts with an external ID, and they do not match the accounts", r.byExt.n, r.exts.n)
		}
	case string(bEscByAcct):
		if r.escByAcct != len(r.escs) {
			r.problem("escalations_by_account: %d entries for %d escalations: some are missing from the index", r.escByAcct, len(r.escs))
		}
	case string(bEscByStatus):
		if r.escByStatus != len(r.escs) {
			r.problem("escalations_by_status: %d entries for %d escalations: some are missing from the index", r.escByStatus, len(r.escs))
		}
	}
	r.cur = ""
}

// account reports whether account id exists, with a one-entry cache.
func (r *recordVerifier) account(id uint64) bool {
	if id != r.lastAcct {
		i := sort.Search(len(r.accounts), func(i int) bool { return r.accounts[i] >= id })
		r.lastAcctOK = i < len(r.accounts) && r.accounts[i] == id
		r.lastAcct = id
	}
	return r.lastAcctOK
}

func (r *recordVerifier) handlers() map[string]func(k, v []byte) {
	return map[string]func(k, v []byte){
		string(bAccounts):      r.acct,
		string(bAccByExtID):    r.acctByExt,
		string(bAccByName):     r.acctByName,
		string(bAccByOwner):    r.acctByOwner,
		string(bActivities):    r.activity,
		string(bEscalations):   r.escalation,
		string(bEscByAcct):     r.escByAccount,
		string(bEscByStatus):   r.escByStat,
		string(bLedger):        r.ledger,
		string(bMembers):       r.member,
		string(bMemberKeys):    r.memberKey,
		string(bMeta):          r.meta,
		string(bRosterLog):     r.roster,
		string(bOneOnOnes):     r.oneOnOne,
		string(bSavedViews):    r.savedView,
		string(bForecasts):     r.forecast,
		string(bPlans):         r.plan,
		string(bPlanSums):      r.planSum,
		string(bForecastWeeks): r.forecastCall,
		string(bTasks):         r.task,
		string(bTasksByAcct):   r.taskIndex(16),
		string(bTasksOpen):     r.openTask,
		string(bPlaybooks):     r.playbook,
		string(bEpisodes):      r.episode,
		string(bSettingsLog):   r.settingsLog,
		string(bSnapshots):     r.snapshot,
		string(bSnapByWeek):    r.weekIndex,
		string(bSnapBands):     r.weekBands,
		string(bTimeline):      r.event,
		string(bChanges):       r.change,
	}
}

// memberKey checks one SSH key: it parses, and is filed under its own
// fingerprint; its member is checked once the members are read (done).
func (r *recordVerifier) memberKey(k, v []byte) {
	var mk MemberKey
	if err := json.Unmarshal(v, &mk); err != nil {
		r.problem("member key %s: %v", showKey(k), errCorrupt)
		return
	}
	if _, fp, err := ParseMemberKey(mk.Key); err != nil || fp != string(k) || mk.Fingerprint != fp {
		r.problem("member key %s: the key is not the one its fingerprint names", showKey(k))
	}
	r.keyMembers = append(r.keyMembers, mk.MemberID)
}

// change checks one entry of the change feed.
func (r *recordVerifier) change(k, v []byte) {
	var ch Change
	if err := decodeChange(k, v, &ch); err != nil {
		r.problem("changes: entry %s: %v", showKey(k), err)
	}
}

func (r *recordVerifier) acct(k, v []byte) {
	if len(k) != 8 {
		r.problem("accounts: key %s is not an 8-byte ID", showKey(k))
		return
	}
	id := binary.BigEndian.Uint64(k)
	owner, ext, name, err := skimAccount(v)
	if err != nil {
		r.problem("account %d: %v", id, err)
		return
	}
	r.accounts = append(r.accounts, id)
	r.owners.add(u64(owner), k, nil)
	if len(ext) > 0 {
		r.exts.add(ext, k, nil)
	}
	r.names.add(nameKey(string(name), id), nil, nil)
}

// skimAccount is decodeAccount and the checks of validateAccountFields
// without building the record (see skimSnapshot): it returns what the
// indexes need. An account per account is a hundred thousand records at
// the largest size, and their strings were most of the walk's garbage.
func skimAccount(b []byte) (owner uint64, ext, name []byte, err error) {
	d := dec{b: b}
	format := d.u8()
	if format < accountFormat1 || format > accountFormat {
		return 0, nil, nil, errCorrupt
	}
	name = d.raw()
	ext = d.raw()
	owner = d.uv()
	segment := d.raw()
	lifecycle := d.raw()
	arr := d.iv()
	d.date() // contract start
	d.date() // renewal
	d.iv()   // seats
	d.opt()  // active users
	d.opt()  // tickets
	d.iv()   // open critical
	d.raw()  // champion name
	d.raw()  // champion email
	d.boolean()
	d.date() // last touch
	d.date() // last QBR
	d.opt()  // NPS
	d.opt()  // CSAT
	d.iv()   // pipeline
	d.raw()  // pipeline stage
	d.raw()  // success plan
	band := []byte(metrics.Green)
	if d.u8() == 1 {
		band = d.raw()
		d.raw() // reason
		d.raw() // author
		d.date()
	}
	d.instant()
	d.instant()
	if format >= accountFormat2 {
		d.raw() // plan
	}
	if format >= accountFormat3 {
		d.instant() // inputs updated
	}
	if d.err != nil {
		return 0, nil, nil, d.err
	}
	switch {
	case len(bytes.TrimSpace(name)) == 0:
		return 0, nil, nil, errors.New("impossible values (no name)")
	case arr < 0:
		return 0, nil, nil, errors.New("impossible values (negative ARR)")
	case len(lifecycle) > 0 && !oneOfBytes(lifecycle, string(Onboarding), string(Active), string(Churned)):
		return 0, nil, nil, fmt.Errorf("impossible values (lifecycle %s)", Quote(string(lifecycle)))
	case len(segment) > 0 && !oneOfBytes(segment, string(metrics.Enterprise), string(metrics.MidMarket), string(metrics.SMB)):
		return 0, nil, nil, fmt.Errorf("impossible values (segment %s)", Quote(string(segment)))
	case !oneOfBytes(band, string(metrics.Green), string(metrics.Yellow), string(metrics.Red), string(metrics.Unknown)):
		return 0, nil, nil, fmt.Errorf("impossible values (override band %s)", Quote(string(band)))
	}
	return owner, ext, name, nil
}

// oneOfBytes compares without making a string of b.
func oneOfBytes(b []byte, vals ...string) bool {
	for _, v := range vals {
		if string(b) == v {
			return true
		}
	}
	return false
}

func (r *recordVerifier) acctByExt(k, v []byte) {
	r.byExt.add(k, v, nil)
	if len(v) != 8 {
		r.problem("accounts_by_external_id: entry %s does not hold an account ID", showKey(k))
	} else if id := binary.BigEndian.Uint64(v); !r.account(id) {
		r.problem("accounts_by_external_id: %s points at account %d, which does not exist", showKey(k), id)
	}
}

func (r *recordVerifier) acctByName(k, v []byte) {
	r.byName.add(k, nil, nil)
	if len(k) < 9 || len(v) != 0 {
		r.problem("accounts_by_name: entry %s is not name‖account", showKey(k))
	} else if id := binary.BigEndian.Uint64(k[len(k)-8:]); !r.account(id) {
		r.problem("accounts_by_name: lists account %d, which does not exist", id)
	}
}

func (r *recordVerifier) acctByOwner(k, v []byte) {
	r.byOwner.add(k, nil, nil)
	if len(k) != 16 || len(v) != 0 {
		r.problem("accounts_by_owner: entry %s is not owner‖account", showKey(k))
	} else if id := binary.BigEndian.Uint64(k[8:]); !r.account(id) {
		r.problem("accounts_by_owner: lists account %d, which does not exist", id)
	}
}

// logKey splits a parent‖sequence key of an append-only log.
func (r *recordVerifier) logKey(k []byte, what string) (parent, seq uint64, ok bool) {
	if len(k) != 16 {
		r.problem("%s: key %s is not parent‖sequence", r.cur, showKey(k))
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:]), true
}

func (r *recordVerifier) activity(k, v []byte) {
	acct, id, ok := r.logKey(k, "activity")
	if !ok {
		return
	}
	if !r.account(acct) {
		r.problem("activity %d: belongs to account %d, which does not exist", id, acct)
	}
	a1, a2, ok := jsonIDs(v, `{"id":`, `,"account_id":`)
	if !ok {
		var a Activity
		if err := json.Unmarshal(v, &a); err != nil {
			r.problem("activity %d of account %d: %v", id, acct, errCorrupt)
			return
		}
		a1, a2 = a.ID, a.AccountID
	}
	if a2 != acct || a1 != id {
		r.problem("activity %d of account %d: the record says activity %d of account %d", id, acct, a1, a2)
	}
}

func (r *recordVerifier) escalation(k, v []byte) {
	if len(k) != 8 {
		r.problem("escalations: key %s is not an 8-byte ID", showKey(k))
		return
	}
	id := binary.BigEndian.Uint64(k)
	var e Escalation
	if err := json.Unmarshal(v, &e); err != nil {
		r.problem("escalation %d: %v", id, errCorrupt)
		return
	}
	switch {
	case e.ID != id:
		r.problem("escalation %d: the record says it is escalation %d", id, e.ID)
	case !r.account(e.AccountID):
		r.problem("escalation %d: belongs to account %d, which does not exist", id, e.AccountID)
	case !oneOf(e.Status, Statuses) || !validSeverity(e.Severity):
		r.problem("escalation %d: impossible status or severity (%s, %s)", id, Quote(e.Status), Quote(e.Severity))
	}
	r.escs[id] = escRef{account: e.AccountID, status: e.Status}
}

func (r *recordVerifier) escByAccount(k, v []byte) {
	r.escByAcct++
	if len(k) != 16 || len(v) != 0 {
		r.problem("escalations_by_account: entry %s is not account‖escalation", showKey(k))
		return
	}
	acct, id := binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])
	if e, ok := r.escs[id]; !ok || e.account != acct {
		r.problem("escalations_by_account: files escalation %d under account %d, but it is not that account's", id, acct)
	}
}

func (r *recordVerifier) escByStat(k, v []byte) {
	r.escByStatus++
	if len(k) < 10 || k[len(k)-9] != 0 || len(v) != 0 {
		r.problem("escalations_by_status: entry %s is not status‖0‖escalation", showKey(k))
		return
	}
	status, id := string(k[:len(k)-9]), binary.BigEndian.Uint64(k[len(k)-8:])
	if e, ok := r.escs[id]; !ok || e.status != status {
		r.problem("escalations_by_status: files escalation %d under %s, but that is not its status", id, Quote(status))
	}
}

func (r *recordVerifier) ledger(k, v []byte) {
	if len(k) != 20 {
		r.problem("ledger: key %s is not account‖date‖sequence", showKey(k))
		return
	}
	acct, seq := binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[12:])
	if err := skimLedger(v); err != nil {
		r.problem("ledger entry %d of account %d: %v", seq, acct, err)
	} else if !r.account(acct) {
		r.problem("ledger entry %d: belongs to account %d, which does not exist", seq, acct)
	}
}

func (r *recordVerifier) member(k, v []byte) {
	if len(k) != 8 {
		r.problem("members: key %s is not an 8-byte ID", showKey(k))
		return
	}
	id := binary.BigEndian.Uint64(k)
	var m Member
	switch err := json.Unmarshal(v, &m); {
	case err != nil:
		r.problem("member %d: %v", id, errCorrupt)
	case m.ID != id:
		r.problem("member %d: the record says it is member %d", id, m.ID)
	case !m.Role.Valid():
		r.problem("member %d: impossible role %s", id, Quote(string(m.Role)))
	}
	r.members[id] = true
}

func (r *recordVerifier) meta(k, v []byte) {
	switch {
	case bytes.Equal(k, kSchema):
		if len(v) != 4 {
			r.problem("meta: the schema version is damaged")
			return
		}
		r.schema = binary.BigEndian.Uint32(v)
	case bytes.Equal(k, kSettings):
		s := DefaultSettings()
		if err := json.Unmarshal(v, &s); err != nil {
			r.problem("settings: %v", errCorrupt)
		} else if err := errors.Join(s.Health.Validate(), s.Targets.Validate()); err != nil || !isCurrencyCode(s.Currency) {
			r.problem("settings: impossible values (%v)", err)
		}
	}
}

func (r *recordVerifier) roster(k, v []byte) {
	member, seq, ok := r.logKey(k, "roster change")
	if !ok {
		return
	}
	var c RosterChange
	switch err := json.Unmarshal(v, &c); {
	case err != nil:
		r.problem("roster log entry %d of member %d: %v", seq, member, errCorrupt)
	case c.MemberID != member || c.Seq != seq:
		r.problem("roster log entry %d of member %d: the record says entry %d of member %d", seq, member, c.Seq, c.MemberID)
	case !r.members[member]:
		r.problem("roster log entry %d: belongs to member %d, who does not exist", seq, member)
	}
}

func (r *recordVerifier) oneOnOne(k, v []byte) {
	member, seq, ok := r.logKey(k, "1:1")
	if !ok {
		return
	}
	var o OneOnOne
	switch err := json.Unmarshal(v, &o); {
	case err != nil:
		r.problem("1:1 %d of member %d: %v", seq, member, errCorrupt)
	case o.MemberID != member || o.Seq != seq:
		r.problem("1:1 %d of member %d: the record says 1:1 %d of member %d", seq, member, o.Seq, o.MemberID)
	case !r.members[member]:
		r.problem("1:1 %d: belongs to member %d, who does not exist", seq, member)
	}
}

// forecast checks one renewal forecast: it decodes, is filed under its
// account, and names a category.
func (r *recordVerifier) forecast(k, v []byte) {
	var f Forecast
	switch err := json.Unmarshal(v, &f); {
	case err != nil || len(k) != 8:
		r.problem("forecast %s: %v", showKey(k), errCorrupt)
	case binary.BigEndian.Uint64(k) != f.AccountID:
		r.problem("forecast %s: the record is of account %d", showKey(k), f.AccountID)
	case !f.Category.Valid():
		r.problem("forecast of account %d: category %s", f.AccountID, Quote(string(f.Category)))
	}
}

// task checks one task record.
func (r *recordVerifier) task(k, v []byte) {
	if len(k) != 8 {
		r.problem("tasks: key %s is not an 8-byte ID", showKey(k))
		return
	}
	var t Task
	if err := decodeTask(binary.BigEndian.Uint64(k), v, &t); err != nil {
		r.problem("task %d: %v", binary.BigEndian.Uint64(k), err)
		return
	}
	if t.Status == TaskOpen {
		o := OpenTaskOf(&t)
		r.openTasks.add(k, encodeOpenTask(&o), nil)
	}
}

// openTask checks one entry of the open-task index; done holds the index
// equal to the open tasks, entry for entry.
func (r *recordVerifier) openTask(k, v []byte) {
	var o OpenTask
	d := dec{b: v}
	if len(k) != 8 || decodeOpenTask(0, &d, &o) != nil {
		r.problem("tasks_open: entry %s is not an open task", showKey(k))
		return
	}
	r.openIdx.add(k, v, nil)
}

// playbook checks one playbook: it decodes, is filed under its ID, and
// its trigger is one steward knows (README, "Playbooks").
func (r *recordVerifier) playbook(k, v []byte) {
	var p Playbook
	if err := json.Unmarshal(v, &p); err != nil || len(k) != 8 {
		r.problem("playbook %s: %v", showKey(k), errCorrupt)
		return
	}
	if p.ID != binary.BigEndian.Uint64(k) {
		r.problem("playbook %s: the record is playbook %d", showKey(k), p.ID)
	}
	if err := p.Trig().Validate(); err != nil {
		r.problem("playbook %d (%s): %v", p.ID, Quote(p.Name), err)
	}
	if r.playbooks == nil {
		r.playbooks = map[uint64]bool{}
	}
	r.playbooks[p.ID] = true
}

// episode checks one playbook episode: account‖playbook, a known
// account, a value that decodes; its playbook is checked in done.
func (r *recordVerifier) episode(k, v []byte) {
	if len(k) != 16 {
		r.problem("playbook_episodes: key %s is not account‖playbook", showKey(k))
		return
	}
	acct, pb := binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])
	if _, err := decodeEpisode(v); err != nil {
		r.problem("playbook episode of account %d, playbook %d: %v", acct, pb, err)
	}
	if !r.account(acct) {
		r.problem("playbook episode of account %d, which does not exist", acct)
	}
	if r.episodePlaybooks == nil {
		r.episodePlaybooks = map[uint64]bool{}
	}
	r.episodePlaybooks[pb] = true
}

// taskIndex checks the keys of a task index (account‖id, or id).
func (r *recordVerifier) taskIndex(size int) func(k, v []byte) {
	return func(k, v []byte) {
		if len(k) != size || len(v) != 0 {
			r.problem("%s: entry %s is not a task index entry", r.cur, showKey(k))
		}
	}
}

// plan checks one success plan: it decodes, belongs to an account that
// exists (accounts sort before success_plans), and its IDs, texts,
// statuses and dates are sound. The summary it implies goes into a
// multiset that done compares with the summary index's.
func (r *recordVerifier) plan(k, v []byte) {
	if len(k) != 8 {
		r.problem("success plan: key %s is not an 8-byte account ID", showKey(k))
		return
	}
	id := binary.BigEndian.Uint64(k)
	var p Plan
	switch err := decodePlan(id, v, &p); {
	case err != nil:
		r.problem("success plan of account %d: %v", id, err)
	case !r.account(id):
		r.problem("success plan of account %d: the account does not exist", id)
	default:
		if err := p.Validate(); err != nil {
			r.problem("success plan of account %d: impossible values (%v)", id, err)
		}
		if s := p.Summary(); !s.Empty() {
			r.planSums.add(k, encodePlanSum(s), nil)
		}
	}
}

// planSum adds an entry of the summary index to its multiset.
func (r *recordVerifier) planSum(k, v []byte) {
	r.planIdx.add(k, v, nil)
	if _, err := decodePlanSum(v); err != nil || len(k) != 8 {
		r.problem("success_plans_summary: entry %s is not an account's summary", showKey(k))
	}
}

// forecastCall checks one renewal of a weekly forecast snapshot.
func (r *recordVerifier) forecastCall(k, v []byte) {
	var c ForecastCall
	if len(k) != 12 {
		r.problem("forecast snapshot: key %s is not a week and an account", showKey(k))
		return
	}
	if err := decodeForecastCall(v, &c); err != nil {
		r.problem("forecast snapshot %s of account %d: %v", metrics.Week(binary.BigEndian.Uint32(k)), binary.BigEndian.Uint64(k[4:]), err)
	}
}

func (r *recordVerifier) savedView(k, v []byte) {
	var sv SavedView
	if err := json.Unmarshal(v, &sv); err != nil {
		r.problem("saved view %s: %v", showKey(k), errCorrupt)
		return
	}
	if !bytes.Equal(viewKey(sv.Name), k) {
		r.problem("saved view %s: the record is named %s", showKey(k), Quote(sv.Name))
	}
}

func (r *recordVerifier) settingsLog(k, v []byte) {
	if len(k) != 8 {
		r.problem("settings_log: key %s is not an 8-byte sequence", showKey(k))
		return
	}
	var c SettingChange
	if err := json.Unmarshal(v, &c); err != nil {
		r.problem("settings log entry %d: %v", binary.BigEndian.Uint64(k), errCorrupt)
	}
}

func (r *recordVerifier) snapshot(k, v []byte) {
	if len(k) != 12 {
		r.problem("snapshots: key %s is not account‖week", showKey(k))
		return
	}
	acct, week := binary.BigEndian.Uint64(k), binary.BigEndian.Uint32(k[8:])
	ws, err := skimSnapshot(v)
	if err != nil {
		r.problem("snapshot of account %d in week %s: %v", acct, metrics.Week(week), err)
		return
	}
	if !r.account(acct) {
		r.problem("snapshot of account %d in week %s: the account does not exist", acct, metrics.Week(week))
	}
	r.weekSums(week).snaps.add(k[8:12], k[:8], ws[:])
}

// skimSnapshot is decodeSnapshot without building the record: the same
// reads in the same order (so it fails exactly when decodeSnapshot does,
// see TestSkimAgreesWithDecode), plus the band's validity, returning the
// by-week index value the snapshot implies (encodeWeekScore). A snapshot
// per account per week makes this the hottest check; not allocating the
// band's string halves its cost.
func skimSnapshot(b []byte) ([2]byte, error) {
	d := dec{b: b}
	if d.u8() != snapshotFormat {
		return [2]byte{}, errCorrupt
	}
	score := d.iv()
	band := d.raw()
	for range metrics.NumComponents {
		d.iv()
	}
	d.iv()
	if d.err != nil {
		return [2]byte{}, d.err
	}
	c := byte('u')
	switch string(band) {
	case string(metrics.Green):
		c = 'g'
	case string(metrics.Yellow):
		c = 'y'
	case string(metrics.Red):
		c = 'r'
	case string(metrics.Unknown):
	default:
		return [2]byte{}, fmt.Errorf("impossible band %s", Quote(string(band)))
	}
	return [2]byte{byte(int8(int(score))), c}, nil
}

// skimLedger is decodeLedger without building the record, plus the
// kind's validity (see skimSnapshot).
func skimLedger(b []byte) error {
	d := dec{b: b}
	if d.u8() != ledgerFormat {
		return errCorrupt
	}
	d.iv()
	kind := d.raw()
	d.raw()
	d.raw()
	if d.err != nil {
		return d.err
	}
	for _, k := range metrics.LedgerKinds {
		if string(kind) == string(k) {
			return nil
		}
	}
	return fmt.Errorf("impossible kind %s", Quote(string(kind)))
}

// raw is str without the copy: the bytes stay in the value.
func (d *dec) raw() []byte {
	n := d.uv()
	if uint64(len(d.b)) < n {
		d.fail()
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (r *recordVerifier) weekSums(week uint32) *weekSums {
	if r.weekSum == nil || week != r.week {
		r.week, r.weekSum = week, r.weeks[week]
		if r.weekSum == nil {
			r.weekSum = &weekSums{}
			r.weeks[week] = r.weekSum
		}
	}
	return r.weekSum
}

// weekIndex adds an entry of the by-week index to its week's sums, which
// done compares with the snapshots'.
func (r *recordVerifier) weekIndex(k, v []byte) {
	if len(k) != 12 {
		r.problem("snapshots_by_week: key %s is not week‖account", showKey(k))
		return
	}
	r.weekSums(binary.BigEndian.Uint32(k)).index.add(k[:4], k[4:], v)
}

// weekBands checks one week's stored band counts for their shape only:
// a count that differs from the by-week index is not damage (a build from
// before the counts retook or deleted that week's snapshots), and the
// next weekly snapshot counts the last weeks again (weekbands.go).
func (r *recordVerifier) weekBands(k, v []byte) {
	if _, err := decodeWeekBands(v); len(k) != 4 || err != nil {
		r.problem("snapshot_bands: entry %s is not a week's four counts", showKey(k))
	}
}

func (r *recordVerifier) event(k, v []byte) {
	esc, seq, ok := r.logKey(k, "timeline event")
	if !ok {
		return
	}
	if _, ok := r.escs[esc]; !ok {
		r.problem("timeline event %d: belongs to escalation %d, which does not exist", seq, esc)
	}
	e1, e2, ok := jsonIDs(v, `{"escalation_id":`, `,"seq":`)
	if !ok {
		var ev Event
		if err := json.Unmarshal(v, &ev); err != nil {
			r.problem("timeline event %d of escalation %d: %v", seq, esc, errCorrupt)
			return
		}
		e1, e2 = ev.EscalationID, ev.Seq
	}
	if e1 != esc || e2 != seq {
		r.problem("timeline event %d of escalation %d: the record says event %d of escalation %d", seq, esc, e2, e1)
	}
}

// done finishes the cross-checks and hands the problems to the walk. A
// file from a newer steward may hold records this build cannot read; its
// pages were checked, and Open refuses it with its own message.
func (r *recordVerifier) done() {
	r.endBucket()
	if r.schema > SchemaVersion {
		return
	}
	if r.openTasks != r.openIdx {
		r.problem("tasks_open: %d entries for %d open tasks, and they do not match the tasks", r.openIdx.n, r.openTasks.n)
	}
	if r.planSums != r.planIdx {
		r.problem("success_plans_summary: %d entries for %d plans that can raise the plan-at-risk flag, and they do not match the plans", r.planIdx.n, r.planSums.n)
	}
	for _, id := range r.keyMembers {
		if !r.members[id] {
			r.problem("member_keys: a key belongs to member %d, who does not exist", id)
		}
	}
	for id := range r.episodePlaybooks {
		if !r.playbooks[id] {
			r.problem("playbook_episodes: episodes of playbook %d, which does not exist", id)
		}
	}
	if r.schema >= 3 && r.byName != r.names {
		// Version 1 and 2 files have no by-name index (migrate builds it).
		r.problem("accounts_by_name: %d entries for %d accounts, and they do not match the accounts' names", r.byName.n, r.names.n)
	}
	if r.schema >= 2 {
		// Version 1 files have no by-week index (migrate builds it).
		weeks := make([]uint32, 0, len(r.weeks))
		for w := range r.weeks {
			weeks = append(weeks, w)
		}
		sort.Slice(weeks, func(i, j int) bool { return weeks[i] < weeks[j] })
		for _, w := range weeks {
			if l := r.weeks[w]; l.snaps != l.index {
				r.problem("snapshots_by_week: week %s has %d index entries for %d snapshots, and they do not match", metrics.Week(w), l.index.n, l.snaps.n)
			}

		}
	}
	if r.schema >= 1 {
		for _, name := range allBuckets {
			if !r.seen[string(name)] && !(r.schema < 2 && bytes.Equal(name, bSnapByWeek)) && !(r.schema < 3 && bytes.Equal(name, bAccByName)) {
				r.problem("the %s bucket is missing", name)
			}
		}
	}
}

// jsonIDs reads the two numbers a record that encoding/json wrote starts
// with ({"id":N,"account_id":M,...}) after checking that the whole value
// is valid JSON: a tenth of the cost of decoding it. ok is false when the
// value does not start that way, and the caller decodes it in full.
func jsonIDs(v []byte, first, second string) (a, b uint64, ok bool) {
	if !bytes.HasPrefix(v, []byte(first)) || !json.Valid(v) {
		return 0, 0, false
	}
	rest := v[len(first):]
	num := func() (uint64, bool) {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.ParseUint(string(rest[:i]), 10, 64)
		rest = rest[i:]
		return n, err == nil
	}
	if a, ok = num(); !ok || !bytes.HasPrefix(rest, []byte(second)) {
		return 0, 0, false
	}
	rest = rest[len(second):]
	if b, ok = num(); !ok || len(rest) == 0 || rest[0] != ',' {
		return 0, 0, false
	}
	return a, b, true
}
