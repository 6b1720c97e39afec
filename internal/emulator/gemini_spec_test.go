package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/batchctl/batchctl/internal/emulator/gemini"
)

// geminiSpecPath is the Gemini OpenAPI document (a conversion of Google's
// discovery document), relative to this package.
const geminiSpecPath = "../../../shared/specs/gemini-openapi.json"

// loadGeminiSpec parses the document once per test binary.
var loadGeminiSpec = sync.OnceValues(func() (*v3.Document, error) {
	b, err := os.ReadFile(geminiSpecPath)
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", geminiSpecPath, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", geminiSpecPath, err)
	}
	return &model.Model, nil
})

// geminiSpec validates Gemini wire objects against the component schemas
// of the document. Its paths are not used: the conversion gives path
// parameters whole-name patterns (^batches/[^/]+$) that the real paths,
// which hold only the last segment, never match, and the upload and
// download endpoints are not in it.
type geminiSpec struct{ doc *v3.Document }

// geminiSpecOrSkip returns the spec, skipping the test when the file is
// absent.
func geminiSpecOrSkip(t *testing.T) *geminiSpec {
	t.Helper()
	if _, err := os.Stat(geminiSpecPath); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Gemini OpenAPI spec %s not found: skipping validation against it", geminiSpecPath)
	}
	doc, err := loadGeminiSpec()
	if err != nil {
		t.Fatal(err)
	}
	return &geminiSpec{doc: doc}
}

// problems returns what makes body an invalid instance of the named schema.
func (s *geminiSpec) problems(name string, body []byte) ([]string, error) {
	proxy, ok := s.doc.Components.Schemas.Get(name)
	if !ok {
		return nil, fmt.Errorf("schema %s not in %s", name, geminiSpecPath)
	}
	return schemaProblems(proxy.Schema(), "$", body), nil
}

// schemaProblems validates body against schema. The validator cannot
// render a schema that refers to itself (GenerateContentBatch reaches the
// recursive Schema through its inline requests); such a schema is checked
// member by member instead, descending into objects and arrays until the
// parts render. Members the schema does not name are not checked.
func schemaProblems(schema *base.Schema, at string, body []byte) []string {
	_, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(schema, body)
	var out []string
	for _, e := range errs {
		if strings.Contains(e.Reason, "circular reference") {
			return memberProblems(schema, at, body)
		}
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, at+": "+e.Message+": "+e.Reason)
		}
		for _, f := range e.SchemaValidationErrors {
			out = append(out, fmt.Sprintf("%s: %s at %s", at, f.Reason, f.FieldPath))
		}
	}
	return out
}

// memberProblems validates the members of an object, or the elements of an
// array, against the schemas schema gives them.
func memberProblems(schema *base.Schema, at string, body []byte) []string {
	var out []string
	var members map[string]json.RawMessage
	var elems []json.RawMessage
	switch {
	case json.Unmarshal(body, &members) == nil && schema.Properties != nil:
		for key, raw := range members {
			if prop, ok := schema.Properties.Get(key); ok {
				out = append(out, schemaProblems(prop.Schema(), at+"."+key, raw)...)
			}
		}
	case json.Unmarshal(body, &elems) == nil && schema.Items != nil && schema.Items.IsA():
		for i, raw := range elems {
			out = append(out, schemaProblems(schema.Items.A.Schema(), fmt.Sprintf("%s[%d]", at, i), raw)...)
		}
	default:
		out = append(out, fmt.Sprintf("%s: %s does not match a schema the validator cannot render", at, body))
	}
	return out
}

// check reports each problem of body as an instance of the named schema.
func (s *geminiSpec) check(t *testing.T, what, name string, body []byte) {
	t.Helper()
	problems, err := s.problems(name, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s as %s: %s\nbody: %s", what, name, p, body)
	}
}

