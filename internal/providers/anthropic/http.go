package anthropic

import (
	"encoding/json"
	"net/http"

	"github.com/batchctl/batchctl/internal/providers"
)

// maxResponseBody bounds a JSON answer (a batch, a page of batches).
const maxResponseBody = 16 << 20

// authorize sets the API version and the beta features on req, which must
// be on the base URL's origin: the key goes with it.
func (c *Client) authorize(req *http.Request) error {
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
