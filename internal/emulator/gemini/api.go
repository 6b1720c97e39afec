package gemini

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// API serves the Gemini Batch Mode protocol, and the part of the Files
// API it needs, from its directories under the state directory.
type API struct {
	host    *core.Host
	files   string // file records (ID.json) and contents (ID.data)
	uploads string // upload sessions (ID.json) and the bytes received (ID.part)
	batches string // batch records (ID.json) and their companions
	// queue enforces the enqueued-token limits; nil when none is set.
	queue *core.Queue
}

// New opens the Gemini API with its state under dir/gemini.
func New(host *core.Host, dir string) (core.Protocol, error) {
	root := filepath.Join(dir, "gemini")
	g := &API{
		host:    host,
		files:   filepath.Join(root, "files"),
		uploads: filepath.Join(root, "uploads"),
		batches: filepath.Join(root, "batches"),
	}
	for _, d := range []string{g.files, g.uploads, g.batches} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	g.queue = host.Queue("gemini", root, core.QueueTokens, core.GoneOrEnded(g.loadTimeline))
	return g, nil
}

// The path prefixes of the Gemini API.
const (
	apiPrefix      = "/v1beta/"
	UploadPath     = "/upload/v1beta/files"
	downloadPrefix = "/download/v1beta/files/"
)

// Register adds the Gemini routes to mux, behind the front door. Resource
// names with a custom method ("models/x:batchGenerateContent",
// "batches/y:cancel") do not fit ServeMux wildcards, so the routes are
// matched here (API.route).
func (g *API) Register(mux *http.ServeMux) {
	d := g.host.Door(g)
	serve := func(w http.ResponseWriter, r *http.Request) {
		op, h := g.route(r)
		d.Serve(w, r, op, h)
	}
	mux.HandleFunc(apiPrefix, serve)
	mux.HandleFunc(UploadPath, serve)
	mux.HandleFunc(downloadPrefix, serve)
}

// route returns the handler of a request and the server-fault operation it
// counts as ("" for none).
func (g *API) route(r *http.Request) (op string, h core.Handler) {
	path := r.URL.Path
	switch {
	case path == UploadPath:
		if r.URL.Query().Has("upload_id") {
			return g.sessionOp(r), g.onlyMethod(http.MethodPost, g.uploadSession)
		}
		return "", g.onlyMethod(http.MethodPost, g.startUpload)
	case strings.HasPrefix(path, downloadPrefix):
		id, method := splitCustomMethod(strings.TrimPrefix(path, downloadPrefix))
		if method == "download" {
			return core.OpContent, g.onlyMethod(http.MethodGet, g.download(id))
		}
		return "", g.notFound
	case path == apiPrefix+"batches":
		return core.OpList, g.onlyMethod(http.MethodGet, g.listBatches)
	}
	collection, rest, _ := strings.Cut(strings.TrimPrefix(path, apiPrefix), "/")
	name, method := splitCustomMethod(rest)
	switch {
	case collection == "models" && (method == GenerateMethod || method == EmbedMethod):
		return core.OpCreate, g.onlyMethod(http.MethodPost, g.createBatch(name, method))
	case collection == "models" && syncMethods[method] != "":
		return core.OpSend, g.onlyMethod(http.MethodPost, g.send(name, syncMethods[method]))
	case collection == "models" && method == "batchEmbedContents":
		return core.OpSend, g.onlyMethod(http.MethodPost, g.sendEmbeds(name))
	case collection == "models" && method == CountMethod:
		return "", g.onlyMethod(http.MethodPost, g.countTokens)
	case collection == "batches" && method == "":
		switch r.Method {
		case http.MethodGet:
			return core.OpGet, g.withBatch(name, g.getBatch)
		case http.MethodDelete:
			return core.OpDelete, g.withBatch(name, g.deleteBatch)
		}
		return "", g.methodNotAllowed
	case collection == "batches" && method == "cancel":
		return core.OpCancel, g.onlyMethod(http.MethodPost, g.withBatch(name, g.cancelBatch))
	case collection == "batches" && method == "delete":
		return core.OpDelete, g.onlyMethod(http.MethodPost, g.withBatch(name, g.deleteBatch))
	case collection == "files" && method == "":
		switch r.Method {
		case http.MethodGet:
			return core.OpGetFile, g.getFile(name)
		case http.MethodDelete:
			return core.OpDelete, g.deleteFile(name)
		}
		return "", g.methodNotAllowed
	case collection == "files" && method == "download":
		return core.OpContent, g.onlyMethod(http.MethodGet, g.download(name))
	}
	return "", g.notFound
}

