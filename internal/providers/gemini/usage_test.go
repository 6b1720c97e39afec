package gemini

import (
	"encoding/json"
	"testing"
)

// TestNormalizeUsage checks that usageMetadata is normalized from wire
// samples: thoughts are output tokens, the cached count is part of the
// prompt, and counts Gemini leaves out (it omits zeros) are 0.
func TestNormalizeUsage(t *testing.T) {
	line := func(usage string) string {
		return `{"key":"u","response":{"candidates":[{"content":{"parts":[{"text":"x"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":` + usage + `,"modelVersion":"gemini-2.5-flash"}}`
	}
	tests := []struct {
		name, line, want string
	}{{
		// A thinking model's usage, shaped as in ai.google.dev/gemini-api/docs/thinking (figures illustrative).
		name: "thoughts",
		line: line(`{"promptTokenCount":11,"candidatesTokenCount":406,"totalTokenCount":1393,"promptTokensDetails":[{"modality":"TEXT","tokenCount":11}],"thoughtsTokenCount":976}`),
		want: `{"input_tokens":11,"output_tokens":1382,"cache_read_input_tokens":0,"cache_creation_input_tokens":null,"reasoning_tokens":976}`,
	}, {
		// An implicit cache hit, shaped as in ai.google.dev/gemini-api/docs/caching (figures illustrative).
		name: "cached content",
		line: line(`{"promptTokenCount":2279,"candidatesTokenCount":12,"totalTokenCount":2311,"cachedContentTokenCount":2042,"promptTokensDetails":[{"modality":"TEXT","tokenCount":2279}],"cacheTokensDetails":[{"modality":"TEXT","tokenCount":2042}],"thoughtsTokenCount":20}`),
		want: `{"input_tokens":2279,"output_tokens":32,"cache_read_input_tokens":2042,"cache_creation_input_tokens":null,"reasoning_tokens":20}`,
	}, {
		name: "zeros left out",
		line: line(`{"promptTokenCount":8,"candidatesTokenCount":7,"totalTokenCount":15}`),
		want: `{"input_tokens":8,"output_tokens":7,"cache_read_input_tokens":0,"cache_creation_input_tokens":null,"reasoning_tokens":0}`,
	}}
	c := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Normalize([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(r.Usage)
			if string(got) != tt.want {
				t.Errorf("usage\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
