package jsonl

import (
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
//   - One that can be read again (idMark) keeps only the fingerprints, 8
//     bytes of table per id. A fingerprint met twice is marked, nothing
//     more; Converter.Finish then reads the input again with the set in
//     its idCheck mode, where the ids of the first marked fingerprints are
//     compared exactly, so that a duplicate is never reported for two
//     different ids, and with the line of the id's first use.
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
// fingerprint, when a million ids hold one such pair in about 1e-7 inputs.
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

// idTable is one segment: open addressing with linear probing.
type idTable struct {
	slots []uint64 // fingerprint | flags
	lines []uint32 // idLines only
	n     int
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
		s.segs[i].slots = make([]uint64, size)
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
		if t := &s.segs[h>>(64-idSegmentBits)]; t.slots != nil {
			s.sink += t.slots[t.home(h&^idFlags)]
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
	if key == 0 {
		key = idFlags + 1
	}
	t := &s.segs[h>>(64-idSegmentBits)]
	if t.slots == nil {
		t.slots = make([]uint64, idTableMinSlots)
		if s.mode == idLines {
			t.lines = make([]uint32, idTableMinSlots)
		}
	}
	i := t.find(key)
	if t.slots[i] == 0 {
		if s.mode == idCheck { // not met in the first reading: the input changed
			return 0, false
		}
		t.slots[i] = key
		if t.lines != nil {
			t.lines[i] = uint32(min(line, math.MaxUint32))
		}
		if t.n++; t.n*5 >= len(t.slots)*4 {
			t.grow()
		}
		return 0, false
	}
	switch s.mode {
	case idLines:
		return int(t.lines[i]), true
	case idMark:
		t.slots[i] |= idMarked
		if s.marked++; s.marked <= maxTracked {
			if s.tracked == nil {
				s.tracked = make(map[uint64]struct{})
			}
			s.tracked[key] = struct{}{}
		}
		return 0, false
	}
	if t.slots[i]&idMarked == 0 {
		return 0, false
	}
	if _, ok := s.tracked[key]; ok {
		if first, ok := s.exact[string(id)]; ok {
			return first, true
		}
		s.exact[string(id)] = line
		return 0, false
	}
	if t.slots[i]&idMet == 0 {
		t.slots[i] |= idMet
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
	n := uint64(len(t.slots))
	i := uint64(t.home(key))
	for {
		if s := t.slots[i]; s == 0 || s&^idFlags == key {
			return int(i)
		}
		if i++; i == n {
			i = 0
		}
	}
}

// home is the slot where the search for key starts.
func (t *idTable) home(key uint64) int {
	return int((key & math.MaxUint32) * uint64(len(t.slots)) >> 32)
}

// grow makes the table half as large again.
func (t *idTable) grow() {
	slots, lines := t.slots, t.lines
	size := len(slots) + len(slots)/2
	t.slots = make([]uint64, size)
	if lines != nil {
		t.lines = make([]uint32, size)
	}
	for i, s := range slots {
		if s != 0 {
			j := t.find(s &^ idFlags)
			t.slots[j] = s
			if lines != nil {
				t.lines[j] = lines[i]
			}
		}
	}
}
