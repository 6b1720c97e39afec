package jsonl

import (
	"strings"
	"testing"
)

// TestConvertOpenRouter converts every input shape to OpenRouter's request
// items, {"custom_id":...,"body":{...}}: the OpenAI body of the batch's one
// endpoint, with no method or url.
func TestConvertOpenRouter(t *testing.T) {
	const model = "anthropic/claude-sonnet-4.5"
	tests := []struct {
		name     string
		def      Defaults
		line     string
		want     string
		endpoint string
	}{
		{
			name: "simple prompt", def: Defaults{Model: model, MaxTokens: intp(64)}, line: simplePromptLine,
			want:     `{"custom_id":"line-000001","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"Hi \"you\" \u00e9"}],"max_completion_tokens":64}}`,
			endpoint: "/v1/chat/completions",
		},
		{
			name: "simple messages", line: simpleLine,
			want: `{"custom_id":"s1","body":{"model":"m1","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],` +
				`"max_completion_tokens":50,"temperature":0,"top_p":1,"stop":["END"]}}`,
			endpoint: "/v1/chat/completions",
		},
		{
			name: "simple input", def: Defaults{Model: "openai/text-embedding-3-small"}, line: simpleInputLine,
			want:     `{"custom_id":"e1","body":{"model":"openai/text-embedding-3-small","input":"Hello","dimensions":8}}`,
			endpoint: "/v1/embeddings",
		},
		{
			name: "anthropic text", line: `{"custom_id":"q1","params":{"model":"anthropic/claude-sonnet-4.5","max_tokens":100,"system":"Be brief.",` +
				`"messages":[{"role":"user","content":"Hi"}],"temperature":0.5}}`,
			want: `{"custom_id":"q1","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":"Hi"}],"max_completion_tokens":100,"temperature":0.5}}`,
			endpoint: "/v1/chat/completions",
		},
		{
			name: "gemini text", def: Defaults{Model: "google/gemini-2.5-flash"},
			line: `{"key":"g1","request":{"contents":[{"parts":[{"text":"Hi"}]}],"generationConfig":{"maxOutputTokens":10}}}`,
			want: `{"custom_id":"g1","body":{"model":"google/gemini-2.5-flash","messages":[{"role":"user","content":"Hi"}],` +
				`"max_completion_tokens":10}}`,
			endpoint: "/v1/chat/completions",
		},
		{
			name:     "openai chat passes through without method and url",
			line:     `{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"openai/gpt-4o","messages":[{"role":"user","content":"Hi"}],"tools":[],"reasoning":{"effort":"low"}}}`,
			want:     `{"custom_id":"q1","body":{"model":"openai/gpt-4o","messages":[{"role":"user","content":"Hi"}],"tools":[],"reasoning":{"effort":"low"}}}`,
			endpoint: "/v1/chat/completions",
		},
		{
			name: "native request gets the model", def: Defaults{Model: model},
			line:     `{"custom_id":"q1","body":{"messages":[{"role":"user","content":"Hi"}]}}`,
			want:     `{"custom_id":"q1","body":{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"Hi"}]}}`,
			endpoint: "/v1/chat/completions",
		},
		{
			name:     "native embeddings request",
			line:     `{"custom_id":"e1","body":{"model":"openai/text-embedding-3-small","input":["a","b"]}}`,
			want:     `{"custom_id":"e1","body":{"model":"openai/text-embedding-3-small","input":["a","b"]}}`,
			endpoint: "/v1/embeddings",
		},
		{
			name:     "openai responses",
			line:     `{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"openai/gpt-4.1","input":"Hi"}}`,
			want:     `{"custom_id":"r1","body":{"model":"openai/gpt-4.1","input":"Hi"}}`,
			endpoint: "/v1/responses",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: TargetOpenRouter, Defaults: tt.def}, tt.line)
			if res.err != "" {
				t.Fatalf("error: %s", res.err)
			}
			if res.out[0] != tt.want {
				t.Errorf("converted to\n%s\nwant\n%s", res.out[0], tt.want)
			}
			if res.sum.Endpoint != tt.endpoint {
				t.Errorf("endpoint %q, want %q", res.sum.Endpoint, tt.endpoint)
			}
		})
	}
}

