package shared

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/schemacheck"
)

// ResultsOptions choose what results to write and where.
type ResultsOptions struct {
	// Output is a file to write instead of stdout ("" or "-" for stdout).
	Output string
	// Raw writes the provider's own lines instead of normalized ones.
	Raw bool
	// Statuses keeps only results with these outcomes; empty keeps all.
	Statuses []providers.ResultStatus
	// Merged gives one line per request across the job's retry chain,
	// the newest finished outcome of each.
	Merged bool
	// Readable shows the results for a person at a terminal instead of
	// as JSON lines (readableWriter); only for standard output.
	Readable bool
	// Partial gives a snapshot of a job still running: the outcome of
	// each request where it is known, pending otherwise.
	Partial bool
	// Invalid keeps only the results whose answer does not validate
	// (valid false).
	Invalid bool
	// Schema checks the answers against this schema instead of the job's
	// (results --schema).
	Schema *schemacheck.Schema
}

// ParseStatuses checks a --status filter ("errored,expired"). Both
// spellings of canceled are accepted.
func ParseStatuses(values []string) ([]providers.ResultStatus, error) {
	var out []providers.ResultStatus
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "cancelled" { // both spellings are accepted
				s = string(providers.ResultCanceled)
			}
			ok := false
			for _, known := range providers.ResultStatuses {
				if s == string(known) {
					out, ok = append(out, known), true
				}
			}
			if !ok {
				return nil, cmdutil.FlagErrorf("invalid --status %q (want one or more of %s)", s, statusList())
			}
		}
	}
	return out, nil
}

func statusList() string {
	var names []string
	for _, s := range providers.ResultStatuses {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

// WriteResults writes a finished job's results. It returns a
// *cmdutil.PartialError (exit 3) when not every request succeeded, after
// writing them all.
func WriteResults(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job, o ResultsOptions) error {
	if o.Raw {
		out, err := openOutput(ios, o.Output)
		if err != nil {
			return err
		}
		return out.close(m.Raw(ctx, j, out.w))
	}
	var recheck *schemacheck.Set
	if o.Schema != nil {
		schemas, err := m.Schemas(j)
		if err != nil {
			return err
		}
		recheck = schemacheck.Recheck(o.Schema, schemas)
	}
	var tally jobs.Tally
	var err error
	if !o.Readable && !o.Partial && !o.Merged {
		tally, err = encodeNormalized(ios, o, recheck, func(encode jobs.Encoder, w io.Writer) (jobs.Encoded, error) {
			return m.EncodeResults(ctx, j, 0, encode, w)
		})
	} else {
		tally, err = writeJobNormalized(ctx, ios, m, j, o, recheck)
	}
	if err != nil {
		return err
	}
	return resultsOutcome(ios, j, o, tally)
}

// writeJobNormalized writes a job's results one after the other, through
// a resultWriter: on a terminal, and for --partial and --merged.
func writeJobNormalized(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job, o ResultsOptions, recheck *schemacheck.Set) (jobs.Tally, error) {
	return writeNormalized(ios, o, recheck, func(write func(*providers.Result) error) (jobs.Tally, error) {
		if o.Partial {
			return m.Snapshot(ctx, j, write)
		}
		if !o.Merged {
			return m.Results(ctx, j, write)
		}
		tally, running, err := m.MergedResults(ctx, j, write)
		for _, id := range running {
			fmt.Fprintf(ios.ErrOut, "note: job %s of this retry chain has not ended; its requests show their earlier outcome\n", id)
		}
		return tally, err
	})
}

// resultsOutcome says how the requests of j ended, once its results are
// written: a note for a snapshot, a *cmdutil.PartialError (exit 3) when
// not every request succeeded.
func resultsOutcome(ios *iostreams.IOStreams, j *jobs.Job, o ResultsOptions, tally jobs.Tally) error {
	if pending := tally[providers.ResultPending]; pending > 0 {
		// a snapshot: nothing has failed for being unfinished
		fmt.Fprintf(ios.ErrOut, "note: %s\n", summary(j.Subject()+" is still "+j.Status, tally))
		if bad := tally.NotSucceeded() - pending; bad > 0 {
			return &cmdutil.PartialError{Subject: j.Subject(), Status: j.Status, Failed: bad, Total: tally.Total(),
				Message: summary(j.Subject()+" "+j.Status, tally)}
		}
		return nil
	}
	if bad := tally.NotSucceeded(); bad > 0 || (!o.Merged && j.Status != string(providers.StatusCompleted)) {
		return &cmdutil.PartialError{Subject: j.Subject(), Status: j.Status, Failed: bad, Total: tally.Total(),
			Message: summary(j.Subject()+" "+j.Status, tally), TerminalOnly: true}
	}
	return nil
}

// WriteFileResults writes the normalized results of a file in p's own
// results format ("-" for stdin; see jobs.FileResults). It returns a
// *cmdutil.PartialError (exit 3) when not every request succeeded, after
// writing them all.
func WriteFileResults(ctx context.Context, ios *iostreams.IOStreams, p providers.Provider, path string, o ResultsOptions) error {
	in, name := ios.In, "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return &cmdutil.UsageError{Err: fmt.Errorf("reading results: %w", err)}
		}
		defer f.Close()
		in, name = f, path
	}
	var recheck *schemacheck.Set
	if o.Schema != nil {
		recheck = schemacheck.Recheck(o.Schema, nil)
	}
	var tally jobs.Tally
	var err error
	if o.Readable {
		tally, err = writeNormalized(ios, o, recheck, func(write func(*providers.Result) error) (jobs.Tally, error) {
			return jobs.FileResults(ctx, p, in, name, write)
		})
	} else {
		tally, err = encodeNormalized(ios, o, recheck, func(encode jobs.Encoder, w io.Writer) (jobs.Encoded, error) {
			return jobs.EncodeFileResults(ctx, p, in, name, 0, encode, w)
		})
	}
	if err != nil {
		return err
	}
	if bad := tally.NotSucceeded(); bad > 0 {
		subject := "file " + name
		return &cmdutil.PartialError{Subject: subject, Failed: bad, Total: tally.Total(), Message: summary(subject, tally), TerminalOnly: true}
	}
	return nil
}

