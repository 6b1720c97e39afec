package bedrock

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/batchctl/batchctl/internal/providers"
)

// TestStatus maps every job status of the SDK's enum.
func TestStatus(t *testing.T) {
	want := map[types.ModelInvocationJobStatus]providers.Status{
		"Submitted": providers.StatusValidating, "Validating": providers.StatusValidating,
		"Scheduled": providers.StatusInProgress, "InProgress": providers.StatusInProgress,
		"Completed": providers.StatusCompleted, "PartiallyCompleted": providers.StatusCompleted,
		"Failed": providers.StatusFailed, "Stopping": providers.StatusCancelling,
		"Stopped": providers.StatusCancelled, "Expired": providers.StatusExpired,
	}
	for _, s := range types.ModelInvocationJobStatus("").Values() {
		got, ok := want[s]
		if !ok {
			t.Errorf("status %q of the SDK is not in this table", s)
			continue
		}
		if status(string(s)) != got {
			t.Errorf("status(%q) = %s, want %s", s, status(string(s)), got)
		}
	}
	if got := status("Paused"); got != providers.StatusUnknown {
		t.Errorf("status(Paused) = %s, want unknown", got)
	}
}

func TestCheckParts(t *testing.T) {
	tests := []struct {
		model    string
		requests []int
		want     string
	}{
		{"anthropic.claude-x", []int{100}, ""},
		{"us.anthropic.claude-x", []int{100, 250}, ""},
		{"anthropic.claude-x", []int{99}, "the input has 99 requests: a Bedrock batch inference job needs at least 100 records (1 more)"},
		{"anthropic.claude-x", []int{500, 20}, "part 2 of the job has 20 requests: a Bedrock batch inference job needs at least 100 records (80 more)"},
		{"us.meta.llama3-2-3b-instruct-v1:0", []int{100}, ""},
		{"cohere.command-r-v1:0", []int{100}, `model "cohere.command-r-v1:0": batchctl writes Bedrock records for Anthropic (anthropic.*), Meta Llama 3 and 4 (meta.llama3*, meta.llama4*), Amazon Nova (amazon.nova-*) and Mistral (mistral.*) models, or their inference profiles (us.anthropic.* ...)`},
	}
	for _, tt := range tests {
		got := ""
		if err := CheckParts(tt.model, tt.requests); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckParts(%q, %v) = %q, want %q", tt.model, tt.requests, got, tt.want)
		}
	}
}
