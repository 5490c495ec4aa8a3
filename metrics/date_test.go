package metrics

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// day parses a YYYY-MM-DD literal for tests; a typo in a test is a panic.
func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseDateAccepts(t *testing.T) {
	tests := []struct {
		in      string
		y       int
		m       time.Month
		d       int
		comment string
	}{
		{"2026-03-15", 2026, time.March, 15, "ordinary date"},
		{"2024-02-29", 2024, time.February, 29, "2024 is a leap year (divisible by 4)"},
		{"2000-02-29", 2000, time.February, 29, "2000 is a leap year (divisible by 400)"},
		{"2026-02-28", 2026, time.February, 28, "last day of February in a common year"},
		{"2026-04-30", 2026, time.April, 30, "April has 30 days"},
		{"2026-12-31", 2026, time.December, 31, "last day of the year"},
		{"2026-01-01", 2026, time.January, 1, "first day of the year"},
		{"0001-01-01", 1, time.January, 1, "day 1 of the calendar"},
		{"9999-12-31", 9999, time.December, 31, "largest four-digit year"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if err != nil {
				t.Fatalf("ParseDate(%q): unexpected error %v (%s)", tc.in, err, tc.comment)
			}
			if want := NewDate(tc.y, tc.m, tc.d); got != want {
				t.Fatalf("ParseDate(%q) = %v (%d), want %v (%d)", tc.in, got, got, want, want)
			}
			if got.IsZero() {
				t.Fatalf("ParseDate(%q) is the zero (no date) value", tc.in)
			}
		})
	}
}

func TestParseDateRejects(t *testing.T) {
	tests := []struct {
		in, why string
	}{
		{"2026-02-30", "February never has 30 days"},
		{"2026-02-29", "2026 is not a leap year"},
		{"2025-02-29", "2025 is not a leap year"},
		{"1900-02-29", "1900 is not a leap year (century not divisible by 400)"},
		{"2026-13-01", "there is no month 13"},
		{"2026-00-10", "there is no month 0"},
		{"2026-04-31", "April has 30 days"},
		{"2026-01-00", "there is no day 0"},
		{"2026-01-32", "January has 31 days"},
		{"0000-01-01", "year 0 is before day 1"},
		{"2026-1-5", "month and day must be two digits"},
		{"2026-01-5", "day must be two digits"},
		{"26-01-05", "year must be four digits"},
		{"2026/01/05", "wrong separator"},
		{"20260105", "no separators"},
		{"2026-01-05T00:00:00Z", "an instant, not a civil date"},
		{"2026-01-05 ", "trailing space"},
		{"abcd-01-01", "year is not a number"},
		{"2026-ab-01", "month is not a number"},
		{"", "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want an error (%s)", tc.in, got, tc.why)
			}
			if got != 0 {
				t.Errorf("ParseDate(%q) returned %d with its error, want 0", tc.in, got)
			}
			if !strings.Contains(err.Error(), tc.in) {
				t.Errorf("error %q does not quote the input %q", err, tc.in)
			}
		})
	}
}

// SPEC 2 and 8: dates are YYYY-MM-DD, and an impossible date is an error,
// never a silent guess. strconv.Atoi accepts a leading sign, so these must
// be refused explicitly.
func TestParseDateRejectsSigns(t *testing.T) {
	for _, in := range []string{"2026-01-+5", "2026-+1-05", "+202-01-05"} {
		t.Run(in, func(t *testing.T) {
			if got, err := ParseDate(in); err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error: not of the form YYYY-MM-DD", in, got)
			}
		})
	}
}

