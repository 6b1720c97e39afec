package vertex_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	vertexemu "github.com/batchctl/batchctl/internal/emulator/vertex"
	"github.com/batchctl/batchctl/internal/gcpcfg"
	"github.com/batchctl/batchctl/internal/objstore"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/providertest"
	"github.com/batchctl/batchctl/internal/providers/vertex"
)

const model = "gemini-2.5-flash"

// serviceAccount fetches the emulator's key file and makes its token
// source, as FindDefaultCredentials does for GOOGLE_APPLICATION_CREDENTIALS:
// tokens come from the emulator's token endpoint, for a JWT signed with
// the key (golang.org/x/oauth2/jwt).
func serviceAccount(t *testing.T, root string) oauth2.TokenSource {
	t.Helper()
	resp, err := http.Get(root + vertexemu.CredentialsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := google.CredentialsFromJSON(context.Background(), raw, gcpcfg.Scope)
	if err != nil {
		t.Fatal(err)
	}
	return creds.TokenSource
}

// newClient is a vertex provider on the emulator at root: with the
// emulator's service account for the suite's good key, a token the
// emulator never issued for any other, no credentials for "".
func newClient(t *testing.T, root, key string) *vertex.Client {
	var ts oauth2.TokenSource
	switch key {
	case providertest.APIKey:
		ts = serviceAccount(t, root)
	case "":
	default:
		ts = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: key})
	}
	return vertex.New(vertex.Config{
		Name: "vertex", Project: vertexemu.Project, Location: "us-central1",
		BaseURL: root + vertexemu.Prefix, StorageEndpoint: root, Tokens: ts,
		Bucket: objstore.URL{Scheme: objstore.SchemeGCS, Bucket: "conformance", Key: "jobs"},
	})
}

// TestConformance runs the provider conformance suite. Display names
// carry batchctl's job and part, so metadata comes back; a cancelled or
// expired job keeps the predictions of the requests that ran.
func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return newClient(t, baseURL, key)
		},
		Lines:         func(reqs []providertest.Request) []byte { return lines(t, reqs) },
		Endpoint:      gemini.EndpointGenerate,
		Model:         model,
		Lifecycle:     []providers.Status{providers.StatusValidating, providers.StatusInProgress, providers.StatusCompleted},
		PageSizeParam: "pageSize",
		Supports:      []providertest.Feature{providertest.Metadata, providertest.PartialResults},
	})
}

// lines renders reqs as Gemini batch file lines of one user content each.
func lines(t *testing.T, reqs []providertest.Request) []byte {
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

// TestConformanceClaude runs the suite with a Claude model: lines in
// Anthropic's shape ({"custom_id","request"} with anthropic_version),
// run by the emulator's Anthropic record execution, results normalized
// as Anthropic messages.
func TestConformanceClaude(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(t *testing.T, baseURL, key string) providers.Provider {
			return newClient(t, baseURL, key)
		},
		Lines:         func(reqs []providertest.Request) []byte { return claudeLines(t, reqs) },
		Endpoint:      gemini.EndpointGenerate,
		Model:         "claude-sonnet-4@20250514",
		Lifecycle:     []providers.Status{providers.StatusValidating, providers.StatusInProgress, providers.StatusCompleted},
		PageSizeParam: "pageSize",
		Supports:      []providertest.Feature{providertest.Metadata, providertest.PartialResults},
	})
}

// claudeLines renders reqs as Vertex AI Claude lines of one user message
// each.
func claudeLines(t *testing.T, reqs []providertest.Request) []byte {
	t.Helper()
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type request struct {
		AnthropicVersion string    `json:"anthropic_version"`
		MaxTokens        int       `json:"max_tokens"`
		Messages         []message `json:"messages"`
	}
	type line struct {
		CustomID string  `json:"custom_id"`
		Request  request `json:"request"`
	}
	var out []byte
	for _, r := range reqs {
		b, err := json.Marshal(line{r.ID, request{"vertex-2023-10-16", 64, []message{{"user", r.Prompt}}}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, b...), '\n')
	}
	return out
}
