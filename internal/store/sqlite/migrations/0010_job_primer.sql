-- primer is 1 for a job created with --cache-prime: its part 1 is one
-- request sent alone to write the prompt cache, and its other parts wait
-- in the submission queue (status 'queued', see 0009) until part 1 has
-- ended; create --wait, wait or sync then submits them like any queued
-- part. 0 for every other job.
ALTER TABLE jobs ADD COLUMN primer INTEGER NOT NULL DEFAULT 0;
