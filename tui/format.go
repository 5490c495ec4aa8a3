package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store/portfolio"
)

// money formats cents compactly for tables: $1.2M, $12.5k, $950, with the
// symbol of code, the database's currency (Settings.Currency of the
// portfolio the view shows). Tables trade precision for width; the detail
// screen shows the exact figure.
func money(cents int64, code string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	d := float64(cents) / 100
	var s string
	switch {
	case d >= 1e9:
		s = strconv.FormatFloat(d/1e9, 'f', 1, 64) + "B"
	case d >= 1e6:
		s = strconv.FormatFloat(d/1e6, 'f', 1, 64) + "M"
	case d >= 1e4:
		s = strconv.FormatFloat(d/1e3, 'f', 1, 64) + "k"
	case d >= 1e3:
		s = strconv.FormatFloat(d/1e3, 'f', 2, 64) + "k"
	default:
		s = strconv.FormatFloat(d, 'f', 0, 64)
	}
	s = portfolio.CurrencySymbol(code) + s
	if neg {
		return "-" + s
	}
	return s
}

// moneyExact is $1,234,567 (whole units) in currency code, for the detail
// screen.
func moneyExact(cents int64, code string) string { return portfolio.Money(cents, code) }

// pct formats a ratio as a whole percentage, or n/a for an empty cohort.
func pct(r metrics.Ratio) string {
	if !r.OK {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", r.V*100)
}

// days formats a signed day count relative to today: "in 12d", "today",
// "5d ago".
func daysLeft(n int) string {
	switch {
	case n == 0:
		return "today"
	case n > 0:
		return "in " + strconv.Itoa(n) + "d"
	default:
		return strconv.Itoa(-n) + "d ago"
	}
}

// ago is the age of a date in days ("12d", "never").
func ago(d, asOf metrics.Date) string {
	if d.IsZero() {
		return "never"
	}
	n := asOf.Sub(d)
	if n <= 0 {
		return "today"
	}
	return strconv.Itoa(n) + "d ago"
}

// dur formats a duration coarsely: 45m, 3h, 2d, 5w.
func dur(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d < 14*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	default:
		return strconv.Itoa(int(d/(7*24*time.Hour))) + "w"
	}
}

// slaText says how an escalation stands against its SLA: "3h05m over"
// when breached, "in 2h05m" otherwise, to the minute inside two days (the
// minute tick keeps it true); resolved ones have no clock. Time left is
// rounded up, so the last seconds read "in 1m", never "in 0m".
func slaText(open bool, due, now time.Time) string {
	switch {
	case !open:
		return "done"
	case due.IsZero():
		return "no SLA"
	case now.After(due):
		return slaDur(now.Sub(due)) + " over"
	default:
		return "in " + slaDur((due.Sub(now) + time.Minute - 1).Truncate(time.Minute))
	}
}

// slaDur is dur with minutes under two days: an SLA is kept or missed by
// the minute.
func slaDur(d time.Duration) string {
	if d < time.Hour || d >= 48*time.Hour {
		return dur(d)
	}
	return strconv.Itoa(int(d/time.Hour)) + "h" + fmt.Sprintf("%02d", int(d%time.Hour/time.Minute)) + "m"
}

// segmentShort keeps the segment column narrow.
func segmentShort(s metrics.Segment) string {
	switch s {
	case metrics.Enterprise:
		return "enterprise"
	case metrics.MidMarket:
		return "mid-market"
	case metrics.SMB:
		return "smb"
	}
	return string(s)
}

func humanize(s string) string { return strings.ReplaceAll(s, "_", " ") }

// fit makes s exactly w cells wide: truncated with an ellipsis when too
// long, padded with spaces otherwise (right-aligned when right is set).
// Control characters become spaces so a stray newline in a name can never
// break the row grid.
func fit(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			ascii = false
			break
		}
	}
	var sw int
	if ascii {
		sw = len(s)
		if sw > w {
			if w == 1 {
				return "…"
			}
			return s[:w-1] + "…"
		}
	} else {
		s = sanitize(s)
		sw = ansi.StringWidth(s)
		if sw > w {
			s = ansi.Truncate(s, w, "…")
			sw = ansi.StringWidth(s)
		}
	}
	if sw == w {
		return s
	}
	pad := strings.Repeat(" ", w-sw)
	if right {
		return pad + s
	}
	return s + pad
}

// truncLine cuts a (possibly styled) line to w cells with an ellipsis.
func truncLine(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// sanitize makes untrusted text (names, notes and titles from imports)
// safe to place on a screen line: control characters (C0, DEL, C1),
// bidirectional overrides and isolates, and invisible zero-width marks are
// shown as a visible escape such as ⟨U+202E⟩, so no imported name can
// reorder, hide or break a line. A tab is a space; bytes that are not
// UTF-8 are shown as �. Zero-width joiners stay: emoji sequences and
// several scripts need them. Exports keep the original bytes.
func sanitize(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError:
			b.WriteRune('�')
		case unsafeRune(r):
			fmt.Fprintf(&b, "⟨U+%04X⟩", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0, r == utf8.RuneError:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x200b, r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2060, r == 0xfeff: // zero-width space, direction marks, word joiner, BOM
		return true
	}
	return false
}

// signedMoney is a change of money with its direction: "▲$12.5k",
// "▼$3k", "±0". The arrow carries the sign, so colour is not needed.
func signedMoney(delta int64, currency string) string {
	switch {
	case delta > 0:
		return "▲" + money(delta, currency)
	case delta < 0:
		return "▼" + money(-delta, currency)
	}
	return "±0"
}

// signedCount is a change of a count: "▲2", "▼1", "±0".
func signedCount(delta int) string {
	switch {
	case delta > 0:
		return "▲" + itoa(delta)
	case delta < 0:
		return "▼" + itoa(-delta)
	}
	return "±0"
}

// signedPoints is the change of a ratio in percentage points, "▲1.2 pts";
// empty when either side is n/a.
func signedPoints(now, then metrics.Ratio) string {
	if !now.OK || !then.OK {
		return ""
	}
	d := math.Round((now.V-then.V)*1000) / 10
	switch {
	case d > 0:
		return "▲" + strconv.FormatFloat(d, 'f', 1, 64) + " pts"
	case d < 0:
		return "▼" + strconv.FormatFloat(-d, 'f', 1, 64) + " pts"
	}
	return "±0 pts"
}
