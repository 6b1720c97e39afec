package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

const testKey = "sk-test-0123456789"

// keyOnly is a key that sets no header: these tests look at the others.
type keyOnly string

func (k keyOnly) Apply(*http.Request) error { return nil }
func (k keyOnly) Secrets() []string         { return []string{string(k)} }
func (k keyOnly) Headers() []string         { return nil }

// testCreds is key as credentials; "" is none.
func testCreds(key string) Credentials {
	if key == "" {
		return nil
	}
	return keyOnly(key)
}

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// answer is a canned response.
type answer struct {
	status int
	header http.Header
	body   string
}

// recorder answers every request with a and remembers the last request
// and its body.
type recorder struct {
	a    answer
	req  *http.Request
	body []byte
}

func (r *recorder) client() *Client {
	return &Client{
		HTTP: &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			r.req = req
			if req.Body != nil {
				r.body, _ = io.ReadAll(req.Body)
			}
			h := r.a.header
			if h == nil {
				h = http.Header{}
			}
			return &http.Response{StatusCode: r.a.status, Header: h, Body: io.NopCloser(strings.NewReader(r.a.body)), Request: req}, nil
		})},
		Profile: "test",
		Creds:   testCreds(testKey),
		KeyEnv:  "TEST_API_KEY",
		MaxBody: 16,
	}
}

func TestNewRequest(t *testing.T) {
	tests := []struct {
		name      string
		key       string
		userAgent string
		authorize func(*http.Request) error
		want      http.Header
		wantErr   string
	}{
		{
			name:      "provider headers, then the user agent",
			key:       testKey,
			userAgent: "batchctl/1.0",
			authorize: func(req *http.Request) error {
				req.Header.Set("X-Key", testKey)
				req.Header.Set("User-Agent", "provider")
				return nil
			},
			want: http.Header{"X-Key": {testKey}, "User-Agent": {"batchctl/1.0"}},
		},
		{
			name: "no user agent, no provider headers",
			key:  testKey,
			want: http.Header{},
		},
		{
			name:    "no key",
			wantErr: `no API key for provider "test": TEST_API_KEY is not set`,
		},
		{
			name:      "provider refuses",
			key:       testKey,
			authorize: func(*http.Request) error { return errors.New("bad auth style") },
			wantErr:   "bad auth style",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{Profile: "test", Creds: testCreds(tt.key), KeyEnv: "TEST_API_KEY", UserAgent: tt.userAgent, Authorize: tt.authorize}
			req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/v1/x", nil)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalHeaders(req.Header, tt.want) {
				t.Errorf("headers %v, want %v", req.Header, tt.want)
			}
		})
	}
}

func TestNewRequestMissingKeyIsTyped(t *testing.T) {
	_, err := (&Client{Profile: "p"}).NewRequest(context.Background(), http.MethodGet, "https://x", nil)
	var mk *providers.MissingKeyError
	if !errors.As(err, &mk) || mk.Profile != "p" {
		t.Errorf("error = %#v, want a MissingKeyError for p", err)
	}
}

func TestCall(t *testing.T) {
	tests := []struct {
		name            string
		body            []byte
		a               answer
		want            string
		wantErr         string
		wantContentType string
	}{
		{name: "JSON body", body: []byte(`{"a":1}`), a: answer{status: 200, body: `{"ok":true}`}, want: `{"ok":true}`, wantContentType: "application/json"},
		{name: "no body", a: answer{status: 204}, want: ""},
		{name: "exactly MaxBody", a: answer{status: 200, body: strings.Repeat("x", 16)}, want: strings.Repeat("x", 16)},
		{name: "larger than MaxBody", a: answer{status: 200, body: strings.Repeat("x", 17)}, wantErr: "get thing: response is larger than 16 bytes"},
		{name: "error answer", a: answer{status: 404, body: "no such thing"}, wantErr: "get thing: 404 Not Found: no such thing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{a: tt.a}
			got, err := r.client().Call(context.Background(), "get thing", http.MethodPost, "https://api.example.com/thing", tt.body)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
			} else if err != nil || string(got) != tt.want {
				t.Fatalf("Call = %q, %v; want %q", got, err, tt.want)
			}
			if !bytes.Equal(r.body, tt.body) {
				t.Errorf("sent %q, want %q", r.body, tt.body)
			}
			if ct := r.req.Header.Get("Content-Type"); ct != tt.wantContentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantContentType)
			}
		})
	}
}

