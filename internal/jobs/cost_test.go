package jobs_test

import (
	"testing"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// TestBill checks a job's cost: recorded part costs as they were recorded,
// other parts at today's table (batch rates for a batch job, synchronous
// ones for a direct job, marked current_prices), and unknown (nil), never
// 0, while the usage is unknown or a part to price has no price.
func TestBill(t *testing.T) {
	table := prices.Builtin()
	cached := int64(400_000)
	u := providers.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000, CacheReadInputTokens: &cached}
	recorded := &store.Cost{USD: 0.5, Rates: store.RatesBatch, PriceSource: "built-in", PriceDate: "2026-01-01"}
	job := func(provider, model, mode string, parts ...store.Part) *jobs.Job {
		sj := &store.Job{Provider: provider, Model: model, Target: store.Target{Mode: mode}, Parts: parts}
		for _, p := range parts {
			sj.Usage.Add(&p.Usage)
		}
		return &jobs.Job{Job: sj}
	}
	known := store.Part{Index: 1, Usage: u, UsageKnown: true}
	priced := store.Part{Index: 2, Usage: u, UsageKnown: true, Cost: recorded}
	tests := []struct {
		name  string
		job   *jobs.Job
		table *prices.Table
		want  jobs.Bill
	}{
		// gpt-4o-mini batch: 600k × 0.075 + 400k × 0.0375 + 1M × 0.30 = 0.045 + 0.015 + 0.30.
		{"batch rates today", job("openai", "gpt-4o-mini", "", known), table, bill(0.36, jobs.BasisCurrentPrices)},
		// synchronous: 600k × 0.15 + 400k × 0.075 + 1M × 0.60 = 0.09 + 0.03 + 0.60.
		{"direct job at synchronous rates", job("openai", "gpt-4o-mini", config.ModeDirect, known), table, bill(0.72, jobs.BasisCurrentPrices)},
		{"recorded", job("openai", "gpt-4o-mini", "", priced), table, bill(0.5, jobs.BasisRecorded)},
		// the recorded cost needs no table, and a model unpriced today keeps it
		{"recorded, no table", job("openai", "gpt-4o-mini", "", priced), nil, bill(0.5, jobs.BasisRecorded)},
		{"recorded, model unpriced today", job("emulator", "echo", "", priced), table, bill(0.5, jobs.BasisRecorded)},
		// one part recorded, one priced today: 0.5 + 0.36
		{"recorded and today's", job("openai", "gpt-4o-mini", "", known, priced), table, bill(0.86, jobs.BasisCurrentPrices)},
		{"usage unknown", job("openai", "gpt-4o-mini", "", store.Part{Index: 1, Usage: u}, priced), table, jobs.Bill{}},
		{"no price", job("emulator", "echo", "", known, priced), table, jobs.Bill{}},
		{"no table", job("openai", "gpt-4o-mini", "", known), nil, jobs.Bill{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.job.Bill(tt.table)
			if deref(got.USD) != deref(tt.want.USD) || got.Basis != tt.want.Basis {
				t.Errorf("Bill = %v %q, want %v %q", deref(got.USD), got.Basis, deref(tt.want.USD), tt.want.Basis)
			}
		})
	}
}

func bill(usd float64, basis string) jobs.Bill { return jobs.Bill{USD: &usd, Basis: basis} }

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
