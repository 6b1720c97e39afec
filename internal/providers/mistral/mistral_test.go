package mistral

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

func TestNormalizeStatus(t *testing.T) {
	tests := []struct {
		raw  string
		want providers.Status
	}{
		{"QUEUED", providers.StatusValidating},
		{"RUNNING", providers.StatusInProgress},
		{"SUCCESS", providers.StatusCompleted},
		{"FAILED", providers.StatusFailed},
		{"TIMEOUT_EXCEEDED", providers.StatusExpired},
		{"CANCELLATION_REQUESTED", providers.StatusCancelling},
		{"CANCELLED", providers.StatusCancelled},
		{"success", providers.StatusUnknown},
		{"PAUSED", providers.StatusUnknown},
	}
	for _, tt := range tests {
		if got := normalizeStatus(tt.raw); got != tt.want {
			t.Errorf("normalizeStatus(%q) = %s, want %s", tt.raw, got, tt.want)
		}
	}
}

func TestParseJob(t *testing.T) {
	raw := `{"id":"b1","object":"batch","input_files":["f1"],"metadata":{"batchctl_job":"j1","n":3},"endpoint":"/v1/embeddings",` +
		`"model":"mistral-embed","agent_id":null,"output_file":"o1","error_file":null,"errors":[{"message":"bad line","count":2}],` +
		`"status":"TIMEOUT_EXCEEDED","created_at":1767323045,"total_requests":5,"completed_requests":4,"succeeded_requests":3,` +
		`"failed_requests":1,"started_at":1767323046,"completed_at":1767323100}`
	b, err := parseJob("mistral", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "b1" || b.Status != providers.StatusExpired || b.ProviderStatus != "TIMEOUT_EXCEEDED" || b.Model != "mistral-embed" ||
		b.InputFileID != "f1" || b.OutputFileID != "o1" || b.ErrorFileID != "" || b.Endpoint != "/v1/embeddings" {
		t.Errorf("parsed %+v", b)
	}
	if want := (providers.Counts{Total: 5, Succeeded: 3, Failed: 1}); b.Counts != want {
		t.Errorf("counts %+v, want %+v", b.Counts, want)
	}
	if b.CreatedAt.Unix() != 1767323045 || b.CompletedAt.Unix() != 1767323100 {
		t.Errorf("created %v, completed %v", b.CreatedAt, b.CompletedAt)
	}
	if len(b.Metadata) != 1 || b.Metadata["batchctl_job"] != "j1" {
		t.Errorf("metadata %v, want the string values only", b.Metadata)
	}
	if len(b.Errors) != 1 || b.Errors[0].Message != "bad line (2 times)" {
		t.Errorf("errors %+v", b.Errors)
	}
	for _, bad := range []string{`{"status":"QUEUED"}`, `{"id":"x"}`, `[]`} {
		if _, err := parseJob("mistral", []byte(bad)); err == nil {
			t.Errorf("parseJob(%s) gave no error", bad)
		}
	}
}

func TestNormalize(t *testing.T) {
	c := New(Config{Name: "mistral"})
	tests := []struct {
		name string
		line string
		want string // the result's status, text, moderation and error, as JSON
	}{
		{
			name: "chat",
			line: `{"id":"r","custom_id":"a","response":{"status_code":200,"body":{"id":"c","object":"chat.completion","model":"mistral-small-latest",` +
				`"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"created":1,"choices":[{"index":0,"message":{"role":"assistant",` +
				`"content":"Bonjour","tool_calls":null},"finish_reason":"stop"}]}},"error":null}`,
			want: `{"status":"succeeded","model":"mistral-small-latest","text":"Bonjour","moderation":null,"usage":{"input_tokens":3,"output_tokens":2,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"error":null}`,
		},
		{
			name: "moderation without flagged",
			line: `{"custom_id":"m","response":{"status_code":200,"body":{"id":"mod","model":"mistral-moderation-latest","results":[` +
				`{"categories":{"sexual":false,"pii":false},"category_scores":{"sexual":0,"pii":0}},` +
				`{"categories":{"sexual":false,"pii":true},"category_scores":{"sexual":0,"pii":0.9}}]}},"error":null}`,
			want: `{"status":"succeeded","model":"mistral-moderation-latest","text":null,"moderation":{"flagged":true,"categories":["pii"]},"usage":null,"error":null}`,
		},
		{
			name: "moderation of nothing flagged",
			line: `{"custom_id":"m","response":{"status_code":200,"body":{"id":"mod","model":"mm","results":[{"categories":{"pii":false}}]}},"error":null}`,
			want: `{"status":"succeeded","model":"mm","text":null,"moderation":{"flagged":false,"categories":[]},"usage":null,"error":null}`,
		},
		{
			name: "mistral error body",
			line: `{"custom_id":"e","response":{"status_code":429,"body":{"object":"error","message":"slow down","type":"rate_limit_error","param":null,"code":"1300"}},"error":null}`,
			want: `{"status":"errored","model":"","text":null,"moderation":null,"usage":null,"error":{"type":"rate_limit_error","message":"slow down","code":"1300","http_status":429}}`,
		},
		{
			name: "validation error body",
			line: `{"custom_id":"e","response":{"status_code":422,"body":{"detail":[{"loc":["body","messages"],"msg":"Field required","type":"missing"}]}},"error":null}`,
			want: `{"status":"errored","model":"","text":null,"moderation":null,"usage":null,"error":{"type":"http_error","message":"Field required","code":null,"http_status":422}}`,
		},
		{
			name: "expired",
			line: `{"custom_id":"x","response":null,"error":{"message":"not run","code":"batch_expired"}}`,
			want: `{"status":"expired","model":"","text":null,"moderation":null,"usage":null,"error":{"type":"batch_expired","message":"not run","code":"batch_expired","http_status":null}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			providertest.CheckAliasing(t, c, []byte(tt.line))
			r, err := c.Normalize([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(struct {
				Status     providers.ResultStatus `json:"status"`
				Model      string                 `json:"model"`
				Text       *string                `json:"text"`
				Moderation *providers.Moderation  `json:"moderation"`
				Usage      *providers.Usage       `json:"usage"`
				Error      *providers.ResultError `json:"error"`
			}{r.Status, r.Model, r.Text, r.Moderation, r.Usage, r.Error})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	if _, err := c.Normalize([]byte(`{"custom_id":"a"}`)); err == nil {
		t.Error("a line with neither response nor error normalized")
	}
}

// recorder is a fake Mistral API that records what it is sent.
type recorder struct {
	mu    sync.Mutex
	calls []string // method, path and query
	form  map[string]string
	body  string // of the last JSON call
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	call := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		call += "?" + r.URL.RawQuery
	}
	rec.calls = append(rec.calls, call)
	if r.Header.Get("Authorization") != "Bearer mk" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Unauthorized","request_id":"x"}`)
		return
	}
	switch {
	case r.URL.Path == "/v1/files":
		rec.form = readForm(r)
		io.WriteString(w, `{"id":"f-1","object":"file","bytes":3,"created_at":1,"filename":"in.jsonl","purpose":"batch","sample_type":"batch_request","source":"upload"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/batch/jobs":
		b, _ := io.ReadAll(r.Body)
		rec.body = string(b)
		io.WriteString(w, `{"id":"b-1","object":"batch","input_files":["f-1"],"endpoint":"/v1/chat/completions","model":"m","errors":[],"status":"QUEUED","created_at":1,"total_requests":0,"completed_requests":0,"succeeded_requests":0,"failed_requests":0}`)
	case r.URL.Path == "/v1/batch/jobs":
		rec.page(w, r)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"detail":"Not Found"}`)
	}
}

// page serves 5 jobs, j0 the newest, honouring page and page_size.
func (rec *recorder) page(w http.ResponseWriter, r *http.Request) {
	var page, size int
	json.Unmarshal([]byte(r.URL.Query().Get("page")), &page)
	json.Unmarshal([]byte(r.URL.Query().Get("page_size")), &size)
	var data []string
	for i := page * size; i < min((page+1)*size, 5); i++ {
		data = append(data, `{"id":"j`+string(rune('0'+i))+`","object":"batch","input_files":[],"endpoint":"/v1/chat/completions","errors":[],"status":"SUCCESS","created_at":1,"total_requests":1,"completed_requests":1,"succeeded_requests":1,"failed_requests":0}`)
	}
	io.WriteString(w, `{"data":[`+strings.Join(data, ",")+`],"object":"list","total":5}`)
}

func readForm(r *http.Request) map[string]string {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	mr := multipart.NewReader(r.Body, params["boundary"])
	form := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err != nil {
			return form
		}
		b, _ := io.ReadAll(p)
		form[p.FormName()] = string(b)
		if p.FileName() != "" {
			form["filename"] = p.FileName()
		}
	}
}

