package emulator

import (
	"testing"

	"google.golang.org/genai"
)

// TestGeminiCountTokensSDK drives models/{model}:countTokens with the
// official Go SDK (Models.CountTokens): the SDK's request is accepted and
// its answer read, with batchctl's deterministic count (o200k_base tokens
// of the text: "Hello world" 2, "Bye" 1).
func TestGeminiCountTokensSDK(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: geminiTestKey})
	rec := &recorder{base: env.http.Client().Transport}
	client := newGenAIClient(t, env, rec)
	contents := []*genai.Content{
		genai.NewContentFromText("Hello world", genai.RoleUser),
		genai.NewContentFromText("Bye", genai.RoleModel),
	}
	got, err := client.Models.CountTokens(t.Context(), "gemini-2.5-flash", contents, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalTokens != 3 {
		t.Errorf("totalTokens %d, want 3", got.TotalTokens)
	}
	if _, err := client.Models.CountTokens(t.Context(), "gemini-2.5-flash", nil, nil); err == nil {
		t.Error("no contents: no error")
	}
}
