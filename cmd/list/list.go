// Package list implements `batchctl list`.
package list

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/tableprinter"
)

// Options are the inputs of `batchctl list`.
type Options struct {
	IO       *iostreams.IOStreams
	Manager  func() (*jobs.Manager, error)
	Provider func(string) (providers.Provider, error)
	Now      func() time.Time
	Getenv   func(string) string

	ProviderName string
	Statuses     []string
	Name         string
	Mine         bool
	Host         string
	Since        string
	Limit        int
	After        string
	Remote       bool
	Exporter     *cmdutil.Exporter
}

// NewCmdList builds the command; runF replaces the run function in tests.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:       f.IOStreams,
		Manager:  func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Provider: f.Provider,
		Now:      f.Now,
		Getenv:   f.Getenv,
	}
	cmd := &cobra.Command{
		Use:     "list [flags]",
		Aliases: []string{"ls"},
		Short:   "List jobs in the local registry, or a provider's batches",
		Long: heredoc.Doc(`
			List jobs from the local registry, newest first. Statuses are as last seen;
			run batchctl status (or wait) to refresh a job.

			On a terminal the list is a table with relative times, token usage
			(input→output, in k and M; "unknown" until known, see batchctl status) and
			cost ("—" while the usage is unknown or the model has no price; "≈" before a
			cost worked out at today's prices rather than recorded when the job ended, see
			batchctl cost); when piped it is tab-separated with no header and RFC 3339
			times, one job per line: id, name, provider, model, status, requests,
			succeeded, failed, created_at. --json gives exact token counts, cost_usd and
			cost_basis.

			--remote lists the batches the provider has (made by batchctl or not); piped,
			one per line: batch id, job (its batchctl_job metadata), status, endpoint,
			done/total, created_at.
			--json prints a JSON array of jobs (or batches); --jq filters it.

			WHO
			Each job records the user and the host that created it (in --json: user and
			host; batchctl status shows them). --mine lists the jobs created by the
			current user, --host NAME those created on host NAME. The user is the login
			name of the process's user, the host the machine's host name; BATCHCTL_USER
			and BATCHCTL_HOST override them (in a container, say). Jobs recorded before
			batchctl kept them have neither and match neither flag.

			PAGES
			--limit N shows the newest N jobs; --after JOB shows the N that come after
			JOB (the last one of the previous page) in the same order, newest first, ties
			broken by id, so that a script can walk any number of jobs page by page. When
			more jobs match than were shown, standard error ends with the next page's
			flag: "more match: the next page is --after <last id> (with the same flags)".
			In a script,
			the cursor is the id of the last job printed (with --json: .[-1].id); an
			empty page is the end.

			With --remote, --after takes the provider's cursor, the one that message
			gives: a batch id for OpenAI and Anthropic, a page token for Gemini.

			EXIT STATUS
			  0  listed (even when nothing matched)
			  1  registry, network or provider error
			  2  bad flags
			  4  with --remote: missing or rejected API key
		`),
		Example: heredoc.Doc(`
			$ batchctl list --status in_progress
			$ batchctl list --since 24h --json | jq -r '.[].id'
			$ batchctl list --remote --provider openai --limit 50

			# every job, 1000 at a time
			$ after=""; while page=$(batchctl list --limit 1000 --after "$after" --json) && [ "$page" != "[]" ]; do
			>   echo "$page" | jq -r '.[].id'; after=$(echo "$page" | jq -r '.[-1].id')
			> done
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Remote && opts.ProviderName == "" {
				return cmdutil.FlagErrorf("--remote needs --provider")
			}
			if opts.Remote && (opts.Mine || opts.Host != "") {
				return cmdutil.FlagErrorf("--mine and --host select registry jobs: not with --remote")
			}
			if opts.Remote {
				if err := opts.Exporter.CheckFields(remoteView{}); err != nil {
					return cmdutil.FlagErrorf("%v", err)
				}
			}
			if opts.Limit < 0 {
				return cmdutil.FlagErrorf("--limit must not be negative")
			}
			var err error
			if opts.Statuses, err = parseStatuses(opts.Statuses); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.ProviderName, "provider", "p", "", "only jobs on this provider")
	fl.StringSliceVarP(&opts.Statuses, "status", "s", nil, "only jobs with these statuses: "+strings.Join(jobStatuses, ", "))
	_ = cmd.RegisterFlagCompletionFunc("status", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return jobStatuses, cobra.ShellCompDirectiveNoFileComp
	})
	fl.StringVar(&opts.Name, "name", "", "only jobs with this name")
	fl.BoolVar(&opts.Mine, "mine", false, "only jobs created by the current user (see WHO)")
	fl.StringVar(&opts.Host, "host", "", "only jobs created on this `host` (see WHO)")
	_ = cmd.RegisterFlagCompletionFunc("host", cobra.NoFileCompletions)
	fl.StringVar(&opts.Since, "since", "", "only jobs created within this `duration` (24h, 7d) or since this date (2026-01-31)")
	fl.IntVarP(&opts.Limit, "limit", "L", 50, "at most this many (0: no limit)")
	fl.StringVar(&opts.After, "after", "", "the page after this `job`: the jobs listed after it (see PAGES)")
	fl.BoolVar(&opts.Remote, "remote", false, "list the provider's batches instead of the registry")
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the jobs", jobs.View{})
	cmdutil.RegisterProviderCompletion(cmd, f, "provider")
	_ = cmd.RegisterFlagCompletionFunc("after", cmdutil.CompleteJobs(f))
	return cmd
}

// jobStatuses are the statuses a job can be listed in (DESIGN.md section 7).
var jobStatuses = []string{
	string(providers.StatusUnsubmitted), string(providers.StatusQueued), string(providers.StatusValidating), string(providers.StatusInProgress),
	string(providers.StatusFinalizing), string(providers.StatusCancelling), string(providers.StatusPaused),
	string(providers.StatusUpdating), string(providers.StatusCompleted), string(providers.StatusFailed),
	string(providers.StatusExpired), string(providers.StatusCancelled), string(providers.StatusUnknown),
}

// parseStatuses checks a --status filter ("failed,expired"), splitting on
// commas and accepting the American spellings canceled and canceling.
func parseStatuses(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			switch s {
			case "canceled":
				s = string(providers.StatusCancelled)
			case "canceling":
				s = string(providers.StatusCancelling)
			}
			if !slices.Contains(jobStatuses, s) {
				return nil, cmdutil.FlagErrorf("invalid --status %q (want one or more of %s)", s, strings.Join(jobStatuses, ", "))
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func listRun(ctx context.Context, opts *Options) error {
	if opts.Remote {
		return listRemote(ctx, opts)
	}
	filter := store.Filter{Provider: opts.ProviderName, Statuses: opts.Statuses, Name: opts.Name, Host: opts.Host, Limit: opts.Limit}
	if opts.Mine {
		if filter.User = jobs.CurrentUser(opts.Getenv); filter.User == "" {
			return &cmdutil.UsageError{Err: errors.New("--mine: the current user is not known (set BATCHCTL_USER)")}
		}
	}
	if opts.Since != "" {
		t, err := cmdutil.ParseSince(opts.Since, opts.Now())
		if err != nil {
			return cmdutil.FlagErrorf("--since: %v", err)
		}
		filter.Since = t
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	if opts.After != "" {
		after, err := m.Resolve(ctx, opts.After, "")
		if err != nil {
			return err
		}
		filter.After = after.ID
	}
	if filter.Limit > 0 {
		filter.Limit++ // one more tells whether there is a next page
	}
	if !opts.Exporter.Enabled() {
		return streamJobs(ctx, opts, m, filter)
	}
	list, err := m.List(ctx, filter)
	if err != nil {
		return err
	}
	next := ""
	if opts.Limit > 0 && len(list) > opts.Limit {
		list = list[:opts.Limit]
		next = list[len(list)-1].ID
	}
	if err := printJobs(ctx, opts, list, m); err != nil {
		return err
	}
	printNext(opts, next)
	return nil
}

// streamRows is the most rows list holds: a longer table is written as
// the jobs are read, its columns as wide as in its first streamRows rows.
const streamRows = 1000

// streamJobs prints the jobs filter selects (one more than asked for, to
// tell whether there is a next page) as they are read from the registry.
func streamJobs(ctx context.Context, opts *Options, m *jobs.Manager, filter store.Filter) error {
	var table *prices.Table
	if opts.IO.IsStdoutTTY() {
		table = shared.Prices(opts.IO, m)
	}
	tp, row := jobTable(opts, table)
	tp.Stream(streamRows)
	n, last, next := 0, "", ""
	// a terminal's table shows what the parts say (gone batches, usage)
	err := m.Each(ctx, filter, opts.IO.IsStdoutTTY(), func(j *store.Job) error {
		if n++; opts.Limit > 0 && n > opts.Limit {
			next = last
			return nil
		}
		last = j.ID
		row(j)
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		noJobs(opts)
		return nil
	}
	if err := tp.Render(); err != nil {
		return err
	}
	printNext(opts, next)
	return nil
}

// noJobs says that no job matched, to a person.
func noJobs(opts *Options) {
	if opts.IO.IsStderrTTY() { // a note for a person, where it is written
		fmt.Fprintln(opts.IO.ErrOut, "no jobs match")
	}
}

// printNext tells, on standard error, how to get the page after this one
// when there is one.
func printNext(opts *Options, cursor string) {
	if cursor != "" {
		fmt.Fprintf(opts.IO.ErrOut, "more match: the next page is --after %s (with the same flags)\n", cursor)
	}
}

func printJobs(ctx context.Context, opts *Options, list []*store.Job, m *jobs.Manager) error {
	tty := opts.IO.IsStdoutTTY()
	var table *prices.Table
	if (tty || opts.Exporter.Enabled()) && len(list) > 0 {
		table = shared.Prices(opts.IO, m)
	}
	if opts.Exporter.Enabled() {
		views := make([]jobs.View, 0, len(list))
		for _, j := range list {
			views = append(views, jobs.ViewOf(&jobs.Job{Job: j, Registered: true}, table))
		}
		return opts.Exporter.Write(ctx, opts.IO, views)
	}
	if len(list) == 0 {
		noJobs(opts)
		return nil
	}
	tp, row := jobTable(opts, table)
	for _, j := range list {
		row(j)
	}
	return tp.Render()
}

// jobTable returns the table of jobs and the function that adds a job to
// it: on a terminal, with relative times and token usage; in a pipe, tab
// separated with exact values. Costs are priced by table.
func jobTable(opts *Options, table *prices.Table) (*tableprinter.Printer, func(*store.Job)) {
	cs := opts.IO.ColorScheme()
	tty := opts.IO.IsStdoutTTY()
	tp := tableprinter.New(opts.IO.Out, tty, opts.IO.TerminalWidth(), cs.Bold)
	tp.Header("ID", "NAME", "PROVIDER", "MODEL", "STATUS", "REQUESTS", "TOKENS", "COST", "CREATED")
	now := opts.Now()
	return tp, func(j *store.Job) {
		if tty {
			done := fmt.Sprintf("%d/%d", j.Counts.Succeeded+j.Counts.Failed, j.Requests)
			if j.Counts.Failed > 0 {
				done += cs.Failure(fmt.Sprintf(" (%d failed)", j.Counts.Failed))
			}
			jj := &jobs.Job{Job: j}
			tp.Row(cs.Bold(j.ID), j.Name, j.Provider, j.Model, cs.Status(jj.StatusText()), done,
				shared.Tokens(jj.KnownUsage()), shared.Bill(jj.Bill(table), true), cmdutil.FuzzyAgo(now, j.CreatedAt))
			return
		}
		tp.Row(j.ID, j.Name, j.Provider, j.Model, j.Status, strconv.Itoa(j.Requests),
			strconv.Itoa(j.Counts.Succeeded), strconv.Itoa(j.Counts.Failed), cmdutil.Timestamp(j.CreatedAt))
	}
}

// remoteView is a provider batch in `list --remote --json`.
type remoteView struct {
	ID             string            `json:"id"`
	Status         string            `json:"status"`
	ProviderStatus string            `json:"provider_status"`
	Endpoint       string            `json:"endpoint"`
	Model          string            `json:"model"`
	Counts         providers.Counts  `json:"counts"`
	CreatedAt      string            `json:"created_at"`
	Metadata       map[string]string `json:"metadata"`
}

func listRemote(ctx context.Context, opts *Options) error {
	p, err := opts.Provider(opts.ProviderName)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	var batches []*providers.Batch
	next := ""
	lo := providers.ListOptions{Limit: opts.Limit, After: opts.After, Next: func(c string) { next = c }}
	err = p.List(ctx, lo, func(b *providers.Batch) error {
		batches = append(batches, b)
		return nil
	})
	if err != nil {
		return err
	}
	if err := printBatches(ctx, opts, batches); err != nil {
		return err
	}
	printNext(opts, next)
	return nil
}

func printBatches(ctx context.Context, opts *Options, batches []*providers.Batch) error {
	if opts.Exporter.Enabled() {
		views := make([]remoteView, 0, len(batches))
		for _, b := range batches {
			views = append(views, remoteView{ID: b.ID, Status: string(b.Status), ProviderStatus: b.ProviderStatus,
				Endpoint: b.Endpoint, Model: b.Model, Counts: b.Counts, CreatedAt: cmdutil.Timestamp(b.CreatedAt), Metadata: b.Metadata})
		}
		return opts.Exporter.Write(ctx, opts.IO, views)
	}
	cs := opts.IO.ColorScheme()
	tty := opts.IO.IsStdoutTTY()
	tp := tableprinter.New(opts.IO.Out, tty, opts.IO.TerminalWidth(), cs.Bold)
	tp.Header("BATCH", "JOB", "STATUS", "ENDPOINT", "DONE", "CREATED")
	now := opts.Now()
	for _, b := range batches {
		done := fmt.Sprintf("%d/%d", b.Counts.Succeeded+b.Counts.Failed, b.Counts.Total)
		if tty {
			tp.Row(b.ID, b.Metadata["batchctl_job"], cs.Status(string(b.Status)), b.Endpoint, done, cmdutil.FuzzyAgo(now, b.CreatedAt))
			continue
		}
		tp.Row(b.ID, b.Metadata["batchctl_job"], string(b.Status), b.Endpoint, done, cmdutil.Timestamp(b.CreatedAt))
	}
	return tp.Render()
}
