package vertex

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"

	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
)

// Normalize turns one line of a predictions.jsonl file into a result.
// Vertex AI writes each input line back with what became of it
// ("Retrieve batch output", batch-prediction-from-cloud-storage):
//
//	{"key":...,"request":{...},"status":"","processed_time":...,"response":{...}}
//	{"key":...,"request":{...},"status":"<why it failed>","processed_time":...}
//
// and, for Claude, the line's custom_id with the request, response (an
// Anthropic Messages message) or status ("Batch predictions with Anthropic
// Claude models", cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude-batch:
// "Batch prediction jobs reserve two column names for the batch
// prediction output: response(JSON) and status"; that the JSONL output
// lines keep custom_id is UNCONFIRMED, though the page calls it "an ID
// for each request to match the input with the output"):
//
//	{"custom_id":...,"request":{...},"status":"","response":{"type":"message",...}}
//
// The key is the custom id batchctl wrote next to the request. That
// Vertex AI keeps the input line's other members in the output line is
// UNCONFIRMED by its reference (its examples show request only); a line
// without a key is an error naming the cause. A response is a
// GenerateContentResponse, normalized as the gemini provider normalizes
// one; a Claude line's response is normalized as the anthropic provider
// normalizes a message; a non-empty status is the request's error.
func (c *Client) Normalize(line []byte) (providers.Result, error) {
	var key, customID *string
	var response []byte
	var status string
	err := providers.ScanResultLine(line, func(s *jsonscan.Scanner, k []byte) error {
		var err error
		switch string(k) {
		case "key":
			key, err = s.OptionalStr()
		case "custom_id":
			customID, err = s.OptionalStr()
		case "response":
			if !s.Null() {
				response, err = s.Raw()
			}
		case "status":
			if !s.Null() {
				status, err = s.Str()
			}
		default:
			return s.Skip()
		}
		return jsonscan.WrapKey(k, err)
	})
	id, claude := key, customID != nil
	if claude {
		id = customID
	}
	switch {
	case err != nil:
		return providers.Result{}, err
	case id == nil:
		return providers.Result{}, errors.New("result line has no key (Vertex AI did not keep the input line's key)")
	case status != "":
		return errored(*id, status), nil
	case response == nil:
		return providers.Result{}, errors.New("result line for " + strconv.Quote(*id) + " has neither response nor status")
	case claude:
		return c.claude.NormalizeMessage(*id, response)
	}
	return c.normalizeResponse(*id, response)
}

// normalizeResponse normalizes a GenerateContentResponse with the gemini
// provider's Normalize, as a line of a Gemini API responses file.
func (c *Client) normalizeResponse(key string, response []byte) (providers.Result, error) {
	wrapped := jsonscan.AppendQuote([]byte(`{"key":`), []byte(key))
	wrapped = append(append(wrapped, `,"response":`...), response...)
	r, err := c.norm.Normalize(append(wrapped, '}'))
	if err != nil {
		return providers.Result{}, err
	}
	r.Response = bytes.Clone(response)
	return r, nil
}

// statusRE reads a status that starts with a code and a google.rpc.Code
// name, "400 INVALID_ARGUMENT: ..." (the emulator's form; the form of
// Vertex AI's own status text is UNCONFIRMED, so any other text is the
// error's message alone).
var statusRE = regexp.MustCompile(`^(\d{3}) ([A-Z_]+): `)

// errored is the result of a request whose status says why it failed.
func errored(key, status string) providers.Result {
	e := &providers.ResultError{Type: "error", Message: status}
	if m := statusRE.FindStringSubmatch(status); m != nil {
		code, _ := strconv.Atoi(m[1])
		e.Type, e.Code, e.HTTPStatus, e.Message = m[2], &m[2], &code, status[len(m[0]):]
	}
	return providers.Result{CustomID: key, Status: providers.ResultErrored, Error: e}
}
