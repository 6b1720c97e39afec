-- The submission queue (issue 15). A part that does not fit in its
-- provider's enqueued-token budget waits with status 'queued'.
-- tokens is what the part counts against that budget, in the provider's
-- unit (OpenAI and Gemini: estimated input tokens; Anthropic: requests),
-- 0 until it is counted; queued_why says why it waits; not_before is when
-- it may be tried again after the provider refused it (NULL: now).
ALTER TABLE parts ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parts ADD COLUMN queued_why TEXT NOT NULL DEFAULT '';
ALTER TABLE parts ADD COLUMN not_before INTEGER;

-- enqueued_tokens is the budget given to the job with create
-- --enqueued-tokens, 0 for none (the config's, or the learned one).
ALTER TABLE jobs ADD COLUMN enqueued_tokens INTEGER NOT NULL DEFAULT 0;
-- priority orders the queue (create --priority): higher first, then the
-- oldest job.
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

-- learned_budgets holds, per (endpoint, model), the budget learned from the
-- provider's quota refusals: lowered on a refusal to what was in flight,
-- raised slowly after accepted submissions. endpoint is the profile's base
-- URL.
CREATE TABLE learned_budgets (
	endpoint   TEXT    NOT NULL,
	model      TEXT    NOT NULL,
	tokens     INTEGER NOT NULL CHECK (tokens >= 1),
	refusals   INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (endpoint, model)
) STRICT;
