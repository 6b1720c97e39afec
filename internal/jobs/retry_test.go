package jobs

import "testing"

// TestWithModel: retry --model rewrites the model each kept line names,
// in its provider's own shape, and nothing else.
func TestWithModel(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[]}}`,
			`{"body":{"messages":[],"model":"gpt-4o"},"custom_id":"q1","method":"POST","url":"/v1/chat/completions"}`},
		{`{"custom_id":"q1","params":{"model":"claude-haiku-4-5","max_tokens":9}}`,
			`{"custom_id":"q1","params":{"max_tokens":9,"model":"gpt-4o"}}`},
		{`{"key":"q1","request":{"contents":[]}}`,
			`{"key":"q1","request":{"contents":[]}}`},
		{`{"key":"q1","request":{"model":"models/gemini-2.5-flash","contents":[]}}`,
			`{"key":"q1","request":{"contents":[],"model":"models/gpt-4o"}}`},
	}
	for _, tt := range tests {
		got, err := withModel([]byte(tt.line), "gpt-4o")
		if err != nil || string(got) != tt.want {
			t.Errorf("withModel(%s) = %s, %v\nwant %s", tt.line, got, err, tt.want)
		}
	}
}
