package gemini

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

const testKey = "AIza-test-0123456789"

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
	cfg.BaseURL = ts.URL + "/"
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	if cfg.Name == "" {
		cfg.Name = "gemini"
	}
	cfg.HTTPClient = ts.Client()
	return New(cfg)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
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

func (in *input) request() providers.SubmitRequest {
	return providers.SubmitRequest{
		Open: in.open, Size: int64(len(in.data)), Filename: "j7k2m9-1.jsonl", Endpoint: EndpointGenerate,
		Model: "gemini-2.5-flash", Requests: 2, Metadata: map[string]string{"batchctl_job": "j7k2m9", "batchctl_part": "1/2", "team": "x"},
	}
}

const inputJSONL = `{"key":"q1","request":{"contents":[{"parts":[{"text":"Capital of France?"}]}]}}
{"key":"q2","request":{"contents":[{"parts":[{"text":"Capital of \"Peru\"?"}],"role":"user"}],"generation_config":{"temperature":0}}}
`

// pendingOperation is a batch just created, pretty-printed as the API
// answers.
const pendingOperation = `{
  "name": "batches/123456",
  "metadata": {
    "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
    "model": "models/gemini-2.5-flash",
    "displayName": "batchctl j7k2m9 1/2",
    "createTime": "2025-07-01T12:00:00.123456Z",
    "updateTime": "2025-07-01T12:00:00.123456Z",
    "batchStats": {
      "requestCount": "2",
      "pendingRequestCount": "2"
    },
    "state": "BATCH_STATE_PENDING",
    "name": "batches/123456"
  }
}
`

// pendingBatch is pendingOperation normalized.
func pendingBatch(raw []byte) *providers.Batch {
	return &providers.Batch{
		ID: "batches/123456", Provider: "gemini", Status: providers.StatusValidating, ProviderStatus: "BATCH_STATE_PENDING",
		Endpoint: EndpointGenerate, Model: "gemini-2.5-flash", Counts: providers.Counts{Total: 2},
		CreatedAt: time.Date(2025, 7, 1, 12, 0, 0, 123456000, time.UTC),
		Metadata:  map[string]string{"batchctl_job": "j7k2m9", "batchctl_part": "1/2"}, Raw: raw,
	}
}

func assertBatch(t *testing.T, got, want *providers.Batch) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("batch\n got %+v\nwant %+v", *got, *want)
	}
}

func TestSubmitInline(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { writeJSON(w, 200, pendingOperation) })
	in := &input{data: []byte(inputJSONL)}
	b, err := ts.client(Config{UserAgent: "batchctl/1.2.3"}).Submit(context.Background(), in.request())
	if err != nil {
		t.Fatal(err)
	}
	reqs := ts.recorded()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	create := reqs[0]
	if create.Method != "POST" || create.Path != "/v1beta/models/gemini-2.5-flash:batchGenerateContent" || create.Query != "" {
		t.Errorf("create: %s %s?%s", create.Method, create.Path, create.Query)
	}
	want := `{"batch":{"display_name":"batchctl j7k2m9 1/2","input_config":{"requests":{"requests":[` +
		`{"request":{"contents":[{"parts":[{"text":"Capital of France?"}]}]},"metadata":{"key":"q1"}},` +
		`{"request":{"contents":[{"parts":[{"text":"Capital of \"Peru\"?"}],"role":"user"}],"generation_config":{"temperature":0}},"metadata":{"key":"q2"}}` +
		`]}}}}`
	if string(create.Body) != want {
		t.Errorf("create body\n%s\nwant\n%s", create.Body, want)
	}
	if create.ContentLength != int64(len(want)) || len(create.TransferEncoding) != 0 {
		t.Errorf("Content-Length %d, Transfer-Encoding %q; want %d, not chunked", create.ContentLength, create.TransferEncoding, len(want))
	}
	for header, want := range map[string]string{
		"X-Goog-Api-Key": testKey, "Content-Type": "application/json", "User-Agent": "batchctl/1.2.3", "Authorization": "",
	} {
		if got := create.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if in.opens != 2 {
		t.Errorf("input opened %d times, want 2 (measure, send)", in.opens)
	}
	assertBatch(t, b, pendingBatch([]byte(pendingOperation)))
}

