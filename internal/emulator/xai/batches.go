package xai

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	batchPrefix        = "batch_"
	batchExpiry        = 24 * time.Hour
	defaultListBatches = 100
	maxListBatches     = 1000
	requestsExt        = ".requests" // the batch requests, one compact JSON object per line
)

// expiredMessage is the cancel_by_xai_message of a batch that ran out of
// time (the API's wording is not documented).
const expiredMessage = "The batch expired before all its requests were processed (emulated)."

// batchRecord is a batch as stored. Its timeline restarts whenever
// requests are added: every request runs within Duration of the last add.
type batchRecord struct {
	ID       string        `json:"id"`
	Name     string        `json:"name"`
	Opened   time.Time     `json:"opened"`
	Timeline core.Timeline `json:"timeline"`
}

func (a *API) batchPath(id, ext string) string { return filepath.Join(a.batches, id+ext) }

// requestBatch reads the record of the batch r's path names (less a
// ":cancel" verb); an unknown id gives a 404 error.
func (a *API) requestBatch(r *http.Request) (*batchRecord, error) {
	id, _ := strings.CutSuffix(r.PathValue("id"), ":cancel")
	r.SetPathValue("id", id)
	if id = core.PathID(r); id == "" {
		return nil, errorf(http.StatusNotFound, "Batch %s not found", r.PathValue("id"))
	}
	return a.loadBatch(id)
}

// loadBatch reads a batch record; an unknown id gives a 404 error.
func (a *API) loadBatch(id string) (*batchRecord, error) {
	var b batchRecord
	if err := core.ReadJSONFile(a.batchPath(id, ".json"), &b); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errorf(http.StatusNotFound, "Batch %s not found", id)
		}
		return nil, err
	}
	return &b, nil
}

