// Package forget implements `batchctl forget`.
package forget

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
)

// Options are the inputs of `batchctl forget`.
type Options struct {
	IO      *iostreams.IOStreams
	Manager func() (*jobs.Manager, error)

	Refs   []string
	Force  bool
	Remote bool
}

// NewCmdForget builds the command; runF replaces the run function in tests.
func NewCmdForget(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) }}
	cmd := &cobra.Command{
		Use:   "forget <job>...",
		Short: "Remove jobs from the local registry",
		Long: heredoc.Doc(`
			Remove jobs from the local registry and delete their local files (the kept
			input copy and downloaded results). Only local state is touched: the provider's
			batches and files stay as they are.

			With --remote, what batchctl wrote for the jobs in your own storage is deleted
			too: for a bedrock or vertex profile, every object under the job's folder of
			its bucket (<bucket>/batchctl/<job>/: the uploaded input and the output Bedrock
			or Vertex AI wrote).
			Each deleted object is named on stderr. Providers that keep batches in their
			own storage have nothing to delete this way.

			A job that has not ended is kept unless --force: forgetting it means batchctl
			no longer tracks a batch you are paying for. A job none of whose parts has a
			batch (status unsubmitted) has nothing at the provider and is forgotten without
			--force.

			EXIT STATUS
			  0  forgotten
			  1  registry error
			  2  no such job, or a running job without --force
		`),
		Example: heredoc.Doc(`
			$ batchctl forget j7k2m9
			$ batchctl forget --remote j7k2m9
			$ batchctl forget $(batchctl list --status failed | cut -f1)
		`),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf("a job id is required: batchctl forget <job>...")
			}
			return nil
		},
		ValidArgsFunction: cmdutil.CompleteJobs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return forgetRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "forget jobs that have not ended too")
	cmd.Flags().BoolVar(&opts.Remote, "remote", false, "also delete what batchctl wrote for the jobs in your bucket")
	return cmd
}

func forgetRun(ctx context.Context, opts *Options) error {
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	var list []*jobs.Job
	for _, ref := range opts.Refs {
		_, j, err := shared.LoadJob(ctx, func() (*jobs.Manager, error) { return m, nil }, ref, "", false)
		if err != nil {
			return err
		}
		remote, err := m.MayBeAtProvider(ctx, j)
		if err != nil {
			return err
		}
		if !j.Terminal() && remote && !opts.Force {
			return &cmdutil.UsageError{
				Err:  fmt.Errorf("job %s is still %s; forgetting it stops batchctl tracking its batches", j.ID, j.Status),
				Hint: "cancel it first (batchctl cancel " + j.ID + "), or pass --force",
			}
		}
		list = append(list, j)
	}
	for _, j := range list {
		what := "local record and files only; the provider's batches are untouched"
		if opts.Remote {
			n, err := shared.DeleteRemote(ctx, opts.IO, m, j, false)
			if err != nil {
				return err
			}
			what = remoteSummary(n, j.Provider)
		}
		if err := m.Forget(ctx, j.ID); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "forgot job %s (%s)\n", j.ID, what)
	}
	return nil
}

// remoteSummary says what forget --remote deleted of a job: n objects in
// its bucket, or nothing when its provider (n < 0) keeps none there.
func remoteSummary(n int, provider string) string {
	if n < 0 {
		return "local record and files; provider " + provider + " keeps nothing in a bucket of yours"
	}
	return "local record and files, and " + cmdutil.Plural(n, "object") + " in the bucket"
}
