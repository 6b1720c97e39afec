package create

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/estimate"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/numfmt"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
)

// NewCmdEstimate builds `batchctl estimate`: create's input checks and
// conversion, then the count and the price of the requests, sending
// nothing. runF replaces the run function in tests.
func NewCmdEstimate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Config:  f.Config,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Now:     f.Now,
		DryRun:  true,
	}
	defaultFlags := &requestFlags{}
	var exact bool
	cmd := &cobra.Command{
		Use:   "estimate {-f <file> | --prompt <text>...} [--model <provider/model>] [flags]",
		Short: "Count the tokens of a file of requests and what they would cost",
		Long: heredoc.Docf(`
			Check and convert the input exactly as %[1]sbatchctl create%[1]s would, then count the
			tokens of every request in the provider's terms and price them. Nothing is sent
			and nothing is recorded.

			Printed: the requests, the input tokens, the output tokens as a range from 0 to
			the sum of each request's ceiling (its max_tokens, max_completion_tokens,
			max_output_tokens or maxOutputTokens, which include reasoning tokens, or the
			model's maximum output from the price table where a request sets none), and the
			cost range at the provider's batch prices and at its synchronous prices (what
			the batch saves), per part when the job would be split into several batches.

			OpenAI models are counted exactly, offline, with the model's encoding
			(o200k_base for gpt-4o, gpt-4.1, gpt-5 and the o-series, cl100k_base for gpt-4,
			gpt-3.5 and the embedding models) and the chat format's overhead of 3 tokens a
			message and 3 for the reply. Images (from their size, read from the data: URL)
			and tool definitions follow the providers' published rules and are estimates.
			Anthropic and Gemini publish no offline tokenizer: their text is approximated
			with o200k_base, and the error of that is unmeasured. With --exact, each distinct
			request is sent to the provider's free token-count endpoint instead (Anthropic's
			POST /v1/messages/count_tokens, Gemini's models/{model}:countTokens), up to 8 at
			once, fewer while the provider answers 429, each retried as other calls are;
			the requests themselves are not sent. --exact has nothing to ask for OpenAI
			models, counted exactly offline already.

			Prices come from the built-in table (see %[1]sbatchctl prices%[1]s) and prices.yaml
			in BATCHCTL_HOME. A model without a price is said to have none, never priced at 0.

			EXIT STATUS
			  0  estimated
			  2  invalid input or flags
		`, "`"),
		Example: heredoc.Doc(`
			$ batchctl estimate -f reqs.jsonl --model openai/gpt-4o-mini
			$ batchctl estimate -f questions.txt --input-format text --model anthropic/claude-sonnet-4-5 --max-tokens 512
			$ batchctl estimate -f reqs.jsonl --model openai/gpt-4.1 --jq .batch_cost.max
			$ batchctl estimate -f reqs.jsonl --model anthropic/claude-sonnet-4-5 --exact
		`),
		Args: inputArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.File == "" && len(opts.Prompts) == 0:
				return cmdutil.FlagErrorf("no input: pass -f FILE, -f - to read standard input, or --prompt TEXT")
			case opts.File != "" && len(opts.Prompts) > 0:
				return cmdutil.FlagErrorf("-f and --prompt cannot be used together")
			case opts.InputFormat != "jsonl" && opts.InputFormat != "text":
				return cmdutil.FlagErrorf("--input-format %q: want jsonl or text", opts.InputFormat)
			}
			if err := readDefaults(cmd, opts, defaultFlags); err != nil {
				return err
			}
			if opts.MaxRequests < 1 && cmd.Flags().Changed("max-requests") {
				return cmdutil.FlagErrorf("--max-requests must be at least 1")
			}
			if err := checkPrompts(opts.Prompts); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if exact {
				opts.Exact = &ExactCounts{providerFor: f.ProviderFor}
			}
			return estimateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "JSONL file of requests (`-` for standard input)")
	fl.StringVarP(&opts.Model, "model", "m", "", "model as `provider/model` (default: default_model from the config)")
	fl.StringVarP(&opts.Provider, "provider", "p", "", "provider profile; the model comes from --model or the input")
	fl.IntVar(&opts.MaxRequests, "max-requests", 0, "most requests in one provider batch (default: the provider's limit)")
	fl.StringVar(&opts.MaxBytes, "max-bytes", "", "largest input of one provider batch, e.g. 100MB (default: the provider's limit)")
	fl.StringArrayVar(&opts.Prompts, "prompt", nil, "a prompt (repeatable): one request each, instead of -f")
	fl.BoolVar(&exact, "exact", false, "have the provider count the input tokens (Anthropic, Gemini: their free token-count endpoints)")
	fl.StringVar(&opts.InputFormat, "input-format", "jsonl", "input lines are `jsonl` (requests in any accepted shape) or text (one prompt per line)")
	defaultFlags.add(fl)
	_ = cmd.MarkFlagFilename("file", "jsonl", "txt")
	_ = cmd.RegisterFlagCompletionFunc("input-format", cobra.FixedCompletions([]string{"jsonl", "text"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("endpoint", cobra.FixedCompletions([]string{"chat", "embeddings", "responses", "completions"}, cobra.ShellCompDirectiveNoFileComp))
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the estimate", estimate.Report{})
	cmdutil.RegisterProviderCompletion(cmd, f, "provider")
	cmdutil.RegisterModelCompletion(cmd, f, "model")
	return cmd
}

// ExactCounts is what --exact needs: the provider of the profile.
type ExactCounts struct {
	providerFor func(*config.Profile) (providers.Provider, error)
}

// estimateMemoryLimit is the soft memory limit of `batchctl estimate`
// (debug.SetMemoryLimit), unless GOMEMLIMIT sets one: the vocabulary
// takes about 25 MiB that stay live, and the Go collector's default
// (collect when the heap doubles) would let the garbage of counting take
// as much again, so that a long input would peak near 90 MiB. Under this
// limit the collector runs more often and the peak stays under 64 MiB
// whatever the input's size. Each MiB less costs CPU time: on the bench's
// 200 MB input, idle, 44 MiB peaked at 65-66 MiB in 11.7 CPU-s, 42 MiB at
// 62.8 MiB in 13.6-15.0 CPU-s, 40 MiB at 61.4 MiB in 14.2-15.7 CPU-s.
const estimateMemoryLimit = 42 << 20

func estimateRun(ctx context.Context, opts *Options) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(estimateMemoryLimit)
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	p, err := prepare(ctx, opts, cfg)
	if err != nil {
		return err
	}
	defer p.done()
	defer p.m.Discard(p.plan)
	rep, err := countTokens(ctx, opts, cfg, p)
	if err != nil {
		return err
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, rep)
	}
	w := opts.IO.Out
	model := rep.Model
	if model == "" {
		model = "(per request)"
	}
	fmt.Fprintf(w, "provider\t%s\n", rep.Provider)
	fmt.Fprintf(w, "model\t%s\n", model)
	fmt.Fprintf(w, "requests\t%d\n", rep.Requests)
	fmt.Fprintf(w, "batches\t%d\n", len(p.plan.Parts))
	rep.Write(w)
	return nil
}

