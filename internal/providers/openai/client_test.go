package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
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

const testKey = "sk-test-0123456789"

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

func newTestServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, body []byte)) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A client that gives up mid-upload leaves a short body: record
		// what arrived and let the test judge the client's error.
		body, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.requests = append(ts.requests, recorded{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(),
			ContentLength: r.ContentLength, TransferEncoding: r.TransferEncoding, Body: body,
		})
		ts.mu.Unlock()
		handler(w, r, body)
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
	cfg.BaseURL = ts.URL + "/v1/"
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	if cfg.Name == "" {
		cfg.Name = "openai"
	}
	cfg.HTTPClient = ts.Client()
	return New(cfg)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func assertBatch(t *testing.T, got, want *providers.Batch) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("batch\n got %+v\nwant %+v", *got, *want)
	}
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

const inputJSONL = `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Capital of France?"}]}}
{"custom_id":"q2","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Capital of Peru?"}]}}
`

// wantUpload is the exact multipart body of an upload of data.
func wantUpload(boundary, filename, data string) string {
	return "--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"purpose\"\r\n\r\n" +
		"batch\r\n" +
		"--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n" +
		"Content-Type: application/jsonl\r\n\r\n" +
		data +
		"\r\n--" + boundary + "--\r\n"
}

// boundaryOf returns the boundary of a multipart/form-data request.
func boundaryOf(t *testing.T, r recorded) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("Content-Type = %q, want multipart/form-data with a boundary", r.Header.Get("Content-Type"))
	}
	return params["boundary"]
}

// submitServer answers an upload and a batch creation like OpenAI.
func submitServer(t *testing.T) *testServer {
	return newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.URL.Path {
		case "/v1/files":
			writeJSON(w, 200, `{"id":"file-abc123","object":"file","bytes":300,"created_at":1711471533,"filename":"j7k2m9-1.jsonl","purpose":"batch"}`)
		case "/v1/batches":
			writeJSON(w, 200, `{"id":"batch_abc123","object":"batch","endpoint":"/v1/chat/completions","errors":null,"input_file_id":"file-abc123","completion_window":"24h","status":"validating","output_file_id":null,"error_file_id":null,"created_at":1711471533,"in_progress_at":null,"expires_at":null,"request_counts":{"total":0,"completed":0,"failed":0},"metadata":{"job":"j7k2m9","part":"1"}}`)
		default:
			http.NotFound(w, r)
		}
	})
}

