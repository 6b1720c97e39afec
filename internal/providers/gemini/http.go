package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/providers"
)

const (
	// maxResponseBody bounds a JSON answer. A finished batch with inline
	// requests carries all its responses, so this is generous.
	maxResponseBody = 256 << 20
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 1 << 20
	// maxPlainMessage bounds the message taken from a non-JSON error body.
	maxPlainMessage = 200
	// apiKeyHeader carries the API key.
	apiKeyHeader = "X-Goog-Api-Key"
)

// checkKey returns a *providers.MissingKeyError when the profile has no key.
func (c *Client) checkKey() error {
	if c.cfg.APIKey == "" {
		return &providers.MissingKeyError{Profile: c.cfg.Name, Env: c.cfg.APIKeyEnv}
	}
	return nil
}

// newRequest builds a request for rawURL. The API key goes along only to
// the base URL's origin: an upload URL elsewhere is a capability of its
// own and does not get it.
func (c *Client) newRequest(ctx context.Context, method, rawURL string, body io.Reader) (*http.Request, error) {
	if err := c.checkKey(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if c.sameOrigin(req.URL) {
		req.Header.Set(apiKeyHeader, c.cfg.APIKey)
	}
	return req, nil
}

// sameOrigin reports whether u has the base URL's scheme and host.
func (c *Client) sameOrigin(u *url.URL) bool {
	base, err := url.Parse(c.base)
	return err == nil && strings.EqualFold(base.Scheme, u.Scheme) && strings.EqualFold(base.Host, u.Host)
}

// call makes a request for path under the base URL with an optional JSON
// body and returns the body of its 2xx answer.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := c.newRequest(ctx, method, c.base+path, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(op, req)
}

// operationCall makes one request whose answer is a batch operation.
func (c *Client) operationCall(ctx context.Context, op, method, path string, body []byte) (*providers.Batch, error) {
	raw, err := c.call(ctx, op, method, path, body)
	if err != nil {
		return nil, err
	}
	return c.parse(op, raw)
}

// operation sends req, whose answer is a batch operation.
func (c *Client) operation(op string, req *http.Request) (*providers.Batch, error) {
	raw, err := c.send(op, req)
	if err != nil {
		return nil, err
	}
	return c.parse(op, raw)
}

func (c *Client) parse(op string, raw []byte) (*providers.Batch, error) {
	b, err := parseOperation(c.cfg.Name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// do sends req and returns its 2xx response, whose body the caller must
// close. Any other status becomes a *providers.HTTPError.
func (c *Client) do(op string, req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, c.httpError(op, resp)
	}
	return resp, nil
}

// send sends req and returns the body of its 2xx answer.
func (c *Client) send(op string, req *http.Request) ([]byte, error) {
	resp, err := c.do(op, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return readBody(op, resp.Body)
}

// readBody reads an answer of at most maxResponseBody bytes.
func readBody(op string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxResponseBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read response: %w", op, err)
	}
	if len(raw) > maxResponseBody {
		return nil, fmt.Errorf("%s: response is larger than %d bytes", op, maxResponseBody)
	}
	return raw, nil
}

// googleError is what batchctl reads of Google's error body,
// {"error":{"code":...,"message":...,"status":...,"details":[...]}}: the
// code repeats the HTTP status.
type googleError struct {
	Error *struct {
		Message string        `json:"message"`
		Status  string        `json:"status"`
		Details []errorDetail `json:"details"`
	} `json:"error"`
}

// errorDetail is one entry of an error's details; only google.rpc.RetryInfo
// is read.
type errorDetail struct {
	Type       string `json:"@type"`
	RetryDelay string `json:"retryDelay"`
}

const retryInfoType = "type.googleapis.com/google.rpc.RetryInfo"

// httpError turns a non-2xx answer into a *providers.HTTPError. It reads
// at most maxErrorBody bytes and never fails: a body it cannot parse (the
// upload service answers in plain text) becomes the message.
func (c *Client) httpError(op string, resp *http.Response) *providers.HTTPError {
	e := &providers.HTTPError{
		Op:         op,
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header, c.now()),
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body googleError
	if json.Unmarshal(raw, &body) == nil && body.Error != nil {
		e.Code, e.Message = body.Error.Status, body.Error.Message
		if e.RetryAfter == 0 {
			e.RetryAfter = retryDelay(body.Error.Details)
		}
	} else {
		e.Message = plainMessage(raw)
	}
	if c.cfg.APIKey != "" {
		e.Message = strings.ReplaceAll(e.Message, c.cfg.APIKey, "[redacted]")
	}
	return e
}

// retryDelay is the wait a google.rpc.RetryInfo detail asks for ("58s",
// "1.5s"); zero when there is none.
func retryDelay(details []errorDetail) time.Duration {
	for _, d := range details {
		if d.Type != retryInfoType {
			continue
		}
		if delay, err := time.ParseDuration(d.RetryDelay); err == nil && delay > 0 {
			return delay
		}
	}
	return 0
}

// plainMessage makes a one-line message out of a body that is not JSON
// (a proxy's HTML or the upload service's text), at most maxPlainMessage
// characters long.
func plainMessage(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	if utf8.RuneCountInString(s) <= maxPlainMessage {
		return s
	}
	return string([]rune(s)[:maxPlainMessage]) + "…"
}

// retryAfter is the wait a Retry-After header asks for (seconds or an HTTP
// date, relative to now); zero when it is absent or invalid.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 {
			return 0
		}
		if d := secs * float64(time.Second); d < math.MaxInt64 {
			return time.Duration(d)
		}
		return time.Duration(math.MaxInt64)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
