package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// geminiAPI serves the Gemini Batch Mode protocol, and the part of the Files
// API it needs, from its directories under the state directory.
type geminiAPI struct {
	s       *Server
	files   string // file records (ID.json) and contents (ID.data)
	uploads string // upload sessions (ID.json) and the bytes received (ID.part)
	batches string // batch records (ID.json) and their companions
}

func newGemini(s *Server, dir string) (*geminiAPI, error) {
	root := filepath.Join(dir, "gemini")
	g := &geminiAPI{
		s:       s,
		files:   filepath.Join(root, "files"),
		uploads: filepath.Join(root, "uploads"),
		batches: filepath.Join(root, "batches"),
	}
	for _, d := range []string{g.files, g.uploads, g.batches} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// The path prefixes of the Gemini API.
const (
	geminiPrefix         = "/v1beta/"
	geminiUploadPath     = "/upload/v1beta/files"
	geminiDownloadPrefix = "/download/v1beta/files/"
)

// register adds the Gemini routes to mux. Resource names with a custom
// method ("models/x:batchGenerateContent", "batches/y:cancel") do not fit
// ServeMux wildcards, so the routes are matched here (geminiAPI.route).
func (g *geminiAPI) register(mux *http.ServeMux) {
	mux.HandleFunc(geminiPrefix, g.serve)
	mux.HandleFunc(geminiUploadPath, g.serve)
	mux.HandleFunc(geminiDownloadPrefix, g.serve)
}

// geminiHandler answers one route; an error it returns is sent as a Google
// error: a *geminiError as it is, anything else as a 500.
type geminiHandler func(http.ResponseWriter, *http.Request) error

// serve checks the API key, routes the request and applies the server
// faults of its operation.
func (g *geminiAPI) serve(w http.ResponseWriter, r *http.Request) {
	op, h, needsKey := g.route(r)
	if needsKey {
		if e := g.authenticate(r); e != nil {
			writeGeminiError(w, e)
			return
		}
	}
	handle := func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var ge *geminiError
		if !errors.As(err, &ge) {
			ge = geminiErr(http.StatusInternalServerError, "The emulator failed: %v", err)
		}
		writeGeminiError(w, ge)
	}
	if f, ok := g.s.faults.next(op); ok {
		g.s.faults.serveFault(w, r, f, handle, g.injectFault)
		return
	}
	handle(w, r)
	g.s.faults.served(op)
}

// route returns the handler of a request, the server-fault operation it
// counts as ("" for none) and whether it needs an API key: every call does
// except those to an upload session, whose URL is its own credential.
func (g *geminiAPI) route(r *http.Request) (op string, h geminiHandler, needsKey bool) {
	path := r.URL.Path
	switch {
	case path == geminiUploadPath:
		if r.URL.Query().Has("upload_id") {
			return g.sessionOp(r), g.onlyMethod(http.MethodPost, g.uploadSession), false
		}
		return "", g.onlyMethod(http.MethodPost, g.startUpload), true
	case strings.HasPrefix(path, geminiDownloadPrefix):
		id, method := splitCustomMethod(strings.TrimPrefix(path, geminiDownloadPrefix))
		if method == "download" {
			return opContent, g.onlyMethod(http.MethodGet, g.download(id)), true
		}
		return "", g.notFound, true
	case path == geminiPrefix+"batches":
		return opList, g.onlyMethod(http.MethodGet, g.listBatches), true
	}
	collection, rest, _ := strings.Cut(strings.TrimPrefix(path, geminiPrefix), "/")
	name, method := splitCustomMethod(rest)
	switch {
	case collection == "models" && (method == geminiGenerate || method == geminiEmbed):
		return opCreate, g.onlyMethod(http.MethodPost, g.createBatch(name, method)), true
	case collection == "batches" && method == "":
		switch r.Method {
		case http.MethodGet:
			return opGet, g.withBatch(name, g.getBatch), true
		case http.MethodDelete:
			return opDelete, g.withBatch(name, g.deleteBatch), true
		}
		return "", g.methodNotAllowed, true
	case collection == "batches" && method == "cancel":
		return opCancel, g.onlyMethod(http.MethodPost, g.withBatch(name, g.cancelBatch)), true
	case collection == "batches" && method == "delete":
		return opDelete, g.onlyMethod(http.MethodPost, g.withBatch(name, g.deleteBatch)), true
	case collection == "files" && method == "":
		switch r.Method {
		case http.MethodGet:
			return opGetFile, g.getFile(name), true
		case http.MethodDelete:
			return opDelete, g.deleteFile(name), true
		}
		return "", g.methodNotAllowed, true
	case collection == "files" && method == "download":
		return opContent, g.onlyMethod(http.MethodGet, g.download(name)), true
	}
	return "", g.notFound, true
}

