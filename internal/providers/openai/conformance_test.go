package openai_test

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

const (
	chatEndpoint = "/v1/chat/completions"
	chatModel    = "gpt-4o-mini"
)

// TestConformance runs the provider conformance suite; OpenAI has every
// optional behaviour.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return openai.New(openai.Config{Name: "openai", BaseURL: baseURL + "/v1", APIKey: key, APIKeyEnv: "OPENAI_API_KEY"})
		},
		Lines:    func(reqs []providertest.Request) []byte { return chatLines(t, reqs) },
		Endpoint: chatEndpoint,
		Model:    chatModel,
		Lifecycle: []providers.Status{
			providers.StatusValidating, providers.StatusInProgress, providers.StatusFinalizing, providers.StatusCompleted,
		},
		PageSizeParam: "limit",
		Supports:      []providertest.Feature{providertest.Metadata, providertest.PartialResults},
	})
}

// chatLines renders reqs as batch input lines of one user message each.
func chatLines(t *testing.T, reqs []providertest.Request) []byte {
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
		Method   string `json:"method"`
		URL      string `json:"url"`
		Body     body   `json:"body"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(line{r.ID, "POST", chatEndpoint, body{chatModel, []message{{"user", r.Prompt}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
