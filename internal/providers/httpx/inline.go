package httpx

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// InlineBody is the body of a create request that carries its requests
// inline (Anthropic's POST /v1/messages/batches, OpenRouter's POST
// /batches), rendered around an input of one request object per line: only
// the head (up to the array's "[") and tail (from its "]") are held in
// memory, the lines are streamed with each newline but the last turned
// into a comma, so the body's length is known before sending.
type InlineBody struct {
	head, tail string
	size       int64
	requests   int
}

// NewInlineBody describes the body head + input + tail for an input of size
// bytes holding requests lines.
func NewInlineBody(head, tail string, size int64, requests int) (*InlineBody, error) {
	switch {
	case requests < 1:
		return nil, errors.New("no requests to send")
	case size < 2*int64(requests):
		return nil, fmt.Errorf("an input of %d bytes cannot hold %d requests", size, requests)
	}
	return &InlineBody{head: head, tail: tail, size: size, requests: requests}, nil
}

// Length is the body's length: the input loses its last newline.
func (b *InlineBody) Length() int64 {
	return int64(len(b.head)) + b.size - 1 + int64(len(b.tail))
}

// Open returns a fresh body over the input open returns.
func (b *InlineBody) Open(open func() (io.ReadCloser, error)) (io.ReadCloser, error) {
	in, err := open()
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	return &bodyReader{
		Reader: io.MultiReader(strings.NewReader(b.head), newLineJoiner(in, b.size, b.requests), strings.NewReader(b.tail)),
		Closer: in,
	}, nil
}

// bodyReader reads the rendered body and closes the input.
type bodyReader struct {
	io.Reader
	io.Closer
}

// lineJoiner reads an input of exactly size bytes and lines lines, each
// ending in '\n', and passes it on with every newline but the last turned
// into a comma and the last one dropped. It fails as soon as the input
// turns out to differ from its declared shape (shorter, longer, an empty
// line, a missing final newline, another number of lines), so a changed
// input can never be sent truncated or as another array.
type lineJoiner struct {
	r           io.Reader
	size, read  int64
	want, lines int
	lineStart   bool // the next byte starts a line
	probe       [1]byte
}

func newLineJoiner(r io.Reader, size int64, lines int) *lineJoiner {
	return &lineJoiner{r: r, size: size, want: lines, lineStart: true}
}

func (j *lineJoiner) Read(p []byte) (int, error) {
	if j.read == j.size {
		if n, err := j.r.Read(j.probe[:]); n > 0 {
			return 0, fmt.Errorf("input is longer than its declared %d bytes", j.size)
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if left := j.size - j.read; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := j.r.Read(p)
	out, jerr := j.join(p[:n])
	if jerr != nil {
		return out, jerr
	}
	if errors.Is(err, io.EOF) && j.read < j.size {
		return out, fmt.Errorf("input ended after %d of its declared %d bytes", j.read, j.size)
	}
	return out, err
}

// join rewrites the newlines of chunk, the next bytes of the input, in
// place and returns how many of its bytes are to be passed on.
func (j *lineJoiner) join(chunk []byte) (int, error) {
	out := len(chunk)
	for i, c := range chunk {
		if c != '\n' {
			j.lineStart = false
			continue
		}
		if j.lineStart {
			return i, fmt.Errorf("input line %d is empty", j.lines+1)
		}
		j.lines++
		j.lineStart = true
		if j.read+int64(i) == j.size-1 {
			out = i // the final newline; it is the chunk's last byte
		} else {
			chunk[i] = ','
		}
	}
	j.read += int64(len(chunk))
	if j.read < j.size {
		return out, nil
	}
	switch {
	case !j.lineStart:
		return out, errors.New("input does not end with a newline")
	case j.lines != j.want:
		return out, fmt.Errorf("input has %d lines, not its declared %d requests", j.lines, j.want)
	}
	return out, nil
}
