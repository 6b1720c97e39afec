package anthropic

import (
	"context"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
)

// Factory makes the clients of anthropic-type profiles.
func Factory() providers.Factory {
	return providers.Factory{
		Type:   config.TypeAnthropic,
		Target: jsonl.TargetAnthropic,
		Direct: true,
		Check:  providers.CheckBaseURL,
		New: func(_ context.Context, prof *config.Profile, env providers.Env) (providers.Provider, error) {
			return New(Config{
				Name:       prof.Name,
				BaseURL:    prof.BaseURL,
				APIKey:     prof.APIKey,
				APIKeyEnv:  prof.APIKeyEnv,
				Beta:       prof.Beta,
				HTTPClient: env.HTTP,
			}), nil
		},
	}
}
