package jobs

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/all"
	"github.com/batchctl/batchctl/internal/schemacheck"
	"github.com/batchctl/batchctl/internal/store"
)

// Spec is what the user asked to submit.
type Spec struct {
	File     string // path as given, "-" for stdin (for messages and the registry)
	Input    io.Reader
	Profile  *config.Profile
	Model    string // "" takes the model of the input
	Name     string
	Metadata map[string]string
	// MaxRequests and MaxBytes bound one provider batch; 0 takes the profile's.
	MaxRequests int
	MaxBytes    int64
	// Parent is the job this one retries, "" for none.
	Parent string
	// Defaults fill what input lines leave unset (from flags); Defaults.Model
	// is set from Model.
	Defaults jsonl.Defaults
	// TextInput reads each line as one prompt in plain text.
	TextInput bool
	// CompletionWindow is the window the job's batches are created with,
	// recorded with the job so that finishing an interrupted create uses it.
	CompletionWindow string
	// Schema is a JSON Schema (create --schema) for the answers of the
	// requests that ask for none, applied in the target's terms.
	Schema []byte
	// EnqueuedTokens is the job's own enqueued budget (create
	// --enqueued-tokens), in the provider's unit; 0 takes the profile's.
	EnqueuedTokens int64
	// Priority orders the submission queue: higher first (create
	// --priority).
	Priority int
	// Schemas are what the requests of the retried job asked for (a
	// retry): a request whose converted line no longer shows its schema
	// (one asked for in a tool, or in words) keeps the one it had.
	Schemas *schemacheck.Set
	// CheckOnly makes Prepare check, convert and count the input without
	// writing anything (a dry run that reads no part back).
	CheckOnly bool
	// CachePrime is the ttl ("5m", "1h") of the cache_control mark
	// create --cache-prime puts on the prefix the requests share, ""
	// without it (see primeParts).
	CachePrime string
}

// TargetOf is the wire format a profile's batches take.
func TargetOf(p *config.Profile) jsonl.Target { return all.Target(p.Type) }

// Plan is a validated input, converted and split into parts on disk.
type Plan struct {
	JobID    string
	Provider string
	Model    string
	Endpoint string
	Requests int
	Bytes    int64
	SHA256   string // of the converted input; "" for a plan only checked (Spec.CheckOnly)
	Parts    []PlanPart
	// Primer is set when part 1 is a cache primer: one request sent
	// alone, the other parts queued until it has ended.
	Primer bool
	// PrimeNote says what --cache-prime did, or why it did nothing.
	PrimeNote string
	// CachePrefix is the tokens (approximately) of the prefix that
	// --cache-prime marked cacheable, 0 where it marked none; CacheTTL is
	// the mark's ttl.
	CachePrefix int64
	CacheTTL    string
	// QueueUnit is what the parts' Tokens count when an enqueued budget
	// split the job: tokens, or requests (Anthropic); "" otherwise.
	QueueUnit string
}

// PlanPart is one future provider batch.
type PlanPart struct {
	Requests int
	Bytes    int64
	// Tokens is what the part counts against its provider's enqueued
	// budget, when one applied at create (see LineUnits); 0 otherwise.
	Tokens int64
	// InputFileID is an input the provider already has; the part then has
	// no local input, and its request count is the provider's (see
	// Job.countedRequests).
	InputFileID string
}

