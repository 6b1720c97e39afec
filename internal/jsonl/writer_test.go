package jsonl

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriterFlushEachLine(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, true)
	for _, line := range []string{`{"a":1}`, `{"b":2}`} {
		if err := w.WriteLine([]byte(line)); err != nil {
			t.Fatal(err)
		}
		// The line must be out before the next one is produced.
		if got := out.String(); !strings.HasSuffix(got, line+"\n") {
			t.Fatalf("after writing %s, the output is %q", line, got)
		}
	}
	if got, want := out.String(), "{\"a\":1}\n{\"b\":2}\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestWriterBuffers(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, false)
	for range 3 {
		if err := w.WriteLine([]byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if out.Len() != 0 {
		t.Fatalf("wrote %q before Flush", out.String())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "{}\n{}\n{}\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func TestWriterLongLine(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, false)
	long := bytes.Repeat([]byte("x"), writeBufferSize*3)
	for _, line := range [][]byte{[]byte("a"), long, []byte("b")} {
		if err := w.WriteLine(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "a\n" + string(long) + "\nb\n"; out.String() != want {
		t.Errorf("output is %d bytes, want %d", out.Len(), len(want))
	}
}

func TestWriterRejectsNewline(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, true)
	err := w.WriteLine([]byte("{\n}"))
	if !errors.Is(err, errNewlineInLine) || err.Error() != "jsonl: line contains a newline" {
		t.Fatalf("got %v, want errNewlineInLine", err)
	}
	if out.Len() != 0 {
		t.Errorf("wrote %q", out.String())
	}
}

func TestWriterError(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name          string
		flushEachLine bool
		call          func(w *Writer) error
	}{
		{"flush each line", true, func(w *Writer) error { return w.WriteLine([]byte("{}")) }},
		{"flush", false, func(w *Writer) error {
			if err := w.WriteLine([]byte("{}")); err != nil {
				return err
			}
			return w.Flush()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWriter(failingWriter{boom}, tt.flushEachLine)
			if err := tt.call(w); !errors.Is(err, boom) {
				t.Fatalf("got %v, want %v", err, boom)
			}
			// The error sticks: nothing more is written.
			if err := w.WriteLine([]byte("{}")); !errors.Is(err, boom) {
				t.Errorf("next WriteLine: got %v, want %v", err, boom)
			}
		})
	}
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }
