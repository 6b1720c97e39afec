package mistral

import (
	"encoding/json"
	"strings"

	"github.com/batchctl/batchctl/internal/providers"
)

// maxResponseBody bounds a JSON answer (a job, a page of 100 jobs).
const maxResponseBody = 16 << 20

// errorBody is an error answer: {"object":"error","message":...,"type":...,
// "param":...,"code":...}, or a validation failure's {"detail":[{"loc":...,
// "msg":...,"type":...}]} (both UNCONFIRMED, see the package documentation).
type errorBody struct {
	Message json.RawMessage `json:"message"`
	Type    string          `json:"type"`
	Code    any             `json:"code"`
	Param   any             `json:"param"`
	Detail  []struct {
		Loc []any  `json:"loc"`
		Msg string `json:"msg"`
	} `json:"detail"`
}

// parseError is an httpx.ErrorParser for either shape.
func parseError(raw []byte, e *providers.HTTPError) bool {
	var body errorBody
	if json.Unmarshal(raw, &body) != nil {
		return false
	}
	var msg string
	if json.Unmarshal(body.Message, &msg) != nil && len(body.Message) > 0 {
		msg = string(body.Message) // a message that is an object
	}
	var details []string
	for _, d := range body.Detail {
		details = append(details, d.Msg)
	}
	if msg == "" && len(details) == 0 {
		return false
	}
	if msg == "" {
		msg = strings.Join(details, "; ")
	}
	e.Message, e.Type = msg, body.Type
	e.Code, e.Param = scalar(body.Code), scalar(body.Param)
	return true
}

// scalar renders a string or number as text; anything else is "".
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return ""
}
