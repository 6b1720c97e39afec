package providertest

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// testLifecycle submits a batch and polls it as the clock moves, checking
// the statuses it passes through and what every state shows.
func testLifecycle(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	reqs := []Request{{"life-1", "first prompt"}, {"life-2", "the second prompt"}, {"life-3", "third"}}
	start := e.clock.Now()
	b := e.submit(t, reqs, nil)
	if b.Provider != e.name() || b.Model != h.Model {
		t.Errorf("Submit: provider %q, model %q; want %q, %q", b.Provider, b.Model, e.name(), h.Model)
	}
	checkState(t, h, "Submit", b, start, len(reqs))
	statuses := []providers.Status{b.Status}
	succeeded := 0
	final := e.poll(t, b, func(got *providers.Batch) {
		if got.ID != b.ID || got.Provider != e.name() {
			t.Errorf("Get(%s) = batch %q of provider %q", b.ID, got.ID, got.Provider)
		}
		checkState(t, h, "Get", got, start, len(reqs))
		if got.Status != statuses[len(statuses)-1] {
			statuses = append(statuses, got.Status)
		}
		if got.Counts.Succeeded < succeeded {
			t.Errorf("at %s, succeeded went down from %d to %d", e.clock.Now().Sub(start), succeeded, got.Counts.Succeeded)
		}
		succeeded = got.Counts.Succeeded
	})
	if !slices.Equal(statuses, h.Lifecycle) {
		t.Errorf("statuses %v, want %v", statuses, h.Lifecycle)
	}
	if want := (providers.Counts{Total: len(reqs), Succeeded: len(reqs)}); final.Counts != want {
		t.Errorf("final counts %+v, want %+v", final.Counts, want)
	}
	if want := start.Add(duration); !final.CompletedAt.Equal(want) && !h.NoCompletionTime {
		t.Errorf("CompletedAt %v, want %v", final.CompletedAt, want)
	}
}

// checkState checks what any state of a batch of n requests submitted at
// start must show; what names the call it came from.
func checkState(t *testing.T, h Harness, what string, b *providers.Batch, start time.Time, n int) {
	t.Helper()
	if !b.CreatedAt.Equal(start) {
		t.Errorf("%s (%s): CreatedAt %v, want %v", what, b.Status, b.CreatedAt, start)
	}
	if len(b.Raw) == 0 || !json.Valid(b.Raw) {
		t.Errorf("%s (%s): Raw is not a JSON value: %q", what, b.Status, b.Raw)
	}
	if c := b.Counts; c.Total != 0 && c.Total != n || c.Succeeded < 0 || c.Failed < 0 || c.Succeeded+c.Failed > c.Total {
		t.Errorf("%s (%s): counts %+v do not add up for %d requests", what, b.Status, c, n)
	}
	if b.Status.Terminal() == b.CompletedAt.IsZero() && !(h.NoCompletionTime && b.Status == providers.StatusCompleted) {
		t.Errorf("%s (%s): CompletedAt %v", what, b.Status, b.CompletedAt)
	}
}

// testExpire runs a batch one of whose requests never runs, so that the
// batch expires.
func testExpire(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	reqs := []Request{{"in-time", "made it in time"}, {"late", "[expire] too late"}}
	start := e.clock.Now()
	final := e.poll(t, e.submit(t, reqs, nil), nil)
	if final.Status != providers.StatusExpired {
		t.Fatalf("batch ended %s, want %s", final.Status, providers.StatusExpired)
	}
	checkState(t, h, "Get", final, start, len(reqs))
	if want := start.Add(duration); !final.CompletedAt.Equal(want) {
		t.Errorf("CompletedAt %v, want %v", final.CompletedAt, want)
	}
	got := e.results(t, final)
	if late, ok := got["late"]; ok && (late.Status != providers.ResultExpired || late.Error == nil) {
		t.Errorf("the request that never ran came back %s (error %+v), want expired or absent", late.Status, late.Error)
	}
	delete(got, "late")
	if !h.supports(PartialResults) {
		wantNoResults(t, got)
		return
	}
	if r, ok := got["in-time"]; !ok {
		t.Errorf("in-time is missing from the results")
	} else {
		checkSucceeded(t, h, r, reqs[0].Prompt)
	}
}

// testCancel cancels a batch half way through its requests.
func testCancel(t *testing.T, h Harness) {
	e := newEnv(t, h, "")
	reqs := []Request{{"c-1", "cancel one"}, {"c-2", "cancel two"}, {"c-3", "cancel three"}, {"c-4", "cancel four"}}
	start := e.clock.Now()
	b := e.submit(t, reqs, nil)
	// The emulator runs the requests evenly over [0.1, 0.8] of the
	// duration: half way through, the first two of four have run.
	e.clock.set(start.Add(duration / 2))
	if running := e.get(t, b.ID); running.Status != providers.StatusInProgress {
		t.Fatalf("half way through, the batch is %s, want %s", running.Status, providers.StatusInProgress)
	}
	cancelled, err := e.p.Cancel(context.Background(), b.ID)
	if err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if cancelled.ID != b.ID || cancelled.Status != providers.StatusCancelling && cancelled.Status != providers.StatusCancelled {
		t.Fatalf("Cancel = batch %q %s, want %q cancelling or cancelled", cancelled.ID, cancelled.Status, b.ID)
	}
	final := e.poll(t, cancelled, nil)
	if final.Status != providers.StatusCancelled {
		t.Fatalf("batch ended %s, want %s", final.Status, providers.StatusCancelled)
	}
	checkState(t, h, "Get", final, start, len(reqs))
	if final.CompletedAt.Before(start.Add(duration / 2)) {
		t.Errorf("CompletedAt %v is before the cancel", final.CompletedAt)
	}
	got := e.results(t, final)
	for _, req := range reqs[2:] {
		r, ok := got[req.ID]
		if ok && (r.Status != providers.ResultCanceled || r.Error == nil) {
			t.Errorf("%s, which had not run, came back %s (error %+v), want canceled or absent", req.ID, r.Status, r.Error)
		}
		delete(got, req.ID)
	}
	if !h.supports(PartialResults) {
		wantNoResults(t, got)
		return
	}
	for _, req := range reqs[:2] {
		if r, ok := got[req.ID]; !ok {
			t.Errorf("%s, which had run, is missing from the results", req.ID)
		} else {
			checkSucceeded(t, h, r, req.Prompt)
		}
	}
}

// wantNoResults fails t when a batch without partial results had some.
func wantNoResults(t *testing.T, got map[string]providers.Result) {
	t.Helper()
	if len(got) > 0 {
		ids := slices.Sorted(maps.Keys(got))
		t.Errorf("results for %s; a provider without %s has none", strings.Join(ids, ", "), PartialResults)
	}
}
