package jobs

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

func TestQuotaRefusal(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"anthropic processing queue", &providers.HTTPError{StatusCode: 429, Type: "rate_limit_error",
			Message: "Number of batch requests in the processing queue would exceed your organization's limit"}, true},
		{"gemini quota at batch create", &providers.HTTPError{StatusCode: 429, Type: "RESOURCE_EXHAUSTED",
			Message: "You exceeded your current quota, please check your plan and billing details."}, true},
		{"enqueued token limit", &providers.HTTPError{StatusCode: 429, Message: "Enqueued token limit reached for gpt-4o"}, true},
		{"wrapped", fmt.Errorf("create: %w", &providers.HTTPError{StatusCode: 429, Code: "token_limit_exceeded"}), true},
		{"openai credit", &providers.HTTPError{StatusCode: 429, Code: "insufficient_quota",
			Message: "You exceeded your current quota, please check your plan and billing details."}, false},
		{"a rate limit", &providers.HTTPError{StatusCode: 429, Type: "RESOURCE_EXHAUSTED", Message: "Resource has been exhausted (e.g. check quota)."}, false},
		{"not a 429", &providers.HTTPError{StatusCode: 400, Message: "enqueued"}, false},
		{"not an answer", errors.New("connection reset"), false},
	}
	for _, tt := range tests {
		if got := quotaRefusal(tt.err); got != tt.want {
			t.Errorf("%s: quotaRefusal = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRefusedBatch(t *testing.T) {
	refused := []providers.BatchError{{Code: "token_limit_exceeded", Message: "Enqueued token limit reached"}}
	tests := []struct {
		name string
		b    providers.Batch
		want bool
	}{
		{"failed for the quota", providers.Batch{Status: providers.StatusFailed, Errors: refused}, true},
		{"failed for the quota among other errors", providers.Batch{Status: providers.StatusFailed,
			Errors: append([]providers.BatchError{{Code: "invalid_json", Line: 3}}, refused...)}, true},
		{"failed for its input", providers.Batch{Status: providers.StatusFailed, Errors: []providers.BatchError{{Code: "invalid_json"}}}, false},
		{"not failed", providers.Batch{Status: providers.StatusValidating, Errors: refused}, false},
	}
	for _, tt := range tests {
		if got := RefusedBatch(&tt.b); got != tt.want {
			t.Errorf("%s: RefusedBatch = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 90000: "90,000", 2000000: "2,000,000", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAhead(t *testing.T) {
	at := func(id string, minute, priority int) *store.Job {
		return &store.Job{ID: id, CreatedAt: time.Date(2026, 12, 7, 1, minute, 0, 0, time.UTC), Target: store.Target{Priority: priority}}
	}
	jobs := []*store.Job{at("e", 5, 0), at("b", 1, 0), at("u", 9, 5), at("a", 1, 0), at("n", 2, -1)}
	slices.SortFunc(jobs, byQueueOrder)
	var got []string
	for _, j := range jobs {
		got = append(got, j.ID)
	}
	// higher priority first, then the oldest, then the id; a negative
	// priority goes after every default one
	if want := []string{"u", "a", "b", "e", "n"}; !slices.Equal(got, want) {
		t.Errorf("queue order = %v, want %v", got, want)
	}
}
