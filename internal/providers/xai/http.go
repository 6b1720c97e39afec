package xai

import (
	"encoding/json"

	"github.com/batchctl/batchctl/internal/providers"
)

// errorBody is an error answer: OpenAI's {"error":{"message","type",
// "code"}} or xAI's {"code":"...","error":"..."} (both read:
// UNCONFIRMED which the batch endpoints send).
type errorBody struct {
	Code  json.RawMessage `json:"code"`
	Error json.RawMessage `json:"error"`
}

// parseError is an httpx.ErrorParser for both shapes.
func parseError(raw []byte, e *providers.HTTPError) bool {
	var body errorBody
	if json.Unmarshal(raw, &body) != nil || !isSet(body.Error) {
		return false
	}
	var obj struct {
		Message string          `json:"message"`
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"`
	}
	var text string
	switch {
	case json.Unmarshal(body.Error, &text) == nil:
		e.Message = text
		json.Unmarshal(body.Code, &e.Code)
		e.Type = e.Code
	case json.Unmarshal(body.Error, &obj) == nil:
		e.Message, e.Type = obj.Message, obj.Type
		json.Unmarshal(obj.Code, &e.Code)
	default:
		return false
	}
	return true
}
