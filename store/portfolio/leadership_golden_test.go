package portfolio_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden from what the code computes now")

// goldenDemo is the default demo pinned to Monday 2026-11-23, 09:00 UTC,
// with seed 1, in UTC: the same bytes on every machine.
func goldenDemo(t *testing.T) (string, metrics.Date, time.Time) {
	t.Helper()
	saved := time.Local
	time.Local = time.UTC // EndOfDay: the ends of weeks are UTC midnights
	t.Cleanup(func() { time.Local = saved })
	day, now := metrics.NewDate(2026, time.November, 23), time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "demo.db")
	if _, err := demo.Write(path, demo.Options{Seed: 1, Today: day, Now: now}); err != nil {
		t.Fatal(err)
	}
	return path, day, now
}

// checkGolden compares got with testdata/name, or writes it there under
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what the code computes; if the change is meant, rerun with -update and read the diff:\n%s", path, firstLineDiff(string(want), string(got)))
	}
}

func firstLineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + x + "\n  got  " + y
		}
	}
	return ""
}

// TestLeadershipGolden pins the summary sentences and every series of the
// report's trends on the fixed demo (testdata/leadership-demo.golden):
// what the HTML report's charts and the Trends view draw. The figures
// behind them are hand-checked on the test fixture (trends_test.go); this
// keeps a change to any of them from passing unseen.
func TestLeadershipGolden(t *testing.T) {
	path, day, now := goldenDemo(t)
	r, err := portfolio.LoadReportWith(path, store.Options{}, day, now, portfolio.ReportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Summary) < 3 || len(r.Summary) > 5 {
		t.Errorf("%d summary sentences, want 3 to 5", len(r.Summary))
	}
	if b := r.Trends.Bridge; b.StartCents+b.NewCents+b.ExpansionCents-b.ContractionCents-b.ChurnCents != b.EndCents || b.EndCents != r.ARRCents {
		t.Errorf("the bridge %+v does not lead to the ARR %d", b, r.ARRCents)
	}
	if last := r.Trends.ARRMonths[len(r.Trends.ARRMonths)-1]; last.ARRCents != r.ARRCents || last.Accounts != r.Accounts {
		t.Errorf("the last month %+v is not the report's %d accounts, %d", last, r.Accounts, r.ARRCents)
	}
	if last := r.Trends.EscalationWeeks[len(r.Trends.EscalationWeeks)-1]; last.Breached != r.EscalationsBreached {
		t.Errorf("this week's breached escalations %d, the report's %d", last.Breached, r.EscalationsBreached)
	}
	var b bytes.Buffer
	b.WriteString("# The leadership report's summary and series on the default demo (seed 1) of 2026-11-23.\n\n")
	for _, s := range r.Summary {
		b.WriteString(s + "\n")
	}
	b.WriteString("\n")
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Targets      portfolio.Targets         `json:"targets"`
		Comparison   *portfolio.Comparison     `json:"comparison"`
		TopARRAtRisk []portfolio.AtRiskRenewal `json:"top_arr_at_risk"`
		Trends       *portfolio.Trends         `json:"trends"`
	}{r.Targets, r.Comparison, r.TopARRAtRisk, r.Trends}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "leadership-demo.golden", b.Bytes())

	// The Trends view's own read gives the same series.
	p, err := portfolio.Load(path, store.Options{}, day, now)
	if err != nil {
		t.Fatal(err)
	}
	tr := p.Trends(portfolio.Scope{})
	if tr.BandWeeks, err = portfolio.LoadBandWeeks(path, store.Options{}, p, portfolio.Scope{}, portfolio.TrendWeeks); err != nil {
		t.Fatal(err)
	}
	x, _ := json.Marshal(tr)
	y, _ := json.Marshal(r.Trends)
	if !bytes.Equal(x, y) {
		t.Errorf("Portfolio.Trends differs from the report's trends:\n%s\n%s", x, y)
	}
}

// A past day's report rebuilds what the ledger, the snapshots and the
// timelines hold: the trends (band mix up to the snapshot behind its
// bands), the comparison and the largest ARR at risk. The renewals by
// month are left out, as forecast categories are today's word.
func TestLeadershipAsOfPastDay(t *testing.T) {
	path, day, _ := goldenDemo(t)
	past := day.AddDays(-30)
	p, err := portfolio.LoadPast(path, store.Options{}, past)
	if err != nil {
		t.Fatal(err)
	}
	r := p.ReportWith(portfolio.ReportOptions{Period: portfolio.PeriodMonth})
	tr := r.Trends
	if tr == nil || tr.RenewalMonths != nil || len(tr.Quarters) != portfolio.TrendQuarters || len(tr.ARRMonths) != portfolio.TrendMonths {
		t.Fatalf("past trends %+v", tr)
	}
	// The demo keeps 13 weekly snapshots to its day; 30 days earlier, 8
	// of them had been taken.
	if n := len(tr.BandWeeks); n != 8 || tr.BandWeeks[n-1].Week != p.SnapshotWeek.String() {
		t.Errorf("past band weeks end at %v, the snapshot behind the bands is %s", tr.BandWeeks, p.SnapshotWeek)
	}
	last := tr.BandWeeks[len(tr.BandWeeks)-1]
	if last.Green != r.Bands[metrics.Green] || last.Red != r.Bands[metrics.Red] {
		t.Errorf("the last band week %+v is not the report's bands %v", last, r.Bands)
	}
	if b := tr.Bridge; b.EndCents != r.ARRCents || b.End != past || b.StartCents+b.NewCents+b.ExpansionCents-b.ContractionCents-b.ChurnCents != b.EndCents {
		t.Errorf("past bridge %+v, ARR %d", b, r.ARRCents)
	}
	if m := tr.ARRMonths[len(tr.ARRMonths)-1]; m.End != past || m.ARRCents != r.ARRCents {
		t.Errorf("past last month %+v", m)
	}
	if c := r.Comparison; c == nil || c.Period != "month" || c.Current.End != past || c.YearAgo == nil {
		t.Errorf("past comparison %+v", c)
	}
	found := false
	for _, k := range r.CurrentOnly {
		found = found || k == "trends.renewals_by_month"
	}
	if !found {
		t.Errorf("current_only %v lacks trends.renewals_by_month", r.CurrentOnly)
	}
	for _, s := range r.Summary {
		if strings.Contains(s, "due in the rest of") {
			t.Errorf("a past day's summary speaks of today's forecast: %q", s)
		}
	}
	if len(r.Summary) != 4 || len(r.TopARRAtRisk) != 3 {
		t.Errorf("past summary %q, top at risk %d", r.Summary, len(r.TopARRAtRisk))
	}
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"renewals_by_month": null`) {
		t.Error("renewals_by_month is not null in a past day's JSON")
	}
}
