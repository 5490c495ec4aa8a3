package portfolio

import (
	"math/rand/v2"
	"testing"

	"steward/metrics"
)

// ofFrom answers as of does, whatever order it is asked in.
func TestPlanIndexLookups(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m := map[uint64]metrics.PlanSummary{}
	for i := 0; i < 300; i++ {
		m[uint64(r.IntN(2000)+1)] = metrics.PlanSummary{FirstDue: metrics.Date(r.IntN(100) + 1)}
	}
	x := plansFrom(m)
	at := 0
	for round := 0; round < 3; round++ {
		for id := uint64(0); id < 2100; id++ {
			q := id
			if round == 2 {
				q = uint64(r.IntN(2100)) // out of order
			}
			if got, want := x.ofFrom(&at, q), m[q]; got != want {
				t.Fatalf("round %d: ofFrom(%d) = %+v, want %+v", round, q, got, want)
			}
			if got := x.of(q); got != m[q] {
				t.Fatalf("of(%d) = %+v", q, got)
			}
		}
	}
	// with replaces, adds and removes.
	y := x.with([]uint64{x[0].id, 5000, x[1].id}, map[uint64]metrics.PlanSummary{
		x[0].id: {AtRiskObjective: true}, 5000: {FirstDue: 7},
	})
	if y.of(x[0].id) != (metrics.PlanSummary{AtRiskObjective: true}) || y.of(5000).FirstDue != 7 || y.of(x[1].id) != (metrics.PlanSummary{}) ||
		len(y) != len(x) || x.of(5000) != (metrics.PlanSummary{}) {
		t.Errorf("with: %v", y[:3])
	}
}
