package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// collect runs Results and returns the results as JSON lines.
func collect(t *testing.T, m *jobs.Manager, j *jobs.Job) ([]string, jobs.Tally, error) {
	t.Helper()
	var lines []string
	tally, err := m.Results(context.Background(), j, func(r *providers.Result) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		lines = append(lines, string(b))
		return nil
	})
	return lines, tally, err
}

// resultLine is the JSON of a result of job1 on the fake provider.
func resultLine(customID, status, batch, model, text, errJSON string) string {
	textJSON := "null"
	if text != "" {
		textJSON = strconv.Quote(text)
	}
	return `{"custom_id":"` + customID + `","status":"` + status + `","job":"job1","provider":"fake","batch_id":"` + batch +
		`","model":"` + model + `","text":` + textJSON + `,"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":` + errJSON + `,"attempts":null,"response":null}`
}

func TestResults(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 2, "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")
	e.p.raw["batch_1"] = `{"custom_id":"a2","status":"succeeded","model":"m1-2025","text":"two"}` + "\n" +
		`{"custom_id":"a2","status":"errored","error":{"type":"server_error","message":"retried","code":null}}` + "\n"
	e.p.raw["batch_2"] = `{"custom_id":"a3","status":"errored","error":{"type":"invalid_request","message":"bad","code":"x","http_status":400}}` + "\n"
	e.p.raw["batch_3"] = `{"custom_id":"a6","status":"succeeded","text":"six"}` + "\n"
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	e.p.set(t, "batch_2", providers.StatusExpired, nil)
	e.p.set(t, "batch_3", providers.StatusCancelled, nil)
	e.p.set(t, "batch_4", providers.StatusFailed, func(b *providers.Batch) {
		b.Errors = []providers.BatchError{{Code: "invalid_json", Message: "bad json", Line: 3}}
	})
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}

	failed := `{"type":"batch_failed","message":"the batch failed: line 3: bad json","code":null,"http_status":null}`
	want := []string{
		resultLine("a2", "succeeded", "batch_1", "m1-2025", "two", "null"),
		resultLine("a1", "missing", "batch_1", "m1", "", `{"type":"missing","message":"the provider returned no result for this request","code":null,"http_status":null}`),
		resultLine("a3", "errored", "batch_2", "m1", "", `{"type":"invalid_request","message":"bad","code":"x","http_status":400}`),
		resultLine("a4", "expired", "batch_2", "m1", "", `{"type":"batch_expired","message":"the batch expired before this request ran","code":null,"http_status":null}`),
		resultLine("a6", "succeeded", "batch_3", "m1", "six", "null"),
		resultLine("a5", "canceled", "batch_3", "m1", "", `{"type":"batch_cancelled","message":"the batch was cancelled before this request ran","code":null,"http_status":null}`),
		resultLine("a7", "errored", "batch_4", "m1", "", failed),
		resultLine("a8", "errored", "batch_4", "m1", "", failed),
	}
	wantTally := jobs.Tally{
		providers.ResultSucceeded: 2, providers.ResultErrored: 3, providers.ResultExpired: 1,
		providers.ResultCanceled: 1, providers.ResultMissing: 1,
	}
	wantDownloads := []string{"batch_1", "batch_2", "batch_3", "batch_4"}

	// The second run reads the local copies: nothing is downloaded again.
	for run := 1; run <= 2; run++ {
		got, tally, err := collect(t, e.m, j)
		if err != nil {
			t.Fatalf("run %d: Results: %v", run, err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("run %d: results\n%s\nwant\n%s", run, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !reflect.DeepEqual(tally, wantTally) || tally.Total() != 8 || tally.NotSucceeded() != 6 {
			t.Errorf("run %d: tally %v (total %d, %d not succeeded), want %v (8, 6)", run, tally, tally.Total(), tally.NotSucceeded(), wantTally)
		}
		if !reflect.DeepEqual(e.p.downloads, wantDownloads) {
			t.Errorf("run %d: downloaded %q, want %q", run, e.p.downloads, wantDownloads)
		}
	}
	for i, id := range wantDownloads {
		got, err := os.ReadFile(e.m.RawResultsPath("job1", i+1))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != e.p.raw[id] {
			t.Errorf("local results of part %d = %q, want %q", i+1, got, e.p.raw[id])
		}
	}

	var raw bytes.Buffer
	if err := e.m.Raw(context.Background(), j, &raw); err != nil {
		t.Fatalf("Raw: %v", err)
	}
	if want := e.p.raw["batch_1"] + e.p.raw["batch_2"] + e.p.raw["batch_3"]; raw.String() != want {
		t.Errorf("Raw wrote\n%s\nwant\n%s", raw.String(), want)
	}
	if !reflect.DeepEqual(e.p.downloads, wantDownloads) {
		t.Errorf("after Raw: downloaded %q, want %q", e.p.downloads, wantDownloads)
	}
}

func TestResultsOfAFailedBatch(t *testing.T) {
	lineErr := providers.BatchError{Code: "invalid_json", Message: "bad json", Line: 3}
	tests := []struct {
		name   string
		errors []providers.BatchError
		want   string
	}{
		{"no error given", nil, "the batch failed"},
		{"an error without a line", []providers.BatchError{{Code: "quota", Message: "quota exceeded"}}, "the batch failed: quota exceeded"},
		{"an error of a line", []providers.BatchError{lineErr}, "the batch failed: line 3: bad json"},
		{"two errors", []providers.BatchError{lineErr, lineErr}, "the batch failed: line 3: bad json (and 1 more error)"},
		{"three errors", []providers.BatchError{lineErr, lineErr, lineErr}, "the batch failed: line 3: bad json (and 2 more errors)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			j := e.create(t, "job1", 0, "a1")
			e.p.set(t, "batch_1", providers.StatusFailed, func(b *providers.Batch) { b.Errors = tt.errors })
			if err := e.m.Refresh(context.Background(), j); err != nil {
				t.Fatal(err)
			}
			var got []*providers.Result
			if _, err := e.m.Results(context.Background(), j, func(r *providers.Result) error {
				got = append(got, r)
				return nil
			}); err != nil {
				t.Fatalf("Results: %v", err)
			}
			want := &providers.ResultError{Type: "batch_failed", Message: tt.want}
			if len(got) != 1 || got[0].Status != providers.ResultErrored || !reflect.DeepEqual(got[0].Error, want) {
				t.Errorf("results %+v, want one errored with %+v", got, want)
			}
		})
	}
}

func TestResultsOfARunningJob(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 1, "a1", "a2")
	e.p.raw["batch_1"] = `{"custom_id":"a1","status":"succeeded"}` + "\n"
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	e.p.set(t, "batch_2", providers.StatusInProgress, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	const wantErr = "job job1 is still in_progress; results come when it ends"

	_, err := e.m.Results(context.Background(), j, func(*providers.Result) error {
		t.Error("Results called fn on a running job")
		return nil
	})
	var nf *jobs.NotFinishedError
	if !errors.As(err, &nf) || nf.Job != "job1" || nf.Status != "in_progress" || err.Error() != wantErr {
		t.Errorf("Results error = %#v, want a *jobs.NotFinishedError: %s", err, wantErr)
	}
	if err := e.m.Raw(context.Background(), j, &bytes.Buffer{}); !errors.As(err, &nf) || err.Error() != wantErr {
		t.Errorf("Raw error = %v, want %s", err, wantErr)
	}
	if len(e.p.downloads) != 0 {
		t.Errorf("downloaded %q for a running job", e.p.downloads)
	}

	// Download fetches the finished part only.
	if err := e.m.Download(context.Background(), j); err != nil {
		t.Fatalf("Download: %v", err)
	}
	if want := []string{"batch_1"}; !reflect.DeepEqual(e.p.downloads, want) {
		t.Errorf("downloaded %q, want %q", e.p.downloads, want)
	}
	if got := dirNames(t, e.m.Config.JobDir("job1")); !reflect.DeepEqual(got, []string{"part-1.jsonl", "part-1.results.jsonl", "part-1.results.jsonl.count", "part-2.jsonl"}) {
		t.Errorf("job directory holds %q", got)
	}
	if n, ok := e.m.Missing(j); ok {
		t.Errorf("Missing = %d for a job still running, want not known", n)
	}
}

func TestResultsDownloadError(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 0, "a1")
	boom := errors.New("boom")
	e.p.raw["batch_1"] = `{"custom_id":"a1","status":"succeeded"}` + "\n"
	e.p.downloadErr["batch_1"] = boom
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}

	lines, _, err := collect(t, e.m, j)
	if !errors.Is(err, boom) || err.Error() != "downloading results of batch batch_1: boom" || len(lines) != 0 {
		t.Fatalf("Results = %q, %v; want no result and downloading results of batch batch_1: boom", lines, err)
	}
	if got := dirNames(t, e.m.Config.JobDir("job1")); !reflect.DeepEqual(got, []string{"part-1.jsonl"}) {
		t.Errorf("after a failed download the job directory holds %q, want only the input", got)
	}

	// The next run downloads again and succeeds.
	delete(e.p.downloadErr, "batch_1")
	lines, _, err = collect(t, e.m, j)
	if want := []string{resultLine("a1", "succeeded", "batch_1", "m1", "", "null")}; err != nil || !reflect.DeepEqual(lines, want) {
		t.Errorf("second Results = %q, %v; want %q", lines, err, want)
	}
	if want := []string{"batch_1", "batch_1"}; !reflect.DeepEqual(e.p.downloads, want) {
		t.Errorf("downloaded %q, want %q", e.p.downloads, want)
	}
}

