// Package cancel implements `batchctl cancel`.
package cancel

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// Options are the inputs of `batchctl cancel`.
type Options struct {
	IO      *iostreams.IOStreams
	Manager func() (*jobs.Manager, error)

	Ref      string
	Provider string
	Exporter *cmdutil.Exporter
}

// NewCmdCancel builds the command; runF replaces the run function in tests.
func NewCmdCancel(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
	}
	cmd := &cobra.Command{
		Use:   "cancel <job>",
		Short: "Cancel every running batch of a job",
		Long: heredoc.Doc(`
			Ask the provider to cancel every batch of a job that has not ended. A cancelled
			batch goes through "cancelling" to "cancelled"; requests that finished before
			keep their results, and the rest are reported as canceled by batchctl results.

			Cancelling a job that has already ended, or is already being cancelled, does
			nothing and is not an error.

			Messages go to standard error; --json prints the job after the request (the
			fields of batchctl status --json) on standard output, --jq filters it.

			A job recorded but not (fully) submitted, say after an interrupted create, has
			parts with no batch. cancel first looks for a batch the interrupted create may
			have made (and cancels it), then marks the rest cancelled locally, so that no
			later sync or create submits them.

			EXIT STATUS
			  0  cancellation requested (or nothing left to cancel)
			  1  network or provider error
			  2  no such job
			  4  missing or rejected API key
		`),
		Example: heredoc.Doc(`
			$ batchctl cancel j7k2m9
			$ batchctl cancel batch_abc123 --provider openai
		`),
		Args:              cmdutil.ExactArgs(1, "a job id is required: batchctl cancel <job>"),
		ValidArgsFunction: cmdutil.CompleteJobs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	shared.AddProviderFlag(cmd, f, &opts.Provider)
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the job", jobs.View{})
	return cmd
}

func cancelRun(ctx context.Context, opts *Options) error {
	m, j, err := shared.LoadJob(ctx, opts.Manager, opts.Ref, opts.Provider, true)
	if err != nil {
		return err
	}
	name := j.ID
	if j.Terminal() {
		fmt.Fprintf(opts.IO.ErrOut, "job %s has already ended (%s); nothing to cancel\n", name, j.Status)
		return exportJob(ctx, opts, m, j)
	}
	if cancelling(j) {
		fmt.Fprintf(opts.IO.ErrOut, "job %s is already cancelling; nothing more to do (batchctl wait %s waits until it has ended)\n", name, name)
		return nil
	}
	n, err := m.Cancel(ctx, j)
	if err != nil {
		return err
	}
	cs := opts.IO.ErrColorScheme()
	if !j.Submitted() {
		fmt.Fprintf(opts.IO.ErrOut, "%s job %s was never submitted: nothing at the provider to cancel; marked it cancelled, so sync will not submit it (batchctl forget %s removes it)\n",
			cs.Success("✓"), cs.Bold(name), name)
		return exportJob(ctx, opts, m, j)
	}
	batches := "1 batch"
	if n != 1 {
		batches = fmt.Sprintf("%d batches", n)
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s cancelling job %s (%s); now %s\n", cs.Success("✓"), cs.Bold(name), batches, j.Status)
	return exportJob(ctx, opts, m, j)
}

// exportJob prints the job with --json or --jq.
func exportJob(ctx context.Context, opts *Options, m *jobs.Manager, j *jobs.Job) error {
	if !opts.Exporter.Enabled() {
		return nil
	}
	return opts.Exporter.Write(ctx, opts.IO, jobs.ViewOf(j, shared.Prices(opts.IO, m)))
}

// cancelling reports whether every part of j that has not ended is being
// cancelled already, so that there is nothing left to ask.
func cancelling(j *jobs.Job) bool {
	any := false
	for _, p := range j.Parts {
		switch s := providers.Status(p.Status); {
		case s == providers.StatusCancelling:
			any = true
		case !s.Terminal():
			return false
		}
	}
	return any
}
