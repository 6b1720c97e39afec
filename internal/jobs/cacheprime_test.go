package jobs_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// primedJob creates an Anthropic job of three requests sharing a long
// system prompt with --cache-prime, on the fake provider.
func primedJob(t *testing.T, e *testEnv) (*jobs.Plan, *jobs.Job) {
	t.Helper()
	return primedJobWith(t, e, "job1", jobs.Spec{CachePrime: "1h"})
}

// primedJobWith is primedJob with spec's options (its File, Input and
// Profile are set here) and id.
func primedJobWith(t *testing.T, e *testEnv, id string, spec jobs.Spec) (*jobs.Plan, *jobs.Job) {
	t.Helper()
	e.profile.Type = config.TypeAnthropic
	system := strings.Repeat("alpha beta gamma delta ", 400)
	var in strings.Builder
	for _, id := range []string{"a", "b", "c"} {
		in.WriteString(`{"custom_id":"` + id + `","params":{"model":"claude-sonnet-4-5","max_tokens":8,"system":"` + system + `","messages":[{"role":"user","content":"` + id + `"}]}}` + "\n")
	}
	spec.File, spec.Input, spec.Profile = "in.jsonl", strings.NewReader(in.String()), e.profile
	plan, err := e.m.Prepare(context.Background(), id, spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	res, err := e.m.Create(context.Background(), plan, spec, jobs.CreateOptions{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return plan, res.Job
}

func TestCachePrimeSubmitsThePrimerAloneThenTheRestOnce(t *testing.T) {
	e := newEnv(t)
	plan, j := primedJob(t, e)
	if !plan.Primer || len(plan.Parts) != 2 || plan.Parts[0].Requests != 1 || plan.Parts[1].Requests != 2 {
		t.Fatalf("plan: primer %v, parts %+v; want a primer of 1 request, then 2", plan.Primer, plan.Parts)
	}
	primer, err := os.ReadFile(e.m.InputPath(j.ID, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(primer), `"cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages"`) {
		t.Errorf("the primer's system prompt is not marked: %.200s...", primer)
	}
	if len(e.p.submits) != 1 || !j.AwaitsPrimer() {
		t.Fatalf("after create: %d batches created, awaits the primer %v; want the primer alone, the rest queued", len(e.p.submits), j.AwaitsPrimer())
	}
	if got := reload(t, e, j.ID).Parts[1]; got.Status != "queued" || got.QueuedWhy != jobs.PrimerWhy {
		t.Fatalf("part 2 after create: status %q, why %q; want queued, %q", got.Status, got.QueuedWhy, jobs.PrimerWhy)
	}

	// two later processes look at the job while the primer runs, as wait
	// (Refresh, Advance) and sync (SubmitQueued) do: nothing more is sent
	j1, j2 := reload(t, e, j.ID), reload(t, e, j.ID)
	advance(t, e, j1)
	if _, err := e.m.SubmitQueued(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(e.p.submits) != 1 {
		t.Fatalf("%d batches created while the primer runs, want 1", len(e.p.submits))
	}

	// the primer ends: the first to advance submits the rest, the others,
	// whose copies of the job are stale, send nothing again
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	for _, jj := range []*jobs.Job{j1, j2, j} {
		advance(t, e, jj)
	}
	if _, err := e.m.SubmitQueued(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(e.p.submits) != 2 {
		t.Fatalf("%d batches created after the primer ended, want 2 (one per part)", len(e.p.submits))
	}
	if got := reload(t, e, j.ID); got.AwaitsPrimer() || got.Unsubmitted() || got.Parts[1].BatchID != "batch_2" || got.Parts[1].QueuedWhy != "" {
		t.Errorf("after the primer: awaits %v, unsubmitted %v, part 2 batch %q why %q; want batch_2", got.AwaitsPrimer(), got.Unsubmitted(), got.Parts[1].BatchID, got.Parts[1].QueuedWhy)
	}
}

// advance does what wait does on each poll of a job: refresh it, then
// submit what the queue lets go.
func advance(t *testing.T, e *testEnv, j *jobs.Job) {
	t.Helper()
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Advance(context.Background(), j); err != nil {
		t.Fatal(err)
	}
}

func TestCachePrimeCancelledJobSubmitsNoQueuedPart(t *testing.T) {
	e := newEnv(t)
	_, j := primedJob(t, e)
	if _, err := e.m.Cancel(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	e.p.set(t, "batch_1", providers.StatusCancelled, nil)
	advance(t, e, j)
	if _, err := e.m.SubmitQueued(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(e.p.submits) != 1 || j.Unsubmitted() {
		t.Errorf("%d batches created after a cancel, unsubmitted %v; want the primer only", len(e.p.submits), j.Unsubmitted())
	}
}

func TestCachePrimeKeepsTheEnqueuedBudgetSplit(t *testing.T) {
	e := newEnv(t)
	// Anthropic counts requests: a budget of 1 puts every request in its
	// own part, the primer and the two after it
	plan, j := primedJobWith(t, e, "job1", jobs.Spec{CachePrime: "1h", EnqueuedTokens: 1})
	if !plan.Primer || len(plan.Parts) != 3 {
		t.Fatalf("plan: primer %v, %d parts; want a primer and 2 parts of 1 request", plan.Primer, len(plan.Parts))
	}
	for i, p := range plan.Parts {
		if p.Requests != 1 || p.Tokens != 1 {
			t.Errorf("part %d: %d requests counting %d; want 1, 1", i+1, p.Requests, p.Tokens)
		}
	}
	got := reload(t, e, j.ID)
	if got.Parts[1].QueuedWhy != jobs.PrimerWhy || got.Parts[2].QueuedWhy != jobs.PrimerWhy {
		t.Errorf("queued because %q, %q; want both %q", got.Parts[1].QueuedWhy, got.Parts[2].QueuedWhy, jobs.PrimerWhy)
	}
}

func TestCachePrimeWaitingJobIsAheadOfNobody(t *testing.T) {
	e := newEnv(t)
	// the older job's parts wait for its primer: a newer job of the same
	// model under a budget with room is submitted, not queued behind it
	primedJobWith(t, e, "job1", jobs.Spec{CachePrime: "1h", EnqueuedTokens: 10})
	_, j2 := primedJobWith(t, e, "job2", jobs.Spec{EnqueuedTokens: 10, Name: "plain"})
	if len(e.p.submits) != 2 || j2.Unsubmitted() {
		t.Fatalf("%d batches created, job2 unsubmitted %v (part 1 %s: %q); want the primer and job2's batch",
			len(e.p.submits), j2.Unsubmitted(), j2.Parts[0].Status, j2.Parts[0].QueuedWhy)
	}
}
