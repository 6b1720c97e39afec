package gemini

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/providers"
)

var _ providers.Caller = (*Client)(nil)

// syncMethods are the synchronous methods behind the batch endpoints
// (https://ai.google.dev/api/generate-content#method:-models.generatecontent,
// https://ai.google.dev/api/embeddings#method:-models.embedcontent).
var syncMethods = map[string]string{
	EndpointGenerate: "generateContent",
	EndpointEmbed:    "embedContent",
}

// Call sends one batch line's request to models/{model}:generateContent
// (or :embedContent) and returns the line a batch's results hold for such
// an answer (https://ai.google.dev/gemini-api/docs/batch-mode):
//
//	{"key":...,"response":{...}}   or   {"key":...,"error":{"code":...,"message":...,"status":...}}
//
// An error answer's body is {"error":{...}}, a google.rpc.Status with its
// status name; a request that got no answer is UNAVAILABLE (14).
func (c *Client) Call(ctx context.Context, req providers.CallRequest) (providers.Answer, error) {
	m, err := providers.ScanRequest(req.Line, "key", "request")
	if err != nil {
		return providers.Answer{}, err
	}
	a := providers.Answer{ID: providers.StringOf(m["key"])}
	endpoint, err := checkEndpoint(req.Endpoint)
	if err != nil {
		return a, err
	}
	model := url.PathEscape(strings.TrimPrefix(req.Model, "models/"))
	const op = "call"
	ans, err := c.api.Exchange(ctx, op, c.base+apiVersion+"/models/"+model+":"+syncMethods[endpoint], m["request"])
	if err != nil {
		a.Line = statusLine(a.ID, 14, "UNAVAILABLE", err.Error())
		return a, err
	}
	a.Status, a.Header, a.Body = ans.Status, ans.Header, ans.Body
	if ans.OK() {
		if !json.Valid(ans.Body) {
			a.Line = statusLine(a.ID, 13, "INTERNAL", "the answer is not JSON")
			return a, nil
		}
		line := append([]byte(`{"key":`), providers.AppendString(nil, a.ID)...)
		line = append(append(line, `,"response":`...), ans.Body...)
		a.Line = append(line, '}')
		return a, nil
	}
	he := c.api.ErrorOf(op, ans.Status, ans.Header, ans.Body)
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(ans.Body, &env) == nil && len(env.Error) > 0 && env.Error[0] == '{' {
		line := append([]byte(`{"key":`), providers.AppendString(nil, a.ID)...)
		line = append(append(line, `,"error":`...), env.Error...)
		a.Line = append(line, '}')
		return a, he
	}
	a.Line = statusLine(a.ID, int64(ans.Status), he.Code, he.Message)
	return a, he
}

// statusLine is a result line with an error status.
func statusLine(id string, code int64, status, msg string) []byte {
	line := append([]byte(`{"key":`), providers.AppendString(nil, id)...)
	line = strconv.AppendInt(append(line, `,"error":{"code":`...), code, 10)
	line = providers.AppendString(append(line, `,"message":`...), msg)
	line = providers.AppendString(append(line, `,"status":`...), status)
	return append(line, "}}"...)
}

// FailedLine is an UNAVAILABLE result of a request that got no answer.
func (c *Client) FailedLine(id, msg string) []byte { return statusLine(id, 14, "UNAVAILABLE", msg) }

var _ providers.TokenCounter = (*Client)(nil)

// CountTokens asks models/{model}:countTokens for the input tokens of a
// batch line's request (https://ai.google.dev/api/tokens#method:-models.counttokens):
// a generateContent request goes whole, as generateContentRequest with its
// model named; an embedContent request's content goes as contents. The
// answer is {"totalTokens": N}.
func (c *Client) CountTokens(ctx context.Context, req providers.CallRequest) (int, error) {
	m, err := providers.ScanRequest(req.Line, "key", "request")
	if err != nil {
		return 0, err
	}
	endpoint, err := checkEndpoint(req.Endpoint)
	if err != nil {
		return 0, err
	}
	model := strings.TrimPrefix(req.Model, "models/")
	var request map[string]json.RawMessage
	if err := json.Unmarshal(m["request"], &request); err != nil {
		return 0, fmt.Errorf("request: %w", err)
	}
	var body []byte
	if endpoint == EndpointEmbed {
		body, err = json.Marshal(map[string]any{"contents": []json.RawMessage{request["content"]}})
	} else {
		request["model"], _ = json.Marshal("models/" + model)
		body, err = json.Marshal(map[string]any{"generateContentRequest": request})
	}
	if err != nil {
		return 0, err
	}
	const op = "count tokens"
	ans, err := c.api.Exchange(ctx, op, c.base+apiVersion+"/models/"+url.PathEscape(model)+":countTokens", body)
	if err != nil {
		return 0, err
	}
	if !ans.OK() {
		return 0, c.api.ErrorOf(op, ans.Status, ans.Header, ans.Body)
	}
	// totalTokens is left out when it is 0, as proto3 JSON leaves zeros out.
	var count struct {
		TotalTokens int `json:"totalTokens"`
	}
	if err := json.Unmarshal(ans.Body, &count); err != nil {
		return 0, fmt.Errorf("%s: reading the answer: %w", op, err)
	}
	return count.TotalTokens, nil
}
