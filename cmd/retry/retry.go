// Package retry implements `batchctl retry`.
package retry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/estimate"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/all"
)

// defaultStatuses are the outcomes retried when --status is not given.
var defaultStatuses = []string{"errored", "expired", "canceled", "missing"}

// Options are the inputs of `batchctl retry`.
type Options struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Manager func() (*jobs.Manager, error)

	Ref            string
	Statuses       []providers.ResultStatus
	IncludeInvalid bool
	InvalidOutput  bool
	Model          string
	Name           string
	DryRun         bool
	Wait           bool
	Interval       time.Duration
	IntervalSet    bool
	Timeout        time.Duration
	Output         string
	// MaxCost caps the new job's cost in USD; nil takes max_cost from the config.
	MaxCost  *float64
	Exporter *cmdutil.Exporter
}

// NewCmdRetry builds the command; runF replaces the run function in tests.
func NewCmdRetry(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Config:  f.Config,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
	}
	var statuses []string
	var maxCost float64
	cmd := &cobra.Command{
		Use:   "retry <job> [flags]",
		Short: "Submit again the requests of a job that did not succeed",
		Long: heredoc.Doc(`
			Create a new job from the requests of a finished job that did not succeed,
			taken from the copy of the submitted input batchctl keeps, and link it to the
			original. Print the new job's id (with --json, the new job, with the fields of
			batchctl status --json; --jq filters it).

			By default every request that errored, expired, was canceled or is missing is
			retried. Requests the provider rejected as invalid (invalid_request_error,
			HTTP 400/404/422) would fail again the same way, so they are left out unless
			--include-invalid; you are told how many.

			--invalid retries instead the requests that succeeded with an answer that does
			not validate against the job's schema (valid: false in the results; add
			--status to retry those outcomes too). --model sends the retried requests to
			another model of the same provider. The new job checks its answers against the
			same schemas. A retry of a job created with --cache-prime is primed the same
			way (its requests keep the original's cache_control marks): the first retried
			request goes alone, the others wait in the queue for it, when two or more
			share the prefix.

			--max-cost USD (default: max_cost in the config) refuses a retry whose cost at
			batch prices (a direct job: synchronous prices) may be more, as create does (see batchctl estimate).

			batchctl results <job> --merged then gives one line per original request, with
			the newest outcome across the original job and its retries.

			EXIT STATUS
			  0  retry submitted (with --wait: every retried request succeeded)
			  1  network or provider error, or the job has not ended
			  2  no such job, bad flags, nothing to retry, or over --max-cost
			  3  with --wait: some retried requests did not succeed
			  4  missing or rejected API key
		`),
		Example: heredoc.Doc(`
			$ batchctl retry j7k2m9
			$ batchctl retry j7k2m9 --status expired,missing --wait -o retried.jsonl
			$ batchctl retry j7k2m9 --invalid --model gpt-4o
			$ batchctl results j7k2m9 --merged | jq -r .text
		`),
		Args:              cmdutil.ExactArgs(1, "a job id is required: batchctl retry <job>"),
		ValidArgsFunction: cmdutil.CompleteJobs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if len(statuses) == 0 && !opts.InvalidOutput {
				statuses = defaultStatuses
			}
			var err error
			if opts.Statuses, err = shared.ParseStatuses(statuses); err != nil {
				return err
			}
			for _, s := range opts.Statuses {
				if s == providers.ResultSucceeded {
					return cmdutil.FlagErrorf("--status succeeded: retry resubmits requests that did not succeed")
				}
			}
			opts.IntervalSet = cmd.Flags().Changed("interval")
			if cmd.Flags().Changed("max-cost") {
				if maxCost < 0 {
					return cmdutil.FlagErrorf("--max-cost must not be negative")
				}
				opts.MaxCost = &maxCost
			}
			if opts.Exporter.Enabled() && (opts.DryRun || opts.Wait) {
				return cmdutil.FlagErrorf("--json cannot be used with --dry-run or --wait")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return retryRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&statuses, "status", nil, "retry requests with these outcomes (default errored,expired,canceled,missing)")
	fl.BoolVar(&opts.IncludeInvalid, "include-invalid", false, "also retry requests the provider rejected as invalid")
	fl.BoolVar(&opts.InvalidOutput, "invalid", false, "retry the requests whose answers do not validate against the job's schema")
	fl.StringVarP(&opts.Model, "model", "m", "", "send the retried requests to this `model` of the job's provider")
	fl.StringVar(&opts.Name, "name", "", "a name for the new job")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "say what would be retried; send nothing")
	fl.Float64Var(&maxCost, "max-cost", 0, "send nothing if the retry may cost more than this many `USD` at batch prices, synchronous for a direct job (default: max_cost; 0 for no cap)")
	fl.BoolVarP(&opts.Wait, "wait", "w", false, "wait for the new job and stream its results")
	fl.DurationVar(&opts.Interval, "interval", 0, "with --wait: longest pause between polls (default: poll_interval)")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "with --wait: give up waiting after this long (exit 124)")
	fl.StringVarP(&opts.Output, "output", "o", "", "with --wait: write results to `file` instead of standard output")
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the new job", jobs.View{})
	return cmd
}

// retryModel reads --model: a model of the parent job's provider, bare or
// as provider/model; "" keeps the models of the requests.
func retryModel(cfg *config.Config, parent *jobs.Job, spec string) (string, error) {
	provider, model, ok := strings.Cut(spec, "/")
	switch {
	case !ok:
		return spec, nil
	case provider == parent.Provider:
		return model, nil
	}
	if _, err := cfg.Profile(provider); err == nil {
		return "", &cmdutil.UsageError{Err: fmt.Errorf("--model %s: a retry stays with the provider of job %s (%s); name one of its models", spec, parent.ID, parent.Provider)}
	}
	return spec, nil // a model name with a slash (meta-llama/llama-4)
}

func retryRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	m, parent, err := shared.LoadJob(ctx, opts.Manager, opts.Ref, "", true)
	if err != nil {
		return err
	}
	model, err := retryModel(cfg, parent, opts.Model)
	if err != nil {
		return err
	}
	sel, err := m.SelectRetry(ctx, parent, opts.Statuses, opts.IncludeInvalid, opts.InvalidOutput)
	if err != nil {
		return err
	}
	if sel.Invalid > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "leaving out %s the provider rejected as invalid (they would fail again; --include-invalid retries them)\n", cmdutil.Plural(sel.Invalid, "request"))
	}
	if len(sel.IDs) == 0 {
		return &cmdutil.UsageError{Err: fmt.Errorf("job %s has no requests to retry", parent.ID)}
	}
	profile, err := cfg.Profile(parent.Provider)
	if err != nil {
		return err
	}
	if err := all.Check(cfg, profile); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if parent.Direct() && !profile.Direct() { // a direct job's retry is one too
		c := *profile
		c.Mode = config.ModeDirect
		profile = &c
	}
	id, err := m.NewID(ctx)
	if err != nil {
		return err
	}
	schemas, err := m.Schemas(parent)
	if err != nil {
		return err
	}
	in := m.RetryInput(parent, sel.IDs, model)
	defer in.Close()
	spec := jobs.Spec{
		File: "retry of " + parent.ID, Input: in, Profile: profile, Model: model, Name: opts.Name,
		Metadata: parent.Metadata, Parent: parent.ID, CompletionWindow: profile.CompletionWindow,
		Schemas: schemas,
	}
	if parent.Target.Primer && !profile.Direct() {
		// primed again: the requests carry the parent's cache_control
		// marks already, so the ttl given here changes nothing
		spec.CachePrime = jobs.CacheTTLs[len(jobs.CacheTTLs)-1]
	}
	plan, err := m.Prepare(ctx, id, spec)
	if err != nil {
		return err
	}
	if plan.PrimeNote != "" {
		fmt.Fprintln(opts.IO.ErrOut, plan.PrimeNote)
	}
	if err := checkMaxCost(opts, cfg, m, plan, profile); err != nil {
		m.Discard(plan)
		return err
	}
	if opts.DryRun {
		m.Discard(plan)
		fmt.Fprintf(opts.IO.ErrOut, "would retry %s of job %s\n", cmdutil.Plural(plan.Requests, "request"), parent.ID)
		return nil
	}
	// A retry goes through the same call as create: run twice (from cron,
	// or two terminals), it makes one job.
	res, err := m.Create(ctx, plan, spec, jobs.CreateOptions{})
	if res != nil && res.Replaced != "" {
		fmt.Fprintln(opts.IO.ErrOut, res.Replaced)
	}
	if err != nil {
		if res != nil && res.Job != nil {
			return shared.Unfinished(opts.IO, res.Job, err)
		}
		return err
	}
	j := res.Job
	cs := opts.IO.ErrColorScheme()
	switch {
	case res.Reused:
		fmt.Fprintf(opts.IO.ErrOut, "reusing job %s, which retries the same requests of job %s: %s; not submitting again\n",
			cs.Bold(j.ID), parent.ID, res.Why)
	default:
		fmt.Fprintf(opts.IO.ErrOut, "%s created job %s retrying %s of job %s\n", cs.Success("✓"), cs.Bold(j.ID), cmdutil.Plural(j.Requests, "request"), parent.ID)
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, jobs.ViewOf(j, shared.Prices(opts.IO, m)))
	}
	if j.Direct() {
		if err := directLimits(m, parent, j); err != nil {
			return err
		}
	}
	if !opts.Wait {
		fmt.Fprintln(opts.IO.Out, j.ID)
		if j.Direct() && !j.Terminal() { // run in the foreground, as create does
			return shared.RunDirect(ctx, opts.IO, m, j, time.Time{})
		}
		return nil
	}
	interval := opts.Interval
	if !opts.IntervalSet {
		interval = cfg.PollInterval
	}
	if err := shared.Wait(ctx, opts.IO, m, j, shared.WaitOptions{Interval: interval, Fixed: opts.IntervalSet, Timeout: opts.Timeout}); err != nil {
		return err
	}
	return shared.WriteResults(ctx, opts.IO, m, j, shared.ResultsOptions{Output: opts.Output})
}

// directLimits gives a direct job's retry the rate limits of the job it
// retries.
func directLimits(m *jobs.Manager, parent, j *jobs.Job) error {
	l, err := m.RunLimitsOf(parent.ID)
	if err != nil {
		return err
	}
	return m.SaveRunLimits(j.ID, l)
}

// checkMaxCost refuses the retry when it may cost more than the cap.
func checkMaxCost(opts *Options, cfg *config.Config, m *jobs.Manager, plan *jobs.Plan, profile *config.Profile) error {
	maxCost, capFrom := cfg.MaxCost, "max_cost in "+cfg.File
	if opts.MaxCost != nil {
		maxCost, capFrom = *opts.MaxCost, "--max-cost"
	}
	if maxCost <= 0 {
		return nil
	}
	table, err := prices.Load(cfg.Home)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	rep, err := estimate.Run(estimate.ForPlan(m, plan, profile, table))
	if err != nil {
		return err
	}
	if err := rep.CheckMaxCost(maxCost, capFrom); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	return nil
}
