package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Control serves the Bedrock batch inference control plane under
// /bedrock/. Wire shapes: the SDK's REST-JSON serializers and
// deserializers (aws-sdk-go-v2/service/bedrock v1.63.0, serializers.go
// and deserializers.go: POST /model-invocation-job, GET
// /model-invocation-job/{jobIdentifier}, GET /model-invocation-jobs, POST
// /model-invocation-job/{jobIdentifier}/stop; timestamps as RFC 3339
// date-times; errors typed by the X-Amzn-ErrorType header).
type Control struct {
	host    *core.Host
	objects *objects
	jobs    string
}

// ControlPrefix is the path the control plane is served under.
const ControlPrefix = "/bedrock"

// Account and Region make the emulated ARNs.
const (
	Account = "123456789012"
	Region  = "us-east-1"
)

// NewControl opens the control plane with its state under dir/aws/bedrock.
func NewControl(host *core.Host, dir string) (core.Protocol, error) {
	o, err := openObjects(dir)
	if err != nil {
		return nil, err
	}
	c := &Control{host: host, objects: o, jobs: filepath.Join(dir, "aws", "bedrock")}
	return c, os.MkdirAll(c.jobs, 0o700)
}

// Register adds the control plane routes.
func (c *Control) Register(mux *http.ServeMux) {
	d := c.host.Door(c)
	d.Handle(mux, "POST "+ControlPrefix+"/model-invocation-job", core.OpCreate, c.create)
	d.Handle(mux, "GET "+ControlPrefix+"/model-invocation-job/{id}", core.OpGet, c.get)
	d.Handle(mux, "POST "+ControlPrefix+"/model-invocation-job/{id}/stop", core.OpCancel, c.stop)
	d.Handle(mux, "GET "+ControlPrefix+"/model-invocation-jobs", core.OpList, c.list)
}

// RequestIDHeader implements core.Protocol.
func (c *Control) RequestIDHeader() string { return "X-Amzn-Requestid" }

// Authenticate implements core.Protocol: a SigV4 signature over the body.
func (c *Control) Authenticate(r *http.Request, _ func(string) bool) error {
	body, err := readBody(r)
	if err != nil {
		return &apiErr{http.StatusBadRequest, "ValidationException", err.Error()}
	}
	if _, err := verify(r, body); err != nil {
		var se *sigError
		if errors.As(err, &se) {
			code := "UnrecognizedClientException"
			if se.code == "SignatureDoesNotMatch" {
				code = "InvalidSignatureException"
			}
			return &apiErr{http.StatusForbidden, code, se.message}
		}
		return err
	}
	return nil
}

// apiErr is a control plane error: X-Amzn-ErrorType names it, the body
// is {"message":...}.
type apiErr struct {
	status        int
	code, message string
}

func (e *apiErr) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

// WriteError implements core.Protocol.
func (c *Control) WriteError(w http.ResponseWriter, err error) {
	var e *apiErr
	if !errors.As(err, &e) {
		e = &apiErr{http.StatusInternalServerError, "InternalServerException", core.Failure(err)}
	}
	w.Header().Set("X-Amzn-ErrorType", e.code)
	core.WriteJSON(w, e.status, map[string]string{"message": e.message})
}

// WriteFault implements core.Protocol: ThrottlingException for 429,
// InternalServerException or ServiceUnavailableException for 5xx.
func (c *Control) WriteFault(w http.ResponseWriter, f core.Fault) {
	// Bedrock documents no Retry-After (UNCONFIRMED whether it sends
	// one); the emulator names a wait of one second, as its other
	// protocols do, unless the fault is bare.
	if f.Status == http.StatusTooManyRequests && !f.Bare {
		w.Header().Set("Retry-After", "1")
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		c.WriteError(w, &apiErr{f.Status, "ThrottlingException", "Too many requests, please wait before trying again. (emulated server fault)"})
	case f.Status == http.StatusServiceUnavailable:
		c.WriteError(w, &apiErr{f.Status, "ServiceUnavailableException", "Service unavailable. (emulated server fault)"})
	default:
		c.WriteError(w, &apiErr{f.Status, "InternalServerException", "Internal server error. (emulated server fault)"})
	}
}

// jobRecord is a job as stored.
type jobRecord struct {
	ID, Name, Model, Role, Token string
	Input, Output                string // s3:// URIs
	Timeline                     core.Timeline
	Total                        core.Tally
	Message                      string
}

func (c *Control) path(id string) string { return filepath.Join(c.jobs, id+".json") }

func (c *Control) load(id string) (*jobRecord, error) {
	var rec jobRecord
	if err := core.ReadJSONFile(c.path(id), &rec); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &apiErr{http.StatusNotFound, "ResourceNotFoundException", "The specified resource ARN was not found. Check the ARN and try your request again."}
		}
		return nil, err
	}
	return &rec, nil
}

