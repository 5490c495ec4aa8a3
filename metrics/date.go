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
	return civilDate(y, int(m), d)
}

// NewDate builds a Date; it normalises out-of-range months and days the
// way time.Date does, so callers that need validation use ParseDate.
func NewDate(y int, m time.Month, d int) Date { return civilDate(y, int(m), d) }

// civilDate is the Date of year y, month m, day d of the proleptic
// Gregorian calendar, normalising as time.Date does (month 13 is the next
// January, day 31 of a 30-day month the next month's 1st), computed
// without time.Time: the reports step through months for every account
// (due dates, quarters, trailing years), and a time.Time round trip per
// step was a tenth of a report's scoring (README, "Performance"). The
// arithmetic is H. Hinnant's days_from_civil.
func civilDate(y, m, d int) Date {
	m--
	y += floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12 + 1
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	unixDays := era*146097 + doe - 719468
	return Date(unixDays + 719162 + 1) // 0001-01-01 is day 1
}

// civil is d's year, month and day (H. Hinnant's civil_from_days).
func (d Date) civil() (y, m, day int) {
	z := int(d) - 1 - 719162 + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, day
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
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

// AddMonths moves d by n calendar months (time.AddDate semantics: the
// 31st plus a month of 30 days is the 1st after it).
func (d Date) AddMonths(n int) Date {
	y, m, day := d.civil()
	return civilDate(y, m+n, day)
}

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
