// Package jobs is what the commands share about a job: finding it, keeping
// its parts up to date with the provider, and turning the provider's result
// files into exactly one normalized line per submitted request.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"github.com/batchctl/batchctl/internal/prices"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
	"github.com/batchctl/batchctl/internal/store"
)

// Manager works on jobs of one BATCHCTL_HOME. Build it with NewManager;
// the fields it leaves zero are optional.
type Manager struct {
	Config   *config.Config
	Provider func(name string) (providers.Provider, error)
	Now      func() time.Time
	// Retry governs the calls the Manager repeats itself: creating a
	// part's batch and downloading its results.
	Retry retry.Policy
	// Progress, when set, shows uploads and downloads as they go.
	Progress ProgressFunc
	// ProviderFor, when set, builds the provider of any profile; a
	// registered job's provider is then built from what was recorded at
	// create (see profileOf) rather than found by profile name.
	ProviderFor func(p *config.Profile) (providers.Provider, error)
	// Getenv reads the variable that holds a recorded job's key.
	Getenv func(string) string
	// CreateTimeout bounds one attempt to create a part's batch, before
	// upload time; 0 means DefaultCreateTimeout.
	CreateTimeout time.Duration
	// QueueBackoff is how long a part the provider refused for its quota
	// waits before it is tried again; 0 means DefaultQueueBackoff.
	QueueBackoff time.Duration
	// Note, when set, tells the user something worth knowing that is no
	// error (what the Manager is waiting for or did on its own); Warn,
	// what a provider got wrong that the Manager worked around
	// (impossible counts, repeated or unknown result ids). Each message is
	// told once per Manager, that is once per command run.
	Note func(msg string)
	Warn func(msg string)
	// Files, when set, shares the jobs' files with the other hosts of the
	// registry (see Files).
	Files Files

	reg    Registry
	locker Locker
	mu     sync.Mutex
	told   map[string]bool // keys of what Note and Warn were told already
	// oneEach holds the result files this Manager downloaded and found to
	// hold one line for each submitted request, no other (see
	// encodePart); guarded by mu.
	oneEach map[string]bool
	// prices is the price table, read on first use (see Prices).
	prices *prices.Table
}

// NewManager returns a Manager of the jobs of cfg's home, kept in reg and
// locked with reg's Locker when it has one (see lockerOf).
func NewManager(cfg *config.Config, reg Registry) *Manager {
	return &Manager{Config: cfg, reg: reg, locker: lockerOf(reg, cfg.Home)}
}

// Job is a registered job, or a provider batch that is not in the registry
// (Registered false) looked up with --provider.
type Job struct {
	*store.Job
	Registered bool
	// fresh marks a job recorded by this process: none of its parts can
	// have a batch yet, so there is nothing to look for before submitting.
	fresh bool
}

// NotFoundError says a reference matched no job and no batch could be looked
// up for it.
type NotFoundError struct {
	Ref string
	Err error
}

func (e *NotFoundError) Error() string { return e.Err.Error() }
func (e *NotFoundError) Unwrap() error { return e.Err }

