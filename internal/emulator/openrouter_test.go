package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/openrouter"
)

// The OpenRouter batch object as the quickstart shows it
// (https://openrouter.ai/docs/batch-quickstart), results included.
type orBatch struct {
	openrouter.BatchObject
	Results []struct {
		ID       string `json:"id"`
		CustomID string `json:"custom_id"`
		Response *struct {
			StatusCode int             `json:"status_code"`
			RequestID  string          `json:"request_id"`
			Body       json.RawMessage `json:"body"`
		} `json:"response"`
		Error json.RawMessage `json:"error"`
	} `json:"results"`
}

// orDo sends an OpenRouter call.
func (e *testEnv) orDo(method, path, body string) response {
	e.t.Helper()
	var h http.Header
	if body != "" {
		h = http.Header{"Content-Type": {"application/json"}}
	}
	return e.do(method, openrouter.Prefix+path, strings.NewReader(body), h)
}

// orItem is a request item of one user message.
func orItem(customID, prompt string) string {
	b, _ := json.Marshal(map[string]any{
		"custom_id": customID,
		"body":      map[string]any{"messages": []map[string]string{{"role": "user", "content": prompt}}},
	})
	return string(b)
}

func (e *testEnv) orGet(id string) (orBatch, response) {
	e.t.Helper()
	r := e.orDo(http.MethodGet, "/batches/"+id, "")
	if r.status != http.StatusOK {
		e.t.Fatalf("get: status %d, body %s", r.status, r.body)
	}
	var b orBatch
	r.decode(e.t, &b)
	return b, r
}

// TestOpenRouterLifecycle creates a batch, watches it move through the
// statuses the quickstart lists, and reads its results inline once it has
// completed.
func TestOpenRouterLifecycle(t *testing.T) {
	e := newTestEnv(t, Options{Duration: 100 * time.Second})
	r := e.orDo(http.MethodPost, "/batches", `{"endpoint":"/v1/chat/completions","model":"openai/gpt-4o","requests":[`+
		orItem("a", "Say hi")+","+orItem("b", "no [fail:429]")+","+orItem("c", "gone [drop]")+","+orItem("d", "broke [error]")+`]}`)
	if r.status != http.StatusAccepted {
		t.Fatalf("create: status %d, body %s", r.status, r.body)
	}
	var created orBatch
	r.decode(t, &created)
	if created.Status != "validating" || created.Object != "batch" || created.Model != "openai/gpt-4o" || created.RequestCounts.Total != 4 ||
		created.FinalizedAt != nil || created.Results != nil || !strings.Contains(string(r.body), `"results":null`) {
		t.Fatalf("created %s", r.body)
	}
	for _, step := range []struct {
		at     time.Duration
		status string
	}{{5 * time.Second, "validating"}, {50 * time.Second, "in_progress"}, {90 * time.Second, "finalizing"}} {
		e.clock.set(step.at)
		if b, resp := e.orGet(created.ID); b.Status != step.status || b.Results != nil {
			t.Errorf("at %s: %s", step.at, resp.body)
		}
	}
	e.clock.set(100 * time.Second)
	b, resp := e.orGet(created.ID)
	if b.Status != "completed" || b.FinalizedAt == nil || b.RequestCounts != (openrouter.BatchCounts{Total: 4, Completed: 1, Failed: 2}) ||
		b.Usage == nil || b.Usage.PromptTokens != 2 || len(b.Results) != 3 {
		t.Fatalf("completed: %s", resp.body)
	}
	a, fail := b.Results[0], b.Results[1]
	if a.CustomID != "a" || a.Response == nil || a.Response.StatusCode != 200 ||
		!strings.Contains(string(a.Response.Body), `"model":"openai/gpt-4o"`) || !strings.Contains(string(a.Response.Body), `"content":"Say hi"`) {
		t.Errorf("result a: %+v %s", a, a.Response.Body)
	}
	if fail.CustomID != "b" || fail.Response == nil || fail.Response.StatusCode != 429 {
		t.Errorf("result b: %+v", fail)
	}
	if broke := b.Results[2]; broke.CustomID != "d" || broke.Response != nil ||
		string(broke.Error) != `{"message":"The request failed without a response (emulated by [error]).","param":null,"type":"server_error"}` {
		t.Errorf("result d: %+v %s", broke, broke.Error)
	}
	// the keys of the SDK's BatchObject, results included
	checkKeys(t, resp.body, "completion_window", "created_at", "endpoint", "error", "expires_at", "finalized_at", "id",
		"model", "object", "provider", "request_counts", "results", "status", "usage")
	// list items have results null, and a page the keys of BatchListResponse
	r = e.orDo(http.MethodGet, "/batches?limit=1", "")
	var page struct {
		Data []json.RawMessage `json:"data"`
	}
	r.decode(t, &page)
	checkKeys(t, r.body, "data", "first_id", "has_more", "last_id", "object")
	if len(page.Data) != 1 || !strings.Contains(string(page.Data[0]), `"results":null`) || !strings.HasPrefix(string(page.Data[0]), `{"id":"`+created.ID+`"`) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	checkKeys(t, page.Data[0], "completion_window", "created_at", "endpoint", "error", "expires_at", "finalized_at", "id",
		"model", "object", "provider", "request_counts", "results", "status", "usage")
}

