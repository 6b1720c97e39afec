package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// writeBufferSize is the size of the Writer's buffer.
const writeBufferSize = 64 << 10

// errNewlineInLine is returned for a line that would break the stream into
// two.
var errNewlineInLine = errors.New("jsonl: line contains a newline")

// Writer writes a JSON Lines stream through a buffer. Call Flush when done.
type Writer struct {
	bw            *bufio.Writer
	flushEachLine bool
}

// NewWriter returns a Writer that writes to w. With flushEachLine set, every
// line reaches w as soon as it is written, so that `batchctl results | jq`
// shows results as they come; otherwise lines reach w when the buffer fills
// and on Flush.
func NewWriter(w io.Writer, flushEachLine bool) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, writeBufferSize), flushEachLine: flushEachLine}
}

// WriteLine writes b followed by '\n'. b must not contain a newline; compact
// JSON never does.
func (w *Writer) WriteLine(b []byte) error {
	if bytes.IndexByte(b, '\n') >= 0 {
		return errNewlineInLine
	}
	if _, err := w.bw.Write(b); err != nil {
		return err
	}
	if err := w.bw.WriteByte('\n'); err != nil {
		return err
	}
	if w.flushEachLine {
		return w.bw.Flush()
	}
	return nil
}

// Flush writes any buffered lines to the underlying writer.
func (w *Writer) Flush() error { return w.bw.Flush() }
