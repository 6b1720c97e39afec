// Package create implements `batchctl create`.
package create

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/estimate"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers/all"
)

// Options are the inputs of `batchctl create`.
type Options struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Manager func() (*jobs.Manager, error)
	Now     func() time.Time

	File     string
	Model    string
	Provider string
	Name     string
	Metadata []string
	DryRun   bool
	// NoEstimate leaves the estimate out of a dry run's plan.
	NoEstimate bool
	// Exact has the provider count the input tokens of the estimate
	// (--exact); nil counts them offline.
	Exact       *ExactCounts
	Force       bool
	MaxRequests int
	MaxBytes    string
	// MaxCost caps the job's cost in USD; nil takes max_cost from the config.
	MaxCost *float64
	// EnqueuedTokens is the job's own enqueued budget; 0 takes the config's.
	EnqueuedTokens int64
	// Priority orders the submission queue: higher first.
	Priority int

	Wait     bool
	Interval time.Duration
	Timeout  time.Duration
	Output   string

	// InputFileID starts the batch from a file the provider already has.
	InputFileID string
	// SchemaFile is a JSON Schema (--schema) for the answers of the
	// requests that ask for none.
	SchemaFile string
	// CompletionWindow overrides the profile's (e.g. 7d on Groq).
	CompletionWindow string

	// Conversion: values that fill what input lines leave unset.
	Prompts     []string
	InputFormat string
	Defaults    jsonl.Defaults

	// Direct runs the job against the synchronous endpoints (as a profile
	// with mode: direct does); Detach runs it in a background worker.
	Direct, Detach        bool
	Concurrency, RPM, TPM int

	// CachePrime sends a cache primer first (--cache-prime); CacheTTL is
	// the lifetime of the cache_control mark it adds (--cache-ttl).
	CachePrime bool
	CacheTTL   string

	Exporter *cmdutil.Exporter
}

