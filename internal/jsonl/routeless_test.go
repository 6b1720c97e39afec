package jsonl

import (
	"strings"
	"testing"
)

// TestCustomIDBodyLines covers lines with custom_id and body only (the
// request shape of Together's and Cognipeer's batch files): the endpoint
// comes from --endpoint or from the body, and the method and url the
// OpenAI batch API wants are added.
func TestCustomIDBodyLines(t *testing.T) {
	tests := []struct {
		name     string
		target   Target
		defaults Defaults
		lines    []string
		want     []string // converted lines, or the problems
		endpoint string
	}{
		{
			name:   "messages is chat",
			target: TargetOpenAI,
			lines:  []string{`{"custom_id":"a","body":{"model":"m","messages":[{"role":"user","content":"hi"}]}}`},
			want: []string{`{"method":"POST","url":"/v1/chat/completions","custom_id":"a","body":{"model":"m",` +
				`"messages":[{"role":"user","content":"hi"}]}}`},
			endpoint: "/v1/chat/completions",
		},
		{
			name:     "input is embeddings, model from --model",
			target:   TargetOpenAI,
			defaults: Defaults{Model: "emb"},
			lines:    []string{` {"custom_id":"e","body":{"input":"x"}}`},
			want:     []string{` {"method":"POST","url":"/v1/embeddings","custom_id":"e","body":{"model":"emb","input":"x"}}`},
			endpoint: "/v1/embeddings",
		},
		{
			name:     "prompt is completions",
			target:   TargetOpenAI,
			lines:    []string{`{"custom_id":"c","body":{"model":"m","prompt":"x"}}`},
			want:     []string{`{"method":"POST","url":"/v1/completions","custom_id":"c","body":{"model":"m","prompt":"x"}}`},
			endpoint: "/v1/completions",
		},
		{
			name:     "--endpoint wins over the body",
			target:   TargetOpenAI,
			defaults: Defaults{Endpoint: KindResponses},
			lines:    []string{`{"custom_id":"r","body":{"model":"m","input":"x"}}`},
			want:     []string{`{"method":"POST","url":"/v1/responses","custom_id":"r","body":{"model":"m","input":"x"}}`},
			endpoint: "/v1/responses",
		},
		{
			name:     "converted for anthropic",
			target:   TargetAnthropic,
			defaults: Defaults{MaxTokens: new(int(9))},
			lines:    []string{`{"custom_id":"a","body":{"model":"claude","messages":[{"role":"user","content":"hi"}]}}`},
			want: []string{`{"custom_id":"a","params":{"model":"claude","max_tokens":9,` +
				`"messages":[{"role":"user","content":"hi"}]}}`},
			endpoint: "/v1/messages",
		},
		{
			name:   "nothing to tell the endpoint from",
			target: TargetOpenAI,
			lines:  []string{`{"custom_id":"x","body":{"model":"m"}}`, `{"custom_id":"y","body":[]}`},
			want: []string{
				"reqs.jsonl:1: body: cannot tell the endpoint: want messages (chat), input (embeddings) or prompt (completions) in body, or pass --endpoint (or give the line method and url)",
				"reqs.jsonl:2: body: must be an object, not array",
			},
		},
		{
			name:   "no embeddings for anthropic",
			target: TargetAnthropic,
			lines:  []string{`{"custom_id":"x","body":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}}`, `{"custom_id":"y","body":{"model":"m","input":"x"}}`},
			want: []string{`{"custom_id":"x","params":{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}}`,
				`reqs.jsonl:2: body: embeddings cannot be converted to anthropic (it has no embeddings)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConverter("reqs.jsonl", ConvertOptions{Target: tt.target, Defaults: tt.defaults})
			var got []string
			for i, line := range tt.lines {
				if out, _, ok := c.Convert(i+1, []byte(line)); ok {
					got = append(got, string(out))
				}
			}
			sum, err := c.Finish()
			if err != nil {
				got = append(got, err.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if err == nil && sum.Endpoint != tt.endpoint {
				t.Errorf("endpoint %q, want %q", sum.Endpoint, tt.endpoint)
			}
		})
	}
}
