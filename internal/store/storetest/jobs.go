package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// Creating, deleting and finding jobs, and new job ids.

func testCreateJobRoundTrip(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	mustCreate(t, s, store.Job{ID: "jparent"})
	in := fullJob()
	got := mustCreate(t, s, in)

	want := inUTC(in)
	want.Parts[0], want.Parts[1] = want.Parts[1], want.Parts[0] // ordered by index
	want.Status = "in_progress"
	want.Counts = providers.Counts{Total: 3, Succeeded: 1, Failed: 1}
	want.Usage = providers.Usage{InputTokens: 120, OutputTokens: 34}
	if !reflect.DeepEqual(inUTC(got), want) {
		t.Errorf("CreateJob left\n%+v\nwant\n%+v", got, want)
	}
	stored := mustGet(t, s, in.ID)
	if !reflect.DeepEqual(*stored, want) {
		t.Errorf("Get = \n%+v\nwant\n%+v", *stored, want)
	}
	if stored.CreatedAt.Location() != time.UTC || stored.Parts[0].CompletedAt.Location() != time.UTC {
		t.Error("times not returned in UTC")
	}
}

func testCreateJobDefaults(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	got := mustCreate(t, s, store.Job{ID: "jmin", Parts: []store.Part{{Index: 1}}})
	want := store.Job{
		ID: "jmin", Status: "unsubmitted", CreatedAt: t0, UpdatedAt: t0,
		Parts: []store.Part{{Index: 1, CreatedAt: t0, UpdatedAt: t0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CreateJob left %+v, want %+v", got, want)
	}
	if stored := mustGet(t, s, "jmin"); !reflect.DeepEqual(*stored, want) {
		t.Errorf("Get = %+v, want %+v", *stored, want)
	}

	noParts := mustCreate(t, s, store.Job{ID: "jnone", Metadata: map[string]string{}})
	stored := mustGet(t, s, "jnone")
	if stored.Status != "" || stored.Parts != nil || stored.Metadata == nil || len(stored.Metadata) != 0 {
		t.Errorf("job without parts = %+v, want empty status, no parts, empty metadata", stored)
	}
	if !reflect.DeepEqual(*stored, noParts) {
		t.Errorf("Get = %+v, want %+v", *stored, noParts)
	}
}

func testCreateJobTerminal(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	got := mustCreate(t, s, store.Job{ID: "jdone", Parts: []store.Part{{Index: 1, Status: "expired"}}})
	if got.Status != "expired" || !got.CompletedAt.Equal(t0) {
		t.Errorf("status %q completed %v, want expired at %v", got.Status, got.CompletedAt, t0)
	}
}

func testCreateJobErrors(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	mustCreate(t, s, store.Job{ID: "jtaken", Name: "first"})
	mustCreate(t, s, store.Job{ID: "jparent"})
	tests := []struct {
		name   string
		job    store.Job
		want   string
		target error
	}{
		{"taken id", store.Job{ID: "jtaken", Name: "second", Parts: []store.Part{{Index: 1}}}, `create job "jtaken": already exists`, store.ErrExists},
		{"taken id, known parent", store.Job{ID: "jtaken", ParentID: "jparent"}, `create job "jtaken": already exists`, store.ErrExists},
		{"unknown parent", store.Job{ID: "jx", ParentID: "jnope", Parts: []store.Part{{Index: 1}}}, `create job "jx": parent job "jnope" not found`, store.ErrNotFound},
		{"own parent", store.Job{ID: "jx", ParentID: "jx"}, `create job "jx": parent job "jx" not found`, store.ErrNotFound},
		{"empty id", store.Job{}, "create job: empty id", nil},
		{"zero index", store.Job{ID: "jx", Parts: []store.Part{{Index: 0}}}, `create job "jx": part index 0: must be at least 1`, nil},
		{"repeated index", store.Job{ID: "jx", Parts: []store.Part{{Index: 1}, {Index: 1}}}, `create job "jx": part index 1: repeated`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := tt.job
			err := s.CreateJob(t.Context(), &j)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("error %v does not wrap %v", err, tt.target)
			}
			if !reflect.DeepEqual(j, tt.job) {
				t.Errorf("failed CreateJob changed its argument to %+v", j)
			}
		})
	}
	if j := mustGet(t, s, "jtaken"); j.Name != "first" || j.ParentID != "" || len(j.Parts) != 0 {
		t.Errorf("taken job became %+v", j)
	}
	if _, err := s.Get(t.Context(), "jx"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(jx) after failed creates: error = %v, want not found", err)
	}
}