// encodeNormalized writes the results run encodes as JSON lines, those
// with the outcomes o keeps, normalized on every core (see
// jobs.EncodeFileResults): the same bytes as writeNormalized writes.
func encodeNormalized(ios *iostreams.IOStreams, o ResultsOptions, recheck *schemacheck.Set, run func(jobs.Encoder, io.Writer) (jobs.Encoded, error)) (jobs.Tally, error) {
	out, err := openOutput(ios, o.Output)
	if err != nil {
		return nil, err
	}
	sel := newSelector(o, recheck)
	enc, err := run(func(dst []byte, r *providers.Result) ([]byte, error) {
		if !sel.keep(r) {
			return dst, nil
		}
		return appendLine(dst, r)
	}, out.w)
	if err == nil {
		sel.note(ios, enc.Invalid)
	}
	return enc.Tally, out.close(err)
}

// appendLine appends r as one JSON line.
func appendLine(dst []byte, r *providers.Result) ([]byte, error) {
	n := len(dst)
	dst = r.AppendJSON(dst)
	if bytes.IndexByte(dst[n:], '\n') >= 0 {
		return dst[:n], errNewlineInLine // a raw field that is not one line of JSON
	}
	return append(dst, '\n'), nil
}

// A selector checks each result anew when asked (results --schema) and
// says whether it is one to write. It may be used from several goroutines.
type selector struct {
	recheck *schemacheck.Set
	keepers map[providers.ResultStatus]bool // empty keeps all
	invalid bool                            // only answers that do not validate
}

func newSelector(o ResultsOptions, recheck *schemacheck.Set) *selector {
	sel := &selector{recheck: recheck, keepers: map[providers.ResultStatus]bool{}, invalid: o.Invalid}
	for _, s := range o.Statuses {
		sel.keepers[s] = true
	}
	return sel
}

// keep rechecks r when asked and reports whether to write it.
func (sel *selector) keep(r *providers.Result) bool {
	if sel.recheck != nil {
		r.DecodeText()
		r.Parsed, r.Valid, r.OutputError = nil, nil, nil
		sel.recheck.CheckResult(r)
	}
	return (len(sel.keepers) == 0 || sel.keepers[r.Status]) && (!sel.invalid || invalidAnswer(r))
}

