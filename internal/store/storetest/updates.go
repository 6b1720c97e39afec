package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// Recording the parts and sync marks of existing jobs.

func testSavePart(t *testing.T, open Opener) {
	s, clk := openTest(t, open)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1}, {Index: 2}}})

	steps := []struct {
		name          string
		part          store.Part
		wantStatus    string
		wantCounts    providers.Counts
		wantCompleted time.Time
	}{
		{
			name:       "first part starts",
			part:       store.Part{Index: 1, BatchID: "batch_1", Status: "in_progress", Counts: providers.Counts{Total: 4, Succeeded: 1}},
			wantStatus: "unsubmitted", wantCounts: providers.Counts{Total: 4, Succeeded: 1},
		},
		{
			name:       "second part starts",
			part:       store.Part{Index: 2, BatchID: "batch_2", Status: "finalizing", Counts: providers.Counts{Total: 6}},
			wantStatus: "in_progress", wantCounts: providers.Counts{Total: 10, Succeeded: 1},
		},
		{
			name:       "a third part appears",
			part:       store.Part{Index: 3, BatchID: "batch_3", Status: "completed", Counts: providers.Counts{Total: 1, Succeeded: 1}, CompletedAt: t0.Add(time.Minute)},
			wantStatus: "in_progress", wantCounts: providers.Counts{Total: 11, Succeeded: 2},
		},
		{
			name:       "first part completes",
			part:       store.Part{Index: 1, BatchID: "batch_1", Status: "completed", Counts: providers.Counts{Total: 4, Succeeded: 4}, CompletedAt: t0.Add(3 * time.Minute)},
			wantStatus: "finalizing", wantCounts: providers.Counts{Total: 11, Succeeded: 5},
		},
		{
			name:       "second part fails",
			part:       store.Part{Index: 2, BatchID: "batch_2", Status: "failed", Counts: providers.Counts{Total: 6, Failed: 6}, CompletedAt: t0.Add(2 * time.Minute)},
			wantStatus: "failed", wantCounts: providers.Counts{Total: 11, Succeeded: 5, Failed: 6}, wantCompleted: t0.Add(3 * time.Minute),
		},
	}
	for i, step := range steps {
		clk.now = t0.Add(time.Duration(i+1) * time.Hour)
		if err := s.SavePart(ctx, "j1", step.part); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		j := mustGet(t, s, "j1")
		if j.Status != step.wantStatus || j.Counts != step.wantCounts || !j.CompletedAt.Equal(step.wantCompleted) || !j.UpdatedAt.Equal(clk.now) {
			t.Errorf("%s: job status %q counts %+v completed %v updated %v; want %q %+v %v %v", step.name,
				j.Status, j.Counts, j.CompletedAt, j.UpdatedAt, step.wantStatus, step.wantCounts, step.wantCompleted, clk.now)
		}
		got := j.Parts[step.part.Index-1]
		want := step.part
		want.UpdatedAt = clk.now
		want.CreatedAt = t0 // kept from CreateJob
		if step.part.Index == 3 {
			want.CreatedAt = t0.Add(3 * time.Hour) // new in step 3
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: part = %+v, want %+v", step.name, got, want)
		}
		if j.CreatedAt != t0 {
			t.Errorf("%s: job created at %v, want %v", step.name, j.CreatedAt, t0)
		}
	}
}

func testSavePartRoundTrip(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1}}})
	zone := time.FixedZone("PST", -8*3600)
	p := store.Part{
		Index: 1, BatchID: "batch_1", Status: "cancelled", ProviderStatus: "cancelled",
		Counts: providers.Counts{Total: 9, Succeeded: 5, Failed: 3},
		// A detail count known to be 0, one not reported (nil), one large.
		Usage: providers.Usage{InputTokens: 1 << 40, OutputTokens: 77, CacheReadInputTokens: new(int64), ReasoningTokens: count(1 << 33),
			CacheCreationInputTokens: count(1 << 34), CacheCreation1hInputTokens: 1 << 32},
		UsageKnown: true,
		Requests:   9, Bytes: 123456789, InputFileID: "file-in", OutputFileID: "file-out", ErrorFileID: "file-err",
		Errors: []providers.BatchError{
			{Code: "invalid_json", Message: "line 3 is not JSON", Param: "body", Line: 3},
			{Message: "too many lines"},
		},
		Raw:       []byte(`{"id":"batch_1","status":"cancelled"}`),
		CreatedAt: t0.Add(-time.Hour).In(zone), UpdatedAt: t0.Add(-time.Minute).In(zone), CompletedAt: t0.Add(-2 * time.Minute).In(zone),
		Tokens: 1 << 35, QueuedWhy: "behind part 1", NotBefore: t0.Add(time.Minute).In(zone),
		Cost: &store.Cost{USD: 1234.000000123, Rates: store.RatesSync, PriceSource: "/home/u/.batchctl/prices.yaml", PriceDate: "2026-12-06"},
	}
	if err := s.SavePart(t.Context(), "j1", p); err != nil {
		t.Fatal(err)
	}
	j := mustGet(t, s, "j1")
	want := p
	want.CreatedAt, want.UpdatedAt, want.CompletedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC(), p.CompletedAt.UTC()
	want.NotBefore = p.NotBefore.UTC()
	if !reflect.DeepEqual(j.Parts, []store.Part{want}) {
		t.Errorf("parts = %+v, want %+v", j.Parts, []store.Part{want})
	}
	if j.Status != "cancelled" || !j.CompletedAt.Equal(p.CompletedAt) || !reflect.DeepEqual(j.Usage, p.Usage) || j.Counts != p.Counts {
		t.Errorf("job = %+v, want it aggregated from the part", j)
	}
}