// jobID takes the id from a jobIdentifier, an id or a job ARN.
func jobID(ident string) string {
	if i := strings.LastIndexByte(ident, '/'); i >= 0 {
		return ident[i+1:]
	}
	return ident
}

func (rec *jobRecord) arn() string {
	return "arn:aws:bedrock:" + Region + ":" + Account + ":model-invocation-job/" + rec.ID
}

// createBody is a CreateModelInvocationJob body.
type createBody struct {
	JobName            string `json:"jobName"`
	RoleArn            string `json:"roleArn"`
	ModelID            string `json:"modelId"`
	InvocationType     string `json:"modelInvocationType"`
	ClientRequestToken string `json:"clientRequestToken"`
	InputDataConfig    struct {
		S3InputDataConfig *struct {
			S3URI         string `json:"s3Uri"`
			S3InputFormat string `json:"s3InputFormat"`
		} `json:"s3InputDataConfig"`
	} `json:"inputDataConfig"`
	OutputDataConfig struct {
		S3OutputDataConfig *struct {
			S3URI string `json:"s3Uri"`
		} `json:"s3OutputDataConfig"`
	} `json:"outputDataConfig"`
}

func validation(format string, args ...any) error {
	return &apiErr{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

// create is CreateModelInvocationJob: the input is read and its records
// run now; a request token seen before gives the job it made.
func (c *Control) create(w http.ResponseWriter, r *http.Request) error {
	var b createBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		return validation("malformed body: %v", err)
	}
	switch {
	case b.JobName == "" || b.RoleArn == "" || b.ModelID == "":
		return validation("jobName, roleArn and modelId are required")
	case b.InputDataConfig.S3InputDataConfig == nil || b.OutputDataConfig.S3OutputDataConfig == nil:
		return validation("inputDataConfig.s3InputDataConfig and outputDataConfig.s3OutputDataConfig are required")
	case b.InvocationType != "" && b.InvocationType != "InvokeModel":
		// the emulator runs InvokeModel bodies only
		return validation("modelInvocationType %q is not supported by the emulator (want InvokeModel)", b.InvocationType)
	}
	all, err := c.all()
	if err != nil {
		return err
	}
	for _, old := range all {
		if b.ClientRequestToken != "" && old.Token == b.ClientRequestToken {
			core.WriteJSON(w, http.StatusOK, map[string]string{"jobArn": old.arn()})
			return nil
		}
		if old.Name == b.JobName {
			return &apiErr{http.StatusBadRequest, "ValidationException", "A job with the name " + b.JobName + " already exists."}
		}
	}
	rec := &jobRecord{
		ID: strings.ToLower(core.NewID("")[:12]), Name: b.JobName, Model: b.ModelID, Role: b.RoleArn, Token: b.ClientRequestToken,
		Input: b.InputDataConfig.S3InputDataConfig.S3URI, Output: b.OutputDataConfig.S3OutputDataConfig.S3URI,
		Timeline: core.Timeline{Created: c.host.Clock(), Duration: c.host.Duration(), Valid: true},
	}
	records, err := c.records(rec)
	if err != nil {
		return err
	}
	// Bedrock refuses jobs below a minimum record count (100 for most
	// models); batchctl refuses them before sending, and the emulator
	// takes any count so that tests run small jobs. An empty input fails
	// the job.
	rec.Timeline.Requests = len(records)
	if len(records) == 0 {
		rec.Timeline.Valid = false
		rec.Message = "The input file has no records."
	}
	for i, rr := range records {
		run := runRecord(rr.ModelInput, rec.Model, rec.ID, i)
		rec.Total.Add(run.Outcome, run.InputTokens, run.OutputTokens)
		rec.Timeline.Expiring = rec.Timeline.Expiring || run.Outcome == core.OutcomeExpired
	}
	if err := core.WriteJSONFile(c.path(rec.ID), rec); err != nil {
		return err
	}
	// the answer is dated by the emulator's clock, the job's submitTime
	w.Header().Set("Date", rec.Timeline.Created.Format(http.TimeFormat))
	core.WriteJSON(w, http.StatusOK, map[string]string{"jobArn": rec.arn()})
	return nil
}

// inputRecord is one line of a job's input.
type inputRecord struct {
	RecordID   string          `json:"recordId"`
	ModelInput json.RawMessage `json:"modelInput"`
}

// records reads a job's input from the emulated bucket.
func (c *Control) records(rec *jobRecord) ([]inputRecord, error) {
	bucket, key, ok := splitS3(rec.Input)
	if !ok {
		return nil, validation("inputDataConfig.s3InputDataConfig.s3Uri %q is not an s3:// URI", rec.Input)
	}
	data, err := c.objects.read(bucket, key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, validation("The provided S3 URI %s does not exist.", rec.Input)
	} else if err != nil {
		return nil, err
	}
	var out []inputRecord
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r inputRecord
		if err := json.Unmarshal(line, &r); err != nil || r.ModelInput == nil {
			return nil, validation("input line %d is not a {recordId, modelInput} record", i+1)
		}
		out = append(out, r)
	}
	return out, nil
}

