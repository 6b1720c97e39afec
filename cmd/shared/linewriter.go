package shared

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// flushPolicy says when buffered result lines reach the output.
type flushPolicy int

const (
	// flushWhenFull writes lines when the buffer fills and at the end:
	// for a file.
	flushWhenFull flushPolicy = iota
	// flushSoon also writes them at most flushDelay after the first of
	// them was buffered: for a pipe, so that `batchctl results | jq` shows
	// results as they trickle in from a download, without a write per line
	// when they stream from a local file.
	flushSoon
	// flushEachLine writes every line at once: for a terminal.
	flushEachLine
)

const (
	// lineBufferSize is how much the buffer holds before it is written.
	lineBufferSize = 64 << 10
	// flushDelay is how long a line may wait in the buffer of a pipe.
	flushDelay = 100 * time.Millisecond
)

var errNewlineInLine = errors.New("result line contains a newline")

// lineWriter writes results as JSON lines, encoding them straight into its
// buffer, which it writes out by its policy. A timed flush runs on its own
// goroutine; the mutex keeps it apart from writes.
type lineWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	policy  flushPolicy
	after   func(time.Duration, func()) (stop func() bool) // schedules a timed flush
	stop    func() bool                                    // cancels the scheduled one; nil when none is
	flushed error                                          // of a timed flush, returned by the next call
	closed  bool
}

func newLineWriter(w io.Writer, policy flushPolicy) *lineWriter {
	return &lineWriter{
		w:      w,
		buf:    make([]byte, 0, lineBufferSize),
		policy: policy,
		after:  func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	}
}

// writeResult writes r as one line.
func (w *lineWriter) writeResult(r *providers.Result) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.flushed != nil {
		return w.flushed
	}
	buf, err := appendLine(w.buf, r)
	if err != nil {
		return err
	}
	w.buf = buf
	switch {
	case w.policy == flushEachLine || len(w.buf) >= lineBufferSize:
		return w.flush()
	case w.policy == flushSoon && w.stop == nil:
		w.stop = w.after(flushDelay, w.timedFlush)
	}
	return nil
}

// flush writes the buffer out; the caller holds the mutex.
func (w *lineWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// timedFlush writes what is buffered when flushDelay has passed.
func (w *lineWriter) timedFlush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stop = nil
	if !w.closed && w.flushed == nil {
		w.flushed = w.flush()
	}
}

// close writes what is buffered and cancels a timed flush.
func (w *lineWriter) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
	if w.flushed != nil {
		return w.flushed
	}
	return w.flush()
}
