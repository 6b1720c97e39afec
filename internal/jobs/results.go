package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/jsonscan"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/schemacheck"
	"github.com/batchctl/batchctl/internal/store"
)

// Tally counts the results of a job by outcome.
type Tally map[providers.ResultStatus]int

// Total is the number of results counted.
func (t Tally) Total() int {
	n := 0
	for _, c := range t {
		n += c
	}
	return n
}

// NotSucceeded is the number of results that did not succeed.
func (t Tally) NotSucceeded() int { return t.Total() - t[providers.ResultSucceeded] }

// NotFinishedError says results were asked of a job still running.
type NotFinishedError struct {
	Job    string
	Status string
}

func (e *NotFinishedError) Error() string {
	return fmt.Sprintf("job %s is still %s; results come when it ends", e.Job, e.Status)
}

// downloadBuffer is the size of the writes of a download to its file.
const downloadBuffer = 256 << 10

// Download fetches the provider's result files of every finished part that
// has none locally yet. Each is written to a temporary file and renamed into
// place only when complete, so a local copy is always whole.
func (m *Manager) Download(ctx context.Context, j *Job) error {
	if !j.Registered {
		return nil
	}
	if err := m.fetchJobDir(ctx, j); err != nil {
		return err
	}
	for i, part := range j.Parts {
		if part.BatchID == "" || !providers.Status(part.Status).Terminal() {
			continue
		}
		dst := m.RawResultsPath(j.ID, part.Index)
		var usage *providers.Usage
		if _, err := os.Stat(dst); err == nil {
			if part.UsageKnown {
				continue
			}
			// Results kept by a version that did not sum their usage.
			if usage, err = m.keptUsage(j, part, dst); err != nil {
				return fmt.Errorf("reading the kept results of batch %s: %w", part.BatchID, err)
			}
		} else if usage, err = m.downloadPart(ctx, j, part, dst); err != nil {
			return fmt.Errorf("downloading results of batch %s: %w", part.BatchID, err)
		}
		if part.UsageKnown || usage == nil {
			continue
		}
		// The provider did not report the batch's usage (Anthropic,
		// Gemini): its results, which carry token counts, are summed once.
		part.Usage, part.UsageKnown = *usage, true
		m.priceFinal(j, &part)
		if err := m.reg.SavePart(ctx, j.ID, part); err != nil {
			return fmt.Errorf("recording the usage of batch %s: %w", part.BatchID, err)
		}
		j.Parts[i] = part
		j.Status, j.Counts, j.Usage, _ = store.Aggregate(j.Parts)
	}
	return nil
}

// downloadPart downloads a part's results to dst and returns the usage
// they report, summed; nil when another process downloaded them first.
func (m *Manager) downloadPart(ctx context.Context, j *Job, part store.Part, dst string) (usage *providers.Usage, err error) {
	// One process downloads a part at a time; the others wait for its file.
	lock, err := m.locker.Wait(ctx, jobLockName(j.ID, "download-"+strconv.Itoa(part.Index)), 0)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	if _, err := os.Stat(dst); err == nil {
		return nil, nil
	}
	p, err := m.providerOf(j)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	b := batchOf(part)
	submitted, err := m.submittedIDs(j, part)
	if err != nil {
		return nil, err
	}
	var returned, lines int
	var sum providers.Usage
	// A provider's body comes in reads of a few KiB (a line each from the
	// emulator): written as they come, the write calls cost more than
	// the check of every line.
	buf := bufio.NewWriterSize(f, downloadBuffer)
	var out io.Writer = buf
	if prog := m.startProgress("downloading results of "+part.BatchID, -1); prog != nil {
		defer prog.Done()
		out = &countingWriter{Writer: buf, p: prog}
	}
	err = m.Retry.Do(ctx, "download results of batch "+part.BatchID, func() error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := f.Truncate(0); err != nil {
			return err
		}
		buf.Reset(f)
		if err := p.Download(ctx, b, bound(out, part)); err != nil {
			return err
		}
		if err := buf.Flush(); err != nil {
			return err
		}
		returned, lines, sum, err = checkRaw(f, p, submitted, !part.UsageKnown)
		return err
	})
	if err != nil {
		return nil, err
	}
	oneEach := submitted != nil && !submitted.repeats && lines == submitted.len() && returned == lines
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	count := m.returnedPath(j.ID, part.Index)
	if err := os.WriteFile(count, []byte(strconv.Itoa(returned)+"\n"), 0o600); err != nil {
		return nil, err
	}
	// Shared before the rename that keeps them here, so that results kept
	// here are always shared: after a failed share nothing is kept, and the
	// next Download tries again.
	if err := m.share(ctx, j.ID, filepath.Base(count), count); err != nil {
		return nil, err
	}
	if err := m.share(ctx, j.ID, filepath.Base(dst), f.Name()); err != nil {
		return nil, err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return nil, err
	}
	if oneEach {
		m.mu.Lock()
		if m.oneEach == nil {
			m.oneEach = map[string]bool{}
		}
		m.oneEach[dst] = true
		m.mu.Unlock()
	}
	return &sum, nil
}

