// Package vertex emulates Google Cloud for Vertex AI batch prediction: the
// batchPredictionJobs API of Vertex AI (Control, under /vertex/v1/), the
// Cloud Storage JSON API subset its jobs read and write (GCS), and a fake
// OAuth2 token endpoint (Tokens) issuing the access tokens both check.
// Requests are run by the Gemini emulator (gemini.RunRecord: its markers
// and answers), or for Claude models by the Anthropic emulator
// (anthropic.RunRecord), on the core Timeline, like every batch of the
// emulator.
package vertex

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
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
)

// Prefix is the path Vertex AI is served under: GOOGLE_VERTEX_BASE_URL is
// the emulator's root and this prefix, as for the Gen AI SDK.
const Prefix = "/vertex"

// Control serves the batchPredictionJobs methods of Vertex AI
// (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.batchPredictionJobs):
// create, get, list and cancel, at
// /v1/projects/{project}/locations/{location}/batchPredictionJobs. Wire
// shapes: that reference, and google.golang.org/genai v1.77.0 batches.go
// (createBatchJobParametersToVertex, batchJobFromVertex,
// listBatchJobsResponseFromVertex), whose Vertex backend the tests drive.
type Control struct {
	host    *core.Host
	keys    *keys
	objects *objects
	jobs    string
}

// NewControl opens the control plane with its state under dir/gcp.
func NewControl(host *core.Host, dir string) (core.Protocol, error) {
	k, err := openKeys(dir)
	if err != nil {
		return nil, err
	}
	o, err := openObjects(dir)
	if err != nil {
		return nil, err
	}
	c := &Control{host: host, keys: k, objects: o, jobs: filepath.Join(dir, "gcp", "vertex")}
	return c, os.MkdirAll(c.jobs, 0o700)
}

const collection = Prefix + "/v1/projects/{project}/locations/{location}/batchPredictionJobs"

// Register adds the control plane routes. A cancel is a custom method,
// {id}:cancel, which ServeMux wildcards do not split: post routes it.
func (c *Control) Register(mux *http.ServeMux) {
	d := c.host.Door(c)
	d.Handle(mux, "POST "+collection, core.OpCreate, c.create)
	d.Handle(mux, "GET "+collection, core.OpList, c.list)
	d.Handle(mux, "GET "+collection+"/{id}", core.OpGet, c.get)
	mux.HandleFunc("POST "+collection+"/{idMethod}", func(w http.ResponseWriter, r *http.Request) {
		d.Serve(w, r, core.OpCancel, c.cancel)
	})
}

// RequestIDHeader implements core.Protocol.
func (c *Control) RequestIDHeader() string { return "" }

// Authenticate implements core.Protocol: a bearer token that has not
// expired.
func (c *Control) Authenticate(r *http.Request, _ func(string) bool) error {
	return c.keys.checkBearer(r)
}

// WriteError implements core.Protocol.
func (c *Control) WriteError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errorf(http.StatusInternalServerError, "%s", core.Failure(err))
	}
	writeError(w, e)
}

// WriteFault implements core.Protocol: a 429 carries a RetryInfo detail.
func (c *Control) WriteFault(w http.ResponseWriter, f core.Fault) {
	writeError(w, faultError(f, ""))
}

// jobRecord is a job as stored.
type jobRecord struct {
	ID, Project, Location, DisplayName, Model string
	Input, Output                             string // gs:// URIs
	Labels                                    map[string]string
	Timeline                                  core.Timeline
	Total                                     core.Tally
	Failure                                   string
}

func (c *Control) path(id string) string { return filepath.Join(c.jobs, id+".json") }

func (c *Control) load(id string) (*jobRecord, error) {
	var rec jobRecord
	if err := core.ReadJSONFile(c.path(id), &rec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errorf(http.StatusNotFound, "The BatchPredictionJob does not exist.")
		}
		return nil, err
	}
	return &rec, nil
}

// name is the job's resource name.
func (rec *jobRecord) name() string {
	return "projects/" + rec.Project + "/locations/" + rec.Location + "/batchPredictionJobs/" + rec.ID
}

