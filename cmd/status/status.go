// Package status implements `batchctl status`.
package status

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// Options are the inputs of `batchctl status`.
type Options struct {
	IO      *iostreams.IOStreams
	Manager func() (*jobs.Manager, error)
	Now     func() time.Time

	Ref      string
	Provider string
	Exporter *cmdutil.Exporter
}

// NewCmdStatus builds the command; runF replaces the run function in tests.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Now:     f.Now,
	}
	cmd := &cobra.Command{
		Use:   "status <job>",
		Short: "Show a job's status, request counts and usage",
		Long: heredoc.Doc(`
			Show a job and its provider batches: status, request counts, token usage,
			times, who created the job on which host (see batchctl list --help, WHO), and
			any batch-level errors (such as input lines the provider rejected).
			A job that has not ended is refreshed from the provider first (status submits
			nothing: the parts of a job waiting in the queue, for room or for its cache
			primer, are submitted by wait and sync). A job whose requests share a
			cacheable prefix yet read nothing from the cache gets a warning on standard
			error.

			Token usage is "unknown" (null in JSON), never 0, until it is known: OpenAI
			reports it with the batch; Anthropic, Gemini and xAI do not, so it is summed from
			the job's results once they are downloaded (by results, create --wait or sync).
			Input tokens include those read from (cached) and written to a prompt cache,
			output tokens the reasoning ones; each detail is shown where the provider
			reports it. The cost is the usage at the price table's rates (batchctl
			prices): batch rates for a batch job, synchronous ones for a direct job,
			recorded when the job ended, so a later change of prices does not rewrite it.
			A job with no recorded cost (running, from before batchctl kept costs, or
			whose model had no price then) is priced at today's table, marked "≈"
			(cost_basis current_prices rather than recorded). The cost is unknown (null in
			JSON as cost_usd), never 0, for a model without a price.

			A batch the provider no longer has (deleted, or past its retention) keeps the
			state batchctl recorded: status says so on standard error and exits 0, the
			terminal view marks it "(batch gone)", and --json gives the time it was
			found gone in the part's gone_at (null while the provider has it).

			<job> is a job id, a unique prefix of one, a job name, or a provider batch id.
			A batch that is not in the local registry is looked up with --provider.

			On a terminal the output is for people; when piped it is one "key<TAB>value"
			per line, and --json prints the whole job as one JSON object (--jq filters it).
			The piped keys, in this order: id, name, status, provider, model, endpoint,
			requests, succeeded, failed, input_tokens, output_tokens, created_at,
			completed_at, missing (once the results are downloaded), running (a direct
			job being run), cache_read_input_tokens, cache_creation_input_tokens,
			reasoning_tokens, cost_usd and cost_basis (see batchctl cost; "unknown" where
			not known),
			cache_hit_rate and cache_read_tokens (an Anthropic job with a cache primer or
			requests sharing a cacheable prefix, once the results are downloaded: prompt
			tokens read from the cache over all prompt tokens, after the primer), user
			and host (who created the job where: empty for a job recorded before batchctl
			kept them). Then a "parts" line
			that labels the columns of the lines after it, one per provider batch,
			tab-separated: part, index, batch_id, status (batchctl's normalized status),
			provider_status (the provider's own word), succeeded, failed, requests; then
			one "queued<TAB>index<TAB>why" line per part waiting in the submission queue
			(see batchctl queue) and one "error<TAB>message" line per batch error. --json
			has the cache keys too, null where they do not apply.

			EXIT STATUS
			  0  shown
			  1  network or provider error
			  2  no such job
			  4  missing or rejected API key
		`),
		Example: heredoc.Doc(`
			$ batchctl status j7k2m9
			$ batchctl status nightly --json | jq .counts
			$ batchctl status batch_abc123 --provider openai
		`),
		Args:              cmdutil.ExactArgs(1, "a job id is required: batchctl status <job>"),
		ValidArgsFunction: cmdutil.CompleteJobs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ref = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
	shared.AddProviderFlag(cmd, f, &opts.Provider)
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the job", jobs.View{})
	return cmd
}

