package transfer

import (
	"errors"
	"fmt"
	"strings"

	"steward/metrics"
	"steward/store"
)

// state is what validation and writing look up in the database: members by
// name and email, accounts by external ID and name, and for escalations and
// activities what finds an existing record.
type state struct {
	settings store.Settings

	byEmail       map[string]*store.Member // lower-case email
	byName        map[string]*store.Member // lower-case name
	nameAmbiguous map[string]bool          // lower-case names several members share

	accounts  []store.Account // nil in a lean or lazy state (see lean, lazyState)
	ids       []uint64        // a lean or lazy state's account IDs, by index
	tx        *store.Tx       // where a lean or lazy state reads an account
	lazy      map[uint64]int  // a lazy state's index of each account found so far
	accByExt  map[string]int  // index into accounts (ids)
	accByName map[string]int  // exact name; -1 when several accounts share it
	accByFold map[string]int  // lower-case name; -1 when ambiguous; not for an accounts import

	escByID  map[uint64]*store.Escalation
	escByKey map[string][]uint64 // escKey with and without created-at

	actKeys map[[32]byte]struct{}

	keyOwner map[string]uint64 // SSH key fingerprint -> member (members imports)

	lastLedger map[uint64]metrics.Date // account -> date of its latest ARR entry; nil unless loaded

	plans map[uint64][]store.Objective // account -> its success-plan objectives; nil unless loaded
}

func emptyState() *state {
	return &state{
		settings:      store.DefaultSettings(),
		byEmail:       map[string]*store.Member{},
		keyOwner:      map[string]uint64{},
		byName:        map[string]*store.Member{},
		nameAmbiguous: map[string]bool{},
		accByExt:      map[string]int{},
		accByName:     map[string]int{},
		accByFold:     map[string]int{},
		escByID:       map[uint64]*store.Escalation{},
		escByKey:      map[string][]uint64{},
		actKeys:       map[[32]byte]struct{}{},
	}
}

// baseState reads the settings and the members.
func baseState(tx *store.Tx) (*state, error) {
	st := emptyState()
	var err error
	if st.settings, err = tx.Settings(); err != nil {
		return nil, err
	}
	members, err := tx.Members()
	if err != nil {
		return nil, err
	}
	for i := range members {
		st.addMember(&members[i])
	}
	keys, err := tx.MemberKeys(0)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		st.keyOwner[k.Fingerprint] = k.MemberID
	}
	return st, nil
}

// lazyState is the state of an accounts import of a few rows (at most
// lazyImportBytes of file): no account is read up front; a row finds its
// stored account through the store's external-ID and by-name indexes in
// tx, so a one-row import into 100,000 accounts reads a handful of
// records, not all of them. The state is only good while tx is open.
func lazyState(tx *store.Tx) (*state, error) {
	st, err := baseState(tx)
	if err != nil {
		return nil, err
	}
	st.tx, st.lazy = tx, map[uint64]int{}
	return st, nil
}

// lazyImportBytes is the largest accounts file imported with a lazy
// state: about 4,000 rows, each a few index lookups; a larger file reads
// every account once instead.
var lazyImportBytes int64 = 1 << 20 // a var: a test imports the same files both ways