func TestSubmit(t *testing.T) {
	ts := submitServer(t)
	in := &input{data: []byte(inputJSONL)}
	c := ts.client(Config{UserAgent: "batchctl/1.2.3", Headers: map[string]string{"OpenAI-Organization": "org-1"}})
	b, err := c.Submit(context.Background(), providers.SubmitRequest{
		Open: in.open, Size: int64(len(inputJSONL)), Filename: "j7k2m9-1.jsonl",
		Endpoint: "/v1/chat/completions", Model: "gpt-4o-mini", Requests: 2,
		Metadata: map[string]string{"part": "1", "job": "j7k2m9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := ts.recorded()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}

	upload := reqs[0]
	if upload.Method != "POST" || upload.Path != "/v1/files" {
		t.Errorf("upload: %s %s, want POST /v1/files", upload.Method, upload.Path)
	}
	if want := wantUpload(boundaryOf(t, upload), "j7k2m9-1.jsonl", inputJSONL); string(upload.Body) != want {
		t.Errorf("upload body:\n%q\nwant\n%q", upload.Body, want)
	}
	if upload.ContentLength != int64(len(upload.Body)) || upload.Header.Get("Content-Length") != fmt.Sprint(len(upload.Body)) {
		t.Errorf("upload Content-Length %d (header %q), sent %d bytes", upload.ContentLength, upload.Header.Get("Content-Length"), len(upload.Body))
	}
	if len(upload.TransferEncoding) != 0 {
		t.Errorf("upload Transfer-Encoding %q, want none", upload.TransferEncoding)
	}
	if in.opens != 1 {
		t.Errorf("input opened %d times, want 1", in.opens)
	}

	create := reqs[1]
	if create.Method != "POST" || create.Path != "/v1/batches" || create.Header.Get("Content-Type") != "application/json" {
		t.Errorf("create: %s %s (%s), want POST /v1/batches (application/json)", create.Method, create.Path, create.Header.Get("Content-Type"))
	}
	if want := `{"input_file_id":"file-abc123","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"job":"j7k2m9","part":"1"}}`; string(create.Body) != want {
		t.Errorf("create body %s\nwant %s", create.Body, want)
	}
	for _, r := range reqs {
		for header, want := range map[string]string{
			"Authorization": "Bearer " + testKey, "User-Agent": "batchctl/1.2.3", "Openai-Organization": "org-1",
		} {
			if got := r.Header.Get(header); got != want {
				t.Errorf("%s %s: %s = %q, want %q", r.Method, r.Path, header, got, want)
			}
		}
	}

	assertBatch(t, b, &providers.Batch{
		ID: "batch_abc123", Provider: "openai", Status: providers.StatusValidating, ProviderStatus: "validating",
		Endpoint: "/v1/chat/completions", Model: "gpt-4o-mini", CreatedAt: time.Unix(1711471533, 0).UTC(),
		InputFileID: "file-abc123", Metadata: map[string]string{"job": "j7k2m9", "part": "1"}, Raw: b.Raw,
	})
}

func TestSubmitDefaults(t *testing.T) {
	ts := submitServer(t)
	in := &input{data: nil}
	_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{
		Open: in.open, Size: 0, Endpoint: "/v1/embeddings",
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := ts.recorded()
	if want := wantUpload(boundaryOf(t, reqs[0]), "input.jsonl", ""); string(reqs[0].Body) != want {
		t.Errorf("upload body %q\nwant %q", reqs[0].Body, want)
	}
	if want := `{"input_file_id":"file-abc123","endpoint":"/v1/embeddings","completion_window":"24h"}`; string(reqs[1].Body) != want {
		t.Errorf("create body %s\nwant %s", reqs[1].Body, want)
	}
}

// TestSubmitStreamsLargeInput uploads an input produced on the fly, which
// only a streamed body with a precomputed length can send as is.
func TestSubmitStreamsLargeInput(t *testing.T) {
	const size = 8 << 20
	line := []byte(`{"custom_id":"x","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":"abc"}}` + "\n")
	ts := submitServer(t)
	opens := 0
	open := func() (io.ReadCloser, error) {
		opens++
		return io.NopCloser(io.LimitReader(&repeatReader{data: line}, size)), nil
	}
	if _, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: open, Size: size, Filename: "big.jsonl", Endpoint: "/v1/embeddings"}); err != nil {
		t.Fatal(err)
	}
	upload := ts.recorded()[0]
	data, _ := io.ReadAll(io.LimitReader(&repeatReader{data: line}, size))
	if want := wantUpload(boundaryOf(t, upload), "big.jsonl", string(data)); string(upload.Body) != want {
		t.Errorf("upload body differs from the input's form (%d bytes, want %d)", len(upload.Body), len(want))
	}
	if upload.ContentLength != int64(len(upload.Body)) || len(upload.TransferEncoding) != 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %q; want %d, no chunking", upload.ContentLength, upload.TransferEncoding, len(upload.Body))
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

// TestSubmitReplaysUpload checks that the upload can be sent again, as
// the transport and redirects do, by reopening the input.
func TestSubmitReplaysUpload(t *testing.T) {
	var ts *testServer
	ts = newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.URL.Path {
		case "/v1/files":
			http.Redirect(w, r, ts.URL+"/v1/files-moved", http.StatusTemporaryRedirect)
		case "/v1/files-moved":
			writeJSON(w, 200, `{"id":"file-abc123"}`)
		case "/v1/batches":
			writeJSON(w, 200, `{"id":"batch_abc123","status":"validating"}`)
		}
	})
	in := &input{data: []byte(inputJSONL)}
	if _, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL)), Filename: "in.jsonl"}); err != nil {
		t.Fatal(err)
	}
	reqs := ts.recorded()
	if in.opens != 2 || len(reqs) != 3 {
		t.Fatalf("input opened %d times for %d requests, want 2 for 3", in.opens, len(reqs))
	}
	if !bytes.Equal(reqs[0].Body, reqs[1].Body) || reqs[1].ContentLength != int64(len(reqs[1].Body)) {
		t.Errorf("replayed upload differs:\n%q\n%q", reqs[0].Body, reqs[1].Body)
	}
}

