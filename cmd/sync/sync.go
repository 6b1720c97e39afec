// Package sync implements `batchctl sync`, the command for cron.
package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/MakeNowJust/heredoc"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/cmd/shared"
	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// Options are the inputs of `batchctl sync`.
type Options struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Manager func() (*jobs.Manager, error)
	Getenv  func(string) string

	OutDir     string
	OnComplete string
	// MaxRun bounds the time spent sending the requests of direct jobs; 0
	// runs them to the end.
	MaxRun   time.Duration
	Exporter *cmdutil.Exporter

	until time.Time // when MaxRun is spent
}

// Event is one line of `sync --json`: something that happened to a job.
// Its fields are a documented contract: add, never rename or remove.
type Event struct {
	// Event is submitted (an interrupted create was finished), progress
	// (a running job changed status), saved (an ended job's results were
	// written to Results) or error (Error says what went wrong).
	Event    string           `json:"event"`
	Job      string           `json:"job"`
	Name     string           `json:"name"`
	Status   string           `json:"status"`
	Requests int              `json:"requests"`
	Counts   providers.Counts `json:"counts"`
	Results  string           `json:"results"`
	Error    string           `json:"error"`
}

// emit prints one event with --json or --jq, as one line.
func emit(ctx context.Context, opts *Options, event string, j *jobs.Job, results string, err error) error {
	if !opts.Exporter.Enabled() {
		return nil
	}
	ev := Event{Event: event, Job: j.ID, Name: j.Name, Status: j.Status, Requests: j.Requests, Counts: j.Counts, Results: results}
	if err != nil {
		ev.Error = err.Error()
	}
	return opts.Exporter.WriteLine(ctx, opts.IO, ev)
}

