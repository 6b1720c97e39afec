package openrouter

import (
	"fmt"
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// This file holds the wire types: objects as the Batch API returns them,
// with its key order, and null where it sends null.

const batchPrefix = "batch_"

// errorBody is the body of an error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// httpError is an error answered with an OpenRouter error body.
type httpError struct {
	status  int
	message string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

func errorf(status int, format string, args ...any) error {
	return &httpError{status: status, message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, status int, message string) {
	core.WriteJSON(w, status, errorBody{Error: errorDetail{Code: status, Message: message}})
}

// BatchObject is a batch without its results and error, which
// writeBatch appends (a completed batch's results are streamed).
type BatchObject struct {
	ID               string      `json:"id"`
	Object           string      `json:"object"`
	Endpoint         string      `json:"endpoint"`
	Model            string      `json:"model"`
	CompletionWindow string      `json:"completion_window"`
	Status           string      `json:"status"`
	CreatedAt        int64       `json:"created_at"`
	FinalizedAt      *int64      `json:"finalized_at"`
	ExpiresAt        *int64      `json:"expires_at"`
	Provider         *string     `json:"provider"`
	RequestCounts    BatchCounts `json:"request_counts"`
	Usage            *BatchUsage `json:"usage"`
	Error            *batchError `json:"error"`
}

// batchError says why a batch failed or expired [gosdk BatchObjectError].
type batchError struct {
	Message string `json:"message"`
}

// listItem is a batch as a list shows it: results always null [gosdk
// BatchListItem].
type listItem struct {
	BatchObject
	Results any `json:"results"`
}

type BatchCounts struct {
	Total     int64 `json:"total"`
	Completed int64 `json:"completed"`
	Failed    int64 `json:"failed"`
}

type BatchUsage struct {
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	TotalTokens      int64   `json:"total_tokens"`
	Cost             float64 `json:"cost"`
	IsBYOK           bool    `json:"is_byok"`
}

// BatchList is a page of GET /batches; its items omit results.
type BatchList struct {
	Object  string     `json:"object"`
	Data    []listItem `json:"data"`
	FirstID *string    `json:"first_id"`
	LastID  *string    `json:"last_id"`
	HasMore bool       `json:"has_more"`
}

// resultItem is one result of a completed batch: the response the
// request was answered with, or the error it failed with when it got no
// HTTP answer [gosdk Result, ResultError].
type resultItem struct {
	ID       string       `json:"id"`
	CustomID string       `json:"custom_id"`
	Response any          `json:"response"`
	Error    *resultError `json:"error"`
}

type resultError struct {
	Message string  `json:"message"`
	Param   *string `json:"param"`
	Type    string  `json:"type"`
}

type batchDeleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// statusOf is the status of a batch in phase p: OpenAI's names.
func statusOf(p core.Phase) string {
	switch p {
	case core.PhaseValidating:
		return "validating"
	case core.PhaseInProgress:
		return "in_progress"
	case core.PhaseFinalizing:
		return "finalizing"
	case core.PhaseCancelling:
		return "cancelling"
	case core.PhaseCompleted:
		return "completed"
	case core.PhaseFailed:
		return "failed"
	case core.PhaseExpired:
		return "expired"
	}
	return "cancelled"
}

func unixPtr(t int64) *int64 {
	if t == 0 {
		return nil
	}
	return &t
}
