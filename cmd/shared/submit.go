package shared

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
)

// Unfinished explains what a create that stopped half-way left behind: a
// batch may exist that batchctl did not hear of, so the job stays, and
// running the same create again (or sync) finds that batch instead of
// creating another. (A job the provider refused outright is forgotten by
// jobs.Manager.Create and never gets here.)
func Unfinished(ios *iostreams.IOStreams, j *jobs.Job, err error) error {
	fmt.Fprintf(ios.ErrOut, "job %s is recorded but not fully submitted; run the same create again (or batchctl sync) to finish it: batches already made are found, not made twice\n", j.ID)
	return err
}
