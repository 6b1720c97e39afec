package anthropic

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// maxResponseBody bounds a JSON answer (a batch, a page of batches).
const maxResponseBody = 16 << 20

// newAPI returns the plumbing that sends c's requests with hc, keeping the
// key from other origins (httpx.GuardKey). Retry-After dates are read against c.now as it is when the
// answer comes, so a clock set after New is used.
func newAPI(c *Client, hc *http.Client) *httpx.Client {
	return &httpx.Client{
		HTTP:       httpx.GuardKey(hc),
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

// authorize sets the key, the API version and the beta features on req,
// which must be on the base URL's origin: the key goes with it.
func (c *Client) authorize(req *http.Request) error {
	req.Header.Set("X-Api-Key", c.cfg.APIKey)
	req.Header.Set("Anthropic-Version", c.cfg.Version)
	if c.cfg.Beta != "" {
		req.Header.Set("Anthropic-Beta", c.cfg.Beta)
	}
	return nil
}

// errorResponse is Anthropic's error answer:
// {"type":"error","error":{"type":...,"message":...},"request_id":...}.
type errorResponse struct {
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// parseError is an httpx.ErrorParser whose Type and Code are the error's
// type (overloaded_error, rate_limit_error, ...).
func parseError(raw []byte, e *providers.HTTPError) bool {
	var body errorResponse
	if json.Unmarshal(raw, &body) != nil || body.Error == nil {
		return false
	}
	e.Type, e.Code, e.Message = body.Error.Type, body.Error.Type, body.Error.Message
	return true
}
