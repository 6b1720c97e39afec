package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// Several writers at once.

// testConcurrentWriters has 20 goroutines share one registry, as the
// Manager's callers may: each creates a job of two parts and saves both
// parts 5 times, while the others do the same. No write may fail or be
// lost.
func testConcurrentWriters(t *testing.T, open Opener) {
	const workers, updates = 20, 5
	s, _ := openTest(t, open)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { errs <- WriteJob(t.Context(), s, fmt.Sprintf("j%02d", w), updates) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	list, err := s.List(t.Context(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != workers {
		t.Fatalf("%d jobs, want %d", len(list), workers)
	}
	for _, j := range list {
		if j.Status != string(providers.StatusCompleted) || j.Counts.Succeeded != 2*updates || len(j.Parts) != 2 {
			t.Errorf("job %s: status %q, %d succeeded in %d parts; want completed, %d in 2",
				j.ID, j.Status, j.Counts.Succeeded, len(j.Parts), 2*updates)
		}
	}
}

// WriteJob is what each writer of a concurrency test does: it creates job
// id in s and saves its two parts updates times each, the last time as
// completed. A backend's own tests of several handles on one registry
// (processes, connections) use it too.
func WriteJob(ctx context.Context, s jobs.Registry, id string, updates int) error {
	if err := s.CreateJob(ctx, &store.Job{ID: id, Parts: []store.Part{{Index: 1}, {Index: 2}}}); err != nil {
		return err
	}
	for n := 1; n <= updates; n++ {
		status := providers.StatusInProgress
		if n == updates {
			status = providers.StatusCompleted
		}
		for idx := 1; idx <= 2; idx++ {
			p := store.Part{Index: idx, Status: string(status), Counts: providers.Counts{Total: updates, Succeeded: n}}
			if err := s.SavePart(ctx, id, p); err != nil {
				return err
			}
		}
	}
	return nil
}
