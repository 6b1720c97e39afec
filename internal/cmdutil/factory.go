package cmdutil

import (
	"net/http"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// Factory carries every dependency a command may need. Fields that can
// fail or cost something to build are functions, so a command pays only for
// what it uses; tests build a Factory literal with fakes.
type Factory struct {
	AppVersion string
	IOStreams  *iostreams.IOStreams
	Getenv     func(string) string
	Now        func() time.Time

	Config     func() (*config.Config, error)
	HttpClient func() (*http.Client, error)
	Registry   func() (jobs.Registry, error)
	// Provider returns the provider of a profile name ("openai", "emulator", ...).
	Provider func(name string) (providers.Provider, error)
	// ProviderFor returns the provider of a profile that need not be in the
	// config (a job's, as recorded when it was created).
	ProviderFor func(p *config.Profile) (providers.Provider, error)
}
