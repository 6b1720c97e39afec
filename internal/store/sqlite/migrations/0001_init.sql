-- Jobs and their parts (DESIGN.md sections 2 and 7). Times are unix
-- nanoseconds in UTC; NULL stands for "not yet".
CREATE TABLE jobs (
	id            TEXT    NOT NULL PRIMARY KEY,
	name          TEXT    NOT NULL,
	provider      TEXT    NOT NULL,
	model         TEXT    NOT NULL,
	endpoint      TEXT    NOT NULL,
	input_path    TEXT    NOT NULL,
	input_sha256  TEXT    NOT NULL,
	requests      INTEGER NOT NULL,
	status        TEXT    NOT NULL,
	total         INTEGER NOT NULL,
	succeeded     INTEGER NOT NULL,
	failed        INTEGER NOT NULL,
	input_tokens  INTEGER NOT NULL,
	output_tokens INTEGER NOT NULL,
	metadata      TEXT    NOT NULL, -- JSON object, or null
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	completed_at  INTEGER
) STRICT;

CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_by_name ON jobs (name, created_at DESC, id DESC);

CREATE TABLE parts (
	job_id          TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	idx             INTEGER NOT NULL CHECK (idx >= 1),
	batch_id        TEXT    NOT NULL,
	status          TEXT    NOT NULL,
	provider_status TEXT    NOT NULL,
	total           INTEGER NOT NULL,
	succeeded       INTEGER NOT NULL,
	failed          INTEGER NOT NULL,
	input_tokens    INTEGER NOT NULL,
	output_tokens   INTEGER NOT NULL,
	requests        INTEGER NOT NULL,
	bytes           INTEGER NOT NULL,
	input_file_id   TEXT    NOT NULL,
	output_file_id  TEXT    NOT NULL,
	error_file_id   TEXT    NOT NULL,
	errors          TEXT    NOT NULL, -- JSON array of providers.BatchError, or null
	raw             BLOB,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	completed_at    INTEGER,
	PRIMARY KEY (job_id, idx)
) STRICT;

CREATE INDEX parts_by_batch ON parts (batch_id);
