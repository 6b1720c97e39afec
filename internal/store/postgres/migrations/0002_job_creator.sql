-- Who did what (issue 20), as SQLite's 0012_job_creator: the operating
-- system user and the host that created a job, as create and retry find
-- them (BATCHCTL_USER and BATCHCTL_HOST override). Rows from before this
-- migration get '': not known, matched by no list --mine or --host. The
-- column is os_user because PostgreSQL reserves user.
ALTER TABLE jobs ADD COLUMN os_user TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN host TEXT COLLATE "C" NOT NULL DEFAULT '';

-- list --mine and list --host, newest first.
CREATE INDEX jobs_by_user ON jobs (os_user, created_at DESC, id DESC);
CREATE INDEX jobs_by_host ON jobs (host, created_at DESC, id DESC);