// uploadServer is a Files API upload endpoint and a batch create
// endpoint. The data request numbered failOn (1-based; 0 for none) keeps
// only the first keep bytes of its chunk and answers 503.
type uploadServer struct {
	*testServer
	mu       sync.Mutex
	data     []byte
	requests int
}

func newUploadServer(t *testing.T, failOn, keep int) *uploadServer {
	us := &uploadServer{}
	us.testServer = newTestServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		us.mu.Lock()
		defer us.mu.Unlock()
		switch {
		case r.URL.Path == "/upload/v1beta/files" && r.URL.Query().Get("upload_id") == "":
			w.Header().Set("X-Goog-Upload-URL", us.URL+"/upload/v1beta/files?upload_id=u-1&upload_protocol=resumable")
			w.Header().Set("X-Goog-Upload-Status", "active")
		case r.URL.Path == "/upload/v1beta/files":
			us.session(w, r, body, failOn, keep)
		case r.URL.Path == "/v1beta/models/gemini-2.5-flash:batchGenerateContent":
			writeJSON(w, 200, pendingOperation)
		default:
			writeJSON(w, 404, `{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}`)
		}
	})
	return us
}

func (us *uploadServer) session(w http.ResponseWriter, r *http.Request, body []byte, failOn, keep int) {
	command := r.Header.Get("X-Goog-Upload-Command")
	if command == "query" {
		w.Header().Set("X-Goog-Upload-Status", "active")
		w.Header().Set("X-Goog-Upload-Size-Received", fmt.Sprint(len(us.data)))
		return
	}
	us.requests++
	if us.requests == failOn {
		us.data = append(us.data, body[:keep]...)
		writeJSON(w, 503, `{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}`)
		return
	}
	if r.Header.Get("X-Goog-Upload-Offset") != fmt.Sprint(len(us.data)) {
		http.Error(w, "offset mismatch", http.StatusBadRequest)
		return
	}
	us.data = append(us.data, body...)
	if command == "upload, finalize" {
		w.Header().Set("X-Goog-Upload-Status", "final")
		writeJSON(w, 200, fmt.Sprintf(`{"file":{"name":"files/abc123","mimeType":"application/jsonl","sizeBytes":"%d","state":"ACTIVE"}}`, len(us.data)))
		return
	}
	w.Header().Set("X-Goog-Upload-Status", "active")
}

