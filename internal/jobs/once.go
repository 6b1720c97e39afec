package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// DefaultCreateTimeout bounds one attempt to create a part's batch, before
// its upload time (see attemptTimeout). It matches the shared HTTP client's
// response header timeout (internal/cmdutil/factory): a provider that has
// not answered a create by then is given up on.
const DefaultCreateTimeout = 5 * time.Minute

// minUploadRate is the slowest upload an attempt allows for, in bytes per
// second: a part's upload gets its size over this rate on top of the
// create timeout.
const minUploadRate = 256 << 10

// reconcilePoll is the longest pause between two looks at the provider's
// batches while an earlier attempt may still land.
const reconcilePoll = 2 * time.Second

// attemptTimeout bounds an attempt to create a part of size bytes, upload
// included: the client gives up on it after that long.
func (m *Manager) attemptTimeout(size int64) time.Duration {
	base := m.CreateTimeout
	if base <= 0 {
		base = DefaultCreateTimeout
	}
	return base + time.Duration(size/minUploadRate)*time.Second
}

// settleMargin is how long after the client gives up on an attempt the
// provider may still act on it (a request already received, still being
// processed): a tenth of the attempt's timeout.
func settleMargin(timeout time.Duration) time.Duration { return timeout / 10 }

// TestOnlyKillAt, when set (only by the test binary), names a point of a
// create (or a registry copy) at which the process kills itself (see killPoint), so tests can
// stop it exactly there, as a crash or kill -9 would.
var TestOnlyKillAt string

// killPoint kills the process with SIGKILL if TestOnlyKillAt names point.
// The points: "recorded" (job recorded, nothing sent), "attempt" (a create
// attempt recorded, not sent), "created" (the provider answered with a
// batch, not yet recorded), "primed" (a cache primer's batch is recorded,
// the parts it holds are not submitted), "direct-sent" (a direct job's
// request is journalled as sent, and not sent), "copied" (CopyRegistry
// copied its first job).
func killPoint(point string) {
	if TestOnlyKillAt != point {
		return
	}
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Kill()
		select {} // the kill is asynchronous: never go past the point
	}
}

// CreateOptions tune Create.
type CreateOptions struct {
	// Force submits a new job even when one doing the same work exists.
	Force bool
}

// CreateResult says what Create did.
type CreateResult struct {
	Job *Job
	// Reused is set when an existing job does the same work; Why then
	// says what state it was found in ("it is in_progress"). Resumed is
	// set when that job was not fully submitted and this call finished
	// submitting it.
	Reused  bool
	Resumed bool
	Why     string
	// Replaced, when set, is an earlier job with the same work that could
	// not be reused (cancelled, failed or expired), with why.
	Replaced string
}

// reusable says whether a job doing the same work may stand for a new
// create, and why (or why not): within DuplicateWindow, a job that was not
// cancelled, did not fail and did not expire. Unsubmitted and queued jobs
// are resumed; running and completed ones are reused.
func (m *Manager) reusable(j *store.Job) (bool, string) {
	if j.CreatedAt.Before(m.now().Add(-DuplicateWindow)) {
		return false, ""
	}
	switch providers.Status(j.Status) {
	case providers.StatusCancelled, providers.StatusCancelling, providers.StatusFailed, providers.StatusExpired:
		return false, fmt.Sprintf("job %s from the same input was %s; submitting a new job", j.ID, j.Status)
	}
	return true, ""
}