// createBody is what the emulator reads of a BatchPredictionJob to create.
type createBody struct {
	DisplayName string `json:"displayName"`
	Model       string `json:"model"`
	InputConfig struct {
		InstancesFormat string `json:"instancesFormat"`
		GCSSource       *struct {
			URIs []string `json:"uris"`
		} `json:"gcsSource"`
	} `json:"inputConfig"`
	OutputConfig struct {
		PredictionsFormat string `json:"predictionsFormat"`
		GCSDestination    *struct {
			OutputURIPrefix string `json:"outputUriPrefix"`
		} `json:"gcsDestination"`
	} `json:"outputConfig"`
	Labels map[string]string `json:"labels"`
}

// check finds what Vertex AI would refuse in a create.
func (b *createBody) check() error {
	switch {
	case b.DisplayName == "":
		return invalid("BatchPredictionJob.display_name is required.")
	case !strings.HasPrefix(b.Model, "publishers/") && !strings.HasPrefix(b.Model, "projects/"):
		return invalid("Invalid model name %q: want publishers/{publisher}/models/{model}.", b.Model)
	case b.InputConfig.InstancesFormat != "jsonl" || b.InputConfig.GCSSource == nil || len(b.InputConfig.GCSSource.URIs) == 0:
		return invalid("The emulator takes inputConfig.instancesFormat \"jsonl\" with gcsSource.uris.")
	case b.OutputConfig.PredictionsFormat != "jsonl" || b.OutputConfig.GCSDestination == nil:
		return invalid("The emulator takes outputConfig.predictionsFormat \"jsonl\" with gcsDestination.outputUriPrefix.")
	}
	return nil
}

// create makes a job: its input is read and its requests run now.
func (c *Control) create(w http.ResponseWriter, r *http.Request) error {
	var b createBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		return invalid("Invalid JSON payload received. %v", err)
	}
	if err := b.check(); err != nil {
		return err
	}
	rec := &jobRecord{
		ID: newJobID(), Project: r.PathValue("project"), Location: r.PathValue("location"),
		DisplayName: b.DisplayName, Model: b.Model, Labels: b.Labels,
		Input: b.InputConfig.GCSSource.URIs[0], Output: b.OutputConfig.GCSDestination.OutputURIPrefix,
		Timeline: core.Timeline{Created: c.host.Clock(), Duration: c.host.Duration(), Valid: true},
	}
	lines, err := c.inputLines(rec)
	if err != nil {
		return err
	}
	rec.Timeline.Requests = len(lines)
	if len(lines) == 0 {
		rec.Timeline.Valid, rec.Failure = false, "The input file has no instances."
	}
	for i, l := range lines {
		run := rec.run(l, i)
		rec.Total.Add(run.Outcome, run.InputTokens, run.OutputTokens)
		rec.Timeline.Expiring = rec.Timeline.Expiring || run.Outcome == core.OutcomeExpired
	}
	if err := core.WriteJSONFile(c.path(rec.ID), rec); err != nil {
		return err
	}
	return c.respond(r.Context(), w, rec)
}

// newJobID is a job id as Vertex AI makes them: a decimal int64 of 19
// digits.
func newJobID() string {
	var b [8]byte
	rand.Read(b[:])
	return strconv.FormatUint(binary.BigEndian.Uint64(b[:])%(8e18)+1e18, 10)
}

// modelID is the model's last path segment: publishers/google/models/X is X.
func (rec *jobRecord) modelID() string { return rec.Model[strings.LastIndexByte(rec.Model, '/')+1:] }

// inputLines reads a job's input from the emulated bucket: JSON objects,
// each with a request.
func (c *Control) inputLines(rec *jobRecord) ([]map[string]json.RawMessage, error) {
	bucket, name, err := splitGS(rec.Input)
	if err != nil {
		return nil, err
	}
	data, err := c.objects.read(bucket, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errorf(http.StatusBadRequest, "Cloud Storage object %s does not exist.", rec.Input)
	} else if err != nil {
		return nil, err
	}
	var out []map[string]json.RawMessage
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l map[string]json.RawMessage
		if json.Unmarshal(line, &l) != nil || !bytes.HasPrefix(l["request"], []byte("{")) {
			return nil, invalid("Input line %d is not a JSON object with a request.", i+1)
		}
		out = append(out, l)
	}
	return out, nil
}

func (c *Control) get(w http.ResponseWriter, r *http.Request) error {
	rec, err := c.load(r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.respond(r.Context(), w, rec)
}

func (c *Control) respond(ctx context.Context, w http.ResponseWriter, rec *jobRecord) error {
	v, err := c.view(ctx, rec)
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, v)
	return nil
}

