package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// The batch endpoints the emulator answers.
const (
	EndpointChat        = "/v1/chat/completions"
	EndpointResponses   = "/v1/responses"
	EndpointCompletions = "/v1/completions"
	EndpointEmbeddings  = "/v1/embeddings"
)

// endpoints lists the supported endpoints, in error-message order.
func endpoints() []string {
	return []string{EndpointChat, EndpointCompletions, EndpointEmbeddings, EndpointModerations, EndpointResponses}
}

// inputLine is a request line of a batch input file that passed validation.
type inputLine struct {
	customID string
	model    string
	body     json.RawMessage
	// chat is the body, a chat request, when the line's scan read it too
	// (scan.go); nil otherwise.
	chat *chatRequest
}

func newLineError(code, param, format string, args ...any) *lineError {
	e := &lineError{Code: code, Message: fmt.Sprintf(format, args...)}
	if param != "" {
		e.Param = &param
	}
	return e
}

// parseInputLine checks one line of an input file the way the Batch API
// validates it. The error's Line is left to the caller. reuse, when not
// nil, is memory the line's chat request may be read into, in place of
// new memory: the caller keeps nothing of the previous line's request.
func parseInputLine(raw []byte, endpoint string, reuse *chatRequest) (inputLine, *lineError) {
	if in, ok := scanInputLine(raw, endpoint, reuse); ok {
		return in, nil
	}
	return decodeInputLine(raw, endpoint)
}

// decodeInputLine is parseInputLine with encoding/json, for every line.
func decodeInputLine(raw []byte, endpoint string) (inputLine, *lineError) {
	var fields struct {
		CustomID json.RawMessage `json:"custom_id"`
		Method   json.RawMessage `json:"method"`
		URL      json.RawMessage `json:"url"`
		Body     json.RawMessage `json:"body"`
	}
	if !bytes.HasPrefix(raw, []byte("{")) || json.Unmarshal(raw, &fields) != nil {
		return inputLine{}, newLineError("invalid_json_line", "", "This line is not parseable as valid JSON.")
	}
	var in inputLine
	var err *lineError
	if in.customID, err = lineString(fields.CustomID, "custom_id"); err != nil {
		return in, err
	}
	method, err := lineString(fields.Method, "method")
	if err != nil {
		return in, err
	}
	if method != "POST" {
		return in, newLineError("invalid_value", "method", "Invalid value for 'method': '%s'. Only 'POST' is supported.", method)
	}
	url, err := lineString(fields.URL, "url")
	if err != nil {
		return in, err
	}
	if url != endpoint {
		return in, newLineError("url_mismatch", "url", "The url '%s' of this request does not match the batch endpoint '%s'.", url, endpoint)
	}
	in.body = fields.Body
	var body struct {
		Model json.RawMessage `json:"model"`
	}
	switch {
	case in.body == nil:
		return in, newLineError("missing_required_parameter", "body", "Missing required parameter: 'body'.")
	case !bytes.HasPrefix(in.body, []byte("{")) || json.Unmarshal(in.body, &body) != nil:
		return in, newLineError("invalid_type", "body", "Invalid type for 'body': expected an object.")
	}
	in.model, err = lineString(body.Model, "body.model")
	return in, err
}

// lineString returns the non-empty string in raw, the field param of a
// line; raw is nil when the field is missing.
func lineString(raw json.RawMessage, param string) (string, *lineError) {
	if raw == nil {
		return "", newLineError("missing_required_parameter", param, "Missing required parameter: '%s'.", param)
	}
	var s string
	if string(raw) == "null" || json.Unmarshal(raw, &s) != nil {
		return "", newLineError("invalid_type", param, "Invalid type for '%s': expected a string.", param)
	}
	if s == "" {
		return "", newLineError("invalid_value", param, "Invalid value for '%s': expected a non-empty string.", param)
	}
	return s, nil
}

// endpointRequest is a parsed request body of one endpoint.
type endpointRequest interface {
	// markerText is the text searched for fault markers.
	markerText() string
	// usage returns the token counts of the successful answer.
	usage() (input, output int64)
	// answer returns the body of the successful answer.
	answer(m core.AnswerMeta) any
}

