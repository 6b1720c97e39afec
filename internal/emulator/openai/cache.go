package openai

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// The emulator's prompt cache, deterministic. OpenAI caches the prefix of
// every prompt of 1024 tokens or more by itself, and reports the tokens a
// later prompt read from it, in increments of 128, as
// usage.prompt_tokens_details.cached_tokens (chat) and
// usage.input_tokens_details.cached_tokens (responses, and the batch's
// usage): https://developers.openai.com/api/docs/guides/prompt-caching
// ("How it works": "Caching is enabled automatically for prompts that are
// 1024 tokens or longer"), and the openai-cookbook's Prompt_Caching_201
// ("cache hits occurring in increments of 128 tokens").
//
// The emulator caches at message boundaries: each prefix of a request's
// messages (the model and their texts) of at least 1024 tokens (words) is
// written when the request ends, and a later request reads its longest
// cached prefix, rounded down to 1024 plus a multiple of 128. As for
// Anthropic (cache.go there), a batch looks the cache up when it is created
// and writes it when its results are made, so the requests of one batch
// never read each other's writes. An entry lives an hour.
const (
	minCacheTokens = 1024
	cacheIncrement = 128
	cacheTTL       = time.Hour
	// maxBatchHits bounds the cached prefixes a batch record keeps: a
	// batch whose requests read more distinct ones reads only these.
	maxBatchHits = 1000
)

// prefix is a prefix of a request's messages that the cache keeps.
type prefix struct {
	hash   string // of the model and the texts
	tokens int64
}

// cacheable is a request whose prompt is cached: chat and responses.
type cacheable interface {
	// prompt returns the request's model and its conversation, whose
	// cached count reading the cache sets.
	prompt() (model string, conv *conversation)
}

func (r *chatRequest) prompt() (string, *conversation)      { return r.Model, &r.conv }
func (r *responsesRequest) prompt() (string, *conversation) { return r.Model, &r.conv }

// prefixes returns the cacheable prefixes of a succeeded request, shortest
// first; none for another request.
func (ex *execution) prefixes() []prefix {
	c, ok := ex.request.(cacheable)
	if ex.outcome != core.OutcomeSucceeded || !ok {
		return nil
	}
	model, conv := c.prompt()
	// Most prompts are too short to cache: they are not hashed at all.
	if conv.inputTokens() < minCacheTokens {
		return nil
	}
	h := sha256.New()
	h.Write([]byte(model + "\x00"))
	var tokens int64
	var out []prefix
	for i, t := range conv.texts {
		h.Write([]byte(t))
		h.Write([]byte{0})
		if tokens += conv.tokenCounts()[i]; tokens >= minCacheTokens {
			out = append(out, prefix{hash: hex.EncodeToString(h.Sum(nil)), tokens: tokens})
		}
	}
	return out
}

// readCache sets what a request read from the cache, given the prefixes
// that were cached when it started (hits): its longest one, in increments.
func (ex *execution) readCache(hits map[string]bool) {
	var read int64
	for _, p := range ex.prefixes() {
		if hits[p.hash] {
			read = minCacheTokens + (p.tokens-minCacheTokens)/cacheIncrement*cacheIncrement
		}
	}
	if read > 0 {
		_, conv := ex.request.(cacheable).prompt()
		conv.cached, ex.cachedTokens = read, read
	}
}

// cache is the prompt cache's entries.
func (o *API) cache() core.PromptCache {
	return core.PromptCache{Dir: filepath.Join(filepath.Dir(o.batches), "prompt-cache")}
}

// lookUp adds to hits the prefixes of ex found in the cache at now.
func (o *API) lookUp(ex *execution, now time.Time, hits map[string]bool) {
	for _, p := range ex.prefixes() {
		if !hits[p.hash] && len(hits) < maxBatchHits && o.cache().Has(p.hash, now) {
			hits[p.hash] = true
		}
	}
}

// cacheLookup reads the cache for the requests of a batch being created.
type cacheLookup struct {
	o    *API
	now  time.Time
	hits map[string]bool // the prefixes found, for the batch record
}

// read sets what ex reads from the cache.
func (c *cacheLookup) read(ex *execution) {
	c.o.lookUp(ex, c.now, c.hits)
	ex.readCache(c.hits)
}

// record writes the prefixes of a request that ran as ex to the cache, as
// of when it ended.
func (o *API) record(ex *execution, ended time.Time) error {
	for _, p := range ex.prefixes() {
		if err := o.cache().Put(p.hash, ended, ended.Add(cacheTTL)); err != nil {
			return err
		}
	}
	return nil
}
