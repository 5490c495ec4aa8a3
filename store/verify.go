package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
)

// This file is a validator of the bbolt file format, written from bbolt
// v1.4.3's own definitions (internal/common/page.go, bucket.go, meta.go,
// internal/freelist/shared.go and tx_check.go). It exists because bbolt
// trusts its file: a flipped bit in a page header or an element offset
// makes it read outside the page, panic, fault through the memory map
// (SIGSEGV/SIGBUS, which no recover catches) or, inside Tx.Check, panic on
// a goroutine of its own. So no steward process lets bbolt near a file
// before this walk has checked every page reference bbolt will follow: a
// reader before it reads (the cheap "shape" walk, see verifyShape), a writer
// before its first write and `steward check` before bbolt's Check (the full
// walk). The walk reads through a read-only mapping of its own with
// debug.SetPanicOnFault on, and bounds-checks every offset before using it,
// so no access can kill the process: a fault or a slip becomes "page-level
// damage". It runs under the file lock the caller holds (shared for reads,
// exclusive for writes), so a concurrent commit is never mistaken for damage.

// bbolt's on-disk constants (internal/common/page.go, bucket.go).
const (
	pageHeaderSize   = 16 // id uint64, flags uint16, count uint16, overflow uint32
	branchElemSize   = 16 // pos uint32, ksize uint32, pgid uint64
	leafElemSize     = 16 // flags uint32, pos uint32, ksize uint32, vsize uint32
	bucketHeaderSize = 16 // root pgid uint64, sequence uint64

	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	bucketLeafFlag   = 0x01

	pgidNoFreelist = ^uint64(0)
	maxTreeDepth   = 64 // a B+tree of 2^64 keys is shallower than this
)

// maxProblems bounds a report: past it the file is plainly damaged and a
// longer list helps nobody.
const maxProblems = 50

// errStopWalk unwinds the walk once enough problems are known.
var errStopWalk = errors.New("enough problems")

// bitset marks page ids below the high-water mark.
type bitset []uint64

func newBitset(n uint64) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) has(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i uint64)      { b[i/64] |= 1 << (i % 64) }

// kvEvent is what the walk finds inside steward's buckets, in key order,
// for the record checks (records_verify.go), which ride on the same single
// pass on a second goroutine: the walk is bound by touching pages, the
// checks by decoding, and the machine has two cores.
type kvEvent struct {
	koff, voff uint64 // where k and v start in the map (which outlives both goroutines); voff is the counter for evBucket
	klen, vlen uint32
	kind       eventKind
}

type eventKind uint8

const (
	evLeaf   eventKind = iota // k: a leaf page of the current top-level bucket, checked; vlen: its element count
	evBucket                  // k: a top-level bucket starts; seq: its ID counter
	evNested                  // k: the top-level bucket holds a bucket v, which steward never makes
)

// eventBatch is how many events travel together: one channel operation
// per few pages rather than per record.
const eventBatch = 2048

// walker is one walk over a mapped file.
type walker struct {
	data     []byte // the file up to the high-water mark, mapped (full walks)
	f        *os.File
	hdrs     []byte            // shape walks: every page's 16-byte header, read in one sequential pass
	bodies   map[uint64][]byte // shape walks: the branch pages, read in the same pass
	ps       uint64            // page size
	hwm      uint64            // pages in use: ids 0..hwm-1
	reached  bitset            // pages the tree or the freelist uses
	free     bitset            // pages the freelist lists
	shape    bool              // only what a reader needs (see verifyShape)
	problems []string
	records  bool           // feed the record checks
	batch    []kvEvent      // events not yet sent
	events   chan []kvEvent // to the record checks
	mapped   heldMap        // the pieces of the mapping read since they were handed back
}

// verifyHeld is how much of its mapping a full walk, and the record
// checks reading a little behind it, hold before they hand the whole
// mapping back (MADV_DONTNEED; see heldMap): the file's pages stay in the
// page cache but no longer count in this process's resident memory, and a
// page read again is mapped again from the cache (a minor fault). Linux
// maps a whole 2 MB folio on a fault, so the budget is counted in 2 MB
// pieces, not pages: 48 MB keeps an import at 100,000 accounts near 160 MB
// (its target is 200) and costs the walk about a tenth of its time.
const verifyHeld = 24 * mapPiece

// emit queues an event whose k and v are slices of w.data.
func (w *walker) emit(kind eventKind, k, v []byte, seq uint64) {
	e := kvEvent{kind: kind, koff: uint64(cap(w.data) - cap(k)), klen: uint32(len(k)), voff: seq}
	if kind == evNested {
		e.voff, e.vlen = uint64(cap(w.data)-cap(v)), uint32(len(v))
	}
	w.batch = append(w.batch, e)
	if len(w.batch) == eventBatch {
		w.events <- w.batch
		w.batch = make([]kvEvent, 0, eventBatch)
	}
}