// testSavePartKeepsRecordedCost checks that a part's cost, once recorded,
// is what it was priced at then: a save with another cost, or none, keeps
// it; a cost of 0 (a free model) is a cost, not "none".
func testSavePartKeepsRecordedCost(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1}, {Index: 2}}})
	first := &store.Cost{USD: 0.0123, Rates: store.RatesBatch, PriceSource: "https://example.com/pricing", PriceDate: "2026-12-01"}
	free := &store.Cost{USD: 0, Rates: store.RatesSync, PriceSource: "built-in", PriceDate: "2026-12-02"}
	saves := []struct {
		name string
		part store.Part
	}{
		{"part 1 without a cost", store.Part{Index: 1, Status: "in_progress"}},
		{"part 1 priced", store.Part{Index: 1, Status: "completed", Cost: first}},
		{"part 1 priced again at other prices", store.Part{Index: 1, Status: "completed",
			Cost: &store.Cost{USD: 9, Rates: store.RatesSync, PriceSource: "other", PriceDate: "2027-01-01"}}},
		{"part 1 saved without its cost", store.Part{Index: 1, Status: "completed", OutputFileID: "file-out"}},
		{"part 2 free", store.Part{Index: 2, Status: "completed", Cost: free}},
	}
	for _, save := range saves {
		if err := s.SavePart(ctx, "j1", save.part); err != nil {
			t.Fatalf("%s: %v", save.name, err)
		}
	}
	j := mustGet(t, s, "j1")
	for i, want := range []*store.Cost{first, free} {
		if got := j.Parts[i].Cost; !reflect.DeepEqual(got, want) {
			t.Errorf("part %d cost = %+v, want %+v", i+1, got, want)
		}
	}
	listed, err := s.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := listed[0].Parts[0].Cost; !reflect.DeepEqual(got, first) {
		t.Errorf("listed part 1 cost = %+v, want %+v", got, first)
	}
}

func testSavePartWithoutCompletionTime(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1}}})
	if err := s.SavePart(t.Context(), "j1", store.Part{Index: 1, Status: "expired"}); err != nil {
		t.Fatal(err)
	}
	if j := mustGet(t, s, "j1"); j.Status != "expired" || !j.CompletedAt.Equal(t0) {
		t.Errorf("job %q completed at %v, want expired at %v (now: the part has no time)", j.Status, j.CompletedAt, t0)
	}
}

func testSavePartKeepsCompletionTime(t *testing.T, open Opener) {
	s, clk := openTest(t, open)
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1, Status: "completed"}}})
	clk.now = t0.Add(time.Hour)
	if err := s.SavePart(t.Context(), "j1", store.Part{Index: 1, Status: "completed", OutputFileID: "file-out"}); err != nil {
		t.Fatal(err)
	}
	if j := mustGet(t, s, "j1"); !j.CompletedAt.Equal(t0) || !j.UpdatedAt.Equal(clk.now) {
		t.Errorf("completed %v updated %v, want %v and %v", j.CompletedAt, j.UpdatedAt, t0, clk.now)
	}
}

func testSavePartKeepsJobFields(t *testing.T, open Opener) {
	s, clk := openTest(t, open)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "jparent"})
	mustCreate(t, s, store.Job{ID: "j1", ParentID: "jparent", Fingerprint: "fp1", Parts: []store.Part{{Index: 1}}})
	synced := t0.Add(time.Minute)
	if err := s.SetSynced(ctx, "j1", synced); err != nil {
		t.Fatal(err)
	}
	clk.now = t0.Add(time.Hour)
	if err := s.SavePart(ctx, "j1", store.Part{Index: 1, Status: "completed"}); err != nil {
		t.Fatal(err)
	}
	j := mustGet(t, s, "j1")
	if j.ParentID != "jparent" || j.Fingerprint != "fp1" || !j.SyncedAt.Equal(synced) {
		t.Errorf("after SavePart: parent %q fingerprint %q synced %v, want jparent fp1 %v", j.ParentID, j.Fingerprint, j.SyncedAt, synced)
	}
	if j.Status != "completed" || !j.UpdatedAt.Equal(clk.now) {
		t.Errorf("after SavePart: status %q updated %v, want completed %v", j.Status, j.UpdatedAt, clk.now)
	}
}

