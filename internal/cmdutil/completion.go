package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
)

// CompleteJobs completes job ids and names from the registry.
func CompleteJobs(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		m, err := Manager(f)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		ids, err := m.JobIDs(cmd.Context(), toComplete)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		return ids, cobra.ShellCompDirectiveNoFileComp
	}
}

// RegisterProviderCompletion completes a flag with the configured profile names.
func RegisterProviderCompletion(cmd *cobra.Command, f *Factory, flag string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		return cfg.ProfileNames(), cobra.ShellCompDirectiveNoFileComp
	})
}

// RegisterModelCompletion completes a model flag: "provider/" for every
// profile, then the default model when it matches.
func RegisterModelCompletion(cmd *cobra.Command, f *Factory, flag string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []string
		if cfg.DefaultModel != "" && strings.HasPrefix(cfg.DefaultModel, toComplete) {
			out = append(out, cfg.DefaultModel)
		}
		for _, n := range cfg.ProfileNames() {
			if strings.HasPrefix(n+"/", toComplete) || strings.HasPrefix(toComplete, n+"/") {
				out = append(out, n+"/")
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	})
}
