package anthropic_test

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

const messagesModel = "claude-sonnet-4-5"

// TestConformance runs the provider conformance suite. Message batches
// carry no metadata, so that check is skipped.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return anthropic.New(anthropic.Config{Name: "anthropic", BaseURL: baseURL, APIKey: key, APIKeyEnv: "ANTHROPIC_API_KEY"})
		},
		Lines:    func(reqs []providertest.Request) []byte { return messageLines(t, reqs) },
		Endpoint: "/v1/messages",
		Model:    messagesModel,
		// A message batch is in progress from its creation to its end.
		Lifecycle:     []providers.Status{providers.StatusInProgress, providers.StatusCompleted},
		PageSizeParam: "limit",
		Supports:      []providertest.Feature{providertest.PartialResults},
	})
}

// messageLines renders reqs as batch input lines of one user message each.
func messageLines(t *testing.T, reqs []providertest.Request) []byte {
	t.Helper()
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type params struct {
		Model     string    `json:"model"`
		MaxTokens int       `json:"max_tokens"`
		Messages  []message `json:"messages"`
	}
	type line struct {
		CustomID string `json:"custom_id"`
		Params   params `json:"params"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(line{r.ID, params{messagesModel, 256, []message{{"user", r.Prompt}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
