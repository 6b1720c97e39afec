package tokens

import (
	"encoding/json"
)

// anthropicToolOverhead is the system prompt Anthropic adds when a request
// has tools (tool_choice auto or none), for Claude 4 models: 346 tokens
// (https://docs.claude.com/en/docs/agents-and-tools/tool-use/overview,
// "Pricing").
const anthropicToolOverhead = 346

// anthropicLine is a Message Batches line, or a Vertex AI Claude line,
// whose Messages body is its request (jsonl's vertex-claude rules).
type anthropicLine struct {
	Params  anthropicParams  `json:"params"`
	Request *anthropicParams `json:"request"`
}

type anthropicParams struct {
	Model     string             `json:"model"`
	MaxTokens *int               `json:"max_tokens"`
	System    rawJSON            `json:"system"`
	Messages  []anthropicMessage `json:"messages"`
	Tools     []json.RawMessage  `json:"tools"`
}

type anthropicMessage struct {
	Role    string  `json:"role"`
	Content rawJSON `json:"content"`
}

type anthropicBlock struct {
	Type   string          `json:"type"`
	Text   string          `json:"text"`
	Input  json.RawMessage `json:"input"`
	Name   string          `json:"name"`
	Source struct {
		Type string `json:"type"`
		Data string `json:"data"`
		URL  string `json:"url"`
	} `json:"source"`
	Content json.RawMessage `json:"content"`
}

// anthropic approximates a Message Batches request: Claude's tokenizer is
// not published, so text is counted with o200k_base and the chat
// overhead of OpenAI's format; the error of this is unmeasured.
func (c *Counter) anthropic(line []byte) (Line, error) {
	var l anthropicLine
	if err := json.Unmarshal(line, &l); err != nil {
		return Line{}, badLine(err)
	}
	p := l.Params
	if l.Request != nil {
		p = *l.Request
	}
	t := newTally(GetEncoding(O200kBase))
	defer t.release()
	if len(p.System) > 0 {
		t.n += tokensPerMessage
		anthropicContent(t, p.System)
	}
	for _, m := range p.Messages {
		t.n += tokensPerMessage
		t.text(m.Role)
		anthropicContent(t, m.Content)
	}
	t.n += tokensReply
	if len(p.Tools) > 0 {
		n := anthropicToolOverhead
		for _, tool := range p.Tools {
			n += t.enc.Count(string(tool))
		}
		t.estimate(n)
	}
	out := Line{Model: p.Model, Input: t.n, Estimated: t.estimated}
	out.MaxOutput, out.HasMax = firstOf(p.MaxTokens)
	return out, nil
}

func anthropicContent(t *tally, raw []byte) {
	if t.jsonText(raw) {
		return
	}
	var blocks []anthropicBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return
	}
	for _, b := range blocks {
		switch b.Type {
		case "text":
			t.text(b.Text)
		case "image":
			data := b.Source.Data
			if b.Source.Type == "url" {
				data = b.Source.URL
			}
			t.estimate(anthropicImage(data))
		case "tool_use":
			t.estimate(t.enc.Count(b.Name) + t.enc.Count(string(b.Input)))
		case "tool_result":
			anthropicContent(t, b.Content)
		}
	}
}
