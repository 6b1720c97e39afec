package sync

import (
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
)

// sync --json prints one Event per line.
func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, Event{}, []string{
		"event", "job", "name", "status", "requests",
		"counts", "counts.total", "counts.succeeded", "counts.failed",
		"results", "error",
	})
}