// PrepareRemote plans a job from an input file the provider already has
// (create --input-file-id): one part, nothing to validate or upload here.
func (m *Manager) PrepareRemote(jobID string, spec Spec, fileID string, kind jsonl.Kind) (*Plan, error) {
	switch TargetOf(spec.Profile) {
	case jsonl.TargetAnthropic:
		return nil, fmt.Errorf("provider %q takes its requests inline; it has no uploaded files to start a batch from", spec.Profile.Name)
	case jsonl.TargetXAI:
		return nil, fmt.Errorf("provider %q: batches from an uploaded file are not supported (xAI does not document the file's line format); pass the requests with -f", spec.Profile.Name)
	}
	// OpenAI's lines carry their model; Gemini names it when the batch is made.
	if spec.Model == "" && TargetOf(spec.Profile) == jsonl.TargetGemini {
		return nil, fmt.Errorf("an input file id for %q needs --model: the provider asks for it when the batch is made", spec.Profile.Name)
	}
	if err := m.mkdirJob(jobID); err != nil {
		return nil, fmt.Errorf("creating the job directory: %w", err)
	}
	return &Plan{
		JobID:    jobID,
		Provider: spec.Profile.Name,
		Model:    spec.Model,
		Endpoint: jsonl.EndpointOf(TargetOf(spec.Profile), kind),
		SHA256:   "file:" + fileID,
		Parts:    []PlanPart{{InputFileID: fileID}},
	}, nil
}

