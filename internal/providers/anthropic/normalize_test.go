package anthropic

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

// Result lines in the shapes of the API reference (B.6): the succeeded
// message is the Messages API's example answer.
const (
	succeededMessage = `{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}`
	succeededLine    = `{"custom_id":"my-first-request","result":{"type":"succeeded","message":` + succeededMessage + `}}`

	// A message with several blocks, escapes, and its members out of order.
	mixedMessage = `{"usage":{"output_tokens":7,"input_tokens":3},"content":[{"type":"thinking","thinking":"hmm","signature":"x"},{"text":"Paris.\n\"Caf\u00e9\" ","type":"text","citations":null},{"type":"tool_use","id":"toolu_1","name":"f","input":{"text":"no"}},{"type":"text","text":"\ud83d\ude00"}],"stop_reason":"tool_use","model":"claude-opus-4-1","role":"assistant","type":"message","id":"msg_2"}`
	mixedLine    = `{"result":{"message":` + mixedMessage + `,"type":"succeeded"},"custom_id":"q-mixed"}`

	// Only a tool call: no text at all.
	toolMessage = `{"id":"msg_3","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Lima"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":30}}`
	toolLine    = `{"custom_id":"q-tool","result":{"type":"succeeded","message":` + toolMessage + `}}`

	forcedMessage = `{"id":"msg_4","type":"message","role":"assistant","model":"claude-3-5-haiku-latest","content":[` +
		`{"type":"tool_use","id":"toolu_3","name":"batchctl_output","input":{"name": "Ann", "age": 31}}],"stop_reason":"tool_use"}`
	forcedLine = `{"custom_id":"q-forced","result":{"type":"succeeded","message":` + forcedMessage + `}}`

	// Cut short, without usage.
	maxTokensMessage = `{"id":"msg_4","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":""}],"stop_reason":"max_tokens","stop_sequence":null}`
	maxTokensLine    = `{"custom_id":"q-max","result":{"type":"succeeded","message":` + maxTokensMessage + `}}`

	erroredError = `{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
	erroredLine  = `{"custom_id":"my-second-request","result":{"type":"errored","error":` + erroredError + `}}`

	overloadedError = `{"request_id":null,"error":{"message":"Overloaded","type":"overloaded_error"},"type":"error"}`
	overloadedLine  = `{"custom_id":"q-busy","result":{"type":"errored","error":` + overloadedError + `}}`

	flatError = `{"type":"api_error","message":"Internal server error"}`
	flatLine  = `{"custom_id":"q-flat","result":{"type":"errored","error":` + flatError + `}}`

	canceledLine = `{"custom_id":"q-canceled","result":{"type":"canceled"}}`
	expiredLine  = `{"custom_id":"q-expired","result":{"type":"expired"}}`

	unknownResult = `{"type":"deferred","until":"tomorrow"}`
	unknownLine   = `{"custom_id":"q-new","result":` + unknownResult + `}`
)

func ptr(s string) *string { return &s }

func intPtr(n int) *int { return &n }

func n64(n int64) *int64 { return &n }

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		line string
		want providers.Result
	}{
		{
			name: "succeeded",
			line: succeededLine,
			want: providers.Result{
				CustomID: "my-first-request", Status: providers.ResultSucceeded, Model: "claude-sonnet-4-5-20250929",
				Text: ptr("Hi! My name is Claude."), FinishReason: ptr("end_turn"),
				Usage: &providers.Usage{InputTokens: 2095, OutputTokens: 503, CacheReadInputTokens: n64(0), CacheCreationInputTokens: n64(0)}, Response: json.RawMessage(succeededMessage),
			},
		},
		{
			name: "text blocks among others, members in any order",
			line: mixedLine,
			want: providers.Result{
				CustomID: "q-mixed", Status: providers.ResultSucceeded, Model: "claude-opus-4-1",
				Text: ptr("Paris.\n\"Café\" 😀"), FinishReason: ptr("tool_use"),
				ToolCalls: json.RawMessage(`[{"id":"toolu_1","name":"f","arguments":{"text":"no"}}]`),
				Usage:     &providers.Usage{InputTokens: 3, OutputTokens: 7}, Response: json.RawMessage(mixedMessage),
			},
		},
		{
			name: "tool call only",
			line: toolLine,
			want: providers.Result{
				CustomID: "q-tool", Status: providers.ResultSucceeded, Model: "claude-haiku-4-5", FinishReason: ptr("tool_use"),
				ToolCalls: json.RawMessage(`[{"id":"toolu_2","name":"get_weather","arguments":{"city":"Lima"}}]`),
				Usage:     &providers.Usage{InputTokens: 12, OutputTokens: 30}, Response: json.RawMessage(toolMessage),
			},
		},
		{
			name: "the forced output tool is the answer",
			line: forcedLine,
			want: providers.Result{
				CustomID: "q-forced", Status: providers.ResultSucceeded, Model: "claude-3-5-haiku-latest",
				Text: ptr(`{"name":"Ann","age":31}`), FinishReason: ptr("end_turn"),
				Response: json.RawMessage(forcedMessage),
			},
		},
		{
			name: "max tokens, no usage",
			line: maxTokensLine,
			want: providers.Result{
				CustomID: "q-max", Status: providers.ResultSucceeded, Model: "m", Text: ptr(""), FinishReason: ptr("max_tokens"),
				Response: json.RawMessage(maxTokensMessage),
			},
		},
		{
			name: "errored",
			line: erroredLine,
			want: providers.Result{
				CustomID: "my-second-request", Status: providers.ResultErrored,
				Error:    &providers.ResultError{Type: "invalid_request_error", Message: "max_tokens: Field required", HTTPStatus: intPtr(400)},
				Response: json.RawMessage(erroredError),
			},
		},
		{
			name: "errored, overloaded",
			line: overloadedLine,
			want: providers.Result{
				CustomID: "q-busy", Status: providers.ResultErrored,
				Error:    &providers.ResultError{Type: "overloaded_error", Message: "Overloaded", HTTPStatus: intPtr(529)},
				Response: json.RawMessage(overloadedError),
			},
		},
		{
			name: "errored, error not nested",
			line: flatLine,
			want: providers.Result{
				CustomID: "q-flat", Status: providers.ResultErrored,
				Error:    &providers.ResultError{Type: "api_error", Message: "Internal server error", HTTPStatus: intPtr(500)},
				Response: json.RawMessage(flatError),
			},
		},
		{
			name: "errored, no details",
			line: `{"custom_id":"q-bare","result":{"type":"errored"}}`,
			want: providers.Result{
				CustomID: "q-bare", Status: providers.ResultErrored,
				Error: &providers.ResultError{Type: "error", Message: "The request failed without an error message."},
			},
		},
		{
			name: "canceled",
			line: canceledLine,
			want: providers.Result{
				CustomID: "q-canceled", Status: providers.ResultCanceled,
				Error: &providers.ResultError{Type: "canceled", Message: "The batch was canceled before this request could be sent to the model."},
			},
		},
		{
			name: "expired",
			line: expiredLine,
			want: providers.Result{
				CustomID: "q-expired", Status: providers.ResultExpired,
				Error: &providers.ResultError{Type: "expired", Message: "The batch reached its 24 hour expiration before this request could be sent to the model."},
			},
		},
		{
			name: "unknown result type",
			line: unknownLine,
			want: providers.Result{
				CustomID: "q-new", Status: providers.ResultErrored,
				Error:    &providers.ResultError{Type: "deferred", Message: `unknown result type "deferred"`},
				Response: json.RawMessage(unknownResult),
			},
		},
	}
	c := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := []byte(tt.line)
			got, err := c.Normalize(line)
			if err != nil {
				t.Fatal(err)
			}
			// The result must not alias the line, which the caller reuses.
			for i := range line {
				line[i] = 'X'
			}
			if !reflect.DeepEqual(got, tt.want) {
				gotJSON, _ := json.Marshal(got)
				wantJSON, _ := json.Marshal(tt.want)
				t.Errorf("Normalize\n got %s\nwant %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{`{"custom_id":"q1","result":{"type":"succeeded"`, "result line is not valid JSON: result: unexpected end of input at offset 46"},
		{`{"custom_id":"q1"} x`, `result line is not valid JSON: invalid character 'x' after top-level value at offset 19`},
		{`[1]`, "result line: found array, want object"},
		{`{"result":{"type":"expired"}}`, "result line has no custom_id"},
		{`{"custom_id":"q1","result":null}`, `result line for "q1" has no result`},
		{`{"custom_id":"q1","result":{"message":{}}}`, `result line for "q1" has no result type`},
		{`{"custom_id":"q1","result":{"type":"succeeded"}}`, `succeeded result for "q1" has no message`},
		{`{"custom_id":"q1","result":{"type":"succeeded","message":{"usage":{"input_tokens":"12"}}}}`, "result line: result: message: usage: input_tokens: found string, want integer"},
		{`{"custom_id":"q1","result":{"type":"succeeded","message":{"content":[{"type":"text","text":7}]}}}`, "result line: result: message: content: text: found number, want string"},
		{`{"custom_id":7}`, "result line: custom_id: found number, want string"},
	}
	c := New(Config{})
	for _, tt := range tests {
		if _, err := c.Normalize([]byte(tt.line)); err == nil || err.Error() != tt.want {
			t.Errorf("Normalize(%s) error = %v\nwant %s", tt.line, err, tt.want)
		}
	}
}

// FuzzNormalize checks that Normalize never panics, and that it accepts
// only valid JSON.
func FuzzNormalize(f *testing.F) {
	for _, l := range []string{succeededLine, mixedLine, toolLine, erroredLine, flatLine, canceledLine, unknownLine} {
		f.Add([]byte(l))
	}
	c := New(Config{})
	f.Fuzz(func(t *testing.T, line []byte) {
		if _, err := c.Normalize(line); err == nil && !json.Valid(line) {
			t.Fatalf("Normalize accepted invalid JSON %q", line)
		}
		providertest.CheckAliasing(t, c, line)
	})
}

func BenchmarkNormalize(b *testing.B) {
	providertest.BenchNormalize(b, benchLines(1000), New(Config{}).Normalize, false)
}

// benchLines returns n result lines: succeeded ones with a few paragraphs
// of text, and every tenth one errored.
func benchLines(n int) [][]byte {
	text := strings.Repeat(`The capital of France is Paris.\nIt has been the capital since the 10th century, \"more or less\" \u2014 caf\u00e9s included. `, 12)
	lines := make([][]byte, n)
	for i := range lines {
		var line string
		if i%10 == 9 {
			line = fmt.Sprintf(`{"custom_id":"req-%06d","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"messages: text content blocks must be non-empty"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}}}`, i)
		} else {
			line = fmt.Sprintf(`{"custom_id":"req-%06d","result":{"type":"succeeded","message":{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"%s","citations":null}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":503,"service_tier":"batch"}}}}`, i, text)
		}
		lines[i] = []byte(line)
	}
	return lines
}

// TestNormalizeAliasingTexts checks that texts written as the line spells
// them (verbatim) and those written anew come out as Normalize writes
// them, in one text block and in several.
func TestNormalizeAliasingTexts(t *testing.T) {
	c := New(Config{})
	long := strings.Repeat("Paris, 0123456789", 3)
	for _, text := range providertest.Texts {
		for _, block := range []string{
			`{"type":"text","text":"` + text + `"}`,
			`{"text":"` + text + `","type":"text"}`,
			`{"type":"text","text":"` + text + `"},{"type":"text","text":"` + long + text + `"}`,
			`{"type":"text","text":"` + long + `"},{"type":"text","text":"` + text + `"}`,
			`{"type":"text","text":"` + long + `"},{"type":"text","text":"` + text + `"},{"type":"text","text":"` + long + `"}`,
			`{"text":"` + text + `","type":"thinking"}`,
		} {
			line := `{"custom_id":"q1","result":{"type":"succeeded","message":{"model":"m","content":[` + block + `],"stop_reason":"end_turn"}}}`
			providertest.CheckAliasing(t, c, []byte(line))
		}
	}
}

// BenchmarkNormalizeWrite measures what the results pipeline does with
// each line: NormalizeAliasing, then AppendJSON.
func BenchmarkNormalizeWrite(b *testing.B) {
	providertest.BenchNormalize(b, benchLines(1000), New(Config{}).NormalizeAliasing, true)
}
