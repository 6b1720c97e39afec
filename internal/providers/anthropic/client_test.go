package anthropic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

const testKey = "sk-ant-test-0123456789"

// recorded is one request the test server received.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	ContentLength       int64
	TransferEncoding    []string
	Body                []byte
}

// testServer is an httptest server on 127.0.0.1 that records every
// request and answers with handler.
type testServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
}

func newTestServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A client that gives up mid-body leaves a short body: record
		// what arrived and let the test judge the client's error.
		body, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.requests = append(ts.requests, recorded{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(),
			ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding, Body: body,
		})
		ts.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) recorded() []recorded {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.requests)
}

// client returns a client of ts with the test key and cfg's other settings.
func (ts *testServer) client(cfg Config) *Client {
	cfg.BaseURL = ts.URL + "/"
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	if cfg.Name == "" {
		cfg.Name = "anthropic"
	}
	cfg.HTTPClient = ts.Client()
	return New(cfg)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// input is a SubmitRequest input that counts how often it was opened.
type input struct {
	data  []byte
	opens int
}

func (in *input) open() (io.ReadCloser, error) {
	in.opens++
	return io.NopCloser(bytes.NewReader(in.data)), nil
}

const (
	line1 = `{"custom_id":"q1","params":{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Capital of France?"}]}}`
	line2 = `{"custom_id":"q2","params":{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Capital of Peru?"}]}}`

	inputJSONL = line1 + "\n" + line2 + "\n"

	// createdBatch is the guide's answer to a batch creation.
	createdBatch = `{"id":"msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":2,"succeeded":0,"errored":0,"canceled":0,"expired":0},"ended_at":null,"created_at":"2024-09-24T18:37:24.100435Z","expires_at":"2024-09-25T18:37:24.100435Z","cancel_initiated_at":null,"results_url":null}`
)

func TestSubmit(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, createdBatch) })
	in := &input{data: []byte(inputJSONL)}
	c := ts.client(Config{UserAgent: "batchctl/1.2.3", Beta: "output-300k-2026-03-24"})
	b, err := c.Submit(context.Background(), providers.SubmitRequest{
		Open: in.open, Size: int64(len(inputJSONL)), Filename: "j7k2m9-1.jsonl",
		Endpoint: "/v1/messages", Model: "claude-sonnet-4-5", Requests: 2,
		Metadata: map[string]string{"job": "j7k2m9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := ts.recorded()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/v1/messages/batches" || r.Query != "" {
		t.Errorf("create: %s %s?%s, want POST /v1/messages/batches", r.Method, r.Path, r.Query)
	}
	if want := `{"requests":[` + line1 + `,` + line2 + `]}`; string(r.Body) != want {
		t.Errorf("create body\n%s\nwant\n%s", r.Body, want)
	}
	if r.ContentLength != int64(len(r.Body)) || len(r.TransferEncoding) != 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %q; want %d, no chunking", r.ContentLength, r.TransferEncoding, len(r.Body))
	}
	for header, want := range map[string]string{
		"X-Api-Key": testKey, "Anthropic-Version": "2023-06-01", "Anthropic-Beta": "output-300k-2026-03-24",
		"User-Agent": "batchctl/1.2.3", "Content-Type": "application/json", "Authorization": "",
	} {
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if in.opens != 1 {
		t.Errorf("input opened %d times, want 1", in.opens)
	}
	created := time.Date(2024, 9, 24, 18, 37, 24, 100435000, time.UTC)
	want := &providers.Batch{
		ID: "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d", Provider: "anthropic", Status: providers.StatusInProgress,
		ProviderStatus: "in_progress", Endpoint: "/v1/messages", Model: "claude-sonnet-4-5",
		Counts: providers.Counts{Total: 2}, CreatedAt: created, ExpiresAt: created.Add(24 * time.Hour),
		Raw: []byte(createdBatch),
	}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("batch\n got %+v\nwant %+v", *b, *want)
	}
}

// TestSubmitStreamsLargeInput sends an input produced on the fly, which
// only a streamed body with a precomputed length can send as is.
func TestSubmitStreamsLargeInput(t *testing.T) {
	const lines = 40_000
	line := line1 + "\n"
	size := int64(lines * len(line))
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, createdBatch) })
	opens := 0
	open := func() (io.ReadCloser, error) {
		opens++
		return io.NopCloser(io.LimitReader(&repeatReader{data: []byte(line)}, size)), nil
	}
	if _, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: open, Size: size, Requests: lines}); err != nil {
		t.Fatal(err)
	}
	r := ts.recorded()[0]
	want := `{"requests":[` + strings.Repeat(line1+",", lines-1) + line1 + `]}`
	if string(r.Body) != want {
		t.Errorf("body differs from the joined input (%d bytes, want %d)", len(r.Body), len(want))
	}
	if r.ContentLength != int64(len(want)) || len(r.TransferEncoding) != 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %q; want %d, no chunking", r.ContentLength, r.TransferEncoding, len(want))
	}
	if opens != 1 {
		t.Errorf("input opened %d times, want 1", opens)
	}
}

