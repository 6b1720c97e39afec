// Package shared holds what several commands do the same way: waiting for
// a job with progress on stderr, and writing its results.
package shared

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// WaitOptions control a wait.
type WaitOptions struct {
	// Interval is the longest pause between polls. Unless Fixed, polling
	// starts at one second and doubles up to Interval, so short batches
	// are seen to finish quickly.
	Interval time.Duration
	Fixed    bool
	// Timeout ends the wait with a *cmdutil.TimeoutError; 0 waits forever.
	// It bounds everything the wait does, a request in flight and the
	// pauses between retries included. A deadline of ctx does the same.
	Timeout time.Duration
}

// Wait polls a job until every part has ended. Progress goes to stderr: a
// bar on a terminal, one line per change otherwise. Ctrl-C ends the wait
// (not the batch) with a note on how to resume.
func Wait(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job, o WaitOptions) error {
	errs, err := WaitAll(ctx, ios, []Waited{{m, j}}, o)
	if err != nil {
		return err
	}
	return errs[0]
}

// poll brings a waited-for job up to date: a registered one first from the
// registry (another process may be submitting its parts: a create this one
// reused, a sync, another host), then from its provider; then its queued
// parts are submitted as room frees up.
func poll(ctx context.Context, w Waited) error {
	if w.J.Registered {
		if err := w.M.Reload(ctx, w.J); err != nil {
			return err
		}
	}
	if err := w.M.Refresh(ctx, w.J); err != nil {
		return err
	}
	if w.J.Registered && w.J.Unsubmitted() && !w.J.Direct() {
		return w.M.Advance(ctx, w.J)
	}
	return nil
}

// Waited is a job to wait for and the manager that refreshes it.
type Waited struct {
	M *jobs.Manager
	J *jobs.Job
}

// WaitAll polls jobs together until every one has ended, showing one line
// per job on a terminal. The result for each job is nil when it ended or a
// *cmdutil.TimeoutError; an error that is no job's own (Ctrl-C, a failed
// poll that is not worth repeating) ends the whole wait.
func WaitAll(ctx context.Context, ios *iostreams.IOStreams, ws []Waited, o WaitOptions) ([]error, error) {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	js := make([]*jobs.Job, len(ws))
	for i, w := range ws {
		js[i] = w.J
	}
	// A direct job nobody runs is run here (resumed after a kill), and
	// one another process runs is waited for like a batch.
	for _, w := range ws {
		if !w.J.Registered || !w.J.Direct() || w.J.Terminal() {
			continue
		}
		err := RunDirect(ctx, ios, w.M, w.J, time.Time{})
		if _, busy := errors.AsType[*jobs.BusyError](err); err != nil && !busy && ctx.Err() == nil {
			return nil, err
		}
	}
	p := newProgress(ios, js)
	// stopped is the outcome of a wait whose context ended: a timeout for
	// every job still running when its deadline passed, Ctrl-C otherwise.
	stopped := func() ([]error, error) {
		p.clear()
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, p.interrupted(ctx.Err())
		}
		errs := make([]error, len(js))
		for i, j := range js {
			if !j.Terminal() {
				errs[i] = &cmdutil.TimeoutError{Subject: j.Subject(), Status: j.Status}
			}
		}
		return errs, nil
	}
	defer p.finish()
	warned := map[string]bool{}
	pause := o.Interval
	if !o.Fixed {
		pause = min(time.Second, o.Interval)
	}
	// On a terminal the lines are redrawn between polls too, so that a
	// spinner turns.
	var tick <-chan time.Time
	if p.tty {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		tick = t.C
	}
	for first := true; ; first = false {
		ended := true
		for i, w := range ws {
			if w.J.Terminal() {
				if first {
					p.update(i, time.Now()) // ended before the wait: say so once
				}
				continue
			}
			err := poll(ctx, w)
			switch {
			case err == nil:
				p.update(i, time.Now())
				warnUnknown(ctx, p, w.J, warned)
			case ctx.Err() != nil:
				return stopped()
			case transient(err):
				p.printf("%s: %v; trying again in %s\n", w.J.ID, err, pause)
			default:
				p.clear()
				return nil, err
			}
			ended = ended && w.J.Terminal()
		}
		p.draw()
		if ended {
			return make([]error, len(ws)), nil
		}
		t := time.NewTimer(pause)
	sleep:
		for {
			select {
			case <-ctx.Done():
				t.Stop()
				return stopped()
			case <-tick:
				p.draw()
			case <-t.C:
				break sleep
			}
		}
		if !o.Fixed {
			pause = min(pause*2, o.Interval)
		}
	}
}

