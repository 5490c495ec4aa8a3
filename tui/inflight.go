package tui

import (
	"sync"
	"time"
)

// Inflight counts work in progress that a stopping server waits for (the
// sessions being served, the writes they started). Unlike a
// sync.WaitGroup, work may start while someone waits, and the wait has a
// deadline; once Close is called no new work starts.
type Inflight struct {
	mu     sync.Mutex
	n      int
	closed bool
	zero   chan struct{} // closed when n drops to 0; nil while n is 0
}

// Start counts one more piece of work, unless Close was called.
func (f *Inflight) Start() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	if f.n == 0 {
		f.zero = make(chan struct{})
	}
	f.n++
	return true
}

// Done ends one piece of work Start counted.
func (f *Inflight) Done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 {
		close(f.zero)
		f.zero = nil
	}
}

// Close refuses new work from now on.
func (f *Inflight) Close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

// Wait waits until no work is in progress, or d passes, and reports
// whether none is.
func (f *Inflight) Wait(d time.Duration) bool {
	f.mu.Lock()
	zero := f.zero
	f.mu.Unlock()
	if zero == nil {
		return true
	}
	select {
	case <-zero:
		return true
	case <-time.After(d):
		return false
	}
}
