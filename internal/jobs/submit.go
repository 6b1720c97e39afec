package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
	"github.com/batchctl/batchctl/internal/store"
)

// BusyError says another batchctl process is working on the same job.
type BusyError struct {
	Job  string
	What string // "submitting", "downloading results of"
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("another batchctl process is %s job %s", e.What, e.Job)
}

// AmbiguousBatchError says several provider batches could be the lost
// batch of a part, so none was adopted.
type AmbiguousBatchError struct {
	Job        string
	Part       int
	Candidates []string
}

func (e *AmbiguousBatchError) Error() string {
	return fmt.Sprintf("job %s part %d: %d provider batches could be its batch (%s); not guessing: check them with batchctl status <batch> --provider ...",
		e.Job, e.Part, len(e.Candidates), strings.Join(e.Candidates, ", "))
}

// Submit creates a provider batch for every part not yet submitted. Every
// attempt is recorded before it is sent, with the time after which the
// provider can no longer act on it. Before creating a part again, Submit
// looks for the batch an earlier attempt may have made, until that time
// has passed, and adopts it, so a part never gets two batches. Parts
// already created stay recorded if a later one fails. Only one process
// submits a job at a time (*BusyError otherwise).
func (m *Manager) Submit(ctx context.Context, j *Job, window string) error {
	if err := m.submit(ctx, j, window, false); !errors.Is(err, errSubmitted) {
		return err
	}
	return nil
}

// errSubmitted says another process submitted the job while submit waited
// for it.
var errSubmitted = errors.New("already submitted")