// TestConvertOpenRouterRefusals checks what an OpenRouter batch cannot
// carry: images (its batches are text only), an endpoint it does not batch
// or batchctl does not normalize, and a second model in one batch.
func TestConvertOpenRouterRefusals(t *testing.T) {
	tests := []struct {
		name  string
		def   Defaults
		lines []string
		want  string
	}{
		{"image in a chat line passed through", Defaults{}, []string{openAIChatLine},
			`reqs.jsonl:1: body.messages[3].content[1].type: "image_url" parts cannot be sent to openrouter (its batches take text only)`},
		{"image in a responses line passed through", Defaults{}, []string{openAIResponsesLine},
			`reqs.jsonl:1: body.input[0].content[1].type: "input_image" parts cannot be sent to openrouter (its batches take text only)`},
		{"audio output asked for", Defaults{}, []string{`{"custom_id":"a","body":{"model":"m","modalities":["text","audio"],"messages":[{"role":"user","content":"Hi"}]}}`},
			`reqs.jsonl:1: body.modalities: cannot be sent to openrouter (its batches return text only)`},
		{"image in a gemini line", Defaults{Model: "google/gemini-2.5-flash"}, []string{geminiLine},
			"reqs.jsonl:1: request.contents[0].parts[1].inlineData: images cannot be converted to openrouter (its batches take text only)"},
		{"image in an anthropic line", Defaults{}, []string{anthropicLine},
			"reqs.jsonl:1: params.messages[0].content[1].source: images cannot be converted to openrouter (its batches take text only)"},
		{"completions", Defaults{}, []string{`{"custom_id":"q1","method":"POST","url":"/v1/completions","body":{"model":"m","prompt":"x"}}`},
			`reqs.jsonl:1: url: "/v1/completions" is not an endpoint openrouter batches (want one of /v1/chat/completions, /v1/embeddings, /v1/responses)`},
		{"moderations", Defaults{}, []string{`{"custom_id":"q1","method":"POST","url":"/v1/moderations","body":{"model":"m","input":"x"}}`},
			`reqs.jsonl:1: url: "/v1/moderations" is not an endpoint openrouter batches (want one of /v1/chat/completions, /v1/embeddings, /v1/responses)`},
		{"native completions", Defaults{}, []string{`{"custom_id":"q1","body":{"model":"m","prompt":"x"}}`},
			`reqs.jsonl:1: body: "/v1/completions" is not an endpoint openrouter batches (want one of /v1/chat/completions, /v1/embeddings, /v1/responses)`},
		{"two models", Defaults{}, []string{
			`{"custom_id":"a","model":"openai/gpt-4o","prompt":"x"}`,
			`{"custom_id":"b","model":"anthropic/claude-sonnet-4.5","prompt":"y"}`,
		}, `reqs.jsonl:2: model: "anthropic/claude-sonnet-4.5" differs from "openai/gpt-4o" on line 1 (one model per file)`},
		{"two models passing through", Defaults{}, []string{
			`{"custom_id":"a","body":{"model":"openai/gpt-4o","messages":[]}}`,
			`{"custom_id":"b","body":{"model":"openai/gpt-4o-mini","messages":[]}}`,
		}, `reqs.jsonl:2: body.model: "openai/gpt-4o-mini" differs from "openai/gpt-4o" on line 1 (one model per file)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := convertLines(t, ConvertOptions{Target: TargetOpenRouter, Defaults: tt.def}, tt.lines...)
			if !strings.Contains(res.err, tt.want) {
				t.Errorf("error:\n%s\nwant it to hold\n%s", res.err, tt.want)
			}
			if last := res.out[len(res.out)-1]; last != "" {
				t.Errorf("the line converted to %s", last)
			}
		})
	}
}
