// Package root wires every command under `batchctl` and maps the error a
// command returns to the process exit code.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	cancelcmd "github.com/batchctl/batchctl/cmd/cancel"
	completioncmd "github.com/batchctl/batchctl/cmd/completion"
	configcmd "github.com/batchctl/batchctl/cmd/config"
	costcmd "github.com/batchctl/batchctl/cmd/cost"
	createcmd "github.com/batchctl/batchctl/cmd/create"
	emulatorcmd "github.com/batchctl/batchctl/cmd/emulator"
	forgetcmd "github.com/batchctl/batchctl/cmd/forget"
	listcmd "github.com/batchctl/batchctl/cmd/list"
	pricescmd "github.com/batchctl/batchctl/cmd/prices"
	providerscmd "github.com/batchctl/batchctl/cmd/providers"
	prunecmd "github.com/batchctl/batchctl/cmd/prune"
	queuecmd "github.com/batchctl/batchctl/cmd/queue"
	registrycmd "github.com/batchctl/batchctl/cmd/registry"
	resultscmd "github.com/batchctl/batchctl/cmd/results"
	retrycmd "github.com/batchctl/batchctl/cmd/retry"
	statuscmd "github.com/batchctl/batchctl/cmd/status"
	synccmd "github.com/batchctl/batchctl/cmd/sync"
	versioncmd "github.com/batchctl/batchctl/cmd/version"
	waitcmd "github.com/batchctl/batchctl/cmd/wait"
	"github.com/batchctl/batchctl/internal/build"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/cmdutil/factory"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// Main runs batchctl with the process's arguments and environment and
// returns the exit code. Ctrl-C and SIGTERM cancel the context: waits stop,
// remote batches keep running.
func Main() cmdutil.ExitCode {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f, closeAll := factory.New(ctx, build.String(), os.Getenv)
	defer closeAll()
	cmd := NewCmdRoot(f)
	cmd.SetArgs(os.Args[1:])
	return Execute(ctx, cmd, f.IOStreams)
}

// Execute runs cmd and turns its error into a message on stderr and an exit code.
func Execute(ctx context.Context, cmd *cobra.Command, ios *iostreams.IOStreams) cmdutil.ExitCode {
	c, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	if word, ok := cobraUnknownCommand(err); ok {
		err = cmdutil.UnknownCommand(c, word)
	}
	code := ExitCodeOf(ctx, err)
	var silent *cmdutil.SilentError
	if errors.As(err, &silent) {
		return code
	}
	cs := ios.ErrColorScheme()
	if code == cmdutil.ExitInterrupted {
		fmt.Fprintln(ios.ErrOut, "interrupted")
		return code
	}
	if code == cmdutil.ExitPartial {
		var pe *cmdutil.PartialError
		if errors.As(err, &pe) && pe.TerminalOnly && !ios.IsStderrTTY() {
			return code
		}
		fmt.Fprintln(ios.ErrOut, cs.Warning(err.Error())) // a summary, not a failure of batchctl
		return code
	}
	var invalid *jsonl.ValidationError
	if errors.As(err, &invalid) && invalid.Total > 1 {
		fmt.Fprintf(ios.ErrOut, "%s %d problems in the input; nothing was sent\n%s\n", cs.Failure("error:"), invalid.Total, invalid)
		return code
	}
	fmt.Fprintln(ios.ErrOut, cs.Failure("error:")+" "+err.Error())
	if hint := hintFor(err); hint != "" {
		for _, l := range strings.Split(hint, "\n") {
			fmt.Fprintln(ios.ErrOut, "hint: "+l)
		}
	}
	var fe *cmdutil.FlagError
	if errors.As(err, &fe) {
		fmt.Fprintf(ios.ErrOut, "run '%s --help' for usage\n", c.CommandPath())
	}
	return code
}

// cobraUnknown matches the error cobra gives for a word that is not a
// command of the root, before it parses any flag (so that the flags of a
// mistyped command are not the complaint): unknown command "x" for
// "batchctl", then its suggestions over several lines. (The groups of
// commands, such as config, refuse a mistyped subcommand themselves: see
// cmdutil.GroupSubcommands.)
var cobraUnknown = regexp.MustCompile(`^unknown command ("(?:[^"\\]|\\.)*") for "`)

// cobraUnknownCommand returns the word of cobra's unknown command error.
func cobraUnknownCommand(err error) (string, bool) {
	m := cobraUnknown.FindStringSubmatch(err.Error())
	if m == nil {
		return "", false
	}
	word, uerr := strconv.Unquote(m[1])
	return word, uerr == nil
}

// ExitCodeOf classifies an error (DESIGN.md section 8).
func ExitCodeOf(ctx context.Context, err error) cmdutil.ExitCode {
	var (
		silent    *cmdutil.SilentError
		flag      *cmdutil.FlagError
		usage     *cmdutil.UsageError
		invalid   *jsonl.ValidationError
		partial   *cmdutil.PartialError
		timeout   *cmdutil.TimeoutError
		notFound  *jobs.NotFoundError
		ambiguous *store.AmbiguousError
	)
	switch {
	case errors.As(err, &silent):
		return silent.Code
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return cmdutil.ExitInterrupted
	case errors.As(err, &flag), errors.As(err, &usage), errors.As(err, &invalid), errors.As(err, &notFound), errors.As(err, &ambiguous):
		return cmdutil.ExitUsage
	case cmdutil.IsAuth(err):
		return cmdutil.ExitAuth
	case errors.As(err, &partial):
		return cmdutil.ExitPartial
	case errors.As(err, &timeout):
		return cmdutil.ExitTimeout
	}
	return cmdutil.ExitError
}

