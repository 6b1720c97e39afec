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
	in := r.InputRates(batch)
	out := r.Output
	if batch {
		out = r.BatchOutput
	}
	read, written := detail(u.CacheReadInputTokens), detail(u.CacheCreationInputTokens)
	written1h := min(u.CacheCreation1hInputTokens, written)
	plain := max(u.InputTokens-read-written, 0)
	usd := (float64(plain)*in.Plain + float64(read)*in.CacheRead + float64(written-written1h)*in.CacheWrite +
		float64(written1h)*in.CacheWrite1h + float64(u.OutputTokens)*out) / 1e6
	return math.Round(usd*1e9) / 1e9
}

// InputRates are the rates of input tokens, USD per million.
type InputRates struct {
	Plain, CacheRead, CacheWrite, CacheWrite1h float64
}

// InputRates returns r's input rates at the Batch API's prices (batch) or
// the synchronous ones, as Cost prices them.
func (r Row) InputRates(batch bool) InputRates {
	in, discount := r.Input, 1.0
	if batch {
		in = r.BatchInput
		if r.Input > 0 {
			discount = r.BatchInput / r.Input
		}
	}
	write := rateOr(r.CacheWrite*discount, in)
	return InputRates{Plain: in, CacheRead: rateOr(r.CachedInput*discount, in), CacheWrite: write,
		CacheWrite1h: rateOr(r.CacheWrite1h*discount, write)}
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
