package jsonl

import "strings"

// vertexAnthropicVersion is the anthropic_version every request of a
// Claude batch on Vertex AI carries, in place of the model and the
// anthropic-version header. Source: "Batch predictions with Anthropic
// Claude models", Prepare input
// (cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude-batch):
// the example request has "anthropic_version": "vertex-2023-10-16".
const vertexAnthropicVersion = "vertex-2023-10-16"

// TargetVertexClaude is Claude on Vertex AI batch prediction: the rules
// the gemini target (the vertex provider's) takes for a claude-* model.
const TargetVertexClaude Target = "vertex-claude"

// vertexClaude is Claude on Vertex AI batch prediction
// (internal/providers/vertex): a line is {"custom_id":...,"request":{...}},
// request an Anthropic Messages body with anthropic_version and without
// model, since the job names the one model all its lines use. Source:
// "Batch predictions with Anthropic Claude models", Prepare input
// (cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude-batch):
// "The input ... must follow the Anthropic Claude API Schema JSON format",
// its example line {"custom_id":"request-1","request":{"messages":[...],
// "anthropic_version":"vertex-2023-10-16","max_tokens":50}}. Lines are
// checked and written as for Anthropic (Bedrock's rules: one model, no
// image URLs), then rewritten. The endpoint is the vertex provider's
// (batchGenerateContent), the gemini
// target's chat route, as for its Gemini lines.
var vertexClaude = func() protocol {
	p := bedrock
	p.name = TargetVertexClaude
	p.pass = (*Converter).passVertexClaude
	p.badID = "is not a valid Vertex AI Claude custom_id (want 1 to 64 letters, digits, '_' or '-')"
	p.routes = map[Kind]route{KindChat: {"batchGenerateContent", (*Converter).appendVertexClaude}}
	p.family = nil
	return p
}()

// IsClaude reports whether a model is Anthropic's on Vertex AI: a
// versioned id claude-*@<date> ("claude-sonnet-4@20250514"; the batch
// page lists its models so, claude-3-5-haiku@20241022) or a name of
// Anthropic's publisher model,
// [projects/p/locations/l/]publishers/anthropic/models/.... An id without
// a version (claude-sonnet-4-5, the Anthropic API's form) is not: the
// gemini target keeps its rules for it, and the vertex provider refuses
// it.
func IsClaude(model string) bool {
	return strings.HasPrefix(model, "claude") && strings.Contains(model, "@") ||
		strings.Contains(model, "publishers/anthropic/models/")
}

// vertexRules gives, for a Claude model, the rules of Claude on Vertex AI;
// nil, keeping the gemini target's, for any other.
func vertexRules(model string) *protocol {
	if IsClaude(model) {
		return &vertexClaude
	}
	return nil
}

// appendVertexClaude appends a converted request as a Vertex AI Claude
// line.
func (c *Converter) appendVertexClaude(o []byte) []byte {
	start := len(o)
	o = c.appendAnthropic(o)
	line := append(c.scratch[:0], o[start:]...)
	c.scratch = line
	return appendVertexClaudeLine(o[:start], line)
}

// passVertexClaude checks an Anthropic batch line as for Anthropic and
// returns it as a Vertex AI Claude line.
func (c *Converter) passVertexClaude(b []byte) ([]byte, string) {
	out, id := c.passAnthropic(b)
	if c.bad || out == nil {
		return out, id
	}
	return appendVertexClaudeLine(nil, out), id
}

// appendVertexClaudeLine appends the Vertex AI line of an Anthropic batch
// line that passed the checks: custom_id kept, params the request.
func appendVertexClaudeLine(o, line []byte) []byte {
	return appendAnthropicRecord(o, line, anthropicRecord{id: "custom_id", body: "request", version: vertexAnthropicVersion})
}
