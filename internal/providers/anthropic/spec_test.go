package anthropic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/batchctl/batchctl/internal/providers"
)

// specPath is the Anthropic OpenAPI document, relative to this package.
const specPath = "../../../../shared/specs/anthropic-openapi.json"

// apiSpec checks requests against the Anthropic OpenAPI document.
type apiSpec struct {
	validator validator.Validator
	// create is the schema of the create body, CreateMessageBatchParams.
	create *base.Schema
}

// loadSpec parses the document (about two seconds), skipping the test when
// the file is absent.
func loadSpec(t *testing.T) *apiSpec {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("Anthropic OpenAPI spec %s not found: skipping validation against it", specPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		t.Fatalf("parse %s: %v", specPath, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build %s: %v", specPath, err)
	}
	create, ok := model.Model.Components.Schemas.Get("CreateMessageBatchParams")
	if !ok {
		t.Fatalf("%s has no CreateMessageBatchParams", specPath)
	}
	// Strict mode also reports query parameters and body properties the
	// document does not declare. Of the headers, only those the client
	// sets on its own are left out: the document declares the API key and
	// the beta header on some operations only.
	v := validator.NewValidatorFromV3Model(&model.Model, config.WithStrictMode(),
		config.WithStrictIgnoredHeadersExtra("X-Api-Key", "Anthropic-Beta", "Accept", "User-Agent"))
	return &apiSpec{validator: v, create: create.Schema()}
}

// problems checks a recorded request against the document: its path,
// query and headers through the validator, and its body, which only
// creating a batch has, against CreateMessageBatchParams directly (the
// validator cannot compile that operation's body schema, whose
// discriminators point at schemas it does not resolve).
func (s *apiSpec) problems(r recorded) []string {
	target := "https://api.anthropic.com" + r.Path
	if r.Query != "" {
		target += "?" + r.Query
	}
	req, err := http.NewRequest(r.Method, target, nil)
	if err != nil {
		return []string{err.Error()}
	}
	req.Header = r.Header.Clone()
	pv := s.validator.GetParameterValidator()
	var errs []*liberrors.ValidationError
	for _, check := range []func(*http.Request) (bool, []*liberrors.ValidationError){
		pv.ValidatePathParams, pv.ValidateQueryParams, pv.ValidateHeaderParams,
	} {
		_, e := check(req)
		errs = append(errs, e...)
	}
	if len(r.Body) > 0 {
		if r.Method != http.MethodPost || r.Path != "/v1/messages/batches" {
			return []string{fmt.Sprintf("%s %s takes no body, got %q", r.Method, r.Path, r.Body)}
		}
		_, e := schema_validation.NewSchemaValidator().ValidateSchemaBytes(s.create, r.Body)
		errs = append(errs, e...)
	}
	var out []string
	for _, e := range errs {
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, fmt.Sprintf("%s %s: %s: %s", r.Method, r.Path, e.Message, e.Reason))
		}
		for _, f := range e.SchemaValidationErrors {
			out = append(out, fmt.Sprintf("%s %s: %s: %s at %s", r.Method, r.Path, e.Message, f.Reason, f.FieldPath))
		}
	}
	return out
}

// TestRequestsConformToOpenAPI checks every kind of request the client
// sends against Anthropic's OpenAPI document, then checks that the check
// catches requests that break it.
func TestRequestsConformToOpenAPI(t *testing.T) {
	spec := loadSpec(t)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/messages/batches" && r.Method == http.MethodGet:
			// Two pages: the first says there is more.
			more := r.URL.Query().Get("after_id") == ""
			writeJSON(w, 200, fmt.Sprintf(`{"data":[%s],"has_more":%t,"first_id":"msgbatch_1","last_id":"msgbatch_1"}`, listBatch("msgbatch_1"), more))
		case strings.HasSuffix(r.URL.Path, "/results"):
			io.WriteString(w, canceledLine+"\n")
		default:
			writeJSON(w, 200, createdBatch)
		}
	})
	c := ts.client(Config{UserAgent: "batchctl/test", Beta: "output-300k-2026-03-24"})
	ctx := context.Background()
	in := &input{data: []byte(inputJSONL)}

	t.Run("client", func(t *testing.T) {
		calls := []struct {
			name     string
			call     func() error
			requests int
		}{
			{"submit", func() error {
				_, err := c.Submit(ctx, providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL)), Requests: 2})
				return err
			}, 1},
			{"get", func() error { _, err := c.Get(ctx, "msgbatch_1"); return err }, 1},
			{"cancel", func() error { _, err := c.Cancel(ctx, "msgbatch_1"); return err }, 1},
			{"list", func() error {
				return c.List(ctx, providers.ListOptions{Limit: 1002}, func(*providers.Batch) error { return nil })
			}, 2},
			{"download", func() error { return c.Download(ctx, &providers.Batch{ID: "msgbatch_1"}, io.Discard) }, 1},
		}
		for _, tt := range calls {
			t.Run(tt.name, func(t *testing.T) {
				before := len(ts.recorded())
				if err := tt.call(); err != nil {
					t.Fatal(err)
				}
				sent := ts.recorded()[before:]
				if len(sent) != tt.requests {
					t.Errorf("%d requests sent, want %d", len(sent), tt.requests)
				}
				for _, r := range sent {
					for _, p := range spec.problems(r) {
						t.Error(p)
					}
				}
			})
		}
	})

	t.Run("checks", func(t *testing.T) {
		tests := []struct {
			name, method, path, body, want string
		}{
			{"custom_id with a dot", "POST", "/v1/messages/batches", `{"requests":[{"custom_id":"q.1","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}}]}`, "does not match pattern"},
			{"no params", "POST", "/v1/messages/batches", `{"requests":[{"custom_id":"q1"}]}`, "missing property 'params'"},
			{"no requests", "POST", "/v1/messages/batches", `{"requests":[]}`, "minItems"},
			{"limit too large", "GET", "/v1/messages/batches?limit=1001", "", "limit"},
			{"undeclared query parameter", "GET", "/v1/messages/batches?after=msgbatch_1", "", "after"},
			{"unknown path", "GET", "/v1/batches/msgbatch_1", "", "not found"},
			{"cancel with GET", "GET", "/v1/messages/batches/msgbatch_1/cancel", "", "not found"},
			{"get with a body", "GET", "/v1/messages/batches/msgbatch_1", "{}", "takes no body"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path, query, _ := strings.Cut(tt.path, "?")
				r := recorded{Method: tt.method, Path: path, Query: query, Body: []byte(tt.body),
					Header: http.Header{"Content-Type": {"application/json"}, "Anthropic-Version": {"2023-06-01"}, "X-Api-Key": {testKey}}}
				problems := spec.problems(r)
				if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
					t.Errorf("problems %q, want one mentioning %q", problems, tt.want)
				}
			})
		}
	})
}
