package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// parseTestError reads {"error":{"type":...,"message":...}} and, as
// Gemini's parser does, a wait the headers did not give.
func parseTestError(raw []byte, e *providers.HTTPError) bool {
	var body struct {
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
			Retry   int    `json:"retry_seconds"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &body) != nil || body.Error == nil {
		return false
	}
	e.Type, e.Message = body.Error.Type, body.Error.Message
	if e.RetryAfter == 0 {
		e.RetryAfter = time.Duration(body.Error.Retry) * time.Second
	}
	return true
}

func TestHTTPError(t *testing.T) {
	tests := []struct {
		name   string
		a      answer
		parse  ErrorParser
		want   providers.HTTPError
		wantIs string // err.Error()
	}{
		{
			name:   "the provider's error body",
			a:      answer{status: 429, header: http.Header{"Retry-After": {"7"}}, body: `{"error":{"type":"rate_limit","message":"slow down","retry_seconds":30}}`},
			parse:  parseTestError,
			want:   providers.HTTPError{Op: "get x", StatusCode: 429, Type: "rate_limit", Message: "slow down", RetryAfter: 7 * time.Second},
			wantIs: "get x: 429 Too Many Requests: slow down",
		},
		{
			name:  "the parser sees a zero RetryAfter and fills it",
			a:     answer{status: 429, body: `{"error":{"type":"rate_limit","message":"slow down","retry_seconds":30}}`},
			parse: parseTestError,
			want:  providers.HTTPError{Op: "get x", StatusCode: 429, Type: "rate_limit", Message: "slow down", RetryAfter: 30 * time.Second},
		},
		{
			name:   "a body the parser does not take is one line",
			a:      answer{status: 502, body: "<html>\n  <b>502</b>\tBad   gateway\n</html>\n"},
			parse:  parseTestError,
			want:   providers.HTTPError{Op: "get x", StatusCode: 502, Message: "<html> <b>502</b> Bad gateway </html>"},
			wantIs: "get x: 502 Bad Gateway: <html> <b>502</b> Bad gateway </html>",
		},
		{
			name: "no parser",
			a:    answer{status: 500, body: `{"error":{"message":"m"}}`},
			want: providers.HTTPError{Op: "get x", StatusCode: 500, Message: `{"error":{"message":"m"}}`},
		},
		{
			name:   "empty body",
			a:      answer{status: 529},
			parse:  parseTestError,
			want:   providers.HTTPError{Op: "get x", StatusCode: 529},
			wantIs: "get x: 529 Overloaded",
		},
		{
			name: "long body: 200 characters and an ellipsis",
			a:    answer{status: 500, body: strings.Repeat("é", 300)},
			want: providers.HTTPError{Op: "get x", StatusCode: 500, Message: strings.Repeat("é", 200) + "…"},
		},
		{
			name: "invalid UTF-8 is dropped",
			a:    answer{status: 500, body: "bad \xff\xfe byte"},
			want: providers.HTTPError{Op: "get x", StatusCode: 500, Message: "bad byte"},
		},
		{
			name:   "the key is redacted from a parsed message",
			a:      answer{status: 401, body: `{"error":{"type":"auth","message":"key ` + testKey + ` is revoked"}}`},
			parse:  parseTestError,
			want:   providers.HTTPError{Op: "get x", StatusCode: 401, Type: "auth", Message: "key [redacted] is revoked"},
			wantIs: "get x: 401 Unauthorized: key [redacted] is revoked",
		},
		{
			name: "the key is redacted from a plain message",
			a:    answer{status: 403, body: "denied for " + testKey},
			want: providers.HTTPError{Op: "get x", StatusCode: 403, Message: "denied for [redacted]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{a: tt.a}
			c := r.client()
			c.ParseError = tt.parse
			c.Now = fixedNow
			req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/x", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do("get x", req)
			var he *providers.HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error = %#v, want an HTTPError", err)
			}
			if *he != tt.want {
				t.Errorf("error\n got %#v\nwant %#v", *he, tt.want)
			}
			if tt.wantIs != "" && err.Error() != tt.wantIs {
				t.Errorf("message %q, want %q", err.Error(), tt.wantIs)
			}
		})
	}
}

func TestHTTPErrorReadsAtMostMaxErrorBody(t *testing.T) {
	// A valid error body one byte too long is cut, no longer parses, and
	// becomes a plain message.
	body := `{"error":{"type":"t","message":"` + strings.Repeat("x", MaxErrorBody) + `"}}`
	r := &recorder{a: answer{status: 500, body: body}}
	c := r.client()
	c.ParseError = parseTestError
	req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do("get x", req)
	var he *providers.HTTPError
	if want := body[:MaxPlainMessage] + "…"; !errors.As(err, &he) || he.Message != want {
		t.Errorf("error = %.300v, want the message %.40q...", err, want)
	}
}

func TestRetryAfter(t *testing.T) {
	now := fixedNow()
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{"fractional seconds", http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond},
		{"padded", http.Header{"Retry-After": {" 4 "}}, 4 * time.Second},
		{"milliseconds", http.Header{"Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
		{"fractional milliseconds", http.Header{"Retry-After-Ms": {"2.5"}}, 2500 * time.Microsecond},
		{"milliseconds win", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"3"}}, 250 * time.Millisecond},
		{"invalid milliseconds fall back", http.Header{"Retry-After-Ms": {"soon"}, "Retry-After": {"3"}}, 3 * time.Second},
		{"HTTP date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"padded HTTP date", http.Header{"Retry-After": {" " + now.Add(90*time.Second).Format(http.TimeFormat) + " "}}, 90 * time.Second},
		{"past HTTP date", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0},
		{"NaN", http.Header{"Retry-After": {"NaN"}}, 0},
		{"garbage", http.Header{"Retry-After": {"later"}}, 0},
		{"huge", http.Header{"Retry-After": {"1e30"}}, time.Duration(1<<63 - 1)},
		{"just too long", http.Header{"Retry-After": {"1e10"}}, time.Duration(1<<63 - 1)},
		{"huge milliseconds", http.Header{"Retry-After-Ms": {"1e30"}}, time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RetryAfter(tt.header, now); got != tt.want {
				t.Errorf("RetryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}
