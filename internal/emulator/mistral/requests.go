package mistral

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// The batch endpoints the emulator answers, of those Mistral batches
// (docs/models/apiendpoint.md).
const (
	endpointChat        = "/v1/chat/completions"
	endpointEmbeddings  = "/v1/embeddings"
	endpointModerations = "/v1/moderations"
)

// apiEndpoints lists every batch endpoint of the API, in its order.
var apiEndpoints = []string{
	endpointChat, endpointEmbeddings, "/v1/fim/completions", endpointModerations, "/v1/chat/moderations",
	"/v1/ocr", "/v1/classifications", "/v1/chat/classifications", "/v1/conversations", "/v1/audio/transcriptions",
}

// answered lists the endpoints the emulator answers.
var answered = []string{endpointChat, endpointEmbeddings, endpointModerations}

// request is a parsed request body of one endpoint.
type request interface {
	// markerText is the text searched for fault markers.
	markerText() string
	// usage returns the token counts of the successful answer.
	usage() (input, output int64)
	// answer returns the body of the successful answer.
	answer(m core.AnswerMeta) any
}

// execution is what the emulator does with one request of a job.
type execution struct {
	outcome core.Outcome
	request request // of a succeeded request
	// status and message are the answer of a request failed with an HTTP
	// error; failure is set instead for one that failed without answer.
	status  int
	message string
	failure *lineError
	// inputTokens and outputTokens are the usage of a succeeded request.
	inputTokens, outputTokens int64
}

// execute runs one request body of a job of model against endpoint.
func execute(endpoint, model string, body json.RawMessage) execution {
	req, msg := parseRequest(endpoint, model, body)
	if msg != "" {
		return execution{outcome: core.OutcomeFailed, status: http.StatusUnprocessableEntity, message: msg}
	}
	switch m := core.FindMarker(req.markerText()); m.Kind {
	case core.MarkerFail:
		return execution{outcome: core.OutcomeFailed, status: m.Status, message: "The request was rejected (emulated by " + m.Text + ")."}
	case core.MarkerError:
		return execution{outcome: core.OutcomeFailed, failure: &lineError{
			Code:    "server_error",
			Message: "The request failed without a response (emulated by " + m.Text + ").",
		}}
	case core.MarkerExpire:
		return execution{outcome: core.OutcomeExpired}
	case core.MarkerDrop:
		return execution{outcome: core.OutcomeDropped}
	}
	in, out := req.usage()
	return execution{outcome: core.OutcomeSucceeded, request: req, status: http.StatusOK, inputTokens: in, outputTokens: out}
}

// parseRequest parses a request body, or returns why the endpoint refuses
// it. A body's own model wins over the job's.
func parseRequest(endpoint, model string, body json.RawMessage) (request, string) {
	var err error
	switch endpoint {
	case endpointChat:
		req := &chatRequest{Model: model}
		if err = json.Unmarshal(body, req); err == nil {
			return req, req.check()
		}
	case endpointEmbeddings:
		req := &embeddingRequest{Model: model}
		if err = json.Unmarshal(body, req); err == nil {
			return req, req.check()
		}
	case endpointModerations:
		req := &moderationRequest{Model: model}
		if err = json.Unmarshal(body, req); err == nil {
			return req, req.check()
		}
	default:
		return nil, "The emulator does not answer " + endpoint
	}
	return nil, "body: " + err.Error()
}

// chatRequest is a /v1/chat/completions body.
type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	texts  []string // every message's text
	prompt string   // the last user message's
}

func (r *chatRequest) check() string {
	if len(r.Messages) == 0 {
		return "messages: Field required"
	}
	for i, m := range r.Messages {
		text, ok := core.MessageText(m.Content)
		if !ok {
			return fmt.Sprintf("messages.%d.content: Input should be a valid string or a list of chunks", i)
		}
		r.texts = append(r.texts, text)
		if m.Role == "user" {
			r.prompt = text
		}
	}
	return ""
}

func (r *chatRequest) markerText() string { return r.prompt }

func (r *chatRequest) usage() (int64, int64) {
	return core.CountTokens(r.texts...), core.CountTokens(core.Reply(r.Model, r.prompt))
}

// chatCompletion is a ChatCompletionResponse (client-ts
// src/models/components/chatcompletionresponse.ts).
type chatCompletion struct {
	ID      string       `json:"id"`
	Object  string       `json:"object"`
	Model   string       `json:"model"`
	Usage   usageInfo    `json:"usage"`
	Created int64        `json:"created"`
	Choices []chatChoice `json:"choices"`
}