func (w *walker) problem(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
	if len(w.problems) >= maxProblems {
		panic(errStopWalk)
	}
}

// verifyMode says how much of the file a walk checks.
type verifyMode int

const (
	// verifyShape checks what bbolt follows while reading: the meta page,
	// every branch page and its child references, the root bucket's pages
	// and every bucket root. A tree that passes is a tree (no page reached
	// twice, so no cycle), so a read of it always ends; what a garbled leaf
	// can still do to a reader (panic, or fault through the map) is caught
	// by the transaction guard. It touches one header per leaf page: a few
	// milliseconds at 100,000 accounts.
	verifyShape verifyMode = iota
	// verifyPages checks every page, element and key of the file, as
	// bbolt's Tx.Check does and more (element bounds, inline buckets, the
	// freelist's own ids), and every page is either in use or free.
	verifyPages
	// verifyRecords is verifyPages plus every steward record decoded and
	// every index cross-checked (records_verify.go).
	verifyRecords
)

// verifyRuns counts full verifications, for the test that a process
// verifies a file once per state.
var verifyRuns struct {
	sync.Mutex
	n int
}

// verifyResult is what a walk found.
type verifyResult struct {
	problems []string       // in file order; none: the file passed
	shapeOK  bool           // a reader may read it (see verifyShape)
	counts   map[string]int // records per bucket (verifyRecords)
	schema   uint32         // meta/schema_version (verifyRecords)
}

// verifyFile walks the file open as f (the caller holds its lock) whose
// newest valid meta page is m.
func verifyFile(f *os.File, m *metaInfo, mode verifyMode) verifyResult {
	if mode == verifyRecords {
		verifyRuns.Lock()
		verifyRuns.n++
		verifyRuns.Unlock()
	}
	res := walkFile(f, m, mode)
	res.shapeOK = len(res.problems) == 0
	if !res.shapeOK && mode != verifyShape {
		// Is it still safe to read? The shape walk says.
		res.shapeOK = len(walkFile(f, m, verifyShape).problems) == 0
	}
	return res
}

func walkFile(f *os.File, m *metaInfo, mode verifyMode) (res verifyResult) {
	st, err := f.Stat()
	if err != nil {
		res.problems = []string{fmt.Sprintf("cannot read the file: %v", err)}
		return res
	}
	ps, hwm := uint64(m.pageSize), m.pgid
	size := hwm * ps
	if hwm < 2 || size/ps != hwm || size > uint64(st.Size()) {
		res.problems = []string{fmt.Sprintf("the header needs %d pages of %d bytes but the file is %d bytes: truncated", hwm, ps, st.Size())}
		return res
	}
	w := &walker{f: f, ps: ps, hwm: hwm, reached: newBitset(hwm), free: newBitset(hwm), shape: mode == verifyShape}
	var data []byte
	if w.shape {
		// A shape walk needs every page's header but few pages' contents:
		// one sequential pass of large reads costs a third of touching
		// every page of a mapping (a page fault each).
		if err := w.scan(); err != nil {
			res.problems = []string{fmt.Sprintf("cannot read the file: %v", err)}
			return res
		}
	} else {
		data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			res.problems = []string{fmt.Sprintf("cannot map the file: %v", err)}
			return res
		}
		defer syscall.Munmap(data)
		w.data = data
		w.mapped.budget = verifyHeld / mapPiece
	}
	var rv *recordVerifier
	var checked chan struct{}
	if mode == verifyRecords {
		rv = newRecordVerifier()
		w.records, w.events, w.batch = true, make(chan []kvEvent, 4), make([]kvEvent, 0, eventBatch)
		checked = make(chan struct{})
		go func() {
			defer close(checked)
			rv.consume(data, w.events)
		}()
	}
	func() {
		// A fault through the map (the file shrank under us, or a bug in a
		// bound below) is a runtime panic here, not a dead process.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil && r != errStopWalk {
				w.problems = append(w.problems, fmt.Sprintf("page-level damage (%v)", r))
			}
		}()
		defer func() {
			if w.events != nil {
				w.events <- w.batch
				close(w.events)
			}
		}()
		w.walk(m)
	}()
	res.problems = w.problems
	if rv != nil {
		<-checked
		for _, p := range rv.problems {
			if len(res.problems) < maxProblems {
				res.problems = append(res.problems, p)
			}
		}
		res.counts, res.schema = rv.counts, rv.schema
	}
	return res
}

