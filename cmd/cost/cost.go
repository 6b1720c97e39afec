// Package cost implements `batchctl cost`.
package cost

import (
	"cmp"
	"context"
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
	"github.com/batchctl/batchctl/internal/numfmt"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/store"
	"github.com/batchctl/batchctl/internal/tableprinter"
)

// Options are the inputs of `batchctl cost`.
type Options struct {
	IO       *iostreams.IOStreams
	Manager  func() (*jobs.Manager, error)
	Now      func() time.Time
	Since    string
	By       string
	Exporter *cmdutil.Exporter
}

// groupings are the values of --by, in the order the help gives them.
var groupings = []string{"provider", "model", "day", "job"}

// NewCmdCost builds the command; runF replaces the run function in tests.
func NewCmdCost(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Now:     f.Now,
	}
	cmd := &cobra.Command{
		Use:   "cost [--since <age|date>] [--by provider|model|day|job]",
		Short: "Show what the jobs cost, per provider, model, day or job",
		Long: heredoc.Doc(`
			Add up what the jobs in the local registry cost. Each part of a job is priced
			once, when its token usage is final (reported with the batch, or summed from
			its results once they are downloaded), at the price table's rates of that day
			(batchctl prices): Batch API rates for batch jobs, synchronous rates for
			direct jobs, the cached-input rate for tokens read from a prompt cache, the
			cache-write rates for tokens written to one (5-minute and 1-hour writes
			apart). That cost is recorded with the job, so a later change of prices does
			not rewrite it.

			A job with no recorded cost (still running, recorded before batchctl kept
			costs, or its model had no price when it ended) is priced at today's table
			instead: its cost is marked "≈" on a terminal, and its cost_basis is
			"current_prices" rather than "recorded".

			--by groups the jobs by provider (profile), model (provider/model), day (the
			local date the job was created) or job; the default is model. --since keeps
			the jobs created within an age (24h, 7d) or since a date (2026-01-31).

			Spend that cannot be priced is never counted as 0: a job whose model has no
			price, or whose usage is not known yet (still running, or results not
			downloaded: batchctl results or sync fetch them), is counted in the UNKNOWN
			column instead of COST, and the lines after the table say which.

			On a terminal it is a table with a total row; when piped it is tab-separated
			with no header, one group per line and a last line "total": key, jobs,
			requests, input_tokens, cache_read_input_tokens, cache_creation_input_tokens,
			output_tokens, reasoning_tokens, cost_usd, unknown_cost_jobs, cost_basis
			(recorded, current_prices, or unknown). --json prints an object with the
			groups, the total, and the unpriced models.

			Input tokens include the cached ones, output tokens the reasoning ones (as
			in the result lines' usage).
		`),
		Example: heredoc.Doc(`
			$ batchctl cost --since 7d
			$ batchctl cost --by day --since 2026-12-01
			$ batchctl cost --by job --jq '.groups[] | select(.cost_usd > 1) | .key'
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(groupings, opts.By) {
				return cmdutil.FlagErrorf("--by must be one of %s, not %q", strings.Join(groupings, ", "), opts.By)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return costRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Since, "since", "", "only jobs created within this `duration` (24h, 7d) or since this date (2026-01-31)")
	fl.StringVar(&opts.By, "by", "model", "group by `what`: "+strings.Join(groupings, ", "))
	_ = cmd.RegisterFlagCompletionFunc("by", cobra.FixedCompletions(groupings, cobra.ShellCompDirectiveNoFileComp))
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the spend", Report{})
	return cmd
}

func costRun(ctx context.Context, opts *Options) error {
	var filter store.Filter
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
	table, err := m.Prices()
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	list, err := m.List(ctx, filter)
	if err != nil {
		return err
	}
	r := Tally(list, table, opts.By)
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, r)
	}
	return printReport(opts.IO, r)
}

func printReport(ios *iostreams.IOStreams, r Report) error {
	if len(r.Groups) == 0 {
		if ios.IsStderrTTY() {
			fmt.Fprintln(ios.ErrOut, "no jobs match")
		}
		return nil
	}
	tty := ios.IsStdoutTTY()
	cs := ios.ColorScheme()
	tp := tableprinter.New(ios.Out, tty, ios.TerminalWidth(), cs.Bold)
	tp.Header(strings.ToUpper(r.By), "JOBS", "REQUESTS", "INPUT", "CACHED", "CACHE WRITE", "OUTPUT", "REASONING", "COST", "UNKNOWN")
	for _, g := range r.Groups {
		tp.Row(groupRow(g.Key, g.Sum, tty)...)
	}
	total := groupRow("total", r.Total, tty)
	if tty {
		total[0] = cs.Bold(total[0])
		total[8] = cs.Bold(total[8])
	}
	tp.Row(total...)
	if err := tp.Render(); err != nil {
		return err
	}
	if tty {
		printUnknown(ios, r)
	}
	return nil
}

// groupRow is one line of the table: exact counts when piped, with
// thousands separators on a terminal.
func groupRow(key string, s Sum, tty bool) []string {
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	cost, basis := "unknown", "unknown"
	if s.CostUSD != nil {
		cost, basis = strconv.FormatFloat(*s.CostUSD, 'f', -1, 64), *s.CostBasis
	}
	unknown := strconv.Itoa(s.UnknownCostJobs)
	if !tty {
		return []string{key, strconv.Itoa(s.Jobs), strconv.Itoa(s.Requests), count(s.InputTokens), count(s.CacheReadInputTokens),
			count(s.CacheCreationInputTokens), count(s.OutputTokens), count(s.ReasoningTokens), cost, unknown, basis}
	}
	if s.UnknownCostJobs == 0 {
		unknown = "—"
	}
	count = numfmt.Thousands
	cost = shared.Bill(jobs.Bill{USD: s.CostUSD, Basis: basis}, true)
	return []string{key, strconv.Itoa(s.Jobs), strconv.Itoa(s.Requests), count(s.InputTokens), count(s.CacheReadInputTokens),
		count(s.CacheCreationInputTokens), count(s.OutputTokens), count(s.ReasoningTokens), cost, unknown}
}

// printUnknown says, under the table, which spend the total leaves out.
func printUnknown(ios *iostreams.IOStreams, r Report) {
	cs := ios.ColorScheme()
	if r.CurrentPricesJobs > 0 {
		fmt.Fprintf(ios.Out, "≈ %s at today's prices, no cost recorded when it ended (still running, from before batchctl kept costs, or no price then)\n",
			cmdutil.Plural(r.CurrentPricesJobs, "job"))
	}
	if len(r.Unpriced) > 0 {
		fmt.Fprintf(ios.Out, "%s %s without a price (%s): not in COST; add %s to prices.yaml in BATCHCTL_HOME\n",
			cs.Warning("!"), cmdutil.Plural(r.UnpricedJobs, "job"), strings.Join(r.Unpriced, ", "),
			map[bool]string{true: "it", false: "them"}[len(r.Unpriced) == 1])
	}
	if r.UsageUnknownJobs > 0 {
		fmt.Fprintf(ios.Out, "%s %s whose usage is not known yet (running, or results not downloaded: batchctl results or sync): not in COST\n",
			cs.Warning("!"), cmdutil.Plural(r.UsageUnknownJobs, "job"))
	}
}

// Report is what `batchctl cost --json` prints.
type Report struct {
	By     string  `json:"by"`
	Groups []Group `json:"groups"`
	Total  Sum     `json:"total"`
	// Unpriced are the provider/model names of the jobs whose usage is
	// known but whose model has no price, sorted.
	Unpriced     []string `json:"unpriced"`
	UnpricedJobs int      `json:"unpriced_jobs"`
	// UsageUnknownJobs counts the jobs whose usage is not known yet.
	UsageUnknownJobs int `json:"usage_unknown_jobs"`
	// CurrentPricesJobs counts the jobs whose cost is worked out at
	// today's prices, not recorded when they ended (see jobs.Bill).
	CurrentPricesJobs int `json:"current_prices_jobs"`
}

// Group is the spend of the jobs of one provider, model, day or job.
type Group struct {
	Key string `json:"key"`
	Sum
	first time.Time // the earliest job's creation, which orders --by job
}

// Sum adds up the jobs of a group. The token counts are those of the jobs
// whose usage is known; CostUSD is the sum of the costs that are known,
// null when none is, and UnknownCostJobs counts the jobs left out of it.
type Sum struct {
	Jobs                     int      `json:"jobs"`
	Requests                 int      `json:"requests"`
	InputTokens              int64    `json:"input_tokens"`
	CacheReadInputTokens     int64    `json:"cache_read_input_tokens"`
	CacheCreationInputTokens int64    `json:"cache_creation_input_tokens"`
	OutputTokens             int64    `json:"output_tokens"`
	ReasoningTokens          int64    `json:"reasoning_tokens"`
	CostUSD                  *float64 `json:"cost_usd"`
	// CostBasis is "recorded" when every cost in CostUSD was recorded when
	// its job ended, "current_prices" when some job's is worked out at
	// today's prices (see jobs.Bill); null with CostUSD.
	CostBasis       *string `json:"cost_basis"`
	UnknownCostJobs int     `json:"unknown_cost_jobs"`
}

// add counts one job in s.
func (s *Sum) add(j *jobs.Job, t *prices.Table) {
	s.Jobs++
	s.Requests += j.Requests
	if u := j.KnownUsage(); u != nil {
		s.InputTokens += u.InputTokens
		s.OutputTokens += u.OutputTokens
		s.CacheReadInputTokens += deref(u.CacheReadInputTokens)
		s.CacheCreationInputTokens += deref(u.CacheCreationInputTokens)
		s.ReasoningTokens += deref(u.ReasoningTokens)
	}
	b := j.Bill(t)
	if b.USD == nil {
		s.UnknownCostJobs++
		return
	}
	if s.CostUSD == nil {
		s.CostUSD, s.CostBasis = new(float64), new(string)
	}
	*s.CostUSD = roundNano(*s.CostUSD + *b.USD)
	if *s.CostBasis != jobs.BasisCurrentPrices {
		*s.CostBasis = b.Basis
	}
}

// Tally groups jobs by provider, model, day or job (by) and adds up their
// spend at the rates of t.
func Tally(list []*store.Job, t *prices.Table, by string) Report {
	r := Report{By: by, Groups: []Group{}, Unpriced: []string{}}
	index := map[string]int{}
	for _, sj := range list {
		j := &jobs.Job{Job: sj, Registered: true}
		key := groupKey(j, by)
		i, ok := index[key]
		if !ok {
			i = len(r.Groups)
			index[key] = i
			r.Groups = append(r.Groups, Group{Key: key, first: j.CreatedAt})
		}
		g := &r.Groups[i]
		g.add(j, t)
		g.first = minTime(g.first, j.CreatedAt)
		r.Total.add(j, t)
		switch b := j.Bill(t); {
		case j.KnownUsage() == nil:
			r.UsageUnknownJobs++
		case b.Basis == jobs.BasisCurrentPrices:
			r.CurrentPricesJobs++
		case b.USD == nil:
			r.UnpricedJobs++
			if name := j.Provider + "/" + j.Model; !slices.Contains(r.Unpriced, name) {
				r.Unpriced = append(r.Unpriced, name)
			}
		}
	}
	slices.Sort(r.Unpriced)
	slices.SortFunc(r.Groups, func(a, b Group) int {
		if by == "job" {
			return cmp.Or(a.first.Compare(b.first), cmp.Compare(a.Key, b.Key))
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return r
}

// groupKey is the group a job falls in.
func groupKey(j *jobs.Job, by string) string {
	switch by {
	case "provider":
		return j.Provider
	case "day":
		return j.CreatedAt.Local().Format(time.DateOnly)
	case "job":
		return j.ID
	}
	return j.Provider + "/" + j.Model
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// roundNano rounds a sum of costs to a billionth of a dollar, as each
// cost is, so that float error does not show.
func roundNano(usd float64) float64 { return float64(int64(usd*1e9+0.5)) / 1e9 }
