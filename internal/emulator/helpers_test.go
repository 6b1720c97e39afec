package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/openai"
)

// testEpoch is the fake clock's start: 2026-01-02 03:04:05 UTC.
var testEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is a settable clock shared by the servers of a test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: testEpoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// set moves the clock to d after testEpoch.
func (c *fakeClock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = testEpoch.Add(d)
}

// testEnv is an emulator behind an httptest server on 127.0.0.1.
type testEnv struct {
	t     *testing.T
	clock *fakeClock
	srv   *Server
	http  *httptest.Server
	dir   string
}

// newTestEnv starts an emulator; opts.Dir and opts.Now default to a temp
// dir and a fake clock.
func newTestEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	env := &testEnv{t: t, clock: newFakeClock(), dir: opts.Dir}
	if env.dir == "" {
		env.dir = t.TempDir()
	}
	opts.Dir = env.dir
	if opts.Now == nil {
		opts.Now = env.clock.Now
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	env.srv = srv
	env.http = httptest.NewServer(srv)
	t.Cleanup(env.http.Close)
	return env
}

// response is an HTTP answer read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v, failing the test on error.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request with the test key (unless header sets auth itself).
func (e *testEnv) do(method, path string, body io.Reader, header http.Header) response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.http.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk-test")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// ok sends a request and requires a 200 answer.
func (e *testEnv) ok(method, path string, body io.Reader, header http.Header) response {
	e.t.Helper()
	r := e.do(method, path, body, header)
	if r.status != http.StatusOK {
		e.t.Fatalf("%s %s: status %d, body %s", method, path, r.status, r.body)
	}
	return r
}

// postJSON sends v as a JSON body.
func (e *testEnv) postJSON(path string, v any) response {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(http.MethodPost, path, bytes.NewReader(b), http.Header{"Content-Type": {"application/json"}})
}

// multipartBody builds an upload body from form fields and a file.
func multipartBody(t *testing.T, fields map[string]string, filename, content string) (io.Reader, http.Header) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, content)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, http.Header{"Content-Type": {mw.FormDataContentType()}}
}

// upload stores content as a batch input file and returns its id.
func (e *testEnv) upload(content string) string {
	e.t.Helper()
	body, header := multipartBody(e.t, map[string]string{"purpose": "batch"}, "input.jsonl", content)
	var f openai.FileObject
	e.ok(http.MethodPost, "/v1/files", body, header).decode(e.t, &f)
	return f.ID
}

// createBatch uploads lines and creates a batch for endpoint from them.
func (e *testEnv) createBatch(endpoint string, lines ...string) openai.BatchObject {
	e.t.Helper()
	id := e.upload(strings.Join(lines, "\n") + "\n")
	r := e.postJSON("/v1/batches", map[string]any{
		"input_file_id": id, "endpoint": endpoint, "completion_window": "24h",
	})
	if r.status != http.StatusOK {
		e.t.Fatalf("create batch: status %d, body %s", r.status, r.body)
	}
	var b openai.BatchObject
	r.decode(e.t, &b)
	return b
}

// getBatch returns the batch as the server shows it now.
func (e *testEnv) getBatch(id string) openai.BatchObject {
	e.t.Helper()
	var b openai.BatchObject
	e.ok(http.MethodGet, "/v1/batches/"+id, nil, nil).decode(e.t, &b)
	return b
}

// content downloads a file's bytes; a nil id gives "".
func (e *testEnv) content(id *string) string {
	e.t.Helper()
	if id == nil {
		return ""
	}
	return string(e.ok(http.MethodGet, "/v1/files/"+*id+"/content", nil, nil).body)
}

// chatLine returns an input line for /v1/chat/completions.
func chatLine(customID, model, prompt string) string {
	b, _ := json.Marshal(map[string]any{
		"custom_id": customID, "method": "POST", "url": "/v1/chat/completions",
		"body": map[string]any{"model": model, "messages": []map[string]string{{"role": "user", "content": prompt}}},
	})
	return string(b)
}
