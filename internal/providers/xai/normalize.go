package xai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/providers"
)

// completionMember names the chat completion in a result's response.
const completionMember = "chat_get_completion"

// resultLine is one line Download writes: a BatchResult [proto], as the
// REST gateway shows it:
//
//	{"batch_request_id":..., "batch_result":{"response":{"chat_get_completion":{...}}}}
//	{"batch_request_id":..., "batch_result":{"error":{"code":3,"message":...}}}
//
// An error beside batch_result, or an error_message, is read too (third
// party clients read both: UNCONFIRMED which the API sends).
type resultLine struct {
	BatchRequestID string `json:"batch_request_id"`
	BatchResult    *struct {
		Response map[string]json.RawMessage `json:"response"`
		Error    json.RawMessage            `json:"error"`
	} `json:"batch_result"`
	Error        json.RawMessage `json:"error"`
	ErrorMessage string          `json:"error_message"`
}

// rpcStatus is a google.rpc.Status.
type rpcStatus struct {
	Code    count  `json:"code"`
	Message string `json:"message"`
}

// Normalize turns one result line into a result. A chat completion is
// read as OpenAI's (text, finish_reason, usage, model; Response is the
// completion); an error is errored with its google.rpc code's name as type
// and code and the HTTP status that code maps to, or canceled for
// CANCELLED (a request a cancel stopped) and expired for
// DEADLINE_EXCEEDED (one the batch's expiry stopped: UNCONFIRMED), which
// had no HTTP answer; the error is the Response.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	var l resultLine
	if err := json.Unmarshal(line, &l); err != nil {
		return providers.Result{}, fmt.Errorf("parse result line: %w", err)
	}
	if l.BatchRequestID == "" {
		return providers.Result{}, errors.New("result line has no batch_request_id")
	}
	errRaw := l.Error
	var response map[string]json.RawMessage
	if l.BatchResult != nil {
		response = l.BatchResult.Response
		if isSet(l.BatchResult.Error) {
			errRaw = l.BatchResult.Error
		}
	}
	switch {
	case isSet(errRaw) || l.ErrorMessage != "":
		return resultError(l.BatchRequestID, errRaw, l.ErrorMessage)
	case isSet(response[completionMember]):
		return c.normalizeCompletion(l.BatchRequestID, response[completionMember])
	case len(response) > 0:
		return providers.Result{
			CustomID: l.BatchRequestID,
			Status:   providers.ResultErrored,
			Error:    &providers.ResultError{Type: "unsupported_result", Message: "the result is not a chat completion; batchctl reads chat completions only"},
			Response: bytes.Clone(line),
		}, nil
	}
	return providers.Result{}, fmt.Errorf("result line for %q has neither response nor error", l.BatchRequestID)
}

// isSet reports whether a member is present and not null.
func isSet(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// normalizeCompletion reads a chat completion, the body of
// /v1/chat/completions, through the OpenAI normalizer.
func (c *Client) normalizeCompletion(id string, completion json.RawMessage) (providers.Result, error) {
	quoted, _ := json.Marshal(id)
	line := make([]byte, 0, len(completion)+len(quoted)+64)
	line = append(append(append(line, `{"custom_id":`...), quoted...), `,"response":{"status_code":200,"body":`...)
	line = append(append(line, completion...), "}}"...)
	return c.chat.Normalize(line)
}

// resultError is the result of a request that failed.
func resultError(id string, raw json.RawMessage, message string) (providers.Result, error) {
	var st rpcStatus
	if isSet(raw) {
		if err := json.Unmarshal(raw, &st); err != nil {
			// an error that is a bare string
			if json.Unmarshal(raw, &st.Message) != nil {
				return providers.Result{}, fmt.Errorf("result line for %q: parse error: %w", id, err)
			}
		}
	}
	if st.Message == "" {
		st.Message = message
	}
	if st.Message == "" {
		st.Message = "The request failed without an error message."
	}
	name, status := rpcCode(int64(st.Code))
	e := &providers.ResultError{Type: "error", Message: st.Message}
	if name != "" {
		e.Type, e.Code = name, &name
	}
	if status != 0 {
		e.HTTPStatus = &status
	}
	r := providers.Result{CustomID: id, Status: providers.ResultErrored, Error: e}
	if isSet(raw) {
		r.Response = bytes.Clone(raw)
	}
	switch name {
	case "CANCELLED":
		r.Status = providers.ResultCanceled
	case "DEADLINE_EXCEEDED":
		r.Status = providers.ResultExpired
	}
	if r.Status != providers.ResultErrored {
		e.HTTPStatus = nil // the request never got an HTTP answer
	}
	return r, nil
}

// rpcCodes are the google.rpc.Code values, by number, with the HTTP
// status each maps to, as google/rpc/code.proto documents them.
var rpcCodes = [...]struct {
	name       string
	httpStatus int
}{
	{"OK", 200}, {"CANCELLED", 499}, {"UNKNOWN", 500}, {"INVALID_ARGUMENT", 400},
	{"DEADLINE_EXCEEDED", 504}, {"NOT_FOUND", 404}, {"ALREADY_EXISTS", 409},
	{"PERMISSION_DENIED", 403}, {"RESOURCE_EXHAUSTED", 429}, {"FAILED_PRECONDITION", 400},
	{"ABORTED", 409}, {"OUT_OF_RANGE", 400}, {"UNIMPLEMENTED", 501}, {"INTERNAL", 500},
	{"UNAVAILABLE", 503}, {"DATA_LOSS", 500}, {"UNAUTHENTICATED", 401},
}

// rpcCode is the name and HTTP status of a google.rpc.Code value other
// than OK; "" and 0 for any other number.
func rpcCode(code int64) (string, int) {
	if code < 1 || code >= int64(len(rpcCodes)) {
		return "", 0
	}
	return rpcCodes[code].name, rpcCodes[code].httpStatus
}
