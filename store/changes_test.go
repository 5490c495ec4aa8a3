package store

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// Every write transaction leaves one feed entry naming what it touched,
// in the same commit; a reader that fell behind the kept window is told.
func TestChangeFeedNamesWhatEachWriteTouched(t *testing.T) {
	f := actSetup(t)
	var seq0 uint64
	actView(t, f.path, func(tx *Tx) error { seq0 = tx.ChangeSeq(); return nil })
	if seq0 == 0 {
		t.Fatal("the fixture's writes left no feed entry")
	}
	e := actCreate(t, f, SevHigh, actNow)
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.LogActivity(f.beta.ID, ActCall, "called", f.byMia, actNow)
		return err
	})
	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSetting("bands.green", "75", f.byMia, actNow); return err })
	actUpdate(t, f.path, func(tx *Tx) error {
		_, err := tx.AddMember(Member{Name: "Nia New", Role: RoleAccountManager}, f.byMia, actNow)
		return err
	})
	// A refused write leaves nothing, a read leaves nothing.
	actRefused(t, f.path, "unknown decision", func(tx *Tx) error { _, err := tx.Decide(e.ID, "ceo", f.byMia, actNow); return err }, "ceo")
	actView(t, f.path, func(tx *Tx) error { _, err := tx.Accounts(); return err })

	var got []Change
	var complete bool
	actView(t, f.path, func(tx *Tx) (err error) { got, complete, err = tx.ChangesSince(seq0); return err })
	if !complete || len(got) != 4 {
		t.Fatalf("changes since %d: complete=%v, %+v", seq0, complete, got)
	}
	want := []Change{
		{Seq: seq0 + 1, Escalations: []uint64{e.ID}},
		{Seq: seq0 + 2, Accounts: []uint64{f.beta.ID}},
		{Seq: seq0 + 3, Settings: true},
		{Seq: seq0 + 4, Members: true},
	}
	for i := range want {
		got[i].At = time.Time{}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Up to date: nothing, complete.
	actView(t, f.path, func(tx *Tx) (err error) { got, complete, err = tx.ChangesSince(seq0 + 4); return err })
	if !complete || len(got) != 0 {
		t.Fatalf("up to date: %v %+v", complete, got)
	}
}

// A bulk write says "everything"; the window keeps the newest entries and
// a reader behind it must read everything again.
func TestChangeFeedWindowAndBulk(t *testing.T) {
	old := KeptChanges
	KeptChanges = 5
	defer func() { KeptChanges = old }()
	path := filepath.Join(t.TempDir(), "s.db")
	actUpdate(t, path, func(tx *Tx) error {
		for i := 0; i < maxListed+1; i++ {
			if err := tx.PutAccount(&Account{Name: fmt.Sprint("a", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	var got []Change
	var complete bool
	actView(t, path, func(tx *Tx) (err error) { got, complete, err = tx.ChangesSince(0); return err })
	if !complete || len(got) != 1 || !got[0].All || len(got[0].Accounts) != 0 {
		t.Fatalf("bulk write: %v %+v", complete, got)
	}
	for i := 0; i < 8; i++ {
		actUpdate(t, path, func(tx *Tx) error { return tx.PutAccount(&Account{Name: fmt.Sprint("b", i)}) })
	}
	actView(t, path, func(tx *Tx) (err error) { got, complete, err = tx.ChangesSince(0); return err })
	if complete {
		t.Fatalf("a reader at 0 is behind a window of 5 out of 9: %+v", got)
	}
	actView(t, path, func(tx *Tx) (err error) { got, complete, err = tx.ChangesSince(4); return err })
	if !complete || len(got) != 5 || got[0].Seq != 5 || got[4].Seq != 9 {
		t.Fatalf("since 4: %v %+v", complete, got)
	}
	rep, err := Check(path, Options{})
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check after trimming: %v %v", err, rep.Problems)
	}
}

// The feed's entry format, pinned: a change to the encoder that misreads
// entries written by an earlier build fails here. (The bytes were written
// once by the format-1 encoder; never regenerate them.)
func TestChangeEntryFormatIsFrozen(t *testing.T) {
	frozen, _ := hex.DecodeString("0180808df1d5bed0ea31030307fa04010229d207")
	want := Change{Seq: 9, At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Members: true, Settings: true,
		Accounts: []uint64{7, 641, 642}, Escalations: []uint64{41, 1019}}
	var got Change
	if err := decodeChange(u64(9), frozen, &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %+v, %v; want %+v", got, err, want)
	}
	if b := encodeChange(&want); !bytes.Equal(b, frozen) {
		t.Fatalf("the encoder writes %x, format 1 is %x: a new format needs a new version byte", b, frozen)
	}
	for n := 0; n < len(frozen); n++ {
		if err := decodeChange(u64(9), frozen[:n], &got); err == nil {
			t.Fatalf("a cut entry (%d bytes) decoded", n)
		}
	}
}
