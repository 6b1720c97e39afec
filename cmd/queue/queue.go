// Package queue implements `batchctl queue`.
package queue

import (
	"context"
	"strconv"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/tableprinter"
)

// Options are the inputs of `batchctl queue`.
type Options struct {
	IO       *iostreams.IOStreams
	Manager  func() (*jobs.Manager, error)
	Exporter *cmdutil.Exporter
}

// Row is one (endpoint, model) in `queue --json`. Its fields are a
// documented contract: add, never rename or remove.
type Row struct {
	Endpoint string `json:"endpoint"`
	Model    string `json:"model"`
	// Unit is what the budget counts: tokens, or requests (Anthropic).
	Unit string `json:"unit"`
	// Budget is the one that holds now, null for none (unlimited);
	// Source says where it comes from: config, --enqueued-tokens or
	// learned.
	Budget     *int64 `json:"budget"`
	Source     string `json:"source"`
	Configured *int64 `json:"configured"`
	Learned    *int64 `json:"learned"`
	// InFlight is what the parts with a batch not yet ended (or a create
	// that may still land) count; Queued what the parts waiting count.
	InFlight      int64 `json:"in_flight"`
	InFlightParts int   `json:"in_flight_parts"`
	Queued        int64 `json:"queued"`
	QueuedParts   int   `json:"queued_parts"`
}

// NewCmdQueue builds the command; runF replaces the run function in tests.
func NewCmdQueue(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) }}
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "Show the enqueued budgets, what is in flight and what waits, per model",
		Long: heredoc.Doc(`
			Show, per endpoint and model of the registry's unfinished jobs, the enqueued
			budget that holds (configured in the profile's enqueued_tokens, given with
			create --enqueued-tokens, or learned from the provider's refusals), what the
			parts with a batch not yet ended count (in flight), and what the parts waiting
			in the queue count (queued). OpenAI, Gemini and the other token-counting
			protocols count estimated input tokens; Anthropic counts requests.

			A quota refusal lowers the learned budget to what was in flight (never below
			one part); each accepted submission raises it by a tenth, and it is forgotten
			once it passes the configured budget. The ledger sees only this registry:
			the provider's quota is per organization or project, so batches made by other
			tools or machines also use it, and the provider's refusals are what teach
			batchctl about them.

			The counts are as the registry last saw them (refreshed by sync, status and
			wait). On a terminal it is a table; when piped it is tab-separated with no
			header: endpoint, model, unit, budget (empty for none), source, in_flight,
			in_flight_parts, queued, queued_parts. --json prints an array of objects.
		`),
		Example: heredoc.Doc(`
			$ batchctl queue
			$ batchctl queue --jq '.[] | select(.queued > 0) | .model'
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return queueRun(cmd.Context(), opts)
		},
	}
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "the ledgers", Row{})
	return cmd
}

func queueRun(ctx context.Context, opts *Options) error {
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	ledgers, err := m.Ledgers(ctx)
	if err != nil {
		return err
	}
	rows := make([]Row, 0, len(ledgers))
	for _, l := range ledgers {
		rows = append(rows, rowOf(l))
	}
	if opts.Exporter.Enabled() {
		return opts.Exporter.Write(ctx, opts.IO, rows)
	}
	tty := opts.IO.IsStdoutTTY()
	cs := opts.IO.ColorScheme()
	tp := tableprinter.New(opts.IO.Out, tty, opts.IO.TerminalWidth(), cs.Bold)
	tp.Header("ENDPOINT", "MODEL", "BUDGET", "IN FLIGHT", "QUEUED")
	for _, r := range rows {
		if !tty {
			tp.Row(r.Endpoint, r.Model, r.Unit, number(r.Budget), r.Source, strconv.FormatInt(r.InFlight, 10),
				strconv.Itoa(r.InFlightParts), strconv.FormatInt(r.Queued, 10), strconv.Itoa(r.QueuedParts))
			continue
		}
		budget := "none"
		if r.Budget != nil {
			budget = count(*r.Budget) + " " + r.Unit + " (" + r.Source + ")"
		}
		tp.Row(r.Endpoint, r.Model, budget, count(r.InFlight)+" in "+cmdutil.Plural(r.InFlightParts, "part"),
			count(r.Queued)+" in "+cmdutil.Plural(r.QueuedParts, "part"))
	}
	return tp.Render()
}

// rowOf is the JSON row of a ledger.
func rowOf(l *jobs.Ledger) Row {
	r := Row{Endpoint: l.Endpoint, Model: l.Model, Unit: l.Unit, Source: l.Budget.Source,
		InFlight: l.InFlight, InFlightParts: l.InFlightParts, Queued: l.Queued, QueuedParts: l.QueuedParts}
	r.Budget, r.Configured, r.Learned = positive(l.Budget.Limit), positive(l.Budget.Configured), positive(l.Budget.Learned)
	return r
}

// positive is n, or nil for none.
func positive(n int64) *int64 {
	if n <= 0 {
		return nil
	}
	return &n
}

// number writes n, or nothing for none.
func number(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

// count writes n with a comma every three digits.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
