package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/store"
)

// The reservation of identical creates and the create attempts that
// exactly-once submission stands on (see jobs.Manager.Create).

func testReserveJobReplacesAJobNotReused(t *testing.T, open Opener) {
	s := open(t, time.Now)
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

func testAttempts(t *testing.T, open Opener) {
	s := open(t, time.Now)
	if err := s.CreateJob(t.Context(), &store.Job{ID: "j1", Parts: []store.Part{{Index: 1}, {Index: 2}}}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	for _, part := range []int{1, 1, 2} {
		a := &store.Attempt{Job: "j1", Part: part, Tag: "t", StartedAt: start, SettleAt: start.Add(time.Minute)}
		if err := s.AddAttempt(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SettleAttempt(t.Context(), "j1", 1, 2, "batch_x"); err != nil {
		t.Fatal(err)
	}
	openAttempts, err := s.OpenAttempts(t.Context(), "j1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range openAttempts {
		got = append(got, fmt.Sprintf("%d#%d %s", a.Part, a.N, a.SettleAt.Format(time.TimeOnly)))
	}
	if want := "[1#1 20:01:00 2#1 20:01:00]"; fmt.Sprint(got) != want {
		t.Errorf("open attempts = %v, want %s", got, want)
	}
	if err := s.SettleAttempt(t.Context(), "j1", 3, 1, ""); err == nil {
		t.Error("settling an attempt that does not exist succeeded")
	}
}
