package tui

import (
	"testing"

	"steward/store"
	"steward/store/storetest"
)

// The team view's member form shows a member's SSH keys, one a line:
// a manager adds one by pasting its line, takes one away by deleting it,
// and a line that is no key is an inline error that saves nothing.
func TestMemberFormEditsSSHKeys(t *testing.T) {
	m, path := triage(t)
	line, fp := storetest.NewPublicKey(t, "dana@laptop")
	keysOf := func(id uint64) []store.MemberKey {
		var keys []store.MemberKey
		reread(t, path, func(tx *store.Tx) (err error) { keys, err = tx.MemberKeys(id); return err })
		return keys
	}
	toKeys := func() {
		f := openForm(t, m)
		for f.fields[f.focus].label != "SSH keys" {
			press(m, "tab")
		}
	}
	press(m, "2", "g")
	id, _ := m.team.selectedKey()

	press(m, "e")
	toKeys()
	typeText(m, "ssh-ed25519 nonsense")
	press(m, "enter")
	mustContain(t, screen(m), "not an SSH public key")
	if len(keysOf(id)) != 0 {
		t.Fatal("a bad key was saved")
	}
	for i := 0; i < 40; i++ {
		press(m, "backspace")
	}
	typeText(m, line)
	press(m, "enter")
	noModal(t, m)
	if keys := keysOf(id); len(keys) != 1 || keys[0].Fingerprint != fp || keys[0].Key != line {
		t.Fatalf("keys after adding: %+v", keys)
	}

	// The reload shows it in the form; deleting the line removes it.
	press(m, "e")
	toKeys()
	mustContain(t, screen(m), "dana@laptop")
	for i := 0; i < len(line)+5; i++ {
		press(m, "backspace")
	}
	press(m, "enter")
	noModal(t, m)
	if keys := keysOf(id); len(keys) != 0 {
		t.Fatalf("keys after deleting the line: %+v", keys)
	}
}
