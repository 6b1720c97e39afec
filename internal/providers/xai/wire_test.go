package xai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
	"github.com/batchctl/batchctl/internal/providers/xai"
)

// recorder passes calls to the emulator and keeps what was sent.
type recorder struct {
	next  http.Handler
	mu    sync.Mutex
	calls []sent
}

type sent struct {
	method, path, query string
	body                []byte
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.calls = append(rec.calls, sent{r.Method, r.URL.Path, r.URL.RawQuery, body})
	rec.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec.next.ServeHTTP(w, r)
}

// keys are the member names of a JSON object, sorted.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatalf("not a JSON object: %s", raw)
	}
	return slices.Sorted(maps.Keys(obj))
}

// TestWireNames checks what the client sends against the proto's names
// (xai-sdk-python src/xai_sdk/proto/v6/batch_pb2.pyi): CreateBatchRequest
// {name}, AddBatchRequestsRequest {batch_requests} of BatchRequest
// {batch_request_id, batch_request{chat_get_completion}} (the REST
// gateway's naming of the completion_request oneof, UNCONFIRMED),
// ListBatchesRequest and ListBatchResultsRequest {limit,
// pagination_token}, cancel as the ":cancel" verb; and that a request id is its custom_id and the
// completion its body, byte for byte.
func TestWireNames(t *testing.T) {
	emu, err := emulator.New(emulator.Options{Dir: t.TempDir(), APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{next: emu}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	p := xai.New(xai.Config{Name: "xai", BaseURL: srv.URL + "/xai/v1", APIKey: "k"})
	input := chatLines(t, []providertest.Request{{ID: "q1", Prompt: "hello"}})
	ctx := context.Background()
	b, err := p.Submit(ctx, providers.SubmitRequest{
		Open:     func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(input)), nil },
		Size:     int64(len(input)),
		Endpoint: "/v1/chat/completions",
		Requests: 1,
		Metadata: map[string]string{"batchctl_job": "j9", "batchctl_part": "2/3", "batchctl_name": "nightly"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Download(ctx, b, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Cancel(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rec.calls {
		got = append(got, c.method+" "+strings.TrimPrefix(c.path, "/xai/v1")+"?"+c.query)
		switch {
		case c.method == "POST" && c.path == "/xai/v1/batches":
			if k := keys(t, c.body); !slices.Equal(k, []string{"name"}) {
				t.Errorf("create body members %v, want [name]", k)
			}
			if string(c.body) != `{"name":"batchctl j9 2/3 n=1"}` {
				t.Errorf("create body %s", c.body)
			}
		case strings.HasSuffix(c.path, "/requests"):
			var add struct {
				BatchRequests []json.RawMessage `json:"batch_requests"`
			}
			if k := keys(t, c.body); !slices.Equal(k, []string{"batch_requests"}) || json.Unmarshal(c.body, &add) != nil || len(add.BatchRequests) != 1 {
				t.Fatalf("add body %s", c.body)
			}
			var line struct {
				Body json.RawMessage `json:"body"`
			}
			json.Unmarshal(input, &line)
			want := `{"batch_request_id":"q1","batch_request":{"chat_get_completion":` + string(line.Body) + `}}`
			if string(add.BatchRequests[0]) != want {
				t.Errorf("batch request %s, want %s", add.BatchRequests[0], want)
			}
		}
	}
	want := []string{
		"GET /batches?limit=100",
		"POST /batches?",
		"POST /batches/" + b.ID + "/requests?",
		"GET /batches/" + b.ID + "/results?limit=100",
		"POST /batches/" + b.ID + ":cancel?",
	}
	if !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}
