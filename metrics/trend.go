package metrics

import "time"

// ARRAtDays fills out[i] with the ARR in force at the end of days[i], as
// ARRAt does, for days in ascending order: one walk of the ledger for
// all of them, not a search each (the trends read some thirty days of
// every account).
func ARRAtDays(entries []LedgerEntry, days []Date, out []int64) {
	j := 0
	var cur int64
	for i, d := range days {
		for j < len(entries) && entries[j].Date <= d {
			cur = entries[j].ARRCents
			j++
		}
		out[i] = cur
	}
}

// Bridge is the ARR movement of a window, the waterfall from the ARR at
// its start to the ARR at its end. Every account falls in one step: with
// ARR at the start, its net change is expansion, contraction, or (at no
// ARR at the end) churn of its whole start ARR; without ARR at the start
// and with some at the end, its end ARR is new, whether it is a first
// sale or a win back. So Start + New + Expansion - Contraction - Churn
// is End, to the cent.
type Bridge struct {
	Start, New, Expansion, Contraction, Churn, End int64
}

// Add puts one account in the bridge, from its ARR at the window's start
// and at its end (a negative amount counts as none).
func (b *Bridge) Add(start, end int64) {
	start, end = max(start, 0), max(end, 0)
	b.Start += start
	b.End += end
	switch {
	case start == 0:
		b.New += end
	case end == 0:
		b.Churn += start
	case end > start:
		b.Expansion += end - start
	default:
		b.Contraction += start - end
	}
}

// Merge adds o's steps to b.
func (b *Bridge) Merge(o Bridge) {
	b.Start += o.Start
	b.New += o.New
	b.Expansion += o.Expansion
	b.Contraction += o.Contraction
	b.Churn += o.Churn
	b.End += o.End
}

// Balanced reports whether the steps lead from Start to End.
func (b Bridge) Balanced() bool {
	return b.Start+b.New+b.Expansion-b.Contraction-b.Churn == b.End
}

// Month is the calendar month holding d: its first and last day.
func Month(d Date) (first, last Date) {
	t := d.Time()
	first = NewDate(t.Year(), t.Month(), 1)
	return first, first.AddMonths(1).AddDays(-1)
}

// MonthName is "2026-11".
func MonthName(d Date) string { return d.Time().Format("2006-01") }

// Quarters are the trailing n calendar quarters to asOf, oldest first,
// the last one the quarter of asOf cut at asOf: each as the window its
// retention is measured over, from the end of the day before its first
// day (the cohort's ARR at the quarter's start) to its last day.
func Quarters(asOf Date, n int) []Window {
	first, _ := Quarter(asOf)
	out := make([]Window, n)
	for i := range n {
		f := first.AddMonths(-3 * (n - 1 - i))
		end := f.AddMonths(3).AddDays(-1)
		out[i] = Window{Start: f.AddDays(-1), End: min(end, asOf)}
	}
	return out
}

// Sunday is the last day of week w.
func (w Week) Sunday() Date { return w.Monday().AddDays(6) }

// LastWeeks are the n ISO weeks to the week of asOf, oldest first.
func LastWeeks(asOf Date, n int) []Week {
	out := make([]Week, n)
	w := WeekOf(asOf)
	for i := n - 1; i >= 0; i-- {
		out[i] = w
		w = w.Prev()
	}
	return out
}

// OpenAt reports whether something raised at created and resolved at
// resolved (zero: not resolved) was open at instant t.
func OpenAt(created, resolved, t time.Time) bool {
	return !created.After(t) && (resolved.IsZero() || resolved.After(t))
}

// AddMonthsClamped moves d by n calendar months, keeping the day of the
// month where the target month has it and else taking its last day:
// 2026-03-31 less a month is 2026-02-28 (AddMonths, time.AddDate's rule,
// gives 2026-03-03). Comparison periods use it so that "the month to the
// 31st" starts at the end of the month before.
func AddMonthsClamped(d Date, n int) Date {
	t := d.Time()
	y, m := t.Year(), int(t.Month())-1+n
	y += m / 12
	if m %= 12; m < 0 {
		m += 12
		y--
	}
	month := time.Month(m + 1)
	return NewDate(y, month, min(t.Day(), daysIn(month, y)))
}
