package openai

import (
	"encoding/json"
	"testing"
)

// TestNormalizeUsage checks the usage of result lines in every spelling
// the OpenAI family answers with, from wire samples: the detail counts
// where the body has them, null where it does not.
func TestNormalizeUsage(t *testing.T) {
	chat := func(usage string) string {
		return `{"custom_id":"u","response":{"status_code":200,"body":{"object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],"usage":` + usage + `}},"error":null}`
	}
	responses := func(usage string) string {
		return `{"custom_id":"u","response":{"status_code":200,"body":{"object":"response","model":"m","status":"completed","output":[],"usage":` + usage + `}},"error":null}`
	}
	tests := []struct {
		name, line, want string
	}{{
		// openapi.yaml, the chat completion example (CreateChatCompletionResponse).
		name: "chat, details zero",
		line: chat(`{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`),
		want: `{"input_tokens":19,"output_tokens":10,"cache_read_input_tokens":0,"cache_creation_input_tokens":null,"reasoning_tokens":0}`,
	}, {
		// platform.openai.com/docs/guides/prompt-caching, the usage of a cache hit.
		name: "chat, cache hit",
		line: chat(`{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920},"completion_tokens_details":{"reasoning_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`),
		want: `{"input_tokens":2006,"output_tokens":300,"cache_read_input_tokens":1920,"cache_creation_input_tokens":null,"reasoning_tokens":0}`,
	}, {
		// A reasoning model on the chat API (o3-mini style usage).
		name: "chat, reasoning",
		line: chat(`{"prompt_tokens":9,"completion_tokens":1403,"total_tokens":1412,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":1344,"audio_tokens":0}}`),
		want: `{"input_tokens":9,"output_tokens":1403,"cache_read_input_tokens":0,"cache_creation_input_tokens":null,"reasoning_tokens":1344}`,
	}, {
		// Mistral and older OpenAI answers: no details at all.
		name: "chat, no details",
		line: chat(`{"prompt_tokens":22,"completion_tokens":2,"total_tokens":24}`),
		want: `{"input_tokens":22,"output_tokens":2,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null}`,
	}, {
		name: "chat, null details and null counts",
		line: chat(`{"prompt_tokens":3,"completion_tokens":2,"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":null}}`),
		want: `{"input_tokens":3,"output_tokens":2,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null}`,
	}, {
		// xAI (docs.x.ai, chat completions usage), details before the totals.
		name: "xai chat, details first",
		line: chat(`{"prompt_tokens_details":{"text_tokens":37,"audio_tokens":0,"image_tokens":0,"cached_tokens":6},"completion_tokens_details":{"reasoning_tokens":310,"audio_tokens":0},"prompt_tokens":37,"completion_tokens":321,"total_tokens":358,"num_sources_used":0}`),
		want: `{"input_tokens":37,"output_tokens":321,"cache_read_input_tokens":6,"cache_creation_input_tokens":null,"reasoning_tokens":310}`,
	}, {
		// platform.openai.com/docs/guides/reasoning, the usage of a Responses answer.
		name: "responses, reasoning",
		line: responses(`{"input_tokens":75,"input_tokens_details":{"cached_tokens":0},"output_tokens":1186,"output_tokens_details":{"reasoning_tokens":1024},"total_tokens":1261}`),
		want: `{"input_tokens":75,"output_tokens":1186,"cache_read_input_tokens":0,"cache_creation_input_tokens":null,"reasoning_tokens":1024}`,
	}, {
		name: "responses, cache hit",
		line: responses(`{"input_tokens":3000,"input_tokens_details":{"cached_tokens":2048},"output_tokens":10,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":3010}`),
		want: `{"input_tokens":3000,"output_tokens":10,"cache_read_input_tokens":2048,"cache_creation_input_tokens":null,"reasoning_tokens":0}`,
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

// TestNormalizeUsageError names the detail count that is not a number.
func TestNormalizeUsageError(t *testing.T) {
	line := `{"custom_id":"u","response":{"status_code":200,"body":{"usage":{"prompt_tokens":1,"prompt_tokens_details":{"cached_tokens":"7"}}}},"error":null}`
	_, err := New(Config{}).Normalize([]byte(line))
	want := "result line: response: body: usage: prompt_tokens_details: cached_tokens: found string, want integer"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
