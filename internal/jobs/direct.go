package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/schemacheck"
	"github.com/batchctl/batchctl/internal/store"
)

// A direct job's requests are sent by batchctl itself, one at a time, to
// the synchronous endpoints of its protocol (see Run). It has parts as a
// batch job does, each with a local batch id, and the same results: the
// part's journal holds the provider's own result line of each request.

// Direct reports whether j is a direct job.
func (j *Job) Direct() bool { return j.Target.Mode == config.ModeDirect }

// directBatchID is the local batch id of a direct job's part.
func directBatchID(jobID string, index int) string {
	return "direct-" + jobID + "-" + strconv.Itoa(index)
}

// partOfBatchID is the part index a local batch id names, 0 for none.
func partOfBatchID(jobID, batchID string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(batchID, "direct-"+jobID+"-"))
	if err != nil || !strings.HasPrefix(batchID, "direct-"+jobID+"-") {
		return 0
	}
	return n
}

// JournalPath is where a direct job's part keeps the outcome of each request.
func (m *Manager) JournalPath(jobID string, index int) string {
	return filepath.Join(m.Config.JobDir(jobID), "direct-"+strconv.Itoa(index)+".journal")
}

// cancelledPath marks a direct job's part cancelled.
func (m *Manager) cancelledPath(jobID string, index int) string {
	return filepath.Join(m.Config.JobDir(jobID), "direct-"+strconv.Itoa(index)+".cancelled")
}

// WorkerPIDPath holds the pid of the process running a direct job: in the
// job's directory of this host, never a shared one, since the pid means
// nothing on another host.
func (m *Manager) WorkerPIDPath(jobID string) string {
	return filepath.Join(m.Config.HostJobDir(jobID), "worker.pid")
}

// WorkerLogPath is the log of a direct job's background worker (create --detach).
func (m *Manager) WorkerLogPath(jobID string) string {
	return filepath.Join(m.Config.JobDir(jobID), "worker.log")
}

// directProvider is the provider of a direct job: its batches are the
// job's parts, their state and results read from the journals; the
// requests themselves go to caller (see Run).
type directProvider struct {
	providers.Caller
	m   *Manager
	job string
}

// asDirect wraps the provider of direct job j.
// The requests are the run's to retry (see send): a wrapper that retries
// the batch calls (retry.Wrap) is looked through.
func (m *Manager) asDirect(j *Job, p providers.Provider) (providers.Provider, error) {
	for {
		if c, ok := p.(providers.Caller); ok {
			return &directProvider{Caller: c, m: m, job: j.ID}, nil
		}
		u, ok := p.(interface{ Unwrap() providers.Provider })
		if !ok {
			return nil, fmt.Errorf("provider %q has no synchronous endpoint to run a direct job on", j.Provider)
		}
		p = u.Unwrap()
	}
}

// caller is the provider that sends a direct job's requests.
func (m *Manager) caller(j *Job) (*directProvider, error) {
	p, err := m.providerOf(j)
	if err != nil {
		return nil, err
	}
	d, ok := p.(*directProvider)
	if !ok {
		return nil, fmt.Errorf("job %s is not a direct job", j.ID)
	}
	return d, nil
}

func (d *directProvider) part(batchID string) (int, error) {
	n := partOfBatchID(d.job, batchID)
	if n == 0 {
		return 0, &providers.HTTPError{Op: "get batch", StatusCode: 404, Message: "no part " + batchID + " in direct job " + d.job}
	}
	return n, nil
}

// Submit is never called: a direct job's parts have their ids when recorded.
func (d *directProvider) Submit(context.Context, providers.SubmitRequest) (*providers.Batch, error) {
	return nil, errors.New("a direct job is run, not submitted")
}

