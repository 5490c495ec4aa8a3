package metrics

import "testing"

func TestLedgerThrough(t *testing.T) {
	ledger := []LedgerEntry{
		entry("2025-01-01", 100, KindNew),
		entry("2025-06-01", 150, KindExpansion),
		entry("2025-06-01", 160, KindExpansion),
		entry("2025-09-01", 0, KindChurn),
	}
	for d, want := range map[string]int{"2024-12-31": 0, "2025-01-01": 1, "2025-05-31": 1, "2025-06-01": 3, "2030-01-01": 4} {
		if got := LedgerThrough(ledger, day(d)); len(got) != want {
			t.Errorf("LedgerThrough(%s) has %d entries, want %d", d, len(got), want)
		}
	}
	if got := LedgerThrough(nil, day("2025-01-01")); len(got) != 0 {
		t.Errorf("LedgerThrough(nil) = %v", got)
	}
}

func TestRenewalDateOn(t *testing.T) {
	// Contract from 2023-10-15, annual terms; today the renewal date is
	// 2026-10-15 (the 2024 and 2025 terms were renewed).
	renewed := []LedgerEntry{
		entry("2023-10-15", 100, KindNew),
		entry("2024-10-20", 100, KindRenewal),
		entry("2025-10-10", 120, KindExpansion),
	}
	tests := []struct {
		name           string
		renewal, cs, d string
		ledger         []LedgerEntry
		want           string
	}{
		{"a day after the last renewal: today's date", "2026-10-15", "2023-10-15", "2025-10-16", renewed, "2026-10-15"},
		{"before a term renewed since: a term back", "2026-10-15", "2023-10-15", "2025-09-30", renewed, "2025-10-15"},
		{"on the due date itself", "2026-10-15", "2023-10-15", "2025-10-15", renewed, "2026-10-15"}, // renewed early, on 10-10
		{"two terms back", "2026-10-15", "2023-10-15", "2024-06-01", renewed, "2024-10-15"},
		{"overdue on d, renewed after it", "2026-10-15", "2023-10-15", "2024-10-18", renewed, "2024-10-15"},
		{"renewed early, before d", "2026-10-15", "2023-10-15", "2025-10-12", renewed, "2026-10-15"},
		{"never back to the contract start", "2026-10-15", "2023-10-15", "2023-11-01", renewed, "2024-10-15"},
		{"before the contract start", "2026-10-15", "2023-10-15", "2023-01-01", renewed, "2024-10-15"},
		{"no ledger: the first anniversary on or after d", "2026-10-15", "", "2024-12-01", nil, "2025-10-15"},
		{"overdue today and on d", "2026-10-15", "2023-10-15", "2026-11-01", renewed, "2026-10-15"},
		{"no renewal date", "", "2023-10-15", "2025-01-01", renewed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r, c Date
			if tc.renewal != "" {
				r = day(tc.renewal)
			}
			if tc.cs != "" {
				c = day(tc.cs)
			}
			got := RenewalDateOn(r, c, tc.ledger, day(tc.d))
			if got.String() != tc.want {
				t.Errorf("RenewalDateOn(%s, cs %s, d %s) = %s, want %s", tc.renewal, tc.cs, tc.d, got, tc.want)
			}
		})
	}
}
