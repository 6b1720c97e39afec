package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/schemacheck"
)

// An Encoder appends the output of one normalized result to dst (nothing,
// to leave it out) and returns the extended buffer. The pipeline calls it
// from several goroutines at once; r is valid only until it returns, and
// may hold its text undecoded (r.TextRaw): r.DecodeText makes r.Text
// that text.
type Encoder func(dst []byte, r *providers.Result) ([]byte, error)

// The pipeline's sizes. A chunk is a run of whole lines, cut once it holds
// chunkSize bytes (a line longer than that makes a chunk of its own); at
// most workers+chunksAhead chunks are in flight, so memory stays bounded
// by the chunk size, not the file's.
const defaultChunkSize = 256 << 10

var chunkSize = defaultChunkSize // a variable for tests

const (
	chunksAhead = 4
	// maxPooled is the largest buffer kept for reuse: a chunk grown by a
	// huge line is dropped rather than held for the rest of the run.
	maxPooled = 4 << 20
)

// EncodeFileResults is FileResults writing encode's output of every result
// to w, in input order, with the lines normalized by workers goroutines
// (0 for one per CPU). What it writes, its tally and its error are those
// of FileResults with an fn that encodes each result and writes it: a
// line that cannot be read ends the output after the lines before it.
// Each write to w is the output of a run of lines; on a pipe or a
// terminal a run ends wherever reading in has to wait, so that results
// trickling in are written as they come.
func EncodeFileResults(ctx context.Context, p providers.Provider, in io.Reader, name string, workers int, encode Encoder, w io.Writer) (Tally, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pl := &pipeline{p: p, name: name, encode: encode, chunkSize: chunkSize}
	work := make(chan *chunk, workers+chunksAhead)
	order := make(chan *chunk, workers+chunksAhead)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			norm := aliasingNormalizer(p)
			for c := range work {
				pl.normalize(c, norm)
				close(c.done)
			}
		})
	}
	go func() {
		pl.read(ctx, in, work, order)
		close(work)
		close(order)
	}()
	tally, err := pl.write(order, w)
	if err == nil {
		err = parent.Err() // the reader stopped without handing on its error
	}
	if err == nil {
		wg.Wait()
	}
	// On an error the reader and the workers end on their own once they
	// see the context cancelled; a read that waits on a pipe is not waited
	// for.
	return tally, err
}

// aliasingNormalizer is p's Normalize, or the one whose results alias the
// line when p has it: the pipeline keeps each chunk until its output is
// encoded. A wrapper (the retry policy's) leaves Normalize to what it
// wraps, so it is looked for there too.
func aliasingNormalizer(p providers.Provider) func([]byte) (providers.Result, error) {
	for q := p; ; {
		if a, ok := q.(providers.AliasingNormalizer); ok {
			return a.NormalizeAliasing
		}
		u, ok := q.(interface{ Unwrap() providers.Provider })
		if !ok {
			return p.Normalize
		}
		q = u.Unwrap()
	}
}

// A chunk is a run of whole lines on their way through the pipeline.
type chunk struct {
	data  []byte // the lines, each without its terminator
	lines []lineRef
	// err ends the input after the lines: a read error, a line too long,
	// or the context's.
	err error

	done  chan struct{} // closed once out, tally and failed are set
	out   []byte
	tally Tally
	// failed is the first line that could not be normalized or encoded,
	// and why; out holds the output of the lines before it.
	failed error
}

// lineRef is where a line lies in its chunk's data, and its number.
type lineRef struct {
	end    int // data[previous end:end]
	number int
}

var (
	dataPool = sync.Pool{New: func() any { return make([]byte, 0, defaultChunkSize+defaultChunkSize/4) }}
	outPool  = sync.Pool{New: func() any { return make([]byte, 0, 2*defaultChunkSize) }}
)

func getBuf(p *sync.Pool) []byte { return p.Get().([]byte)[:0] }

func putBuf(p *sync.Pool, b []byte) {
	if cap(b) <= maxPooled {
		p.Put(b[:0]) // boxing the slice header allocates 24 bytes, little next to the buffer
	}
}