// Create records and submits the job of plan, unless a job doing the same
// work (same fingerprint: input, destination, options and name) may be
// reused: then that job is returned, its unsubmitted parts submitted. Of
// several identical creates at once, one records the job (a reservation in
// the registry) and the others wait, bounded, for it to finish submitting,
// then return the same job. On failure the result still names the job
// when one stays recorded (a batch may exist that batchctl did not hear
// of); a job the provider refused outright is forgotten.
func (m *Manager) Create(ctx context.Context, plan *Plan, spec Spec, opts CreateOptions) (res *CreateResult, err error) {
	fp := Fingerprint(plan, spec, spec.CompletionWindow)
	sj := m.newStoreJob(plan, spec, fp)
	res = &CreateResult{}
	held, err := m.reg.ReserveJob(ctx, sj, func(prev *store.Job) bool {
		if opts.Force {
			return false
		}
		ok, why := m.reusable(prev)
		if !ok {
			res.Replaced = why
		}
		return ok
	})
	if err != nil {
		m.Discard(plan)
		return nil, err
	}
	if held != nil {
		m.Discard(plan)
		return m.reuse(ctx, res, &Job{Job: held, Registered: true})
	}
	// Other hosts submit or retry the job from the shared copy of its
	// files; a job whose files could not be shared is forgotten before
	// anything is sent.
	if err := m.shareJobDir(ctx, sj.ID); err != nil {
		return nil, errors.Join(err, m.Forget(context.WithoutCancel(ctx), sj.ID))
	}
	j := &Job{Job: sj, Registered: true, fresh: true}
	res.Job = j
	defer func() {
		if err != nil && m.abandon(context.WithoutCancel(ctx), j, err) {
			res = nil
		}
	}()
	killPoint("recorded")
	err = m.Submit(ctx, j, m.Window(j))
	if _, busy := errors.AsType[*BusyError](err); busy {
		// A sync saw the job recorded and took its submission first: wait
		// for it, then take what it recorded, as for a reused job.
		j.fresh = false
		if err = m.submit(ctx, j, m.Window(j), true); errors.Is(err, errSubmitted) {
			err = nil
		}
	}
	return res, err
}

// reuse finishes a reused job's submission, waiting for a process already
// submitting it.
func (m *Manager) reuse(ctx context.Context, res *CreateResult, j *Job) (*CreateResult, error) {
	res.Job, res.Reused = j, true
	res.Why = "it has " + j.Status
	switch {
	case j.Unsubmitted():
		res.Why, res.Resumed = "it is not fully submitted: finishing it", true
	case !j.Terminal():
		res.Why = "it is " + j.Status
	}
	if !res.Resumed {
		return res, nil
	}
	err := m.submit(ctx, j, m.Window(j), true)
	if errors.Is(err, errSubmitted) {
		res.Why, res.Resumed = "another batchctl process has just submitted it", false
		return res, nil
	}
	return res, err
}

// abandon handles a failed submission of a job this process recorded. When
// the provider refused every part outright (a 4xx answer, nothing
// created), the job is forgotten, so the registry never lists a job that
// does not exist, and abandon reports true.
func (m *Manager) abandon(ctx context.Context, j *Job, err error) bool {
	if !Refused(err) || j.Submitted() {
		return false
	}
	return m.Forget(ctx, j.ID) == nil
}

// Refused reports whether err is the provider refusing a create outright
// (a 4xx answer or no key), so that nothing was created.
func Refused(err error) bool {
	var he *providers.HTTPError
	var nokey *providers.MissingKeyError
	return (errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500) || errors.As(err, &nokey)
}