func TestDateStringRoundTrip(t *testing.T) {
	if s := Date(0).String(); s != "" {
		t.Errorf("zero Date String = %q, want empty", s)
	}
	if !Date(0).IsZero() {
		t.Error("Date(0).IsZero() = false")
	}
	if s := Date(1).String(); s != "0001-01-01" {
		t.Errorf("Date(1) = %q, want 0001-01-01 (day 1 of the count)", s)
	}
	for _, s := range []string{"0001-01-01", "1970-01-01", "1999-12-31", "2000-02-29", "2024-02-29", "2026-03-15", "9999-12-31"} {
		t.Run(s, func(t *testing.T) {
			if got := day(s).String(); got != s {
				t.Errorf("ParseDate(%q).String() = %q", s, got)
			}
		})
	}
	// Every day of 1999-12-01 .. ~2005 (covers leap days and year ends).
	start := day("1999-12-01")
	for i := 0; i < 2200; i++ {
		d := start.AddDays(i)
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("round trip of day %d (%s): got %v, %v", d, d, back, err)
		}
		if want := start.Time().AddDate(0, 0, i).Format("2006-01-02"); d.String() != want {
			t.Fatalf("%d days after 1999-12-01 = %s, want %s", i, d, want)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"Feb 2026 has 28 days", day("2026-03-01").Sub(day("2026-02-01")), 28},
		{"Feb 2024 has 29 days", day("2024-03-01").Sub(day("2024-02-01")), 29},
		{"2024 has 366 days", day("2025-01-01").Sub(day("2024-01-01")), 366},
		{"2026 has 365 days", day("2027-01-01").Sub(day("2026-01-01")), 365},
		{"Sub is d - e, negative backwards", day("2026-01-01").Sub(day("2026-01-11")), -10},
		{"same day", day("2026-01-01").Sub(day("2026-01-01")), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d, want %d", tc.got, tc.want)
			}
		})
	}
	if got := day("2026-12-31").AddDays(1); got != day("2027-01-01") {
		t.Errorf("2026-12-31 + 1 day = %s", got)
	}
	if got := day("2024-03-01").AddDays(-1); got != day("2024-02-29") {
		t.Errorf("2024-03-01 - 1 day = %s", got)
	}
	// NewDate normalises like time.Date: 2026-02-30 is 2026-03-02.
	if got := NewDate(2026, time.February, 30); got != day("2026-03-02") {
		t.Errorf("NewDate(2026, Feb, 30) = %s, want 2026-03-02", got)
	}
	if got := day("2026-03-15").Time(); !got.Equal(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want midnight UTC", got)
	}
}

func TestDateOfUsesOwnLocation(t *testing.T) {
	ny := time.FixedZone("UTC-5", -5*3600)
	tokyo := time.FixedZone("UTC+9", 9*3600)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		// 23:30 on the 15th at UTC-5 is 04:30 UTC on the 16th: the civil date is the 15th.
		{"late evening west of UTC", time.Date(2026, 3, 15, 23, 30, 0, 0, ny), "2026-03-15"},
		// 00:30 on the 16th at UTC+9 is 15:30 UTC on the 15th: the civil date is the 16th.
		{"early morning east of UTC", time.Date(2026, 3, 16, 0, 30, 0, 0, tokyo), "2026-03-16"},
		{"UTC midnight", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "2026-01-01"},
		{"UTC last nanosecond", time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC), "2026-12-31"},
		{"before the Unix epoch", time.Date(1969, 12, 31, 12, 0, 0, 0, time.UTC), "1969-12-31"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DateOf(tc.t).String(); got != tc.want {
				t.Errorf("DateOf(%v) = %s, want %s", tc.t, got, tc.want)
			}
		})
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
		note string
	}{
		{"2026-01-15", 1, "2026-02-15", "plain month"},
		{"2026-01-15", 0, "2026-01-15", "zero months"},
		{"2026-12-15", 1, "2027-01-15", "across the year end"},
		{"2026-03-15", -12, "2025-03-15", "a year back (TrailingYear)"},
		{"2026-01-15", -1, "2025-12-15", "back across the year start"},
		{"2026-05-31", -3, "2026-03-03", "time.AddDate: 2026-02-31 normalises to 2026-03-03 (not clamped to Feb 28)"},
		{"2026-01-31", 1, "2026-03-03", "time.AddDate: 2026-02-31 normalises to 2026-03-03"},
		{"2024-02-29", 12, "2025-03-01", "time.AddDate: 2025-02-29 normalises to 2025-03-01"},
		{"2024-02-29", 48, "2028-02-29", "four years on is a leap day again"},
		{"2026-08-31", 1, "2026-10-01", "time.AddDate: 2026-09-31 normalises to 2026-10-01"},
	}
	for _, tc := range tests {
		t.Run(tc.from, func(t *testing.T) {
			if got := day(tc.from).AddMonths(tc.n); got.String() != tc.want {
				t.Errorf("%s.AddMonths(%d) = %s, want %s (%s)", tc.from, tc.n, got, tc.want, tc.note)
			}
		})
	}
}