// Resolve finds a job by id, unique id prefix, name or provider batch id.
// When nothing in the registry matches and providerName is set, ref is taken
// as that provider's batch id and fetched from it.
func (m *Manager) Resolve(ctx context.Context, ref, providerName string) (*Job, error) {
	j, err := m.reg.Get(ctx, ref)
	if err == nil {
		countRemote(j)
		return &Job{Job: j, Registered: true}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if providerName == "" {
		return nil, &NotFoundError{Ref: ref, Err: fmt.Errorf("no job or batch %q in the registry (for a batch made elsewhere, add --provider)", ref)}
	}
	p, err := m.Provider(providerName)
	if err != nil {
		return nil, err
	}
	b, err := p.Get(ctx, ref)
	if err != nil {
		var he *providers.HTTPError
		if errors.As(err, &he) && he.IsNotFound() {
			return nil, &NotFoundError{Ref: ref, Err: fmt.Errorf("%s has no batch %q", providerName, ref)}
		}
		return nil, err
	}
	m.checkCounts(b, -1)
	part := PartFromBatch(store.Part{Index: 1}, b, m.now())
	sj := &store.Job{
		ID:        b.ID,
		Provider:  providerName,
		Model:     b.Model,
		Endpoint:  b.Endpoint,
		Requests:  part.Counts.Total,
		Metadata:  b.Metadata,
		CreatedAt: b.CreatedAt,
		UpdatedAt: m.now(),
		Parts:     []store.Part{part},
	}
	sj.Status, sj.Counts, sj.Usage, _ = store.Aggregate(sj.Parts)
	if providers.Status(sj.Status).Terminal() {
		sj.CompletedAt = part.CompletedAt
	}
	return &Job{Job: sj}, nil
}

// GoneError says the provider answers 404 for a batch the registry holds:
// it was deleted, or is past the provider's retention. The job keeps its
// recorded state, and results already downloaded stay available.
type GoneError struct {
	BatchID string
	Err     error // the provider's answer
	// Recorded is whether the registry already knew the batch was gone
	// before this refresh (see store.Part.GoneAt): sync reports a lost
	// batch once, not at every run.
	Recorded bool
}

func (e *GoneError) Error() string {
	return fmt.Sprintf("the provider no longer has batch %s (deleted, or past its retention)", e.BatchID)
}
func (e *GoneError) Unwrap() error { return e.Err }

// Subject names the job in messages: "job j7k2m9", or "batch batch_abc"
// for a batch that is not in the registry.
func (j *Job) Subject() string {
	if j.Registered {
		return "job " + j.ID
	}
	return "batch " + j.Parts[0].BatchID
}

// StatusText says the job's status for people: as it is, or for a status
// batchctl does not know, what the provider said:
// unknown (provider says "weird_state"); then whether the provider no
// longer has its batches: validating (batch gone).
func (j *Job) StatusText() string {
	s := j.Status
	if providers.Status(j.Status) == providers.StatusUnknown {
		for _, p := range j.Parts {
			if providers.Status(p.Status) == providers.StatusUnknown {
				s = fmt.Sprintf("%s (provider says %q)", p.Status, p.ProviderStatus)
				break
			}
		}
	}
	switch n := j.GoneParts(); {
	case n == 1 && len(j.Parts) == 1:
		s += " (batch gone)"
	case n > 0:
		s += fmt.Sprintf(" (%d of %d batches gone)", n, len(j.Parts))
	}
	return s
}

// GoneParts counts the parts whose batch the provider no longer has.
func (j *Job) GoneParts() int {
	n := 0
	for _, p := range j.Parts {
		if !p.GoneAt.IsZero() {
			n++
		}
	}
	return n
}

// PartStatusText says a part's status as Job.StatusText does; a part
// whose batch the provider no longer has says so after its recorded
// status: validating (batch gone).
func PartStatusText(p store.Part) string {
	s := p.Status
	if providers.Status(p.Status) == providers.StatusUnknown {
		s = fmt.Sprintf("%s (provider says %q)", p.Status, p.ProviderStatus)
	}
	if !p.GoneAt.IsZero() {
		s += " (batch gone)"
	}
	return s
}

// Terminal reports whether every part of the job has finished.
func (j *Job) Terminal() bool { return providers.Status(j.Status).Terminal() }

// Refresh asks the provider for the state of every unfinished part and
// records it. A finished job is not refreshed, nor one with no batch yet.
// A part whose batch the provider no longer has keeps its recorded state
// and is marked gone (GoneAt; a batch the provider has again loses the
// mark), and Refresh returns a *GoneError once the other parts are
// refreshed: the first newly gone one, else the first known to be gone.
func (m *Manager) Refresh(ctx context.Context, j *Job) error {
	if j.Terminal() || !j.Submitted() {
		return nil
	}
	p, err := m.providerOf(j)
	if err != nil {
		return err
	}
	var gone *GoneError // the first part the provider no longer has
	var refused []int   // the parts whose batch the provider refused for its quota
	var refusal error
	for i, part := range j.Parts {
		if part.BatchID == "" || providers.Status(part.Status).Terminal() {
			continue
		}
		b, err := p.Get(ctx, part.BatchID)
		if he, ok := errors.AsType[*providers.HTTPError](err); ok && he.IsNotFound() && j.Registered {
			g, err := m.markGone(ctx, j, i, err)
			if err != nil {
				return err
			}
			if gone == nil || gone.Recorded && !g.Recorded {
				gone = g
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("refreshing batch %s: %w", part.BatchID, err)
		}
		if RefusedBatch(b) && j.Registered {
			refused = append(refused, i)
			refusal = fmt.Errorf("batch %s failed: %s", b.ID, refusalMessage(b))
			continue
		}
		m.checkCounts(b, knownRequests(part))
		part.GoneAt = time.Time{}
		if err := m.savePart(ctx, j, i, PartFromBatch(part, b, m.now())); err != nil {
			return err
		}
	}
	if len(refused) > 0 {
		if err := m.requeue(ctx, j, refused, &QuotaError{Err: refusal}); err != nil {
			return err
		}
	}
	if gone != nil {
		return gone
	}
	if !j.Registered {
		return nil
	}
	// the sweep is a courtesy to the user's bill: the job's own state is
	// already refreshed, so a failure to list is said, not returned
	if err := m.sweepExtras(ctx, p, j); err != nil {
		if ctx.Err() != nil {
			return err
		}
		m.note(fmt.Sprintf("warning: %v", err))
	}
	return nil
}

// markGone records, the first time, that the provider answered 404 for
// part i's batch; the part keeps its state.
func (m *Manager) markGone(ctx context.Context, j *Job, i int, answer error) (*GoneError, error) {
	part := j.Parts[i]
	g := &GoneError{BatchID: part.BatchID, Err: answer, Recorded: !part.GoneAt.IsZero()}
	if g.Recorded {
		return g, nil
	}
	part.GoneAt = m.now()
	if err := m.savePart(ctx, j, i, part); err != nil {
		return nil, err
	}
	return g, nil
}

// Cancel asks the provider to cancel every unfinished part and returns how
// many it asked. A part without a batch is first looked for at the provider
// (an interrupted create may have made its batch); one that has none is
// marked cancelled here, so that no sync or create submits it later. A job
// none of whose parts has a batch needs no provider when its own cannot be
// built (say, its base URL is malformed): nothing of it can have reached one.
func (m *Manager) Cancel(ctx context.Context, j *Job) (int, error) {
	if j.Unsubmitted() {
		// A create or sync submitting the job now would race the marks.
		lock, err := m.lockJob(ctx, j.ID, "submit")
		if errors.Is(err, ErrLocked) {
			return 0, &BusyError{Job: j.ID, What: "submitting"}
		}
		if err != nil {
			return 0, err
		}
		defer lock.Unlock()
	}
	p, err := m.providerOf(j)
	if err != nil && j.Submitted() {
		return 0, err
	}
	if p != nil && j.Unsubmitted() {
		if err := m.adoptLost(ctx, p, j); err != nil {
			return 0, err
		}
	}
	for i, part := range j.Parts {
		if !ToSubmit(part) {
			continue
		}
		now := m.now()
		part.Status, part.QueuedWhy, part.NotBefore = string(providers.StatusCancelled), "", time.Time{}
		part.UpdatedAt, part.CompletedAt = now, now
		if err := m.savePart(ctx, j, i, part); err != nil {
			return 0, err
		}
	}
	n := 0
	for i, part := range j.Parts {
		if part.BatchID == "" || providers.Status(part.Status).Terminal() {
			continue
		}
		b, err := p.Cancel(ctx, part.BatchID)
		if err != nil {
			return n, fmt.Errorf("cancelling batch %s: %w", part.BatchID, err)
		}
		n++
		if err := m.savePart(ctx, j, i, PartFromBatch(part, b, m.now())); err != nil {
			return n, err
		}
	}
	return n, nil
}

// savePart records a part's new state, priced once its usage is final (see
// priceFinal), and refreshes the job's aggregates.
func (m *Manager) savePart(ctx context.Context, j *Job, i int, part store.Part) error {
	m.priceFinal(j, &part)
	j.Parts[i] = part
	if j.Registered {
		if err := m.reg.SavePart(ctx, j.ID, part); err != nil {
			return fmt.Errorf("recording batch %s: %w", part.BatchID, err)
		}
	}
	var terminal bool
	j.Status, j.Counts, j.Usage, terminal = store.Aggregate(j.Parts)
	countRemote(j.Job)
	j.UpdatedAt = m.now()
	if terminal && j.CompletedAt.IsZero() {
		j.CompletedAt = lastCompletion(j.Parts, m.now())
	}
	return nil
}

// lastCompletion is when the last of parts finished, or now when none says,
// as the registry records a job's completion.
func lastCompletion(parts []store.Part, now time.Time) time.Time {
	var last time.Time
	for _, p := range parts {
		if p.CompletedAt.After(last) {
			last = p.CompletedAt
		}
	}
	if last.IsZero() {
		return now
	}
	return last
}

// MarkSynced records that sync has exported the job's results.
func (m *Manager) MarkSynced(ctx context.Context, j *Job) error {
	now := m.now()
	if err := m.reg.SetSynced(ctx, j.ID, now); err != nil {
		return err
	}
	j.SyncedAt = now
	return nil
}

// Reload reads registered job j again from the registry, where other
// processes, on this host or others, record the parts they submit and
// the states they poll.
func (m *Manager) Reload(ctx context.Context, j *Job) error {
	fresh, err := m.reg.Get(ctx, j.ID)
	if err != nil {
		return err
	}
	j.Job = fresh
	return nil
}

// PartFromBatch copies a provider's batch state onto a part, its counts
// clamped to the part's requests (see checkCounts).
func PartFromBatch(part store.Part, b *providers.Batch, now time.Time) store.Part {
	part.BatchID = b.ID
	part.Status = string(b.Status)
	part.ProviderStatus = b.ProviderStatus
	part.Counts, _ = b.Counts.Clamp(knownRequests(part))
	if b.Usage != nil {
		part.Usage, part.UsageKnown = *b.Usage, true
	}
	part.InputFileID = b.InputFileID
	part.OutputFileID = b.OutputFileID
	part.ErrorFileID = b.ErrorFileID
	part.Errors = b.Errors
	part.Raw = b.Raw
	if part.CreatedAt.IsZero() {
		part.CreatedAt = b.CreatedAt
	}
	part.UpdatedAt = now
	if b.Status.Terminal() {
		part.CompletedAt = b.CompletedAt
		if part.CompletedAt.IsZero() {
			part.CompletedAt = now
		}
	}
	return part
}

// countRemote gives a job whose requests batchctl never read (started
// from a file the provider has, or made elsewhere) the number the provider
// counts, once it counts them: 0 until then, never fewer than are done.
func countRemote(j *store.Job) {
	if j.Requests == 0 {
		j.Requests = j.Counts.Total
	}
}

// knownRequests is the number of requests of a part, -1 for a batch that
// is not in the registry, whose number only the provider says.
func knownRequests(part store.Part) int {
	if part.Requests > 0 {
		return part.Requests
	}
	return -1
}

// checkCounts warns, once per batch, when the provider's counts of b
// cannot be true of a batch of requests requests (-1: not known): they
// are shown clamped, never as they came.
func (m *Manager) checkCounts(b *providers.Batch, requests int) {
	clamped, ok := b.Counts.Clamp(requests)
	if ok {
		return
	}
	c := b.Counts
	of := ""
	if requests >= 0 {
		of = fmt.Sprintf(" for %d requests", requests)
	}
	m.warnOnce("counts "+b.ID, fmt.Sprintf("batch %s reports impossible request counts (total %d, succeeded %d, failed %d%s); showing %d succeeded, %d failed of %d",
		b.ID, c.Total, c.Succeeded, c.Failed, of, clamped.Succeeded, clamped.Failed, max(requests, clamped.Total)))
}

// warnOnce tells Warn msg, unless it was told of key already.
func (m *Manager) warnOnce(key, msg string) { m.tellOnce(m.Warn, "warn "+key, msg) }

// tellOnce calls tell with msg unless key was told already.
func (m *Manager) tellOnce(tell func(string), key, msg string) {
	if tell == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.told[key] {
		return
	}
	if m.told == nil {
		m.told = map[string]bool{}
	}
	m.told[key] = true
	tell(msg)
}

// InputPath is where a part's converted input is kept.
func (m *Manager) InputPath(jobID string, index int) string {
	return filepath.Join(m.Config.JobDir(jobID), "part-"+strconv.Itoa(index)+".jsonl")
}

// RawResultsPath is where a part's downloaded provider results are kept.
func (m *Manager) RawResultsPath(jobID string, index int) string {
	return filepath.Join(m.Config.JobDir(jobID), "part-"+strconv.Itoa(index)+".results.jsonl")
}

func (m *Manager) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

// mkdirJob creates a job's directory, private to the user.
func (m *Manager) mkdirJob(id string) error {
	return os.MkdirAll(m.Config.JobDir(id), 0o700)
}