func TestSubmitUploadsLargeInput(t *testing.T) {
	us := newUploadServer(t, 2, 5)
	in := &input{data: []byte(inputJSONL)}
	b, err := us.client(Config{InlineLimit: 100, ChunkSize: 64}).Submit(context.Background(), in.request())
	if err != nil {
		t.Fatal(err)
	}
	if string(us.data) != inputJSONL {
		t.Errorf("uploaded %q\nwant %q", us.data, inputJSONL)
	}
	size := len(inputJSONL) // 214 bytes: chunks at 0, 64 (fails after 5 bytes), 69, 133, 197
	var got []string
	for _, r := range us.recorded() {
		got = append(got, fmt.Sprintf("%s %s %s %s@%s %d", r.Method, r.Path, r.Header.Get("X-Goog-Upload-Protocol"),
			r.Header.Get("X-Goog-Upload-Command"), r.Header.Get("X-Goog-Upload-Offset"), len(r.Body)))
	}
	want := []string{
		"POST /upload/v1beta/files resumable start@ 42",
		"POST /upload/v1beta/files  upload@0 64",
		"POST /upload/v1beta/files  upload@64 64",
		"POST /upload/v1beta/files  query@ 0",
		"POST /upload/v1beta/files  upload@69 64",
		"POST /upload/v1beta/files  upload@133 64",
		fmt.Sprintf("POST /upload/v1beta/files  upload, finalize@197 %d", size-197),
		"POST /v1beta/models/gemini-2.5-flash:batchGenerateContent  @ 92",
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reqs := us.recorded()
	start, create := reqs[0], reqs[len(reqs)-1]
	for header, want := range map[string]string{
		"X-Goog-Upload-Header-Content-Length": fmt.Sprint(size), "X-Goog-Upload-Header-Content-Type": "application/jsonl",
		"Content-Type": "application/json", "X-Goog-Api-Key": testKey,
	} {
		if got := start.Header.Get(header); got != want {
			t.Errorf("start: %s = %q, want %q", header, got, want)
		}
	}
	if want := `{"file":{"display_name":"j7k2m9-1.jsonl"}}`; string(start.Body) != want {
		t.Errorf("start body %s, want %s", start.Body, want)
	}
	for _, r := range reqs[1 : len(reqs)-1] {
		if r.Header.Get("X-Goog-Api-Key") != testKey || r.ContentLength != int64(len(r.Body)) {
			t.Errorf("chunk %s: key %q, Content-Length %d for %d bytes", r.Header.Get("X-Goog-Upload-Offset"),
				r.Header.Get("X-Goog-Api-Key"), r.ContentLength, len(r.Body))
		}
	}
	if want := `{"batch":{"display_name":"batchctl j7k2m9 1/2","input_config":{"file_name":"files/abc123"}}}`; string(create.Body) != want {
		t.Errorf("create body %s\nwant %s", create.Body, want)
	}
	if in.opens != 3 {
		t.Errorf("input opened %d times, want 3 (measure, upload, resume)", in.opens)
	}
	wantBatch := pendingBatch([]byte(pendingOperation))
	wantBatch.InputFileID = "files/abc123"
	assertBatch(t, b, wantBatch)
}

func TestSubmitUploadGivesUp(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.Header.Get("X-Goog-Upload-Command") {
		case "start":
			w.Header().Set("X-Goog-Upload-URL", "http://"+r.Host+"/upload/v1beta/files?upload_id=u-1")
		case "query":
			w.Header().Set("X-Goog-Upload-Size-Received", "0")
		default:
			http.Error(w, "Backend Error", http.StatusInternalServerError)
		}
	})
	in := &input{data: []byte(inputJSONL)}
	_, err := ts.client(Config{InlineLimit: 1}).Submit(context.Background(), in.request())
	if want := "upload input at offset 0: 500 Internal Server Error: Backend Error"; err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant %s", err, want)
	}
	var commands []string
	for _, r := range ts.recorded() {
		commands = append(commands, r.Header.Get("X-Goog-Upload-Command"))
	}
	if want := "start,upload, finalize,query,upload, finalize,query,upload, finalize,query"; strings.Join(commands, ",") != want {
		t.Errorf("commands %q, want %q", strings.Join(commands, ","), want)
	}
}

