package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/jsonl"
)

const (
	completionWindow    = "24h"
	completionWindowDur = 24 * time.Hour
	maxInputBytes       = 200 << 20
	maxMetadataPairs    = 16
	maxMetadataKey      = 64
	maxMetadataValue    = 512
	maxListBatches      = 100
	defaultListBatches  = 20
)

// The companions of a batch record ID.json in the batches directory.
const (
	batchInputExt   = ".input"   // a link to (or copy of) the input file's bytes
	batchTallyExt   = ".tally"   // running tallies of the requests (tally.go)
	batchResultsExt = ".results" // Marker: the output and error files were written
)

// batchRecord is a batch as stored: everything its state at any instant is
// computed from. Only Timeline.Cancelling ever changes after creation.
type batchRecord struct {
	ID               string            `json:"id"`
	Endpoint         string            `json:"endpoint"`
	InputFileID      string            `json:"input_file_id"`
	CompletionWindow string            `json:"completion_window"`
	Metadata         map[string]string `json:"metadata"`
	Model            string            `json:"model,omitempty"`
	Errors           []lineError       `json:"errors,omitempty"`
	Timeline         core.Timeline     `json:"timeline"`
	// Total is the tally of all requests.
	Total core.Tally `json:"total"`
	// CacheHits are the prompt prefixes of its requests that were in the
	// prompt cache when it was created (at most maxBatchHits; cache.go).
	CacheHits []string `json:"cache_hits,omitempty"`
	// OutputFileID and ErrorFileID are reserved at creation; the files
	// exist once the batch has ended with something to put in them.
	OutputFileID string `json:"output_file_id"`
	ErrorFileID  string `json:"error_file_id"`
	// OutputExpiry is how long the output and error files live.
	OutputExpiry time.Duration `json:"output_expiry"`
}

func (o *API) batchPath(id, ext string) string { return filepath.Join(o.batches, id+ext) }

// loadBatch reads a batch record; an unknown id gives a 404 error.
func (o *API) loadBatch(id string) (*batchRecord, error) {
	notFound := &httpError{
		status: http.StatusNotFound,
		body:   invalidRequest("", "", "No batch found with id '%s'.", id),
	}
	if id == "" {
		return nil, notFound
	}
	var b batchRecord
	if err := core.ReadJSONFile(o.batchPath(id, ".json"), &b); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound
		}
		return nil, err
	}
	return &b, nil
}

// createBatchRequest is the body of POST /v1/batches.
type createBatchRequest struct {
	InputFileID        string          `json:"input_file_id"`
	Endpoint           string          `json:"endpoint"`
	CompletionWindow   string          `json:"completion_window"`
	RawMetadata        json.RawMessage `json:"metadata"`
	OutputExpiresAfter *struct {
		Anchor  string `json:"anchor"`
		Seconds int64  `json:"seconds"`
	} `json:"output_expires_after"`
	// metadata is RawMetadata, checked.
	metadata map[string]string
}

// check validates the request as the API does.
func (req *createBatchRequest) check() *apiError {
	switch {
	case req.InputFileID == "":
		return missingParam("input_file_id")
	case req.Endpoint == "":
		return missingParam("endpoint")
	case !slices.Contains(endpoints(), req.Endpoint):
		return invalidRequest("endpoint", "invalid_value", "Invalid value: '%s'. Supported values are: '%s'.",
			req.Endpoint, strings.Join(endpoints(), "', '"))
	case req.CompletionWindow == "":
		return missingParam("completion_window")
	case req.CompletionWindow != completionWindow:
		return invalidRequest("completion_window", "invalid_value", "Invalid value: '%s'. Supported values are: '%s'.",
			req.CompletionWindow, completionWindow)
	}
	var err *apiError
	if req.metadata, err = parseMetadata(req.RawMetadata); err != nil {
		return err
	}
	if e := req.OutputExpiresAfter; e != nil {
		if e.Anchor != "created_at" {
			return invalidRequest("output_expires_after.anchor", "invalid_value",
				"Invalid value: '%s'. Supported values are: 'created_at'.", e.Anchor)
		}
		if e.Seconds < minFileExpiry || e.Seconds > maxFileExpiry {
			return invalidRequest("output_expires_after.seconds", "invalid_value",
				"Invalid 'output_expires_after.seconds': expected an integer from %d to %d, but got %d instead.",
				minFileExpiry, maxFileExpiry, e.Seconds)
		}
	}
	return nil
}

