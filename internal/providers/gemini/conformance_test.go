package gemini_test

import (
	"encoding/json"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/providertest"
)

const generateModel = "gemini-2.5-flash"

// TestConformance runs the provider conformance suite with the requests
// sent inline and with them uploaded as a file. A batch that expired or
// was cancelled has no results.
func TestConformance(t *testing.T) {
	tests := []struct {
		name        string
		inlineLimit int64
	}{
		{"inline", 0},
		{"file", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			providertest.Run(t, providertest.Harness{
				New: func(t *testing.T, baseURL, key string) providers.Provider {
					return gemini.New(gemini.Config{Name: "gemini", BaseURL: baseURL, APIKey: key, APIKeyEnv: "GEMINI_API_KEY", InlineLimit: tt.inlineLimit})
				},
				Lines:    func(reqs []providertest.Request) []byte { return generateLines(t, reqs) },
				Endpoint: gemini.EndpointGenerate,
				Model:    generateModel,
				// Gemini has no finalizing state.
				Lifecycle:     []providers.Status{providers.StatusValidating, providers.StatusInProgress, providers.StatusCompleted},
				PageSizeParam: "pageSize",
				Supports:      []providertest.Feature{providertest.Metadata},
			})
		})
	}
}

// generateLines renders reqs as batch input lines of one user content each.
func generateLines(t *testing.T, reqs []providertest.Request) []byte {
	t.Helper()
	type part struct {
		Text string `json:"text"`
	}
	type content struct {
		Role  string `json:"role"`
		Parts []part `json:"parts"`
	}
	type request struct {
		Contents []content `json:"contents"`
	}
	type line struct {
		Key     string  `json:"key"`
		Request request `json:"request"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(line{r.ID, request{[]content{{"user", []part{{r.Prompt}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
