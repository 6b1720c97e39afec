package xai_test

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/providertest"
	"github.com/batchctl/batchctl/internal/providers/xai"
)

const chatModel = "grok-4-fast"

// TestConformance runs the provider conformance suite against the
// emulator's xAI API, mounted at /xai/v1.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return xai.New(xai.Config{Name: "xai", BaseURL: baseURL + "/xai/v1", APIKey: key, APIKeyEnv: "XAI_API_KEY"})
		},
		Lines:    func(reqs []providertest.Request) []byte { return chatLines(t, reqs) },
		Endpoint: "/v1/chat/completions",
		Model:    chatModel,
		// No requests are pending once all have run: the batch is done.
		Lifecycle:        []providers.Status{providers.StatusInProgress, providers.StatusCompleted},
		PageSizeParam:    "limit",
		NoCompletionTime: true,
		Supports:         []providertest.Feature{providertest.Metadata, providertest.PartialResults},
	})
}

// chatLines renders reqs as OpenAI batch lines of one user message each.
func chatLines(t *testing.T, reqs []providertest.Request) []byte {
	t.Helper()
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(map[string]any{
			"custom_id": r.ID, "method": "POST", "url": "/v1/chat/completions",
			"body": map[string]any{"model": chatModel, "messages": []map[string]string{{"role": "user", "content": r.Prompt}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
