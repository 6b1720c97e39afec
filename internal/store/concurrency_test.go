package store

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// TestConcurrentStores has 20 stores, as 20 batchctl processes would, open
// one fresh database at once and write to it at once.
func TestConcurrentStores(t *testing.T) {
	const workers, updates = 20, 5
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "batchctl.db")

	start := make(chan struct{})
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			<-start
			errs <- work(t, path, fmt.Sprintf("j%02d", w), updates)
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	jobs, err := s.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != workers {
		t.Fatalf("%d jobs, want %d", len(jobs), workers)
	}
	for _, j := range jobs {
		if j.Status != "completed" || j.Counts.Succeeded != 2*updates || len(j.Parts) != 2 {
			t.Errorf("job %s: status %s, %d succeeded, %d parts; want completed, %d, 2",
				j.ID, j.Status, j.Counts.Succeeded, len(j.Parts), 2*updates)
		}
	}
}

// work opens its own store on path, creates job id and saves its two parts
// updates times each.
func work(t *testing.T, path, id string, updates int) error {
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.CreateJob(ctx, &Job{ID: id, Parts: []Part{{Index: 1}, {Index: 2}}}); err != nil {
		return err
	}
	for n := 1; n <= updates; n++ {
		status := providers.StatusInProgress
		if n == updates {
			status = providers.StatusCompleted
		}
		for idx := 1; idx <= 2; idx++ {
			p := Part{Index: idx, Status: string(status), Counts: providers.Counts{Total: updates, Succeeded: n}}
			if err := s.SavePart(ctx, id, p); err != nil {
				return err
			}
		}
	}
	return nil
}
