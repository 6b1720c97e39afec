// Package providers defines what batchctl needs from a batch API and the
// normalized types every provider maps its own wire format to. Only the
// provider packages (openai, ...) know the vendors' JSON.
package providers

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// Provider is one batch API, reached through one profile (openai, groq,
// emulator, ...). Every method takes a context and honours its cancellation.
type Provider interface {
	// Name is the profile name the user typed (the part before "/" in a model spec).
	Name() string
	// Submit uploads the converted input and creates one provider batch.
	Submit(ctx context.Context, req SubmitRequest) (*Batch, error)
	// Get fetches the current state of a batch.
	Get(ctx context.Context, batchID string) (*Batch, error)
	// Cancel asks the provider to cancel a batch and returns its new state.
	Cancel(ctx context.Context, batchID string) (*Batch, error)
	// List calls fn for the provider's batches, newest first, following
	// pagination until fn returns ErrStop, the limit is reached, or the list ends.
	List(ctx context.Context, opts ListOptions, fn func(*Batch) error) error
	// Download streams the provider's own result lines of a terminal batch
	// (for OpenAI: the output file, then the error file) to w. Every line
	// written ends in '\n'.
	Download(ctx context.Context, b *Batch, w io.Writer) error
	// Normalize turns one raw result line, as written by Download, into a
	// normalized result. Model is the model the provider reports in the
	// response (empty when it reports none); Job, Provider and BatchID are
	// left to the caller.
	Normalize(line []byte) (Result, error)
}

// An AliasingNormalizer has a Normalize whose result may alias the line:
// its raw JSON members (Response, Embedding, ToolCalls and the like) are
// then slices of line, valid only as long as line is not changed. It
// spares a copy of every response for callers that keep the line until
// they are done with the result (the results pipeline). It is otherwise
// Normalize: the same result, the same errors.
type AliasingNormalizer interface {
	NormalizeAliasing(line []byte) (Result, error)
}

// ErrStop ends a List early without error.
var ErrStop = stopError{}

type stopError struct{}

func (stopError) Error() string { return "stop listing" }

// SubmitRequest is one provider batch to create.
type SubmitRequest struct {
	// Open returns a fresh reader over the converted input (the provider's
	// own JSONL). It may be called again when an upload is retried.
	Open func() (io.ReadCloser, error)
	// Size is the input's length in bytes.
	Size int64
	// Filename is sent with the upload (e.g. "j7k2m9-1.jsonl").
	Filename string
	// Endpoint is the API path every request targets, e.g. "/v1/chat/completions".
	Endpoint string
	// Model is the one model of the batch.
	Model string
	// Requests is the number of lines in the input.
	Requests int
	// Metadata is attached to the provider batch (job id, part, name).
	Metadata map[string]string
	// CompletionWindow is e.g. "24h".
	CompletionWindow string
	// InputFileID names an input the provider already has (an uploaded
	// file): nothing is uploaded and Open is not called. Providers that
	// take no files (Anthropic) refuse it.
	InputFileID string
	// Creating, when set, is called just before the request that creates
	// the batch is sent (after any upload), so the caller can record the
	// attempt first; an error stops the submission there.
	Creating func() error
}

// BeginCreate calls r.Creating, if set. Providers call it right before
// sending the request that creates the batch.
func (r SubmitRequest) BeginCreate() error {
	if r.Creating == nil {
		return nil
	}
	return r.Creating()
}

// ListOptions bounds a List.
type ListOptions struct {
	Limit int // 0 means no limit
	// After starts the list after this cursor: what Next gave for the page
	// before (a batch id for OpenAI and Anthropic, a page token for Gemini).
	After string
	// Next, when set, is given the cursor of the batches after the last
	// one listed when List stopped at Limit ("" when there are none).
	Next func(cursor string)
}

// Status is a normalized batch status (DESIGN.md section 7).
type Status string

// The normalized batch statuses.
const (
	StatusValidating Status = "validating"
	StatusInProgress Status = "in_progress"
	StatusFinalizing Status = "finalizing"
	StatusCancelling Status = "cancelling"
	StatusPaused     Status = "paused"
	StatusUpdating   Status = "updating"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusExpired    Status = "expired"
	StatusCancelled  Status = "cancelled"
	// StatusUnknown is a status the provider sent that this version does
	// not know (Batch.ProviderStatus holds it): whether the batch has
	// ended cannot be told, so it is not terminal.
	StatusUnknown Status = "unknown"
)

// StatusUnsubmitted is the status of a job part batchctl recorded that has
// no provider batch (yet); no provider reports it.
const StatusUnsubmitted Status = "unsubmitted"

// StatusQueued is the status of a job part that waits for room in its
// provider's enqueued-token budget before batchctl submits it; no
// provider reports it.
const StatusQueued Status = "queued"

// Terminal reports whether a batch in this status will not change again.
func (s Status) Terminal() bool {
	switch s {
	case StatusCompleted, StatusFailed, StatusExpired, StatusCancelled:
		return true
	}
	return false
}

// Counts are a batch's request counts.
type Counts struct {
	Total     int `json:"total"`
	Succeeded int `json:"succeeded"`
	Failed    int `json:"failed"`
}

