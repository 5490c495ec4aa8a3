package portfolio

import (
	"math"
	"strings"

	"steward/metrics"
	"steward/store"
)

// sparks are the eight levels of a text sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws vals as a text sparkline, one character a value scaled
// between the series' least and greatest (a flat series sits in the
// middle); a nil value, a period with no figure, is "·".
func Sparkline(vals []*float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if v != nil {
			lo, hi = min(lo, *v), max(hi, *v)
		}
	}
	var b strings.Builder
	for _, v := range vals {
		switch {
		case v == nil:
			b.WriteRune('·')
		case hi-lo < 1e-12:
			b.WriteRune(sparks[len(sparks)/2-1])
		default:
			i := int(math.Round((*v - lo) / (hi - lo) * float64(len(sparks)-1)))
			b.WriteRune(sparks[i])
		}
	}
	return b.String()
}

// SparklineInts is Sparkline of whole numbers.
func SparklineInts(vals []int64) string {
	ps := make([]*float64, len(vals))
	for i, v := range vals {
		f := float64(v)
		ps[i] = &f
	}
	return Sparkline(ps)
}

// RoleName is a member's role in words ("account manager").
func RoleName(role string) string {
	switch store.Role(role) {
	case store.RoleSeniorAM:
		return "senior account manager"
	case store.RoleAccountManager:
		return "account manager"
	}
	return strings.ReplaceAll(role, "_", " ")
}

// CategoryName is a forecast category in words ("churn expected").
func CategoryName(c metrics.ForecastCategory) string { return humanCategory(c) }

// StatusName is an escalation status in words ("waiting on the
// client"). The reports of every format name roles, statuses and
// categories with these functions.
func StatusName(s string) string {
	switch s {
	case store.StatusWaitingClient:
		return "waiting on the client"
	case store.StatusWithDirector:
		return "with the director"
	}
	return strings.ReplaceAll(s, "_", " ")
}