// NewCmdCreate builds the command; runF replaces the run function in tests.
func NewCmdCreate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Config:  f.Config,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Now:     f.Now,
	}
	defaultFlags := &requestFlags{}
	var maxCost float64
	var exact bool
	cmd := &cobra.Command{
		Use:   "create {-f <file> | --prompt <text>...} [--model <provider/model>] [flags]",
		Short: "Submit a file of requests as a batch job",
		Long: heredoc.Docf(`
			Validate every request of the input, convert it to the provider's own request
			format, upload it to the provider's batch API and record the job. The job id is
			printed on standard output.

			Each input line is one request, in any of these shapes (detected per line):

			  OpenAI batch line  {"custom_id":"q1","method":"POST","url":"/v1/chat/completions","body":{...}}
			  Anthropic request  {"custom_id":"q1","params":{"model":...,"max_tokens":...,"messages":[...]}}
			  Gemini line        {"key":"q1","request":{"contents":[...]}}
			  simple             {"custom_id":"q1","messages":[...]}, {"prompt":"..."}, {"input":"..."}
			  custom_id + body   {"custom_id":"q1","body":{...}}, endpoint from --endpoint or the body

			With --input-format text, every line is one prompt; --prompt gives prompts on
			the command line. Missing ids are generated from the line number (line-000042).
			A line already in the provider's shape is sent as it is; other shapes are
			converted for the common subset (system prompt, turns, text and images, max
			tokens, temperature, top_p, stop, embeddings input). The request flags
			(--system, --max-tokens, ...) fill what a line leaves unset.

			The whole input is checked before anything is sent: invalid JSON, an unknown
			shape, missing or duplicate ids, ids the provider would reject, mixed endpoints
			or models, lines over the provider's size limit, fields that cannot be carried
			over to the provider. Every problem is reported as file:line: field: reason,
			and nothing is uploaded.

			--schema FILE gives a JSON Schema (draft 2020-12 unless it says otherwise) that
			the answers must follow: it is sent, in the provider's own structured-output
			terms, with every request that asks for none, and kept with the job, with the
			schemas the requests ask for themselves. The results of such a job carry each
			answer parsed and checked (parsed, valid, output_error); see batchctl results.
			A schema file that is not valid JSON Schema is an error (exit 2).

			Inputs larger than one provider batch (requests or bytes, per provider profile,
			or --max-requests/--max-bytes) are split into several batches, the parts of one job.
			One line may be at most as large as one batch (--max-bytes, or the profile's
			max_bytes: 200MB for OpenAI) and takes memory in proportion to its length; a
			longer line, or one that cannot be JSON from its first bytes on, is rejected
			without reading the rest of it.

			Every provider caps what may be enqueued at once per model (OpenAI's batch
			queue limit in prompt tokens, Gemini's enqueued tokens, Anthropic's requests in
			its processing queue). With a budget (enqueued_tokens in the profile's config,
			or --enqueued-tokens for this job), no part counts more than the budget, and the
			parts that do not fit beside what is in flight wait in the queue (status
			queued): create submits what fits and returns; sync, wait and create --wait
			submit the rest as earlier parts end: jobs of higher --priority first, then the
			oldest job first, each job's parts in order. A request larger than
			the budget is an input error (exit 2). A refusal for the quota puts the part
			back in the queue and lowers the budget batchctl has learned; see batchctl queue.

			Running the same create again within 24 hours (same input, provider, model,
			options and --name) does not submit again: it prints the earlier job's id and
			says on standard error which job it reused and why. A job that is running or
			completed is reused; one an interrupted run left unsubmitted or queued is
			finished (batches already made are found, never made twice); a cancelled,
			failed or expired job is never reused: a new job is submitted. Identical
			creates started at once (overlapping cron runs) make one job: the later ones
			wait for the first to finish submitting it, then print its id. --force
			submits anyway.

			Every attempt to create a batch is recorded before it is sent. When a run was
			interrupted with a create in flight, the next run (or sync) looks for the batch
			that create may still make until the provider can no longer make it (the
			attempt's timeout, 5m plus upload time, and a tenth more; BATCHCTL_CREATE_TIMEOUT
			sets the 5m), saying so on standard error, before creating the batch again.

			A direct job (--direct, or a profile with mode: direct such as the built-in
			ollama, vllm and deepseek) uses no batch API: batchctl sends each request to
			the synchronous endpoint of its protocol (/v1/chat/completions, /v1/embeddings,
			/v1/responses, /v1/messages, :generateContent, :embedContent), at most
			--concurrency at once and --rpm requests and --tpm tokens a minute (tokens
			estimated as bytes/4), waiting as 429 and 503 answers ask. create prints the
			job id, then runs it in the foreground, or with --detach in a background worker
			(pid and log in the job directory; cancel stops it). Each outcome is journalled
			as it arrives: after a kill, the same create again, wait or sync resume the job
			and send only the requests without an outcome; one in flight at the kill is
			sent once more at most, and its result line says how often it was sent
			("attempts").

			--cache-prime makes Anthropic's prompt cache pay in a batch, where requests run
			in parallel and do not see each other's cache writes: the prefix all requests
			share (tools, system prompt, leading turns) is marked cacheable with
			cache_control (ttl --cache-ttl, 5m or 1h, default 1h) unless the lines carry
			cache_control already, the first request is sent alone as part 1, the primer,
			and the other parts wait in the submission queue (status queued, "waiting for
			the cache primer") until it has ended: create --wait, wait and sync then submit
			them, as they submit every queued part (see batchctl queue). Its result is that
			request's result: still one line per request. A prefix shorter than the model
			caches (1024 tokens; 2048 or 4096 for some models), a single request, or no
			shared prefix get a note and no primer. OpenAI caches long prefixes by itself
			and Gemini 2.5 implicitly: there the flag says so and changes nothing. After
			the job, status and wait report the cache hit rate, and warn when requests
			sharing a cacheable prefix read nothing from the cache.

			--dry-run prints the plan and the estimate of %[1]sbatchctl estimate%[1]s: tokens and
			the cost range (--no-estimate leaves it out: counting tokens is much slower
			than checking the input); with --exact, Anthropic's and Gemini's token-count
			endpoints count the input tokens, as %[1]sbatchctl estimate --exact%[1]s does. --max-cost USD (default: max_cost in the config) refuses a job
			whose cost at batch prices (a direct job: synchronous prices) may be more, before anything is sent (exit 2): the
			upper bound counts each request's whole output ceiling (its max_tokens, or the
			model's maximum output from the price table), and a model without a price or a
			request without a ceiling cannot be bounded, so it is refused too.

			With --wait, create waits for the job and streams its results like %[1]sbatchctl results%[1]s.
			Without it, --json prints the job (the fields of %[1]sbatchctl status --json%[1]s)
			instead of its id; --jq filters it.

			EXIT STATUS
			  0  created (with --wait: every request succeeded)
			  1  network or provider error
			  2  invalid input or flags, or over --max-cost; nothing was sent
			  3  with --wait: some requests did not succeed
			  4  missing or rejected API key
			  124 with --wait --timeout: still running
			  130 interrupted
		`, "`"),
		Example: heredoc.Doc(`
			# submit to OpenAI (OPENAI_API_KEY) and keep the job id
			$ id=$(batchctl create -f reqs.jsonl --model openai/gpt-4o-mini --name nightly)

			# try it on the built-in emulator: no key, no network
			$ batchctl create -f reqs.jsonl --provider emulator --wait | jq -r .text

			# check a file without sending anything
			$ batchctl create -f reqs.jsonl --provider openai --dry-run

			# one prompt per line, to Anthropic
			$ batchctl create -f questions.txt --input-format text --model anthropic/claude-sonnet-4-5 --max-tokens 512

			# a direct job on a local Ollama server, 4 requests at a time
			$ batchctl create -f reqs.jsonl --model ollama/llama3.2 --concurrency 4

			# answers held to a JSON Schema, checked in the results
			$ batchctl create -f reviews.jsonl --model openai/gpt-4o-mini --schema review.schema.json

			# a few prompts from the command line
			$ batchctl create --prompt "Capital of France?" --prompt "Capital of Japan?" --model emulator/echo --wait
		`),
		Args: inputArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.InputFileID != "" && (opts.File != "" || len(opts.Prompts) > 0):
				return cmdutil.FlagErrorf("--input-file-id cannot be used with -f or --prompt")
			case opts.InputFileID != "" && opts.SchemaFile != "":
				return cmdutil.FlagErrorf("--schema cannot be used with --input-file-id: the requests are in the provider's file (check the answers with batchctl results --schema)")
			case opts.InputFileID != "":
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
			if opts.DryRun && opts.Wait {
				return cmdutil.FlagErrorf("--dry-run and --wait cannot be used together")
			}
			if opts.Exporter.Enabled() && (opts.DryRun || opts.Wait) {
				return cmdutil.FlagErrorf("--json cannot be used with --dry-run or --wait")
			}
			if cmd.Flags().Changed("max-cost") {
				if maxCost < 0 {
					return cmdutil.FlagErrorf("--max-cost must not be negative")
				}
				opts.MaxCost = &maxCost
			}
			if opts.MaxRequests < 1 && cmd.Flags().Changed("max-requests") {
				return cmdutil.FlagErrorf("--max-requests must be at least 1")
			}
			if opts.EnqueuedTokens < 0 || opts.EnqueuedTokens == 0 && cmd.Flags().Changed("enqueued-tokens") {
				return cmdutil.FlagErrorf("--enqueued-tokens must be positive")
			}
			if opts.Timeout < 0 {
				return cmdutil.FlagErrorf("--timeout must not be negative")
			}
			if err := checkPrompts(opts.Prompts); err != nil {
				return err
			}
			if opts.Concurrency < 0 || opts.RPM < 0 || opts.TPM < 0 {
				return cmdutil.FlagErrorf("--concurrency, --rpm and --tpm must not be negative")
			}
			if opts.Detach && opts.Wait {
				return cmdutil.FlagErrorf("--detach and --wait cannot be used together")
			}
			if cmd.Flags().Changed("cache-ttl") && !opts.CachePrime {
				return cmdutil.FlagErrorf("--cache-ttl needs --cache-prime")
			}
			if !slices.Contains(jobs.CacheTTLs, opts.CacheTTL) {
				return cmdutil.FlagErrorf("--cache-ttl %q: want 5m or 1h", opts.CacheTTL)
			}
			if opts.Interval <= 0 && cmd.Flags().Changed("interval") {
				return cmdutil.FlagErrorf("--interval must be positive")
			}
			if exact && opts.NoEstimate {
				return cmdutil.FlagErrorf("--exact and --no-estimate cannot be used together")
			}
			if exact {
				opts.Exact = &ExactCounts{providerFor: f.ProviderFor}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return createRun(cmd.Context(), opts, cmd.Flags().Changed("interval"))
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "JSONL file of requests (`-` for standard input)")
	fl.StringVarP(&opts.Model, "model", "m", "", "model as `provider/model` (default: default_model from the config)")
	fl.StringVarP(&opts.Provider, "provider", "p", "", "provider profile; the model comes from --model or the input")
	fl.StringVar(&opts.Name, "name", "", "a name for the job, usable wherever a job id is")
	fl.StringArrayVar(&opts.Metadata, "metadata", nil, "`key=value` attached to the provider batch (repeatable)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "validate and print the plan; send and record nothing")
	fl.BoolVar(&opts.NoEstimate, "no-estimate", false, "with --dry-run: leave out the token count and cost (faster on large inputs)")
	fl.BoolVar(&exact, "exact", false, "with --dry-run or a cost cap: have the provider count the input tokens (Anthropic, Gemini: their free token-count endpoints)")
	fl.BoolVar(&opts.Force, "force", false, "submit even if a job with the same input, options and name was made within 24h")
	fl.IntVar(&opts.MaxRequests, "max-requests", 0, "most requests in one provider batch (default: the provider's limit)")
	fl.StringVar(&opts.MaxBytes, "max-bytes", "", "largest input of one provider batch, e.g. 100MB (default: the provider's limit)")
	fl.Float64Var(&maxCost, "max-cost", 0, "send nothing if the job may cost more than this many `USD` at batch prices, synchronous for a direct job (default: max_cost; 0 for no cap)")
	fl.Int64Var(&opts.EnqueuedTokens, "enqueued-tokens", 0, "most tokens (Anthropic: requests) this job may have enqueued at the provider at once; the rest waits in the queue (default: enqueued_tokens in the config)")
	fl.IntVar(&opts.Priority, "priority", 0, "order in the submission queue: a job of higher priority has its queued parts submitted first (default 0; then the oldest job first)")
	fl.BoolVarP(&opts.Wait, "wait", "w", false, "wait for the job and stream its results")
	fl.DurationVar(&opts.Interval, "interval", 0, "with --wait: longest pause between polls (default: poll_interval)")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "with --wait: give up waiting after this long (exit 124)")
	fl.StringVarP(&opts.Output, "output", "o", "", "with --wait: write results to `file` instead of standard output")
	fl.StringVar(&opts.SchemaFile, "schema", "", "JSON Schema `file` the answers must follow, sent to requests that ask for none; results are checked against it")
	fl.StringVar(&opts.InputFileID, "input-file-id", "", "start from an input `file` already uploaded to the provider (OpenAI-type, Gemini; Gemini needs --model)")
	fl.StringVar(&opts.CompletionWindow, "completion-window", "", "batch completion window (default: the provider's, 24h; Groq accepts up to 7d)")
	fl.StringArrayVar(&opts.Prompts, "prompt", nil, "a prompt to send (repeatable): one request each, instead of -f")
	fl.StringVar(&opts.InputFormat, "input-format", "jsonl", "input lines are `jsonl` (requests in any accepted shape) or text (one prompt per line)")
	fl.BoolVar(&opts.Direct, "direct", false, "send the requests to the synchronous endpoints, from here, instead of a batch API")
	fl.BoolVar(&opts.Detach, "detach", false, "direct jobs: run in a background worker (pid and log in the job directory)")
	fl.IntVar(&opts.Concurrency, "concurrency", 0, "direct jobs: most requests in flight (default: the profile's, or 8)")
	fl.IntVar(&opts.RPM, "rpm", 0, "direct jobs: most requests a minute (default: the profile's, or no limit)")
	fl.BoolVar(&opts.CachePrime, "cache-prime", false, "mark the prefix the requests share cacheable and send one request first to write the cache (Anthropic)")
	fl.StringVar(&opts.CacheTTL, "cache-ttl", "1h", "with --cache-prime: lifetime of the cache entry, `5m` or 1h")
	fl.IntVar(&opts.TPM, "tpm", 0, "direct jobs: most tokens a minute, estimated as bytes/4 (default: the profile's, or no limit)")
	defaultFlags.add(fl)
	_ = cmd.MarkFlagFilename("file", "jsonl", "txt")
	_ = cmd.MarkFlagFilename("schema", "json")
	_ = cmd.RegisterFlagCompletionFunc("input-format", cobra.FixedCompletions([]string{"jsonl", "text"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("endpoint", cobra.FixedCompletions([]string{"chat", "embeddings", "responses", "completions"}, cobra.ShellCompDirectiveNoFileComp))
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the job", jobs.View{})
	cmdutil.RegisterProviderCompletion(cmd, f, "provider")
	cmdutil.RegisterModelCompletion(cmd, f, "model")
	return cmd
}

func createRun(ctx context.Context, opts *Options, intervalSet bool) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	p, err := prepare(ctx, opts, cfg)
	if err != nil {
		return err
	}
	defer p.done()
	m, plan, spec, profile, window := p.m, p.plan, p.spec, p.profile, p.window
	maxCost, capFrom := maxCostOf(cfg, opts), "max_cost in "+cfg.File
	if opts.MaxCost != nil {
		capFrom = "--max-cost"
	}
	if maxCost > 0 && opts.InputFileID != "" {
		if opts.MaxCost != nil {
			m.Discard(plan)
			return cmdutil.FlagErrorf("--max-cost needs the requests to count: it cannot be used with --input-file-id")
		}
		fmt.Fprintf(opts.IO.ErrOut, "max_cost %s not applied: the requests of a provider file cannot be counted here\n", estimate.Money(maxCost))
		maxCost = 0
	}
	if opts.InputFileID == "" {
		counts := make([]int, len(plan.Parts))
		for i, part := range plan.Parts {
			counts[i] = part.Requests
		}
		if err := all.CheckParts(profile, plan.Model, counts); err != nil {
			m.Discard(plan)
			return &cmdutil.UsageError{Err: err}
		}
	}
	var rep *estimate.Report
	if opts.InputFileID == "" && ((opts.DryRun && !opts.NoEstimate) || maxCost > 0) {
		if rep, err = countTokens(ctx, opts, cfg, p); err != nil {
			m.Discard(plan)
			return err
		}
	} else if opts.Exact != nil {
		m.Discard(plan)
		return cmdutil.FlagErrorf("--exact counts the tokens of an estimate: it needs --dry-run (without --no-estimate) or a cost cap")
	}
	if opts.DryRun {
		printPlan(opts.IO.Out, plan)
		if rep != nil {
			rep.Write(opts.IO.Out)
		}
		m.Discard(plan)
		if rep != nil {
			if err := rep.CheckMaxCost(maxCost, capFrom); err != nil {
				return &cmdutil.UsageError{Err: err}
			}
		}
		return nil
	}
	if rep != nil {
		if err := rep.CheckMaxCost(maxCost, capFrom); err != nil {
			m.Discard(plan)
			return &cmdutil.UsageError{Err: err}
		}
	}
	if !profile.KeySet() {
		m.Discard(plan)
		return &cmdutil.AuthError{
			Err:  fmt.Errorf("no API key for provider %q: %s is not set", profile.Name, profile.APIKeyEnv),
			Hint: fmt.Sprintf("export %s=... (or name another variable with api_key_env in %s)", profile.APIKeyEnv, cfg.File),
		}
	}
	j, err := submit(ctx, opts, m, plan, spec, window)
	if err != nil {
		return err
	}
	if j.Direct() {
		return runDirect(ctx, opts, m, j, profile)
	}
	interval := opts.Interval
	if !intervalSet {
		interval = cfg.PollInterval
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, jobs.ViewOf(j, shared.Prices(opts.IO, m)))
	}
	if !opts.Wait {
		fmt.Fprintln(opts.IO.Out, j.ID)
		return nil
	}
	err = shared.Wait(ctx, opts.IO, m, j, shared.WaitOptions{
		Interval: interval, Fixed: intervalSet, Timeout: opts.Timeout,
	})
	if err != nil {
		return err
	}
	err = shared.WriteResults(ctx, opts.IO, m, j, shared.ResultsOptions{Output: opts.Output})
	shared.ReportCache(ctx, opts.IO, m, j)
	return err
}

// runDirect runs a direct job: in the foreground, its id printed first,
// or with --detach in a background worker.
func runDirect(ctx context.Context, opts *Options, m *jobs.Manager, j *jobs.Job, profile *config.Profile) error {
	limits := jobs.RunLimits{Concurrency: or(opts.Concurrency, profile.Concurrency), RPM: or(opts.RPM, profile.RPM), TPM: or(opts.TPM, profile.TPM)}
	if err := m.SaveRunLimits(j.ID, limits); err != nil {
		return err
	}
	if !opts.Exporter.Enabled() && !opts.Wait { // with --wait, standard output is the results'
		fmt.Fprintln(opts.IO.Out, j.ID)
	}
	cs := opts.IO.ErrColorScheme()
	if opts.Detach && !j.Terminal() {
		pid, err := shared.Detach(j.ID, m.WorkerLogPath(j.ID))
		if err != nil {
			return fmt.Errorf("starting a worker for job %s: %w", j.ID, err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s job %s runs in the background (pid %d, log %s): batchctl status %s shows how it goes, batchctl cancel %s stops it\n",
			cs.Success("✓"), cs.Bold(j.ID), pid, m.WorkerLogPath(j.ID), j.ID, j.ID)
		return nil
	}
	if !j.Terminal() {
		err := shared.RunDirect(ctx, opts.IO, m, j, time.Time{})
		if _, busy := errors.AsType[*jobs.BusyError](err); busy {
			fmt.Fprintf(opts.IO.ErrOut, "another batchctl process is running job %s; batchctl wait %s waits for it\n", j.ID, j.ID)
			return nil
		}
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "job %s is not finished: run the same create again, batchctl wait %s or batchctl sync to resume it; requests that have an outcome are not sent again\n", j.ID, j.ID)
			return err
		}
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, jobs.ViewOf(j, shared.Prices(opts.IO, m)))
	}
	if opts.Wait {
		return shared.WriteResults(ctx, opts.IO, m, j, shared.ResultsOptions{Output: opts.Output})
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s job %s %s: %d succeeded, %d failed\n", cs.Success("✓"), cs.Bold(j.ID), j.Status, j.Counts.Succeeded, j.Counts.Failed)
	return nil
}

