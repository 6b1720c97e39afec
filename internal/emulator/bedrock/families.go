package bedrock

import (
	"encoding/json"
	"strings"

	"github.com/batchctl/batchctl/internal/emulator/anthropic"
	"github.com/batchctl/batchctl/internal/emulator/core"
)

// family is the kind of InvokeModel body and answer of a model, told by
// its id (a model id, or an inference profile id with a geography
// before it): Anthropic's Messages, Llama's and Mistral's prompts in
// their chat templates, Nova's messages-v1, Mistral Large 2407's chat
// messages. Sources: the "Inference request parameters and response
// fields for foundation models" pages of the Bedrock user guide
// (model-parameters-meta.html, model-parameters-mistral-text-completion.html,
// model-parameters-mistral-chat-completion.html) and the Amazon Nova user
// guide (complete-request-schema.html, complete-request-schema-response.html).
type family int

const (
	familyAnthropic family = iota
	familyLlama
	familyNova
	familyMistralPrompt
	familyMistralChat
)

func familyOf(model string) family {
	switch {
	case strings.Contains(model, "meta.llama"):
		return familyLlama
	case strings.Contains(model, "amazon.nova"):
		return familyNova
	case strings.Contains(model, "mistral-large-2407"):
		return familyMistralChat
	case strings.Contains(model, "mistral."):
		return familyMistralPrompt
	}
	return familyAnthropic
}

// runRecord runs a record's modelInput as the job's model would: a body
// of the model's family is read into the Messages body the Anthropic
// emulator runs (markers and all), whose answer is put in the family's
// shape by modelOutput. A body that is not its family's fails the record
// with a 400, as Bedrock's validation would.
func runRecord(input json.RawMessage, model, seed string, i int) anthropic.Record {
	body, msg := messagesBody(familyOf(model), input)
	if msg != "" {
		return anthropic.Record{Outcome: core.OutcomeFailed, Status: 400, ErrorMessage: msg}
	}
	return anthropic.RunRecord(body, model, seed, i)
}

// turn is a message of a conversation, its content one text.
type turn struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// messagesBody is input as an Anthropic Messages body, or why it is not
// a body of its family.
func messagesBody(f family, input json.RawMessage) (json.RawMessage, string) {
	if f == familyAnthropic {
		return input, ""
	}
	var b struct {
		Prompt          *string         `json:"prompt"`
		SchemaVersion   *string         `json:"schemaVersion"`
		Messages        json.RawMessage `json:"messages"`
		System          json.RawMessage `json:"system"`
		InferenceConfig struct {
			MaxTokens int64 `json:"maxTokens"`
		} `json:"inferenceConfig"`
		MaxGenLen int64 `json:"max_gen_len"`
		MaxTokens int64 `json:"max_tokens"`
	}
	if err := json.Unmarshal(input, &b); err != nil {
		return nil, "Malformed input request: " + err.Error()
	}
	var system string
	var turns []turn
	var msg string
	switch f {
	case familyLlama:
		turns, msg = promptTurns(b.Prompt, "<|begin_of_text|>", "<|start_header_id|>user<|end_header_id|>\n\n", "<|eot_id|>")
	case familyMistralPrompt:
		turns, msg = promptTurns(b.Prompt, "<s>", "[INST] ", " [/INST]")
	case familyNova:
		system, turns, msg = novaTurns(b.SchemaVersion, b.System, b.Messages)
		b.MaxTokens = b.InferenceConfig.MaxTokens
	case familyMistralChat:
		system, turns, msg = chatTurns(b.Messages)
	}
	if msg != "" {
		return nil, msg
	}
	out := map[string]any{"max_tokens": max(b.MaxTokens, b.MaxGenLen, 512), "messages": turns}
	if system != "" {
		out["system"] = system
	}
	raw, _ := json.Marshal(out)
	return raw, ""
}