// createBatch opens an empty batch: POST /v1/batches {"name":...}
// [proto: CreateBatchRequest]. An input_file_id is refused: the emulator
// keeps no files for xAI.
func (a *API) createBatch(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name        *string `json:"name"`
		InputFileID string  `json:"input_file_id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		return errorf(http.StatusBadRequest, "Failed to parse the request body: %v", err)
	}
	switch {
	case body.Name == nil || *body.Name == "":
		return errorf(http.StatusBadRequest, "name: a batch needs a name")
	case body.InputFileID != "":
		return errorf(http.StatusBadRequest, "input_file_id: the emulator does not keep xAI files")
	}
	now := a.host.Clock()
	rec := &batchRecord{
		ID: core.NewID(batchPrefix), Name: *body.Name, Opened: now,
		Timeline: core.Timeline{Created: now, Duration: a.host.Duration(), Valid: true},
	}
	if err := core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec); err != nil {
		return err
	}
	return a.respondBatch(w, rec)
}

func (a *API) getBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	return a.respondBatch(w, rec)
}

// respondBatch sends the batch as it is now.
func (a *API) respondBatch(w http.ResponseWriter, rec *batchRecord) error {
	b, err := a.view(rec, a.host.Clock())
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, b)
	return nil
}

// cancelBatch cancels the pending requests of a batch: POST
// /v1/batches/{id}:cancel. Cancelling a batch that is done, or again,
// changes nothing.
func (a *API) cancelBatch(w http.ResponseWriter, r *http.Request) error {
	if !strings.HasSuffix(r.PathValue("id"), ":cancel") {
		return a.unknownRoute(w, r)
	}
	rec, err := a.requestBatch(r)
	if err != nil {
		return err
	}
	now := a.host.Clock()
	if p := rec.Timeline.At(now); rec.Timeline.Cancelling.IsZero() && !p.Phase.Terminal() {
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(a.batchPath(rec.ID, ".json"), rec); err != nil {
			return err
		}
	}
	return a.respondBatch(w, rec)
}

// listBatches lists batches newest first: GET
// /v1/batches?limit=&pagination_token= [proto: ListBatchesRequest]. The
// token is the id of the last batch of the page before.
func (a *API) listBatches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := defaultListBatches
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return errorf(http.StatusBadRequest, "limit: want a positive integer, not %q", s)
		}
		limit = min(n, maxListBatches)
	}
	recs, err := a.allBatches()
	if err != nil {
		return err
	}
	page, more := core.Paginate(recs, func(b *batchRecord) string { return b.ID }, q.Get("pagination_token"), limit)
	now := a.host.Clock()
	list := batchList{Batches: make([]batchObject, len(page))}
	for i, rec := range page {
		if list.Batches[i], err = a.view(rec, now); err != nil {
			return err
		}
	}
	if more {
		list.PaginationToken = core.StrPtr(page[len(page)-1].ID)
	}
	core.WriteJSON(w, http.StatusOK, list)
	return nil
}

// allBatches returns every stored batch, newest first.
func (a *API) allBatches() ([]*batchRecord, error) {
	return core.LoadAll(a.batches, a.loadBatch, nil, func(rec *batchRecord) (time.Time, string) {
		return rec.Opened, rec.ID
	})
}

// batchObject is a Batch [proto].
type batchObject struct {
	BatchID            string        `json:"batch_id"`
	Name               string        `json:"name"`
	CreateTime         time.Time     `json:"create_time"`
	ExpireTime         time.Time     `json:"expire_time"`
	CancelTime         *time.Time    `json:"cancel_time,omitempty"`
	CancelByXAIMessage string        `json:"cancel_by_xai_message,omitempty"`
	State              batchState    `json:"state"`
	CostBreakdown      costBreakdown `json:"cost_breakdown"`
}

// batchState is a BatchState [proto]. The int64 counters are written as
// numbers.
type batchState struct {
	NumRequests  int `json:"num_requests"`
	NumPending   int `json:"num_pending"`
	NumSuccess   int `json:"num_success"`
	NumError     int `json:"num_error"`
	NumCancelled int `json:"num_cancelled"`
}

// costBreakdown is a BatchCostBreakdown [proto]: the emulator charges a
// tick per token.
type costBreakdown struct {
	TotalCostUSDTicks int64 `json:"total_cost_usd_ticks"`
}

// batchList is a ListBatchesResponse [proto].
type batchList struct {
	Batches         []batchObject `json:"batches"`
	PaginationToken *string       `json:"pagination_token"`
}

// view returns the batch as the API shows it at now: its counters are
// those of the requests' fates (see fates).
func (a *API) view(rec *batchRecord, now time.Time) (batchObject, error) {
	p := rec.Timeline.At(now)
	b := batchObject{
		BatchID: rec.ID, Name: rec.Name, CreateTime: rec.Opened, ExpireTime: rec.Opened.Add(batchExpiry),
	}
	if rec.Timeline.Expiring {
		// a request that never runs: the batch expires at its end
		b.ExpireTime = rec.Timeline.Created.Add(rec.Timeline.Duration)
	}
	if !rec.Timeline.Cancelling.IsZero() && !now.Before(rec.Timeline.Cancelling) {
		b.CancelTime = &rec.Timeline.Cancelling
	}
	if p.Phase == core.PhaseExpired {
		// xAI cancels what is left at the expiry, saying why
		b.CancelByXAIMessage, b.CancelTime = expiredMessage, &p.EndedAt
	}
	runs, err := a.runs(rec)
	if err != nil {
		return b, err
	}
	b.State.NumRequests = len(runs)
	for i, run := range runs {
		switch fateOf(i, run, p) {
		case fatePending:
			b.State.NumPending++
		case fateSucceeded:
			b.State.NumSuccess++
			b.CostBreakdown.TotalCostUSDTicks += run.inputTokens + run.outputTokens
		case fateFailed:
			b.State.NumError++
		case fateCancelled, fateExpired:
			b.State.NumCancelled++
		}
	}
	return b, nil
}

// fate is where one request of a batch stands.
type fate int

const (
	fatePending fate = iota
	fateSucceeded
	fateFailed
	fateCancelled // a cancel stopped it before it ran
	fateExpired   // the batch ran out of time before it ran
	fateDropped   // it ran, and is never reported
)

// fateOf is the fate at progress p of request i, whose run is run.
func fateOf(i int, run execution, p core.Progress) fate {
	executed := i < p.Executed
	switch {
	case p.Phase == core.PhaseCancelled && (!executed || run.outcome == core.OutcomeExpired):
		return fateCancelled
	case !executed:
		return fatePending
	case run.outcome == core.OutcomeExpired && p.Phase == core.PhaseExpired:
		return fateExpired
	case run.outcome == core.OutcomeExpired:
		return fatePending
	case run.outcome == core.OutcomeDropped:
		return fateDropped
	case run.outcome == core.OutcomeFailed:
		return fateFailed
	}
	return fateSucceeded
}
