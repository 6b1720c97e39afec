package providers

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// encodingJSON is what AppendJSON must match: the line an Encoder with
// SetEscapeHTML(false) writes, without its newline.
func encodingJSON(t testing.TB, r *Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}

// nasty holds every byte class appendJSONString treats apart: each ASCII
// control character, quotes and backslashes, HTML characters (not
// escaped), DEL, multi-byte runes, U+2028 and U+2029, and invalid UTF-8
// (a stray continuation byte, a truncated sequence, an encoded surrogate,
// an overlong form and a lone 0xff).
var nasty = func() string {
	var b strings.Builder
	for c := range 0x20 {
		b.WriteByte(byte(c))
	}
	b.WriteString("\"\\/<>&'\x7f é—中文😀 \u2028 \u2029 x\x80y \xe2\x80 \xed\xa0\x80 \xc0\xaf \xff end")
	return b.String()
}()

func ptr(s string) *string { return &s }

func intPtr(n int) *int { return &n }

func int64Ptr(n int64) *int64 { return &n }

func boolPtr(b bool) *bool { return &b }

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		r    Result
	}{
		{"zero", Result{}},
		{"succeeded", Result{
			CustomID: "q1", Status: ResultSucceeded, Job: "j7k2m9", Provider: "openai", BatchID: "batch_abc",
			Model: "gpt-4o-mini", Text: ptr("Paris.\nIt is the capital."), FinishReason: ptr("stop"),
			Usage:    &Usage{InputTokens: 12, OutputTokens: 3},
			Response: json.RawMessage(`{"id":"chatcmpl-1","choices":[{"message":{"content":"Paris.\nIt"}}],"usage":{"prompt_tokens":12}}`),
		}},
		{"empty text and zero usage", Result{CustomID: "q2", Status: ResultSucceeded, Text: ptr(""), Usage: &Usage{}}},
		{"large usage", Result{CustomID: "q3", Usage: &Usage{InputTokens: math.MaxInt64, OutputTokens: math.MinInt64}}},
		{"embedding", Result{
			CustomID: "e1", Status: ResultSucceeded, Embedding: json.RawMessage(`[0.1,-0.002,1e-7]`),
			Usage: &Usage{InputTokens: 5}, Response: json.RawMessage(`{"data":[{"embedding":[0.1,-0.002,1e-7]}]}`),
		}},
		{"embeddings", Result{CustomID: "e2", Embeddings: json.RawMessage(`[[1,2],[3,4]]`)}},
		{"moderation", Result{CustomID: "m1", Moderation: &Moderation{Flagged: true, Categories: []string{"violence", "self-harm/intent"}}}},
		{"moderation, nothing flagged", Result{CustomID: "m2", Moderation: &Moderation{Categories: []string{}}}},
		{"moderation, nil categories", Result{CustomID: "m3", Moderation: &Moderation{}}},
		{"string code", Result{CustomID: "x", Status: ResultErrored, Error: &ResultError{
			Type: "invalid_request_error", Message: "bad <input> & \"quotes\"", Code: ptr("context_length_exceeded"), HTTPStatus: intPtr(400),
		}}},
		{"null code and status", Result{CustomID: "x", Status: ResultExpired, Error: &ResultError{Type: "batch_expired", Message: "expired"}}},
		{"usage details", Result{CustomID: "x", Usage: &Usage{InputTokens: 9, OutputTokens: 4,
			CacheReadInputTokens: int64Ptr(0), CacheCreationInputTokens: int64Ptr(math.MaxInt64), ReasoningTokens: int64Ptr(-1)}}},
		{"schema keys", Result{CustomID: "x", ToolCalls: json.RawMessage(`[{"id":"c1","name":"f","arguments":{}}]`),
			Parsed: json.RawMessage(`{"a":1}`), Valid: boolPtr(false), OutputError: json.RawMessage(`{"path":"/a","message":"m"}`)}},
		{"valid", Result{CustomID: "x", Valid: boolPtr(true)}},
		{"nasty strings", Result{
			CustomID: nasty, Status: ResultStatus(nasty), Job: nasty, Provider: nasty, BatchID: nasty, Model: nasty,
			Text: ptr(nasty), FinishReason: ptr(nasty), Error: &ResultError{Type: nasty, Message: nasty, Code: ptr(nasty)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := encodingJSON(t, &tt.r)
			got := tt.r.AppendJSON([]byte("prefix"))
			if !bytes.HasPrefix(got, []byte("prefix")) {
				t.Fatalf("dst was not extended: %q", got)
			}
			if got := got[len("prefix"):]; !bytes.Equal(got, want) {
				t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestAppendJSONRaw pins what differs from encoding/json: raw fields are
// written as they are, and an empty one (which encoding/json refuses) as
// null.
func TestAppendJSONRaw(t *testing.T) {
	tests := []struct {
		name string
		r    Result
		want string
	}{
		{
			"spaced response kept",
			Result{CustomID: "q", Response: json.RawMessage(`{"id": "x", "n": [1, 2]}`)},
			`{"custom_id":"q","status":"","job":"","provider":"","batch_id":"","model":"","text":null,"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":null,"attempts":null,"response":{"id": "x", "n": [1, 2]}}`,
		},
		{
			"empty response and embedding",
			Result{CustomID: "q", Response: json.RawMessage{}, Embedding: json.RawMessage{}},
			`{"custom_id":"q","status":"","job":"","provider":"","batch_id":"","model":"","text":null,"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":null,"attempts":null,"response":null}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.AppendJSON(nil)
			if string(got) != tt.want {
				t.Errorf("AppendJSON:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAppendJSONAllocations(t *testing.T) {
	r := benchResult()
	buf := make([]byte, 0, 64<<10)
	allocs := testing.AllocsPerRun(100, func() {
		buf = r.AppendJSON(buf[:0])
	})
	if allocs != 0 {
		t.Errorf("AppendJSON allocates %v times per result, want 0", allocs)
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("q1", "Paris.", "stop", "rate_limit", []byte(`{"id":"x"}`), []byte(`[0.5,1]`), int64(0))
	f.Add(nasty, nasty, "", "", []byte(`{"a": [1, {"b": null}]}`), []byte(``), int64(429))
	f.Add("\xff", "\u2028", "\x00", "<&>", []byte(`"str"`), []byte(`nope`), int64(-1))
	f.Fuzz(func(t *testing.T, id, text, finish, code string, response, embedding []byte, status int64) {
		r := Result{
			CustomID: id, Status: ResultErrored, Model: text, Text: &text, FinishReason: &finish,
			Response: compact(response), Embedding: compact(embedding),
			Usage: &Usage{InputTokens: status, OutputTokens: -status},
			Error: &ResultError{Type: code, Message: text, Code: &code},
		}
		if status%3 == 0 {
			r.Error.Code = nil
		}
		if status%2 == 0 {
			httpStatus := int(int32(status))
			r.Error.HTTPStatus = &httpStatus
		}
		want := encodingJSON(t, &r)
		got := r.AppendJSON(nil)
		if !bytes.Equal(got, want) {
			t.Errorf("AppendJSON:\n got %s\nwant %s", got, want)
		}
	})
}

// compact returns b compacted, or nil when it is not JSON.
func compact(b []byte) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return nil
	}
	return buf.Bytes()
}

// benchResult is a typical chat result: about 3 KB of prose in paragraphs,
// with a few quotes and non-ASCII runes, and a response body that holds it.
func benchResult() *Result {
	text := strings.Repeat("The printing press spread through Europe after 1450: within fifty years, printers in more than "+
		"two hundred cities had produced millions of books. Scholars — and the \"merely curious\" — could now own "+
		"texts that scribes had copied by hand for centuries, and the café became a place to read them.\n\n", 12)
	body, err := json.Marshal(map[string]any{
		"id": "chatcmpl-123", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop"}},
		"usage":   map[string]any{"prompt_tokens": 812, "completion_tokens": 530, "total_tokens": 1342},
	})
	if err != nil {
		panic(err)
	}
	return &Result{
		CustomID: "request-0001234", Status: ResultSucceeded, Provider: "openai", BatchID: "batch_abc",
		Model: "gpt-4o-mini-2024-07-18", Text: &text, FinishReason: ptr("stop"),
		Usage: &Usage{InputTokens: 812, OutputTokens: 530}, Response: body,
	}
}

// BenchmarkResultJSON compares AppendJSON with the encoding/json Encoder
// it replaces, on a typical chat result.
func BenchmarkResultJSON(b *testing.B) {
	r := benchResult()
	b.Run("AppendJSON", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf = r.AppendJSON(buf[:0])
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(r); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(buf.Len()))
	})
}