// promptTurns reads the last user turn of a prompt in a chat template:
// the prompt starts with begin, the turn's text comes after open and ends
// at close (or the prompt's end).
func promptTurns(prompt *string, begin, open, close string) ([]turn, string) {
	if prompt == nil {
		return nil, "Malformed input request: required key [prompt] not found"
	}
	p, ok := strings.CutPrefix(*prompt, begin)
	i := strings.LastIndex(p, open)
	if !ok || i < 0 {
		return nil, "Malformed input request: the prompt is not in the model's chat template (want " + begin + "..." + open + "...)"
	}
	text, _, _ := strings.Cut(p[i+len(open):], close)
	return []turn{{Role: "user", Content: text}}, ""
}

// novaBlock is a content block of a messages-v1 body.
type novaBlock struct {
	Text *string `json:"text"`
}

// novaTurns reads a messages-v1 body's conversation: content blocks of
// text only.
func novaTurns(version *string, system, messages json.RawMessage) (string, []turn, string) {
	if version != nil && *version != "messages-v1" {
		return "", nil, "Malformed input request: schemaVersion must be messages-v1"
	}
	var sys []novaBlock
	var msgs []struct {
		Role    string      `json:"role"`
		Content []novaBlock `json:"content"`
	}
	if len(system) > 0 && json.Unmarshal(system, &sys) != nil {
		return "", nil, "Malformed input request: system must be an array of {text} blocks"
	}
	if json.Unmarshal(messages, &msgs) != nil || len(msgs) == 0 {
		return "", nil, "Malformed input request: messages must be a non-empty array of {role, content: [{text}]}"
	}
	s, ok := blocksText(sys)
	turns := make([]turn, len(msgs))
	for i, m := range msgs {
		text, textOK := blocksText(m.Content)
		turns[i], ok = turn{Role: m.Role, Content: text}, ok && textOK
	}
	if !ok {
		return "", nil, "Malformed input request: content blocks must have text"
	}
	return s, turns, ""
}

// blocksText joins the text of blocks; false when one has none.
func blocksText(blocks []novaBlock) (string, bool) {
	texts := make([]string, len(blocks))
	for i, b := range blocks {
		if b.Text == nil {
			return "", false
		}
		texts[i] = *b.Text
	}
	return strings.Join(texts, "\n"), true
}

// chatTurns reads Mistral chat messages, a system message apart.
func chatTurns(messages json.RawMessage) (string, []turn, string) {
	var msgs []turn
	if json.Unmarshal(messages, &msgs) != nil || len(msgs) == 0 {
		return "", nil, "Malformed input request: messages must be a non-empty array of {role, content}"
	}
	if msgs[0].Role == "system" {
		return msgs[0].Content, msgs[1:], ""
	}
	return "", msgs, ""
}

// modelOutput is the answer of a succeeded record in its family's shape.
func modelOutput(f family, rec anthropic.Record) any {
	stop := map[string]string{"end_turn": "stop", "max_tokens": "length", "tool_use": "tool_calls"}[rec.StopReason]
	switch f {
	case familyLlama:
		return map[string]any{"generation": rec.Text, "prompt_token_count": rec.InputTokens, "generation_token_count": rec.OutputTokens, "stop_reason": stop}
	case familyNova:
		return map[string]any{
			"output":     map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]string{"text": rec.Text}}}},
			"stopReason": rec.StopReason,
			"usage":      map[string]int64{"inputTokens": rec.InputTokens, "outputTokens": rec.OutputTokens, "totalTokens": rec.InputTokens + rec.OutputTokens},
		}
	case familyMistralPrompt:
		return map[string]any{"outputs": []any{map[string]string{"text": rec.Text, "stop_reason": stop}}}
	case familyMistralChat:
		return map[string]any{"choices": []any{map[string]any{"index": 0, "message": turn{Role: "assistant", Content: rec.Text}, "stop_reason": stop}}}
	}
	return rec.Message
}
