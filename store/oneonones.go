package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"steward/metrics"
)

// OneOnOne is one logged 1:1 with a member: when, the notes, the next one
// planned, and who logged it (an audit entry like the activity log).
type OneOnOne struct {
	MemberID uint64       `json:"member_id"`
	Seq      uint64       `json:"seq"`
	Date     metrics.Date `json:"date"`
	Next     metrics.Date `json:"next,omitempty"`
	Notes    string       `json:"notes"`
	At       time.Time    `json:"at"`
	Author   string       `json:"author"`
	Session  string       `json:"session,omitempty"`
}

var bOneOnOnes = []byte("one_on_ones")

// maxNotes bounds a 1:1's notes.
const maxNotes = 4000

// LogOneOnOne records a 1:1 with the member on day, with notes and the
// next one planned (zero: none). A manager logs anyone's; a member their
// own. The member's last 1:1 moves to day when day is later, and their
// next to next; the roster log says so.
func (t *Tx) LogOneOnOne(memberID uint64, day, next metrics.Date, notes string, by Actor, now time.Time) (OneOnOne, error) {
	if err := t.allow(by, DoOneOnOne, memberID, 0); err != nil {
		return OneOnOne{}, err
	}
	m, err := t.Member(memberID)
	if err != nil {
		return OneOnOne{}, err
	}
	today := metrics.DateOf(now.Local())
	notes = strings.TrimSpace(notes)
	switch {
	case !m.Active:
		return OneOnOne{}, fmt.Errorf("%s is no longer an active member", Quote(m.Name))
	case day.IsZero():
		return OneOnOne{}, errors.New("the 1:1 needs a date")
	case day > today:
		return OneOnOne{}, fmt.Errorf("the 1:1 on %s is in the future: log it once it took place", day)
	case !next.IsZero() && next <= day:
		return OneOnOne{}, fmt.Errorf("the next 1:1 (%s) must come after this one (%s)", next, day)
	case len(notes) > maxNotes:
		return OneOnOne{}, fmt.Errorf("the notes are %d characters: keep them under %d", len(notes), maxNotes)
	}
	if _, err := t.tx.CreateBucketIfNotExists(bOneOnOnes); err != nil {
		return OneOnOne{}, err
	}
	o := OneOnOne{MemberID: memberID, Date: day, Next: next, Notes: notes, At: now.UTC(), Author: by.Name, Session: by.Session}
	if err := t.appendJSON(bOneOnOnes, memberID, &o.Seq, &o); err != nil {
		return OneOnOne{}, err
	}
	if day >= m.LastOneOnOne {
		m.LastOneOnOne, m.NextOneOnOne = day, next
		if err := t.PutMember(&m); err != nil {
			return OneOnOne{}, err
		}
	}
	text := "1:1 on " + day.String() + " logged"
	if !next.IsZero() {
		text += "; next " + next.String()
	}
	return o, t.logRoster(memberID, text, by, now)
}

// OneOnOnes is a member's logged 1:1s, the latest first.
func (t *Tx) OneOnOnes(memberID uint64) ([]OneOnOne, error) {
	if t.tx.Bucket(bOneOnOnes) == nil {
		return nil, nil
	}
	var out []OneOnOne
	for _, v := range t.prefixValues(bOneOnOnes, u64(memberID)) {
		var o OneOnOne
		if err := json.Unmarshal(v, &o); err != nil {
			return nil, fmt.Errorf("1:1 log: %w", errCorrupt)
		}
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b OneOnOne) int {
		if a.Date != b.Date {
			return int(b.Date - a.Date)
		}
		return int(b.Seq) - int(a.Seq)
	})
	return out, nil
}
