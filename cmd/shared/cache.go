package shared

import (
	"context"
	"fmt"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
)

// ReportCache tells, on standard error, how a finished Anthropic job used
// the prompt cache (jobs.CacheReport): its hit rate, and a warning when
// requests sharing a cacheable prefix read nothing from the cache. Jobs it
// has nothing to say about get nothing; a failure to read the results is
// said, not returned (the job itself ended as it did).
func ReportCache(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job) {
	r, err := m.CacheReport(ctx, j, false)
	cs := ios.ErrColorScheme()
	switch {
	case err != nil:
		fmt.Fprintf(ios.ErrOut, "%s job %s: cannot tell the cache hit rate: %v\n", cs.Warning("warning:"), j.ID, err)
		return
	case r == nil, r.Requests == 0: // none succeeded after the primer: no rate to tell
		return
	}
	fmt.Fprintln(ios.ErrOut, r.Summary(j.ID))
	if w := r.Warning(j.ID); w != "" {
		fmt.Fprintf(ios.ErrOut, "%s %s\n", cs.Warning("warning:"), w)
	}
}