// hasOneEach reports whether this Manager downloaded the result file path
// and found one line in it for each submitted request and no other line.
func (m *Manager) hasOneEach(path string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.oneEach[path]
}

// submittedIDs returns the ids of a part's requests, none seen yet; nil
// when they are not known here.
func (m *Manager) submittedIDs(j *Job, part store.Part) (*idIndex, error) {
	if !j.Registered || RemoteInput(part) {
		return nil, nil
	}
	ids := newIDIndex(part.Requests)
	err := m.eachSubmittedID(j.ID, part.Index, func(id string) error {
		ids.add([]byte(id))
		return nil
	})
	return ids, err
}

// keptUsage sums the usage of a part's results kept at path.
func (m *Manager) keptUsage(j *Job, part store.Part, path string) (*providers.Usage, error) {
	p, err := m.providerOf(j)
	if err != nil {
		return nil, err
	}
	submitted, err := m.submittedIDs(j, part)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, _, usage, err := checkRaw(f, p, submitted, true)
	if err != nil {
		return nil, err
	}
	return &usage, nil
}

// bound checks what a provider sends for part as it is written to w: a
// line longer than the per-line bound, or more than the part's requests
// can return, ends the download with a *ResultsTooLargeError. A batch not
// in the registry has the requests its provider counts.
func bound(w io.Writer, part store.Part) io.Writer {
	requests := part.Requests
	if requests <= 0 {
		requests = part.Counts.Total
	}
	requests = max(requests, 1)
	return &boundedLines{w: w, maxLine: MaxResultLine, maxTotal: maxResults(requests), requests: requests}
}

// checkRaw reads a downloaded file back and checks that every line is a
// whole result: valid JSON with the id of a result. A torn line (a body
// cut short) is reported as io.ErrUnexpectedEOF, so the download is
// repeated. It returns how many requests got a result: distinct ids, of
// those in submitted when the submitted ids are known (not nil); and how
// many lines it holds. With usage, every line is normalized and the usage
// the results report is returned, summed; without, a line whose id
// resultID finds is only validated (the results pass normalizes it).
func checkRaw(f *os.File, p providers.Provider, submitted *idIndex, usage bool) (results, lines int, sum providers.Usage, err error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, 0, sum, err
	}
	taken := newTaker(submitted)
	// Nothing of a result outlives its line here: one that aliases the
	// line spares a copy of each response.
	normalize := aliasingNormalizer(p)
	var s jsonscan.Scanner
	rd := newResultReader(f)
	for {
		line, err := nextResult(rd)
		if errors.Is(err, io.EOF) {
			return results, lines, sum, nil
		}
		if err != nil {
			return results, lines, sum, err
		}
		lines++
		id, ok := "", false
		if !usage {
			id, ok = resultID(&s, line)
		}
		var res providers.Result
		if !ok {
			// The provider's normalizer decides, and says what is wrong.
			if res, err = normalize(line); err != nil {
				return results, lines, sum, fmt.Errorf("downloaded line %d is not a whole result (%v): %w", rd.Line(), err, io.ErrUnexpectedEOF)
			}
			id = res.CustomID
		}
		if taken.take(id) == lineTaken {
			results++
			sum.Add(res.Usage)
		}
	}
}

