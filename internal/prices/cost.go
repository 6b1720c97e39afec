package prices

import (
	"math"

	"github.com/batchctl/batchctl/internal/providers"
)

// Cost is what usage u cost at r's rates, rounded to a billionth of a
// dollar. u is in the result line's terms (providers.NewUsage): its input
// tokens include those read from and written to the cache, which are
// priced at the cached-input and cache-write rates (the input rate where
// the row has none), the writes to a one-hour cache at the one-hour rate
// (the cache-write rate where the row has none); its output tokens include
// the reasoning ones, priced as output. At batch rates the cache rates get
// the batch discount too (the ratio of the batch to the synchronous input
// rate): Anthropic's batch discount stacks with its caching multipliers
// (docs.claude.com/en/docs/about-claude/pricing, "Batch processing"), and
// OpenAI's batch rates halve cached input as they halve input
// (platform.openai.com/docs/pricing, Batch).
func (r Row) Cost(u providers.Usage, batch bool) float64 {
	in, out, discount := r.Input, r.Output, 1.0
	if batch {
		in, out = r.BatchInput, r.BatchOutput
		if r.Input > 0 {
			discount = r.BatchInput / r.Input
		}
	}
	cachedRate := rateOr(r.CachedInput*discount, in)
	writeRate := rateOr(r.CacheWrite*discount, in)
	write1hRate := rateOr(r.CacheWrite1h*discount, writeRate)
	read, written := detail(u.CacheReadInputTokens), detail(u.CacheCreationInputTokens)
	written1h := min(u.CacheCreation1hInputTokens, written)
	plain := max(u.InputTokens-read-written, 0)
	usd := (float64(plain)*in + float64(read)*cachedRate + float64(written-written1h)*writeRate +
		float64(written1h)*write1hRate + float64(u.OutputTokens)*out) / 1e6
	return math.Round(usd*1e9) / 1e9
}

// rateOr is rate, or fallback where the row gives none (0).
func rateOr(rate, fallback float64) float64 {
	if rate > 0 {
		return rate
	}
	return fallback
}

func detail(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
