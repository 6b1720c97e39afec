// Package wait implements `batchctl wait`.
package wait

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/prices"
)

// Options are the inputs of `batchctl wait`.
type Options struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Manager func() (*jobs.Manager, error)

	Refs        []string
	Provider    string
	Interval    time.Duration
	IntervalSet bool
	Timeout     time.Duration
	Exporter    *cmdutil.Exporter
}

// NewCmdWait builds the command; runF replaces the run function in tests.
func NewCmdWait(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Config:  f.Config,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
	}
	cmd := &cobra.Command{
		Use:   "wait <job>...",
		Short: "Wait until a job has ended",
		Long: heredoc.Doc(`
			Poll jobs until every one of their provider batches has ended. Polling starts
			every second and slows down to --interval (default: poll_interval, 10s).

			Jobs are waited for together. Progress goes to standard error: on a terminal one
			bar per job with its status and the time left at the recent rate (a spinner and
			counts when the provider does not say how many requests a batch has; a single
			job's bar narrows to fit the terminal's width, COLUMNS when set), otherwise
			one line per change. Ctrl-C stops waiting; it never cancels the batch (use
			batchctl cancel).

			A job whose create was interrupted before every part had a batch (status
			unsubmitted) is first finished, as batchctl sync would: batches the create may
			have made are found, not made twice. The parts of a job waiting in the
			submission queue (status queued: its provider's enqueued budget is full) are
			submitted as earlier parts end, as sync does (see batchctl queue); so are the parts
			queued behind a cache primer (create --cache-prime) once it has ended. At the end, an
			Anthropic job with a primer or requests sharing a cacheable prefix reports its
			cache hit rate on standard error (its results are downloaded for it), with a
			warning when nothing was read from the cache.

			A direct job that no process is running (its create was killed or
			interrupted) is run here: only its requests without an outcome are sent. One
			that another process runs is waited for.

			A batch in a status batchctl does not know is shown as unknown (provider says
			"..."): whether it has ended cannot be told, so wait warns once and polls on
			until --timeout. Request counts that cannot be true are shown clamped, with a
			warning.

			--json prints, once waiting is over, a JSON array of the jobs in the order
			given, each with the fields of batchctl status --json (a job that could not
			even be looked up before --timeout is left out); --jq filters the array. The
			exit status is the same as without it.

			EXIT STATUS
			  0    the job completed and every request succeeded
			  1    network or provider error
			  2    no such job
			  3    the job ended, but some requests did not succeed, or it failed,
			       expired or was cancelled
			  4    missing or rejected API key
			  124  --timeout elapsed; the job is still running
			  130  interrupted; the job is still running
		`),
		Example: heredoc.Doc(`
			$ batchctl wait j7k2m9 && batchctl results j7k2m9 | jq -r .text
			$ batchctl wait nightly --timeout 2h --interval 1m
			$ batchctl wait j7k2m9 j8abcd j9efgh      # several jobs: exit 0 only if all went well
		`),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.FlagErrorf("a job id is required: batchctl wait <job>...")
			}
			return nil
		},
		ValidArgsFunction: cmdutil.CompleteJobs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Refs = args
			opts.IntervalSet = cmd.Flags().Changed("interval")
			if opts.IntervalSet && opts.Interval <= 0 {
				return cmdutil.FlagErrorf("--interval must be positive")
			}
			if opts.Timeout < 0 {
				return cmdutil.FlagErrorf("--timeout must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return waitRun(cmd.Context(), opts)
		},
	}
	shared.AddProviderFlag(cmd, f, &opts.Provider)
	cmd.Flags().DurationVar(&opts.Interval, "interval", 0, "longest pause between polls (default: poll_interval)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 0, "give up after this long with exit code 124 (default: no limit)")
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the final state of each job", []jobs.View{})
	return cmd
}

func waitRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	interval := opts.Interval
	if !opts.IntervalSet {
		interval = cfg.PollInterval
	}
	// Jobs are waited for together, one line each on a terminal.
	// --timeout bounds the whole command, looking up a batch made
	// elsewhere included; the jobs not reached by then time out at once.
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	results := make([]error, len(opts.Refs))
	var ws []shared.Waited
	var at []int // the index in results of each job waited for
	for i, ref := range opts.Refs {
		m, j, err := shared.LoadJob(ctx, opts.Manager, ref, opts.Provider, false)
		switch {
		case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
			results[i] = &cmdutil.TimeoutError{Subject: ref}
			continue
		case err != nil:
			return err
		}
		// A part with no batch never ends by itself: finish submitting it
		// as its create was asked (what sync would do), rather than wait
		// for nothing.
		if j.Registered && j.Unsubmitted() {
			primed := j.AwaitsPrimer()
			if err := m.Submit(ctx, j, m.Window(j)); err != nil {
				return err
			}
			cs := opts.IO.ErrColorScheme()
			switch {
			case primed: // nothing to submit before the primer ends
			case j.AwaitsPrimer():
				fmt.Fprintf(opts.IO.ErrOut, "%s submitted the cache primer of job %s; the other parts follow once it has ended\n", cs.Success("✓"), cs.Bold(j.ID))
			default:
				fmt.Fprintf(opts.IO.ErrOut, "%s finished submitting job %s\n", cs.Success("✓"), cs.Bold(j.ID))
			}
		}
		ws = append(ws, shared.Waited{M: m, J: j})
		at = append(at, i)
	}
	errs, err := shared.WaitAll(ctx, opts.IO, ws, shared.WaitOptions{Interval: interval, Fixed: opts.IntervalSet})
	if err != nil {
		return err
	}
	views := make([]jobs.View, 0, len(ws))
	var table *prices.Table
	if opts.Exporter.Enabled() && len(ws) > 0 {
		table = shared.Prices(opts.IO, ws[0].M)
	}
	for k, w := range ws {
		results[at[k]] = errs[k]
		if errs[k] == nil {
			results[at[k]] = shared.Outcome(w.J)
			shared.ReportCache(ctx, opts.IO, w.M, w.J)
		}
		views = append(views, jobs.ViewOf(w.J, table))
	}
	if opts.Exporter.Enabled() {
		// Printed whatever the outcome: the exit status tells it.
		if err := opts.Exporter.Write(context.WithoutCancel(ctx), opts.IO, views); err != nil {
			return err
		}
	}
	return worst(opts.IO, results)
}

// worst reports every job that did not end well and returns the error of
// the most serious outcome: a timeout (124) over a partial failure (3).
func worst(ios *iostreams.IOStreams, results []error) error {
	if len(results) == 1 {
		return results[0]
	}
	var timeout, partial error
	for _, err := range results {
		var te *cmdutil.TimeoutError
		switch {
		case err == nil:
		case errors.As(err, &te):
			fmt.Fprintln(ios.ErrOut, err)
			timeout = err
		default:
			fmt.Fprintln(ios.ErrOut, err)
			partial = err
		}
	}
	switch {
	case timeout != nil:
		return &cmdutil.SilentError{Code: cmdutil.ExitTimeout}
	case partial != nil:
		return &cmdutil.SilentError{Code: cmdutil.ExitPartial}
	}
	return nil
}