// Get reads a part's state from its journal: completed once every request
// has an outcome, cancelled once cancel marked it, in_progress until then.
func (d *directProvider) Get(_ context.Context, batchID string) (*providers.Batch, error) {
	n, err := d.part(batchID)
	if err != nil {
		return nil, err
	}
	st, _, err := readJournal(d.m.JournalPath(d.job, n), nil)
	if err != nil {
		return nil, err
	}
	requests := 0
	if err := d.m.eachSubmittedID(d.job, n, func(string) error { requests++; return nil }); err != nil {
		return nil, err
	}
	b := &providers.Batch{ID: batchID, Provider: d.Name(), Status: providers.StatusInProgress, ProviderStatus: "running"}
	b.Counts.Total = requests
	for _, ok := range st.done {
		if ok {
			b.Counts.Succeeded++
		} else {
			b.Counts.Failed++
		}
	}
	_, cerr := os.Stat(d.m.cancelledPath(d.job, n))
	switch {
	case len(st.done) >= requests:
		b.Status, b.ProviderStatus = providers.StatusCompleted, "completed"
	case cerr == nil:
		b.Status, b.ProviderStatus = providers.StatusCancelled, "cancelled"
	}
	return b, nil
}

// Cancel marks a part cancelled and stops the process running the job, if
// any: the requests without an outcome then end as canceled.
func (d *directProvider) Cancel(ctx context.Context, batchID string) (*providers.Batch, error) {
	n, err := d.part(batchID)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(d.m.cancelledPath(d.job, n), nil, 0o600); err != nil {
		return nil, err
	}
	d.m.stopWorker(ctx, d.job)
	return d.Get(ctx, batchID)
}

// stopWorker sends SIGTERM to the process running a direct job, when one
// holds its run lock.
func (m *Manager) stopWorker(ctx context.Context, jobID string) {
	lock, err := m.lockJob(ctx, jobID, "direct")
	if err == nil {
		lock.Unlock() // nobody runs it
		return
	}
	raw, err := os.ReadFile(m.WorkerPIDPath(jobID))
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && pid > 0 && pid != os.Getpid() {
		if proc, err := os.FindProcess(pid); err == nil {
			proc.Signal(syscall.SIGTERM)
		}
	}
}

// List lists nothing: a direct job's parts are in the registry only.
func (d *directProvider) List(context.Context, providers.ListOptions, func(*providers.Batch) error) error {
	return nil
}

// Download writes the outcome lines of a part's journal, one per request.
func (d *directProvider) Download(_ context.Context, b *providers.Batch, w io.Writer) error {
	n, err := d.part(b.ID)
	if err != nil {
		return err
	}
	_, _, err = readJournal(d.m.JournalPath(d.job, n), func(line []byte) error {
		_, err := w.Write(append(line, '\n'))
		return err
	})
	return err
}

// Normalize normalizes an outcome line with the protocol's normalizer and
// adds how many times the request was sent.
func (d *directProvider) Normalize(line []byte) (providers.Result, error) {
	r, err := d.Caller.Normalize(line)
	if err != nil {
		return r, err
	}
	if bytes := line; len(bytes) > len(outcomePrefix) && string(bytes[:len(outcomePrefix)]) == string(outcomePrefix) {
		s := jsonscan.New(bytes[len(outcomePrefix):])
		if n, err := s.Int(); err == nil {
			a := int(n)
			r.Attempts = &a
		}
	}
	return r, nil
}

// markDirect gives the parts of a new direct job their local batch ids.
func markDirect(sj *store.Job) {
	for i := range sj.Parts {
		p := &sj.Parts[i]
		p.BatchID = directBatchID(sj.ID, p.Index)
		p.Status, p.ProviderStatus = string(providers.StatusInProgress), "queued"
		p.Counts.Total = p.Requests
	}
}

// directPartial gives the results of a direct job's part still running:
// the outcomes journalled so far, and every other request pending.
func (m *Manager) directPartial(p providers.Provider, j *Job, part store.Part, schemas *schemacheck.Set, tally Tally, fn func(*providers.Result) error) error {
	emit := m.emitter(j, part, schemas, tally, fn)
	seen := map[string]bool{}
	_, _, err := readJournal(m.JournalPath(j.ID, part.Index), func(line []byte) error {
		r, err := p.Normalize(line)
		if err != nil {
			return fmt.Errorf("the journal of job %s: %w", j.ID, err)
		}
		seen[r.CustomID] = true
		return emit(&r)
	})
	if err != nil {
		return err
	}
	return m.eachSubmittedID(j.ID, part.Index, func(id string) error {
		if seen[id] {
			return nil
		}
		return emit(&providers.Result{CustomID: id, Status: providers.ResultPending})
	})
}