// execution is what the emulator does with one request of a batch.
type execution struct {
	outcome core.Outcome
	// request answers a succeeded request.
	request endpointRequest
	// status and errBody are the answer of a request failed with an HTTP
	// error; failure is set instead for a non-HTTP error.
	status  int
	errBody *apiError
	failure *requestFailed
	// inputTokens and outputTokens are the usage of a succeeded request,
	// cachedTokens those of its input read from the prompt cache.
	inputTokens, outputTokens, cachedTokens int64
}

// execute runs one request body against endpoint.
func execute(endpoint string, body []byte) execution {
	return run(parseRequest(endpoint, body))
}

// executeLine runs the request of a batch's input line against endpoint.
func executeLine(endpoint string, in inputLine) execution {
	if in.chat != nil {
		return run(in.chat, nil)
	}
	return execute(endpoint, in.body)
}

// run runs a parsed request, or answers the error of one that failed to
// parse.
func run(req endpointRequest, apiErr *apiError) execution {
	if apiErr != nil {
		return execution{outcome: core.OutcomeFailed, status: 400, errBody: apiErr}
	}
	switch m := core.FindMarker(req.markerText()); m.Kind {
	case core.MarkerFail:
		return execution{outcome: core.OutcomeFailed, status: m.Status, errBody: statusError(m.Status, "(Emulated by "+m.Text+".)")}
	case core.MarkerError:
		return execution{outcome: core.OutcomeFailed, failure: &requestFailed{
			Code:    "server_error",
			Message: "The request failed without a response (emulated by " + m.Text + ").",
		}}
	case core.MarkerExpire:
		return execution{outcome: core.OutcomeExpired}
	case core.MarkerDrop:
		return execution{outcome: core.OutcomeDropped}
	}
	in, out := req.usage()
	return execution{outcome: core.OutcomeSucceeded, request: req, status: 200, inputTokens: in, outputTokens: out}
}

// answer returns the HTTP status and body answering a request that ran
// and succeeded or failed with an HTTP error: the response of its batch
// result line, and the answer of the synchronous endpoint. meta places the
// answer (its ids and creation time).
func (ex execution) answer(meta core.AnswerMeta) (int, any) {
	if ex.outcome == core.OutcomeSucceeded {
		return ex.status, ex.request.answer(meta)
	}
	return ex.status, errorBody{Error: ex.errBody}
}

// parseRequest parses a request body of endpoint, or returns the 400 error
// the endpoint would answer.
func parseRequest(endpoint string, body []byte) (endpointRequest, *apiError) {
	switch endpoint {
	case EndpointChat:
		if req, err, ok := scanChat(body); ok {
			return req, err
		}
		return parseChat(body)
	case EndpointResponses:
		return parseResponses(body)
	case EndpointCompletions:
		return parseCompletions(body)
	case EndpointEmbeddings:
		return parseEmbeddings(body)
	case EndpointModerations:
		return parseModerations(body)
	}
	return nil, invalidRequest("url", "", "Unsupported endpoint %s.", endpoint)
}

// conversation is the text of a list of messages.
type conversation struct {
	texts      []string // every message's text
	lastPrompt string   // the last user message's text
	cached     int64    // tokens read from the prompt cache (cache.go)
	// counts are the tokens of each text, counted once (tokenCounts):
	// usage, the answer and the cache ask for them several times.
	counts []int64
}

// tokenCounts returns the tokens of each text.
func (c *conversation) tokenCounts() []int64 {
	if len(c.counts) != len(c.texts) {
		c.counts = make([]int64, len(c.texts))
		for i, t := range c.texts {
			c.counts[i] = core.CountTokens(t)
		}
	}
	return c.counts
}

// inputTokens returns the tokens of all the texts.
func (c *conversation) inputTokens() int64 {
	var n int64
	for _, k := range c.tokenCounts() {
		n += k
	}
	return n
}

// tokensOf returns the tokens of s, taken from the texts' counts when s is
// one of them: the reply of most models is the last prompt.
func (c *conversation) tokensOf(s string) int64 {
	counts := c.tokenCounts()
	for i := len(c.texts) - 1; i >= 0; i-- {
		if c.texts[i] == s {
			return counts[i]
		}
	}
	return core.CountTokens(s)
}

type message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Type    string          `json:"type"` // of a Responses input item
}

