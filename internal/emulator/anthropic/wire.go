package anthropic

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// This file holds the Anthropic wire types: objects as the Message Batches
// API returns them, with its key order, and null where it sends null.

// The error types of the Anthropic API.
const (
	errInvalidRequest  = "invalid_request_error"
	errAuthentication  = "authentication_error"
	errBilling         = "billing_error"
	errPermission      = "permission_error"
	errNotFound        = "not_found_error"
	errRequestTooLarge = "request_too_large"
	errRateLimit       = "rate_limit_error"
	errAPI             = "api_error"
	errTimeout         = "timeout_error"
	errOverloaded      = "overloaded_error"
)

const (
	// statusOverloaded is the status of an overloaded_error.
	statusOverloaded = 529
	// timeLayout is how the API writes timestamps: RFC 3339 in
	// UTC with microseconds.
	timeLayout  = "2006-01-02T15:04:05.000000Z07:00"
	batchPrefix = "msgbatch_"
)

// errorType returns the error type the API answers status with.
func errorType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return errInvalidRequest
	case http.StatusUnauthorized:
		return errAuthentication
	case http.StatusPaymentRequired:
		return errBilling
	case http.StatusForbidden:
		return errPermission
	case http.StatusNotFound:
		return errNotFound
	case http.StatusRequestEntityTooLarge:
		return errRequestTooLarge
	case http.StatusTooManyRequests:
		return errRateLimit
	case http.StatusGatewayTimeout:
		return errTimeout
	case statusOverloaded:
		return errOverloaded
	}
	if status >= 500 {
		return errAPI
	}
	return errInvalidRequest
}

// defaultMessage is the message the API's specification gives
// each error type by default.
func defaultMessage(errType string) string {
	switch errType {
	case errAuthentication:
		return "Authentication error"
	case errBilling:
		return "Billing error"
	case errPermission:
		return "Permission denied"
	case errNotFound:
		return "Not found"
	case errRequestTooLarge:
		return "Request too large"
	case errRateLimit:
		return "Rate limited"
	case errAPI:
		return "Internal server error"
	case errTimeout:
		return "Request timeout"
	case errOverloaded:
		return "Overloaded"
	}
	return "Invalid request"
}

// ErrorResponse is the body of an error answer, and the error of
// an errored result.
type ErrorResponse struct {
	Type      string    `json:"type"`
	Error     ErrorBody `json:"error"`
	RequestID *string   `json:"request_id"`
}

type ErrorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// httpError is an error answered with an Anthropic error body.
type httpError struct {
	status int
	body   ErrorBody
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.body.Message) }

// errorf returns the error answered with status, of the type the
// API gives that status.
func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, body: ErrorBody{Type: errorType(status), Message: fmt.Sprintf(format, args...)}}
}

// writeError sends an error answer, with the request id the front
// door gave it.
func writeError(w http.ResponseWriter, status int, e ErrorBody) {
	requestID := w.Header().Get(requestIDHeader)
	core.WriteJSON(w, status, ErrorResponse{Type: "error", Error: e, RequestID: &requestID})
}

// BatchObject is the MessageBatch object.
type BatchObject struct {
	ID                string      `json:"id"`
	Type              string      `json:"type"`
	ProcessingStatus  string      `json:"processing_status"`
	RequestCounts     BatchCounts `json:"request_counts"`
	EndedAt           *string     `json:"ended_at"`
	CreatedAt         string      `json:"created_at"`
	ExpiresAt         string      `json:"expires_at"`
	ArchivedAt        *string     `json:"archived_at"`
	CancelInitiatedAt *string     `json:"cancel_initiated_at"`
	ResultsURL        *string     `json:"results_url"`
}

type BatchCounts struct {
	Processing int64 `json:"processing"`
	Succeeded  int64 `json:"succeeded"`
	Errored    int64 `json:"errored"`
	Canceled   int64 `json:"canceled"`
	Expired    int64 `json:"expired"`
}

// timestamp formats t as the API does.
func timestamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// timestampPtr formats t as a nullable timestamp: nil when t is zero.
func timestampPtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timestamp(t)
	return &s
}

// BatchList is a page of GET /v1/messages/batches.
type BatchList struct {
	Data    []BatchObject `json:"data"`
	HasMore bool          `json:"has_more"`
	FirstID *string       `json:"first_id"`
	LastID  *string       `json:"last_id"`
}

type batchDeleted struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// The result types of a results line.
const (
	resultTypeSucceeded = "succeeded"
	resultTypeErrored   = "errored"
	resultTypeCanceled  = "canceled"
	resultTypeExpired   = "expired"
)

// batchResult is one line of a batch's results.
type batchResult struct {
	CustomID string `json:"custom_id"`
	Result   any    `json:"result"`
}

type succeededResult struct {
	Type    string  `json:"type"`
	Message message `json:"message"`
}

type erroredResult struct {
	Type  string        `json:"type"`
	Error ErrorResponse `json:"error"`
}

// bareResult is a canceled or expired result.
type bareResult struct {
	Type string `json:"type"`
}

// message is the Message a request is answered with. diagnostics,
// usage.output_tokens_details and usage.speed are not in
// specs/anthropic-openapi.json but are required members of the official
// TypeScript SDK's Message and Usage (@anthropic-ai/sdk 1.17.0,
// resources/messages/messages.d.ts; each nullable): they are null, as the
// emulator knows none of them.
type message struct {
	ID           string       `json:"id"`
	Type         string       `json:"type"`
	Role         string       `json:"role"`
	Model        string       `json:"model"`
	Content      []any        `json:"content"` // textBlock or toolUseBlock
	StopReason   string       `json:"stop_reason"`
	StopSequence *string      `json:"stop_sequence"`
	StopDetails  *struct{}    `json:"stop_details"`
	Usage        messageUsage `json:"usage"`
	Container    *struct{}    `json:"container"`
	Diagnostics  *struct{}    `json:"diagnostics"`
}

type textBlock struct {
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	Citations *[]string `json:"citations"`
}

// toolUseBlock is a tool call of an answer.
type toolUseBlock struct {
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type messageUsage struct {
	InputTokens              int64         `json:"input_tokens"`
	CacheCreationInputTokens int64         `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64         `json:"cache_read_input_tokens"`
	CacheCreation            cacheCreation `json:"cache_creation"`
	OutputTokens             int64         `json:"output_tokens"`
	OutputTokensDetails      *struct{}     `json:"output_tokens_details"`
	ServerToolUse            *struct{}     `json:"server_tool_use"`
	ServiceTier              string        `json:"service_tier"`
	InferenceGeo             *string       `json:"inference_geo"`
	Speed                    *string       `json:"speed"`
}

type cacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}
