-- What a part cost, recorded once its token usage is final (SQLite 0013;
-- see store.Cost): cost_usd NULL until then, for a part whose model had no
-- price then, and on rows from before this migration (priced from today's
-- table when shown); cost_rates "batch" or "sync"; price_source and
-- price_date name the price row. cache_write_1h_tokens are those of
-- cache_write_tokens written to a one-hour cache (0 where not reported).
ALTER TABLE parts ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE parts ADD COLUMN cost_usd DOUBLE PRECISION;
ALTER TABLE parts ADD COLUMN cost_rates TEXT NOT NULL DEFAULT '';
ALTER TABLE parts ADD COLUMN price_source TEXT NOT NULL DEFAULT '';
ALTER TABLE parts ADD COLUMN price_date TEXT NOT NULL DEFAULT '';