// badLineJob is a finished job whose results hold a line that is not a
// whole result, the third.
func badLineJob(t *testing.T) (*testEnv, *jobs.Job) {
	t.Helper()
	e := newEnv(t)
	j := e.create(t, "job1", 0, "a1", "a2")
	e.p.raw["batch_1"] = `{"custom_id":"a1","status":"succeeded"}` + "\n\n" + `{"custom_id":""}` + "\n"
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	return e, j
}

func TestResultsBadLine(t *testing.T) {
	e, j := badLineJob(t)
	// a download with a line that is not a whole result is repeated (a body
	// cut short heals on a new try) and never kept
	lines, tally, err := collect(t, e.m, j)
	want := "downloading results of batch batch_1: downloaded line 3 is not a whole result (fake: no custom_id): unexpected EOF"
	if err == nil || err.Error() != want {
		t.Errorf("Results error = %v, want %s", err, want)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Results error does not wrap io.ErrUnexpectedEOF, so it would not be retried")
	}
	if len(lines) != 0 || tally.Total() != 0 {
		t.Errorf("Results gave %q (tally %v), want nothing from an incomplete download", lines, tally)
	}
	if want := []string{"batch_1", "batch_1", "batch_1"}; !reflect.DeepEqual(e.p.downloads, want) {
		t.Errorf("downloaded %q, want three tries", e.p.downloads)
	}
	if _, err := os.Stat(e.m.RawResultsPath("job1", 1)); !os.IsNotExist(err) {
		t.Errorf("an incomplete download was kept: %v", err)
	}
}

func TestResultsStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	tests := []struct {
		name string
		ref  string
		prov string
	}{
		{"a registered job", "job1", ""},
		{"a batch made elsewhere, streamed", "batch_x", "fake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.create(t, "job1", 0, "a1", "a2")
			e.p.set(t, "batch_1", providers.StatusCompleted, nil)
			outsideBatch(e.p)
			twoLines := `{"custom_id":"a1","status":"succeeded"}` + "\n" + `{"custom_id":"a2","status":"succeeded"}` + "\n"
			e.p.raw["batch_1"], e.p.raw["batch_x"] = twoLines, twoLines
			j, err := e.m.Resolve(context.Background(), tt.ref, tt.prov)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.m.Refresh(context.Background(), j); err != nil {
				t.Fatal(err)
			}
			calls := 0
			tally, err := e.m.Results(context.Background(), j, func(*providers.Result) error {
				calls++
				return stop
			})
			if err != stop || calls != 1 || tally.Total() != 1 {
				t.Errorf("Results = %v, %v after %d calls; want the callback's error after 1", tally, err, calls)
			}
		})
	}
}

func TestResultsOfABatchMadeElsewhere(t *testing.T) {
	e := newEnv(t)
	outsideBatch(e.p)
	e.p.raw["batch_x"] = `{"custom_id":"e1","status":"succeeded","model":"m9-v2","embedding":[0.5]}` + "\n" +
		`{"custom_id":"e1","status":"errored"}` + "\n" +
		`{"custom_id":"e2","status":"errored","error":{"type":"server_error","message":"oops","code":null}}` + "\n"
	j, err := e.m.Resolve(context.Background(), "batch_x", "fake")
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}

	lines, tally, err := collect(t, e.m, j)
	if err != nil {
		t.Fatalf("Results: %v", err)
	}
	want := []string{
		`{"custom_id":"e1","status":"succeeded","job":"","provider":"fake","batch_id":"batch_x","model":"m9-v2","text":null,` +
			`"embedding":[0.5],"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":null,"attempts":null,"response":null}`,
		`{"custom_id":"e2","status":"errored","job":"","provider":"fake","batch_id":"batch_x","model":"m9","text":null,` +
			`"embedding":null,"embeddings":null,"moderation":null,"tool_calls":null,"finish_reason":null,"usage":null,"parsed":null,"valid":null,"output_error":null,"error":{"type":"server_error","message":"oops","code":null,"http_status":null},"attempts":null,"response":null}`,
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("results\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if wantTally := (jobs.Tally{providers.ResultSucceeded: 1, providers.ResultErrored: 1}); !reflect.DeepEqual(tally, wantTally) {
		t.Errorf("tally %v, want %v", tally, wantTally)
	}

	var raw bytes.Buffer
	if err := e.m.Raw(context.Background(), j, &raw); err != nil || raw.String() != e.p.raw["batch_x"] {
		t.Errorf("Raw wrote %q, %v; want %q", raw.String(), err, e.p.raw["batch_x"])
	}
	if want := []string{"batch_x", "batch_x"}; !reflect.DeepEqual(e.p.downloads, want) {
		t.Errorf("downloaded %q, want %q (one stream each)", e.p.downloads, want)
	}
	if _, err := os.Stat(filepath.Join(e.m.Config.Home, "jobs")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a batch made elsewhere touched the jobs directory: %v", err)
	}
}

