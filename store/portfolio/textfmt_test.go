package portfolio

import (
	"testing"

	"steward/metrics"
)

func TestSparkline(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		in   []*float64
		want string
	}{
		{[]*float64{f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(8)}, "▁▂▃▄▅▆▇█"},
		{[]*float64{f(0.9), nil, f(1.1)}, "▁·█"},
		{[]*float64{f(1), f(1)}, "▄▄"}, // flat: the middle
		{[]*float64{nil, nil}, "··"},
		{[]*float64{f(0), f(0.5), f(1)}, "▁▅█"}, // 3.5 rounds up
		{nil, ""},
	} {
		if got := Sparkline(tc.in); got != tc.want {
			t.Errorf("Sparkline = %q, want %q", got, tc.want)
		}
	}
	if got := SparklineInts([]int64{10, 0, 5}); got != "█▁▅" {
		t.Errorf("SparklineInts = %q", got)
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string]string{"manager": "manager", "senior_am": "senior account manager", "account_manager": "account manager", "coordinator": "coordinator"} {
		if got := RoleName(in); got != want {
			t.Errorf("RoleName(%s) = %q", in, got)
		}
	}
	for in, want := range map[string]string{"open": "open", "in_progress": "in progress", "waiting_client": "waiting on the client", "with_director": "with the director"} {
		if got := StatusName(in); got != want {
			t.Errorf("StatusName(%s) = %q", in, got)
		}
	}
	if got := CategoryName(metrics.ChurnExpected); got != "churn expected" {
		t.Errorf("CategoryName = %q", got)
	}
	below, target := 0.9, 0.95
	if !BelowTarget(&below, &target) || BelowTarget(&target, &target) || BelowTarget(nil, &target) || BelowTarget(&below, nil) {
		t.Error("BelowTarget")
	}
}
