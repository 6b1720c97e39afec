package anthropic

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// writeResults writes the results of a batch that ended in state p, unless
// that was done already. Every process that does it writes the same bytes
// through a rename, so concurrent writers are harmless.
func (a *API) writeResults(ctx context.Context, rec *batchRecord, p core.Progress) error {
	path, requests := a.batchPath(rec.ID, ResultsExt), a.batchPath(rec.ID, requestsExt)
	hits := core.HitSet(rec.CacheHits)
	return core.WriteResultsOnce(ctx, path, requests, func(w io.Writer, i, lineNo int, line []byte) error {
		var req struct {
			CustomID string          `json:"custom_id"`
			Params   json.RawMessage `json:"params"`
		}
		if err := json.Unmarshal(line, &req); err != nil {
			return fmt.Errorf("batch %s: request line %d: %w", rec.ID, lineNo, err)
		}
		run := execute(req.Params)
		use := useCache(req.Params, hits)
		use.apply(&run)
		result, ok := rec.result(i, run, p)
		if !ok {
			return nil
		}
		if _, ran := result.(succeededResult); ran {
			if err := a.record(use, p.EndedAt); err != nil {
				return err
			}
		}
		return core.EncodeJSON(w, batchResult{CustomID: req.CustomID, Result: result})
	})
}

// result returns the result of request i, which run says what became of,
// in a batch that ended in state p; false when it is not reported. A
// cancelled batch reports the requests that had not run at the cancel, and
// those that were to expire, as canceled.
func (rec *batchRecord) result(i int, run execution, p core.Progress) (any, bool) {
	cancelled := p.Phase == core.PhaseCancelled
	switch {
	case run.outcome == core.OutcomeDropped:
		return nil, false
	case cancelled && (i >= p.Executed || run.outcome == core.OutcomeExpired):
		return bareResult{Type: resultTypeCanceled}, true
	case run.outcome == core.OutcomeExpired:
		return bareResult{Type: resultTypeExpired}, true
	case run.outcome == core.OutcomeFailed:
		return erroredResult{Type: resultTypeErrored, Error: run.errorResponse(core.DerivedID("req_", rec.ID, i))}, true
	}
	return succeededResult{Type: resultTypeSucceeded, Message: run.message(core.DerivedID("msg_", rec.ID, i), core.DerivedID("toolu_", rec.ID, i), "batch")}, true
}

// batchResults serves a batch's results, once it has ended.
func (a *API) batchResults(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	p := rec.Timeline.At(a.host.Clock())
	if !p.Phase.Terminal() {
		return errorf(http.StatusBadRequest, "Message Batch %s has not yet ended; its results are available once processing_status is 'ended'", rec.ID)
	}
	if err := a.writeResults(r.Context(), rec, p); err != nil {
		return err
	}
	f, err := os.Open(a.batchPath(rec.ID, ResultsExt))
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-jsonl")
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
	return nil
}
