package anthropic

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/tokens"
)

// countTokensFields are the members POST /v1/messages/count_tokens takes
// (https://docs.claude.com/en/api/messages-count-tokens; the Go SDK's
// MessageCountTokensParams, anthropic-sdk-go v1.84.0 message.go): no
// max_tokens, no sampling parameters.
var countTokensFields = []string{"model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management", "output_config", "output_format"}

// maxCountBodyBytes bounds a count request, as one Messages request.
const maxCountBodyBytes = 32 << 20

// countTokens answers POST /v1/messages/count_tokens with
// {"input_tokens": N}. The count is deterministic: batchctl's own offline
// approximation of the request (internal/tokens), so that a test knows it.
func (a *API) countTokens(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCountBodyBytes))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "Request exceeds the maximum allowed number of bytes.")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return errorf(http.StatusBadRequest, "There was an error parsing the body: not a JSON object")
	}
	for _, required := range []string{"model", "messages"} {
		if _, ok := fields[required]; !ok {
			return errorf(http.StatusBadRequest, "%s: Field required", required)
		}
	}
	for name := range fields {
		if !slices.Contains(countTokensFields, name) {
			return errorf(http.StatusBadRequest, "%s: Extra inputs are not permitted", name)
		}
	}
	var messages []json.RawMessage
	if json.Unmarshal(fields["messages"], &messages) != nil || len(messages) == 0 {
		return errorf(http.StatusBadRequest, "messages: Input should be a non-empty list")
	}
	params := append(append([]byte(`{"params":`), body...), '}')
	line, err := tokens.NewCounter(jsonl.TargetAnthropic, "").Count(params)
	if err != nil {
		return errorf(http.StatusBadRequest, "There was an error parsing the body: %v", err)
	}
	core.WriteJSON(w, http.StatusOK, struct {
		InputTokens int `json:"input_tokens"`
	}{line.Input})
	return nil
}
