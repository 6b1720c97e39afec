package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
)

const (
	maxBatchRequests = 50000
	// maxLineErrors bounds the validation errors reported for one batch.
	maxLineErrors = 100
)

// plan is what reading a batch's input found.
type plan struct {
	requests int
	model    string
	errors   []lineError
	expiring bool
	total    tally
	seen     map[string]bool // custom ids so far
}

// addError records a validation error of line (0: of the whole file).
func (p *plan) addError(e *lineError, line int) {
	if len(p.errors) >= maxLineErrors {
		return
	}
	if line > 0 {
		e.Line = &line
	}
	p.errors = append(p.errors, *e)
}

// check validates one line against the file's other lines.
func (p *plan) check(in inputLine) *lineError {
	if p.seen[in.customID] {
		return newLineError("duplicate_custom_id", "custom_id",
			"The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.")
	}
	p.seen[in.customID] = true
	if p.model == "" {
		p.model = in.model
	}
	if in.model != p.model {
		return newLineError("model_mismatch", "body.model",
			"The model '%s' of this request differs from the model '%s' of the batch's first request. A batch can only use one model.", in.model, p.model)
	}
	return nil
}

// planBatch validates a batch's input and runs each request (without
// rendering its answer), writing the running tallies to tallyPath. Requests
// of an input with errors are not run.
func planBatch(ctx context.Context, input io.Reader, endpoint, tallyPath string) (*plan, error) {
	p := &plan{seen: make(map[string]bool)}
	err := writeAtomic(tallyPath, func(w io.Writer) error {
		tw := &tallyWriter{w: w}
		err := forEachLine(ctx, input, func(lineNo int, raw []byte) error {
			p.requests++
			in, lerr := parseInputLine(raw, endpoint)
			if lerr == nil {
				lerr = p.check(in)
			}
			if lerr != nil {
				p.addError(lerr, lineNo)
			}
			if len(p.errors) > 0 {
				return nil
			}
			ex := execute(endpoint, in.body)
			p.expiring = p.expiring || ex.outcome == outcomeExpired
			return tw.add(ex.outcome, ex.inputTokens, ex.outputTokens)
		})
		p.total = tw.total
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case p.requests == 0:
		p.addError(newLineError("empty_file", "", "The batch input file is empty."), 0)
	case p.requests > maxBatchRequests:
		p.addError(newLineError("too_many_tasks", "",
			"The batch input file has %d requests; a batch can have at most %d.", p.requests, maxBatchRequests), 0)
	}
	if len(p.errors) > 0 {
		p.total = tally{}
	}
	return p, nil
}

// writeResults writes the output and error files of a batch that ended in
// state p, unless that was done already. Every process that does it writes
// the same bytes, each file through a rename, so concurrent writers are
// harmless.
func (o *openaiAPI) writeResults(ctx context.Context, rec *batchRecord, p progress) error {
	marker := o.batchPath(rec.ID, batchResultsExt)
	if done, err := fileExists(marker); err != nil || done {
		return err
	}
	in, err := os.Open(o.batchPath(rec.ID, batchInputExt))
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := o.newResultFile(rec, rec.OutputFileID, "_output.jsonl", p)
	if err != nil {
		return err
	}
	defer out.abort()
	errs, err := o.newResultFile(rec, rec.ErrorFileID, "_error.jsonl", p)
	if err != nil {
		return err
	}
	defer errs.abort()

	reported := rec.Timeline.Requests
	if p.phase == phaseCancelled {
		reported = p.executed
	}
	i := 0
	err = forEachLine(ctx, in, func(lineNo int, raw []byte) error {
		if i == reported {
			return errStopLines
		}
		line, lerr := parseInputLine(raw, rec.Endpoint)
		if lerr != nil {
			return fmt.Errorf("batch %s: input line %d is no longer valid: %s", rec.ID, lineNo, lerr.Message)
		}
		ol, failed, ok := rec.resultLine(i, line, p.phase == phaseExpired)
		i++
		switch {
		case !ok:
			return nil
		case failed:
			return errs.add(ol)
		}
		return out.add(ol)
	})
	if err != nil {
		return err
	}
	if err := out.commit(); err != nil {
		return err
	}
	if err := errs.commit(); err != nil {
		return err
	}
	return writeAtomic(marker, func(io.Writer) error { return nil })
}

// resultLine returns the line reporting request i of the batch, whether it
// goes to the error file, and false if the request is not reported.
func (rec *batchRecord) resultLine(i int, in inputLine, expired bool) (ol outputLine, failed, ok bool) {
	ex := execute(rec.Endpoint, in.body)
	ol = outputLine{ID: derivedID("batch_req_", rec.ID, i), CustomID: in.customID}
	requestID := derivedID("req_", rec.ID, i)
	switch ex.outcome {
	case outcomeDropped:
		return ol, false, false
	case outcomeExpired:
		ol.Error = &requestFailed{
			Code:    "batch_expired",
			Message: "This request could not be executed before the completion window expired.",
		}
		return ol, true, expired
	case outcomeSucceeded:
		meta := answerMeta{seed: rec.ID, index: i, created: rec.Timeline.executedAt(i).Unix()}
		ol.Response = &lineResponse{StatusCode: ex.status, RequestID: requestID, Body: ex.request.answer(meta)}
		return ol, false, true
	}
	if ex.failure != nil {
		ol.Error = ex.failure
	} else {
		ol.Response = &lineResponse{StatusCode: ex.status, RequestID: requestID, Body: errorBody{Error: ex.errBody}}
	}
	return ol, true, true
}

// resultFile is an output or error file being written.
type resultFile struct {
	o       *openaiAPI
	content *atomicFile
	record  fileRecord
}

// newResultFile starts the result file id of a batch that ended in state p.
func (o *openaiAPI) newResultFile(rec *batchRecord, id, suffix string, p progress) (*resultFile, error) {
	content, err := createAtomic(o.contentPath(id))
	if err != nil {
		return nil, err
	}
	return &resultFile{o: o, content: content, record: fileRecord{
		ID:       id,
		Purpose:  purposeOutput,
		Filename: rec.ID + suffix,
		Created:  p.endedAt,
		Expires:  p.endedAt.Add(rec.OutputExpiry),
	}}, nil
}

func (f *resultFile) add(line outputLine) error {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, line); err != nil {
		return err
	}
	f.record.Bytes += int64(buf.Len())
	_, err := f.content.Write(buf.Bytes())
	return err
}

// commit stores the file if it has any line, and drops it otherwise.
func (f *resultFile) commit() error {
	if f.record.Bytes == 0 {
		f.content.abort()
		return nil
	}
	if err := f.content.commit(); err != nil {
		return err
	}
	return writeJSONFile(f.o.filePath(f.record.ID), &f.record)
}

func (f *resultFile) abort() { f.content.abort() }
