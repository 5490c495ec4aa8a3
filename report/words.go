package report

import (
	"strings"

	"steward/store/portfolio"
)

// The report names roles, statuses, categories and flags in words, never
// in the codes the JSON carries (README, "The HTML report"): flags here,
// the rest as every report format does (portfolio.RoleName, StatusName,
// CategoryName).

var flagWords = map[string]string{
	"renewal-risk":     "renewal at risk",
	"champion-changed": "champion changed",
	"qbr-overdue":      "QBR overdue",
	"dropping":         "score dropping",
	"sla-breach":       "escalation past SLA",
	"plan-at-risk":     "success plan at risk",
}

// words looks a code up, and otherwise writes it with spaces for its
// underscores and hyphens: a code added later still reads as words.
func words(table map[string]string, code string) string {
	if w, ok := table[code]; ok {
		return w
	}
	return strings.NewReplacer("_", " ", "-", " ").Replace(code)
}

func flagWord(f string) string { return words(flagWords, f) }

// Roles, statuses and categories read as the Markdown report names them.
var (
	roleWord     = portfolio.RoleName
	statusWord   = portfolio.StatusName
	categoryWord = portfolio.CategoryName
)
