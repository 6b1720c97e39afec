package gemini

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

// Result lines. The file lines follow the Batch Mode guide's output
// example ({"key":..., "response":{GenerateContentResponse}}); the inline
// ones are items of response.inlinedResponses.inlinedResponses as Download
// writes them.
const (
	fileLine = `{"key": "request-1", "response": {"candidates": [{"content": {"parts": [{"text": "Paris is the capital of France."}], "role": "model"}, "finishReason": "STOP", "avgLogprobs": -0.05}], "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 7, "totalTokenCount": 15}, "modelVersion": "gemini-2.5-flash", "responseId": "abc123"}}`

	fileEscapedLine = `{"key":"request-2","response":{"candidates":[{"content":{"parts":[{"text":"Line one\n\"quoted\" caf\u00e9 "},{"text":"\ud83d\ude00 end"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0},{"content":{"parts":[{"text":"second candidate"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":40,"thoughtsTokenCount":12},"modelVersion":"gemini-2.5-pro"}}`

	thoughtLine = `{"key":"t1","response":{"candidates":[{"content":{"parts":[{"text":"Let me think.","thought":true},{"thought":false,"text":"Answer."},{"functionCall":{"name":"f","args":{}}}],"role":"model"},"finishReason":"STOP"}],"modelVersion":"gemini-2.5-flash"}}`

	toolCallLine = `{"key":"tool","response":{"candidates":[{"content":{"parts":[{"functionCall":{"name":"lookup","args":{"q":"x"}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5}}}`

	blockedLine = `{"key":"b1","response":{"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4},"modelVersion":"gemini-2.5-flash"}}`

	embeddingLine = `{"key":"e1","response":{"embedding":{"values":[0.0123, -0.5, 1e-3]},"usageMetadata":{"promptTokenCount":2}}}`

	fileErrorLine = `{"key":"bad-1","error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}`

	statusErrorLine = `{"key":"bad-2","status":{"code":8,"message":"Resource exhausted.","details":[]}}`

	statusOKLine = `{"key":"ok-1","status":{"code":0},"response":{"candidates":[{"content":{"parts":[{"text":"fine"}]},"finishReason":"STOP"}]}}`

	inlineLine = `{"response":{"candidates":[{"content":{"parts":[{"text":"Lima."}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":2},"modelVersion":"gemini-2.5-flash"},"metadata":{"key":"q2","extra":"x"}}`

	inlineErrorLine = `{"error":{"code":13,"message":"Internal error encountered."},"metadata":{"key":"q3"}}`

	inlineHTTPErrorLine = `{"metadata":{"key":"q4"},"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}`
)

func ptr(s string) *string { return &s }

func intPtr(n int) *int { return &n }

func n64(n int64) *int64 { return &n }

// responseOf is the response of line as encoding/json sees it, byte for
// byte; nil when there is none.
func responseOf(t *testing.T, line string) json.RawMessage {
	t.Helper()
	var l struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal([]byte(line), &l); err != nil {
		t.Fatalf("test line: %v", err)
	}
	return l.Response
}

