package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// maxResponseBody bounds a JSON answer (a batch, a page of 100 batches).
const maxResponseBody = 16 << 20

// newAPI returns the plumbing that sends c's requests with hc. Retry-After
// dates are read against c.now as it is when the answer comes, so a clock
// set after New is used. The profile's own headers may carry a gateway's
// credentials, so they stay home like the key.
func newAPI(c *Client, hc *http.Client) *httpx.Client {
	return &httpx.Client{
		HTTP:       httpx.GuardKey(hc, slices.Collect(maps.Keys(c.cfg.Headers))...),
		Profile:    c.cfg.Name,
		Key:        c.cfg.APIKey,
		KeyEnv:     c.cfg.APIKeyEnv,
		UserAgent:  c.cfg.UserAgent,
		Authorize:  c.authorize,
		ParseError: parseError,
		MaxBody:    maxResponseBody,
		Now:        func() time.Time { return c.now() },
	}
}

// authorize sets cfg.Headers, then the key's header, on req.
func (c *Client) authorize(req *http.Request) error {
	for k, v := range c.cfg.Headers {
		req.Header.Set(k, v)
	}
	switch c.cfg.AuthHeader {
	case "", AuthBearer:
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	case AuthAPIKey:
		req.Header.Set("Api-Key", c.cfg.APIKey)
	default:
		return fmt.Errorf("unknown auth header style %q (want %s or %s)", c.cfg.AuthHeader, AuthBearer, AuthAPIKey)
	}
	return nil
}

// errorEnvelope is an error answer: OpenAI's {"error":{...}}, a gateway's
// {"error":"text"}, or Azure API Management's {"statusCode":401,"message":"..."}.
type errorEnvelope struct {
	Error   json.RawMessage `json:"error"`
	Message string          `json:"message"`
}

// errorObject is OpenAI's error object. Code and param are strings or null
// in OpenAI's answers; other services put numbers there too.
type errorObject struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Param   any    `json:"param"`
	Code    any    `json:"code"`
}

// parseError is an httpx.ErrorParser that takes any body that unmarshals
// into an errorEnvelope.
func parseError(raw []byte, e *providers.HTTPError) bool {
	var env errorEnvelope
	if json.Unmarshal(raw, &env) != nil {
		return false
	}
	var obj errorObject
	var text string
	switch {
	case bytes.HasPrefix(env.Error, []byte("{")) && json.Unmarshal(env.Error, &obj) == nil:
		e.Type, e.Message = obj.Type, obj.Message
		e.Code, e.Param = scalarString(obj.Code), scalarString(obj.Param)
	case json.Unmarshal(env.Error, &text) == nil && text != "":
		e.Message = text
	default:
		e.Message = env.Message
	}
	return true
}

// scalarString renders a JSON string or number as text; anything else is "".
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
