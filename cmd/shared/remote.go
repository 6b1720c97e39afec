package shared

import (
	"context"
	"fmt"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
)

// DeleteRemote deletes what batchctl wrote for job j in the user's own
// storage (jobs.Manager.DeleteRemote: a bedrock or vertex profile's bucket), the
// work of forget --remote and prune --remote, naming each object on
// stderr: "deleted s3://…" (or gs://…), or "would delete …" for a dry run. It
// returns how many objects there were, -1 when j's provider keeps
// nothing there.
func DeleteRemote(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job, dryRun bool) (int, error) {
	verb := "deleted"
	if dryRun {
		verb = "would delete"
	}
	n := 0
	kept, err := m.DeleteRemote(ctx, j, dryRun, func(location string) {
		fmt.Fprintf(ios.ErrOut, "%s %s\n", verb, location)
		n++
	})
	if !kept {
		return -1, err
	}
	return n, err
}
