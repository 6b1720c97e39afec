package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// maxResponseBody bounds a JSON answer (a batch, a page of 100 batches).
const maxResponseBody = 16 << 20

// authorize sets cfg.Headers on req; the key's header is set after them.
func (c *Client) authorize(req *http.Request) error {
	for k, v := range c.cfg.Headers {
		req.Header.Set(k, v)
	}
	return nil
}

// credentials are cfg's key in the header of its auth header style; nil
// without a key.
func credentials(cfg Config) httpx.Credentials {
	switch {
	case cfg.APIKey == "":
		return nil
	case cfg.AuthHeader == "" || cfg.AuthHeader == AuthBearer:
		return httpx.Bearer(cfg.APIKey)
	case cfg.AuthHeader == AuthAPIKey:
		return httpx.Key("Api-Key", cfg.APIKey)
	}
	return unknownStyle(cfg.AuthHeader)
}

// unknownStyle is the credentials of an auth header style batchctl does
// not know: every request fails.
type unknownStyle string

func (s unknownStyle) Apply(*http.Request) error {
	return fmt.Errorf("unknown auth header style %q (want %s or %s)", string(s), AuthBearer, AuthAPIKey)
}
func (unknownStyle) Secrets() []string { return nil }
func (unknownStyle) Headers() []string { return nil }

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
