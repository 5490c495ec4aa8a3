package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Members' SSH public keys (README, "Members' SSH keys"): the identity a
// team server will sign members in by. A key belongs to one member; it is
// stored under its SHA256 fingerprint, so signing in is one lookup.
// Adding and removing keys is a roster change: managers only (allow),
// logged in the roster log, and a change the feed reports as the roster's.

var bMemberKeys = []byte("member_keys")

// MemberKey is one public key of a member.
type MemberKey struct {
	Fingerprint string    `json:"fingerprint"` // SHA256:..., as ssh-keygen -l prints it
	MemberID    uint64    `json:"member_id"`
	Key         string    `json:"key"` // the authorized_keys line: type, base64, comment
	AddedAt     time.Time `json:"added_at"`
	AddedBy     string    `json:"added_by"`
}

// ParseMemberKey reads one public key in authorized_keys form ("ssh-ed25519
// AAAA… comment"), options not allowed, and returns it normalized with its
// fingerprint.
func ParseMemberKey(line string) (key, fingerprint string, err error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", "", errors.New("the key is empty: paste the line of the .pub file (ssh-ed25519 AAAA… comment)")
	}
	pub, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return "", "", fmt.Errorf("%s is not an SSH public key: paste the line of the .pub file (ssh-ed25519 AAAA… comment)", Quote(line))
	}
	if len(options) > 0 || len(strings.TrimSpace(string(rest))) > 0 {
		return "", "", errors.New("one key without options, please: the line of the .pub file")
	}
	key = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	if comment = strings.TrimSpace(comment); comment != "" {
		key += " " + comment
	}
	return key, ssh.FingerprintSHA256(pub), nil
}

// AddMemberKey gives member a public key, refused when the key is not one,
// belongs to someone already, or the member is inactive.
func (t *Tx) AddMemberKey(memberID uint64, line string, by Actor, now time.Time) (MemberKey, error) {
	if err := t.allow(by, DoRoster, 0, 0); err != nil {
		return MemberKey{}, err
	}
	m, err := t.Member(memberID)
	if err != nil {
		return MemberKey{}, err
	}
	if !m.Active {
		return MemberKey{}, fmt.Errorf("%s is no longer active: only active members sign in", m.Name)
	}
	key, fp, err := ParseMemberKey(line)
	if err != nil {
		return MemberKey{}, err
	}
	if have, err := t.MemberKey(fp); err == nil {
		owner, _ := t.ownerName(have.MemberID)
		return MemberKey{}, fmt.Errorf("key %s already belongs to %s", fp, owner)
	} else if !errors.Is(err, ErrNotFound) {
		return MemberKey{}, err
	}
	k := MemberKey{Fingerprint: fp, MemberID: memberID, Key: key, AddedAt: now.UTC(), AddedBy: by.Name}
	b, err := json.Marshal(&k)
	if err != nil {
		return k, err
	}
	kb, err := t.tx.CreateBucketIfNotExists(bMemberKeys)
	if err != nil {
		return k, err
	}
	if err := kb.Put([]byte(fp), b); err != nil {
		return k, err
	}
	return k, t.logRoster(memberID, "added SSH key "+fp+keyComment(key), by, now)
}

// RemoveMemberKey takes a key (by fingerprint) away from member.
func (t *Tx) RemoveMemberKey(memberID uint64, fingerprint string, by Actor, now time.Time) error {
	if err := t.allow(by, DoRoster, 0, 0); err != nil {
		return err
	}
	k, err := t.MemberKey(strings.TrimSpace(fingerprint))
	if err != nil || k.MemberID != memberID {
		m, merr := t.Member(memberID)
		if merr != nil {
			return merr
		}
		return fmt.Errorf("%s has no key %s: `steward members keys list` shows theirs", m.Name, Quote(fingerprint))
	}
	if err := t.b(bMemberKeys).Delete([]byte(k.Fingerprint)); err != nil {
		return err
	}
	return t.logRoster(memberID, "removed SSH key "+k.Fingerprint+keyComment(k.Key), by, now)
}

// MemberKey finds a key by its fingerprint.
func (t *Tx) MemberKey(fingerprint string) (MemberKey, error) {
	var k MemberKey
	kb := t.tx.Bucket(bMemberKeys)
	var v []byte
	if kb != nil {
		v = kb.Get([]byte(fingerprint))
	}
	if v == nil {
		return k, fmt.Errorf("key %s: %w", fingerprint, ErrNotFound)
	}
	if err := json.Unmarshal(v, &k); err != nil {
		return k, fmt.Errorf("key %s: %w", fingerprint, errCorrupt)
	}
	return k, nil
}

// MemberKeys lists the keys of member (0: everyone's), by member, then by
// when they were added.
func (t *Tx) MemberKeys(memberID uint64) ([]MemberKey, error) {
	var out []MemberKey
	kb := t.tx.Bucket(bMemberKeys)
	if kb == nil {
		return nil, nil
	}
	err := kb.ForEach(func(fp, v []byte) error {
		var k MemberKey
		if err := json.Unmarshal(v, &k); err != nil {
			return fmt.Errorf("key %s: %w", fp, errCorrupt)
		}
		if memberID == 0 || k.MemberID == memberID {
			out = append(out, k)
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].MemberID != out[j].MemberID {
			return out[i].MemberID < out[j].MemberID
		}
		return out[i].AddedAt.Before(out[j].AddedAt)
	})
	return out, err
}

// keyComment is " (comment)" of an authorized_keys line, or "".
func keyComment(key string) string {
	if f := strings.Fields(key); len(f) > 2 {
		return " (" + strings.Join(f[2:], " ") + ")"
	}
	return ""
}
