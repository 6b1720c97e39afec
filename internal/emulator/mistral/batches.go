package mistral

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	// maxRequests is the most requests of a job
	// (docs.mistral.ai/capabilities/batch: up to 1M).
	maxRequests         = 1_000_000
	defaultTimeoutHours = 24
	defaultPageSize     = 100
	maxPageSize         = 1000 // UNCONFIRMED
)

// The companions of a job record ID.json in the batches directory.
const (
	jobInputExt   = ".input"   // the requests, one {"custom_id","body"} per line
	jobTallyExt   = ".tally"   // running tallies of the requests
	jobResultsExt = ".results" // marker: the output and error files were written
)

// jobRecord is a job as stored: everything its state at any instant is
// computed from. Only Timeline.Cancelling ever changes after creation.
type jobRecord struct {
	ID           string            `json:"id"`
	InputFiles   []string          `json:"input_files"`
	Endpoint     string            `json:"endpoint"`
	Model        string            `json:"model"`
	Metadata     map[string]string `json:"metadata"`
	TimeoutHours int               `json:"timeout_hours"`
	Errors       []jobError        `json:"errors,omitempty"`
	Timeline     core.Timeline     `json:"timeline"`
	Total        core.Tally        `json:"total"`
	// OutputFile and ErrorFile are reserved at creation; the files exist
	// once the job has ended with something to put in them.
	OutputFile string `json:"output_file"`
	ErrorFile  string `json:"error_file"`
}

// jobError is a job-level error (docs/models/batcherror.md).
type jobError struct {
	Message string `json:"message"`
	Count   int    `json:"count"`
}

func (a *API) jobPath(id, ext string) string { return filepath.Join(a.batches, id+ext) }

// loadJob reads a job record; an unknown id gives a 404 error.
func (a *API) loadJob(id string) (*jobRecord, error) {
	var rec jobRecord
	if id == "" {
		return nil, errorf(http.StatusNotFound, "Batch job not found")
	}
	if err := core.ReadJSONFile(a.jobPath(id, ".json"), &rec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errorf(http.StatusNotFound, "Batch job %s not found", id)
		}
		return nil, err
	}
	return &rec, nil
}

// createJobRequest is the body of POST /v1/batch/jobs
// (docs/models/createbatchjobrequest.md).
type createJobRequest struct {
	InputFiles   []string          `json:"input_files"`
	Requests     []inputLine       `json:"requests"`
	Endpoint     string            `json:"endpoint"`
	Model        *string           `json:"model"`
	AgentID      *string           `json:"agent_id"`
	Metadata     map[string]string `json:"metadata"`
	TimeoutHours *int              `json:"timeout_hours"`
}

// inputLine is one request: a line of an input file, or an item of
// requests (docs/models/batchrequest.md).
type inputLine struct {
	CustomID *string         `json:"custom_id"`
	Body     json.RawMessage `json:"body"`
}

// check validates the request as the API does at creation.
func (req *createJobRequest) check() error {
	switch {
	case req.Endpoint == "":
		return errorf(http.StatusUnprocessableEntity, "endpoint: Field required")
	case !slices.Contains(apiEndpoints, req.Endpoint):
		return errorf(http.StatusUnprocessableEntity, "endpoint: Input should be '%s'", strings.Join(apiEndpoints, "', '"))
	case !slices.Contains(answered, req.Endpoint):
		return errorf(http.StatusBadRequest, "The emulator does not answer %s (it answers %s)", req.Endpoint, strings.Join(answered, ", "))
	case req.AgentID != nil:
		return errorf(http.StatusBadRequest, "The emulator does not run agents: give a model")
	case req.Model == nil || *req.Model == "":
		return errorf(http.StatusBadRequest, "model: a model is required")
	case len(req.InputFiles) > 0 && len(req.Requests) > 0:
		return errorf(http.StatusBadRequest, "Give input_files or requests, not both")
	case len(req.InputFiles) == 0 && len(req.Requests) == 0:
		return errorf(http.StatusBadRequest, "Give input_files or requests")
	case req.TimeoutHours != nil && *req.TimeoutHours < 1:
		return errorf(http.StatusUnprocessableEntity, "timeout_hours: Input should be greater than or equal to 1")
	}
	return nil
}

