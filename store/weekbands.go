package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"steward/metrics"
)

// bSnapBands keeps, for each snapshot week, how many of its snapshots are
// in each band: the Trends view reads thirteen weeks' band mix, which
// counted from the by-week index is 1.3 million entries at 100,000
// accounts (README, "Performance"). Every write transaction that puts or
// deletes a snapshot moves its week's count by the bands it replaced and
// wrote, and stores it before it commits, so a count is the index's as of
// its last write through this build; a week written before steward kept
// counts is counted from its index when first written again, and until
// then a reader counts that week's index instead.
var bSnapBands = []byte("snapshot_bands")

// weekChange is what a write transaction did to one week's snapshots:
// the band count it started from and the change since, or, for a week
// whose count is missing or to be checked, a recount at the commit.
type weekChange struct {
	base, delta [4]int
	recount     bool
}

// weekChange is the transaction's change to week w, begun on first use.
func (t *Tx) weekChange(w metrics.Week) *weekChange {
	if c, ok := t.weeks[w]; ok {
		return c
	}
	if t.weeks == nil {
		t.weeks = map[metrics.Week]*weekChange{}
	}
	c := &weekChange{}
	var stored []byte
	if b := t.tx.Bucket(bSnapBands); b != nil {
		stored = b.Get(u32(uint32(w)))
	}
	switch {
	case stored != nil:
		n, err := decodeWeekBands(stored)
		c.base, c.recount = n, err != nil
	case t.HasWeek(w):
		c.recount = true // written before steward kept counts
	}
	t.weeks[w] = c
	return c
}

// countChange counts a snapshot of week w going from band old (nil: none)
// to band new (nil: deleted), by their by-week index values.
func (t *Tx) countChange(w metrics.Week, old, new []byte) {
	c := t.weekChange(w)
	if c.recount {
		return
	}
	if len(old) == 2 {
		c.delta[bandSlot(old)]--
	}
	if len(new) == 2 {
		c.delta[bandSlot(new)]++
	}
}

// flushWeekBands stores the band count of every week the transaction
// changed (or removes it, for a week left with no snapshot). Update runs
// it before the commit.
func (t *Tx) flushWeekBands() error {
	if len(t.weeks) == 0 {
		return nil
	}
	weeks := make([]metrics.Week, 0, len(t.weeks))
	for w := range t.weeks {
		weeks = append(weeks, w)
	}
	slices.Sort(weeks)
	changes := t.weeks
	t.weeks = nil
	b, err := t.tx.CreateBucketIfNotExists(bSnapBands)
	if err != nil {
		return err
	}
	for _, w := range weeks {
		c := changes[w]
		var n [4]int
		total := 0
		if c.recount {
			if n, total, err = t.countWeekBands(w); err != nil {
				return err
			}
		} else {
			for i := range n {
				n[i] = c.base[i] + c.delta[i]
				total += n[i]
			}
		}
		k := u32(uint32(w))
		if total == 0 {
			if err := b.Delete(k); err != nil {
				return err
			}
			continue
		}
		if err := b.Put(k, encodeWeekBands(n)); err != nil {
			return err
		}
	}
	return nil
}

// RecountWeekBands counts again, before the commit, the band mix of the
// newest n snapshot weeks: the weekly snapshot calls it, so weeks written
// before steward kept counts get theirs, and a count a build from before
// them left behind (it retook a week without counting it) is put right
// within a week.
func (t *Tx) RecountWeekBands(n int) {
	weeks := t.SnapshotWeeks()
	for i := len(weeks) - 1; i >= 0 && i >= len(weeks)-n; i-- {
		t.weekChange(weeks[i]).recount = true
	}
}

func encodeWeekBands(n [4]int) []byte {
	v := make([]byte, 16)
	for i, c := range n {
		binary.BigEndian.PutUint32(v[4*i:], uint32(c))
	}
	return v
}

func decodeWeekBands(v []byte) ([4]int, error) {
	var n [4]int
	if len(v) != 16 {
		return n, errCorrupt
	}
	for i := range n {
		n[i] = int(binary.BigEndian.Uint32(v[4*i:]))
	}
	return n, nil
}

// bandSlot is a by-week index value's band as an index into metrics.Bands.
func bandSlot(v []byte) int {
	switch v[1] {
	case 'g':
		return 0
	case 'y':
		return 1
	case 'r':
		return 2
	}
	return 3
}

// countWeekBands counts week w's snapshots by band (metrics.Bands order)
// from the by-week index, and all of them.
func (t *Tx) countWeekBands(w metrics.Week) ([4]int, int, error) {
	var n [4]int
	total := 0
	prefix := u32(uint32(w))
	c := t.b(bSnapByWeek).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != 12 || len(v) != 2 {
			return n, 0, fmt.Errorf("snapshot index of week %s: %w", w, errCorrupt)
		}
		t.hold(v)
		n[bandSlot(v)]++
		total++
	}
	return n, total, nil
}

// WeekBands counts the snapshots of week w by band (metrics.Bands order:
// green, yellow, red, unknown): the week's stored count, or, for a week
// that has none, its by-week index counted.
func (t *Tx) WeekBands(w metrics.Week) ([4]int, error) {
	if b := t.tx.Bucket(bSnapBands); b != nil {
		if v := b.Get(u32(uint32(w))); v != nil {
			n, err := decodeWeekBands(v)
			if err != nil {
				return n, fmt.Errorf("band counts of week %s: %w", w, err)
			}
			return n, nil
		}
	}
	n, _, err := t.countWeekBands(w)
	return n, err
}
