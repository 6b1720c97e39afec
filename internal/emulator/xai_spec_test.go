package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// xAI has no OpenAPI document in ../shared/specs and no JavaScript or Go
// SDK: its official SDK is Python over gRPC. The emulator's xAI answers
// are checked here against the field names of xAI's proto,
// github.com/xai-org/xai-proto proto/xai/api/v1/batch.proto (as shipped
// in github.com/xai-org/xai-sdk-python src/xai_sdk/proto/v6/batch_pb2.pyi,
// the __slots__ of each message), which the REST gateway writes in
// snake_case JSON. The result envelope ("batch_result" holding the
// BatchResultData oneof as "response", the completion as
// "chat_get_completion") is the REST gateway's naming as third-party
// clients read it (UNCONFIRMED; see internal/providers/xai).
var xaiProto = map[string][]string{
	"Batch":                    {"batch_id", "name", "create_time", "expire_time", "create_api_key_id", "cancel_time", "cancel_by_xai_message", "state", "cost_breakdown", "input_file_id"},
	"BatchState":               {"num_requests", "num_pending", "num_success", "num_error", "num_cancelled"},
	"BatchCostBreakdown":       {"total_cost_usd_ticks", "endpoint_costs", "calculation_time"},
	"ListBatchesResponse":      {"batches", "pagination_token"},
	"ListBatchResultsResponse": {"results", "pagination_token"},
	"BatchResult (REST)":       {"batch_request_id", "batch_result"},
	"batch_result (REST)":      {"response", "error"},
	"google.rpc.Status":        {"code", "message", "details"},
	// the chat completion: xAI's /v1/chat/completions answer, OpenAI's shape
	"chat_get_completion": {"id", "object", "created", "model", "choices", "usage", "system_fingerprint", "citations"},
}

// checkProtoKeys fails t when obj has a member the message does not.
func checkProtoKeys(t *testing.T, message string, obj map[string]json.RawMessage) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(xaiProto[message], k) {
			t.Errorf("%s has member %q, which the proto does not name (%s)", message, k, strings.Join(xaiProto[message], ", "))
		}
	}
}

// object decodes raw as a JSON object.
func object(t *testing.T, raw []byte) map[string]json.RawMessage {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatalf("not a JSON object: %s", raw)
	}
	return obj
}

func TestXAIProtoFieldNames(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: "sk-test", Duration: time.Minute})
	opened := env.ok("POST", "/xai/v1/batches", strings.NewReader(`{"name":"spec"}`), nil)
	batch := object(t, opened.body)
	checkProtoKeys(t, "Batch", batch)
	var id string
	if err := json.Unmarshal(batch["batch_id"], &id); err != nil || id == "" {
		t.Fatalf("no batch_id in %s", opened.body)
	}
	add := `{"batch_requests":[` +
		`{"batch_request_id":"ok","batch_request":{"chat_get_completion":{"model":"grok-4","messages":[{"role":"user","content":"hi"}]}}},` +
		`{"batch_request_id":"bad","batch_request":{"chat_get_completion":{"model":"grok-4","messages":[{"role":"user","content":"no [fail]"}]}}}]}`
	env.ok("POST", "/xai/v1/batches/"+id+"/requests", strings.NewReader(add), nil)
	env.clock.set(2 * time.Minute)

	got := object(t, env.ok("GET", "/xai/v1/batches/"+id, nil, nil).body)
	checkProtoKeys(t, "Batch", got)
	checkProtoKeys(t, "BatchState", object(t, got["state"]))
	checkProtoKeys(t, "BatchCostBreakdown", object(t, got["cost_breakdown"]))
	for _, k := range []string{"create_time", "expire_time"} {
		var ts string
		if err := json.Unmarshal(got[k], &ts); err != nil {
			t.Errorf("%s is not a string: %s", k, got[k])
		} else if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			t.Errorf("%s is not an RFC 3339 timestamp (proto3 JSON of google.protobuf.Timestamp): %s", k, ts)
		}
	}

	list := object(t, env.ok("GET", "/xai/v1/batches?limit=10", nil, nil).body)
	checkProtoKeys(t, "ListBatchesResponse", list)

	page := object(t, env.ok("GET", "/xai/v1/batches/"+id+"/results?limit=10", nil, nil).body)
	checkProtoKeys(t, "ListBatchResultsResponse", page)
	var results []json.RawMessage
	if err := json.Unmarshal(page["results"], &results); err != nil || len(results) != 2 {
		t.Fatalf("results: %s", page["results"])
	}
	for _, raw := range results {
		r := object(t, raw)
		checkProtoKeys(t, "BatchResult (REST)", r)
		body := object(t, r["batch_result"])
		checkProtoKeys(t, "batch_result (REST)", body)
		if e, ok := body["error"]; ok {
			checkProtoKeys(t, "google.rpc.Status", object(t, e))
			continue
		}
		checkProtoKeys(t, "chat_get_completion", object(t, object(t, body["response"])["chat_get_completion"]))
	}

	// the verb form of cancel, and an id added twice refused
	if r := env.do("POST", "/xai/v1/batches/"+id+"/requests", strings.NewReader(add), nil); r.status != http.StatusBadRequest {
		t.Errorf("adding the same ids again: status %d, body %s; want 400", r.status, r.body)
	}
	cancelled := object(t, env.ok("POST", "/xai/v1/batches/"+id+":cancel", strings.NewReader("{}"), nil).body)
	checkProtoKeys(t, "Batch", cancelled)
}