// parseMetadata decodes metadata and enforces the API's limits: at most 16
// pairs of strings, keys of at most 64 characters, values of at most 512.
func parseMetadata(raw json.RawMessage) (map[string]string, *apiError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil, invalidType("metadata", "an object")
	}
	if len(fields) > maxMetadataPairs {
		return nil, invalidRequest("metadata", "object_above_max_properties",
			"Invalid 'metadata': too many properties. Expected an object with at most %d properties, but got an object with %d properties instead.",
			maxMetadataPairs, len(fields))
	}
	md := make(map[string]string, len(fields))
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		var v string
		if string(fields[k]) == "null" || json.Unmarshal(fields[k], &v) != nil {
			return nil, invalidType("metadata."+k, "a string")
		}
		if n := utf8.RuneCountInString(k); n > maxMetadataKey {
			return nil, invalidRequest("metadata", "string_above_max_length",
				"Invalid 'metadata': key '%s' is too long. Expected a key with maximum length %d, but got a key with length %d instead.",
				k, maxMetadataKey, n)
		}
		if n := utf8.RuneCountInString(v); n > maxMetadataValue {
			return nil, invalidRequest("metadata."+k, "string_above_max_length",
				"Invalid 'metadata.%s': string too long. Expected a string with maximum length %d, but got a string with length %d instead.",
				k, maxMetadataValue, n)
		}
		md[k] = v
	}
	return md, nil
}

func (o *API) createBatch(w http.ResponseWriter, r *http.Request) error {
	var req createBatchRequest
	if err := decodeRequest(w, r, &req); err != nil {
		return err
	}
	if e := req.check(); e != nil {
		return badRequest(e)
	}
	input, err := o.loadFile(req.InputFileID)
	var he *httpError
	if errors.As(err, &he) && he.status == http.StatusNotFound {
		return fileNotFound(req.InputFileID, "input_file_id")
	}
	if err != nil {
		return err
	}
	switch {
	case input.Purpose != purposeBatch:
		return badRequest(invalidRequest("input_file_id", "invalid_value",
			"Invalid 'input_file_id': the file has purpose '%s'; a batch input file must have purpose 'batch'.", input.Purpose))
	case input.Bytes > maxInputBytes:
		return badRequest(invalidRequest("input_file_id", "invalid_value",
			"Invalid 'input_file_id': the file has %d bytes; a batch input file can have at most %d.", input.Bytes, maxInputBytes))
	}
	rec := &batchRecord{
		ID:               core.NewID("batch_"),
		Endpoint:         req.Endpoint,
		InputFileID:      input.ID,
		CompletionWindow: req.CompletionWindow,
		Metadata:         req.metadata,
		Timeline:         core.Timeline{Created: o.host.Clock(), Duration: o.host.Duration()},
		OutputFileID:     core.NewID("file-"),
		ErrorFileID:      core.NewID("file-"),
		OutputExpiry:     defaultFileExpiry,
	}
	if e := req.OutputExpiresAfter; e != nil {
		rec.OutputExpiry = time.Duration(e.Seconds) * time.Second
	}
	if err := o.storeBatch(r.Context(), rec); err != nil {
		return err
	}
	return o.respondBatch(r.Context(), w, rec)
}

