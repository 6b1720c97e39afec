-- Exactly-once creation: a reservation per create fingerprint, and every
-- attempt to create a part's provider batch, recorded before it is sent.

-- create_claims holds, per fingerprint, the job that does that work: N
-- identical creates at once all insert here first, and the primary key
-- makes one of them the owner; the others reuse its job.
CREATE TABLE create_claims (
	fingerprint TEXT    NOT NULL PRIMARY KEY,
	job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	claimed_at  INTEGER NOT NULL
) STRICT;

-- create_attempts records each call that may make a provider batch for a
-- part: when it started, its tag (sent as batch metadata where the
-- provider keeps it), the time after which the provider can no longer
-- act on it (settle_at), the batch it made once known ('' until then),
-- and whether its outcome is known (settled: it was answered, or a sweep
-- after settle_at saw every batch it could have made).
CREATE TABLE create_attempts (
	job_id     TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	idx        INTEGER NOT NULL CHECK (idx >= 1),
	attempt    INTEGER NOT NULL CHECK (attempt >= 1),
	tag        TEXT    NOT NULL,
	started_at INTEGER NOT NULL,
	settle_at  INTEGER NOT NULL,
	batch_id   TEXT    NOT NULL,
	settled    INTEGER NOT NULL,
	PRIMARY KEY (job_id, idx, attempt)
) STRICT;