// pipeline is one run of EncodeFileResults.
type pipeline struct {
	p      providers.Provider
	name   string
	encode Encoder
	// chunkSize is where a chunk is cut.
	chunkSize int
}

// read cuts the input into chunks of whole lines, read by the same Reader
// (and bound) as FileResults, and hands each to a worker and, in order, to
// the writer. The last chunk carries the error that ended the input, nil
// at its end.
func (pl *pipeline) read(ctx context.Context, in io.Reader, work, order chan<- *chunk) {
	c := &chunk{data: getBuf(&dataPool), done: make(chan struct{})}
	// send hands c on and starts the next chunk; it is false, and does
	// nothing more, once the writer has stopped.
	stopped := false
	send := func() bool {
		if !stopped {
			select {
			case work <- c:
				select {
				case order <- c:
					c = &chunk{data: getBuf(&dataPool), done: make(chan struct{})}
					return true
				case <-ctx.Done():
				}
			case <-ctx.Done():
			}
		}
		stopped = true
		return false
	}
	// On a pipe or a terminal, what was read so far goes out before a read
	// that may wait: the writer then shows it without waiting too.
	streaming := !isRegularFile(in)
	var src io.Reader = in
	if streaming {
		src = readFunc(func(b []byte) (int, error) {
			if len(c.lines) > 0 && !send() {
				return 0, ctx.Err()
			}
			return in.Read(b)
		})
	}
	rd := newResultReader(src)
	for {
		if err := ctx.Err(); err != nil {
			c.err = err
			break
		}
		line, err := nextResult(rd)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				c.err = err
			}
			break
		}
		c.data = append(c.data, line...)
		c.lines = append(c.lines, lineRef{end: len(c.data), number: rd.Line()})
		if len(c.data) >= pl.chunkSize && !send() {
			return
		}
	}
	send()
}

// readFunc is an io.Reader made of a function.
type readFunc func([]byte) (int, error)

func (f readFunc) Read(b []byte) (int, error) { return f(b) }

// isRegularFile reports whether r is a regular file, which never makes a
// read wait for more to be written.
func isRegularFile(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// normalize normalizes and encodes the lines of c, as FileResults does
// each line, up to the first that fails.
func (pl *pipeline) normalize(c *chunk, norm func([]byte) (providers.Result, error)) {
	c.out, c.tally = getBuf(&outPool), Tally{}
	start := 0
	for _, l := range c.lines {
		line := c.data[start:l.end]
		start = l.end
		r, err := norm(line)
		if err != nil {
			c.failed = fmt.Errorf("%s:%d: %w", pl.name, l.number, err)
			return
		}
		r.Job, r.Provider, r.BatchID = "", pl.p.Name(), ""
		r.NormalizeFinish()
		schemacheck.Check(&r, nil, false) // tool calls whose arguments were not JSON
		c.tally[r.Status]++
		if c.out, err = pl.encode(c.out, &r); err != nil {
			c.failed = err
			return
		}
	}
}

// write writes the chunks' output in input order and sums their tallies,
// stopping at the first failure: a line that could not be normalized, an
// error of encode or w, or the end of the input on an error.
func (pl *pipeline) write(order <-chan *chunk, w io.Writer) (Tally, error) {
	tally := Tally{}
	for c := range order {
		<-c.done
		var err error
		if len(c.out) > 0 {
			_, err = w.Write(c.out)
		}
		for s, n := range c.tally {
			tally[s] += n
		}
		switch {
		case err != nil:
		case c.failed != nil:
			err = c.failed
		case c.err != nil:
			err = pl.readError(c.err)
		}
		putBuf(&dataPool, c.data)
		putBuf(&outPool, c.out)
		if err != nil {
			return tally, err
		}
	}
	return tally, nil
}

// readError words an error that ended the input as FileResults does.
func (pl *pipeline) readError(err error) error {
	var tooLong *jsonl.LineError
	switch {
	case errors.As(err, &tooLong) && errors.Is(err, jsonl.ErrLineTooLong):
		return fmt.Errorf("%s: %w", pl.name, &ResultsTooLargeError{Line: tooLong.Line, Limit: MaxResultLine})
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("reading %s: %w", pl.name, err)
}
