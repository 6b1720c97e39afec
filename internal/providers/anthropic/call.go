package anthropic

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/batchctl/batchctl/internal/providers"
)

var _ providers.Caller = (*Client)(nil)

// messagesPath is the Messages API, which a batch request's params are
// the body of (https://docs.anthropic.com/en/api/messages).
const messagesPath = "/v1/messages"

// Call sends one batch request's params to /v1/messages and returns the
// results line a batch writes for such an answer
// (https://docs.anthropic.com/en/api/retrieving-message-batch-results):
//
//	{"custom_id":...,"result":{"type":"succeeded","message":{...}}}
//	{"custom_id":...,"result":{"type":"errored","error":{"type":"error","error":{...}}}}
//
// An error answer's body is the ErrorResponse an errored result holds; a
// request that got no answer is errored with an api_error.
func (c *Client) Call(ctx context.Context, req providers.CallRequest) (providers.Answer, error) {
	m, err := providers.ScanRequest(req.Line, "custom_id", "params")
	if err != nil {
		return providers.Answer{}, err
	}
	a := providers.Answer{ID: providers.StringOf(m["custom_id"])}
	const op = "call"
	ans, err := c.api.Exchange(ctx, op, c.base+messagesPath, m["params"])
	if err != nil {
		a.Line = c.erroredLine(a.ID, "api_error", err.Error())
		return a, err
	}
	a.Status, a.Header, a.Body = ans.Status, ans.Header, ans.Body
	if ans.OK() {
		if !json.Valid(ans.Body) {
			a.Line = c.erroredLine(a.ID, "api_error", "the answer is not JSON")
			return a, nil
		}
		line := append([]byte(`{"custom_id":`), providers.AppendString(nil, a.ID)...)
		line = append(append(line, `,"result":{"type":"succeeded","message":`...), ans.Body...)
		a.Line = append(line, "}}"...)
		return a, nil
	}
	he := c.api.ErrorOf(op, ans.Status, ans.Header, ans.Body)
	body := ans.Body
	if !json.Valid(body) {
		typ := he.Type
		if typ == "" {
			typ = "api_error"
		}
		a.Line = c.erroredLine(a.ID, typ, he.Message)
		return a, he
	}
	line := append([]byte(`{"custom_id":`), providers.AppendString(nil, a.ID)...)
	line = append(append(line, `,"result":{"type":"errored","error":`...), body...)
	a.Line = append(line, "}}"...)
	return a, he
}

// erroredLine is an errored result with an error of type typ.
func (c *Client) erroredLine(id, typ, msg string) []byte {
	line := append([]byte(`{"custom_id":`), providers.AppendString(nil, id)...)
	line = append(line, `,"result":{"type":"errored","error":{"type":"error","error":{"type":`...)
	line = providers.AppendString(line, typ)
	line = providers.AppendString(append(line, `,"message":`...), msg)
	return append(line, "}}}}"...)
}

// FailedLine is an errored result of a request that got no answer.
func (c *Client) FailedLine(id, msg string) []byte { return c.erroredLine(id, "api_error", msg) }

var _ providers.TokenCounter = (*Client)(nil)

// countTokensPath counts a Messages request's input tokens, free of charge
// (https://docs.claude.com/en/api/messages-count-tokens).
const countTokensPath = "/v1/messages/count_tokens"

// countTokensFields are the members of a request's params that
// count_tokens takes; it refuses the others, such as max_tokens and the
// sampling parameters (https://docs.claude.com/en/api/messages-count-tokens;
// the Go SDK's MessageCountTokensParams, anthropic-sdk-go v1.84.0
// message.go).
var countTokensFields = []string{"model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management", "output_config", "output_format"}

// CountTokens asks count_tokens for the input tokens of a batch line's
// params: {"input_tokens": N}.
func (c *Client) CountTokens(ctx context.Context, req providers.CallRequest) (int, error) {
	m, err := providers.ScanRequest(req.Line, "custom_id", "params")
	if err != nil {
		return 0, err
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(m["params"], &params); err != nil {
		return 0, fmt.Errorf("params: %w", err)
	}
	maps.DeleteFunc(params, func(k string, _ json.RawMessage) bool { return !slices.Contains(countTokensFields, k) })
	body, err := json.Marshal(params)
	if err != nil {
		return 0, err
	}
	const op = "count tokens"
	ans, err := c.api.Exchange(ctx, op, c.base+countTokensPath, body)
	if err != nil {
		return 0, err
	}
	if !ans.OK() {
		return 0, c.api.ErrorOf(op, ans.Status, ans.Header, ans.Body)
	}
	var count struct {
		InputTokens *int `json:"input_tokens"`
	}
	if json.Unmarshal(ans.Body, &count) != nil || count.InputTokens == nil {
		return 0, fmt.Errorf("%s: the answer holds no input_tokens", op)
	}
	return *count.InputTokens, nil
}
