package jsonl

import "testing"

// TestBedrockRecords checks that lines of every shape become Bedrock
// records: recordId, and an Anthropic body with anthropic_version first
// and no model (the job's).
func TestBedrockRecords(t *testing.T) {
	maxTokens := 16
	tests := []struct{ name, in, want string }{
		{"simple", `{"custom_id":"a","prompt":"hello"}`,
			`{"recordId":"a","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[{"role":"user","content":"hello"}]}}`},
		{"openai chat", `{"custom_id":"b","body":{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":5}}`,
			`{"recordId":"b","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":"hi"}]}}`},
		{"anthropic native", `{"custom_id":"c","params":{"model":"anthropic.claude-x","max_tokens":5,"messages":[{"role":"user","content":"q \"x\""}]}}`,
			`{"recordId":"c","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[{"role":"user","content":"q \"x\""}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConverter("in.jsonl", ConvertOptions{Target: TargetBedrock, Defaults: Defaults{Model: "anthropic.claude-x", MaxTokens: &maxTokens}})
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
