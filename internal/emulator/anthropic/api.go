package anthropic

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// API serves the Anthropic Message Batches protocol from its
// directory under the state directory.
type API struct {
	host    *core.Host
	batches string // batch records (ID.json) and their companions
}

func New(host *core.Host, dir string) (*API, error) {
	a := &API{host: host, batches: filepath.Join(dir, "anthropic", "batches")}
	if err := os.MkdirAll(a.batches, 0o700); err != nil {
		return nil, err
	}
	return a, nil
}

// Register adds the Anthropic routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	a.handle(mux, "POST /v1/messages/batches", core.OpCreate, a.createBatch)
	a.handle(mux, "GET /v1/messages/batches", core.OpList, a.listBatches)
	a.handle(mux, "GET /v1/messages/batches/{id}", core.OpGet, a.getBatch)
	a.handle(mux, "DELETE /v1/messages/batches/{id}", core.OpDelete, a.deleteBatch)
	a.handle(mux, "POST /v1/messages/batches/{id}/cancel", core.OpCancel, a.cancelBatch)
	a.handle(mux, "GET /v1/messages/batches/{id}/results", core.OpContent, a.batchResults)
	a.handle(mux, "/v1/messages/", "", a.unknownRoute)
}

// handle registers h for pattern behind the header checks and the server
// faults of op. An error h returns is sent as an Anthropic error: an
// *anthropicHTTPError as it is, anything else as a 500.
func (a *API) handle(mux *http.ServeMux, pattern, op string, h func(http.ResponseWriter, *http.Request) error) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		requestID := core.NewID("req_")
		w.Header().Set("Request-Id", requestID)
		if e := a.checkHeaders(r); e != nil {
			writeAnthropicError(w, e.status, e.body, requestID)
			return
		}
		serve := func(w http.ResponseWriter, r *http.Request) {
			err := h(w, r)
			if err == nil {
				return
			}
			var he *anthropicHTTPError
			if !errors.As(err, &he) {
				he = &anthropicHTTPError{
					status: http.StatusInternalServerError,
					body:   ErrorBody{Type: anthAPIError, Message: "The emulator failed: " + err.Error()},
				}
			}
			writeAnthropicError(w, he.status, he.body, requestID)
		}
		if f, ok := a.host.NextFault(op); ok {
			core.ServeFault(w, r, f, serve, func(w http.ResponseWriter, f core.Fault) { a.injectFault(w, f, requestID) })
			return
		}
		serve(w, r)
	})
}

// checkHeaders checks the API key (x-api-key) and requires an
// anthropic-version header, as the API does.
func (a *API) checkHeaders(r *http.Request) *anthropicHTTPError {
	key := r.Header.Get("X-Api-Key")
	switch {
	case key == "":
		return &anthropicHTTPError{status: http.StatusUnauthorized, body: ErrorBody{Type: anthAuthentication, Message: "x-api-key header is required"}}
	case !a.host.KeyAccepted(key):
		return &anthropicHTTPError{status: http.StatusUnauthorized, body: ErrorBody{Type: anthAuthentication, Message: "invalid x-api-key"}}
	case r.Header.Get("Anthropic-Version") == "":
		return &anthropicHTTPError{status: http.StatusBadRequest, body: ErrorBody{Type: anthInvalidRequest, Message: "anthropic-version: header is required"}}
	}
	return nil
}

// injectFault answers with a server fault: a dropped connection, or an
// error of the fault's status (a 429 with Retry-After: 1).
func (a *API) injectFault(w http.ResponseWriter, f core.Fault, requestID string) {
	if f.Status == 0 {
		core.DropConnection(w)
		return
	}
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	errType := anthropicErrorType(f.Status)
	writeAnthropicError(w, f.Status, ErrorBody{Type: errType, Message: anthropicDefaultMessage(errType) + " (emulated server fault)"}, requestID)
}

func (a *API) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return anthropicErrorf(http.StatusNotFound, "Not found: %s %s", r.Method, r.URL.Path)
}
