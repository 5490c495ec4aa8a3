package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	"steward/store/portfolio"
)

func render(t *testing.T, r portfolio.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

// checkPage asserts that page is well formed (it parses as strict XML:
// the template writes XHTML-compatible HTML5, so a stray tag or an
// unescaped & fails), that its ids are unique, and that every <svg> has a
// <title> first and names it in aria-labelledby. It returns the number of
// charts.
func checkPage(t *testing.T, page string) int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = true
	ids := map[string]bool{}
	var labelled []string
	var stack []string
	svgs := 0
	expectTitle := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well formed: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			if expectTitle && name != "title" {
				t.Errorf("an <svg> starts with <%s>, not <title>", name)
			}
			expectTitle = false
			stack = append(stack, name)
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "id":
					if ids[a.Value] {
						t.Errorf("id %q is used twice", a.Value)
					}
					ids[a.Value] = true
				case "aria-labelledby":
					labelled = append(labelled, strings.Fields(a.Value)...)
				}
			}
			if name == "svg" {
				svgs++
				expectTitle = true
				if !hasAttr(el, "role", "img") || !hasAttr(el, "aria-labelledby", "") {
					t.Errorf("an <svg> without role=img and aria-labelledby: %v", el.Attr)
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if expectTitle && len(bytes.TrimSpace(el)) > 0 {
				t.Errorf("text before an <svg>'s <title>: %q", el)
			}
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed elements: %v", stack)
	}
	for _, id := range labelled {
		if !ids[id] {
			t.Errorf("aria-labelledby names %q, which no element has", id)
		}
	}
	return svgs
}

func hasAttr(el xml.StartElement, name, value string) bool {
	for _, a := range el.Attr {
		if a.Name.Local == name && (value == "" || a.Value == value) {
			return true
		}
	}
	return false
}

// checkSelfContained asserts the page asks for nothing from elsewhere: no
// URL at all, no script, no external style, font or image.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	low := strings.ToLower(page)
	for _, bad := range []string{"http://", "https://", "//fonts", "<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "@font-face", " src=", " href=", "xlink:href", "javascript:"} {
		if i := strings.Index(low, bad); i >= 0 {
			t.Errorf("the page holds %q: %q", bad, page[max(0, i-60):min(len(page), i+60)])
		}
	}
	// url() only ever points at a pattern in the same page.
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("url(%s) points outside the page", m[1])
		}
	}
}

