package mistral

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// PathPrefix is where the emulator serves Mistral's API.
const PathPrefix = "/mistral"

// API serves the Mistral Files and Batch API from its directories under
// the state directory.
type API struct {
	host    *core.Host
	files   string // file records (ID.json) and contents (ID.data)
	batches string // job records (ID.json) and their companions
}

// New opens the Mistral API with its state under root/mistral.
func New(host *core.Host, root string) (core.Protocol, error) {
	a := &API{
		host:    host,
		files:   filepath.Join(root, "mistral", "files"),
		batches: filepath.Join(root, "mistral", "batches"),
	}
	for _, dir := range []string{a.files, a.batches} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Register adds the Mistral routes to mux, behind the front door.
func (a *API) Register(mux *http.ServeMux) {
	d := a.host.Door(a)
	d.Handle(mux, "POST "+PathPrefix+"/v1/files", core.OpUpload, a.uploadFile)
	d.Handle(mux, "GET "+PathPrefix+"/v1/files/{id}/content", core.OpContent, a.fileContent)
	d.Handle(mux, "POST "+PathPrefix+"/v1/batch/jobs", core.OpCreate, a.createJob)
	d.Handle(mux, "GET "+PathPrefix+"/v1/batch/jobs", core.OpList, a.listJobs)
	d.Handle(mux, "GET "+PathPrefix+"/v1/batch/jobs/{id}", core.OpGet, a.getJob)
	d.Handle(mux, "POST "+PathPrefix+"/v1/batch/jobs/{id}/cancel", core.OpCancel, a.cancelJob)
	d.Handle(mux, PathPrefix+"/", "", a.unknownRoute)
}

// apiError is an error answer: {"object":"error","message":...,"type":...,
// "param":...,"code":...} (UNCONFIRMED, see the package documentation).
type apiError struct {
	Object  string  `json:"object"`
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// httpError is an error answered with an apiError.
type httpError struct {
	status int
	body   apiError
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.body.Message) }

// The error types the emulator answers with.
const (
	errInvalidRequest = "invalid_request_error"
	errNotFound       = "not_found_error"
	errUnauthorized   = "unauthorized"
	errRateLimit      = "rate_limit_error"
	errServer         = "internal_server_error"
)

// errorf is an error answer of status whose type goes with it.
func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, body: apiError{
		Object:  "error",
		Message: fmt.Sprintf(format, args...),
		Type:    errorType(status),
	}}
}

// errorType is the error type of an HTTP status.
func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return errUnauthorized
	case status == http.StatusNotFound:
		return errNotFound
	case status == http.StatusTooManyRequests:
		return errRateLimit
	case status >= 500:
		return errServer
	}
	return errInvalidRequest
}

// RequestIDHeader implements core.Protocol: Mistral's answers name no
// request id the SDKs read.
func (a *API) RequestIDHeader() string { return "" }

// Authenticate implements core.Protocol: the key is a bearer token.
func (a *API) Authenticate(r *http.Request, accepted func(string) bool) error {
	var key string
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		key = strings.TrimSpace(token)
	}
	if key == "" || !accepted(key) {
		return errorf(http.StatusUnauthorized, "Unauthorized")
	}
	return nil
}

// WriteError implements core.Protocol: an *httpError as it is, anything
// else as a 500.
func (a *API) WriteError(w http.ResponseWriter, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = errorf(http.StatusInternalServerError, "%s", core.Failure(err)).(*httpError)
	}
	core.WriteJSON(w, he.status, he.body)
}

// WriteFault implements core.Protocol.
func (a *API) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	a.WriteError(w, errorf(f.Status, "%s (Emulated server fault.)", cmp.Or(http.StatusText(f.Status), "Error")))
}

func (a *API) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Not Found (%s %s)", r.Method, r.URL.Path)
}

// maxRequestBody bounds the JSON body of a job's creation, which may hold
// its requests inline.
const maxRequestBody = 64 << 20

// decodeRequest decodes the JSON body of r into v.
func decodeRequest(w http.ResponseWriter, r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody)).Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errorf(http.StatusUnprocessableEntity, "%s: Input should be %s", te.Field, core.JSONTypeName(te.Type))
		}
		return errorf(http.StatusBadRequest, "Invalid JSON body")
	}
	return nil
}

// newUUID returns a random version 4 UUID, the shape of Mistral's file
// and job ids.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
