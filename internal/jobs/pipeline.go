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
const defaultChunkSize = 128 << 10

var chunkSize = defaultChunkSize // a variable for tests

const (
	chunksAhead = 2
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
func EncodeFileResults(ctx context.Context, p providers.Provider, in io.Reader, name string, workers int, encode Encoder, w io.Writer) (Encoded, error) {
	pl := &pipeline{
		p: p, encode: encode, chunkSize: chunkSize,
		finish: func(r *providers.Result) {
			r.Job, r.Provider, r.BatchID = "", p.Name(), ""
			r.NormalizeFinish()
			schemacheck.Check(r, nil, false) // tool calls whose arguments were not JSON
		},
		lineError: func(line int, err error) error { return fmt.Errorf("%s:%d: %w", name, line, err) },
		readError: func(err error) error {
			var tooLong *jsonl.LineError
			if errors.As(err, &tooLong) && errors.Is(err, jsonl.ErrLineTooLong) {
				return fmt.Errorf("%s: %w", name, &ResultsTooLargeError{Line: tooLong.Line, Limit: MaxResultLine})
			}
			return fmt.Errorf("reading %s: %w", name, err)
		},
	}
	return pl.run(ctx, in, workers, w)
}

// Encoded counts the results a pipeline wrote out.
type Encoded struct {
	Tally Tally
	// Invalid counts the answers that do not validate (valid false).
	Invalid int
}

// run runs the pipeline on in, writing to w.
func (pl *pipeline) run(ctx context.Context, in io.Reader, workers int, w io.Writer) (Encoded, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	norm := aliasingNormalizer(pl.p)
	work := make(chan *chunk, workers+chunksAhead)
	order := make(chan *chunk, workers+chunksAhead)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
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
	enc, err := pl.write(order, w)
	if err == nil {
		err = parent.Err() // the reader stopped without handing on its error
	}
	if err == nil {
		wg.Wait()
	}
	// On an error the reader and the workers end on their own once they
	// see the context cancelled; a read that waits on a pipe is not waited
	// for.
	return enc, err
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

	done chan struct{} // closed once out, results and failed are set
	out  []byte
	// results are those of the lines before failed, in order.
	results []lineResult
	// failed is the first line that could not be normalized, and why.
	failed error
}

// lineRef is where a line lies in its chunk's data, and its number.
type lineRef struct {
	end    int // data[previous end:end]
	number int
}

// lineResult is what the writer needs of one line's result.
type lineResult struct {
	end int // out[previous end:end] is its output
	// id is the result's custom_id; it may alias the chunk's data.
	id      string
	status  providers.ResultStatus
	invalid bool  // its answer does not validate
	err     error // of encode: the output ends before the line if it is taken
}

var (
	dataPool = sync.Pool{New: func() any { return make([]byte, 0, defaultChunkSize+defaultChunkSize/4) }}
	outPool  = sync.Pool{New: func() any { return make([]byte, 0, 2*defaultChunkSize) }}
)

// resultsPool holds chunks' results slices (as *[]lineResult).
var resultsPool = sync.Pool{New: func() any { return new([]lineResult) }}

func getBuf(p *sync.Pool) []byte { return p.Get().([]byte)[:0] }

func putBuf(p *sync.Pool, b []byte) {
	if cap(b) <= maxPooled {
		p.Put(b[:0]) // boxing the slice header allocates 24 bytes, little next to the buffer
	}
}

// pipeline is one run of EncodeFileResults, or of the lines of one part
// of a job (Manager.EncodeResults).
type pipeline struct {
	p      providers.Provider
	encode Encoder
	// finish completes each normalized result before encode (in the
	// workers): what FileResults or a job's emitter fill in and check.
	finish func(*providers.Result)
	// take, when set, decides in input order whether a line's result is
	// written and counted (a job's first line for each submitted id);
	// nil takes them all.
	take func(id string) bool
	// lineError words a line that could not be normalized; readError an
	// error that ended the input (not the context's).
	lineError func(line int, err error) error
	readError func(err error) error
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

// normalize normalizes, finishes and encodes the lines of c, as
// FileResults does each line, up to the first that fails to normalize.
func (pl *pipeline) normalize(c *chunk, norm func([]byte) (providers.Result, error)) {
	c.out, c.results = getBuf(&outPool), (*resultsPool.Get().(*[]lineResult))[:0]
	start := 0
	for _, l := range c.lines {
		line := c.data[start:l.end]
		start = l.end
		r, err := norm(line)
		if err != nil {
			c.failed = pl.lineError(l.number, err)
			return
		}
		pl.finish(&r)
		res := lineResult{id: r.CustomID, status: r.Status}
		n := len(c.out)
		if c.out, err = pl.encode(c.out, &r); err != nil {
			c.out, res.err = c.out[:n], err
		}
		res.end, res.invalid = len(c.out), r.Valid != nil && !*r.Valid
		c.results = append(c.results, res)
	}
}

// write writes the chunks' output in input order, that of the lines
// taken, and counts their results, stopping at the first failure: a line
// that could not be normalized, an error of encode (for a line taken) or
// of w, or the end of the input on an error.
func (pl *pipeline) write(order <-chan *chunk, w io.Writer) (Encoded, error) {
	enc := Encoded{Tally: Tally{}}
	for c := range order {
		<-c.done
		err := pl.writeChunk(c, w, &enc)
		switch {
		case err != nil:
		case c.failed != nil:
			err = c.failed
		case c.err != nil:
			err = c.err
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				err = pl.readError(err)
			}
		}
		putBuf(&dataPool, c.data)
		putBuf(&outPool, c.out)
		clear(c.results) // ids may alias the data given back
		results := c.results[:0]
		resultsPool.Put(&results)
		if err != nil {
			return enc, err
		}
	}
	return enc, nil
}

// writeChunk writes the output of c's lines taken, each run of them in
// one write.
func (pl *pipeline) writeChunk(c *chunk, w io.Writer, enc *Encoded) error {
	run, start := 0, 0 // c.out[run:start] is to be written
	flush := func() error {
		if start > run {
			if _, err := w.Write(c.out[run:start]); err != nil {
				return err
			}
		}
		return nil
	}
	for _, res := range c.results {
		if pl.take != nil && !pl.take(res.id) {
			if err := flush(); err != nil {
				return err
			}
			run, start = res.end, res.end
			continue
		}
		if res.err != nil {
			if err := flush(); err != nil {
				return err
			}
			return res.err
		}
		enc.Tally[res.status]++
		if res.invalid {
			enc.Invalid++
		}
		start = res.end
	}
	return flush()
}
