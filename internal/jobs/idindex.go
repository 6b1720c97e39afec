package jobs

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// idIndex holds the request ids of a part in the order they were added,
// and whether a result line was taken for each: what partResults and
// checkRaw decide a line by. The ids lie back to back in one buffer and
// are found through an open-addressing table of their positions, about
// 50 bytes an id and no pointer for the collector to follow, where a
// map[string]bool took some 80 and a string each. Ids are compared in
// full, so two ids never pass for one.
type idIndex struct {
	seed maphash.Seed
	ids  []byte
	ends []int // ids[ends[i-1]:ends[i]] is the i-th id added
	// slots hold 1 + the index of an id's first use in their low 32 bits,
	// 0 for none, and the top half of its hash in the high ones: most ids
	// probed and not the one sought are passed over without reading them.
	slots []uint64
	seen  []bool // by index
	// repeats is whether an id was added twice.
	repeats bool
}

// newIDIndex returns an index sized for n ids (a guess: it grows past it).
func newIDIndex(n int) *idIndex {
	x := &idIndex{seed: maphash.MakeSeed(), ends: make([]int, 0, n), seen: make([]bool, 0, n)}
	if n > 0 {
		x.slots = make([]uint64, max(64, 1<<bits.Len(uint(2*n-1))))
	}
	return x
}

// len is the number of ids added, repeats included.
func (x *idIndex) len() int { return len(x.ends) }

// id is the i-th id added, valid until the next add.
func (x *idIndex) id(i int) []byte {
	start := 0
	if i > 0 {
		start = x.ends[i-1]
	}
	return x.ids[start:x.ends[i]]
}

// find returns the index of the first id added equal to id.
func (x *idIndex) find(id []byte) (int, bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	s := x.slot(id, maphash.Bytes(x.seed, id))
	return int(uint32(x.slots[s])) - 1, x.slots[s] != 0
}

// first is the index of the first use of the i-th id added.
func (x *idIndex) first(i int) int {
	if !x.repeats {
		return i
	}
	f, _ := x.find(x.id(i))
	return f
}

// findString is find of a string, copied to no buffer.
func (x *idIndex) findString(id string) (int, bool) {
	return x.find(unsafe.Slice(unsafe.StringData(id), len(id)))
}

// slot is the slot holding id, or the empty one where it goes.
func (x *idIndex) slot(id []byte, h uint64) int {
	mask, tag := len(x.slots)-1, h>>32<<32
	for s := int(h) & mask; ; s = (s + 1) & mask {
		v := x.slots[s]
		if v == 0 || v&^0xffffffff == tag && string(x.id(int(uint32(v))-1)) == string(id) {
			return s
		}
	}
}

// add appends id and returns the index of its first use, and whether this
// is that first use.
func (x *idIndex) add(id []byte) (first int, added bool) {
	if 2*(len(x.ends)+1) > len(x.slots) {
		x.grow()
	}
	h := maphash.Bytes(x.seed, id)
	s := x.slot(id, h)
	x.ids = append(x.ids, id...)
	x.ends = append(x.ends, len(x.ids))
	x.seen = append(x.seen, false)
	if x.slots[s] != 0 {
		x.repeats = true
		return int(uint32(x.slots[s])) - 1, false
	}
	x.slots[s] = h>>32<<32 | uint64(len(x.ends))
	return len(x.ends) - 1, true
}

// grow doubles the table, which stays at most half full.
func (x *idIndex) grow() {
	x.slots = make([]uint64, max(2*len(x.slots), 64))
	for i := range x.ends {
		id := x.id(i)
		h := maphash.Bytes(x.seed, id)
		if s := x.slot(id, h); x.slots[s] == 0 {
			x.slots[s] = h>>32<<32 | uint64(i+1)
		}
	}
}
