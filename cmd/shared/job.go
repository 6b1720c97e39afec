package shared

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/jobs"
)

// LoadJob finds the job a command argument names (see jobs.Manager.Resolve)
// and, when refresh is set, brings it up to date with the provider.
func LoadJob(ctx context.Context, manager func() (*jobs.Manager, error), ref, provider string, refresh bool) (*jobs.Manager, *jobs.Job, error) {
	m, err := manager()
	if err != nil {
		return nil, nil, err
	}
	j, err := m.Resolve(ctx, ref, provider)
	if err != nil {
		return nil, nil, err
	}
	if refresh {
		if err := m.Refresh(ctx, j); err != nil {
			return nil, nil, err
		}
	}
	return m, j, nil
}

// AddProviderFlag adds --provider, naming the provider of a batch id that
// is not in the registry.
func AddProviderFlag(cmd *cobra.Command, f *cmdutil.Factory, p *string) {
	cmd.Flags().StringVarP(p, "provider", "p", "", "provider of a batch id that is not in the registry")
	cmdutil.RegisterProviderCompletion(cmd, f, "provider")
}
