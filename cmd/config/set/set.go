// Package set implements `batchctl config set`.
package set

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/config/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// Options are the inputs of `batchctl config set`.
type Options struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string

	Key   string
	Value string
}

// NewCmdSet builds the command; runF replaces the run function in tests.
func NewCmdSet(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "set <key> <value>",
		Short: "Change a setting in config.yaml",
		Long: heredoc.Doc(`
			Write one setting into config.yaml, creating the file (0600, in a 0700
			directory) if there is none. Other settings and comments in the file are
			kept; the layout is normalized to two-space indentation.

			The value is checked the way batchctl checks the file when it reads it:
			durations (30s, 5m), sizes (200MB, 1GiB), whole numbers, URLs, profile types
			(openai, anthropic, gemini, mistral, openrouter, xai) and auth styles (bearer, api-key). A provider
			profile that batchctl does not know yet needs its base_url first.

			API keys cannot be set: batchctl never writes a key to a file. Keep the key
			in an environment variable and set providers.<name>.api_key_env to its name.

			EXIT STATUS
			  0  written
			  1  the file cannot be read or written
			  2  unknown key or invalid value; nothing was written
		`),
		Example: heredoc.Doc(`
			$ batchctl config set default_model openai/gpt-4o-mini
			$ batchctl config set poll_interval 30s

			# an OpenAI-compatible service as a provider profile
			$ batchctl config set providers.together.base_url https://api.together.xyz/v1
			$ batchctl config set providers.together.api_key_env TOGETHER_API_KEY
			$ batchctl config set providers.together.max_requests 10000
		`),
		Args:              cmdutil.ExactArgs(2, "want a key and a value: batchctl config set <key> <value>"),
		ValidArgsFunction: completeArgs(shared.CompleteKeys(f, true)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return setRun(opts)
		},
	}
	return cmd
}

// completeArgs completes the key with keys, then the value of the keys
// that take one of a few words.
func completeArgs(keys cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) != 1 {
			return keys(cmd, args, toComplete)
		}
		var words []string
		if k, err := config.ParseKey(args[0]); err == nil {
			switch k.Field {
			case "type":
				words = config.ProfileTypes()
			case "auth_header":
				words = config.AuthStyles()
			}
		}
		var out []string
		for _, w := range words {
			if strings.HasPrefix(w, toComplete) {
				out = append(out, w)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func setRun(opts *Options) error {
	path, err := config.FilePath(opts.Getenv)
	if err != nil {
		return err
	}
	if err := config.Set(path, opts.Key, opts.Value, opts.Getenv); err != nil {
		var refused *config.SettingError
		if errors.As(err, &refused) {
			return &cmdutil.UsageError{Err: refused.Err, Hint: refused.Hint}
		}
		return err
	}
	k, _ := config.ParseKey(opts.Key) // Set accepted it
	value := strings.TrimSpace(opts.Value)
	cs := opts.IO.ErrColorScheme()
	if env := "BATCHCTL_" + strings.ToUpper(k.Field); k.Profile == "" && opts.Getenv(env) != "" {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s is set in the environment and overrides this value\n", cs.Warning("note:"), env)
	}
	if k.Field == "api_key_env" && opts.Getenv(value) == "" {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s is not set in this environment\n", cs.Warning("note:"), value)
	}
	if opts.IO.IsStderrTTY() {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s = %s in %s\n", cs.Success("✓"), opts.Key, value, path)
	}
	return nil
}
