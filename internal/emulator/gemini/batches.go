package gemini

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
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
	"github.com/batchctl/batchctl/internal/jsonl"
)

const (
	// maxCreateBody bounds a create request, which may carry its
	// requests inline: the API's 20 MB.
	maxCreateBody   = 20 << 20
	defaultPageSize = 50
	maxPageSize     = 1000
)

// The companions of a batch record ID.json in the batches directory.
const (
	inputExt = ".input" // the requests, one per line (a link to or copy of an input file)
	tallyExt = ".tally" // running tallies of the requests (tally.go)
)

// batchRecord is a batch as stored: everything its state at any
// instant is computed from. Only Timeline.Cancelling ever changes after
// creation.
type batchRecord struct {
	ID          string `json:"id"`       // without "batches/"
	Endpoint    string `json:"endpoint"` // GenerateMethod or EmbedMethod
	Model       string `json:"model"`    // without "models/"
	DisplayName string `json:"display_name,omitempty"`
	// InputFile is the id of the input file; empty for inline requests.
	InputFile string `json:"input_file,omitempty"`
	// ResponsesFile is the id of the responses file of a batch of file
	// input, reserved at creation and written when the batch succeeds.
	ResponsesFile string `json:"responses_file,omitempty"`
	// Failure says why the input is invalid; empty when it is valid.
	Failure  string        `json:"failure,omitempty"`
	Timeline core.Timeline `json:"timeline"`
	// Total is the tally of all requests.
	Total core.Tally `json:"total"`
}

func (g *API) batchPath(id, ext string) string { return filepath.Join(g.batches, id+ext) }

func (g *API) openInput(id string) (*os.File, error) {
	return os.Open(g.batchPath(id, inputExt))
}

// loadBatch reads a batch record; an unknown id gives a 404 error.
func (g *API) loadBatch(id string) (*batchRecord, error) {
	notFound := errorf(http.StatusNotFound, "Batch batches/%s was not found.", id)
	if !validID(id) {
		return nil, notFound
	}
	var rec batchRecord
	if err := core.ReadJSONFile(g.batchPath(id, ".json"), &rec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, notFound
		}
		return nil, err
	}
	return &rec, nil
}

// withBatch loads the batch named in the path for h.
func (g *API) withBatch(id string, h func(http.ResponseWriter, *http.Request, *batchRecord) error) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		rec, err := g.loadBatch(id)
		if err != nil {
			return err
		}
		return h(w, r, rec)
	}
}

// createBatch answers POST /v1beta/models/{model}:{endpoint}, whose body is
// {"batch":{"display_name":...,"input_config":{"requests":{"requests":[...]}}}}
// or {"batch":{...,"input_config":{"file_name":"files/..."}}}, in either
// spelling of the field names.
func (g *API) createBatch(model, endpoint string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if model == "" || strings.Contains(model, "/") {
			return errorf(http.StatusNotFound, "Model models/%s was not found.", model)
		}
		batch, err := decodeBatch(w, r)
		if err != nil {
			return err
		}
		rec := &batchRecord{
			ID:       newID(),
			Endpoint: endpoint,
			Model:    model,
			Timeline: core.Timeline{Created: g.host.Clock(), Duration: g.host.Duration()},
		}
		if raw := field(batch, "displayName"); raw != nil && json.Unmarshal(raw, &rec.DisplayName) != nil {
			return errorf(http.StatusBadRequest, "Invalid value at 'batch.display_name': expected a string.")
		}
		writeInput, err := g.batchInput(batch, rec)
		if err != nil {
			return err
		}
		if err := g.storeBatch(r.Context(), rec, writeInput); err != nil {
			return err
		}
		return g.respondBatch(r.Context(), w, rec)
	}
}