// splitS3 splits s3://bucket/key.
func splitS3(uri string) (bucket, key string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key, bucket != ""
}

func (c *Control) get(w http.ResponseWriter, r *http.Request) error {
	rec, err := c.load(jobID(r.PathValue("id")))
	if err != nil {
		return err
	}
	v, err := c.view(r.Context(), rec)
	if err != nil {
		return err
	}
	core.WriteJSON(w, http.StatusOK, v)
	return nil
}

// stop is StopModelInvocationJob: a running job starts stopping; a job
// that has ended cannot be stopped.
func (c *Control) stop(w http.ResponseWriter, r *http.Request) error {
	rec, err := c.load(jobID(r.PathValue("id")))
	if err != nil {
		return err
	}
	now := c.host.Clock()
	if rec.Timeline.At(now).Phase.Terminal() {
		return validation("The job %s has already ended and cannot be stopped.", rec.arn())
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

// list is ListModelInvocationJobs, newest first (oldest first for
// sortOrder=Ascending), maxResults (1 to 1000, 1000 when absent) jobs a
// page, nextToken the offset of the next page (an opaque token to the
// client; API reference, ListModelInvocationJobs).
func (c *Control) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	size, from, err := pageOf(q.Get("maxResults"), q.Get("nextToken"))
	if err != nil {
		return err
	}
	all, err := c.all()
	if err != nil {
		return err
	}
	if q.Get("sortOrder") == "Ascending" {
		slices.Reverse(all)
	}
	out := struct {
		InvocationJobSummaries []jobView `json:"invocationJobSummaries"`
		NextToken              string    `json:"nextToken,omitempty"`
	}{InvocationJobSummaries: []jobView{}}
	from = min(from, len(all))
	to := min(from+size, len(all))
	for _, rec := range all[from:to] {
		v, err := c.view(r.Context(), rec)
		if err != nil {
			return err
		}
		out.InvocationJobSummaries = append(out.InvocationJobSummaries, v)
	}
	if to < len(all) {
		out.NextToken = strconv.Itoa(to)
	}
	core.WriteJSON(w, http.StatusOK, out)
	return nil
}

// pageOf reads maxResults and nextToken: the page size and the offset of
// the page.
func pageOf(maxResults, token string) (size, from int, err error) {
	size = 1000
	if maxResults != "" {
		if size, err = strconv.Atoi(maxResults); err != nil || size < 1 || size > 1000 {
			return 0, 0, validation("maxResults %q must be 1 to 1000", maxResults)
		}
	}
	if token != "" {
		if from, err = strconv.Atoi(token); err != nil || from < 0 {
			return 0, 0, validation("nextToken %q is not a token this service gave", token)
		}
	}
	return size, from, nil
}

// all loads every job, newest first.
func (c *Control) all() ([]*jobRecord, error) {
	return core.LoadAll(c.jobs, c.load, func(err error) bool {
		var e *apiErr
		return errors.As(err, &e) && e.status == http.StatusNotFound
	}, func(rec *jobRecord) (time.Time, string) { return rec.Timeline.Created, rec.ID })
}

// jobView is a job as GetModelInvocationJob and the summaries of
// ListModelInvocationJobs show it.
type jobView struct {
	JobArn             string  `json:"jobArn"`
	JobName            string  `json:"jobName"`
	ModelID            string  `json:"modelId"`
	RoleArn            string  `json:"roleArn"`
	Status             string  `json:"status"`
	Message            string  `json:"message,omitempty"`
	SubmitTime         string  `json:"submitTime"`
	LastModifiedTime   string  `json:"lastModifiedTime"`
	EndTime            *string `json:"endTime,omitempty"`
	JobExpirationTime  string  `json:"jobExpirationTime"`
	ClientRequestToken string  `json:"clientRequestToken,omitempty"`
	InputDataConfig    any     `json:"inputDataConfig"`
	OutputDataConfig   any     `json:"outputDataConfig"`
	TotalRecordCount   *int64  `json:"totalRecordCount,omitempty"`
	ProcessedRecord    *int64  `json:"processedRecordCount,omitempty"`
	SuccessRecordCount *int64  `json:"successRecordCount,omitempty"`
	ErrorRecordCount   *int64  `json:"errorRecordCount,omitempty"`
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// status is the job status of a phase at now: a validating job is
// Submitted for its first half, a running one Scheduled until its first
// record runs, a completed job with failed records PartiallyCompleted.
func (rec *jobRecord) status(p core.Progress, now time.Time) string {
	tl := rec.Timeline
	switch p.Phase {
	case core.PhaseValidating:
		if now.Before(tl.Created.Add(tl.Duration / 20)) {
			return "Submitted"
		}
		return "Validating"
	case core.PhaseInProgress:
		if p.Executed == 0 {
			return "Scheduled"
		}
		return "InProgress"
	case core.PhaseFinalizing:
		return "InProgress"
	case core.PhaseCancelling:
		return "Stopping"
	case core.PhaseCancelled:
		return "Stopped"
	case core.PhaseFailed:
		return "Failed"
	case core.PhaseExpired:
		return "Expired"
	}
	if rec.Total.Failed > 0 {
		return "PartiallyCompleted"
	}
	return "Completed"
}

// view is the job now; a job that has ended has its output written.
func (c *Control) view(ctx context.Context, rec *jobRecord) (jobView, error) {
	now := c.host.Clock()
	p := rec.Timeline.At(now)
	v := jobView{
		JobArn: rec.arn(), JobName: rec.Name, ModelID: rec.Model, RoleArn: rec.Role, Status: rec.status(p, now),
		SubmitTime: stamp(rec.Timeline.Created), LastModifiedTime: stamp(now), ClientRequestToken: rec.Token,
		JobExpirationTime: stamp(rec.Timeline.Created.Add(24 * time.Hour)),
		InputDataConfig:   map[string]any{"s3InputDataConfig": map[string]string{"s3Uri": rec.Input, "s3InputFormat": "JSONL"}},
		OutputDataConfig:  map[string]any{"s3OutputDataConfig": map[string]string{"s3Uri": rec.Output}},
	}
	if p.Phase == core.PhaseFailed {
		v.Message = rec.Message
	}
	if !p.Phase.Terminal() {
		return v, nil
	}
	end := stamp(p.EndedAt)
	v.EndTime = &end
	if p.Phase == core.PhaseFailed {
		return v, nil
	}
	m, err := c.writeOutput(ctx, rec, p)
	if err != nil {
		return v, err
	}
	v.TotalRecordCount, v.ProcessedRecord, v.SuccessRecordCount, v.ErrorRecordCount = &m.Total, &m.Processed, &m.Success, &m.Error
	return v, nil
}

// manifest is manifest.json.out (batch-inference-results.html; key names
// UNCONFIRMED beyond that page).
type manifest struct {
	Total        int64 `json:"totalRecordCount"`
	Processed    int64 `json:"processedRecordCount"`
	Success      int64 `json:"successRecordCount"`
	Error        int64 `json:"errorRecordCount"`
	InputTokens  int64 `json:"inputTokenCount"`
	OutputTokens int64 `json:"outputTokenCount"`
}

// writeOutput writes the records' output and the manifest under
// <output>/<job id>/, once: <input file name>.out holds a line per record
// run, {"recordId","modelInput","modelOutput"} or, for a record that
// failed, {"recordId","modelInput","error":{"errorCode","errorMessage"}}.
func (c *Control) writeOutput(ctx context.Context, rec *jobRecord, p core.Progress) (manifest, error) {
	bucket, prefix, _ := splitS3(rec.Output)
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	dir := prefix + rec.ID + "/"
	var m manifest
	manifestKey := dir + "manifest.json.out"
	if data, err := c.objects.read(bucket, manifestKey); err == nil {
		return m, json.Unmarshal(data, &m)
	}
	records, err := c.records(rec)
	if err != nil {
		return m, err
	}
	m.Total = int64(len(records))
	_, inKey, _ := splitS3(rec.Input)
	outKey := dir + filepath.Base(inKey) + ".out"
	err = c.objects.put(bucket, outKey, func(w io.Writer) error {
		for i, rr := range records {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.Phase == core.PhaseCancelled && i >= p.Executed {
				break
			}
			run := runRecord(rr.ModelInput, rec.Model, rec.ID, i)
			line := map[string]any{"recordId": rr.RecordID, "modelInput": rr.ModelInput}
			switch run.Outcome {
			case core.OutcomeDropped, core.OutcomeExpired:
				continue
			case core.OutcomeFailed:
				line["error"] = map[string]any{"errorCode": run.Status, "errorMessage": run.ErrorMessage}
				m.Error++
			default:
				line["modelOutput"] = modelOutput(familyOf(rec.Model), run)
				m.Success++
				m.InputTokens += run.InputTokens
				m.OutputTokens += run.OutputTokens
			}
			m.Processed++
			if err := core.EncodeJSON(w, line); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return m, err
	}
	return m, c.objects.put(bucket, manifestKey, func(w io.Writer) error { return core.EncodeJSON(w, m) })
}
