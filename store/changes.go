package store

import (
	"encoding/binary"
	"slices"
	"time"
)

// The change feed (README, "Sharing the file"): every write transaction
// that changes anything appends one entry to the changes bucket, in the
// same transaction, naming what it touched. A reader that has read the
// file up to entry N applies the entries after N to what it holds instead
// of reading everything again, and reads everything only when it fell
// behind the kept window. It is the store's one way of saying what
// changed: the dashboard's background reload uses it today, the team
// server's sessions and a second store backend are to use it too.

var bChanges = []byte("changes")

// KeptChanges is how many entries the feed keeps: a reader more than this
// many commits behind reads everything again. A variable so tests can
// make a reader fall behind in a few writes.
var KeptChanges uint64 = 4096

// maxListed bounds the IDs one entry lists; a transaction that touches
// more (an import, this week's snapshot) says "everything" instead.
const maxListed = 512

// Change is one committed write transaction, as the feed tells it.
type Change struct {
	Seq uint64
	At  time.Time
	// Accounts whose record, ledger, snapshots, activities or success
	// plan changed, in ID order; Escalations likewise (their record or
	// timeline).
	Accounts    []uint64
	Escalations []uint64
	Members     bool // the roster or its log
	Settings    bool // the settings or their log
	// All: too much to list (a bulk write): read everything again.
	All bool
}

// changeSet collects what a write transaction touches.
type changeSet struct {
	accounts, escs map[uint64]struct{}
	members        bool
	settings       bool
	all            bool
}

func (c *changeSet) account(id uint64) {
	if c == nil || c.all {
		return
	}
	if c.accounts == nil {
		c.accounts = map[uint64]struct{}{}
	}
	c.accounts[id] = struct{}{}
	if len(c.accounts) > maxListed {
		c.all, c.accounts = true, nil
	}
}

func (c *changeSet) escalation(id uint64) {
	if c == nil || c.all {
		return
	}
	if c.escs == nil {
		c.escs = map[uint64]struct{}{}
	}
	c.escs[id] = struct{}{}
	if len(c.escs) > maxListed {
		c.all, c.escs = true, nil
	}
}

func (c *changeSet) empty() bool {
	return c == nil || (!c.all && !c.members && !c.settings && len(c.accounts) == 0 && len(c.escs) == 0)
}

// touched records that the transaction changed something. The Tx methods
// that write call it; so does a raw bucket write that is not theirs.
func (t *Tx) touchAccount(id uint64)    { t.ch.account(id) }
func (t *Tx) touchEscalation(id uint64) { t.ch.escalation(id) }
func (t *Tx) touchMembers() {
	if t.ch != nil {
		t.ch.members = true
	}
}
func (t *Tx) touchSettings() {
	if t.ch != nil {
		t.ch.settings = true
	}
}

// TouchAll marks the transaction as one whose changes are too many to
// list: readers read everything again.
func (t *Tx) TouchAll() {
	if t.ch != nil {
		t.ch.all, t.ch.accounts, t.ch.escs = true, nil, nil
	}
}

// logChange appends the transaction's entry (if it changed anything) and
// trims the feed to KeptChanges entries. It runs last in every write
// transaction, so the entry commits with what it describes.
func (t *Tx) logChange(now time.Time) error {
	if t.ch.empty() {
		return nil
	}
	b, err := t.tx.CreateBucketIfNotExists(bChanges)
	if err != nil {
		return err
	}
	b.FillPercent = 0.9 // keys only ever grow
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	ch := Change{Seq: seq, At: now.UTC(), Members: t.ch.members, Settings: t.ch.settings, All: t.ch.all}
	for id := range t.ch.accounts {
		ch.Accounts = append(ch.Accounts, id)
	}
	for id := range t.ch.escs {
		ch.Escalations = append(ch.Escalations, id)
	}
	slices.Sort(ch.Accounts)
	slices.Sort(ch.Escalations)
	if err := b.Put(u64(seq), encodeChange(&ch)); err != nil {
		return err
	}
	if seq <= KeptChanges {
		return nil
	}
	// Usually one entry falls out of the window: delete from the front.
	c := b.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= seq-KeptChanges; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// ChangeSeq is the sequence number of the newest change (0: none yet).
func (t *Tx) ChangeSeq() uint64 {
	b := t.tx.Bucket(bChanges)
	if b == nil {
		return 0
	}
	return b.Sequence()
}

// ChangesSince lists the changes after seq, oldest first. complete is
// false when some of them are no longer kept (the reader fell behind the
// window, or the file was written by a steward without the feed): read
// everything again.
func (t *Tx) ChangesSince(seq uint64) (changes []Change, complete bool, err error) {
	b := t.tx.Bucket(bChanges)
	if b == nil {
		return nil, seq == 0, nil
	}
	if b.Sequence() == seq {
		return nil, true, nil
	}
	c := b.Cursor()
	k, v := c.Seek(u64(seq + 1))
	if k == nil || binary.BigEndian.Uint64(k) != seq+1 {
		return nil, false, nil
	}
	for ; k != nil; k, v = c.Next() {
		var ch Change
		if err := decodeChange(k, v, &ch); err != nil {
			return nil, false, err
		}
		changes = append(changes, ch)
	}
	return changes, true, nil
}

const changeFormat = 1

const (
	changeMembers = 1 << iota
	changeSettings
	changeAll
)

func encodeChange(ch *Change) []byte {
	e := enc{b: make([]byte, 0, 24+5*(len(ch.Accounts)+len(ch.Escalations)))}
	e.u8(changeFormat)
	e.instant(ch.At)
	var flags byte
	if ch.Members {
		flags |= changeMembers
	}
	if ch.Settings {
		flags |= changeSettings
	}
	if ch.All {
		flags |= changeAll
	}
	e.u8(flags)
	for _, ids := range [][]uint64{ch.Accounts, ch.Escalations} {
		// Sorted IDs, delta-encoded: most are a few bytes.
		e.uv(uint64(len(ids)))
		prev := uint64(0)
		for _, id := range ids {
			e.uv(id - prev)
			prev = id
		}
	}
	return e.b
}

func decodeChange(k, v []byte, ch *Change) error {
	if len(k) != 8 {
		return errCorrupt
	}
	d := dec{b: v}
	if d.u8() != changeFormat {
		return errCorrupt
	}
	ch.Seq = binary.BigEndian.Uint64(k)
	ch.At = d.instant()
	flags := d.u8()
	ch.Members, ch.Settings, ch.All = flags&changeMembers != 0, flags&changeSettings != 0, flags&changeAll != 0
	for _, ids := range []*[]uint64{&ch.Accounts, &ch.Escalations} {
		n := d.uv()
		if n > maxListed {
			return errCorrupt
		}
		*ids = nil
		prev := uint64(0)
		for i := uint64(0); i < n && d.err == nil; i++ {
			prev += d.uv()
			*ids = append(*ids, prev)
		}
	}
	if d.err == nil && len(d.b) != 0 {
		return errCorrupt
	}
	return d.err
}
