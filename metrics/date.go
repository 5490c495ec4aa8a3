// Package metrics holds steward's pure arithmetic: the health score of one
// account, its band, trend and risk flags, and the portfolio KPIs computed
// from the ARR ledger. Nothing here does I/O or knows about the store or the
// terminal; every formula is the one written in SPEC sections 3 and 4.
package metrics

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a civil date (no time of day, no zone) counted in days, so that
// "days since last touch" is a subtraction and a Date is four bytes on disk.
// The zero value means "no date", which is why day 1 is 0001-01-01.
type Date int32

// unixOfYear1 is the Unix time of 0001-01-01T00:00:00Z.
const unixOfYear1 = -62135596800

// DateOf returns the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	return Date((u-unixOfYear1)/86400 + 1)
}

// NewDate builds a Date; it normalises out-of-range days the way time.Date
// does, so callers that need validation use ParseDate.
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// ParseDate reads YYYY-MM-DD and refuses dates that do not exist
// (2026-02-30), because a silently normalised renewal date is wrong data.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return 0, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
		}
	}
	y, err1 := strconv.Atoi(s[0:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:10])
	if err1 != nil || err2 != nil || err3 != nil || y < 1 {
		return 0, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return 0, fmt.Errorf("%q is not a real calendar date", s)
	}
	return NewDate(y, time.Month(m), d), nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d == 0 }

// Time is midnight UTC of d.
func (d Date) Time() time.Time {
	return time.Unix((int64(d)-1)*86400+unixOfYear1, 0).UTC()
}

// String is YYYY-MM-DD, or "" for no date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.Time().Format("2006-01-02")
}

// AddDays moves d by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// AddMonths moves d by n calendar months (time.AddDate semantics).
func (d Date) AddMonths(n int) Date { return DateOf(d.Time().AddDate(0, n, 0)) }

// Sub is the number of days from e to d (d - e).
func (d Date) Sub(e Date) int { return int(d - e) }

// MarshalText writes the date as YYYY-MM-DD (empty for no date), so JSON
// output carries civil dates, not day counts.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD; an empty string is no date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = 0
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Week is an ISO 8601 week as year*100 + week (202647 is 2026-W47), so weeks
// sort as integers and make compact, ordered keys.
type Week int32

// WeekOf is the ISO week that contains d.
func WeekOf(d Date) Week {
	y, w := d.Time().ISOWeek()
	return Week(y*100 + w)
}

// String is 2026-W47.
func (w Week) String() string {
	if w == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-W%02d", int(w)/100, int(w)%100)
}

// Monday is the first day of the week.
func (w Week) Monday() Date {
	y, n := int(w)/100, int(w)%100
	// ISO week 1 holds January 4th.
	jan4 := NewDate(y, time.January, 4)
	wd := int(jan4.Time().Weekday()+6) % 7 // Monday = 0
	return jan4.AddDays(-wd + (n-1)*7)
}

// Prev is the week before w.
func (w Week) Prev() Week { return WeekOf(w.Monday().AddDays(-7)) }

// Opt is an optional small integer (NPS, CSAT, active users): the zero
// value is "no data", which the health formulas must leave out, never read
// as 0.
type Opt struct {
	V   int32
	Set bool
}

// Some is a present value.
func Some(v int) Opt { return Opt{V: int32(v), Set: true} }

// String is the number, or "" when absent.
func (o Opt) String() string {
	if !o.Set {
		return ""
	}
	return strconv.Itoa(int(o.V))
}