// Clamp returns the counts brought within what a batch of requests
// requests can hold, and whether they already were: no count negative,
// none above requests, succeeded and failed adding up to at most it. A
// negative requests means the number is not known, and the provider's own
// total (if not negative) is the bound. A provider's counts are shown and
// compared against, so they are not taken on trust.
func (c Counts) Clamp(requests int) (Counts, bool) {
	out := Counts{Total: max(c.Total, 0)}
	if requests >= 0 {
		out.Total = min(out.Total, requests)
	} else {
		requests = out.Total
	}
	out.Succeeded = min(max(c.Succeeded, 0), requests)
	out.Failed = min(max(c.Failed, 0), requests-out.Succeeded)
	return out, out == c
}

// Usage is token usage, summed where it covers several requests. The
// detail counts are nil (null) when the provider does not say.
type Usage struct {
	InputTokens              int64  `json:"input_tokens"`
	OutputTokens             int64  `json:"output_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	ReasoningTokens          *int64 `json:"reasoning_tokens"`
	// CacheCreation1hInputTokens are those of CacheCreationInputTokens
	// written to a one-hour cache, which costs more than the default
	// five-minute one (Anthropic's usage.cache_creation
	// .ephemeral_1h_input_tokens); 0 where the provider does not say.
	// It prices the usage and is not a key of the result line.
	CacheCreation1hInputTokens int64 `json:"-"`
}

// BatchError is a batch-level error, such as a validation failure of one
// input line.
type BatchError struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
	Line    int    `json:"line,omitempty"`
}

// Batch is a provider batch in normalized form.
type Batch struct {
	ID             string
	Provider       string
	Status         Status
	ProviderStatus string
	Endpoint       string
	Model          string
	Counts         Counts
	Usage          *Usage
	CreatedAt      time.Time
	CompletedAt    time.Time // when it became terminal; zero if not yet
	ExpiresAt      time.Time
	InputFileID    string
	OutputFileID   string
	ErrorFileID    string
	Errors         []BatchError
	Metadata       map[string]string
	// Raw is the provider's own JSON for the batch, untouched.
	Raw json.RawMessage
}

// ResultStatus is the normalized outcome of one request (DESIGN.md section 6).
type ResultStatus string

// The normalized request outcomes.
const (
	ResultSucceeded ResultStatus = "succeeded"
	ResultErrored   ResultStatus = "errored"
	ResultExpired   ResultStatus = "expired"
	ResultCanceled  ResultStatus = "canceled"
	ResultMissing   ResultStatus = "missing"
	// ResultPending is a request whose batch is still running, in the
	// snapshot results --partial gives: the batch APIs report nothing per
	// request before a batch ends.
	ResultPending ResultStatus = "pending"
)

// ResultStatuses lists every request status, in documentation order.
var ResultStatuses = []ResultStatus{ResultSucceeded, ResultErrored, ResultExpired, ResultCanceled, ResultMissing, ResultPending}

// ResultError describes why a request did not succeed; it has the same
// four keys for every provider and status. Code is the provider's error
// code as a string (Gemini's numeric google.rpc.Code becomes its name),
// nil when it gives none; HTTPStatus is the HTTP status the request was
// answered with, nil when there was no HTTP answer (an expired, cancelled
// or missing request).
type ResultError struct {
	Type       string  `json:"type"`
	Message    string  `json:"message"`
	Code       *string `json:"code"`
	HTTPStatus *int    `json:"http_status"`
}

// Moderation is the outcome of a moderation request (OpenAI
// /v1/moderations): whether any input was flagged, and the names of the
// categories flagged in any input, in the order the provider gives them,
// each once (never nil: [] when none).
type Moderation struct {
	Flagged    bool     `json:"flagged"`
	Categories []string `json:"categories"`
}

// Result is one normalized result line: the jq contract. Field order is
// the documented key order, and every key is always present, null where
// it does not apply (docs/jq.md). Moderation is set only for moderation
// requests; ToolCalls, Parsed, Valid and OutputError are part of the
// contract before anything fills them: they are written as null until then.
type Result struct {
	CustomID string       `json:"custom_id"`
	Status   ResultStatus `json:"status"`
	Job      string       `json:"job"`
	Provider string       `json:"provider"`
	BatchID  string       `json:"batch_id"`
	Model    string       `json:"model"`
	Text     *string      `json:"text"`
	// TextRaw, when Text is nil, is the text as the provider's line spells
	// it: the contents of a JSON string that a jsonscan.Scanner read,
	// escape sequences and all. An AliasingNormalizer sets it instead of
	// Text, so that AppendJSON writes the text without decoding it first;
	// DecodeText sets Text from it for whoever reads the text.
	// TextVerbatim says that TextRaw is already the text as AppendJSON
	// writes it, which AppendJSON then copies (see jsonscan RawText);
	// Text, when DecodeText set it, is then TextRaw decoded.
	TextRaw      []byte          `json:"-"`
	TextVerbatim bool            `json:"-"`
	Embedding    json.RawMessage `json:"embedding"`
	Embeddings   json.RawMessage `json:"embeddings"`
	Moderation   *Moderation     `json:"moderation"`
	ToolCalls    json.RawMessage `json:"tool_calls"`
	FinishReason *string         `json:"finish_reason"`
	Usage        *Usage          `json:"usage"`
	Parsed       json.RawMessage `json:"parsed"`
	Valid        *bool           `json:"valid"`
	OutputError  json.RawMessage `json:"output_error"`
	Error        *ResultError    `json:"error"`
	// Attempts is how many times a direct job sent the request (more than
	// 1 when an answer was lost, or was worth another try); nil for a
	// batch job's requests, which the provider sends.
	Attempts *int            `json:"attempts"`
	Response json.RawMessage `json:"response"`
}