func newRecorded(t *testing.T) (*Client, *recorder) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return New(Config{Name: "mistral", BaseURL: srv.URL + "/", APIKey: "mk", APIKeyEnv: "MISTRAL_API_KEY"}), rec
}

func submitRequest(endpoint, window string) providers.SubmitRequest {
	input := `{"custom_id":"a","body":{"messages":[]}}` + "\n"
	return providers.SubmitRequest{
		Open:     func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(input)), nil },
		Size:     int64(len(input)),
		Filename: "j1-1.jsonl",
		Endpoint: endpoint, Model: "m", Requests: 1,
		Metadata:         map[string]string{"batchctl_job": "j1"},
		CompletionWindow: window,
	}
}

// TestSubmitWire checks the bytes Submit sends: the input uploaded with
// purpose batch, then the job created from it with the metadata and the
// window in hours.
func TestSubmitWire(t *testing.T) {
	c, rec := newRecorded(t)
	b, err := c.Submit(context.Background(), submitRequest("/v1/chat/completions", "48h"))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "b-1" || b.Status != providers.StatusValidating || b.Model != "m" {
		t.Errorf("batch %+v", b)
	}
	if want := []string{"POST /v1/files", "POST /v1/batch/jobs"}; !slices.Equal(rec.calls, want) {
		t.Errorf("calls %v, want %v", rec.calls, want)
	}
	if rec.form["purpose"] != "batch" || rec.form["filename"] != "j1-1.jsonl" || rec.form["file"] != `{"custom_id":"a","body":{"messages":[]}}`+"\n" {
		t.Errorf("upload form %q", rec.form)
	}
	if want := `{"input_files":["f-1"],"endpoint":"/v1/chat/completions","model":"m","metadata":{"batchctl_job":"j1"},"timeout_hours":48}`; rec.body != want {
		t.Errorf("create body\n%s\nwant\n%s", rec.body, want)
	}
}

