package openrouter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/emulator/openai"
)

const (
	batchWindow        = 24 * time.Hour
	defaultListBatches = 20
	maxListBatches     = 100
)

// The companions of a batch record ID.json in the batches directory.
const (
	requestsExt = ".requests" // the requests, one {"custom_id","body"} per line
	tallyExt    = ".tally"    // running tallies of the requests (core.TallyWriter)
	resultsExt  = ".results"  // the results, one per line, once the batch has completed
)

// batchRecord is a batch as stored: everything its state at any instant is
// computed from. Only Timeline.Cancelling ever changes after creation.
type batchRecord struct {
	ID       string        `json:"id"`
	Endpoint string        `json:"endpoint"`
	Model    string        `json:"model"`
	Timeline core.Timeline `json:"timeline"`
	Total    core.Tally    `json:"total"`
}

func (a *API) batchPath(id, ext string) string { return filepath.Join(a.batches, id+ext) }

func batchNotFound(id string) error { return errorf(http.StatusNotFound, "Batch %s not found", id) }

// requestBatch reads the record of the batch r's path names.
func (a *API) requestBatch(r *http.Request) (*batchRecord, error) {
	if id := core.PathID(r); id != "" {
		return a.loadBatch(id)
	}
	return nil, batchNotFound(r.PathValue("id"))
}

func (a *API) loadBatch(id string) (*batchRecord, error) {
	var b batchRecord
	if err := core.ReadJSONFile(a.batchPath(id, ".json"), &b); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, batchNotFound(id)
		}
		return nil, err
	}
	return &b, nil
}

func (a *API) createBatch(w http.ResponseWriter, r *http.Request) error {
	rec := &batchRecord{
		ID:       core.NewID(batchPrefix),
		Timeline: core.Timeline{Created: a.host.Clock(), Duration: a.host.Duration(), Valid: true},
	}
	if err := a.storeBatch(w, r, rec); err != nil {
		return err
	}
	return a.writeBatch(r.Context(), w, http.StatusAccepted, rec, a.host.Clock())
}

// storeBatch reads a create body into the batch's record and companions,
// running each request (without rendering its answer); the record is
// written last, so a stored record always has its companions. Nothing is
// left behind when the body is invalid.
func (a *API) storeBatch(w http.ResponseWriter, r *http.Request, rec *batchRecord) error {
	cr := newCreateReader(http.MaxBytesReader(w, r.Body, maxCreateBody))
	read := func(keep core.KeepRequest) error {
		return cr.read(func(line []byte, body json.RawMessage) error {
			run := openai.RunRequest(cr.endpoint, body)
			outcome, in, out := run.Outcome()
			return keep(line, outcome, in, out)
		})
	}
	return core.StoreRequests(&rec.Timeline, a.batchPath(rec.ID, requestsExt), a.batchPath(rec.ID, tallyExt), read, func(total core.Tally) error {
		rec.Endpoint, rec.Model, rec.Total = cr.endpoint, cr.model, total
		return core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec)
	})
}

func (a *API) getBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	return a.writeBatch(r.Context(), w, http.StatusOK, rec, a.host.Clock())
}

func (a *API) cancelBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	now := a.host.Clock()
	switch p := rec.Timeline.At(now); {
	case p.Phase == core.PhaseCancelling:
	case p.Phase.Terminal():
		return errorf(http.StatusConflict, "Batch %s has already ended (%s) and cannot be cancelled", rec.ID, statusOf(p.Phase))
	default:
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec); err != nil {
			return err
		}
	}
	return a.writeBatch(r.Context(), w, http.StatusOK, rec, now)
}