func TestTrailingYear(t *testing.T) {
	w := TrailingYear(day("2026-03-16"))
	if w.Start != day("2025-03-16") || w.End != day("2026-03-16") {
		t.Errorf("TrailingYear(2026-03-16) = [%s, %s], want [2025-03-16, 2026-03-16]", w.Start, w.End)
	}
}

func TestWeekOf(t *testing.T) {
	tests := []struct {
		d    string
		want Week
		str  string
		note string
	}{
		{"2026-01-01", 202601, "2026-W01", "Thursday Jan 1: week 1 of its own year"},
		{"2025-12-29", 202601, "2026-W01", "Monday of 2026-W01 lies in 2025"},
		{"2025-12-28", 202552, "2025-W52", "the Sunday before is the last week of 2025"},
		{"2026-01-04", 202601, "2026-W01", "Sunday Jan 4 closes week 1"},
		{"2026-01-05", 202602, "2026-W02", "Monday Jan 5 starts week 2"},
		{"2026-11-16", 202647, "2026-W47", "Monday of week 47"},
		{"2026-12-28", 202653, "2026-W53", "2026 starts on a Thursday, so it has 53 weeks"},
		{"2026-12-31", 202653, "2026-W53", "Dec 31 2026 is in W53"},
		{"2027-01-01", 202653, "2026-W53", "Friday Jan 1 2027 still belongs to 2026-W53"},
		{"2027-01-03", 202653, "2026-W53", "Sunday Jan 3 2027 closes 2026-W53"},
		{"2027-01-04", 202701, "2027-W01", "Monday Jan 4 2027 starts 2027-W01"},
		{"2024-12-30", 202501, "2025-W01", "Monday Dec 30 2024 is already 2025-W01"},
		{"2021-01-03", 202053, "2020-W53", "Sunday Jan 3 2021 is 2020-W53"},
	}
	for _, tc := range tests {
		t.Run(tc.d, func(t *testing.T) {
			got := WeekOf(day(tc.d))
			if got != tc.want || got.String() != tc.str {
				t.Errorf("WeekOf(%s) = %d %q, want %d %q (%s)", tc.d, got, got, tc.want, tc.str, tc.note)
			}
		})
	}
	if s := Week(0).String(); s != "" {
		t.Errorf("Week(0).String() = %q, want empty", s)
	}
}

func TestWeekMondayAndPrev(t *testing.T) {
	tests := []struct {
		w      Week
		monday string
		prev   Week
		note   string
	}{
		{202601, "2025-12-29", 202552, "2025 has 52 weeks (Jan 1 2025 is a Wednesday, not a leap year)"},
		{202602, "2026-01-05", 202601, "inside the year"},
		{202647, "2026-11-16", 202646, "2025-12-29 + 46*7 days"},
		{202653, "2026-12-28", 202652, "the 53rd week"},
		{202701, "2027-01-04", 202653, "the week before 2027-W01 is 2026-W53"},
		{202501, "2024-12-30", 202452, "Monday in the previous year"},
		{202101, "2021-01-04", 202053, "2020 has 53 weeks (leap year starting on Wednesday)"},
	}
	for _, tc := range tests {
		t.Run(tc.w.String(), func(t *testing.T) {
			if got := tc.w.Monday(); got.String() != tc.monday {
				t.Errorf("%s.Monday() = %s, want %s (%s)", tc.w, got, tc.monday, tc.note)
			}
			if got := tc.w.Prev(); got != tc.prev {
				t.Errorf("%s.Prev() = %s, want %s (%s)", tc.w, got, tc.prev, tc.note)
			}
		})
	}
	// Property: for every day of 2019..2028, WeekOf(d).Monday() is a Monday
	// no later than d and less than 7 days before it.
	for d := day("2019-01-01"); d <= day("2028-12-31"); d++ {
		w := WeekOf(d)
		m := w.Monday()
		if m.Time().Weekday() != time.Monday || d.Sub(m) < 0 || d.Sub(m) > 6 || WeekOf(m) != w {
			t.Fatalf("day %s: week %s has Monday %s", d, w, m)
		}
		if p := w.Prev(); p.Monday() != m.AddDays(-7) {
			t.Fatalf("week %s: Prev %s has Monday %s, want %s", w, p, p.Monday(), m.AddDays(-7))
		}
	}
}