func (a *API) createJob(w http.ResponseWriter, r *http.Request) error {
	var req createJobRequest
	if err := decodeRequest(w, r, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	for _, id := range req.InputFiles {
		f, err := a.loadFile(id)
		if err != nil {
			return err
		}
		if f.Purpose != purposeBatch {
			return errorf(http.StatusBadRequest, "File %s has purpose '%s'; a batch input file must have purpose 'batch'", id, f.Purpose)
		}
	}
	rec := &jobRecord{
		ID:           newUUID(),
		InputFiles:   req.InputFiles,
		Endpoint:     req.Endpoint,
		Model:        *req.Model,
		Metadata:     req.Metadata,
		TimeoutHours: cmp.Or(ptrValue(req.TimeoutHours), defaultTimeoutHours),
		Timeline:     core.Timeline{Created: a.host.Clock(), Duration: a.host.Duration()},
		OutputFile:   newUUID(),
		ErrorFile:    newUUID(),
	}
	if err := a.storeJob(r.Context(), rec, req.Requests); err != nil {
		return err
	}
	return a.respondJob(r.Context(), w, rec)
}

func ptrValue(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// storeJob gathers the job's requests, plans it from them and writes its
// record, last, so that a stored record always has its companions.
func (a *API) storeJob(ctx context.Context, rec *jobRecord, inline []inputLine) (err error) {
	inputPath, tallyPath := a.jobPath(rec.ID, jobInputExt), a.jobPath(rec.ID, jobTallyExt)
	defer func() {
		if err != nil {
			os.Remove(inputPath)
			os.Remove(tallyPath)
		}
	}()
	if err = core.WriteAtomic(inputPath, func(w io.Writer) error { return a.writeInput(w, rec.InputFiles, inline) }); err != nil {
		return err
	}
	in, err := os.Open(inputPath)
	if err != nil {
		return err
	}
	defer in.Close()
	p, err := planJob(ctx, in, rec, tallyPath)
	if err != nil {
		return err
	}
	rec.Errors, rec.Total = p.errors, p.total
	rec.Timeline.Requests, rec.Timeline.Valid, rec.Timeline.Expiring = p.requests, len(p.errors) == 0, p.expiring
	return core.WriteJSONFile(a.jobPath(rec.ID, ".json"), rec)
}

// writeInput writes the job's requests to w: the input files' lines, or
// the inline requests as lines.
func (a *API) writeInput(w io.Writer, files []string, inline []inputLine) error {
	for _, item := range inline {
		if err := core.EncodeJSON(w, item); err != nil {
			return err
		}
	}
	for _, id := range files {
		f, err := os.Open(a.contentPath(id))
		if err != nil {
			return err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n"); err != nil { // blank lines are skipped
			return err
		}
	}
	return nil
}

func (a *API) getJob(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.loadJob(core.PathID(r))
	if err != nil {
		return err
	}
	return a.respondJob(r.Context(), w, rec)
}

// respondJob sends the job as it is now.
func (a *API) respondJob(ctx context.Context, w http.ResponseWriter, rec *jobRecord) error {
	j, err := a.view(ctx, rec, a.host.Clock())
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, j)
	return nil
}

func (a *API) cancelJob(w http.ResponseWriter, r *http.Request) error {
	rec, err := a.loadJob(core.PathID(r))
	if err != nil {
		return err
	}
	now := a.host.Clock()
	switch p := rec.Timeline.At(now); {
	case p.Phase == core.PhaseCancelling:
		// Cancelling twice changes nothing.
	case p.Phase.Terminal():
		return errorf(http.StatusBadRequest, "Batch job %s is %s and cannot be cancelled", rec.ID, statusName(p.Phase))
	default:
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(a.jobPath(rec.ID, ".json"), rec); err != nil {
			return err
		}
	}
	return a.respondJob(r.Context(), w, rec)
}

// listJobs serves a page of jobs, newest first unless order_by is
// "created", filtered by model and status.
func (a *API) listJobs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := queryInt(q.Get("page"), "page", 0, 0, 1<<30)
	if err != nil {
		return err
	}
	size, err := queryInt(q.Get("page_size"), "page_size", defaultPageSize, 1, maxPageSize)
	if err != nil {
		return err
	}
	order := cmp.Or(q.Get("order_by"), "-created")
	if order != "created" && order != "-created" {
		return errorf(http.StatusUnprocessableEntity, "order_by: Input should be 'created' or '-created'")
	}
	recs, err := a.allJobs()
	if err != nil {
		return err
	}
	if order == "created" {
		slices.Reverse(recs)
	}
	now := a.host.Clock()
	var jobs []jobObject
	for _, rec := range recs {
		j, err := a.view(r.Context(), rec, now)
		if err != nil {
			return err
		}
		if (q.Get("model") == "" || q.Get("model") == rec.Model) && (!q.Has("status") || slices.Contains(q["status"], j.Status)) {
			jobs = append(jobs, j)
		}
	}
	total := len(jobs)
	start := min(page*size, total)
	core.WriteJSON(w, http.StatusOK, listPage{Data: append([]jobObject{}, jobs[start:min(start+size, total)]...), Object: "list", Total: total})
	return nil
}

// listPage is a ListBatchJobsResponse (docs/models/listbatchjobsresponse.md).
type listPage struct {
	Data   []jobObject `json:"data"`
	Object string      `json:"object"`
	Total  int         `json:"total"`
}