// NewCmdSync builds the command; runF replaces the run function in tests.
func NewCmdSync(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		IO:      f.IOStreams,
		Config:  f.Config,
		Manager: func() (*jobs.Manager, error) { return cmdutil.Manager(f) },
		Getenv:  f.Getenv,
	}
	cmd := &cobra.Command{
		Use:   "sync [--out-dir <dir>] [--on-complete <command>]",
		Short: "Refresh unfinished jobs and save the results of finished ones",
		Long: heredoc.Docf(`
			Bring every job in the registry up to date, for cron: refresh the jobs still
			running, then finish submitting jobs a crash left half-submitted (batches
			already made are found, not made twice) and submit the queued parts that fit
			in their enqueued budget now, highest --priority and oldest job first (see
			batchctl queue; the parts a cache primer holds, create --cache-prime, once it has
			ended), and write the results of each job that has ended to one file
			per job, %[1]s<out-dir>/<job>.jsonl%[1]s (default: the results directory in
			BATCHCTL_HOME). Each job's results are written once. A job larger than its
			provider's quota thus runs to the end from cron alone.

			--on-complete runs a shell command once per finished job, with BATCHCTL_JOB,
			BATCHCTL_STATUS and BATCHCTL_RESULTS (the results file) in its environment. If
			the command fails, the job is synced again (and the command run again) next time.

			sync prints nothing when nothing happened, and one line per job otherwise, on
			standard error. --json also prints one JSON object per event on standard
			output (JSON Lines), with the fields event (submitted, progress, saved or
			error), job, name, status, requests, counts, results (the file written, for
			saved) and error; --jq filters each event. With --json, the output of
			--on-complete goes to standard error.
			Two syncs of one home never run at once: the second says so and exits 0.
			Hosts that share a PostgreSQL registry (the registry setting) each run
			their own sync at once (two of one host, as BATCHCTL_HOST or the host name
			says, do not) and split the jobs: a job taken by one host's sync is left by
			the others, so each job's results are written and --on-complete run once.

			A job whose batch the provider no longer has (deleted, or past its retention)
			is reported once, as an error (exit 1); the registry records the batch as gone,
			and later syncs leave the job alone (batchctl status <job> still explains).

			A direct job that no process is running (its create was killed or
			interrupted) is resumed: only its requests without an outcome are sent.
			--max-run bounds the time sync spends sending them: when it is spent, no new
			request is sent, the ones in flight finish, and the next sync goes on, so cron
			drives a large direct job in slices.

			EXIT STATUS
			  0  nothing went wrong (or another sync is running)
			  1  a job could not be refreshed or saved, or --on-complete failed
			  3  a job ended with requests that did not succeed
			  4  missing or rejected API key
		`, "`"),
		Example: heredoc.Doc(`
			# crontab: every 10 minutes
			*/10 * * * * batchctl sync --out-dir ~/batch-results --on-complete 'notify-send "$BATCHCTL_JOB $BATCHCTL_STATUS"'
		`),
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.MaxRun < 0 {
				return cmdutil.FlagErrorf("--max-run must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return syncRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.OutDir, "out-dir", "", "write results files here (default: BATCHCTL_HOME/results)")
	cmd.Flags().StringVar(&opts.OnComplete, "on-complete", "", "shell `command` to run once per finished job")
	cmd.Flags().DurationVar(&opts.MaxRun, "max-run", 0, "direct jobs: stop sending new requests after this long (default: run them to the end)")
	opts.Exporter = cmdutil.AddJSONFlags(cmd, "one object per event", Event{})
	_ = cmd.MarkFlagDirname("out-dir")
	return cmd
}

func syncRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if opts.MaxRun > 0 {
		opts.until = time.Now().Add(opts.MaxRun)
	}

	outDir := opts.OutDir
	if outDir == "" {
		outDir = filepath.Join(cfg.Home, "results")
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return err
	}
	m, err := opts.Manager()
	if err != nil {
		return err
	}
	lock, err := m.LockSyncRun(ctx)
	if errors.Is(err, jobs.ErrLocked) {
		fmt.Fprintln(opts.IO.ErrOut, "another batchctl sync is running; leaving the work to it")
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	list, err := m.List(ctx, store.Filter{NeedsSync: true})
	if err != nil {
		return err
	}
	passes, err := refreshAndSubmit(ctx, m, list)
	if err != nil {
		return err
	}
	var failed, partial int
	var authErr error
	for _, sj := range list {
		j := &jobs.Job{Job: sj, Registered: true}
		err := syncJob(ctx, opts, m, cfg, j, outDir, passes[j.ID])
		var pe *cmdutil.PartialError
		switch {
		case err == nil:
		case errors.As(err, &pe):
			partial++
		case ctx.Err() != nil:
			return err
		default:
			failed++
			fmt.Fprintf(opts.IO.ErrOut, "%s: error: %v\n", j.ID, err)
			if err := emit(ctx, opts, "error", j, "", err); err != nil {
				return err
			}
			if authErr == nil && cmdutil.IsAuth(err) {
				authErr = err
			}
		}
	}
	switch {
	case authErr != nil:
		return &cmdutil.SilentError{Code: cmdutil.ExitAuth}
	case failed > 0:
		return &cmdutil.SilentError{Code: cmdutil.ExitError}
	case partial > 0:
		return &cmdutil.SilentError{Code: cmdutil.ExitPartial}
	}
	return nil
}

// pass is what the first passes of a sync did to a job: refreshed it (with
// the error met), submitted parts of it.
type pass struct {
	before     string // the job's status before the sync
	refreshed  bool
	refreshErr error
	submitted  *jobs.Submitted
}

// refreshAndSubmit refreshes every running job first, so that the parts
// that have ended free their room in the queue, then submits what fits of
// the parts still to submit, oldest job first (a crash's unfinished
// creates, and queued parts).
func refreshAndSubmit(ctx context.Context, m *jobs.Manager, list []*store.Job) (map[string]*pass, error) {
	passes := map[string]*pass{}
	for _, sj := range list {
		j := &jobs.Job{Job: sj, Registered: true}
		ps := &pass{before: sj.Status}
		passes[sj.ID] = ps
		if j.Submitted() && !j.Terminal() && !j.Direct() {
			ps.refreshed, ps.refreshErr = true, m.Refresh(ctx, j)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
	}
	done, err := m.SubmitQueued(ctx)
	if err != nil {
		return nil, err
	}
	for i := range done {
		if ps := passes[done[i].Job.ID]; ps != nil {
			ps.submitted = &done[i]
		}
	}
	return passes, nil
}

// syncJob brings one job up to date; a *cmdutil.PartialError says it ended
// with requests that did not succeed (its results were saved).
func syncJob(ctx context.Context, opts *Options, m *jobs.Manager, cfg *config.Config, j *jobs.Job, outDir string, ps *pass) error {
	before := ps.before
	if s := ps.submitted; s != nil {
		j.Job = s.Job.Job
		if s.Err != nil {
			return s.Err
		}
		if err := saySubmitted(ctx, opts, j, s.Parts); err != nil {
			return err
		}
	}
	if err := runDirect(ctx, opts, m, j); err != nil {
		return err
	}
	lock, ours, err := m.LockJobSync(ctx, j)
	if err != nil || !ours { // another sync, maybe on another host, has it
		return err
	}
	defer lock.Unlock()
	err = ps.refreshErr
	if !ps.refreshed {
		err = m.Refresh(ctx, j)
	}
	if err != nil && !knownGone(err) {
		return err
	}
	if !j.Terminal() {
		if j.Status != before {
			fmt.Fprintf(opts.IO.ErrOut, "%s: %s, %s\n", j.ID, j.Status, shared.RequestsDone(j))
			return emit(ctx, opts, "progress", j, "", nil)
		}
		return nil
	}
	path := filepath.Join(outDir, j.ID+".jsonl")
	werr := shared.WriteResults(ctx, opts.IO, m, j, shared.ResultsOptions{Output: path})
	var pe *cmdutil.PartialError
	if werr != nil && !errors.As(werr, &pe) {
		return werr
	}
	summary := fmt.Sprintf("%s %s: all %d requests succeeded", j.Subject(), j.Status, j.Requests)
	if pe != nil {
		summary = pe.Error()
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s → %s\n", summary, path)
	if opts.OnComplete != "" {
		if err := runHook(ctx, opts, j, path); err != nil {
			return fmt.Errorf("--on-complete: %w", err)
		}
	}
	if err := m.MarkSynced(ctx, j); err != nil {
		return err
	}
	if err := emit(ctx, opts, "saved", j, path, nil); err != nil {
		return err
	}
	return werr
}

// saySubmitted tells that parts of j were submitted, and how many wait.
func saySubmitted(ctx context.Context, opts *Options, j *jobs.Job, parts int) error {
	if parts == 0 {
		return nil
	}
	if q := jobs.QueuedParts(j); q > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "%s: submitted %s; %d queued\n", j.ID, cmdutil.Plural(parts, "more batch"), q)
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "%s: finished submitting (%s)\n", j.ID, cmdutil.Plural(len(j.Parts), "batch"))
	}
	return emit(ctx, opts, "submitted", j, "", nil)
}

// knownGone reports whether err says only that a batch the provider no
// longer has is gone, which an earlier sync reported already.
func knownGone(err error) bool {
	g, ok := errors.AsType[*jobs.GoneError](err)
	return ok && g.Recorded
}

// runDirect resumes a direct job nobody runs, until opts.until.
func runDirect(ctx context.Context, opts *Options, m *jobs.Manager, j *jobs.Job) error {
	if !j.Direct() || j.Terminal() || !opts.until.IsZero() && time.Now().After(opts.until) {
		return nil
	}
	err := shared.RunDirect(ctx, opts.IO, m, j, opts.until)
	if _, busy := errors.AsType[*jobs.BusyError](err); busy {
		return nil // its create, a worker or a wait runs it
	}
	return err
}

// runHook runs --on-complete through the shell with the job in its environment.
func runHook(ctx context.Context, opts *Options, j *jobs.Job, results string) error {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd", "/C", opts.OnComplete)
	} else {
		cmd = exec.CommandContext(ctx, "sh", "-c", opts.OnComplete)
	}
	cmd.Env = append(os.Environ(), "BATCHCTL_JOB="+j.ID, "BATCHCTL_STATUS="+j.Status, "BATCHCTL_RESULTS="+results)
	cmd.Stdout = opts.IO.Out
	if opts.Exporter.Enabled() {
		cmd.Stdout = opts.IO.ErrOut // keep standard output JSON Lines
	}
	cmd.Stderr = opts.IO.ErrOut
	return cmd.Run()
}
