package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/anthropic"
	"github.com/batchctl/batchctl/internal/emulator/core"
)

// anthropicDo sends a request with the Anthropic headers (a key and a
// version); header adds to them or, with an empty value, removes them.
func (e *testEnv) anthropicDo(method, path, body string, header http.Header) response {
	e.t.Helper()
	h := http.Header{"X-Api-Key": {anthropicTestKey}, "Anthropic-Version": {"2023-06-01"}, "Authorization": nil}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		h[k] = v
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return e.do(method, path, r, h)
}

// anthropicCreate creates a batch of requests and returns it.
func (e *testEnv) anthropicCreate(requests ...string) anthropic.BatchObject {
	e.t.Helper()
	r := e.anthropicDo(http.MethodPost, "/v1/messages/batches", `{"requests":[`+strings.Join(requests, ",")+`]}`, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("create batch: status %d, body %s", r.status, r.body)
	}
	var b anthropic.BatchObject
	r.decode(e.t, &b)
	return b
}

// anthropicGet returns a batch as the server shows it now.
func (e *testEnv) anthropicGet(id string) anthropic.BatchObject {
	e.t.Helper()
	r := e.anthropicDo(http.MethodGet, "/v1/messages/batches/"+id, "", nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("get batch: status %d, body %s", r.status, r.body)
	}
	var b anthropic.BatchObject
	r.decode(e.t, &b)
	return b
}

// anthropicRequest is a batch request of one user message.
func anthropicRequest(customID, model, prompt string) string {
	b, _ := json.Marshal(map[string]any{
		"custom_id": customID,
		"params": map[string]any{
			"model": model, "max_tokens": 64,
			"messages": []map[string]string{{"role": "user", "content": prompt}},
		},
	})
	return string(b)
}

// anthropicErrorJSON is the error body the emulator answers, with the
// request id of the answer's header.
func anthropicErrorJSON(r response, errType, message string) string {
	b, _ := json.Marshal(anthropic.ErrorResponse{
		Type: "error", Error: anthropic.ErrorBody{Type: errType, Message: message}, RequestID: core.StrPtr(r.header.Get("Request-Id")),
	})
	return string(b) + "\n"
}

func TestAnthropicHeaders(t *testing.T) {
	tests := []struct {
		name    string
		apiKey  string // the server's
		header  http.Header
		status  int
		errType string
		message string
	}{
		{"no key", "", http.Header{"X-Api-Key": nil}, 401, "authentication_error", "x-api-key header is required"},
		{"empty bearer token", "", http.Header{"X-Api-Key": nil, "Authorization": {"Bearer "}}, 401, "authentication_error", "x-api-key header is required"},
		{"bearer token, the key", anthropicTestKey, http.Header{"X-Api-Key": nil, "Authorization": {"Bearer " + anthropicTestKey}}, 404, "not_found_error", "Message Batch msgbatch_1 not found"},
		{"bearer token, wrong key", anthropicTestKey, http.Header{"X-Api-Key": nil, "Authorization": {"Bearer sk-ant-other"}}, 401, "authentication_error", "invalid x-api-key"},
		{"x-api-key wins over bearer", anthropicTestKey, http.Header{"Authorization": {"Bearer sk-ant-other"}}, 404, "not_found_error", "Message Batch msgbatch_1 not found"},
		{"wrong key", anthropicTestKey, http.Header{"X-Api-Key": {"sk-ant-other"}}, 401, "authentication_error", "invalid x-api-key"},
		{"no version", "", http.Header{"Anthropic-Version": nil}, 400, "invalid_request_error", "anthropic-version: header is required"},
		{"any key", "", http.Header{"X-Api-Key": {"whatever"}}, 404, "not_found_error", "Message Batch msgbatch_1 not found"},
		{"the key", anthropicTestKey, nil, 404, "not_found_error", "Message Batch msgbatch_1 not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Options{APIKey: tt.apiKey})
			r := env.anthropicDo(http.MethodGet, "/v1/messages/batches/msgbatch_1", "", tt.header)
			if !regexp.MustCompile(`^req_[0-9A-Za-z]{24}$`).MatchString(r.header.Get("Request-Id")) {
				t.Errorf("request-id header %q", r.header.Get("Request-Id"))
			}
			if want := anthropicErrorJSON(r, tt.errType, tt.message); r.status != tt.status || string(r.body) != want {
				t.Errorf("answer %d %s\nwant %d %s", r.status, r.body, tt.status, want)
			}
		})
	}
}

