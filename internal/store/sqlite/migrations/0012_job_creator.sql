-- Who did what (issue 20): the operating system user and the host that
-- created a job, as create and retry find them (BATCHCTL_USER and
-- BATCHCTL_HOST override). Rows from before this migration get '': not
-- known, shown as nothing by status and "" in JSON, and matched by no
-- list --mine or --host. The column is os_user, not user, a word
-- PostgreSQL reserves.
ALTER TABLE jobs ADD COLUMN os_user TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN host TEXT NOT NULL DEFAULT '';

-- list --mine and list --host, newest first.
CREATE INDEX jobs_by_user ON jobs (os_user, created_at DESC, id DESC);
CREATE INDEX jobs_by_host ON jobs (host, created_at DESC, id DESC);