// resultID validates a result line as one JSON object and returns the id
// its provider's normalizer reads from it: its "custom_id" (OpenAI and
// the providers of its format, Anthropic), or its "key" or metadata's
// "key" (Gemini), the last one when repeated, as the normalizers read
// them. ok is false for a line that is not valid JSON, has no id or an
// empty one, or has ids of both kinds: its provider's normalizer decides.
func resultID(s *jsonscan.Scanner, line []byte) (id string, ok bool) {
	var customID, key *string
	str := func(dst **string) error {
		v, err := s.OptionalStr()
		*dst = v
		return err
	}
	s.Reset(line)
	err := s.Object(func(name []byte) error {
		switch string(name) {
		case "custom_id":
			return str(&customID)
		case "key":
			return str(&key)
		case "metadata":
			if s.Peek() != '{' {
				return s.Skip()
			}
			return s.Object(func(name []byte) error {
				if string(name) == "key" {
					return str(&key)
				}
				return s.Skip()
			})
		}
		return s.Skip()
	})
	if err != nil || s.End() != nil || (customID == nil) == (key == nil) {
		return "", false
	}
	if customID != nil {
		id = *customID
	} else {
		id = *key
	}
	return id, id != ""
}

// A taker decides which result lines of a part stand: the first for each
// id, of the ids submitted when they are known.
type taker struct {
	ids   *idIndex
	known bool
	// unknown and repeated count the lines left out, for reportIDs.
	unknown, repeated int
}

// newTaker starts the decisions for a part whose submitted ids are
// submitted, nil when they are not known here. A repeated check starts
// anew.
func newTaker(submitted *idIndex) *taker {
	if submitted == nil {
		return &taker{ids: newIDIndex(0)}
	}
	clear(submitted.seen)
	return &taker{ids: submitted, known: true}
}

// What a taker decides of a line.
const (
	lineTaken    = iota
	lineUnknown  // not a request of this part: never a line of its own
	lineRepeated // the first line for an id stands
)

func (t *taker) take(id string) int {
	if !t.known {
		if _, added := t.ids.add([]byte(id)); !added {
			t.repeated++
			return lineRepeated
		}
		return lineTaken
	}
	i, ok := t.ids.findString(id)
	switch {
	case !ok:
		t.unknown++
		return lineUnknown
	case t.ids.seen[i]:
		t.repeated++
		return lineRepeated
	}
	t.ids.seen[i] = true
	return lineTaken
}

// returnedPath records how many results a part's download held.
func (m *Manager) returnedPath(jobID string, index int) string {
	return m.RawResultsPath(jobID, index) + ".count"
}

// Missing is how many requests of the job the provider returned no result
// for, known once the results are all downloaded (ok false before). The
// requests of a batch that expired, was cancelled or failed take that
// outcome in the results (see unreturned) and are not missing.
func (m *Manager) Missing(j *Job) (n int, ok bool) {
	if !j.Registered || !j.Terminal() {
		return 0, false
	}
	for _, part := range j.Parts {
		if part.BatchID == "" || RemoteInput(part) {
			return 0, false
		}
		b, err := os.ReadFile(m.returnedPath(j.ID, part.Index))
		if err != nil {
			return 0, false
		}
		c, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, false
		}
		if unreturned("", part).Status == providers.ResultMissing {
			n += max(part.Requests-c, 0)
		}
	}
	return n, true
}

// batchOf rebuilds what Download needs of a provider batch from a part.
func batchOf(part store.Part) *providers.Batch {
	return &providers.Batch{
		ID:           part.BatchID,
		Status:       providers.Status(part.Status),
		OutputFileID: part.OutputFileID,
		ErrorFileID:  part.ErrorFileID,
	}
}