func statusRun(ctx context.Context, opts *Options) error {
	m, j, err := shared.LoadJob(ctx, opts.Manager, opts.Ref, opts.Provider, false)
	if err != nil {
		return err
	}
	if err := m.Refresh(ctx, j); err != nil {
		if _, gone := errors.AsType[*jobs.GoneError](err); !gone {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s %v; this is the state batchctl recorded\n", opts.IO.ErrColorScheme().Warning("warning:"), err)
	}
	// missing: requests the provider returned nothing for, known once the
	// results are downloaded
	missing := -1
	if n, ok := m.Missing(j); ok {
		missing = n
	}
	// the cache hit rate of an Anthropic job, known once its results are
	// downloaded
	cache, err := m.CacheReport(ctx, j, true)
	if err != nil {
		return err
	}
	var running *jobs.RunProgress
	if p, ok := m.RunningProgress(ctx, j.ID); j.Direct() && ok {
		running = &p
	}
	table := shared.Prices(opts.IO, m)
	if opts.Exporter.Enabled() {
		v := jobs.ViewOf(j, table)
		if missing >= 0 {
			v.Missing = &missing
		}
		v.Running = running
		if cache != nil {
			rate := cache.HitRate()
			v.CacheHitRate, v.CacheReadTokens = &rate, &cache.Read
		}
		return opts.Exporter.Write(ctx, opts.IO, v)
	}
	if opts.IO.IsStdoutTTY() {
		err = printHuman(opts.IO, j, missing, running, table, cache, opts.Now())
	} else {
		err = printPlain(opts.IO.Out, j, missing, running, table, cache)
	}
	if err == nil && cache != nil {
		if w := cache.Warning(j.ID); w != "" {
			fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", opts.IO.ErrColorScheme().Warning("warning:"), w)
		}
	}
	return err
}

func printHuman(ios *iostreams.IOStreams, j *jobs.Job, missing int, running *jobs.RunProgress, table *prices.Table, cache *jobs.CacheReport, now time.Time) error {
	cs := ios.ColorScheme()
	w := ios.Out
	title := cs.Bold(j.ID)
	if j.Name != "" {
		title += " " + j.Name
	}
	fmt.Fprintf(w, "%s  %s\n", title, cs.Status(j.StatusText()))
	fmt.Fprintf(w, "  %s  %s · %s · %s\n", cs.Muted("provider"), j.Provider, j.Model, j.Endpoint)
	fmt.Fprintf(w, "  %s  %d total: %d succeeded, %d failed\n", cs.Muted("requests"), j.Requests, j.Counts.Succeeded, j.Counts.Failed)
	if missing > 0 {
		fmt.Fprintf(w, "  %s   %s: the provider returned no result for them\n", cs.Warning("missing"), cmdutil.Plural(missing, "request"))
	}
	if running != nil {
		fmt.Fprintf(w, "  %s   %s\n", cs.Muted("running"), shared.DirectLine("", *running, 0)[1:])
	}
	if u := j.KnownUsage(); u != nil {
		fmt.Fprintf(w, "  %s     %s tokens\n", cs.Muted("usage"), usageLine(u))
	} else {
		fmt.Fprintf(w, "  %s     unknown (not reported with the batch; counted when the results are downloaded)\n", cs.Muted("usage"))
	}
	fmt.Fprintf(w, "  %s      %s\n", cs.Muted("cost"), costLine(j, table))
	if c := cache; c != nil {
		fmt.Fprintf(w, "  %s     %.1f%% hit rate: %s of %s prompt tokens read from it\n", cs.Muted("cache"), 100*c.HitRate(), shared.Count(c.Read), shared.Count(c.Prompt))
	}
	when := "created " + cmdutil.FuzzyAgo(now, j.CreatedAt) + creatorText(j.User, j.Host)
	if !j.CompletedAt.IsZero() {
		when += " · ended " + cmdutil.FuzzyAgo(now, j.CompletedAt)
	}
	fmt.Fprintf(w, "  %s      %s\n", cs.Muted("time"), when)
	fmt.Fprintln(w)
	tp := tableprinter.New(w, true, ios.TerminalWidth(), cs.Bold)
	tp.Header("PART", "BATCH", "STATUS", "SUCCEEDED", "FAILED", "TOTAL")
	for _, p := range j.Parts {
		batch := p.BatchID
		switch {
		case batch == "" && p.Status == string(providers.StatusQueued):
			batch = cs.Muted("(queued)")
		case batch == "":
			batch = cs.Muted("(not submitted)")
		}
		tp.Row(strconv.Itoa(p.Index), batch, cs.Status(jobs.PartStatusText(p)), strconv.Itoa(p.Counts.Succeeded),
			strconv.Itoa(p.Counts.Failed), strconv.Itoa(p.Requests))
	}
	if err := tp.Render(); err != nil {
		return err
	}
	for _, q := range queued(j) {
		fmt.Fprintf(w, "%s part %d: %s\n", cs.Muted("queued:"), q.Index, q.QueuedWhy)
	}
	for _, e := range shared.BatchErrors(j) {
		fmt.Fprintf(w, "%s %s\n", cs.Failure("error:"), e)
	}
	return nil
}

// creatorText says who created a job where, after "created ...": " by
// alice@ci-1", " by alice", " on ci-1", or nothing for a job recorded
// before batchctl kept them.
func creatorText(user, host string) string {
	switch {
	case user != "" && host != "":
		return " by " + user + "@" + host
	case user != "":
		return " by " + user
	case host != "":
		return " on " + host
	}
	return ""
}

// usageLine says a known usage: "1,200 input (1,000 cached) · 300 output
// (250 reasoning)", each detail only where the provider reports it.
func usageLine(u *providers.Usage) string {
	in := shared.Count(u.InputTokens) + " input"
	var details []string
	if n := u.CacheReadInputTokens; n != nil {
		details = append(details, shared.Count(*n)+" cached")
	}
	if n := u.CacheCreationInputTokens; n != nil {
		details = append(details, shared.Count(*n)+" written to cache")
	}
	if len(details) > 0 {
		in += " (" + strings.Join(details, ", ") + ")"
	}
	out := shared.Count(u.OutputTokens) + " output"
	if n := u.ReasoningTokens; n != nil {
		out += " (" + shared.Count(*n) + " reasoning)"
	}
	return in + " · " + out
}

// costLine says what a job cost, or why that is not known.
func costLine(j *jobs.Job, table *prices.Table) string {
	rates := "batch"
	if j.Direct() {
		rates = "synchronous"
	}
	switch b := j.Bill(table); {
	case b.Basis == jobs.BasisRecorded:
		return shared.Bill(b, true) + " at " + rates + " prices, recorded when it ended"
	case b.USD != nil && !providers.Status(j.Status).Terminal():
		return shared.Bill(b, true) + " so far at today's " + rates + " prices (recorded when it ends)"
	case b.USD != nil:
		return shared.Bill(b, true) + " at today's " + rates + " prices (not recorded when it ended: from before batchctl kept costs, or its model had no price then)"
	case j.KnownUsage() == nil:
		return "unknown until the usage is known"
	case table == nil:
		return "unknown (the price table could not be read)"
	}
	return fmt.Sprintf("unknown: no price for %s/%s (add it to prices.yaml in BATCHCTL_HOME)", j.Provider, j.Model)
}

func printPlain(w io.Writer, j *jobs.Job, missing int, running *jobs.RunProgress, table *prices.Table, cache *jobs.CacheReport) error {
	inTokens, outTokens := "unknown", "unknown"
	if u := j.KnownUsage(); u != nil {
		inTokens, outTokens = strconv.FormatInt(u.InputTokens, 10), strconv.FormatInt(u.OutputTokens, 10)
	}
	kv := [][2]string{
		{"id", j.ID}, {"name", j.Name}, {"status", j.Status}, {"provider", j.Provider},
		{"model", j.Model}, {"endpoint", j.Endpoint}, {"requests", strconv.Itoa(j.Requests)},
		{"succeeded", strconv.Itoa(j.Counts.Succeeded)}, {"failed", strconv.Itoa(j.Counts.Failed)},
		{"input_tokens", inTokens}, {"output_tokens", outTokens},
		{"created_at", cmdutil.Timestamp(j.CreatedAt)}, {"completed_at", cmdutil.Timestamp(j.CompletedAt)},
	}
	if missing >= 0 {
		kv = append(kv, [2]string{"missing", strconv.Itoa(missing)})
	}
	if r := running; r != nil {
		kv = append(kv, [2]string{"running", shared.DirectLine("", *r, 0)[1:]})
	}
	kv = append(kv, usageDetails(j, table)...)
	if c := cache; c != nil {
		kv = append(kv, [2]string{"cache_hit_rate", fmt.Sprintf("%.4f", c.HitRate())},
			[2]string{"cache_read_tokens", strconv.FormatInt(c.Read, 10)})
	}
	kv = append(kv, [2]string{"user", j.User}, [2]string{"host", j.Host})
	for _, p := range kv {
		if _, err := fmt.Fprintf(w, "%s\t%s\n", p[0], p[1]); err != nil {
			return err
		}
	}
	if len(j.Parts) > 0 {
		// the two status columns side by side need their names
		fmt.Fprintln(w, "parts\tindex\tbatch_id\tstatus\tprovider_status\tsucceeded\tfailed\trequests")
	}
	for _, p := range j.Parts {
		fmt.Fprintf(w, "part\t%d\t%s\t%s\t%s\t%d\t%d\t%d\n", p.Index, p.BatchID, p.Status, p.ProviderStatus,
			p.Counts.Succeeded, p.Counts.Failed, p.Requests)
	}
	for _, q := range queued(j) {
		fmt.Fprintf(w, "queued\t%d\t%s\n", q.Index, q.QueuedWhy)
	}
	for _, e := range shared.BatchErrors(j) {
		fmt.Fprintf(w, "error\t%s\n", e)
	}
	return nil
}

// queued returns the parts of j that wait in the submission queue.
func queued(j *jobs.Job) []store.Part {
	var out []store.Part
	for _, p := range j.Parts {
		if p.BatchID == "" && p.Status == string(providers.StatusQueued) {
			out = append(out, p)
		}
	}
	return out
}

// usageDetails are the piped keys that follow the others: the usage's
// detail counts, the cost in USD and its basis (jobs.Bill), each "unknown"
// when it is not known (a detail the provider does not report, a model
// without a price).
func usageDetails(j *jobs.Job, table *prices.Table) [][2]string {
	cacheRead, cacheWrite, reasoning, cost, basis := "unknown", "unknown", "unknown", "unknown", "unknown"
	if u := j.KnownUsage(); u != nil {
		cacheRead, cacheWrite, reasoning = countText(u.CacheReadInputTokens), countText(u.CacheCreationInputTokens), countText(u.ReasoningTokens)
	}
	if b := j.Bill(table); b.USD != nil {
		cost, basis = strconv.FormatFloat(*b.USD, 'f', -1, 64), b.Basis
	}
	return [][2]string{
		{"cache_read_input_tokens", cacheRead}, {"cache_creation_input_tokens", cacheWrite},
		{"reasoning_tokens", reasoning}, {"cost_usd", cost}, {"cost_basis", basis},
	}
}

func countText(n *int64) string {
	if n == nil {
		return "unknown"
	}
	return strconv.FormatInt(*n, 10)
}
