package report

import (
	"strings"

	"steward/metrics"
)

// The report names roles, statuses, categories and flags in words, never
// in the codes the JSON carries (README, "The HTML report").

var roleWords = map[string]string{
	"manager":         "manager",
	"senior_am":       "senior account manager",
	"account_manager": "account manager",
	"coordinator":     "coordinator",
}

var statusWords = map[string]string{
	"open":           "open",
	"in_progress":    "in progress",
	"waiting_client": "waiting on the client",
	"with_director":  "with the director",
	"resolved":       "resolved",
}

var flagWords = map[string]string{
	"renewal-risk":     "renewal at risk",
	"champion-changed": "champion changed",
	"qbr-overdue":      "QBR overdue",
	"dropping":         "score dropping",
	"sla-breach":       "escalation past SLA",
	"plan-at-risk":     "success plan at risk",
}

var categoryWords = map[metrics.ForecastCategory]string{
	metrics.Commit:        "commit",
	metrics.Likely:        "likely",
	metrics.AtRiskRenewal: "at risk",
	metrics.ChurnExpected: "churn expected",
}

// words looks a code up, and otherwise writes it with spaces for its
// underscores and hyphens: a code added later still reads as words.
func words(table map[string]string, code string) string {
	if w, ok := table[code]; ok {
		return w
	}
	return strings.NewReplacer("_", " ", "-", " ").Replace(code)
}

func roleWord(r string) string   { return words(roleWords, r) }
func statusWord(s string) string { return words(statusWords, s) }
func flagWord(f string) string   { return words(flagWords, f) }

func categoryWord(c metrics.ForecastCategory) string {
	if w, ok := categoryWords[c]; ok {
		return w
	}
	return words(nil, string(c))
}
