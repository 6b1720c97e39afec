package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// fullJob returns a job with every field set, its times in a zone other
// than UTC. Its parent is the job jparent.
func fullJob() store.Job {
	zone := time.FixedZone("CET", 3600)
	at := func(d time.Duration) time.Time { return t0.Add(d).In(zone) }
	return store.Job{
		ID:          "jfull1",
		Name:        "nightly eval",
		Provider:    "openai",
		Model:       "gpt-4o-mini",
		Endpoint:    "/v1/chat/completions",
		InputPath:   "-",
		InputSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Requests:    3,
		ParentID:    "jparent",
		Fingerprint: "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b",
		Target: store.Target{ProfileType: "openai", BaseURL: "http://127.0.0.1:8089/v1", AuthHeader: "bearer",
			APIKeyEnv: "OPENAI_API_KEY", CompletionWindow: "7d"},
		Metadata:  map[string]string{"team": "research", "run": "7"},
		CreatedAt: at(-time.Hour),
		UpdatedAt: at(-time.Minute),
		SyncedAt:  at(-2 * time.Minute),
		Parts: []store.Part{
			{
				Index: 2, BatchID: "batch_b", Status: "in_progress", ProviderStatus: "in_progress",
				Counts: providers.Counts{Total: 1}, Requests: 1, Bytes: 512, InputFileID: "file-in2",
				Errors:    []providers.BatchError{},
				Raw:       []byte(`{"id":"batch_b"}`),
				CreatedAt: at(-50 * time.Minute), UpdatedAt: at(-40 * time.Minute),
			},
			{
				Index: 1, BatchID: "batch_a", Status: "completed", ProviderStatus: "completed",
				Counts:   providers.Counts{Total: 2, Succeeded: 1, Failed: 1},
				Usage:    providers.Usage{InputTokens: 120, OutputTokens: 34},
				Requests: 2, Bytes: 1 << 40, InputFileID: "file-in1", OutputFileID: "file-out1", ErrorFileID: "file-err1",
				Raw:       []byte(`{"id":"batch_a","status":"completed"}`),
				CreatedAt: at(-55 * time.Minute), UpdatedAt: at(-30 * time.Minute), CompletedAt: at(-31 * time.Minute),
			},
		},
	}
}

