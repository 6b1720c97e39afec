package anthropic

import (
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
	// maxResponseBody bounds a JSON answer (a batch, a page of batches).
	maxResponseBody = 16 << 20
	// maxErrorBody bounds how much of an error answer is read.
	maxErrorBody = 1 << 20
	// maxPlainMessage bounds the message taken from a non-JSON error body.
	maxPlainMessage = 200
)

// maxRedirects is how many redirects net/http follows by default.
const maxRedirects = 10

// guardKey returns a copy of hc (sharing its transport) that removes
// x-api-key from a request redirected to another origin, as net/http does
// with Authorization, before applying hc's own redirect policy.
func guardKey(hc *http.Client) *http.Client {
	guarded := *hc
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, via[0].URL) {
			req.Header.Del("X-Api-Key")
		}
		if hc.CheckRedirect != nil {
			return hc.CheckRedirect(req, via)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return &guarded
}

// sameOrigin reports whether two URLs have the same scheme and host (with
// port; case is ignored).
func sameOrigin(a, b *url.URL) bool {
	return a.Scheme != "" && a.Host != "" && strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// checkKey returns a *providers.MissingKeyError when the profile has no key.
func (c *Client) checkKey() error {
	if c.cfg.APIKey == "" {
		return &providers.MissingKeyError{Profile: c.cfg.Name, Env: c.cfg.APIKeyEnv}
	}
	return nil
}

// newRequest builds an authenticated request for path under the base URL.
func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	return c.newRequestURL(ctx, method, c.base+path, body)
}

// newRequestURL builds an authenticated request for an absolute URL, which
// must be on the base URL's origin: the key goes with it.
func (c *Client) newRequestURL(ctx context.Context, method, rawURL string, body io.Reader) (*http.Request, error) {
	if err := c.checkKey(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Api-Key", c.cfg.APIKey)
	req.Header.Set("Anthropic-Version", c.cfg.Version)
	if c.cfg.Beta != "" {
		req.Header.Set("Anthropic-Beta", c.cfg.Beta)
	}
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	return req, nil
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

// errorResponse is Anthropic's error answer:
// {"type":"error","error":{"type":...,"message":...},"request_id":...}.
type errorResponse struct {
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// httpError turns a non-2xx answer into a *providers.HTTPError whose Type
// and Code are the error's type (overloaded_error, rate_limit_error, ...).
// It reads at most maxErrorBody bytes and never fails: a body it cannot
// parse (a proxy's page) becomes the message.
func (c *Client) httpError(op string, resp *http.Response) *providers.HTTPError {
	e := &providers.HTTPError{
		Op:         op,
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header, c.now()),
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body errorResponse
	if json.Unmarshal(raw, &body) == nil && body.Error != nil {
		e.Type, e.Code, e.Message = body.Error.Type, body.Error.Type, body.Error.Message
	} else {
		e.Message = plainMessage(raw)
	}
	if c.cfg.APIKey != "" {
		e.Message = strings.ReplaceAll(e.Message, c.cfg.APIKey, "[redacted]")
	}
	return e
}

// plainMessage makes a one-line message out of a body that is not an
// error object, at most maxPlainMessage characters long.
func plainMessage(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	if utf8.RuneCountInString(s) <= maxPlainMessage {
		return s
	}
	return string([]rune(s)[:maxPlainMessage]) + "…"
}

// retryAfter is the wait an answer asks for: retry-after-ms
// (milliseconds), else retry-after (seconds or an HTTP date, relative to
// now); zero when neither is present and valid.
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
	if d := f * float64(unit); d < math.MaxInt64 {
		return time.Duration(d), true
	}
	return time.Duration(math.MaxInt64), true
}
