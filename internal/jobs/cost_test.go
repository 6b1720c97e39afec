package jobs_test

import (
	"testing"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// TestKnownCost checks a job's cost: batch rates for a batch job,
// synchronous ones for a direct job, and unknown (nil), never 0, while the
// usage is unknown or the model has no price.
func TestKnownCost(t *testing.T) {
	table := prices.Builtin()
	cached := int64(400_000)
	job := func(provider, model, mode string, known bool) *jobs.Job {
		u := providers.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000, CacheReadInputTokens: &cached}
		return &jobs.Job{Job: &store.Job{
			Provider: provider, Model: model, Usage: u, Target: store.Target{Mode: mode},
			Parts: []store.Part{{Index: 1, Usage: u, UsageKnown: known}},
		}}
	}
	tests := []struct {
		name string
		job  *jobs.Job
		want *float64
	}{
		// gpt-4o-mini batch: 600k × 0.075 + 400k × 0.0375 + 1M × 0.30 = 0.045 + 0.015 + 0.30.
		{"batch rates", job("openai", "gpt-4o-mini", "", true), ptr(0.36)},
		// synchronous: 600k × 0.15 + 400k × 0.075 + 1M × 0.60 = 0.09 + 0.03 + 0.60.
		{"direct job at synchronous rates", job("openai", "gpt-4o-mini", config.ModeDirect, true), ptr(0.72)},
		{"usage unknown", job("openai", "gpt-4o-mini", "", false), nil},
		{"no price", job("emulator", "echo", "", true), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.job.KnownCost(table)
			switch {
			case got == nil && tt.want == nil:
			case got == nil || tt.want == nil || *got != *tt.want:
				t.Errorf("KnownCost = %v, want %v", deref(got), deref(tt.want))
			}
		})
	}
	if got := job("openai", "gpt-4o-mini", "", true).KnownCost(nil); got != nil {
		t.Errorf("KnownCost without a table = %v, want nil", *got)
	}
}

func ptr(f float64) *float64 { return &f }

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