// invalidAnswer reports whether r's answer does not validate.
func invalidAnswer(r *providers.Result) bool { return r.Valid != nil && !*r.Valid }

// note counts the answers that do not validate, on stderr.
func (sel *selector) note(ios *iostreams.IOStreams, invalid int) {
	if invalid == 0 {
		return
	}
	verb := "are"
	if invalid == 1 {
		verb = "is"
	}
	fmt.Fprintf(ios.ErrOut, "note: %s %s not valid (valid: false; results --invalid lists them; retry --invalid submits them again)\n",
		cmdutil.Plural(invalid, "answer"), verb)
}

// writeNormalized writes the results each produces as JSON lines, those
// with the outcomes o keeps, and returns each's tally of all results.
// recheck, when set, checks each result's answer anew (results --schema).
// A note on stderr counts the answers that do not validate.
func writeNormalized(ios *iostreams.IOStreams, o ResultsOptions, recheck *schemacheck.Set, each func(write func(*providers.Result) error) (jobs.Tally, error)) (jobs.Tally, error) {
	out, err := openOutput(ios, o.Output)
	if err != nil {
		return nil, err
	}
	sel := newSelector(o, recheck)
	var lw resultWriter = newLineWriter(out.w, out.flush)
	if o.Readable {
		lw = newReadableWriter(ios, out.w)
	}
	invalid := 0
	tally, err := each(func(r *providers.Result) error {
		keep := sel.keep(r)
		if invalidAnswer(r) {
			invalid++
		}
		if !keep {
			return nil
		}
		return lw.writeResult(r)
	})
	if cerr := lw.close(); err == nil {
		err = cerr
	}
	if err == nil {
		sel.note(ios, invalid)
	}
	return tally, out.close(err)
}

// summary says how the requests of subject ended, e.g.
// "job j7k2m9 completed: 2 succeeded, 1 errored, 1 missing of 4 requests".
func summary(subject string, t jobs.Tally) string {
	var parts []string
	for _, s := range providers.ResultStatuses {
		if t[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t[s], s))
		}
	}
	return fmt.Sprintf("%s: %s of %s", subject, strings.Join(parts, ", "), cmdutil.Plural(t.Total(), "request"))
}

// output is where results go: stdout, a temporary file renamed to its
// path only when everything was written, or (inPlace) a file that is not
// a regular one, such as a FIFO or a device, written where it is.
type output struct {
	w       io.Writer
	flush   flushPolicy
	f       *os.File
	path    string
	inPlace bool
}

func openOutput(ios *iostreams.IOStreams, path string) (*output, error) {
	if path == "" || path == "-" {
		if ios.IsStdoutTTY() {
			return &output{w: ios.Out, flush: flushEachLine}, nil
		}
		return &output{w: ios.Out, flush: flushSoon}, nil
	}
	// Renaming over a FIFO, a device or a socket (or a link to one) would
	// replace the node itself: those are written in place instead.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", path, err)
		}
		return &output{w: f, f: f, path: path, inPlace: true}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		// The temporary file is batchctl's business: name the directory.
		if dir := filepath.Dir(path); errors.Is(err, fs.ErrNotExist) {
			return nil, &cmdutil.UsageError{Err: fmt.Errorf("cannot write %s: directory %s does not exist", path, dir), Hint: "create it first: mkdir -p " + dir}
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return &output{w: f, f: f, path: path}, nil
}

// close finishes the output: on success the file is renamed into place; on
// failure (err != nil) it is removed and err returned. A file written in
// place is only closed.
func (o *output) close(err error) error {
	if o.f == nil {
		return err
	}
	if o.inPlace {
		if cerr := o.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("writing %s: %w", o.path, cerr)
		}
		return err
	}
	if err != nil {
		o.f.Close()
		os.Remove(o.f.Name())
		return err
	}
	err = o.f.Close()
	if err == nil {
		err = os.Rename(o.f.Name(), o.path)
	}
	if err != nil {
		os.Remove(o.f.Name())
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	return nil
}
