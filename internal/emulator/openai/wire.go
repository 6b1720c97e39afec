package openai

import (
	"fmt"
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// This file holds the OpenAI wire types: objects as the API returns them,
// with the real key order, and null where the API sends null.

// apiError is the body of an OpenAI error: {"error":{...}}.
type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

type errorBody struct {
	Error *apiError `json:"error"`
}

// The error types of the OpenAI API.
const (
	errInvalidRequest = "invalid_request_error"
	errServer         = "server_error"
	errRateLimit      = "requests"
)

func invalidRequest(param, code, format string, args ...any) *apiError {
	e := &apiError{Message: fmt.Sprintf(format, args...), Type: errInvalidRequest}
	if param != "" {
		e.Param = &param
	}
	if code != "" {
		e.Code = &code
	}
	return e
}

func missingParam(param string) *apiError {
	return invalidRequest(param, "missing_required_parameter", "Missing required parameter: '%s'.", param)
}

func invalidType(param, want string) *apiError {
	return invalidRequest(param, "invalid_type", "Invalid type for '%s': expected %s.", param, want)
}

// statusError returns the error body the API sends with an HTTP status
// (used for emulated faults).
func statusError(status int, detail string) *apiError {
	switch {
	case status == http.StatusTooManyRequests:
		return &apiError{
			Message: "Rate limit reached for requests. " + detail,
			Type:    errRateLimit,
			Code:    core.StrPtr("rate_limit_exceeded"),
		}
	case status >= 500:
		return &apiError{
			Message: "The server had an error while processing your request. " + detail,
			Type:    errServer,
		}
	}
	return &apiError{Message: "The request was rejected. " + detail, Type: errInvalidRequest}
}

// writeAPIError sends an OpenAI error response.
func writeAPIError(w http.ResponseWriter, status int, e *apiError) {
	core.WriteJSON(w, status, errorBody{Error: e})
}

// FileObject is the OpenAI File object.
type FileObject struct {
	ID            string  `json:"id"`
	Object        string  `json:"object"`
	Bytes         int64   `json:"bytes"`
	CreatedAt     int64   `json:"created_at"`
	ExpiresAt     *int64  `json:"expires_at"`
	Filename      string  `json:"filename"`
	Purpose       string  `json:"purpose"`
	Status        string  `json:"status"`
	StatusDetails *string `json:"status_details"`
}

type fileDeleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// BatchObject is the OpenAI Batch object.
type BatchObject struct {
	ID               string            `json:"id"`
	Object           string            `json:"object"`
	Endpoint         string            `json:"endpoint"`
	Model            string            `json:"model,omitempty"`
	Errors           *batchErrors      `json:"errors"`
	InputFileID      string            `json:"input_file_id"`
	CompletionWindow string            `json:"completion_window"`
	Status           string            `json:"status"`
	OutputFileID     *string           `json:"output_file_id"`
	ErrorFileID      *string           `json:"error_file_id"`
	CreatedAt        int64             `json:"created_at"`
	InProgressAt     *int64            `json:"in_progress_at"`
	ExpiresAt        *int64            `json:"expires_at"`
	FinalizingAt     *int64            `json:"finalizing_at"`
	CompletedAt      *int64            `json:"completed_at"`
	FailedAt         *int64            `json:"failed_at"`
	ExpiredAt        *int64            `json:"expired_at"`
	CancellingAt     *int64            `json:"cancelling_at"`
	CancelledAt      *int64            `json:"cancelled_at"`
	RequestCounts    RequestCounts     `json:"request_counts"`
	Usage            tokenUsage        `json:"usage"`
	Metadata         map[string]string `json:"metadata"`
}

type batchErrors struct {
	Object string      `json:"object"`
	Data   []lineError `json:"data"`
}

// lineError is one batch validation error (the spec's BatchError).
type lineError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Param   *string `json:"param"`
	Line    *int    `json:"line"`
}

type RequestCounts struct {
	Total     int64 `json:"total"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
}

// tokenUsage is the usage object of batches and responses: the Batch
// object's usage in openapi.yaml (input_tokens, input_tokens_details
// .cached_tokens, output_tokens, output_tokens_details.reasoning_tokens,
// total_tokens, all required) and openai-go's BatchUsage; cached_tokens
// are those the requests read from the emulator's prompt cache (cache.go).
type tokenUsage struct {
	InputTokens         int64               `json:"input_tokens"`
	InputTokensDetails  inputTokensDetails  `json:"input_tokens_details"`
	OutputTokens        int64               `json:"output_tokens"`
	OutputTokensDetails outputTokensDetails `json:"output_tokens_details"`
	TotalTokens         int64               `json:"total_tokens"`
}

// newTokenUsage is the usage of the requests of tally t, reasoning of
// their output tokens spent reasoning.
func newTokenUsage(t core.Tally, reasoning int64) tokenUsage {
	return tokenUsage{InputTokens: t.InputTokens, OutputTokens: t.OutputTokens, TotalTokens: t.InputTokens + t.OutputTokens,
		InputTokensDetails:  inputTokensDetails{CachedTokens: t.CachedTokens},
		OutputTokensDetails: outputTokensDetails{ReasoningTokens: reasoning}}
}

type inputTokensDetails struct {
	CachedTokens int64 `json:"cached_tokens"`
}

type outputTokensDetails struct {
	ReasoningTokens int64 `json:"reasoning_tokens"`
}

// ListPage is a cursor-paginated list.
type ListPage[T any] struct {
	Object  string  `json:"object"`
	Data    []T     `json:"data"`
	FirstID *string `json:"first_id"`
	LastID  *string `json:"last_id"`
	HasMore bool    `json:"has_more"`
}

// outputLine is one line of a batch output or error file.
type outputLine struct {
	ID       string         `json:"id"`
	CustomID string         `json:"custom_id"`
	Response *lineResponse  `json:"response"`
	Error    *requestFailed `json:"error"`
}

type lineResponse struct {
	StatusCode int    `json:"status_code"`
	RequestID  string `json:"request_id"`
	Body       any    `json:"body"`
}

// requestFailed is the error of a request that failed without an HTTP
// answer.
type requestFailed struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
