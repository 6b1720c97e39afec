// Package all lists the providers batchctl speaks, one factory per profile
// type, and builds providers from configuration profiles with them.
package all

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/bedrock"
	"github.com/batchctl/batchctl/internal/providers/emulator"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/mistral"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/providers/openrouter"
	"github.com/batchctl/batchctl/internal/providers/retry"
	"github.com/batchctl/batchctl/internal/providers/vertex"
	"github.com/batchctl/batchctl/internal/providers/xai"
)

// factories is the only list that names every provider.
var factories = register(
	openai.Factory(),
	anthropic.Factory(),
	gemini.Factory(),
	mistral.Factory(),
	xai.Factory(),
	openrouter.Factory(),
	bedrock.Factory(),
	vertex.Factory(),
	emulator.Factory(),
)

// register indexes fs by profile type. A type listed twice is a
// programming error: it panics.
func register(fs ...providers.Factory) map[string]providers.Factory {
	m := make(map[string]providers.Factory, len(fs))
	for _, f := range fs {
		if _, dup := m[f.Type]; dup {
			panic(fmt.Sprintf("providers/all: profile type %q registered twice", f.Type))
		}
		m[f.Type] = f
	}
	return m
}

// Target is the wire format the batches of a profile type take; that of
// OpenAI for a type no provider serves (Check refuses it).
func Target(typ string) jsonl.Target {
	if f, ok := factories[typ]; ok {
		return f.Target
	}
	return jsonl.TargetOpenAI
}

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
	p, err := factories[prof.Type].New(ctx, prof, providers.Env{Config: r.cfg, HTTP: r.client})
	if err != nil {
		return nil, err
	}
	if c, ok := p.(io.Closer); ok {
		r.closers = append(r.closers, c.Close)
	}
	p = retry.Wrap(p, r.policy)
	r.made[key] = p
	return p, nil
}

// Check finds what is wrong with a profile before anything is recorded or
// sent: a type no provider serves, or what its factory finds (a missing or
// malformed base URL; for the embedded emulator, faults that do not
// parse). Its errors are the user's to fix.
func Check(cfg *config.Config, prof *config.Profile) error {
	f, ok := factories[prof.Type]
	if !ok {
		return fmt.Errorf("provider %q: unsupported type %q", prof.Name, prof.Type)
	}
	if prof.Direct() && !f.Direct {
		return fmt.Errorf("provider %q (type %s) has no synchronous endpoint batchctl can send to: it cannot run direct jobs (--direct, mode: direct)", prof.Name, prof.Type)
	}
	return f.Check(cfg, prof)
}

// CheckParts finds what the provider of prof refuses in a planned job of
// model whose parts hold these numbers of requests.
func CheckParts(prof *config.Profile, model string, requests []int) error {
	f, ok := factories[prof.Type]
	if !ok || f.CheckParts == nil {
		return nil
	}
	return f.CheckParts(model, requests)
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