func TestAnthropicCreateValidation(t *testing.T) {
	good := anthropicRequest("q1", "claude-sonnet-4-5", "hi")
	tests := []struct {
		name    string
		body    string
		status  int
		message string
	}{
		{"not JSON", `{"requests":[`, 400, "There was an error parsing the body: unexpected end of the JSON input"},
		{"not an object", `[]`, 400, "body: Input should be a valid dictionary"},
		{"no requests", `{}`, 400, "requests: Field required"},
		{"requests twice", `{"requests":[` + good + `],"requests":[` + good + `]}`, 400, "There was an error parsing the body: requests is given twice"},
		{"extra member", `{"requests":[` + good + `],"metadata":{}}`, 400, "metadata: Extra inputs are not permitted"},
		{"requests not a list", `{"requests":{}}`, 400, "requests: Input should be a valid list"},
		{"empty requests", `{"requests":[]}`, 400, "requests: List should have at least 1 item after validation, not 0"},
		{"request not an object", `{"requests":[` + good + `,7]}`, 400, "requests.1: Input should be a valid dictionary"},
		{"request extra member", `{"requests":[{"custom_id":"a","params":{},"method":"POST"}]}`, 400, "requests.0.method: Extra inputs are not permitted"},
		{"no custom_id", `{"requests":[{"params":{}}]}`, 400, "requests.0.custom_id: Field required"},
		{"custom_id not a string", `{"requests":[{"custom_id":5,"params":{}}]}`, 400, "requests.0.custom_id: Input should be a valid string"},
		{"custom_id with a dot", `{"requests":[` + anthropicRequest("q.1", "m", "x") + `]}`, 400, "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"},
		{"custom_id too long", `{"requests":[` + anthropicRequest(strings.Repeat("a", 65), "m", "x") + `]}`, 400, "requests.0.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"},
		{"duplicate custom_id", `{"requests":[` + good + `,` + good + `]}`, 400, "requests.1.custom_id: custom_id 'q1' is already used by another request of this batch; each must be unique"},
		{"params null", `{"requests":[{"custom_id":"a","params":null}]}`, 400, "requests.0.params: Input should be a valid dictionary"},
		{"no model", `{"requests":[{"custom_id":"a","params":{"max_tokens":5,"messages":[]}}]}`, 400, "requests.0.params.model: Field required"},
		{"max_tokens not an integer", `{"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":1.5,"messages":[]}}]}`, 400, "requests.0.params.max_tokens: Input should be a valid integer"},
		{"no messages", `{"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":5}}]}`, 400, "requests.0.params.messages: Field required"},
		{"messages not a list", `{"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":"hi"}}]}`, 400, "requests.0.params.messages: Input should be a valid list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Options{})
			r := env.anthropicDo(http.MethodPost, "/v1/messages/batches", tt.body, nil)
			if want := anthropicErrorJSON(r, "invalid_request_error", tt.message); r.status != tt.status || string(r.body) != want {
				t.Errorf("answer %d %s\nwant %d %s", r.status, r.body, tt.status, want)
			}
			entries, err := os.ReadDir(filepath.Join(env.dir, "anthropic", "batches"))
			if err != nil || len(entries) != 0 {
				t.Errorf("state left behind: %v %v", entries, err)
			}
		})
	}
}

