package portfolio

import (
	"runtime/debug"
	"sync"
)

// TightGCPercent is the collector's GOGC while an operation that holds a
// lot of memory for a moment runs: a dashboard's reload (it builds the new
// portfolio while the old one is on screen), writing the week's snapshot,
// an import's write pass. Each keeps its data live until it ends while
// making short-lived garbage, and Go lets the heap grow to (1 + GOGC/100)
// times the live data before it collects: at the default 100, twice. At
// 33, a third more, for more collections: about 0.2 s more CPU to build a
// 100,000-account portfolio, which is why the first load (and `steward
// report`) runs without it.
const TightGCPercent = 33

var tight struct {
	sync.Mutex
	users int // operations running under TightGC
	saved int // the setting before the first of them
}

// TightGC sets TightGCPercent (unless GOGC asks for less, or for no
// collection at all) and returns what puts the previous setting back.
// Operations that overlap share the setting; the last one out restores it.
func TightGC() (restore func()) {
	tight.Lock()
	defer tight.Unlock()
	if tight.users == 0 {
		tight.saved = debug.SetGCPercent(TightGCPercent)
		if tight.saved < TightGCPercent {
			debug.SetGCPercent(tight.saved)
		}
	}
	tight.users++
	return func() {
		tight.Lock()
		defer tight.Unlock()
		if tight.users--; tight.users == 0 {
			debug.SetGCPercent(tight.saved)
		}
	}
}
