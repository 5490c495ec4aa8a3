package metrics

import "testing"

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
