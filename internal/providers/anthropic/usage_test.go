package anthropic

import (
	"encoding/json"
	"testing"
)

// TestNormalizeUsage checks that a message's usage is normalized from wire
// samples: input_tokens gains the cache's tokens, which Anthropic counts
// apart, and each cache count is null where the message gives none.
func TestNormalizeUsage(t *testing.T) {
	line := func(usage string) string {
		return `{"custom_id":"u","result":{"type":"succeeded","message":{"type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"x"}],"stop_reason":"end_turn","usage":` + usage + `}}}`
	}
	tests := []struct {
		name, line, want string
		oneHour          int64 // the cache writes to a one-hour cache
	}{{
		// anthropic-openapi.json, the usage example of BetaManagedAgentsSpanModelUsage.
		name: "cache read",
		line: line(`{"input_tokens":1842,"output_tokens":213,"cache_creation_input_tokens":0,"cache_read_input_tokens":1536}`),
		want: `{"input_tokens":3378,"output_tokens":213,"cache_read_input_tokens":1536,"cache_creation_input_tokens":0,"reasoning_tokens":null}`,
	}, {
		// A first request writing the cache (usage shape of docs.claude.com prompt
		// caching, figures illustrative), with the 5m/1h breakdown.
		name:    "cache write",
		line:    line(`{"input_tokens":21,"cache_creation_input_tokens":188086,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":188086},"output_tokens":393,"service_tier":"batch"}`),
		want:    `{"input_tokens":188107,"output_tokens":393,"cache_read_input_tokens":0,"cache_creation_input_tokens":188086,"reasoning_tokens":null}`,
		oneHour: 188086,
	}, {
		name:    "cache writes of both lifetimes",
		line:    line(`{"input_tokens":4,"cache_creation_input_tokens":556,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":456,"ephemeral_1h_input_tokens":100},"output_tokens":2}`),
		want:    `{"input_tokens":560,"output_tokens":2,"cache_read_input_tokens":0,"cache_creation_input_tokens":556,"reasoning_tokens":null}`,
		oneHour: 100,
	}, {
		name: "cache_creation null",
		line: line(`{"input_tokens":4,"cache_creation_input_tokens":10,"cache_read_input_tokens":0,"cache_creation":null,"output_tokens":2}`),
		want: `{"input_tokens":14,"output_tokens":2,"cache_read_input_tokens":0,"cache_creation_input_tokens":10,"reasoning_tokens":null}`,
	}, {
		name: "cache counts null",
		line: line(`{"input_tokens":12,"output_tokens":3,"cache_creation_input_tokens":null,"cache_read_input_tokens":null}`),
		want: `{"input_tokens":12,"output_tokens":3,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null}`,
	}, {
		name: "cache counts absent",
		line: line(`{"input_tokens":12,"output_tokens":3}`),
		want: `{"input_tokens":12,"output_tokens":3,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null}`,
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
			if got := r.Usage.CacheCreation1hInputTokens; got != tt.oneHour {
				t.Errorf("one-hour cache writes %d, want %d", got, tt.oneHour)
			}
		})
	}
}
