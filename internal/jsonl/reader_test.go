package jsonl

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// readLine is a line as Next returns it, with its number and the offset
// after it.
type readLine struct {
	n      int
	text   string
	offset int64
}

// readAll reads r to the end.
func readAll(t *testing.T, r *Reader) []readLine {
	t.Helper()
	var got []readLine
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		got = append(got, readLine{r.Line(), string(b), r.Offset()})
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []readLine
	}{
		{"empty", "", nil},
		{"only blank lines", "\n \n\t\r\n", nil},
		{"LF", "{}\n[]\n", []readLine{{1, "{}", 3}, {2, "[]", 6}}},
		{"CRLF", "{}\r\n[]\r\n", []readLine{{1, "{}", 4}, {2, "[]", 8}}},
		{"no final newline", "{}\n[]", []readLine{{1, "{}", 3}, {2, "[]", 5}}},
		{"no final newline after CR", "{}\r", []readLine{{1, "{}\r", 3}}},
		{
			"blank lines count",
			"\n{}\n  \n\r\n\t\n[]\n\n",
			[]readLine{{2, "{}", 4}, {6, "[]", 14}},
		},
		{"inner spaces kept", "  { } \n", []readLine{{1, "  { } ", 7}}},
		{"lone CR inside a line is kept", "a\rb\n", []readLine{{1, "a\rb", 4}}},
		{"byte order mark", "\xEF\xBB\xBF{}\n\xEF\xBB\xBF[]\n", []readLine{{1, "{}", 6}, {2, "\xEF\xBB\xBF[]", 12}}},
		{"byte order mark on a blank line", "\xEF\xBB\xBF\n{}", []readLine{{2, "{}", 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time exercises every read boundary.
			for _, src := range []io.Reader{strings.NewReader(tt.input), iotest.OneByteReader(strings.NewReader(tt.input))} {
				got := readAll(t, NewReader(src))
				if !slices.Equal(got, tt.want) {
					t.Errorf("got  %#v\nwant %#v", got, tt.want)
				}
			}
		})
	}
}

func TestReaderHugeLines(t *testing.T) {
	huge := `{"a":"` + strings.Repeat("x", 20<<20) + `"}`
	justOver := strings.Repeat("y", readBufferSize+1)
	input := "{}\n" + huge + "\r\n" + justOver + "\n\n" + huge
	r := NewReader(strings.NewReader(input))
	want := []readLine{
		{1, "{}", 3},
		{2, huge, int64(3 + len(huge) + 2)},
		{3, justOver, int64(3 + len(huge) + 2 + len(justOver) + 1)},
		{5, huge, int64(len(input))},
	}
	for _, w := range want {
		b, err := r.Next()
		if err != nil {
			t.Fatalf("line %d: %v", w.n, err)
		}
		if string(b) != w.text || r.Line() != w.n || r.Offset() != w.offset {
			t.Fatalf("got line %d (%d bytes, offset %d), want line %d (%d bytes, offset %d)",
				r.Line(), len(b), r.Offset(), w.n, len(w.text), w.offset)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last line: %v, want io.EOF", err)
	}
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("{}\n\n[1,"), iotest.ErrReader(boom)))
	if b, err := r.Next(); err != nil || string(b) != "{}" {
		t.Fatalf("first line: %q, %v", b, err)
	}
	for range 2 { // the error sticks
		_, err := r.Next()
		if !errors.Is(err, boom) || err.Error() != "read line 3: boom" {
			t.Fatalf("got %v, want read line 3: boom", err)
		}
	}
}

// TestReaderStopsAtEOF checks that the input is not read again after it
// ended, which would make a terminal on stdin wait for a second Ctrl-D.
func TestReaderStopsAtEOF(t *testing.T) {
	src := &countingReader{r: strings.NewReader("{}")}
	r := NewReader(src)
	readAll(t, r)
	calls := src.calls
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want io.EOF", err)
	}
	if src.calls != calls {
		t.Errorf("Next read the input again after io.EOF")
	}
}

type countingReader struct {
	r     io.Reader
	calls int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.calls++
	return c.r.Read(p)
}

// TestReaderSliceReuse checks that a line stays intact until the next call
// even when the next lines are read into the same buffers.
func TestReaderSliceReuse(t *testing.T) {
	long := strings.Repeat("z", readBufferSize*2)
	r := NewReader(strings.NewReader("a\n" + long + "\nb\n"))
	for _, want := range []string{"a", long, "b"} {
		b, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, []byte(want)) {
			t.Fatalf("got %.20q (%d bytes), want %.20q", b, len(b), want)
		}
	}
}

// TestCountLines counts the lines a Reader would number, the last one
// whether or not a newline ends it.
func TestCountLines(t *testing.T) {
	for in, want := range map[string]int{"": 0, "a": 1, "a\n": 1, "a\nb": 2, "a\n\n{}\n": 3, strings.Repeat("x\n", readBufferSize): readBufferSize} {
		if got, err := CountLines(strings.NewReader(in)); err != nil || got != want {
			t.Errorf("CountLines(%.20q) = %d, %v; want %d", in, got, err, want)
		}
	}
}
