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
	e.profile.Type = config.TypeAnthropic
	system := strings.Repeat("alpha beta gamma delta ", 400)
	var in strings.Builder
	for _, id := range []string{"a", "b", "c"} {
		in.WriteString(`{"custom_id":"` + id + `","params":{"model":"claude-sonnet-4-5","max_tokens":8,"system":"` + system + `","messages":[{"role":"user","content":"` + id + `"}]}}` + "\n")
	}
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(in.String()), Profile: e.profile, CachePrime: "1h"}
	plan, err := e.m.Prepare(context.Background(), "job1", spec)
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
	if len(e.p.submits) != 1 || !j.Held() {
		t.Fatalf("after create: %d batches created, held %v; want the primer alone, the rest held", len(e.p.submits), j.Held())
	}

	// two later processes look at the job while the primer runs: nothing
	// more is sent
	j1, j2 := reload(t, e, j.ID), reload(t, e, j.ID)
	if err := e.m.Refresh(context.Background(), j1); err != nil {
		t.Fatal(err)
	}
	if len(e.p.submits) != 1 {
		t.Fatalf("%d batches created while the primer runs, want 1", len(e.p.submits))
	}

	// the primer ends: the first to refresh submits the rest, the other,
	// whose copy of the job is stale, sends nothing again
	e.p.set(t, "batch_1", providers.StatusCompleted, nil)
	for _, jj := range []*jobs.Job{j1, j2, j} {
		if err := e.m.Refresh(context.Background(), jj); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.p.submits) != 2 {
		t.Fatalf("%d batches created after the primer ended, want 2 (one per part)", len(e.p.submits))
	}
	if got := reload(t, e, j.ID); got.Held() || got.Unsubmitted() || got.Parts[1].BatchID != "batch_2" {
		t.Errorf("after the primer: held %v, unsubmitted %v, part 2 batch %q; want batch_2", got.Held(), got.Unsubmitted(), got.Parts[1].BatchID)
	}
}

func TestCachePrimeCancelledJobSubmitsNoHeldPart(t *testing.T) {
	e := newEnv(t)
	_, j := primedJob(t, e)
	if _, err := e.m.Cancel(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	e.p.set(t, "batch_1", providers.StatusCancelled, nil)
	if err := e.m.Refresh(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if len(e.p.submits) != 1 || j.ToSubmit() {
		t.Errorf("%d batches created after a cancel, to submit %v; want the primer only", len(e.p.submits), j.ToSubmit())
	}
}