// loadState reads, in tx, what an import of kind k needs ("" reads all).
func loadState(tx *store.Tx, k Kind) (*state, error) {
	st, err := baseState(tx)
	if err != nil {
		return nil, err
	}
	// The state holds every account on the heap: the walks leave little
	// of the map resident (the import's target is 200 MB at 100,000
	// accounts; README, "Performance").
	tx.LimitMapped(32 << 20)
	if st.accounts, err = tx.Accounts(); err != nil {
		return nil, err
	}
	for i := range st.accounts {
		a := &st.accounts[i]
		if a.ExternalID != "" {
			st.accByExt[a.ExternalID] = i
		}
		if _, dup := st.accByName[a.Name]; dup {
			st.accByName[a.Name] = -1
		} else {
			st.accByName[a.Name] = i
		}
		if k == Accounts {
			continue // only account references (escalations, activities) go by folded name
		}
		fold := strings.ToLower(a.Name)
		if _, dup := st.accByFold[fold]; dup {
			st.accByFold[fold] = -1
		} else {
			st.accByFold[fold] = i
		}
	}
	if k == Escalations || k == "" {
		escs, err := tx.Escalations()
		if err != nil {
			return nil, err
		}
		for i := range escs {
			e := &escs[i]
			st.escByID[e.ID] = e
			for _, key := range []string{escKey(e.AccountID, e.Title, e.CreatedAt, true), escKey(e.AccountID, e.Title, e.CreatedAt, false)} {
				st.escByKey[key] = append(st.escByKey[key], e.ID)
			}
		}
	}
	if k == Activities || k == "" {
		err := tx.ForEachActivity(func(a *store.Activity) error {
			st.actKeys[activityKey(a.AccountID, a.At, a.Kind, a.Text)] = struct{}{}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

// lean lets the stored accounts go, keeping their IDs: account then reads
// one from tx when a row matches it. The write pass of an accounts import
// holds only its lookup maps, not every account a second time beside the
// accounts it writes.
func (st *state) lean(tx *store.Tx) {
	st.ids = make([]uint64, len(st.accounts))
	for i := range st.accounts {
		st.ids[i] = st.accounts[i].ID
	}
	st.accounts, st.tx = nil, tx
}

// accountByExt finds the stored account with external ID ext: its index.
func (st *state) accountByExt(ext string) (int, bool, error) {
	if st.lazy == nil {
		i, ok := st.accByExt[ext]
		return i, ok, nil
	}
	a, err := st.tx.AccountByExternalID(ext)
	if errors.Is(err, store.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return st.found(a.ID), true, nil
}

// accountByName finds the stored account named exactly name: its index, or -1
// when several have that name.
func (st *state) accountByName(name string) (int, bool, error) {
	if st.lazy == nil {
		i, ok := st.accByName[name]
		return i, ok, nil
	}
	list, err := st.tx.AccountsNamed(name)
	if err != nil {
		return 0, false, err
	}
	idx, n := -1, 0
	for i := range list {
		if list[i].Name == name {
			idx, n = st.found(list[i].ID), n+1
		}
	}
	switch n {
	case 0:
		return 0, false, nil
	case 1:
		return idx, true, nil
	}
	return -1, true, nil
}

// found gives account id of a lazy state an index.
func (st *state) found(id uint64) int {
	if i, ok := st.lazy[id]; ok {
		return i
	}
	st.lazy[id] = len(st.ids)
	st.ids = append(st.ids, id)
	return len(st.ids) - 1
}

// account returns stored account i (an index from the lookup maps).
func (st *state) account(i int) (store.Account, error) {
	if st.accounts != nil {
		return st.accounts[i], nil
	}
	return st.tx.Account(st.ids[i])
}

// loadPlans reads the objectives of every account that has any (a JSON
// accounts file may restate them), beside the accounts in ID order.
func (st *state) loadPlans(tx *store.Tx) error {
	st.plans = map[uint64][]store.Objective{}
	r := tx.PlanReader()
	for i := range st.accounts {
		id := st.accounts[i].ID
		p, ok, err := r.Of(id)
		if err != nil {
			return err
		}
		if ok && len(p.Objectives) > 0 {
			st.plans[id] = p.Objectives
		}
	}
	return nil
}

// loadLedgerDates reads the date of every account's latest ARR entry.
func (st *state) loadLedgerDates(tx *store.Tx) error {
	st.lastLedger = map[uint64]metrics.Date{}
	return tx.ForEachLedger(func(l *store.LedgerEntry) error {
		st.lastLedger[l.AccountID] = l.Date // entries come in date order
		return nil
	})
}

func (st *state) addMember(m *store.Member) {
	if m.Email != "" {
		st.byEmail[strings.ToLower(m.Email)] = m
	}
	name := strings.ToLower(m.Name)
	if prev, ok := st.byName[name]; ok && prev.ID != m.ID {
		st.nameAmbiguous[name] = true
	}
	st.byName[name] = m
}

func (st *state) removeMember(m *store.Member) {
	if m.Email != "" && st.byEmail[strings.ToLower(m.Email)] == m {
		delete(st.byEmail, strings.ToLower(m.Email))
	}
	if name := strings.ToLower(m.Name); st.byName[name] == m && !st.nameAmbiguous[name] {
		delete(st.byName, name)
	}
}

// memberName names member id for a message ("another row of this file"
// for a key a row of the file being imported took).
func (st *state) memberName(id uint64) string {
	for _, m := range st.byName {
		if m.ID == id {
			return m.Name
		}
	}
	if id == ^uint64(0) {
		return "another row of this file"
	}
	return fmt.Sprintf("member %d", id)
}
