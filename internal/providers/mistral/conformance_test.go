package mistral_test

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/emulator/mistral"
	"github.com/batchctl/batchctl/internal/providers"
	mistralp "github.com/batchctl/batchctl/internal/providers/mistral"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

const (
	chatEndpoint = "/v1/chat/completions"
	chatModel    = "mistral-small-latest"
)

// TestConformance runs the provider conformance suite. A Mistral job goes
// from QUEUED to RUNNING to SUCCESS: there is no finalizing status.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return mistralp.New(mistralp.Config{Name: "mistral", BaseURL: baseURL + mistral.PathPrefix, APIKey: key, APIKeyEnv: "MISTRAL_API_KEY"})
		},
		Lines:    func(reqs []providertest.Request) []byte { return chatLines(t, reqs) },
		Endpoint: chatEndpoint,
		Model:    chatModel,
		Lifecycle: []providers.Status{
			providers.StatusValidating, providers.StatusInProgress, providers.StatusCompleted,
		},
		PageSizeParam: "page_size",
		Supports:      []providertest.Feature{providertest.Metadata, providertest.PartialResults},
	})
}

// chatLines renders reqs as Mistral batch lines of one user message each.
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
		Body     body   `json:"body"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(line{r.ID, body{chatModel, []message{{"user", r.Prompt}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
