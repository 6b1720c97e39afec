package vertex

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// apiError is an error answered with a Google error body,
// {"error":{"code","message","status","errors"?,"details"?}}
// (https://cloud.google.com/apis/design/errors#http_mapping; Cloud
// Storage adds "errors":[{"message","domain","reason"}],
// https://cloud.google.com/storage/docs/json_api/v1/status-codes).
type apiError struct {
	code    int
	status  string // the google.rpc.Code name; from code when empty
	reason  string // Cloud Storage's reason, "" for Vertex AI
	message string
	retry   bool // a google.rpc.RetryInfo detail asks for a one-second wait
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.message) }

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// invalid is the error of a malformed call.
func invalid(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}

// statusNames are the google.rpc.Code names Google's APIs send with an
// HTTP status (google/rpc/code.proto).
var statusNames = map[int]string{
	http.StatusBadRequest: "INVALID_ARGUMENT", http.StatusUnauthorized: "UNAUTHENTICATED",
	http.StatusForbidden: "PERMISSION_DENIED", http.StatusNotFound: "NOT_FOUND",
	http.StatusConflict: "ALREADY_EXISTS", http.StatusTooManyRequests: "RESOURCE_EXHAUSTED",
	http.StatusNotImplemented: "UNIMPLEMENTED", http.StatusServiceUnavailable: "UNAVAILABLE",
	http.StatusGatewayTimeout: "DEADLINE_EXCEEDED",
}

// writeError answers e.
func writeError(w http.ResponseWriter, e *apiError) {
	status := e.status
	if status == "" {
		status = statusNames[e.code]
	}
	if status == "" {
		status = "INTERNAL"
	}
	body := map[string]any{"code": e.code, "message": e.message, "status": status}
	if e.reason != "" {
		body["errors"] = []map[string]string{{"message": e.message, "domain": "global", "reason": e.reason}}
	}
	if e.retry {
		body["details"] = []map[string]string{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}}
	}
	if e.code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)
	}
	core.WriteJSON(w, e.code, map[string]any{"error": body})
}

// faultError is the error answering a server fault: 429
// RESOURCE_EXHAUSTED naming a wait unless bare, else the status's own.
func faultError(f core.Fault, reason string) *apiError {
	e := errorf(f.Status, "%s (Emulated server fault.)", strings.TrimSpace(http.StatusText(f.Status)))
	e.reason = reason
	e.retry = f.Status == http.StatusTooManyRequests && !f.Bare
	return e
}
