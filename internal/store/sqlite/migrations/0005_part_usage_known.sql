-- usage_known is 1 once a part's token usage is known: reported by the
-- provider with the batch (OpenAI), or summed from its downloaded results
-- (Anthropic, Gemini, which report none with the batch). Until then the
-- part's input_tokens and output_tokens are 0 and mean "unknown", never
-- zero tokens. Rows from before this migration are known where they hold
-- tokens; the others become known at their next refresh or download.
ALTER TABLE parts ADD COLUMN usage_known INTEGER NOT NULL DEFAULT 0;

UPDATE parts SET usage_known = 1 WHERE input_tokens > 0 OR output_tokens > 0;
