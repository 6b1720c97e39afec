-- The detail counts of a part's token usage, as its provider reports them
-- (see providers.Usage): the input tokens read from and written to a
-- prompt cache, and the output tokens spent reasoning. NULL where the
-- provider does not report the count, and on rows from before this
-- migration, whose counts were not kept.
ALTER TABLE parts ADD COLUMN cache_read_tokens INTEGER;
ALTER TABLE parts ADD COLUMN cache_write_tokens INTEGER;
ALTER TABLE parts ADD COLUMN reasoning_tokens INTEGER;