func TestDateJSON(t *testing.T) {
	type rec struct {
		Renewal Date `json:"renewal"`
	}
	tests := []struct {
		name string
		in   rec
		want string
	}{
		{"a date is a civil date string, not a day count", rec{day("2026-03-15")}, `{"renewal":"2026-03-15"}`},
		{"no date is the empty string", rec{}, `{"renewal":""}`},
		{"leap day", rec{day("2024-02-29")}, `{"renewal":"2024-02-29"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Fatalf("Marshal = %s, want %s", b, tc.want)
			}
			var back rec
			back.Renewal = 12345 // must be overwritten, including by ""
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back != tc.in {
				t.Fatalf("Unmarshal(%s) = %+v, want %+v", b, back, tc.in)
			}
		})
	}
	for _, bad := range []string{`{"renewal":"2026-02-30"}`, `{"renewal":"2026-1-5"}`, `{"renewal":"2025-02-29"}`, `{"renewal":738000}`} {
		t.Run("rejects "+bad, func(t *testing.T) {
			var r rec
			if err := json.Unmarshal([]byte(bad), &r); err == nil {
				t.Errorf("Unmarshal(%s) = %+v, want an error", bad, r)
			}
		})
	}
	// MarshalText / UnmarshalText directly.
	if b, _ := day("2026-01-05").MarshalText(); string(b) != "2026-01-05" {
		t.Errorf("MarshalText = %q", b)
	}
	var d Date
	if err := d.UnmarshalText([]byte("2026-01-05")); err != nil || d != day("2026-01-05") {
		t.Errorf("UnmarshalText = %v, %v", d, err)
	}
	if err := d.UnmarshalText(nil); err != nil || d != 0 {
		t.Errorf("UnmarshalText(empty) = %v, %v; want no date", d, err)
	}
	d = day("2026-01-05")
	if err := d.UnmarshalText([]byte("2026-13-01")); err == nil || d != day("2026-01-05") {
		t.Errorf("UnmarshalText(bad) = %v, %v; want an error and the value untouched", d, err)
	}
}

func TestOpt(t *testing.T) {
	tests := []struct {
		name string
		o    Opt
		set  bool
		str  string
	}{
		{"absent", Opt{}, false, ""},
		{"explicit zero is data", Some(0), true, "0"},
		{"ten", Some(10), true, "10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.o.Set != tc.set || tc.o.String() != tc.str {
				t.Errorf("%+v: Set=%v String=%q, want %v %q", tc.o, tc.o.Set, tc.o.String(), tc.set, tc.str)
			}
		})
	}
}

// The calendar arithmetic without time.Time agrees with time.Date and
// AddDate on every day of four centuries (leap years, the 400-year rule)
// and on month steps from the ends of months.
func TestCivilArithmeticAgreesWithTime(t *testing.T) {
	viaTime := func(d Date, n int) Date { return DateOf(d.Time().AddDate(0, n, 0)) }
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	first := DateOf(start)
	for i := 0; i < 146097+400; i++ {
		d := first + Date(i)
		tm := start.AddDate(0, 0, i)
		if y, m, day := d.civil(); y != tm.Year() || m != int(tm.Month()) || day != tm.Day() {
			t.Fatalf("day %d: civil %d-%d-%d, time says %s", i, y, m, day, tm.Format("2006-01-02"))
		}
		if d.String() != tm.Format("2006-01-02") {
			t.Fatalf("day %d: %s, time says %s", i, d, tm.Format("2006-01-02"))
		}
		if i%7 == 0 || tm.Day() >= 28 {
			for _, n := range []int{-25, -13, -12, -3, -1, 1, 2, 3, 11, 12, 13, 48} {
				if got, want := d.AddMonths(n), viaTime(d, n); got != want {
					t.Fatalf("%s + %d months = %s, time says %s", d, n, got, want)
				}
			}
		}
	}
	// Out-of-range months and days normalise as time.Date's do.
	for _, c := range [][3]int{{2026, 13, 1}, {2026, 0, 1}, {2026, -11, 31}, {2026, 2, 30}, {2024, 2, 30}, {2026, 12, 32}, {2026, 3, 0}} {
		want := DateOf(time.Date(c[0], time.Month(c[1]), c[2], 0, 0, 0, 0, time.UTC))
		if got := NewDate(c[0], time.Month(c[1]), c[2]); got != want {
			t.Errorf("NewDate%v = %s, time says %s", c, got, want)
		}
	}
	if NewDate(1, 1, 1) != 1 {
		t.Errorf("0001-01-01 is day %d, want 1", NewDate(1, 1, 1))
	}
}
