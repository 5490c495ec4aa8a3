package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"steward/metrics"
)

// SavedView is a named combination of the accounts view's filters and
// sort, saved in the database and shared by everyone using it.
type SavedView struct {
	Name        string          `json:"name"`
	Query       string          `json:"query,omitempty"`
	Band        metrics.Band    `json:"band,omitempty"`
	OwnerID     uint64          `json:"owner_id,omitempty"`
	Unassigned  bool            `json:"unassigned,omitempty"` // the Unassigned pool's book
	Segment     metrics.Segment `json:"segment,omitempty"`
	RenewalDays int             `json:"renewal_days,omitempty"` // renewing within; 0: any
	Sort        string          `json:"sort"`                   // the column's title, lower case
	Desc        bool            `json:"desc,omitempty"`
	At          time.Time       `json:"at"`
	Author      string          `json:"author"`
	Session     string          `json:"session,omitempty"`
}

var bSavedViews = []byte("saved_views")

// maxViewName bounds a saved view's name.
const maxViewName = 60

func viewKey(name string) []byte { return []byte(strings.ToLower(strings.TrimSpace(name))) }

// SaveView saves v under its name (a name in any case is one view: saving
// it again replaces it). Any active member may.
func (t *Tx) SaveView(v SavedView, by Actor, now time.Time) error {
	if err := t.allow(by, DoSavedView, 0, 0); err != nil {
		return err
	}
	v.Name = strings.TrimSpace(v.Name)
	switch {
	case v.Name == "":
		return errors.New("the view needs a name")
	case utf8.RuneCountInString(v.Name) > maxViewName:
		return fmt.Errorf("the name is %d characters: keep it under %d", utf8.RuneCountInString(v.Name), maxViewName)
	case v.RenewalDays < 0 || v.RenewalDays > 3650:
		return fmt.Errorf("a renewal window of %d days: choose 0 to 3650", v.RenewalDays)
	}
	b, err := t.tx.CreateBucketIfNotExists(bSavedViews)
	if err != nil {
		return err
	}
	v.At, v.Author, v.Session = now.UTC(), by.Name, by.Session
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(viewKey(v.Name), raw)
}

// DeleteView deletes the view named name.
func (t *Tx) DeleteView(name string, by Actor) error {
	if err := t.allow(by, DoSavedView, 0, 0); err != nil {
		return err
	}
	b := t.tx.Bucket(bSavedViews)
	if b == nil || b.Get(viewKey(name)) == nil {
		return fmt.Errorf("no saved view is named %s", Quote(name))
	}
	return b.Delete(viewKey(name))
}

// SavedViews is every saved view, by name.
func (t *Tx) SavedViews() ([]SavedView, error) {
	b := t.tx.Bucket(bSavedViews)
	if b == nil {
		return nil, nil
	}
	var out []SavedView
	err := b.ForEach(func(k, raw []byte) error {
		var v SavedView
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("saved view %q: %w", k, errCorrupt)
		}
		out = append(out, v)
		return nil
	})
	slices.SortFunc(out, func(a, b SavedView) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, err
}
