package openrouter_test

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator/openrouter"
	"github.com/batchctl/batchctl/internal/providers"
	openrouterp "github.com/batchctl/batchctl/internal/providers/openrouter"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

// model is an OpenRouter model slug: it has a slash of its own.
const model = "openai/gpt-4o-mini"

// TestConformance runs the provider conformance suite. OpenRouter batches
// carry no metadata, and one that ended otherwise than completed has no
// results, so those checks are skipped.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return openrouterp.New(openrouterp.Config{Name: "openrouter", BaseURL: baseURL + openrouter.Prefix, APIKey: key, APIKeyEnv: "OPENROUTER_API_KEY"})
		},
		Lines:         func(reqs []providertest.Request) []byte { return requestLines(t, reqs) },
		Endpoint:      "/v1/chat/completions",
		Model:         model,
		Lifecycle:     []providers.Status{providers.StatusValidating, providers.StatusInProgress, providers.StatusFinalizing, providers.StatusCompleted},
		PageSizeParam: "limit",
	})
}

// requestLines renders reqs as OpenRouter request items of one user
// message each.
func requestLines(t *testing.T, reqs []providertest.Request) []byte {
	t.Helper()
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type body struct {
		Model    string    `json:"model"`
		Messages []message `json:"messages"`
	}
	type line struct {
		CustomID string `json:"custom_id"`
		Body     body   `json:"body"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(line{r.ID, body{model, []message{{"user", r.Prompt}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
