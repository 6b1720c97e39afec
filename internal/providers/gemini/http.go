package gemini

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

const (
	// maxResponseBody bounds a JSON answer. A finished batch with inline
	// requests carries all its responses, so this is generous.
	maxResponseBody = 256 << 20
	// apiKeyHeader carries the API key.
	apiKeyHeader = "X-Goog-Api-Key"
)

// operationCall makes one request for path under the base URL whose answer
// is a batch operation.
func (c *Client) operationCall(ctx context.Context, op, method, path string, body []byte) (*providers.Batch, error) {
	raw, err := c.api.Call(ctx, op, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	return c.parse(op, raw)
}

// operation sends req, whose answer is a batch operation.
func (c *Client) operation(op string, req *http.Request) (*providers.Batch, error) {
	raw, err := c.api.Send(op, req)
	if err != nil {
		return nil, err
	}
	return c.parse(op, raw)
}

func (c *Client) parse(op string, raw []byte) (*providers.Batch, error) {
	b, err := parseOperation(c.cfg.Name, raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return b, nil
}

// googleError is what batchctl reads of Google's error body,
// {"error":{"code":...,"message":...,"status":...,"details":[...]}}: the
// code repeats the HTTP status.
type googleError struct {
	Error *struct {
		Message string        `json:"message"`
		Status  string        `json:"status"`
		Details []errorDetail `json:"details"`
	} `json:"error"`
}

// errorDetail is one entry of an error's details; only google.rpc.RetryInfo
// is read.
type errorDetail struct {
	Type       string `json:"@type"`
	RetryDelay string `json:"retryDelay"`
}

const retryInfoType = "type.googleapis.com/google.rpc.RetryInfo"

// ParseError is an httpx.ErrorParser whose Code is the error's status
// (RESOURCE_EXHAUSTED, ...). A google.rpc.RetryInfo detail gives the wait
// when no Retry-After header did. The upload service answers in plain text,
// which it leaves alone.
func ParseError(raw []byte, e *providers.HTTPError) bool {
	var body googleError
	if json.Unmarshal(raw, &body) != nil || body.Error == nil {
		return false
	}
	e.Code, e.Message = body.Error.Status, body.Error.Message
	if e.RetryAfter == 0 {
		e.RetryAfter = retryDelay(body.Error.Details)
	}
	return true
}

// retryDelay is the wait a google.rpc.RetryInfo detail asks for ("58s",
// "1.5s"); zero when there is none.
func retryDelay(details []errorDetail) time.Duration {
	for _, d := range details {
		if d.Type != retryInfoType {
			continue
		}
		if delay, err := time.ParseDuration(d.RetryDelay); err == nil && delay > 0 {
			return delay
		}
	}
	return 0
}
