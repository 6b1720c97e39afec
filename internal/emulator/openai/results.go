package openai

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

const (
	MaxBatchRequests = 50000
	// maxLineErrors bounds the validation errors reported for one batch.
	maxLineErrors = 100
)

// plan is what reading a batch's input found.
type plan struct {
	requests int
	model    string
	errors   []lineError
	expiring bool
	total    core.Tally
	seen     map[string]bool // custom ids so far
	// queue counts what the valid requests hold in the batch queue.
	queue *core.QueueTally
	// cache reads the prompt cache; nil reads nothing.
	cache *cacheLookup
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
	// One map access: the id is new when adding it grows the set.
	n := len(p.seen)
	if p.seen[in.customID] = true; len(p.seen) == n {
		return newLineError("duplicate_custom_id", "custom_id",
			"The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.")
	}
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
func planBatch(ctx context.Context, input io.Reader, endpoint, tallyPath string, queue *core.QueueTally, cache *cacheLookup) (*plan, error) {
	p := &plan{seen: make(map[string]bool), queue: queue, cache: cache}
	err := core.WriteAtomic(tallyPath, func(w io.Writer) error {
		tw := &core.TallyWriter{W: w}
		var reuse chatRequest // each line's request, kept by nothing past its line
		err := core.ForEachLineView(ctx, input, func(lineNo int, raw []byte) error {
			p.requests++
			in, lerr := parseInputLine(raw, endpoint, &reuse)
			if lerr == nil {
				lerr = p.check(in)
			}
			if lerr != nil {
				p.addError(lerr, lineNo)
			}
			if len(p.errors) > 0 {
				return nil
			}
			if err := p.queue.Add(raw); err != nil {
				return err
			}
			ex := executeLine(endpoint, in)
			if p.cache != nil {
				p.cache.read(&ex)
			}
			p.expiring = p.expiring || ex.outcome == core.OutcomeExpired
			return tw.AddCached(ex.outcome, ex.inputTokens, ex.outputTokens, ex.cachedTokens)
		})
		p.total = tw.Total
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case p.requests == 0:
		p.addError(newLineError("empty_file", "", "The batch input file is empty."), 0)
	case p.requests > MaxBatchRequests:
		p.addError(newLineError("too_many_tasks", "",
			"The batch input file has %d requests; a batch can have at most %d.", p.requests, MaxBatchRequests), 0)
	}
	if len(p.errors) > 0 {
		p.total = core.Tally{}
	}
	return p, nil
}

// writeResults writes the output and error files of a batch that ended in
// state p, unless that was done already. Every process that does it writes
// the same bytes, each file through a rename, so concurrent writers are
// harmless.
func (o *API) writeResults(ctx context.Context, rec *batchRecord, p core.Progress) error {
	marker := o.batchPath(rec.ID, batchResultsExt)
	if done, err := core.FileExists(marker); err != nil || done {
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
	if p.Phase == core.PhaseCancelled {
		reported = p.Executed
	}
	i, hits := 0, core.HitSet(rec.CacheHits)
	var reuse chatRequest // each line's request, kept by nothing past its line
	err = core.ForEachLineView(ctx, in, func(lineNo int, raw []byte) error {
		if i == reported {
			return core.ErrStopLines
		}
		line, lerr := parseInputLine(raw, rec.Endpoint, &reuse)
		if lerr != nil {
			return fmt.Errorf("batch %s: input line %d is no longer valid: %s", rec.ID, lineNo, lerr.Message)
		}
		ex := executeLine(rec.Endpoint, line)
		ex.readCache(hits)
		if err := o.record(&ex, p.EndedAt); err != nil {
			return err
		}
		ol, failed, ok := ex.resultLine(rec.ID, i, rec.Timeline.ExecutedAt(i), line.customID, p.Phase == core.PhaseExpired)
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
	return core.WriteAtomic(marker, func(io.Writer) error { return nil })
}

// resultLine returns the line reporting a request run as ex, request i
// of batch batchID, run at executedAt, whether it goes to the error file,
// and false if it is not reported: dropped, or to expire when the batch
// did not (expired false).
func (ex execution) resultLine(batchID string, i int, executedAt time.Time, customID string, expired bool) (ol outputLine, failed, ok bool) {
	ol = outputLine{ID: core.DerivedID("batch_req_", batchID, i), CustomID: customID}
	requestID := core.DerivedID("req_", batchID, i)
	switch ex.outcome {
	case core.OutcomeDropped:
		return ol, false, false
	case core.OutcomeExpired:
		ol.Error = &requestFailed{
			Code:    "batch_expired",
			Message: "This request could not be executed before the completion window expired.",
		}
		return ol, true, expired
	}
	if ex.failure != nil {
		ol.Error = ex.failure
		return ol, true, true
	}
	meta := core.AnswerMeta{Seed: batchID, Index: i, Created: executedAt.Unix()}
	status, body := ex.answer(meta)
	ol.Response = &lineResponse{StatusCode: status, RequestID: requestID, Body: body}
	return ol, ex.outcome != core.OutcomeSucceeded, true
}

// resultFile is an output or error file being written.
type resultFile struct {
	o       *API
	content *core.ContentFile
	record  fileRecord
	buf     []byte // the line being written, kept from line to line
}

// newResultFile starts the result file id of a batch that ended in state p.
func (o *API) newResultFile(rec *batchRecord, id, suffix string, p core.Progress) (*resultFile, error) {
	content, err := core.CreateContent(o.contentPath(id))
	if err != nil {
		return nil, err
	}
	return &resultFile{o: o, content: content, record: fileRecord{
		ID:       id,
		Purpose:  purposeOutput,
		Filename: rec.ID + suffix,
		Created:  p.EndedAt,
		Expires:  p.EndedAt.Add(rec.OutputExpiry),
	}}, nil
}

func (f *resultFile) add(line outputLine) error {
	var ok bool
	if f.buf, ok = appendOutputLine(f.buf[:0], &line); ok {
		return f.content.AddEncoded(f.buf)
	}
	return f.content.Add(line)
}

// commit stores the file if it has any line, and drops it otherwise.
func (f *resultFile) commit() error {
	f.record.Bytes = f.content.Bytes
	return f.content.Commit(f.o.filePath(f.record.ID), &f.record)
}

func (f *resultFile) abort() { f.content.Abort() }
