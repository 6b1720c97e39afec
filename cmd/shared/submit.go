package shared

import (
	"fmt"

	"github.com/batchctl/batchctl/internal/iostreams"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
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

// SayQueued tells, when some parts of j wait in the queue, how many and
// why, and what submits them.
func SayQueued(ios *iostreams.IOStreams, j *jobs.Job) {
	n := jobs.QueuedParts(j)
	if n == 0 {
		return
	}
	if j.AwaitsPrimer() {
		fmt.Fprintf(ios.ErrOut, "%d of %d parts of job %s queued (%s, batch %s); batchctl wait %s or batchctl sync submits them once it has ended\n",
			n, len(j.Parts), j.ID, jobs.PrimerWhy, j.Parts[0].BatchID, j.ID)
		return
	}
	why := ""
	for _, p := range j.Parts {
		if p.Status == string(providers.StatusQueued) && p.BatchID == "" {
			why = p.QueuedWhy
			break
		}
	}
	fmt.Fprintf(ios.ErrOut, "%d of %d parts of job %s queued (%s); batchctl sync or batchctl wait %s submits them as room frees up\n",
		n, len(j.Parts), j.ID, why, j.ID)
}
