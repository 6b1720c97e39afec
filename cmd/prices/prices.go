// Package prices implements `batchctl prices`.
package prices

import (
	"context"
	"strconv"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/tableprinter"
)

// Options are the inputs of `batchctl prices`.
type Options struct {
	IO       *iostreams.IOStreams
	Config   func() (*config.Config, error)
	Provider string
	Exporter *cmdutil.Exporter
}

// NewCmdPrices builds the command; runF replaces the run function in tests.
func NewCmdPrices(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config}
	cmd := &cobra.Command{
		Use:   "prices [--provider <name>]",
		Short: "Show the price table that estimates and --max-cost use",
		Long: heredoc.Doc(`
			List the models batchctl knows the price of, in USD per million tokens: input,
			cached input and output at synchronous prices, input and output at batch
			prices, and the most output tokens one request may produce (reasoning
			included), the ceiling of an estimate where a request sets no max_tokens.

			The built-in table names the page each row was read from and the day; rows
			marked unconfirmed could not be checked against the provider's own page.
			--json also gives cache_write and cache_write_1h: the rates of input tokens
			written to a prompt cache for five minutes and for an hour (Anthropic: 1.25
			and 2 times input), which batchctl cost bills cache writes at.
			prices.yaml in BATCHCTL_HOME changes and extends it: a list of entries with a
			model: field (model names hold dots, slashes and colons, which config keys
			cannot), for example

			  - model: gpt-4o            # change one figure of a built-in row
			    batch_input: 1.00
			  - provider: groq           # a new row: provider, model and input at least
			    model: llama-3.1-8b-instant
			    input: 0.05
			    output: 0.08
			    max_output: 8192

			A new row without batch prices takes the synchronous ones. A model matches a
			row by its name, or without a dated snapshot suffix (gpt-4o-2024-08-06 is
			priced as gpt-4o, claude-sonnet-4-5-20250929 as claude-sonnet-4-5), or a
			-latest or -001 suffix, or with -0 added (claude-sonnet-4-20250514 is
			claude-sonnet-4-0). A model without a row has no price: estimates say so, and
			--max-cost refuses it, rather than counting it as free.

			On a terminal it is a table; when piped it is tab-separated with no header:
			provider, model, input, cached_input, output, batch_input, batch_output,
			max_output, confirmed, source, date. --json prints an array of objects.
		`),
		Example: heredoc.Doc(`
			$ batchctl prices --provider anthropic
			$ batchctl prices --jq '.[] | select(.model == "gpt-4o-mini") | .batch_input'
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pricesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Provider, "provider", "p", "", "only the models of this provider")
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the price table", prices.Row{})
	cmdutil.RegisterProviderCompletion(cmd, f, "provider")
	return cmd
}

func pricesRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	table, err := prices.Load(cfg.Home)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	rows := []prices.Row{}
	for _, r := range table.Rows() {
		if opts.Provider == "" || r.Provider == opts.Provider {
			rows = append(rows, r)
		}
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, rows)
	}
	tty := opts.IO.IsStdoutTTY()
	cs := opts.IO.ColorScheme()
	tp := tableprinter.New(opts.IO.Out, tty, opts.IO.TerminalWidth(), cs.Bold)
	tp.Header("PROVIDER", "MODEL", "INPUT", "CACHED", "OUTPUT", "BATCH IN", "BATCH OUT", "MAX OUTPUT", "SOURCE")
	for _, r := range rows {
		if !tty {
			tp.Row(r.Provider, r.Model, usd(r.Input), usd(r.CachedInput), usd(r.Output), usd(r.BatchInput), usd(r.BatchOutput),
				strconv.Itoa(r.MaxOutput), strconv.FormatBool(r.Confirmed), r.Source, r.Date)
			continue
		}
		source := r.Date
		if !r.Confirmed {
			source += " " + cs.Warning("unconfirmed")
		}
		if r.Origin != "built-in" {
			source = r.Origin
		}
		tp.Row(r.Provider, r.Model, usd(r.Input), usd(r.CachedInput), usd(r.Output), usd(r.BatchInput), usd(r.BatchOutput),
			strconv.Itoa(r.MaxOutput), source)
	}
	return tp.Render()
}

func usd(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