// decodeBatch reads the "batch" object of a create request.
func decodeBatch(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	var body struct {
		Batch map[string]json.RawMessage `json:"batch"`
	}
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxCreateBody)).Decode(&body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errorf(http.StatusBadRequest, "Request payload size exceeds the limit: %d bytes.", maxCreateBody)
	case err != nil:
		return nil, errorf(http.StatusBadRequest, "Invalid JSON payload received. %v", err)
	case body.Batch == nil:
		return nil, errorf(http.StatusBadRequest, "* batch: batch is required")
	}
	return body.Batch, nil
}

// batchInput checks the input config of a create request and returns the
// function that stores the batch's input at a path: a link to the input
// file, or the inline requests one per line.
func (g *API) batchInput(batch map[string]json.RawMessage, rec *batchRecord) (func(path string) error, error) {
	var config map[string]json.RawMessage
	if raw := field(batch, "inputConfig"); raw == nil || json.Unmarshal(raw, &config) != nil {
		return nil, errorf(http.StatusBadRequest, "* batch.input_config: input_config is required")
	}
	fileName, requests := field(config, "fileName"), field(config, "requests")
	switch {
	case (fileName == nil) == (requests == nil):
		return nil, errorf(http.StatusBadRequest, "* batch.input_config: exactly one of file_name and requests must be set")
	case fileName != nil:
		var name string
		if json.Unmarshal(fileName, &name) != nil {
			return nil, errorf(http.StatusBadRequest, "Invalid value at 'batch.input_config.file_name': expected a string.")
		}
		f, err := g.loadFile(strings.TrimPrefix(name, "files/"))
		if err != nil {
			return nil, err
		}
		rec.InputFile, rec.ResponsesFile = f.ID, "batch"+rec.ID
		return func(path string) error { return core.LinkOrCopy(g.contentPath(f.ID), path) }, nil
	}
	var inline struct {
		Requests []json.RawMessage `json:"requests"`
	}
	if json.Unmarshal(requests, &inline) != nil {
		return nil, errorf(http.StatusBadRequest, "Invalid value at 'batch.input_config.requests': expected {\"requests\": [...]}.")
	}
	if len(inline.Requests) == 0 {
		return nil, errorf(http.StatusBadRequest, "* batch.input_config.requests.requests: at least one request is required")
	}
	return func(path string) error {
		return core.WriteAtomic(path, func(w io.Writer) error { return writeLines(w, inline.Requests) })
	}, nil
}

