-- primer is 1 for a job created with --cache-prime: its part 1 is one
-- request sent alone to write the prompt cache, and its other parts are
-- held (recorded, no batch) until part 1 has ended; whoever refreshes the
-- job then (create, wait, sync, status) submits them, under the job's
-- submit lock like any unsubmitted part. 0 for every other job.
ALTER TABLE jobs ADD COLUMN primer INTEGER NOT NULL DEFAULT 0;