// submit is Submit; with wait, it waits (bounded) for another process
// submitting the job instead of returning a *BusyError. It returns
// errSubmitted when there was nothing left to submit.
func (m *Manager) submit(ctx context.Context, j *Job, window string, wait bool) error {
	var lock Lock
	var err error
	if wait {
		lock, err = m.waitSubmitLock(ctx, j)
	} else {
		lock, err = m.lockJob(ctx, j.ID, "submit")
	}
	if errors.Is(err, ErrLocked) {
		return &BusyError{Job: j.ID, What: "submitting"}
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	p, err := m.providerOf(j)
	if err != nil {
		return err
	}
	// A job recorded earlier may have been submitted, in part or whole, by
	// a process that held the lock before us, or that died: take what the
	// registry knows now, then adopt what the provider shows.
	if !j.fresh {
		now, err := m.reg.Get(ctx, j.ID)
		if err != nil {
			return err
		}
		j.Job = now
		if !j.Unsubmitted() {
			return errSubmitted
		}
		if err := m.adoptLost(ctx, p, j); err != nil {
			return err
		}
		// Another host may have created it.
		if err := m.fetchJobDir(ctx, j); err != nil {
			return err
		}
	}
	for i, part := range j.Parts {
		if !ToSubmit(part) {
			continue
		}
		sent, err := m.submitQueuedPart(ctx, p, j, i, window)
		if err != nil {
			return &SubmitError{Job: j.ID, Part: part.Index, Parts: len(j.Parts), Err: err}
		}
		if !sent { // it waits in the queue, and the parts after it too
			return nil
		}
		switch {
		case i == 0 && j.Target.Primer:
			killPoint("primed")
		case i == 1 && j.Target.Primer:
			m.note(fmt.Sprintf("the cache primer of job %s ended (%s); submitting the other %s",
				j.ID, j.Parts[0].Status, batches(len(j.Parts)-1)))
		}
	}
	return nil
}

// submitPart creates one part's batch, retrying under the policy. Before
// each attempt it waits for the unsettled earlier ones (awaitEarlier); an
// attempt the provider answered with an error gets one more look, in case
// it made the batch all the same.
func (m *Manager) submitPart(ctx context.Context, p providers.Provider, j *Job, part store.Part, window string) (*providers.Batch, error) {
	path := m.InputPath(j.ID, part.Index)
	req := providers.SubmitRequest{
		Open:             func() (io.ReadCloser, error) { return os.Open(path) },
		Size:             part.Bytes,
		Filename:         j.ID + "-" + strconv.Itoa(part.Index) + ".jsonl",
		Endpoint:         j.Endpoint,
		Model:            j.Model,
		Requests:         part.Requests,
		Metadata:         batchMetadata(j, part),
		CompletionWindow: window,
	}
	if RemoteInput(part) {
		req.Open, req.InputFileID = nil, part.InputFileID
	}
	if prog := m.startProgress(fmt.Sprintf("uploading %s part %d", j.ID, part.Index), part.Bytes); prog != nil && req.Open != nil {
		defer prog.Done()
		open := req.Open
		req.Open = func() (io.ReadCloser, error) {
			rc, err := open()
			if err != nil {
				return nil, err
			}
			return &countingReader{ReadCloser: rc, p: prog}, nil
		}
	}
	timeout := m.attemptTimeout(part.Bytes)
	var b *providers.Batch
	answered := false
	err := m.Retry.Do(ctx, fmt.Sprintf("create batch for job %s part %d", j.ID, part.Index), func() error {
		found, err := m.awaitEarlier(ctx, p, j, part)
		if err == nil && found == nil && answered {
			found, err = m.findBatch(ctx, p, j, part)
		}
		if err != nil {
			return retry.Permanent(err) // List was retried already
		}
		if found != nil {
			b = found
			return nil
		}
		// The attempt is recorded when the create request is about to go
		// (after the upload), and given up on timeout later.
		actx, cancel := context.WithCancel(ctx)
		defer cancel()
		var a *store.Attempt
		var giveUp *time.Timer
		req.Creating = func() error {
			start := m.now()
			a = &store.Attempt{Job: j.ID, Part: part.Index, StartedAt: start,
				SettleAt: start.Add(timeout + settleMargin(timeout))}
			a.Tag = attemptTag(a)
			if err := m.reg.AddAttempt(ctx, a); err != nil {
				return retry.Permanent(err)
			}
			killPoint("attempt")
			giveUp = time.AfterFunc(timeout, cancel)
			return nil
		}
		b, err = p.Submit(actx, req)
		if giveUp != nil {
			giveUp.Stop()
		}
		var he *providers.HTTPError
		switch {
		case a == nil:
			// nothing asked for a batch (an upload failed): nothing to settle
		case err == nil:
			killPoint("created")
			return m.reg.SettleAttempt(ctx, j.ID, part.Index, a.N, b.ID)
		case errors.As(err, &he):
			// the provider answered: it is done with the call
			answered = true
			if serr := m.reg.SettleAttempt(ctx, j.ID, part.Index, a.N, ""); serr != nil {
				return retry.Permanent(serr)
			}
			if quotaRefusal(err) {
				return retry.Permanent(&QuotaError{Err: err})
			}
		case ctx.Err() == nil && actx.Err() != nil:
			err = fmt.Errorf("no answer within %s: %w", timeout, err)
		}
		return err
	})
	return b, err
}

// batchMetadata tags a part's provider batch with its job and part, so a
// batch whose creation was not recorded can be recognised later.
func batchMetadata(j *Job, part store.Part) map[string]string {
	meta := map[string]string{}
	for k, v := range j.Metadata {
		meta[k] = v
	}
	meta["batchctl_job"] = j.ID
	if tag := partTag(j, part); tag != "" {
		meta["batchctl_part"] = tag
	}
	if j.Name != "" {
		meta["batchctl_name"] = j.Name
	}
	return meta
}

// adoptLost records, for every part without a batch whose create was
// sent, the provider batch an interrupted create made for it, if there is
// one.
func (m *Manager) adoptLost(ctx context.Context, p providers.Provider, j *Job) error {
	open, err := m.reg.OpenAttempts(ctx, j.ID)
	if err != nil {
		return err
	}
	for i, part := range j.Parts {
		// only a part whose create was sent can have a batch: looking for
		// the others could take a sibling's untagged batch for theirs
		if part.BatchID != "" || maxAttempt(open, part.Index) == 0 {
			continue
		}
		b, err := m.findBatch(ctx, p, j, part)
		if err != nil {
			return err
		}
		if b == nil {
			continue
		}
		if err := m.savePart(ctx, j, i, PartFromBatch(part, b, m.now())); err != nil {
			return err
		}
	}
	return nil
}

// reconcileWindow is how long before a job's creation a provider batch of
// it can have been created (clock skew between us and the provider).
const reconcileWindow = 5 * time.Minute

// findBatch looks among the provider's recent batches for the one made for
// a part. Batches carrying batchctl metadata are matched by job and part.
// Where the provider keeps no metadata (Anthropic), a batch created after
// the job with the part's request count, not yet known to the registry,
// matches; more than one such batch is an *AmbiguousBatchError.
func (m *Manager) findBatch(ctx context.Context, p providers.Provider, j *Job, part store.Part) (*providers.Batch, error) {
	tag := partTag(j, part)
	since := j.CreatedAt.Add(-reconcileWindow)
	var tagged *providers.Batch
	var untagged []*providers.Batch
	err := p.List(ctx, providers.ListOptions{}, func(b *providers.Batch) error {
		if !b.CreatedAt.IsZero() && b.CreatedAt.Before(since) {
			return providers.ErrStop // newest first: the rest are older
		}
		switch {
		case RefusedBatch(b): // a create the provider refused for its quota
		case b.Metadata["batchctl_job"] == j.ID && b.Metadata["batchctl_part"] == tag:
			tagged = b
			return providers.ErrStop
		case len(b.Metadata) == 0 && b.Counts.Total == part.Requests:
			untagged = append(untagged, b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("looking for the batch of job %s part %d: %w", j.ID, part.Index, err)
	}
	if tagged != nil {
		return tagged, nil
	}
	var candidates []*providers.Batch
	for _, b := range untagged {
		if _, err := m.reg.Get(ctx, b.ID); errors.Is(err, store.ErrNotFound) {
			candidates = append(candidates, b)
		}
	}
	switch len(candidates) {
	case 0:
		return nil, nil
	case 1:
		return candidates[0], nil
	}
	ids := make([]string, len(candidates))
	for i, b := range candidates {
		ids[i] = b.ID
	}
	return nil, &AmbiguousBatchError{Job: j.ID, Part: part.Index, Candidates: ids}
}