// or is v, or def when v is 0.
func or(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}

// prepared is a validated, converted input ready to submit or estimate.
type prepared struct {
	m       *jobs.Manager
	plan    *jobs.Plan
	spec    jobs.Spec
	profile *config.Profile
	window  string
	done    func()
}

// prepare checks the flags and the input, and converts and splits the
// input into the job's parts (a dry run's in a temporary directory).
func prepare(ctx context.Context, opts *Options, cfg *config.Config) (p *prepared, err error) {
	providerName, model, err := resolveModel(cfg, opts.Model, opts.Provider)
	if err != nil {
		return nil, err
	}
	schema, err := shared.ReadSchema(opts.SchemaFile)
	if err != nil {
		return nil, err
	}
	profile, err := cfg.Profile(providerName)
	if err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	if opts.Direct && !profile.Direct() {
		c := *profile
		c.Mode = config.ModeDirect
		profile = &c
	}
	switch {
	case !profile.Direct() && (opts.Detach || opts.Concurrency > 0 || opts.RPM > 0 || opts.TPM > 0):
		return nil, cmdutil.FlagErrorf("--detach, --concurrency, --rpm and --tpm are for direct jobs: add --direct, or use a profile with mode: direct")
	case profile.Direct() && opts.InputFileID != "":
		return nil, cmdutil.FlagErrorf("--input-file-id cannot be used with a direct job: its requests are sent from here")
	}
	// Whatever can be found wrong here is found before the job is recorded.
	if err := all.Check(cfg, profile); err != nil {
		return nil, &cmdutil.UsageError{Err: err}
	}
	window := profile.CompletionWindow
	if opts.CompletionWindow != "" {
		window = opts.CompletionWindow
	}
	meta, err := parseMetadata(opts.Metadata)
	if err != nil {
		return nil, err
	}
	var maxBytes int64
	if opts.MaxBytes != "" {
		if maxBytes, err = config.ParseBytes(opts.MaxBytes); err != nil {
			return nil, cmdutil.FlagErrorf("--max-bytes: %v", err)
		}
	}
	// A dry run reads the parts back only for the estimate, and for the
	// cache primer it splits off.
	checkOnly := opts.DryRun && opts.NoEstimate && opts.InputFileID == "" && maxCostOf(cfg, opts) == 0 && !opts.CachePrime
	m, id, done, err := manager(ctx, opts, cfg, checkOnly)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			done()
		}
	}()
	spec := jobs.Spec{
		File: opts.File, Profile: profile, Model: model, Name: opts.Name,
		Metadata: meta, MaxRequests: opts.MaxRequests, MaxBytes: maxBytes,
		Defaults: opts.Defaults, TextInput: opts.InputFormat == "text",
		CompletionWindow: window, Schema: schema, CheckOnly: checkOnly,
		EnqueuedTokens: opts.EnqueuedTokens, Priority: opts.Priority,
	}
	if opts.CachePrime {
		if note := jobs.CachePrimeNote(jobs.TargetOf(profile), profile.Name, profile.Direct()); note != "" {
			fmt.Fprintln(opts.IO.ErrOut, note)
		}
		if jobs.TargetOf(profile) == jsonl.TargetAnthropic {
			spec.CachePrime = opts.CacheTTL
		}
	}
	var plan *jobs.Plan
	if opts.InputFileID != "" {
		spec.File = "provider file " + opts.InputFileID
		kind := opts.Defaults.Endpoint
		if kind == "" {
			kind = jsonl.KindChat
		}
		if plan, err = m.PrepareRemote(id, spec, opts.InputFileID, kind); err != nil {
			return nil, &cmdutil.UsageError{Err: err}
		}
	} else {
		in, closeIn, err := openInput(opts.IO, opts.File, opts.Prompts)
		if err != nil {
			return nil, err
		}
		defer closeIn()
		if spec.File == "" {
			spec.File = "--prompt"
		}
		spec.Input = in
		if plan, err = m.Prepare(ctx, id, spec); err != nil {
			return nil, err
		}
		if plan.PrimeNote != "" {
			fmt.Fprintln(opts.IO.ErrOut, plan.PrimeNote)
		}
	}
	return &prepared{m: m, plan: plan, spec: spec, profile: profile, window: window, done: done}, nil
}

