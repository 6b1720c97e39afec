-- gone_at is when the provider first answered that it no longer has a
-- part's batch (404: deleted, or past its retention), NULL while it has
-- it. The part keeps the state recorded before; sync leaves a job alone
-- once every unfinished part of it is gone, so that cron does not report
-- the same lost batch at every run.
ALTER TABLE parts ADD COLUMN gone_at INTEGER;
