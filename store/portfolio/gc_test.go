package portfolio

import (
	"runtime/debug"
	"testing"
)

// TightGC lowers GOGC while operations run and puts it back after, however
// they overlap; a lower setting, or none (off), is left alone.
func TestTightGCRestores(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	gogc := func() int { n := debug.SetGCPercent(-1); debug.SetGCPercent(n); return n }
	a := TightGC()
	if got := gogc(); got != TightGCPercent {
		t.Fatalf("during an operation GOGC = %d", got)
	}
	b := TightGC()
	a()
	if got := gogc(); got != TightGCPercent {
		t.Fatalf("with one operation left GOGC = %d", got)
	}
	b()
	if got := gogc(); got != 100 {
		t.Fatalf("after both GOGC = %d", got)
	}
	for _, low := range []int{10, -1} {
		debug.SetGCPercent(low)
		restore := TightGC()
		if got := gogc(); got != low {
			t.Errorf("GOGC %d became %d", low, got)
		}
		restore()
		if got := gogc(); got != low {
			t.Errorf("GOGC %d came back as %d", low, got)
		}
	}
}
