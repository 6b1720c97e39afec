package anthropic

import (
	"fmt"
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// This file holds the Anthropic wire types: objects as the Message Batches
// API returns them, with its key order, and null where it sends null.

// The error types of the Anthropic API.
const (
	anthInvalidRequest  = "invalid_request_error"
	anthAuthentication  = "authentication_error"
	anthBilling         = "billing_error"
	anthPermission      = "permission_error"
	anthNotFound        = "not_found_error"
	anthRequestTooLarge = "request_too_large"
	anthRateLimit       = "rate_limit_error"
	anthAPIError        = "api_error"
	anthTimeout         = "timeout_error"
	anthOverloaded      = "overloaded_error"
)

const (
	// statusOverloaded is the status of an overloaded_error.
	statusOverloaded = 529
	// anthropicTimeLayout is how the API writes timestamps: RFC 3339 in
	// UTC with microseconds.
	anthropicTimeLayout  = "2006-01-02T15:04:05.000000Z07:00"
	anthropicBatchPrefix = "msgbatch_"
)

// anthropicErrorType returns the error type the API answers status with.
func anthropicErrorType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return anthInvalidRequest
	case http.StatusUnauthorized:
		return anthAuthentication
	case http.StatusPaymentRequired:
		return anthBilling
	case http.StatusForbidden:
		return anthPermission
	case http.StatusNotFound:
		return anthNotFound
	case http.StatusRequestEntityTooLarge:
		return anthRequestTooLarge
	case http.StatusTooManyRequests:
		return anthRateLimit
	case http.StatusGatewayTimeout:
		return anthTimeout
	case statusOverloaded:
		return anthOverloaded
	}
	if status >= 500 {
		return anthAPIError
	}
	return anthInvalidRequest
}

// anthropicDefaultMessage is the message the API's specification gives
// each error type by default.
func anthropicDefaultMessage(errType string) string {
	switch errType {
	case anthAuthentication:
		return "Authentication error"
	case anthBilling:
		return "Billing error"
	case anthPermission:
		return "Permission denied"
	case anthNotFound:
		return "Not found"
	case anthRequestTooLarge:
		return "Request too large"
	case anthRateLimit:
		return "Rate limited"
	case anthAPIError:
		return "Internal server error"
	case anthTimeout:
		return "Request timeout"
	case anthOverloaded:
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

// anthropicHTTPError is an error answered with an Anthropic error body.
type anthropicHTTPError struct {
	status int
	body   ErrorBody
}

func (e *anthropicHTTPError) Error() string { return fmt.Sprintf("%d %s", e.status, e.body.Message) }

// anthropicErrorf returns the error answered with status, of the type the
// API gives that status.
func anthropicErrorf(status int, format string, args ...any) error {
	return &anthropicHTTPError{status: status, body: ErrorBody{Type: anthropicErrorType(status), Message: fmt.Sprintf(format, args...)}}
}

// writeAnthropicError sends an error answer, with the request id the front
// door gave it.
func writeAnthropicError(w http.ResponseWriter, status int, e ErrorBody) {
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

// anthropicTime formats t as the API does.
func anthropicTime(t time.Time) string { return t.UTC().Format(anthropicTimeLayout) }

// anthropicTimePtr formats t as a nullable timestamp: nil when t is zero.
func anthropicTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := anthropicTime(t)
	return &s
}

// BatchList is a page of GET /v1/messages/batches.
type BatchList struct {
	Data    []BatchObject `json:"data"`
	HasMore bool          `json:"has_more"`
	FirstID *string       `json:"first_id"`
	LastID  *string       `json:"last_id"`
}

type messageBatchDeleted struct {
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

// messageBatchResult is one line of a batch's results.
type messageBatchResult struct {
	CustomID string `json:"custom_id"`
	Result   any    `json:"result"`
}

type succeededResult struct {
	Type    string           `json:"type"`
	Message anthropicMessage `json:"message"`
}

type erroredResult struct {
	Type  string        `json:"type"`
	Error ErrorResponse `json:"error"`
}

// bareResult is a canceled or expired result.
type bareResult struct {
	Type string `json:"type"`
}

// anthropicMessage is the Message a request is answered with.
type anthropicMessage struct {
	ID           string               `json:"id"`
	Type         string               `json:"type"`
	Role         string               `json:"role"`
	Model        string               `json:"model"`
	Content      []anthropicTextBlock `json:"content"`
	StopReason   string               `json:"stop_reason"`
	StopSequence *string              `json:"stop_sequence"`
	StopDetails  *struct{}            `json:"stop_details"`
	Usage        anthropicUsage       `json:"usage"`
	Container    *struct{}            `json:"container"`
}

type anthropicTextBlock struct {
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	Citations *[]string `json:"citations"`
}

type anthropicUsage struct {
	InputTokens              int64                  `json:"input_tokens"`
	CacheCreationInputTokens int64                  `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64                  `json:"cache_read_input_tokens"`
	CacheCreation            anthropicCacheCreation `json:"cache_creation"`
	OutputTokens             int64                  `json:"output_tokens"`
	ServerToolUse            *struct{}              `json:"server_tool_use"`
	ServiceTier              string                 `json:"service_tier"`
	InferenceGeo             *string                `json:"inference_geo"`
}

type anthropicCacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}
