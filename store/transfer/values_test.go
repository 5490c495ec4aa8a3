package transfer

import (
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

func TestParseAmount(t *testing.T) {
	ok := []struct {
		in   string
		want int64
	}{
		{"$12,500.00", 12_500_00}, {"12500", 12_500_00}, {"12.5k", 12_500_00}, {"12.5K", 12_500_00}, {"1.2M", 1_200_000_00},
		{"1.2mm", 1_200_000_00}, {"2bn", 2_000_000_000_00}, {"0", 0}, {"0.00", 0}, {"-0", 0}, {".5", 50}, {"7.", 700},
		{"12500.5", 12_500_50}, {"1,234,567.89", 1_234_567_89}, {" USD 900 ", 900_00}, {"900 USD", 900_00}, {"€1,000", 1_000_00},
		{"£5", 5_00}, {"US$3.25", 3_25}, {"1.23456k", 1_234_56}, {"+15", 15_00}, {"00012", 12_00},
	}
	for _, c := range ok {
		got, err := ParseAmount(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, want string }{
		{"abc", "not an amount"}, {"", "not an amount"}, {"-5", "negative"}, {"(1,000)", "negative"}, {"$-12", "negative"},
		{"12,5", "not an amount"}, {"1,23,456", "not an amount"}, {"12.345", "two decimal places"}, {"1.234567k", "two decimal places"},
		{"1e5", "not an amount"}, {"12%", "not an amount"}, {"1.2.3", "not an amount"}, {"99999999999999999999", "too large"},
		{"9999999999999b", "too large"}, {"k", "not an amount"}, {"$", "not an amount"}, {"12 500", "not an amount"},
	}
	for _, c := range bad {
		if got, err := ParseAmount(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseAmount(%q) = %d, %v; want an error with %q", c.in, got, err, c.want)
		}
	}
	for _, c := range []int64{0, 1, 99, 12_500_00, 45_500_50, 1_000_000_000_00} {
		if got, err := ParseAmount(formatCents(c)); err != nil || got != c {
			t.Errorf("formatCents(%d) = %q reads back as %d, %v", c, formatCents(c), got, err)
		}
	}
}

func TestDates(t *testing.T) {
	cases := []struct {
		format, in string
		want       string // YYYY-MM-DD, or "!" + part of the error
	}{
		{"", "2026-03-01", "2026-03-01"},
		{"", "2026-03-01T23:30:00-05:00", "2026-03-01"}, // the date as written
		{"", "2026-03-01 10:00", "2026-03-01"},
		{"", "2026-02-30", "!not a real calendar date"},
		{"", "2026-13-01", "!not a real calendar date"},
		{"", "3/1/2026", "!--date-format"},
		{"", "2026/03/01", "!--date-format"},
		{"", "2026-03-01x", "!--date-format"},
		{"m/d/yyyy", "3/1/2026", "2026-03-01"},
		{"m/d/yyyy", "03/01/2026", "2026-03-01"},
		{"m/d/yyyy", "12/31/2026 11:59 PM", "2026-12-31"},
		{"m/d/yyyy", "2026-03-01", "2026-03-01"}, // ISO always works
		{"m/d/yyyy", "13/45/2026", "!not a real calendar date"},
		{"m/d/yyyy", "2/29/2026", "!not a real calendar date"},
		{"m/d/yyyy", "2/29/2028", "2028-02-29"},
		{"m/d/yyyy", "3-1-2026", "!--date-format layout m/d/yyyy"},
		{"m/d/yyyy", "3/1/26", "!--date-format layout"},
		{"d/m/yyyy", "3/1/2026", "2026-01-03"},
		{"d/m/yyyy", "31/12/2026", "2026-12-31"},
		{"dd.mm.yyyy", "01.03.2026", "2026-03-01"},
		{"dd.mm.yyyy", "30.02.2026", "!not a real calendar date"},
		{"yyyy/mm/dd", "2026/03/01", "2026-03-01"},
		{"01/02/2006", "03/01/2026", "2026-03-01"},
		{"01/02/2006", "02/30/2026", "!not a real calendar date"},
	}
	for _, c := range cases {
		d, err := newDates(c.format)
		if err != nil {
			t.Fatalf("newDates(%q): %v", c.format, err)
		}
		got, err := d.date(c.in)
		if strings.HasPrefix(c.want, "!") {
			if err == nil || !strings.Contains(err.Error(), c.want[1:]) {
				t.Errorf("%q with %q = %v, %v; want an error with %q", c.in, c.format, got, err, c.want[1:])
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("%q with %q = %v, %v; want %s", c.in, c.format, got, err, c.want)
		}
	}
	for _, bad := range []string{"m/d/yy", "mm/dd", "mmm d yyyy", "m/m/yyyy", "mdyyyy", "month/d/yyyy"} {
		if _, err := newDates(bad); err == nil {
			t.Errorf("newDates(%q) accepted", bad)
		}
	}
}

func TestInstants(t *testing.T) {
	iso, _ := newDates("")
	us, _ := newDates("m/d/yyyy")
	cases := []struct {
		d    *dates
		in   string
		want time.Time
	}{
		{iso, "2026-03-01T10:30:00Z", time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)},
		{iso, "2026-03-01T10:30:00.123456789+02:00", time.Date(2026, 3, 1, 8, 30, 0, 123456789, time.UTC)},
		{iso, "2026-03-01 10:30", time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)},
		{iso, "2026-03-01", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{us, "3/1/2026 9:05 PM", time.Date(2026, 3, 1, 21, 5, 0, 0, time.UTC)},
		{us, "3/1/2026 12:00 AM", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		got, err := c.d.instant(c.in)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("instant(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"3/1/2026", "2026-03-01 25:00", "2026-02-30T10:00:00Z", "yesterday"} {
		if got, err := iso.instant(bad); err == nil {
			t.Errorf("instant(%q) = %v, want an error", bad, got)
		}
	}
}

func TestHeaderAliases(t *testing.T) {
	cases := []struct {
		kind   Kind
		header string
		field  string // "" = ignored
	}{
		{Accounts, "Account Name", fName}, {Accounts, "Name", fName}, {Accounts, "account_name", fName}, {Accounts, "ACCOUNT-NAME", fName},
		{Accounts, "Account ID", fExt}, {Accounts, "Id", fExt}, {Accounts, "External ID", fExt}, {Accounts, "account_id", fExt},
		{Accounts, "Account Owner", fOwner}, {Accounts, "Owner", fOwner}, {Accounts, "Owner Email", fOwnerEmail},
		{Accounts, "ARR", fARR}, {Accounts, "Annual Recurring Revenue", fARR}, {Accounts, "arr_amount", fARR},
		{Accounts, "Annual Revenue", ""}, {Accounts, "AnnualRevenue", ""},
		{Accounts, "MRR", fMRR}, {Accounts, "mrr_amount", fMRR},
		{Accounts, "Renewal Date", fRenewal}, {Accounts, "Contract End Date", fRenewal}, {Accounts, "end_date", fRenewal},
		{Accounts, "Seats", fSeats}, {Accounts, "Licenses", fSeats}, {Accounts, "Active Users", fActiveUsers},
		{Accounts, "Tickets (30d)", fTickets}, {Accounts, "Open Critical Tickets", fCritical}, {Accounts, "Champion Changed", fChampionChanged},
		{Accounts, "NPS", fNPS}, {Accounts, "CSAT", fCSAT}, {Accounts, "Segment", fSegment}, {Accounts, "Tier", fPlan},
		{Accounts, "Last Activity", fLastTouch}, {Accounts, "Last Touch", fLastTouch}, {Accounts, "Last QBR", fLastQBR},
		{Accounts, "Type", ""}, {Accounts, "Industry", ""},
		{Members, "Full Name", fName}, {Members, "E-mail", fEmail}, {Members, "Last 1:1", fOneOnOne}, {Members, "Max Accounts", fCapacity},
		{Escalations, "Subject", fTitle}, {Escalations, "Priority", fSeverity}, {Escalations, "Assignee", fOwner}, {Escalations, "Id", fEscID},
		{Activities, "Type", fKind}, {Activities, "Notes", fText}, {Activities, "Date", fAt},
	}
	for _, c := range cases {
		if f, _ := resolve(c.kind, c.header); f != c.field {
			t.Errorf("%s header %q means %q, want %q", c.kind, c.header, f, c.field)
		}
	}
	for _, c := range []struct {
		headers []string
		want    Kind
	}{
		{[]string{"Account ID", "Account Name", "Account Owner", "ARR", "Renewal Date", "Type", "Industry"}, Accounts},
		{[]string{"Account ID", "Account Name"}, Accounts},
		{[]string{"Name", "Email", "Role"}, Members},
		{[]string{"Account", "Subject", "Priority"}, Escalations},
		{[]string{"Account ID", "Date", "Type", "Notes"}, Activities},
	} {
		if got, err := detectKind(c.headers); err != nil || got != c.want {
			t.Errorf("detectKind(%q) = %q, %v; want %s", c.headers, got, err, c.want)
		}
	}
}

func TestEnumerations(t *testing.T) {
	for in, want := range map[string]metrics.Segment{"Enterprise": metrics.Enterprise, "Mid-Market": metrics.MidMarket, "Mid Market": metrics.MidMarket,
		"mid_market": metrics.MidMarket, "SMB": metrics.SMB, "Small Business": metrics.SMB, "smb": metrics.SMB} {
		if got, err := parseSegment(in); err != nil || got != want {
			t.Errorf("parseSegment(%q) = %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]store.Role{"Account Manager": store.RoleAccountManager, "CSM": store.RoleAccountManager,
		"Senior AM": store.RoleSeniorAM, "senior_am": store.RoleSeniorAM, "Team Lead": store.RoleManager, "coordinator": store.RoleCoordinator} {
		if got, err := parseRole(in); err != nil || got != want {
			t.Errorf("parseRole(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := parseRole("Wizard"); err == nil {
		t.Error("parseRole accepted Wizard")
	}
}

func TestCSVSafeIsInvertible(t *testing.T) {
	for _, s := range []string{"", "plain", "=1+1", "+1", "-5", "@SUM", "\tx", "\rx", "'=x", "''=x", "'plain", "'", "''", "=", "a=b"} {
		e := portfolio.CSVSafe(s)
		if e != "" && portfolio.IsFormulaStart(e[0]) {
			t.Errorf("portfolio.CSVSafe(%q) = %q still starts a formula", s, e)
		}
		if got := unescapeCell(e); got != s {
			t.Errorf("unescapeCell(portfolio.CSVSafe(%q)) = %q", s, got)
		}
	}
}
