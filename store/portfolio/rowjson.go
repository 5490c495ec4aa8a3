package portfolio

import (
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"steward/metrics"
)

// The report's long lists (members, at-risk renewals: thousands of rows
// on a shared box) are written by hand, byte for byte what
// json.MarshalIndent(row, "    ", "  ") writes: reflection and a second
// indenting pass cost a tenth of the report at 100,000 accounts. A test
// compares both on random rows, so a field added to a row type and not
// here fails it.

// rowJSON writes one row; depth 0 is the row's own braces.
type rowJSON struct {
	b      []byte
	counts []int // items written at each open level
}

func (w *rowJSON) newline() {
	w.b = append(w.b, '\n', ' ', ' ', ' ', ' ')
	for range len(w.counts) {
		w.b = append(w.b, ' ', ' ')
	}
}

func (w *rowJSON) begin(c byte) {
	w.b = append(w.b, c)
	w.counts = append(w.counts, 0)
}

func (w *rowJSON) end(c byte) {
	n := w.counts[len(w.counts)-1]
	w.counts = w.counts[:len(w.counts)-1]
	if n > 0 {
		w.newline()
	}
	w.b = append(w.b, c)
}

func (w *rowJSON) item() {
	if w.counts[len(w.counts)-1] > 0 {
		w.b = append(w.b, ',')
	}
	w.counts[len(w.counts)-1]++
	w.newline()
}

func (w *rowJSON) key(k string) {
	w.item()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':', ' ')
}

func (w *rowJSON) str(k, v string) { w.key(k); w.b = appendJSONString(w.b, v) }
func (w *rowJSON) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}
func (w *rowJSON) uint(k string, v uint64) {
	w.key(k)
	w.b = strconv.AppendUint(w.b, v, 10)
}
func (w *rowJSON) bool(k string, v bool) { w.key(k); w.b = strconv.AppendBool(w.b, v) }

func (w *rowJSON) optInt(k string, v *int) {
	if v == nil {
		w.key(k)
		w.b = append(w.b, "null"...)
		return
	}
	w.int(k, int64(*v))
}

func (w *rowJSON) optFloat(k string, v *float64) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = appendJSONFloat(w.b, *v)
}

func (w *rowJSON) bands(k string, m map[metrics.Band]int) {
	w.key(k)
	if m == nil {
		w.b = append(w.b, "null"...)
		return
	}
	keys := make([]metrics.Band, 0, len(m))
	for b := range m {
		keys = append(keys, b)
	}
	slices.Sort(keys)
	w.begin('{')
	for _, b := range keys {
		w.int(string(b), int64(m[b]))
	}
	w.end('}')
}

func (w *rowJSON) strs(k string, list []string) {
	w.key(k)
	if list == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.begin('[')
	for _, s := range list {
		w.item()
		w.b = appendJSONString(w.b, s)
	}
	w.end(']')
}

func (w *rowJSON) member(r *MemberReport) {
	w.begin('{')
	w.uint("id", r.ID)
	w.str("name", r.Name)
	w.str("email", r.Email)
	w.str("role", r.Role)
	w.int("accounts", int64(r.Accounts))
	w.int("capacity", int64(r.Capacity))
	w.bool("over_capacity", r.OverCapacity)
	w.int("arr_cents", r.ARRCents)
	w.optFloat("nrr", r.NRR)
	w.optFloat("grr", r.GRR)
	w.bands("bands", r.Bands)
	w.int("open_escalations", int64(r.OpenEscalations))
	w.int("renewals_due_90", int64(r.RenewalsDue90))
	w.int("renewals_due_90_arr_cents", r.RenewalsDue90ARR)
	w.int("accounts_at_risk", int64(r.AccountsAtRisk))
	w.int("arr_at_risk_cents", r.ARRAtRiskCents)
	w.optFloat("load", &r.Load)
	w.optFloat("load_share", r.LoadShare)
	w.optFloat("csat", r.CSAT)
	w.optFloat("nps", r.NPS)
	w.key("stale_data")
	if sd := r.StaleData; sd == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.begin('{')
		w.int("accounts", int64(sd.Accounts))
		w.int("arr_cents", sd.ARRCents)
		w.end('}')
	}
	w.int("cohort_accounts", int64(r.CohortAccounts))
	w.end('}')
}

func (w *rowJSON) atRisk(r *AtRiskRenewal) {
	w.begin('{')
	w.uint("account_id", r.AccountID)
	w.str("account", r.Account)
	w.str("external_id", r.ExternalID)
	w.str("owner", r.Owner)
	w.int("arr_cents", r.ARRCents)
	w.str("renewal_date", r.RenewalDate.String())
	w.int("days_left", int64(r.DaysLeft))
	w.optInt("score", r.Score)
	w.str("band", string(r.Band))
	w.strs("flags", r.Flags)
	w.end('}')
}

// appendJSONFloat is encoding/json's float64 form.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...) // never a ratio steward computes
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONString is encoding/json's string form with HTML escaping (its
// default): <, > and & as \u003c..., U+2028 and U+2029 escaped, invalid
// UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
