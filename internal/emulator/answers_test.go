package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"github.com/batchctl/batchctl/internal/emulator/core"
	emuopenai "github.com/batchctl/batchctl/internal/emulator/openai"
)

// requestLine returns an input line for endpoint with the given body.
func requestLine(customID, endpoint, body string) string {
	return fmt.Sprintf(`{"custom_id":%q,"method":"POST","url":%q,"body":%s}`, customID, endpoint, body)
}

func TestAnswers(t *testing.T) {
	created := testEpoch.Unix()
	tests := []struct {
		name     string
		endpoint string
		body     string
		// want is the output line, derived ids normalized.
		want string
		// schema is the spec component the body must match.
		schema string
		// sdk decodes the body with the SDK's type and returns the answer text.
		sdk func(body []byte) (string, error)
	}{
		{
			name:     "chat echo of text parts",
			endpoint: emuopenai.EndpointChat,
			body:     `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hello "},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"there"}]}]}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"chatcmpl-ID","object":"chat.completion","created":%d,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}},"error":null}`, created),
			schema:   "CreateChatCompletionResponse",
			sdk: func(b []byte) (string, error) {
				var v openai.ChatCompletion
				err := json.Unmarshal(b, &v)
				return v.Choices[0].Message.Content, err
			},
		},
		{
			name:     "chat fixed",
			endpoint: emuopenai.EndpointChat,
			body:     `{"model":"fixed","messages":[{"role":"user","content":"anything"}]}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"chatcmpl-ID","object":"chat.completion","created":%d,"model":"fixed","choices":[{"index":0,"message":{"role":"assistant","content":"This is a fixed answer from the batchctl emulator.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":9,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}},"error":null}`, created),
			schema:   "CreateChatCompletionResponse",
			sdk: func(b []byte) (string, error) {
				var v openai.ChatCompletion
				err := json.Unmarshal(b, &v)
				return v.Choices[0].Message.Content, err
			},
		},
		{
			name:     "responses with input items",
			endpoint: emuopenai.EndpointResponses,
			body:     `{"model":"echo","instructions":"Answer well","input":[{"role":"user","content":[{"type":"input_text","text":"What is 2+2?"}]}]}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"resp_ID","object":"response","created_at":%d,"status":"completed","error":null,"incomplete_details":null,"instructions":"Answer well","max_output_tokens":null,"model":"echo","output":[{"id":"msg_ID","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"What is 2+2?","annotations":[],"logprobs":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"temperature":1,"tool_choice":"auto","tools":[],"top_p":1,"usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":8},"metadata":{}}},"error":null}`, created),
			schema:   "Response",
			sdk: func(b []byte) (string, error) {
				var v responses.Response
				err := json.Unmarshal(b, &v)
				return v.OutputText(), err
			},
		},
		{
			name:     "responses with a string input",
			endpoint: emuopenai.EndpointResponses,
			body:     `{"model":"echo","input":"Hi"}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"resp_ID","object":"response","created_at":%d,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"echo","output":[{"id":"msg_ID","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi","annotations":[],"logprobs":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"temperature":1,"tool_choice":"auto","tools":[],"top_p":1,"usage":{"input_tokens":1,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":1,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":2},"metadata":{}}},"error":null}`, created),
			schema:   "Response",
			sdk: func(b []byte) (string, error) {
				var v responses.Response
				err := json.Unmarshal(b, &v)
				return v.OutputText(), err
			},
		},
		{
			name:     "completions with two prompts",
			endpoint: emuopenai.EndpointCompletions,
			body:     `{"model":"echo","prompt":["one two","three"]}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"cmpl-ID","object":"text_completion","created":%d,"model":"echo","choices":[{"text":"one two","index":0,"logprobs":null,"finish_reason":"stop"},{"text":"three","index":1,"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}}},"error":null}`, created),
			schema:   "CreateCompletionResponse",
			sdk: func(b []byte) (string, error) {
				var v openai.Completion
				err := json.Unmarshal(b, &v)
				return v.Choices[1].Text, err
			},
		},
		{
			name:     "embeddings of one string, 4 dimensions",
			endpoint: emuopenai.EndpointEmbeddings,
			body:     `{"model":"text-embedding-3-small","input":"hello world","dimensions":4}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":%s}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}},"error":null}`, mustJSON(core.Embedding("hello world", 4))),
			schema:   "CreateEmbeddingResponse",
			sdk: func(b []byte) (string, error) {
				var v openai.CreateEmbeddingResponse
				err := json.Unmarshal(b, &v)
				return fmt.Sprint(len(v.Data[0].Embedding)), err
			},
		},
		{
			name:     "moderation of three strings, two flagged by marker",
			endpoint: emuopenai.EndpointModerations,
			body:     `{"model":"omni-moderation-latest","input":["calm words","[flag] bad","[flag:hate] x"]}`,
			want:     `{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"id":"modr-ID","model":"omni-moderation-latest","results":[{"flagged":false,"categories":{"hate":false,"hate/threatening":false,"harassment":false,"harassment/threatening":false,"illicit":false,"illicit/violent":false,"self-harm":false,"self-harm/intent":false,"self-harm/instructions":false,"sexual":false,"sexual/minors":false,"violence":false,"violence/graphic":false},"category_scores":{"hate":0,"hate/threatening":0,"harassment":0,"harassment/threatening":0,"illicit":0,"illicit/violent":0,"self-harm":0,"self-harm/intent":0,"self-harm/instructions":0,"sexual":0,"sexual/minors":0,"violence":0,"violence/graphic":0},"category_applied_input_types":{"hate":["text"],"hate/threatening":["text"],"harassment":["text"],"harassment/threatening":["text"],"illicit":["text"],"illicit/violent":["text"],"self-harm":["text"],"self-harm/intent":["text"],"self-harm/instructions":["text"],"sexual":["text"],"sexual/minors":["text"],"violence":["text"],"violence/graphic":["text"]}},{"flagged":true,"categories":{"hate":false,"hate/threatening":false,"harassment":false,"harassment/threatening":false,"illicit":false,"illicit/violent":false,"self-harm":false,"self-harm/intent":false,"self-harm/instructions":false,"sexual":false,"sexual/minors":false,"violence":true,"violence/graphic":false},"category_scores":{"hate":0,"hate/threatening":0,"harassment":0,"harassment/threatening":0,"illicit":0,"illicit/violent":0,"self-harm":0,"self-harm/intent":0,"self-harm/instructions":0,"sexual":0,"sexual/minors":0,"violence":0.99,"violence/graphic":0},"category_applied_input_types":{"hate":["text"],"hate/threatening":["text"],"harassment":["text"],"harassment/threatening":["text"],"illicit":["text"],"illicit/violent":["text"],"self-harm":["text"],"self-harm/intent":["text"],"self-harm/instructions":["text"],"sexual":["text"],"sexual/minors":["text"],"violence":["text"],"violence/graphic":["text"]}},{"flagged":true,"categories":{"hate":true,"hate/threatening":false,"harassment":false,"harassment/threatening":false,"illicit":false,"illicit/violent":false,"self-harm":false,"self-harm/intent":false,"self-harm/instructions":false,"sexual":false,"sexual/minors":false,"violence":false,"violence/graphic":false},"category_scores":{"hate":0.99,"hate/threatening":0,"harassment":0,"harassment/threatening":0,"illicit":0,"illicit/violent":0,"self-harm":0,"self-harm/intent":0,"self-harm/instructions":0,"sexual":0,"sexual/minors":0,"violence":0,"violence/graphic":0},"category_applied_input_types":{"hate":["text"],"hate/threatening":["text"],"harassment":["text"],"harassment/threatening":["text"],"illicit":["text"],"illicit/violent":["text"],"self-harm":["text"],"self-harm/intent":["text"],"self-harm/instructions":["text"],"sexual":["text"],"sexual/minors":["text"],"violence":["text"],"violence/graphic":["text"]}}]}},"error":null}`,
			schema:   "CreateModerationResponse",
			sdk: func(b []byte) (string, error) {
				var v openai.ModerationNewResponse
				err := json.Unmarshal(b, &v)
				if err != nil || len(v.Results) != 3 || v.Results[0].Flagged || !v.Results[1].Categories.Violence || !v.Results[2].Categories.Hate {
					return "", fmt.Errorf("results %+v: %v", v.Results, err)
				}
				return "ok", nil
			},
		},
		{
			name:     "embeddings of two strings in base64",
			endpoint: emuopenai.EndpointEmbeddings,
			body:     `{"model":"e","input":["a","b"],"encoding_format":"base64"}`,
			want:     fmt.Sprintf(`{"id":"batch_req_ID","custom_id":"r1","response":{"status_code":200,"request_id":"req_ID","body":{"object":"list","data":[{"object":"embedding","index":0,"embedding":%q},{"object":"embedding","index":1,"embedding":%q}],"model":"e","usage":{"prompt_tokens":2,"total_tokens":2}}},"error":null}`, emuopenai.EncodeFloats(core.Embedding("a", 8)), emuopenai.EncodeFloats(core.Embedding("b", 8))),
			// The spec types embeddings as arrays only, though the API
			// (and the SDK) use a base64 string for this format.
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, Options{})
			b := env.createBatch(tt.endpoint, requestLine("r1", tt.endpoint, tt.body))
			if b.Status != "completed" || b.ErrorFileID != nil {
				t.Fatalf("batch %+v, want completed without errors", b)
			}
			got := env.content(b.OutputFileID)
			if normalizeIDs(got) != tt.want+"\n" {
				t.Errorf("output line:\n%s\nwant:\n%s", normalizeIDs(got), tt.want)
			}
			var out struct {
				Response struct {
					Body json.RawMessage `json:"body"`
				} `json:"response"`
			}
			if err := json.Unmarshal([]byte(got), &out); err != nil {
				t.Fatal(err)
			}
			if tt.sdk != nil {
				text, err := tt.sdk(out.Response.Body)
				if err != nil || text == "" {
					t.Errorf("SDK decoded %q, %v", text, err)
				}
			}
			if tt.schema != "" {
				specOrSkip(t).checkSchema(t, tt.schema, out.Response.Body)
			}
			// The synchronous endpoint answers the same body with the same
			// answer.
			sync := env.ok("POST", tt.endpoint, strings.NewReader(tt.body), nil)
			if got, want := normalizeIDs(string(sync.body)), normalizeIDs(string(out.Response.Body))+"\n"; got != want {
				t.Errorf("POST %s answered:\n%s\nthe batch result's body:\n%s", tt.endpoint, got, want)
			}
		})
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestEndpointErrors(t *testing.T) {
	tests := []struct {
		endpoint, body, want string
	}{
		{emuopenai.EndpointChat, `{"model":"m"}`, `{"error":{"message":"Missing required parameter: 'messages'.","type":"invalid_request_error","param":"messages","code":"missing_required_parameter"}}`},
		{emuopenai.EndpointChat, `{"model":"m","messages":[]}`, `{"error":{"message":"Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.","type":"invalid_request_error","param":"messages","code":"empty_array"}}`},
		{emuopenai.EndpointChat, `{"model":"m","messages":"hi"}`, `{"error":{"message":"Invalid type for 'messages': expected an array.","type":"invalid_request_error","param":"messages","code":"invalid_type"}}`},
		{emuopenai.EndpointChat, `{"model":"m","messages":[{"role":"user","content":3}]}`, `{"error":{"message":"Invalid type for 'messages[0].content': expected a string or an array of content parts.","type":"invalid_request_error","param":"messages[0].content","code":"invalid_type"}}`},
		{emuopenai.EndpointResponses, `{"model":"m"}`, `{"error":{"message":"Missing required parameter: 'input'.","type":"invalid_request_error","param":"input","code":"missing_required_parameter"}}`},
		{emuopenai.EndpointCompletions, `{"model":"m","prompt":[1,2]}`, `{"error":{"message":"Invalid type for 'prompt': expected a string or a non-empty array of strings.","type":"invalid_request_error","param":"prompt","code":"invalid_type"}}`},
		{emuopenai.EndpointEmbeddings, `{"model":"m","input":"x","dimensions":0}`, `{"error":{"message":"Invalid value for 'dimensions': 0. Expected an integer from 1 to 3072.","type":"invalid_request_error","param":"dimensions","code":"invalid_value"}}`},
		{emuopenai.EndpointModerations, `{"model":"m","input":"[flag:rude] x"}`, `{"error":{"message":"Unknown moderation category 'rude' in [flag:...] (emulator): want one of hate, hate/threatening, harassment, harassment/threatening, illicit, illicit/violent, self-harm, self-harm/intent, self-harm/instructions, sexual, sexual/minors, violence, violence/graphic.","type":"invalid_request_error","param":"input","code":"invalid_value"}}`},
		{emuopenai.EndpointEmbeddings, `{"model":"m","input":"x","encoding_format":"int8"}`, `{"error":{"message":"Invalid value for 'encoding_format': 'int8'. Supported values are: 'float', 'base64'.","type":"invalid_request_error","param":"encoding_format","code":"invalid_value"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint+" "+tt.body, func(t *testing.T) {
			env := newTestEnv(t, Options{})
			b := env.createBatch(tt.endpoint, requestLine("bad", tt.endpoint, tt.body))
			if b.Status != "completed" || b.OutputFileID != nil || b.RequestCounts != (emuopenai.RequestCounts{Total: 1, Failed: 1}) {
				t.Fatalf("batch %+v, want completed with one failed request", b)
			}
			want := `{"id":"batch_req_ID","custom_id":"bad","response":{"status_code":400,"request_id":"req_ID","body":` + tt.want + `},"error":null}` + "\n"
			if got := normalizeIDs(env.content(b.ErrorFileID)); got != want {
				t.Errorf("error line:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestMarkers(t *testing.T) {
	env := newTestEnv(t, Options{})
	prompts := []string{"ok", "[fail]", "[fail:500] x", "[error]", "[drop]", "[fail:404]"}
	var lines []string
	for i, p := range prompts {
		lines = append(lines, chatLine(fmt.Sprint("c", i), "echo", p))
	}
	b := env.createBatch(emuopenai.EndpointChat, lines...)
	if b.Status != "completed" || b.RequestCounts != (emuopenai.RequestCounts{Total: 6, Completed: 1, Failed: 4}) {
		t.Fatalf("batch %+v", b)
	}
	want := strings.Join([]string{
		`{"id":"batch_req_ID","custom_id":"c1","response":{"status_code":400,"request_id":"req_ID","body":{"error":{"message":"The request was rejected. (Emulated by [fail].)","type":"invalid_request_error","param":null,"code":null}}},"error":null}`,
		`{"id":"batch_req_ID","custom_id":"c2","response":{"status_code":500,"request_id":"req_ID","body":{"error":{"message":"The server had an error while processing your request. (Emulated by [fail:500].)","type":"server_error","param":null,"code":null}}},"error":null}`,
		`{"id":"batch_req_ID","custom_id":"c3","response":null,"error":{"code":"server_error","message":"The request failed without a response (emulated by [error])."}}`,
		`{"id":"batch_req_ID","custom_id":"c5","response":{"status_code":404,"request_id":"req_ID","body":{"error":{"message":"The request was rejected. (Emulated by [fail:404].)","type":"invalid_request_error","param":null,"code":null}}},"error":null}`,
	}, "\n") + "\n"
	if got := normalizeIDs(env.content(b.ErrorFileID)); got != want {
		t.Errorf("error file:\n%s\nwant:\n%s", got, want)
	}
	if got := env.content(b.OutputFileID); strings.Count(got, "\n") != 1 || !strings.Contains(got, `"custom_id":"c0"`) {
		t.Errorf("output file:\n%s", got)
	}
}

func TestExpire(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 10 * time.Second})
	b := env.createBatch(emuopenai.EndpointChat, chatLine("a", "echo", "fine"), chatLine("b", "echo", "[expire] slow"), chatLine("c", "echo", "[fail]"))
	env.clock.set(9 * time.Second)
	if b = env.getBatch(b.ID); b.Status != "finalizing" || b.RequestCounts != (emuopenai.RequestCounts{Total: 3, Completed: 1, Failed: 1}) {
		t.Fatalf("at 9s: %+v", b)
	}
	env.clock.set(10 * time.Second)
	b = env.getBatch(b.ID)
	end := testEpoch.Unix() + 10
	if b.Status != "expired" || b.ExpiredAt == nil || *b.ExpiredAt != end || b.CompletedAt != nil ||
		b.RequestCounts != (emuopenai.RequestCounts{Total: 3, Completed: 1, Failed: 2}) {
		t.Fatalf("at 10s: %+v", b)
	}
	want := `{"id":"batch_req_ID","custom_id":"b","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}` + "\n" +
		`{"id":"batch_req_ID","custom_id":"c","response":{"status_code":400,"request_id":"req_ID","body":{"error":{"message":"The request was rejected. (Emulated by [fail].)","type":"invalid_request_error","param":null,"code":null}}},"error":null}` + "\n"
	if got := normalizeIDs(env.content(b.ErrorFileID)); got != want {
		t.Errorf("error file:\n%s\nwant:\n%s", got, want)
	}
}