func testDelete(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1, BatchID: "batch_1"}}})
	mustCreate(t, s, store.Job{ID: "j2", Parts: []store.Part{{Index: 1, BatchID: "batch_2"}}})
	if err := s.Delete(ctx, "j1"); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"j1", "batch_1"} {
		if _, err := s.Get(ctx, ref); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) after delete: error = %v, want not found", ref, err)
		}
	}
	if j := mustGet(t, s, "batch_2"); j.ID != "j2" || len(j.Parts) != 1 {
		t.Errorf("other job = %+v", j)
	}
	err := s.Delete(ctx, "j1")
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `delete job "j1": not found` {
		t.Errorf("second delete: error = %v", err)
	}
}

func testDeleteUnknownJob(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	err := s.Delete(t.Context(), "jnope")
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `delete job "jnope": not found` {
		t.Errorf("error = %v, want not found", err)
	}
}

func testGet(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	jobs := []store.Job{
		{ID: "jab123", Name: "nightly", CreatedAt: t0},
		{ID: "jab456", Name: "nightly", CreatedAt: t0.Add(time.Hour)},
		{ID: "jab789", Name: "nightly", CreatedAt: t0.Add(-time.Hour)},
		{ID: "jcd789", Name: "jab", Parts: []store.Part{{Index: 1, BatchID: "batch_c"}}},
		{ID: "jef000", Name: "jab123", Parts: []store.Part{{Index: 1, BatchID: "batch_e"}, {Index: 2, BatchID: "jcd"}}},
		{ID: "jgh111", Parts: []store.Part{{Index: 1, BatchID: "batch_dup"}}},
		{ID: "jgh222", Parts: []store.Part{{Index: 2, BatchID: "batch_dup"}}},
		{ID: "j*1"},
		{ID: "jx1"},
		{ID: "j?a"},
		{ID: "j[b"},
	}
	for _, j := range jobs {
		mustCreate(t, s, j)
	}
	tests := []struct {
		ref    string
		wantID string
		why    string
	}{
		{"jab123", "jab123", "exact id beats a name"},
		{"batch_c", "jcd789", "batch id"},
		{"batch_e", "jef000", "batch id of the first part"},
		{"jcd", "jef000", "batch id beats an id prefix"},
		{"jab4", "jab456", "unique prefix"},
		{"jgh1", "jgh111", "unique prefix"},
		{"nightly", "jab456", "newest job of a name"},
		{"jab", "jcd789", "exact name beats an ambiguous prefix"},
		{"j*", "j*1", "prefix taken literally"},
		{"j?", "j?a", "prefix taken literally"},
		{"j[", "j[b", "prefix taken literally"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			j, err := s.Get(t.Context(), tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			if j.ID != tt.wantID {
				t.Errorf("Get(%q) = %s, want %s (%s)", tt.ref, j.ID, tt.wantID, tt.why)
			}
		})
	}
}