func (w *walker) walk(m *metaInfo) {
	if !w.shape && m.freelist != pgidNoFreelist {
		w.freelist(m.freelist)
	}
	w.reached.set(0)
	w.reached.set(1)
	// The root bucket holds only buckets; it is never inline.
	root, ok := w.page(m.root, "the root bucket", false)
	if !ok {
		return
	}
	w.node(root, nil, nil, nil, nil, 0)
	if w.shape {
		return
	}
	// As bbolt's Check: every page below the high-water mark is in use or
	// free, else space leaks or a page was lost.
	var lost uint64
	first := uint64(0)
	for id := uint64(2); id < w.hwm; id++ {
		if !w.reached.has(id) && !w.free.has(id) {
			if lost == 0 {
				first = id
			}
			lost++
		}
	}
	if lost > 0 {
		w.problem("%d page(s) are neither in use nor free (the first is page %d)", lost, first)
	}
}

// freelist reads the freelist page(s) at id: a page header whose count is
// the number of ids, or 0xFFFF with the real count in the first uint64.
func (w *walker) freelist(id uint64) {
	ref, ok := w.page(id, "the freelist", true)
	if !ok {
		return
	}
	if ref.flags != freelistPageFlag {
		w.problem("page %d: the meta page says it is the freelist, but it is a %s page", id, pageKind(ref.flags))
		return
	}
	p := w.body(ref)
	n := uint64(binary.LittleEndian.Uint16(p[10:]))
	start := uint64(pageHeaderSize)
	if n == 0xFFFF {
		if len(p) < pageHeaderSize+8 {
			w.problem("page %d: freelist too short", id)
			return
		}
		n = binary.LittleEndian.Uint64(p[pageHeaderSize:])
		start += 8
	}
	if n > uint64(len(p)) || start+n*8 > uint64(len(p)) {
		w.problem("page %d: the freelist claims %d ids, more than its pages hold", id, n)
		return
	}
	for i := uint64(0); i < n; i++ {
		free := binary.LittleEndian.Uint64(p[start+i*8:])
		switch {
		case free < 2 || free >= w.hwm:
			w.problem("page %d: the freelist lists page %d, outside the file's %d pages", id, free, w.hwm)
		case w.free.has(free):
			w.problem("page %d: the freelist lists page %d twice", id, free)
		case free >= id && free <= id+uint64(len(p))/w.ps-1:
			w.problem("page %d: the freelist lists its own page %d", id, free)
		default:
			w.free.set(free)
		}
	}
}

// pageRef is a page the walk reached: its header's fields.
type pageRef struct {
	id     uint64 // 0: an inline page
	flags  uint16
	count  uint64
	npages uint64 // the page and its overflow pages
}

// header is page id's 16-byte header.
func (w *walker) header(id uint64) []byte {
	if w.data != nil {
		return w.data[id*w.ps : id*w.ps+pageHeaderSize]
	}
	return w.hdrs[id*pageHeaderSize : (id+1)*pageHeaderSize]
}

// body is the page's bytes, overflow pages included.
func (w *walker) body(r pageRef) []byte {
	if w.data != nil {
		return w.data[r.id*w.ps : (r.id+r.npages)*w.ps]
	}
	if b, ok := w.bodies[r.id]; ok {
		return b
	}
	b := make([]byte, r.npages*w.ps)
	if _, err := w.f.ReadAt(b, int64(r.id*w.ps)); err != nil {
		panic(fmt.Errorf("reading page %d: %w", r.id, err))
	}
	return b
}

// scan reads the file once, front to back, in large reads, keeping every
// page's header and a copy of every page that says it is a branch page.
func (w *walker) scan() error {
	const chunk = 256 // pages per read
	w.hdrs = make([]byte, w.hwm*pageHeaderSize)
	w.bodies = map[uint64][]byte{}
	buf := make([]byte, chunk*w.ps)
	le := binary.LittleEndian
	for start := uint64(0); start < w.hwm; start += chunk {
		n := min(chunk, w.hwm-start)
		if _, err := w.f.ReadAt(buf[:n*w.ps], int64(start*w.ps)); err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			p, id := buf[i*w.ps:(i+1)*w.ps], start+i
			copy(w.hdrs[id*pageHeaderSize:], p[:pageHeaderSize])
			if le.Uint64(p) != id || le.Uint16(p[8:]) != branchPageFlag {
				continue
			}
			if over := uint64(le.Uint32(p[12:])); over == 0 {
				w.bodies[id] = bytes.Clone(p)
			} else if i+over < n {
				w.bodies[id] = bytes.Clone(buf[i*w.ps : (i+over+1)*w.ps])
			} // else read when reached (body)
		}
	}
	return nil
}

