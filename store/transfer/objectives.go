package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"steward/metrics"
	"steward/store"
)

// Success-plan objectives travel in accounts JSON only (README, "Import
// and export"): an export writes each account's objectives with their
// milestones under "objectives"; an import of a record with the key
// replaces the account's objectives with the ones it lists (an empty
// list or null clears them). IDs are the store's and stay out of the
// file: the import numbers what it brings after the plan's last ID. CSV
// has no room for a list of lists, so a CSV export leaves them out and a
// CSV import lists an objectives column as ignored.

// appendObjectives appends plan's objectives as a JSON array.
func appendObjectives(b []byte, objs []store.Objective) []byte {
	b = append(b, '[')
	for i := range objs {
		o := &objs[i]
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"text": `...)
		b = appendJSONString(b, o.Text)
		b = append(b, `, "target_date": `...)
		b = appendJSONDate(b, o.Target)
		b = append(b, `, "status": `...)
		b = appendJSONString(b, string(o.Status))
		b = append(b, `, "milestones": [`...)
		for j := range o.Milestones {
			m := &o.Milestones[j]
			if j > 0 {
				b = append(b, ", "...)
			}
			b = append(b, `{"text": `...)
			b = appendJSONString(b, m.Text)
			b = append(b, `, "due_date": `...)
			b = appendJSONDate(b, m.Due)
			b = append(b, `, "done": `...)
			if m.Done {
				b = append(b, "true"...)
			} else {
				b = append(b, "false"...)
			}
			b = append(b, `, "done_at": `...)
			if m.DoneAt.IsZero() {
				b = append(b, "null"...)
			} else {
				b = appendJSONString(b, formatInstant(m.DoneAt))
			}
			b = append(b, `, "done_by": `...)
			b = appendJSONString(b, m.DoneBy)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	return append(b, ']')
}

func appendJSONDate(b []byte, d metrics.Date) []byte {
	if d.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.Time().AppendFormat(b, "2006-01-02")
	return append(b, '"')
}

// objectiveKeys and milestoneKeys are the keys an objective and a
// milestone may have; another key is a row error (a misspelt "due" must
// not quietly drop a due date).
var (
	objectiveKeys = []string{"text", "target_date", "status", "milestones"}
	milestoneKeys = []string{"text", "due_date", "done", "done_at", "done_by"}
)

// parseObjectives reads the objectives of one record: a JSON array of
// objects. The error says where (objective 2, milestone 1) and which key.
func parseObjectives(raw string, dates *dates) ([]store.Objective, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, errors.New("must be a JSON array of objectives: [{\"text\": ..., \"target_date\": ..., \"status\": ..., \"milestones\": [...]}]")
	}
	out := make([]store.Objective, 0, len(list))
	for i, v := range list {
		where := fmt.Sprintf("objective %d", i+1)
		fields, err := objectFields(v, where, objectiveKeys)
		if err != nil {
			return nil, err
		}
		o := store.Objective{Status: metrics.OnTrack}
		if o.Text, err = textKey(fields, "text", where, true); err != nil {
			return nil, err
		}
		if o.Target, err = dateKey(fields, "target_date", where, dates, false); err != nil {
			return nil, err
		}
		if s, err := textKey(fields, "status", where, false); err != nil {
			return nil, err
		} else if s != "" {
			if o.Status, err = parseObjectiveStatus(s); err != nil {
				return nil, fmt.Errorf("%s: \"status\" %s (value %q)", where, err, s)
			}
		}
		if ms, ok := fields["milestones"]; ok && !isNull(ms) {
			var mlist []json.RawMessage
			if err := json.Unmarshal(ms, &mlist); err != nil {
				return nil, fmt.Errorf("%s: \"milestones\" must be a JSON array of milestones", where)
			}
			for j, mv := range mlist {
				mwhere := fmt.Sprintf("%s, milestone %d", where, j+1)
				mf, err := objectFields(mv, mwhere, milestoneKeys)
				if err != nil {
					return nil, err
				}
				var m store.Milestone
				if m.Text, err = textKey(mf, "text", mwhere, true); err != nil {
					return nil, err
				}
				if m.Due, err = dateKey(mf, "due_date", mwhere, dates, true); err != nil {
					return nil, err
				}
				if d, ok := mf["done"]; ok && !isNull(d) {
					if err := json.Unmarshal(d, &m.Done); err != nil {
						return nil, fmt.Errorf("%s: \"done\" must be true or false (value %s)", mwhere, shorten(string(d), maxShownValue))
					}
				}
				if s, err := textKey(mf, "done_at", mwhere, false); err != nil {
					return nil, err
				} else if s != "" && m.Done {
					if m.DoneAt, err = dates.instant(s); err != nil {
						return nil, fmt.Errorf("%s: \"done_at\" %s (value %q)", mwhere, err, s)
					}
				}
				if s, err := textKey(mf, "done_by", mwhere, false); err != nil {
					return nil, err
				} else if m.Done {
					m.DoneBy = s
				}
				o.Milestones = append(o.Milestones, m)
			}
		}
		out = append(out, o)
	}
	// A NUL is never text (README, "Import and export"), here as in any
	// cell.
	for i, o := range out {
		if strings.IndexByte(o.Text, 0) >= 0 {
			return nil, fmt.Errorf("objective %d: \"text\" contains a NUL byte, which text never holds", i+1)
		}
		for j, m := range o.Milestones {
			if strings.IndexByte(m.Text, 0) >= 0 || strings.IndexByte(m.DoneBy, 0) >= 0 {
				return nil, fmt.Errorf("objective %d, milestone %d: contains a NUL byte, which text never holds", i+1, j+1)
			}
		}
	}
	// The store's own checks (limits, lengths, dates in range), with the
	// IDs a plan of these objectives would have.
	p := store.Plan{Objectives: out}
	for i := range p.Objectives {
		p.LastID++
		p.Objectives[i].ID = p.LastID
		for j := range p.Objectives[i].Milestones {
			p.LastID++
			p.Objectives[i].Milestones[j].ID = p.LastID
		}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ID = 0
		for j := range out[i].Milestones {
			out[i].Milestones[j].ID = 0
		}
	}
	return out, nil
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// objectFields splits one JSON object into its keys, refusing anything
// but an object and keys not in allowed.
func objectFields(v json.RawMessage, where string, allowed []string) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("%s must be a JSON object {\"%s\": ...}", where, strings.Join(allowed, "\": ..., \""))
	}
	var unknown []string
	for k := range fields {
		found := false
		for _, a := range allowed {
			found = found || k == a
		}
		if !found {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("%s: unknown key %q (the keys are %s)", where, unknown[0], strings.Join(allowed, ", "))
	}
	return fields, nil
}

// textKey reads a text value; required refuses a missing or empty one.
func textKey(fields map[string]json.RawMessage, k, where string, required bool) (string, error) {
	v, ok := fields[k]
	if !ok || isNull(v) {
		if required {
			return "", fmt.Errorf("%s: %q is required", where, k)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("%s: %q must be text (value %s)", where, k, shorten(string(v), maxShownValue))
	}
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", fmt.Errorf("%s: %q is empty", where, k)
	}
	return s, nil
}

func dateKey(fields map[string]json.RawMessage, k, where string, dates *dates, required bool) (metrics.Date, error) {
	s, err := textKey(fields, k, where, required)
	if err != nil || s == "" {
		return 0, err
	}
	d, err := dates.date(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q %s (value %q)", where, k, err, s)
	}
	return d, nil
}

func parseObjectiveStatus(s string) (metrics.ObjectiveStatus, error) {
	switch normalize(s) {
	case "ontrack", "green", "inprogress", "open", "active":
		return metrics.OnTrack, nil
	case "atrisk", "risk", "red", "offtrack", "behind":
		return metrics.ObjectiveAtRisk, nil
	case "achieved", "done", "complete", "completed", "met":
		return metrics.Achieved, nil
	case "dropped", "cancelled", "canceled", "abandoned":
		return metrics.Dropped, nil
	}
	return "", errors.New("is not an objective status: use on_track, at_risk, achieved or dropped")
}

// keepStamps gives each done milestone of objs that does not say when it
// was done the time and author of the stored milestone in its place
// (same objective and milestone position and text, done there too), so a
// file that restates a plan without those stamps changes nothing; one
// still without a time is done at the import.
func keepStamps(objs, stored []store.Objective) {
	for i := range objs {
		if i >= len(stored) || objs[i].Text != stored[i].Text {
			continue
		}
		for j := range objs[i].Milestones {
			m := &objs[i].Milestones[j]
			if !m.Done || !m.DoneAt.IsZero() || j >= len(stored[i].Milestones) {
				continue
			}
			if s := &stored[i].Milestones[j]; s.Done && s.Text == m.Text {
				m.DoneAt = s.DoneAt
				if m.DoneBy == "" {
					m.DoneBy = s.DoneBy
				}
			}
		}
	}
}

// stampDone dates the done milestones that still say no time: now, by
// author (what ReplacePlan would write), so the comparison with the
// stored plan sees what will be stored.
func stampDone(objs []store.Objective, author string, now time.Time) {
	for i := range objs {
		for j := range objs[i].Milestones {
			if m := &objs[i].Milestones[j]; m.Done && m.DoneAt.IsZero() {
				m.DoneAt = now.UTC()
				if m.DoneBy == "" {
					m.DoneBy = author
				}
			}
		}
	}
}
