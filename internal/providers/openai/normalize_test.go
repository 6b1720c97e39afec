package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

// Result lines. Where the provider documents one, the line is its sample:
// the chat line is the Batch guide's output example, the expired line its
// "Batch expiration" example, the Responses API bodies are the OpenAPI
// spec's response.completed and response.incomplete examples, and the
// embedding vector starts the spec's /embeddings example.
const (
	chatLine = `{"id": "batch_req_123", "custom_id": "request-2", "response": {"status_code": 200, "request_id": "req_123", "body": {"id": "chatcmpl-123", "object": "chat.completion", "created": 1711652795, "model": "gpt-3.5-turbo-0125", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello."}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 22, "completion_tokens": 2, "total_tokens": 24}, "system_fingerprint": "fp_123"}}, "error": null}`

	chatEscapedLine = `{"id":"batch_req_2","custom_id":"q-escaped","response":{"status_code":200,"request_id":"req_2","body":{"object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Paris.\n\nIt is \"the\" capital \u2014 caf\u00e9 \ud83d\ude00","refusal":null},"finish_reason":"length"},{"index":1,"message":{"role":"assistant","content":"second choice"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":16,"total_tokens":25}}},"error":null}`

	chatPartsLine = `{"id":"batch_req_3","custom_id":"q-parts","response":{"status_code":200,"request_id":"req_3","body":{"object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"Hello, "},{"type":"refusal","refusal":"no"},{"type":"text","text":"world"}]},"finish_reason":"stop"}]}},"error":null}`

	chatToolCallLine  = `{"id":"batch_req_4","custom_id":"q-tool","response":{"status_code":200,"request_id":"req_4","body":{"object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7}}},"error":null}`
	chatToolCallsLine = `{"id":"batch_req_5","custom_id":"q-tools","response":{"status_code":200,"request_id":"req_5","body":{"object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\n  \"city\": \"Paris\", \"days\": [1, 2]\n}"}},{"id":"call_2","type":"function","function":{"name":"f","arguments":"{\"city\": \"Par"}}]},"finish_reason":"tool_calls"}]}},"error":null}`
	responsesCallLine = `{"id":"batch_req_8","custom_id":"r-call","response":{"status_code":200,"request_id":"req_8","body":{"object":"response","model":"gpt-5.4","output":[{"type":"reasoning","summary":[]},{"type":"function_call","id":"fc_1","call_id":"call_9","name":"get_weather","arguments":"{\"city\":\"Lima\"}","status":"completed"}],"status":"completed","incomplete_details":null}},"error":null}`

	completionLine = `{"id":"batch_req_5","custom_id":"q-legacy","response":{"status_code":200,"request_id":"req_5","body":{"id":"cmpl-1","object":"text_completion","model":"gpt-3.5-turbo-instruct","choices":[{"text":"\n\nThis is a test","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}},"error":null}`

	responsesLine = `{"id":"batch_req_6","custom_id":"task-0","response":{"status_code":200,"request_id":"req_6","body":{"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958,"status":"completed","error":null,"incomplete_details":null,"instructions":"You are a helpful assistant.","max_output_tokens":null,"model":"gpt-5.4","output":[{"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there! How can I assist you today?","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":37,"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":48},"user":null,"metadata":{}}},"error":null}`

	responsesMultiLine = `{"id":"batch_req_7","custom_id":"task-1","response":{"status_code":200,"request_id":"req_7","body":{"object":"response","model":"gpt-5.4","output":[{"type":"reasoning","summary":[]},{"type":"message","content":[{"text":"Part one. ","type":"output_text","annotations":[]},{"type":"refusal","refusal":"x"}]},{"type":"message","content":[{"type":"output_text","text":"Part two."}]}],"status":"completed","incomplete_details":null,"usage":{"input_tokens":3,"output_tokens":4}}},"error":null}`

	responsesIncompleteLine = `{"id":"batch_req_8","custom_id":"task-2","response":{"status_code":200,"request_id":"req_8","body":{"id":"resp_123","object":"response","created_at":1740855869,"status":"incomplete","completed_at":null,"error":null,"incomplete_details":{"reason":"max_tokens"},"instructions":null,"max_output_tokens":null,"model":"gpt-4o-mini-2024-07-18","output":[],"previous_response_id":null,"reasoning_effort":null,"store":false,"temperature":1,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1,"truncation":"disabled","usage":null,"user":null,"metadata":{}}},"error":null}`

	embeddingLine = `{"id":"batch_req_9","custom_id":"e-1","response":{"status_code":200,"request_id":"req_9","body":{"object":"list","data":[{"object":"embedding","embedding":[0.0023064255, -0.009327292, -0.0028842222],"index":0}],"model":"text-embedding-ada-002","usage":{"prompt_tokens":8,"total_tokens":8}}},"error":null}`

	// moderationLine has two results: the categories flagged in either,
	// each once, in order.
	moderationLine = `{"id":"batch_req_11","custom_id":"m-1","response":{"status_code":200,"request_id":"req_11","body":{"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":true,"categories":{"hate":true,"violence":false},"category_scores":{"hate":0.9,"violence":0.1}},{"flagged":true,"categories":{"hate":true,"violence":true},"category_scores":{"hate":0.8,"violence":0.7}}]}},"error":null}`
	embeddingsLine = `{"id":"batch_req_10","custom_id":"e-2","response":{"status_code":200,"request_id":"req_10","body":{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-1e-3]},{"object":"embedding","index":0,"embedding":[0.25,2]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}},"error":null}`

	http400Line = `{"id":"batch_req_11","custom_id":"bad-1","response":{"status_code":400,"request_id":"req_11","body":{"error":{"message":"Invalid value for 'max_tokens': integer below minimum value.","type":"invalid_request_error","param":"max_tokens","code":"integer_below_min_value"}}},"error":null}`

	http429Line = `{"id":"batch_req_12","custom_id":"busy-1","response":{"status_code":429,"request_id":"req_12","body":{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}},"error":null}`

	http500NoBodyLine = `{"id":"batch_req_13","custom_id":"down-1","response":{"status_code":500,"request_id":"req_13","body":null},"error":null}`

	serverErrorLine = `{"id":"batch_req_14","custom_id":"srv-1","response":null,"error":{"code":"server_error","message":"The server had an error while processing your request."}}`

	expiredLine = `{"id":"batch_req_123","custom_id":"request-3","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}`

	cancelledLine = `{"id":"batch_req_15","custom_id":"request-4","response":null,"error":{"code":"batch_cancelled","message":"This request was not executed because the batch was cancelled."}}`
)

