package jsonl

import (
	"strconv"
	"testing"
)

// TestIDSet adds enough ids to grow every segment several times, then
// finds each again with the line of its first use.
func TestIDSet(t *testing.T) {
	s := newIDSet()
	const n = 200_000
	for i := range n {
		if first, dup := s.add([]byte("req-"+strconv.Itoa(i)), i+1); dup {
			t.Fatalf("id %d: a duplicate of line %d", i, first)
		}
	}
	for i := range n {
		first, dup := s.add([]byte("req-"+strconv.Itoa(i)), n+i+1)
		if !dup || first != i+1 {
			t.Fatalf("id %d again: (%d, %v), want (%d, true)", i, first, dup, i+1)
		}
	}
	if first, dup := s.add([]byte("req-"+strconv.Itoa(n)), 7); dup {
		t.Fatalf("a new id is a duplicate of line %d", first)
	}
}