func TestSubmitInputSizeMismatch(t *testing.T) {
	tests := []struct {
		name string
		size int64
		want string
	}{
		{"shorter than its size", int64(len(inputJSONL)) + 10, fmt.Sprintf("input ended after %d of its declared %d bytes", len(inputJSONL), len(inputJSONL)+10)},
		{"longer than its size", int64(len(inputJSONL)) - 10, fmt.Sprintf("input is longer than its declared %d bytes", len(inputJSONL)-10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := submitServer(t)
			in := &input{data: []byte(inputJSONL)}
			_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: in.open, Size: tt.size})
			if err == nil || !strings.HasPrefix(err.Error(), "upload input: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want upload input: ...%s", err, tt.want)
			}
			for _, r := range ts.recorded() {
				if r.Path == "/v1/batches" {
					t.Error("batch created from a bad upload")
				}
			}
		})
	}
}

func TestSubmitOpenError(t *testing.T) {
	ts := submitServer(t)
	open := func() (io.ReadCloser, error) { return nil, errors.New("disk on fire") }
	_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: open, Size: 1})
	if err == nil || err.Error() != "upload input: open input: disk on fire" {
		t.Errorf("error = %v", err)
	}
	if n := len(ts.recorded()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestSubmitRejectsMetadata(t *testing.T) {
	ts := submitServer(t)
	in := &input{data: []byte(inputJSONL)}
	_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{
		Open: in.open, Size: int64(len(inputJSONL)), Metadata: map[string]string{"name": strings.Repeat("x", 600)},
	})
	if want := `create batch: metadata value of "name" is 600 characters long, the limit is 512`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if n := len(ts.recorded()); n != 0 || in.opens != 0 {
		t.Errorf("%d requests sent, input opened %d times; want none", n, in.opens)
	}
}

func TestSubmitCreateFails(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Path == "/v1/files" {
			writeJSON(w, 200, `{"id":"file-abc123"}`)
			return
		}
		writeJSON(w, 400, `{"error":{"message":"Invalid endpoint","type":"invalid_request_error","param":"endpoint","code":null}}`)
	})
	in := &input{data: []byte(inputJSONL)}
	_, err := ts.client(Config{}).Submit(context.Background(), providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL)), Endpoint: "/v1/nope"})
	var he *providers.HTTPError
	if !errors.As(err, &he) || he.Op != "create batch" || he.Param != "endpoint" || err.Error() != "create batch: 400 Bad Request: Invalid endpoint" {
		t.Errorf("error = %#v", err)
	}
}

func TestAuthHeaders(t *testing.T) {
	tests := []struct {
		style      string
		want       map[string]string
		wantAbsent string
	}{
		{"", map[string]string{"Authorization": "Bearer " + testKey}, "Api-Key"},
		{AuthBearer, map[string]string{"Authorization": "Bearer " + testKey}, "Api-Key"},
		{AuthAPIKey, map[string]string{"Api-Key": testKey}, "Authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.style, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				writeJSON(w, 200, `{"id":"batch_1","status":"in_progress"}`)
			})
			// Extra headers cannot override the key.
			c := ts.client(Config{AuthHeader: tt.style, Headers: map[string]string{"Authorization": "other", "Api-Key": "other"}})
			if _, err := c.Get(context.Background(), "batch_1"); err != nil {
				t.Fatal(err)
			}
			h := ts.recorded()[0].Header
			for k, v := range tt.want {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if got := h.Get(tt.wantAbsent); got != "other" {
				t.Errorf("%s = %q, want the extra header's value", tt.wantAbsent, got)
			}
		})
	}
}

func TestUnknownAuthHeader(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {})
	_, err := ts.client(Config{AuthHeader: "x-api-key"}).Get(context.Background(), "batch_1")
	if want := `get batch: unknown auth header style "x-api-key" (want bearer or api-key)`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestMissingKey(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {})
	c := New(Config{Name: "groq", BaseURL: ts.URL, APIKeyEnv: "GROQ_API_KEY", HTTPClient: ts.Client()})
	in := &input{data: []byte(inputJSONL)}
	ctx := context.Background()
	calls := map[string]func() error{
		"Submit": func() error {
			_, err := c.Submit(ctx, providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL))})
			return err
		},
		"Get":      func() error { _, err := c.Get(ctx, "batch_1"); return err },
		"Cancel":   func() error { _, err := c.Cancel(ctx, "batch_1"); return err },
		"List":     func() error { return c.List(ctx, providers.ListOptions{}, func(*providers.Batch) error { return nil }) },
		"Download": func() error { return c.Download(ctx, &providers.Batch{OutputFileID: "file-1"}, io.Discard) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var mk *providers.MissingKeyError
			if !errors.As(err, &mk) || mk.Profile != "groq" || mk.Env != "GROQ_API_KEY" {
				t.Fatalf("error = %#v, want a MissingKeyError", err)
			}
			if want := `no API key for provider "groq": GROQ_API_KEY is not set`; !strings.HasSuffix(err.Error(), want) {
				t.Errorf("error = %v, want ...%s", err, want)
			}
		})
	}
	if n := len(ts.recorded()); n != 0 || in.opens != 0 {
		t.Errorf("%d requests sent, input opened %d times; want none", n, in.opens)
	}
}