type usageInfo struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	TotalTokens      int64 `json:"total_tokens"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Message      chatMessage `json:"message"`
	FinishReason string      `json:"finish_reason"`
}

type chatMessage struct {
	Role      string    `json:"role"`
	Content   string    `json:"content"`
	ToolCalls *struct{} `json:"tool_calls"`
	Prefix    bool      `json:"prefix"`
}

func (r *chatRequest) answer(m core.AnswerMeta) any {
	in, out := r.usage()
	return chatCompletion{
		ID:      m.ID("cmpl-"),
		Object:  "chat.completion",
		Model:   r.Model,
		Usage:   usageInfo{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out},
		Created: m.Created,
		Choices: []chatChoice{{
			Message:      chatMessage{Role: "assistant", Content: core.Reply(r.Model, r.prompt)},
			FinishReason: "stop",
		}},
	}
}

// embeddingRequest is a /v1/embeddings body (docs/models/embeddingrequest.md:
// the inputs are sent as "input").
type embeddingRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	OutputDimension *int            `json:"output_dimension"`
	inputs          []string
}

func (r *embeddingRequest) check() string {
	var ok bool
	if r.inputs, ok = stringOrStrings(r.Input); !ok {
		return "input: Input should be a valid string or a non-empty list of strings"
	}
	if r.OutputDimension == nil {
		d := core.DefaultDimensions
		r.OutputDimension = &d
	}
	if d := *r.OutputDimension; d < 1 || d > core.MaxDimensions {
		return fmt.Sprintf("output_dimension: Input should be between 1 and %d", core.MaxDimensions)
	}
	return ""
}

func (r *embeddingRequest) markerText() string { return strings.Join(r.inputs, "\n") }

func (r *embeddingRequest) usage() (int64, int64) { return core.CountTokens(r.inputs...), 0 }

// embeddingResponse is an EmbeddingResponse (docs/models/embeddingresponse.md).
type embeddingResponse struct {
	ID     string          `json:"id"`
	Object string          `json:"object"`
	Model  string          `json:"model"`
	Usage  usageInfo       `json:"usage"`
	Data   []embeddingData `json:"data"`
}

type embeddingData struct {
	Object    string    `json:"object"`
	Embedding []float32 `json:"embedding"`
	Index     int       `json:"index"`
}

func (r *embeddingRequest) answer(m core.AnswerMeta) any {
	in, _ := r.usage()
	data := make([]embeddingData, len(r.inputs))
	for i, text := range r.inputs {
		data[i] = embeddingData{Object: "embedding", Embedding: core.Embedding(text, *r.OutputDimension), Index: i}
	}
	return embeddingResponse{ID: m.ID("embd-"), Object: "list", Model: r.Model, Usage: usageInfo{PromptTokens: in, TotalTokens: in}, Data: data}
}

// moderationCategories are the categories of Mistral's moderation model
// (docs.mistral.ai/capabilities/guardrailing; UNCONFIRMED beyond it).
var moderationCategories = []string{
	"sexual", "hate_and_discrimination", "violence_and_threats", "dangerous_and_criminal_content",
	"selfharm", "health", "financial", "law", "pii",
}

// flagPattern is the moderation marker: [flag] flags an input as
// violence_and_threats, [flag:CATEGORY] as that category.
var flagPattern = regexp.MustCompile(`\[flag(?::([a-z_]+))?\]`)

// moderationRequest is a /v1/moderations body.
type moderationRequest struct {
	Model  string          `json:"model"`
	Input  json.RawMessage `json:"input"`
	inputs []string
}

func (r *moderationRequest) check() string {
	var ok bool
	if r.inputs, ok = stringOrStrings(r.Input); !ok {
		return "input: Input should be a valid string or a non-empty list of strings"
	}
	for _, text := range r.inputs {
		for _, m := range flagPattern.FindAllStringSubmatch(text, -1) {
			if m[1] != "" && !slices.Contains(moderationCategories, m[1]) {
				return fmt.Sprintf("Unknown moderation category '%s' in [flag:...] (emulator): want one of %s",
					m[1], strings.Join(moderationCategories, ", "))
			}
		}
	}
	return ""
}

func (r *moderationRequest) markerText() string { return strings.Join(r.inputs, "\n") }

func (r *moderationRequest) usage() (int64, int64) { return core.CountTokens(r.inputs...), 0 }

// moderationResponse is a ModerationResponse
// (docs/models/moderationresponse.md): no flagged member.
type moderationResponse struct {
	ID      string             `json:"id"`
	Model   string             `json:"model"`
	Results []moderationObject `json:"results"`
}

type moderationObject struct {
	Categories     orderedObject `json:"categories"`
	CategoryScores orderedObject `json:"category_scores"`
}

// orderedObject is a JSON object of the moderation categories, in order,
// with one value each.
type orderedObject []any

func (o orderedObject) MarshalJSON() ([]byte, error) {
	return core.MarshalOrdered(moderationCategories, o)
}

// answer flags each input carrying a [flag] marker, in the category it
// names, with score 0.99; every other score is 0.
func (r *moderationRequest) answer(m core.AnswerMeta) any {
	results := make([]moderationObject, len(r.inputs))
	for i, text := range r.inputs {
		flagged := map[string]bool{}
		for _, mk := range flagPattern.FindAllStringSubmatch(text, -1) {
			flagged[cmp.Or(mk[1], "violence_and_threats")] = true
		}
		var res moderationObject
		for _, c := range moderationCategories {
			score := 0.0
			if flagged[c] {
				score = 0.99
			}
			res.Categories = append(res.Categories, flagged[c])
			res.CategoryScores = append(res.CategoryScores, score)
		}
		results[i] = res
	}
	return moderationResponse{ID: m.ID("mod-"), Model: r.Model, Results: results}
}

// stringOrStrings decodes a JSON string or non-empty array of strings.
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
