package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
)

// TestOpenAIPromptCache checks, through the official Go SDK's types
// (openai-go Batch.Usage, ChatCompletion.Usage), that the emulator's
// OpenAI service reads a prompt prefix from its cache once a finished
// earlier request wrote it: in the batch's usage
// (input_tokens_details.cached_tokens) and in each result
// (prompt_tokens_details.cached_tokens), rounded down to 1024 plus a
// multiple of 128, and never within the batch that writes it.
func TestOpenAIPromptCache(t *testing.T) {
	env := newTestEnv(t, Options{Duration: 10 * time.Second, APIKey: "sk-test"})
	client := newSDKClient(env, &recorder{base: env.http.Client().Transport})
	system := strings.Repeat("shared ", 1300) // 1300 tokens: 1024 + 2×128 cached
	line := func(id, system, prompt string) string {
		b, _ := json.Marshal(map[string]any{
			"custom_id": id, "method": "POST", "url": "/v1/chat/completions",
			"body": map[string]any{"model": "gpt-4o-mini", "messages": []map[string]string{
				{"role": "system", "content": system}, {"role": "user", "content": prompt}}},
		})
		return string(b) + "\n"
	}
	// the first batch writes the prefix: its requests read nothing of it
	first := runSDKBatch(t, env, client, 20*time.Minute, line("a", system, "one"), line("b", system, "two"))
	checkCached(t, client, first, map[string]int64{"a": 0, "b": 0}, 0)
	// the next one reads it, but for the request with another system prompt
	next := runSDKBatch(t, env, client, 40*time.Minute, line("c", system, "three"), line("d", "other "+system, "four"))
	checkCached(t, client, next, map[string]int64{"c": 1280, "d": 0}, 1280)
	// short prompts are never cached
	short := runSDKBatch(t, env, client, 50*time.Minute, line("e", "brief", "five"), line("f", "brief", "six"))
	checkCached(t, client, short, map[string]int64{"e": 0, "f": 0}, 0)
	// an hour after it was written, the entry is gone
	env.clock.set(3 * time.Hour)
	late := runSDKBatch(t, env, client, 4*time.Hour, line("g", system, "seven"))
	checkCached(t, client, late, map[string]int64{"g": 0}, 0)
}

// runSDKBatch runs a batch of lines through the SDK and returns it ended,
// the emulator's clock then set to at.
func runSDKBatch(t *testing.T, env *testEnv, client openai.Client, at time.Duration, lines ...string) *openai.Batch {
	t.Helper()
	ctx := t.Context()
	var input strings.Builder
	for _, l := range lines {
		input.WriteString(l)
	}
	f, err := client.Files.New(ctx, openai.FileNewParams{
		File:    openai.File(strings.NewReader(input.String()), "reqs.jsonl", "application/jsonl"),
		Purpose: openai.FilePurposeBatch,
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	b, err := client.Batches.New(ctx, openai.BatchNewParams{
		InputFileID:      f.ID,
		Endpoint:         openai.BatchNewParamsEndpointV1ChatCompletions,
		CompletionWindow: openai.BatchNewParamsCompletionWindow24h,
	})
	if err != nil {
		t.Fatalf("create batch: %v", err)
	}
	env.clock.set(at)
	if b, err = client.Batches.Get(ctx, b.ID); err != nil {
		t.Fatalf("get: %v", err)
	}
	if b.Status != openai.BatchStatusCompleted {
		t.Fatalf("batch %s is %s", b.ID, b.Status)
	}
	return b
}

// checkCached checks the cached tokens of each result (by custom id) and
// of the batch's usage.
func checkCached(t *testing.T, client openai.Client, b *openai.Batch, want map[string]int64, total int64) {
	t.Helper()
	if got := b.Usage.InputTokensDetails.CachedTokens; got != total || !b.Usage.JSON.InputTokensDetails.Valid() {
		t.Errorf("batch %s: usage %s, want cached_tokens %d", b.ID, b.Usage.RawJSON(), total)
	}
	for l := range strings.Lines(downloadSDK(t, client, b.OutputFileID)) {
		var r struct {
			CustomID string `json:"custom_id"`
			Response struct {
				Body openai.ChatCompletion `json:"body"`
			} `json:"response"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if got := r.Response.Body.Usage.PromptTokensDetails.CachedTokens; got != want[r.CustomID] {
			t.Errorf("%s: cached_tokens %d, want %d", r.CustomID, got, want[r.CustomID])
		}
	}
}
