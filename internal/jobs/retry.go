package jobs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
// statuses, and with invalidOutput those that succeeded with an answer
// that does not validate against the schema their request asked for
// (valid false). Requests that errored as invalid are left out unless
// includeInvalid.
func (m *Manager) SelectRetry(ctx context.Context, j *Job, statuses []providers.ResultStatus, includeInvalid, invalidOutput bool) (RetrySelection, error) {
	want := map[providers.ResultStatus]bool{}
	for _, s := range statuses {
		want[s] = true
	}
	sel := RetrySelection{IDs: map[string]bool{}}
	_, err := m.Results(ctx, j, func(r *providers.Result) error {
		if invalidOutput && r.Status == providers.ResultSucceeded && r.Valid != nil && !*r.Valid {
			sel.IDs[r.CustomID] = true
			return nil
		}
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
// as they were submitted, for a new job to validate and submit; with a
// model, each line names that model instead of its own.
func (m *Manager) RetryInput(j *Job, ids map[string]bool, model string) io.ReadCloser {
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
				if model != "" {
					var err error
					if line, err = withModel(line, model); err != nil {
						return fmt.Errorf("request %s: %w", id, err)
					}
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
// outcome of the newest finished job that has it, in the input order of
// the root job (requests whose ids are not known there, as in a part
// whose input the provider holds, follow in the order they were read). It
// returns the tally of what fn saw and the jobs of the chain that have not
// finished (left out). The chosen results are held in memory until all
// are read.
func (m *Manager) MergedResults(ctx context.Context, j *Job, fn func(*providers.Result) error) (Tally, []string, error) {
	family, err := m.reg.Family(ctx, j.ID)
	if err != nil {
		return nil, nil, err
	}
	chosen := map[string]*providers.Result{}
	var readOrder []string
	var running []string
	for i := len(family) - 1; i >= 0; i-- {
		fj := &Job{Job: family[i], Registered: true}
		if !fj.Terminal() {
			running = append(running, fj.ID)
			continue
		}
		_, err := m.Results(ctx, fj, func(r *providers.Result) error {
			if _, ok := chosen[r.CustomID]; ok {
				return nil
			}
			chosen[r.CustomID] = detach(r)
			readOrder = append(readOrder, r.CustomID)
			return nil
		})
		if err != nil {
			return nil, running, fmt.Errorf("results of job %s: %w", fj.ID, err)
		}
	}
	tally := Tally{}
	emit := func(id string) error {
		r, ok := chosen[id]
		if !ok {
			return nil
		}
		delete(chosen, id)
		tally[r.Status]++
		return fn(r)
	}
	root := family[0]
	for _, part := range root.Parts {
		if RemoteInput(part) {
			continue
		}
		if err := m.eachSubmittedID(root.ID, part.Index, emit); err != nil {
			return tally, running, err
		}
	}
	for _, id := range readOrder {
		if err := emit(id); err != nil {
			return tally, running, err
		}
	}
	return tally, running, nil
}

// detach returns a copy of r that shares no memory with the result line
// it was read from, so that it outlives the reader's buffer.
func detach(r *providers.Result) *providers.Result {
	c := *r
	for _, raw := range []*json.RawMessage{&c.Embedding, &c.Embeddings, &c.ToolCalls, &c.Parsed, &c.OutputError, &c.Response} {
		*raw = bytes.Clone(*raw)
	}
	return &c
}

// withModel rewrites a submitted line, in its provider's own shape, to
// name model: OpenAI's body.model, Anthropic's params.model, and Gemini's
// request.model where the line names one (a Gemini batch names its model
// itself, from the job).
func withModel(line []byte, model string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		return nil, err
	}
	name, _ := json.Marshal(model)
	for _, key := range []string{"body", "params", "request"} {
		raw, ok := top[key]
		if !ok {
			continue
		}
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if _, has := inner["model"]; !has && key == "request" {
			continue
		}
		if key == "request" {
			name, _ = json.Marshal("models/" + strings.TrimPrefix(model, "models/"))
		}
		inner["model"] = name
		b, err := json.Marshal(inner)
		if err != nil {
			return nil, err
		}
		top[key] = b
	}
	return json.Marshal(top)
}