func ptr(s string) *string { return &s }

func intPtr(n int) *int { return &n }

func n64(n int64) *int64 { return &n }

// responseBodyOf is the response body of line as encoding/json sees it,
// byte for byte; nil when there is none.
func responseBodyOf(t *testing.T, line string) json.RawMessage {
	t.Helper()
	var l struct {
		Response *struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal([]byte(line), &l); err != nil {
		t.Fatalf("test line: %v", err)
	}
	if l.Response == nil || string(l.Response.Body) == "null" {
		return nil
	}
	return l.Response.Body
}

func TestNormalize(t *testing.T) {
	succeeded, errored := providers.ResultSucceeded, providers.ResultErrored
	tests := []struct {
		name string
		line string
		want providers.Result // Response is taken from the line
	}{
		{
			name: "chat completion",
			line: chatLine,
			want: providers.Result{CustomID: "request-2", Status: succeeded, Model: "gpt-3.5-turbo-0125",
				Text: ptr("Hello."), FinishReason: ptr("stop"), Usage: &providers.Usage{InputTokens: 22, OutputTokens: 2}},
		},
		{
			name: "chat completion with escapes and two choices",
			line: chatEscapedLine,
			want: providers.Result{CustomID: "q-escaped", Status: succeeded, Model: "gpt-4o-mini-2024-07-18",
				Text: ptr("Paris.\n\nIt is \"the\" capital — café 😀"), FinishReason: ptr("length"),
				Usage: &providers.Usage{InputTokens: 9, OutputTokens: 16}},
		},
		{
			name: "chat completion with content parts",
			line: chatPartsLine,
			want: providers.Result{CustomID: "q-parts", Status: succeeded, Model: "m", Text: ptr("Hello, world"), FinishReason: ptr("stop")},
		},
		{
			name: "chat completion with a tool call",
			line: chatToolCallLine,
			want: providers.Result{CustomID: "q-tool", Status: succeeded, Model: "m", FinishReason: ptr("tool_calls"),
				ToolCalls: json.RawMessage(`[{"id":"call_1","name":"f","arguments":{}}]`),
				Usage:     &providers.Usage{InputTokens: 5, OutputTokens: 7}},
		},
		{
			name: "chat completion with tool calls, one of arguments that are not JSON",
			line: chatToolCallsLine,
			want: providers.Result{CustomID: "q-tools", Status: succeeded, Model: "m", FinishReason: ptr("tool_calls"),
				Text:      ptr("Checking."),
				ToolCalls: json.RawMessage(`[{"id":"call_1","name":"get_weather","arguments":{"city":"Paris","days":[1,2]}},{"id":"call_2","name":"f","arguments":"{\"city\": \"Par"}]`)},
		},
		{
			name: "responses with a function call",
			line: responsesCallLine,
			want: providers.Result{CustomID: "r-call", Status: succeeded, Model: "gpt-5.4", FinishReason: ptr("completed"),
				ToolCalls: json.RawMessage(`[{"id":"call_9","name":"get_weather","arguments":{"city":"Lima"}}]`)},
		},
		{
			name: "legacy completion",
			line: completionLine,
			want: providers.Result{CustomID: "q-legacy", Status: succeeded, Model: "gpt-3.5-turbo-instruct",
				Text: ptr("\n\nThis is a test"), FinishReason: ptr("length"), Usage: &providers.Usage{InputTokens: 5, OutputTokens: 7}},
		},
		{
			name: "responses",
			line: responsesLine,
			want: providers.Result{CustomID: "task-0", Status: succeeded, Model: "gpt-5.4",
				Text: ptr("Hi there! How can I assist you today?"), FinishReason: ptr("completed"),
				Usage: &providers.Usage{InputTokens: 37, OutputTokens: 11, ReasoningTokens: n64(0)}},
		},
		{
			name: "responses with several output items",
			line: responsesMultiLine,
			want: providers.Result{CustomID: "task-1", Status: succeeded, Model: "gpt-5.4",
				Text: ptr("Part one. Part two."), FinishReason: ptr("completed"), Usage: &providers.Usage{InputTokens: 3, OutputTokens: 4}},
		},
		{
			name: "responses incomplete",
			line: responsesIncompleteLine,
			want: providers.Result{CustomID: "task-2", Status: succeeded, Model: "gpt-4o-mini-2024-07-18", FinishReason: ptr("max_tokens")},
		},
		{
			name: "one embedding",
			line: embeddingLine,
			want: providers.Result{CustomID: "e-1", Status: succeeded, Model: "text-embedding-ada-002",
				Embedding: json.RawMessage(`[0.0023064255, -0.009327292, -0.0028842222]`), Usage: &providers.Usage{InputTokens: 8}},
		},
		{
			name: "several embeddings, in index order",
			line: embeddingsLine,
			want: providers.Result{CustomID: "e-2", Status: succeeded, Model: "text-embedding-3-small",
				Embeddings: json.RawMessage(`[[0.25,2],[0.5,-1e-3]]`), Usage: &providers.Usage{InputTokens: 4}},
		},
		{
			name: "base64 embedding, decoded",
			line: `{"custom_id":"b-1","response":{"status_code":200,"body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AAAAPwAAgL4AAABAbxKDOg=="}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3}}},"error":null}`,
			want: providers.Result{CustomID: "b-1", Status: succeeded, Model: "text-embedding-3-small",
				Embedding: json.RawMessage(`[0.5,-0.25,2,0.001]`), Usage: &providers.Usage{InputTokens: 3}},
		},
		{
			name: "several base64 embeddings",
			line: `{"custom_id":"b-2","response":{"status_code":200,"body":{"data":[{"index":1,"embedding":"AACAPwAAQMA="},{"index":0,"embedding":""}],"model":"m"}},"error":null}`,
			want: providers.Result{CustomID: "b-2", Status: succeeded, Model: "m", Embeddings: json.RawMessage(`[[],[1,-3]]`)},
		},
		{
			name: "moderation, two inputs",
			line: moderationLine,
			want: providers.Result{CustomID: "m-1", Status: succeeded, Model: "omni-moderation-latest",
				Moderation: &providers.Moderation{Flagged: true, Categories: []string{"hate", "violence"}}},
		},
		{
			name: "moderation, nothing flagged",
			line: `{"id":"batch_req_12","custom_id":"m-2","response":{"status_code":200,"request_id":"req_12","body":{"id":"modr-2","model":"omni-moderation-latest","results":[{"flagged":false,"categories":{"hate":false,"violence":false},"category_scores":{"hate":0.0001,"violence":0.0002}}]}},"error":null}`,
			want: providers.Result{CustomID: "m-2", Status: succeeded, Model: "omni-moderation-latest",
				Moderation: &providers.Moderation{Categories: []string{}}},
		},
		{
			name: "HTTP 400",
			line: http400Line,
			want: providers.Result{CustomID: "bad-1", Status: errored, Error: &providers.ResultError{
				Type: "invalid_request_error", Message: "Invalid value for 'max_tokens': integer below minimum value.",
				Code: ptr("integer_below_min_value"), HTTPStatus: intPtr(400)}},
		},
		{
			name: "HTTP 429",
			line: http429Line,
			want: providers.Result{CustomID: "busy-1", Status: errored, Error: &providers.ResultError{
				Type: "requests", Message: "Rate limit reached for requests", Code: ptr("rate_limit_exceeded"), HTTPStatus: intPtr(429)}},
		},
		{
			name: "HTTP 500 without a body",
			line: http500NoBodyLine,
			want: providers.Result{CustomID: "down-1", Status: errored, Error: &providers.ResultError{
				Type: "http_error", Message: "request failed with HTTP status 500", HTTPStatus: intPtr(500)}},
		},
		{
			name: "non-HTTP server error",
			line: serverErrorLine,
			want: providers.Result{CustomID: "srv-1", Status: errored, Error: &providers.ResultError{
				Type: "server_error", Message: "The server had an error while processing your request.", Code: ptr("server_error")}},
		},
		{
			name: "batch expired",
			line: expiredLine,
			want: providers.Result{CustomID: "request-3", Status: providers.ResultExpired, Error: &providers.ResultError{
				Type: "batch_expired", Message: "This request could not be executed before the completion window expired.", Code: ptr("batch_expired")}},
		},
		{
			name: "batch cancelled",
			line: cancelledLine,
			want: providers.Result{CustomID: "request-4", Status: providers.ResultCanceled, Error: &providers.ResultError{
				Type: "batch_cancelled", Message: "This request was not executed because the batch was cancelled.", Code: ptr("batch_cancelled")}},
		},
		{
			name: "error code that is a number",
			line: `{"custom_id":"n","response":{"status_code":503,"body":{"error":{"message":"busy","code":503}}}}` + "\r\n",
			want: providers.Result{CustomID: "n", Status: errored, Error: &providers.ResultError{
				Type: "http_error", Message: "busy", Code: ptr("503"), HTTPStatus: intPtr(503)}},
		},
	}
	c := New(Config{Name: "openai"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line)
			got, err := c.Normalize(line)
			if err != nil {
				t.Fatal(err)
			}
			wantBody := responseBodyOf(t, tt.line)
			if !bytes.Equal(got.Response, wantBody) {
				t.Errorf("response = %s\nwant %s", got.Response, wantBody)
			}
			// The result must not alias the line, which callers reuse.
			for i := range line {
				line[i] = 'x'
			}
			tt.want.Response = wantBody
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tt.want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("result\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{"truncated line", chatLine[:80], "result line is not valid JSON: response: unexpected end of input at offset 80"},
		{"not JSON", "<html>", "result line is not valid JSON: invalid character '<' looking for beginning of value at offset 0"},
		{"invalid body", `{"custom_id":"a","response":{"status_code":200,"body":{"x":[1,}}}`, "result line is not valid JSON: response: body: invalid character '}' looking for beginning of value at offset 62"},
		{"two values", `{"custom_id":"a","error":{"code":"x"}} {}`, "result line is not valid JSON: invalid character '{' after top-level value at offset 39"},
		{"not an object", `["custom_id"]`, "result line: found array, want object"},
		{"no custom_id", `{"id":"batch_req_1","response":{"status_code":200,"body":{}},"error":null}`, "result line has no custom_id"},
		{"custom_id not a string", `{"custom_id":7,"error":{"code":"x"}}`, "result line: custom_id: found number, want string"},
		{"status_code not a number", `{"custom_id":"a","response":{"status_code":"200"}}`, "result line: response: status_code: found string, want integer"},
		{"base64 embedding not base64", `{"custom_id":"a","response":{"status_code":200,"body":{"data":[{"embedding":"AA*A"}]}}}`, "result line: response: body: data: embedding: base64 embedding: illegal base64 data at input byte 2"},
		{"base64 embedding not float32s", `{"custom_id":"a","response":{"status_code":200,"body":{"data":[{"embedding":"AAA="}]}}}`, "result line: response: body: data: embedding: base64 embedding of 2 bytes is not a list of float32s"},
		{"base64 embedding with NaN", `{"custom_id":"a","response":{"status_code":200,"body":{"data":[{"embedding":"AADAfw=="}]}}}`, "result line: response: body: data: embedding: base64 embedding: json: unsupported value: NaN"},
		{"neither response nor error", `{"custom_id":"a","response":null,"error":null}`, `result line for "a" has neither response nor error`},
	}
	c := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Normalize([]byte(tt.line))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestNormalizeAliasingTexts checks that texts written as the line spells
// them (verbatim) and those written anew come out as Normalize writes
// them: a chat message's content, and the output_text items of a
// Responses API body, one and two of them, in one output item and in two,
// with "type" before and after "text".
func TestNormalizeAliasingTexts(t *testing.T) {
	c := New(Config{})
	long := strings.Repeat("Paris, 0123456789", 3)
	for _, text := range providertest.Texts {
		chat := `{"custom_id":"q1","response":{"status_code":200,"body":{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"` + text + `"},"finish_reason":"stop"}]}}}`
		providertest.CheckAliasing(t, c, []byte(chat))
		for _, output := range []string{
			`{"type":"message","content":[{"type":"output_text","text":"` + text + `"}]}`,
			`{"type":"message","content":[{"text":"` + text + `","type":"output_text"}]}`,
			`{"type":"message","content":[{"type":"output_text","text":"` + text + `"},{"type":"output_text","text":"` + long + text + `"}]}`,
			`{"type":"message","content":[{"type":"output_text","text":"` + long + `"}]},{"type":"message","content":[{"type":"output_text","text":"` + text + `"}]}`,
			`{"type":"message","content":[{"type":"refusal","refusal":"no","text":"` + text + `"},{"type":"output_text","text":null}]}`,
			`{"type":"message","content":[{"text":"` + text + `","type":"reasoning_text"},{"type":"output_text","text":"` + text + `"}]}`,
		} {
			line := `{"custom_id":"r1","response":{"status_code":200,"body":{"object":"response","model":"m","status":"completed","output":[` + output + `]}}}`
			providertest.CheckAliasing(t, c, []byte(line))
		}
	}
}

// BenchmarkNormalize measures normalization throughput over result files
// shaped like real ones (DESIGN.md section 11 asks for 300 MB/s on one core).
func BenchmarkNormalize(b *testing.B) {
	benchmarks := []struct {
		name  string
		lines [][]byte
	}{
		{"chat", benchChatLines(1000)},
		{"chat-python", pythonStyle(benchChatLines(1000))},
		{"responses", benchResponsesLines(1000)},
		{"embeddings", benchEmbeddingLines(50)},
		{"embeddings-python", pythonStyle(benchEmbeddingLines(50))},
	}
	c := New(Config{})
	for _, bm := range benchmarks {
		var size int64
		for _, l := range bm.lines {
			size += int64(len(l)) + 1
		}
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range bm.lines {
					if _, err := c.Normalize(l); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		// What results writes of each line: normalized, then encoded; by
		// Normalize (copies) and by NormalizeAliasing (the pipeline's).
		for _, way := range []struct {
			name      string
			normalize func([]byte) (providers.Result, error)
		}{{"encoded", c.Normalize}, {"encoded-aliasing", c.NormalizeAliasing}} {
			b.Run(bm.name+"/"+way.name, func(b *testing.B) {
				b.SetBytes(size)
				b.ReportAllocs()
				var out []byte
				for b.Loop() {
					for _, l := range bm.lines {
						r, err := way.normalize(l)
						if err != nil {
							b.Fatal(err)
						}
						out = append(r.AppendJSON(out[:0]), '\n')
					}
				}
			})
		}
	}
}

// benchText is a few paragraphs of model output with the escapes JSON
// needs for newlines, quotes and a little non-ASCII text.
func benchText(i int) string {
	var sb strings.Builder
	for p := range 4 {
		fmt.Fprintf(&sb, "Paragraph %d of answer %d: the \"quick\" brown fox — über café — jumps over the lazy dog, ", p, i)
		sb.WriteString(strings.Repeat("and keeps running through the field while the sun sets slowly. ", 4))
		sb.WriteString("\n\n")
	}
	return sb.String()
}

// benchChatLines are chat completion lines, one in twenty a 429 and one in
// twenty expired, like the output and error files of a large job.
func benchChatLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		switch {
		case i%20 == 19:
			lines[i] = fmt.Appendf(nil, `{"id":"batch_req_%d","custom_id":"request-%d","response":{"status_code":429,"request_id":"req_%d","body":{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}},"error":null}`, i, i, i)
		case i%20 == 18:
			lines[i] = fmt.Appendf(nil, `{"id":"batch_req_%d","custom_id":"request-%d","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}`, i, i)
		default:
			content, _ := json.Marshal(benchText(i))
			lines[i] = fmt.Appendf(nil, `{"id":"batch_req_%d","custom_id":"request-%d","response":{"status_code":200,"request_id":"req_%d","body":{"id":"chatcmpl-%d","object":"chat.completion","created":1711652789,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":%s,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":291,"total_tokens":311,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_3ba"}},"error":null}`, i, i, i, i, content)
		}
	}
	return lines
}

// benchResponsesLines are Responses API lines with a reasoning item and a
// message.
func benchResponsesLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		text, _ := json.Marshal(benchText(i))
		lines[i] = fmt.Appendf(nil, `{"id":"batch_req_%d","custom_id":"task-%d","response":{"status_code":200,"request_id":"req_%d","body":{"id":"resp_%d","object":"response","created_at":1741290958,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5.4","output":[{"id":"rs_%d","type":"reasoning","summary":[]},{"id":"msg_%d","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":%s,"annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"low","summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":291,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":328},"user":null,"metadata":{}}},"error":null}`, i, i, i, i, i, i, text)
	}
	return lines
}

