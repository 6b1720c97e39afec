// Package results implements `batchctl results`.
package results

import (
	"context"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// Options are the inputs of `batchctl results`.
type Options struct {
	IO       *iostreams.IOStreams
	Manager  func() (*jobs.Manager, error)
	Provider func(name string) (providers.Provider, error)

	Ref          string
	ProviderName string
	FromFile     string
	Output       string
	Raw          bool
	Merged       bool
	JSON         bool
	Partial      bool
	Invalid      bool
	SchemaFile   string
	Statuses     []providers.ResultStatus
}

// NewCmdResults builds the command; runF replaces the run function in tests.
func NewCmdResults(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:       f.IOStreams,
		Manager:  func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Provider: f.Provider,
	}
	var statuses []string
	cmd := &cobra.Command{
		Use:   "results {<job> | --from-file <file> --provider <name>}",
		Short: "Stream a finished job's results as JSON lines",
		Long: heredoc.Doc(`
			Write one JSON object per submitted request (JSON Lines), the same keys for
			every provider:

			  {"custom_id":"q1","status":"succeeded","job":"j7k2m9","provider":"openai",
			   "batch_id":"batch_abc","model":"gpt-4o-mini","text":"Paris.","embedding":null,
			   "embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":"stop",
			   "usage":{"input_tokens":12,"output_tokens":3,"cache_read_input_tokens":null,
			   "cache_creation_input_tokens":null,"reasoning_tokens":null},"parsed":null,
			   "valid":null,"output_error":null,"error":null,"attempts":null,"response":{...}}

			Every key is always present, null where it does not apply. status is one of
			succeeded, errored, expired, canceled, missing (the provider returned nothing for a
			submitted request), or pending (only with --partial). text is the answer's text;
			embedding requests carry "embedding" (numbers, whatever the encoding format), or
			"embeddings" for several inputs, instead, and moderation requests "moderation":
			{"flagged","categories"}, the categories flagged in any input ([] when none).
			tool_calls is null, or the tools the answer called, [{"id","name","arguments"}] with
			the arguments as parsed JSON (Gemini's calls have a null id). usage counts every
			input token (cached ones included) and every output token (reasoning included);
			cache_read_input_tokens, cache_creation_input_tokens and reasoning_tokens are
			the parts of them read from or written to a prompt cache or spent reasoning,
			null where the provider does not report them.

			When the job has a schema (create --schema, or the requests' own
			response_format, output_format or responseJsonSchema), each succeeded line
			carries "parsed", the answer's JSON, and "valid": true, or false with
			"output_error": {"path","message"}, where (a JSON Pointer into parsed, "" for
			the whole answer) and why it does not validate. Where the provider applied the
			schema natively, the answer must be JSON alone; where it could not (the schema
			only asked for), a code fence or prose around the JSON is tolerated. A tool call
			whose arguments were not JSON keeps them as a string, with output_error and
			valid false. Lines of jobs without a schema have all three null.
			--invalid writes only the lines with valid false (batchctl retry --invalid
			resubmits them); --schema FILE checks the answers against FILE instead, for any
			job or --from-file.
			error is null or {"type","message","code","http_status"}: code a string or null,
			http_status a number or null when the request got no HTTP answer. response is the
			provider's own
			response body. Every submitted request yields exactly one line.

			On a terminal, unless --json is given, each result is instead shown as one line
			for reading: its id, status, the first line of its text (of its error when it
			did not succeed) and its tokens (input→output). Piped, or with -o, it is always
			the JSON lines above.

			The provider's result files are downloaded once and kept with the job, so later
			calls read the local copy. --raw writes the provider's own lines instead.

			What a provider sends is checked as it arrives: a result line longer than 64 MiB,
			or results larger than 64 MiB per request of the batch, end the download with
			exit status 1 and nothing kept. Lines for ids that were not submitted, and
			repeats of an id, are left out and counted in a warning; the first line for an
			id wins.

			-o FILE replaces a regular file only once the results are complete; a FIFO or
			device (such as /dev/stdout) is written in place.

			When standard error is a terminal, a summary of the outcomes follows the results
			there ("job j7k2m9 completed: 2 succeeded, 1 errored of 3 requests"); otherwise
			the exit status says it.

			--merged follows the job's retry chain (batchctl retry): one line per original
			request, in the original input order, with the outcome of the newest finished job
			that ran it.

			--partial gives a snapshot of a job still running, instead of an error: one line
			per request, with its outcome where it is known (the parts of a split job that
			have ended) and status "pending" otherwise. The batch APIs report nothing per
			request before a batch ends, so every request of a running batch is pending;
			a note on stderr counts them. It exits 0 unless a known outcome did not succeed.

			--from-file normalizes a results file in a provider's own format that is already
			on disk (downloaded elsewhere, or written by --raw; - reads standard input), with
			no registry and no network: every line gives one result, with "job" and
			"batch_id" empty, as for a batch made elsewhere. --provider names its format
			(openai, anthropic, gemini, mistral, openrouter, xai, or a profile of one of them).

			EXIT STATUS
			  0  every request succeeded
			  1  network or provider error, or the job has not ended
			  2  no such job or file, or bad flags
			  3  results written, but some requests did not succeed (not with --raw)
			  4  missing or rejected API key
		`),
		Example: heredoc.Doc(`
			$ batchctl results j7k2m9 | jq -r '.text'
			$ batchctl results j7k2m9 --status errored,expired | jq -r '.custom_id'
			$ batchctl results nightly -o answers.jsonl
			$ batchctl results --from-file batch_abc_output.jsonl --provider openai | jq -r '.text'
			$ batchctl results j7k2m9 --invalid | jq -c '{custom_id, output_error}'
			$ batchctl results --from-file out.jsonl --provider openai --schema review.schema.json
		`),
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: cmdutil.CompleteJobs(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkArgs(opts, args); err != nil {
				return err
			}
			var err error
			if opts.Statuses, err = shared.ParseStatuses(statuses); err != nil {
				return err
			}
			if opts.Raw && (len(opts.Statuses) > 0 || opts.Merged || opts.Partial) {
				return cmdutil.FlagErrorf("--raw cannot be used with --status, --merged or --partial")
			}
			if opts.Raw && (opts.Invalid || opts.SchemaFile != "") {
				return cmdutil.FlagErrorf("--raw cannot be used with --invalid or --schema: the provider's own lines are not checked")
			}
			if opts.Partial && (opts.Merged || opts.FromFile != "") {
				return cmdutil.FlagErrorf("--partial cannot be used with --merged or --from-file")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return resultsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	shared.AddProviderFlag(cmd, f, &opts.ProviderName)
	fl.StringVar(&opts.FromFile, "from-file", "", "normalize a provider results `file` on disk instead of a job's (with --provider; - for stdin)")
	_ = cmd.MarkFlagFilename("from-file", "jsonl")
	_ = cmd.MarkFlagFilename("schema", "json")
	fl.StringVarP(&opts.Output, "output", "o", "", "write to `file` instead of standard output")
	fl.BoolVar(&opts.Raw, "raw", false, "write the provider's own result lines")
	fl.BoolVar(&opts.JSON, "json", false, "write the JSON lines even on a terminal")
	fl.BoolVar(&opts.Merged, "merged", false, "one line per original request across the job and its retries (newest outcome)")
	fl.BoolVar(&opts.Partial, "partial", false, "a snapshot of a job still running: each request's outcome where known, else pending")
	fl.BoolVar(&opts.Invalid, "invalid", false, "only the answers that do not validate against the schema (valid false)")
	fl.StringVar(&opts.SchemaFile, "schema", "", "check the answers against this JSON Schema `file` instead of the job's")
	fl.StringSliceVar(&statuses, "status", nil, "only results with these statuses: succeeded, errored, expired, canceled, missing, pending")
	_ = cmd.RegisterFlagCompletionFunc("status", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, s := range providers.ResultStatuses {
			out = append(out, string(s))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// checkArgs checks the job argument against --from-file, which replaces it.
func checkArgs(opts *Options, args []string) error {
	if opts.FromFile == "" {
		if len(args) == 0 {
			return cmdutil.FlagErrorf("a job id is required: batchctl results <job>")
		}
		opts.Ref = args[0]
		return nil
	}
	switch {
	case len(args) > 0:
		return cmdutil.FlagErrorf("--from-file cannot be used with a job (%q)", args[0])
	case opts.ProviderName == "":
		return cmdutil.FlagErrorf("--from-file needs --provider to name the file's format")
	case opts.Raw || opts.Merged:
		return cmdutil.FlagErrorf("--from-file cannot be used with --raw or --merged")
	}
	return nil
}

func resultsRun(ctx context.Context, opts *Options) error {
	schema, err := shared.LoadSchema(opts.SchemaFile)
	if err != nil {
		return err
	}
	ro := shared.ResultsOptions{Output: opts.Output, Raw: opts.Raw, Statuses: opts.Statuses, Merged: opts.Merged, Partial: opts.Partial,
		Invalid: opts.Invalid, Schema: schema}
	ro.Readable = (opts.Output == "" || opts.Output == "-") && !opts.Raw && !opts.JSON && opts.IO.IsStdoutTTY()
	if opts.FromFile != "" {
		p, err := opts.Provider(opts.ProviderName)
		if err != nil {
			return err
		}
		return shared.WriteFileResults(ctx, opts.IO, p, opts.FromFile, ro)
	}
	m, j, err := shared.LoadJob(ctx, opts.Manager, opts.Ref, opts.ProviderName, true)
	if err != nil {
		return err
	}
	return shared.WriteResults(ctx, opts.IO, m, j, ro)
}
