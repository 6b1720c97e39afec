package tokens

import "testing"

// TestPieceMemo checks the memo's order of use within a set: hashes that
// differ in the high bits share a set, a new one in a full set pushes out the
// least recently used, and a recalled one stays in.
func TestPieceMemo(t *testing.T) {
	m := newPieceMemo()
	hash := func(i uint64) uint64 { return i<<40 | 7 } // all in set 7
	for i := range uint64(pieceWays) {
		m.remember(hash(i+1), int(i+1))
	}
	if _, ok := m.recall(hash(1)); !ok { // 1 is now the most recent
		t.Fatal("a piece remembered is not recalled")
	}
	m.remember(hash(9), 9) // pushes out 2, the least recently used
	for i, want := range map[uint64]int{1: 1, 3: 3, pieceWays: pieceWays, 9: 9} {
		if n, ok := m.recall(hash(i)); !ok || n != want {
			t.Errorf("recall(%d) = %d, %v; want %d, true", i, n, ok, want)
		}
	}
	if n, ok := m.recall(hash(2)); ok {
		t.Errorf("recall(2) = %d, true; want it pushed out", n)
	}
	if n, ok := m.recall(hash(100)); ok {
		t.Errorf("recall(100) = %d, true; want it not found", n)
	}
}