// benchEmbeddingLines are embedding lines of 1536 floats each.
func benchEmbeddingLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		var vec strings.Builder
		for j := range 1536 {
			if j > 0 {
				vec.WriteByte(',')
			}
			fmt.Fprintf(&vec, "%.10f", float64((i*1536+j)%997)/997-0.5)
		}
		lines[i] = fmt.Appendf(nil, `{"id":"batch_req_%d","custom_id":"e-%d","response":{"status_code":200,"request_id":"req_%d","body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":[%s]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}},"error":null}`, i, i, i, vec.String())
	}
	return lines
}

// pythonStyle rewrites JSON lines as Python's json.dumps writes them, as
// in the files OpenAI serves: a space after each ',' and ':', and every
// character beyond ASCII as a \u escape.
func pythonStyle(lines [][]byte) [][]byte {
	out := make([][]byte, len(lines))
	for i, line := range lines {
		var b []byte
		inString := false
		for j, r := range string(line) {
			switch {
			case r >= 0x10000:
				hi, lo := utf16.EncodeRune(r)
				b = fmt.Appendf(b, `\u%04x\u%04x`, hi, lo)
			case r >= 0x80:
				b = fmt.Appendf(b, `\u%04x`, r)
			case r == '"' && (j == 0 || line[j-1] != '\\' || j > 1 && line[j-2] == '\\'):
				inString = !inString
				b = append(b, '"')
			case !inString && (r == ',' || r == ':'):
				b = append(b, byte(r), ' ')
			default:
				b = append(b, byte(r))
			}
		}
		out[i] = b
	}
	return out
}

// FuzzNormalize checks that any line either fails or yields a result whose
// response is valid JSON and which encodes as the jq contract.
func FuzzNormalize(f *testing.F) {
	for _, line := range []string{chatLine, chatEscapedLine, chatPartsLine, responsesMultiLine, embeddingsLine, http429Line, expiredLine} {
		f.Add([]byte(line))
	}
	c := New(Config{})
	f.Fuzz(func(t *testing.T, line []byte) {
		providertest.CheckAliasing(t, c, line)
		r, err := c.Normalize(line)
		if err != nil {
			return
		}
		if !json.Valid(line) {
			t.Fatalf("accepted invalid JSON %q", line)
		}
		if r.Response != nil && !json.Valid(r.Response) {
			t.Fatalf("response %q is not valid JSON", r.Response)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("result of %q does not encode: %v", line, err)
		}
	})
}