// splitCustomMethod splits "name:method" at its last colon.
func splitCustomMethod(s string) (name, method string) {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// onlyMethod restricts h to one HTTP method.
func (g *API) onlyMethod(method string, h core.Handler) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != method {
			return g.methodNotAllowed(w, r)
		}
		return h(w, r)
	}
}

func (g *API) notFound(_ http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "The requested URL %s was not found on this server.", r.URL.Path)
}

func (g *API) methodNotAllowed(_ http.ResponseWriter, r *http.Request) error {
	e := errorf(http.StatusMethodNotAllowed, "Method %s is not allowed for %s.", r.Method, r.URL.Path)
	e.status = "UNIMPLEMENTED"
	return e
}

// RequestIDHeader implements core.Protocol: Google's APIs send none.
func (g *API) RequestIDHeader() string { return "" }

// Authenticate implements core.Protocol: the API key is in an
// x-goog-api-key header or a key query parameter, and every call needs one
// except those to an upload session, whose URL is its own credential.
func (g *API) Authenticate(r *http.Request, accepted func(string) bool) error {
	if r.URL.Path == UploadPath && r.URL.Query().Has("upload_id") {
		return nil
	}
	key := r.Header.Get("X-Goog-Api-Key")
	if key == "" {
		key = r.URL.Query().Get("key")
	}
	switch {
	case key == "":
		return errorf(http.StatusForbidden,
			"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
	case !accepted(key):
		return errorf(http.StatusUnauthorized, "API key not valid. Please pass a valid API key.")
	}
	return nil
}

// WriteError implements core.Protocol: a *apiError as it is, anything
// else as a 500.
func (g *API) WriteError(w http.ResponseWriter, err error) {
	var ge *apiError
	if !errors.As(err, &ge) {
		ge = errorf(http.StatusInternalServerError, "%s", core.Failure(err))
	}
	writeError(w, ge)
}

// WriteFault implements core.Protocol: the wait of a 429 is a RetryInfo
// detail, not a Retry-After header.
func (g *API) WriteFault(w http.ResponseWriter, f core.Fault) {
	e := errorf(f.Status, "%s (Emulated server fault.)", statusMessage(f.Status))
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		e.details = []any{retryInfo{Type: retryInfoType, RetryDelay: "1s"}}
	}
	writeError(w, e)
}

// apiError is an error answered with a Google error body.
type apiError struct {
	code    int
	status  string // the google.rpc.Code name; derived from code when empty
	message string
	details []any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.message) }

// errorf returns the error answered with HTTP status code.
func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// precondition is the error of a call the resource's state forbids.
func precondition(format string, args ...any) *apiError {
	e := errorf(http.StatusBadRequest, format, args...)
	e.status = "FAILED_PRECONDITION"
	return e
}

// writeError sends e as {"error":{"code","message","status","details"}}.
func writeError(w http.ResponseWriter, e *apiError) {
	status := e.status
	if status == "" {
		status = statusName(e.code)
	}
	core.WriteJSON(w, e.code, ErrorBody{Error: rpcStatus{
		Code:    e.code,
		Message: e.message,
		Status:  status,
		Details: e.details,
	}})
}

// statusName is the google.rpc.Code name Google's APIs send with an
// HTTP status.
func statusName(code int) string {
	switch code {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "ABORTED"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case 499:
		return "CANCELLED"
	case http.StatusNotImplemented:
		return "UNIMPLEMENTED"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	if code >= 500 {
		return "INTERNAL"
	}
	return "FAILED_PRECONDITION"
}

// statusMessage is the message of an emulated answer with status code.
func statusMessage(code int) string {
	switch {
	case code == http.StatusTooManyRequests:
		return "Resource has been exhausted (e.g. check quota)."
	case code >= 500:
		return "An internal error has occurred."
	}
	return "The request was rejected."
}

// validID reports whether id can be the id of a stored resource:
// lowercase letters, digits and '-'.
func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range id {
		if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// newID returns a new id for a Gemini resource: lowercase letters and
// digits.
func newID() string { return strings.ToLower(core.NewID("")) }