// submit records and submits the job, unless a job doing the same work
// may be reused (jobs.Manager.Create), so a cron line can run again safely.
func submit(ctx context.Context, opts *Options, m *jobs.Manager, plan *jobs.Plan, spec jobs.Spec, window string) (*jobs.Job, error) {
	cs := opts.IO.ErrColorScheme()
	res, err := m.Create(ctx, plan, spec, jobs.CreateOptions{Force: opts.Force})
	if res != nil && res.Replaced != "" {
		fmt.Fprintln(opts.IO.ErrOut, res.Replaced)
	}
	if res != nil && res.Reused {
		fmt.Fprintf(opts.IO.ErrOut, "reusing job %s (same input, name and options, created %s): %s; not submitting again (--force submits anyway)\n",
			cs.Bold(res.Job.ID), cmdutil.FuzzyAgo(opts.Now(), res.Job.CreatedAt), res.Why)
	}
	if err != nil {
		if res != nil && res.Job != nil {
			return nil, shared.Unfinished(opts.IO, res.Job, err)
		}
		return nil, err
	}
	j := res.Job
	switch {
	case res.Resumed && jobs.QueuedParts(j) > 0:
		shared.SayQueued(opts.IO, j)
		return j, nil
	case res.Resumed:
		fmt.Fprintf(opts.IO.ErrOut, "%s finished submitting job %s\n", cs.Success("✓"), cs.Bold(j.ID))
		return j, nil
	case res.Reused:
		return j, nil
	}
	what := cmdutil.Plural(j.Requests, "request")
	if jobs.RemoteInput(j.Parts[0]) {
		what = "provider file " + j.Parts[0].InputFileID
	}
	on := j.Provider
	if j.Model != "" {
		on += "/" + j.Model
	}
	if j.Direct() {
		fmt.Fprintf(opts.IO.ErrOut, "%s created direct job %s: %s on %s\n", cs.Success("✓"), cs.Bold(j.ID), what, on)
		return j, nil
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s created job %s: %s on %s in %s\n",
		cs.Success("✓"), cs.Bold(j.ID), what, on, cmdutil.Plural(len(j.Parts), "batch"))
	shared.SayQueued(opts.IO, j)
	return j, nil
}