// Raw writes the provider's own result lines of every part to w.
func (m *Manager) Raw(ctx context.Context, j *Job, w io.Writer) error {
	if !j.Terminal() {
		return &NotFinishedError{Job: j.ID, Status: j.Status}
	}
	if !j.Registered {
		p, err := m.providerOf(j)
		if err != nil {
			return err
		}
		return p.Download(ctx, batchOf(j.Parts[0]), bound(w, j.Parts[0]))
	}
	if err := m.Download(ctx, j); err != nil {
		return err
	}
	for _, part := range j.Parts {
		if err := copyFile(w, m.RawResultsPath(j.ID, part.Index)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a part that never ran has no results file
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// Results calls fn with exactly one normalized result per submitted request
// of a finished job: the provider's lines first, then a line for every
// request the provider returned nothing for (expired, canceled, errored or
// missing, by what happened to its batch). It returns the tally of all
// results, whether or not fn saw them.
func (m *Manager) Results(ctx context.Context, j *Job, fn func(*providers.Result) error) (Tally, error) {
	p, schemas, err := m.resultsOf(ctx, j)
	if err != nil {
		return nil, err
	}
	tally := Tally{}
	for _, part := range j.Parts {
		if err := m.partResults(ctx, p, j, part, schemas, tally, fn); err != nil {
			return tally, err
		}
	}
	return tally, nil
}

// EncodeResults is Results writing encode's output of every result to w,
// the lines of each part normalized by workers goroutines (0 for one per
// CPU) as EncodeFileResults does: the same results in the same order,
// the same lines left out.
func (m *Manager) EncodeResults(ctx context.Context, j *Job, workers int, encode Encoder, w io.Writer) (Encoded, error) {
	p, schemas, err := m.resultsOf(ctx, j)
	if err != nil {
		return Encoded{}, err
	}
	enc := Encoded{Tally: Tally{}}
	for _, part := range j.Parts {
		if err := m.encodePart(ctx, p, j, part, schemas, workers, encode, w, &enc); err != nil {
			return enc, err
		}
	}
	return enc, nil
}

// resultsOf readies the results of a finished job: its provider, its
// result files downloaded, and its schemas.
func (m *Manager) resultsOf(ctx context.Context, j *Job) (providers.Provider, *schemacheck.Set, error) {
	if !j.Terminal() {
		return nil, nil, &NotFinishedError{Job: j.ID, Status: j.Status}
	}
	// A job cancelled before any part was submitted has nothing to read
	// at the provider, which may not even be reachable.
	var p providers.Provider
	if j.Submitted() || !j.Registered {
		var err error
		if p, err = m.providerOf(j); err != nil {
			return nil, nil, err
		}
	}
	if err := m.Download(ctx, j); err != nil {
		return nil, nil, err
	}
	schemas, err := m.Schemas(j)
	if err != nil {
		return nil, nil, err
	}
	return p, schemas, nil
}

// Snapshot is Results for a job that may still be running: the parts that
// ended give their results, and every request of a part still running is
// pending, for the batch APIs report nothing per request before a batch
// ends. The requests of a running part started from a file the provider
// has are not known here: they are left out, with a note. A job that has
// ended gives its results.
func (m *Manager) Snapshot(ctx context.Context, j *Job, fn func(*providers.Result) error) (Tally, error) {
	if j.Terminal() {
		return m.Results(ctx, j, fn)
	}
	if !j.Registered {
		return nil, fmt.Errorf("batch %s is still %s, and its requests are not known here before it ends", j.Parts[0].BatchID, j.Status)
	}
	var p providers.Provider
	if j.Submitted() {
		var err error
		if p, err = m.providerOf(j); err != nil {
			return nil, err
		}
	}
	if err := m.Download(ctx, j); err != nil {
		return nil, err
	}
	schemas, err := m.Schemas(j)
	if err != nil {
		return nil, err
	}
	tally := Tally{}
	for _, part := range j.Parts {
		var err error
		switch {
		case providers.Status(part.Status).Terminal():
			err = m.partResults(ctx, p, j, part, schemas, tally, fn)
		case j.Direct():
			err = m.directPartial(p, j, part, schemas, tally, fn)
		case RemoteInput(part):
			m.note(fmt.Sprintf("batch %s is still %s; its requests are in a provider file and are not known here before it ends", part.BatchID, part.Status))
		default:
			emit := m.emitter(j, part, nil, tally, fn)
			err = m.eachSubmittedID(j.ID, part.Index, func(id string) error {
				return emit(&providers.Result{CustomID: id, Status: providers.ResultPending})
			})
		}
		if err != nil {
			return tally, err
		}
	}
	return tally, nil
}

// Schemas reads the schemas the requests of a job asked their answers to
// follow; nil when they asked for none (or the job is not registered).
func (m *Manager) Schemas(j *Job) (*schemacheck.Set, error) {
	if !j.Registered {
		return nil, nil
	}
	set, err := schemacheck.Load(m.Config.JobDir(j.ID))
	if err != nil {
		return nil, fmt.Errorf("reading the schemas of job %s: %w", j.ID, err)
	}
	return set, nil
}

// emitter returns a function that completes a result of part with what
// its job and batch say, checks its answer against the schema its
// request asked for (schemas, nil for none), counts it in tally and
// passes it to fn.
func (m *Manager) emitter(j *Job, part store.Part, schemas *schemacheck.Set, tally Tally, fn func(*providers.Result) error) func(*providers.Result) error {
	complete := completer(j, part, schemas)
	return func(r *providers.Result) error {
		complete(r)
		tally[r.Status]++
		return fn(r)
	}
}

// completer returns a function that completes a result of part with what
// its job and batch say and checks its answer against the schema its
// request asked for (schemas, nil for none).
func completer(j *Job, part store.Part, schemas *schemacheck.Set) func(*providers.Result) {
	return func(r *providers.Result) {
		r.Job, r.Provider, r.BatchID = j.ID, j.Provider, part.BatchID
		if !j.Registered {
			r.Job = ""
		}
		if r.Model == "" {
			r.Model = j.Model
		}
		r.NormalizeFinish()
		schemas.CheckResult(r)
	}
}

func (m *Manager) partResults(ctx context.Context, p providers.Provider, j *Job, part store.Part, schemas *schemacheck.Set, tally Tally, fn func(*providers.Result) error) error {
	emit := m.emitter(j, part, schemas, tally, fn)
	submitted, err := m.submittedIDs(j, part)
	if err != nil {
		return err
	}
	taken := newTaker(submitted)
	raw, closeRaw, err := m.openRaw(ctx, p, j, part)
	if err != nil {
		return err
	}
	defer closeRaw()
	if raw != nil {
		rd := newResultReader(raw) // a copy kept by a version without the bound
		for {
			line, err := nextResult(rd)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("reading results of batch %s: %w", part.BatchID, err)
			}
			res, err := p.Normalize(line)
			if err != nil {
				return fmt.Errorf("results of batch %s, line %d: %w", part.BatchID, rd.Line(), err)
			}
			if taken.take(res.CustomID) != lineTaken {
				continue
			}
			if err := emit(&res); err != nil {
				return err
			}
		}
	}
	m.reportIDs(part.BatchID, taken.unknown, taken.repeated)
	if submitted == nil {
		return nil // the submitted ids are unknown here
	}
	return emitUnreturned(submitted, part, emit)
}

// encodePart is partResults through the pipeline: the provider's lines
// normalized and encoded on workers goroutines, the lines taken decided
// in order by the writer, then the requests no line was taken for.
func (m *Manager) encodePart(ctx context.Context, p providers.Provider, j *Job, part store.Part, schemas *schemacheck.Set, workers int, encode Encoder, w io.Writer, enc *Encoded) error {
	// A file this Manager just checked to hold one line for each request
	// and no other has every line taken, and no request unreturned: its
	// ids need not be read again.
	oneEach := j.Registered && m.hasOneEach(m.RawResultsPath(j.ID, part.Index))
	var submitted *idIndex
	var taken *taker
	if !oneEach {
		var err error
		if submitted, err = m.submittedIDs(j, part); err != nil {
			return err
		}
		taken = newTaker(submitted)
	}
	raw, closeRaw, err := m.openRaw(ctx, p, j, part)
	if err != nil {
		return err
	}
	defer closeRaw()
	if raw != nil {
		complete := completer(j, part, schemas)
		pl := &pipeline{
			p: p, encode: encode, chunkSize: chunkSize,
			finish: func(r *providers.Result) {
				if schemas != nil {
					r.DecodeText() // the schemas check the text
				}
				complete(r)
			},
			take: func(id string) bool { return taken.take(id) == lineTaken },
			lineError: func(line int, err error) error {
				return fmt.Errorf("results of batch %s, line %d: %w", part.BatchID, line, err)
			},
			readError: func(err error) error { return fmt.Errorf("reading results of batch %s: %w", part.BatchID, err) },
		}
		if oneEach {
			pl.take = nil
		}
		got, err := pl.run(ctx, raw, workers, w)
		for s, n := range got.Tally {
			enc.Tally[s] += n
		}
		enc.Invalid += got.Invalid
		if err != nil {
			return err
		}
	}
	if oneEach {
		return nil
	}
	m.reportIDs(part.BatchID, taken.unknown, taken.repeated)
	if submitted == nil {
		return nil // the submitted ids are unknown here
	}
	// Few requests go unreturned, as a rule: they are encoded here, in
	// writes of a buffer's worth.
	var buf []byte
	err = emitUnreturned(submitted, part, m.emitter(j, part, schemas, enc.Tally, func(r *providers.Result) error {
		var err error
		if buf, err = encode(buf, r); err != nil {
			return err
		}
		if r.Valid != nil && !*r.Valid {
			enc.Invalid++
		}
		if len(buf) >= defaultChunkSize {
			_, err = w.Write(buf)
			buf = buf[:0]
		}
		return err
	}))
	if len(buf) > 0 { // the lines before an error too
		if _, werr := w.Write(buf); err == nil {
			err = werr
		}
	}
	return err
}

// emitUnreturned emits a result for every submitted request no line was
// taken for, in input order.
func emitUnreturned(submitted *idIndex, part store.Part, emit func(*providers.Result) error) error {
	for i := range submitted.len() {
		if submitted.seen[submitted.first(i)] {
			continue
		}
		if err := emit(unreturned(string(submitted.id(i)), part)); err != nil {
			return err
		}
	}
	return nil
}

// reportIDs warns of the result lines of a batch that were not used:
// those for ids that were not submitted, and repeats of an id.
func (m *Manager) reportIDs(batchID string, unknown, repeated int) {
	var what []string
	if unknown > 0 {
		what = append(what, plural(unknown, "result line")+" for ids that were not submitted")
	}
	if repeated > 0 {
		what = append(what, plural(repeated, "repeated result line")+" (the first line for each id was kept)")
	}
	if len(what) > 0 {
		m.warnOnce("ids "+batchID, fmt.Sprintf("batch %s returned %s; they were left out", batchID, strings.Join(what, " and ")))
	}
}

// plural says "1 line", "2 lines".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// openRaw opens a part's provider results: the local copy for a registered
// job, a live download for a batch that is not in the registry.
func (m *Manager) openRaw(ctx context.Context, p providers.Provider, j *Job, part store.Part) (io.Reader, func(), error) {
	if !j.Registered {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(p.Download(ctx, batchOf(part), bound(pw, part))) }()
		return pr, func() { pr.Close() }, nil
	}
	f, err := os.Open(m.RawResultsPath(j.ID, part.Index))
	if errors.Is(err, os.ErrNotExist) {
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// eachSubmittedID calls fn with the id of every request of a part, in
// input order, from the kept copy of the converted input.
func (m *Manager) eachSubmittedID(jobID string, index int, fn func(string) error) error {
	return m.eachSubmitted(jobID, index, func(id string, _ []byte) error { return fn(id) })
}

// eachSubmitted calls fn with the id and line of every request of a part.
// The id is the line's custom_id (OpenAI, Anthropic) or key (Gemini).
func (m *Manager) eachSubmitted(jobID string, index int, fn func(id string, line []byte) error) error {
	f, err := os.Open(m.InputPath(jobID, index))
	if err != nil {
		return fmt.Errorf("reading the submitted requests of job %s: %w", jobID, err)
	}
	defer f.Close()
	rd := jsonl.NewReader(f)
	for {
		line, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		id, err := requestID(line)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", f.Name(), rd.Line(), err)
		}
		if err := fn(id, line); err != nil {
			return err
		}
	}
}

// requestID is a request line's custom_id, or its key (Gemini) or
// recordId (Bedrock) when it has none.
func requestID(line []byte) (string, error) {
	var customID, key string
	s := jsonscan.New(line)
	err := s.Object(func(name []byte) error {
		var err error
		switch string(name) {
		case "custom_id":
			customID, err = s.Str()
		case "key", "recordId":
			key, err = s.Str()
		default:
			err = s.Skip()
		}
		return err
	})
	if customID == "" {
		customID = key
	}
	return customID, err
}

// unreturned is the result of a request the provider returned nothing for,
// named after what happened to its batch.
func unreturned(id string, part store.Part) *providers.Result {
	r := &providers.Result{CustomID: id}
	switch providers.Status(part.Status) {
	case providers.StatusExpired:
		r.Status = providers.ResultExpired
		r.Error = &providers.ResultError{Type: "batch_expired", Message: "the batch expired before this request ran"}
	case providers.StatusCancelled:
		r.Status = providers.ResultCanceled
		r.Error = &providers.ResultError{Type: "batch_cancelled", Message: "the batch was cancelled before this request ran"}
	case providers.StatusFailed:
		r.Status = providers.ResultErrored
		r.Error = &providers.ResultError{Type: "batch_failed", Message: batchFailure(part)}
	default:
		r.Status = providers.ResultMissing
		r.Error = &providers.ResultError{Type: "missing", Message: "the provider returned no result for this request"}
	}
	return r
}

func batchFailure(part store.Part) string {
	if len(part.Errors) == 0 {
		return "the batch failed"
	}
	e := part.Errors[0]
	msg := "the batch failed: " + e.Message
	if e.Line > 0 {
		msg = fmt.Sprintf("the batch failed: line %d: %s", e.Line, e.Message)
	}
	switch more := len(part.Errors) - 1; {
	case more == 1:
		msg += " (and 1 more error)"
	case more > 1:
		msg += fmt.Sprintf(" (and %d more errors)", more)
	}
	return msg
}
