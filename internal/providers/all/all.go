// Package all builds providers from configuration profiles. Registration
// is explicit: each profile type maps to one constructor here.
package all

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/emulator"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/retry"
)

// Registry hands out one provider per profile name, built on first use,
// with the retry policy applied to the calls that are safe to repeat.
type Registry struct {
	cfg    *config.Config
	client *http.Client
	policy retry.Policy

	mu      sync.Mutex
	made    map[string]providers.Provider
	closers []func() error
}

// New returns a registry over cfg's profiles sharing one HTTP client.
func New(cfg *config.Config, client *http.Client, policy retry.Policy) *Registry {
	return &Registry{cfg: cfg, client: client, policy: policy, made: map[string]providers.Provider{}}
}

// Get returns the provider of the named profile.
func (r *Registry) Get(ctx context.Context, name string) (providers.Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.made[name]; ok {
		return p, nil
	}
	prof, err := r.cfg.Profile(name)
	if err != nil {
		return nil, err
	}
	if prof.Type != config.TypeEmulator && prof.BaseURL == "" {
		hint := fmt.Sprintf("set providers.%s.base_url in %s", name, r.cfg.File)
		if name == "azure" {
			hint = "set AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) or " + hint
		}
		return nil, fmt.Errorf("provider %q has no base URL: %s", name, hint)
	}
	var p providers.Provider
	switch prof.Type {
	case config.TypeOpenAI:
		p = openai.New(openai.Config{
			Name:       prof.Name,
			BaseURL:    prof.BaseURL,
			APIKey:     prof.APIKey,
			APIKeyEnv:  prof.APIKeyEnv,
			AuthHeader: prof.AuthHeader,
			Headers:    prof.Headers,
			HTTPClient: r.client,
		})
	case config.TypeAnthropic:
		p = anthropic.New(anthropic.Config{
			Name:       prof.Name,
			BaseURL:    prof.BaseURL,
			APIKey:     prof.APIKey,
			APIKeyEnv:  prof.APIKeyEnv,
			Beta:       prof.Beta,
			HTTPClient: r.client,
		})
	case config.TypeGemini:
		p = gemini.New(gemini.Config{
			Name:       prof.Name,
			BaseURL:    prof.BaseURL,
			APIKey:     prof.APIKey,
			APIKeyEnv:  prof.APIKeyEnv,
			HTTPClient: r.client,
		})
	case config.TypeEmulator:
		emu, err := emulator.Start(ctx, emulator.Options{
			Name:     prof.Name,
			Dir:      r.cfg.EmulatorDir(),
			Duration: r.cfg.EmulatorDuration,
			Faults:   r.cfg.EmulatorFaults,
			Client:   r.client,
		})
		if err != nil {
			return nil, fmt.Errorf("starting the embedded emulator: %w", err)
		}
		r.closers = append(r.closers, emu.Close)
		p = emu
	default:
		return nil, fmt.Errorf("provider %q: unsupported type %q", name, prof.Type)
	}
	p = retry.Wrap(p, r.policy)
	r.made[name] = p
	return p, nil
}

// Close releases what the providers hold (the embedded emulator's server).
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, c := range r.closers {
		errs = append(errs, c())
	}
	r.closers = nil
	return errors.Join(errs...)
}