func (a *API) deleteBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	if !rec.Timeline.At(a.host.Clock()).Phase.Terminal() {
		return errorf(http.StatusConflict, "Batch %s is still in progress and cannot be deleted", rec.ID)
	}
	for _, ext := range []string{".json", requestsExt, tallyExt, resultsExt} {
		if err := os.Remove(a.batchPath(rec.ID, ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	core.WriteJSON(w, http.StatusOK, batchDeleted{ID: rec.ID, Object: "batch.deleted", Deleted: true})
	return nil
}

func (a *API) listBatches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := listLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	recs, err := a.allBatches()
	if err != nil {
		return err
	}
	page, more := core.Paginate(recs, func(b *batchRecord) string { return b.ID }, q.Get("after"), limit)
	now := a.host.Clock()
	list := BatchList{Object: "list", Data: make([]listItem, len(page)), HasMore: more}
	for i, rec := range page {
		if list.Data[i].BatchObject, err = a.view(rec, now); err != nil {
			return err
		}
	}
	if len(page) > 0 {
		list.FirstID, list.LastID = core.StrPtr(page[0].ID), core.StrPtr(page[len(page)-1].ID)
	}
	core.WriteJSON(w, http.StatusOK, list)
	return nil
}

// listLimit parses the limit query parameter: 20 when absent, else an
// integer from 1 to 100.
func listLimit(s string) (int, error) {
	if s == "" {
		return defaultListBatches, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxListBatches {
		return 0, errorf(http.StatusBadRequest, "limit: must be an integer from 1 to %d", maxListBatches)
	}
	return n, nil
}

// allBatches returns every stored batch, newest first.
func (a *API) allBatches() ([]*batchRecord, error) {
	return core.LoadAll(a.batches, a.loadBatch, isHTTPError, func(rec *batchRecord) (time.Time, string) {
		return rec.Timeline.Created, rec.ID
	})
}

// isHTTPError tells a record deleted since it was listed: loading it gave a
// not-found answer.
func isHTTPError(err error) bool {
	var e *httpError
	return errors.As(err, &e)
}

// view returns the batch, without its results, as the API shows it at now.
func (a *API) view(rec *batchRecord, now time.Time) (BatchObject, error) {
	p := rec.Timeline.At(now)
	b := BatchObject{
		ID:               rec.ID,
		Object:           "batch",
		Endpoint:         rec.Endpoint,
		Model:            rec.Model,
		CompletionWindow: "24h",
		Status:           statusOf(p.Phase),
		CreatedAt:        rec.Timeline.Created.Unix(),
		FinalizedAt:      unixPtr(unixOf(p.EndedAt)),
		ExpiresAt:        unixPtr(rec.Timeline.Created.Add(batchWindow).Unix()),
		RequestCounts:    BatchCounts{Total: int64(rec.Timeline.Requests)},
	}
	if p.Phase != core.PhaseValidating {
		b.Provider = core.StrPtr("Emulator")
	}
	ran, err := a.ranTally(rec, p)
	if err != nil {
		return b, err
	}
	b.RequestCounts.Completed, b.RequestCounts.Failed = ran.Succeeded, ran.Failed
	if p.Phase == core.PhaseCompleted {
		b.Usage = &BatchUsage{
			PromptTokens: ran.InputTokens, CompletionTokens: ran.OutputTokens,
			TotalTokens: ran.InputTokens + ran.OutputTokens,
		}
	}
	if p.Phase == core.PhaseExpired {
		b.Error = &batchError{Message: "The batch did not complete within its 24h window."}
	}
	return b, nil
}

// ranTally is the tally of the requests that had run by the batch's state
// p: all of them once it has ended, but for a cancelled one.
func (a *API) ranTally(rec *batchRecord, p core.Progress) (core.Tally, error) {
	switch {
	case p.Executed == 0:
		return core.Tally{}, nil
	case p.Executed >= rec.Timeline.Requests:
		return rec.Total, nil
	}
	return core.ReadTally(a.batchPath(rec.ID, tallyExt), p.Executed)
}

// unixOf is t in Unix seconds, 0 for the zero time.
func unixOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// writeBatch answers the batch as it is at now: a completed batch with its
// results inline (written first if it has just completed), any other with
// results null.
func (a *API) writeBatch(ctx context.Context, w http.ResponseWriter, status int, rec *batchRecord, now time.Time) error {
	b, err := a.view(rec, now)
	if err != nil {
		return err
	}
	head, err := json.Marshal(b)
	if err != nil {
		return err
	}
	head = head[:len(head)-1] // the closing brace: results follow
	p := rec.Timeline.At(now)
	if p.Phase != core.PhaseCompleted {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(append(head, `,"results":null}`...))
		return nil
	}
	if err := a.writeResults(ctx, rec, p); err != nil {
		return err
	}
	f, err := os.Open(a.batchPath(rec.ID, resultsExt))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(head, `,"results":[`...))
	sep := []byte{}
	core.ForEachLine(ctx, f, func(_ int, line []byte) error {
		w.Write(sep)
		_, err := w.Write(bytes.TrimRight(line, "\n"))
		sep = []byte{','}
		return err
	})
	w.Write([]byte("]}"))
	return nil
}

// writeResults writes the results of a batch that completed in state p,
// unless that was done already. Every process that does it writes the same
// bytes through a rename, so concurrent writers are harmless.
func (a *API) writeResults(ctx context.Context, rec *batchRecord, p core.Progress) error {
	path, requests := a.batchPath(rec.ID, resultsExt), a.batchPath(rec.ID, requestsExt)
	return core.WriteResultsOnce(ctx, path, requests, func(w io.Writer, i, _ int, line []byte) error {
		var req struct {
			CustomID string          `json:"custom_id"`
			Body     json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(line, &req); err != nil {
			return err
		}
		id, response, failure, ok := openai.RunRequest(rec.Endpoint, req.Body).Result(rec.ID, i, rec.Timeline.ExecutedAt(i), false)
		if !ok {
			return nil
		}
		if rec.Endpoint == endpointChat && response != nil {
			var err error
			if response, err = withFingerprint(response); err != nil {
				return err
			}
		}
		item := resultItem{ID: id, CustomID: req.CustomID, Response: response}
		if failure != nil {
			item.Error = &resultError{Message: failure.Message, Type: failure.Code}
		}
		return core.EncodeJSON(w, item)
	})
}

// withFingerprint returns the response of a chat request with the
// system_fingerprint OpenRouter's chat completions always have (null here)
// added to a successful answer's body: @openrouter/sdk 1.3.19 requires it
// (models/chatresult.d.ts, ChatResult.systemFingerprint: string | null),
// while the OpenAI side, after OpenAI's types, leaves it out.
func withFingerprint(response any) (any, error) {
	raw, err := json.Marshal(response)
	if err != nil {
		return nil, err
	}
	var r struct {
		StatusCode int                        `json:"status_code"`
		RequestID  string                     `json:"request_id"`
		Body       map[string]json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	if _, ok := r.Body["system_fingerprint"]; r.StatusCode != http.StatusOK || ok {
		return response, nil
	}
	r.Body["system_fingerprint"] = json.RawMessage("null")
	return r, nil
}
