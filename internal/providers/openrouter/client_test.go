package openrouter

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

// recorded is one request the test server received.
type recorded struct {
	method, path, query, auth, contentType string
	body                                   string
}

// server answers every request with status and body, recording it.
func server(t *testing.T, status int, body string) (*Client, *[]recorded) {
	t.Helper()
	var got []recorded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return New(Config{Name: "openrouter", BaseURL: srv.URL + "/api/beta/", APIKey: "sk-or-1", APIKeyEnv: "OPENROUTER_API_KEY"}), &got
}

const validating = `{"id":"batch_1","object":"batch","endpoint":"/v1/chat/completions","model":"anthropic/claude-sonnet-4.5",` +
	`"completion_window":"24h","status":"validating","created_at":1782097200,"finalized_at":null,` +
	`"request_counts":{"total":2,"completed":0,"failed":0},"usage":null,"results":null,"error":null}`

// TestSubmitBody checks the create request byte for byte: endpoint and
// model before requests, the input's lines joined into the array, the key
// as a bearer token.
func TestSubmitBody(t *testing.T) {
	c, got := server(t, http.StatusAccepted, validating)
	input := `{"custom_id":"a","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"Hi"}]}}` + "\n" +
		`{"custom_id":"b","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"Yo"}]}}` + "\n"
	created := false
	b, err := c.Submit(context.Background(), providers.SubmitRequest{
		Open:             func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(input)), nil },
		Size:             int64(len(input)),
		Endpoint:         "/v1/chat/completions",
		Model:            "anthropic/claude-sonnet-4.5",
		Requests:         2,
		CompletionWindow: "24h",
		Metadata:         map[string]string{"batchctl_job": "j1"},
		Creating:         func() error { created = true; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"endpoint":"/v1/chat/completions","model":"anthropic/claude-sonnet-4.5","completion_window":"24h","requests":[` +
		`{"custom_id":"a","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"Hi"}]}},` +
		`{"custom_id":"b","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"Yo"}]}}]}`
	r := (*got)[0]
	if r.method != "POST" || r.path != "/api/beta/batches" || r.auth != "Bearer sk-or-1" || r.contentType != "application/json" {
		t.Errorf("request %s %s, Authorization %q, Content-Type %q", r.method, r.path, r.auth, r.contentType)
	}
	if r.body != want {
		t.Errorf("body\n%s\nwant\n%s", r.body, want)
	}
	if !created {
		t.Error("Creating was not called")
	}
	if b.ID != "batch_1" || b.Status != providers.StatusValidating || b.Counts.Total != 2 || b.Model != "anthropic/claude-sonnet-4.5" ||
		!b.CreatedAt.Equal(time.Unix(1782097200, 0)) || !b.CompletedAt.IsZero() {
		t.Errorf("batch %+v", b)
	}
}

// TestSubmitRefusals: what cannot be sent is refused before any request.
func TestSubmitRefusals(t *testing.T) {
	c, got := server(t, http.StatusAccepted, validating)
	open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("{}\n")), nil }
	for _, req := range []providers.SubmitRequest{
		{InputFileID: "file-1", Endpoint: "/v1/chat/completions", Model: "m"},
		{Open: open, Size: 3, Requests: 1, Model: "m"},
		{Open: open, Size: 3, Requests: 1, Endpoint: "/v1/chat/completions"},
	} {
		if _, err := c.Submit(context.Background(), req); err == nil {
			t.Errorf("Submit(%+v) succeeded", req)
		}
	}
	noKey := New(Config{Name: "openrouter", BaseURL: "http://127.0.0.1:1", APIKeyEnv: "OPENROUTER_API_KEY"})
	_, err := noKey.Submit(context.Background(), providers.SubmitRequest{Open: open, Size: 3, Requests: 1, Endpoint: "/v1/chat/completions", Model: "m"})
	if _, ok := errors.AsType[*providers.MissingKeyError](err); !ok {
		t.Errorf("without a key: %v, want a MissingKeyError", err)
	}
	if len(*got) != 0 {
		t.Errorf("%d requests sent", len(*got))
	}
}

const completed = `{"id":"batch_1","object":"batch","endpoint":"/v1/chat/completions","model":"openai/gpt-4o",` +
	`"completion_window":"24h","status":"completed","created_at":1782097200,"finalized_at":1782100800,"expires_at":null,` +
	`"provider":"OpenAI","request_counts":{"total":2,"completed":1,"failed":1},` +
	`"usage":{"prompt_tokens":20,"completion_tokens":40,"total_tokens":60,"cost":0.000225,"is_byok":false},` +
	`"results":[` +
	`{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"request_id":"r1","body":{"id":"gen-1","object":"chat.completion",` +
	`"model":"openai/gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello."},"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}},"error":null},` + "\n  " +
	`{"id":"batch_req_2","custom_id":"b","response":{"status_code":400,"request_id":"r2","body":{"error":{"message":"bad","type":"invalid_request_error","code":null}}},"error":null}` +
	`],"error":null}`

// TestGetAndDownload: Get reads a completed batch whatever its results,
// and keeps them out of Raw; Download writes them one per line, compacted.
func TestGetAndDownload(t *testing.T) {
	c, got := server(t, http.StatusOK, completed)
	b, err := c.Get(context.Background(), "batch_1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != providers.StatusCompleted || b.Counts != (providers.Counts{Total: 2, Succeeded: 1, Failed: 1}) ||
		!b.CompletedAt.Equal(time.Unix(1782100800, 0)) || b.Usage == nil || b.Usage.InputTokens != 20 || b.Usage.OutputTokens != 40 {
		t.Errorf("batch %+v", b)
	}
	if bytes.Contains(b.Raw, []byte("results")) || !bytes.Contains(b.Raw, []byte(`"provider":"OpenAI"`)) {
		t.Errorf("Raw = %s", b.Raw)
	}
	var out bytes.Buffer
	if err := c.Download(context.Background(), b, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"id":"batch_req_1","custom_id":"a",`) || !strings.HasPrefix(lines[1], `{"id":"batch_req_2",`) {
		t.Fatalf("downloaded\n%s", out.String())
	}
	for _, r := range *got {
		if r.method != "GET" || r.path != "/api/beta/batches/batch_1" {
			t.Errorf("request %s %s", r.method, r.path)
		}
	}
	r, err := c.Normalize([]byte(lines[0]))
	if err != nil || r.Status != providers.ResultSucceeded || r.Text == nil || *r.Text != "Hello." || r.Model != "openai/gpt-4o" {
		t.Errorf("Normalize(a) = %+v, %v", r, err)
	}
	r, err = c.Normalize([]byte(lines[1]))
	if err != nil || r.Status != providers.ResultErrored || r.Error == nil || r.Error.Type != "invalid_request_error" || *r.Error.HTTPStatus != 400 {
		t.Errorf("Normalize(b) = %+v, %v", r, err)
	}
}

// TestNormalizeFailure: a request that failed without an HTTP answer
// carries OpenRouter's error object.
func TestNormalizeFailure(t *testing.T) {
	c := New(Config{Name: "openrouter"})
	for _, line := range []string{
		`{"id":"batch_req_3","custom_id":"c","response":null,"error":{"message":"Upstream timed out","param":null,"type":"server_error","error_type":"timeout"}}`,
		`{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"request_id":"r","body":{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"caf\u00e9 \"ok\""},"finish_reason":"stop"}]}},"error":null}`,
	} {
		providertest.CheckAliasing(t, c, []byte(line))
	}
	r, err := c.Normalize([]byte(`{"id":"batch_req_3","custom_id":"c","response":null,` +
		`"error":{"message":"Upstream timed out","param":null,"type":"server_error","error_type":"timeout"}}`))
	if err != nil || r.Status != providers.ResultErrored || r.Error.Type != "server_error" || r.Error.Message != "Upstream timed out" ||
		r.Error.Code == nil || *r.Error.Code != "timeout" || r.Error.HTTPStatus != nil || r.Response != nil {
		t.Errorf("Normalize = %+v (error %+v), %v", r, r.Error, err)
	}
	r, err = c.Normalize([]byte(`{"id":"batch_req_3","custom_id":"c","response":null,"error":{"message":"failed","param":null,"type":"server_error"}}`))
	if err != nil || r.Error.Type != "server_error" || r.Error.Code != nil {
		t.Errorf("Normalize without error_type = %+v (error %+v), %v", r, r.Error, err)
	}
}

// TestDownloadNoResults: a batch that ended otherwise than completed has
// results null, and nothing is written.
func TestDownloadNoResults(t *testing.T) {
	c, _ := server(t, http.StatusOK, strings.Replace(validating, `"validating"`, `"cancelled"`, 1))
	var out bytes.Buffer
	if err := c.Download(context.Background(), &providers.Batch{ID: "batch_1"}, &out); err != nil || out.Len() != 0 {
		t.Errorf("Download: %v, wrote %q", err, out.String())
	}
}

// TestDownloadCut: an answer cut short fails with an error worth retrying.
func TestDownloadCut(t *testing.T) {
	c, _ := server(t, http.StatusOK, completed[:len(completed)/2])
	err := c.Download(context.Background(), &providers.Batch{ID: "batch_1"}, io.Discard)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Download: %v, want an unexpected EOF", err)
	}
}

func TestStatuses(t *testing.T) {
	for raw, want := range map[string]providers.Status{
		"validating": providers.StatusValidating, "in_progress": providers.StatusInProgress,
		"finalizing": providers.StatusFinalizing, "completed": providers.StatusCompleted,
		"failed": providers.StatusFailed, "expired": providers.StatusExpired,
		"cancelling": providers.StatusCancelling, "cancelled": providers.StatusCancelled,
		"paused": providers.StatusUnknown, "Completed": providers.StatusUnknown,
	} {
		b, err := parseBatch("openrouter", []byte(`{"id":"b","status":"`+raw+`","finalized_at":5}`))
		if err != nil || b.Status != want || b.ProviderStatus != raw {
			t.Errorf("%s: %+v, %v", raw, b, err)
		}
		if b.Status.Terminal() != !b.CompletedAt.IsZero() {
			t.Errorf("%s: CompletedAt %v", raw, b.CompletedAt)
		}
	}
}

// TestFailedBatch: a failed batch reports why in error.message.
func TestFailedBatch(t *testing.T) {
	b, err := parseBatch("openrouter", []byte(`{"id":"b","status":"failed","error":{"message":"requests[0]: images are not supported","code":400}}`))
	if err != nil || len(b.Errors) != 1 || b.Errors[0].Message != "requests[0]: images are not supported" || b.Errors[0].Code != "400" {
		t.Errorf("%+v, %v", b, err)
	}
}

// TestErrorAnswer: an error answer becomes an HTTPError with its message.
func TestErrorAnswer(t *testing.T) {
	c, _ := server(t, http.StatusBadRequest, `{"error":{"code":400,"message":"endpoint and model must precede requests"}}`)
	_, err := c.Get(context.Background(), "batch_1")
	he, ok := errors.AsType[*providers.HTTPError](err)
	if !ok || he.StatusCode != 400 || he.Message != "endpoint and model must precede requests" || he.Code != "400" {
		t.Errorf("Get: %#v", err)
	}
}

// TestListPages follows last_id with after, asking for pages of at most 100.
func TestListPages(t *testing.T) {
	c, got := server(t, http.StatusOK, `{"object":"list","data":[`+strings.Replace(validating, `,"results":null`, "", 1)+
		`],"first_id":"batch_1","last_id":"batch_1","has_more":false}`)
	var ids []string
	err := c.List(context.Background(), providers.ListOptions{After: "batch_0"}, func(b *providers.Batch) error {
		ids = append(ids, b.ID)
		return nil
	})
	if err != nil || len(ids) != 1 || ids[0] != "batch_1" {
		t.Fatalf("List: %v, %v", ids, err)
	}
	if r := (*got)[0]; r.path != "/api/beta/batches" || r.query != "after=batch_0&limit=100" {
		t.Errorf("list request %s?%s", r.path, r.query)
	}
}

// TestCancelPath: UNCONFIRMED, see the package documentation.
func TestCancelPath(t *testing.T) {
	c, got := server(t, http.StatusOK, strings.Replace(validating, `"validating"`, `"cancelling"`, 1))
	b, err := c.Cancel(context.Background(), "batch_1")
	if err != nil || b.Status != providers.StatusCancelling {
		t.Fatalf("Cancel: %+v, %v", b, err)
	}
	if r := (*got)[0]; r.method != "POST" || r.path != "/api/beta/batches/batch_1/cancel" {
		t.Errorf("cancel request %s %s", r.method, r.path)
	}
}
