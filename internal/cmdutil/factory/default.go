// Package factory assembles the production Factory.
package factory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/pgurl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/all"
	"github.com/batchctl/batchctl/internal/store/postgres"
	"github.com/batchctl/batchctl/internal/store/sqlite"
)

// New builds the Factory for one run of the CLI. The returned close
// function releases what the run opened (registry, embedded emulator).
func New(ctx context.Context, version string, getenv func(string) string) (*cmdutil.Factory, func() error) {
	ios := iostreams.System(getenv)
	f := &cmdutil.Factory{
		AppVersion: version,
		IOStreams:  ios,
		Getenv:     getenv,
		Now:        time.Now,
	}
	var closers []func() error

	// Config depends on the environment only.
	f.Config = sync.OnceValues(func() (*config.Config, error) {
		cfg, err := config.Load(getenv)
		if err == nil {
			for _, w := range cfg.Warnings {
				fmt.Fprintln(ios.ErrOut, ios.ErrColorScheme().Warning("warning:")+" "+w)
			}
		}
		return cfg, err
	})

	// HttpClient depends on Config (its idle timeout), the IO streams
	// (debug log) and the version.
	f.HttpClient = sync.OnceValues(func() (*http.Client, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		return newHTTPClient(version, getenv("BATCHCTL_DEBUG") == "api", ios, cfg.HTTPIdleTimeout), nil
	})

	// Registry depends on Config.
	f.Registry = sync.OnceValues(func() (jobs.Registry, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		s, closeRegistry, err := OpenRegistry(ctx, cfg.Registry)
		if err != nil {
			return nil, fmt.Errorf("opening the job registry: %w", err)
		}
		closers = append(closers, closeRegistry)
		return s, nil
	})

	// Provider depends on Config and HttpClient; the emulator profile starts
	// its server on first use.
	var registry *all.Registry
	var regErr error
	var regOnce sync.Once
	startRegistry := func() {
		regOnce.Do(func() {
			cfg, err := f.Config()
			if err != nil {
				regErr = err
				return
			}
			client, _ := f.HttpClient()
			registry = all.New(cfg, client, cmdutil.RetryPolicy(cfg, ios))
			closers = append(closers, registry.Close)
		})
	}
	f.Provider = func(name string) (providers.Provider, error) {
		startRegistry()
		if regErr != nil {
			return nil, regErr
		}
		return registry.Get(ctx, name)
	}
	f.ProviderFor = func(p *config.Profile) (providers.Provider, error) {
		startRegistry()
		if regErr != nil {
			return nil, regErr
		}
		return registry.For(ctx, p)
	}

	return f, func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
}

// OpenRegistry opens the registry a registry setting names (see
// config.Config.Registry): a PostgreSQL database for a postgres:// URL,
// else the SQLite database at that path. The function it returns closes it.
func OpenRegistry(ctx context.Context, registry string) (jobs.Registry, func() error, error) {
	if pgurl.Is(registry) {
		s, err := postgres.Open(ctx, registry)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	}
	s, err := sqlite.Open(ctx, registry)
	if err != nil {
		return nil, nil, err
	}
	return s, s.Close, nil
}
