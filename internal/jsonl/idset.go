package jsonl

import (
	"encoding/binary"
	"hash/maphash"
	"math"
)

// idSet remembers the request ids of an input, as 64-bit fingerprints
// (hashes with a random seed for each input) in an open-addressing table:
// keeping the ids themselves took about 50 bytes each, most of the memory
// create needs for a million requests. The table is split into segments
// that grow one at a time, by half, so that growing never holds two copies
// of all of it.
//
// How equal fingerprints are told from equal ids depends on the input:
//
//   - One that can be read again (idMark) keeps only 48 bits of each
//     fingerprint, 6 bytes of table per id, made at its full size at once
//     when the input's lines were counted. A fingerprint met twice is
//     marked, nothing more; Converter.Finish then reads the input again
//     with the set in its idCheck mode, where the ids of the first marked
//     fingerprints are compared exactly, so that a duplicate is never
//     reported for two different ids, and with the line of the id's first
//     use.
//   - One read once, such as a pipe (idLines), keeps the line of each id's
//     first use beside its fingerprint (12 bytes) and takes an equal
//     fingerprint for an equal id: two different ids among a million
//     collide with a probability of about 1e-7 (n²/2⁶³: a slot's two low
//     bits are flags), and a run again would not repeat it.
type idSet struct {
	hash func(id []byte) uint64 // maphash with the set's seed; tests make ids collide
	mode idMode
	segs [idSegments]idTable // by the top bits of the hash

	// marked counts the ids of the first reading (idMark) whose
	// fingerprint was met before; tracked holds the fingerprints of the
	// first maxTracked of them, whose ids the second reading compares.
	marked  int
	tracked map[uint64]struct{}
	// exact holds, in the second reading, the ids of the tracked
	// fingerprints with the line of their first use.
	exact map[string]int

	// pending are the fingerprints of the first reading (idMark) not yet
	// in the table, which takes them in batches (see flush); sink keeps
	// the reads flush makes only to start loading the slots.
	pending []uint64
	sink    uint64
}

// idMode is what an idSet does with an id it has a fingerprint of.
type idMode uint8

const (
	idLines idMode = iota // keep lines; an equal fingerprint is an equal id
	idMark                // the first of two readings: mark equal fingerprints
	idCheck               // the second reading: compare the marked ones' ids
)

// maxTracked is how many marked ids of the first reading the second one
// compares exactly. The duplicates after them are counted, not listed: at
// least MaxProblems problems come first unless more than
// maxTracked-MaxProblems of the marks are two different ids of one
// fingerprint, when a million ids hold one such pair in about 1e-4 inputs (see
// packedMask).
const maxTracked = 2 * MaxProblems

// idBatch is how many fingerprints a first reading adds at once.
const idBatch = 256

const (
	idSegmentBits = 6
	idSegments    = 1 << idSegmentBits
	// idTableMinSlots is a segment's first size.
	idTableMinSlots = 16

	// The two low bits of a slot are flags, not fingerprint: in the first
	// reading, that the fingerprint was met twice; in the second, that it
	// was met in it already. A slot of 0 is empty.
	idMarked = 1
	idMet    = 2
	idFlags  = idMarked | idMet
)

// packedMask keeps the 48 bits of a fingerprint that a packed slot holds.
// With the segment's 6 bits, two different ids mark one another in about
// 1e-4 of the inputs of a million ids, which costs only the second reading.
const packedMask = 1<<48 - 1

// idTable is one segment: open addressing with linear probing.
type idTable struct {
	// slots hold fingerprint | flags (idLines); packed holds them in 6
	// bytes a slot, a fingerprint's low 48 bits (idMark, idCheck, whose
	// equal fingerprints are checked again), and 2 bytes more so that the
	// last slot can be read as 8.
	slots  []uint64
	packed []byte
	lines  []uint32 // idLines only
	n      int
	size   int // slots
}

// newIDTable returns a table of size slots for mode.
func newIDTable(mode idMode, size int) idTable {
	t := idTable{size: size}
	if mode == idLines {
		t.slots = make([]uint64, size)
		t.lines = make([]uint32, size)
	} else {
		t.packed = make([]byte, 6*size+2)
	}
	return t
}

// at returns slot i.
func (t *idTable) at(i int) uint64 {
	if t.packed != nil {
		return binary.LittleEndian.Uint64(t.packed[6*i:]) & packedMask
	}
	return t.slots[i]
}

// set makes slot i s.
func (t *idTable) set(i int, s uint64) {
	if t.packed != nil {
		p := t.packed[6*i:]
		binary.LittleEndian.PutUint32(p, uint32(s))
		binary.LittleEndian.PutUint16(p[4:], uint16(s>>32))
		return
	}
	t.slots[i] = s
}

