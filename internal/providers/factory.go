package providers

import (
	"context"
	"fmt"
	"net/http"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
)

// Factory makes the providers of one profile type. Each provider package
// exports one; the list of them is internal/providers/all.
type Factory struct {
	// Type is the profile type it serves (config.TypeOpenAI, ...).
	Type string
	// Target is the wire format its batches' input is converted to.
	Target jsonl.Target
	// Direct is set when its providers have synchronous endpoints
	// (providers.Caller), so they can run direct jobs.
	Direct bool
	// Check finds what is wrong with a profile of the type before anything
	// is recorded or sent. Its errors are the user's to fix.
	Check func(cfg *config.Config, prof *config.Profile) error
	// CheckParts, when set, finds what the provider refuses in a planned
	// job of model with these request counts per part (a minimum), before
	// anything is recorded or sent.
	CheckParts func(model string, requests []int) error
	// New returns the provider of prof, which Check passed. A provider
	// that holds something to release (a server) is an io.Closer.
	New func(ctx context.Context, prof *config.Profile, env Env) (Provider, error)
}

// Env is what the providers share: the configuration and the one HTTP
// client.
type Env struct {
	Config *config.Config
	HTTP   *http.Client
}

// CheckBaseURL is the Check of the profile types reached at a base URL: it
// finds a missing or malformed one.
func CheckBaseURL(cfg *config.Config, prof *config.Profile) error {
	if prof.BaseURL == "" {
		hint := fmt.Sprintf("set providers.%s.base_url in %s", prof.Name, cfg.File)
		if prof.Name == "azure" {
			hint = "set AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) or " + hint
		}
		return fmt.Errorf("provider %q has no base URL: %s", prof.Name, hint)
	}
	return prof.CheckBaseURL()
}
