package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
)

// TestOpenAISDKBatchUsage checks, through the official Go SDK's types
// (openai-go BatchUsage, CompletionUsage), the usage the emulator reports
// for a batch of a reasoning model: on the batch object, the details
// OpenAI gives there (input_tokens_details.cached_tokens,
// output_tokens_details.reasoning_tokens), and in each result, reasoning
// tokens that are part of the completion tokens. A reasoning model thinks
// as many tokens as it answers; an ordinary one reasons 0.
func TestOpenAISDKBatchUsage(t *testing.T) {
	tests := []struct {
		model                           string
		output, reasoning, perReasoning int64
	}{
		// "one two three" and "four five": 5 input tokens, 5 answered.
		{model: "o4-mini", output: 10, reasoning: 5, perReasoning: 3},
		{model: "gpt-4o-mini", output: 5, reasoning: 0, perReasoning: 0},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			env := newTestEnv(t, Options{Duration: 10 * time.Second, APIKey: "sk-test"})
			client := newSDKClient(env, &recorder{base: env.http.Client().Transport})
			ctx := t.Context()
			input := chatLine("r1", tt.model, "one two three") + "\n" + chatLine("r2", tt.model, "four five") + "\n"
			f, err := client.Files.New(ctx, openai.FileNewParams{
				File:    openai.File(strings.NewReader(input), "reqs.jsonl", "application/jsonl"),
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
			env.clock.set(time.Hour)
			if b, err = client.Batches.Get(ctx, b.ID); err != nil {
				t.Fatalf("get: %v", err)
			}
			u := b.Usage
			if b.Status != openai.BatchStatusCompleted || !u.JSON.InputTokensDetails.Valid() || !u.JSON.OutputTokensDetails.Valid() ||
				u.InputTokens != 5 || u.InputTokensDetails.CachedTokens != 0 ||
				u.OutputTokens != tt.output || u.OutputTokensDetails.ReasoningTokens != tt.reasoning || u.TotalTokens != 5+tt.output {
				t.Errorf("batch usage = %s", u.RawJSON())
			}
			found := false
			for line := range strings.Lines(downloadSDK(t, client, b.OutputFileID)) {
				var l struct {
					CustomID string `json:"custom_id"`
					Response struct {
						Body json.RawMessage `json:"body"`
					} `json:"response"`
				}
				if err := json.Unmarshal([]byte(line), &l); err != nil {
					t.Fatal(err)
				}
				if l.CustomID != "r1" {
					continue
				}
				found = true
				var cc openai.ChatCompletion
				if err := json.Unmarshal(l.Response.Body, &cc); err != nil {
					t.Fatal(err)
				}
				cu := cc.Usage
				if cu.PromptTokens != 3 || cu.CompletionTokens != 3+tt.perReasoning ||
					cu.CompletionTokensDetails.ReasoningTokens != tt.perReasoning || cu.PromptTokensDetails.CachedTokens != 0 {
					t.Errorf("r1 usage = %s", cu.RawJSON())
				}
			}
			if !found {
				t.Error("no result for r1")
			}
		})
	}
}