func testSavePartErrors(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	mustCreate(t, s, store.Job{ID: "j1"})
	err := s.SavePart(t.Context(), "jnope", store.Part{Index: 1})
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `save part 1 of job "jnope": not found` {
		t.Errorf("unknown job: error = %v", err)
	}
	err = s.SavePart(t.Context(), "j1", store.Part{Index: -1})
	if err == nil || err.Error() != `save part of job "j1": part index -1: must be at least 1` {
		t.Errorf("bad index: error = %v", err)
	}
	if j := mustGet(t, s, "j1"); len(j.Parts) != 0 {
		t.Errorf("parts = %+v, want none", j.Parts)
	}
}

func testSetSynced(t *testing.T, open Opener) {
	s, clk := openTest(t, open)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1, Status: "completed"}}})
	clk.now = t0.Add(time.Hour)

	check := func(step string, wantSynced time.Time, wantNeedsSync bool) {
		t.Helper()
		j := mustGet(t, s, "j1")
		if j.SyncedAt != wantSynced || !j.UpdatedAt.Equal(t0) {
			t.Errorf("%s: synced %v updated %v, want %v and %v (unchanged)", step, j.SyncedAt, j.UpdatedAt, wantSynced, t0)
		}
		jobs, err := s.List(ctx, store.Filter{NeedsSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(jobs) == 1; got != wantNeedsSync {
			t.Errorf("%s: NeedsSync selects the job: %v, want %v", step, got, wantNeedsSync)
		}
	}
	check("new job", time.Time{}, true)
	for _, step := range []struct {
		name          string
		at            time.Time
		wantSynced    time.Time
		wantNeedsSync bool
	}{
		{"synced", t0.Add(time.Minute).In(time.FixedZone("EST", -5*3600)), t0.Add(time.Minute), false},
		{"synced again", t0.Add(2 * time.Minute), t0.Add(2 * time.Minute), false},
		{"unmarked", time.Time{}, time.Time{}, true},
	} {
		if err := s.SetSynced(ctx, "j1", step.at); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		check(step.name, step.wantSynced, step.wantNeedsSync)
	}

	err := s.SetSynced(ctx, "jnope", t0)
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `set synced time of job "jnope": not found` {
		t.Errorf("unknown job: error = %v", err)
	}
}

// A part whose batch the provider no longer has keeps its GoneAt, and sync
// has no work on a job once every unfinished part of it is gone.
func testGoneParts(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	goneAt := t0.Add(time.Hour).In(time.FixedZone("EST", -5*3600))
	running := func(i int) store.Part {
		return store.Part{Index: i, BatchID: fmt.Sprint("b", i), Status: "in_progress"}
	}
	gone := func(i int) store.Part { p := running(i); p.GoneAt = goneAt; return p }
	done := store.Part{Index: 1, BatchID: "b1", Status: "completed", CompletedAt: t0}
	mustCreate(t, s, store.Job{ID: "jgone", Parts: []store.Part{gone(1)}})
	mustCreate(t, s, store.Job{ID: "jhalf", Parts: []store.Part{gone(1), running(2)}})
	mustCreate(t, s, store.Job{ID: "jrun", Parts: []store.Part{running(1)}})
	mustCreate(t, s, store.Job{ID: "jrest", Parts: []store.Part{done, gone(2)}})
	mustCreate(t, s, store.Job{ID: "jlater", Parts: []store.Part{running(1)}})
	if err := s.SavePart(ctx, "jlater", gone(1)); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{"jgone", "jlater"} {
		if got := mustGet(t, s, id).Parts[0].GoneAt; !got.Equal(goneAt) || got.Location() != time.UTC {
			t.Errorf("%s: GoneAt = %v, want %v in UTC", id, got, goneAt)
		}
	}
	if got := mustGet(t, s, "jrun").Parts[0].GoneAt; !got.IsZero() {
		t.Errorf("jrun: GoneAt = %v, want zero", got)
	}
	list, err := s.List(ctx, store.Filter{NeedsSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jobIDs(list), []string{"jhalf", "jrun"}; !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("NeedsSync = %v, want %v", got, want)
	}
}

func count(n int64) *int64 { return &n }
