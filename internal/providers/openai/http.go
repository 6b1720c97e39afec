package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/providers"
)

const (
	// maxResponseBody bounds a JSON answer (a batch, a page of 100 batches).
	maxResponseBody = 16 << 20
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 1 << 20
	// maxPlainMessage bounds the message taken from a non-JSON error body.
	maxPlainMessage = 200
)

// checkKey returns a *providers.MissingKeyError when the profile has no key.
func (c *Client) checkKey() error {
	if c.cfg.APIKey == "" {
		return &providers.MissingKeyError{Profile: c.cfg.Name, Env: c.cfg.APIKeyEnv}
	}
	return nil
}

// newRequest builds an authenticated request for path under the base URL.
func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	if err := c.checkKey(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range c.cfg.Headers {
		req.Header.Set(k, v)
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	switch c.cfg.AuthHeader {
	case "", AuthBearer:
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	case AuthAPIKey:
		req.Header.Set("Api-Key", c.cfg.APIKey)
	default:
		return nil, fmt.Errorf("unknown auth header style %q (want %s or %s)", c.cfg.AuthHeader, AuthBearer, AuthAPIKey)
	}
	return req, nil
}

// call makes a request with an optional JSON body and returns the body of
// its 2xx answer.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := c.newRequest(ctx, method, path, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(op, req)
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
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read response: %w", op, err)
	}
	if len(raw) > maxResponseBody {
		return nil, fmt.Errorf("%s: response is larger than %d bytes", op, maxResponseBody)
	}
	return raw, nil
}

// errorEnvelope is an error answer: OpenAI's {"error":{...}}, a gateway's
// {"error":"text"}, or Azure API Management's {"statusCode":401,"message":"..."}.
type errorEnvelope struct {
	Error   json.RawMessage `json:"error"`
	Message string          `json:"message"`
}

// errorObject is OpenAI's error object. Code and param are strings or null
// in OpenAI's answers; other services put numbers there too.
type errorObject struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Param   any    `json:"param"`
	Code    any    `json:"code"`
}

// httpError turns a non-2xx answer into a *providers.HTTPError. It reads
// at most maxErrorBody bytes and never fails: a body it cannot parse
// becomes the message.
func (c *Client) httpError(op string, resp *http.Response) *providers.HTTPError {
	e := &providers.HTTPError{
		Op:         op,
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header, c.now()),
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var env errorEnvelope
	if err := json.Unmarshal(raw, &env); err != nil {
		e.Message = plainMessage(raw)
	} else {
		env.fill(e)
	}
	if c.cfg.APIKey != "" {
		e.Message = strings.ReplaceAll(e.Message, c.cfg.APIKey, "[redacted]")
	}
	return e
}

// fill copies what the envelope says into e.
func (env errorEnvelope) fill(e *providers.HTTPError) {
	var obj errorObject
	var text string
	switch {
	case bytes.HasPrefix(env.Error, []byte("{")) && json.Unmarshal(env.Error, &obj) == nil:
		e.Type, e.Message = obj.Type, obj.Message
		e.Code, e.Param = scalarString(obj.Code), scalarString(obj.Param)
	case json.Unmarshal(env.Error, &text) == nil && text != "":
		e.Message = text
	default:
		e.Message = env.Message
	}
}

// scalarString renders a JSON string or number as text; anything else is "".
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// plainMessage makes a one-line message out of a body that is not JSON
// (a proxy's HTML or text page), at most maxPlainMessage characters long.
func plainMessage(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	if utf8.RuneCountInString(s) <= maxPlainMessage {
		return s
	}
	return string([]rune(s)[:maxPlainMessage]) + "…"
}

// retryAfter is the wait an answer asks for: Retry-After-Ms (milliseconds),
// else Retry-After (seconds or an HTTP date, relative to now); zero when
// neither is present and valid.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if d, ok := parseDuration(h.Get("Retry-After-Ms"), time.Millisecond); ok {
		return d
	}
	v := h.Get("Retry-After")
	if d, ok := parseDuration(v, time.Second); ok {
		return d
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// parseDuration reads a non-negative decimal number of units.
func parseDuration(v string, unit time.Duration) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	d := f * float64(unit)
	if d >= math.MaxInt64 {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(d), true
}
