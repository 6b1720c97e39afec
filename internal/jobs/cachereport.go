package jobs

import (
	"context"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/batchctl/batchctl/internal/cacheprime"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/all"
)

// CacheReport is how the requests of a finished Anthropic job used the
// prompt cache: those after the primer, for a job with one.
type CacheReport struct {
	// Requests are the requests counted: succeeded, not the primer.
	Requests int
	// Prompt is their prompt tokens, those read from and written to the
	// cache included.
	Prompt, Read, Written int64
	// Prefix is what the job's requests share, and Min the shortest
	// prefix the model caches.
	Prefix cacheprime.Prefix
	Min    int
	Primer bool
}

// HitRate is the share of the prompt tokens read from the cache.
func (r *CacheReport) HitRate() float64 {
	if r.Prompt == 0 {
		return 0
	}
	return float64(r.Read) / float64(r.Prompt)
}

// Cacheable reports whether the requests share a prefix the model caches.
func (r *CacheReport) Cacheable() bool { return r.Prefix.Blocks > 0 && r.Prefix.Tokens >= r.Min }

// Summary says the hit rate in words.
func (r *CacheReport) Summary(job string) string {
	who := fmt.Sprintf("its %d requests", r.Requests)
	if r.Primer {
		who = fmt.Sprintf("the %d requests after the primer", r.Requests)
	}
	return fmt.Sprintf("job %s: cache hit rate %.1f%%: %s read %d of %d prompt tokens from the cache",
		job, 100*r.HitRate(), who, r.Read, r.Prompt)
}

// Warning says why a job whose requests share a cacheable prefix read
// nothing from the cache; "" when it did, or when they share none.
func (r *CacheReport) Warning(job string) string {
	if r.Read > 0 || r.Requests == 0 || !r.Cacheable() {
		return ""
	}
	why := "requests in one batch run in parallel and do not see each other's cache writes; create --cache-prime marks the prefix and sends one request first to write it"
	if r.Primer {
		why = "the primer's cache entry was not found (expired before the other parts ran, or the provider did not cache it)"
	}
	return fmt.Sprintf("job %s: its requests share a prompt prefix of about %d tokens (through %s), enough for %s to cache (%d), yet read 0 tokens from the cache: %s",
		job, r.Prefix.Tokens, r.Prefix.Ends, r.Prefix.Model, r.Min, why)
}

// CacheReport reads how a finished Anthropic job used the prompt cache
// from its results (downloading them, unless local is set: then only
// results already downloaded are read) and its input copy. It returns nil
// for any other job, one whose requests share no prefix and had no
// primer, and with local, one whose results are not all downloaded.
func (m *Manager) CacheReport(ctx context.Context, j *Job, local bool) (*CacheReport, error) {
	if !j.Registered || !j.Terminal() || all.Target(j.Target.ProfileType) != jsonl.TargetAnthropic {
		return nil, nil
	}
	if _, ok := m.Missing(j); local && !ok {
		return nil, nil
	}
	var f cacheprime.Finder
	for _, part := range j.Parts {
		if err := eachLine(m.InputPath(j.ID, part.Index), f.Add); err != nil {
			return nil, nil // no input copy: nothing to say
		}
	}
	r := &CacheReport{Prefix: f.Result(), Primer: j.Target.Primer && len(j.Parts) > 1}
	r.Min = cacheprime.MinTokens(r.Prefix.Model)
	if !r.Primer && !r.Cacheable() {
		return nil, nil
	}
	primer := ""
	if r.Primer {
		primer = j.Parts[0].BatchID
	}
	_, err := m.Results(ctx, j, func(res *providers.Result) error {
		if res.Status != providers.ResultSucceeded || res.Usage == nil || (primer != "" && res.BatchID == primer) {
			return nil
		}
		read, written, prompt := cacheTokens(res)
		r.Requests++
		r.Read += read
		r.Written += written
		r.Prompt += prompt
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// cacheTokens are the tokens a result read from and wrote to the cache,
// and all its prompt tokens: its usage's, whose input_tokens counts the
// cache's too, or where that does not say (a line normalized before the
// result line carried them), its response's usage (Anthropic's message
// usage, whose input_tokens leaves out cache_read_input_tokens and
// cache_creation_input_tokens).
func cacheTokens(res *providers.Result) (read, written, prompt int64) {
	u := res.Usage
	if u.CacheReadInputTokens != nil || u.CacheCreationInputTokens != nil {
		if u.CacheReadInputTokens != nil {
			read = *u.CacheReadInputTokens
		}
		if u.CacheCreationInputTokens != nil {
			written = *u.CacheCreationInputTokens
		}
		return read, written, u.InputTokens
	}
	usage := gjson.GetBytes(res.Response, "usage")
	read, written = usage.Get("cache_read_input_tokens").Int(), usage.Get("cache_creation_input_tokens").Int()
	return read, written, u.InputTokens + read + written
}