// page checks that page id lies inside the file, says it is page id, is of
// an expected kind (a branch or leaf page, unless any), and is reached for
// the first time, and marks it and its overflow pages reached.
func (w *walker) page(id uint64, what string, any bool) (pageRef, bool) {
	if id < 2 || id >= w.hwm {
		w.problem("%s points at page %d, outside the file's pages 2-%d", what, id, w.hwm-1)
		return pageRef{}, false
	}
	if w.data != nil {
		if w.mapped.hold(uintptr(id * w.ps)) {
			// The whole mapping goes back: the record checks read it
			// too, a little behind the walk.
			_ = syscall.Madvise(w.data, syscall.MADV_DONTNEED)
			w.mapped.reset()
		}
	}
	h := w.header(id)
	le := binary.LittleEndian
	if got := le.Uint64(h); got != id {
		w.problem("page %d (%s): its header says it is page %d", id, what, got)
		return pageRef{}, false
	}
	flags := le.Uint16(h[8:])
	if !any && flags != branchPageFlag && flags != leafPageFlag {
		w.problem("page %d (%s): expected a branch or leaf page, found a %s page", id, what, pageKind(flags))
		return pageRef{}, false
	}
	overflow := uint64(le.Uint32(h[12:]))
	end := id + overflow // last page of this one
	if end >= w.hwm {
		w.problem("page %d (%s): its %d overflow pages run past the file's %d pages", id, what, overflow, w.hwm)
		return pageRef{}, false
	}
	for p := id; p <= end; p++ {
		if w.reached.has(p) {
			w.problem("page %d (%s): reached twice in the tree", p, what)
			return pageRef{}, false
		}
		if w.free.has(p) {
			w.problem("page %d (%s): in use but listed as free", p, what)
			return pageRef{}, false
		}
		w.reached.set(p)
	}
	return pageRef{id: id, flags: flags, count: uint64(le.Uint16(h[10:])), npages: overflow + 1}, true
}

func pageKind(flags uint16) string {
	switch flags {
	case branchPageFlag:
		return "branch"
	case leafPageFlag:
		return "leaf"
	case metaPageFlag:
		return "meta"
	case freelistPageFlag:
		return "freelist"
	}
	return fmt.Sprintf("unknown (flags %#x)", flags)
}

// bucketCtx is where in the bucket tree a page sits.
type bucketCtx struct {
	name  []byte // the top-level bucket's name; nil for the root bucket
	depth int    // 0 root bucket, 1 top-level bucket, 2+ nested
}

