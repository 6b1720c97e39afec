package list

import (
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
)

// list --json prints jobs.View, pinned in cmd/status; list --remote --json
// prints remoteView.
func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, remoteView{}, []string{
		"id", "status", "provider_status", "endpoint", "model",
		"counts", "counts.total", "counts.succeeded", "counts.failed",
		"created_at", "metadata",
	})
}