func testGetErrors(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	for _, j := range []store.Job{
		{ID: "jgh111", Parts: []store.Part{{Index: 1, BatchID: "batch_dup"}}},
		{ID: "jgh222", Name: "batch_dup", Parts: []store.Part{{Index: 2, BatchID: "batch_dup"}}},
		{ID: "jab1", Name: "Nightly"},
	} {
		mustCreate(t, s, j)
	}
	tests := []struct {
		ref            string
		want           string
		wantCandidates []string
	}{
		{"jgh", `"jgh" matches 2 jobs: jgh111, jgh222`, []string{"jgh111", "jgh222"}},
		{"batch_dup", `"batch_dup" matches 2 jobs: jgh111, jgh222`, []string{"jgh111", "jgh222"}},
		{"nope", `job "nope" not found`, nil},
		{"", `job "" not found`, nil},
		{"JAB1", `job "JAB1" not found`, nil},
		{"nightly", `job "nightly" not found`, nil},
		{"jab1x", `job "jab1x" not found`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			j, err := s.Get(t.Context(), tt.ref)
			if err == nil {
				t.Fatalf("Get = %s, want error %q", j.ID, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			var amb *store.AmbiguousError
			switch {
			case tt.wantCandidates == nil && !errors.Is(err, store.ErrNotFound):
				t.Errorf("error %v does not wrap ErrNotFound", err)
			case tt.wantCandidates != nil && !errors.As(err, &amb):
				t.Errorf("error %v is no *AmbiguousError", err)
			case amb != nil && (amb.Ref != tt.ref || !slices.Equal(amb.Candidates, tt.wantCandidates)):
				t.Errorf("AmbiguousError = %+v, want candidates %v", amb, tt.wantCandidates)
			}
		})
	}
}

func testList(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	for _, j := range []store.Job{
		{ID: "j1", Provider: "openai", Name: "a", User: "alice", Host: "ci-1", CreatedAt: t0, Parts: []store.Part{{Index: 1, Status: "completed"}}},
		{ID: "j2", Provider: "anthropic", Name: "b", CreatedAt: t0.Add(1 * time.Hour), Parts: []store.Part{{Index: 1, Status: "in_progress"}, {Index: 2, Status: "completed"}}},
		{ID: "j3", Provider: "openai", Name: "a", User: "alice", Host: "laptop", CreatedAt: t0.Add(2 * time.Hour), Parts: []store.Part{{Index: 1, Status: "failed"}}, ParentID: "j1", Fingerprint: "fp"},
		{ID: "j4", Provider: "openai", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "j5", Provider: "gemini", Name: "a", User: "bob", Host: "ci-1", CreatedAt: t0.Add(4 * time.Hour), Parts: []store.Part{{Index: 1, Status: "in_progress", Raw: []byte("{}")}}},
		{ID: "j0", Provider: "openai", CreatedAt: t0.Add(4 * time.Hour)}, // same time as j5: id breaks the tie
	} {
		mustCreate(t, s, j)
	}
	// j1 is terminal and synced; j5 was marked synced while running.
	for _, id := range []string{"j1", "j5"} {
		if err := s.SetSynced(ctx, id, t0.Add(5*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		filter store.Filter
		want   []string
	}{
		{"all, newest first", store.Filter{}, []string{"j5", "j0", "j4", "j3", "j2", "j1"}},
		{"provider", store.Filter{Provider: "openai"}, []string{"j0", "j4", "j3", "j1"}},
		{"one status", store.Filter{Statuses: []string{"in_progress"}}, []string{"j5", "j2"}},
		{"statuses", store.Filter{Statuses: []string{"completed", "failed"}}, []string{"j3", "j1"}},
		{"no status yet", store.Filter{Statuses: []string{""}}, []string{"j0", "j4"}},
		{"name", store.Filter{Name: "a"}, []string{"j5", "j3", "j1"}},
		{"user", store.Filter{User: "alice"}, []string{"j3", "j1"}},
		{"host", store.Filter{Host: "ci-1"}, []string{"j5", "j1"}},
		{"user and host", store.Filter{User: "alice", Host: "ci-1"}, []string{"j1"}},
		{"a user no job has", store.Filter{User: "carol"}, nil},
		{"since is inclusive", store.Filter{Since: t0.Add(2 * time.Hour)}, []string{"j5", "j0", "j4", "j3"}},
		{"before is exclusive", store.Filter{Before: t0.Add(2 * time.Hour)}, []string{"j2", "j1"}},
		{"since and before", store.Filter{Since: t0.Add(time.Hour), Before: t0.Add(4 * time.Hour)}, []string{"j4", "j3", "j2"}},
		{"terminal", store.Filter{Terminal: true}, []string{"j3", "j1"}},
		{"prune: terminal before", store.Filter{Terminal: true, Before: t0.Add(2 * time.Hour)}, []string{"j1"}},
		{"needs sync", store.Filter{NeedsSync: true}, []string{"j5", "j0", "j4", "j3", "j2"}},
		{"needs sync, terminal", store.Filter{NeedsSync: true, Terminal: true}, []string{"j3"}},
		{"limit", store.Filter{Limit: 2}, []string{"j5", "j0"}},
		{"combined", store.Filter{Provider: "openai", Name: "a", Since: t0.Add(time.Minute), Limit: 5}, []string{"j3"}},
		{"nothing", store.Filter{Provider: "nope"}, nil},
		{"after", store.Filter{After: "j4"}, []string{"j3", "j2", "j1"}},
		{"after a job created at the same time: the id breaks the tie", store.Filter{After: "j5"}, []string{"j0", "j4", "j3", "j2", "j1"}},
		{"after, a page", store.Filter{After: "j0", Limit: 2}, []string{"j4", "j3"}},
		{"after, the last page", store.Filter{After: "j2", Limit: 2}, []string{"j1"}},
		{"after, filtered: the cursor need not match the filter", store.Filter{Provider: "openai", After: "j5"}, []string{"j0", "j4", "j3", "j1"}},
		{"after the oldest", store.Filter{After: "j1"}, nil},
		{"after an unknown job", store.Filter{After: "nosuch"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs, err := s.List(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range jobs {
				want := mustGet(t, s, j.ID)
				for i := range want.Parts {
					want.Parts[i].Raw = nil // List leaves the raw batch out
				}
				if !reflect.DeepEqual(j, want) {
					t.Errorf("listed %+v, Get gives %+v", j, want)
				}
			}
			if ids := jobIDs(jobs); !slices.Equal(ids, tt.want) {
				t.Errorf("List = %v, want %v", ids, tt.want)
			}
		})
	}
}

func testJobIDs(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	for _, j := range []store.Job{
		{ID: "jab123", Name: "nightly"},
		{ID: "jab456", Name: "nightly"},
		{ID: "jcd789", Name: "jab123"},
		{ID: "jef000", Name: "j*x"},
	} {
		mustCreate(t, s, j)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"j*x", "jab123", "jab456", "jcd789", "jef000", "nightly"}},
		{"jab", []string{"jab123", "jab456"}},
		{"n", []string{"nightly"}},
		{"j*", []string{"j*x"}},
		{"x", nil},
	}
	for _, tt := range tests {
		got, err := s.JobIDs(t.Context(), tt.prefix)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("JobIDs(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

func testNewID(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	ctx := t.Context()
	mustCreate(t, s, store.Job{ID: "jaaaaa"})

	ids := make(map[string]bool)
	for range 50 {
		id, err := s.NewID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^j[a-z0-9]{5}$`).MatchString(id) {
			t.Errorf("id %q does not match j[a-z0-9]{5}", id)
		}
		ids[id] = true
	}
	if len(ids) < 49 {
		t.Errorf("%d distinct ids out of 50", len(ids))
	}

}

func testFindByFingerprint(t *testing.T, open Opener) {
	s, _ := openTest(t, open)
	for _, j := range []store.Job{
		{ID: "j1", Fingerprint: "fpA", CreatedAt: t0, Parts: []store.Part{{Index: 1, BatchID: "batch_1"}}},
		{ID: "j2", Fingerprint: "fpA", CreatedAt: t0.Add(time.Hour)},
		{ID: "j4", Fingerprint: "fpA", CreatedAt: t0.Add(2 * time.Hour), Parts: []store.Part{{Index: 1, Status: "completed"}}},
		{ID: "j3", Fingerprint: "fpA", CreatedAt: t0.Add(2 * time.Hour)}, // same time as j4: the greater id wins
		{ID: "j5", Fingerprint: "fpB", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "j6", CreatedAt: t0.Add(4 * time.Hour)},
		{ID: "j7", Fingerprint: "fpC", CreatedAt: t0.Add(-time.Hour)},
	} {
		mustCreate(t, s, j)
	}
	tests := []struct {
		name  string
		fp    string
		since time.Time
		want  string // job id, "" for not found
	}{
		{"newest wins", "fpA", t0, "j4"},
		{"zero since is any time", "fpA", time.Time{}, "j4"},
		{"since is inclusive", "fpA", t0.Add(2 * time.Hour), "j4"},
		{"since after the newest", "fpA", t0.Add(2*time.Hour + time.Nanosecond), ""},
		{"since in another zone", "fpA", t0.Add(2 * time.Hour).In(time.FixedZone("X", 7200)), "j4"},
		{"only one match", "fpB", t0, "j5"},
		{"older than since", "fpC", t0, ""},
		{"older, zero since", "fpC", time.Time{}, "j7"},
		{"fingerprints are exact", "fpa", time.Time{}, ""},
		{"prefix is no match", "fp", time.Time{}, ""},
		{"empty never matches", "", time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := s.FindByFingerprint(t.Context(), tt.fp, tt.since)
			if tt.want == "" {
				want := fmt.Sprintf("find job by fingerprint %q: not found", tt.fp)
				if !errors.Is(err, store.ErrNotFound) || err.Error() != want {
					t.Errorf("FindByFingerprint = %v, %v; want error %q", j, err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := mustGet(t, s, tt.want); !reflect.DeepEqual(j, want) {
				t.Errorf("FindByFingerprint = %+v, want %+v", j, want)
			}
		})
	}
}