func hintFor(err error) string {
	if h := cmdutil.Hint(err); h != "" {
		return h
	}
	var nokey *providers.MissingKeyError
	if errors.As(err, &nokey) && nokey.Env != "" {
		return fmt.Sprintf("export %s=... or set api_key_env for this provider in config.yaml", nokey.Env)
	}
	var httpErr *providers.HTTPError
	if errors.As(err, &httpErr) && httpErr.IsAuth() {
		return "check the API key of this provider; batchctl never prints it"
	}
	var nf *jobs.NotFinishedError
	if errors.As(err, &nf) {
		return "wait for it with: batchctl wait " + nf.Job
	}
	return ""
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batchctl <command> [flags]",
		Short: "Submit, track and collect LLM batch jobs",
		Long: heredoc.Doc(`
			batchctl submits large sets of LLM requests to the providers' asynchronous
			batch APIs (OpenAI, Anthropic, Gemini, Mistral, OpenRouter, xAI, OpenAI-compatible services,
			and the built-in emulator, which speaks all their protocols), tracks them in a local
			registry and streams normalized results as JSON lines.

			Data goes to standard output; progress, notes and errors go to standard error.
		`),
		Example: heredoc.Doc(`
			$ batchctl create -f reqs.jsonl --model openai/gpt-4o-mini
			j7k2m9
			$ batchctl wait j7k2m9 && batchctl results j7k2m9 | jq -r .text
			$ batchctl create -f reqs.jsonl --model emulator/echo --wait   # no key, no network
		`),
		Version:       f.AppVersion,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	cmd.SetVersionTemplate("batchctl {{.Version}}\n")
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cmdutil.FlagError{Err: err}
	})
	cmd.CompletionOptions.DisableDefaultCmd = true // `batchctl completion` replaces cobra's

	cmd.AddCommand(
		createcmd.NewCmdCreate(f, nil),
		createcmd.NewCmdEstimate(f, nil),
		pricescmd.NewCmdPrices(f, nil),
		costcmd.NewCmdCost(f, nil),
		statuscmd.NewCmdStatus(f, nil),
		waitcmd.NewCmdWait(f, nil),
		listcmd.NewCmdList(f, nil),
		cancelcmd.NewCmdCancel(f, nil),
		resultscmd.NewCmdResults(f, nil),
		retrycmd.NewCmdRetry(f, nil),
		synccmd.NewCmdSync(f, nil),
		queuecmd.NewCmdQueue(f, nil),
		forgetcmd.NewCmdForget(f, nil),
		prunecmd.NewCmdPrune(f, nil),
		emulatorcmd.NewCmdEmulator(f),
		configcmd.NewCmdConfig(f),
		registrycmd.NewCmdRegistry(f),
		providerscmd.NewCmdProviders(f, nil),
		versioncmd.NewCmdVersion(f, nil),
		completioncmd.NewCmdCompletion(f, nil),
		newExitCodesTopic(),
	)
	cmd.SetHelpCommand(newHelpCmd())
	return cmd
}

// newHelpCmd is cobra's help command, except that an unknown topic is a
// usage error (exit 2) with a suggestion, not the root's usage and exit 0.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help provides help for any command or topic (batchctl help exit-codes).",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			cmd, _, _ := c.Root().Find(args)
			for _, sub := range cmd.Commands() {
				if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if cmd == nil || err != nil || len(rest) > 0 && cmd.HasSubCommands() {
				topic := strings.Join(args, " ")
				ue := &cmdutil.UsageError{Err: fmt.Errorf("unknown help topic %q", topic), Hint: "batchctl help lists the commands and topics"}
				parent, typo := c.Root(), args[0]
				if cmd != nil && err == nil { // a subcommand of cmd was mistyped
					parent, typo = cmd, rest[0]
				}
				if near := cmdutil.NearestCommand(parent, typo); near != "" {
					ue.Hint = "did you mean: batchctl help " + strings.TrimSpace(strings.TrimPrefix(parent.CommandPath(), "batchctl")+" "+near)
				}
				return ue
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// ExitCodesHelp documents every exit code; it is the text of
// `batchctl help exit-codes` and its meanings never change.
const ExitCodesHelp = `batchctl exits with one of these codes:

  0    success
  1    error (network, provider, internal)
  2    usage error or invalid input (nothing was sent)
  3    finished, but some requests did not succeed
       (or the job failed, expired or was cancelled)
  4    authentication: missing or rejected API key
  124  wait --timeout elapsed; the job is still running
  130  interrupted (Ctrl-C or SIGTERM); remote batches keep running`

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "Exit codes and what they mean",
		Long:  ExitCodesHelp,
	}
}
