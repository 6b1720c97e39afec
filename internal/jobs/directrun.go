package jobs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// Limiter paces a direct job's requests: Acquire waits until a request of
// about tokens tokens may be sent, and the release it returns is told how
// the request was answered (its status, 0 for no answer, headers and body), so
// an adaptive limiter can follow the endpoint's limits.
type Limiter interface {
	Acquire(ctx context.Context, tokens int) (release func(status int, h http.Header, body []byte), err error)
}

// RunOptions tune Run.
type RunOptions struct {
	// Limiter paces the requests; nil means only Concurrency bounds them.
	Limiter Limiter
	// Concurrency is the most requests in flight (the workers; an
	// adaptive Limiter may allow fewer); 0 means 1.
	Concurrency int
	// Until, when not zero, is when Run stops sending new requests (sync
	// --max-run): the requests in flight finish, the rest wait for the
	// next run.
	Until time.Time
	// Stats, when set, is kept up to date as the run goes.
	Stats *RunStats
}

// RunStats are a direct run's counters, safe to read while it runs.
type RunStats struct {
	Total    atomic.Int64 // requests of the job
	Done     atomic.Int64 // with an outcome, from earlier runs too
	Errors   atomic.Int64 // outcomes that are not successes
	InFlight atomic.Int64
	Tokens   atomic.Int64 // estimated tokens sent in this run
	Sent     atomic.Int64 // requests sent in this run
}

// EstimateTokens is the token estimate of a request line that the rate
// limits use: a byte count over 4, until a real token counter is here.
func EstimateTokens(line []byte) int { return len(line)/4 + 1 }

