package jsonl

import (
	"strings"
	"testing"
)

// TestVertexClaudeLines checks that, for a Claude model, the gemini
// target's lines become Vertex AI Claude lines: custom_id, and an
// Anthropic body under request with anthropic_version first and no
// model; a Gemini model keeps the Gemini lines.
func TestVertexClaudeLines(t *testing.T) {
	maxTokens := 16
	tests := []struct{ name, model, in, want string }{
		{"simple", "claude-sonnet-4@20250514", `{"custom_id":"a","prompt":"hello"}`,
			`{"custom_id":"a","request":{"anthropic_version":"vertex-2023-10-16","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}}`},
		{"openai chat", "projects/p/locations/us-east5/publishers/anthropic/models/claude-3-5-haiku@20241022", `{"custom_id":"b","body":{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":5}}`,
			`{"custom_id":"b","request":{"anthropic_version":"vertex-2023-10-16","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":"hi"}]}}`},
		{"anthropic native", "claude-opus-4@20250514", `{"custom_id":"c","params":{"model":"claude-x","anthropic_version":"2023-06-01","max_tokens":5,"messages":[{"role":"user","content":"q \"x\""}]}}`,
			`{"custom_id":"c","request":{"anthropic_version":"vertex-2023-10-16","max_tokens":5,"messages":[{"role":"user","content":"q \"x\""}]}}`},
		{"gemini model", "gemini-2.5-flash", `{"custom_id":"d","prompt":"hello"}`,
			`{"key":"d","request":{"contents":[{"role":"user","parts":[{"text":"hello"}]}],"generationConfig":{"maxOutputTokens":16}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetGemini, Defaults: Defaults{Model: tt.model, MaxTokens: &maxTokens}})
			out, _, ok := c.Convert(1, []byte(tt.in))
			if !ok {
				t.Fatalf("Convert failed: %v", c.problems.err())
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
		})
	}
}

// TestVertexClaudeRefusals checks that what the Claude body cannot carry
// is refused naming the line and field.
func TestVertexClaudeRefusals(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"custom_id":"a","body":{"messages":[{"role":"user","content":"hi"}],"n":2,"max_tokens":5}}`, "in.jsonl:1: body.n"},
		{`{"custom_id":"a b","prompt":"hi","max_tokens":5}`, "is not a valid Vertex AI Claude custom_id"},
		{`{"custom_id":"a","prompt":"hi"}`, "max_tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetGemini, Defaults: Defaults{Model: "claude-sonnet-4@20250514"}})
			if _, _, ok := c.Convert(1, []byte(tt.in)); ok {
				t.Fatal("Convert succeeded")
			}
			if err := c.problems.err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
