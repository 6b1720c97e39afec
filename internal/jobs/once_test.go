package jobs_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/lockfile"
	"github.com/batchctl/batchctl/internal/providers"
)

// create prepares and creates a job of one request "a1" named name.
func create(t *testing.T, e *testEnv, id, name string, opts jobs.CreateOptions) (*jobs.CreateResult, error) {
	t.Helper()
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input("a1")), Profile: e.profile, Name: name}
	plan, err := e.m.Prepare(t.Context(), id, spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return e.m.Create(context.Background(), plan, spec, opts)
}

func TestCreateReusePolicy(t *testing.T) {
	tests := []struct {
		name     string
		status   providers.Status // the first job's, "" to leave it unsubmitted
		later    time.Duration    // how long after the first the second create runs
		name2    string
		force    bool
		reused   bool
		resumed  bool
		replaced string
	}{
		{name: "running", status: providers.StatusInProgress, reused: true},
		{name: "completed", status: providers.StatusCompleted, reused: true},
		{name: "unsubmitted", status: "", reused: true, resumed: true},
		{name: "cancelled", status: providers.StatusCancelled, replaced: "job job1 from the same input was cancelled; submitting a new job"},
		{name: "failed", status: providers.StatusFailed, replaced: "job job1 from the same input was failed; submitting a new job"},
		{name: "expired", status: providers.StatusExpired, replaced: "job job1 from the same input was expired; submitting a new job"},
		{name: "another name", status: providers.StatusCompleted, name2: "nightly-2"},
		{name: "a day later", status: providers.StatusCompleted, later: 25 * time.Hour},
		{name: "forced", status: providers.StatusCompleted, force: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			now := testNow
			e.m.Now = func() time.Time { return now }
			if tt.status == "" {
				for i := 1; i <= 3; i++ {
					e.p.submitErr[i] = &providers.HTTPError{Op: "create batch", StatusCode: http.StatusBadGateway}
				}
			}
			first, err := create(t, e, "job1", "nightly-1", jobs.CreateOptions{})
			if tt.status == "" {
				if err == nil || first == nil || first.Job.ID != "job1" {
					t.Fatalf("first Create = %+v, %v; want job1 kept, unsubmitted, with an error", first, err)
				}
				e.p.submitErr = map[int]error{}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				e.p.set(t, "batch_1", tt.status, nil)
				if err := e.m.Refresh(context.Background(), first.Job); err != nil {
					t.Fatal(err)
				}
			}
			now = now.Add(tt.later)
			name2 := tt.name2
			if name2 == "" {
				name2 = "nightly-1"
			}
			res, err := create(t, e, "job2", name2, jobs.CreateOptions{Force: tt.force})
			if err != nil {
				t.Fatal(err)
			}
			wantID := "job2"
			if tt.reused {
				wantID = "job1"
			}
			if res.Job.ID != wantID || res.Reused != tt.reused || res.Resumed != tt.resumed || res.Replaced != tt.replaced {
				t.Errorf("Create = job %s, reused %v, resumed %v, replaced %q; want job %s, %v, %v, %q",
					res.Job.ID, res.Reused, res.Resumed, res.Replaced, wantID, tt.reused, tt.resumed, tt.replaced)
			}
			if res.Job.Unsubmitted() {
				t.Errorf("job %s is left unsubmitted", res.Job.ID)
			}
		})
	}
}

func TestRefreshCancelsExtraBatches(t *testing.T) {
	for _, noMetadata := range []bool{false, true} {
		t.Run(map[bool]string{false: "tagged", true: "untagged"}[noMetadata], func(t *testing.T) {
			e := newEnv(t)
			movingClock(e)
			e.p.noMetadata = noMetadata
			var notes []string
			e.m.Note = func(msg string) { notes = append(notes, msg) }
			// the first create reaches the provider, the process dies
			// before hearing back; the rerun finds nothing yet and, once
			// the attempt has settled, creates the part again; then the
			// first create lands after all
			e.p.submitLost[1] = context.DeadlineExceeded
			j := recordJob(t, e, "a1")
			if err := e.m.Submit(context.Background(), j, "24h"); err == nil {
				t.Fatal("Submit succeeded despite the crash")
			}
			lost := e.p.batches["batch_1"]
			lost.ID = "batch_2" // it shows after the rerun's batch_1
			delete(e.p.batches, "batch_1")
			delete(e.p.submitLost, 1)
			later := reload(t, e, "job1")
			if err := e.m.Submit(context.Background(), later, "24h"); err != nil {
				t.Fatal(err)
			}
			e.p.batches[lost.ID] = lost
			if err := e.m.Refresh(context.Background(), later); err != nil {
				t.Fatal(err)
			}
			kept := later.Parts[0].BatchID
			if noMetadata {
				if len(e.p.cancels) != 0 {
					t.Errorf("cancelled %v on a guess", e.p.cancels)
				}
				want := "job job1: batch batch_2 may be a duplicate made by an interrupted create (fake keeps no tags, so it is not cancelled): check it with batchctl status batch_2 --provider fake"
				if len(notes) == 0 || notes[len(notes)-1] != want {
					t.Errorf("notes = %q, want last %q", notes, want)
				}
				return
			}
			if strings.Join(e.p.cancels, ",") != "batch_2" || kept != "batch_1" {
				t.Errorf("cancelled %v keeping %s; want the late batch_2 cancelled, batch_1 kept", e.p.cancels, kept)
			}
			want := "job job1 part 1: cancelled extra batch batch_2 made by an interrupted create; keeping " + kept
			if len(notes) == 0 || notes[len(notes)-1] != want {
				t.Errorf("notes = %q, want last %q", notes, want)
			}
		})
	}
}

// TestCreateWaitsForASyncSubmitting has another process (here: a lock held
// by the test) hold the job's submission when create, having recorded the
// job, comes to submit it, as a sync that lists the new job does: create
// waits for it instead of failing, then finds the job still unsubmitted
// and submits it once.
func TestCreateWaitsForASyncSubmitting(t *testing.T) {
	e := newEnv(t)
	lock, err := lockfile.TryLock(filepath.Join(e.m.Config.Home, "locks", "job1.submit.lock"))
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	var once sync.Once
	e.m.Note = func(msg string) {
		if strings.HasPrefix(msg, "waiting for another batchctl process submitting job job1") {
			once.Do(func() { close(waiting) })
		}
	}
	done := make(chan error, 1)
	var res *jobs.CreateResult
	go func() {
		var err error
		res, err = create(t, e, "job1", "", jobs.CreateOptions{})
		done <- err
	}()
	select {
	case <-waiting:
	case err := <-done:
		lock.Unlock()
		t.Fatalf("create ended without waiting for the submission in progress: %v", err)
	}
	lock.Unlock()
	if err := <-done; err != nil {
		t.Fatalf("create: %v", err)
	}
	if res.Job.ID != "job1" || len(res.Job.Parts) != 1 || res.Job.Parts[0].BatchID == "" {
		t.Fatalf("create = %+v, want job1 with its batch", res.Job)
	}
	if n := len(e.p.batches); n != 1 {
		t.Errorf("the provider has %d batches, want 1", n)
	}
}
