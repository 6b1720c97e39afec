package mistral

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// maxJobErrors bounds the validation errors reported for one job.
const maxJobErrors = 100

// plan is what reading a job's requests found.
type plan struct {
	requests int
	errors   []jobError
	expiring bool
	total    core.Tally
	seen     map[string]bool // custom ids so far
}

// addError records a validation error.
func (p *plan) addError(format string, args ...any) {
	if len(p.errors) < maxJobErrors {
		p.errors = append(p.errors, jobError{Message: fmt.Sprintf(format, args...), Count: 1})
	}
}

// parseLine checks one request line, returning its custom_id and body.
func (p *plan) parseLine(lineNo int, raw []byte) (string, json.RawMessage, bool) {
	var in inputLine
	switch {
	case json.Unmarshal(raw, &in) != nil:
		p.addError("Line %d is not a JSON object", lineNo)
	case in.CustomID == nil || *in.CustomID == "":
		p.addError("Line %d has no custom_id", lineNo)
	case len(in.Body) == 0 || in.Body[0] != '{':
		p.addError("Line %d: body must be an object", lineNo)
	case p.seen[*in.CustomID]:
		p.addError("Line %d: custom_id '%s' is used by another request", lineNo, *in.CustomID)
	default:
		p.seen[*in.CustomID] = true
		return *in.CustomID, in.Body, true
	}
	return "", nil, false
}

// planJob validates a job's requests and runs each (without rendering its
// answer), writing the running tallies to tallyPath. The requests of a
// job with errors are not run.
func planJob(ctx context.Context, input io.Reader, rec *jobRecord, tallyPath string) (*plan, error) {
	p := &plan{seen: make(map[string]bool)}
	err := core.WriteAtomic(tallyPath, func(w io.Writer) error {
		tw := &core.TallyWriter{W: w}
		err := core.ForEachLine(ctx, input, func(lineNo int, raw []byte) error {
			p.requests++
			_, body, ok := p.parseLine(lineNo, raw)
			if !ok || len(p.errors) > 0 {
				return nil
			}
			ex := execute(rec.Endpoint, rec.Model, body)
			p.expiring = p.expiring || ex.outcome == core.OutcomeExpired
			return tw.Add(ex.outcome, ex.inputTokens, ex.outputTokens)
		})
		p.total = tw.Total
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case p.requests == 0:
		p.addError("The batch has no requests")
	case p.requests > maxRequests:
		p.addError("The batch has %d requests; a batch can have at most %d", p.requests, maxRequests)
	}
	if len(p.errors) > 0 {
		p.total = core.Tally{}
	}
	return p, nil
}

// outputLine is a line of an output or error file: OpenAI's batch output
// shape, which Mistral's follows (see the package documentation).
type outputLine struct {
	ID       string        `json:"id"`
	CustomID string        `json:"custom_id"`
	Response *lineResponse `json:"response"`
	Error    *lineError    `json:"error"`
}

type lineResponse struct {
	StatusCode int `json:"status_code"`
	Body       any `json:"body"`
}

// lineError is the error of a request that got no answer.
type lineError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
}

// writeResults writes the output and error files of a job that ended in
// state p, unless that was done already. Every process that does it writes
// the same bytes, each file through a rename, so concurrent writers are
// harmless.
func (a *API) writeResults(ctx context.Context, rec *jobRecord, p core.Progress) error {
	marker := a.jobPath(rec.ID, jobResultsExt)
	if done, err := core.FileExists(marker); err != nil || done {
		return err
	}
	in, err := os.Open(a.jobPath(rec.ID, jobInputExt))
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := a.newResultFile(rec.OutputFile, rec, "batch_result", p)
	if err != nil {
		return err
	}
	defer out.abort()
	errs, err := a.newResultFile(rec.ErrorFile, rec, "batch_error", p)
	if err != nil {
		return err
	}
	defer errs.abort()
	reported := rec.Timeline.Requests
	if p.Phase == core.PhaseCancelled {
		reported = p.Executed
	}
	pl := &plan{seen: make(map[string]bool)}
	i := 0
	err = core.ForEachLine(ctx, in, func(lineNo int, raw []byte) error {
		if i == reported {
			return core.ErrStopLines
		}
		customID, body, ok := pl.parseLine(lineNo, raw)
		if !ok {
			return fmt.Errorf("job %s: request line %d is no longer valid", rec.ID, lineNo)
		}
		ol, failed, report := rec.resultLine(i, customID, body, p.Phase == core.PhaseExpired)
		i++
		switch {
		case !report:
			return nil
		case failed:
			return errs.add(ol)
		}
		return out.add(ol)
	})
	if err == nil {
		err = out.commit()
	}
	if err == nil {
		err = errs.commit()
	}
	if err != nil {
		return err
	}
	return core.WriteAtomic(marker, func(io.Writer) error { return nil })
}

// resultLine returns the line reporting request i of the job, whether it
// goes to the error file, and false if the request is not reported.
func (rec *jobRecord) resultLine(i int, customID string, body json.RawMessage, expired bool) (ol outputLine, failed, report bool) {
	ex := execute(rec.Endpoint, rec.Model, body)
	ol = outputLine{ID: core.DerivedID("batch-req-", rec.ID, i), CustomID: customID}
	switch ex.outcome {
	case core.OutcomeDropped:
		return ol, false, false
	case core.OutcomeExpired:
		ol.Error = &lineError{Code: "batch_expired", Message: "This request was not run before the job's timeout."}
		return ol, true, expired
	case core.OutcomeSucceeded:
		meta := core.AnswerMeta{Seed: rec.ID, Index: i, Created: rec.Timeline.ExecutedAt(i).Unix()}
		ol.Response = &lineResponse{StatusCode: ex.status, Body: ex.request.answer(meta)}
		return ol, false, true
	}
	if ex.failure != nil {
		ol.Error = ex.failure
	} else {
		ol.Response = &lineResponse{StatusCode: ex.status, Body: errorf(ex.status, "%s", ex.message).(*httpError).body}
	}
	return ol, true, true
}

// resultFile is an output or error file being written.
type resultFile struct {
	a       *API
	content *core.ContentFile
	record  fileRecord
}

// newResultFile starts the result file id of a job that ended in state p.
func (a *API) newResultFile(id string, rec *jobRecord, sampleType string, p core.Progress) (*resultFile, error) {
	content, err := core.CreateContent(a.contentPath(id))
	if err != nil {
		return nil, err
	}
	return &resultFile{a: a, content: content, record: fileRecord{
		ID: id, Purpose: purposeBatch, Filename: rec.ID + "_" + sampleType + ".jsonl", SampleType: sampleType, Created: p.EndedAt,
	}}, nil
}

func (f *resultFile) add(line outputLine) error { return f.content.Add(line) }

// commit stores the file if it has any line, and drops it otherwise.
func (f *resultFile) commit() error {
	f.record.Bytes, f.record.Lines = f.content.Bytes, f.content.Lines
	return f.content.Commit(f.a.filePath(f.record.ID), &f.record)
}

func (f *resultFile) abort() { f.content.Abort() }