// checkKeys checks that the JSON object raw has exactly the keys want:
// those of the Go SDK's types (github.com/OpenRouterTeam/go-sdk,
// models/components/batchobject.go, batchlistitem.go, batchlistresponse.go).
func checkKeys(t *testing.T, raw []byte, want ...string) {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(obj))
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

// TestOpenRouterCreateRefusals: the create body is checked as it streams,
// and nothing is stored from a refused one.
func TestOpenRouterCreateRefusals(t *testing.T) {
	e := newTestEnv(t, Options{})
	item := orItem("a", "hi")
	tests := []struct {
		name, body string
		status     int
		message    string
	}{
		{"requests first", `{"requests":[` + item + `],"endpoint":"/v1/chat/completions","model":"m"}`, 400,
			"endpoint and model must come before requests in the body"},
		{"no model", `{"endpoint":"/v1/chat/completions","requests":[` + item + `]}`, 400, "endpoint and model must come before requests in the body"},
		{"messages endpoint", `{"endpoint":"/v1/messages","model":"m","requests":[` + item + `]}`, 400,
			`endpoint: "/v1/messages" is not an endpoint the emulator batches`},
		{"window", `{"endpoint":"/v1/chat/completions","model":"m","completion_window":"48h","requests":[` + item + `]}`, 400,
			`completion_window: "48h" is not supported (only "24h")`},
		{"empty", `{"endpoint":"/v1/chat/completions","model":"m","requests":[]}`, 400, "requests: must not be empty"},
		{"duplicate id", `{"endpoint":"/v1/chat/completions","model":"m","requests":[` + item + "," + item + `]}`, 400,
			`requests[1].custom_id: "a" is not unique in the batch`},
		{"other model", `{"endpoint":"/v1/chat/completions","model":"m","requests":[{"custom_id":"a","body":{"model":"n","messages":[]}}]}`, 400,
			`requests[0].body.model: n differs from the batch's model "m"`},
		{"no body", `{"endpoint":"/v1/chat/completions","model":"m","requests":[{"custom_id":"a"}]}`, 400, "requests[0].body: must be an object"},
		{"unknown field", `{"endpoint":"/v1/chat/completions","model":"m","metadata":{},"requests":[` + item + `]}`, 400, "metadata: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.orDo(http.MethodPost, "/batches", tt.body)
			var got struct {
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			r.decode(t, &got)
			if r.status != tt.status || got.Error.Code != tt.status || !strings.HasPrefix(got.Error.Message, tt.message) {
				t.Errorf("status %d, body %s; want %d %q", r.status, r.body, tt.status, tt.message)
			}
		})
	}
	if r := e.orDo(http.MethodGet, "/batches", ""); !strings.Contains(string(r.body), `"data":[]`) {
		t.Errorf("a refused create left a batch: %s", r.body)
	}
}

// TestOpenRouterCancel: a cancelled batch ends with results null, the
// requests that ran counted; a terminal one cannot be cancelled.
func TestOpenRouterCancel(t *testing.T) {
	e := newTestEnv(t, Options{Duration: 100 * time.Second})
	r := e.orDo(http.MethodPost, "/batches", `{"endpoint":"/v1/chat/completions","model":"m","requests":[`+orItem("a", "one")+","+orItem("b", "two")+`]}`)
	var created orBatch
	r.decode(t, &created)
	e.clock.set(50 * time.Second)
	r = e.orDo(http.MethodPost, "/batches/"+created.ID+"/cancel", "")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"cancelling"`) {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	e.clock.set(100 * time.Second)
	b, resp := e.orGet(created.ID)
	if b.Status != "cancelled" || b.Results != nil || !strings.Contains(string(resp.body), `"results":null`) || b.RequestCounts.Completed != 1 {
		t.Errorf("cancelled: %s", resp.body)
	}
	if r = e.orDo(http.MethodPost, "/batches/"+created.ID+"/cancel", ""); r.status != http.StatusConflict {
		t.Errorf("cancel of a cancelled batch: %d %s", r.status, r.body)
	}
	if r = e.orDo(http.MethodDelete, "/batches/"+created.ID, ""); r.status != http.StatusOK {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r = e.orDo(http.MethodGet, "/batches/"+created.ID, ""); r.status != http.StatusNotFound {
		t.Errorf("get after delete: %d %s", r.status, r.body)
	}
}

// TestOpenRouterAuth: the key is a bearer token.
func TestOpenRouterAuth(t *testing.T) {
	e := newTestEnv(t, Options{APIKey: "sk-test"})
	for _, tt := range []struct {
		auth   []string
		status int
	}{{nil, 401}, {[]string{"Bearer wrong"}, 401}, {[]string{"sk-test"}, 401}, {[]string{"Bearer sk-test"}, 404}} {
		r := e.do(http.MethodGet, openrouter.Prefix+"/batches/batch_x", nil, http.Header{"Authorization": tt.auth})
		if r.status != tt.status || r.header.Get("X-Request-Id") == "" {
			t.Errorf("Authorization %q: status %d, body %s", tt.auth, r.status, r.body)
		}
	}
}
