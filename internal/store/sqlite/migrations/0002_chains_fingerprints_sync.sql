-- Retry chains, idempotent re-runs and sync bookkeeping. Rows from before
-- this migration get the defaults: no parent, no fingerprint, not synced.

-- parent_id is the id of the job this one retries, '' for none. It is no
-- foreign key: a job outlives the deletion of its parent.
ALTER TABLE jobs ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';

-- fingerprint is an opaque hash of a job's inputs, '' for none.
ALTER TABLE jobs ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';

-- synced_at is when sync last exported the job's results, NULL for never.
ALTER TABLE jobs ADD COLUMN synced_at INTEGER;

CREATE INDEX jobs_by_parent ON jobs (parent_id);
CREATE INDEX jobs_by_fingerprint ON jobs (fingerprint, created_at DESC, id DESC);
