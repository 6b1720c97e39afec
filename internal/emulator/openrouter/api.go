package openrouter

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// Prefix is where the API hangs off the server's root, as off
// https://openrouter.ai.
const Prefix = "/api/beta"

// API serves OpenRouter's Batch API from its directory under the state
// directory.
type API struct {
	host    *core.Host
	batches string // batch records (ID.json) and their companions
}

// New opens the OpenRouter API with its state under dir/openrouter.
func New(host *core.Host, dir string) (core.Protocol, error) {
	a := &API{host: host, batches: filepath.Join(dir, "openrouter", "batches")}
	if err := os.MkdirAll(a.batches, 0o700); err != nil {
		return nil, err
	}
	return a, nil
}

// Register adds the OpenRouter routes to mux, behind the front door.
func (a *API) Register(mux *http.ServeMux) {
	d := a.host.Door(a)
	d.Handle(mux, "POST "+Prefix+"/batches", core.OpCreate, a.createBatch)
	d.Handle(mux, "GET "+Prefix+"/batches", core.OpList, a.listBatches)
	d.Handle(mux, "GET "+Prefix+"/batches/{id}", core.OpGet, a.getBatch)
	d.Handle(mux, "DELETE "+Prefix+"/batches/{id}", core.OpDelete, a.deleteBatch)
	d.Handle(mux, "POST "+Prefix+"/batches/{id}/cancel", core.OpCancel, a.cancelBatch)
	d.Handle(mux, Prefix+"/", "", a.unknownRoute)
}

// requestIDHeader carries the request id.
const requestIDHeader = "X-Request-Id"

// RequestIDHeader implements core.Protocol.
func (a *API) RequestIDHeader() string { return requestIDHeader }

// Authenticate implements core.Protocol: the key is a bearer token.
func (a *API) Authenticate(r *http.Request, accepted func(string) bool) error {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	key := strings.TrimSpace(token)
	switch {
	case !ok || !strings.EqualFold(scheme, "Bearer") || key == "":
		return errorf(http.StatusUnauthorized, "No auth credentials found")
	case !accepted(key):
		return errorf(http.StatusUnauthorized, "User not found.")
	}
	return nil
}

// WriteError implements core.Protocol: an *httpError as it is, anything
// else as a 500.
func (a *API) WriteError(w http.ResponseWriter, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{status: http.StatusInternalServerError, message: core.Failure(err)}
	}
	writeError(w, he.status, he.message)
}

// WriteFault implements core.Protocol: an error of the fault's status.
func (a *API) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	writeError(w, f.Status, http.StatusText(f.Status)+" (emulated server fault)")
}

func (a *API) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Not found: %s %s", r.Method, r.URL.Path)
}
