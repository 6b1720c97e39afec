package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
)

// anthropicSpecPath is the Anthropic OpenAPI document, relative to this
// package.
const anthropicSpecPath = "../../../shared/specs/anthropic-openapi.json"

// loadAnthropicSpec parses the document once per test binary.
var loadAnthropicSpec = sync.OnceValues(func() (*openapiSpec, error) {
	b, err := os.ReadFile(anthropicSpecPath)
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", anthropicSpecPath, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", anthropicSpecPath, err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator for %s: %w", anthropicSpecPath, errors.Join(errs...))
	}
	return &openapiSpec{validator: v, model: &model.Model}, nil
})

// anthropicSpecOrSkip returns the spec, skipping the test when the file
// is absent.
func anthropicSpecOrSkip(t *testing.T) *openapiSpec {
	t.Helper()
	if _, err := os.Stat(anthropicSpecPath); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Anthropic OpenAPI spec %s not found: skipping validation against it", anthropicSpecPath)
	}
	s, err := loadAnthropicSpec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// strictProblems lists every validation failure: unlike the OpenAI
// document, the Anthropic one marks what the API sends as null nullable.
func strictProblems(errs []*liberrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, e.Message+": "+e.Reason)
			continue
		}
		for _, f := range e.SchemaValidationErrors {
			out = append(out, fmt.Sprintf("%s: %s at %s", e.Message, f.Reason, f.FieldPath))
		}
	}
	return out
}

// checkAnthropicExchanges validates recorded answers against the spec:
// JSON answers against their operation's response schema, each line of a
// results download against MessageBatchIndividualResponse (the document
// names the JSONL media type but cannot schema a stream), and every error
// body against ErrorResponse.
func checkAnthropicExchanges(t *testing.T, exchanges []exchange) {
	t.Helper()
	spec := anthropicSpecOrSkip(t)
	for _, ex := range exchanges {
		for _, p := range spec.anthropicProblems(t, ex) {
			t.Errorf("%s %s: %s\nbody: %s", ex.method, ex.path, p, ex.body)
		}
	}
}

// anthropicProblems returns what is wrong with one recorded answer.
func (s *openapiSpec) anthropicProblems(t *testing.T, ex exchange) []string {
	t.Helper()
	switch {
	case ex.status >= 400:
		return s.anthropicSchemaProblems(t, "ErrorResponse", ex.body)
	case ex.path == "/v1/messages":
		// the validator cannot compile the operation's response schema
		return s.anthropicSchemaProblems(t, "Message", ex.body)
	case strings.HasSuffix(ex.path, "/results"):
		var out []string
		for line := range bytes.Lines(ex.body) {
			out = append(out, s.anthropicSchemaProblems(t, "MessageBatchIndividualResponse", line)...)
		}
		return out
	}
	target := "https://api.anthropic.com" + ex.path
	if ex.query != "" {
		target += "?" + ex.query
	}
	req, err := http.NewRequest(ex.method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := &http.Response{
		StatusCode: ex.status,
		Header:     http.Header{"Content-Type": {ex.contentType}},
		Body:       io.NopCloser(bytes.NewReader(ex.body)),
		Request:    req,
	}
	_, errs := s.validator.ValidateHttpResponse(req, resp)
	return strictProblems(errs)
}

// anthropicSchemaProblems validates a JSON body against a component schema.
func (s *openapiSpec) anthropicSchemaProblems(t *testing.T, name string, body []byte) []string {
	t.Helper()
	proxy, ok := s.model.Components.Schemas.Get(name)
	if !ok {
		t.Fatalf("schema %s not in %s", name, anthropicSpecPath)
	}
	_, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(proxy.Schema(), body)
	return strictProblems(errs)
}

// TestAnthropicSpecCheckFails makes sure the spec check rejects answers
// the API would never give, so that its passing means something.
func TestAnthropicSpecCheckFails(t *testing.T) {
	spec := anthropicSpecOrSkip(t)
	const batch = `{"id":"msgbatch_1","type":"message_batch","processing_status":"%s","request_counts":{"processing":1,"succeeded":0,"errored":0,"canceled":0,"expired":0},"ended_at":null,"created_at":"%s","expires_at":"2026-01-03T03:04:05.000000Z","archived_at":null,"cancel_initiated_at":null,"results_url":null}`
	tests := []struct {
		name string
		ex   exchange
	}{
		{"unknown processing_status", exchange{method: "GET", path: "/v1/messages/batches/msgbatch_1", status: 200, contentType: "application/json",
			body: fmt.Appendf(nil, batch, "done", "2026-01-02T03:04:05.000000Z")}},
		{"Unix timestamp", exchange{method: "GET", path: "/v1/messages/batches/msgbatch_1", status: 200, contentType: "application/json",
			body: []byte(strings.Replace(fmt.Sprintf(batch, "in_progress", "x"), `"x"`, "1767323045", 1))}},
		{"message without usage", exchange{method: "GET", path: "/v1/messages/batches/msgbatch_1/results", status: 200, contentType: "application/x-jsonl",
			body: []byte(`{"custom_id":"q1","result":{"type":"succeeded","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":"end_turn","stop_sequence":null,"stop_details":null,"container":null}}}` + "\n")}},
		{"flat error", exchange{method: "GET", path: "/v1/messages/batches/msgbatch_1", status: 404, contentType: "application/json",
			body: []byte(`{"type":"not_found_error","message":"Not found"}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p := spec.anthropicProblems(t, tt.ex); len(p) == 0 {
				t.Errorf("no problem found in %s", tt.ex.body)
			}
		})
	}
}
