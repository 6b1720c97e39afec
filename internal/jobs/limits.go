package jobs

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/batchctl/batchctl/internal/jsonl"
)

// MaxResultLine is the longest provider result line accepted, in bytes. Real lines can be long (a
// generation of 100k tokens is under 1 MiB, a base64 image a few MiB, one
// embedding of 3072 floats about 60 KiB of JSON, so an embeddings request
// of 1000 inputs about 60 MiB), so it is generous; a line within it is
// still read whole into memory to be normalized. It is there so that a
// broken or hostile provider cannot make batchctl buffer or store without
// end.
const MaxResultLine = 64 << 20

// maxResults bounds the provider results of a part of requests requests:
// one longest line per request, and never less than one line. Repeats and
// error files fit within it unless the lines are long too.
func maxResults(requests int) int64 {
	n := int64(max(requests, 1))
	if n > math.MaxInt64/MaxResultLine {
		return math.MaxInt64
	}
	return n * MaxResultLine
}

// ResultsTooLargeError says a provider sent more results than a batch can
// hold: a line longer than the per-line bound (Line > 0), or more bytes in
// all than the bound for its requests. It is a provider fault, never
// repeated.
type ResultsTooLargeError struct {
	Line     int   // 1-based number of the long line; 0 for the total
	Limit    int64 // the bound passed, in bytes
	Requests int   // of the part, for the total
}

func (e *ResultsTooLargeError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("result line %d is longer than %s, the most batchctl accepts of one line", e.Line, formatSize(e.Limit))
	}
	return fmt.Sprintf("the results are larger than %s, the most %s can return (%s of one line each)", formatSize(e.Limit), plural(e.Requests, "request"), formatSize(e.Limit/int64(e.Requests)))
}

// formatSize says n bytes in MiB when it is a whole number of them.
func formatSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// boundedLines passes a stream of lines to w and fails, before writing a
// byte past it, as soon as a line grows longer than maxLine or the stream
// longer than maxTotal: what a provider sends is checked as it arrives,
// never buffered to be measured.
type boundedLines struct {
	w        io.Writer
	maxLine  int64
	maxTotal int64
	requests int
	line     int64 // bytes of the current line so far, without '\n'
	lines    int   // lines ended so far
	total    int64
}

func (b *boundedLines) Write(p []byte) (int, error) {
	if b.total+int64(len(p)) > b.maxTotal {
		return 0, &ResultsTooLargeError{Limit: b.maxTotal, Requests: b.requests}
	}
	line, lines := b.line, b.lines
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		if line+int64(i) > b.maxLine {
			return 0, &ResultsTooLargeError{Line: lines + 1, Limit: b.maxLine}
		}
		if i == len(rest) {
			line += int64(i)
			break
		}
		line, lines = 0, lines+1
		rest = rest[i+1:]
	}
	n, err := b.w.Write(p)
	b.total += int64(n)
	if n == len(p) {
		b.line, b.lines = line, lines
	}
	return n, err
}

// newResultReader reads provider result lines, refusing one over
// MaxResultLine (see nextResult).
func newResultReader(r io.Reader) *jsonl.Reader {
	rd := jsonl.NewReader(r)
	rd.Bound(MaxResultLine+1, nil) // with its newline
	return rd
}

// nextResult returns the next result line of rd. The Reader's bound stops
// a line while it grows past the read buffer; a line that ends in the same
// read as it passes MaxResultLine is caught here, so the bound is exact.
func nextResult(rd *jsonl.Reader) ([]byte, error) {
	line, err := rd.Next()
	if err == nil && len(line) > MaxResultLine {
		return nil, &jsonl.LineError{Line: rd.Line(), Bound: MaxResultLine + 1, Err: jsonl.ErrLineTooLong}
	}
	return line, err
}
