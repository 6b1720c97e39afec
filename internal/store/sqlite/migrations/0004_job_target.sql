-- Where a job lives and how it was submitted, recorded at create so that
-- later commands (status, wait, sync) reach the same place and finish an
-- interrupted create the same way, whatever the environment or the config
-- say by then. Rows from before this migration get '' everywhere: commands
-- then fall back to the job's profile in the config, as they did before.
-- No key is ever stored: api_key_env names the variable that holds it.

-- profile_type is the wire protocol: openai | anthropic | gemini | emulator.
ALTER TABLE jobs ADD COLUMN profile_type TEXT NOT NULL DEFAULT '';

-- base_url is the API base URL the job was created on, without userinfo
-- and without query parameters that could carry a key.
ALTER TABLE jobs ADD COLUMN base_url TEXT NOT NULL DEFAULT '';

-- auth_header is how the key is sent (openai type): bearer | api-key.
ALTER TABLE jobs ADD COLUMN auth_header TEXT NOT NULL DEFAULT '';

-- api_key_env is the name of the variable the key was read from.
ALTER TABLE jobs ADD COLUMN api_key_env TEXT NOT NULL DEFAULT '';

-- completion_window is the window the job's batches are created with.
ALTER TABLE jobs ADD COLUMN completion_window TEXT NOT NULL DEFAULT '';

-- A part without a batch was reported as validating; it is unsubmitted
-- (DESIGN.md section 7), which wins over every running status but
-- cancelling, as store.Aggregate computes it.
UPDATE jobs SET status = 'unsubmitted'
WHERE completed_at IS NULL
	AND EXISTS (SELECT 1 FROM parts WHERE parts.job_id = jobs.id AND parts.status = '')
	AND NOT EXISTS (SELECT 1 FROM parts WHERE parts.job_id = jobs.id AND parts.status = 'cancelling');