// inUTC returns j with every time in UTC, as the store returns it.
func inUTC(j store.Job) store.Job {
	j.CreatedAt, j.UpdatedAt, j.CompletedAt, j.SyncedAt = utc(j.CreatedAt), utc(j.UpdatedAt), utc(j.CompletedAt), utc(j.SyncedAt)
	j.Parts = slices.Clone(j.Parts)
	for i := range j.Parts {
		p := &j.Parts[i]
		p.CreatedAt, p.UpdatedAt, p.CompletedAt = utc(p.CreatedAt), utc(p.UpdatedAt), utc(p.CompletedAt)
	}
	return j
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func mustCreate(t testing.TB, s *Store, j store.Job) store.Job {
	t.Helper()
	if err := s.CreateJob(t.Context(), &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// jobIDs returns the ids of jobs.
func jobIDs(jobs []*store.Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func mustGet(t *testing.T, s *Store, ref string) *store.Job {
	t.Helper()
	j, err := s.Get(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestCreateJobRoundTrip(t *testing.T) {
	s, _ := openTest(t)
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

func TestCreateJobDefaults(t *testing.T) {
	s, _ := openTest(t)
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

func TestCreateJobTerminal(t *testing.T) {
	s, _ := openTest(t)
	got := mustCreate(t, s, store.Job{ID: "jdone", Parts: []store.Part{{Index: 1, Status: "expired"}}})
	if got.Status != "expired" || !got.CompletedAt.Equal(t0) {
		t.Errorf("status %q completed %v, want expired at %v", got.Status, got.CompletedAt, t0)
	}
}

func TestCreateJobErrors(t *testing.T) {
	s, _ := openTest(t)
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

func TestSavePart(t *testing.T) {
	s, clk := openTest(t)
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

func TestSavePartRoundTrip(t *testing.T) {
	s, _ := openTest(t)
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1}}})
	zone := time.FixedZone("PST", -8*3600)
	p := store.Part{
		Index: 1, BatchID: "batch_1", Status: "cancelled", ProviderStatus: "cancelled",
		Counts:   providers.Counts{Total: 9, Succeeded: 5, Failed: 3},
		Usage:    providers.Usage{InputTokens: 1 << 40, OutputTokens: 77},
		Requests: 9, Bytes: 123456789, InputFileID: "file-in", OutputFileID: "file-out", ErrorFileID: "file-err",
		Errors: []providers.BatchError{
			{Code: "invalid_json", Message: "line 3 is not JSON", Param: "body", Line: 3},
			{Message: "too many lines"},
		},
		Raw:       []byte(`{"id":"batch_1","status":"cancelled"}`),
		CreatedAt: t0.Add(-time.Hour).In(zone), UpdatedAt: t0.Add(-time.Minute).In(zone), CompletedAt: t0.Add(-2 * time.Minute).In(zone),
	}
	if err := s.SavePart(t.Context(), "j1", p); err != nil {
		t.Fatal(err)
	}
	j := mustGet(t, s, "j1")
	want := p
	want.CreatedAt, want.UpdatedAt, want.CompletedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC(), p.CompletedAt.UTC()
	if !reflect.DeepEqual(j.Parts, []store.Part{want}) {
		t.Errorf("parts = %+v, want %+v", j.Parts, []store.Part{want})
	}
	if j.Status != "cancelled" || !j.CompletedAt.Equal(p.CompletedAt) || j.Usage != p.Usage || j.Counts != p.Counts {
		t.Errorf("job = %+v, want it aggregated from the part", j)
	}
}

func TestSavePartWithoutCompletionTime(t *testing.T) {
	s, _ := openTest(t)
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1}}})
	if err := s.SavePart(t.Context(), "j1", store.Part{Index: 1, Status: "expired"}); err != nil {
		t.Fatal(err)
	}
	if j := mustGet(t, s, "j1"); j.Status != "expired" || !j.CompletedAt.Equal(t0) {
		t.Errorf("job %q completed at %v, want expired at %v (now: the part has no time)", j.Status, j.CompletedAt, t0)
	}
}

func TestSavePartKeepsCompletionTime(t *testing.T) {
	s, clk := openTest(t)
	mustCreate(t, s, store.Job{ID: "j1", Parts: []store.Part{{Index: 1, Status: "completed"}}})
	clk.now = t0.Add(time.Hour)
	if err := s.SavePart(t.Context(), "j1", store.Part{Index: 1, Status: "completed", OutputFileID: "file-out"}); err != nil {
		t.Fatal(err)
	}
	if j := mustGet(t, s, "j1"); !j.CompletedAt.Equal(t0) || !j.UpdatedAt.Equal(clk.now) {
		t.Errorf("completed %v updated %v, want %v and %v", j.CompletedAt, j.UpdatedAt, t0, clk.now)
	}
}

func TestSavePartKeepsJobFields(t *testing.T) {
	s, clk := openTest(t)
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

func TestSavePartErrors(t *testing.T) {
	s, _ := openTest(t)
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

func TestDelete(t *testing.T) {
	s, _ := openTest(t)
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
	var parts int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM parts WHERE job_id = 'j1'").Scan(&parts); err != nil {
		t.Fatal(err)
	}
	if parts != 0 {
		t.Errorf("%d parts of the deleted job remain", parts)
	}
	if j := mustGet(t, s, "batch_2"); j.ID != "j2" || len(j.Parts) != 1 {
		t.Errorf("other job = %+v", j)
	}
	err := s.Delete(ctx, "j1")
	if !errors.Is(err, store.ErrNotFound) || err.Error() != `delete job "j1": not found` {
		t.Errorf("second delete: error = %v", err)
	}
}

func TestGet(t *testing.T) {
	s, _ := openTest(t)
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

func TestGetErrors(t *testing.T) {
	s, _ := openTest(t)
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

func TestList(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	for _, j := range []store.Job{
		{ID: "j1", Provider: "openai", Name: "a", CreatedAt: t0, Parts: []store.Part{{Index: 1, Status: "completed"}}},
		{ID: "j2", Provider: "anthropic", Name: "b", CreatedAt: t0.Add(1 * time.Hour), Parts: []store.Part{{Index: 1, Status: "in_progress"}, {Index: 2, Status: "completed"}}},
		{ID: "j3", Provider: "openai", Name: "a", CreatedAt: t0.Add(2 * time.Hour), Parts: []store.Part{{Index: 1, Status: "failed"}}, ParentID: "j1", Fingerprint: "fp"},
		{ID: "j4", Provider: "openai", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "j5", Provider: "gemini", Name: "a", CreatedAt: t0.Add(4 * time.Hour), Parts: []store.Part{{Index: 1, Status: "in_progress", Raw: []byte("{}")}}},
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

func TestJobIDs(t *testing.T) {
	s, _ := openTest(t)
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

// endless repeats one byte forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

func TestNewID(t *testing.T) {
	s, _ := openTest(t)
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

	tests := []struct {
		name    string
		entropy io.Reader
		want    string
		wantErr string
	}{
		{"alphabet ends", bytes.NewReader([]byte{25, 26, 35, 36, 71, 0, 0, 0, 0, 0}), "jz09a9", ""},
		{"biased bytes skipped", bytes.NewReader([]byte{252, 255, 1, 2, 3, 4, 5, 0, 0, 0}), "jbcdef", ""},
		{"taken id retried", io.MultiReader(bytes.NewReader(make([]byte, 10)), endless(1)), "jbbbbb", ""},
		{"every id taken", endless(0), "", "new job id: every one of 20 random ids was taken"},
		{"no entropy", bytes.NewReader([]byte{1, 2}), "", "new job id: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.rand = tt.entropy
			id, err := s.NewID(ctx)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("NewID = %q, %v; want error %q", id, err, tt.wantErr)
				}
				return
			}
			if err != nil || id != tt.want {
				t.Errorf("NewID = %q, %v; want %q", id, err, tt.want)
			}
		})
	}
}

func TestSetSynced(t *testing.T) {
	s, clk := openTest(t)
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

func TestFamily(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	// jroot ─┬─ jz1 ─┬─ jm3
	//        │       └─ jb3 (created with jm3: id breaks the tie)
	//        └─ ja2 ─── jc4
	// jother ── jkid, and jalone, are other families.
	for _, j := range []store.Job{
		{ID: "jroot", CreatedAt: t0, Parts: []store.Part{{Index: 1, BatchID: "batch_root", Status: "failed"}}},
		{ID: "jother", CreatedAt: t0.Add(30 * time.Minute)},
		{ID: "jz1", ParentID: "jroot", CreatedAt: t0.Add(1 * time.Hour), Parts: []store.Part{{Index: 1}, {Index: 2, BatchID: "batch_z1"}}},
		{ID: "ja2", ParentID: "jroot", CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "jm3", ParentID: "jz1", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "jb3", ParentID: "jz1", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "jc4", ParentID: "ja2", CreatedAt: t0.Add(4 * time.Hour)},
		{ID: "jkid", ParentID: "jother", CreatedAt: t0.Add(5 * time.Hour)},
		{ID: "jalone", CreatedAt: t0.Add(6 * time.Hour)},
	} {
		mustCreate(t, s, j)
	}
	whole := []string{"jroot", "jz1", "ja2", "jb3", "jm3", "jc4"}
	tests := []struct {
		id   string
		want []string
	}{
		{"jroot", whole},
		{"jz1", whole},
		{"ja2", whole},
		{"jm3", whole},
		{"jb3", whole},
		{"jc4", whole},
		{"jother", []string{"jother", "jkid"}},
		{"jkid", []string{"jother", "jkid"}},
		{"jalone", []string{"jalone"}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			family, err := s.Family(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if ids := jobIDs(family); !slices.Equal(ids, tt.want) {
				t.Errorf("Family(%s) = %v, want %v", tt.id, ids, tt.want)
			}
			for _, j := range family {
				if want := mustGet(t, s, j.ID); !reflect.DeepEqual(j, want) {
					t.Errorf("family member %+v, Get gives %+v", j, want)
				}
			}
		})
	}

	for _, id := range []string{"jnope", "jro", ""} {
		_, err := s.Family(ctx, id)
		if want := fmt.Sprintf("family of job %q: not found", id); !errors.Is(err, store.ErrNotFound) || err.Error() != want {
			t.Errorf("Family(%q): error = %v, want %q", id, err, want)
		}
	}
}

func TestFamilyAfterDelete(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	for _, j := range []store.Job{
		{ID: "ja", CreatedAt: t0},
		{ID: "jb", ParentID: "ja", CreatedAt: t0.Add(1 * time.Hour)},
		{ID: "jc", ParentID: "jb", CreatedAt: t0.Add(2 * time.Hour)},
		{ID: "jd", ParentID: "jb", CreatedAt: t0.Add(3 * time.Hour)},
		{ID: "je", ParentID: "ja", CreatedAt: t0.Add(4 * time.Hour)},
	} {
		mustCreate(t, s, j)
	}
	if err := s.Delete(ctx, "jb"); err != nil {
		t.Fatal(err)
	}
	// Each job that retried jb is now a root.
	for id, want := range map[string][]string{
		"ja": {"ja", "je"},
		"je": {"ja", "je"},
		"jc": {"jc"},
		"jd": {"jd"},
	} {
		family, err := s.Family(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ids := jobIDs(family); !slices.Equal(ids, want) {
			t.Errorf("Family(%s) = %v, want %v", id, ids, want)
		}
	}

	// Reusing the deleted id for a retry of jc makes a cycle jc -> jb -> jc,
	// and the new jb adopts jd.
	mustCreate(t, s, store.Job{ID: "jb", ParentID: "jc", CreatedAt: t0.Add(5 * time.Hour)})
	mustCreate(t, s, store.Job{ID: "jf", ParentID: "jb", CreatedAt: t0.Add(6 * time.Hour)})
	for _, id := range []string{"jb", "jc", "jd", "jf"} {
		family, err := s.Family(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ids, want := jobIDs(family), []string{"jc", "jd", "jb", "jf"}; !slices.Equal(ids, want) {
			t.Errorf("Family(%s) on a cycle = %v, want %v", id, ids, want)
		}
	}
}

func TestFindByFingerprint(t *testing.T) {
	s, _ := openTest(t)
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
