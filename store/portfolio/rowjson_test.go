package portfolio

import (
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"steward/metrics"
)

// The hand-written rows are byte for byte json.MarshalIndent's, on rows
// with every field set and strings that need escaping.
func TestRowJSONIsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	pieces := []string{"a", "Ünïcødé", "東京", "🚀", "<b>", "&", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f",
		"\u2028", "\u2029", "\xff", "\xe2\x82", "é", " ", "/", "'"}
	str := func() string {
		var s string
		for n := rng.Intn(6); n > 0; n-- {
			s += pieces[rng.Intn(len(pieces))]
		}
		return s
	}
	floats := []float64{0, 1, -1, 0.5, 1.0788841465253753, 1e-7, 3.2e-9, 1e21, 123456789e15, -4.5e-8, math.SmallestNonzeroFloat64, 100, 31.510840817058412}
	flt := func() *float64 {
		if rng.Intn(4) == 0 {
			return nil
		}
		v := floats[rng.Intn(len(floats))]
		return &v
	}
	bands := func() map[metrics.Band]int {
		switch rng.Intn(5) {
		case 0:
			return nil
		case 1:
			return map[metrics.Band]int{}
		}
		return map[metrics.Band]int{metrics.Red: rng.Intn(9), metrics.Green: rng.Intn(99), metrics.Yellow: -rng.Intn(3), metrics.Unknown: 0, metrics.Band(str()): 1}
	}
	for i := 0; i < 2000; i++ {
		m := MemberReport{ID: rng.Uint64() >> uint(rng.Intn(64)), Name: str(), Email: str(), Role: str(), Accounts: rng.Intn(1000) - 5,
			Capacity: rng.Intn(100), OverCapacity: rng.Intn(2) == 0, ARRCents: rng.Int63() - rng.Int63(), NRR: flt(), GRR: flt(),
			Bands: bands(), OpenEscalations: rng.Intn(20), RenewalsDue90: rng.Intn(20), RenewalsDue90ARR: rng.Int63(), CSAT: flt(), NPS: flt()}
		if rng.Intn(3) > 0 {
			m.StaleData = &StaleFigures{Accounts: rng.Intn(500), ARRCents: rng.Int63() - rng.Int63()}
		}
		var score *int
		if rng.Intn(3) > 0 {
			s := rng.Intn(101)
			score = &s
		}
		var flags []string
		switch rng.Intn(3) {
		case 1:
			flags = []string{}
		case 2:
			flags = []string{str(), "renewal-risk", str()}
		}
		a := AtRiskRenewal{AccountID: rng.Uint64(), Account: str(), ExternalID: str(), Owner: str(), ARRCents: rng.Int63(),
			RenewalDate: metrics.Date(rng.Intn(30000) * rng.Intn(2)), DaysLeft: rng.Intn(200) - 100, Score: score, Band: metrics.Band(str()), Flags: flags}
		for _, tc := range []struct {
			v     any
			write func(w *rowJSON)
		}{
			{&m, func(w *rowJSON) { w.member(&m) }},
			{&a, func(w *rowJSON) { w.atRisk(&a) }},
		} {
			want, err := json.MarshalIndent(tc.v, "    ", "  ")
			if err != nil {
				t.Fatal(err)
			}
			var w rowJSON
			tc.write(&w)
			if string(w.b) != string(want) {
				t.Fatalf("row %d:\nhand:\n%s\nencoding/json:\n%s", i, w.b, want)
			}
		}
	}
}