func TestGetAndCancel(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.Method + " " + r.URL.Path {
		case "GET /v1/batches/batch_abc123":
			writeJSON(w, 200, specBatch)
		case "POST /v1/batches/batch_fe3f/cancel":
			writeJSON(w, 200, azureBatch)
		default:
			http.NotFound(w, r)
		}
	})
	c := ts.client(Config{AuthHeader: AuthAPIKey, Name: "azure"})
	b, err := c.Get(context.Background(), "batch_abc123")
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "batch_abc123" || b.Provider != "azure" || b.Status != providers.StatusCompleted || string(b.Raw) != specBatch {
		t.Errorf("Get = %+v", b)
	}
	b, err = c.Cancel(context.Background(), "batch_fe3f")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != providers.StatusValidating || b.ProviderStatus != "Validating" {
		t.Errorf("Cancel = %+v", b)
	}
	for _, r := range ts.recorded() {
		if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
			t.Errorf("%s %s sent a body %q (%s)", r.Method, r.Path, r.Body, r.Header.Get("Content-Type"))
		}
	}
	if _, err := c.Get(context.Background(), ""); err == nil || err.Error() != "get batch: empty batch id" {
		t.Errorf("Get(\"\") error = %v", err)
	}
	if _, err := c.Cancel(context.Background(), ""); err == nil || err.Error() != "cancel batch: empty batch id" {
		t.Errorf("Cancel(\"\") error = %v", err)
	}
}

func TestGetEscapesID(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 404, `{"error":{"message":"No batch found","type":"invalid_request_error","param":null,"code":null}}`)
	})
	_, err := ts.client(Config{}).Get(context.Background(), "../files?x=1")
	if got := ts.recorded()[0]; got.Path != "/v1/batches/../files?x=1" || got.Query != "" {
		t.Errorf("request path %q query %q", got.Path, got.Query)
	}
	var he *providers.HTTPError
	if !errors.As(err, &he) || !he.IsNotFound() {
		t.Errorf("error = %v, want a 404", err)
	}
}

func TestContextCanceled(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, 200, specBatch)
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ts.client(Config{}).Get(ctx, "batch_abc123")
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "get batch: ") {
		t.Errorf("error = %v, want get batch: ... context canceled", err)
	}
}

// listServer serves 250 batches, newest first, in pages as OpenAI does.
func listServer(t *testing.T, omitLastID bool) *testServer {
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("batch_%03d", 250-i)
	}
	return newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		q := r.URL.Query()
		limit := 20
		fmt.Sscan(q.Get("limit"), &limit)
		start := 0
		if after := q.Get("after"); after != "" {
			start = slices.Index(ids, after) + 1
		}
		end := min(start+limit, len(ids))
		var data []string
		for _, id := range ids[start:end] {
			data = append(data, fmt.Sprintf(`{"id":%q,"object":"batch","status":"completed","created_at":1711471533}`, id))
		}
		lastID := fmt.Sprintf(`,"first_id":%q,"last_id":%q`, ids[start], ids[end-1])
		if omitLastID {
			lastID = ""
		}
		writeJSON(w, 200, fmt.Sprintf(`{"object":"list","data":[%s]%s,"has_more":%t}`, strings.Join(data, ","), lastID, end < len(ids)))
	})
}

