// Package xai is the emulator's xAI Batch API: a batch is opened empty
// with a name, requests are added to it, and it is polled, listed,
// cancelled and its results paged, under the REST paths of
// https://api.x.ai/v1 mounted at /xai/v1 (xAI's paths are OpenAI's paths
// with other bodies, so they cannot share /v1). The JSON follows the
// field names of xAI's proto (github.com/xai-org/xai-proto,
// proto/xai/api/v1/batch.proto; the official Python SDK ships it as
// src/xai_sdk/proto/v6/batch_pb2.pyi) in snake_case; see
// internal/providers/xai for the sources and what is UNCONFIRMED.
//
// Server faults: the create faults strike the call that adds requests
// (where a batch's work is created); opening an empty batch suffers
// none. get, list and cancel are as named; content strikes a page of
// results.
package xai

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// Prefix is where the xAI API is mounted: a client's base URL is the
// server's root followed by Prefix.
const Prefix = "/xai/v1"

// API serves the xAI Batch API from its directory under the state
// directory.
type API struct {
	host    *core.Host
	batches string // batch records (ID.json) and their requests (ID.requests)
}

// New opens the xAI API with its state under dir/xai.
func New(host *core.Host, dir string) (core.Protocol, error) {
	a := &API{host: host, batches: filepath.Join(dir, "xai", "batches")}
	if err := os.MkdirAll(a.batches, 0o700); err != nil {
		return nil, err
	}
	return a, nil
}

// Register adds the xAI routes to mux, behind the front door.
func (a *API) Register(mux *http.ServeMux) {
	d := a.host.Door(a)
	d.Handle(mux, "POST "+Prefix+"/batches", "", a.createBatch)
	d.Handle(mux, "GET "+Prefix+"/batches", core.OpList, a.listBatches)
	d.Handle(mux, "GET "+Prefix+"/batches/{id}", core.OpGet, a.getBatch)
	d.Handle(mux, "POST "+Prefix+"/batches/{id}/requests", core.OpCreate, a.addRequests)
	d.Handle(mux, "GET "+Prefix+"/batches/{id}/results", core.OpContent, a.batchResults)
	// POST /v1/batches/{id}:cancel: the verb is part of the last segment
	mux.HandleFunc("POST "+Prefix+"/batches/{id}", func(w http.ResponseWriter, r *http.Request) {
		op := ""
		if strings.HasSuffix(r.PathValue("id"), ":cancel") {
			op = core.OpCancel
		}
		d.Serve(w, r, op, a.cancelBatch)
	})
	d.Handle(mux, Prefix+"/", "", a.unknownRoute)
}

// RequestIDHeader implements core.Protocol (xAI's is not documented).
func (a *API) RequestIDHeader() string { return "X-Request-Id" }

// Authenticate implements core.Protocol: a bearer token.
func (a *API) Authenticate(r *http.Request, accepted func(string) bool) error {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return errorf(http.StatusUnauthorized, "No API key provided: send Authorization: Bearer <key>")
	}
	if !accepted(strings.TrimSpace(token)) {
		return errorf(http.StatusUnauthorized, "Incorrect API key provided")
	}
	return nil
}

// httpError is an error answer.
type httpError struct {
	status  int
	message string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

// errorf returns an error answered with status.
func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, message: fmt.Sprintf(format, args...)}
}

// errorBody is xAI's error answer {"code":...,"error":...}, the code
// being the gRPC status text of the HTTP status (UNCONFIRMED).
type errorBody struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// codeText is the code of an error answer with status.
func codeText(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Client specified an invalid argument"
	case http.StatusUnauthorized:
		return "The request does not have valid authentication credentials"
	case http.StatusNotFound:
		return "Some requested entity was not found"
	case http.StatusTooManyRequests:
		return "Some resource has been exhausted"
	}
	return "Internal error"
}

// WriteError implements core.Protocol.
func (a *API) WriteError(w http.ResponseWriter, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{status: http.StatusInternalServerError, message: core.Failure(err)}
	}
	core.WriteJSON(w, he.status, errorBody{Code: codeText(he.status), Error: he.message})
}

// WriteFault implements core.Protocol.
func (a *API) WriteFault(w http.ResponseWriter, f core.Fault) {
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	core.WriteJSON(w, f.Status, errorBody{Code: codeText(f.Status), Error: "emulated server fault"})
}

func (a *API) unknownRoute(_ http.ResponseWriter, r *http.Request) error {
	return errorf(http.StatusNotFound, "Not found: %s %s", r.Method, r.URL.Path)
}