// writeLines writes each inline request compacted on a line of its own.
func writeLines(w io.Writer, items []json.RawMessage) error {
	var line bytes.Buffer
	for i, item := range items {
		line.Reset()
		if err := json.Compact(&line, item); err != nil {
			return errorf(http.StatusBadRequest, "Invalid value at 'batch.input_config.requests.requests[%d]': %v", i, err)
		}
		line.WriteByte('\n')
		if _, err := w.Write(line.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// storeBatch stores the batch's input, plans the batch from it and writes
// the batch record, last, so that a stored record always has its
// companions.
func (g *API) storeBatch(ctx context.Context, rec *batchRecord, writeInput func(path string) error) (err error) {
	inputPath := g.batchPath(rec.ID, inputExt)
	tallyPath := g.batchPath(rec.ID, tallyExt)
	defer func() {
		if err != nil {
			os.Remove(inputPath)
			os.Remove(tallyPath)
		}
	}()
	if err = writeInput(inputPath); err != nil {
		return err
	}
	in, err := os.Open(inputPath)
	if err != nil {
		return err
	}
	defer in.Close()
	p, err := planBatch(ctx, in, rec, tallyPath, g.queue.Tally(jsonl.TargetGemini, rec.Model))
	if err != nil {
		return err
	}
	rec.Failure, rec.Total = p.failure, p.total
	rec.Timeline.Requests, rec.Timeline.Valid, rec.Timeline.Expiring = p.requests, p.failure == "", p.expiring
	write := func() error { return core.WriteJSONFile(g.batchPath(rec.ID, ".json"), rec) }
	if !rec.Timeline.Valid {
		return write()
	}
	return g.queue.Admit(ctx, p.queue.Enqueued(rec.ID), func(refusal *core.QueueRefusal) error {
		if refusal != nil {
			return queueFull(refusal)
		}
		rec.Timeline.Created = g.host.Clock() // see core.Queue.Admit
		return write()
	})
}

func (g *API) getBatch(w http.ResponseWriter, r *http.Request, rec *batchRecord) error {
	return g.respondBatch(r.Context(), w, rec)
}

// respondBatch sends the batch operation as it is now.
func (g *API) respondBatch(ctx context.Context, w http.ResponseWriter, rec *batchRecord) error {
	op, err := g.view(ctx, rec, g.host.Clock())
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, op)
	return nil
}

// cancelBatch cancels a batch that has not finished; cancelling a
// cancelled batch again changes nothing. It answers with an empty object.
func (g *API) cancelBatch(w http.ResponseWriter, r *http.Request, rec *batchRecord) error {
	now := g.host.Clock()
	switch p := rec.Timeline.At(now); {
	case p.Phase == core.PhaseCancelling || p.Phase == core.PhaseCancelled:
	case p.Phase.Terminal():
		return precondition("Batch batches/%s is in state %s and cannot be cancelled.", rec.ID, stateName(p.Phase))
	default:
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(g.batchPath(rec.ID, ".json"), rec); err != nil {
			return err
		}
	}
	core.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// deleteBatch forgets a batch (without cancelling anything); its responses
// file stays. It answers with an empty object.
func (g *API) deleteBatch(w http.ResponseWriter, _ *http.Request, rec *batchRecord) error {
	// The record goes first: a batch is visible only while it exists.
	for _, ext := range []string{".json", inputExt, tallyExt} {
		if err := os.Remove(g.batchPath(rec.ID, ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	core.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// listPage is the answer of GET /v1beta/batches.
type listPage struct {
	Operations    []operation `json:"operations"`
	NextPageToken string      `json:"nextPageToken,omitempty"`
}

// listBatches answers GET /v1beta/batches?pageSize=&pageToken=, newest
// first; the page token is the id of the previous page's last batch.
func (g *API) listBatches(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	size := defaultPageSize
	if s := q.Get("pageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "Invalid value at 'page_size' (TYPE_INT32), %q.", s)
		}
		if n > 0 {
			size = min(n, maxPageSize)
		}
	}
	recs, err := g.allBatches()
	if err != nil {
		return err
	}
	page, more := core.Paginate(recs, func(b *batchRecord) string { return b.ID }, q.Get("pageToken"), size)
	now := g.host.Clock()
	answer := listPage{Operations: make([]operation, len(page))}
	for i, rec := range page {
		if answer.Operations[i], err = g.view(r.Context(), rec, now); err != nil {
			return err
		}
	}
	if more {
		answer.NextPageToken = page[len(page)-1].ID
	}
	core.WriteJSON(w, http.StatusOK, answer)
	return nil
}

// allBatches returns every stored batch, newest first.
func (g *API) allBatches() ([]*batchRecord, error) {
	return core.LoadAll(g.batches, g.loadBatch, isAPIError, func(rec *batchRecord) (time.Time, string) {
		return rec.Timeline.Created, rec.ID
	})
}

// isAPIError tells a record deleted since it was listed: loading it gave a
// not-found answer.
func isAPIError(err error) bool {
	var e *apiError
	return errors.As(err, &e)
}

// stateName returns the batch state of a phase. Gemini has no
// cancelling state: a cancel takes effect at once.
func stateName(p core.Phase) string {
	return [...]string{
		core.PhaseValidating: "BATCH_STATE_PENDING",
		core.PhaseInProgress: "BATCH_STATE_RUNNING",
		core.PhaseFinalizing: "BATCH_STATE_RUNNING",
		core.PhaseCancelling: "BATCH_STATE_CANCELLED",
		core.PhaseCompleted:  "BATCH_STATE_SUCCEEDED",
		core.PhaseFailed:     "BATCH_STATE_FAILED",
		core.PhaseExpired:    "BATCH_STATE_EXPIRED",
		core.PhaseCancelled:  "BATCH_STATE_CANCELLED",
	}[p]
}

// codeInvalidArgument is google.rpc.Code INVALID_ARGUMENT.
const codeInvalidArgument = 3

// view returns the batch operation as it is at now, first writing the
// responses file of a batch that has just succeeded.
func (g *API) view(ctx context.Context, rec *batchRecord, now time.Time) (operation, error) {
	p := rec.Timeline.At(now)
	t, err := g.reportedTally(rec, p)
	if err != nil {
		return operation{}, err
	}
	op := operation{Name: "batches/" + rec.ID, Metadata: rec.object(p, t)}
	switch p.Phase {
	case core.PhaseValidating, core.PhaseInProgress, core.PhaseFinalizing:
		return op, nil
	case core.PhaseCompleted:
		out, err := g.output(ctx, rec, p)
		if err != nil {
			return operation{}, err
		}
		op.Metadata.Output = out
		op.Response = &output{Type: outputType(rec.Endpoint), ResponsesFile: out.ResponsesFile, InlinedResponses: out.InlinedResponses}
	case core.PhaseFailed:
		op.Error = &rpcStatus{Code: codeInvalidArgument, Message: rec.Failure}
	}
	op.Done = true
	return op, nil
}

// output returns the output of a batch that succeeded.
func (g *API) output(ctx context.Context, rec *batchRecord, p core.Progress) (*output, error) {
	if rec.InputFile != "" {
		if err := g.writeResponsesFile(ctx, rec, p); err != nil {
			return nil, err
		}
		return &output{ResponsesFile: "files/" + rec.ResponsesFile}, nil
	}
	items, err := g.inlinedResponses(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &output{InlinedResponses: &inlinedResponses{InlinedResponses: items}}, nil
}

func outputType(endpoint string) string {
	if endpoint == EmbedMethod {
		return EmbedOutputType
	}
	return generateOutputType
}

// reportedTally returns the tally of the requests that had run at p.
func (g *API) reportedTally(rec *batchRecord, p core.Progress) (core.Tally, error) {
	switch {
	case p.InProgressAt.IsZero():
		return core.Tally{}, nil
	case p.Executed == rec.Timeline.Requests:
		return rec.Total, nil
	}
	return core.ReadTally(g.batchPath(rec.ID, tallyExt), p.Executed)
}

// object returns the batch's metadata in state p, t being the tally of its
// requests that had run.
func (rec *batchRecord) object(p core.Progress, t core.Tally) batchObject {
	b := batchObject{
		Type:        generateBatchType,
		Model:       "models/" + rec.Model,
		DisplayName: rec.DisplayName,
		CreateTime:  timestamp(rec.Timeline.Created),
		BatchStats: batchStats{
			RequestCount:           int64String(rec.Timeline.Requests),
			SuccessfulRequestCount: int64String(t.Succeeded),
			FailedRequestCount:     int64String(t.Failed),
		},
		State: stateName(p.Phase),
		Name:  "batches/" + rec.ID,
	}
	if rec.Endpoint == EmbedMethod {
		b.Type = EmbedBatchType
	}
	if rec.InputFile != "" {
		b.InputConfig = &inputConfig{FileName: "files/" + rec.InputFile}
	}
	ended := p.EndedAt
	switch p.Phase {
	case core.PhaseValidating, core.PhaseInProgress, core.PhaseFinalizing:
		b.BatchStats.PendingRequestCount = int64String(rec.Timeline.Requests - p.Executed)
	case core.PhaseCancelling, core.PhaseCancelled:
		ended = p.CancellingAt
	case core.PhaseExpired:
		b.BatchStats.FailedRequestCount += int64String(t.Expired)
	}
	b.EndTime = timestamp(ended)
	updated := rec.Timeline.Created
	if p.Executed > 0 {
		updated = rec.Timeline.ExecutedAt(p.Executed - 1)
	}
	for _, at := range []time.Time{p.InProgressAt, ended} {
		if at.After(updated) {
			updated = at
		}
	}
	b.UpdateTime = timestamp(updated)
	return b
}
