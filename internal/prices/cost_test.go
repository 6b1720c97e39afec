package prices

import (
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

func n64(n int64) *int64 { return &n }

// TestCost checks the arithmetic of a bill against figures worked out by
// hand from the rows' rates (USD per million tokens).
func TestCost(t *testing.T) {
	sonnet := Row{Input: 3, Output: 15, CachedInput: 0.30, CacheWrite: 3.75, BatchInput: 1.5, BatchOutput: 7.5}
	sonnet1h := sonnet
	sonnet1h.CacheWrite1h = 6
	mini := Row{Input: 0.15, Output: 0.60, CachedInput: 0.075, BatchInput: 0.075, BatchOutput: 0.30}
	bare := Row{Input: 1, Output: 2, BatchInput: 0.5, BatchOutput: 1}
	tests := []struct {
		name  string
		row   Row
		usage providers.Usage
		batch bool
		want  float64
	}{
		// 1M input + 1M output at batch rates: 0.075 + 0.30.
		{"plain batch", mini, providers.Usage{InputTokens: 1e6, OutputTokens: 1e6}, true, 0.375},
		// the same at synchronous rates: 0.15 + 0.60.
		{"plain sync", mini, providers.Usage{InputTokens: 1e6, OutputTokens: 1e6}, false, 0.75},
		// 2,000 input of which 1,536 cached, 300 output, sync:
		// 464×0.15 + 1536×0.075 + 300×0.60 = 69.6 + 115.2 + 180 = 364.8 per million.
		{"cached sync", mini, providers.Usage{InputTokens: 2000, OutputTokens: 300, CacheReadInputTokens: n64(1536)}, false, 0.0003648},
		// the same at batch rates, the cached rate halved too: 34.8 + 57.6 + 90 = 182.4.
		{"cached batch", mini, providers.Usage{InputTokens: 2000, OutputTokens: 300, CacheReadInputTokens: n64(1536)}, true, 0.0001824},
		// Anthropic, batch: 10,000 input = 100 plain + 1,900 read + 8,000 written; 500 output:
		// 100×1.5 + 1900×0.15 + 8000×1.875 + 500×7.5 = 150 + 285 + 15000 + 3750 = 19185.
		{"cache write batch", sonnet, providers.Usage{InputTokens: 10000, OutputTokens: 500,
			CacheReadInputTokens: n64(1900), CacheCreationInputTokens: n64(8000)}, true, 0.019185},
		// The same, sync, 3,000 of the writes to a one-hour cache at 2x input:
		// 100×3 + 1900×0.30 + 5000×3.75 + 3000×6 + 500×15 = 300 + 570 + 18750 + 18000 + 7500 = 45120.
		{"1h cache write sync", sonnet1h, providers.Usage{InputTokens: 10000, OutputTokens: 500,
			CacheReadInputTokens: n64(1900), CacheCreationInputTokens: n64(8000), CacheCreation1hInputTokens: 3000}, false, 0.04512},
		// and at batch rates, every rate halved: 22560.
		{"1h cache write batch", sonnet1h, providers.Usage{InputTokens: 10000, OutputTokens: 500,
			CacheReadInputTokens: n64(1900), CacheCreationInputTokens: n64(8000), CacheCreation1hInputTokens: 3000}, true, 0.02256},
		// A row without a one-hour rate bills those writes at its cache-write rate:
		// 100×3 + 1900×0.30 + 8000×3.75 + 500×15 = 300 + 570 + 30000 + 7500 = 38370.
		{"1h cache write, no 1h rate", sonnet, providers.Usage{InputTokens: 10000, OutputTokens: 500,
			CacheReadInputTokens: n64(1900), CacheCreationInputTokens: n64(8000), CacheCreation1hInputTokens: 3000}, false, 0.03837},
		// Reasoning tokens are part of output: 1,186 output at 0.60 = 711.6, + 75×0.15 = 11.25.
		{"reasoning", mini, providers.Usage{InputTokens: 75, OutputTokens: 1186, ReasoningTokens: n64(1024)}, false, 0.00072285},
		// No cached or cache-write rate: those tokens cost what input does.
		{"no cache rates", bare, providers.Usage{InputTokens: 1000, CacheReadInputTokens: n64(600), CacheCreationInputTokens: n64(400)}, true, 0.0005},
		// A provider's impossible detail (more cached than input) bills no negative plain
		// input: only the 20 read, at the input rate (bare has no cached rate).
		{"cached above input", bare, providers.Usage{InputTokens: 10, CacheReadInputTokens: n64(20)}, false, 0.00002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.row.Cost(tt.usage, tt.batch); got != tt.want {
				t.Errorf("Cost = %v, want %v", got, tt.want)
			}
		})
	}
}