// countTokens counts and prices a prepared job's requests: offline, or
// with the provider's token-count endpoint when opts.Exact is set.
func countTokens(ctx context.Context, opts *Options, cfg *config.Config, p *prepared) (*estimate.Report, error) {
	table, err := prices.Load(cfg.Home)
	if err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	in := estimate.ForPlan(p.m, p.plan, p.profile, table)
	if opts.Exact != nil {
		if in.Exact, err = opts.Exact.counter(opts, cfg, p); err != nil {
			return nil, err
		}
	}
	rep, err := estimate.RunContext(ctx, in)
	if in.Exact != nil && in.Exact.Progress != nil {
		fmt.Fprint(opts.IO.ErrOut, "\r\033[K") // the progress line
	}
	return rep, err
}

// counter returns the Exact of the job's provider, or nil, with a note,
// when it has no token-count endpoint.
func (ex *ExactCounts) counter(opts *Options, cfg *config.Config, p *prepared) (*estimate.Exact, error) {
	switch jobs.TargetOf(p.profile) {
	case jsonl.TargetAnthropic, jsonl.TargetGemini:
	case jsonl.TargetOpenAI:
		fmt.Fprintf(opts.IO.ErrOut, "note: --exact asks nothing of %s: OpenAI models are counted exactly offline (images and tools by the published rules), other models approximately\n", p.profile.Name)
		return nil, nil
	default:
		fmt.Fprintf(opts.IO.ErrOut, "note: --exact asks nothing of %s: it has no token-count endpoint, and its counts are offline approximations\n", p.profile.Name)
		return nil, nil
	}
	prov, err := ex.providerFor(p.profile)
	if err != nil {
		return nil, err
	}
	tc, ok := tokenCounter(prov)
	if !ok {
		return nil, fmt.Errorf("provider %q has no token-count endpoint", p.profile.Name)
	}
	x := &estimate.Exact{Counter: tc, Endpoint: p.plan.Endpoint, Model: p.plan.Model, Retry: cmdutil.RetryPolicy(cfg, opts.IO)}
	if opts.IO.IsStderrTTY() {
		x.Progress = exactProgress(opts.IO.ErrOut, p.profile.Name, p.plan.Requests)
	}
	return x, nil
}

// tokenCounter finds the token counter under the provider's wrappers.
func tokenCounter(p providers.Provider) (providers.TokenCounter, bool) {
	for {
		if tc, ok := p.(providers.TokenCounter); ok {
			return tc, true
		}
		u, ok := p.(interface{ Unwrap() providers.Provider })
		if !ok {
			return nil, false
		}
		p = u.Unwrap()
	}
}

// exactProgress redraws one line on a terminal's stderr, ten times a
// second at most: how many of the requests have been counted.
func exactProgress(w io.Writer, provider string, total int) func(int64) {
	var mu sync.Mutex
	var last time.Time
	return func(done int64) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || done == int64(total) {
			last = now
			fmt.Fprintf(w, "\r\033[Kcounting tokens with %s: %s of %s requests", provider, numfmt.Thousands(done), numfmt.Thousands(int64(total)))
		}
	}
}
