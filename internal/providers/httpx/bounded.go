package httpx

import (
	"fmt"
	"io"
)

// Bounded returns a reader of the answer r, streamed rather than read
// whole, that fails once more than MaxBody bytes came from it: a body a
// decoder buffers piece by piece is bounded all the same.
func (c *Client) Bounded(op string, r io.Reader) io.Reader {
	return &boundedReader{r: r, left: c.MaxBody, op: op, max: c.MaxBody}
}

type boundedReader struct {
	r    io.Reader
	left int64
	op   string
	max  int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("%s: response is larger than %d bytes", b.op, b.max)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, fmt.Errorf("%s: response is larger than %d bytes", b.op, b.max)
	}
	return n, err
}