// resolveModel reads --model/--provider with default_model as the fallback.
// The model is "" when only a provider is given: the input's model is used.
func resolveModel(cfg *config.Config, modelFlag, providerFlag string) (provider, model string, err error) {
	spec := modelFlag
	if spec == "" && providerFlag != "" {
		return providerFlag, "", nil
	}
	if spec == "" {
		spec = cfg.DefaultModel
	}
	if spec == "" {
		return "", "", cmdutil.FlagErrorf("no model: pass --model provider/model (e.g. openai/gpt-4o-mini), --provider, or set default_model in %s", cfg.File)
	}
	provider, model, err = config.ParseModel(spec, providerFlag)
	if err != nil {
		return "", "", cmdutil.FlagErrorf("--model: %v", err)
	}
	return provider, model, nil
}

func parseMetadata(pairs []string) (map[string]string, error) {
	meta := map[string]string{}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, cmdutil.FlagErrorf("--metadata %q is not key=value", kv)
		}
		if strings.HasPrefix(k, "batchctl_") {
			return nil, cmdutil.FlagErrorf("--metadata key %q: the batchctl_ prefix is reserved", k)
		}
		meta[k] = v
	}
	return meta, nil
}

func openInput(ios *iostreams.IOStreams, path string, prompts []string) (io.Reader, func(), error) {
	if len(prompts) > 0 {
		return jsonl.PromptLines(prompts), func() {}, nil
	}
	if path == "-" {
		return ios.In, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("reading input: %w", err)}
	}
	// A directory opens, then fails the first read as an I/O error; it is
	// a mistake in the arguments.
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("reading input: %s: is a directory", path)}
	}
	return f, func() { f.Close() }, nil
}

