// Package httpx is the HTTP plumbing the provider clients share: building a
// request that carries a profile's credentials, sending it, turning an
// answer that is not 2xx into a *providers.HTTPError (with the wait
// Retry-After asks for, and never a secret), reading bounded answers,
// streaming result files, and following paged lists. What differs between
// providers (their credentials, headers, error bodies and list pages) they
// pass in.
package httpx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// Client sends one profile's requests. Its zero-valued optional fields
// (UserAgent, Authorize, ParseError, Now) mean: no User-Agent of its own,
// no provider headers, every error body is plain text, time.Now.
type Client struct {
	// HTTP sends the requests.
	HTTP *http.Client
	// Profile is the profile's name, for *providers.MissingKeyError.
	Profile string
	// Creds authenticate every request. Without them (the profile has no
	// key), NewRequest and CheckKey fail with a *providers.MissingKeyError.
	// Their secrets are removed from every error message.
	Creds Credentials
	// KeyEnv names the variable the key comes from, for error messages only.
	KeyEnv string
	// UserAgent is sent as User-Agent when not empty.
	UserAgent string
	// Authorize sets the provider's own headers on every new request,
	// before the credentials.
	Authorize func(*http.Request) error
	// ParseError reads the provider's own error bodies.
	ParseError ErrorParser
	// MaxBody bounds a 2xx answer that is read whole (Send, Call, ReadBody).
	MaxBody int64
	// Now is the clock Retry-After dates are read against.
	Now func() time.Time
}

// New returns c sending its requests with hc (http.DefaultClient when nil)
// guarded by GuardKey: the credentials' headers, every key header and the
// extra headers (a gateway's credentials) stay on the first request's
// origin.
func New(hc *http.Client, c Client, extra ...string) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	if c.Creds != nil {
		extra = slices.Concat(c.Creds.Headers(), extra)
	}
	c.HTTP = GuardKey(hc, extra...)
	return &c
}

// CheckKey returns a *providers.MissingKeyError when the profile has no key.
func (c *Client) CheckKey() error {
	if c.Creds == nil {
		return &providers.MissingKeyError{Profile: c.Profile, Env: c.KeyEnv}
	}
	return nil
}

// NewRequest builds a request for rawURL with the provider's headers, the
// credentials and the User-Agent.
func (c *Client) NewRequest(ctx context.Context, method, rawURL string, body io.Reader) (*http.Request, error) {
	if err := c.CheckKey(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	if c.Authorize != nil {
		if err := c.Authorize(req); err != nil {
			return nil, err
		}
	}
	if err := c.Creds.Apply(req); err != nil {
		return nil, err
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	return req, nil
}

// Call makes a request with an optional JSON body and returns the body of
// its 2xx answer. Its errors start with op.
func (c *Client) Call(ctx context.Context, op, method, rawURL string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := c.NewRequest(ctx, method, rawURL, r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.Send(op, req)
}

// Do sends req and returns its 2xx response, whose body the caller must
// close. Any other answer is read, closed and returned as a
// *providers.HTTPError. Its errors start with op.
func (c *Client) Do(op string, req *http.Request) (*http.Response, error) {
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, c.httpError(op, resp)
	}
	return resp, nil
}

// Send sends req and returns the body of its 2xx answer, at most MaxBody
// bytes.
func (c *Client) Send(op string, req *http.Request) ([]byte, error) {
	resp, err := c.Do(op, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return c.ReadBody(op, resp.Body)
}

// ReadBody reads an answer, failing when it is longer than MaxBody bytes.
func (c *Client) ReadBody(op string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, c.MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read response: %w", op, err)
	}
	if int64(len(raw)) > c.MaxBody {
		return nil, fmt.Errorf("%s: response is larger than %d bytes", op, c.MaxBody)
	}
	return raw, nil
}

// Download sends req and streams the body of its 2xx answer, a file of
// lines, to w, adding the '\n' a non-empty file's last line lacks.
func (c *Client) Download(op string, req *http.Request, w io.Writer) error {
	resp, err := c.Do(op, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := CopyLines(w, resp.Body); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// CopyLines copies a file of lines from r to w, adding the '\n' a
// non-empty file's last line lacks.
func CopyLines(w io.Writer, r io.Reader) error {
	lw := &lastByteWriter{w: w}
	if _, err := io.Copy(lw, r); err != nil {
		return err
	}
	if lw.n > 0 && lw.last != '\n' {
		_, err := w.Write([]byte{'\n'})
		return err
	}
	return nil
}

// lastByteWriter passes writes through and remembers the last byte written.
type lastByteWriter struct {
	w    io.Writer
	n    int64
	last byte
}

func (lw *lastByteWriter) Write(p []byte) (int, error) {
	n, err := lw.w.Write(p)
	if n > 0 {
		lw.n += int64(n)
		lw.last = p[n-1]
	}
	return n, err
}

// SameOrigin reports whether u is an absolute URL with base's scheme and
// host (with port; case is ignored): whether a request for u may carry the
// key that goes to base.
func SameOrigin(u, base *url.URL) bool {
	return u.Scheme != "" && u.Host != "" && strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// maxRedirects is how many redirects net/http follows by default.
const maxRedirects = 10

// KeyHeaders are the headers that carry an API key in the protocols
// batchctl speaks: OpenAI's bearer token, Azure's api-key, Anthropic's
// x-api-key and Gemini's x-goog-api-key.
var KeyHeaders = []string{"Authorization", "Api-Key", "X-Api-Key", "X-Goog-Api-Key"}

// GuardKey returns a copy of hc (sharing its transport) that removes every
// key header, and the named extra headers, from a request redirected to
// another origin (scheme, host or port) than the first request's, before
// applying hc's own redirect policy. net/http alone keeps Authorization on
// a redirect to the same host name on another port or scheme, and keeps
// every other header everywhere. A key is sent to its provider and nowhere
// else, and never in clear once it was sent over TLS.
func GuardKey(hc *http.Client, extra ...string) *http.Client {
	guarded := *hc
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !SameOrigin(req.URL, via[0].URL) {
			for _, h := range KeyHeaders {
				req.Header.Del(h)
			}
			for _, h := range extra {
				req.Header.Del(h)
			}
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