// splitCustomMethod splits "name:method" at its last colon.
func splitCustomMethod(s string) (name, method string) {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// onlyMethod restricts h to one HTTP method.
func (g *geminiAPI) onlyMethod(method string, h geminiHandler) geminiHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method != method {
			return g.methodNotAllowed(w, r)
		}
		return h(w, r)
	}
}

func (g *geminiAPI) notFound(_ http.ResponseWriter, r *http.Request) error {
	return geminiErr(http.StatusNotFound, "The requested URL %s was not found on this server.", r.URL.Path)
}

func (g *geminiAPI) methodNotAllowed(_ http.ResponseWriter, r *http.Request) error {
	e := geminiErr(http.StatusMethodNotAllowed, "Method %s is not allowed for %s.", r.Method, r.URL.Path)
	e.status = "UNIMPLEMENTED"
	return e
}

// authenticate checks the request's API key, given in an x-goog-api-key
// header or a key query parameter.
func (g *geminiAPI) authenticate(r *http.Request) *geminiError {
	key := r.Header.Get("X-Goog-Api-Key")
	if key == "" {
		key = r.URL.Query().Get("key")
	}
	switch {
	case key == "":
		return geminiErr(http.StatusForbidden,
			"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
	case !g.s.keyAccepted(key):
		return geminiErr(http.StatusUnauthorized, "API key not valid. Please pass a valid API key.")
	}
	return nil
}

func (g *geminiAPI) injectFault(w http.ResponseWriter, f Fault) {
	if f.Status == 0 {
		dropConnection(w)
		return
	}
	e := geminiErr(f.Status, "%s (Emulated server fault.)", geminiStatusMessage(f.Status))
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		e.details = []any{geminiRetryInfo{Type: geminiRetryInfoType, RetryDelay: "1s"}}
	}
	writeGeminiError(w, e)
}

// geminiError is an error answered with a Google error body.
type geminiError struct {
	code    int
	status  string // the google.rpc.Code name; derived from code when empty
	message string
	details []any
}

func (e *geminiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.message) }

// geminiErr returns the error answered with HTTP status code.
func geminiErr(code int, format string, args ...any) *geminiError {
	return &geminiError{code: code, message: fmt.Sprintf(format, args...)}
}

// geminiPrecondition is the error of a call the resource's state forbids.
func geminiPrecondition(format string, args ...any) *geminiError {
	e := geminiErr(http.StatusBadRequest, format, args...)
	e.status = "FAILED_PRECONDITION"
	return e
}

// writeGeminiError sends e as {"error":{"code","message","status","details"}}.
func writeGeminiError(w http.ResponseWriter, e *geminiError) {
	status := e.status
	if status == "" {
		status = geminiStatusName(e.code)
	}
	writeJSON(w, e.code, geminiErrorBody{Error: geminiStatus{
		Code:    e.code,
		Message: e.message,
		Status:  status,
		Details: e.details,
	}})
}

// geminiStatusName is the google.rpc.Code name Google's APIs send with an
// HTTP status.
func geminiStatusName(code int) string {
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

// geminiStatusMessage is the message of an emulated answer with status code.
func geminiStatusMessage(code int) string {
	switch {
	case code == http.StatusTooManyRequests:
		return "Resource has been exhausted (e.g. check quota)."
	case code >= 500:
		return "An internal error has occurred."
	}
	return "The request was rejected."
}

// geminiValidID reports whether id can be the id of a stored resource:
// lowercase letters, digits and '-'.
func geminiValidID(id string) bool {
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

// newGeminiID returns a new id for a Gemini resource: lowercase letters and
// digits.
func newGeminiID() string { return strings.ToLower(newID("")) }