// TestSnapshot: a running split job gives one line per request, the
// outcome of the parts that ended and pending for the others; once it
// ends, the snapshot is its results.
func TestSnapshot(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 2, "a1", "a2", "a3")
	e.p.raw["batch_1"] = `{"custom_id":"a1","status":"succeeded","text":"one"}` + "\n"
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	e.p.set(t, "batch_2", providers.StatusInProgress, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if _, _, err := collect(t, e.m, j); err == nil {
		t.Fatal("Results of a running job gave no error")
	}
	var lines []string
	tally, err := e.m.Snapshot(context.Background(), j, func(r *providers.Result) error {
		b, err := json.Marshal(r)
		lines = append(lines, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		resultLine("a1", "succeeded", "batch_1", "m1", "one", "null"),
		resultLine("a2", "missing", "batch_1", "m1", "", `{"type":"missing","message":"the provider returned no result for this request","code":null,"http_status":null}`),
		resultLine("a3", "pending", "batch_2", "m1", "", "null"),
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	wantTally := jobs.Tally{providers.ResultSucceeded: 1, providers.ResultMissing: 1, providers.ResultPending: 1}
	if !reflect.DeepEqual(tally, wantTally) {
		t.Errorf("tally %v, want %v", tally, wantTally)
	}
	if want := []string{"batch_1"}; !reflect.DeepEqual(e.p.downloads, want) {
		t.Errorf("downloaded %q, want %q", e.p.downloads, want)
	}
}

// A provider that reports no usage with its batches (Anthropic, Gemini)
// leaves a job's usage unknown, never 0, until its results are in; then
// they are summed once, also from results a version that did not sum them
// had kept.
func TestResultsSumUsage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	j := e.create(t, "job1", 0, "a1", "a2", "a3")
	e.p.raw["batch_1"] = `{"custom_id":"a1","status":"succeeded","usage":{"input_tokens":3,"output_tokens":2}}` + "\n" +
		`{"custom_id":"a2","status":"succeeded","usage":{"input_tokens":4,"output_tokens":5}}` + "\n" +
		`{"custom_id":"a2","status":"succeeded","usage":{"input_tokens":100,"output_tokens":100}}` + "\n" +
		`{"custom_id":"zz","status":"succeeded","usage":{"input_tokens":100,"output_tokens":100}}` + "\n" +
		`{"custom_id":"a3","status":"errored","error":{"type":"x","message":"m","code":null}}` + "\n"
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	if err := e.m.Refresh(ctx, j); err != nil {
		t.Fatal(err)
	}
	if u := j.KnownUsage(); u != nil {
		t.Fatalf("usage before the results = %+v, want unknown", u)
	}
	want := providers.Usage{InputTokens: 7, OutputTokens: 7} // a repeated id and an unknown one left out
	stored := func() *providers.Usage {
		t.Helper()
		sj, err := e.reg.Get(ctx, "job1")
		if err != nil {
			t.Fatal(err)
		}
		return (&jobs.Job{Job: sj, Registered: true}).KnownUsage()
	}
	if _, _, err := collect(t, e.m, j); err != nil {
		t.Fatal(err)
	}
	if u := j.KnownUsage(); u == nil || *u != want {
		t.Errorf("usage after the results = %+v, want %+v", u, want)
	}
	if u := stored(); u == nil || *u != want {
		t.Errorf("stored usage after the results = %+v, want %+v", u, want)
	}

	// results kept by a version that did not sum usage
	part := j.Parts[0]
	part.Usage, part.UsageKnown = providers.Usage{}, false
	if err := e.reg.SavePart(ctx, "job1", part); err != nil {
		t.Fatal(err)
	}
	sj, err := e.reg.Get(ctx, "job1")
	if err != nil {
		t.Fatal(err)
	}
	j = &jobs.Job{Job: sj, Registered: true}
	if _, _, err := collect(t, e.m, j); err != nil {
		t.Fatal(err)
	}
	if u := stored(); u == nil || *u != want {
		t.Errorf("stored usage from kept results = %+v, want %+v", u, want)
	}
	if got := e.p.downloads; len(got) != 1 {
		t.Errorf("downloaded %q, want one download", got)
	}
}