// repeatReader repeats data forever.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.off:])
		n += c
		r.off = (r.off + c) % len(r.data)
	}
	return n, nil
}

// TestSubmitReplaysBody checks that the body can be sent again, as the
// transport and redirects do, by reopening the input.
func TestSubmitReplaysBody(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/messages/batches" {
			http.Redirect(w, r, "/v1/messages/batches-moved", http.StatusTemporaryRedirect)
			return
		}
		writeJSON(w, 200, createdBatch)
	})
	in := &input{data: []byte(inputJSONL)}
	if _, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL)), Requests: 2}); err != nil {
		t.Fatal(err)
	}
	reqs := ts.recorded()
	if in.opens != 2 || len(reqs) != 2 {
		t.Fatalf("input opened %d times for %d requests, want 2 for 2", in.opens, len(reqs))
	}
	if !bytes.Equal(reqs[0].Body, reqs[1].Body) || reqs[1].ContentLength != int64(len(reqs[1].Body)) {
		t.Errorf("replayed body differs:\n%q\n%q", reqs[0].Body, reqs[1].Body)
	}
}

func TestSubmitBadInput(t *testing.T) {
	size := int64(len(inputJSONL))
	tests := []struct {
		name     string
		data     string
		size     int64
		requests int
		want     string
	}{
		{"shorter than its size", inputJSONL, size + 10, 2, fmt.Sprintf("input ended after %d of its declared %d bytes", size, size+10)},
		{"longer than its size", inputJSONL + line1 + "\n", size, 2, fmt.Sprintf("input is longer than its declared %d bytes", size)},
		{"more lines than requests", inputJSONL, size, 1, "input has 2 lines, not its declared 1 requests"},
		{"fewer lines than requests", line1 + " " + line2 + "\n", size, 2, "input has 1 lines, not its declared 2 requests"},
		{"no final newline", line1 + "\n" + line2 + " ", size, 2, "input does not end with a newline"},
		{"empty line", line1 + "\n\n" + line2, size, 2, "input line 2 is empty"},
		{"leading empty line", "\n" + line1 + "\n" + line2, size, 2, "input line 1 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, createdBatch) })
			in := &input{data: []byte(tt.data)}
			_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: in.open, Size: tt.size, Requests: tt.requests})
			if err == nil || !strings.HasPrefix(err.Error(), "create batch: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want create batch: ...%s", err, tt.want)
			}
			for _, r := range ts.recorded() {
				if int64(len(r.Body)) == r.ContentLength {
					t.Errorf("the server received a whole body: %s", r.Body)
				}
			}
		})
	}
}

func TestSubmitRefusedBeforeSending(t *testing.T) {
	tests := []struct {
		name     string
		size     int64
		requests int
		open     func() (io.ReadCloser, error)
		want     string
	}{
		{"no requests", 0, 0, nil, "create batch: no requests to send"},
		{"too small for its requests", 5, 3, nil, "create batch: an input of 5 bytes cannot hold 3 requests"},
		{"open fails", 10, 1, func() (io.ReadCloser, error) { return nil, errors.New("disk on fire") }, "create batch: open input: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, createdBatch) })
			_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: tt.open, Size: tt.size, Requests: tt.requests})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
			if n := len(ts.recorded()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	if c := New(Config{}); c.base != DefaultBaseURL {
		t.Errorf("New(Config{}) has base %q", c.base)
	}
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, createdBatch) })
	if _, err := ts.client(Config{}).Get(context.Background(), "msgbatch_1"); err != nil {
		t.Fatal(err)
	}
	h := ts.recorded()[0].Header
	if h.Get("Anthropic-Version") != DefaultVersion || h.Values("Anthropic-Beta") != nil {
		t.Errorf("anthropic-version %q, anthropic-beta %q; want %s and none", h.Get("Anthropic-Version"), h.Values("Anthropic-Beta"), DefaultVersion)
	}
}

