package portfolio

// idIndex finds a record's position from its ID. IDs come from a bucket's
// sequence, so they are dense: a slice indexed by ID is a fifth of a map's
// size and an array read instead of a hash probe (every account looks up
// its owner twice on open). IDs far beyond the count (an import that kept
// a CRM's numbering) move it to a map.
type idIndex struct {
	dense  []int32 // position+1 at [ID]; 0: absent
	sparse map[uint64]int
	n      int
}

// denseSlack is how far beyond the count IDs may reach before the index
// turns to a map.
const denseSlack = 1024

// newIDIndex makes an index for count IDs up to about maxID.
func newIDIndex(maxID uint64, count int) idIndex {
	if maxID > uint64(4*(count+1)+denseSlack) {
		return idIndex{sparse: make(map[uint64]int, count)}
	}
	return idIndex{dense: make([]int32, maxID+1)}
}

func (x *idIndex) get(id uint64) (int, bool) {
	if x.sparse != nil {
		i, ok := x.sparse[id]
		return i, ok
	}
	if id < uint64(len(x.dense)) {
		if v := x.dense[id]; v > 0 {
			return int(v - 1), true
		}
	}
	return 0, false
}

// set files id at pos. A portfolio made by Apply starts with a copy of its
// parent's index: the slice grows by copying, never into the parent's
// array past its length, so the parent does not see IDs added after it.
func (x *idIndex) set(id uint64, pos int) {
	if x.sparse == nil && id >= uint64(len(x.dense)) && id > uint64(4*(x.n+1)+denseSlack) {
		x.sparse = make(map[uint64]int, x.n+1)
		for i, v := range x.dense {
			if v > 0 {
				x.sparse[uint64(i)] = int(v - 1)
			}
		}
		x.dense = nil
	}
	if x.sparse != nil {
		if _, ok := x.sparse[id]; !ok {
			x.n++
		}
		x.sparse[id] = pos
		return
	}
	if id >= uint64(len(x.dense)) {
		grown := make([]int32, max(2*len(x.dense), int(id)+1))
		copy(grown, x.dense)
		x.dense = grown
	}
	if x.dense[id] == 0 {
		x.n++
	}
	x.dense[id] = int32(pos + 1)
}