// queryInt parses an integer query parameter: def when absent, else in
// [least, most].
func queryInt(s, param string, def, least, most int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, errorf(http.StatusUnprocessableEntity, "%s: Input should be a valid integer", param)
	case n < least || n > most:
		return 0, errorf(http.StatusUnprocessableEntity, "%s: Input should be between %d and %d", param, least, most)
	}
	return n, nil
}

// allJobs returns every stored job, newest first.
func (a *API) allJobs() ([]*jobRecord, error) {
	return core.LoadAll(a.batches, a.loadJob, nil, func(rec *jobRecord) (time.Time, string) {
		return rec.Timeline.Created, rec.ID
	})
}

// view returns the job as the API shows it at now, first writing its
// output and error files if it has just ended.
func (a *API) view(ctx context.Context, rec *jobRecord, now time.Time) (jobObject, error) {
	p := rec.Timeline.At(now)
	t, err := a.reportedTally(rec, p)
	if err != nil {
		return jobObject{}, err
	}
	if p.Phase.Terminal() && p.Phase != core.PhaseFailed {
		if err := a.writeResults(ctx, rec, p); err != nil {
			return jobObject{}, err
		}
	}
	return rec.object(p, t), nil
}

// reportedTally returns the tally of the requests that had run at p.
func (a *API) reportedTally(rec *jobRecord, p core.Progress) (core.Tally, error) {
	switch {
	case p.InProgressAt.IsZero():
		return core.Tally{}, nil
	case p.Executed == rec.Timeline.Requests:
		return rec.Total, nil
	}
	return core.ReadTally(a.jobPath(rec.ID, jobTallyExt), p.Executed)
}

// statusName returns the job status of a phase
// (docs/models/batchjobstatus.md): Mistral has no finalizing status.
func statusName(p core.Phase) string {
	return [...]string{
		core.PhaseValidating: "QUEUED",
		core.PhaseInProgress: "RUNNING",
		core.PhaseFinalizing: "RUNNING",
		core.PhaseCancelling: "CANCELLATION_REQUESTED",
		core.PhaseCompleted:  "SUCCESS",
		core.PhaseFailed:     "FAILED",
		core.PhaseExpired:    "TIMEOUT_EXCEEDED",
		core.PhaseCancelled:  "CANCELLED",
	}[p]
}

// jobObject is a BatchJob (docs/models/batchjob.md), in its key order.
type jobObject struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	InputFiles        []string          `json:"input_files"`
	Metadata          map[string]string `json:"metadata"`
	Endpoint          string            `json:"endpoint"`
	Model             string            `json:"model"`
	AgentID           *string           `json:"agent_id"`
	OutputFile        *string           `json:"output_file"`
	ErrorFile         *string           `json:"error_file"`
	Errors            []jobError        `json:"errors"`
	Status            string            `json:"status"`
	CreatedAt         int64             `json:"created_at"`
	TotalRequests     int64             `json:"total_requests"`
	CompletedRequests int64             `json:"completed_requests"`
	SucceededRequests int64             `json:"succeeded_requests"`
	FailedRequests    int64             `json:"failed_requests"`
	StartedAt         *int64            `json:"started_at"`
	CompletedAt       *int64            `json:"completed_at"`
}

// object returns the job in state p, t being the tally of its requests
// that had run.
func (rec *jobRecord) object(p core.Progress, t core.Tally) jobObject {
	j := jobObject{
		ID:                rec.ID,
		Object:            "batch",
		InputFiles:        append([]string{}, rec.InputFiles...),
		Metadata:          rec.Metadata,
		Endpoint:          rec.Endpoint,
		Model:             rec.Model,
		Errors:            []jobError{},
		Status:            statusName(p.Phase),
		CreatedAt:         rec.Timeline.Created.Unix(),
		TotalRequests:     int64(rec.Timeline.Requests),
		SucceededRequests: t.Succeeded,
		FailedRequests:    t.Failed,
		StartedAt:         unixPtr(p.InProgressAt),
		CompletedAt:       unixPtr(p.EndedAt),
	}
	switch p.Phase {
	case core.PhaseFailed:
		j.Errors = rec.Errors
	case core.PhaseExpired:
		j.FailedRequests += t.Expired
	}
	j.CompletedRequests = j.SucceededRequests + j.FailedRequests
	if p.Phase.Terminal() {
		if t.Succeeded > 0 {
			j.OutputFile = &rec.OutputFile
		}
		if t.Failed > 0 || p.Phase == core.PhaseExpired && t.Expired > 0 {
			j.ErrorFile = &rec.ErrorFile
		}
	}
	return j
}

// unixPtr returns t as nullable Unix seconds: nil when t is zero.
func unixPtr(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}
