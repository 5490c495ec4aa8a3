package portfolio

import (
	"math/rand"
	"testing"
)

// The index answers as a map would, dense or sparse, and a copy made
// before an ID was added past its length does not see that ID.
func TestIDIndexActsAsAMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, spread := range []uint64{50, 5000, 1 << 40} {
		x := newIDIndex(10, 10)
		want := map[uint64]int{}
		for i := 0; i < 3000; i++ {
			id := uint64(rng.Int63n(int64(spread))) + 1
			x.set(id, i)
			want[id] = i
		}
		for id := uint64(0); id < 6000; id++ {
			got, ok := x.get(id)
			w, wok := want[id]
			if ok != wok || got != w {
				t.Fatalf("spread %d: get(%d) = %d,%v; want %d,%v", spread, id, got, ok, w, wok)
			}
		}
		for id, w := range want {
			if got, ok := x.get(id); !ok || got != w {
				t.Fatalf("spread %d: get(%d) = %d,%v; want %d", spread, id, got, ok, w)
			}
		}
		if spread == 1<<40 && x.sparse == nil {
			t.Fatalf("IDs up to 2^40 kept a dense index of %d", len(x.dense))
		}
		if spread == 50 && x.sparse != nil {
			t.Fatal("dense IDs went to a map")
		}
	}
	parent := newIDIndex(3, 3)
	parent.set(1, 0)
	child := parent
	child.set(100, 1)
	if _, ok := parent.get(100); ok {
		t.Fatal("the parent sees an ID its copy added")
	}
	if got, ok := child.get(1); !ok || got != 0 {
		t.Fatal("the copy lost its parent's IDs")
	}
}
