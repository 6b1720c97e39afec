package jobs

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/batchctl/batchctl/internal/providers"
)

// RetrySelection is what a retry resubmits of a finished job.
type RetrySelection struct {
	IDs map[string]bool
	// Invalid counts requests left out because the provider rejected them
	// as invalid: sending them again would fail the same way.
	Invalid int
}

// SelectRetry picks the requests of a finished job whose outcome is one of
// statuses. Requests that errored as invalid are left out unless
// includeInvalid.
func (m *Manager) SelectRetry(ctx context.Context, j *Job, statuses []providers.ResultStatus, includeInvalid bool) (RetrySelection, error) {
	want := map[providers.ResultStatus]bool{}
	for _, s := range statuses {
		want[s] = true
	}
	sel := RetrySelection{IDs: map[string]bool{}}
	_, err := m.Results(ctx, j, func(r *providers.Result) error {
		if !want[r.Status] {
			return nil
		}
		if r.Status == providers.ResultErrored && !includeInvalid && invalidRequest(r.Error) {
			sel.Invalid++
			return nil
		}
		sel.IDs[r.CustomID] = true
		return nil
	})
	return sel, err
}

// invalidRequest recognises a request the provider refused as malformed.
func invalidRequest(e *providers.ResultError) bool {
	if e == nil {
		return false
	}
	switch e.Type {
	case "invalid_request_error", "INVALID_ARGUMENT", "invalid_request":
		return true
	}
	return e.HTTPStatus != nil && (*e.HTTPStatus == 400 || *e.HTTPStatus == 404 || *e.HTTPStatus == 422)
}

// RetryInput streams the kept input lines of a job's selected requests,
// as they were submitted, for a new job to validate and submit.
func (m *Manager) RetryInput(j *Job, ids map[string]bool) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriter(pw)
		var err error
		for _, part := range j.Parts {
			if RemoteInput(part) {
				err = fmt.Errorf("job %s started from provider file %s: batchctl has no copy of its requests to retry", j.ID, part.InputFileID)
				break
			}
			err = m.eachSubmitted(j.ID, part.Index, func(id string, line []byte) error {
				if !ids[id] {
					return nil
				}
				if _, err := w.Write(line); err != nil {
					return err
				}
				return w.WriteByte('\n')
			})
			if err != nil {
				break
			}
		}
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// MergedResults calls fn with one result per request across a retry chain
// (the job's root and every retry made of it): for each request, the
// outcome of the newest finished job that has it. It returns the tally of
// what fn saw and the jobs of the chain that have not finished (left out).
func (m *Manager) MergedResults(ctx context.Context, j *Job, fn func(*providers.Result) error) (Tally, []string, error) {
	family, err := m.reg.Family(ctx, j.ID)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	tally := Tally{}
	var running []string
	for i := len(family) - 1; i >= 0; i-- {
		fj := &Job{Job: family[i], Registered: true}
		if !fj.Terminal() {
			running = append(running, fj.ID)
			continue
		}
		_, err := m.Results(ctx, fj, func(r *providers.Result) error {
			if seen[r.CustomID] {
				return nil
			}
			seen[r.CustomID] = true
			tally[r.Status]++
			return fn(r)
		})
		if err != nil {
			return tally, running, fmt.Errorf("results of job %s: %w", fj.ID, err)
		}
	}
	return tally, running, nil
}
