// Package all builds providers from configuration profiles. Registration
// is explicit: each profile type maps to one constructor here.
package all

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/batchctl/batchctl/internal/config"
	emuserver "github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/emulator"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/providers/retry"
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
	prof, err := r.cfg.Profile(name)
	if err != nil {
		return nil, err
	}
	return r.For(ctx, prof)
}

// For returns the provider of prof, which need not be one of the config's
// profiles: a job is reached where it was created (see jobs.Manager). One
// provider is made per profile name and place.
func (r *Registry) For(ctx context.Context, prof *config.Profile) (providers.Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := strings.Join([]string{prof.Name, prof.Type, prof.BaseURL, prof.AuthHeader, prof.APIKeyEnv}, "\x00")
	if p, ok := r.made[key]; ok {
		return p, nil
	}
	if err := Check(r.cfg, prof); err != nil {
		return nil, err
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
		return nil, fmt.Errorf("provider %q: unsupported type %q", prof.Name, prof.Type)
	}
	p = retry.Wrap(p, r.policy)
	r.made[key] = p
	return p, nil
}

// Check finds what is wrong with a profile before anything is recorded or
// sent: a missing or malformed base URL, or, for the embedded emulator,
// faults that do not parse. Its errors are the user's to fix.
func Check(cfg *config.Config, prof *config.Profile) error {
	switch prof.Type {
	case config.TypeOpenAI, config.TypeAnthropic, config.TypeGemini:
	case config.TypeEmulator:
		if _, err := emuserver.ParseFaults(cfg.EmulatorFaults); err != nil {
			return fmt.Errorf("emulator_faults (BATCHCTL_EMULATOR_FAULTS): %w", err)
		}
		if cfg.EmulatorDuration < 0 {
			return fmt.Errorf("emulator_duration (BATCHCTL_EMULATOR_DURATION) must not be negative, got %s", cfg.EmulatorDuration)
		}
		return nil
	default:
		return fmt.Errorf("provider %q: unsupported type %q", prof.Name, prof.Type)
	}
	if prof.BaseURL == "" {
		hint := fmt.Sprintf("set providers.%s.base_url in %s", prof.Name, cfg.File)
		if prof.Name == "azure" {
			hint = "set AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) or " + hint
		}
		return fmt.Errorf("provider %q has no base URL: %s", prof.Name, hint)
	}
	return prof.CheckBaseURL()
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