// warnUnknown says, once per batch, that a part is in a status batchctl
// does not know, so the wait cannot end by itself before the timeout.
// The wait is bounded when its context has a deadline (wait --timeout).
func warnUnknown(ctx context.Context, p *progress, j *jobs.Job, warned map[string]bool) {
	until := "until --timeout"
	if _, bounded := ctx.Deadline(); !bounded {
		until = "without end (set --timeout to bound the wait)"
	}
	for _, part := range j.Parts {
		if providers.Status(part.Status) != providers.StatusUnknown || warned[part.BatchID] {
			continue
		}
		warned[part.BatchID] = true
		p.printf("%s batch %s is in a status batchctl does not know (%q): it cannot tell whether the batch has ended, so it keeps polling %s\n",
			p.ios.ErrColorScheme().Warning("warning:"), part.BatchID, part.ProviderStatus, until)
	}
}

// interrupted says, for every job not ended, that it runs on and how to
// resume the wait.
func (p *progress) interrupted(err error) error {
	for _, r := range p.rows {
		j := r.job
		if j.Terminal() {
			continue
		}
		resume := j.ID
		if !j.Registered {
			resume += " --provider " + j.Provider
		}
		fmt.Fprintf(p.ios.ErrOut, "stopped waiting; %s is still %s remotely; resume with: batchctl wait %s\n", j.Subject(), j.Status, resume)
	}
	return err
}

// transient reports whether a failed poll is worth repeating: network
// trouble, rate limits and server errors.
func transient(err error) bool {
	var he *providers.HTTPError
	if errors.As(err, &he) {
		return he.StatusCode == 429 || he.StatusCode >= 500
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// Outcome turns a finished job into the command's result: nil when every
// request succeeded, a *cmdutil.PartialError (exit 3) otherwise.
func Outcome(j *jobs.Job) error {
	c := j.Counts
	if j.Status == string(providers.StatusCompleted) && c.Failed == 0 && c.Succeeded >= c.Total {
		return nil
	}
	return &cmdutil.PartialError{Subject: j.Subject(), Status: j.Status, Failed: max(j.Requests-c.Succeeded, c.Failed), Total: j.Requests}
}

// finish removes the lines drawn and, on a terminal, leaves one summary
// line per job that ended, then the batch-level errors of those jobs.
func (p *progress) finish() {
	p.clear()
	cs := p.ios.ErrColorScheme()
	for _, r := range p.rows {
		j := r.job
		if !j.Terminal() {
			continue
		}
		if p.tty {
			fmt.Fprintf(p.ios.ErrOut, "%s %s: %d succeeded, %d failed of %s\n",
				cs.Bold(j.ID), cs.Status(j.Status), j.Counts.Succeeded, j.Counts.Failed, cmdutil.Plural(knownTotal(j), "request"))
		}
		for _, e := range BatchErrors(j) {
			fmt.Fprintln(p.ios.ErrOut, cs.Failure("error:")+" "+e)
		}
	}
}

// BatchErrors describes the batch-level errors of a job's parts, such as
// input lines the provider rejected, one line each.
func BatchErrors(j *jobs.Job) []string {
	var out []string
	for _, p := range j.Parts {
		for _, e := range p.Errors {
			s := p.BatchID + ": "
			if e.Line > 0 {
				s += fmt.Sprintf("input line %d: ", e.Line)
			}
			s += e.Message
			if e.Code != "" {
				s += " (" + e.Code + ")"
			}
			out = append(out, s)
		}
	}
	return out
}

// RequestsDone says how far a job's requests are, "2/3 requests done";
// where the provider holds the job's input and has not counted it, how
// many are done, or that none were counted.
func RequestsDone(j *jobs.Job) string {
	done := j.Counts.Succeeded + j.Counts.Failed
	switch total := knownTotal(j); {
	case total > 0:
		return fmt.Sprintf("%d/%d requests done", done, total)
	case done > 0:
		return cmdutil.Plural(done, "request") + " done"
	case j.Terminal():
		return "no requests counted by the provider" // it failed the input
	}
	return "requests not counted by the provider yet"
}