// storeBatch takes a copy of the input, plans the batch from it and writes
// the batch record, last, so that a stored record always has its
// companions.
func (o *API) storeBatch(ctx context.Context, rec *batchRecord) (err error) {
	inputPath := o.batchPath(rec.ID, batchInputExt)
	tallyPath := o.batchPath(rec.ID, batchTallyExt)
	defer func() {
		if err != nil {
			os.Remove(inputPath)
			os.Remove(tallyPath)
		}
	}()
	if err = core.LinkOrCopy(o.contentPath(rec.InputFileID), inputPath); err != nil {
		return err
	}
	in, err := os.Open(inputPath)
	if err != nil {
		return err
	}
	defer in.Close()
	cache := &cacheLookup{o: o, now: rec.Timeline.Created, hits: map[string]bool{}}
	p, err := planBatch(ctx, in, rec.Endpoint, tallyPath, o.queue.Tally(jsonl.TargetOpenAI, ""), cache)
	if err != nil {
		return err
	}
	rec.Model, rec.Errors, rec.Total = p.model, p.errors, p.total
	for h := range cache.hits {
		rec.CacheHits = append(rec.CacheHits, h)
	}
	slices.Sort(rec.CacheHits)
	rec.Timeline.Requests, rec.Timeline.Valid, rec.Timeline.Expiring = p.requests, len(p.errors) == 0, p.expiring
	write := func() error { return core.WriteJSONFile(o.batchPath(rec.ID, ".json"), rec) }
	if !rec.Timeline.Valid {
		return write()
	}
	return o.enqueue(ctx, rec, p, write)
}

func (o *API) getBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := o.loadBatch(core.PathID(r))
	if err != nil {
		return err
	}
	return o.respondBatch(r.Context(), w, rec)
}

// respondBatch sends the batch as it is now.
func (o *API) respondBatch(ctx context.Context, w http.ResponseWriter, rec *batchRecord) error {
	b, err := o.view(ctx, rec, o.host.Clock())
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, b)
	return nil
}

func (o *API) cancelBatch(w http.ResponseWriter, r *http.Request) error {
	rec, err := o.loadBatch(core.PathID(r))
	if err != nil {
		return err
	}
	now := o.host.Clock()
	switch p := rec.Timeline.At(now); {
	case p.Phase == core.PhaseCancelling:
		// Cancelling twice changes nothing.
	case p.Phase.Terminal():
		return &httpError{
			status: http.StatusConflict,
			body:   invalidRequest("", "", "Cannot cancel a batch with status '%s'.", statusName(p.Phase)),
		}
	default:
		// A process that sees the batch finish just as this one cancels
		// it may write the full results before this record lands; the
		// window is the few microseconds of this write.
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(o.batchPath(rec.ID, ".json"), rec); err != nil {
			return err
		}
	}
	return o.respondBatch(r.Context(), w, rec)
}

func (o *API) listBatches(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r, defaultListBatches, maxListBatches)
	if err != nil {
		return err
	}
	recs, err := o.allBatches()
	if err != nil {
		return err
	}
	page, more := core.Paginate(recs, func(b *batchRecord) string { return b.ID }, r.URL.Query().Get("after"), limit)
	now := o.host.Clock()
	objects := make([]BatchObject, len(page))
	for i, rec := range page {
		if objects[i], err = o.view(r.Context(), rec, now); err != nil {
			return err
		}
	}
	core.WriteJSON(w, http.StatusOK, newListPage(objects, func(b BatchObject) string { return b.ID }, more))
	return nil
}

// allBatches returns every stored batch, newest first.
func (o *API) allBatches() ([]*batchRecord, error) {
	return core.LoadAll(o.batches, o.loadBatch, nil, func(rec *batchRecord) (time.Time, string) {
		return rec.Timeline.Created, rec.ID
	})
}