// newStoreJob is the registry record of a plan about to be submitted.
func (m *Manager) newStoreJob(plan *Plan, spec Spec, fingerprint string) *store.Job {
	now := m.now()
	sj := &store.Job{
		ID:          plan.JobID,
		Name:        spec.Name,
		Provider:    plan.Provider,
		Model:       plan.Model,
		Endpoint:    plan.Endpoint,
		InputPath:   spec.File,
		InputSHA256: plan.SHA256,
		Requests:    plan.Requests,
		Metadata:    spec.Metadata,
		Fingerprint: fingerprint,
		ParentID:    spec.Parent,
		Target:      NewTarget(spec.Profile, spec.CompletionWindow),
		User:        CurrentUser(m.Getenv),
		Host:        CurrentHost(m.Getenv),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	for i, pp := range plan.Parts {
		sj.Parts = append(sj.Parts, store.Part{Index: i + 1, Requests: pp.Requests, Bytes: pp.Bytes, Tokens: pp.Tokens,
			InputFileID: pp.InputFileID, CreatedAt: now, UpdatedAt: now})
	}
	sj.Target.Primer = plan.Primer
	sj.Target.EnqueuedTokens, sj.Target.Priority = spec.EnqueuedTokens, spec.Priority
	if sj.Target.Mode == config.ModeDirect {
		markDirect(sj)
	}
	sj.Status, sj.Counts, sj.Usage, _ = store.Aggregate(sj.Parts)
	return sj
}

// waitSubmitLock takes a job's submit lock, waiting for another holder up to the
// longest a submission of the job can hold it: its parts' attempts and
// their settling.
func (m *Manager) waitSubmitLock(ctx context.Context, j *Job) (Lock, error) {
	lock, err := m.lockJob(ctx, j.ID, "submit")
	if !errors.Is(err, ErrLocked) {
		return lock, err
	}
	var size int64
	for _, p := range j.Parts {
		size += p.Bytes
	}
	timeout := m.attemptTimeout(size)
	timeout += settleMargin(timeout)
	m.note(fmt.Sprintf("waiting for another batchctl process submitting job %s (until %s at most)", j.ID, m.now().Add(timeout).Local().Format(time.TimeOnly)))
	return m.locker.Wait(ctx, jobLockName(j.ID, "submit"), timeout)
}

// attemptTag names an attempt in the registry: job, part and start time.
func attemptTag(a *store.Attempt) string {
	return a.Job + "/" + strconv.Itoa(a.Part) + "@" + a.StartedAt.UTC().Format("20060102T150405.000Z")
}

// awaitEarlier looks for the batch an earlier attempt at a part may have
// made, while the provider can still make it: it asks again and again
// until the batch shows (then it is returned) or the latest unsettled
// attempt's settle time has passed (then nil is returned, so the part is
// created again).
func (m *Manager) awaitEarlier(ctx context.Context, p providers.Provider, j *Job, part store.Part) (*providers.Batch, error) {
	open, err := m.reg.OpenAttempts(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	var until time.Time
	for _, a := range open {
		if a.Part == part.Index && a.SettleAt.After(until) {
			until = a.SettleAt
		}
	}
	if until.IsZero() {
		return nil, nil
	}
	said := false
	for {
		b, err := m.findBatch(ctx, p, j, part)
		if err != nil || b != nil {
			return b, err
		}
		now := m.now()
		if !now.Before(until) {
			// the attempts stay open: a batch one makes later still is an
			// extra for sweepExtras to cancel
			return nil, nil
		}
		if !said {
			m.note(fmt.Sprintf("job %s part %d: an earlier attempt to create its batch may still land; looking for it until %s before creating another",
				j.ID, part.Index, until.Local().Format(time.TimeOnly)))
			said = true
		}
		if err := m.pause(ctx, min(reconcilePoll, until.Sub(now))); err != nil {
			return nil, err
		}
	}
}

// pause waits d, or until ctx is done, with the retry policy's sleep when
// it has one (tests move a clock instead of waiting).
func (m *Manager) pause(ctx context.Context, d time.Duration) error {
	if m.Retry.Sleep != nil {
		return m.Retry.Sleep(ctx, d)
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

// sweepExtras looks, for a job whose create attempts are not all settled,
// for provider batches made for one of its parts besides the part's
// recorded batch. Batches tagged with the part are cancelled (the
// recorded one is kept); an untagged batch that may be one (Anthropic keeps
// no metadata) is only reported, with its id. Once every attempt's settle
// time has passed, the attempts are settled and the job is not swept again.
func (m *Manager) sweepExtras(ctx context.Context, p providers.Provider, j *Job) error {
	open, err := m.reg.OpenAttempts(ctx, j.ID)
	if err != nil || len(open) == 0 {
		return err
	}
	for _, part := range j.Parts {
		if part.BatchID == "" {
			return nil // still being submitted: nothing is extra yet
		}
	}
	recorded := map[string]int{}
	tagless := false // the provider keeps no metadata on batches (Anthropic)
	byTag := map[string]store.Part{}
	for _, part := range j.Parts {
		recorded[part.BatchID] = part.Index
		byTag[partTag(j, part)] = part
	}
	since := j.CreatedAt.Add(-reconcileWindow)
	var cancel, suspects []*providers.Batch
	err = p.List(ctx, providers.ListOptions{}, func(b *providers.Batch) error {
		if !b.CreatedAt.IsZero() && b.CreatedAt.Before(since) {
			return providers.ErrStop
		}
		if _, ok := recorded[b.ID]; ok {
			tagless = tagless || len(b.Metadata) == 0
			return nil
		}
		if b.Status == providers.StatusCancelled || b.Status == providers.StatusCancelling || RefusedBatch(b) {
			return nil
		}
		if b.Metadata["batchctl_job"] == j.ID {
			if _, ok := byTag[b.Metadata["batchctl_part"]]; ok {
				cancel = append(cancel, b)
			}
			return nil
		}
		if len(b.Metadata) == 0 {
			for _, part := range j.Parts {
				if b.Counts.Total == part.Requests {
					suspects = append(suspects, b)
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("looking for extra batches of job %s: %w", j.ID, err)
	}
	for _, b := range cancel {
		part := byTag[b.Metadata["batchctl_part"]]
		if b.Status.Terminal() {
			m.note(fmt.Sprintf("job %s part %d: extra batch %s made by an interrupted create has already %s; keeping %s, its results are not used",
				j.ID, part.Index, b.ID, b.Status, part.BatchID))
			continue
		}
		if _, err := p.Cancel(ctx, b.ID); err != nil {
			return fmt.Errorf("cancelling extra batch %s of job %s: %w", b.ID, j.ID, err)
		}
		m.note(fmt.Sprintf("job %s part %d: cancelled extra batch %s made by an interrupted create; keeping %s", j.ID, part.Index, b.ID, part.BatchID))
	}
	for _, b := range suspects {
		if !tagless {
			break // the provider tags batchctl's batches: an untagged one is not ours
		}
		if _, err := m.reg.Get(ctx, b.ID); !errors.Is(err, store.ErrNotFound) {
			continue // another job's batch
		}
		m.note(fmt.Sprintf("job %s: batch %s may be a duplicate made by an interrupted create (%s keeps no tags, so it is not cancelled): check it with batchctl status %s --provider %s",
			j.ID, b.ID, j.Provider, b.ID, j.Provider))
	}
	now := m.now()
	for _, a := range open {
		if now.Before(a.SettleAt) {
			return nil
		}
	}
	for _, a := range open {
		if err := m.reg.SettleAttempt(ctx, j.ID, a.Part, a.N, ""); err != nil {
			return err
		}
	}
	return nil
}

// maxAttempt is the highest attempt number of a part among attempts.
func maxAttempt(attempts []store.Attempt, part int) int {
	n := 0
	for _, a := range attempts {
		if a.Part == part {
			n = max(n, a.N)
		}
	}
	return n
}

// partTag is the batchctl_part metadata of a part: "" for a job of one
// part, "i/n" otherwise.
func partTag(j *Job, part store.Part) string {
	if len(j.Parts) > 1 {
		return strconv.Itoa(part.Index) + "/" + strconv.Itoa(len(j.Parts))
	}
	return ""
}

// MayBeAtProvider reports whether some batch of the job may exist at the
// provider: a part has one, or an attempt to create one was sent and its
// outcome is not known (a create killed in flight). A job for which it is
// false never reached the provider, and forgetting it loses nothing.
func (m *Manager) MayBeAtProvider(ctx context.Context, j *Job) (bool, error) {
	if j.Submitted() {
		return true, nil
	}
	if !j.Registered {
		return false, nil
	}
	open, err := m.reg.OpenAttempts(ctx, j.ID)
	return len(open) > 0, err
}