// checkExchanges validates every answer of the Gemini API among exs
// against the schema of its operation.
func (s *geminiSpec) checkExchanges(t *testing.T, exs []exchange) {
	t.Helper()
	for _, ex := range exs {
		what := ex.method + " " + ex.path
		switch {
		case ex.status >= 400:
			var body struct{ Error json.RawMessage }
			json.Unmarshal(ex.body, &body)
			s.check(t, what, "Status", body.Error)
		case strings.HasSuffix(ex.path, ":download"):
			s.checkResponsesFile(t, what, ex.body)
		case ex.path == gemini.UploadPath:
			if len(ex.body) > 0 { // the start and intermediate chunks answer with no body
				s.check(t, what, "CreateFileResponse", ex.body)
			}
		case strings.HasSuffix(ex.path, ":cancel") || ex.method == http.MethodDelete:
			s.check(t, what, "Empty", ex.body)
		case ex.path == "/v1beta/batches":
			s.check(t, what, "ListOperationsResponse", ex.body)
			var page struct{ Operations []json.RawMessage }
			json.Unmarshal(ex.body, &page)
			for _, op := range page.Operations {
				s.checkOperation(t, what, op)
			}
		case strings.HasPrefix(ex.path, "/v1beta/files/"):
			s.check(t, what, "File", ex.body)
		case strings.HasSuffix(ex.path, ":generateContent"):
			s.check(t, what, "GenerateContentResponse", ex.body)
		case strings.HasSuffix(ex.path, ":embedContent"):
			s.check(t, what, "EmbedContentResponse", ex.body)
		case strings.HasSuffix(ex.path, ":batchEmbedContents"):
			s.check(t, what, "BatchEmbedContentsResponse", ex.body)
		default:
			s.checkOperation(t, what, ex.body)
		}
	}
}

// checkOperation validates a batch operation, and inside it the batch
// (its metadata) and its output (its response), which the Operation schema
// leaves untyped.
func (s *geminiSpec) checkOperation(t *testing.T, what string, body []byte) {
	t.Helper()
	s.check(t, what, "Operation", body)
	var op struct {
		Metadata json.RawMessage `json:"metadata"`
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(body, &op); err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	batch, output := "GenerateContentBatch", "GenerateContentBatchOutput"
	if bytes.Contains(op.Metadata, []byte(gemini.EmbedBatchType)) {
		batch, output = "EmbedContentBatch", "EmbedContentBatchOutput"
	}
	s.check(t, what+" metadata", batch, op.Metadata)
	if op.Response != nil {
		s.check(t, what+" response", output, op.Response)
	}
}

// checkResponsesFile validates each line of a responses file: its
// response or its error.
func (s *geminiSpec) checkResponsesFile(t *testing.T, what string, body []byte) {
	t.Helper()
	for line := range bytes.Lines(body) {
		var l struct {
			Response json.RawMessage `json:"response"`
			Error    json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			t.Errorf("%s: line %s: %v", what, line, err)
			continue
		}
		switch {
		case l.Error != nil:
			s.check(t, what+" line", "Status", l.Error)
		case bytes.Contains(l.Response, []byte(`"embedding"`)):
			s.check(t, what+" line", "EmbedContentResponse", l.Response)
		default:
			s.check(t, what+" line", "GenerateContentResponse", l.Response)
		}
	}
}

// TestGeminiSpecCatchesMistakes makes sure the validation above can fail,
// also inside a schema the validator cannot render whole.
func TestGeminiSpecCatchesMistakes(t *testing.T) {
	s := geminiSpecOrSkip(t)
	tests := []struct{ schema, body, want string }{
		{"GenerateContentBatch", `{"batchStats":{"requestCount":5}}`, "$.batchStats: got number, want string at $.requestCount"},
		{"GenerateContentBatch", `{"state":"JOB_STATE_SUCCEEDED"}`, "$.state: value must be one of 'BATCH_STATE_UNSPECIFIED', 'BATCH_STATE_PENDING', " +
			"'BATCH_STATE_RUNNING', 'BATCH_STATE_SUCCEEDED', 'BATCH_STATE_FAILED', 'BATCH_STATE_CANCELLED', 'BATCH_STATE_EXPIRED' at "},
		{"GenerateContentBatch", `{"inputConfig":{"requests":{"requests":[{"request":{"contents":"x"}}]}}}`,
			"$.inputConfig.requests.requests[0].request.contents: got string, want array at "},
		{"GenerateContentResponse", `{"candidates":[{"content":"text"}]}`, "$: got string, want object at $.candidates[0].content"},
		{"File", `{"sizeBytes":5}`, "$: got number, want string at $.sizeBytes"},
	}
	for _, tt := range tests {
		problems, err := s.problems(tt.schema, []byte(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(problems, "; "); got != tt.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tt.schema, tt.body, got, tt.want)
		}
	}
}
