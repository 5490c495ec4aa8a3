package store

import (
	"fmt"
	"strings"
	"testing"
)

// PutAccounts must leave exactly the indexes a loop of PutAccount would.
func TestPutAccountsMatchesPutAccount(t *testing.T) {
	db := newDB(t)
	var first []*Account
	for i := 0; i < 50; i++ {
		first = append(first, &Account{Name: fmt.Sprintf("A%02d", i), ExternalID: fmt.Sprintf("X%02d", 49-i), OwnerID: uint64(i % 3)})
	}
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutAccounts(first) })
	for i, a := range first {
		if a.ID != uint64(i+1) {
			t.Fatalf("new accounts get IDs in slice order: #%d got %d", i, a.ID)
		}
	}
	// Move owners and swap two external IDs in one batch.
	first[0].OwnerID, first[1].OwnerID = 7, 7
	first[2].ExternalID, first[3].ExternalID = first[3].ExternalID, first[2].ExternalID
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutAccounts(first[:4]) })
	mustView(t, db, func(tx *Tx) error {
		if got := tx.AccountIDsByOwner(7); fmt.Sprint(got) != "[1 2]" {
			t.Errorf("owner 7 has %v, want [1 2]", got)
		}
		for _, a := range first {
			got, err := tx.AccountByExternalID(a.ExternalID)
			if err != nil || got.ID != a.ID {
				t.Errorf("external ID %s -> %v %v, want account %d", a.ExternalID, got.ID, err, a.ID)
			}
		}
		n := 0
		for o := uint64(0); o < 8; o++ {
			n += len(tx.AccountIDsByOwner(o))
		}
		if n != 50 {
			t.Errorf("owner index holds %d entries, want 50", n)
		}
		return nil
	})
}

func TestPutAccountsRefusesDuplicates(t *testing.T) {
	db := newDB(t)
	mustUpdate(t, db, func(tx *Tx) error { return tx.PutAccount(&Account{Name: "Taken", ExternalID: "T1"}) })
	for _, tc := range []struct {
		batch []*Account
		want  string
	}{
		{[]*Account{{Name: "a", ExternalID: "D"}, {Name: "b", ExternalID: "D"}}, "given to two accounts"},
		{[]*Account{{Name: "c", ExternalID: "T1"}}, "already belongs"},
		{[]*Account{{Name: "", ExternalID: "Z"}}, "name is required"},
		{[]*Account{{Name: "neg", ARRCents: -1}}, "negative"},
	} {
		err := db.Update(func(tx *Tx) error { return tx.PutAccounts(tc.batch) })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("batch %v: error %v, want %q", tc.batch[0].Name, err, tc.want)
		}
	}
	mustView(t, db, func(tx *Tx) error {
		if all, _ := tx.Accounts(); len(all) != 1 {
			t.Errorf("a refused batch wrote %d accounts", len(all)-1)
		}
		return nil
	})
}