func TestMissingKey(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := New(Config{Name: "anthropic", BaseURL: ts.URL, APIKeyEnv: "ANTHROPIC_API_KEY", HTTPClient: ts.Client()})
	in := &input{data: []byte(inputJSONL)}
	ctx := context.Background()
	calls := map[string]func() error{
		"Submit": func() error {
			_, err := c.Submit(ctx, providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL)), Requests: 2})
			return err
		},
		"Get":      func() error { _, err := c.Get(ctx, "msgbatch_1"); return err },
		"Cancel":   func() error { _, err := c.Cancel(ctx, "msgbatch_1"); return err },
		"List":     func() error { return c.List(ctx, providers.ListOptions{}, func(*providers.Batch) error { return nil }) },
		"Download": func() error { return c.Download(ctx, &providers.Batch{ID: "msgbatch_1"}, io.Discard) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var mk *providers.MissingKeyError
			if !errors.As(err, &mk) || mk.Profile != "anthropic" || mk.Env != "ANTHROPIC_API_KEY" {
				t.Fatalf("error = %#v, want a MissingKeyError", err)
			}
			if want := `no API key for provider "anthropic": ANTHROPIC_API_KEY is not set`; !strings.HasSuffix(err.Error(), want) {
				t.Errorf("error = %v, want ...%s", err, want)
			}
		})
	}
	if n := len(ts.recorded()); n != 0 || in.opens != 0 {
		t.Errorf("%d requests sent, input opened %d times; want none", n, in.opens)
	}
}

func TestGetAndCancel(t *testing.T) {
	const canceling = `{"id":"msgbatch_a/b","type":"message_batch","processing_status":"canceling","request_counts":{"processing":3,"succeeded":0,"errored":0,"canceled":0,"expired":0},"ended_at":null,"created_at":"2024-09-24T18:37:24Z","expires_at":"2024-09-25T18:37:24Z","archived_at":null,"cancel_initiated_at":"2024-09-24T18:39:03Z","results_url":null}`
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.EscapedPath() {
		case "GET /v1/messages/batches/msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d":
			writeJSON(w, 200, createdBatch)
		case "POST /v1/messages/batches/msgbatch_a%2Fb/cancel":
			writeJSON(w, 200, canceling)
		default:
			writeJSON(w, 404, `{"type":"error","error":{"type":"not_found_error","message":"Not found"}}`)
		}
	})
	c := ts.client(Config{Name: "claude"})
	b, err := c.Get(context.Background(), "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d")
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d" || b.Provider != "claude" || b.Status != providers.StatusInProgress || string(b.Raw) != createdBatch {
		t.Errorf("Get = %+v", b)
	}
	b, err = c.Cancel(context.Background(), "msgbatch_a/b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != providers.StatusCancelling || b.ProviderStatus != "canceling" || b.Counts.Total != 3 {
		t.Errorf("Cancel = %+v", b)
	}
	for _, r := range ts.recorded() {
		if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" || r.Header.Get("X-Api-Key") != testKey {
			t.Errorf("%s %s sent body %q (%s), key %q", r.Method, r.Path, r.Body, r.Header.Get("Content-Type"), r.Header.Get("X-Api-Key"))
		}
	}
	for name, call := range map[string]func() error{
		"get":    func() error { _, err := c.Get(context.Background(), ""); return err },
		"cancel": func() error { _, err := c.Cancel(context.Background(), ""); return err },
	} {
		if err := call(); err == nil || err.Error() != name+" batch: empty batch id" {
			t.Errorf("%s with no id: %v", name, err)
		}
	}
}

// listBatch is a batch object for list pages.
func listBatch(id string) string {
	return `{"id":"` + id + `","type":"message_batch","processing_status":"ended","request_counts":{"processing":0,"succeeded":1,"errored":0,"canceled":0,"expired":0},"ended_at":"2024-09-24T19:00:00Z","created_at":"2024-09-24T18:37:24Z","expires_at":"2024-09-25T18:37:24Z","archived_at":null,"cancel_initiated_at":null,"results_url":"https://api.anthropic.com/v1/messages/batches/` + id + `/results"}`
}

