package jobs_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// outsideBatch adds to the fake a finished batch that batchctl did not create.
func outsideBatch(p *fakeProvider) *providers.Batch {
	b := &providers.Batch{
		ID: "batch_x", Provider: "fake", Status: providers.StatusCompleted, ProviderStatus: "completed",
		Endpoint: "/v1/embeddings", Model: "m9", Counts: providers.Counts{Total: 3, Succeeded: 2, Failed: 1},
		Usage: &providers.Usage{InputTokens: 30, OutputTokens: 0}, CreatedAt: batchCreated, CompletedAt: batchDone,
		OutputFileID: "file_out", ErrorFileID: "file_err",
		Metadata: map[string]string{"owner": "someone"}, Raw: []byte(`{"id":"batch_x"}`),
	}
	p.batches[b.ID] = b
	return b
}

func TestResolve(t *testing.T) {
	e := newEnv(t)
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input("a1", "a2")), Profile: e.profile, Name: "nightly", MaxRequests: 1}
	plan, err := e.m.Prepare(context.Background(), "job1", spec)
	if err != nil {
		t.Fatal(err)
	}
	j, err := e.m.Record(context.Background(), plan, spec, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.m.Submit(context.Background(), j, "24h"); err != nil {
		t.Fatal(err)
	}
	outsideBatch(e.p)
	outside := &store.Job{
		ID: "batch_x", Provider: "fake", Model: "m9", Endpoint: "/v1/embeddings", Requests: 3,
		Status: "completed", Counts: providers.Counts{Total: 3, Succeeded: 2, Failed: 1},
		Usage: providers.Usage{InputTokens: 30}, Metadata: map[string]string{"owner": "someone"},
		CreatedAt: batchCreated, UpdatedAt: testNow, CompletedAt: batchDone,
		Parts: []store.Part{{
			Index: 1, BatchID: "batch_x", Status: "completed", ProviderStatus: "completed",
			Counts: providers.Counts{Total: 3, Succeeded: 2, Failed: 1}, Usage: providers.Usage{InputTokens: 30}, UsageKnown: true,
			OutputFileID: "file_out", ErrorFileID: "file_err", Raw: []byte(`{"id":"batch_x"}`),
			CreatedAt: batchCreated, UpdatedAt: testNow, CompletedAt: batchDone,
		}},
	}

	tests := []struct {
		name, ref, provider string
		wantJob             string // the id of the registered job found
		wantOutside         bool   // the batch is looked up at the provider
		wantErr             string
		wantNotFound        bool
		wantGets            []string
	}{
		{name: "job id", ref: "job1", wantJob: "job1"},
		{name: "job name", ref: "nightly", wantJob: "job1"},
		{name: "batch id of a part", ref: "batch_2", wantJob: "job1"},
		{name: "the registry wins over the provider", ref: "batch_1", provider: "fake", wantJob: "job1"},
		{
			name: "unknown without a provider", ref: "batch_x", wantNotFound: true,
			wantErr: `no job or batch "batch_x" in the registry (for a batch made elsewhere, add --provider)`,
		},
		{
			name: "a batch the provider does not have", ref: "nope", provider: "fake", wantNotFound: true,
			wantErr: `fake has no batch "nope"`, wantGets: []string{"nope"},
		},
		{name: "an unknown provider", ref: "nope", provider: "other", wantErr: `unknown provider "other"`},
		{name: "a batch made elsewhere", ref: "batch_x", provider: "fake", wantOutside: true, wantGets: []string{"batch_x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.p.gets = nil
			got, err := e.m.Resolve(context.Background(), tt.ref, tt.provider)
			if !reflect.DeepEqual(e.p.gets, tt.wantGets) {
				t.Errorf("asked the provider for %q, want %q", e.p.gets, tt.wantGets)
			}
			if tt.wantErr != "" {
				var nf *jobs.NotFoundError
				if err == nil || err.Error() != tt.wantErr || errors.As(err, &nf) != tt.wantNotFound {
					t.Fatalf("Resolve = %v, %v; want error %q (NotFoundError: %t)", got, err, tt.wantErr, tt.wantNotFound)
				}
				if tt.wantNotFound && nf.Ref != tt.ref {
					t.Errorf("NotFoundError.Ref = %q, want %q", nf.Ref, tt.ref)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if tt.wantOutside {
				if got.Registered || !reflect.DeepEqual(got.Job, outside) {
					t.Errorf("Resolve = %+v (registered %t)\nwant %+v (not registered)", got.Job, got.Registered, outside)
				}
				return
			}
			if !got.Registered || got.ID != tt.wantJob || len(got.Parts) != 2 {
				t.Errorf("Resolve = %s (registered %t, %d parts), want registered %s with 2 parts",
					got.ID, got.Registered, len(got.Parts), tt.wantJob)
			}
		})
	}
}

// partState is what a test checks of a job's status after a step.
type partState struct {
	status   string
	counts   providers.Counts
	usage    providers.Usage
	statuses []string // of the parts
	done     string   // CompletedAt in RFC 3339, "" when zero
}

func stateOf(j *store.Job) partState {
	s := partState{status: j.Status, counts: j.Counts, usage: j.Usage}
	if !j.CompletedAt.IsZero() {
		s.done = j.CompletedAt.Format(time.RFC3339)
	}
	for _, p := range j.Parts {
		s.statuses = append(s.statuses, p.Status)
	}
	return s
}

// assertState checks the status of j, in memory and in the registry.
func assertState(t *testing.T, e *testEnv, j *jobs.Job, want partState) {
	t.Helper()
	stored, err := e.reg.Get(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	for where, sj := range map[string]*store.Job{"in memory": j.Job, "in the registry": stored} {
		got := stateOf(sj)
		if got.status != want.status || got.counts != want.counts || got.usage != want.usage ||
			!reflect.DeepEqual(got.statuses, want.statuses) || got.done != want.done {
			t.Errorf("job %s = %+v\nwant %+v", where, got, want)
		}
	}
}

func TestRefresh(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 1, "a1", "a2", "a3")
	lastDone := batchDone.Add(time.Hour)
	const lastDoneText = "2025-03-04T07:00:00Z"
	steps := []struct {
		name     string
		advance  func(t *testing.T)
		wantGets []string
		want     partState
	}{
		{
			name: "every unfinished part is asked",
			advance: func(t *testing.T) {
				e.p.set(t, "batch_1", providers.StatusCompleted, func(b *providers.Batch) {
					b.Counts = providers.Counts{Total: 1, Succeeded: 1}
					b.Usage = &providers.Usage{InputTokens: 10, OutputTokens: 2}
				})
				e.p.set(t, "batch_2", providers.StatusInProgress, nil)
			},
			wantGets: []string{"batch_1", "batch_2", "batch_3"},
			want: partState{
				status: "validating", counts: providers.Counts{Total: 3, Succeeded: 1},
				usage: providers.Usage{InputTokens: 10, OutputTokens: 2}, statuses: []string{"completed", "in_progress", "validating"},
			},
		},
		{
			name: "a finished part is not asked again",
			advance: func(t *testing.T) {
				e.p.set(t, "batch_2", providers.StatusFailed, func(b *providers.Batch) { b.Counts.Failed = 1 })
				e.p.set(t, "batch_3", providers.StatusFinalizing, nil)
			},
			wantGets: []string{"batch_2", "batch_3"},
			want: partState{
				status: "finalizing", counts: providers.Counts{Total: 3, Succeeded: 1, Failed: 1},
				usage: providers.Usage{InputTokens: 10, OutputTokens: 2}, statuses: []string{"completed", "failed", "finalizing"},
			},
		},
		{
			name: "the job ends when its last part does",
			advance: func(t *testing.T) {
				e.p.set(t, "batch_3", providers.StatusCompleted, func(b *providers.Batch) {
					b.Counts = providers.Counts{Total: 1, Succeeded: 1}
					b.Usage = &providers.Usage{InputTokens: 5, OutputTokens: 1}
					b.CompletedAt = lastDone
				})
			},
			wantGets: []string{"batch_3"},
			want: partState{
				status: "failed", counts: providers.Counts{Total: 3, Succeeded: 2, Failed: 1},
				usage: providers.Usage{InputTokens: 15, OutputTokens: 3}, statuses: []string{"completed", "failed", "completed"},
				done: lastDoneText,
			},
		},
		{
			name:    "a finished job is not refreshed",
			advance: func(t *testing.T) { e.p.set(t, "batch_3", providers.StatusInProgress, nil) },
			want: partState{
				status: "failed", counts: providers.Counts{Total: 3, Succeeded: 2, Failed: 1},
				usage: providers.Usage{InputTokens: 15, OutputTokens: 3}, statuses: []string{"completed", "failed", "completed"},
				done: lastDoneText,
			},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.advance(t)
			e.p.gets = nil
			if err := e.m.Refresh(context.Background(), j); err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if !reflect.DeepEqual(e.p.gets, st.wantGets) {
				t.Errorf("asked the provider for %q, want %q", e.p.gets, st.wantGets)
			}
			assertState(t, e, j, st.want)
		})
	}
}

// TestRefreshGone: a 404 for a registered part says the provider no
// longer has the batch; the part keeps its recorded state, and the other
// parts are still refreshed.
func TestRefreshGone(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 1, "a1", "a2")
	delete(e.p.batches, "batch_1")
	e.p.set(t, "batch_2", providers.StatusInProgress, nil)
	err := e.m.Refresh(context.Background(), j)
	var gone *jobs.GoneError
	var herr *providers.HTTPError
	const want = "the provider no longer has batch batch_1 (deleted, or past its retention)"
	if !errors.As(err, &gone) || !errors.As(err, &herr) || err.Error() != want {
		t.Errorf("Refresh error = %v, want %s", err, want)
	}
	if s := []string{j.Parts[0].Status, j.Parts[1].Status}; s[0] != "validating" || s[1] != "in_progress" {
		t.Errorf("part statuses %q, want validating (recorded) and in_progress", s)
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	j := e.create(t, "job1", 1, "a1", "a2", "a3")
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	n, err := e.m.Cancel(context.Background(), j)
	if err != nil || n != 2 {
		t.Fatalf("Cancel = %d, %v; want 2 batches asked", n, err)
	}
	if want := []string{"batch_2", "batch_3"}; !reflect.DeepEqual(e.p.cancels, want) {
		t.Errorf("cancelled %q, want %q", e.p.cancels, want)
	}
	assertState(t, e, j, partState{
		status: "cancelling", counts: providers.Counts{Total: 3},
		statuses: []string{"completed", "cancelling", "cancelling"},
	})
}

// TestCancelUnsubmitted cancels jobs with parts that never got a batch:
// those are marked cancelled here (and a batch an interrupted create made
// is found and cancelled first), so nothing submits them later.
func TestCancelUnsubmitted(t *testing.T) {
	tests := []struct {
		name     string
		lost     bool // the provider made part 2's batch, the create never heard
		wantN    int
		cancels  []string
		statuses []string
	}{
		{name: "one part submitted", wantN: 1, cancels: []string{"batch_1"}, statuses: []string{"cancelling", "cancelled"}},
		{name: "a lost batch is found and cancelled", lost: true, wantN: 2, cancels: []string{"batch_1", "batch_2"},
			statuses: []string{"cancelling", "cancelling"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input("a1", "a2")), Profile: e.profile, MaxRequests: 1}
			plan, err := e.m.Prepare(t.Context(), "job1", spec)
			if err != nil {
				t.Fatal(err)
			}
			j, err := e.m.Record(context.Background(), plan, spec, "")
			if err != nil {
				t.Fatal(err)
			}
			e.m.Retry.Attempts = 1
			if tt.lost {
				e.p.submitLost[2] = errors.New("connection reset")
			} else {
				e.p.submitErr[2] = errors.New("connection reset")
			}
			if err := e.m.Submit(context.Background(), j, "24h"); err == nil {
				t.Fatal("Submit succeeded; the test wants part 2 unsubmitted")
			}
			if j.Status != "unsubmitted" {
				t.Fatalf("status %q before cancel, want unsubmitted", j.Status)
			}
			n, err := e.m.Cancel(context.Background(), j)
			if err != nil || n != tt.wantN {
				t.Fatalf("Cancel = %d, %v; want %d", n, err, tt.wantN)
			}
			if !reflect.DeepEqual(e.p.cancels, tt.cancels) {
				t.Errorf("cancelled %q, want %q", e.p.cancels, tt.cancels)
			}
			stored, err := e.reg.Get(context.Background(), "job1")
			if err != nil {
				t.Fatal(err)
			}
			var statuses []string
			for _, p := range stored.Parts {
				statuses = append(statuses, p.Status)
			}
			if !reflect.DeepEqual(statuses, tt.statuses) {
				t.Errorf("parts %q after cancel, want %q", statuses, tt.statuses)
			}
			if j.Unsubmitted() {
				t.Error("the job still has a part to submit after cancel")
			}
		})
	}
}

