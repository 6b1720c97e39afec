package xai_test

import (
	"testing"

	"github.com/batchctl/batchctl/internal/providers/xai"
)

// TestNormalize checks the result line of each kind of xAI result, key
// for key.
func TestNormalize(t *testing.T) {
	const tail = `"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,`
	tests := []struct {
		name, line, want string
	}{
		{
			name: "completion",
			line: `{"batch_request_id":"q1","batch_result":{"response":{"chat_get_completion":{"id":"c","model":"grok-4","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}}}}`,
			want: `{"custom_id":"q1","status":"succeeded","job":"","provider":"","batch_id":"","model":"grok-4","text":"hi",` + tail +
				`"finish_reason":"length","usage":{"input_tokens":3,"output_tokens":2,"cache_read_input_tokens":null,"cache_creation_input_tokens":null,"reasoning_tokens":null},"parsed":null,"valid":null,"output_error":null,"error":null,` +
				`"attempts":null,"response":{"id":"c","model":"grok-4","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}}`,
		},
		{
			name: "error",
			line: `{"batch_request_id":"q2","batch_result":{"error":{"code":3,"message":"bad model"}}}`,
			want: `{"custom_id":"q2","status":"errored","job":"","provider":"","batch_id":"","model":"","text":null,` + tail +
				`"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":{"type":"INVALID_ARGUMENT","message":"bad model","code":"INVALID_ARGUMENT","http_status":400},"attempts":null,"response":{"code":3,"message":"bad model"}}`,
		},
		{
			name: "cancelled",
			line: `{"batch_request_id":"q3","batch_result":{"error":{"code":1,"message":"cancelled"}}}`,
			want: `{"custom_id":"q3","status":"canceled","job":"","provider":"","batch_id":"","model":"","text":null,` + tail +
				`"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":{"type":"CANCELLED","message":"cancelled","code":"CANCELLED","http_status":null},"attempts":null,"response":{"code":1,"message":"cancelled"}}`,
		},
		{
			name: "expired",
			line: `{"batch_request_id":"q4","batch_result":{"error":{"code":"4","message":"too late"}}}`,
			want: `{"custom_id":"q4","status":"expired","job":"","provider":"","batch_id":"","model":"","text":null,` + tail +
				`"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":{"type":"DEADLINE_EXCEEDED","message":"too late","code":"DEADLINE_EXCEEDED","http_status":null},"attempts":null,"response":{"code":"4","message":"too late"}}`,
		},
		{
			name: "error beside the result, message only",
			line: `{"batch_request_id":"q5","error_message":"boom"}`,
			want: `{"custom_id":"q5","status":"errored","job":"","provider":"","batch_id":"","model":"","text":null,` + tail +
				`"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":{"type":"error","message":"boom","code":null,"http_status":null},"attempts":null,"response":null}`,
		},
		{
			name: "image result",
			line: `{"batch_request_id":"q6","batch_result":{"response":{"image_response":{"url":"x"}}}}`,
			want: `{"custom_id":"q6","status":"errored","job":"","provider":"","batch_id":"","model":"","text":null,` + tail +
				`"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":{"type":"unsupported_result","message":"the result is not a chat completion; batchctl reads chat completions only","code":null,"http_status":null},` +
				`"attempts":null,"response":{"batch_request_id":"q6","batch_result":{"response":{"image_response":{"url":"x"}}}}}`,
		},
	}
	c := xai.New(xai.Config{Name: "xai"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Normalize([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(r.AppendJSON(nil)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{`{"batch_result":{}}`, `{"batch_request_id":"q"}`, `not json`} {
		if _, err := c.Normalize([]byte(bad)); err == nil {
			t.Errorf("Normalize(%s) = nil error", bad)
		}
	}
}