// checkPrompts rejects a --prompt that is not valid UTF-8, as a file
// holding the same bytes is rejected, rather than sending U+FFFD for them.
func checkPrompts(prompts []string) error {
	for i, p := range prompts {
		if bad := jsonscan.InvalidUTF8([]byte(p)); bad < len(p) {
			return cmdutil.FlagErrorf("--prompt %d: invalid UTF-8 at byte %d", i+1, bad+1)
		}
	}
	return nil
}

func printPlan(w io.Writer, p *jobs.Plan) {
	fmt.Fprintf(w, "provider\t%s\n", p.Provider)
	fmt.Fprintf(w, "model\t%s\n", p.Model)
	fmt.Fprintf(w, "endpoint\t%s\n", p.Endpoint)
	fmt.Fprintf(w, "requests\t%d\n", p.Requests)
	fmt.Fprintf(w, "bytes\t%d\n", p.Bytes)
	fmt.Fprintf(w, "batches\t%d\n", len(p.Parts))
	for i, part := range p.Parts {
		queue := ""
		if part.Tokens > 0 { // split to an enqueued budget
			queue = fmt.Sprintf(", %d enqueued %s", part.Tokens, p.QueueUnit)
		}
		fmt.Fprintf(w, "batch %d\t%s, %s%s\n", i+1, cmdutil.Plural(part.Requests, "request"), shared.Size(part.Bytes), queue)
	}
}

