package anthropic

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// This file reads the body that creates a message batch, validating it as
// the API does when the batch is created, and runs one request: the checks
// the API makes only while processing, the fault markers, and the answer.

const (
	maxRequests       = 100_000
	maxBodyBytes      = 256 << 20
	maxCustomIDLength = 64
)

// createRequests reads the body of POST /v1/messages/batches, streaming its
// requests array: each request is checked and passed to add as one line of
// compact JSON ending in a newline, with its params. The first invalid request ends it with a
// 400 error naming it.
func createRequests(w http.ResponseWriter, r *http.Request, add func(line []byte, params json.RawMessage) error) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err := expectDelim(dec, '{', "body", "a valid dictionary"); err != nil {
		return err
	}
	n := -1
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return bodyError(err)
		}
		if key, _ := tok.(string); key != "requests" {
			return errorf(http.StatusBadRequest, "%s: Extra inputs are not permitted", key)
		}
		if n >= 0 {
			return errorf(http.StatusBadRequest, "There was an error parsing the body: requests is given twice")
		}
		if n, err = readRequests(dec, add); err != nil {
			return err
		}
	}
	switch {
	case n < 0:
		return errorf(http.StatusBadRequest, "requests: Field required")
	case n == 0:
		return errorf(http.StatusBadRequest, "requests: List should have at least 1 item after validation, not 0")
	}
	_, err := dec.Token()
	return bodyError(err)
}

// readRequests reads the requests array, returning its length.
func readRequests(dec *json.Decoder, add func(line []byte, params json.RawMessage) error) (int, error) {
	if err := expectDelim(dec, '[', "requests", "a valid list"); err != nil {
		return 0, err
	}
	seen := make(map[string]bool)
	var line bytes.Buffer
	n := 0
	for ; dec.More(); n++ {
		if n == maxRequests {
			return 0, errorf(http.StatusBadRequest, "requests: List should have at most %d items after validation", maxRequests)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, bodyError(err)
		}
		customID, params, err := checkBatchRequest(raw, n)
		if err != nil {
			return 0, err
		}
		if seen[customID] {
			return 0, errorf(http.StatusBadRequest, "requests.%d.custom_id: custom_id '%s' is already used by another request of this batch; each must be unique", n, customID)
		}
		seen[customID] = true
		line.Reset()
		if err := json.Compact(&line, raw); err != nil {
			return 0, err
		}
		line.WriteByte('\n')
		if err := add(line.Bytes(), params); err != nil {
			return 0, err
		}
	}
	_, err := dec.Token()
	return n, bodyError(err)
}

// expectDelim reads the opening delimiter of the value named param.
func expectDelim(dec *json.Decoder, delim json.Delim, param, want string) error {
	tok, err := dec.Token()
	if err != nil {
		return bodyError(err)
	}
	if tok != delim {
		return errorf(http.StatusBadRequest, "%s: Input should be %s", param, want)
	}
	return nil
}

// bodyError describes an error reading the create body as the API does.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return errorf(http.StatusRequestEntityTooLarge, "Request exceeds the maximum allowed number of bytes.")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "There was an error parsing the body: unexpected end of the JSON input")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return errorf(http.StatusBadRequest, "There was an error parsing the body: %v", err)
	}
	return err
}

// checkBatchRequest checks request i of a batch, {"custom_id":...,
// "params":{...}}, as the API does at creation, and returns its custom_id
// and params. Params need a model, max_tokens and messages of the right
// types; the rest of them is checked when the request runs.
func checkBatchRequest(raw json.RawMessage, i int) (customID string, params json.RawMessage, err error) {
	param := fmt.Sprintf("requests.%d", i)
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || fields == nil {
		return "", nil, errorf(http.StatusBadRequest, "%s: Input should be a valid dictionary", param)
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if k != "custom_id" && k != "params" {
			return "", nil, errorf(http.StatusBadRequest, "%s.%s: Extra inputs are not permitted", param, k)
		}
	}
	if err := decodeField(fields, param, "custom_id", &customID, "a valid string"); err != nil {
		return "", nil, err
	}
	if !validCustomID(customID) {
		return "", nil, errorf(http.StatusBadRequest, "%s.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", param)
	}
	var members map[string]json.RawMessage
	if err := decodeField(fields, param, "params", &members, "a valid dictionary"); err != nil {
		return "", nil, err
	}
	if err := checkParams(members, param+".params"); err != nil {
		return "", nil, err
	}
	return customID, fields["params"], nil
}

