package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// specPath is the OpenAI OpenAPI document, relative to this package.
const specPath = "../../../shared/specs/openai-openapi.yaml"

// openapiSpec validates wire objects against the OpenAI OpenAPI document.
type openapiSpec struct {
	validator validator.Validator
	model     *v3.Document
}

// loadSpec parses the document once per test binary (it takes about a
// second and a half).
var loadSpec = sync.OnceValues(func() (*openapiSpec, error) {
	b, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", specPath, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", specPath, err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("validator for %s: %w", specPath, errors.Join(errs...))
	}
	return &openapiSpec{validator: v, model: &model.Model}, nil
})

// specOrSkip returns the spec, skipping the test when the file is absent.
func specOrSkip(t *testing.T) *openapiSpec {
	t.Helper()
	if _, err := os.Stat(specPath); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("OpenAI OpenAPI spec %s not found: skipping validation against it", specPath)
	}
	s, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// nullInPractice lists the properties that the spec types as non-null but
// that the live API sends as null when unset, as the spec's own examples
// show ("failed_at": null, "errors": null, ...). A null there is accepted.
func nullInPractice() []string {
	return []string{
		// Batch
		"errors", "output_file_id", "error_file_id", "in_progress_at", "finalizing_at",
		"completed_at", "failed_at", "expired_at", "cancelling_at", "cancelled_at",
		// OpenAIFile
		"expires_at", "status_details",
		// list responses with no data
		"first_id", "last_id",
	}
}

// problems returns the validation failures that are not accepted nulls.
func problems(errs []*liberrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		if len(e.SchemaValidationErrors) == 0 {
			out = append(out, e.Message+": "+e.Reason)
			continue
		}
		for _, f := range e.SchemaValidationErrors {
			field := ""
			if n := len(f.InstancePath); n > 0 {
				field = f.InstancePath[n-1]
			}
			if strings.HasPrefix(f.Reason, "got null") && slices.Contains(nullInPractice(), field) {
				continue
			}
			out = append(out, fmt.Sprintf("%s: %s at %s", e.Message, f.Reason, f.FieldPath))
		}
	}
	return out
}

// checkExchange validates a recorded 2xx response against the operation's
// response schema.
func (s *openapiSpec) checkExchange(t *testing.T, ex exchange) {
	t.Helper()
	req, err := http.NewRequest(ex.method, "https://api.openai.com"+ex.path, nil)
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
	for _, p := range problems(errs) {
		t.Errorf("%s %s: %s\nbody: %s", ex.method, ex.path, p, ex.body)
	}
}

// checkSchema validates a JSON body against a component schema.
func (s *openapiSpec) checkSchema(t *testing.T, name string, body []byte) {
	t.Helper()
	proxy, ok := s.model.Components.Schemas.Get(name)
	if !ok {
		t.Fatalf("schema %s not in %s", name, specPath)
	}
	schema := proxy.Schema()
	_, errs := schema_validation.NewSchemaValidator().ValidateSchemaBytes(schema, body)
	for _, p := range problems(errs) {
		t.Errorf("%s: %s\nbody: %s", name, p, body)
	}
}
