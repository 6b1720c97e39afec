// Package emulator implements `batchctl emulator serve`.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	emu "github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/iostreams"
)

// ServeOptions are the inputs of `batchctl emulator serve`.
type ServeOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)

	Addr     string
	Dir      string
	Duration time.Duration
	APIKey   string
	Faults   string
	Limits   emu.Limits
}

// NewCmdEmulator builds `batchctl emulator` and its subcommands.
func NewCmdEmulator(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "emulator <command>",
		Short: "Run the built-in batch API emulator",
		Long: heredoc.Doc(`
			The emulator speaks the OpenAI, Anthropic, Gemini, Mistral, OpenRouter and xAI batch APIs
			(files, batches, results) and the synchronous endpoints of the first three on loopback,
			keeps its state on disk and answers every request
			deterministically, so pipelines can be tested with no key and no network. The "emulator" provider (--model emulator/echo)
			runs it inside batchctl itself.

			It also serves Amazon Bedrock batch inference (under /bedrock/) and the S3 calls
			batchctl makes (under /s3/), checking SigV4 signatures by a fixed test key pair
			(AWS_ACCESS_KEY_ID=AKIAEMULATOREXAMPLE, AWS_SECRET_ACCESS_KEY=emulator/secret/key/EXAMPLEKEY):
			point AWS_ENDPOINT_URL_BEDROCK and AWS_ENDPOINT_URL_S3 at them.

			And Google Vertex AI batch prediction (under /vertex/), the Cloud Storage JSON API
			calls batchctl makes (at their own paths, /storage/v1/ and /upload/storage/v1/), and
			an OAuth2 token endpoint whose access tokens both check: fetch the service account key
			file /vertex/credentials.json and point GOOGLE_APPLICATION_CREDENTIALS at it,
			GOOGLE_VERTEX_BASE_URL at the root plus /vertex, and STORAGE_EMULATOR_HOST at the root.
		`),
	}
	cmd.AddCommand(newCmdServe(f, nil))
	cmdutil.GroupSubcommands(cmd)
	return cmd
}