func TestNormalize(t *testing.T) {
	succeeded, errored := providers.ResultSucceeded, providers.ResultErrored
	tests := []struct {
		name string
		line string
		want providers.Result // Response is taken from the line
	}{
		{
			name: "file line",
			line: fileLine,
			want: providers.Result{CustomID: "request-1", Status: succeeded, Model: "gemini-2.5-flash", Text: ptr("Paris is the capital of France."),
				FinishReason: ptr("STOP"), Usage: &providers.Usage{InputTokens: 8, OutputTokens: 7, CacheReadInputTokens: n64(0), ReasoningTokens: n64(0)}},
		},
		{
			name: "escapes, two parts, two candidates",
			line: fileEscapedLine,
			want: providers.Result{CustomID: "request-2", Status: succeeded, Model: "gemini-2.5-pro", Text: ptr("Line one\n\"quoted\" café 😀 end"),
				FinishReason: ptr("MAX_TOKENS"), Usage: &providers.Usage{InputTokens: 3, OutputTokens: 52, CacheReadInputTokens: n64(0), ReasoningTokens: n64(12)}},
		},
		{
			name: "thoughts left out",
			line: thoughtLine,
			want: providers.Result{CustomID: "t1", Status: succeeded, Model: "gemini-2.5-flash", Text: ptr("Answer."), FinishReason: ptr("STOP"),
				ToolCalls: json.RawMessage(`[{"id":null,"name":"f","arguments":{}}]`)},
		},
		{
			name: "tool call without text",
			line: toolCallLine,
			want: providers.Result{CustomID: "tool", Status: succeeded, FinishReason: ptr("STOP"), Usage: &providers.Usage{InputTokens: 5, CacheReadInputTokens: n64(0), ReasoningTokens: n64(0)},
				ToolCalls: json.RawMessage(`[{"id":null,"name":"lookup","arguments":{"q":"x"}}]`)},
		},
		{
			name: "tool calls with an id, next to text",
			line: `{"key":"tools","response":{"candidates":[{"content":{"parts":[{"text":"Looking."},{"functionCall":{"id":"fc-1","name":"a","args":{"n":1}}},{"functionCall":{"name":"b"}}],"role":"model"},"finishReason":"STOP"}]}}`,
			want: providers.Result{CustomID: "tools", Status: succeeded, Text: ptr("Looking."), FinishReason: ptr("STOP"),
				ToolCalls: json.RawMessage(`[{"id":"fc-1","name":"a","arguments":{"n":1}},{"id":null,"name":"b","arguments":{}}]`)},
		},
		{
			name: "blocked prompt",
			line: blockedLine,
			want: providers.Result{CustomID: "b1", Status: succeeded, Model: "gemini-2.5-flash", FinishReason: ptr("SAFETY"), Usage: &providers.Usage{InputTokens: 4, CacheReadInputTokens: n64(0), ReasoningTokens: n64(0)}},
		},
		{
			name: "embedding",
			line: embeddingLine,
			want: providers.Result{CustomID: "e1", Status: succeeded, Embedding: json.RawMessage(`[0.0123, -0.5, 1e-3]`), Usage: &providers.Usage{InputTokens: 2, CacheReadInputTokens: n64(0), ReasoningTokens: n64(0)}},
		},
		{
			name: "file error",
			line: fileErrorLine,
			want: providers.Result{CustomID: "bad-1", Status: errored,
				Error: &providers.ResultError{Type: "INVALID_ARGUMENT", Message: "Invalid JSON payload received.", Code: ptr("INVALID_ARGUMENT"), HTTPStatus: intPtr(400)}},
		},
		{
			name: "status instead of error",
			line: statusErrorLine,
			want: providers.Result{CustomID: "bad-2", Status: errored,
				Error: &providers.ResultError{Type: "RESOURCE_EXHAUSTED", Message: "Resource exhausted.", Code: ptr("RESOURCE_EXHAUSTED"), HTTPStatus: intPtr(429)}},
		},
		{
			name: "OK status",
			line: statusOKLine,
			want: providers.Result{CustomID: "ok-1", Status: succeeded, Text: ptr("fine"), FinishReason: ptr("STOP")},
		},
		{
			name: "inline response",
			line: inlineLine,
			want: providers.Result{CustomID: "q2", Status: succeeded, Model: "gemini-2.5-flash", Text: ptr("Lima."), FinishReason: ptr("STOP"),
				Usage: &providers.Usage{InputTokens: 6, OutputTokens: 2, CacheReadInputTokens: n64(0), ReasoningTokens: n64(0)}},
		},
		{
			name: "inline error with an RPC code",
			line: inlineErrorLine,
			want: providers.Result{CustomID: "q3", Status: errored, Error: &providers.ResultError{Type: "INTERNAL", Message: "Internal error encountered.", Code: ptr("INTERNAL"), HTTPStatus: intPtr(500)}},
		},
		{
			name: "inline error with an HTTP code, metadata first",
			line: inlineHTTPErrorLine,
			want: providers.Result{CustomID: "q4", Status: errored,
				Error: &providers.ResultError{Type: "RESOURCE_EXHAUSTED", Message: "Quota exceeded.", Code: ptr("RESOURCE_EXHAUSTED"), HTTPStatus: intPtr(429)}},
		},
		{
			name: "RPC code without a status name",
			line: `{"key":"r","error":{"code":3,"message":"Bad."}}`,
			want: providers.Result{CustomID: "r", Status: errored, Error: &providers.ResultError{Type: "INVALID_ARGUMENT", Message: "Bad.", Code: ptr("INVALID_ARGUMENT"), HTTPStatus: intPtr(400)}},
		},
		{
			name: "HTTP code without a status name",
			line: `{"key":"h","error":{"code":409,"message":"Conflict."}}`,
			want: providers.Result{CustomID: "h", Status: errored, Error: &providers.ResultError{Type: "ABORTED", Message: "Conflict.", Code: ptr("ABORTED"), HTTPStatus: intPtr(409)}},
		},
		{
			name: "HTTP code code.proto does not map",
			line: `{"key":"g","error":{"code":502,"message":"Bad gateway."}}`,
			want: providers.Result{CustomID: "g", Status: errored, Error: &providers.ResultError{Type: "INTERNAL", Message: "Bad gateway.", Code: ptr("INTERNAL"), HTTPStatus: intPtr(502)}},
		},
		{
			name: "code that is neither",
			line: `{"key":"n","error":{"code":77,"message":"Odd."}}`,
			want: providers.Result{CustomID: "n", Status: errored, Error: &providers.ResultError{Type: "error", Message: "Odd."}},
		},
		{
			name: "error without a code",
			line: `{"key":"x","error":{"message":"Something broke."}}`,
			want: providers.Result{CustomID: "x", Status: errored, Error: &providers.ResultError{Type: "error", Message: "Something broke."}},
		},
	}
	c := New(Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Normalize([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Response = responseOf(t, tt.line)
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("result\n got %s\nwant %s", gotJSON, wantJSON)
			}
			if !reflect.DeepEqual(got.Error, want.Error) {
				t.Errorf("error %+v, want %+v", got.Error, want.Error)
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
		{"truncated line", fileLine[:60], "result line is not valid JSON: response: candidates: content: unexpected end of input at offset 60"},
		{"not JSON", "<html>", "result line is not valid JSON: invalid character '<' looking for beginning of value at offset 0"},
		{"two values", `{"key":"a","error":{}} {}`, "result line is not valid JSON: invalid character '{' after top-level value at offset 23"},
		{"not an object", `["key"]`, "result line: found array, want object"},
		{"no key", `{"response":{"candidates":[]}}`, "result line has no key"},
		{"key not a string", `{"key":7,"response":{}}`, "result line: key: found number, want string"},
		{"metadata key not a string", `{"metadata":{"key":[]},"response":{}}`, "result line: metadata: key: found array, want string"},
		{"code not an integer", `{"key":"a","error":{"code":"400"}}`, "result line: error: code: found string, want integer"},
		{"neither response nor error", `{"key":"a","response":null}`, `result line for "a" has neither response nor error`},
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

// BenchmarkNormalize measures normalization throughput over result lines
// shaped like real ones (DESIGN.md section 11 asks for 300 MB/s on one core).
func BenchmarkNormalize(b *testing.B) {
	benchmarks := []struct {
		name  string
		lines [][]byte
	}{
		{"generate", benchGenerateLines(1000)},
		{"embeddings", benchEmbeddingLines(50)},
	}
	c := New(Config{})
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) { providertest.BenchNormalize(b, bm.lines, c.Normalize, false) })
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

// benchGenerateLines are responses file lines, one in twenty an error.
func benchGenerateLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		if i%20 == 19 {
			lines[i] = fmt.Appendf(nil, `{"key":"request-%d","error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`, i)
			continue
		}
		text, _ := json.Marshal(benchText(i))
		lines[i] = fmt.Appendf(nil, `{"key":"request-%d","response":{"candidates":[{"content":{"parts":[{"text":%s}],"role":"model"},"finishReason":"STOP","avgLogprobs":-0.1234,"index":0}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":291,"totalTokenCount":311,"promptTokensDetails":[{"modality":"TEXT","tokenCount":20}]},"modelVersion":"gemini-2.5-flash","responseId":"resp-%d"}}`, i, text, i)
	}
	return lines
}

// benchEmbeddingLines are embedding lines of 3072 floats each.
func benchEmbeddingLines(n int) [][]byte {
	lines := make([][]byte, n)
	for i := range lines {
		var vec strings.Builder
		for j := range 3072 {
			if j > 0 {
				vec.WriteByte(',')
			}
			fmt.Fprintf(&vec, "%.10f", float64((i*3072+j)%997)/997-0.5)
		}
		lines[i] = fmt.Appendf(nil, `{"key":"e-%d","response":{"embedding":{"values":[%s]}}}`, i, vec.String())
	}
	return lines
}

// FuzzNormalize checks that any line either fails or yields a result whose
// response is valid JSON and which encodes as the jq contract.
func FuzzNormalize(f *testing.F) {
	for _, line := range []string{fileLine, fileEscapedLine, thoughtLine, embeddingLine, statusErrorLine, inlineLine, inlineErrorLine} {
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
		if r.Embedding != nil && !json.Valid(r.Embedding) {
			t.Fatalf("embedding %q is not valid JSON", r.Embedding)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("result of %q does not encode: %v", line, err)
		}
	})
}

