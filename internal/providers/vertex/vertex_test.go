package vertex

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"google.golang.org/genai"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// TestStates maps every JOB_STATE_* the Gen AI SDK knows (types.go,
// JobState) to a normalized status; none is left unknown but UNSPECIFIED.
func TestStates(t *testing.T) {
	want := map[genai.JobState]providers.Status{
		genai.JobStateUnspecified: providers.StatusUnknown,
		genai.JobStateQueued:      providers.StatusValidating, genai.JobStatePending: providers.StatusValidating,
		genai.JobStateRunning:   providers.StatusInProgress,
		genai.JobStateSucceeded: providers.StatusCompleted, genai.JobStatePartiallySucceeded: providers.StatusCompleted,
		genai.JobStateFailed: providers.StatusFailed, genai.JobStateCancelling: providers.StatusCancelling,
		genai.JobStateCancelled: providers.StatusCancelled, genai.JobStatePaused: providers.StatusPaused,
		genai.JobStateExpired: providers.StatusExpired, genai.JobStateUpdating: providers.StatusUpdating,
	}
	c := New(Config{Name: "vertex"})
	for state, status := range want {
		b, err := c.parse([]byte(`{"name":"projects/p/locations/l/batchPredictionJobs/1","state":"` + string(state) + `"}`))
		if err != nil || b.Status != status || b.ProviderStatus != string(state) {
			t.Errorf("%s: %v (%v), want %s", state, b, err, status)
		}
	}
}

// TestParse reads a job as the REST reference shows one: counts as
// strings, metadata from the display name, the output folder.
func TestParse(t *testing.T) {
	raw := `{"name":"projects/p/locations/us-central1/batchPredictionJobs/1234567890123456789",` +
		`"displayName":"batchctl-j1abc-2of3-x1y2z3","model":"publishers/google/models/gemini-2.5-flash",` +
		`"state":"JOB_STATE_SUCCEEDED","createTime":"2026-12-07T04:00:00.123456Z","endTime":"2026-12-07T05:00:00Z",` +
		`"completionStats":{"successfulCount":"7","failedCount":"2","incompleteCount":"1"},` +
		`"outputInfo":{"gcsOutputDirectory":"gs://b/out/prediction-model-1"}}`
	b, err := New(Config{Name: "vertex"}).parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := &providers.Batch{
		ID: "1234567890123456789", Provider: "vertex", Status: providers.StatusCompleted, ProviderStatus: "JOB_STATE_SUCCEEDED",
		Endpoint: "batchGenerateContent", Model: "gemini-2.5-flash",
		CreatedAt:    time.Date(2026, 12, 7, 4, 0, 0, 123456000, time.UTC),
		CompletedAt:  time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC),
		Counts:       providers.Counts{Total: 10, Succeeded: 7, Failed: 2},
		OutputFileID: "gs://b/out/prediction-model-1",
		Metadata:     map[string]string{providers.MetaJob: "j1abc", providers.MetaPart: "2/3"},
		Raw:          []byte(raw),
	}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}
	if _, err := New(Config{}).parse([]byte(`{"state":"JOB_STATE_RUNNING"}`)); err == nil || err.Error() != "parse batch: no name" {
		t.Errorf("a job without a name: %v", err)
	}
}

// TestNormalizeErrors reads the lines of requests that failed, and lines
// batchctl cannot match to a request.
func TestNormalizeErrors(t *testing.T) {
	c := New(Config{Name: "vertex"})
	code, status := "INVALID_ARGUMENT", 400
	tests := []struct {
		line string
		want providers.Result
		err  string
	}{
		{
			line: `{"key":"a","request":{},"status":"400 INVALID_ARGUMENT: bad request","processed_time":"2026-12-07T05:00:00Z"}`,
			want: providers.Result{CustomID: "a", Status: providers.ResultErrored, Error: &providers.ResultError{Type: code, Message: "bad request", Code: &code, HTTPStatus: &status}},
		},
		{
			line: `{"key":"b","request":{},"status":"Internal error occurred."}`,
			want: providers.Result{CustomID: "b", Status: providers.ResultErrored, Error: &providers.ResultError{Type: "error", Message: "Internal error occurred."}},
		},
		{line: `{"request":{},"status":"","response":{}}`, err: "result line has no key (Vertex AI did not keep the input line's key)"},
		{line: `{"key":"c","request":{},"status":""}`, err: `result line for "c" has neither response nor status`},
	}
	for _, tt := range tests {
		got, err := c.Normalize([]byte(tt.line))
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: %v, want %s", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.line, diff)
		}
	}
}

