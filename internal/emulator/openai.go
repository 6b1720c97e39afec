package emulator

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// openaiAPI serves the OpenAI Files and Batch API from its directories
// under the state directory.
type openaiAPI struct {
	srv     *Server
	files   string // file records (ID.json) and contents (ID.data)
	batches string // batch records (ID.json) and their companions
}

func newOpenAI(s *Server, root string) (*openaiAPI, error) {
	o := &openaiAPI{
		srv:     s,
		files:   filepath.Join(root, "openai", "files"),
		batches: filepath.Join(root, "openai", "batches"),
	}
	for _, dir := range []string{o.files, o.batches} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *openaiAPI) register(mux *http.ServeMux) {
	o.handle(mux, "POST /v1/files", opUpload, o.uploadFile)
	o.handle(mux, "GET /v1/files", opListFiles, o.listFiles)
	o.handle(mux, "GET /v1/files/{id}", opGetFile, o.getFile)
	o.handle(mux, "GET /v1/files/{id}/content", opContent, o.fileContent)
	o.handle(mux, "DELETE /v1/files/{id}", opDelete, o.deleteFile)
	o.handle(mux, "POST /v1/batches", opCreate, o.createBatch)
	o.handle(mux, "GET /v1/batches", opList, o.listBatches)
	o.handle(mux, "GET /v1/batches/{id}", opGet, o.getBatch)
	o.handle(mux, "POST /v1/batches/{id}/cancel", opCancel, o.cancelBatch)
	o.handle(mux, "/", "", o.unknownRoute)
}

// httpError is an error answered with an OpenAI error body.
type httpError struct {
	status int
	body   *apiError
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.body.Message) }

func badRequest(e *apiError) error { return &httpError{status: http.StatusBadRequest, body: e} }

// handle registers h for pattern behind the API key check and the server
// faults of op. An error h returns is sent as an OpenAI error: an
// *httpError as it is, anything else as a 500.
func (o *openaiAPI) handle(mux *http.ServeMux, pattern, op string, h func(http.ResponseWriter, *http.Request) error) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", newID("req_"))
		if e := o.authenticate(r); e != nil {
			writeAPIError(w, http.StatusUnauthorized, e)
			return
		}
		serve := func(w http.ResponseWriter, r *http.Request) {
			err := h(w, r)
			if err == nil {
				return
			}
			var he *httpError
			if !errors.As(err, &he) {
				he = &httpError{
					status: http.StatusInternalServerError,
					body:   &apiError{Message: "The emulator failed: " + err.Error(), Type: errServer},
				}
			}
			writeAPIError(w, he.status, he.body)
		}
		if f, ok := o.srv.faults.next(op); ok {
			o.srv.faults.serveFault(w, r, f, serve, o.injectFault)
			return
		}
		serve(w, r)
		o.srv.faults.served(op)
	})
}

// authenticate checks the request's API key, given as a bearer token or in
// an api-key header (Azure style).
func (o *openaiAPI) authenticate(r *http.Request) *apiError {
	key := r.Header.Get("api-key")
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		key = cmp.Or(strings.TrimSpace(token), key)
	}
	switch {
	case key == "":
		return &apiError{
			Message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
			Type:    errInvalidRequest,
			Code:    strPtr("invalid_api_key"),
		}
	case !o.srv.keyAccepted(key):
		return &apiError{Message: "Incorrect API key provided.", Type: errInvalidRequest, Code: strPtr("invalid_api_key")}
	}
	return nil
}

func (o *openaiAPI) injectFault(w http.ResponseWriter, f Fault) {
	if f.Status == 0 {
		dropConnection(w)
		return
	}
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	writeAPIError(w, f.Status, statusError(f.Status, "(Emulated server fault.)"))
}

func (o *openaiAPI) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return &httpError{
		status: http.StatusNotFound,
		body:   invalidRequest("", "", "Invalid URL (%s %s)", r.Method, r.URL.Path),
	}
}

// pathID returns the {id} of the request's path, or "" when it cannot be
// the id of anything stored (ids are letters, digits, '-' and '_').
func pathID(r *http.Request) string {
	id := r.PathValue("id")
	for _, c := range id {
		if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return ""
		}
	}
	return id
}

// queryLimit parses the limit query parameter: def when absent, else an
// integer in [1, max].
func queryLimit(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, badRequest(invalidType("limit", "an integer"))
	case n < 1:
		return 0, badRequest(invalidRequest("limit", "integer_below_min_value",
			"Invalid 'limit': integer below minimum value. Expected a value >= 1, but got %d instead.", n))
	case n > max:
		return 0, badRequest(invalidRequest("limit", "integer_above_max_value",
			"Invalid 'limit': integer above maximum value. Expected a value <= %d, but got %d instead.", max, n))
	}
	return n, nil
}

// paginate returns the page of at most limit items that follows the item
// with id after (from the start when after is empty), and whether more
// follow it.
func paginate[T any](items []T, id func(T) string, after string, limit int) (page []T, hasMore bool) {
	if after != "" {
		i := 0
		for i < len(items) && id(items[i]) != after {
			i++
		}
		items = items[min(i+1, len(items)):]
	}
	if len(items) > limit {
		return items[:limit], true
	}
	return items, false
}

// newListPage wraps a page of objects in a list object.
func newListPage[T any](data []T, id func(T) string, hasMore bool) listPage[T] {
	page := listPage[T]{Object: "list", Data: data, HasMore: hasMore}
	if page.Data == nil {
		page.Data = []T{}
	}
	if len(data) > 0 {
		page.FirstID, page.LastID = strPtr(id(data[0])), strPtr(id(data[len(data)-1]))
	}
	return page
}

// maxRequestBody bounds the JSON bodies of API calls (not uploads).
const maxRequestBody = 1 << 20

// decodeRequest decodes the JSON body of r into v, answering errors as the
// API does.
func decodeRequest(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxRequestBody)
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return badRequest(jsonError(err))
	}
	return nil
}

// jsonError describes a JSON decoding error of a request body as the API
// would.
func jsonError(err error) *apiError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return invalidType(te.Field, jsonTypeName(te.Type))
	}
	return invalidRequest("", "", "We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.")
}

// jsonTypeName names the JSON type that decodes into t.
func jsonTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a different type"
}

// unixPtr returns t as nullable Unix seconds: nil when t is zero.
func unixPtr(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}