func newCmdServe(f *cmdutil.Factory, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{IO: f.IOStreams, Config: f.Config}
	cmd := &cobra.Command{
		Use:   "serve [--addr <host:port>]",
		Short: "Serve the emulator over HTTP",
		Long: heredoc.Doc(`
			Serve the emulator until interrupted. It speaks the OpenAI, Anthropic, Gemini,
			Mistral, OpenRouter and xAI batch protocols on one port; point a client of any of
			them at it (Mistral's API is served under /mistral, OpenRouter's under /api/beta,
			xAI's under /xai/v1):

			  OPENAI_BASE_URL=http://127.0.0.1:8089/v1 OPENAI_API_KEY=test batchctl create ...
			  ANTHROPIC_BASE_URL=http://127.0.0.1:8089 ANTHROPIC_API_KEY=test batchctl create ...
			  GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8089 GEMINI_API_KEY=test batchctl create ...
			  MISTRAL_BASE_URL=http://127.0.0.1:8089/mistral MISTRAL_API_KEY=test batchctl create ...
			  XAI_BASE_URL=http://127.0.0.1:8089/xai/v1 XAI_API_KEY=test batchctl create ...
			  OPENROUTER_BASE_URL=http://127.0.0.1:8089/api/beta OPENROUTER_API_KEY=test batchctl create ...

			Batches move validating → in_progress → finalizing → completed over --duration.
			Chat requests are answered with the last user message ("fixed" model: a fixed
			sentence), embeddings with vectors derived from a hash of the input. Markers in
			a request's text make it fail on purpose: [fail], [fail:429], [error], [expire],
			[drop]. See the emulator section of the README.

			--faults makes the first calls of an operation fail: OP=KIND or OP=KINDxN,
			comma-separated. OP is upload, files, file, content, delete, create, get, list,
			cancel, send (a call to a synchronous endpoint), count (a call to a token-count endpoint) or
			token (a request for an access token, Vertex AI). KIND is 429, 429bare (no Retry-After), 500-599, drop (connection cut
			mid-answer), lost (the work is done, then the connection is cut), hang (the
			work is done, no answer ever), slow (answered after 2s) or late (the request is
			kept and never answered; its work is done only once a later list of batches has
			been answered: a create that lands after the caller's rerun has looked for it).
			For xAI, create is the call adding requests to a batch.

			The synchronous endpoints (chat completions, embeddings, responses, moderations,
			messages, generateContent, embedContent) answer a request as a batch would, after
			--latency plus up to --jitter (drawn from --seed), within --concurrency calls at
			once, --rpm requests and --tpm tokens (input and output) in any minute. A call over
			a limit gets the vendor's 429 with Retry-After, retry-after-ms and its rate-limit
			headers (OpenAI x-ratelimit-*, Anthropic anthropic-ratelimit-*, Gemini a RetryInfo
			detail); with --overload, one over --concurrency gets an overload error instead (503,
			Anthropic 529). --time-scale 60 makes an emulated minute pass in a real second: it
			scales the latency, the rate windows, and the waits and resets the answers name, so
			a test of 5,000 requests at 600 rpm takes seconds. GET /_emulator/stats reports the
			calls admitted and refused and the peak concurrency and per-minute rates admitted.

			--enqueued-token-limit and --enqueued-request-limit set the batch queue quota the
			services enforce: a batch holds its share from creation until it ends (completed,
			failed, expired or cancelled). OpenAI and Gemini count the input tokens of each
			model's unfinished batches (--enqueued-token-limit N for every model, MODEL=N for
			one; repeatable), Anthropic the requests of all unfinished batches
			(--enqueued-request-limit). Tokens are batchctl's own count, the one the emulator's
			count_tokens and countTokens endpoints answer. Over the quota, OpenAI creates the
			batch and fails it with token_limit_exceeded; Gemini answers the create with 429
			RESOURCE_EXHAUSTED, Anthropic with 429 rate_limit_error. GET /_emulator/stats
			reports under "queues" what each protocol's batches hold now and the most they held
			at once, per model and overall, since the state directory was made (a new --dir
			starts over).

			EXIT STATUS
			  0    stopped by Ctrl-C or SIGTERM
			  1    could not listen or serve
			  2    bad flags
		`),
		Example: heredoc.Doc(`
			$ batchctl emulator serve --addr 127.0.0.1:8089 --duration 30s
			$ batchctl emulator serve --rpm 600 --concurrency 20 --latency 2s --jitter 1s --time-scale 60
			$ batchctl emulator serve --enqueued-token-limit 90000 --enqueued-token-limit gpt-4o-mini=2000000
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Duration < 0 {
				return cmdutil.FlagErrorf("--duration must not be negative")
			}
			if err := opts.Limits.Validate(); err != nil {
				return cmdutil.FlagErrorf("limits: %v", err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return serveRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:8089", "address to listen on")
	fl.StringVar(&opts.Dir, "dir", "", "state directory (default: a directory in BATCHCTL_HOME)")
	fl.DurationVar(&opts.Duration, "duration", 10*time.Second, "time a batch takes from creation to completion")
	fl.StringVar(&opts.APIKey, "api-key", "", "accept only this API key (default: any non-empty key)")
	fl.StringVar(&opts.Faults, "faults", "", "inject faults, e.g. create=429x2,get=500x1,content=dropx1")
	fl.DurationVar(&opts.Limits.Latency, "latency", 0, "time each synchronous answer takes (emulated time)")
	fl.DurationVar(&opts.Limits.Jitter, "jitter", 0, "up to this much more latency, drawn from --seed")
	fl.Uint64Var(&opts.Limits.Seed, "seed", 0, "seed of the latency jitter")
	fl.IntVar(&opts.Limits.Concurrency, "concurrency", 0, "most synchronous calls answered at once (0: no limit)")
	fl.BoolVar(&opts.Limits.Overload, "overload", false, "answer calls over --concurrency with an overload error instead of a 429")
	fl.IntVar(&opts.Limits.RPM, "rpm", 0, "most synchronous requests in any minute (0: no limit)")
	fl.Int64Var(&opts.Limits.TPM, "tpm", 0, "most tokens of synchronous requests in any minute (0: no limit)")
	fl.Float64Var(&opts.Limits.TimeScale, "time-scale", 1, "emulated seconds per real second, for latency and rate limits")
	fl.Var(tokenLimitFlag{&opts.Limits.Quota}, "enqueued-token-limit", "most input tokens unfinished batches of a model may hold, for all models or one; repeatable (OpenAI, Gemini)")
	fl.Int64Var(&opts.Limits.Quota.Requests, "enqueued-request-limit", 0, "most requests unfinished batches may hold (Anthropic; 0: no limit)")
	fl.DurationVar(&opts.Limits.TokenLifetime, "token-lifetime", 0, "how long the OAuth2 access tokens of the Vertex AI emulation last (0: an hour)")
	return cmd
}

// tokenLimitFlag is --enqueued-token-limit: each use adds a limit (see
// emulator.SetTokenLimit).
type tokenLimitFlag struct{ quota *emu.Quota }

func (f tokenLimitFlag) String() string {
	if f.quota == nil || len(f.quota.Tokens) == 0 {
		return ""
	}
	return fmt.Sprint(f.quota.Tokens)
}

func (f tokenLimitFlag) Set(value string) error { return emu.SetTokenLimit(f.quota, value) }

func (f tokenLimitFlag) Type() string { return "[MODEL=]N" }

func serveRun(ctx context.Context, opts *ServeOptions) error {
	dir := opts.Dir
	if dir == "" {
		cfg, err := opts.Config()
		if err != nil {
			return err
		}
		dir = filepath.Join(cfg.Home, "emulator-serve")
	}
	if _, err := emu.ParseFaults(opts.Faults); err != nil {
		return cmdutil.FlagErrorf("--faults: %v", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "emulator listening on http://%s/v1 (state in %s); Ctrl-C to stop\n", ln.Addr(), dir)
	err = emu.Serve(ctx, ln, emu.Options{Dir: dir, Duration: opts.Duration, APIKey: opts.APIKey, Faults: opts.Faults, Limits: opts.Limits})
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return nil
	}
	return err
}
