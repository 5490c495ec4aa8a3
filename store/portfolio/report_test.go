package portfolio

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

func decodeReportJSON(t *testing.T, r Report) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("WriteJSON wrote invalid JSON: %v\n%s", err, buf.String())
	}
	return m
}

func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("%q is %T (%v), want an object", key, m[key], m[key])
	}
	return v
}

func number(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%q is %T (%v), want a number", key, m[key], m[key])
	}
	return v
}

var reportKeys = []string{"as_of", "accounts", "arr_cents", "nrr", "grr", "logo_retention", "renewal_rate", "nps", "csat",
	"expansion_pipeline_cents", "bands", "escalations", "renewals_due", "members"}

func TestReportJSON(t *testing.T) {
	p := Build(fixture(), asOf, now)
	m := decodeReportJSON(t, p.Report())
	for _, k := range reportKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("report JSON has no %q key", k)
		}
	}
	if m["as_of"] != "2026-03-18" || m["window_start"] != "2025-03-18" || m["window_end"] != "2026-03-18" || m["currency"] != "USD" {
		t.Errorf("as_of %v, window %v..%v, currency %v", m["as_of"], m["window_start"], m["window_end"], m["currency"])
	}
	if number(t, m, "accounts") != 8 || number(t, m, "arr_cents") != 39_000_000 || number(t, m, "expansion_pipeline_cents") != 1_500_000 {
		t.Errorf("accounts %v arr %v pipeline %v, want 8, 39000000, 1500000", m["accounts"], m["arr_cents"], m["expansion_pipeline_cents"])
	}
	// Ratios are fractions, not percentages.
	for key, want := range map[string]float64{"nrr": 28.0 / 30.5, "grr": 27.0 / 30.5, "logo_retention": 0.75, "renewal_rate": 1.0 / 9, "csat": 0} {
		if got := number(t, m, key); !near(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if got := number(t, m, "nps"); !near(got, -100.0/6) {
		t.Errorf("nps = %v, want -16.67 on the -100..100 scale", got)
	}

	bands := obj(t, m, "bands")
	sum := 0.0
	for _, b := range []string{"green", "yellow", "red", "unknown"} {
		n, ok := bands[b].(float64)
		if !ok {
			t.Errorf("bands.%s missing", b)
		}
		sum += n
	}
	if len(bands) != 4 || sum != number(t, m, "accounts") {
		t.Errorf("bands = %v: want 4 keys adding up to accounts (%v)", bands, m["accounts"])
	}

	esc := obj(t, m, "escalations")
	want := map[string]float64{"open": 1, "in_progress": 1, "waiting_client": 1, "with_director": 1, "resolved": 2}
	if len(esc) != len(want) {
		t.Errorf("escalations = %v, want exactly %v", esc, want)
	}
	for s, n := range want {
		if esc[s] != n {
			t.Errorf("escalations.%s = %v, want %v", s, esc[s], n)
		}
	}
	if m["escalations_breached"] != 2.0 {
		t.Errorf("escalations_breached = %v, want 2", m["escalations_breached"])
	}

	due := obj(t, m, "renewals_due")
	for d, w := range map[string][2]float64{"30": {1, 1_500_000}, "60": {2, 4_500_000}, "90": {6, 14_000_000}} {
		b := obj(t, due, d)
		if b["count"] != w[0] || b["arr_cents"] != w[1] {
			t.Errorf("renewals_due[%s] = %v, want count %v arr_cents %v", d, b, w[0], w[1])
		}
		if _, ok := b["by_band"].(map[string]any); !ok {
			t.Errorf("renewals_due[%s].by_band missing", d)
		}
	}
	if len(due) != 3 {
		t.Errorf("renewals_due has keys %v, want 30, 60, 90", due)
	}

	members, ok := m["members"].([]any)
	if !ok || len(members) != 4 {
		t.Fatalf("members = %v, want an array of 4", m["members"])
	}
	var names []string
	for _, x := range members {
		mr := x.(map[string]any)
		names = append(names, mr["name"].(string))
		for _, k := range []string{"id", "email", "role", "accounts", "capacity", "over_capacity", "arr_cents", "nrr", "grr", "bands",
			"open_escalations", "renewals_due_90", "renewals_due_90_arr_cents", "csat", "nps"} {
			if _, ok := mr[k]; !ok {
				t.Errorf("member %v has no %q", mr["name"], k)
			}
		}
		switch mr["name"] {
		case "Unassigned":
			if mr["id"] != 0.0 || mr["nrr"] != nil {
				t.Errorf("Unassigned member = %v, want id 0 and nrr null", mr)
			}
		case "Bob Ray":
			if mr["over_capacity"] != true || !near(mr["nrr"].(float64), 8.0/7.5) {
				t.Errorf("Bob = %v", mr)
			}
		}
		if b := mr["bands"].(map[string]any); len(b) != 4 {
			t.Errorf("member %v bands = %v, want all four", mr["name"], b)
		}
	}
	if strings.Join(names, ",") != "Zoe Lead,Amy Ng,Bob Ray,Unassigned" {
		t.Errorf("members in order %v", names)
	}

	risk, ok := m["at_risk_renewals"].([]any)
	if !ok {
		t.Fatalf("at_risk_renewals = %v", m["at_risk_renewals"])
	}
	var riskNames []string
	for _, x := range risk {
		a := x.(map[string]any)
		riskNames = append(riskNames, a["account"].(string))
		if a["account"] == "Golf" && a["score"] != nil {
			t.Errorf("Golf has no score: want null, got %v", a["score"])
		}
	}
	if got := strings.Join(riskNames, ","); got != "Beta,Echo,Hotel,Gamma,Golf" {
		t.Errorf("at-risk renewals = %s, want Beta,Echo,Hotel,Gamma,Golf (soonest first)", got)
	}
}

func TestReportJSONEmptyCohort(t *testing.T) {
	cases := map[string]Raw{
		"no accounts at all": {Settings: store.DefaultSettings()},
		"zero Raw":           {},
		// Live accounts but no ledger and no renewal dates: the cohort is
		// empty while NPS has data.
		"accounts without a ledger": {Settings: store.DefaultSettings(), Accounts: []store.Account{
			{ID: 1, Name: "Solo", Lifecycle: store.Active, ARRCents: 100, NPS: metrics.Some(9)},
		}},
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Build(raw, asOf, now).Report().WriteJSON(&buf); err != nil {
				t.Fatalf("WriteJSON: %v", err)
			}
			if strings.Contains(buf.String(), "NaN") || strings.Contains(buf.String(), "Inf") {
				t.Fatalf("JSON carries NaN/Inf:\n%s", buf.String())
			}
			var m map[string]any
			if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range reportKeys {
				if _, ok := m[k]; !ok {
					t.Errorf("no %q key", k)
				}
			}
			for _, k := range []string{"nrr", "grr", "logo_retention", "logo_churn", "revenue_churn", "renewal_rate", "gross_dollar_renewal_rate"} {
				if v, ok := m[k]; !ok || v != nil {
					t.Errorf("%s = %v (present %v), want null", k, v, ok)
				}
			}
			if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(fmt.Sprint(m["as_of"])) {
				t.Errorf("as_of = %v, want YYYY-MM-DD", m["as_of"])
			}
			if _, ok := m["members"].([]any); !ok {
				t.Errorf("members = %v, want an array (even when empty)", m["members"])
			}
			if _, ok := m["at_risk_renewals"].([]any); !ok {
				t.Errorf("at_risk_renewals = %v, want an array", m["at_risk_renewals"])
			}
			bands := obj(t, m, "bands")
			sum := 0.0
			for _, b := range []string{"green", "yellow", "red", "unknown"} {
				n, ok := bands[b].(float64)
				if !ok {
					t.Errorf("bands.%s missing", b)
				}
				sum += n
			}
			if sum != number(t, m, "accounts") {
				t.Errorf("bands add up to %v, accounts %v", sum, m["accounts"])
			}
			if len(obj(t, m, "escalations")) != 5 {
				t.Errorf("escalations = %v, want all five statuses", m["escalations"])
			}
			for _, d := range []string{"30", "60", "90"} {
				b := obj(t, obj(t, m, "renewals_due"), d)
				if b["count"] != 0.0 || b["arr_cents"] != 0.0 {
					t.Errorf("renewals_due[%s] = %v, want zeros", d, b)
				}
			}
			if name == "accounts without a ledger" {
				if m["nps"] != 100.0 || m["accounts"] != 1.0 {
					t.Errorf("nps %v accounts %v, want 100, 1", m["nps"], m["accounts"])
				}
			} else if m["nps"] != nil || m["csat"] != nil {
				t.Errorf("nps %v csat %v, want null without responses", m["nps"], m["csat"])
			}
		})
	}
}