func newIDSet(mode idMode) *idSet {
	seed := maphash.MakeSeed()
	return &idSet{hash: func(id []byte) uint64 { return maphash.Bytes(seed, id) }, mode: mode}
}

// reserve makes each segment large enough for its share of n ids, so
// that it need not grow: its expected share n/64 and four standard
// deviations more (about 4·√(n/64)), at the load that makes it grow.
func (s *idSet) reserve(n int) {
	if n <= 0 {
		return
	}
	per := float64(n) / idSegments
	size := max(idTableMinSlots, int((per+4*math.Sqrt(per))*5/4)+1)
	for i := range s.segs {
		s.segs[i] = newIDTable(s.mode, size)
	}
}

// add records id as used on line, and reports whether it was used before:
// then first is the line of its first use. The first reading of idMark
// reports none (first marks them, see marked); the second, idCheck,
// reports each duplicate with its first line, except the untracked ones,
// reported with a first line of 0 (unknown). Lines past 2³² are
// remembered as 2³²-1.
func (s *idSet) add(id []byte, line int) (first int, dup bool) {
	h := s.hash(id)
	if s.mode == idMark {
		if s.pending = append(s.pending, h); len(s.pending) == idBatch {
			s.flush()
		}
		return 0, false
	}
	return s.insert(h, id, line)
}

// seenTwice returns how many ids of the first reading (idMark) had a
// fingerprint met before.
func (s *idSet) seenTwice() int {
	s.flush()
	return s.marked
}

// flush adds the pending fingerprints to the table. A table of a million
// ids is larger than the caches, so that looking up one slot usually waits
// for memory; the first loop only reads the slot where each search
// starts, reads that do not depend on one another and so overlap, and
// the searches of the second loop then find their slots cached.
func (s *idSet) flush() {
	for _, h := range s.pending {
		if t := &s.segs[h>>(64-idSegmentBits)]; t.size > 0 {
			s.sink += t.at(t.home(h &^ idFlags))
		}
	}
	for _, h := range s.pending {
		s.insert(h, nil, 0)
	}
	s.pending = s.pending[:0]
}

// insert is add of id, whose fingerprint is h (id is only read in idCheck).
func (s *idSet) insert(h uint64, id []byte, line int) (first int, dup bool) {
	key := h &^ idFlags
	if s.mode != idLines {
		key &= packedMask
	}
	if key == 0 {
		key = idFlags + 1
	}
	t := &s.segs[h>>(64-idSegmentBits)]
	if t.size == 0 {
		*t = newIDTable(s.mode, idTableMinSlots)
	}
	i := t.find(key)
	slot := t.at(i)
	if slot == 0 {
		if s.mode == idCheck { // not met in the first reading: the input changed
			return 0, false
		}
		t.set(i, key)
		if t.lines != nil {
			t.lines[i] = uint32(min(line, math.MaxUint32))
		}
		if t.n++; t.n*5 >= t.size*4 {
			t.grow()
		}
		return 0, false
	}
	switch s.mode {
	case idLines:
		return int(t.lines[i]), true
	case idMark:
		t.set(i, slot|idMarked)
		if s.marked++; s.marked <= maxTracked {
			if s.tracked == nil {
				s.tracked = make(map[uint64]struct{})
			}
			s.tracked[key] = struct{}{}
		}
		return 0, false
	}
	if slot&idMarked == 0 {
		return 0, false
	}
	if _, ok := s.tracked[key]; ok {
		if first, ok := s.exact[string(id)]; ok {
			return first, true
		}
		s.exact[string(id)] = line
		return 0, false
	}
	if slot&idMet == 0 {
		t.set(i, slot|idMet)
		return 0, false
	}
	return 0, true
}

// startCheck turns the set of a first reading (idMark) to its second.
func (s *idSet) startCheck() {
	s.flush()
	s.mode = idCheck
	s.exact = make(map[string]int)
}

// find returns the slot of key, or the empty slot where it would go. The
// home slot is taken from the low 32 bits of key, the segment from its
// top bits, so that the two do not depend on each other.
func (t *idTable) find(key uint64) int {
	i := t.home(key)
	for {
		if s := t.at(i); s == 0 || s&^idFlags == key {
			return i
		}
		if i++; i == t.size {
			i = 0
		}
	}
}

// home is the slot where the search for key starts.
func (t *idTable) home(key uint64) int {
	return int((key & math.MaxUint32) * uint64(t.size) >> 32)
}

// grow makes the table half as large again.
func (t *idTable) grow() {
	old := *t
	mode := idMark
	if old.lines != nil {
		mode = idLines
	}
	*t = newIDTable(mode, old.size+old.size/2)
	t.n = old.n
	for i := range old.size {
		if s := old.at(i); s != 0 {
			j := t.find(s &^ idFlags)
			t.set(j, s)
			if t.lines != nil {
				t.lines[j] = old.lines[i]
			}
		}
	}
}
