package transfer

import (
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

	accounts  []store.Account // nil in a lean state (see lean)
	ids       []uint64        // a lean state's account IDs, by index
	tx        *store.Tx       // where a lean state reads an account
	accByExt  map[string]int  // index into accounts (ids)
	accByName map[string]int  // exact name; -1 when several accounts share it
	accByFold map[string]int  // lower-case name; -1 when ambiguous; not for an accounts import

	escByID  map[uint64]*store.Escalation
	escByKey map[string][]uint64 // escKey with and without created-at

	actKeys map[[32]byte]struct{}

	lastLedger map[uint64]metrics.Date // account -> date of its latest ARR entry; nil unless loaded
}

func emptyState() *state {
	return &state{
		settings:      store.DefaultSettings(),
		byEmail:       map[string]*store.Member{},
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

// loadState reads, in tx, what an import of kind k needs ("" reads all).
func loadState(tx *store.Tx, k Kind) (*state, error) {
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

// account returns stored account i (an index from the lookup maps).
func (st *state) account(i int) (store.Account, error) {
	if st.accounts != nil {
		return st.accounts[i], nil
	}
	return st.tx.Account(st.ids[i])
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