// TestCancelNeverSubmitted cancels a job none of whose parts has a batch,
// whose provider cannot even be built: nothing can be at the provider.
func TestCancelNeverSubmitted(t *testing.T) {
	e := newEnv(t)
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(input("a1")), Profile: e.profile}
	plan, err := e.m.Prepare(t.Context(), "job1", spec)
	if err != nil {
		t.Fatal(err)
	}
	j, err := e.m.Record(context.Background(), plan, spec, "")
	if err != nil {
		t.Fatal(err)
	}
	e.m.Provider = func(string) (providers.Provider, error) { return nil, errors.New("no base URL") }
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatalf("Refresh of a job with no batch: %v", err)
	}
	n, err := e.m.Cancel(context.Background(), j)
	if err != nil || n != 0 {
		t.Fatalf("Cancel = %d, %v; want 0, nil", n, err)
	}
	if j.Status != "cancelled" || !j.Terminal() {
		t.Errorf("status %q after cancel, want cancelled", j.Status)
	}
	var got []string
	_, err = e.m.Results(context.Background(), j, func(r *providers.Result) error {
		got = append(got, r.CustomID+" "+string(r.Status))
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []string{"a1 canceled"}) {
		t.Errorf("Results = %q, %v; want [a1 canceled]", got, err)
	}
}

