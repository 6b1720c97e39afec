package status

import (
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
	"github.com/batchctl/batchctl/internal/jobs"
)

// status, create, cancel and retry --json print a jobs.View; list and wait
// --json an array of them.
func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, jobs.View{}, []string{
		"id", "name", "provider", "model", "endpoint", "status", "requests",
		"counts", "counts.total", "counts.succeeded", "counts.failed",
		"usage", "usage.input_tokens", "usage.output_tokens",
		"usage.cache_read_input_tokens", "usage.cache_creation_input_tokens", "usage.reasoning_tokens", "cost_usd", "cost_basis",
		"input", "input_sha256", "metadata", "created_at", "updated_at", "completed_at", "registered", "missing",
		"parts", "parts.index", "parts.batch_id", "parts.status", "parts.provider_status", "parts.requests",
		"parts.counts", "parts.counts.total", "parts.counts.succeeded", "parts.counts.failed",
		"parts.usage", "parts.usage.input_tokens", "parts.usage.output_tokens",
		"parts.usage.cache_read_input_tokens", "parts.usage.cache_creation_input_tokens", "parts.usage.reasoning_tokens",
		"parts.input_file_id", "parts.output_file_id", "parts.error_file_id",
		"parts.errors", "parts.errors.code", "parts.errors.message", "parts.errors.param", "parts.errors.line",
		"parts.created_at", "parts.completed_at", "parts.gone_at", "parts.tokens", "parts.queued_why", "parts.cost", "parts.cost.usd", "parts.cost.rates", "parts.cost.price_source", "parts.cost.price_date",
		"mode", "running", "running.total", "running.done", "running.errors", "running.in_flight",
		"running.requests_per_second", "running.tokens_per_second", "running.eta_seconds", "running.updated_at",
		"cache_hit_rate", "cache_read_tokens", "user", "host",
	})
}

func TestCreatorText(t *testing.T) {
	tests := []struct{ user, host, want string }{
		{"alice", "ci-1", " by alice@ci-1"},
		{"alice", "", " by alice"},
		{"", "ci-1", " on ci-1"},
		{"", "", ""}, // a job recorded before batchctl kept them
	}
	for _, tt := range tests {
		if got := creatorText(tt.user, tt.host); got != tt.want {
			t.Errorf("creatorText(%q, %q) = %q, want %q", tt.user, tt.host, got, tt.want)
		}
	}
}
