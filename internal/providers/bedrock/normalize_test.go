package bedrock

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// TestNormalizeFamilies reads a result line of each family's answer (the
// shapes of the model parameter pages, families.go) and an error line.
// Each result is shown by the members the family decides: text,
// finish_reason, usage and error.
func TestNormalizeFamilies(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"llama", `{"recordId":"r1","modelInput":{"prompt":"p"},"modelOutput":{"generation":"Hi.","prompt_token_count":9,"generation_token_count":2,"stop_reason":"length"}}`,
			`{"text":"Hi.","finish_reason":"length","usage":{"input_tokens":9,"output_tokens":2,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"error":null}`},
		{"nova", `{"recordId":"r1","modelInput":{},"modelOutput":{"output":{"message":{"role":"assistant","content":[{"text":"A"},{"text":"B"}]}},"stopReason":"content_filtered","usage":{"inputTokens":4,"outputTokens":1,"totalTokens":5}}}`,
			`{"text":"AB","finish_reason":"content_filter","usage":{"input_tokens":4,"output_tokens":1,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"error":null}`},
		{"mistral prompt", `{"recordId":"r1","modelInput":{},"modelOutput":{"outputs":[{"text":" ok","stop_reason":"stop"}]}}`,
			`{"text":" ok","finish_reason":"stop","usage":null,"error":null}`},
		{"mistral chat", `{"recordId":"r1","modelInput":{},"modelOutput":{"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"stop_reason":"tool_calls"}]}}`,
			`{"text":"ok","finish_reason":"tool_calls","usage":null,"error":null}`},
		{"error", `{"recordId":"r1","modelInput":{},"error":{"errorCode":400,"errorMessage":"bad request"}}`,
			`{"text":null,"finish_reason":null,"usage":null,"error":{"type":"error","message":"bad request","code":"400","http_status":400}}`},
	}
	c := New(Config{Name: "bedrock"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Normalize([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(struct {
				Text         *string                `json:"text"`
				FinishReason *string                `json:"finish_reason"`
				Usage        *providers.Usage       `json:"usage"`
				Error        *providers.ResultError `json:"error"`
			}{r.Text, r.FinishReason, r.Usage, r.Error})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, err := c.Normalize([]byte(`{"recordId":"r1","modelOutput":{"outputs":[]}}`)); err == nil || err.Error() != `result line for "r1": modelOutput: outputs is empty` {
		t.Errorf("empty outputs: %v", err)
	}
}
