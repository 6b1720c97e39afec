package emulator

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
)

// anthropicAPI serves the Anthropic Message Batches protocol from its
// directory under the state directory.
type anthropicAPI struct {
	s       *Server
	batches string // batch records (ID.json) and their companions
}

func newAnthropic(s *Server, dir string) (*anthropicAPI, error) {
	a := &anthropicAPI{s: s, batches: filepath.Join(dir, "anthropic", "batches")}
	if err := os.MkdirAll(a.batches, 0o700); err != nil {
		return nil, err
	}
	return a, nil
}

// register adds the Anthropic routes to mux.
func (a *anthropicAPI) register(mux *http.ServeMux) {
	a.handle(mux, "POST /v1/messages/batches", opCreate, a.createBatch)
	a.handle(mux, "GET /v1/messages/batches", opList, a.listBatches)
	a.handle(mux, "GET /v1/messages/batches/{id}", opGet, a.getBatch)
	a.handle(mux, "DELETE /v1/messages/batches/{id}", opDelete, a.deleteBatch)
	a.handle(mux, "POST /v1/messages/batches/{id}/cancel", opCancel, a.cancelBatch)
	a.handle(mux, "GET /v1/messages/batches/{id}/results", opContent, a.batchResults)
	a.handle(mux, "/v1/messages/", "", a.unknownRoute)
}

// handle registers h for pattern behind the header checks and the server
// faults of op. An error h returns is sent as an Anthropic error: an
// *anthropicHTTPError as it is, anything else as a 500.
func (a *anthropicAPI) handle(mux *http.ServeMux, pattern, op string, h func(http.ResponseWriter, *http.Request) error) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		requestID := newID("req_")
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
					body:   anthropicErrorBody{Type: anthAPIError, Message: "The emulator failed: " + err.Error()},
				}
			}
			writeAnthropicError(w, he.status, he.body, requestID)
		}
		if f, ok := a.s.faults.next(op); ok {
			a.s.faults.serveFault(w, r, f, serve, func(w http.ResponseWriter, f Fault) { a.injectFault(w, f, requestID) })
			return
		}
		serve(w, r)
		a.s.faults.served(op)
	})
}

// checkHeaders checks the API key (x-api-key) and requires an
// anthropic-version header, as the API does.
func (a *anthropicAPI) checkHeaders(r *http.Request) *anthropicHTTPError {
	key := r.Header.Get("X-Api-Key")
	switch {
	case key == "":
		return &anthropicHTTPError{status: http.StatusUnauthorized, body: anthropicErrorBody{Type: anthAuthentication, Message: "x-api-key header is required"}}
	case !a.s.keyAccepted(key):
		return &anthropicHTTPError{status: http.StatusUnauthorized, body: anthropicErrorBody{Type: anthAuthentication, Message: "invalid x-api-key"}}
	case r.Header.Get("Anthropic-Version") == "":
		return &anthropicHTTPError{status: http.StatusBadRequest, body: anthropicErrorBody{Type: anthInvalidRequest, Message: "anthropic-version: header is required"}}
	}
	return nil
}

// injectFault answers with a server fault: a dropped connection, or an
// error of the fault's status (a 429 with Retry-After: 1).
func (a *anthropicAPI) injectFault(w http.ResponseWriter, f Fault, requestID string) {
	if f.Status == 0 {
		dropConnection(w)
		return
	}
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	errType := anthropicErrorType(f.Status)
	writeAnthropicError(w, f.Status, anthropicErrorBody{Type: errType, Message: anthropicDefaultMessage(errType) + " (emulated server fault)"}, requestID)
}

func (a *anthropicAPI) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return anthropicErrorf(http.StatusNotFound, "Not found: %s %s", r.Method, r.URL.Path)
}