func TestModelName(t *testing.T) {
	for in, want := range map[string]string{
		"gemini-2.5-flash":                                      "publishers/google/models/gemini-2.5-flash",
		"publishers/google/models/gemini-x":                     "publishers/google/models/gemini-x",
		"projects/p/locations/l/models/123":                     "projects/p/locations/l/models/123",
		"claude-sonnet-4@20250514":                              "publishers/anthropic/models/claude-sonnet-4@20250514",
		"publishers/anthropic/models/claude-3-5-haiku@20241022": "publishers/anthropic/models/claude-3-5-haiku@20241022",
	} {
		if got := modelName(in); got != want {
			t.Errorf("modelName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"publishers/google/models/gemini-x":                    "gemini-x",
		"publishers/anthropic/models/claude-sonnet-4@20250514": "claude-sonnet-4@20250514",
		"projects/p/locations/l/models/123":                    "projects/p/locations/l/models/123",
	} {
		if got := modelID(in); got != want {
			t.Errorf("modelID(%q) = %q, want %q", in, got, want)
		}
	}
	if got := EndpointFor("europe-west4"); got != "https://europe-west4-aiplatform.googleapis.com" {
		t.Errorf("EndpointFor(europe-west4) = %s", got)
	}
	if got := EndpointFor("global"); got != "https://aiplatform.googleapis.com" {
		t.Errorf("EndpointFor(global) = %s", got)
	}
}

// TestTokenError retries what the token service answers with a 429 or a
// 5xx, and nothing it refuses for good.
func TestTokenError(t *testing.T) {
	refusal := func(status int, code, body string) error {
		return fmt.Errorf("wrapped: %w", &oauth2.RetrieveError{Response: &http.Response{StatusCode: status}, ErrorCode: code, Body: []byte(body)})
	}
	tests := []struct {
		err   error
		retry bool
		msg   string
	}{
		{refusal(503, "", `{"error":"temporarily_unavailable"}`), true, `get a Google access token: 503 Service Unavailable: {"error":"temporarily_unavailable"}`},
		{refusal(429, "rate_limit_exceeded", ""), true, "get a Google access token: 429 Too Many Requests (rate_limit_exceeded)"},
		{refusal(400, "invalid_grant", "Invalid JWT Signature."), false, "get a Google access token: 400 Bad Request: Invalid JWT Signature."},
	}
	for _, tt := range tests {
		for _, err := range []error{tokenError(tt.err), wrapStoreError(tt.err)} {
			retry, _ := retry.Classify(context.Background(), err)
			if retry != tt.retry || !strings.HasPrefix(err.Error(), tt.msg) {
				t.Errorf("%v: retried %v (%v), want %v (%s)", tt.err, retry, err, tt.retry, tt.msg)
			}
		}
	}
}

// TestNormalizeClaude reads the lines of a Claude job: custom_id kept, a
// response normalized as an Anthropic message (text, finish reason,
// usage with the cache fields, input counting the cached tokens as the
// anthropic provider counts them), a status as the request's error.
func TestNormalizeClaude(t *testing.T) {
	c := New(Config{Name: "vertex"})
	msg := `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4@20250514",` +
		`"content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}],"stop_reason":"max_tokens",` +
		`"usage":{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":4,"cache_creation_input_tokens":2}}`
	got, err := c.Normalize([]byte(`{"custom_id":"c1","request":{"anthropic_version":"vertex-2023-10-16"},"status":"","response":` + msg + `}`))
	if err != nil {
		t.Fatal(err)
	}
	text := "hi there"
	if got.CustomID != "c1" || got.Status != providers.ResultSucceeded || got.Text == nil || *got.Text != text ||
		got.FinishReason == nil || *got.FinishReason != "max_tokens" || got.Model != "claude-sonnet-4@20250514" ||
		string(got.Response) != msg {
		t.Errorf("succeeded line: %+v", got)
	}
	if u := got.Usage; u == nil || u.InputTokens != 16 || u.OutputTokens != 3 || u.CacheReadInputTokens == nil || *u.CacheReadInputTokens != 4 ||
		u.CacheCreationInputTokens == nil || *u.CacheCreationInputTokens != 2 {
		t.Errorf("usage: %+v", got.Usage)
	}
	got, err = c.Normalize([]byte(`{"custom_id":"c2","request":{},"status":"429 RESOURCE_EXHAUSTED: Too many requests."}`))
	code, status := "RESOURCE_EXHAUSTED", 429
	want := providers.Result{CustomID: "c2", Status: providers.ResultErrored, Error: &providers.ResultError{Type: code, Message: "Too many requests.", Code: &code, HTTPStatus: &status}}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("errored line (%v) (-want +got):\n%s", err, diff)
	}
}

// TestCheckModel refuses a Claude id without its version and nothing else.
func TestCheckModel(t *testing.T) {
	for model, want := range map[string]string{
		"claude-sonnet-4":          `model "claude-sonnet-4": Vertex AI names Claude models with their version, as claude-sonnet-4@20250514`,
		"claude-sonnet-4@20250514": "",
		"gemini-2.5-flash":         "",
		"publishers/anthropic/models/claude-opus-4@20250514":                               "",
		"projects/p/locations/us-east5/publishers/anthropic/models/claude-opus-4@20250514": "",
	} {
		err := CheckModel(model)
		if got := fmt.Sprint(err); (err == nil) != (want == "") || err != nil && got != want {
			t.Errorf("CheckModel(%q) = %v, want %q", model, err, want)
		}
	}
}
