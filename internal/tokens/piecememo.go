package tokens

import "sync/atomic"

// pieceMemo is the memo of the counts of short pieces (words, mostly): a
// table of fixed size, without pointers, read and written without a lock
// and with no allocation.
//
// It is set-associative: a piece's 64-bit hash picks a set of pieceWays
// slots by its low bits, and a slot holds the high 56 bits of the hash and
// the count in the low byte. A set is kept in order of use: a piece found
// moves to the front, a new one goes in front and the least recently used
// falls off. Text repeats a few thousand common words among many rare
// ones; ordering by use keeps the common ones in, where a slot per hash
// would let each rare word evict one. (On the bench's 200 MB prose input,
// 553,000 distinct pieces among 42 million, an estimate took 20 CPU-s
// with 2^18 single slots and 14–15 with 2^18 slots in sets of 8; twice
// the slots saved another tenth for 3 MB more RSS.)
//
// Two pieces are taken for the same only when 64 bits of their hashes
// agree: by chance about once in 2^45 lookups, against tens of millions
// for the longest input. Two goroutines moving entries of one set at once
// can lose or duplicate an entry, which costs a recount, never a wrong
// count: each slot is read and written whole.
type pieceMemo []atomic.Uint64

const (
	// pieceWays is the number of slots of a set: 64 bytes, a cache line.
	pieceWays = 8
	// pieceSlots is the size of the memo: 2 MB, whatever the input.
	pieceSlots = 1 << 18
	// pieceMaxLen is the longest piece memoized; its count fits in the
	// low byte of a slot.
	pieceMaxLen = 64
)

func newPieceMemo() pieceMemo { return make(pieceMemo, pieceSlots) }

// set returns the slots of a hash's set.
func (m pieceMemo) set(h uint64) []atomic.Uint64 {
	i := h % (pieceSlots / pieceWays) * pieceWays
	return m[i : i+pieceWays]
}

// recall returns the count of the piece of hash h, if it is in the memo.
func (m pieceMemo) recall(h uint64) (int, bool) {
	set, tag := m.set(h), h&^0xff
	for k := range set {
		if v := set[k].Load(); v != 0 && v&^0xff == tag {
			if k > 0 {
				moveToFront(set, k, v)
			}
			return int(v & 0xff), true
		}
	}
	return 0, false
}

// remember puts the count n of the piece of hash h in front of its set.
func (m pieceMemo) remember(h uint64, n int) {
	moveToFront(m.set(h), pieceWays-1, h&^0xff|uint64(n))
}

// moveToFront moves the first k slots of a set one down, over slot k, and
// puts v in the first.
func moveToFront(set []atomic.Uint64, k int, v uint64) {
	for ; k > 0; k-- {
		set[k].Store(set[k-1].Load())
	}
	set[0].Store(v)
}
