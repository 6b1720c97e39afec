package tokens

import (
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jsonl"
)

func TestImageRules(t *testing.T) {
	png := pngHeader
	tests := []struct {
		name string
		got  int
		want int
	}{
		// The examples of https://platform.openai.com/docs/guides/images-vision.
		{"openai 1024x1024 high", openaiImage("gpt-4o", png(1024, 1024), "high"), 765},
		{"openai 2048x4096 high", openaiImage("gpt-4o", png(2048, 4096), "high"), 1105},
		{"openai 4096x8192 low", openaiImage("gpt-4o", png(4096, 8192), "low"), 85},
		{"openai URL: 1024x1024 assumed", openaiImage("gpt-4o", "https://example.com/a.png", "auto"), 765},
		{"gpt-4o-mini 1024x1024", openaiImage("gpt-4o-mini", png(1024, 1024), ""), 2833 + 4*5667},
		// The patch rule's examples: 1024x1024 is 1024 patches, 1800x2400
		// is scaled to 1056x1408, 1452 patches; times the multiplier.
		{"gpt-4.1-mini 1024x1024", openaiImage("gpt-4.1-mini", png(1024, 1024), "low"), 1659},         // 1024 × 1.62 = 1658.88
		{"gpt-4.1-nano 1800x2400", openaiImage("gpt-4.1-nano-2025-04-14", png(1800, 2400), ""), 3572}, // 1452 × 2.46 = 3571.92
		{"o4-mini 20x20", openaiImage("o4-mini", png(20, 20), ""), 2},                                 // 1 × 1.72
		{"gpt-4.1-mini 1600x1600", openaiImage("gpt-4.1-mini", png(1600, 1600), ""), 2465},            // 1248x1248, 39 × 39 = 1521 patches × 1.62
		{"gpt-4.1 keeps the tile rule", openaiImage("gpt-4.1", png(1024, 1024), "high"), 765},
		// https://docs.claude.com/en/docs/build-with-claude/vision: 1092x1092 is about 1,590.
		{"anthropic 1092x1092", anthropicImage(png(1092, 1092)), 1590},
		{"anthropic 200x200", anthropicImage(png(200, 200)), 54},
		{"anthropic unknown", anthropicImage("https://example.com/a.png"), 1600},
		// https://ai.google.dev/gemini-api/docs/tokens
		{"gemini 384x384", geminiImage(png(384, 384)), 258},
		{"gemini 1000x700", geminiImage(png(1000, 700)), 2 * 258},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %d tokens, want %d", tt.name, tt.got, tt.want)
		}
	}
}

func TestLines(t *testing.T) {
	tests := []struct {
		name   string
		target jsonl.Target
		line   string
		want   Line
	}{
		{"openai chat, cookbook rule", jsonl.TargetOpenAI,
			// 3 + user (1) + "Say this is a test" (5) + 3
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Say this is a test"}],"max_tokens":7}}`,
			Line{Model: "gpt-3.5-turbo", Input: 12, MaxOutput: 7, HasMax: true, Exact: true}},
		{"max_completion_tokens wins", jsonl.TargetOpenAI,
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"o3","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":900,"max_tokens":5}}`,
			Line{Model: "o3", Input: 8, MaxOutput: 900, HasMax: true, Exact: true}},
		{"embeddings", jsonl.TargetOpenAI,
			`{"custom_id":"a","method":"POST","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":["hello world","hello"]}}`,
			Line{Model: "text-embedding-3-small", Input: 3, NoOutput: true, Exact: true}},
		{"legacy completions default to 16", jsonl.TargetOpenAI,
			`{"custom_id":"a","method":"POST","url":"/v1/completions","body":{"model":"gpt-3.5-turbo-instruct","prompt":"hello world"}}`,
			Line{Model: "gpt-3.5-turbo-instruct", Input: 2, MaxOutput: 16, HasMax: true, Exact: true}},
		{"open model on an OpenAI-compatible service", jsonl.TargetOpenAI,
			`{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"llama-3.1-8b","messages":[{"role":"user","content":"hi"}]}}`,
			Line{Model: "llama-3.1-8b", Input: 8}},
		{"anthropic", jsonl.TargetAnthropic,
			`{"custom_id":"a","params":{"model":"claude-haiku-4-5","max_tokens":512,"system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}}`,
			Line{Model: "claude-haiku-4-5", Input: 3 + 3 + 3 + 1 + 1 + 3, MaxOutput: 512, HasMax: true}},
		{"anthropic tools", jsonl.TargetAnthropic,
			`{"custom_id":"a","params":{"model":"claude-haiku-4-5","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"x"}]}}`,
			Line{Model: "claude-haiku-4-5", Input: 3 + 1 + 1 + 3 + 346 + 5, MaxOutput: 1, HasMax: true, Estimated: true}},
		{"gemini", jsonl.TargetGemini,
			`{"key":"a","request":{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":64}}}`,
			Line{Input: 4, MaxOutput: 64, HasMax: true}},
		{"gemini snake_case, no max", jsonl.TargetGemini,
			`{"key":"a","request":{"contents":[{"parts":[{"text":"hi"},{"inline_data":{"mime_type":"image/png","data":""}}]}]}}`,
			Line{Input: 1 + 258, Estimated: true}},
		{"gemini embeddings", jsonl.TargetGemini,
			`{"key":"a","request":{"content":{"parts":[{"text":"hello world"}]}}}`,
			Line{Input: 2, NoOutput: true}},
	}
	for _, tt := range tests {
		got, err := NewCounter(tt.target, "").Count([]byte(tt.line))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestMemoBounded(t *testing.T) {
	e := GetEncoding(O200kBase)
	long := strings.Repeat("a shared system prompt, ", 10)
	if a, b := e.Count(long), e.Count(long); a != b || a == 0 {
		t.Fatalf("memoized count %d, then %d", a, b)
	}
	for h := range uint64(3 * memoShards * memoShardMax / 2) {
		e.remember(h, 1)
	}
	for i := range e.memo {
		if n := len(e.memo[i].m); n > memoShardMax {
			t.Fatalf("memo shard %d holds %d entries, more than %d", i, n, memoShardMax)
		}
	}
}

func TestLongRunsAreCut(t *testing.T) {
	e := GetEncoding(O200kBase)
	// 5 MB without a space: whole, byte-pair merging would not end in
	// the test's time.
	n := e.Count(strings.Repeat("x", 5<<20))
	// the count is that of one cut piece per piece
	if want := e.count(strings.Repeat("x", maxRun)) * (5 << 20) / maxRun; n != want {
		t.Errorf("5 MB of x: %d tokens, want %d", n, want)
	}
	// text with spaces is not cut: " hello" and " world" are a token each,
	// the first "hello" and the last space one more each
	text := strings.Repeat("hello world ", 1000)
	if got, want := e.Count(text), 2001; got != want {
		t.Errorf("text: %d tokens, want %d", got, want)
	}
}
