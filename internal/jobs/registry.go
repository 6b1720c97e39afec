package jobs

import (
	"context"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

// Registry is what the Manager needs of a job registry: every backend under
// internal/store implements it, and storetest.Run checks that it does so
// the way the Manager relies on. Its jobs, parts, filters and errors are
// package store's; it is safe for concurrent use by several goroutines and
// several processes.
type Registry interface {
	// CreateJob records a new job with its parts, filling in the times
	// left zero and the aggregates (store.Aggregate). It fails with
	// store.ErrExists when the id is taken and store.ErrNotFound when the
	// parent is not a job.
	CreateJob(ctx context.Context, j *store.Job) error
	// SavePart records the state of one part of a job, adding it when the
	// job has no part of its index, and updates the job's aggregates.
	SavePart(ctx context.Context, jobID string, p store.Part) error
	// SetSynced records when sync last exported the job's results; a zero
	// time unmarks it.
	SetSynced(ctx context.Context, id string, t time.Time) error
	// Delete removes a job and its parts.
	Delete(ctx context.Context, id string) error

	// Get finds the job ref names: an exact job id, else a part's batch
	// id, else a unique prefix of job ids, else the newest job of that
	// name. It fails with store.ErrNotFound, or a *store.AmbiguousError
	// when a batch id or a prefix matches several jobs and no name does.
	Get(ctx context.Context, ref string) (*store.Job, error)
	// List returns the jobs that match f, newest first, without their
	// parts' raw batches.
	List(ctx context.Context, f store.Filter) ([]*store.Job, error)
	// Family returns the retry chain a job belongs to, oldest first.
	Family(ctx context.Context, id string) ([]*store.Job, error)
	// FindByFingerprint returns the newest job with this fingerprint
	// created at or after since.
	FindByFingerprint(ctx context.Context, fp string, since time.Time) (*store.Job, error)
	// JobIDs returns the sorted ids and names that start with prefix.
	JobIDs(ctx context.Context, prefix string) ([]string, error)
	// NewID returns a random job id that no job has.
	NewID(ctx context.Context) (string, error)

	// ReserveJob records j as the job doing the work of its Fingerprint,
	// unless the job already holding that fingerprint is one reuse
	// accepts: then it returns that job and records nothing. The check
	// and the record are one atomic step, so of several identical
	// creates at once, in any number of processes, exactly one records a
	// job and the others get it.
	ReserveJob(ctx context.Context, j *store.Job, reuse func(*store.Job) bool) (*store.Job, error)
	// AddAttempt records a as the next attempt to create its part's
	// batch, before the call is sent, and sets a.N.
	AddAttempt(ctx context.Context, a *store.Attempt) error
	// SettleAttempt marks attempt n of a part as settled: its outcome is
	// known; batchID, when not empty, is the batch it made.
	SettleAttempt(ctx context.Context, jobID string, part, n int, batchID string) error
	// OpenAttempts returns the attempts of a job whose outcome is not
	// known, by part and number.
	OpenAttempts(ctx context.Context, jobID string) ([]store.Attempt, error)

	// LearnedBudgets returns the enqueued-token budgets learned from the
	// providers' quota refusals; SetLearnedBudget records one (Tokens 0
	// removes it).
	LearnedBudgets(ctx context.Context) ([]store.LearnedBudget, error)
	SetLearnedBudget(ctx context.Context, b store.LearnedBudget) error

	// ExportJob returns everything the registry holds of the job with
	// this exact id, read at one instant, or fails with store.ErrNotFound.
	ExportJob(ctx context.Context, id string) (*store.Record, error)
	// ImportJob records r as it is (ids, times, aggregates, attempts,
	// claims), all of it in one atomic step or nothing. It fails with
	// store.ErrExists, recording nothing, when the id is taken. The parent
	// need not be a job; a claim on a fingerprint another job holds is
	// left to that job.
	ImportJob(ctx context.Context, r *store.Record) error
}

// List returns the registered jobs that match f, newest first.
func (m *Manager) List(ctx context.Context, f store.Filter) ([]*store.Job, error) {
	list, err := m.reg.List(ctx, f)
	for _, j := range list {
		countRemote(j)
	}
	return list, err
}

// eacher is a registry that reads the jobs of a listing one at a time
// (the SQLite and PostgreSQL stores).
type eacher interface {
	Each(ctx context.Context, f store.Filter, withParts bool, fn func(*store.Job) error) error
}

// Each calls fn with each registered job that matches f, newest first,
// with its parts only withParts (without their raw batches), holding one
// job at a time where the registry can. A job may have only what a
// listing shows: id, name, provider, model, status, requests, counts,
// usage and times. An error from fn stops it.
func (m *Manager) Each(ctx context.Context, f store.Filter, withParts bool, fn func(*store.Job) error) error {
	each := func(j *store.Job) error {
		countRemote(j)
		return fn(j)
	}
	if e, ok := m.reg.(eacher); ok {
		return e.Each(ctx, f, withParts, each)
	}
	list, err := m.reg.List(ctx, f)
	if err != nil {
		return err
	}
	for _, j := range list {
		if err := each(j); err != nil {
			return err
		}
	}
	return nil
}

// Family returns the retry chain of the job with this exact id, oldest first.
func (m *Manager) Family(ctx context.Context, id string) ([]*store.Job, error) {
	return m.reg.Family(ctx, id)
}

// NewID returns an id no registered job has yet.
func (m *Manager) NewID(ctx context.Context) (string, error) {
	return m.reg.NewID(ctx)
}

// JobIDs returns the ids and names of registered jobs that start with
// prefix, sorted, for shell completion.
func (m *Manager) JobIDs(ctx context.Context, prefix string) ([]string, error) {
	return m.reg.JobIDs(ctx, prefix)
}
