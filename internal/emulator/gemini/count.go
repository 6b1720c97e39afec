package gemini

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/tokens"
)

// CountMethod is the custom method that counts a request's tokens.
const CountMethod = "countTokens"

// maxCountBodyBytes bounds a count request.
const maxCountBodyBytes = 32 << 20

// countTokens answers POST /v1beta/models/{model}:countTokens
// (https://ai.google.dev/api/tokens#method:-models.counttokens): the body
// holds contents, or a whole generateContentRequest; the answer is
// {"totalTokens": N}. The count is deterministic: batchctl's own offline
// approximation of the request (internal/tokens).
func (g *API) countTokens(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCountBodyBytes))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "Request payload size exceeds the limit: %d bytes.", maxCountBodyBytes)
	}
	var req struct {
		Contents               json.RawMessage `json:"contents"`
		GenerateContentRequest json.RawMessage `json:"generateContentRequest"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errorf(http.StatusBadRequest, "Invalid JSON payload received. %v", err)
	}
	var request []byte
	switch {
	case len(req.GenerateContentRequest) > 0 && len(req.Contents) > 0:
		return errorf(http.StatusBadRequest, "contents and generateContentRequest cannot both be set.")
	case len(req.GenerateContentRequest) > 0:
		request = req.GenerateContentRequest
	case len(req.Contents) > 0:
		request = append(append([]byte(`{"contents":`), req.Contents...), '}')
	default:
		return errorf(http.StatusBadRequest, "* CountTokensRequest: contents or generateContentRequest is required.")
	}
	line, err := tokens.NewCounter(jsonl.TargetGemini, "").Count(append(append([]byte(`{"request":`), request...), '}'))
	if err != nil {
		return errorf(http.StatusBadRequest, "Invalid JSON payload received. %v", err)
	}
	core.WriteJSON(w, http.StatusOK, struct {
		TotalTokens int `json:"totalTokens"`
	}{line.Input})
	return nil
}
