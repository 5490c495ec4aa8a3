package transfer

import (
	"path/filepath"
	"strings"
	"testing"

	"steward/store"
	"steward/store/storetest"
)

func keysOf(t *testing.T, db string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := store.View(db, testOpt, func(tx *store.Tx) error {
		ms, err := tx.Members()
		if err != nil {
			return err
		}
		names := map[uint64]string{}
		for _, m := range ms {
			names[m.ID] = m.Name
		}
		keys, err := tx.MemberKeys(0)
		for _, k := range keys {
			out[k.Fingerprint] = names[k.MemberID]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A members file's SSH Keys column (one public key a line) gives members
// keys: new ones are added, ones they have change nothing, a key of
// someone else or of another row, or a line that is no key, is a row
// error and nothing is written; the export carries the keys, and
// importing it into an empty database gives the same keys.
func TestMembersImportSSHKeys(t *testing.T) {
	db := fixtureDB(t)
	a1, fa1 := storetest.NewPublicKey(t, "omar@laptop")
	a2, fa2 := storetest.NewPublicKey(t, "omar@desk")
	b1, fb1 := storetest.NewPublicKey(t, "nia@laptop")
	csv := func(rows ...string) string {
		return writeFile(t, "members.csv", "Name,Email,Role,SSH Keys\n"+strings.Join(rows, "\n")+"\n")
	}
	file := csv(`Omar Haddad,omar@example.com,account_manager,"`+a1+"\n"+a2+`"`, `Nia New,nia@example.com,coordinator,`+b1)
	res := mustImport(t, db, file, ImportOptions{Kind: Members})
	if res.Created != 1 || res.Updated != 1 {
		t.Fatalf("created %d, updated %d; want 1 and 1", res.Created, res.Updated)
	}
	want := map[string]string{fa1: "Omar Haddad", fa2: "Omar Haddad", fb1: "Nia New"}
	if got := keysOf(t, db); len(got) != 3 || got[fa1] != want[fa1] || got[fa2] != want[fa2] || got[fb1] != want[fb1] {
		t.Fatalf("keys %v, want %v", got, want)
	}
	if res := mustImport(t, db, file, ImportOptions{Kind: Members}); res.Unchanged != 2 {
		t.Fatalf("a second import changed %d/%d", res.Created, res.Updated)
	}

	other, _ := storetest.NewPublicKey(t, "")
	for _, c := range []struct {
		rows []string
		want string
	}{
		{[]string{`Maya Chen,maya@example.com,manager,` + a1}, "already belongs to Omar Haddad"},
		{[]string{`Maya Chen,maya@example.com,manager,` + other, `Lena Vogel,lena@example.com,senior_am,` + other}, "another row of this file"},
		{[]string{`Maya Chen,maya@example.com,manager,ssh-ed25519 AAAAbroken`}, "not an SSH public key"},
	} {
		before := keysOf(t, db)
		res, err := Import(db, testOpt, csv(c.rows...), opts(ImportOptions{Kind: Members}))
		if err == nil && len(res.Errors) == 0 {
			t.Fatalf("%v: accepted", c.rows)
		}
		var msgs []string
		for _, e := range res.Errors {
			msgs = append(msgs, e.Error())
		}
		if all := strings.Join(msgs, "; ") + errText(err); !strings.Contains(all, c.want) {
			t.Errorf("%v: %q does not say %q", c.rows, all, c.want)
		}
		if after := keysOf(t, db); len(after) != len(before) {
			t.Errorf("%v: a refused import wrote keys", c.rows)
		}
	}

	// Round trip: the export carries them, one a line.
	exported := export(t, db, Members, "csv")
	if !strings.Contains(exported, a1+"\n"+a2) && !strings.Contains(exported, a2+"\n"+a1) { // added together: by fingerprint
		t.Fatalf("the export does not carry Omar's keys:\n%s", exported)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	mustImport(t, empty, writeFile(t, "back.csv", exported), ImportOptions{Kind: Members})
	if got := keysOf(t, empty); len(got) != 3 || got[fa2] != "Omar Haddad" || got[fb1] != "Nia New" {
		t.Fatalf("round trip keys %v", got)
	}
	if again := export(t, empty, Members, "csv"); again != exported {
		t.Fatalf("export, import, export differs:\n%s\nwas\n%s", again, exported)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "; " + err.Error()
}
