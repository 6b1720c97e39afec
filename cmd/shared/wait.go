// Package shared holds what several commands do the same way: waiting for
// a job with progress on stderr, and writing its results.
package shared

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/schollz/progressbar/v3"

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
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	p := newProgress(ios, j)
	// stopped is the error of a wait whose context ended: the timeout when
	// its deadline passed, Ctrl-C otherwise.
	stopped := func() error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &cmdutil.TimeoutError{Subject: j.Subject(), Status: j.Status}
		}
		return p.interrupted(j, ctx.Err())
	}
	defer func() {
		p.finish(j)
		if j.Terminal() {
			for _, e := range BatchErrors(j) {
				fmt.Fprintln(ios.ErrOut, ios.ErrColorScheme().Failure("error:")+" "+e)
			}
		}
	}()
	warned := map[string]bool{}
	pause := o.Interval
	if !o.Fixed {
		pause = min(time.Second, o.Interval)
	}
	for {
		err := m.Refresh(ctx, j)
		switch {
		case err == nil:
			p.update(j)
			warnUnknown(ctx, ios, j, warned)
		case ctx.Err() != nil:
			return stopped()
		case transient(err):
			fmt.Fprintf(ios.ErrOut, "%s: %v; trying again in %s\n", j.ID, err, pause)
		default:
			return err
		}
		if j.Terminal() {
			return nil
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return stopped()
		case <-t.C:
		}
		if !o.Fixed {
			pause = min(pause*2, o.Interval)
		}
	}
}

// warnUnknown says, once per batch, that a part is in a status batchctl
// does not know, so the wait cannot end by itself before the timeout.
// The wait is bounded when its context has a deadline (wait --timeout).
func warnUnknown(ctx context.Context, ios *iostreams.IOStreams, j *jobs.Job, warned map[string]bool) {
	until := "until --timeout"
	if _, bounded := ctx.Deadline(); !bounded {
		until = "without end (set --timeout to bound the wait)"
	}
	for _, part := range j.Parts {
		if providers.Status(part.Status) != providers.StatusUnknown || warned[part.BatchID] {
			continue
		}
		warned[part.BatchID] = true
		fmt.Fprintf(ios.ErrOut, "%s batch %s is in a status batchctl does not know (%q): it cannot tell whether the batch has ended, so it keeps polling %s\n",
			ios.ErrColorScheme().Warning("warning:"), part.BatchID, part.ProviderStatus, until)
	}
}

func (p *progress) interrupted(j *jobs.Job, err error) error {
	if p.bar != nil {
		_ = p.bar.Clear()
		p.bar = nil
	}
	resume := j.ID
	if !j.Registered {
		resume += " --provider " + j.Provider
	}
	fmt.Fprintf(p.ios.ErrOut, "stopped waiting; %s is still %s remotely; resume with: batchctl wait %s\n", j.Subject(), j.Status, resume)
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

// progress shows a job's advance on stderr.
type progress struct {
	ios  *iostreams.IOStreams
	bar  *progressbar.ProgressBar
	last string
}

func newProgress(ios *iostreams.IOStreams, j *jobs.Job) *progress {
	p := &progress{ios: ios}
	if ios.IsStderrTTY() {
		p.bar = progressbar.NewOptions64(int64(max(j.Requests, 1)),
			progressbar.OptionSetWriter(ios.ErrOut),
			progressbar.OptionSetVisibility(true),
			progressbar.OptionThrottle(65*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetDescription(j.ID+" "+j.Status),
		)
	}
	return p
}

func (p *progress) update(j *jobs.Job) {
	done := j.Counts.Succeeded + j.Counts.Failed
	line := fmt.Sprintf("%s: %s, %s", j.ID, j.StatusText(), RequestsDone(j))
	if j.Requests > 0 {
		line += fmt.Sprintf(" (%d succeeded, %d failed)", j.Counts.Succeeded, j.Counts.Failed)
	}
	if p.bar != nil {
		if j.Requests > 0 {
			p.bar.ChangeMax(j.Requests)
		}
		p.bar.Describe(j.ID + " " + j.StatusText())
		_ = p.bar.Set(done)
		return
	}
	if line != p.last {
		fmt.Fprintln(p.ios.ErrOut, line)
		p.last = line
	}
}

// RequestsDone says how far a job's requests are, "2/3 requests done", or
// that the provider, which holds the job's input, has not counted them.
func RequestsDone(j *jobs.Job) string {
	switch {
	case j.Requests > 0:
		return fmt.Sprintf("%d/%d requests done", j.Counts.Succeeded+j.Counts.Failed, j.Requests)
	case j.Terminal():
		return "no requests counted by the provider" // it failed the input
	}
	return "requests not counted by the provider yet"
}

// finish removes the bar and, on a terminal, leaves one summary line.
func (p *progress) finish(j *jobs.Job) {
	if p.bar == nil {
		return
	}
	_ = p.bar.Finish()
	if j.Terminal() {
		cs := p.ios.ErrColorScheme()
		fmt.Fprintf(p.ios.ErrOut, "%s %s: %d succeeded, %d failed of %d requests\n",
			cs.Bold(j.ID), cs.Status(j.Status), j.Counts.Succeeded, j.Counts.Failed, j.Requests)
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