func TestList(t *testing.T) {
	tests := []struct {
		name       string
		omitLastID bool
		limit      int
		stopAt     int // fn returns ErrStop at this batch, 0: never
		want       int // batches passed to fn
		wantQuery  []string
	}{
		{"all pages", false, 0, 0, 250, []string{"limit=100", "after=batch_151&limit=100", "after=batch_051&limit=100"}},
		{"without last_id", true, 0, 0, 250, []string{"limit=100", "after=batch_151&limit=100", "after=batch_051&limit=100"}},
		{"limit within a page", false, 3, 0, 3, []string{"limit=3"}},
		{"limit across pages", false, 150, 0, 150, []string{"limit=100", "after=batch_151&limit=50"}},
		{"stop", false, 0, 120, 120, []string{"limit=100", "after=batch_151&limit=100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := listServer(t, tt.omitLastID)
			var got []string
			err := ts.client(Config{}).List(context.Background(), providers.ListOptions{Limit: tt.limit}, func(b *providers.Batch) error {
				got = append(got, b.ID)
				if len(got) == tt.stopAt {
					return providers.ErrStop
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || got[0] != "batch_250" || got[len(got)-1] != fmt.Sprintf("batch_%03d", 251-tt.want) {
				t.Errorf("listed %d batches %s..%s, want %d from batch_250", len(got), got[0], got[len(got)-1], tt.want)
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
	ts := listServer(t, false)
	boom := errors.New("boom")
	err := ts.client(Config{}).List(context.Background(), providers.ListOptions{}, func(*providers.Batch) error { return boom })
	if err != boom {
		t.Errorf("error = %v, want the callback's", err)
	}
}

func TestDownload(t *testing.T) {
	files := map[string]string{
		"file-out":   `{"custom_id":"a"}` + "\n" + `{"custom_id":"b"}`, // no final newline
		"file-err":   `{"custom_id":"c"}` + "\n",
		"file-empty": "",
	}
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/files/"), "/content")
		content, found := files[id]
		if !ok || !found || r.Method != "GET" {
			writeJSON(w, 404, `{"error":{"message":"No such File object: `+id+`","type":"invalid_request_error","param":"id","code":null}}`)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		io.WriteString(w, content)
	})
	tests := []struct {
		name      string
		batch     providers.Batch
		want      string
		wantPaths []string
	}{
		{"output and error files", providers.Batch{OutputFileID: "file-out", ErrorFileID: "file-err"},
			`{"custom_id":"a"}` + "\n" + `{"custom_id":"b"}` + "\n" + `{"custom_id":"c"}` + "\n",
			[]string{"/v1/files/file-out/content", "/v1/files/file-err/content"}},
		{"error file only", providers.Batch{ErrorFileID: "file-err"}, `{"custom_id":"c"}` + "\n", []string{"/v1/files/file-err/content"}},
		{"empty file", providers.Batch{OutputFileID: "file-empty", ErrorFileID: "file-out"},
			`{"custom_id":"a"}` + "\n" + `{"custom_id":"b"}` + "\n", []string{"/v1/files/file-empty/content", "/v1/files/file-out/content"}},
		{"no files", providers.Batch{}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.recorded())
			var out bytes.Buffer
			if err := ts.client(Config{}).Download(context.Background(), &tt.batch, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("downloaded %q, want %q", out.String(), tt.want)
			}
			var paths []string
			for _, r := range ts.recorded()[before:] {
				paths = append(paths, r.Path)
			}
			if !slices.Equal(paths, tt.wantPaths) {
				t.Errorf("requested %q, want %q", paths, tt.wantPaths)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		var out bytes.Buffer
		err := ts.client(Config{}).Download(context.Background(), &providers.Batch{OutputFileID: "file-out", ErrorFileID: "file-gone"}, &out)
		if want := "download error file file-gone: 404 Not Found: No such File object: file-gone"; err == nil || err.Error() != want {
			t.Errorf("error = %v, want %s", err, want)
		}
	})
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestDownloadWriteError(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { io.WriteString(w, "x\n") })
	err := ts.client(Config{}).Download(context.Background(), &providers.Batch{OutputFileID: "file-out"}, failingWriter{})
	if want := "download output file file-out: disk full"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestHTTPErrors(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		status  int
		headers map[string]string
		body    string
		want    providers.HTTPError // Op is "get batch"
		wantMsg string
	}{
		{
			name:   "openai error",
			status: 400,
			body:   `{"error":{"message":"Invalid 'batch_id': 'x'.","type":"invalid_request_error","param":"batch_id","code":"invalid_value"}}`,
			want:   providers.HTTPError{StatusCode: 400, Type: "invalid_request_error", Code: "invalid_value", Message: "Invalid 'batch_id': 'x'.", Param: "batch_id"},
		},
		{
			name:    "rate limit with Retry-After-Ms",
			status:  429,
			headers: map[string]string{"Retry-After-Ms": "1500", "Retry-After": "2"},
			body:    `{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`,
			want:    providers.HTTPError{StatusCode: 429, Type: "requests", Code: "rate_limit_exceeded", Message: "Rate limit reached for requests", RetryAfter: 1500 * time.Millisecond},
			wantMsg: "get batch: 429 Too Many Requests: Rate limit reached for requests (rate_limit_exceeded)",
		},
		{
			name:    "Retry-After in seconds",
			status:  503,
			headers: map[string]string{"Retry-After": "7"},
			body:    `{"error":{"message":"The engine is currently overloaded.","type":"server_error","param":null,"code":null}}`,
			want:    providers.HTTPError{StatusCode: 503, Type: "server_error", Message: "The engine is currently overloaded.", RetryAfter: 7 * time.Second},
		},
		{
			name:    "Retry-After as an HTTP date",
			status:  503,
			headers: map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)},
			body:    `{}`,
			want:    providers.HTTPError{StatusCode: 503, RetryAfter: 90 * time.Second},
		},
		{
			name:    "Retry-After in the past or invalid",
			status:  429,
			headers: map[string]string{"Retry-After-Ms": "soon", "Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)},
			body:    `{"error":{"message":"slow down","type":"requests","param":null,"code":429}}`,
			want:    providers.HTTPError{StatusCode: 429, Type: "requests", Message: "slow down", Code: "429"},
		},
		{
			name:    "HTML from a proxy",
			status:  502,
			body:    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n",
			want:    providers.HTTPError{StatusCode: 502, Message: "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> </body> </html>"},
			wantMsg: "get batch: 502 Bad Gateway: <html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> </body> </html>",
		},
		{
			name:   "long text body",
			status: 500,
			body:   strings.Repeat("é", 300),
			want:   providers.HTTPError{StatusCode: 500, Message: strings.Repeat("é", 200) + "…"},
		},
		{
			name:    "empty body",
			status:  500,
			want:    providers.HTTPError{StatusCode: 500},
			wantMsg: "get batch: 500 Internal Server Error",
		},
		{
			name:   "error as a string",
			status: 403,
			body:   `{"error":"Forbidden"}`,
			want:   providers.HTTPError{StatusCode: 403, Message: "Forbidden"},
		},
		{
			name:   "Azure API Management",
			status: 401,
			body:   `{ "statusCode": 401, "message": "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource." }`,
			want:   providers.HTTPError{StatusCode: 401, Message: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."},
		},
		{
			name:    "the key is never echoed",
			status:  401,
			body:    `{"error":{"message":"Incorrect API key provided: ` + testKey + `. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
			want:    providers.HTTPError{StatusCode: 401, Type: "invalid_request_error", Code: "invalid_api_key", Message: "Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys."},
			wantMsg: "get batch: 401 Unauthorized: Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com/account/api-keys. (invalid_api_key)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				for k, v := range tt.headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			c := ts.client(Config{})
			c.now = func() time.Time { return now }
			_, err := c.Get(context.Background(), "batch_1")
			var he *providers.HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error = %#v, want an HTTPError", err)
			}
			tt.want.Op = "get batch"
			if *he != tt.want {
				t.Errorf("error\n got %#v\nwant %#v", *he, tt.want)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("message %q\nwant %q", err.Error(), tt.wantMsg)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("message %q contains the key", err.Error())
			}
		})
	}
}

func TestHTTPErrorReadsAtMostOneMiB(t *testing.T) {
	body := `{"error":{"message":"` + strings.Repeat("x", maxErrorBody) + `"}}`
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(500)
		io.WriteString(w, body)
	})
	_, err := ts.client(Config{}).Get(context.Background(), "batch_1")
	var he *providers.HTTPError
	if !errors.As(err, &he) || he.Message != `{"error":{"message":"`+strings.Repeat("x", maxPlainMessage-len(`{"error":{"message":"`))+"…" {
		t.Errorf("error = %.300v", err)
	}
}

func TestRetryAfterLimits(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"fractional ms", http.Header{"Retry-After-Ms": {"2.5"}}, 2500 * time.Microsecond},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0},
		{"NaN", http.Header{"Retry-After": {"NaN"}}, 0},
		{"huge", http.Header{"Retry-After": {"1e30"}}, time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.header, now); got != tt.want {
				t.Errorf("retryAfter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	if got := New(Config{Name: "groq"}).Name(); got != "groq" {
		t.Errorf("Name = %q", got)
	}
}