// settleBatches writes the results of every batch that has ended.
func (o *API) settleBatches(ctx context.Context) error {
	recs, err := o.allBatches()
	if err != nil {
		return err
	}
	now := o.host.Clock()
	for _, rec := range recs {
		if _, err := o.view(ctx, rec, now); err != nil {
			return err
		}
	}
	return nil
}

// view returns the batch as the API shows it at now, first writing its
// output and error files if it has just ended.
func (o *API) view(ctx context.Context, rec *batchRecord, now time.Time) (BatchObject, error) {
	p := rec.Timeline.At(now)
	t, err := o.reportedTally(rec, p)
	if err != nil {
		return BatchObject{}, err
	}
	if p.Phase.Terminal() && p.Phase != core.PhaseFailed {
		if err := o.writeResults(ctx, rec, p); err != nil {
			return BatchObject{}, err
		}
	}
	return rec.object(p, t), nil
}

// reportedTally returns the tally of the requests that had run at p.
func (o *API) reportedTally(rec *batchRecord, p core.Progress) (core.Tally, error) {
	switch {
	case p.InProgressAt.IsZero():
		return core.Tally{}, nil
	case p.Executed == rec.Timeline.Requests:
		return rec.Total, nil
	}
	return core.ReadTally(o.batchPath(rec.ID, batchTallyExt), p.Executed)
}

// statusName returns the Batch API status of a phase.
func statusName(p core.Phase) string {
	return [...]string{
		core.PhaseValidating: "validating",
		core.PhaseInProgress: "in_progress",
		core.PhaseFinalizing: "finalizing",
		core.PhaseCancelling: "cancelling",
		core.PhaseCompleted:  "completed",
		core.PhaseFailed:     "failed",
		core.PhaseExpired:    "expired",
		core.PhaseCancelled:  "cancelled",
	}[p]
}

// object returns the Batch object of the batch in state p, t being the
// Tally of its requests that had run.
func (rec *batchRecord) object(p core.Progress, t core.Tally) BatchObject {
	created := rec.Timeline.Created
	b := BatchObject{
		ID:               rec.ID,
		Object:           "batch",
		Endpoint:         rec.Endpoint,
		InputFileID:      rec.InputFileID,
		CompletionWindow: rec.CompletionWindow,
		Status:           statusName(p.Phase),
		CreatedAt:        created.Unix(),
		InProgressAt:     unixPtr(p.InProgressAt),
		ExpiresAt:        unixPtr(created.Add(completionWindowDur)),
		FinalizingAt:     unixPtr(p.FinalizingAt),
		CancellingAt:     unixPtr(p.CancellingAt),
		Usage:            newTokenUsage(t, batchReasoning(rec.Model, t.OutputTokens)),
		Metadata:         rec.Metadata,
		// The model is shown from creation on: the official TypeScript
		// SDK's Batch (openai 6.49.0, resources/batches.d.ts) declares it,
		// and clients read it from the create answer.
		Model: rec.Model,
	}
	if !p.InProgressAt.IsZero() {
		b.RequestCounts = RequestCounts{Total: int64(rec.Timeline.Requests), Completed: t.Succeeded, Failed: t.Failed}
	}
	switch p.Phase {
	case core.PhaseFailed:
		b.FailedAt = unixPtr(p.EndedAt)
		b.Errors = &batchErrors{Object: "list", Data: rec.Errors}
	case core.PhaseCompleted:
		b.CompletedAt = unixPtr(p.EndedAt)
	case core.PhaseExpired:
		b.ExpiredAt = unixPtr(p.EndedAt)
		b.RequestCounts.Failed += t.Expired
	case core.PhaseCancelled:
		b.CancelledAt = unixPtr(p.EndedAt)
	}
	if p.Phase.Terminal() {
		if t.Succeeded > 0 {
			b.OutputFileID = &rec.OutputFileID
		}
		if t.Failed > 0 || p.Phase == core.PhaseExpired && t.Expired > 0 {
			b.ErrorFileID = &rec.ErrorFileID
		}
	}
	return b
}