// maxCostOf is the cost cap create applies: --max-cost, or max_cost from
// the config.
func maxCostOf(cfg *config.Config, opts *Options) float64 {
	if opts.MaxCost != nil {
		return *opts.MaxCost
	}
	return cfg.MaxCost
}

// manager is the job manager and the new job's id. A dry run writes no
// state: it opens no registry, and the converted input goes to a temporary
// directory that done removes, or nowhere with checkOnly.
func manager(ctx context.Context, opts *Options, cfg *config.Config, checkOnly bool) (m *jobs.Manager, id string, done func(), err error) {
	if !opts.DryRun {
		if m, err = opts.Manager(); err != nil {
			return nil, "", nil, err
		}
		id, err = m.NewID(ctx)
		return m, id, func() {}, err
	}
	if checkOnly {
		return jobs.NewManager(cfg, nil), "dry-run", func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "batchctl-dry-run-")
	if err != nil {
		return nil, "", nil, err
	}
	dry := *cfg
	dry.Home = tmp
	return jobs.NewManager(&dry, nil), "dry-run", func() { os.RemoveAll(tmp) }, nil
}

// requestFlags are the flags that fill what input lines leave unset.
type requestFlags struct {
	system, endpoint, encodingFormat, taskType string
	maxTokens, dimensions                      int
	temperature, topP                          float64
	stop                                       []string
}

