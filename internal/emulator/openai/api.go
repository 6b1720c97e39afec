package openai

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// API serves the OpenAI Files and Batch API from its directories
// under the state directory.
type API struct {
	host    *core.Host
	files   string // file records (ID.json) and contents (ID.data)
	batches string // batch records (ID.json) and their companions
	// queue enforces the enqueued-token limits; nil when none is set.
	queue *core.Queue
}

// New opens the OpenAI API with its state under root/openai.
func New(host *core.Host, root string) (core.Protocol, error) {
	o := &API{
		host:    host,
		files:   filepath.Join(root, "openai", "files"),
		batches: filepath.Join(root, "openai", "batches"),
	}
	for _, dir := range []string{o.files, o.batches} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	o.queue = host.Queue("openai", filepath.Join(root, "openai"), core.QueueTokens, core.GoneOrEnded(o.loadTimeline))
	return o, nil
}

// Register adds the OpenAI routes to mux, behind the front door.
func (o *API) Register(mux *http.ServeMux) {
	d := o.host.Door(o)
	d.Handle(mux, "POST /v1/files", core.OpUpload, o.uploadFile)
	d.Handle(mux, "GET /v1/files", core.OpListFiles, o.listFiles)
	d.Handle(mux, "GET /v1/files/{id}", core.OpGetFile, o.getFile)
	d.Handle(mux, "GET /v1/files/{id}/content", core.OpContent, o.fileContent)
	d.Handle(mux, "DELETE /v1/files/{id}", core.OpDelete, o.deleteFile)
	d.Handle(mux, "POST /v1/batches", core.OpCreate, o.createBatch)
	d.Handle(mux, "GET /v1/batches", core.OpList, o.listBatches)
	d.Handle(mux, "GET /v1/batches/{id}", core.OpGet, o.getBatch)
	d.Handle(mux, "POST /v1/batches/{id}/cancel", core.OpCancel, o.cancelBatch)
	for _, endpoint := range syncEndpoints() {
		d.Handle(mux, "POST "+endpoint, core.OpSend, o.send(endpoint))
	}
	d.Handle(mux, "/", "", o.unknownRoute)
}

// httpError is an error answered with an OpenAI error body.
type httpError struct {
	status int
	body   *apiError
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.body.Message) }

func badRequest(e *apiError) error { return &httpError{status: http.StatusBadRequest, body: e} }

// RequestIDHeader implements core.Protocol.
func (o *API) RequestIDHeader() string { return "X-Request-Id" }

// Authenticate implements core.Protocol: the API key is a bearer token or
// an api-key header (Azure style).
func (o *API) Authenticate(r *http.Request, accepted func(string) bool) error {
	key := r.Header.Get("api-key")
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		key = cmp.Or(strings.TrimSpace(token), key)
	}
	switch {
	case key == "":
		return &httpError{status: http.StatusUnauthorized, body: &apiError{
			Message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
			Type:    errInvalidRequest,
			Code:    core.StrPtr("invalid_api_key"),
		}}
	case !accepted(key):
		return &httpError{status: http.StatusUnauthorized, body: &apiError{Message: "Incorrect API key provided.", Type: errInvalidRequest, Code: core.StrPtr("invalid_api_key")}}
	}
	return nil
}

// WriteError implements core.Protocol: an *httpError as it is, anything
// else as a 500.
func (o *API) WriteError(w http.ResponseWriter, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{
			status: http.StatusInternalServerError,
			body:   &apiError{Message: core.Failure(err), Type: errServer},
		}
	}
	writeAPIError(w, he.status, he.body)
}

// WriteFault implements core.Protocol.
func (o *API) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	writeAPIError(w, f.Status, statusError(f.Status, "(Emulated server fault.)"))
}

func (o *API) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return &httpError{
		status: http.StatusNotFound,
		body:   invalidRequest("", "", "Invalid URL (%s %s)", r.Method, r.URL.Path),
	}
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

// newListPage wraps a page of objects in a list object.
func newListPage[T any](data []T, id func(T) string, hasMore bool) ListPage[T] {
	page := ListPage[T]{Object: "list", Data: data, HasMore: hasMore}
	if page.Data == nil {
		page.Data = []T{}
	}
	if len(data) > 0 {
		page.FirstID, page.LastID = core.StrPtr(id(data[0])), core.StrPtr(id(data[len(data)-1]))
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
		return invalidType(te.Field, core.JSONTypeName(te.Type))
	}
	return invalidRequest("", "", "We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.")
}

// unixPtr returns t as nullable Unix seconds: nil when t is zero.
func unixPtr(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}