// Run sends the requests of direct job j that have no outcome yet, each
// outcome appended to its part's journal as it arrives. A request that
// was sent and whose answer was lost (the process died with it in flight,
// or the connection dropped after it was sent) is sent once more at most;
// its outcome says how many times it was sent. Answers worth another try
// (429, 5xx) are retried under the shared policy; other errors are the
// request's outcome. Only one process runs a job at a time (*BusyError).
// When every part is done, or cancelled, the registry is brought up to date.
func (m *Manager) Run(ctx context.Context, j *Job, opts RunOptions) error {
	lock, err := m.lockJob(ctx, j.ID, "direct")
	if errors.Is(err, ErrLocked) {
		return &BusyError{Job: j.ID, What: "running"}
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := os.MkdirAll(m.Config.HostJobDir(j.ID), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(m.WorkerPIDPath(j.ID), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(m.WorkerPIDPath(j.ID))
	d, err := m.caller(j)
	if err != nil {
		return err
	}
	stats := opts.Stats
	if stats == nil {
		stats = &RunStats{}
	}
	for _, part := range j.Parts {
		stats.Total.Add(int64(part.Requests))
	}
	stopReport := m.reportProgress(j.ID, stats)
	defer stopReport()
	for _, part := range j.Parts {
		if providers.Status(part.Status).Terminal() {
			stats.Done.Add(int64(part.Requests))
			continue
		}
		if _, err := os.Stat(m.cancelledPath(j.ID, part.Index)); err == nil {
			continue
		}
		if err := m.runPart(ctx, d, j, part.Index, opts, stats); err != nil {
			return err
		}
	}
	return m.Refresh(context.WithoutCancel(ctx), j)
}

// runPart sends the requests of one part that have no outcome.
func (m *Manager) runPart(ctx context.Context, d *directProvider, j *Job, index int, opts RunOptions, stats *RunStats) error {
	path := m.JournalPath(j.ID, index)
	st, good, err := readJournal(path, nil)
	if err != nil {
		return fmt.Errorf("reading the journal of job %s: %w", j.ID, err)
	}
	stats.Done.Add(int64(len(st.done)))
	for _, ok := range st.done {
		if !ok {
			stats.Errors.Add(1)
		}
	}
	jr, err := openJournal(path, good)
	if err != nil {
		return fmt.Errorf("opening the journal of job %s: %w", j.ID, err)
	}
	defer jr.Close()
	flushed := make(chan struct{})
	stopFlush := make(chan struct{})
	go func() { // outcomes become durable in groups
		defer close(flushed)
		t := time.NewTicker(syncEvery)
		defer t.Stop()
		for {
			select {
			case <-stopFlush:
				return
			case <-t.C:
				jr.Sync()
			}
		}
	}()
	defer func() { close(stopFlush); <-flushed }()

	conc := max(opts.Concurrency, 1)
	work := make(chan directRequest)
	feed := newSentFeeder(j.ID, jr, work, conc)
	var wg sync.WaitGroup
	errc := make(chan error, conc)
	for range conc {
		wg.Go(func() {
			for r := range work {
				if err := m.send(ctx, d, j, jr, r, opts, stats); err != nil {
					select {
					case errc <- err:
					default:
					}
				}
				feed.free()
			}
		})
	}
	feedErr := m.eachSubmitted(j.ID, index, func(id string, line []byte) error {
		if _, done := st.done[id]; done {
			return nil
		}
		if !opts.Until.IsZero() && time.Now().After(opts.Until) {
			return errBudget
		}
		select {
		case err := <-errc:
			return err
		default:
		}
		return feed.add(ctx, directRequest{id: id, line: append([]byte(nil), line...), sent: st.sent[id]})
	})
	if feedErr == nil || errors.Is(feedErr, errBudget) {
		if err := feed.flush(ctx); err != nil {
			feedErr = err
		}
	}
	feed.drop()
	close(work)
	wg.Wait()
	if errors.Is(feedErr, errBudget) {
		feedErr = nil
	}
	if feedErr == nil {
		select {
		case feedErr = <-errc:
		default:
		}
	}
	if feedErr == nil {
		feedErr = ctx.Err()
	}
	return feedErr
}

// errBudget stops a run whose time is up.
var errBudget = errors.New("time budget spent")

// directRequest is one request to send; sent is how many times earlier
// runs sent it without hearing its outcome, and journaled says that the
// sent line of its next send is written already (by the sentFeeder).
type directRequest struct {
	id        string
	line      []byte
	sent      int
	journaled bool
}

// send sends one request until it has an outcome, and journals it. It
// returns an error only when the journal cannot be written, ctx ended, or
// the endpoint could not be reached at all within the retry policy's
// attempts (the request then has no outcome, and the next run sends it).
func (m *Manager) send(ctx context.Context, d *directProvider, j *Job, jr *journal, r directRequest, opts RunOptions, stats *RunStats) error {
	attempts := r.sent
	lost := r.sent // sends whose answer was lost
	tokens := EstimateTokens(r.line)
	req := providers.CallRequest{Endpoint: j.Endpoint, Model: j.Model, Line: r.line}
	policy := m.Retry
	maxTries := policy.Attempts
	if maxTries <= 0 {
		maxTries = 5
	}
	journaled := r.journaled // the first send's sent line is durable
	for tries := 1; ; tries++ {
		if lost >= 2 {
			// Sent twice already without an answer heard: not again.
			jr.Outcome(r.id, attempts, false, d.FailedLine(r.id, "the request was sent twice and both answers were lost; not sending it again"))
			stats.Done.Add(1)
			stats.Errors.Add(1)
			return nil
		}
		release := func(int, http.Header, []byte) {}
		if opts.Limiter != nil {
			var err error
			if release, err = opts.Limiter.Acquire(ctx, tokens); err != nil {
				if journaled {
					jr.Unsent(r.id, attempts)
				}
				return err
			}
		}
		if journaled && ctx.Err() != nil {
			release(0, nil, nil)
			jr.Unsent(r.id, attempts)
			return ctx.Err()
		}
		attempts++
		if journaled {
			journaled = false
		} else if err := jr.Sent(r.id, attempts); err != nil {
			release(0, nil, nil)
			return fmt.Errorf("writing the journal of job %s: %w", j.ID, err)
		}
		killPoint("direct-sent")
		stats.InFlight.Add(1)
		stats.Sent.Add(1)
		stats.Tokens.Add(int64(tokens))
		ans, err := d.Call(ctx, req)
		stats.InFlight.Add(-1)
		release(ans.Status, ans.Header, ans.Body)
		if ctx.Err() != nil {
			return ctx.Err() // in flight at the end: its outcome is unknown
		}
		if err == nil {
			m.journalOutcome(jr, r.id, attempts, ans, stats)
			return nil
		}
		if ans.Line == nil {
			return fmt.Errorf("job %s, request %q: %w", j.ID, r.id, err) // its input line is unreadable
		}
		retryable, wait := retry.Classify(ctx, err)
		switch {
		case notSent(err):
			attempts-- // it never left
			jr.Unsent(r.id, attempts)
			if tries >= maxTries {
				// The endpoint cannot be reached: stop, leaving the
				// request without an outcome for the next run.
				return fmt.Errorf("job %s: %w", j.ID, err)
			}
		case sendFailure(err):
			lost++ // it may have reached the endpoint
		}
		if !retryable || tries >= maxTries && !(sendFailure(err) && lost < 2) {
			m.journalOutcome(jr, r.id, attempts, ans, stats)
			return nil
		}
		if wait <= 0 {
			wait = policy.Backoff(tries)
		}
		if err := sleep(ctx, policy, wait); err != nil {
			return err
		}
	}
}

// journalOutcome appends a request's final answer.
func (m *Manager) journalOutcome(jr *journal, id string, attempts int, ans providers.Answer, stats *RunStats) {
	jr.Outcome(id, attempts, ans.OK(), ans.Line)
	stats.Done.Add(1)
	if !ans.OK() {
		stats.Errors.Add(1)
	}
}

// sendFailure reports whether err is a failure to get an answer, not an
// answer.
func sendFailure(err error) bool {
	var he *providers.HTTPError
	return err != nil && !errors.As(err, &he)
}

// notSent reports whether a failure happened before the request could
// reach the endpoint (no connection).
func notSent(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// reportProgress writes the run's progress every second until stopped.
func (m *Manager) reportProgress(jobID string, stats *RunStats) (stop func()) {
	meter := NewMeter(stats)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			m.writeProgress(jobID, meter.Read(time.Now()))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		os.Remove(m.progressPath(jobID))
	}
}

// sleep waits d under the policy (its Sleep, when a test sets one), or
// until ctx ends.
func sleep(ctx context.Context, p retry.Policy, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