func TestSubmitErrors(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		modify func(*providers.SubmitRequest)
		want   string
	}{
		{"line without a key", `{"key":"q1","request":{}}` + "\n" + `{"request":{}}` + "\n", nil, `create batch: input line 2: no "key"`},
		{"line without a request", `{"key":"q1"}`, nil, `create batch: input line 1: no "request"`},
		{"request not an object", `{"key":"q1","request":[]}`, nil, `create batch: input line 1: request: found array, want object`},
		{"key not a string", `{"key":1,"request":{}}`, nil, `create batch: input line 1: key: found number, want string`},
		{"not JSON", `{"key":"q1",`, nil, `create batch: input line 1: not valid JSON: unexpected end of input at offset 12`},
		{"unknown endpoint", inputJSONL, func(r *providers.SubmitRequest) { r.Endpoint = "/v1/chat/completions" },
			`create batch: unsupported endpoint "/v1/chat/completions" (want batchGenerateContent or asyncBatchEmbedContent)`},
		{"no model", inputJSONL, func(r *providers.SubmitRequest) { r.Model = "" }, "create batch: no model"},
		{"open fails", inputJSONL, func(r *providers.SubmitRequest) {
			r.Open = func() (io.ReadCloser, error) { return nil, errors.New("disk on fire") }
		}, "create batch: open input: disk on fire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { writeJSON(w, 200, pendingOperation) })
			in := &input{data: []byte(tt.input)}
			req := in.request()
			if tt.modify != nil {
				tt.modify(&req)
			}
			_, err := ts.client(Config{}).Submit(context.Background(), req)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
			if n := len(ts.recorded()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestMissingKey(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {})
	c := New(Config{Name: "gemini", BaseURL: ts.URL, APIKeyEnv: "GEMINI_API_KEY", HTTPClient: ts.Client()})
	in := &input{data: []byte(inputJSONL)}
	ctx := context.Background()
	calls := map[string]func() error{
		"Submit":   func() error { _, err := c.Submit(ctx, in.request()); return err },
		"Get":      func() error { _, err := c.Get(ctx, "batches/1"); return err },
		"Cancel":   func() error { _, err := c.Cancel(ctx, "batches/1"); return err },
		"List":     func() error { return c.List(ctx, providers.ListOptions{}, func(*providers.Batch) error { return nil }) },
		"Download": func() error { return c.Download(ctx, &providers.Batch{OutputFileID: "files/1"}, io.Discard) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var mk *providers.MissingKeyError
			if !errors.As(err, &mk) || mk.Profile != "gemini" || mk.Env != "GEMINI_API_KEY" {
				t.Fatalf("error = %#v, want a MissingKeyError", err)
			}
		})
	}
	if n := len(ts.recorded()); n != 0 || in.opens != 0 {
		t.Errorf("%d requests sent, input opened %d times", n, in.opens)
	}
}

func TestGetAndCancel(t *testing.T) {
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if strings.HasSuffix(r.URL.Path, ":cancel") {
			writeJSON(w, 200, "{}\n")
			return
		}
		writeJSON(w, 200, pendingOperation)
	})
	c := ts.client(Config{})
	ctx := context.Background()
	for _, id := range []string{"batches/123456", "123456"} {
		b, err := c.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		assertBatch(t, b, pendingBatch([]byte(pendingOperation)))
	}
	if _, err := c.Cancel(ctx, "batches/123456"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range ts.recorded() {
		got = append(got, r.Method+" "+r.Path+" "+string(r.Body))
	}
	want := []string{"GET /v1beta/batches/123456 ", "GET /v1beta/batches/123456 ", "POST /v1beta/batches/123456:cancel {}", "GET /v1beta/batches/123456 "}
	if !slices.Equal(got, want) {
		t.Errorf("requests %q\nwant %q", got, want)
	}
	for _, id := range []string{"", "batches/", "batches/a/b"} {
		if _, err := c.Get(ctx, id); err == nil || !strings.HasPrefix(err.Error(), "get batch: invalid batch id") {
			t.Errorf("Get(%q) error = %v", id, err)
		}
	}
}

