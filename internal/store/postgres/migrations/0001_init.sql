-- The registry's schema as SQLite's migrations 0001-0011 leave it (see
-- internal/store/sqlite/migrations, which say what every column means).
-- Times are unix nanoseconds in UTC, as in SQLite: timestamptz keeps only
-- microseconds. NULL stands for "not yet". Ids and names sort bytewise
-- (COLLATE "C"), as SQLite's do, which also lets their plain indexes serve
-- prefix matches (LIKE 'p%') whatever the database's collation.
CREATE TABLE jobs (
	id                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
	name              TEXT COLLATE "C" NOT NULL,
	provider          TEXT    NOT NULL,
	model             TEXT    NOT NULL,
	endpoint          TEXT    NOT NULL,
	input_path        TEXT    NOT NULL,
	input_sha256      TEXT    NOT NULL,
	requests          INTEGER NOT NULL,
	status            TEXT    NOT NULL,
	total             INTEGER NOT NULL,
	succeeded         INTEGER NOT NULL,
	failed            INTEGER NOT NULL,
	input_tokens      BIGINT  NOT NULL,
	output_tokens     BIGINT  NOT NULL,
	metadata          TEXT    NOT NULL, -- JSON object, or null
	parent_id         TEXT COLLATE "C" NOT NULL DEFAULT '',
	fingerprint       TEXT    NOT NULL DEFAULT '',
	created_at        BIGINT  NOT NULL,
	updated_at        BIGINT  NOT NULL,
	completed_at      BIGINT,
	synced_at         BIGINT,
	profile_type      TEXT    NOT NULL DEFAULT '',
	base_url          TEXT    NOT NULL DEFAULT '',
	auth_header       TEXT    NOT NULL DEFAULT '',
	api_key_env       TEXT    NOT NULL DEFAULT '',
	completion_window TEXT    NOT NULL DEFAULT '',
	mode              TEXT    NOT NULL DEFAULT '',
	enqueued_tokens   BIGINT  NOT NULL DEFAULT 0,
	priority          INTEGER NOT NULL DEFAULT 0,
	primer            BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_by_name ON jobs (name, created_at DESC, id DESC);
CREATE INDEX jobs_by_parent ON jobs (parent_id);
CREATE INDEX jobs_by_fingerprint ON jobs (fingerprint, created_at DESC, id DESC);
CREATE INDEX jobs_needing_sync ON jobs (created_at DESC, id DESC)
	WHERE completed_at IS NULL OR synced_at IS NULL;

CREATE TABLE parts (
	job_id             TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	idx                INTEGER NOT NULL CHECK (idx >= 1),
	batch_id           TEXT    NOT NULL,
	status             TEXT    NOT NULL,
	provider_status    TEXT    NOT NULL,
	total              INTEGER NOT NULL,
	succeeded          INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	input_tokens       BIGINT  NOT NULL,
	output_tokens      BIGINT  NOT NULL,
	requests           INTEGER NOT NULL,
	bytes              BIGINT  NOT NULL,
	input_file_id      TEXT    NOT NULL,
	output_file_id     TEXT    NOT NULL,
	error_file_id      TEXT    NOT NULL,
	errors             TEXT    NOT NULL, -- JSON array of providers.BatchError, or null
	raw                BYTEA,
	created_at         BIGINT  NOT NULL,
	updated_at         BIGINT  NOT NULL,
	completed_at       BIGINT,
	usage_known        BOOLEAN NOT NULL DEFAULT false,
	gone_at            BIGINT,
	tokens             BIGINT  NOT NULL DEFAULT 0,
	queued_why         TEXT    NOT NULL DEFAULT '',
	not_before         BIGINT,
	cache_read_tokens  BIGINT,
	cache_write_tokens BIGINT,
	reasoning_tokens   BIGINT,
	PRIMARY KEY (job_id, idx)
);

CREATE INDEX parts_by_batch ON parts (batch_id);

CREATE TABLE create_claims (
	fingerprint TEXT   NOT NULL PRIMARY KEY,
	job_id      TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	claimed_at  BIGINT NOT NULL
);

-- Deleting a job deletes its claim: without this index the cascade reads
-- every claim.
CREATE INDEX create_claims_by_job ON create_claims (job_id);

CREATE TABLE create_attempts (
	job_id     TEXT COLLATE "C" NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
	idx        INTEGER NOT NULL CHECK (idx >= 1),
	attempt    INTEGER NOT NULL CHECK (attempt >= 1),
	tag        TEXT    NOT NULL,
	started_at BIGINT  NOT NULL,
	settle_at  BIGINT  NOT NULL,
	batch_id   TEXT    NOT NULL,
	settled    BOOLEAN NOT NULL,
	PRIMARY KEY (job_id, idx, attempt)
);

CREATE TABLE learned_budgets (
	endpoint   TEXT   NOT NULL,
	model      TEXT   NOT NULL,
	tokens     BIGINT NOT NULL CHECK (tokens >= 1),
	refusals   INTEGER NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (endpoint, model)
);
