package openai

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/providers"
)

var _ providers.Caller = (*Client)(nil)

// Call sends one batch input line's body to the synchronous endpoint its
// url names ("/v1/chat/completions" is base URL + "/chat/completions",
// since the base URL holds the /v1) and returns the batch output line
// OpenAI writes for such an answer:
//
//	{"id":...,"custom_id":...,"response":{"status_code":200,"request_id":...,"body":{...}},"error":null}
//
// (https://platform.openai.com/docs/guides/batch, "output file"). A
// request that got no answer gives {"custom_id":...,"response":null,
// "error":{"code":"request_failed","message":...}}, the shape of the
// error file's lines.
func (c *Client) Call(ctx context.Context, req providers.CallRequest) (providers.Answer, error) {
	m, err := providers.ScanRequest(req.Line, "custom_id", "url", "body")
	if err != nil {
		return providers.Answer{}, err
	}
	a := providers.Answer{ID: providers.StringOf(m["custom_id"])}
	path := providers.StringOf(m["url"])
	if path == "" {
		path = req.Endpoint
	}
	const op = "call"
	ans, err := c.api.Exchange(ctx, op, c.base+strings.TrimPrefix(path, "/v1"), m["body"])
	if err != nil {
		a.Line = failedLine(a.ID, err.Error())
		return a, err
	}
	a.Status, a.Header, a.Body = ans.Status, ans.Header, ans.Body
	body := ans.Body
	var herr error
	if !ans.OK() {
		he := c.api.ErrorOf(op, ans.Status, ans.Header, ans.Body)
		herr = he
		if !json.Valid(body) {
			body, _ = json.Marshal(map[string]any{"error": map[string]string{"message": he.Message}})
		}
	} else if !json.Valid(body) {
		a.Line = failedLine(a.ID, "the answer is not JSON")
		return a, nil
	}
	line := append([]byte(`{"id":`), providers.AppendString(nil, "direct_"+a.ID)...)
	line = append(append(line, `,"custom_id":`...), providers.AppendString(nil, a.ID)...)
	line = append(line, `,"response":{"status_code":`...)
	line = strconv.AppendInt(line, int64(ans.Status), 10)
	line = append(append(line, `,"request_id":`...), providers.AppendString(nil, ans.Header.Get("X-Request-Id"))...)
	line = append(append(line, `,"body":`...), body...)
	a.Line = append(line, `},"error":null}`...)
	return a, herr
}

// failedLine is the error-file line of a request that got no answer.
func failedLine(id, msg string) []byte {
	line := append([]byte(`{"custom_id":`), providers.AppendString(nil, id)...)
	line = append(line, `,"response":null,"error":{"code":"request_failed","message":`...)
	line = providers.AppendString(line, msg)
	return append(line, "}}"...)
}

// FailedLine is the error-file line of a request that got no answer.
func (c *Client) FailedLine(id, msg string) []byte { return failedLine(id, msg) }
