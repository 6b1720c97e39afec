package create

import (
	"context"
	"fmt"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/estimate"
	"github.com/batchctl/batchctl/internal/jobs"
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
			with o200k_base, and the error of that is unmeasured.

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

func estimateRun(ctx context.Context, opts *Options) error {
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
	rep, err := estimatePlan(p.m, p.plan, p.profile, cfg)
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
