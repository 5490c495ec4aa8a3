package store

import (
	"testing"
	"time"
)

// Prefault only maps memory: contents stay zero and writable, whatever the
// slice's size, element type or alignment, and the slice may be written
// while the kernel maps it.
func TestPrefaultLeavesMemoryAsItWas(t *testing.T) {
	type row struct {
		a [3]int64
		b byte
	}
	Prefault([]byte(nil))
	Prefault(make([]byte, 10))
	big := make([]row, 0, 200_000)
	Prefault(big)
	for i := 0; i < cap(big); i++ {
		big = append(big, row{b: byte(i)})
	}
	odd := make([]byte, 3<<20+123)[7:]
	Prefault(odd)
	time.Sleep(20 * time.Millisecond)
	for i, c := range odd {
		if c != 0 {
			t.Fatalf("byte %d is %d after Prefault", i, c)
		}
	}
	for i := range big {
		if big[i].b != byte(i) || big[i].a != [3]int64{} {
			t.Fatalf("row %d is %+v", i, big[i])
		}
	}
}