// TestNormalizeAliasingTexts checks that texts written as the line spells
// them (verbatim) and those written anew come out as Normalize writes
// them, in one part and in several.
func TestNormalizeAliasingTexts(t *testing.T) {
	c := New(Config{})
	long := strings.Repeat("Paris, 0123456789", 3)
	for _, text := range providertest.Texts {
		for _, parts := range []string{
			`{"text":"` + text + `"}`,
			`{"text":"` + text + `"},{"text":"` + long + text + `"}`,
			`{"text":"` + long + `"},{"text":"` + text + `"}`,
			`{"text":"` + long + `"},{"text":"` + text + `"},{"text":"` + long + `"}`,
			`{"text":"` + text + `","thought":true},{"text":"` + text + `"}`,
		} {
			line := `{"key":"q1","response":{"candidates":[{"content":{"parts":[` + parts + `]},"finishReason":"STOP"}]}}`
			providertest.CheckAliasing(t, c, []byte(line))
		}
	}
}

// BenchmarkNormalizeWrite measures what the results pipeline does with
// each line: NormalizeAliasing, then AppendJSON.
func BenchmarkNormalizeWrite(b *testing.B) {
	providertest.BenchNormalize(b, benchGenerateLines(1000), New(Config{}).NormalizeAliasing, true)
}
