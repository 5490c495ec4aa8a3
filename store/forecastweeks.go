package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"steward/metrics"
)

// A forecast snapshot keeps, each week, how every renewal due in that
// week's quarter was called, so a closed quarter can be set against what
// renewed (README, "Money at risk, and what changed"). The calls cannot be
// rebuilt later: an owner's word changes, and a renewal date moves on a
// year once the term renews.
var bForecastWeeks = []byte("forecast_weeks")

// ForecastCall is one renewal in a week's forecast snapshot.
type ForecastCall struct {
	AccountID uint64
	metrics.ForecastCall
	Set bool // its owner (or a manager) set the call; otherwise the band did
}

const forecastCallFormat = 1

func encodeForecastCall(c *ForecastCall) []byte {
	e := enc{b: make([]byte, 0, 24)}
	e.u8(forecastCallFormat)
	e.u8(byte(categoryIndex(c.Category)))
	e.boolean(c.Set)
	e.date(c.Due)
	e.iv(c.ARRCents)
	e.iv(c.ExpectedARRCents)
	return e.b
}

func decodeForecastCall(b []byte, c *ForecastCall) error {
	d := dec{b: b}
	if d.u8() != forecastCallFormat {
		return errCorrupt
	}
	i := int(d.u8())
	if i >= len(metrics.ForecastCategories) {
		return errCorrupt
	}
	c.Category = metrics.ForecastCategories[i]
	c.Set = d.boolean()
	c.Due = d.date()
	c.ARRCents = d.iv()
	c.ExpectedARRCents = d.iv()
	if d.err == nil && len(d.b) != 0 {
		return errCorrupt
	}
	return d.err
}

func categoryIndex(c metrics.ForecastCategory) int {
	for i, v := range metrics.ForecastCategories {
		if v == c {
			return i
		}
	}
	return 0xff
}

// PutForecastWeek replaces week w's forecast snapshot with calls.
func (t *Tx) PutForecastWeek(w metrics.Week, calls []ForecastCall) error {
	if w == 0 {
		return fmt.Errorf("a forecast snapshot needs a week")
	}
	b, err := t.tx.CreateBucketIfNotExists(bForecastWeeks)
	if err != nil {
		return err
	}
	b.FillPercent = 0.9 // written in key order, week after week
	prefix := u32(uint32(w))
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	for i := range calls {
		if err := t.PutForecastCall(w, &calls[i]); err != nil {
			return err
		}
	}
	return nil
}

// PutForecastCall adds (or replaces) one renewal of week w's forecast
// snapshot: the demo writes its history account by account.
func (t *Tx) PutForecastCall(w metrics.Week, c *ForecastCall) error {
	if w == 0 || c.AccountID == 0 || categoryIndex(c.Category) == 0xff {
		return fmt.Errorf("forecast call of account %d in week %s: needs a week, an account and a category", c.AccountID, w)
	}
	b, err := t.tx.CreateBucketIfNotExists(bForecastWeeks)
	if err != nil {
		return err
	}
	b.FillPercent = 0.9
	return b.Put(key(u32(uint32(w)), u64(c.AccountID)), encodeForecastCall(c))
}

// ForecastWeek is week w's forecast snapshot, by account ID.
func (t *Tx) ForecastWeek(w metrics.Week) ([]ForecastCall, error) {
	b := t.tx.Bucket(bForecastWeeks)
	if b == nil {
		return nil, nil
	}
	var out []ForecastCall
	prefix := u32(uint32(w))
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != 12 {
			return nil, fmt.Errorf("forecast snapshot key: %w", errCorrupt)
		}
		cl := ForecastCall{AccountID: binary.BigEndian.Uint64(k[4:])}
		if err := decodeForecastCall(v, &cl); err != nil {
			return nil, fmt.Errorf("forecast snapshot %s of account %d: %w", w, cl.AccountID, err)
		}
		out = append(out, cl)
	}
	return out, nil
}

// ForecastWeeks lists the weeks that have a forecast snapshot, oldest
// first (an empty quarter's week has none: nothing was due).
func (t *Tx) ForecastWeeks() []metrics.Week {
	b := t.tx.Bucket(bForecastWeeks)
	if b == nil {
		return nil
	}
	var out []metrics.Week
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(k) >= 4; {
		w := binary.BigEndian.Uint32(k[:4])
		out = append(out, metrics.Week(w))
		k, _ = c.Seek(u32(w + 1))
	}
	return out
}

// HasForecastWeek reports whether week w has a forecast snapshot.
func (t *Tx) HasForecastWeek(w metrics.Week) bool {
	b := t.tx.Bucket(bForecastWeeks)
	if b == nil {
		return false
	}
	prefix := u32(uint32(w))
	k, _ := b.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}
