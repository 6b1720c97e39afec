package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/lockfile"
	"github.com/batchctl/batchctl/internal/providers"
)

// recordJob prepares and records a job of the given ids, one request per part.
func recordJob(t *testing.T, e *testEnv, ids ...string) *jobs.Job {
	t.Helper()
	e.profile.MaxRequests = 1
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input(ids...)), Profile: e.profile}
	plan, err := e.m.Prepare(context.Background(), "job1", spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	j, err := e.m.Record(context.Background(), plan, spec, "")
	if err != nil {
		t.Fatalf("Record: %v", err)
	}
	return j
}

// reload reads a job back from the registry, as a later process would.
func reload(t *testing.T, e *testEnv, id string) *jobs.Job {
	t.Helper()
	j, err := e.m.Resolve(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestSubmitAdoptsABatchWhoseCreateAnswerWasLost(t *testing.T) {
	for _, noMetadata := range []bool{false, true} {
		t.Run(map[bool]string{false: "tagged", true: "untagged"}[noMetadata], func(t *testing.T) {
			e := newEnv(t)
			e.p.noMetadata = noMetadata
			j := recordJob(t, e, "a1", "a2")
			// the first create reaches the provider, but its answer is lost
			e.p.submitLost[1] = &providers.HTTPError{Op: "create batch", StatusCode: http.StatusBadGateway}

			if err := e.m.Submit(context.Background(), j, "24h"); err != nil {
				t.Fatalf("Submit: %v", err)
			}
			if len(e.p.submits) != 2 || len(e.p.batches) != 2 {
				t.Fatalf("%d creates, %d batches; want 2 and 2 (the lost one adopted, not created again)", len(e.p.submits), len(e.p.batches))
			}
			assertBatchIDs(t, e, j, "batch_1", "batch_2")
		})
	}
}

// movingClock makes the Manager's waits move its clock instead of taking
// time.
func movingClock(e *testEnv) {
	now := testNow
	e.m.Now = func() time.Time { return now }
	e.m.Retry.Sleep = func(_ context.Context, d time.Duration) error { now = now.Add(d); return nil }
}

func TestSubmitAfterACrashAdoptsWhatWasCreated(t *testing.T) {
	e := newEnv(t)
	movingClock(e)
	j := recordJob(t, e, "a1", "a2")
	// the process died after the provider created part 1's batch, before
	// recording it: only the provider knows
	e.p.submitLost[1] = errors.New("killed")
	e.p.submitErr[2] = errors.New("killed")
	if err := e.m.Submit(context.Background(), j, "24h"); err == nil {
		t.Fatal("Submit succeeded despite the crash")
	}
	assertBatchIDs(t, e, j, "", "")

	later := reload(t, e, "job1")
	delete(e.p.submitLost, 1)
	delete(e.p.submitErr, 2)
	if err := e.m.Submit(context.Background(), later, "24h"); err != nil {
		t.Fatalf("Submit after the crash: %v", err)
	}
	if len(e.p.batches) != 2 {
		t.Fatalf("%d batches, want 2: part 1's batch adopted, part 2's created", len(e.p.batches))
	}
	assertBatchIDs(t, e, later, "batch_1", "batch_2")
	if got := e.p.submits[len(e.p.submits)-1].req.Metadata["batchctl_part"]; got != "2/2" {
		t.Errorf("last create was for part %q, want 2/2", got)
	}
}

func TestSubmitRefusesToGuess(t *testing.T) {
	e := newEnv(t)
	e.p.noMetadata = true
	j := recordJob(t, e, "a1")
	e.p.submitLost[1] = errors.New("killed")
	if err := e.m.Submit(context.Background(), j, "24h"); err == nil {
		t.Fatal("Submit succeeded despite the crash")
	}
	// another batch of the same size appears, made by someone else
	if _, err := e.p.Submit(context.Background(), providers.SubmitRequest{Requests: 1, Open: e.p.submits[0].req.Open}); err != nil {
		t.Fatal(err)
	}
	delete(e.p.submitLost, 1)
	err := e.m.Submit(context.Background(), reload(t, e, "job1"), "24h")
	var amb *jobs.AmbiguousBatchError
	if !errors.As(err, &amb) || strings.Join(amb.Candidates, ",") != "batch_2,batch_1" {
		t.Fatalf("Submit = %v, want an AmbiguousBatchError naming batch_2 and batch_1", err)
	}
	if len(e.p.batches) != 2 {
		t.Errorf("%d batches: nothing may be created when the match is ambiguous", len(e.p.batches))
	}
}

func TestSubmitIsExclusive(t *testing.T) {
	e := newEnv(t)
	j := recordJob(t, e, "a1")
	l, err := lockfile.TryLock(filepath.Join(e.m.Config.Home, "locks", "job1.submit.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	err = e.m.Submit(context.Background(), j, "24h")
	var busy *jobs.BusyError
	if !errors.As(err, &busy) || err.Error() != "another batchctl process is submitting job job1" {
		t.Fatalf("Submit = %v, want a BusyError", err)
	}
	if len(e.p.submits) != 0 {
		t.Errorf("%d creates while another process held the job", len(e.p.submits))
	}
}

// recordedProgress remembers what a transfer display was told.
type recordedProgress struct {
	label string
	total int64
	added int
	done  bool
}

func (p *recordedProgress) Add(n int) { p.added += n }
func (p *recordedProgress) Done()     { p.done = true }

func TestTransfersShowProgress(t *testing.T) {
	e := newEnv(t)
	var shown []*recordedProgress
	e.m.Progress = func(label string, total int64) jobs.Progress {
		p := &recordedProgress{label: label, total: total}
		shown = append(shown, p)
		return p
	}
	j := recordJob(t, e, "a1")
	if err := e.m.Submit(context.Background(), j, "24h"); err != nil {
		t.Fatal(err)
	}
	up := shown[0]
	if up.label != "uploading job1 part 1" || up.total != lineSize || up.added != int(lineSize) || !up.done {
		t.Errorf("upload progress = %+v, want the whole %d-byte part, then done", *up, lineSize)
	}
	e.p.raw["batch_1"] = `{"custom_id":"a1","status":"succeeded"}` + "\n"
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Download(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	down := shown[1]
	if down.label != "downloading results of batch_1" || down.total != -1 || down.added != len(e.p.raw["batch_1"]) || !down.done {
		t.Errorf("download progress = %+v", *down)
	}
}
