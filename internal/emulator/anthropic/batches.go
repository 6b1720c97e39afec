package anthropic

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/jsonl"
)

const (
	batchExpiry        = 24 * time.Hour
	defaultListBatches = 20
	maxListBatches     = 1000
	batchType          = "message_batch"
	batchDeletedType   = "message_batch_deleted"
)

// The companions of a message batch record ID.json in the batches
// directory.
const (
	requestsExt = ".requests" // the requests, one compact JSON object per line
	tallyExt    = ".tally"    // running tallies of the requests (tally.go)
	ResultsExt  = ".results"  // the results JSONL, once the batch has ended
)

// batchRecord is a message batch as stored: everything its state at any
// instant is computed from. Only Timeline.Cancelling ever changes after
// creation.
type batchRecord struct {
	ID       string        `json:"id"`
	Timeline core.Timeline `json:"timeline"`
	// Total is the tally of all requests.
	Total core.Tally `json:"total"`
	// CacheHits are the hashes of the marked prompt prefixes of its
	// requests that were in the prompt cache when it was created (at
	// most maxBatchHits; see cache.go).
	CacheHits []string `json:"cache_hits,omitempty"`
}

// maxBatchHits bounds the cache hits a batch record keeps: a batch whose
// requests mark more distinct cached prefixes reads only these.
const maxBatchHits = 1000

func (a *API) batchPath(id, ext string) string { return filepath.Join(a.batches, id+ext) }

// batchNotFound is the error for an unknown batch id.
func batchNotFound(id string) error {
	return errorf(http.StatusNotFound, "Message Batch %s not found", id)
}

// requestBatch reads the record of the batch r's path names; an unknown id
// gives a 404 error.
func (a *API) requestBatch(r *http.Request) (*batchRecord, error) {
	if id := core.PathID(r); id != "" {
		return a.loadBatch(id)
	}
	return nil, batchNotFound(r.PathValue("id"))
}

// loadBatch reads a batch record; an unknown id gives a 404 error.
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
	return a.respondBatch(r, w, rec)
}

// storeBatch reads the requests of a create body into the batch's
// companions, running each one (without rendering its answer), then writes
// the batch record, last, so that a stored record always has its
// companions. Nothing is left behind when the body is invalid.
func (a *API) storeBatch(w http.ResponseWriter, r *http.Request, rec *batchRecord) error {
	queued := a.queue.Tally(jsonl.TargetAnthropic, "")
	read := func(keep core.KeepRequest) error {
		hits := map[string]bool{}
		return createRequests(w, r, func(line []byte, params json.RawMessage) error {
			if err := queued.Add(line); err != nil {
				return err
			}
			for _, h := range a.lookUp(params, rec.Timeline.Created) {
				if !hits[h] && len(rec.CacheHits) < maxBatchHits {
					hits[h] = true
					rec.CacheHits = append(rec.CacheHits, h)
				}
			}
			run := execute(params)
			return keep(line, run.outcome, run.inputTokens, run.outputTokens)
		})
	}
	return core.StoreRequests(&rec.Timeline, a.batchPath(rec.ID, requestsExt), a.batchPath(rec.ID, tallyExt), read, func(total core.Tally) error {
		rec.Total = total
		return a.queue.Admit(r.Context(), queued.Enqueued(rec.ID), func(refusal *core.QueueRefusal) error {
			if refusal != nil {
				return queueFull(refusal)
			}
			rec.Timeline.Created = a.host.Clock() // see core.Queue.Admit
			return core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec)
		})
	})
}

func (a *API) getBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	return a.respondBatch(r, w, rec)
}

// respondBatch sends the batch as it is now.
func (a *API) respondBatch(r *http.Request, w http.ResponseWriter, rec *batchRecord) error {
	b, err := a.view(r, rec, a.host.Clock())
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (a *API) cancelBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	now := a.host.Clock()
	switch p := rec.Timeline.At(now); {
	case p.Phase == core.PhaseCancelling:
		// Cancelling twice changes nothing.
	case p.Phase.Terminal():
		return errorf(http.StatusBadRequest, "Message Batch %s has already ended and cannot be canceled", rec.ID)
	default:
		// As on the OpenAI side, a process that sees the batch end just
		// as this one cancels it may write its full results first; the
		// window is the few microseconds of this write.
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec); err != nil {
			return err
		}
	}
	return a.respondBatch(r, w, rec)
}

