package jsonl

import (
	"hash/maphash"
	"math"
)

// idSet remembers the request ids of an input, each with the line of its
// first use, in 12 bytes of table per id: a 64-bit hash of the id and the
// line. Keeping the ids themselves took about 50 bytes each, most of the
// memory create needs for a million requests. The table is split into
// segments that grow one at a time, so that growing never holds two copies
// of all of it.
//
// Two ids are taken for one when their hashes are equal. With a random
// seed for each input, two different ids among a million collide with a
// probability of about 3e-8 (n²/2⁶⁵), and a run again would not repeat it.
type idSet struct {
	seed maphash.Seed
	segs [idSegments]idTable // by the top bits of the hash
}

const (
	idSegmentBits = 6
	idSegments    = 1 << idSegmentBits
	// idTableMinSlots is a segment's first size, a power of two.
	idTableMinSlots = 16
)

// idTable is one segment: open addressing with linear probing, where a
// hash of 0 marks an empty slot.
type idTable struct {
	hashes []uint64
	lines  []uint32
	n      int
}

func newIDSet() *idSet { return &idSet{seed: maphash.MakeSeed()} }

// add records id as used on line, unless it was used before: it then
// returns the line of its first use and true. Lines past 2³² are
// remembered as 2³²-1.
func (s *idSet) add(id []byte, line int) (first int, dup bool) {
	h := maphash.Bytes(s.seed, id)
	if h == 0 {
		h = 1
	}
	t := &s.segs[h>>(64-idSegmentBits)]
	if t.hashes == nil {
		t.hashes, t.lines = make([]uint64, idTableMinSlots), make([]uint32, idTableMinSlots)
	}
	i := t.find(h)
	if t.hashes[i] == h {
		return int(t.lines[i]), true
	}
	t.hashes[i], t.lines[i] = h, uint32(min(line, math.MaxUint32))
	if t.n++; t.n*4 >= len(t.hashes)*3 {
		t.grow()
	}
	return 0, false
}

// find returns the slot of h, or the empty slot where it would go.
func (t *idTable) find(h uint64) int {
	mask := len(t.hashes) - 1
	i := int(h) & mask
	for t.hashes[i] != 0 && t.hashes[i] != h {
		i = (i + 1) & mask
	}
	return i
}

// grow doubles the table.
func (t *idTable) grow() {
	hashes, lines := t.hashes, t.lines
	t.hashes, t.lines = make([]uint64, 2*len(hashes)), make([]uint32, 2*len(lines))
	for i, h := range hashes {
		if h != 0 {
			j := t.find(h)
			t.hashes[j], t.lines[j] = h, lines[i]
		}
	}
}
