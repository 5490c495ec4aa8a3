package metrics

import (
	"math"
	"testing"
)

func TestAtRisk(t *testing.T) {
	cases := []struct {
		band       Band
		hasRenewal bool
		days       int
		want       bool
	}{
		{Red, false, 0, true},          // red with no renewal date at all
		{Red, true, 400, true},         // red far from renewal
		{Yellow, true, 90, true},       // yellow, renewal on the 90th day
		{Yellow, true, 91, false},      // one day past the window
		{Yellow, true, 0, true},        // renewal today
		{Yellow, true, -12, true},      // renewal overdue
		{Yellow, false, 0, false},      // no renewal date: the 0 days mean nothing
		{Green, true, 5, false},        // green renewing soon is not at risk
		{Unknown, true, 5, false},      // no data is not a risk figure
		{Band("gold"), true, 5, false}, // a band we do not know
	}
	for _, c := range cases {
		if got := AtRisk(c.band, c.hasRenewal, c.days); got != c.want {
			t.Errorf("AtRisk(%s, %v, %d) = %v, want %v", c.band, c.hasRenewal, c.days, got, c.want)
		}
	}
}

// Segment-weighted load, by hand: with the default weights (enterprise 1,
// mid-market 0.33, SMB 0.1), 12 enterprise + 9 mid-market + 40 SMB is
// 12 + 2.97 + 4 = 18.97, which is 94.85% of a capacity of 20 and 126% of
// 15; no capacity is n/a.
func TestLoadOf(t *testing.T) {
	w := DefaultConfig().Load
	var c SegmentCounts
	for range 12 {
		c.Add(Enterprise, 1)
	}
	for range 9 {
		c.Add(MidMarket, 1)
	}
	for range 41 {
		c.Add(SMB, 1)
	}
	c.Add(SMB, -1)
	if got := LoadOf(c, w); math.Abs(got-18.97) > 1e-9 {
		t.Fatalf("load = %v, want 18.97", got)
	}
	for _, tc := range []struct {
		capacity int
		want     float64
		ok       bool
	}{{20, 0.9485, true}, {15, 18.97 / 15, true}, {0, 0, false}} {
		r := LoadShare(18.97, tc.capacity)
		if r.OK != tc.ok || math.Abs(r.V-tc.want) > 1e-9 {
			t.Errorf("LoadShare(18.97, %d) = %+v, want %v %v", tc.capacity, r, tc.want, tc.ok)
		}
	}
	if w.For(Segment("")) != w.MidMarket {
		t.Error("an unknown segment does not weigh as mid-market")
	}
}
