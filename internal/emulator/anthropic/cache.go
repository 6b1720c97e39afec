package anthropic

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/batchctl/batchctl/internal/emulator/core"
)

// The emulator's prompt cache, deterministic: a request's prefix up to a
// block marked with cache_control (tools, then system, then messages:
// https://docs.claude.com/en/docs/build-with-claude/prompt-caching) is
// read from the cache when a request that finished earlier wrote it, and
// written when the request ends. A batch looks the cache up when it is
// created and writes it when its results are made (once it has ended), so
// the requests of one batch never see each other's writes, as on the real
// API. Each entry is a file named by the prefix's hash, holding its expiry;
// nothing is kept in memory.

const (
	// minCacheTokens is the shortest prefix the emulator caches, in its
	// tokens (words): the 1024 of most Claude models.
	minCacheTokens = 1024
	// maxBreakpoints is the most cache_control marks a request may carry.
	maxBreakpoints  = 4
	defaultCacheTTL = 5 * time.Minute
)

// breakpoint is the prefix of a request through one marked block.
type breakpoint struct {
	hash   string // of the model and the prefix's blocks, marks left out
	tokens int64  // the prefix's words
	ttl    time.Duration
}

// cacheUse is what a request read from the prompt cache and wrote to it.
type cacheUse struct {
	read, written int64
	writtenTTL    time.Duration
	writes        []breakpoint // the breakpoints to record once it ends
}

// breakpoints returns the marked prefixes of params, shortest first.
func breakpoints(params json.RawMessage) []breakpoint {
	var p struct {
		Model    string            `json:"model"`
		Tools    []json.RawMessage `json:"tools"`
		System   json.RawMessage   `json:"system"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(params, &p) != nil {
		return nil
	}
	h := sha256.New()
	h.Write([]byte(p.Model + "\x00"))
	var tokens int64
	var out []breakpoint
	visit := func(raw json.RawMessage, counted bool) {
		block, ttl, marked := canonicalBlock(raw)
		h.Write(block)
		h.Write([]byte{0})
		if counted {
			var b struct {
				Text string `json:"text"`
			}
			json.Unmarshal(block, &b)
			tokens += core.CountTokens(b.Text)
		}
		if marked && len(out) < maxBreakpoints {
			out = append(out, breakpoint{hash: hex.EncodeToString(h.Sum(nil)), tokens: tokens, ttl: ttl})
		}
	}
	for _, t := range p.Tools {
		visit(t, false) // tools count no tokens in the emulator (execute)
	}
	for _, b := range blocksOf(p.System) {
		visit(b, true)
	}
	for _, m := range p.Messages {
		h.Write([]byte(m.Role + "\x00"))
		for _, b := range blocksOf(m.Content) {
			visit(b, true)
		}
	}
	return out
}

// blocksOf returns the blocks of system or message content: a string is
// one text block.
func blocksOf(content json.RawMessage) []json.RawMessage {
	var s string
	if json.Unmarshal(content, &s) == nil {
		b, _ := json.Marshal(map[string]string{"type": "text", "text": s})
		return []json.RawMessage{b}
	}
	var blocks []json.RawMessage
	json.Unmarshal(content, &blocks)
	return blocks
}

// canonicalBlock returns a block without its cache_control, in one
// spelling (sorted keys), with the ttl of its mark and whether it has one.
func canonicalBlock(raw json.RawMessage) (block []byte, ttl time.Duration, marked bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return raw, 0, false
	}
	if cc, ok := m["cache_control"]; ok && string(cc) != "null" {
		var c struct {
			TTL string `json:"ttl"`
		}
		json.Unmarshal(cc, &c)
		ttl, marked = defaultCacheTTL, true
		if c.TTL == "1h" {
			ttl = time.Hour
		}
		delete(m, "cache_control")
	}
	block, _ = json.Marshal(m)
	return block, ttl, marked
}

// cache is the prompt cache's entries.
func (a *API) cache() core.PromptCache {
	return core.PromptCache{Dir: filepath.Join(filepath.Dir(a.batches), "prompt-cache")}
}

// lookUp returns the hashes of params' marked prefixes found in the cache
// at now.
func (a *API) lookUp(params json.RawMessage, now time.Time) []string {
	var hits []string
	for _, bp := range breakpoints(params) {
		if bp.tokens >= minCacheTokens && a.cache().Has(bp.hash, now) {
			hits = append(hits, bp.hash)
		}
	}
	return hits
}

// useCache says what a request of params reads and writes, given the
// prefixes found in the cache when it started (hits): it reads its
// longest cached prefix, and writes its longest marked one past that.
func useCache(params json.RawMessage, hits map[string]bool) cacheUse {
	var u cacheUse
	for _, bp := range breakpoints(params) {
		if bp.tokens < minCacheTokens {
			continue
		}
		if hits[bp.hash] {
			u.read, u.written = bp.tokens, 0
			continue
		}
		u.written, u.writtenTTL = bp.tokens-u.read, bp.ttl
		u.writes = append(u.writes, bp)
	}
	return u
}

// apply takes the cache's share out of a succeeded run's input tokens:
// input_tokens counts only what was neither read nor written.
func (u cacheUse) apply(run *execution) {
	if run.outcome != core.OutcomeSucceeded {
		return
	}
	u.read = min(u.read, run.inputTokens)
	u.written = min(u.written, run.inputTokens-u.read)
	run.inputTokens -= u.read + u.written
	run.cacheRead, run.cacheWritten = u.read, u.written
	if u.writtenTTL == time.Hour {
		run.cacheWritten1h = u.written
	}
}

// record writes the request's prefixes to the cache, as of when it ended.
func (a *API) record(u cacheUse, ended time.Time) error {
	for _, bp := range u.writes {
		if err := a.cache().Put(bp.hash, ended, ended.Add(bp.ttl)); err != nil {
			return err
		}
	}
	return nil
}