// checkParams checks the members of a request's params, the object param
// ("" for a body of its own), as the API does when it takes them: they
// need a model, max_tokens and messages of the right types; the rest is
// checked when the request runs (execute).
func checkParams(members map[string]json.RawMessage, param string) error {
	var model string
	var maxTokens int64
	var messages []json.RawMessage
	return cmp.Or(
		decodeField(members, param, "model", &model, "a valid string"),
		decodeField(members, param, "max_tokens", &maxTokens, "a valid integer"),
		decodeField(members, param, "messages", &messages, "a valid list"),
	)
}

// decodeField decodes the member name of fields, the object param ("" for
// the body), into v; it must be present and not null.
func decodeField(fields map[string]json.RawMessage, param, name string, v any, want string) error {
	path := name
	if param != "" {
		path = param + "." + name
	}
	raw, ok := fields[name]
	switch {
	case !ok:
		return errorf(http.StatusBadRequest, "%s: Field required", path)
	case string(raw) == "null" || json.Unmarshal(raw, v) != nil:
		return errorf(http.StatusBadRequest, "%s: Input should be %s", path, want)
	}
	return nil
}

// validCustomID reports whether id matches ^[a-zA-Z0-9_-]{1,64}$.
func validCustomID(id string) bool {
	if id == "" || len(id) > maxCustomIDLength {
		return false
	}
	for _, c := range []byte(id) {
		if !(c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// execution is what becomes of one request of a message batch.
type execution struct {
	outcome core.Outcome
	// status, errType and errMessage are the error of a failed request:
	// the HTTP status a synchronous call answers it with, its type and
	// message.
	status              int
	errType, errMessage string
	// model and text are the answer of a succeeded request.
	model, text string
	// inputTokens and outputTokens are the usage of a succeeded request;
	// cacheRead and cacheWritten the prompt cache's (cache.go), out of
	// its input, cacheWritten1h those of cacheWritten with a 1h ttl.
	inputTokens, outputTokens               int64
	cacheRead, cacheWritten, cacheWritten1h int64
	// call is the answer of a succeeded request that calls a tool.
	call *core.ToolCall
}

// content is the content of a succeeded request's message: its text, or
// the tool_use block of its call, whose id is id.
func (run execution) content(id string) []any {
	if run.call != nil {
		return []any{toolUseBlock{Type: "tool_use", ID: id, Name: run.call.Name, Input: run.call.Arguments}}
	}
	return []any{textBlock{Type: "text", Text: run.text}}
}

// stopReason is why a succeeded request's turn ended: the emulator always
// ends its turn, or stops for its tool call.
func (run execution) stopReason() string {
	if run.call != nil {
		return "tool_use"
	}
	return "end_turn"
}

// requestParams is the part of a request's params the emulator reads.
type requestParams struct {
	Model     string          `json:"model"`
	MaxTokens int64           `json:"max_tokens"`
	Messages  []messageParam  `json:"messages"`
	System    json.RawMessage `json:"system"`
	Stream    bool            `json:"stream"`
	// OutputConfig and OutputFormat ask for structured output.
	OutputConfig *outputConfig `json:"output_config"`
	OutputFormat *outputFormat `json:"output_format"`
	Tools        []struct {
		Name        string          `json:"name"`
		InputSchema json.RawMessage `json:"input_schema"`
	} `json:"tools"`
	ToolChoice struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tool_choice"`
}

// toolUse reads the tools and tool_choice of params (auto, any, none, or
// tool with a name); the conversation ends with tool results when its
// last message holds a tool_result block.
func (p *requestParams) toolUse() core.ToolUse {
	u := core.ToolUse{None: p.ToolChoice.Type == "none", Must: p.ToolChoice.Type == "any"}
	if p.ToolChoice.Type == "tool" {
		u.Forced = p.ToolChoice.Name
	}
	for _, t := range p.Tools {
		u.Tools = append(u.Tools, core.Tool{Name: t.Name, Params: t.InputSchema})
	}
	if n := len(p.Messages); n > 0 {
		u.Answered = toolResults(p.Messages[n-1].Content)
	}
	return u
}

// toolResults reports whether message content holds tool_result blocks:
// the user's turn that answers tool calls, not a prompt.
func toolResults(content json.RawMessage) bool {
	var blocks []struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(content, &blocks) != nil {
		return false
	}
	for _, b := range blocks {
		if b.Type == "tool_result" {
			return true
		}
	}
	return false
}

type messageParam struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// execute runs one request's params, which passed checkBatchRequest.
func execute(params json.RawMessage) execution {
	var p requestParams
	if err := json.Unmarshal(params, &p); err != nil {
		return failedRun(errInvalidRequest, paramsTypeError(err))
	}
	texts, prompt, msg := p.conversation()
	if msg != "" {
		return failedRun(errInvalidRequest, msg)
	}
	text, msg := p.reply(prompt)
	if msg != "" {
		return failedRun(errInvalidRequest, msg)
	}
	switch m := core.FindMarker(prompt); m.Kind {
	case core.MarkerFail:
		errType := errorType(m.Status)
		run := failedRun(errType, defaultMessage(errType)+" (emulated by "+m.Text+")")
		run.status = m.Status
		return run
	case core.MarkerError:
		run := failedRun(errAPI, defaultMessage(errAPI)+" (emulated by "+m.Text+")")
		run.status = http.StatusInternalServerError
		return run
	case core.MarkerExpire:
		return execution{outcome: core.OutcomeExpired}
	case core.MarkerDrop:
		return execution{outcome: core.OutcomeDropped}
	}
	call, isCall, err := core.ChooseToolCall(p.toolUse(), prompt)
	if err != nil {
		return failedRun(errInvalidRequest, "tools: "+err.Error())
	}
	run := execution{
		outcome:     core.OutcomeSucceeded,
		model:       p.Model,
		text:        text,
		inputTokens: core.CountTokens(texts...),
	}
	if isCall {
		run.call, text = &call, string(call.Arguments)
	}
	run.outputTokens = core.CountTokens(text)
	return run
}

// failedRun is a request that errored with an error of errType, answered
// with status 400 unless the caller sets another.
func failedRun(errType, message string) execution {
	return execution{outcome: core.OutcomeFailed, status: http.StatusBadRequest, errType: errType, errMessage: message}
}

// message returns the message answering a run that succeeded: the
// message of its batch result, and the body of the synchronous answer.
// toolID is the id of its tool call, if it makes one; tier is the service
// tier its usage names.
func (run execution) message(id, toolID, tier string) message {
	return message{
		ID:         id,
		Type:       "message",
		Role:       "assistant",
		Model:      run.model,
		Content:    run.content(toolID),
		StopReason: run.stopReason(),
		Usage: messageUsage{
			InputTokens:              run.inputTokens,
			CacheReadInputTokens:     run.cacheRead,
			CacheCreationInputTokens: run.cacheWritten,
			CacheCreation: cacheCreation{
				Ephemeral5mInputTokens: run.cacheWritten - run.cacheWritten1h,
				Ephemeral1hInputTokens: run.cacheWritten1h,
			},
			OutputTokens: run.outputTokens,
			ServiceTier:  tier,
		},
	}
}

// errorResponse returns the error of a run that failed: the error of its
// batch result, and the body of the synchronous answer.
func (run execution) errorResponse(requestID string) ErrorResponse {
	return ErrorResponse{
		Type:      "error",
		Error:     ErrorBody{Type: run.errType, Message: run.errMessage},
		RequestID: &requestID,
	}
}

// paramsTypeError describes a params member of the wrong type.
func paramsTypeError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field + ": Input should be " + core.JSONTypeName(te.Type)
	}
	return "params: Input should be a valid dictionary"
}

// conversation checks what the API checks of params when it runs them and
// returns the text of the system prompt and of every message, and that of
// the last user message (the prompt); msg is the error message of params
// that do not pass.
func (p *requestParams) conversation() (texts []string, prompt, msg string) {
	switch {
	case p.Stream:
		return nil, "", "stream: streaming is not supported in message batches"
	case p.MaxTokens < 1:
		return nil, "", "max_tokens: Input should be greater than or equal to 1"
	case len(p.Messages) == 0:
		return nil, "", "messages: List should have at least 1 item after validation, not 0"
	}
	system, ok := core.MessageText(p.System)
	if !ok {
		return nil, "", "system: Input should be a valid string or a list of text blocks"
	}
	texts = append(texts, system)
	for i, m := range p.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			return nil, "", fmt.Sprintf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		text, ok := core.MessageText(m.Content)
		if !ok || m.Content == nil {
			return nil, "", fmt.Sprintf("messages.%d.content: Input should be a valid string or a list of content blocks", i)
		}
		texts = append(texts, text)
		if m.Role == "user" && !toolResults(m.Content) {
			prompt = text
		}
	}
	return texts, prompt, ""
}
