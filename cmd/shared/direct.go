package shared

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
)

// RunDirect runs direct job j in this process, at the limits recorded
// for it, until every request has an outcome, ctx ends, or until (when not
// zero) passes. On a terminal a progress line is drawn on stderr. Another
// process running the job gives a *jobs.BusyError.
func RunDirect(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job, until time.Time) error {
	limits, err := m.RunLimitsOf(j.ID)
	if err != nil {
		return err
	}
	if limits.Concurrency <= 0 {
		limits.Concurrency = config.DefaultConcurrency
	}
	limiter, err := jobs.NewLimiter(limits, 0)
	if err != nil {
		return err
	}
	stats := &jobs.RunStats{}
	opts := jobs.RunOptions{Concurrency: limits.Concurrency, Limiter: limiter, Until: until, Stats: stats}
	if ios.IsStderrTTY() {
		stop := drawDirect(ios.ErrOut, j.ID, jobs.NewMeter(stats))
		defer stop()
	}
	return m.Run(ctx, j, opts)
}

// drawDirect redraws a direct job's progress line every 200ms until stopped.
func drawDirect(w io.Writer, id string, meter *jobs.Meter) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[2K")
				return
			case <-t.C:
				fmt.Fprint(w, "\r\x1b[2K"+DirectLine(id, meter.Read(time.Now()), 24))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// DirectLine says how a running direct job advances, with a bar of width
// cells (none when 0): done of total, requests and tokens a second, errors
// and the ETA at the recent rate.
func DirectLine(id string, p jobs.RunProgress, width int) string {
	var b strings.Builder
	b.WriteString(id)
	if width > 0 && p.Total > 0 {
		filled := int(int64(width) * p.Done / p.Total)
		fmt.Fprintf(&b, " [%s%s]", strings.Repeat("=", filled), strings.Repeat(" ", width-filled))
	}
	fmt.Fprintf(&b, " %d/%d, %.1f req/s, %.0f tok/s, %d errors", p.Done, p.Total, p.RPS, p.TPS, p.Errors)
	if p.ETA > 0 {
		fmt.Fprintf(&b, ", ETA %s", p.ETA.Round(time.Second))
	}
	return b.String()
}
