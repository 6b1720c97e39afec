// Package get implements `batchctl config get`.
package get

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/config/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// Options are the inputs of `batchctl config get`.
type Options struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)

	Key string
}

// NewCmdGet builds the command; runF replaces the run function in tests.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config}
	cmd := &cobra.Command{
		Use:   "get <key>",
		Short: "Print the value of a setting",
		Long: heredoc.Doc(`
			Print the effective value of one setting: from the environment, config.yaml
			or the built-in default, in that order. Durations print as 30s, 5m or 1h30m,
			sizes in the largest exact unit (200MB), as config.yaml may write them.

			An API key is never printed: providers.<name>.api_key prints "(set)" or
			"(not set, $VAR)" with the variable batchctl reads it from.

			EXIT STATUS
			  0  printed
			  1  the config file cannot be read
			  2  unknown key or provider
		`),
		Example: heredoc.Doc(`
			$ batchctl config get poll_interval
			10s
			$ batchctl config get providers.openai.api_key
			(not set, $OPENAI_API_KEY)
		`),
		Args:              cmdutil.ExactArgs(1, "which key? batchctl config get <key> (batchctl config list shows them all)"),
		ValidArgsFunction: shared.CompleteKeys(f, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return getRun(opts)
		},
	}
	return cmd
}

func getRun(opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	v, err := cfg.Get(opts.Key)
	if err != nil {
		return &cmdutil.UsageError{Err: err, Hint: "run 'batchctl config list' to see every key"}
	}
	_, err = fmt.Fprintln(opts.IO.Out, v)
	return err
}