func TestCallWrapsRequestErrors(t *testing.T) {
	tests := []struct {
		name   string
		c      *Client
		rawURL string
		want   string
	}{
		{"no key", &Client{Profile: "test"}, "https://x", `get thing: no API key for provider "test"`},
		{"bad URL", &Client{Creds: testCreds(testKey)}, "://x", `get thing: parse "://x": missing protocol scheme`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Call(context.Background(), "get thing", http.MethodGet, tt.rawURL, nil)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestDoNetworkError(t *testing.T) {
	boom := errors.New("connection reset")
	c := &Client{Creds: testCreds(testKey), HTTP: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom })}}
	req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do("get x", req)
	if !errors.Is(err, boom) || err.Error() != `get x: Get "https://api.example.com/x": connection reset` {
		t.Errorf("error = %v", err)
	}
}

func TestDoClosesErrorBodies(t *testing.T) {
	body := &closeRecorder{Reader: strings.NewReader("overloaded")}
	c := &Client{Creds: testCreds(testKey), HTTP: &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 503, Header: http.Header{}, Body: body, Request: req}, nil
	})}}
	req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do("get x", req); err == nil || !body.closed {
		t.Errorf("error = %v, body closed = %t; want an error and a closed body", err, body.closed)
	}
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error {
	c.closed = true
	return nil
}

func TestDownload(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"ends with a newline", "a\nb\n", "a\nb\n"},
		{"lacks the last newline", "a\nb", "a\nb\n"},
		{"empty", "", ""},
		{"longer than MaxBody", strings.Repeat("x", 100), strings.Repeat("x", 100) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{a: answer{status: 200, body: tt.body}}
			c := r.client()
			req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/file", nil)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := c.Download("download file", req, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("wrote %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestDownloadErrors(t *testing.T) {
	tests := []struct {
		name string
		a    answer
		w    io.Writer
		want string
	}{
		{"error answer", answer{status: 410, body: "gone"}, io.Discard, "download file: 410 Gone: gone"},
		{"write fails", answer{status: 200, body: "a\n"}, failingWriter{}, "download file: disk full"},
		{"final newline fails", answer{status: 200, body: "a"}, &failAfter{n: 1}, "download file: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{a: tt.a}
			c := r.client()
			req, err := c.NewRequest(context.Background(), http.MethodGet, "https://api.example.com/file", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Download("download file", req, tt.w); err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n := f.n
		f.n = 0
		return n, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestSameOrigin(t *testing.T) {
	const base = "https://api.example.com:443/v1"
	tests := []struct {
		u, base string
		want    bool
	}{
		{"https://api.example.com:443/v1/results?x=1", base, true},
		{"HTTPS://API.Example.com:443/other", base, true},
		{"https://api.example.com/v1", base, false}, // the port is part of the origin as written
		{"http://api.example.com:443/v1", base, false},
		{"https://evil.example.com:443/v1", base, false},
		{"/v1/relative", base, false},
		{"/v1/relative", "/v1", false}, // no origin is not the same origin
	}
	for _, tt := range tests {
		if got := SameOrigin(mustParse(t, tt.u), mustParse(t, tt.base)); got != tt.want {
			t.Errorf("SameOrigin(%s, %s) = %t, want %t", tt.u, tt.base, got, tt.want)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, ",") != strings.Join(b[k], ",") {
			return false
		}
	}
	return true
}

// fixedNow is the clock of the tests that read Retry-After dates.
func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