// node checks one branch or leaf page r of the bucket b (p: its bytes when
// the caller has them, an inline page), whose keys must lie in [lo, hi)
// (nil: unbounded).
func (w *walker) node(r pageRef, p []byte, b *bucketCtx, lo, hi []byte, depth int) {
	id, flags, count := r.id, r.flags, r.count
	wherePage := func() string {
		if id == 0 {
			return "the inline bucket " + showKey(b.name)
		}
		return fmt.Sprintf("page %d", id)
	}
	if depth > maxTreeDepth {
		w.problem("%s: the tree is more than %d levels deep", wherePage(), maxTreeDepth)
		return
	}
	le := binary.LittleEndian
	esize := uint64(leafElemSize)
	if flags == branchPageFlag {
		esize = branchElemSize
	}
	size := r.npages * w.ps
	if p != nil {
		size = uint64(len(p))
	}
	if pageHeaderSize+count*esize > size {
		w.problem("%s: %d elements do not fit in its %d bytes", wherePage(), count, size)
		return
	}
	// In a shape walk the leaves of data buckets are left to the reader's
	// guard: nothing in them points at another page that a read follows.
	if w.shape && flags == leafPageFlag && b != nil && b.depth >= 1 {
		return
	}
	if p == nil {
		p = w.body(r)
	}
	where := wherePage()
	var prev []byte
	key := func(i uint64, pos, ksize uint32, extra uint64) ([]byte, []byte, bool) {
		e := pageHeaderSize + i*esize
		ks := e + uint64(pos)
		ke := ks + uint64(ksize)
		ve := ke + extra
		if ve > uint64(len(p)) {
			w.problem("%s: element %d runs past the end of the page", where, i)
			return nil, nil, false
		}
		k := p[ks:ke]
		switch {
		case len(k) == 0:
			w.problem("%s: element %d has an empty key", where, i)
			return nil, nil, false
		case prev != nil && bytes.Compare(prev, k) >= 0:
			w.problem("%s: key %s is not after key %s", where, showKey(k), showKey(prev))
			return nil, nil, false
		case prev == nil && lo != nil && bytes.Compare(k, lo) < 0:
			w.problem("%s: key %s sorts before its parent's key %s", where, showKey(k), showKey(lo))
			return nil, nil, false
		case hi != nil && bytes.Compare(k, hi) >= 0:
			w.problem("%s: key %s sorts after its parent's next key %s", where, showKey(k), showKey(hi))
			return nil, nil, false
		}
		prev = k
		return k, p[ke:ve], true
	}
	switch flags {
	case branchPageFlag:
		if id == 0 {
			w.problem("%s: an inline bucket holds a branch page", where)
			return
		}
		if count == 0 {
			w.problem("%s: an empty branch page", where)
			return
		}
		keys := make([][]byte, count)
		kids := make([]uint64, count)
		for i := uint64(0); i < count; i++ {
			e := p[pageHeaderSize+i*esize:]
			k, _, ok := key(i, le.Uint32(e), le.Uint32(e[4:]), 0)
			if !ok {
				return
			}
			keys[i], kids[i] = k, le.Uint64(e[8:])
		}
		for i := range kids {
			next := hi
			if i+1 < len(keys) {
				next = keys[i+1]
			}
			child, ok := w.page(kids[i], where+"'s child", false)
			if !ok {
				continue
			}
			w.node(child, nil, b, keys[i], next, depth+1)
		}
	case leafPageFlag:
		plain := false
		for i := uint64(0); i < count; i++ {
			e := p[pageHeaderSize+i*esize:]
			eflags := le.Uint32(e)
			k, v, ok := key(i, le.Uint32(e[4:]), le.Uint32(e[8:]), uint64(le.Uint32(e[12:])))
			if !ok {
				return
			}
			switch {
			case eflags&^bucketLeafFlag != 0:
				w.problem("%s: element %s has unknown flags %#x", where, showKey(k), eflags)
			case eflags == bucketLeafFlag:
				w.bucket(k, v, b, where)
			case b == nil:
				w.problem("%s: the root bucket holds a plain value under %s", where, showKey(k))
			default:
				plain = true
			}
		}
		// The record checks read the page's records themselves: one event
		// per page, not per record.
		if plain && w.records && b != nil && b.depth == 1 {
			w.emit(evLeaf, p, nil, count)
		}
	default:
		w.problem("%s: expected a branch or leaf page, found a %s page", where, pageKind(flags))
	}
}

// bucket checks the bucket stored under name as value v in bucket parent.
func (w *walker) bucket(name, v []byte, parent *bucketCtx, where string) {
	if len(v) < bucketHeaderSize {
		w.problem("%s: bucket %s has a %d-byte header, want %d", where, showKey(name), len(v), bucketHeaderSize)
		return
	}
	le := binary.LittleEndian
	root, seq := le.Uint64(v), le.Uint64(v[8:])
	b := &bucketCtx{name: name, depth: 1}
	if parent != nil {
		b = &bucketCtx{name: parent.name, depth: parent.depth + 1}
		if w.shape {
			return // steward reads no bucket inside a bucket
		}
		if w.records && parent.depth == 1 {
			w.emit(evNested, parent.name, name, 0)
		}
	}
	if w.records && b.depth == 1 {
		w.emit(evBucket, name, nil, seq)
	}
	if root == 0 {
		// Inline: the bucket's only page follows the header in the value.
		inline := v[bucketHeaderSize:]
		if len(inline) < pageHeaderSize {
			w.problem("%s: inline bucket %s is shorter than a page header", where, showKey(name))
			return
		}
		if f := le.Uint16(inline[8:]); f != leafPageFlag {
			w.problem("%s: inline bucket %s holds a %s page, want a leaf", where, showKey(name), pageKind(f))
			return
		}
		w.node(pageRef{flags: leafPageFlag, count: uint64(le.Uint16(inline[10:]))}, inline, b, nil, nil, 0)
		return
	}
	r, ok := w.page(root, "bucket "+showKey(name), false)
	if !ok {
		return
	}
	w.node(r, nil, b, nil, nil, 0)
}

// showKey prints a key for a problem line: text when it is printable,
// else hex, and never more than a line's worth.
func showKey(k []byte) string {
	text := true
	for _, c := range k {
		if c < 0x20 || c > 0x7e {
			text = false
			break
		}
	}
	if text {
		return Quote(string(k))
	}
	if len(k) > 40 {
		return fmt.Sprintf("%x…", k[:40])
	}
	return fmt.Sprintf("%x", k)
}
