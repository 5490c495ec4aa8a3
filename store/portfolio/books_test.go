package portfolio

import (
	"testing"

	"steward/metrics"
)

// The books keep the renewal horizons in fixed arrays: they must be the
// horizons the formulas use.
func TestBookHorizonsAreTheFormulas(t *testing.T) {
	if len(metrics.DueHorizons) != len(dueHorizons) {
		t.Fatalf("metrics has %d horizons, the books %d", len(metrics.DueHorizons), len(dueHorizons))
	}
	for i, d := range metrics.DueHorizons {
		if dueHorizons[i] != d {
			t.Fatalf("horizon %d: metrics %d, books %d", i, d, dueHorizons[i])
		}
	}
	if len(metrics.Bands) != 4 {
		t.Fatalf("the books count %d bands in arrays of 4", len(metrics.Bands))
	}
}