// Prepare validates the whole input before anything is sent and writes the
// parts' inputs under the job's directory (nothing with spec.CheckOnly).
// On any problem it removes what it wrote and returns a *jsonl.ValidationError (or an I/O error). A line may
// be as long as one batch may be large, and takes memory in proportion;
// reading stops at the first byte that shows a line cannot be valid, and
// when ctx is done, even in the middle of a read from a pipe or terminal.
func (m *Manager) Prepare(ctx context.Context, jobID string, spec Spec) (plan *Plan, err error) {
	defer lowerGCPercent()()
	dir := ""
	if !spec.CheckOnly {
		dir = m.Config.JobDir(jobID)
		if err := m.mkdirJob(jobID); err != nil {
			return nil, fmt.Errorf("creating the job directory: %w", err)
		}
	}
	w := &partWriter{m: m, jobID: jobID, sum: sha256.New(), discard: spec.CheckOnly}
	defer func() {
		if err != nil {
			w.abort()
			if dir != "" {
				os.RemoveAll(dir)
			}
		}
	}()
	maxReq, maxBytes := spec.MaxRequests, spec.MaxBytes
	if maxReq <= 0 {
		maxReq = spec.Profile.MaxRequests
	}
	if maxBytes <= 0 {
		maxBytes = spec.Profile.MaxBytes
	}
	name := spec.File
	if name == "-" {
		name = "<stdin>"
	}

	defaults := spec.Defaults
	defaults.Model = spec.Model
	opts := jsonl.ConvertOptions{
		Target: TargetOf(spec.Profile), Defaults: defaults, TextInput: spec.TextInput, MaxLineBytes: maxBytes,
		Schema: spec.Schema,
	}
	// An input that can be read again (a file) lets the converter keep 6
	// bytes per request id rather than 12 (see jsonl.ConvertOptions.Reread).
	// Counting the lines of a regular file first, a fast read, lets the
	// converter make its id table once at its full size (see
	// jsonl.ConvertOptions.Lines); a device such as /dev/zero can be
	// seeked but never ends.
	if rs, ok := spec.Input.(io.ReadSeeker); ok {
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			opts.Reread = func() (io.Reader, error) {
				if _, err := rs.Seek(start, io.SeekStart); err != nil {
					return nil, err
				}
				return newCtxReader(ctx, rs), nil
			}
		}
		if f, ok := spec.Input.(interface{ Stat() (os.FileInfo, error) }); ok && opts.Reread != nil {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				if opts.Lines, err = countLines(ctx, rs); err != nil {
					return nil, fmt.Errorf("reading %s: %w", name, err)
				}
			}
		}
	}
	conv := jsonl.NewConverter(name, opts)
	schemas := schemacheck.NewRecorder(dir)
	defer schemas.Abort()
	var schemaProblems []jsonl.Problem
	badSchemas := 0
	q := newQueueSplit(spec, name)
	err = conv.ConvertFrom(newCtxReader(ctx, spec.Input), func(line int, out []byte, id string) error {
		if err := recordSchema(schemas, conv, spec.Schemas, id); err != nil {
			if badSchemas++; len(schemaProblems) < jsonl.MaxProblems {
				schemaProblems = append(schemaProblems, jsonl.Problem{File: name, Line: line, Field: "schema", Reason: err.Error()})
			}
		}
		size := int64(len(out)) + 1
		units, err := q.units(out, line)
		if err != nil {
			return err
		}
		if w.cur == nil || w.cur.Requests >= maxReq || w.cur.Bytes+size > maxBytes || q.full(w.cur.Tokens, units) {
			if err := w.next(); err != nil {
				return err
			}
		}
		if err := w.write(out); err != nil {
			return err
		}
		w.cur.Tokens += units
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum, verr := conv.Finish()
	if verr != nil {
		return nil, verr
	}
	if len(schemaProblems) > 0 {
		return nil, &jsonl.ValidationError{Total: badSchemas, Problems: schemaProblems}
	}
	if err := schemas.Finish(); err != nil {
		return nil, fmt.Errorf("recording the job's schemas: %w", err)
	}
	if spec.Model != "" && sum.Model != "" && sum.Model != spec.Model {
		return nil, &jsonl.ValidationError{Total: 1, Problems: []jsonl.Problem{{
			File: name, Line: 1, Field: "model",
			Reason: fmt.Sprintf("the requests use model %q but %q was asked for (pass --model %s/%s, or --provider %s to take the input's model)",
				sum.Model, spec.Model, spec.Profile.Name, sum.Model, spec.Profile.Name),
		}}}
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	plan = &Plan{
		JobID:    jobID,
		Provider: spec.Profile.Name,
		Model:    sum.Model,
		Endpoint: sum.Endpoint,
		Requests: sum.Requests,
		Parts:    w.parts,
	}
	if !spec.CheckOnly {
		plan.SHA256 = hex.EncodeToString(w.sum.Sum(nil))
	}
	if q != nil {
		plan.QueueUnit = config.BudgetUnit(spec.Profile.Type)
	}
	for _, p := range w.parts {
		plan.Bytes += p.Bytes
	}
	if spec.CachePrime != "" && TargetOf(spec.Profile) == jsonl.TargetAnthropic {
		if err := m.primeParts(plan, spec, maxReq, maxBytes); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// prepareGCPercent is the collector's target (GOGC) while Prepare runs,
// unless GOGC asks for a lower one or a memory limit paces the collector
// (estimate sets one). What stays live is mostly the table of request ids
// (see jsonl.ConvertOptions.Reread), which holds no pointers, so a
// collection costs little; the default, a collection when the heap
// doubles, let the garbage (each line's id, the table's smaller copies)
// take as much again: 1M short requests peaked at 58 MiB RSS with it,
// 49 MiB with 10 (34 MiB for 10k requests), for about 0.05 s more CPU.
// Under estimate's memory limit, changing GOGC at all, even to 100 and
// back, raised estimate's peak on a 2 MB input from 62.5-64 MiB to
// 65.6-78 MiB.
const prepareGCPercent = 10

// countLines counts the lines of rs from where it is, and leaves it there.
func countLines(ctx context.Context, rs io.ReadSeeker) (int, error) {
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	n, err := jsonl.CountLines(newCtxReader(ctx, rs))
	if _, serr := rs.Seek(start, io.SeekStart); err == nil {
		err = serr
	}
	return n, err
}

// lowerGCPercent sets the collector's target to prepareGCPercent, unless
// it is lower already or a memory limit is set, and returns what puts it
// back. The target is the process's: Prepares that run at once share one
// lowering, undone by the last of them.
func lowerGCPercent() (restore func()) {
	gcLowering.Lock()
	defer gcLowering.Unlock()
	if gcLowering.n++; gcLowering.n == 1 {
		gcLowering.lowered = false
		if debug.SetMemoryLimit(-1) == math.MaxInt64 { // no limit
			gcLowering.prev = debug.SetGCPercent(prepareGCPercent)
			gcLowering.lowered = true
			if gcLowering.prev < prepareGCPercent { // lower, or off (-1)
				debug.SetGCPercent(gcLowering.prev)
				gcLowering.lowered = false
			}
		}
	}
	return func() {
		gcLowering.Lock()
		defer gcLowering.Unlock()
		if gcLowering.n--; gcLowering.n == 0 && gcLowering.lowered {
			debug.SetGCPercent(gcLowering.prev)
		}
	}
}

// gcLowering counts the Prepares running, and keeps the target they
// lowered.
var gcLowering struct {
	sync.Mutex
	n       int
	lowered bool
	prev    int
}

// recordSchema records the schema the request conv converted last (id)
// asks its answer to follow, or the one it asked for in the job it
// retries (inherited) when its line shows none.
func recordSchema(rec *schemacheck.Recorder, conv *jsonl.Converter, inherited *schemacheck.Set, id string) error {
	schema, native := conv.OutputSchema(), conv.OutputNative()
	if schema == nil {
		schema, native = inherited.Raw(id)
	}
	return rec.Add(id, schema, native)
}

func newCtxReader(ctx context.Context, r io.Reader) *ctxReader {
	return &ctxReader{ctx: ctx, r: r, done: make(chan readResult, 1)}
}

// ctxReader reads r until ctx is done. Each read runs in a goroutine, so
// that one blocked on a silent pipe or terminal cannot hold create past
// Ctrl-C; it reads into a buffer of its own, which is left to that
// goroutine when ctx ends first.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	buf  []byte
	done chan readResult // buffered, so that an abandoned read can finish
}

type readResult struct {
	n   int
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if len(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	go func() {
		n, err := c.r.Read(buf)
		c.done <- readResult{n, err}
	}()
	select {
	case <-c.ctx.Done():
		c.buf = nil
		return 0, c.ctx.Err()
	case res := <-c.done:
		return copy(p, buf[:res.n]), res.err
	}
}

// Discard removes a prepared plan's files (dry runs).
func (m *Manager) Discard(plan *Plan) error {
	if plan.SHA256 == "" { // only checked: it wrote nothing
		return nil
	}
	return os.RemoveAll(m.Config.JobDir(plan.JobID))
}

// partWriter writes the converted input, starting a new part file when the
// current one is full.
type partWriter struct {
	m     *Manager
	jobID string
	sum   hash.Hash
	f     *os.File
	bw    *bufio.Writer
	cur   *PlanPart
	parts []PlanPart
	// discard counts the parts without writing or hashing them.
	discard bool
}

func (w *partWriter) next() error {
	if err := w.closeCurrent(); err != nil {
		return err
	}
	w.parts = append(w.parts, PlanPart{})
	w.cur = &w.parts[len(w.parts)-1]
	if w.discard {
		return nil
	}
	f, err := os.OpenFile(w.m.InputPath(w.jobID, len(w.parts)), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("writing the job's input copy: %w", err)
	}
	// The sum takes what the buffer writes out, in large pieces rather
	// than line by line; one buffer serves every part.
	out := io.MultiWriter(f, w.sum)
	if w.bw == nil {
		w.bw = bufio.NewWriterSize(out, 256<<10)
	} else {
		w.bw.Reset(out)
	}
	w.f = f
	return nil
}

func (w *partWriter) write(line []byte) error {
	w.cur.Requests++
	w.cur.Bytes += int64(len(line)) + 1
	if w.discard {
		return nil
	}
	if _, err := w.bw.Write(line); err != nil {
		return fmt.Errorf("writing the job's input copy: %w", err)
	}
	if err := w.bw.WriteByte('\n'); err != nil {
		return fmt.Errorf("writing the job's input copy: %w", err)
	}
	return nil
}

func (w *partWriter) closeCurrent() error {
	if w.f == nil {
		return nil
	}
	err := w.bw.Flush()
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		return fmt.Errorf("writing the job's input copy: %w", err)
	}
	return nil
}

func (w *partWriter) finish() error { return w.closeCurrent() }

func (w *partWriter) abort() {
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}

// Record writes the job to the registry before anything is sent, so a job
// always exists locally for every batch batchctl creates.
func (m *Manager) Record(ctx context.Context, plan *Plan, spec Spec, fingerprint string) (*Job, error) {
	sj := m.newStoreJob(plan, spec, fingerprint)
	if err := m.reg.CreateJob(ctx, sj); err != nil {
		return nil, fmt.Errorf("recording job %s: %w", plan.JobID, err)
	}
	return &Job{Job: sj, Registered: true, fresh: true}, nil
}

// SubmitError says a part could not be submitted.
type SubmitError struct {
	Job         string
	Part, Parts int
	Err         error
}

func (e *SubmitError) Error() string {
	if e.Parts == 1 {
		return fmt.Sprintf("submitting job %s: %v", e.Job, e.Err)
	}
	return fmt.Sprintf("submitting part %d of %d of job %s: %v", e.Part, e.Parts, e.Job, e.Err)
}

func (e *SubmitError) Unwrap() error { return e.Err }

// Forget removes a job from the registry and deletes its files, shared
// ones too.
func (m *Manager) Forget(ctx context.Context, id string) error {
	if err := m.reg.Delete(ctx, id); err != nil {
		return err
	}
	if err := os.RemoveAll(m.Config.JobDir(id)); err != nil {
		return err
	}
	if m.Files == nil {
		return nil
	}
	return m.Files.Remove(ctx, id)
}

// Fingerprint identifies what a job submits: the converted input, where it
// goes, every option that changes the batches, and the job's name (a
// nightly-2026-12-06 job is not last night's). Two creates with the same
// fingerprint would make the same job.
func Fingerprint(plan *Plan, spec Spec, window string) string {
	h := sha256.New()
	fmt.Fprintf(h, "input %s\nprovider %s\nmodel %s\nendpoint %s\nwindow %s\nmax %d %d\nname %q\n",
		plan.SHA256, plan.Provider, plan.Model, plan.Endpoint, window, spec.MaxRequests, spec.MaxBytes, spec.Name)
	keys := make([]string, 0, len(spec.Metadata))
	for k := range spec.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "metadata %q=%q\n", k, spec.Metadata[k])
	}
	if spec.Profile != nil && spec.Profile.Direct() {
		fmt.Fprintf(h, "mode direct\n") // the same requests sent another way are another job
	}
	if len(spec.Schema) > 0 {
		fmt.Fprintf(h, "schema %x\n", sha256.Sum256(spec.Schema)) // the answers are held to it
	}
	if plan.Primer {
		fmt.Fprintf(h, "cache primer\n") // the same requests in other batches
	}
	if spec.EnqueuedTokens > 0 {
		fmt.Fprintf(h, "enqueued %d\n", spec.EnqueuedTokens) // another budget splits the job otherwise
	}
	if spec.Parent != "" {
		fmt.Fprintf(h, "retry of %s\n", spec.Parent) // the same requests retried for another job are other work
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DuplicateWindow is how far back create looks for a job with the same
// fingerprint to reuse.
const DuplicateWindow = 24 * time.Hour

// RemoteInput reports whether a part's input was already at the provider
// (create --input-file-id), so batchctl holds no copy of its requests.
func RemoteInput(p store.Part) bool { return p.Bytes == 0 && p.InputFileID != "" }

// Submitted reports whether some part of the job has a provider batch.
func (j *Job) Submitted() bool {
	for _, p := range j.Parts {
		if p.BatchID != "" {
			return true
		}
	}
	return false
}

// ToSubmit reports whether a part has no provider batch and is still to be
// submitted: not yet tried, or queued (not cancelled).
func ToSubmit(p store.Part) bool {
	return p.BatchID == "" && (p.Status == "" || p.Status == string(providers.StatusQueued))
}

// Unsubmitted reports whether some part of the job has no provider batch
// and is still to be submitted (it was not cancelled first).
func (j *Job) Unsubmitted() bool {
	for _, p := range j.Parts {
		if ToSubmit(p) {
			return true
		}
	}
	return false
}
