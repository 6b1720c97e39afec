package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store"
)

// TestLockSyncRun: on file locks, one sync runs per home.
func TestLockSyncRun(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lock, err := e.m.LockSyncRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.LockSyncRun(ctx); !errors.Is(err, jobs.ErrLocked) {
		t.Fatalf("second LockSyncRun = %v, want ErrLocked", err)
	}
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}
}

// TestLockJobSync: a sync takes a job unless another sync has it, or has
// saved it since it was listed, or it was forgotten; what it takes is the
// job as the registry has it now.
func TestLockJobSync(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	listed := e.create(t, "j1", 0, "a")
	stale := &jobs.Job{Job: listed.Job, Registered: true}

	lock, ours, err := e.m.LockJobSync(ctx, stale)
	if err != nil || !ours {
		t.Fatalf("LockJobSync of a free job = %v, %v; want it", ours, err)
	}
	if _, ours, err := e.m.LockJobSync(ctx, stale); err != nil || ours {
		t.Fatalf("LockJobSync of a held job = %v, %v; want to leave it", ours, err)
	}
	if err := lock.Unlock(); err != nil {
		t.Fatal(err)
	}

	ended := endedJob(t, e, "j2")
	stale = &jobs.Job{Job: ended, Registered: true}
	saved := *ended // as another host's sync has it
	if err := e.m.MarkSynced(ctx, &jobs.Job{Job: &saved}); err != nil {
		t.Fatal(err)
	}
	if _, ours, err := e.m.LockJobSync(ctx, stale); err != nil || ours {
		t.Fatalf("LockJobSync of a job synced since = %v, %v; want to leave it", ours, err)
	}
	if err := e.reg.SetSynced(ctx, "j2", time.Time{}); err != nil { // not exported after all
		t.Fatal(err)
	}
	lock, ours, err = e.m.LockJobSync(ctx, stale)
	if err != nil || !ours || stale.CompletedAt.IsZero() {
		t.Fatalf("LockJobSync of an ended job not synced = %v, %v, completed %v; want it, reloaded", ours, err, stale.CompletedAt)
	}
	lock.Unlock()

	if err := e.reg.Delete(ctx, "j2"); err != nil {
		t.Fatal(err)
	}
	if _, ours, err := e.m.LockJobSync(ctx, stale); err != nil || ours {
		t.Fatalf("LockJobSync of a forgotten job = %v, %v; want to leave it", ours, err)
	}
}

// endedJob records job id with one completed part.
func endedJob(t *testing.T, e *testEnv, id string) *store.Job {
	t.Helper()
	j := &store.Job{ID: id, Provider: "fake", Parts: []store.Part{{Index: 1, BatchID: "b-" + id, Status: "completed", Requests: 1}}}
	if err := e.reg.CreateJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if j.CompletedAt.IsZero() {
		t.Fatal("a job whose parts all completed has no completion time")
	}
	return j
}
