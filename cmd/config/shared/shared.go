// Package shared holds what the config subcommands have in common.
package shared

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
)

// CompleteKeys completes the first argument with the configuration keys,
// for every profile there is; settable leaves out the read-only api_key.
func CompleteKeys(f *cmdutil.Factory, settable bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cfg, err := f.Config()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var keys []string
		for _, s := range cfg.Settings() {
			if settable && strings.HasSuffix(s.Key, ".api_key") {
				continue
			}
			if strings.HasPrefix(s.Key, toComplete) {
				keys = append(keys, s.Key)
			}
		}
		return keys, cobra.ShellCompDirectiveNoFileComp
	}
}
