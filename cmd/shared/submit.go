package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
)

// Abandon handles a failed submission. When the provider refused every
// part outright (a 4xx answer, nothing created), the job is forgotten, so
// the registry never lists a job that does not exist. Otherwise a batch may
// exist that batchctl did not hear of: the job stays, and running the same
// create again (or sync) finds that batch instead of creating another.
func Abandon(ctx context.Context, ios *iostreams.IOStreams, m *jobs.Manager, j *jobs.Job, err error) error {
	var he *providers.HTTPError
	refused := errors.As(err, &he) && he.StatusCode >= 400 && he.StatusCode < 500
	var nokey *providers.MissingKeyError
	refused = refused || errors.As(err, &nokey)
	if refused && !j.Submitted() {
		if ferr := m.Forget(context.WithoutCancel(ctx), j.ID); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	}
	return Unfinished(ios, j, err)
}

// Unfinished explains what a create that stopped half-way left behind.
func Unfinished(ios *iostreams.IOStreams, j *jobs.Job, err error) error {
	fmt.Fprintf(ios.ErrOut, "job %s is recorded but not fully submitted; run the same create again (or batchctl sync) to finish it: batches already made are found, not made twice\n", j.ID)
	return err
}