// TestSubmitRefuses checks what Submit refuses before sending anything.
func TestSubmitRefuses(t *testing.T) {
	tests := []struct {
		endpoint, window, want string
	}{
		{"/v1/ocr", "24h", `create batch: endpoint "/v1/ocr" is not one batchctl can read the results of (want /v1/chat/completions, /v1/embeddings, /v1/moderations)`},
		{"/v1/fim/completions", "", `create batch: endpoint "/v1/fim/completions" is not one`},
		{"/v1/chat/completions", "90m", `create batch: completion window "90m" is not a whole number of hours`},
	}
	for _, tt := range tests {
		c, rec := newRecorded(t)
		_, err := c.Submit(context.Background(), submitRequest(tt.endpoint, tt.window))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Submit to %s in %q: %v, want %s", tt.endpoint, tt.window, err, tt.want)
		}
		if len(rec.calls) > 0 {
			t.Errorf("Submit to %s sent %v", tt.endpoint, rec.calls)
		}
	}
}

// TestListPages walks 5 jobs 2 at a time with the cursors List gives,
// which count jobs: the pages asked for always start at the cursor.
func TestListPages(t *testing.T) {
	c, rec := newRecorded(t)
	var got []string
	after := ""
	for range 5 {
		next := ""
		err := c.List(context.Background(), providers.ListOptions{Limit: 2, After: after, Next: func(s string) { next = s }}, func(b *providers.Batch) error {
			got = append(got, b.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if next == "" {
			break
		}
		after = next
	}
	if want := []string{"j0", "j1", "j2", "j3", "j4"}; !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	want := []string{"GET /v1/batch/jobs?order_by=-created&page=0&page_size=2", "GET /v1/batch/jobs?order_by=-created&page=1&page_size=2", "GET /v1/batch/jobs?order_by=-created&page=2&page_size=2"}
	if !slices.Equal(rec.calls, want) {
		t.Errorf("calls %v, want %v", rec.calls, want)
	}
	rec.calls = nil
	got = nil
	if err := c.List(context.Background(), providers.ListOptions{After: "3"}, func(b *providers.Batch) error {
		got = append(got, b.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"j3", "j4"}) || !slices.Equal(rec.calls, []string{"GET /v1/batch/jobs?order_by=-created&page=1&page_size=3"}) {
		t.Errorf("after 3: listed %v with %v", got, rec.calls)
	}
	err := c.List(context.Background(), providers.ListOptions{After: "b-1"}, func(*providers.Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `"b-1" is not a mistral list cursor`) {
		t.Errorf("a batch id as cursor: %v", err)
	}
}

func TestPageSizeAt(t *testing.T) {
	tests := []struct{ offset, size, want int }{
		{0, 100, 100}, {100, 100, 100}, {3, 100, 3}, {4, 3, 2}, {7, 5, 1}, {6, 4, 3}, {0, 0, 1},
	}
	for _, tt := range tests {
		if got := pageSizeAt(tt.offset, tt.size); got != tt.want || tt.offset%got != 0 {
			t.Errorf("pageSizeAt(%d, %d) = %d, want %d", tt.offset, tt.size, got, tt.want)
		}
	}
}

func TestErrors(t *testing.T) {
	c, _ := newRecorded(t)
	_, err := c.Get(context.Background(), "nope")
	var he *providers.HTTPError
	if !errors.As(err, &he) || !he.IsNotFound() {
		t.Errorf("Get of an unknown job: %v, want not found", err)
	}
	wrong := New(Config{Name: "mistral", BaseURL: c.base, APIKey: "other"})
	if _, err := wrong.Get(context.Background(), "b-1"); !errors.As(err, &he) || !he.IsAuth() || !strings.Contains(err.Error(), "Unauthorized") {
		t.Errorf("Get with a wrong key: %v, want an auth error saying Unauthorized", err)
	}
}
