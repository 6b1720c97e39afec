package tableprinter

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func plain(s string) string { return s }

// table renders rows with a printer, streaming with limit (0: not).
func table(tty bool, limit int, rows [][]string) string {
	var b bytes.Buffer
	p := New(&b, tty, 80, plain)
	if limit > 0 {
		p.Stream(limit)
	}
	p.Header("ID", "NAME", "STATUS")
	for _, r := range rows {
		p.Row(r...)
	}
	if err := p.Render(); err != nil {
		panic(err)
	}
	return b.String()
}

var rows = [][]string{
	{"j1", "a", "completed"},
	{"j2", "a much longer name", "failed"},
	{"j3", "b", "in_progress"},
}

func TestTerminalTable(t *testing.T) {
	want := "ID  NAME                STATUS\n" +
		"j1  a                   completed\n" +
		"j2  a much longer name  failed\n" +
		"j3  b                   in_progress\n"
	for _, limit := range []int{0, 3, 100} {
		if got := table(true, limit, rows); got != want {
			t.Errorf("streaming %d rows: got\n%s\nwant\n%s", limit, got, want)
		}
	}
}

// TestStreamedTableKeepsFirstWidths checks that a table longer than the
// rows held takes its widths from the first ones, and pushes a wider
// cell's row to the right rather than holding more rows.
func TestStreamedTableKeepsFirstWidths(t *testing.T) {
	want := "ID  NAME  STATUS\n" +
		"j1  a     completed\n" +
		"j2  a much longer name  failed\n" +
		"j3  b     in_progress\n"
	if got := table(true, 1, rows); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPipeIsTSV(t *testing.T) {
	want := "j1\ta\tcompleted\nj2\ta much longer name\tfailed\nj3\tb\tin_progress\n"
	for _, limit := range []int{0, 1, 100} {
		if got := table(false, limit, rows); got != want {
			t.Errorf("streaming %d rows: got %q, want %q", limit, got, want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsReturned(t *testing.T) {
	p := New(failingWriter{}, false, 0, plain)
	p.Stream(1)
	for range 10_000 { // more than the buffer holds
		p.Row(strings.Repeat("x", 100))
	}
	if err := p.Render(); err == nil || err.Error() != "disk full" {
		t.Fatalf("Render() = %v, want disk full", err)
	}
}
