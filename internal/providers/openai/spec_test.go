package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/paths"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/batchctl/batchctl/internal/providers"
)

// specPath is the OpenAI OpenAPI document, relative to this package.
const specPath = "../../../../shared/specs/openai-openapi.yaml"

// apiSpec checks requests and answers against the OpenAI OpenAPI document.
type apiSpec struct {
	model     *v3.Document
	validator validator.Validator
	// basePath is the path of the document's server URL ("/v1"), which
	// every path in the document is relative to.
	basePath string
}

// loadSpec parses the document (about a second and a half), skipping the
// test when the file is absent.
func loadSpec(t *testing.T) *apiSpec {
	t.Helper()
	b, err := os.ReadFile(specPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("OpenAI OpenAPI spec %s not found: skipping validation against it", specPath)
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
	if len(model.Model.Servers) == 0 {
		t.Fatalf("%s names no server", specPath)
	}
	server, err := url.Parse(model.Model.Servers[0].URL)
	if err != nil {
		t.Fatalf("server URL of %s: %v", specPath, err)
	}
	inheritSecurity(&model.Model)
	// Strict mode also reports query parameters, headers and body
	// properties the document does not declare. It does not see that
	// Metadata (an anyOf of a map and null) declares any key through
	// additionalProperties, so metadata keys are left out of it.
	v := validator.NewValidatorFromV3Model(&model.Model, config.WithStrictMode(),
		config.WithStrictIgnorePaths("$.body.metadata.*"))
	return &apiSpec{model: &model.Model, validator: v, basePath: strings.TrimRight(server.Path, "/")}
}

// inheritSecurity gives every operation without a security requirement of
// its own the document's (ApiKeyAuth, a bearer token): OpenAPI applies it
// to them, but the validator only looks at the operation's.
func inheritSecurity(doc *v3.Document) {
	for item := range doc.Paths.PathItems.ValuesFromOldest() {
		for op := range item.GetOperations().ValuesFromOldest() {
			if op.Security == nil {
				op.Security = doc.Security
			}
		}
	}
}

// checkRequest checks a request whose body is body and returns the id of
// the operation it calls ("" when it calls none) and what is wrong with it.
func (s *apiSpec) checkRequest(r *http.Request, body []byte) (string, []string) {
	if !strings.HasPrefix(r.URL.Path, s.basePath+"/") {
		return "", []string{fmt.Sprintf("%s %s: path is not under the server URL's %s", r.Method, r.URL.Path, s.basePath)}
	}
	item, errs, template := paths.FindPath(r, s.model, nil)
	if len(errs) > 0 {
		return "", messages(errs)
	}
	op := helpers.ExtractOperation(r, item)
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, errs = s.validator.ValidateHttpRequestSyncWithPathItem(r, item, template)
	problems := messages(errs)
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case op.RequestBody == nil && len(body) > 0:
		problems = append(problems, fmt.Sprintf("%s takes no body, got %q", op.OperationId, body))
	case mediaType == "multipart/form-data":
		problems = append(problems, s.checkForm(op, mediaType, params["boundary"], body)...)
	}
	return op.OperationId, problems
}

// checkForm checks a multipart/form-data body against the operation's
// schema for it, which the validator does not read: the form becomes an
// object of its fields (a file part's content as a string) validated
// against the schema, which checks required fields, enums and that no
// undeclared field is sent. A property of format binary must be a file
// part and any other a plain field.
func (s *apiSpec) checkForm(op *v3.Operation, mediaType, boundary string, body []byte) []string {
	media, ok := op.RequestBody.Content.Get(mediaType)
	if !ok || media.Schema == nil {
		return nil // the validator reports an undeclared media type
	}
	schema := media.Schema.Schema()
	var problems []string
	fields := map[string]string{}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return append(problems, fmt.Sprintf("%s: malformed multipart body: %v", op.OperationId, err))
		}
		value, err := io.ReadAll(part)
		if err != nil {
			return append(problems, fmt.Sprintf("%s: malformed multipart body: %v", op.OperationId, err))
		}
		name := part.FormName()
		if _, dup := fields[name]; dup {
			problems = append(problems, fmt.Sprintf("%s: field %q sent twice", op.OperationId, name))
		}
		fields[name] = string(value)
		if prop := schema.Properties.GetOrZero(name); prop != nil {
			if isFile, wantFile := part.FileName() != "", prop.Schema().Format == "binary"; isFile != wantFile {
				problems = append(problems, fmt.Sprintf("%s: field %q is a file part: %t, want %t", op.OperationId, name, isFile, wantFile))
			}
		}
	}
	obj, err := json.Marshal(fields)
	if err != nil {
		return append(problems, err.Error())
	}
	sv := schema_validation.NewSchemaValidatorWithLogger(slog.New(slog.DiscardHandler))
	_, errs := sv.ValidateSchemaBytes(schema, obj)
	return append(problems, messages(errs)...)
}

