package httpx

import (
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
	// MaxErrorBody bounds how much of an error answer is read.
	MaxErrorBody = 1 << 20
	// MaxPlainMessage bounds, in characters, the message made of an error
	// body that is not the provider's error JSON.
	MaxPlainMessage = 200
)

// redacted stands for a secret wherever an error message held it.
const redacted = "[redacted]"

// ErrorParser reads an error body in a provider's own JSON. When body is
// one, it fills e's Type, Code, Message and Param (and may set a
// RetryAfter the headers left at zero) and reports true; otherwise it
// leaves e alone and reports false. e arrives with its Op, StatusCode and
// the RetryAfter of the headers set.
type ErrorParser func(body []byte, e *providers.HTTPError) bool

// httpError turns a non-2xx answer into a *providers.HTTPError. It reads at
// most MaxErrorBody bytes and never fails: a body ParseError does not take
// (a proxy's page, a service answering in plain text) becomes the message,
// on one line. No secret of the credentials appears in the message.
func (c *Client) httpError(op string, resp *http.Response) *providers.HTTPError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	return c.ErrorOf(op, resp.StatusCode, resp.Header, raw)
}

// ErrorOf is the *providers.HTTPError of an answer already read: its
// status, headers and (at most MaxErrorBody bytes of) body.
func (c *Client) ErrorOf(op string, status int, h http.Header, raw []byte) *providers.HTTPError {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	e := &providers.HTTPError{
		Op:         op,
		StatusCode: status,
		RetryAfter: RetryAfter(h, now()),
	}
	if c.ParseError == nil || !c.ParseError(raw, e) {
		e.Message = plainMessage(raw)
	}
	if c.Creds != nil {
		for _, secret := range c.Creds.Secrets() {
			if secret != "" {
				e.Message = strings.ReplaceAll(e.Message, secret, redacted)
			}
		}
	}
	return e
}

// plainMessage makes a one-line message out of a body, at most
// MaxPlainMessage characters long.
func plainMessage(raw []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(raw), "")), " ")
	if utf8.RuneCountInString(s) <= MaxPlainMessage {
		return s
	}
	return string([]rune(s)[:MaxPlainMessage]) + "…"
}

// RetryAfter is the wait an answer asks for: Retry-After-Ms (milliseconds),
// else Retry-After (seconds or an HTTP date, relative to now); zero when
// neither is present and valid. A wait too long for a time.Duration is the
// longest one.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	if d, ok := parseDuration(strings.TrimSpace(h.Get("Retry-After-Ms")), time.Millisecond); ok {
		return d
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
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
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if d := f * float64(unit); d < math.MaxInt64 {
		return time.Duration(d), true
	}
	return time.Duration(math.MaxInt64), true
}
