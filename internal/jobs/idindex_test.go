package jobs

import (
	"fmt"
	"testing"
)

// The index finds every id added, at its first use, and no other, as a
// map would, across the table's growth and with ids that are prefixes of
// others.
func TestIDIndex(t *testing.T) {
	x := newIDIndex(100)
	want := map[string]int{}
	var order []string
	for i := range 5000 {
		id := fmt.Sprint(i % 3001) // the ids past 3000 are repeats
		if i%7 == 0 {
			id += "x"
		}
		first, added := x.add([]byte(id))
		w, seen := want[id]
		if !seen {
			w = i
			want[id] = i
		}
		if first != w || added == seen {
			t.Fatalf("add(%q) at %d = %d, %v; want %d, %v", id, i, first, added, w, !seen)
		}
		order = append(order, id)
	}
	for i, id := range order {
		if got := string(x.id(i)); got != id {
			t.Fatalf("id(%d) = %q, want %q", i, got, id)
		}
		if got := x.first(i); got != want[id] {
			t.Fatalf("first(%d) = %d, want %d", i, got, want[id])
		}
	}
	for _, id := range []string{"", "3001", "12x3", "30000"} {
		if i, ok := x.findString(id); ok {
			t.Errorf("findString(%q) = %d, true; it was never added", id, i)
		}
	}
}
