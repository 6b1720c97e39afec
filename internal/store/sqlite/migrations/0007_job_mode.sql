-- mode is how the job runs: '' or 'batch' for a provider batch per part,
-- 'direct' for a job whose requests batchctl sends itself, one at a time,
-- to the protocol's synchronous endpoints (its parts' batch ids are local).
ALTER TABLE jobs ADD COLUMN mode TEXT NOT NULL DEFAULT '';
