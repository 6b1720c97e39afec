// Package completion implements `batchctl completion`.
package completion

import (
	"context"
	"io"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// Options are the inputs of `batchctl completion`.
type Options struct {
	IO *iostreams.IOStreams
	// Root is the command tree to complete.
	Root  *cobra.Command
	Shell string
}

// shells maps each supported shell to its script generator.
func shells() map[string]func(root *cobra.Command, w io.Writer) error {
	return map[string]func(*cobra.Command, io.Writer) error{
		"bash":       func(root *cobra.Command, w io.Writer) error { return root.GenBashCompletionV2(w, true) },
		"zsh":        (*cobra.Command).GenZshCompletion,
		"fish":       func(root *cobra.Command, w io.Writer) error { return root.GenFishCompletion(w, true) },
		"powershell": (*cobra.Command).GenPowerShellCompletionWithDesc,
	}
}

// NewCmdCompletion builds the command; runF replaces the run function in tests.
func NewCmdCompletion(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "completion {bash | zsh | fish | powershell}",
		Short: "Print a shell completion script",
		Long: heredoc.Doc(`
			Print the completion script for a shell. Completion covers commands, flags,
			job ids and names from the local registry, provider names, model specs,
			result statuses, input files (*.jsonl) and config keys.

			Release archives carry these scripts in completions/; to load them yourself:

			bash (needs the bash-completion package):
			  batchctl completion bash > ~/.local/share/bash-completion/completions/batchctl

			zsh (the directory must be on $fpath, before compinit runs):
			  batchctl completion zsh > "${fpath[1]}/_batchctl"

			fish:
			  batchctl completion fish > ~/.config/fish/completions/batchctl.fish

			PowerShell (add the line to $PROFILE to keep it):
			  batchctl completion powershell | Out-String | Invoke-Expression

			Start a new shell for the completion to take effect.
		`),
		Example: heredoc.Doc(`
			$ source <(batchctl completion bash)
			$ batchctl completion zsh > ~/.zsh/completions/_batchctl
		`),
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cmdutil.ExactArgs(1, "which shell? batchctl completion {bash | zsh | fish | powershell}"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, ok := shells()[args[0]]; !ok {
				return cmdutil.FlagErrorf("unsupported shell %q (want bash, zsh, fish or powershell)", args[0])
			}
			opts.Shell, opts.Root = args[0], cmd.Root()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return completionRun(opts)
		},
	}
	return cmd
}

func completionRun(opts *Options) error {
	return shells()[opts.Shell](opts.Root, opts.IO.Out)
}
