package jsonl

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// TestIDSet adds enough ids to grow every segment several times, then
// finds each again with the line of its first use.
func TestIDSet(t *testing.T) {
	s := newIDSet(idLines)
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

// TestIDSetTwoReadings reads n ids twice over in a first reading, which
// reports nothing, then again in the second: the duplicates of the first
// maxTracked ids come with their first line, the rest without. The set is
// made for no count of lines, for the right one, and for one too small,
// when its segments grow from their reserved size.
func TestIDSetTwoReadings(t *testing.T) {
	const n = 50_000
	for _, lines := range []int{0, 2 * n, n / 10} {
		t.Run(strconv.Itoa(lines), func(t *testing.T) { testIDSetTwoReadings(t, n, lines) })
	}
}

func testIDSetTwoReadings(t *testing.T, n, lines int) {
	s := newIDSet(idMark)
	s.reserve(lines)
	id := func(i int) []byte { return []byte("req-" + strconv.Itoa(i%n)) }
	for i := range 2 * n {
		if first, dup := s.add(id(i), i+1); dup {
			t.Fatalf("first reading, line %d: a duplicate of line %d", i+1, first)
		}
	}
	if got := s.seenTwice(); got != n {
		t.Fatalf("marked %d, want %d", got, n)
	}
	s.startCheck()
	for i := range 2 * n {
		first, dup := s.add(id(i), i+1)
		want := 0
		switch {
		case i < n:
		case i < n+maxTracked:
			want = i - n + 1
		}
		if dup != (i >= n) || first != want {
			t.Fatalf("second reading, line %d: (%d, %v), want (%d, %v)", i+1, first, dup, want, i >= n)
		}
	}
	if first, dup := s.add([]byte("new"), 7); dup {
		t.Fatalf("an id of neither reading is a duplicate of line %d", first)
	}
}

// collide makes the ids q1 and q2 of a converter's set one fingerprint.
func collide(c *Converter) {
	hash := c.ids.hash
	c.ids.hash = func(id []byte) uint64 {
		if string(id) == "q2" {
			id = []byte("q1")
		}
		return hash(id)
	}
}

// convertTwice converts input with ConvertFrom and an input that can be
// read again, and returns the lines that converted and Finish's error.
func convertTwice(t *testing.T, input string, prepare func(*Converter)) ([]int, error) {
	t.Helper()
	in := strings.NewReader(input)
	c := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetOpenAI, Reread: func() (io.Reader, error) {
		return strings.NewReader(input), nil
	}})
	if prepare != nil {
		prepare(c)
	}
	var lines []int
	err := c.ConvertFrom(in, func(line int, out []byte, id string) error {
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Finish()
	return lines, err
}

// TestDuplicateIDsReadAgain checks that an input read twice reports its
// duplicate ids as one read once does, and that two ids of one
// fingerprint are not a duplicate.
func TestDuplicateIDsReadAgain(t *testing.T) {
	t.Run("collision", func(t *testing.T) {
		input := chatLine("q1") + "\n" + chatLine("q2") + "\n" + chatLine("q3") + "\n"
		lines, err := convertTwice(t, input, collide)
		if err != nil || len(lines) != 3 {
			t.Fatalf("lines %v, error %v; want 3 lines and no error", lines, err)
		}
	})
	t.Run("collision and duplicate", func(t *testing.T) {
		input := chatLine("q1") + "\n" + chatLine("q2") + "\n" + chatLine("q2") + "\n" + chatLine("q1") + "\n"
		_, err := convertTwice(t, input, collide)
		want := "reqs.jsonl:3: custom_id: \"q2\" duplicates line 2\nreqs.jsonl:4: custom_id: \"q1\" duplicates line 1"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %s", err, want)
		}
	})
	// Each input's problems are those of the same lines read once.
	many := func(ids ...string) string {
		var b strings.Builder
		for _, id := range ids {
			b.WriteString(chatLine(id) + "\n")
		}
		return b.String()
	}
	var repeated, twice, broken []string
	for i := range 3 * maxTracked {
		repeated = append(repeated, "q0")
		twice = append(twice, fmt.Sprintf("q%d", i%maxTracked))
		broken = append(broken, fmt.Sprintf("q%d", i%7))
	}
	for name, input := range map[string]string{
		"one id":      many(repeated...),
		"each twice":  many(twice...),
		"interleaved": strings.Replace(many(broken...), chatLine("q3"), "{not json", 5),
		"until stop":  many("q1", "q1") + strings.Repeat("{\n", MaxProblems) + many("q1"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := convertTwice(t, input, nil)
			once := NewConverter("reqs.jsonl", ConvertOptions{Target: TargetOpenAI})
			if rerr := once.ConvertFrom(strings.NewReader(input), nil); rerr != nil {
				t.Fatal(rerr)
			}
			_, want := once.Finish()
			var verr *ValidationError
			if !errors.As(want, &verr) || err == nil || err.Error() != want.Error() {
				t.Fatalf("read twice:\n%v\nread once:\n%v", err, want)
			}
		})
	}
}