func TestReportMarkdown(t *testing.T) {
	raw := fixture()
	raw.Members[2].Name = "Amy | Pipe"
	var buf bytes.Buffer
	if err := Build(raw, asOf, now).Report().WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"# Leadership report, 2026-03-18",
		"Window: 2025-03-18 to 2026-03-18",
		"8 live accounts, $390,000 ARR",
		"## Portfolio",
		"| Net revenue retention (NRR) | 91.8% |",
		"| Gross revenue retention (GRR) | 88.5% |",
		"| Logo retention | 75.0% |",
		"| Renewal rate (logos) | 11.1% (1 of 9 due) |",
		"| Health bands | green 2, yellow 2, red 3, unknown 1 |",
		"open 1, in progress 1, waiting on the client 1, with the director 1, resolved 2; 2 past SLA",
		"| Renewals due in 90 days | 6, $140,000 (red 2, yellow 2, green 1, unknown 1) |",
		"## Team",
		"| Bob Ray | account manager | 3 (over capacity 2) | $120,000 | $70,000 | 106.7%* | 93.3%* | 2 |",
		"| Unassigned |  | 2 | $40,000 | $0 | n/a | n/a | 0 |",
		"\\* From fewer than 5 accounts",
		`| Amy \| Pipe |`,
		"## At-risk renewals (5)",
		"| Golf | Carl Gone | $25,000 | 2026-06-16 | 90 | n/a | unknown | renewal-risk |",
		"| Foxtrot |", // not at risk: green
	} {
		if want == "| Foxtrot |" {
			if strings.Contains(md, want) {
				t.Errorf("Foxtrot is green and must not be an at-risk renewal")
			}
			continue
		}
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q\n%s", want, md)
		}
	}

	buf.Reset()
	if err := Build(Raw{Settings: store.DefaultSettings()}, asOf, now).Report().WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md = buf.String()
	for _, want := range []string{
		"## Portfolio", "## Team", "## At-risk renewals (0)",
		"| Net revenue retention (NRR) | n/a |",
		"| Gross revenue retention (GRR) | n/a |",
		"| Logo retention | n/a |",
		"| Renewal rate (logos) | n/a (0 of 0 due) |",
		"| NPS | n/a (0 responses) |",
		"No renewal inside 90 days is below green.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("empty markdown lacks %q\n%s", want, md)
		}
	}
	if strings.Contains(md, "NaN") {
		t.Errorf("empty markdown shows NaN:\n%s", md)
	}
}

