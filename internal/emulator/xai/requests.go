package xai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	maxAddBody     = 64 << 20
	maxAddRequests = 10_000
)

// batchRequest is one element of batch_requests [proto: BatchRequest, as
// the REST gateway names it].
type batchRequest struct {
	BatchRequestID string `json:"batch_request_id"`
	BatchRequest   struct {
		ChatGetCompletion json.RawMessage `json:"chat_get_completion"`
	} `json:"batch_request"`
}

// addRequests adds requests to a batch: POST /v1/batches/{id}/requests
// {"batch_requests":[...]} [proto: AddBatchRequestsRequest]. The call
// takes all its requests or none. A batch_request_id the batch already
// has, or one repeated in the call, is refused with a 400 (what xAI does
// is UNCONFIRMED; its SDK says the id must be unique within the batch).
// The batch's timeline restarts: the requests run within the duration.
func (a *API) addRequests(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	if !rec.Timeline.Cancelling.IsZero() {
		return errorf(http.StatusBadRequest, "Batch %s was cancelled: no requests can be added", rec.ID)
	}
	var body struct {
		BatchRequests []json.RawMessage `json:"batch_requests"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAddBody)).Decode(&body); err != nil {
		return errorf(http.StatusBadRequest, "Failed to parse the request body: %v", err)
	}
	if len(body.BatchRequests) == 0 || len(body.BatchRequests) > maxAddRequests {
		return errorf(http.StatusBadRequest, "batch_requests: want 1 to %d requests, got %d", maxAddRequests, len(body.BatchRequests))
	}
	seen, err := a.requestIDs(rec.ID)
	if err != nil {
		return err
	}
	var lines bytes.Buffer
	expiring := false
	for i, raw := range body.BatchRequests {
		req, err := checkRequest(raw, i)
		if err != nil {
			return err
		}
		if seen[req.BatchRequestID] {
			return errorf(http.StatusBadRequest, "batch_requests[%d].batch_request_id: %q is already used in batch %s", i, req.BatchRequestID, rec.ID)
		}
		seen[req.BatchRequestID] = true
		expiring = expiring || execute(req.BatchRequest.ChatGetCompletion).outcome == core.OutcomeExpired
		if err := json.Compact(&lines, raw); err != nil {
			return err
		}
		lines.WriteByte('\n')
	}
	if err := a.appendRequests(rec.ID, lines.Bytes()); err != nil {
		return err
	}
	rec.Timeline.Created = a.host.Clock()
	rec.Timeline.Requests += len(body.BatchRequests)
	rec.Timeline.Expiring = rec.Timeline.Expiring || expiring
	if err := core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec); err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// checkRequest checks request i of an add call: an id and a chat
// completion body with a model and messages.
func checkRequest(raw json.RawMessage, i int) (*batchRequest, error) {
	var req batchRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, errorf(http.StatusBadRequest, "batch_requests[%d]: %v", i, err)
	}
	var chat struct {
		Model    string            `json:"model"`
		Messages []json.RawMessage `json:"messages"`
	}
	switch {
	case req.BatchRequestID == "":
		return nil, errorf(http.StatusBadRequest, "batch_requests[%d].batch_request_id: required", i)
	case len(req.BatchRequest.ChatGetCompletion) == 0:
		return nil, errorf(http.StatusBadRequest, "batch_requests[%d].batch_request: the emulator serves chat_get_completion only", i)
	case json.Unmarshal(req.BatchRequest.ChatGetCompletion, &chat) != nil || chat.Model == "" || len(chat.Messages) == 0:
		return nil, errorf(http.StatusBadRequest, "batch_requests[%d].batch_request.chat_get_completion: want a model and messages", i)
	}
	return &req, nil
}

// appendRequests adds lines to a batch's requests, atomically.
func (a *API) appendRequests(id string, lines []byte) error {
	path := a.batchPath(id, requestsExt)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return core.WriteAtomic(path, func(w io.Writer) error {
		if _, err := w.Write(old); err != nil {
			return err
		}
		_, err := w.Write(lines)
		return err
	})
}

// storedRequests returns the requests of a batch, in the order added.
func (a *API) storedRequests(id string) ([]batchRequest, error) {
	data, err := os.ReadFile(a.batchPath(id, requestsExt))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var reqs []batchRequest
	for line := range bytes.Lines(data) {
		var req batchRequest
		if err := json.Unmarshal(line, &req); err != nil {
			return nil, fmt.Errorf("batch %s: stored request %d: %w", id, len(reqs)+1, err)
		}
		reqs = append(reqs, req)
	}
	return reqs, nil
}

// requestIDs is the set of a batch's request ids.
func (a *API) requestIDs(id string) (map[string]bool, error) {
	reqs, err := a.storedRequests(id)
	seen := make(map[string]bool, len(reqs))
	for _, r := range reqs {
		seen[r.BatchRequestID] = true
	}
	return seen, err
}

// runs executes every request of a batch (without rendering answers).
func (a *API) runs(rec *batchRecord) ([]execution, error) {
	reqs, err := a.storedRequests(rec.ID)
	if err != nil {
		return nil, err
	}
	runs := make([]execution, len(reqs))
	for i, r := range reqs {
		runs[i] = execute(r.BatchRequest.ChatGetCompletion)
	}
	return runs, nil
}

// execution is what becomes of one request.
type execution struct {
	outcome core.Outcome
	// rpcCode and message are the error of a failed request.
	rpcCode int
	message string
	// model and text are the answer of a succeeded request.
	model, text               string
	inputTokens, outputTokens int64
}

// execute runs a chat completion body as the emulator does everywhere:
// the answer echoes the last user message, and its fault markers apply.
func execute(body json.RawMessage) execution {
	var chat struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &chat); err != nil {
		return execution{outcome: core.OutcomeFailed, rpcCode: 3, message: "invalid chat completion request: " + err.Error()}
	}
	var texts []string
	prompt := ""
	for i, m := range chat.Messages {
		text, ok := core.MessageText(m.Content)
		if !ok {
			return execution{outcome: core.OutcomeFailed, rpcCode: 3, message: fmt.Sprintf("messages[%d].content: want a string or content parts", i)}
		}
		texts = append(texts, text)
		if m.Role == "user" {
			prompt = text
		}
	}
	switch m := core.FindMarker(prompt); m.Kind {
	case core.MarkerFail:
		return execution{outcome: core.OutcomeFailed, rpcCode: rpcCodeOf(m.Status), message: "The request failed (emulated by " + m.Text + ")"}
	case core.MarkerError:
		return execution{outcome: core.OutcomeFailed, rpcCode: 13, message: "Internal error (emulated by " + m.Text + ")"}
	case core.MarkerExpire:
		return execution{outcome: core.OutcomeExpired}
	case core.MarkerDrop:
		return execution{outcome: core.OutcomeDropped}
	}
	text := core.Reply(chat.Model, prompt)
	return execution{
		outcome: core.OutcomeSucceeded, model: chat.Model, text: text,
		inputTokens: core.CountTokens(texts...), outputTokens: core.CountTokens(text),
	}
}

// rpcCodeOf is the google.rpc.Code of an HTTP status, as
// google/rpc/code.proto maps them.
func rpcCodeOf(status int) int {
	switch status {
	case 401:
		return 16 // UNAUTHENTICATED
	case 403:
		return 7 // PERMISSION_DENIED
	case 404:
		return 5 // NOT_FOUND
	case 409:
		return 10 // ABORTED
	case 429:
		return 8 // RESOURCE_EXHAUSTED
	case 499:
		return 1 // CANCELLED
	case 501:
		return 12 // UNIMPLEMENTED
	case 503:
		return 14 // UNAVAILABLE
	case 504:
		return 4 // DEADLINE_EXCEEDED
	}
	if status >= 500 {
		return 13 // INTERNAL
	}
	return 3 // INVALID_ARGUMENT
}
