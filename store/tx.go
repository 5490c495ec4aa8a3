package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
	"golang.org/x/text/currency"

	"steward/metrics"
)

// Tx is one transaction. Values it returns are copies: nothing points into
// bbolt's memory map after the transaction ends.
type Tx struct {
	tx     *bolt.Tx
	ch     *changeSet     // what a write transaction touched (changes.go); nil when reading
	mapped heldMap        // the pieces of the map long walks have read (hold)
	pb     *playbookCache // the active playbooks, loaded once per transaction (playbooks.go)
	// weeks are the snapshot weeks a write changed, counted again
	// before the commit (weekbands.go).
	weeks map[metrics.Week]*weekChange
}

// ErrNotFound is returned when a record with the given ID does not exist.
var ErrNotFound = errors.New("not found")

func (t *Tx) b(name []byte) *bolt.Bucket {
	bk := t.tx.Bucket(name)
	if bk != nil && appendMostly[string(name)] {
		// Keys of these buckets mostly grow at the end of an account's or
		// week's range; fuller pages halve the file and the commit time.
		bk.FillPercent = 0.9
	}
	return bk
}

var appendMostly = map[string]bool{
	string(bSnapshots): true, string(bSnapByWeek): true, string(bLedger): true,
	string(bActivities): true, string(bTimeline): true, string(bAccounts): true,
}

func (t *Tx) nextID(bucket []byte) (uint64, error) { return t.b(bucket).NextSequence() }

// claimID makes sure a record saved under an explicit ID (an import that
// keeps IDs, a restore) is never overwritten by a later new record.
func (t *Tx) claimID(bucket []byte, id uint64) error {
	if bk := t.b(bucket); id > bk.Sequence() {
		return bk.SetSequence(id)
	}
	return nil
}

// ---- settings ----

// Settings returns the database settings (defaults where unset).
func (t *Tx) Settings() (Settings, error) {
	s := DefaultSettings()
	v := t.b(bMeta).Get(kSettings)
	if v == nil {
		return s, nil
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, fmt.Errorf("settings: %w", errCorrupt)
	}
	return s, nil
}

// PutSettings validates and stores the settings.
func (t *Tx) PutSettings(s Settings) error {
	if err := s.Health.Validate(); err != nil {
		return err
	}
	if err := s.Targets.Validate(); err != nil {
		return err
	}
	if !isCurrencyCode(s.Currency) {
		return fmt.Errorf("currency %s: use a three-letter ISO 4217 code such as USD", Quote(s.Currency))
	}
	v, err := json.Marshal(s)
	if err != nil {
		return err
	}
	t.touchSettings()
	t.pb = nil // the playbooks' evaluations score with the new settings
	return t.b(bMeta).Put(kSettings, v)
}

// isCurrencyCode accepts an upper-case ISO 4217 code of a currency a
// contract can be priced in: XXX (no currency) and XTS (testing) are
// codes, but not currencies.
func isCurrencyCode(c string) bool {
	if len(c) != 3 || strings.ToUpper(c) != c || c == "XXX" || c == "XTS" {
		return false
	}
	_, err := currency.ParseISO(c)
	return err == nil
}

// ---- members ----

// PutMember inserts (ID 0) or replaces a member; it assigns the ID.
func (t *Tx) PutMember(m *Member) error {
	if strings.TrimSpace(m.Name) == "" {
		return errors.New("member name is required")
	}
	if !m.Role.Valid() {
		return fmt.Errorf("member %s: role %s is not one of %v", Quote(m.Name), Quote(string(m.Role)), Roles)
	}
	if m.ID == 0 {
		id, err := t.nextID(bMembers)
		if err != nil {
			return err
		}
		m.ID = id
	} else if err := t.claimID(bMembers, m.ID); err != nil {
		return err
	}
	if m.Capacity <= 0 {
		m.Capacity = m.Role.DefaultCapacity()
	}
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	t.touchMembers()
	t.pb = nil // the owner rules read the roster
	return t.b(bMembers).Put(u64(m.ID), v)
}

