package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// formatProvider is the fake provider reading its results in the format
// of a real one.
type formatProvider struct {
	*fakeProvider
	format providers.Provider
}

func (p formatProvider) Normalize(line []byte) (providers.Result, error) {
	return p.format.Normalize(line)
}

// Unwrap lets the pipeline find the format's NormalizeAliasing.
func (p formatProvider) Unwrap() providers.Provider { return p.format }

// EncodeResults writes the bytes Results gives a job, line for line, on
// every provider's files: a repeated id keeps its first line, an id that
// was not submitted is left out, a request with no line is missing, in
// the same order; and a line that cannot be read ends both at the same
// place with the same error.
func TestEncodeResultsSameAsResults(t *testing.T) {
	for name, real := range pipelineProviders() {
		format := pipelineFormat(name)
		for _, oneEach := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/one line each %v", name, oneEach), func(t *testing.T) {
				file := pipelineFile(format)
				if format == "openai" {
					// an answer that is not valid: arguments that are not JSON
					file = append(file, "\n"+`{"custom_id":"args","response":{"status_code":200,"body":{"choices":[{"message":{"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"not JSON"}}]}}]}}}`...)
				}
				lines := bytes.Split(bytes.TrimPrefix(file, []byte("\xEF\xBB\xBF")), []byte("\n"))
				// Each line once more (a repeat), then the ids: all but the
				// first two submitted, and two more with no line; or (one
				// each) the file as it is, every id submitted.
				if !oneEach {
					file = append(append(file, '\n'), bytes.Join(lines, []byte("\n"))...)
				}
				var ids []string
				if _, err := jobs.FileResults(context.Background(), real, bytes.NewReader(file), "f", func(r *providers.Result) error {
					ids = append(ids, r.CustomID)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				submitted := ids
				if !oneEach {
					submitted = append(dedup(ids[:len(ids)/2])[2:], "never1", "never2")
				}

				e := newEnv(t)
				e.m.Provider = func(string) (providers.Provider, error) { return formatProvider{e.p, real}, nil }
				j := e.create(t, "job1", 0, submitted...)
				e.p.raw["batch_1"] = string(file)
				e.p.set(t, "batch_1", providers.StatusCompleted, nil)
				if err := e.m.Refresh(context.Background(), j); err != nil {
					t.Fatal(err)
				}
				// The first run downloads: its output comes from the check of
				// the download.
				var first bytes.Buffer
				firstEnc, err := e.m.EncodeResults(context.Background(), j, 2, encodeLine, &first)
				if err != nil {
					t.Fatal(err)
				}
				want := checkEncodeResults(t, e.m, j)
				if first.String() != want || !reflect.DeepEqual(firstEnc.Tally, jobTally(t, e.m, j)) {
					d := firstDiff(first.String(), want)
					t.Errorf("while downloading: output differs at byte %d:\ngot  %.300q\nwant %.300q", d, first.String()[d:], want[d:])
				}
				if n := strings.Count(want, "\n"); n != len(submitted) {
					t.Fatalf("Results gave %d lines, want one per submitted request (%d)", n, len(submitted))
				}

				// A line that cannot be read, in the middle of the kept copy.
				bad := append(bytes.Join(lines[:len(lines)/2], []byte("\n")), "\n{\"custom_id\":\"x\",\"response\":[}\n"...)
				bad = append(bad, bytes.Join(lines[len(lines)/2:], []byte("\n"))...)
				if err := os.WriteFile(e.m.RawResultsPath("job1", 1), bad, 0o600); err != nil {
					t.Fatal(err)
				}
				checkEncodeResults(t, e.m, j)
			})
		}
	}
}

// checkEncodeResults checks that EncodeResults gives what Results does,
// whatever the chunk size and number of workers, and returns it.
func checkEncodeResults(t *testing.T, m *jobs.Manager, j *jobs.Job) string {
	t.Helper()
	var want []byte
	wantInvalid := 0
	wantTally, err := m.Results(context.Background(), j, func(r *providers.Result) error {
		if r.Valid != nil && !*r.Valid {
			wantInvalid++
		}
		var err error
		want, err = encodeLine(want, r)
		return err
	})
	wantErr := errString(err)
	for _, size := range []int{1, 300, 256 << 10} {
		restore := jobs.SetChunkSize(size)
		for _, workers := range []int{1, 3} {
			var got bytes.Buffer
			enc, err := m.EncodeResults(context.Background(), j, workers, encodeLine, &got)
			where := fmt.Sprintf("chunks of %d, %d workers", size, workers)
			if got.String() != string(want) {
				d := firstDiff(got.String(), string(want))
				t.Errorf("%s: output differs at byte %d:\ngot  %.300q\nwant %.300q", where, d, got.String()[d:], want[d:])
			}
			if errString(err) != wantErr {
				t.Errorf("%s: error %q, want %q", where, err, wantErr)
			}
			if wantErr == "" && (!reflect.DeepEqual(enc.Tally, wantTally) || enc.Invalid != wantInvalid) {
				t.Errorf("%s: tally %v, %d not valid; want %v, %d", where, enc.Tally, enc.Invalid, wantTally, wantInvalid)
			}
		}
		restore()
	}
	return string(want)
}

// jobTally is the tally Results gives.
func jobTally(t *testing.T, m *jobs.Manager, j *jobs.Job) jobs.Tally {
	t.Helper()
	tally, err := m.Results(context.Background(), j, func(*providers.Result) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return tally
}

// dedup is ids without repeats, in order.
func dedup(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id], out = true, append(out, id)
		}
	}
	return out
}

// A download with a line that is not a whole result is repeated and never
// kept by EncodeResults either, and nothing of it is written.
func TestEncodeResultsBadDownload(t *testing.T) {
	e, j := badLineJob(t)
	var out bytes.Buffer
	_, err := e.m.EncodeResults(context.Background(), j, 2, encodeLine, &out)
	want := "downloading results of batch batch_1: downloaded line 3 is not a whole result (fake: no custom_id): unexpected EOF"
	if err == nil || err.Error() != want {
		t.Errorf("EncodeResults error = %v, want %s", err, want)
	}
	if out.Len() > 0 {
		t.Errorf("EncodeResults wrote %q, want nothing from an incomplete download", out.String())
	}
	if want := []string{"batch_1", "batch_1", "batch_1"}; !reflect.DeepEqual(e.p.downloads, want) {
		t.Errorf("downloaded %q, want three tries", e.p.downloads)
	}
	dir := filepath.Dir(e.m.RawResultsPath("job1", 1))
	if names := dirNames(t, dir); slices.ContainsFunc(names, func(n string) bool {
		return strings.HasPrefix(n, "part-1.results") || strings.HasPrefix(n, "part-1.spool")
	}) {
		t.Errorf("the job's directory holds %q after a failed download, want no results, spool or temporary file of part 1", names)
	}
}