func (r *requestFlags) add(fl *pflag.FlagSet) {
	fl.StringVar(&r.system, "system", "", "system prompt for requests that have none")
	fl.IntVar(&r.maxTokens, "max-tokens", 0, "most output tokens, for requests that do not say (required by Anthropic)")
	fl.Float64Var(&r.temperature, "temperature", 0, "sampling temperature, for requests that do not say")
	fl.Float64Var(&r.topP, "top-p", 0, "nucleus sampling top_p, for requests that do not say")
	fl.StringArrayVar(&r.stop, "stop", nil, "stop sequence, for requests that have none (repeatable)")
	fl.StringVar(&r.endpoint, "endpoint", "", "what simple, text and custom_id+body lines ask for: chat, embeddings, responses or completions")
	fl.IntVar(&r.dimensions, "dimensions", 0, "embedding dimensions (OpenAI dimensions, Gemini outputDimensionality)")
	fl.StringVar(&r.encodingFormat, "encoding-format", "", "OpenAI embeddings encoding: float or base64")
	fl.StringVar(&r.taskType, "task-type", "", "Gemini embeddings task type, e.g. RETRIEVAL_DOCUMENT")
}

// readDefaults turns the request flags the user set into conversion defaults.
func readDefaults(cmd *cobra.Command, opts *Options, r *requestFlags) error {
	set := cmd.Flags().Changed
	d := jsonl.Defaults{System: r.system, Stop: r.stop, Endpoint: jsonl.Kind(r.endpoint),
		EncodingFormat: r.encodingFormat, TaskType: r.taskType}
	if set("max-tokens") {
		if r.maxTokens <= 0 {
			return cmdutil.FlagErrorf("--max-tokens must be positive")
		}
		d.MaxTokens = &r.maxTokens
	}
	if set("dimensions") {
		if r.dimensions <= 0 {
			return cmdutil.FlagErrorf("--dimensions must be positive")
		}
		d.Dimensions = &r.dimensions
	}
	if set("temperature") {
		d.Temperature = &r.temperature
	}
	if set("top-p") {
		d.TopP = &r.topP
	}
	opts.Defaults = d
	return nil
}

// inputArgs refuses positional arguments; one that names a file of
// requests was meant for -f, and the error says so.
func inputArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if _, err := os.Stat(args[0]); err == nil || strings.HasSuffix(args[0], ".jsonl") {
		return cmdutil.FlagErrorf("unknown argument %q; did you mean -f %s?", args[0], args[0])
	}
	return cmdutil.NoArgs(cmd, args)
}