func TestAnthropicLifecycle(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 100 * time.Second})
	b := env.anthropicCreate(
		anthropicRequest("a", "echo", "one"),
		anthropicRequest("b", "echo", "[fail:500]"),
		anthropicRequest("c", "echo", "[expire]"),
		anthropicRequest("d", "echo", "[drop]"),
	)
	results := "/v1/messages/batches/" + b.ID + "/results"
	r := env.anthropicDo(http.MethodGet, results, "", nil)
	if want := anthropicErrorJSON(r, "invalid_request_error", "Message Batch "+b.ID+" has not yet ended; its results are available once processing_status is 'ended'"); r.status != 400 || string(r.body) != want {
		t.Errorf("results in progress: %d %s", r.status, r.body)
	}
	r = env.anthropicDo(http.MethodDelete, "/v1/messages/batches/"+b.ID, "", nil)
	if want := anthropicErrorJSON(r, "invalid_request_error", "Message Batch "+b.ID+" cannot be deleted while it is in progress; cancel it first"); r.status != 400 || string(r.body) != want {
		t.Errorf("delete in progress: %d %s", r.status, r.body)
	}

	env.clock.set(100 * time.Second)
	b = env.anthropicGet(b.ID)
	wantEnded := anthropic.BatchObject{
		ID: b.ID, Type: "message_batch", ProcessingStatus: "ended",
		RequestCounts: anthropic.BatchCounts{Processing: 1, Succeeded: 1, Errored: 1, Expired: 1},
		EndedAt:       core.StrPtr("2026-01-02T03:05:45.000000Z"), CreatedAt: "2026-01-02T03:04:05.000000Z", ExpiresAt: "2026-01-03T03:04:05.000000Z",
		ResultsURL: core.StrPtr(env.http.URL + results),
	}
	if got, want := mustJSON(b), mustJSON(wantEnded); got != want {
		t.Errorf("ended batch %s\nwant %s", got, want)
	}
	r = env.anthropicDo(http.MethodGet, results, "", nil)
	var types []string
	for line := range strings.Lines(string(r.body)) {
		var l struct {
			CustomID string `json:"custom_id"`
			Result   struct {
				Type string `json:"type"`
			} `json:"result"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("results line %q: %v", line, err)
		}
		types = append(types, l.CustomID+":"+l.Result.Type)
	}
	if r.status != 200 || r.header.Get("Content-Type") != "application/x-jsonl" || r.header.Get("Content-Length") != fmt.Sprint(len(r.body)) ||
		strings.Join(types, " ") != "a:succeeded b:errored c:expired" {
		t.Errorf("results: %d %s %q", r.status, r.header, r.body)
	}

	// Another process sharing the state directory sees the same batch and
	// serves the same bytes.
	other := newTestEnv(t, Options{Dir: env.dir, Duration: time.Hour})
	other.clock.set(100 * time.Second)
	if again := other.anthropicDo(http.MethodGet, results, "", nil); again.status != 200 || string(again.body) != string(r.body) {
		t.Errorf("results from another process differ:\n%s\n%s", again.body, r.body)
	}
}

// TestAnthropicResultsRenderedOnce checks that results, once written, do
// not change, and that a second process renders them identically.
func TestAnthropicResultsRenderedOnce(t *testing.T) {
	dir := t.TempDir()
	var bodies []string
	var id string
	for i := range 2 {
		env := newTestEnv(t, Options{Dir: dir})
		if i == 0 {
			id = env.anthropicCreate(anthropicRequest("a", "echo", "one"), anthropicRequest("b", "fixed", "two")).ID
		}
		r := env.anthropicDo(http.MethodGet, "/v1/messages/batches/"+id+"/results", "", nil)
		bodies = append(bodies, string(r.body))
		// The second round renders them anew.
		os.Remove(filepath.Join(dir, "anthropic", "batches", id+anthropic.ResultsExt))
	}
	if bodies[0] != bodies[1] || !strings.Contains(bodies[0], `"custom_id":"b"`) {
		t.Errorf("results differ between renderings:\n%s\n%s", bodies[0], bodies[1])
	}
}

func TestAnthropicList(t *testing.T) {
	env := newTestEnv(t, Options{})
	var ids []string // newest first
	for i := range 5 {
		env.clock.set(time.Duration(i) * time.Second)
		ids = append([]string{env.anthropicCreate(anthropicRequest("a", "echo", "x")).ID}, ids...)
	}
	tests := []struct {
		query      string
		status     int
		wantIDs    []string
		hasMore    bool
		errMessage string
	}{
		{query: "", status: 200, wantIDs: ids},
		{query: "?limit=2", status: 200, wantIDs: ids[:2], hasMore: true},
		{query: "?limit=2&after_id=" + ids[1], status: 200, wantIDs: ids[2:4], hasMore: true},
		{query: "?limit=2&after_id=" + ids[3], status: 200, wantIDs: ids[4:]},
		{query: "?limit=2&before_id=" + ids[3], status: 200, wantIDs: ids[1:3], hasMore: true},
		{query: "?limit=2&before_id=" + ids[1], status: 200, wantIDs: ids[:1]},
		{query: "?before_id=msgbatch_unknown", status: 200},
		{query: "?limit=0", status: 400, errMessage: "limit: Input should be greater than or equal to 1"},
		{query: "?limit=1001", status: 400, errMessage: "limit: Input should be less than or equal to 1000"},
		{query: "?limit=x", status: 400, errMessage: "limit: Input should be a valid integer, unable to parse string as an integer"},
		{query: "?after_id=a&before_id=b", status: 400, errMessage: "Only one of before_id and after_id may be given"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := env.anthropicDo(http.MethodGet, "/v1/messages/batches"+tt.query, "", nil)
			if tt.status != 200 {
				if want := anthropicErrorJSON(r, "invalid_request_error", tt.errMessage); r.status != tt.status || string(r.body) != want {
					t.Errorf("answer %d %s\nwant %d %s", r.status, r.body, tt.status, want)
				}
				return
			}
			var page anthropic.BatchList
			r.decode(t, &page)
			var got []string
			for _, b := range page.Data {
				got = append(got, b.ID)
			}
			var want anthropic.BatchList
			if len(tt.wantIDs) > 0 {
				want.FirstID, want.LastID = core.StrPtr(tt.wantIDs[0]), core.StrPtr(tt.wantIDs[len(tt.wantIDs)-1])
			}
			tail := fmt.Sprintf(`],"has_more":%t,"first_id":%s,"last_id":%s}`+"\n", tt.hasMore, jsonOrNull(want.FirstID), jsonOrNull(want.LastID))
			if strings.Join(got, " ") != strings.Join(tt.wantIDs, " ") || !strings.HasSuffix(string(r.body), tail) {
				t.Errorf("page %s\nwant ids %v, has_more %v", r.body, tt.wantIDs, tt.hasMore)
			}
		})
	}
}

// jsonOrNull renders a nullable string as JSON.
func jsonOrNull(s *string) string {
	if s == nil {
		return "null"
	}
	return `"` + *s + `"`
}

func TestAnthropicFaults(t *testing.T) {
	env := newTestEnv(t, Options{Faults: "create=429,get=529,list=500"})
	tests := []struct {
		method, path, body string
		status             int
		errType, message   string
		retryAfter         string
	}{
		{"POST", "/v1/messages/batches", `{"requests":[` + anthropicRequest("a", "m", "x") + `]}`, 429, "rate_limit_error", "Rate limited (emulated server fault)", "1"},
		{"GET", "/v1/messages/batches/msgbatch_1", "", 529, "overloaded_error", "Overloaded (emulated server fault)", ""},
		{"GET", "/v1/messages/batches", "", 500, "api_error", "Internal server error (emulated server fault)", ""},
	}
	for _, tt := range tests {
		r := env.anthropicDo(tt.method, tt.path, tt.body, nil)
		if want := anthropicErrorJSON(r, tt.errType, tt.message); r.status != tt.status || string(r.body) != want || r.header.Get("Retry-After") != tt.retryAfter {
			t.Errorf("%s %s: %d %s (Retry-After %q)\nwant %d %s", tt.method, tt.path, r.status, r.body, r.header.Get("Retry-After"), tt.status, want)
		}
	}
	// Each fault hits once.
	if r := env.anthropicDo("GET", "/v1/messages/batches", "", nil); r.status != 200 {
		t.Errorf("list after its fault: %d %s", r.status, r.body)
	}
}

func TestAnthropicUnknownRoute(t *testing.T) {
	env := newTestEnv(t, Options{})
	r := env.anthropicDo(http.MethodPut, "/v1/messages/batches/msgbatch_1/pause", "", nil)
	if want := anthropicErrorJSON(r, "not_found_error", "Not found: PUT /v1/messages/batches/msgbatch_1/pause"); r.status != 404 || string(r.body) != want {
		t.Errorf("answer %d %s", r.status, r.body)
	}
}