// listServer serves ids newest first in pages, as the API does; withLastID
// false leaves last_id out of its pages.
func listServer(t *testing.T, ids []string, withLastID bool) *testServer {
	return newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var limit int
		fmt.Sscan(q.Get("limit"), &limit)
		start := 0
		if after := q.Get("after_id"); after != "" {
			start = slices.Index(ids, after) + 1
		}
		end := min(start+limit, len(ids))
		var items []string
		for _, id := range ids[start:end] {
			items = append(items, listBatch(id))
		}
		lastID := "null"
		if withLastID && end > start {
			lastID = `"` + ids[end-1] + `"`
		}
		writeJSON(w, 200, fmt.Sprintf(`{"data":[%s],"has_more":%t,"first_id":null,"last_id":%s}`, strings.Join(items, ","), end < len(ids), lastID))
	})
}

func TestList(t *testing.T) {
	ids := make([]string, 2500)
	for i := range ids {
		ids[i] = fmt.Sprintf("msgbatch_%04d", i)
	}
	tests := []struct {
		name       string
		limit      int
		stopAfter  int // fn returns ErrStop after this many batches; 0: never
		withLastID bool
		wantN      int
		wantQuery  []string
	}{
		{"all pages", 0, 0, true, 2500, []string{"limit=1000", "after_id=msgbatch_0999&limit=1000", "after_id=msgbatch_1999&limit=1000"}},
		{"no last_id", 0, 0, false, 2500, []string{"limit=1000", "after_id=msgbatch_0999&limit=1000", "after_id=msgbatch_1999&limit=1000"}},
		{"limit within a page", 5, 0, true, 5, []string{"limit=5"}},
		{"limit across pages", 1500, 0, true, 1500, []string{"limit=1000", "after_id=msgbatch_0999&limit=500"}},
		{"stopped", 0, 3, true, 3, []string{"limit=1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := listServer(t, ids, tt.withLastID)
			var got []string
			err := ts.client(Config{}).List(context.Background(), providers.ListOptions{Limit: tt.limit}, func(b *providers.Batch) error {
				got = append(got, b.ID)
				if b.Status != providers.StatusCompleted || b.Provider != "anthropic" {
					t.Fatalf("listed %+v", b)
				}
				if len(got) == tt.stopAfter {
					return providers.ErrStop
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, ids[:tt.wantN]) {
				t.Errorf("listed %d batches (%v...), want the first %d", len(got), got[:min(3, len(got))], tt.wantN)
			}
			var queries []string
			for _, r := range ts.recorded() {
				queries = append(queries, r.Query)
			}
			if !slices.Equal(queries, tt.wantQuery) {
				t.Errorf("queries %q, want %q", queries, tt.wantQuery)
			}
		})
	}
}

func TestListCallbackError(t *testing.T) {
	ts := listServer(t, []string{"msgbatch_1", "msgbatch_2"}, true)
	boom := errors.New("boom")
	err := ts.client(Config{}).List(context.Background(), providers.ListOptions{}, func(*providers.Batch) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want boom", err)
	}
}

func TestDownload(t *testing.T) {
	long := `{"custom_id":"big","result":{"type":"succeeded","message":{"content":[{"type":"text","text":"` + strings.Repeat("x", 200_000) + `"}]}}}`
	results := long + "\n" + `{"custom_id":"q2","result":{"type":"canceled"}}`
	var ts *testServer
	ts = newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/binary")
		io.WriteString(w, results)
	})
	tests := []struct {
		name, resultsURL, wantPath string
	}{
		{"results_url", ts.URL + "/elsewhere/results", "/elsewhere/results"},
		{"no results_url", "", "/v1/messages/batches/msgbatch_1/results"},
		{"results_url on another host", "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results", "/v1/messages/batches/msgbatch_1/results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			b := &providers.Batch{ID: "msgbatch_1", OutputFileID: tt.resultsURL}
			if err := ts.client(Config{}).Download(context.Background(), b, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != results+"\n" {
				t.Errorf("downloaded %d bytes, want the %d of the results and a newline", out.Len(), len(results))
			}
			reqs := ts.recorded()
			r := reqs[len(reqs)-1]
			if r.Method != "GET" || r.Path != tt.wantPath || r.Header.Get("Accept") != "application/x-jsonl" || r.Header.Get("X-Api-Key") != testKey {
				t.Errorf("request %s %s, Accept %q", r.Method, r.Path, r.Header.Get("Accept"))
			}
		})
	}
	if err := ts.client(Config{}).Download(context.Background(), &providers.Batch{}, io.Discard); err == nil || err.Error() != "download results: empty batch id" {
		t.Errorf("download with no id: %v", err)
	}
}

