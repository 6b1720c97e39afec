package tokens

import (
	"encoding/json"
	"strings"
)

// The chat format's overhead, from the OpenAI cookbook "How to count
// tokens with tiktoken" (num_tokens_from_messages, for gpt-3.5-turbo-0613,
// gpt-4 and later, gpt-4o included): every message costs 3 tokens besides
// its values, a name 1 more, and every reply is primed with 3.
// https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken
const (
	tokensPerMessage = 3
	tokensPerName    = 1
	tokensReply      = 3
)

type openaiLine struct {
	URL  string     `json:"url"`
	Body openaiBody `json:"body"`
}

type openaiBody struct {
	Model               string          `json:"model"`
	Messages            []openaiMessage `json:"messages"`
	Tools               []openaiTool    `json:"tools"`
	Functions           []openaiFunc    `json:"functions"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	MaxOutputTokens     *int            `json:"max_output_tokens"`
	Input               rawJSON         `json:"input"`
	Instructions        string          `json:"instructions"`
	Prompt              rawJSON         `json:"prompt"`
}

type openaiMessage struct {
	Role       string           `json:"role"`
	Name       string           `json:"name"`
	Content    rawJSON          `json:"content"`
	ToolCalls  []openaiToolCall `json:"tool_calls"`
	ToolCallID string           `json:"tool_call_id"`
}

type openaiToolCall struct {
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type openaiTool struct {
	Type     string     `json:"type"`
	Function openaiFunc `json:"function"`
}

type openaiFunc struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Parameters  struct {
		Properties map[string]struct {
			Type        any    `json:"type"`
			Description string `json:"description"`
			Enum        []any  `json:"enum"`
		} `json:"properties"`
	} `json:"parameters"`
}

func (c *Counter) openai(line []byte) (Line, error) {
	var l openaiLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Line{}, badLine(err)
	}
	b := &l.Body
	model := b.Model
	if model == "" {
		model = c.model
	}
	enc, exact := OpenAIEncoding(model)
	t := newTally(enc)
	defer t.release()
	out := Line{Model: b.Model, Exact: exact}
	switch strings.TrimPrefix(l.URL, "/v1/") {
	case "chat/completions":
		chatMessages(t, model, b.Messages)
		tools := b.Tools
		for _, f := range b.Functions {
			tools = append(tools, openaiTool{Type: "function", Function: f})
		}
		toolDefinitions(t, model, tools)
		out.MaxOutput, out.HasMax = firstOf(b.MaxCompletionTokens, b.MaxTokens)
	case "responses":
		if b.Instructions != "" {
			chatMessages(t, model, []openaiMessage{{Role: "system", Content: quoteJSON(b.Instructions)}})
		}
		responsesInput(t, model, b.Input)
		toolDefinitions(t, model, b.Tools)
		out.MaxOutput, out.HasMax = firstOf(b.MaxOutputTokens)
	case "embeddings":
		stringsOf(t, b.Input)
		out.NoOutput = true
	case "completions":
		stringsOf(t, b.Prompt)
		out.MaxOutput, out.HasMax = firstOf(b.MaxTokens)
		if !out.HasMax {
			// The legacy completions endpoint defaults max_tokens to 16.
			// https://platform.openai.com/docs/api-reference/completions/create
			out.MaxOutput, out.HasMax = 16, true
		}
	default:
		// moderations and other endpoints: their text input, no output.
		stringsOf(t, b.Input)
		out.NoOutput = true
	}
	out.Input, out.Estimated = t.n, t.estimated
	return out, nil
}

func firstOf(vals ...*int) (int, bool) {
	for _, v := range vals {
		if v != nil {
			return *v, true
		}
	}
	return 0, false
}

// quoteJSON is a string as a JSON value.
func quoteJSON(s string) rawJSON {
	b, _ := json.Marshal(s)
	return b
}

// chatMessages counts messages by the cookbook's rule: 3 per message, the
// tokens of each of its values (role, content, name), 1 more for a name,
// and 3 for the reply's priming.
func chatMessages(t *tally, model string, msgs []openaiMessage) {
	for _, m := range msgs {
		t.n += tokensPerMessage
		t.text(m.Role)
		if m.Name != "" {
			t.text(m.Name)
			t.n += tokensPerName
		}
		content(t, model, m.Content)
		for _, tc := range m.ToolCalls {
			// Not in the cookbook: the call's name and arguments as text.
			t.estimate(t.enc.Count(tc.Function.Name) + t.enc.Count(tc.Function.Arguments))
		}
		if m.ToolCallID != "" {
			t.estimate(t.enc.Count(m.ToolCallID))
		}
	}
	if len(msgs) > 0 {
		t.n += tokensReply
	}
}

// content counts a message's content: a string, or parts of text and
// images (chat image_url, Responses input_text and input_image).
func content(t *tally, model string, raw []byte) {
	if t.jsonText(raw) {
		return
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil {
		return
	}
	for _, p := range parts {
		var part struct {
			Type     string          `json:"type"`
			Text     string          `json:"text"`
			ImageURL json.RawMessage `json:"image_url"`
			Detail   string          `json:"detail"`
		}
		if json.Unmarshal(p, &part) != nil {
			continue
		}
		switch part.Type {
		case "text", "input_text", "output_text":
			t.text(part.Text)
		case "image_url", "input_image":
			url, detail := part.Detail, part.Detail
			if s, ok := rawString(part.ImageURL); ok {
				url = s
			} else {
				var iu struct {
					URL    string `json:"url"`
					Detail string `json:"detail"`
				}
				json.Unmarshal(part.ImageURL, &iu)
				url, detail = iu.URL, iu.Detail
			}
			t.estimate(openaiImage(model, url, detail))
		}
	}
}

// responsesInput counts a Responses API input: a string (one user
// message) or a list of messages.
func responsesInput(t *tally, model string, raw []byte) {
	if len(raw) > 0 && raw[0] == '"' {
		chatMessages(t, model, []openaiMessage{{Role: "user", Content: raw}})
		return
	}
	var msgs []openaiMessage
	if json.Unmarshal(raw, &msgs) == nil {
		chatMessages(t, model, msgs)
	}
}

// stringsOf counts an input that is a string or a list of strings (token
// id inputs count one token per id).
func stringsOf(t *tally, raw []byte) {
	if len(raw) == 0 || t.jsonText(raw) {
		return
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return
	}
	for _, item := range list {
		switch {
		case t.jsonText(item):
		case len(item) > 0 && item[0] == '[':
			var ids []json.RawMessage
			json.Unmarshal(item, &ids)
			t.n += len(ids)
		default:
			t.n++ // one token id
		}
	}
}

// toolDefinitions estimates the tokens of function definitions by the
// OpenAI cookbook's rule (num_tokens_for_tools, same page as above):
// per function 7 (gpt-4o family; 10 for gpt-4 and gpt-3.5) plus
// "name:description"; 3 if it has properties, then per property 3 plus
// "key:type:description", and for an enum -3 plus 3 and the value per
// item; 12 at the end. OpenAI documents no official rule: an estimate.
func toolDefinitions(t *tally, model string, tools []openaiTool) {
	if len(tools) == 0 {
		return
	}
	funcInit := 7
	if strings.HasPrefix(model, "gpt-4-") || model == "gpt-4" || strings.HasPrefix(model, "gpt-3.5") {
		funcInit = 10
	}
	n := 0
	for _, tool := range tools {
		f := tool.Function
		n += funcInit + t.enc.Count(f.Name+":"+strings.TrimSuffix(f.Description, "."))
		if len(f.Parameters.Properties) > 0 {
			n += 3
			for key, p := range f.Parameters.Properties {
				n += 3
				if len(p.Enum) > 0 {
					n -= 3
					for _, item := range p.Enum {
						n += 3 + t.enc.Count(enumText(item))
					}
				}
				typ, _ := p.Type.(string)
				n += t.enc.Count(key + ":" + typ + ":" + strings.TrimSuffix(p.Description, "."))
			}
		}
	}
	t.estimate(n + 12)
}

// enumText is an enum value as the cookbook counts it: a string as it is,
// anything else as JSON.
func enumText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