// readConversation collects the text of messages; param names the list in
// errors.
func readConversation(messages []message, param string) (conversation, *apiError) {
	var c conversation
	for i, m := range messages {
		text, ok := core.MessageText(m.Content)
		if !ok {
			return c, invalidType(fmt.Sprintf("%s[%d].content", param, i), "a string or an array of content parts")
		}
		c.texts = append(c.texts, text)
		if m.Role == "user" {
			c.lastPrompt = text
		}
	}
	return c, nil
}

// stringOrStrings decodes a JSON string or array of strings.
func stringOrStrings(raw json.RawMessage) ([]string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}, true
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, false
	}
	return list, true
}

func decodeBody(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// chatRequest is a /v1/chat/completions body.
type chatRequest struct {
	Model          string          `json:"model"`
	Messages       []message       `json:"messages"`
	Tools          []functionTool  `json:"tools"`
	ToolChoice     json.RawMessage `json:"tool_choice"`
	ResponseFormat *responseFormat `json:"response_format"`
	conv           conversation
	call           *core.ToolCall // the answer, when it is a tool call
	reply          string         // the answer's text otherwise
	// oneMessage and oneText first hold Messages and conv.texts of a
	// scanned request (scanChatBody), which most often has one message.
	oneMessage [1]message
	oneText    [1]string
	// answered holds the request's answer (answer), so that answering
	// allocates nothing but its ids: an answer is written before the
	// request is answered again or reused.
	answered chatAnswer
}

// chatAnswer is the memory of a chat request's answer.
type chatAnswer struct {
	completion chatCompletion
	choice     [1]chatChoice
	prompt     promptTokensDetails
	output     completionTokensDetails
}

// functionTool is a tool of a chat request, {"type","function":{...}}, or
// with its function's members at the top, of a Responses request.
type functionTool struct {
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	Parameters json.RawMessage `json:"parameters"`
	Function   *struct {
		Name       string          `json:"name"`
		Parameters json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// toolUse reads the tools and tool_choice of a chat or Responses request;
// answered is set when the conversation ends with a tool's result. The
// choice is "none", "auto", "required", {"type":"function","function":{"name"}}
// (chat) or {"type":"function","name"} (Responses).
func toolUse(tools []functionTool, choice json.RawMessage, answered bool) core.ToolUse {
	u := core.ToolUse{Answered: answered}
	for _, t := range tools {
		switch {
		case t.Function != nil:
			u.Tools = append(u.Tools, core.Tool{Name: t.Function.Name, Params: t.Function.Parameters})
		case t.Type == "function":
			u.Tools = append(u.Tools, core.Tool{Name: t.Name, Params: t.Parameters})
		}
	}
	var mode string
	var named struct {
		Name     string `json:"name"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	switch {
	case choice == nil: // neither decodes
	case json.Unmarshal(choice, &mode) == nil:
		u.None, u.Must = mode == "none", mode == "required"
	case json.Unmarshal(choice, &named) == nil:
		u.Forced = named.Name
		if named.Function.Name != "" {
			u.Forced = named.Function.Name
		}
	}
	return u
}

// chooseCall settles the tool call a request is answered with, or the
// error of a tool the emulator cannot call.
func chooseCall(u core.ToolUse, fill string) (*core.ToolCall, *apiError) {
	call, ok, err := core.ChooseToolCall(u, fill)
	switch {
	case err != nil:
		return nil, invalidRequest("tools", "", "%s", err.Error())
	case !ok:
		return nil, nil
	}
	return &call, nil
}

func parseChat(body []byte) (endpointRequest, *apiError) {
	var req chatRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	switch {
	case req.Messages == nil:
		return nil, missingParam("messages")
	case len(req.Messages) == 0:
		return nil, invalidRequest("messages", "empty_array",
			"Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	var err *apiError
	if req.conv, err = readConversation(req.Messages, "messages"); err != nil {
		return nil, err
	}
	if req.reply, err = chatReply(req.Model, req.conv.lastPrompt, req.ResponseFormat); err != nil {
		return nil, err
	}
	last := req.Messages[len(req.Messages)-1]
	req.call, err = chooseCall(toolUse(req.Tools, req.ToolChoice, last.Role == "tool"), req.conv.lastPrompt)
	return &req, err
}

func (r *chatRequest) markerText() string { return r.conv.lastPrompt }

func (r *chatRequest) usage() (int64, int64) {
	out, _ := withReasoning(r.Model, r.conv.tokensOf(answerText(r.call, r.reply)))
	return r.conv.inputTokens(), out
}

// answerText is the text of an answer: the reply, or a tool call's
// arguments.
func answerText(call *core.ToolCall, reply string) string {
	if call != nil {
		return string(call.Arguments)
	}
	return reply
}

type chatCompletion struct {
	ID          string          `json:"id"`
	Object      string          `json:"object"`
	Created     int64           `json:"created"`
	Model       string          `json:"model"`
	Choices     []chatChoice    `json:"choices"`
	Usage       completionUsage `json:"usage"`
	ServiceTier string          `json:"service_tier"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	Logprobs     *struct{}   `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type chatMessage struct {
	Role        string         `json:"role"`
	Content     *string        `json:"content"`
	Refusal     *string        `json:"refusal"`
	Annotations []string       `json:"annotations"`
	ToolCalls   []chatToolCall `json:"tool_calls,omitempty"`
}

// chatToolCall is a tool call of an answer; its arguments are a JSON
// string.
type chatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type completionUsage struct {
	PromptTokens            int64                    `json:"prompt_tokens"`
	CompletionTokens        int64                    `json:"completion_tokens"`
	TotalTokens             int64                    `json:"total_tokens"`
	PromptTokensDetails     *promptTokensDetails     `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *completionTokensDetails `json:"completion_tokens_details,omitempty"`
}

type promptTokensDetails struct {
	CachedTokens int64 `json:"cached_tokens"`
	AudioTokens  int64 `json:"audio_tokens"`
}

type completionTokensDetails struct {
	ReasoningTokens          int64 `json:"reasoning_tokens"`
	AudioTokens              int64 `json:"audio_tokens"`
	AcceptedPredictionTokens int64 `json:"accepted_prediction_tokens"`
	RejectedPredictionTokens int64 `json:"rejected_prediction_tokens"`
}

// answer returns r's answer, a *chatCompletion in r's memory, valid until
// r is answered again or reused.
func (r *chatRequest) answer(m core.AnswerMeta) any {
	in, out := r.usage()
	a := &r.answered
	a.choice[0] = chatChoice{
		Message:      chatMessage{Role: "assistant", Annotations: []string{}},
		FinishReason: "stop",
	}
	if r.call != nil {
		tc := chatToolCall{ID: m.ID("call_"), Type: "function"}
		tc.Function.Name, tc.Function.Arguments = r.call.Name, string(r.call.Arguments)
		a.choice[0].Message.ToolCalls, a.choice[0].FinishReason = []chatToolCall{tc}, "tool_calls"
	} else {
		a.choice[0].Message.Content = &r.reply
	}
	a.prompt = promptTokensDetails{CachedTokens: r.conv.cached}
	a.output = completionTokensDetails{ReasoningTokens: batchReasoning(r.Model, out)}
	a.completion = chatCompletion{
		ID:      m.ID("chatcmpl-"),
		Object:  "chat.completion",
		Created: m.Created,
		Model:   r.Model,
		Choices: a.choice[:],
		Usage: completionUsage{
			PromptTokens:            in,
			CompletionTokens:        out,
			TotalTokens:             in + out,
			PromptTokensDetails:     &a.prompt,
			CompletionTokensDetails: &a.output,
		},
		ServiceTier: "default",
	}
	return &a.completion
}

// responsesRequest is a /v1/responses body.
type responsesRequest struct {
	Model        string          `json:"model"`
	Input        json.RawMessage `json:"input"`
	Instructions *string         `json:"instructions"`
	Tools        []functionTool  `json:"tools"`
	ToolChoice   json.RawMessage `json:"tool_choice"`
	Text         *textConfig     `json:"text"`
	conv         conversation
	call         *core.ToolCall // the answer, when it is a tool call
	reply        string         // the answer's text otherwise
}

func parseResponses(body []byte) (endpointRequest, *apiError) {
	var req responsesRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if req.Input == nil {
		return nil, missingParam("input")
	}
	var text string
	answered := false
	if json.Unmarshal(req.Input, &text) == nil {
		req.conv = conversation{texts: []string{text}, lastPrompt: text}
	} else {
		var items []message
		if json.Unmarshal(req.Input, &items) != nil {
			return nil, invalidType("input", "a string or an array of input items")
		}
		var err *apiError
		if req.conv, err = readConversation(items, "input"); err != nil {
			return nil, err
		}
		answered = len(items) > 0 && items[len(items)-1].Type == "function_call_output"
	}
	if req.Instructions != nil {
		req.conv.texts = append(req.conv.texts, *req.Instructions)
	}
	var err *apiError
	if req.reply, err = responsesReply(req.Model, req.conv.lastPrompt, req.Text); err != nil {
		return nil, err
	}
	req.call, err = chooseCall(toolUse(req.Tools, req.ToolChoice, answered), req.conv.lastPrompt)
	return &req, err
}

func (r *responsesRequest) markerText() string { return r.conv.lastPrompt }

func (r *responsesRequest) usage() (int64, int64) {
	out, _ := withReasoning(r.Model, r.conv.tokensOf(answerText(r.call, r.reply)))
	return r.conv.inputTokens(), out
}

type responseObject struct {
	ID                 string            `json:"id"`
	Object             string            `json:"object"`
	CreatedAt          int64             `json:"created_at"`
	Status             string            `json:"status"`
	Error              *struct{}         `json:"error"`
	IncompleteDetails  *struct{}         `json:"incomplete_details"`
	Instructions       *string           `json:"instructions"`
	MaxOutputTokens    *int64            `json:"max_output_tokens"`
	Model              string            `json:"model"`
	Output             []responseMessage `json:"output"`
	ParallelToolCalls  bool              `json:"parallel_tool_calls"`
	PreviousResponseID *string           `json:"previous_response_id"`
	Temperature        float64           `json:"temperature"`
	ToolChoice         string            `json:"tool_choice"`
	Tools              []string          `json:"tools"`
	TopP               float64           `json:"top_p"`
	Usage              responseUsage     `json:"usage"`
	Metadata           map[string]string `json:"metadata"`
}

// responseMessage is an output item: a message, or a function_call
// (call_id, name, arguments).
type responseMessage struct {
	ID        string       `json:"id"`
	Type      string       `json:"type"`
	Status    string       `json:"status"`
	Role      string       `json:"role,omitempty"`
	Content   []outputText `json:"content,omitempty"`
	CallID    string       `json:"call_id,omitempty"`
	Name      string       `json:"name,omitempty"`
	Arguments string       `json:"arguments,omitempty"`
}

type outputText struct {
	Type        string   `json:"type"`
	Text        string   `json:"text"`
	Annotations []string `json:"annotations"`
	Logprobs    []string `json:"logprobs"`
}

// responseUsage is the usage object of a response.
type responseUsage struct {
	InputTokens         int64                      `json:"input_tokens"`
	InputTokensDetails  responseInputTokensDetails `json:"input_tokens_details"`
	OutputTokens        int64                      `json:"output_tokens"`
	OutputTokensDetails outputTokensDetails        `json:"output_tokens_details"`
	TotalTokens         int64                      `json:"total_tokens"`
}

type responseInputTokensDetails struct {
	CachedTokens     int64 `json:"cached_tokens"`
	CacheWriteTokens int64 `json:"cache_write_tokens"`
}

func (r *responsesRequest) answer(m core.AnswerMeta) any {
	in, out := r.usage()
	return responseObject{
		ID:                m.ID("resp_"),
		Object:            "response",
		CreatedAt:         m.Created,
		Status:            "completed",
		Instructions:      r.Instructions,
		Model:             r.Model,
		Output:            r.output(m),
		ParallelToolCalls: true,
		Temperature:       1,
		ToolChoice:        "auto",
		Tools:             []string{},
		TopP:              1,
		Usage: responseUsage{InputTokens: in, OutputTokens: out, TotalTokens: in + out,
			InputTokensDetails:  responseInputTokensDetails{CachedTokens: r.conv.cached},
			OutputTokensDetails: outputTokensDetails{ReasoningTokens: batchReasoning(r.Model, out)}},
		Metadata: map[string]string{},
	}
}

// output is the output of a response: a message, or a function call.
func (r *responsesRequest) output(m core.AnswerMeta) []responseMessage {
	if r.call != nil {
		return []responseMessage{{ID: m.ID("fc_"), Type: "function_call", Status: "completed",
			CallID: m.ID("call_"), Name: r.call.Name, Arguments: string(r.call.Arguments)}}
	}
	return []responseMessage{{
		ID:     m.ID("msg_"),
		Type:   "message",
		Status: "completed",
		Role:   "assistant",
		Content: []outputText{{
			Type:        "output_text",
			Text:        r.reply,
			Annotations: []string{},
			Logprobs:    []string{},
		}},
	}}
}

// completionRequest is a /v1/completions body.
type completionRequest struct {
	Model   string          `json:"model"`
	Prompt  json.RawMessage `json:"prompt"`
	prompts []string
}

func parseCompletions(body []byte) (endpointRequest, *apiError) {
	var req completionRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if req.Prompt == nil {
		return nil, missingParam("prompt")
	}
	var ok bool
	if req.prompts, ok = stringOrStrings(req.Prompt); !ok {
		return nil, invalidType("prompt", "a string or a non-empty array of strings")
	}
	return &req, nil
}

func (r *completionRequest) markerText() string { return strings.Join(r.prompts, "\n") }

func (r *completionRequest) usage() (int64, int64) {
	var out int64
	for _, p := range r.prompts {
		out += core.CountTokens(core.Reply(r.Model, p))
	}
	return core.CountTokens(r.prompts...), out
}

type textCompletion struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []completionChoice `json:"choices"`
	Usage   completionUsage    `json:"usage"`
}

type completionChoice struct {
	Text         string    `json:"text"`
	Index        int       `json:"index"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason string    `json:"finish_reason"`
}

func (r *completionRequest) answer(m core.AnswerMeta) any {
	in, out := r.usage()
	choices := make([]completionChoice, len(r.prompts))
	for i, p := range r.prompts {
		choices[i] = completionChoice{Text: core.Reply(r.Model, p), Index: i, FinishReason: "stop"}
	}
	return textCompletion{
		ID:      m.ID("cmpl-"),
		Object:  "text_completion",
		Created: m.Created,
		Model:   r.Model,
		Choices: choices,
		Usage:   completionUsage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out},
	}
}

// embeddingRequest is a /v1/embeddings body.
type embeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	Dimensions     *int            `json:"dimensions"`
	EncodingFormat string          `json:"encoding_format"`
	inputs         []string
}

func parseEmbeddings(body []byte) (endpointRequest, *apiError) {
	var req embeddingRequest
	if err := decodeBody(body, &req); err != nil {
		return nil, err
	}
	if req.Input == nil {
		return nil, missingParam("input")
	}
	var ok bool
	if req.inputs, ok = stringOrStrings(req.Input); !ok {
		return nil, invalidType("input", "a string or a non-empty array of strings (the emulator does not take token arrays)")
	}
	if req.Dimensions == nil {
		d := core.DefaultDimensions
		req.Dimensions = &d
	}
	if d := *req.Dimensions; d < 1 || d > core.MaxDimensions {
		return nil, invalidRequest("dimensions", "invalid_value",
			"Invalid value for 'dimensions': %d. Expected an integer from 1 to %d.", d, core.MaxDimensions)
	}
	if f := req.EncodingFormat; f != "" && f != "float" && f != "base64" {
		return nil, invalidRequest("encoding_format", "invalid_value",
			"Invalid value for 'encoding_format': '%s'. Supported values are: 'float', 'base64'.", f)
	}
	return &req, nil
}

func (r *embeddingRequest) markerText() string { return strings.Join(r.inputs, "\n") }

func (r *embeddingRequest) usage() (int64, int64) { return core.CountTokens(r.inputs...), 0 }

type embeddingList struct {
	Object string          `json:"object"`
	Data   []embeddingItem `json:"data"`
	Model  string          `json:"model"`
	Usage  embeddingUsage  `json:"usage"`
}

type embeddingItem struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"`
}

type embeddingUsage struct {
	PromptTokens int64 `json:"prompt_tokens"`
	TotalTokens  int64 `json:"total_tokens"`
}

func (r *embeddingRequest) answer(core.AnswerMeta) any {
	in, _ := r.usage()
	data := make([]embeddingItem, len(r.inputs))
	for i, text := range r.inputs {
		var vector any = core.Embedding(text, *r.Dimensions)
		if r.EncodingFormat == "base64" {
			vector = EncodeFloats(vector.([]float32))
		}
		data[i] = embeddingItem{Object: "embedding", Index: i, Embedding: vector}
	}
	return embeddingList{Object: "list", Data: data, Model: r.Model, Usage: embeddingUsage{PromptTokens: in, TotalTokens: in}}
}

// EncodeFloats returns v as little-endian float32s in base64, the
// encoding_format "base64" of embeddings.
func EncodeFloats(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}