func TestHTTPErrors(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		want    providers.HTTPError
		wantErr string
	}{
		{
			name:    "not found",
			status:  404,
			body:    `{"type":"error","error":{"type":"not_found_error","message":"The requested resource could not be found."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`,
			want:    providers.HTTPError{StatusCode: 404, Type: "not_found_error", Code: "not_found_error", Message: "The requested resource could not be found."},
			wantErr: "get batch: 404 Not Found: The requested resource could not be found. (not_found_error)",
		},
		{
			name:    "rate limited",
			status:  429,
			header:  map[string]string{"Retry-After": "7"},
			body:    `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`,
			want:    providers.HTTPError{StatusCode: 429, Type: "rate_limit_error", Code: "rate_limit_error", Message: "Number of request tokens has exceeded your per-minute rate limit", RetryAfter: 7 * time.Second},
			wantErr: "get batch: 429 Too Many Requests: Number of request tokens has exceeded your per-minute rate limit (rate_limit_error)",
		},
		{
			name:   "retry-after-ms wins",
			status: 429,
			header: map[string]string{"Retry-After": "7", "Retry-After-Ms": "1500"},
			body:   `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`,
			want:   providers.HTTPError{StatusCode: 429, Type: "rate_limit_error", Code: "rate_limit_error", Message: "slow down", RetryAfter: 1500 * time.Millisecond},
		},
		{
			name:   "retry-after date",
			status: 503,
			header: map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)},
			body:   `{"type":"error","error":{"type":"api_error","message":"Internal server error"}}`,
			want:   providers.HTTPError{StatusCode: 503, Type: "api_error", Code: "api_error", Message: "Internal server error", RetryAfter: 90 * time.Second},
		},
		{
			name:   "overloaded",
			status: 529,
			body:   `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			want:   providers.HTTPError{StatusCode: 529, Type: "overloaded_error", Code: "overloaded_error", Message: "Overloaded"},
		},
		{
			name:    "invalid key, echoed",
			status:  401,
			body:    `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ` + testKey + `"}}`,
			want:    providers.HTTPError{StatusCode: 401, Type: "authentication_error", Code: "authentication_error", Message: "invalid x-api-key [redacted]"},
			wantErr: "get batch: 401 Unauthorized: invalid x-api-key [redacted] (authentication_error)",
		},
		{
			name:   "proxy page",
			status: 502,
			body:   "<html>\n<body>\n<h1>502 Bad Gateway</h1>\n</body>\n</html>\n",
			want:   providers.HTTPError{StatusCode: 502, Message: "<html> <body> <h1>502 Bad Gateway</h1> </body> </html>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				writeJSON(w, tt.status, tt.body)
			})
			c := ts.client(Config{})
			c.now = func() time.Time { return now }
			_, err := c.Get(context.Background(), "msgbatch_1")
			var he *providers.HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error = %#v, want an HTTPError", err)
			}
			want := tt.want
			want.Op = "get batch"
			if *he != want {
				t.Errorf("error\n got %+v\nwant %+v", *he, want)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("message %q, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the key leaked: %v", err)
			}
		})
	}
}

// TestRedirectKeepsKeyHome checks that the key follows a redirect on the
// same origin only.
func TestRedirectKeepsKeyHome(t *testing.T) {
	elsewhere := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, createdBatch) })
	var home *testServer
	home = newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/messages/batches/msgbatch_1":
			http.Redirect(w, r, "/v1/messages/batches/moved", http.StatusFound)
		case "/v1/messages/batches/moved":
			http.Redirect(w, r, elsewhere.URL+"/v1/messages/batches/msgbatch_1", http.StatusFound)
		}
	})
	if _, err := home.client(Config{}).Get(context.Background(), "msgbatch_1"); err != nil {
		t.Fatal(err)
	}
	if h := home.recorded()[1].Header; h.Get("X-Api-Key") != testKey {
		t.Errorf("same-origin redirect lost the key: %v", h)
	}
	if h := elsewhere.recorded()[0].Header; h.Values("X-Api-Key") != nil || h.Get("Anthropic-Version") != DefaultVersion {
		t.Errorf("redirect to another origin sent headers %v", h)
	}
}

func TestRedirectPolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy func(*http.Request, []*http.Request) error
		want   string
	}{
		{"default", nil, "stopped after 10 redirects"},
		{"the client's", func(*http.Request, []*http.Request) error { return errors.New("no redirects") }, "no redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) })
			hc := ts.Client()
			hc.CheckRedirect = tt.policy
			c := New(Config{BaseURL: ts.URL, APIKey: testKey, HTTPClient: hc})
			if _, err := c.Get(context.Background(), "msgbatch_1"); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want ...%s", err, tt.want)
			}
		})
	}
}
