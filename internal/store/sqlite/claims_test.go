package sqlite

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

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

func TestReserveJobReplacesAJobNotReused(t *testing.T) {
	s, _ := openTest(t)
	first := &store.Job{ID: "j1", Fingerprint: "fp"}
	if held, err := s.ReserveJob(t.Context(), first, func(*store.Job) bool { return true }); err != nil || held != nil {
		t.Fatalf("first ReserveJob = %v, %v", held, err)
	}
	second := &store.Job{ID: "j2", Fingerprint: "fp"}
	held, err := s.ReserveJob(t.Context(), second, func(j *store.Job) bool { return j.ID != "j1" })
	if err != nil || held != nil {
		t.Fatalf("second ReserveJob = %v, %v; want j2 recorded", held, err)
	}
	third := &store.Job{ID: "j3", Fingerprint: "fp"}
	held, err = s.ReserveJob(t.Context(), third, func(*store.Job) bool { return true })
	if err != nil || held == nil || held.ID != "j2" {
		t.Fatalf("third ReserveJob = %v, %v; want j2, the claim's new holder", held, err)
	}
}

func TestAttempts(t *testing.T) {
	s, _ := openTest(t)
	if err := s.CreateJob(t.Context(), &store.Job{ID: "j1", Parts: []store.Part{{Index: 1}, {Index: 2}}}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	for _, part := range []int{1, 1, 2} {
		a := &store.Attempt{Job: "j1", Part: part, Tag: "t", StartedAt: t0, SettleAt: t0.Add(time.Minute)}
		if err := s.AddAttempt(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SettleAttempt(t.Context(), "j1", 1, 2, "batch_x"); err != nil {
		t.Fatal(err)
	}
	open, err := s.OpenAttempts(t.Context(), "j1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range open {
		got = append(got, fmt.Sprintf("%d#%d %s", a.Part, a.N, a.SettleAt.Format(time.TimeOnly)))
	}
	if want := "[1#1 20:01:00 2#1 20:01:00]"; fmt.Sprint(got) != want {
		t.Errorf("open attempts = %v, want %s", got, want)
	}
	if err := s.SettleAttempt(t.Context(), "j1", 3, 1, ""); err == nil {
		t.Error("settling an attempt that does not exist succeeded")
	}
}
