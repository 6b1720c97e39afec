package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Answer is an HTTP answer read whole: a direct job's one request.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Exchange POSTs a JSON body to rawURL and reads the answer whatever its
// status: a 2xx body up to MaxBody bytes, any other up to MaxErrorBody.
// Only a failure to send or to read is an error; its message starts with op.
func (c *Client) Exchange(ctx context.Context, op, rawURL string, body []byte) (Answer, error) {
	req, err := c.NewRequest(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	limit := int64(MaxErrorBody)
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		limit = c.MaxBody
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return Answer{}, fmt.Errorf("%s: read response: %w", op, err)
	}
	if int64(len(raw)) > limit {
		return Answer{}, fmt.Errorf("%s: response is larger than %d bytes", op, limit)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: oneLine(raw)}, nil
}

// oneLine returns a JSON body on one line, as a result line holds it:
// without the newline an encoder ends it with, and compacted when it
// holds more (an indented answer). A body that is not JSON is left as it is.
func oneLine(raw []byte) []byte {
	raw = bytes.TrimSpace(raw)
	if bytes.IndexAny(raw, "\r\n") < 0 {
		return raw
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// OK reports whether the answer is a 2xx.
func (a Answer) OK() bool { return a.Status >= 200 && a.Status <= 299 }
