package anthropic

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// API serves the Anthropic Message Batches protocol from its
// directory under the state directory.
type API struct {
	host    *core.Host
	batches string // batch records (ID.json) and their companions
	// queue enforces the limit on requests in the processing queue; nil
	// when none is set.
	queue *core.Queue
}

// New opens the Anthropic API with its state under dir/anthropic.
func New(host *core.Host, dir string) (core.Protocol, error) {
	a := &API{host: host, batches: filepath.Join(dir, "anthropic", "batches")}
	if err := os.MkdirAll(a.batches, 0o700); err != nil {
		return nil, err
	}
	a.queue = host.Queue("anthropic", filepath.Join(dir, "anthropic"), core.QueueRequests, core.GoneOrEnded(a.loadTimeline))
	return a, nil
}

// Register adds the Anthropic routes to mux, behind the front door.
func (a *API) Register(mux *http.ServeMux) {
	d := a.host.Door(a)
	d.Handle(mux, "POST /v1/messages", core.OpSend, a.sendMessage)
	d.Handle(mux, "POST /v1/messages/batches", core.OpCreate, a.createBatch)
	d.Handle(mux, "GET /v1/messages/batches", core.OpList, a.listBatches)
	d.Handle(mux, "GET /v1/messages/batches/{id}", core.OpGet, a.getBatch)
	d.Handle(mux, "DELETE /v1/messages/batches/{id}", core.OpDelete, a.deleteBatch)
	d.Handle(mux, "POST /v1/messages/batches/{id}/cancel", core.OpCancel, a.cancelBatch)
	d.Handle(mux, "GET /v1/messages/batches/{id}/results", core.OpContent, a.batchResults)
	d.Handle(mux, "POST /v1/messages/count_tokens", "", a.countTokens)
	d.Handle(mux, "/v1/messages/", "", a.unknownRoute)
}

// requestIDHeader carries the request id, which error bodies repeat.
const requestIDHeader = "Request-Id"

// RequestIDHeader implements core.Protocol.
func (a *API) RequestIDHeader() string { return requestIDHeader }

// Authenticate implements core.Protocol: it checks the API key, from
// x-api-key or else a bearer token, and requires an anthropic-version
// header, as the API does. The bearer form is the only one the official
// TypeScript SDK sends: @anthropic-ai/sdk 1.17.0, client.js apiKeyAuth and
// bearerAuth both set "Authorization: Bearer <key>".
func (a *API) Authenticate(r *http.Request, accepted func(string) bool) error {
	key := r.Header.Get("X-Api-Key")
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && key == "" && strings.EqualFold(scheme, "Bearer") {
		key = strings.TrimSpace(token)
	}
	switch {
	case key == "":
		return &httpError{status: http.StatusUnauthorized, body: ErrorBody{Type: errAuthentication, Message: "x-api-key header is required"}}
	case !accepted(key):
		return &httpError{status: http.StatusUnauthorized, body: ErrorBody{Type: errAuthentication, Message: "invalid x-api-key"}}
	case r.Header.Get("Anthropic-Version") == "":
		return &httpError{status: http.StatusBadRequest, body: ErrorBody{Type: errInvalidRequest, Message: "anthropic-version: header is required"}}
	}
	return nil
}

// WriteError implements core.Protocol: an *httpError as it is,
// anything else as a 500.
func (a *API) WriteError(w http.ResponseWriter, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{
			status: http.StatusInternalServerError,
			body:   ErrorBody{Type: errAPI, Message: core.Failure(err)},
		}
	}
	writeError(w, he.status, he.body)
}

// WriteFault implements core.Protocol: an error of the fault's status,
// typed as the API types it.
func (a *API) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	errType := errorType(f.Status)
	writeError(w, f.Status, ErrorBody{Type: errType, Message: defaultMessage(errType) + " (emulated server fault)"})
}

func (a *API) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Not found: %s %s", r.Method, r.URL.Path)
}
