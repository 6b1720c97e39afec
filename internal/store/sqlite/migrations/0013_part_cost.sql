-- What a part cost, recorded once its token usage is final (see
-- store.Cost): cost_usd in USD, NULL until then, for a part whose model
-- had no price then, and on rows from before this migration (their cost
-- is worked out from today's prices when shown); cost_rates "batch" or
-- "sync"; price_source and price_date name the price row it was priced at.
-- cache_write_1h_tokens are those of cache_write_tokens written to a
-- one-hour cache, which cost more (0 where not reported, and before).
ALTER TABLE parts ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE parts ADD COLUMN cost_usd REAL;
ALTER TABLE parts ADD COLUMN cost_rates TEXT NOT NULL DEFAULT '';
ALTER TABLE parts ADD COLUMN price_source TEXT NOT NULL DEFAULT '';
ALTER TABLE parts ADD COLUMN price_date TEXT NOT NULL DEFAULT '';
