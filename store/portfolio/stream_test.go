package portfolio_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
	"steward/store/storetest"
)

// Load (the dashboard's read) must equal Build over ReadRaw, and the
// streamed report (steward report) the loaded portfolio's report, byte for
// byte, whatever the book holds: escalations without
// an owner, owners who left, accounts without a ledger, days after the
// snapshots stop.
func TestLoadBuildAndStreamAgree(t *testing.T) {
	today, err := metrics.ParseDate("2026-11-18")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 18, 15, 4, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		accounts int
		seed     int64
		edit     func(tx *store.Tx) error
		later    int // days after the demo's day the report is asked for
		period   portfolio.Period
	}{
		{name: "default", accounts: 0, seed: 1},
		{name: "larger", accounts: 3000, seed: 7, period: portfolio.PeriodMonth},
		{name: "week later", accounts: 800, seed: 2, later: 9, period: portfolio.PeriodTrailing12},
		{name: "unowned and departed", accounts: 800, seed: 3, edit: func(tx *store.Tx) error {
			escs, err := tx.Escalations()
			if err != nil {
				return err
			}
			for i := 0; i < len(escs); i += 2 {
				e := escs[i]
				e.OwnerID = 0
				if err := tx.PutEscalation(&e); err != nil {
					return err
				}
			}
			ms, err := tx.Members()
			if err != nil {
				return err
			}
			for i := 1; i < len(ms); i += 3 {
				m := ms[i]
				m.Active = false
				if err := tx.PutMember(&m); err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			if _, err := demo.Write(path, demo.Options{Accounts: tc.accounts, Seed: tc.seed, Today: today, Now: now}); err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				if err := store.Update(path, store.Options{}, tc.edit); err != nil {
					t.Fatal(err)
				}
			}
			asOf, at := today.AddDays(tc.later), now.AddDate(0, 0, tc.later)
			p, err := portfolio.Load(path, store.Options{}, asOf, at)
			if err != nil {
				t.Fatal(err)
			}
			// Load reads straight into the portfolio; Build over ReadRaw is
			// the plain form of the same computation.
			var raw portfolio.Raw
			if err := store.View(path, store.Options{}, func(tx *store.Tx) error {
				var err error
				raw, err = portfolio.ReadRaw(tx, asOf)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if built := portfolio.Build(raw, asOf, at); !reflect.DeepEqual(p, built) {
				for i := range p.Accounts {
					if !reflect.DeepEqual(p.Accounts[i], built.Accounts[i]) {
						t.Fatalf("account %d: Load gives\n%+v\nBuild gives\n%+v", i, p.Accounts[i], built.Accounts[i])
					}
				}
				t.Fatalf("Load and Build(ReadRaw) differ")
			}
			bw, err := portfolio.LoadBandWeeks(path, store.Options{}, p, portfolio.Scope{}, portfolio.TrendWeeks)
			if err != nil {
				t.Fatal(err)
			}
			want := p.ReportWith(portfolio.ReportOptions{Period: tc.period, BandWeeks: bw})
			// The portfolio carries no forecast snapshots: its report gets
			// the closed quarter's from the same calls LoadReport reads.
			if err := store.View(path, store.Options{}, func(tx *store.Tx) error {
				q, err := portfolio.ReadQuarterCalls(tx, portfolio.PrevQuarter(asOf))
				want.ForecastVsActual = p.ForecastVsActual(q)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			got, err := portfolio.LoadReportWith(path, store.Options{}, asOf, at, portfolio.ReportOptions{Period: tc.period})
			if err != nil {
				t.Fatal(err)
			}
			if len(want.AtRisk) == 0 || len(want.Members) == 0 || want.EscalationsBreached == 0 {
				t.Fatalf("the case proves little: %d at risk, %d members, %d breached", len(want.AtRisk), len(want.Members), want.EscalationsBreached)
			}
			if tr := want.Trends; len(tr.BandWeeks) == 0 || len(want.TopARRAtRisk) != 3 || want.Comparison.YearAgo == nil && tc.period != portfolio.PeriodTrailing12 {
				t.Fatalf("the case proves little of the trends: %d band weeks, %d top at risk, comparison %+v", len(tr.BandWeeks), len(want.TopARRAtRisk), want.Comparison)
			}
			if q := want.ForecastVsActual; q == nil || len(q.Variances) == 0 || q.Renewed == q.Renewals {
				t.Fatalf("the case proves little of forecast versus actual: %+v", q)
			}
			var wb, gb bytes.Buffer
			if err := want.WriteJSON(&wb); err != nil {
				t.Fatal(err)
			}
			if err := got.WriteJSON(&gb); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(wb.Bytes(), gb.Bytes()) {
				t.Fatalf("streamed report differs from the loaded one:\n%s", firstDiff(wb.String(), gb.String()))
			}
			// WriteJSON writes the long lists a row at a time; the bytes
			// are those of one indented json.Encoder.
			var eb bytes.Buffer
			enc := json.NewEncoder(&eb)
			enc.SetIndent("", "  ")
			if err := enc.Encode(want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(eb.Bytes(), wb.Bytes()) {
				t.Fatalf("WriteJSON differs from json.Encoder:\n%s", firstDiff(eb.String(), wb.String()))
			}
			empty := portfolio.Report{Bands: want.Bands}
			eb.Reset()
			wb.Reset()
			if err := enc.Encode(empty); err != nil {
				t.Fatal(err)
			}
			if err := empty.WriteJSON(&wb); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(eb.Bytes(), wb.Bytes()) {
				t.Fatalf("WriteJSON of empty lists differs from json.Encoder:\n%s", firstDiff(eb.String(), wb.String()))
			}
		})
	}
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := 0; i < len(al) && i < len(bl); i++ {
		if !bytes.Equal(al[i], bl[i]) {
			return "line " + strconv.Itoa(i+1) + ": want " + string(al[i]) + "\n got " + string(bl[i])
		}
	}
	return "lengths differ"
}

// A damaged account in the middle of the book ends Load and the streamed
// report with an error naming it, and the second goroutine each runs is
// gone when they return.
func TestDamagedAccountStopsBothGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	if _, err := demo.Write(path, demo.Options{Accounts: 3000, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 8)
	binary.BigEndian.PutUint64(id, 1500)
	storetest.PutRaw(t, path, "accounts", id, []byte{0xff, 0x01})
	before := runtime.NumGoroutine()
	now := time.Now().UTC()
	if _, err := portfolio.Load(path, store.Options{}, metrics.DateOf(now), now); err == nil || !strings.Contains(err.Error(), "1500") {
		t.Fatalf("Load of a damaged book: %v", err)
	}
	if _, err := portfolio.LoadReport(path, store.Options{}, metrics.DateOf(now), now); err == nil || !strings.Contains(err.Error(), "1500") {
		t.Fatalf("report of a damaged book: %v", err)
	}
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after", before, runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
