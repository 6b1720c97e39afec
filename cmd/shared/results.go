package shared

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
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
}

// ParseStatuses checks a --status filter ("errored,expired").
func ParseStatuses(values []string) ([]providers.ResultStatus, error) {
	var out []providers.ResultStatus
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
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
	out, err := openOutput(ios, o.Output)
	if err != nil {
		return err
	}
	if o.Raw {
		return out.close(m.Raw(ctx, j, out.w))
	}
	keep := map[providers.ResultStatus]bool{}
	for _, s := range o.Statuses {
		keep[s] = true
	}
	lw := jsonl.NewWriter(out.w, out.live)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	write := func(r *providers.Result) error {
		if len(keep) > 0 && !keep[r.Status] {
			return nil
		}
		buf.Reset()
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("encoding the result of %s: %w", r.CustomID, err)
		}
		return lw.WriteLine(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
	}
	var tally jobs.Tally
	if o.Merged {
		var running []string
		tally, running, err = m.MergedResults(ctx, j, write)
		for _, id := range running {
			fmt.Fprintf(ios.ErrOut, "note: job %s of this retry chain has not ended; its requests show their earlier outcome\n", id)
		}
	} else {
		tally, err = m.Results(ctx, j, write)
	}
	if err == nil {
		err = lw.Flush()
	}
	if err := out.close(err); err != nil {
		return err
	}
	if bad := tally.NotSucceeded(); bad > 0 || (!o.Merged && j.Status != string(providers.StatusCompleted)) {
		return &cmdutil.PartialError{Subject: j.Subject(), Status: j.Status, Failed: bad, Total: tally.Total(),
			Message: summary(j, tally)}
	}
	return nil
}

// summary says how a job's requests ended, e.g.
// "job j7k2m9 completed: 2 succeeded, 1 errored, 1 missing of 4 requests".
func summary(j *jobs.Job, t jobs.Tally) string {
	var parts []string
	for _, s := range providers.ResultStatuses {
		if t[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t[s], s))
		}
	}
	return fmt.Sprintf("%s %s: %s of %d requests", j.Subject(), j.Status, strings.Join(parts, ", "), t.Total())
}

// output is where results go: stdout (written through, for live pipes) or
// a temporary file renamed to its path only when everything was written.
type output struct {
	w    io.Writer
	live bool
	f    *os.File
	path string
}

func openOutput(ios *iostreams.IOStreams, path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{w: ios.Out, live: true}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return &output{w: f, f: f, path: path}, nil
}

// close finishes the output: on success the file is renamed into place; on
// failure (err != nil) it is removed and err returned.
func (o *output) close(err error) error {
	if o.f == nil {
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