func TestList(t *testing.T) {
	op := func(id string) string {
		return fmt.Sprintf(`{"name":"batches/%s","metadata":{"name":"batches/%s","state":"BATCH_STATE_RUNNING"}}`, id, id)
	}
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.URL.Query().Get("pageToken") {
		case "":
			writeJSON(w, 200, `{"operations":[`+op("a")+`,`+op("b")+`],"nextPageToken":"t1"}`)
		case "t1":
			writeJSON(w, 200, `{"operations":[`+op("c")+`],"nextPageToken":"t2"}`)
		default:
			writeJSON(w, 200, `{}`)
		}
	})
	c := ts.client(Config{})
	tests := []struct {
		name    string
		limit   int
		stopAt  string
		want    string
		queries string
	}{
		{"all", 0, "", "a b c", "pageSize=100 pageSize=100&pageToken=t1 pageSize=100&pageToken=t2"},
		{"limit", 2, "", "a b", "pageSize=2"},
		{"limit across pages", 3, "", "a b c", "pageSize=3 pageSize=1&pageToken=t1"},
		{"stop", 0, "b", "a b", "pageSize=100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.recorded())
			var got []string
			err := c.List(context.Background(), providers.ListOptions{Limit: tt.limit}, func(b *providers.Batch) error {
				got = append(got, strings.TrimPrefix(b.ID, "batches/"))
				if b.Status != providers.StatusInProgress {
					t.Errorf("%s: status %s", b.ID, b.Status)
				}
				if b.ID == "batches/"+tt.stopAt {
					return providers.ErrStop
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var queries []string
			for _, r := range ts.recorded()[before:] {
				queries = append(queries, r.Query)
			}
			if strings.Join(got, " ") != tt.want || strings.Join(queries, " ") != tt.queries {
				t.Errorf("listed %q with queries %q; want %q with %q", got, queries, tt.want, tt.queries)
			}
		})
	}
}

// finishedInline is a batch with inline results, pretty-printed, with
// its output both in metadata.output and in response.
const finishedInline = `{
  "name": "batches/in1",
  "metadata": {
    "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
    "output": {
      "inlinedResponses": {
        "inlinedResponses": [
          {"response": {"candidates": [{"content": {"parts": [{"text": "Paris."}], "role": "model"}, "finishReason": "STOP"}]}, "metadata": {"key": "q1"}},
          {"error": {"code": 8, "message": "Quota."}, "metadata": {"key": "q2"}}
        ]
      }
    },
    "state": "BATCH_STATE_SUCCEEDED",
    "name": "batches/in1"
  },
  "done": true,
  "response": {
    "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
    "inlinedResponses": {
      "inlinedResponses": [
        {"response": {"candidates": [{"content": {"parts": [{"text": "Paris."}], "role": "model"}, "finishReason": "STOP"}]}, "metadata": {"key": "q1"}},
        {"error": {"code": 8, "message": "Quota."}, "metadata": {"key": "q2"}}
      ]
    }
  }
}`

const inlineLines = `{"response":{"candidates":[{"content":{"parts":[{"text":"Paris."}],"role":"model"},"finishReason":"STOP"}]},"metadata":{"key":"q1"}}
{"error":{"code":8,"message":"Quota."},"metadata":{"key":"q2"}}
`

func TestDownload(t *testing.T) {
	const fileLines = `{"key":"q1","response":{"candidates":[]}}` + "\n" + `{"key":"q2","error":{"code":13}}`
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.URL.Path {
		case "/download/v1beta/files/batch-abc:download":
			io.WriteString(w, fileLines)
		case "/v1beta/batches/in1":
			writeJSON(w, 200, finishedInline)
		default:
			writeJSON(w, 404, `{"error":{"code":404,"message":"File not found.","status":"NOT_FOUND"}}`)
		}
	})
	c := ts.client(Config{})
	tests := []struct {
		name     string
		batch    *providers.Batch
		want     string
		requests string
	}{
		{"responses file", &providers.Batch{ID: "batches/f1", OutputFileID: "files/batch-abc"}, fileLines + "\n",
			"GET /download/v1beta/files/batch-abc:download alt=media"},
		{"inline from Raw", &providers.Batch{ID: "batches/in1", Raw: []byte(finishedInline)}, inlineLines, ""},
		{"inline fetched", &providers.Batch{ID: "batches/in1"}, inlineLines, "GET /v1beta/batches/in1 "},
		{"responses file named in Raw", &providers.Batch{ID: "batches/f1", Raw: []byte(`{"name":"batches/f1","done":true,"response":{"responsesFile":"files/batch-abc"}}`)},
			fileLines + "\n", "GET /download/v1beta/files/batch-abc:download alt=media"},
		{"no results", &providers.Batch{ID: "batches/x", Raw: []byte(`{"name":"batches/x","metadata":{"state":"BATCH_STATE_EXPIRED"},"done":true}`)}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.recorded())
			var out bytes.Buffer
			if err := c.Download(context.Background(), tt.batch, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("downloaded\n%s\nwant\n%s", out.String(), tt.want)
			}
			var requests []string
			for _, r := range ts.recorded()[before:] {
				requests = append(requests, r.Method+" "+r.Path+" "+r.Query)
			}
			if strings.Join(requests, "; ") != tt.requests {
				t.Errorf("requests %q, want %q", requests, tt.requests)
			}
		})
	}
	err := c.Download(context.Background(), &providers.Batch{OutputFileID: "files/gone"}, io.Discard)
	if want := "download files/gone: 404 Not Found: File not found. (NOT_FOUND)"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestHTTPErrors(t *testing.T) {
	retryInfo := func(delay string) string {
		return `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[` +
			`{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"batch"}]},` +
			`{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"` + delay + `"}]}}`
	}
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   providers.HTTPError
		text   string
	}{
		{
			name: "retry info", status: 429, body: retryInfo("58s"),
			want: providers.HTTPError{Op: "get batch", StatusCode: 429, Code: "RESOURCE_EXHAUSTED", Message: "Resource has been exhausted (e.g. check quota).", RetryAfter: 58 * time.Second},
			text: "get batch: 429 Too Many Requests: Resource has been exhausted (e.g. check quota). (RESOURCE_EXHAUSTED)",
		},
		{
			name: "fractional retry info", status: 429, body: retryInfo("1.5s"),
			want: providers.HTTPError{Op: "get batch", StatusCode: 429, Code: "RESOURCE_EXHAUSTED", Message: "Resource has been exhausted (e.g. check quota).", RetryAfter: 1500 * time.Millisecond},
		},
		{
			name: "Retry-After wins", status: 503, header: map[string]string{"Retry-After": "3"}, body: retryInfo("58s"),
			want: providers.HTTPError{Op: "get batch", StatusCode: 503, Code: "RESOURCE_EXHAUSTED", Message: "Resource has been exhausted (e.g. check quota).", RetryAfter: 3 * time.Second},
		},
		{
			name: "invalid key", status: 400,
			body: `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}`,
			want: providers.HTTPError{Op: "get batch", StatusCode: 400, Code: "INVALID_ARGUMENT", Message: "API key not valid. Please pass a valid API key."},
		},
		{
			name: "plain text", status: 502, body: "<html>\n<b>502.</b> That’s an error.\n</html>",
			want: providers.HTTPError{Op: "get batch", StatusCode: 502, Message: "<html> <b>502.</b> That’s an error. </html>"},
		},
		{
			name: "key echoed", status: 403, body: `{"error":{"code":403,"message":"Key ` + testKey + ` is blocked.","status":"PERMISSION_DENIED"}}`,
			want: providers.HTTPError{Op: "get batch", StatusCode: 403, Code: "PERMISSION_DENIED", Message: "Key [redacted] is blocked."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				writeJSON(w, tt.status, tt.body)
			})
			_, err := ts.client(Config{}).Get(context.Background(), "batches/1")
			var he *providers.HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("error = %#v, want an HTTPError", err)
			}
			if *he != tt.want {
				t.Errorf("error = %+v\nwant %+v", *he, tt.want)
			}
			if tt.text != "" && err.Error() != tt.text {
				t.Errorf("text = %s\nwant %s", err, tt.text)
			}
		})
	}
}