func TestReportCSV(t *testing.T) {
	raw := fixture()
	evil := `=HYPERLINK("http://evil.example","click")`
	raw.Members[2].Name = evil // Amy
	raw.Members[2].Email = "@amy"
	var buf bytes.Buffer
	if err := Build(raw, asOf, now).Report().WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	header := []string{"as_of", "member", "email", "role", "accounts", "arr_cents", "nrr", "grr", "green", "yellow", "red", "unknown",
		"open_escalations", "renewals_due_90", "renewals_due_90_arr_cents", "csat", "nps", "accounts_at_risk", "arr_at_risk_cents",
		"cohort_accounts", "period_start", "renewal_rate", "new_cents", "expansion_cents", "contraction_cents", "churned_cents"}
	if len(recs) != 1+4+1+3 {
		t.Fatalf("%d records, want header + 4 members + Portfolio + 3 periods:\n%v", len(recs), recs)
	}
	if strings.Join(recs[0], ",") != strings.Join(header, ",") {
		t.Errorf("header = %v", recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	rows := map[string][]string{}
	for _, r := range recs[1 : len(recs)-4] {
		rows[r[col["member"]]] = r
		if r[col["as_of"]] != "2026-03-18" {
			t.Errorf("as_of cell %q", r[col["as_of"]])
		}
	}
	amy, ok := rows["'"+evil]
	if !ok {
		t.Fatalf("the formula-like name is not escaped: rows %v", recs)
	}
	if amy[col["email"]] != "'@amy" {
		t.Errorf("email cell %q, want '@amy", amy[col["email"]])
	}
	if _, ok := rows[evil]; ok {
		t.Errorf("a raw formula cell reached the CSV")
	}
	if u := rows["Unassigned"]; u == nil || u[col["nrr"]] != "" || u[col["accounts"]] != "2" {
		t.Errorf("Unassigned row = %v, want 2 accounts and an empty nrr", u)
	}
	if b := rows["Bob Ray"]; b == nil || b[col["nrr"]] != "1.0667" || b[col["arr_cents"]] != "12000000" {
		t.Errorf("Bob row = %v", b)
	}
	last := recs[len(recs)-4]
	want := []string{"2026-03-18", "Portfolio", "", "", "8", "39000000", "0.9180", "0.8852", "2", "2", "3", "1", "4", "6", "14000000", "0.0000", "-16.7", "5", "30000000",
		"4", "2025-03-18", "0.1111", "2000000", "1000000", "500000", "3000000"}
	if strings.Join(last, "|") != strings.Join(want, "|") {
		t.Errorf("Portfolio row = %q\n               want %q", last, want)
	}
	// The comparison's periods: the quarter to 2026-03-18 (cohort at
	// 2025-12-18: Acme, Beta, Gamma, Delta, 30M, unchanged), the one
	// before (cohort at 2025-09-18: those and India, 33.5M; Beta -0.5M,
	// India churned 3M: 30M) and a year earlier (cohort at 2024-12-18:
	// Acme, Beta, Delta, India, 30.5M, unchanged).
	for i, w := range [][]string{
		{"2026-03-18", "Portfolio, the 3 months to 2026-03-18", "", "", "8", "39000000", "1.0000", "1.0000", "", "", "", "", "", "", "", "", "", "", "",
			"4", "2025-12-18", "0.0000", "0", "0", "0", "0"},
		{"2025-12-18", "Portfolio, the 3 months to 2025-12-18", "", "", "8", "39000000", "0.8955", "0.8955", "", "", "", "", "", "", "", "", "", "", "",
			"5", "2025-09-18", "1.0000", "0", "0", "500000", "3000000"},
		{"2025-03-18", "Portfolio, the 3 months to 2025-03-18", "", "", "8", "39500000", "1.0000", "1.0000", "", "", "", "", "", "", "", "", "", "", "",
			"4", "2024-12-18", "0.0000", "0", "0", "0", "0"},
	} {
		if got := recs[len(recs)-3+i]; strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("period row %d = %q\n             want %q", i, got, w)
		}
	}

	// Empty portfolio: header and the Portfolio row, undefined KPIs blank.
	buf.Reset()
	if err := Build(Raw{Settings: store.DefaultSettings()}, asOf, now).Report().WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 4 || recs[1][1] != "Portfolio" || recs[1][col["nrr"]] != "" || recs[1][col["nps"]] != "" {
		t.Errorf("empty CSV = %v (err %v)", recs, err)
	}
}

func TestMoney(t *testing.T) {
	tests := []struct {
		cents    int64
		currency string
		want     string
	}{
		{1234567, "USD", "$12,346"},
		{-1234567, "USD", "-$12,346"},
		{0, "USD", "$0"},
		{49, "USD", "$0"},
		{50, "USD", "$1"},
		{-50, "USD", "-$1"},
		{99_999, "USD", "$1,000"},
		{100_000_000, "USD", "$1,000,000"},
		{12_345_678_900, "USD", "$123,456,789"},
		{1234567, "EUR", "€12,346"},
		{-1234567, "EUR", "-€12,346"},
		{1234567, "GBP", "£12,346"},
		{1234567, "JPY", "JPY 12,346"},
		{-1234567, "CHF", "-CHF 12,346"},
		{99_900, "SEK", "SEK 999"},
	}
	for _, tc := range tests {
		if got := Money(tc.cents, tc.currency); got != tc.want {
			t.Errorf("Money(%d, %q) = %q, want %q", tc.cents, tc.currency, got, tc.want)
		}
	}
}

func TestPct(t *testing.T) {
	v, w := 1.0734, 0.0
	if Pct(&v) != "107.3%" || Pct(&w) != "0.0%" || Pct(nil) != "n/a" {
		t.Errorf("Pct: %q %q %q", Pct(&v), Pct(&w), Pct(nil))
	}
}

func TestCSVSafe(t *testing.T) {
	tests := map[string]string{
		"":                  "",
		"Acme":              "Acme",
		"=1+2":              "'=1+2",
		"+44 20 7946 0000":  "'+44 20 7946 0000",
		"-2":                "'-2",
		"@SUM(A1)":          "'@SUM(A1)",
		"\t=cmd":            "'\t=cmd",
		"a=b":               "a=b",
		`=HYPERLINK("x")`:   `'=HYPERLINK("x")`,
		"O'Brien & Partner": "O'Brien & Partner",
	}
	for in, want := range tests {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func ExampleMoney() {
	fmt.Println(Money(1234567, "USD"), Money(-1234567, "EUR"), Money(99, "GBP"), Money(1234567, "JPY"))
	// Output: $12,346 -€12,346 £1 JPY 12,346
}

// ARR at risk, by hand on the fixture: red Delta $200,000, Echo $10,000
// and Hotel $40,000 (an override to red); yellow Beta $30,000 (renewal in
// 60 days) and Gamma $20,000 (87 days). Not Acme or Foxtrot (green),
// Golf (unknown), India (churned).
func TestARRAtRisk(t *testing.T) {
	p := Build(fixture(), asOf, now)
	if k := p.KPIs; k.AtRisk != 5 || k.AtRiskARRCents != 30_000_000 {
		t.Errorf("portfolio at risk = %d accounts, %d cents; want 5, 30000000", k.AtRisk, k.AtRiskARRCents)
	}
	want := map[string][2]int64{"Bob Ray": {2, 7_000_000}, "Amy Ng": {2, 22_000_000}, "Zoe Lead": {1, 1_000_000}, "Unassigned": {0, 0}}
	for _, r := range p.Team {
		w, ok := want[r.Member.Name]
		if !ok {
			continue
		}
		if int64(r.AtRisk) != w[0] || r.AtRiskARRCents != w[1] {
			t.Errorf("%s at risk = %d accounts, %d cents; want %d, %d", r.Member.Name, r.AtRisk, r.AtRiskARRCents, w[0], w[1])
		}
		delete(want, r.Member.Name)
	}
	if len(want) > 0 {
		t.Errorf("no team rows for %v", want)
	}
	var js bytes.Buffer
	if err := p.Report().WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"accounts_at_risk": 5`, `"arr_at_risk_cents": 30000000`} {
		if !strings.Contains(js.String(), key) {
			t.Errorf("report JSON lacks %s", key)
		}
	}
}

// The review's "SLA due within 24 h" lists exactly the unresolved
// escalations whose SLA falls in the next 24 hours, largest ARR first,
// and follows the clock.
func TestReviewDueSoon(t *testing.T) {
	p := Build(fixture(), asOf, now)
	seen := 0
	check := func(at time.Time) {
		t.Helper()
		seen += len(p.Review.DueSoon)
		var want []uint64
		for _, e := range p.Escalations {
			if e.Open() && e.SLADue.After(at) && !e.SLADue.After(at.Add(24*time.Hour)) {
				want = append(want, e.ID)
			}
		}
		var got []uint64
		for k, i := range p.Review.DueSoon {
			got = append(got, p.Escalations[i].ID)
			if k > 0 && p.Escalations[i].AccountARR > p.Escalations[p.Review.DueSoon[k-1]].AccountARR {
				t.Errorf("due soon is not largest ARR first")
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("at %s due soon = %v, want %v", at, got, want)
		}
	}
	check(now)
	// A day later the same rule holds for the moved clock (Retime).
	for _, d := range []time.Duration{time.Hour, 20 * time.Hour, 48 * time.Hour} {
		p.Retime(now.Add(d))
		check(now.Add(d))
	}
	if seen == 0 {
		t.Fatal("no escalation was ever due soon: the fixture proves nothing")
	}
}

// The review's "since the baseline", by hand on the fixture (baseline week
// 2026-W11, so the baseline day is Sunday 2026-03-08), with four ledger
// entries after it: Acme expands $50,000 -> $55,000, Beta renews at the
// same price (no move), Gamma renews lower ($20,000 -> $15,000: a
// contraction), Foxtrot is new ($15,000).
func TestReviewSinceBaseline(t *testing.T) {
	raw := fixture()
	led := func(d string, arr int64, k metrics.LedgerKind) metrics.LedgerEntry {
		return metrics.LedgerEntry{Date: mustDate(d), ARRCents: arr, Kind: k}
	}
	raw.Ledger[aAcme] = append(raw.Ledger[aAcme], led("2026-03-12", 5_500_000, metrics.KindExpansion))
	raw.Ledger[aBeta] = append(raw.Ledger[aBeta], led("2026-03-13", 3_000_000, metrics.KindRenewal))
	raw.Ledger[aGamma] = append(raw.Ledger[aGamma], led("2026-03-16", 1_500_000, metrics.KindRenewal))
	raw.Ledger[aFoxtrot] = append(raw.Ledger[aFoxtrot], led("2026-03-10", 1_500_000, metrics.KindNew))
	p := Build(raw, asOf, now)
	r := p.Review
	if r.Then.Day != mustDate("2026-03-08") {
		t.Fatalf("baseline day %s", r.Then.Day)
	}
	// Then: Acme 50,000 + Beta 30,000 + Gamma 20,000 + Delta 200,000 from
	// the ledger; Echo 10,000, Golf 25,000 and Hotel 40,000 have no ledger
	// and count unchanged; Foxtrot was not a customer yet; India had
	// churned.
	if r.Then.ARRCents != 37_500_000 || r.Then.Live != 7 {
		t.Errorf("then ARR %d over %d accounts, want 37500000 over 7", r.Then.ARRCents, r.Then.Live)
	}
	// Bands then are the W11 snapshot's: Acme and Beta green, Gamma and
	// Echo yellow, Delta red, Golf unknown (score -1), Hotel unknown (none).
	wantBands := map[metrics.Band]int{metrics.Green: 2, metrics.Yellow: 2, metrics.Red: 1, metrics.Unknown: 2}
	for b, n := range wantBands {
		if r.Then.Bands[b] != n {
			t.Errorf("then %s = %d, want %d (%v)", b, r.Then.Bands[b], n, r.Then.Bands)
		}
	}
	// At risk then: Delta (red, $200,000); Gamma and Echo were yellow with
	// renewals 97 and 93 days away: not yet.
	if r.Then.AtRiskARRCents != 20_000_000 {
		t.Errorf("then at risk %d, want 20000000", r.Then.AtRiskARRCents)
	}
	// Open then: #2 (raised that day) and #6 (resolved only on 03-13).
	if r.Then.OpenEsc != 2 {
		t.Errorf("then open escalations %d, want 2", r.Then.OpenEsc)
	}
	type mv struct {
		name     string
		kind     metrics.LedgerKind
		from, to int64
	}
	var got []mv
	for _, m := range r.Moves {
		got = append(got, mv{p.Accounts[m.Account].Name, m.Kind, m.FromCents, m.ToCents})
	}
	want := []mv{ // the largest change first; of two equal, the newer
		{"Foxtrot", metrics.KindNew, 0, 1_500_000},
		{"Gamma", metrics.KindContraction, 2_000_000, 1_500_000},
		{"Acme", metrics.KindExpansion, 5_000_000, 5_500_000},
	}
	if !slices.Equal(got, want) {
		t.Errorf("moves = %v\n want %v", got, want)
	}
	// Improved: Acme's score rose 10 (90 -> 100 on the same green).
	if len(r.Improved) != 1 || p.Accounts[r.Improved[0]].Name != "Acme" {
		t.Errorf("improved = %v", r.Improved)
	}
}

// The review against its own comparison week is the review; against
// another week it follows that week's snapshot.
func TestReviewAgainstAnotherWeek(t *testing.T) {
	raw := fixture()
	p := Build(raw, asOf, now)
	same := p.ReviewAgainst(raw.PrevWeek, raw.Prev)
	for name, pair := range map[string][2]any{
		"worsened": {same.Worsened, p.Review.Worsened}, "improved": {same.Improved, p.Review.Improved},
		"moves": {same.Moves, p.Review.Moves}, "then": {same.Then, p.Review.Then}, "since": {same.Since, p.Review.Since},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s against the comparison week = %v, want %v", name, pair[0], pair[1])
		}
	}
	// A week before, where Beta was red (now yellow: improved), Acme was
	// yellow (now green), and Delta was green (now red: worsened).
	older := raw.PrevWeek.Prev()
	scores := map[uint64]store.WeekScore{
		aAcme: {Score: 60, Band: metrics.Yellow}, aBeta: {Score: 30, Band: metrics.Red}, aDelta: {Score: 85, Band: metrics.Green},
	}
	r := p.ReviewAgainst(older, scores)
	names := func(idx []int) (out []string) {
		for _, i := range idx {
			out = append(out, p.Accounts[i].Name)
		}
		return out
	}
	if got := names(r.Worsened); !slices.Equal(got, []string{"Delta"}) {
		t.Errorf("worsened against %s = %v", older, got)
	}
	if got := names(r.Improved); !slices.Equal(got, []string{"Acme", "Beta"}) { // by ARR: $50,000, $30,000
		t.Errorf("improved against %s = %v", older, got)
	}
	if r.ComparedWithWeek != older || r.Then.Day != older.Monday().AddDays(-1) {
		t.Errorf("baseline %s day %s", r.ComparedWithWeek, r.Then.Day)
	}
	if r.Then.Bands[metrics.Red] != 1 || r.Then.Bands[metrics.Green] != 1 || r.Then.Bands[metrics.Yellow] != 1 {
		t.Errorf("bands then = %v, want one each of red, yellow, green", r.Then.Bands)
	}
	// The rest of the review is untouched.
	if !reflect.DeepEqual(r.Untouched, p.Review.Untouched) || !reflect.DeepEqual(r.BreachedEsc, p.Review.BreachedEsc) {
		t.Error("the baseline moved the sections that do not depend on it")
	}
}

// The two-core baseline pass of a large book equals the one-core pass.
func TestBaselinePassInHalves(t *testing.T) {
	day, asOf := mustDate("2026-03-08"), mustDate("2026-03-18")
	accts := make([]Account, 25_000)
	for i := range accts {
		a := &accts[i]
		a.ID, a.Live, a.ARRCents = uint64(i+1), i%7 != 0, int64(1000+i)
		a.ContractStart, a.RenewalDate = mustDate("2024-01-01"), day.AddDays(i%200)
		a.Ledger = []metrics.LedgerEntry{{Date: mustDate("2024-01-01"), ARRCents: int64(1000 + i), Kind: metrics.KindNew}}
		if i%5 == 0 {
			a.Ledger = append(a.Ledger, metrics.LedgerEntry{Date: day.AddDays(1 + i%9), ARRCents: int64(900 + i), Kind: metrics.KindRenewal})
		}
		a.HasPrev, a.Prev = i%3 != 0, store.WeekScore{Score: i % 100, Band: metrics.Bands[i%4]}
	}
	got, gotMoves := baselinePass(accts, day, asOf)
	var want baseSums
	var wantMoves []Move
	for i := range accts {
		want.add(&accts[i], day, 1)
		wantMoves = movesOf(wantMoves, i, &accts[i], day, asOf)
	}
	sortMoves(wantMoves)
	if got != want || !slices.Equal(gotMoves, wantMoves) {
		t.Fatalf("halves %+v (%d moves), one pass %+v (%d moves)", got, len(gotMoves), want, len(wantMoves))
	}
	if len(wantMoves) == 0 || want.atRisk == 0 {
		t.Fatal("the book has no moves or nothing at risk: the test proves nothing")
	}
}

// The renewal forecast by hand on the fixture (as of 2026-03-18: this
// quarter is 2026-Q1, nothing renews in it; next is 2026-Q2): Foxtrot
// green is commit ($15,000), Golf unknown likely ($25,000), Beta and
// Gamma yellow with renewal-risk and Echo and Hotel red at risk
// ($100,000); red Delta would be at risk too, but its owner expects churn:
// its $200,000 is expected at 0, so the quarter expects $140,000 of
// $340,000.
func TestRenewalForecast(t *testing.T) {
	raw := fixture()
	raw.Forecasts = map[uint64]store.Forecast{aDelta: {AccountID: aDelta, Category: metrics.ChurnExpected, ExpectedARRCents: -1, Reason: "moving to a competitor"}}
	p := Build(raw, asOf, now)
	this, next := p.KPIs.Forecast[0], p.KPIs.Forecast[1]
	if this.Count != 0 || this.GRR.OK {
		t.Errorf("this quarter %+v, want nothing due", this)
	}
	want := map[metrics.ForecastCategory]int64{metrics.Commit: 1_500_000, metrics.Likely: 2_500_000, metrics.AtRiskRenewal: 10_000_000, metrics.ChurnExpected: 20_000_000}
	if next.Count != 7 || next.DueARRCents != 34_000_000 || next.ExpectedCents != 14_000_000 {
		t.Errorf("next quarter %+v", next)
	}
	for c, v := range want {
		if next.ByCategory[c] != v {
			t.Errorf("%s = %d, want %d", c, next.ByCategory[c], v)
		}
	}
	if !next.GRR.OK || next.GRR.V != 14.0/34 {
		t.Errorf("forecast GRR %+v, want 14/34", next.GRR)
	}
	d := p.Account(aDelta)
	if d.Forecast != metrics.ChurnExpected || !d.ForecastSet || d.ExpectedARRCents != 0 {
		t.Errorf("Delta %s set %v expected %d", d.Forecast, d.ForecastSet, d.ExpectedARRCents)
	}
	var js bytes.Buffer
	if err := p.Report().WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"quarter": "2026-Q2"`, `"due_arr_cents": 34000000`, `"expected_arr_cents": 14000000`, `"churn_expected": 20000000`} {
		if !strings.Contains(js.String(), key) {
			t.Errorf("report JSON lacks %s", key)
		}
	}
}