// cancel is {id}:cancel: a job that has not ended starts cancelling; the
// answer is empty (google.protobuf.Empty).
func (c *Control) cancel(w http.ResponseWriter, r *http.Request) error {
	id, ok := strings.CutSuffix(r.PathValue("idMethod"), ":cancel")
	if !ok {
		return errorf(http.StatusNotFound, "Unknown method %q.", r.PathValue("idMethod"))
	}
	rec, err := c.load(id)
	if err != nil {
		return err
	}
	now := c.host.Clock()
	if rec.Timeline.At(now).Phase.Terminal() {
		e := invalid("The BatchPredictionJob %s is in a final state and cannot be cancelled.", rec.name())
		e.status = "FAILED_PRECONDITION"
		return e
	}
	if rec.Timeline.Cancelling.IsZero() {
		rec.Timeline.Cancelling = now
		if err := core.WriteJSONFile(c.path(rec.ID), rec); err != nil {
			return err
		}
	}
	core.WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// list answers batchPredictionJobs.list, newest first, pageSize at a time
// (default 100); the page token is the offset of the page.
func (c *Control) list(w http.ResponseWriter, r *http.Request) error {
	all, err := core.LoadAll(c.jobs, c.load, func(err error) bool {
		var e *apiError
		return errors.As(err, &e) && e.code == http.StatusNotFound
	}, func(rec *jobRecord) (time.Time, string) { return rec.Timeline.Created, rec.ID })
	if err != nil {
		return err
	}
	q := r.URL.Query()
	size := 100
	if n, err := strconv.Atoi(q.Get("pageSize")); err == nil && n > 0 {
		size = n
	}
	start, _ := strconv.Atoi(q.Get("pageToken"))
	start = min(max(start, 0), len(all))
	end := min(start+size, len(all))
	out := struct {
		Jobs []jobView `json:"batchPredictionJobs"`
		Next string    `json:"nextPageToken,omitempty"`
	}{Jobs: []jobView{}}
	for _, rec := range all[start:end] {
		v, err := c.view(r.Context(), rec)
		if err != nil {
			return err
		}
		out.Jobs = append(out.Jobs, v)
	}
	if end < len(all) {
		out.Next = strconv.Itoa(end)
	}
	core.WriteJSON(w, http.StatusOK, out)
	return nil
}

// jobView is a BatchPredictionJob as the API shows it; int64 counts are
// strings (proto3 JSON).
type jobView struct {
	Name            string            `json:"name"`
	DisplayName     string            `json:"displayName"`
	Model           string            `json:"model"`
	InputConfig     any               `json:"inputConfig"`
	OutputConfig    any               `json:"outputConfig"`
	State           string            `json:"state"`
	Error           *rpcStatus        `json:"error,omitempty"`
	CreateTime      string            `json:"createTime"`
	StartTime       string            `json:"startTime,omitempty"`
	EndTime         string            `json:"endTime,omitempty"`
	UpdateTime      string            `json:"updateTime"`
	Labels          map[string]string `json:"labels,omitempty"`
	CompletionStats *completionStats  `json:"completionStats,omitempty"`
	OutputInfo      *outputInfo       `json:"outputInfo,omitempty"`
}

type rpcStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type completionStats struct {
	Successful string `json:"successfulCount"`
	Failed     string `json:"failedCount"`
	Incomplete string `json:"incompleteCount"`
}

type outputInfo struct {
	GCSOutputDirectory string `json:"gcsOutputDirectory"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// state is the JOB_STATE_* of a phase: a validating job is PENDING for its
// first half, then QUEUED.
func (rec *jobRecord) state(p core.Progress, now time.Time) string {
	switch p.Phase {
	case core.PhaseValidating:
		if now.Before(rec.Timeline.Created.Add(rec.Timeline.Duration / 20)) {
			return "JOB_STATE_PENDING"
		}
		return "JOB_STATE_QUEUED"
	case core.PhaseInProgress, core.PhaseFinalizing:
		return "JOB_STATE_RUNNING"
	case core.PhaseCancelling:
		return "JOB_STATE_CANCELLING"
	case core.PhaseCancelled:
		return "JOB_STATE_CANCELLED"
	case core.PhaseFailed:
		return "JOB_STATE_FAILED"
	case core.PhaseExpired:
		return "JOB_STATE_EXPIRED"
	}
	return "JOB_STATE_SUCCEEDED"
}

// outputDir is the folder a job writes its predictions to under the
// output prefix: prediction-model-<creation time> (the folder Vertex AI
// names outputInfo.gcsOutputDirectory; its name pattern is UNCONFIRMED).
func (rec *jobRecord) outputDir() string {
	return strings.TrimSuffix(rec.Output, "/") + "/prediction-model-" + rec.Timeline.Created.Format("2006-01-02T15:04:05.000000Z")
}

// view is the job now; a job that has ended has its output written.
func (c *Control) view(ctx context.Context, rec *jobRecord) (jobView, error) {
	now := c.host.Clock()
	p := rec.Timeline.At(now)
	v := jobView{
		Name: rec.name(), DisplayName: rec.DisplayName, Model: rec.Model, State: rec.state(p, now), Labels: rec.Labels,
		InputConfig:  map[string]any{"instancesFormat": "jsonl", "gcsSource": map[string]any{"uris": []string{rec.Input}}},
		OutputConfig: map[string]any{"predictionsFormat": "jsonl", "gcsDestination": map[string]string{"outputUriPrefix": rec.Output}},
		CreateTime:   stamp(rec.Timeline.Created), UpdateTime: stamp(now),
	}
	if !p.InProgressAt.IsZero() {
		v.StartTime = stamp(p.InProgressAt)
	}
	if p.Phase == core.PhaseFailed {
		v.Error = &rpcStatus{Code: 3, Message: rec.Failure}
	}
	if !p.Phase.Terminal() {
		return v, nil
	}
	v.EndTime = stamp(p.EndedAt)
	if p.Phase == core.PhaseFailed {
		return v, nil
	}
	t, err := c.writeOutput(ctx, rec, p)
	if err != nil {
		return v, err
	}
	incomplete := int64(rec.Timeline.Requests) - t.Succeeded - t.Failed
	v.CompletionStats = &completionStats{Successful: strconv.FormatInt(t.Succeeded, 10), Failed: strconv.FormatInt(t.Failed, 10), Incomplete: strconv.FormatInt(incomplete, 10)}
	v.OutputInfo = &outputInfo{GCSOutputDirectory: rec.outputDir()}
	return v, nil
}

// writeOutput writes predictions.jsonl into the job's output folder, once,
// and returns the tally of what it holds: a line per request that ran,
// the input line's members (request, and any other such as key) with
// status "" and the response, or the error's text as status and no
// response; processed_time is when it ran. Shape: "Retrieve batch
// output" of batch-prediction-from-cloud-storage; the text of a failed
// line's status is UNCONFIRMED (the emulator writes "<code> <STATUS>:
// <message>").
func (c *Control) writeOutput(ctx context.Context, rec *jobRecord, p core.Progress) (core.Tally, error) {
	var t core.Tally
	lines, err := c.inputLines(rec)
	if err != nil {
		return t, err
	}
	bucket, dir, err := splitGS(rec.outputDir())
	if err != nil {
		return t, err
	}
	write := func(w io.Writer) error {
		for i, l := range lines {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.Phase == core.PhaseCancelled && i >= p.Executed {
				break
			}
			run := rec.run(l, i)
			if run.Outcome == core.OutcomeDropped || run.Outcome == core.OutcomeExpired {
				continue
			}
			t.Add(run.Outcome, run.InputTokens, run.OutputTokens)
			if err := core.EncodeJSON(w, predictionLine(l, run, p.EndedAt)); err != nil {
				return err
			}
		}
		return nil
	}
	name := dir + "/predictions.jsonl"
	if _, err := c.objects.stat(bucket, name); err == nil {
		// written already: count again without writing
		return t, write(io.Discard)
	}
	return t, c.objects.put(bucket, name, write)
}

// predictionLine is the output line of input line l.
func predictionLine(l map[string]json.RawMessage, run lineRun, at time.Time) map[string]any {
	out := make(map[string]any, len(l)+3)
	for k, v := range l {
		out[k] = v
	}
	out["processed_time"] = stamp(at)
	out["status"] = run.status
	if run.Outcome == core.OutcomeSucceeded {
		out["response"] = run.response
	}
	return out
}