// checkResponse checks an answer to a request for operation opID.
func (s *apiSpec) checkResponse(r *http.Request, opID string, resp *http.Response) []string {
	// downloadFile answers with the file's bytes, which the document
	// declares as an application/json string: a JSONL file is not one.
	if opID == "downloadFile" {
		return nil
	}
	_, errs := s.validator.ValidateHttpResponse(r, resp)
	return messages(errs)
}

// messages renders validation errors, one line per failed check.
func messages(errs []*liberrors.ValidationError) []string {
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

// specServer is an httptest server on 127.0.0.1 that plays OpenAI: it
// checks each request against the document, answers a valid one, and
// checks its own answer too. An invalid request gets a 400.
type specServer struct {
	*httptest.Server
	spec *apiSpec
	mux  *http.ServeMux

	mu       sync.Mutex
	calls    []string // operation id and query of each request
	problems []string
}

// listedBatches are the batches GET /batches lists, newest first.
func listedBatches() []string {
	return []string{"batch_5", "batch_4", "batch_3", "batch_2", "batch_1"}
}

// listPageCap is the most batches the server puts in a page, fewer than
// the client asks for, as a server may: List must follow the cursor.
const listPageCap = 2

func newSpecServer(t *testing.T, spec *apiSpec) *specServer {
	t.Helper()
	s := &specServer{spec: spec, mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/files", serveUpload)
	s.mux.HandleFunc("POST /v1/batches", serveCreate)
	s.mux.HandleFunc("GET /v1/batches", serveList)
	s.mux.HandleFunc("GET /v1/batches/{batch_id}", func(w http.ResponseWriter, r *http.Request) {
		writeBatch(w, completedBatch(r.PathValue("batch_id")))
	})
	s.mux.HandleFunc("POST /v1/batches/{batch_id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		b := completedBatch(r.PathValue("batch_id"))
		b.Status, b.OutputFileID, b.ErrorFileID = "cancelling", "", ""
		writeBatch(w, b)
	})
	s.mux.HandleFunc("GET /v1/files/{file_id}/content", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		fmt.Fprintf(w, `{"id":"batch_req_1","custom_id":%q,"response":null,"error":null}`+"\n", r.PathValue("file_id"))
	})
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// serve checks r, answers it through the mux and checks the answer.
func (s *specServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	opID, problems := s.spec.checkRequest(r, body)
	rec := httptest.NewRecorder()
	if len(problems) > 0 {
		writeJSON(rec, http.StatusBadRequest, `{"error":{"message":"request does not conform to the OpenAPI document","type":"invalid_request_error","param":null,"code":null}}`)
	} else {
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mux.ServeHTTP(rec, r)
		problems = s.spec.checkResponse(r, opID, rec.Result())
		for i, p := range problems {
			problems[i] = "test server's answer: " + p
		}
	}
	s.record(opID, r.URL.RawQuery, problems)
	maps.Copy(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (s *specServer) record(opID, query string, problems []string) {
	call := opID
	if query != "" {
		call += "?" + query
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	s.problems = append(s.problems, problems...)
}

// take returns the calls and problems recorded since the last take.
func (s *specServer) take() (calls, problems []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls, problems = s.calls, s.problems
	s.calls, s.problems = nil, nil
	return calls, problems
}

// batchObject is a batch as the server renders it: the document's required
// fields and a few optional ones, never null.
type batchObject struct {
	ID               string            `json:"id"`
	Object           string            `json:"object"`
	Endpoint         string            `json:"endpoint"`
	InputFileID      string            `json:"input_file_id"`
	CompletionWindow string            `json:"completion_window"`
	Status           string            `json:"status"`
	OutputFileID     string            `json:"output_file_id,omitempty"`
	ErrorFileID      string            `json:"error_file_id,omitempty"`
	CreatedAt        int64             `json:"created_at"`
	Metadata         map[string]string `json:"metadata,omitempty"`
}

func completedBatch(id string) batchObject {
	return batchObject{
		ID: id, Object: "batch", Endpoint: "/v1/chat/completions", InputFileID: "file-in-" + id,
		CompletionWindow: "24h", Status: "completed", OutputFileID: "file-out-" + id, ErrorFileID: "file-err-" + id,
		CreatedAt: 1711471533,
	}
}

func writeBatch(w http.ResponseWriter, b batchObject) {
	body, _ := json.Marshal(b)
	writeJSON(w, http.StatusOK, string(body))
}

// serveUpload answers POST /files with the file object of the upload.
func serveUpload(w http.ResponseWriter, r *http.Request) {
	_, header, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"id":"file-input","object":"file","bytes":%d,"created_at":1711471533,"filename":%q,"purpose":%q,"status":"processed"}`,
		header.Size, header.Filename, r.FormValue("purpose")))
}

// serveCreate answers POST /batches with a validating batch made of the
// request's fields.
func serveCreate(w http.ResponseWriter, r *http.Request) {
	b := batchObject{ID: "batch_new", Object: "batch", Status: "validating", CreatedAt: 1711471533}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeBatch(w, b)
}

// serveList answers GET /batches with a page of listedBatches after the
// "after" cursor.
func serveList(w http.ResponseWriter, r *http.Request) {
	var limit int
	if _, err := fmt.Sscan(r.URL.Query().Get("limit"), &limit); err != nil {
		limit = 20
	}
	ids := listedBatches()
	start := slices.Index(ids, r.URL.Query().Get("after")) + 1
	end := min(start+min(limit, listPageCap), len(ids))
	page := struct {
		Object  string        `json:"object"`
		Data    []batchObject `json:"data"`
		FirstID string        `json:"first_id"`
		LastID  string        `json:"last_id"`
		HasMore bool          `json:"has_more"`
	}{Object: "list", Data: []batchObject{}, HasMore: end < len(ids)}
	for _, id := range ids[start:end] {
		page.Data = append(page.Data, completedBatch(id))
	}
	if start < end {
		page.FirstID, page.LastID = ids[start], ids[end-1]
	}
	body, _ := json.Marshal(page)
	writeJSON(w, http.StatusOK, string(body))
}

// TestRequestsConformToOpenAPI runs the client against a server that
// checks every request it sends against OpenAI's OpenAPI document, then
// checks that the server's checks catch requests that break it.
func TestRequestsConformToOpenAPI(t *testing.T) {
	spec := loadSpec(t)
	srv := newSpecServer(t, spec)
	c := New(Config{Name: "openai", BaseURL: srv.URL + "/v1", APIKey: testKey, UserAgent: "batchctl/test", HTTPClient: srv.Client()})
	in := &input{data: []byte(inputJSONL)}
	ctx := context.Background()
	listAll := func(limit int) error {
		return c.List(ctx, providers.ListOptions{Limit: limit}, func(*providers.Batch) error { return nil })
	}

	t.Run("client", func(t *testing.T) {
		tests := []struct {
			name      string
			call      func() error
			wantCalls []string
		}{
			{"submit", func() error {
				_, err := c.Submit(ctx, providers.SubmitRequest{
					Open: in.open, Size: int64(len(inputJSONL)), Filename: "j7k2m9-1.jsonl",
					Endpoint: "/v1/chat/completions", Model: "gpt-4o-mini", Requests: 2,
					Metadata: map[string]string{"job": "j7k2m9", "part": "1"}, CompletionWindow: "24h",
				})
				return err
			}, []string{"createFile", "createBatch"}},
			{"submit with defaults", func() error {
				_, err := c.Submit(ctx, providers.SubmitRequest{Open: in.open, Size: int64(len(inputJSONL)), Endpoint: "/v1/embeddings"})
				return err
			}, []string{"createFile", "createBatch"}},
			{"get", func() error { _, err := c.Get(ctx, "batch_abc123"); return err }, []string{"retrieveBatch"}},
			{"cancel", func() error { _, err := c.Cancel(ctx, "batch_abc123"); return err }, []string{"cancelBatch"}},
			{"list every page", func() error { return listAll(0) }, []string{
				"listBatches?limit=100", "listBatches?after=batch_4&limit=100", "listBatches?after=batch_2&limit=100",
			}},
			{"list with a limit", func() error { return listAll(3) }, []string{"listBatches?limit=3", "listBatches?after=batch_4&limit=1"}},
			{"download", func() error {
				return c.Download(ctx, &providers.Batch{OutputFileID: "file-out", ErrorFileID: "file-err"}, io.Discard)
			}, []string{"downloadFile", "downloadFile"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.call()
				calls, problems := srv.take()
				for _, p := range problems {
					t.Error(p)
				}
				if err != nil {
					t.Errorf("error = %v", err)
				}
				if !slices.Equal(calls, tt.wantCalls) {
					t.Errorf("calls %q, want %q", calls, tt.wantCalls)
				}
			})
		}
	})

	t.Run("checks", func(t *testing.T) {
		tests := []struct {
			name        string
			method      string
			path        string
			contentType string
			body        string
			noAuth      bool
			want        string // in a reported problem
		}{
			{name: "completion window not in the enum", method: "POST", path: "/v1/batches", contentType: "application/json",
				body: `{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"48h"}`, want: "value must be '24h' at $.completion_window"},
			{name: "endpoint not in the enum", method: "POST", path: "/v1/batches", contentType: "application/json",
				body: `{"input_file_id":"file-1","endpoint":"/v1/chat","completion_window":"24h"}`, want: "at $.endpoint"},
			{name: "undeclared body property", method: "POST", path: "/v1/batches", contentType: "application/json",
				body: `{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h","priority":1}`, want: "'priority' at '$.body.priority' is not declared"},
			{name: "metadata value not a string", method: "POST", path: "/v1/batches", contentType: "application/json",
				body: `{"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"part":1}}`, want: "got number, want string at $.metadata.part"},
			{name: "upload without purpose", method: "POST", path: "/v1/files", contentType: "multipart/form-data; boundary=b",
				body: "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n\r\n{}\n\r\n--b--\r\n", want: "missing property 'purpose'"},
			{name: "upload with an unknown purpose", method: "POST", path: "/v1/files", contentType: "multipart/form-data; boundary=b",
				body: "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatches\r\n" +
					"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\n\r\n{}\n\r\n--b--\r\n", want: "at $.purpose"},
			{name: "upload with the file as a plain field", method: "POST", path: "/v1/files", contentType: "multipart/form-data; boundary=b",
				body: "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n" +
					"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n{}\n\r\n--b--\r\n", want: `field "file" is a file part: false, want true`},
			{name: "list limit not an integer", method: "GET", path: "/v1/batches?limit=ten", want: "Query parameter 'limit' is not a valid integer"},
			{name: "undeclared query parameter", method: "GET", path: "/v1/batches?order=asc", want: "query parameter 'order' at '$.query.order' is not declared"},
			{name: "no API key", method: "GET", path: "/v1/batches/batch_1", noAuth: true, want: "Authorization header was not found"},
			{name: "cancel with a body", method: "POST", path: "/v1/batches/batch_1/cancel", contentType: "application/json", body: `{}`, want: "cancelBatch takes no body"},
			{name: "cancel with GET", method: "GET", path: "/v1/batches/batch_1/cancel", want: "GET Path '/v1/batches/batch_1/cancel' not found"},
			{name: "path outside the server URL", method: "GET", path: "/batches/batch_1", want: "not under the server URL's /v1"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequestWithContext(ctx, tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				if !tt.noAuth {
					req.Header.Set("Authorization", "Bearer "+testKey)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				_, problems := srv.take()
				if resp.StatusCode != http.StatusBadRequest || !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
					t.Errorf("status %d, problems %q; want 400 and a problem mentioning %q", resp.StatusCode, problems, tt.want)
				}
			})
		}
	})
}
