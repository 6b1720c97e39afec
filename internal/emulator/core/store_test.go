package core

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestForEachLineView checks that the view reads the lines ForEachLine
// reads, lines longer than its buffer included.
func TestForEachLineView(t *testing.T) {
	long := strings.Repeat("x", 150<<10)
	input := "a\n\n  b  \r\n" + long + "\n" + long + "y\nlast"
	type line struct {
		no   int
		text string
	}
	read := func(each func(context.Context, io.Reader, func(int, []byte) error) error) []line {
		var lines []line
		if err := each(context.Background(), strings.NewReader(input), func(no int, b []byte) error {
			lines = append(lines, line{no, string(b)})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return lines
	}
	want, got := read(ForEachLine), read(ForEachLineView)
	if len(want) != 5 || want[3].text != long+"y" {
		t.Fatalf("ForEachLine read %d lines", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("the view read %d lines, ForEachLine %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: the view read line %d of %d bytes, ForEachLine line %d of %d", i, got[i].no, len(got[i].text), want[i].no, len(want[i].text))
		}
	}
}