func TestKeyStaysHome(t *testing.T) {
	other := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("X-Goog-Upload-Status", "final")
		writeJSON(w, 200, `{"file":{"name":"files/x1"}}`)
	})
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Path == "/upload/v1beta/files" {
			w.Header().Set("X-Goog-Upload-URL", other.URL+"/upload?upload_id=u-1")
			return
		}
		writeJSON(w, 200, pendingOperation)
	})
	in := &input{data: []byte(inputJSONL)}
	if _, err := ts.client(Config{InlineLimit: 1}).Submit(context.Background(), in.request()); err != nil {
		t.Fatal(err)
	}
	for _, r := range other.recorded() {
		if key := r.Header.Get("X-Goog-Api-Key"); key != "" {
			t.Errorf("upload to another host sent the key %q", key)
		}
	}
	for _, r := range ts.recorded() {
		if key := r.Header.Get("X-Goog-Api-Key"); key != testKey || strings.Contains(r.Query, testKey) {
			t.Errorf("%s %s: key %q, query %q", r.Method, r.Path, key, r.Query)
		}
	}
}

func TestInlineLimit(t *testing.T) {
	const inlineSize = 331 // the create body of TestSubmitInline
	tests := []struct {
		limit int64
		first string
	}{
		{inlineSize, "/v1beta/models/gemini-2.5-flash:batchGenerateContent"},
		{inlineSize - 1, "/upload/v1beta/files"},
	}
	for _, tt := range tests {
		us := newUploadServer(t, 0, 0)
		in := &input{data: []byte(inputJSONL)}
		if _, err := us.client(Config{InlineLimit: tt.limit}).Submit(context.Background(), in.request()); err != nil {
			t.Fatal(err)
		}
		if got := us.recorded()[0]; got.Path != tt.first || tt.limit == inlineSize && len(got.Body) != inlineSize {
			t.Errorf("limit %d: first request %s with %d bytes, want %s", tt.limit, got.Path, len(got.Body), tt.first)
		}
	}
}
