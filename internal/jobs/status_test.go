package jobs_test

import (
	"testing"

	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/store"
)

func TestStatusText(t *testing.T) {
	tests := []struct {
		name  string
		job   string
		parts []store.Part
		want  string
	}{
		{"known", "in_progress", []store.Part{{Status: "in_progress", ProviderStatus: "in_progress"}}, "in_progress"},
		{"unknown, raw from its part", "unknown", []store.Part{
			{Status: "in_progress", ProviderStatus: "in_progress"},
			{Status: "unknown", ProviderStatus: "weird_state"},
		}, `unknown (provider says "weird_state")`},
		{"a raw status is quoted", "unknown", []store.Part{{Status: "unknown", ProviderStatus: "a \"b\"\n"}}, `unknown (provider says "a \"b\"\n")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &jobs.Job{Job: &store.Job{Status: tt.job, Parts: tt.parts}}
			if got := j.StatusText(); got != tt.want {
				t.Errorf("StatusText() = %s, want %s", got, tt.want)
			}
		})
	}
}