func TestHTMLWellFormedAndSelfContained(t *testing.T) {
	page := render(t, sampleReport())
	if n := checkPage(t, page); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	checkSelfContained(t, page)
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n<html lang=\"en\">") || !strings.Contains(page, `<meta charset="utf-8"/>`) {
		t.Errorf("not an HTML5 document in UTF-8: %.120s", page)
	}
	for _, want := range []string{"@media (prefers-color-scheme: dark)", "@media print", "@page", "break-inside: avoid", `name="color-scheme"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the style sheet lacks %q", want)
		}
	}
}

// Names from a CRM are text: markup, ampersands and quotes are escaped;
// CJK and emoji stay as they are (the page is UTF-8).
func TestHTMLEscapesNames(t *testing.T) {
	page := render(t, sampleReport())
	escaped := `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Sons &#39;Ltd&#39; 株式会社 🚀`
	// The summary, the ARR at risk card, the member table, the at-risk
	// table and the escalations each name it.
	if n := strings.Count(page, escaped); n < 5 {
		t.Errorf("the escaped name appears %d times, want at least 5", n)
	}
	if strings.Contains(page, `<script>`) || strings.Contains(page, `alert("x")`) {
		t.Errorf("an unescaped name reached the page")
	}
	for _, want := range []string{"Data export &lt;broken&gt;", "Login &amp; SSO", "Zoë O&#39;Neil"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestHTMLContent(t *testing.T) {
	// html/template writes + as &#43;: compare the text as a browser reads it.
	page := html.UnescapeString(render(t, sampleReport()))
	for _, want := range []string{
		// The summary's sentences, in order.
		"<p>NRR is 107.2%, up 1.1 points since last quarter.</p>\n<p>ARR at risk is $2,100,000",
		// Targets beside the actuals: a glyph and a word.
		"✓ on target (105.0%)", "▼ below target 92.0%", "✓ on target (85.0%)",
		// The period comparison and the year before.
		"2026-Q4 against 2026-Q3 and a year before", "▲ +1.0 pts", "▼ −0.5 pts", "▲ +$500,000 (+4.2%)", "▲ +$2,500,000 (+25.0%)",
		"Last 3 months: 102.0% (▲ +1.0 pts on the 3 months before)", "A year before: 96.0% (▲ +1.0 pts)", "▲ +$500,000 (+4.2%) in the last 3 months",
		// ARR at risk and the top three accounts behind it.
		"largest: Big Corp ($400,000)",
		// The forecast, categories in words.
		"Renewal forecast, 2026-Q4", "at risk $300K", "churn expected $200K",
		// Roles, statuses and flags in words.
		"<td>account manager</td>", "<td>senior account manager</td>", "<td>manager</td>", "waiting on the client", "with the director",
		"QBR overdue", "champion changed, success plan at risk",
		// A lapsed renewal is called lapsed; a small sample is marked.
		`<td class="lapsed">lapsed 10 days ago</td>`, "43.0% †", "2 (small)", "from fewer than 5 accounts",
		"▲ over capacity of 10",
		// Escalations by severity and age, past SLA in a glyph and words.
		"<td>critical</td>", "22 days", "▲ past SLA", "7 unresolved escalations", "2 of them past SLA",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, code := range []string{"account_manager", "senior_am", "waiting_client", "with_director", "churn_expected", "qbr-overdue", "in_progress"} {
		if strings.Contains(page, code) {
			t.Errorf("the page shows the code %q, not words", code)
		}
	}
	// Sam Lee's 38-account figures are not marked.
	if regexp.MustCompile(`105\.0% †`).MatchString(page) {
		t.Errorf("a 38-account sample is marked small")
	}
}

// A report with nothing in it (a new database) and one of a past day
// still make a whole page: no chart, a note where the lists would be.
func TestHTMLEmptyAndPast(t *testing.T) {
	empty := portfolio.Report{Currency: "EUR", Escalations: map[string]int{}, RenewalsDue: map[string]portfolio.DueJSON{}}
	page := render(t, empty)
	if n := checkPage(t, page); n != 0 {
		t.Errorf("%d charts in an empty report", n)
	}
	checkSelfContained(t, page)
	for _, want := range []string{"0 renewals within 90 days or lapsed", "0 unresolved escalations", "€0 ARR"} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty report lacks %q", want)
		}
	}
	past := sampleReport()
	past.AsOfSources = &portfolio.AsOfSources{}
	past.NPS, past.NPSResponses, past.CSAT, past.CSATResponses, past.PipelineCents = nil, nil, nil, nil, nil
	past.RenewalForecast = nil
	page = render(t, past)
	checkPage(t, page)
	for _, want := range []string{"a past day", "left out", "not kept for a past day"} {
		if !strings.Contains(page, want) {
			t.Errorf("the past day's report lacks %q", want)
		}
	}
}

// On a shared box of thousands of members the team table keeps the 12
// with the most ARR, in the report's order, and says what the rest hold:
// the report stays a few pages.
func TestHTMLTeamTableKeepsTheLargest(t *testing.T) {
	r := sampleReport()
	r.Members = nil
	for i := 0; i < 40; i++ {
		r.Members = append(r.Members, portfolio.MemberReport{ID: uint64(i + 1), Name: fmt.Sprintf("Member %02d", i),
			Role: "account_manager", Accounts: 2, ARRCents: int64(i) * 1_000_00, CohortAccounts: 9})
	}
	page := render(t, r)
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("Member %02d", i)
		if got, want := strings.Contains(page, name), i >= 28; got != want {
			t.Errorf("%s listed: %v, want %v (the 12 with the most ARR)", name, got, want)
		}
	}
	if strings.Index(page, "Member 28") > strings.Index(page, "Member 39") {
		t.Error("the members shown left the report's order")
	}
	// The 28 left out hold 0+1+...+27 thousand dollars.
	if want := "and 28 more members with 56 accounts and $378,000 ARR"; !strings.Contains(page, want) {
		t.Errorf("the page lacks %q", want)
	}
	if page := render(t, sampleReport()); strings.Contains(page, "more members with") {
		t.Error("a team of a few says some members are left out")
	}
}
