// Package migrate implements `batchctl registry migrate`.
package migrate

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/cmdutil/factory"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/numfmt"
	"github.com/batchctl/batchctl/internal/pgurl"
)

// Options are the inputs of `batchctl registry migrate`.
type Options struct {
	IO       *iostreams.IOStreams
	Registry func() (jobs.Registry, error) // the current registry, copied from
	// Open opens the registry to copy into and returns the function that
	// closes it.
	Open func(ctx context.Context, spec string) (jobs.Registry, func() error, error)

	To string
}

// NewCmdMigrate builds the command; runF replaces the run function in tests.
func NewCmdMigrate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Registry: f.Registry, Open: openRegistry}
	cmd := &cobra.Command{
		Use:   "migrate --to <registry>",
		Short: "Copy the job registry into another registry",
		Long: heredoc.Doc(`
			Copy every job of the current registry, with everything the registry keeps of
			it (its batches, times, create attempts and the reservations that make
			identical creates reuse it), and the enqueued-token budgets learned from the
			providers, into the registry --to names: the path of a SQLite database, created
			when missing, or the postgres:// URL of a PostgreSQL database (see the registry
			setting in "batchctl config --help"), whose tables are created when missing.
			Ids and times are kept as they are. The jobs' files (the kept input and
			downloaded results) stay where they are.

			It copies only what the destination lacks: a job it has already is left as it
			is, so running it again copies nothing, and a run that was interrupted (even
			killed: each job is copied in one transaction) is completed by running it
			again. A job that changes after it was copied is not copied again, so stop
			what uses the current registry (cron syncs, waits) before the last run. It
			counts the jobs as it goes on standard error (every 1,000) and ends with
			what it did: "copied N jobs, M already there".

			The password of a URL is never shown.

			EXIT STATUS
			  0  copied (or nothing was missing)
			  1  registry error
			  2  bad flags, or a destination this build cannot open
			  130  interrupted: what was copied stays copied; run it again
		`),
		Example: heredoc.Doc(`
			$ batchctl registry migrate --to /mnt/team/batchctl.db
			copied 1,204 jobs, 0 already there, and 3 learned budgets into /mnt/team/batchctl.db
			$ batchctl registry migrate --to postgres://batchctl@db.example.com/batchctl
			copied 1,204 jobs, 0 already there, and 3 learned budgets into postgres://batchctl@db.example.com/batchctl
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.To == "" {
				return cmdutil.FlagErrorf("--to is required: the registry to copy into")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return migrateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "the `registry` to copy into: a SQLite database path or a postgres:// URL")
	return cmd
}

// openRegistry opens the registry spec names to copy into: a PostgreSQL
// database for a postgres:// URL, else the SQLite database at that path.
// A URL of any other kind is a usage error.
func openRegistry(ctx context.Context, spec string) (jobs.Registry, func() error, error) {
	if strings.Contains(spec, "://") && !pgurl.Is(spec) {
		return nil, nil, &cmdutil.UsageError{Err: fmt.Errorf("--to %s: want a SQLite database path or a postgres:// URL", redact(spec))}
	}
	return factory.OpenRegistry(ctx, spec)
}

// redact returns spec for messages: a URL with its password masked (in
// its userinfo, or a password parameter as libpq takes one), any other
// spec as it is.
func redact(spec string) string {
	scheme, _, isURL := strings.Cut(spec, "://")
	if !isURL {
		return spec
	}
	u, err := url.Parse(spec)
	if err != nil {
		return scheme + "://(unreadable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// progressEvery is how many jobs pass between two progress lines.
const progressEvery = 1000

func migrateRun(ctx context.Context, opts *Options) error {
	from, err := opts.Registry()
	if err != nil {
		return err
	}
	to, closeTo, err := opts.Open(ctx, opts.To)
	if err != nil {
		return err
	}
	st, err := copyCounting(ctx, opts, from, to)
	if cerr := closeTo(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", redact(opts.To), cerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "copied %s, %s already there, and %s into %s\n",
		plural(st.Copied, "job"), count(st.Present), plural(st.Budgets, "learned budget"), redact(opts.To))
	return nil
}

// copyCounting copies from into to, with a progress line on standard
// error every progressEvery jobs.
func copyCounting(ctx context.Context, opts *Options, from, to jobs.Registry) (jobs.CopyStats, error) {
	st, err := jobs.CopyRegistry(ctx, from, to, progress(opts.IO.ErrOut))
	if err != nil {
		return st, fmt.Errorf("copy into %s, after copying %s: %w", redact(opts.To), plural(st.Copied, "job"), err)
	}
	return st, nil
}

// progress returns the progress function of a copy, which writes a line
// to w every progressEvery jobs.
func progress(w io.Writer) func(jobs.CopyStats) {
	return func(st jobs.CopyStats) {
		if seen := st.Copied + st.Present; seen%progressEvery == 0 {
			fmt.Fprintf(w, "%s jobs so far: %s copied, %s already there\n", count(seen), count(st.Copied), count(st.Present))
		}
	}
}

// count writes n with thousands separators.
func count(n int) string { return numfmt.Thousands(int64(n)) }

// plural says "1 job", "1,204 jobs".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return count(n) + " " + unit + "s"
}