// TestRefreshCountsForeign: a batch made elsewhere has as many requests as
// the provider counts, once it counts them, never "3/0 requests done".
func TestRefreshCountsForeign(t *testing.T) {
	e := newEnv(t)
	e.p.batches["batch_y"] = &providers.Batch{ID: "batch_y", Provider: "fake", Status: providers.StatusValidating, ProviderStatus: "validating"}
	j, err := e.m.Resolve(context.Background(), "batch_y", "fake")
	if err != nil {
		t.Fatal(err)
	}
	if j.Requests != 0 {
		t.Fatalf("requests %d before the provider counts them, want 0", j.Requests)
	}
	e.p.set(t, "batch_y", providers.StatusInProgress, func(b *providers.Batch) {
		b.Counts = providers.Counts{Total: 3, Succeeded: 1}
	})
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if j.Requests != 3 || j.Counts.Succeeded != 1 {
		t.Errorf("requests %d, %d succeeded; want 3, 1", j.Requests, j.Counts.Succeeded)
	}
}

// TestReload: a job read earlier takes what another process recorded
// since (here, a part's batch and status).
func TestReload(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	j := e.create(t, "j1", 1, "a", "b")
	stale := &jobs.Job{Job: j.Job, Registered: true}
	part := j.Parts[1]
	part.BatchID, part.Status = "batch_elsewhere", "in_progress"
	if err := e.reg.SavePart(ctx, "j1", part); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Reload(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if got := stale.Parts[1]; got.BatchID != "batch_elsewhere" || got.Status != "in_progress" {
		t.Fatalf("reloaded part 2 = batch %q, status %q; want what was recorded since", got.BatchID, got.Status)
	}
}
