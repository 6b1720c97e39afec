package sqlite

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/batchctl/batchctl/internal/store"
)

// TestReserveJobOnce has ten stores, as ten identical creates would,
// reserve one fingerprint at once: one job is recorded and the nine others
// get it.
func TestReserveJobOnce(t *testing.T) {
	const workers = 10
	path := filepath.Join(t.TempDir(), "batchctl.db")
	s0, err := Open(t.Context(), path) // migrated before the race
	if err != nil {
		t.Fatal(err)
	}
	defer s0.Close()

	start := make(chan struct{})
	got := make(chan string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s, err := Open(t.Context(), path)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			j := &store.Job{ID: fmt.Sprintf("j%02d", w), Fingerprint: "fp", Parts: []store.Part{{Index: 1, Requests: 1}}}
			<-start
			held, err := s.ReserveJob(t.Context(), j, func(*store.Job) bool { return true })
			switch {
			case err != nil:
				t.Error(err)
			case held != nil:
				got <- held.ID
			default:
				got <- j.ID
			}
		})
	}
	close(start)
	wg.Wait()
	close(got)
	ids := map[string]int{}
	for id := range got {
		ids[id]++
	}
	if len(ids) != 1 {
		t.Fatalf("the reservations gave jobs %v, want one job for all %d", ids, workers)
	}
	all, err := s0.List(t.Context(), store.Filter{})
	if err != nil || len(all) != 1 {
		t.Fatalf("registry holds %d jobs (%v), want 1", len(all), err)
	}
}
