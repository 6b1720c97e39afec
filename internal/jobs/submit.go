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
	"time"

	"github.com/batchctl/batchctl/internal/lockfile"
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

// lockJob takes a job's lock for one kind of work, so that a crashed
// holder's lock is released by the OS and a live one is never doubled.
func (m *Manager) lockJob(jobID, kind string) (*lockfile.Lock, error) {
	return lockfile.TryLock(filepath.Join(m.Config.Home, "locks", jobID+"."+kind+".lock"))
}

// Submit creates a provider batch for every part not yet submitted. Before
// creating a part again after a failed or interrupted attempt, it looks for
// the batch that attempt may have created and adopts it, so a part never
// gets two batches. Parts already created stay recorded if a later one
// fails. Only one process submits a job at a time (*BusyError otherwise).
func (m *Manager) Submit(ctx context.Context, j *Job, window string) error {
	lock, err := m.lockJob(j.ID, "submit")
	if errors.Is(err, lockfile.ErrLocked) {
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
	// A job recorded earlier may have been submitted in part by a process
	// that died: adopt what that process created.
	if !j.fresh {
		if err := m.adoptLost(ctx, p, j); err != nil {
			return err
		}
	}
	for i, part := range j.Parts {
		if part.BatchID != "" {
			continue
		}
		b, err := m.submitPart(ctx, p, j, part, window)
		if err != nil {
			return &SubmitError{Job: j.ID, Part: part.Index, Parts: len(j.Parts), Err: err}
		}
		if err := m.savePart(ctx, j, i, PartFromBatch(part, b, m.now())); err != nil {
			return err
		}
	}
	return nil
}

// submitPart creates one part's batch, retrying under the policy; before
// each new attempt it looks for a batch the previous one may have created.
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
	var b *providers.Batch
	tried := false
	err := m.Retry.Do(ctx, fmt.Sprintf("create batch for job %s part %d", j.ID, part.Index), func() error {
		if tried {
			found, err := m.findBatch(ctx, p, j, part)
			if err != nil {
				return retry.Permanent(err) // List was retried already
			}
			if found != nil {
				b = found
				return nil
			}
		}
		tried = true
		var err error
		b, err = p.Submit(ctx, req)
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
	if len(j.Parts) > 1 {
		meta["batchctl_part"] = strconv.Itoa(part.Index) + "/" + strconv.Itoa(len(j.Parts))
	}
	if j.Name != "" {
		meta["batchctl_name"] = j.Name
	}
	return meta
}

// adoptLost records, for every part without a batch, the provider batch an
// interrupted create made for it, if there is one.
func (m *Manager) adoptLost(ctx context.Context, p providers.Provider, j *Job) error {
	for i, part := range j.Parts {
		if part.BatchID != "" {
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
	partTag := ""
	if len(j.Parts) > 1 {
		partTag = strconv.Itoa(part.Index) + "/" + strconv.Itoa(len(j.Parts))
	}
	since := j.CreatedAt.Add(-reconcileWindow)
	var tagged *providers.Batch
	var untagged []*providers.Batch
	err := p.List(ctx, providers.ListOptions{}, func(b *providers.Batch) error {
		if !b.CreatedAt.IsZero() && b.CreatedAt.Before(since) {
			return providers.ErrStop // newest first: the rest are older
		}
		switch {
		case b.Metadata["batchctl_job"] == j.ID && b.Metadata["batchctl_part"] == partTag:
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