func (a *API) deleteBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	if !rec.Timeline.At(a.host.Clock()).Phase.Terminal() {
		return errorf(http.StatusBadRequest, "Message Batch %s cannot be deleted while it is in progress; cancel it first", rec.ID)
	}
	// The record goes first, so the batch is gone for every process even
	// if removing its companions fails.
	for _, ext := range []string{".json", requestsExt, tallyExt, ResultsExt} {
		if err := os.Remove(a.batchPath(rec.ID, ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	core.WriteJSON(w, http.StatusOK, batchDeleted{ID: rec.ID, Type: batchDeletedType})
	return nil
}

func (a *API) listBatches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, err := listLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	after, before := q.Get("after_id"), q.Get("before_id")
	if after != "" && before != "" {
		return errorf(http.StatusBadRequest, "Only one of before_id and after_id may be given")
	}
	recs, err := a.allBatches()
	if err != nil {
		return err
	}
	id := func(b *batchRecord) string { return b.ID }
	var page []*batchRecord
	var more bool
	if before != "" {
		page, more = paginateBefore(recs, id, before, limit)
	} else {
		page, more = core.Paginate(recs, id, after, limit)
	}
	now := a.host.Clock()
	list := BatchList{Data: make([]BatchObject, len(page)), HasMore: more}
	for i, rec := range page {
		if list.Data[i], err = a.view(r, rec, now); err != nil {
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
// integer from 1 to 1000.
func listLimit(s string) (int, error) {
	if s == "" {
		return defaultListBatches, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, errorf(http.StatusBadRequest, "limit: Input should be a valid integer, unable to parse string as an integer")
	case n < 1:
		return 0, errorf(http.StatusBadRequest, "limit: Input should be greater than or equal to 1")
	case n > maxListBatches:
		return 0, errorf(http.StatusBadRequest, "limit: Input should be less than or equal to %d", maxListBatches)
	}
	return n, nil
}

// paginateBefore returns the page of at most limit items that comes just
// before the item with id before, and whether more items precede it.
func paginateBefore[T any](items []T, id func(T) string, before string, limit int) (page []T, hasMore bool) {
	end := slices.IndexFunc(items, func(item T) bool { return id(item) == before })
	if end < 0 {
		return nil, false
	}
	start := max(0, end-limit)
	return items[start:end], start > 0
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

// view returns the batch as the API shows it at now to request r (whose
// host its results_url names), first writing its results if it has just
// ended.
func (a *API) view(r *http.Request, rec *batchRecord, now time.Time) (BatchObject, error) {
	p := rec.Timeline.At(now)
	b := BatchObject{
		ID:                rec.ID,
		Type:              batchType,
		ProcessingStatus:  processingStatus(p.Phase),
		RequestCounts:     BatchCounts{Processing: int64(rec.Timeline.Requests)},
		EndedAt:           timestampPtr(p.EndedAt),
		CreatedAt:         timestamp(rec.Timeline.Created),
		ExpiresAt:         timestamp(rec.Timeline.Created.Add(batchExpiry)),
		CancelInitiatedAt: timestampPtr(p.CancellingAt),
	}
	if !p.Phase.Terminal() {
		return b, nil
	}
	counts, err := a.endCounts(rec, p)
	if err != nil {
		return b, err
	}
	if err := a.writeResults(r.Context(), rec, p); err != nil {
		return b, err
	}
	b.RequestCounts = counts
	b.ResultsURL = core.StrPtr(resultsURL(r, rec.ID))
	return b, nil
}

// processingStatus returns the processing_status of a phase: a message
// batch is in progress until it ends, with a canceling phase between a
// cancel and its end.
func processingStatus(p core.Phase) string {
	switch {
	case p == core.PhaseCancelling:
		return "canceling"
	case p.Terminal():
		return "ended"
	}
	return "in_progress"
}

// endCounts returns the request counts of a batch that ended in state p.
// A batch that ran to its end reports the outcome of every request. One
// that was cancelled reports those of the requests that had run before
// the cancel, and counts the others as canceled, along with the requests
// that were to expire (they never ran). Dropped requests stay processing:
// they are counted as the requests of the batch, but never reported.
func (a *API) endCounts(rec *batchRecord, p core.Progress) (BatchCounts, error) {
	total := rec.Total
	if p.Phase != core.PhaseCancelled {
		return BatchCounts{
			Processing: total.Dropped,
			Succeeded:  total.Succeeded,
			Errored:    total.Failed,
			Expired:    total.Expired,
		}, nil
	}
	ran, err := core.ReadTally(a.batchPath(rec.ID, tallyExt), p.Executed)
	if err != nil {
		return BatchCounts{}, err
	}
	notRun := int64(rec.Timeline.Requests-p.Executed) - (total.Dropped - ran.Dropped)
	return BatchCounts{
		Processing: total.Dropped,
		Succeeded:  ran.Succeeded,
		Errored:    ran.Failed,
		Canceled:   notRun + ran.Expired,
	}, nil
}

// resultsURL is the absolute URL of a batch's results, on the host r was
// sent to.
func resultsURL(r *http.Request, id string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/v1/messages/batches/" + id + "/results"
}
