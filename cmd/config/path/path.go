// Package path implements `batchctl config path`.
package path

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// Options are the inputs of `batchctl config path`.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
}

// NewCmdPath builds the command; runF replaces the run function in tests.
func NewCmdPath(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv}
	return &cobra.Command{
		Use:   "path",
		Short: "Print the path of the config file",
		Long: heredoc.Doc(`
			Print the path of config.yaml: in BATCHCTL_HOME when it is set, else in
			batchctl's directory under the user config directory ($XDG_CONFIG_HOME or
			~/.config on Linux). The file need not exist; batchctl config set creates it.
		`),
		Example: heredoc.Doc(`
			$ batchctl config path
			/home/me/.config/batchctl/config.yaml
			$ $EDITOR "$(batchctl config path)"
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pathRun(opts)
		},
	}
}

func pathRun(opts *Options) error {
	p, err := config.FilePath(opts.Getenv)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.IO.Out, p)
	return err
}