// Members lists every member in ID order.
func (t *Tx) Members() ([]Member, error) {
	var out []Member
	err := t.b(bMembers).ForEach(func(k, v []byte) error {
		var m Member
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("member %x: %w", k, errCorrupt)
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// Member returns one member.
func (t *Tx) Member(id uint64) (Member, error) {
	var m Member
	v := t.b(bMembers).Get(u64(id))
	if v == nil {
		return m, fmt.Errorf("member %d: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fmt.Errorf("member %d: %w", id, errCorrupt)
	}
	return m, nil
}

// ---- accounts ----

// PutAccount inserts (ID 0) or replaces an account and keeps the owner and
// external-ID indexes in step in the same transaction. A second account
// with the same external ID is refused.
func (t *Tx) PutAccount(a *Account) error { return t.PutAccounts([]*Account{a}) }

// validateAccount checks a before any write, so an action can validate
// first and write second.
func (t *Tx) validateAccount(a *Account) error {
	if err := validateAccountFields(a); err != nil {
		return err
	}
	if a.ExternalID != "" {
		if other := t.b(bAccByExtID).Get([]byte(a.ExternalID)); other != nil && binary.BigEndian.Uint64(other) != a.ID {
			return fmt.Errorf("external ID %s already belongs to account %d", Quote(a.ExternalID), binary.BigEndian.Uint64(other))
		}
	}
	return nil
}

func validateAccountFields(a *Account) error {
	if strings.TrimSpace(a.Name) == "" {
		return errors.New("account name is required")
	}
	if a.ARRCents < 0 {
		return fmt.Errorf("account %s: ARR cannot be negative", Quote(a.Name))
	}
	if a.Lifecycle == "" {
		a.Lifecycle = Active
	}
	if !a.Lifecycle.Valid() {
		return fmt.Errorf("account %s: lifecycle %s is not onboarding, active or churned", Quote(a.Name), Quote(string(a.Lifecycle)))
	}
	if a.Segment != "" && !a.Segment.Valid() {
		return fmt.Errorf("account %s: segment %s is not enterprise, mid_market or smb", Quote(a.Name), Quote(string(a.Segment)))
	}
	return nil
}

// PutAccounts writes accounts like PutAccount (new ones, ID 0, get IDs in
// slice order) but applies the owner and external-ID index changes sorted
// by key, so a bulk import appends to bbolt's nodes instead of shifting
// them on every insert.
func (t *Tx) PutAccounts(list []*Account) error {
	accts, byOwner, byExt, byName := t.b(bAccounts), t.b(bAccByOwner), t.b(bAccByExtID), t.b(bAccByName)
	var ownerDel, ownerPut, extDel, nameDel, namePut [][]byte
	type extEntry struct {
		key []byte
		id  uint64
	}
	var extPut []extEntry
	for _, a := range list {
		if err := validateAccountFields(a); err != nil {
			return err
		}
		same := false // the indexed fields are unchanged
		if a.ID == 0 {
			id, err := t.nextID(bAccounts)
			if err != nil {
				return err
			}
			a.ID = id
		} else if err := t.claimID(bAccounts, a.ID); err != nil {
			return err
		} else if old := accts.Get(u64(a.ID)); old != nil {
			var prev Account
			if err := decodeAccount(a.ID, old, &prev); err != nil {
				return fmt.Errorf("account %d: %w", a.ID, err)
			}
			if a.InputsAt.IsZero() {
				// An account from before InputsAt was kept: its first
				// write pins the estimate (InputsUpdated, its last write
				// until now), so this write, which may not touch the
				// inputs at all (an override, a logged call), does not
				// make them look fresh.
				a.InputsAt = prev.InputsUpdated()
			}
			// An index entry that stays the same is left alone: a bulk
			// update then rewrites the accounts, not every index page too.
			same = prev.OwnerID == a.OwnerID && prev.Name == a.Name && prev.ExternalID == a.ExternalID
			if !same {
				ownerDel = append(ownerDel, key(u64(prev.OwnerID), u64(a.ID)))
				nameDel = append(nameDel, nameKey(prev.Name, a.ID))
				if prev.ExternalID != "" {
					extDel = append(extDel, []byte(prev.ExternalID))
				}
			}
		}
		if !same {
			if a.ExternalID != "" {
				extPut = append(extPut, extEntry{[]byte(a.ExternalID), a.ID})
			}
			ownerPut = append(ownerPut, key(u64(a.OwnerID), u64(a.ID)))
			namePut = append(namePut, nameKey(a.Name, a.ID))
		}
		t.touchAccount(a.ID)
		if err := accts.Put(u64(a.ID), encodeAccount(a)); err != nil {
			return err
		}
	}
	for _, del := range []struct {
		b    *bolt.Bucket
		keys [][]byte
	}{{byOwner, ownerDel}, {byName, nameDel}} {
		sort.Slice(del.keys, func(i, j int) bool { return bytes.Compare(del.keys[i], del.keys[j]) > 0 })
		for _, k := range del.keys {
			if err := del.b.Delete(k); err != nil {
				return err
			}
		}
	}
	sort.Slice(extDel, func(i, j int) bool { return bytes.Compare(extDel[i], extDel[j]) > 0 })
	for _, k := range extDel {
		if err := byExt.Delete(k); err != nil {
			return err
		}
	}
	for _, put := range []struct {
		b    *bolt.Bucket
		keys [][]byte
	}{{byOwner, ownerPut}, {byName, namePut}} {
		sort.Slice(put.keys, func(i, j int) bool { return bytes.Compare(put.keys[i], put.keys[j]) < 0 })
		for _, k := range put.keys {
			if err := put.b.Put(k, nil); err != nil {
				return err
			}
		}
	}
	sort.Slice(extPut, func(i, j int) bool { return bytes.Compare(extPut[i].key, extPut[j].key) < 0 })
	for i, e := range extPut {
		if i > 0 && bytes.Equal(extPut[i-1].key, e.key) {
			return fmt.Errorf("external ID %s is given to two accounts", Quote(string(e.key)))
		}
		if other := byExt.Get(e.key); other != nil && binary.BigEndian.Uint64(other) != e.id {
			return fmt.Errorf("external ID %s already belongs to account %d", Quote(string(e.key)), binary.BigEndian.Uint64(other))
		}
		if err := byExt.Put(e.key, u64(e.id)); err != nil {
			return err
		}
	}
	return nil
}

// Account returns one account.
func (t *Tx) Account(id uint64) (Account, error) {
	var a Account
	v := t.b(bAccounts).Get(u64(id))
	if v == nil {
		return a, fmt.Errorf("account %d: %w", id, ErrNotFound)
	}
	t.hold(v) // a reader looking up many accounts maps pieces all over the file
	if err := decodeAccount(id, v, &a); err != nil {
		return a, fmt.Errorf("account %d: %w", id, err)
	}
	return a, nil
}

// Accounts lists every account in ID order.
func (t *Tx) Accounts() ([]Account, error) { return t.accounts(false) }

// AccountsInBlocks is Accounts for a reader that keeps them all (the read
// model): the records are copied out of the map in large blocks and their
// strings point into the blocks, two allocations a megabyte instead of ten
// an account. A reader that lets accounts go one by one (an export) is
// better served by Accounts: a block lives as long as any of its strings.
func (t *Tx) AccountsInBlocks() ([]Account, error) { return t.accounts(true) }

func (t *Tx) accounts(blocks bool) ([]Account, error) {
	out := make([]Account, 0, t.MaxAccounts())
	next := func() *Account {
		out = append(out, Account{})
		return &out[len(out)-1]
	}
	var err error
	if blocks {
		err = t.AccountsInto(next)
	} else {
		err = t.b(bAccounts).ForEach(func(k, v []byte) error {
			t.hold(v)
			id := binary.BigEndian.Uint64(k)
			if err := decodeAccount(id, v, next()); err != nil {
				return fmt.Errorf("account %d: %w", id, err)
			}
			return nil
		})
	}
	return out, err
}

// accountBlock is the size of the blocks AccountsInto copies accounts
// into (their strings point there).
const accountBlock = 4 << 20

// AccountsInto is AccountsInBlocks into the caller's records: each
// account, in ID order, is decoded into the zero Account next returns (the
// read model decodes straight into its own rows, no copy between).
func (t *Tx) AccountsInto(next func() *Account) error {
	// The map is not handed back as it is read (hold): the dashboard's
	// load is timed to its first frame, the pages read again after a
	// release cost it more than it saves, and the map is gone with the
	// load anyway.
	var block []byte
	return t.b(bAccounts).ForEach(func(k, v []byte) error {
		if cap(block)-len(block) < len(v) {
			block = make([]byte, 0, max(accountBlock, len(v)))
			Prefault(block)
		}
		start := len(block)
		block = append(block, v...)
		d := dec{b: block[start:len(block):len(block)], view: true}
		id := binary.BigEndian.Uint64(k)
		if err := decodeAccountFrom(id, &d, next()); err != nil {
			return fmt.Errorf("account %d: %w", id, err)
		}
		return nil
	})
}

// ForEachAccountView calls fn with every account in ID order, each
// decoded into the same value without copying: its strings view the
// database's map, valid while the transaction is open, so what outlives
// the transaction is copied (strings.Clone). A reader that sums over
// every account (the report) then reads a million of them holding a few,
// with no allocation per account.
func (t *Tx) ForEachAccountView(fn func(*Account) error) error {
	var a Account
	return t.b(bAccounts).ForEach(func(k, v []byte) error {
		t.hold(v)
		id := binary.BigEndian.Uint64(k)
		a = Account{}
		d := dec{b: v, view: true}
		if err := decodeAccountFrom(id, &d, &a); err != nil {
			return fmt.Errorf("account %d: %w", id, err)
		}
		return fn(&a)
	})
}

// releaseMapped hands back the pages of the database's map this process
// has touched (MADV_DONTNEED): they stay in the page cache but leave this
// process's resident memory, and a page read again is mapped again from
// the cache (a minor fault). bbolt only reads through its map (it writes
// through the file), so nothing is lost, and strings that view the map
// stay valid. A call costs a pass over the map's page tables (under a
// millisecond at 100,000 accounts, 7 ms at a million).
func (t *Tx) releaseMapped() {
	if size := t.tx.Size(); size > 0 {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, t.tx.DB().Info().Data, uintptr(size), unix.MADV_DONTNEED)
	}
	t.mapped.reset()
}

// ReleaseMapped is releaseMapped for a reader outside the store that
// reads much of the file in an order of its own (an import's rows, looked
// up by index): it calls it every few thousand records.
func (t *Tx) ReleaseMapped() { t.releaseMapped() }

// Linux maps a whole large folio of the file (up to 2 MB) on one fault,
// other buckets' pages included, and a bucket written over months has
// its pages all over the file: at a million accounts, the first 60,000
// accounts of a walk mapped 1.2 GB of a 2 GB file. So a long walk hands
// back each 2 MB piece of the map it read from, a few dozen pieces at a
// time (README, "Performance", Resident memory): what it holds stays
// near the transaction's budget (half the file, within 16 to
// 384 MB, unless LimitMapped says) whatever the file's layout. A smaller
// budget costs time: pieces handed back are read again (at a million
// accounts, the report takes 2.9 s holding 96 MB, 2.2 s holding 192 MB,
// 2.0 s holding 384 MB).
const mapPiece = 2 << 20

// heldMap is the pieces of a map read since they were last handed back,
// as offsets from the map's start: a write transaction's map can move
// when the file grows, and the offsets stay good.
type heldMap struct {
	base, size uintptr   // the map as last seen
	last       uintptr   // the piece read last, plus one (0: none)
	held       []uintptr // distinct pieces
	budget     int       // pieces (a transaction sets it on its first read: see hold)
}

// LimitMapped sets how much of the map (in bytes) this transaction's
// walks hold before they hand it back: a reader that keeps much of its
// own (an export's sort keys, an import's accounts) leaves less to the map.
func (t *Tx) LimitMapped(bytes int) { t.mapped.budget = max(1, bytes/mapPiece) }

// hold notes that a walk read v and hands the pieces held back when they
// are as many as the budget. A value outside the map (a write
// transaction's changed node, on the heap) is not the map's.
func (t *Tx) hold(v []byte) {
	if len(v) == 0 {
		return
	}
	m := &t.mapped
	a := uintptr(unsafe.Pointer(unsafe.SliceData(v)))
	if a < m.base || a-m.base >= m.size {
		m.base, m.size = t.tx.DB().Info().Data, uintptr(t.tx.Size()) // first read, or the map moved
		if a < m.base || a-m.base >= m.size {
			return
		}
	}
	if m.budget == 0 {
		// Half the file, within 16-384 MB: a small file's walk
		// holds little, a large one's keeps enough that few pieces are
		// read twice.
		m.budget = min(max(int(m.size/2/mapPiece), 8), 192) // pieces of 2 MB
	}
	if !m.hold(a - m.base) {
		return
	}
	// The map as it is now: a write transaction's may have moved since
	// the pieces were read, and only the current map may be handed back.
	base, size := t.tx.DB().Info().Data, uintptr(t.tx.Size())
	for _, off := range m.held {
		if off < size {
			_, _, _ = unix.Syscall(unix.SYS_MADVISE, base+off, min(mapPiece, size-off), unix.MADV_DONTNEED)
		}
	}
	m.reset()
}

// hold notes a read at offset off and reports whether the pieces held
// have reached the budget (the caller hands them back, then calls reset).
func (m *heldMap) hold(off uintptr) (full bool) {
	piece := off &^ (mapPiece - 1)
	if piece+1 == m.last {
		return false
	}
	m.last = piece + 1
	if slices.Contains(m.held, piece) {
		return false
	}
	m.held = append(m.held, piece)
	return len(m.held) >= m.budget
}

func (m *heldMap) reset() {
	m.held = m.held[:0]
	m.last = 0
}

// MaxAccounts bounds the number of accounts: IDs come from the bucket's
// sequence (walking the bucket to count it would cost a pass of its own).
// A reader sizes its per-account lists with it.
func (t *Tx) MaxAccounts() int { return int(min(t.b(bAccounts).Sequence(), 1<<24)) }

// AccountIDsByOwner lists the IDs of the accounts owned by member (0: the
// unassigned pool), through the owner index.
func (t *Tx) AccountIDsByOwner(member uint64) []uint64 {
	return t.indexIDs(bAccByOwner, u64(member))
}

// prefixValues returns the values of the keys under prefix, in key order.
func (t *Tx) prefixValues(bucket, prefix []byte) [][]byte {
	var out [][]byte
	c := t.b(bucket).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		out = append(out, v)
	}
	return out
}

// indexIDs reads an index bucket whose keys are prefix‖id(8): the IDs
// filed under prefix, in ID order.
func (t *Tx) indexIDs(bucket, prefix []byte) []uint64 {
	var out []uint64
	c := t.b(bucket).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+8 {
			out = append(out, binary.BigEndian.Uint64(k[len(prefix):]))
		}
	}
	return out
}

// nameKey is an account's by-name index key: its lower-cased name, length
// first so that no name's key is a prefix of another name's, then its ID.
func nameKey(name string, id uint64) []byte {
	return append(namePrefix(name), u64(id)...)
}

func namePrefix(name string) []byte {
	fold := strings.ToLower(name)
	return append(binary.AppendUvarint(make([]byte, 0, len(fold)+18), uint64(len(fold))), fold...)
}

// AccountsNamed returns, in ID order, the accounts whose name equals name
// when both are lower-cased (strings.ToLower), through the by-name index.
func (t *Tx) AccountsNamed(name string) ([]Account, error) {
	var out []Account
	for _, id := range t.indexIDs(bAccByName, namePrefix(name)) {
		a, err := t.Account(id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AccountByExternalID finds an account by its CRM ID.
func (t *Tx) AccountByExternalID(ext string) (Account, error) {
	v := t.b(bAccByExtID).Get([]byte(ext))
	if v == nil {
		return Account{}, fmt.Errorf("external ID %s: %w", Quote(ext), ErrNotFound)
	}
	return t.Account(binary.BigEndian.Uint64(v))
}

// ---- ARR ledger ----

// AppendLedger adds one ARR entry; entries are never edited.
func (t *Tx) AppendLedger(l *LedgerEntry) error {
	if l.AccountID == 0 || l.Date.IsZero() {
		return errors.New("ledger entry needs an account and a date")
	}
	if !l.Kind.Valid() {
		return fmt.Errorf("ledger kind %s is not one of %v", Quote(string(l.Kind)), metrics.LedgerKinds)
	}
	if l.ARRCents < 0 {
		return errors.New("ledger ARR cannot be negative")
	}
	seq, err := t.nextID(bLedger)
	if err != nil {
		return err
	}
	l.Seq = seq
	t.touchAccount(l.AccountID)
	return t.b(bLedger).Put(key(u64(l.AccountID), dateKey(l.Date), u64(seq)), encodeLedger(l))
}

// Ledger returns one account's entries in date order.
func (t *Tx) Ledger(accountID uint64) ([]LedgerEntry, error) {
	var out []LedgerEntry
	prefix := u64(accountID)
	c := t.b(bLedger).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var l LedgerEntry
		if err := ledgerFromKV(k, v, &l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func ledgerFromKV(k, v []byte, l *LedgerEntry) error {
	if len(k) != 20 {
		return fmt.Errorf("ledger key: %w", errCorrupt)
	}
	l.AccountID = binary.BigEndian.Uint64(k)
	l.Date = keyDate(k[8:12])
	l.Seq = binary.BigEndian.Uint64(k[12:])
	if err := decodeLedger(v, l); err != nil {
		return fmt.Errorf("ledger entry of account %d: %w", l.AccountID, err)
	}
	return nil
}

// ForEachLedger calls fn for every entry, grouped by account in date order.
func (t *Tx) ForEachLedger(fn func(*LedgerEntry) error) error {
	var l LedgerEntry
	return t.b(bLedger).ForEach(func(k, v []byte) error {
		t.hold(v)
		if err := ledgerFromKV(k, v, &l); err != nil {
			return err
		}
		return fn(&l)
	})
}

// LedgerRuns reads the ledger beside a walk over the accounts in ID
// order: the ledger is keyed account‖date, so each account's entries are
// the next run of one cursor, a merge instead of a lookup per account.
// It gives what the KPIs read (date, ARR, kind), not the author or note.
type LedgerRuns struct {
	t    *Tx
	c    *bolt.Cursor
	k, v []byte
	last uint64
	err  error
}

// LedgerRuns starts a merge over the ledger.
func (t *Tx) LedgerRuns() *LedgerRuns {
	r := &LedgerRuns{t: t, c: t.b(bLedger).Cursor()}
	r.k, r.v = r.c.First()
	return r
}

// Of appends account id's entries, oldest first, to buf. IDs must come in
// increasing order; entries of accounts not asked for are passed over.
func (r *LedgerRuns) Of(id uint64, buf []metrics.LedgerEntry) ([]metrics.LedgerEntry, error) {
	if r.err != nil {
		return buf, r.err
	}
	if id < r.last {
		// The accounts come from their bucket in key order: out of order,
		// its pages are damaged, which the user is told as damage.
		r.err = fmt.Errorf("accounts out of key order (%d after %d): %w", id, r.last, errCorrupt)
		return buf, r.err
	}
	r.last = id
	for ; r.k != nil; r.k, r.v = r.c.Next() {
		if len(r.k) != 20 {
			r.err = fmt.Errorf("ledger key: %w", errCorrupt)
			return buf, r.err
		}
		r.t.hold(r.v)
		at := binary.BigEndian.Uint64(r.k)
		if at > id {
			break
		}
		if at < id {
			continue
		}
		e, err := decodeLedgerFigures(r.v)
		if err != nil {
			r.err = fmt.Errorf("ledger entry of account %d: %w", at, err)
			return buf, r.err
		}
		e.Date = keyDate(r.k[8:12])
		buf = append(buf, e)
	}
	return buf, nil
}

// ---- snapshots ----

// PutSnapshot stores (or replaces) one account's snapshot for its week and
// the matching by-week index entry.
func (t *Tx) PutSnapshot(s *Snapshot) error {
	if s.AccountID == 0 || s.Week == 0 {
		return errors.New("snapshot needs an account and a week")
	}
	w := u32(uint32(s.Week))
	t.touchAccount(s.AccountID)
	if err := t.b(bSnapshots).Put(key(u64(s.AccountID), w), encodeSnapshot(s)); err != nil {
		return err
	}
	k, v := key(w, u64(s.AccountID)), encodeWeekScore(s)
	idx := t.b(bSnapByWeek)
	t.countChange(s.Week, idx.Get(k), v)
	return idx.Put(k, v)
}

// DeleteSnapshot removes one account's snapshot for week w, if any.
func (t *Tx) DeleteSnapshot(accountID uint64, w metrics.Week) error {
	wk := u32(uint32(w))
	t.touchAccount(accountID)
	if err := t.b(bSnapshots).Delete(key(u64(accountID), wk)); err != nil {
		return err
	}
	k := key(wk, u64(accountID))
	idx := t.b(bSnapByWeek)
	t.countChange(w, idx.Get(k), nil)
	return idx.Delete(k)
}

// SnapshotHistory is one account's snapshots, oldest first: one prefix scan.
func (t *Tx) SnapshotHistory(accountID uint64) ([]Snapshot, error) {
	var out []Snapshot
	prefix := u64(accountID)
	c := t.b(bSnapshots).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != 12 {
			return nil, fmt.Errorf("snapshot key: %w", errCorrupt)
		}
		s := Snapshot{AccountID: accountID, Week: metrics.Week(binary.BigEndian.Uint32(k[8:]))}
		if err := decodeSnapshot(v, &s); err != nil {
			return nil, fmt.Errorf("snapshot of account %d: %w", accountID, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// SnapshotWeeks lists the weeks that have any snapshot, oldest first.
func (t *Tx) SnapshotWeeks() []metrics.Week {
	var out []metrics.Week
	c := t.b(bSnapByWeek).Cursor()
	for k, _ := c.First(); k != nil; {
		w := binary.BigEndian.Uint32(k[:4])
		out = append(out, metrics.Week(w))
		// Jump past this week's keys.
		k, _ = c.Seek(u32(w + 1))
	}
	return out
}

// LatestWeekBefore is the newest snapshot week strictly before w (0 if none).
func (t *Tx) LatestWeekBefore(w metrics.Week) metrics.Week {
	c := t.b(bSnapByWeek).Cursor()
	k, _ := c.Seek(u32(uint32(w)))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) < 4 {
		return 0
	}
	return metrics.Week(binary.BigEndian.Uint32(k[:4]))
}

// WeekScores returns every account's score in week w: one range scan.
func (t *Tx) WeekScores(w metrics.Week) (map[uint64]WeekScore, error) {
	out := map[uint64]WeekScore{}
	err := t.ForEachWeekScore(w, func(id uint64, ws WeekScore) error {
		out[id] = ws
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ForEachWeekScore calls fn with every account's score in week w, in
// account ID order (the by-week index's order).
func (t *Tx) ForEachWeekScore(w metrics.Week, fn func(id uint64, ws WeekScore) error) error {
	prefix := u32(uint32(w))
	c := t.b(bSnapByWeek).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != 12 {
			return fmt.Errorf("snapshot index key: %w", errCorrupt)
		}
		t.hold(v)
		ws, err := decodeWeekScore(v)
		if err != nil {
			return err
		}
		if err := fn(binary.BigEndian.Uint64(k[4:]), ws); err != nil {
			return err
		}
	}
	return nil
}

// WeekScore is one account's score in week w, from the by-week index.
func (t *Tx) WeekScore(accountID uint64, w metrics.Week) (WeekScore, bool, error) {
	v := t.b(bSnapByWeek).Get(key(u32(uint32(w)), u64(accountID)))
	if v == nil {
		return WeekScore{}, false, nil
	}
	ws, err := decodeWeekScore(v)
	return ws, err == nil, err
}

// HasWeek reports whether week w has any snapshot.
func (t *Tx) HasWeek(w metrics.Week) bool {
	prefix := u32(uint32(w))
	k, _ := t.b(bSnapByWeek).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// appendJSON files v under parent‖next sequence of an append-only bucket,
// first writing the sequence into *seq so it is part of the stored value.
func (t *Tx) appendJSON(bucket []byte, parent uint64, seq *uint64, v any) error {
	n, err := t.nextID(bucket)
	if err != nil {
		return err
	}
	*seq = n
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.b(bucket).Put(key(u64(parent), u64(n)), b)
}

// ---- activities ----

// AppendActivity logs one activity; a call, email, meeting or QBR moves the
// account's last touch (and a QBR its last QBR) in the same transaction.
func (t *Tx) AppendActivity(a *Activity) error {
	acct, err := t.Account(a.AccountID)
	if err != nil {
		return err
	}
	valid := false
	for _, k := range ActivityKinds {
		valid = valid || k == a.Kind
	}
	if !valid && a.Kind != "override" && a.Kind != "edit" && a.Kind != "forecast" && a.Kind != "task" && a.Kind != ActPlan && a.Kind != "playbook" {
		return fmt.Errorf("activity kind %s is not one of %v", Quote(a.Kind), ActivityKinds)
	}
	if a.At.IsZero() {
		a.At = time.Now().UTC()
	}
	t.touchAccount(a.AccountID)
	if err := t.appendJSON(bActivities, a.AccountID, &a.ID, a); err != nil {
		return err
	}
	// The day is the person's own day, as "today" is on the dashboard.
	day := metrics.DateOf(a.At.Local())
	changed := false
	if (a.Kind == ActCall || a.Kind == ActEmail || a.Kind == ActMeeting || a.Kind == ActQBR) && day > acct.LastTouch {
		acct.LastTouch, changed = day, true
	}
	if a.Kind == ActQBR && day > acct.LastQBR {
		acct.LastQBR, changed = day, true
	}
	if changed {
		acct.UpdatedAt = a.At
		return t.PutAccount(&acct)
	}
	return nil
}

// Activities returns one account's activities, newest first, at most limit
// (0: all).
func (t *Tx) Activities(accountID uint64, limit int) ([]Activity, error) {
	var out []Activity
	prefix := u64(accountID)
	c := t.b(bActivities).Cursor()
	k, v := c.Seek(u64(accountID + 1))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		var a Activity
		if err := json.Unmarshal(v, &a); err != nil {
			return nil, fmt.Errorf("activity of account %d: %w", accountID, errCorrupt)
		}
		out = append(out, a)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// ForEachActivity calls fn for every activity, grouped by account.
func (t *Tx) ForEachActivity(fn func(*Activity) error) error {
	return t.b(bActivities).ForEach(func(k, v []byte) error {
		var a Activity
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("activity: %w", errCorrupt)
		}
		return fn(&a)
	})
}

// ---- escalations ----

func statusKey(status string, id uint64) []byte {
	return key([]byte(status), []byte{0}, u64(id))
}

// PutEscalation inserts (ID 0) or replaces an escalation, keeping the status
// and account indexes in step. It does not write the timeline: callers
// append the event that explains the change (AppendEvent) in the same
// transaction.
func (t *Tx) PutEscalation(e *Escalation) error {
	if strings.TrimSpace(e.Title) == "" {
		return errors.New("escalation title is required")
	}
	if SeverityRank(e.Severity) >= len(Severities) {
		return fmt.Errorf("severity %s is not one of %v", Quote(e.Severity), Severities)
	}
	okStatus := false
	for _, s := range Statuses {
		okStatus = okStatus || s == e.Status
	}
	if !okStatus {
		return fmt.Errorf("status %s is not one of %v", Quote(e.Status), Statuses)
	}
	if t.b(bAccounts).Get(u64(e.AccountID)) == nil {
		return fmt.Errorf("escalation %s: account %d: %w", Quote(e.Title), e.AccountID, ErrNotFound)
	}
	escs := t.b(bEscalations)
	if e.ID == 0 {
		id, err := t.nextID(bEscalations)
		if err != nil {
			return err
		}
		e.ID = id
	} else if err := t.claimID(bEscalations, e.ID); err != nil {
		return err
	} else if old := escs.Get(u64(e.ID)); old != nil {
		var prev Escalation
		if err := json.Unmarshal(old, &prev); err != nil {
			return fmt.Errorf("escalation %d: %w", e.ID, errCorrupt)
		}
		if err := t.b(bEscByStatus).Delete(statusKey(prev.Status, e.ID)); err != nil {
			return err
		}
		if err := t.b(bEscByAcct).Delete(key(u64(prev.AccountID), u64(e.ID))); err != nil {
			return err
		}
	}
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	t.touchEscalation(e.ID)
	if err := t.b(bEscByStatus).Put(statusKey(e.Status, e.ID), nil); err != nil {
		return err
	}
	if err := t.b(bEscByAcct).Put(key(u64(e.AccountID), u64(e.ID)), nil); err != nil {
		return err
	}
	return escs.Put(u64(e.ID), v)
}

// Escalation returns one escalation.
func (t *Tx) Escalation(id uint64) (Escalation, error) {
	var e Escalation
	v := t.b(bEscalations).Get(u64(id))
	if v == nil {
		return e, fmt.Errorf("escalation %d: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("escalation %d: %w", id, errCorrupt)
	}
	return e, nil
}

// Escalations lists every escalation in ID order.
func (t *Tx) Escalations() ([]Escalation, error) {
	var out []Escalation
	err := t.b(bEscalations).ForEach(func(k, v []byte) error {
		var e Escalation
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("escalation %d: %w", binary.BigEndian.Uint64(k), errCorrupt)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// EscalationIDsByStatus lists the IDs with a status, through the index.
func (t *Tx) EscalationIDsByStatus(status string) []uint64 {
	return t.indexIDs(bEscByStatus, key([]byte(status), []byte{0}))
}

// EscalationIDsByAccount lists one account's escalation IDs, oldest first.
func (t *Tx) EscalationIDsByAccount(accountID uint64) []uint64 {
	return t.indexIDs(bEscByAcct, u64(accountID))
}

// AppendEvent adds one event to an escalation's append-only timeline.
func (t *Tx) AppendEvent(ev *Event) error {
	if t.b(bEscalations).Get(u64(ev.EscalationID)) == nil {
		return fmt.Errorf("escalation %d: %w", ev.EscalationID, ErrNotFound)
	}
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	t.touchEscalation(ev.EscalationID)
	return t.appendJSON(bTimeline, ev.EscalationID, &ev.Seq, ev)
}

// Timeline returns one escalation's events, oldest first.
func (t *Tx) Timeline(escID uint64) ([]Event, error) {
	var out []Event
	prefix := u64(escID)
	c := t.b(bTimeline).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var ev Event
		if err := json.Unmarshal(v, &ev); err != nil {
			return nil, fmt.Errorf("timeline of escalation %d: %w", escID, errCorrupt)
		}
		out = append(out, ev)
	}
	return out, nil
}

// Counts reports how many records each bucket holds, for `steward check`.
func (t *Tx) Counts() map[string]int {
	out := map[string]int{}
	for _, name := range [][]byte{bMembers, bAccounts, bLedger, bSnapshots, bActivities, bEscalations, bTimeline} {
		out[string(name)] = t.b(name).Stats().KeyN
	}
	return out
}
