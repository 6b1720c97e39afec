package jobs

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/batchctl/batchctl/internal/cacheprime"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
)

// CacheTTLs are the lifetimes --cache-ttl takes: those of Anthropic's
// cache_control (prompt-caching docs, "1-hour cache duration").
var CacheTTLs = []string{"5m", "1h"}

// CachePrimeNote says what create --cache-prime does on a target other
// than Anthropic's batches, where batchctl sends no primer, and why; ""
// for Anthropic batch jobs, which get one.
func CachePrimeNote(target jsonl.Target, provider string, direct bool) string {
	switch {
	case target == jsonl.TargetAnthropic && direct:
		return "--cache-prime: a direct job needs no primer (its requests go a few at a time, and later ones read the cache earlier ones wrote); the prefix the requests share is marked cacheable if it is long enough"
	case target == jsonl.TargetAnthropic:
		return ""
	case target == jsonl.TargetOpenAI:
		// https://platform.openai.com/docs/guides/prompt-caching: automatic
		// for prompts of 1024 tokens or more, no cache_control to set
		return fmt.Sprintf("--cache-prime: not needed on %s: OpenAI caches prompt prefixes of 1024 tokens or more by itself; the job is sent as it is", provider)
	case target == jsonl.TargetGemini:
		// https://ai.google.dev/gemini-api/docs/caching: implicit caching
		// is on for Gemini 2.5 models; explicit caches are made apart
		return fmt.Sprintf("--cache-prime: not supported on %s: Gemini 2.5 models cache shared prefixes implicitly, and batchctl makes no explicit context cache; the job is sent as it is", provider)
	}
	return fmt.Sprintf("--cache-prime: not supported on %s: batchctl primes Anthropic's prompt cache only; the job is sent as it is", provider)
}

// PrimerWhy is why the parts of a job created with --cache-prime wait in
// the submission queue while its part 1, the primer, runs.
const PrimerWhy = "waiting for the cache primer"

// AwaitsPrimer reports whether the job's cache primer (part 1) has not
// ended while other parts are still to submit: they wait in the queue
// (PrimerWhy) and go once it has ended, by the path that submits queued
// parts (create --wait, wait, sync).
func (j *Job) AwaitsPrimer() bool {
	if !j.Target.Primer || len(j.Parts) < 2 || j.Parts[0].BatchID == "" || providers.Status(j.Parts[0].Status).Terminal() {
		return false
	}
	for _, p := range j.Parts[1:] {
		if ToSubmit(p) {
			return true
		}
	}
	return false
}

// waitsForPrimer reports whether part i (0-based) of j must wait for the
// job's cache primer: it is not the primer, and the primer has not ended.
func (j *Job) waitsForPrimer(i int) bool {
	return i > 0 && j.Target.Primer && !providers.Status(j.Parts[0].Status).Terminal()
}

// primeParts applies --cache-prime to a prepared Anthropic job: it finds
// the prefix its requests share, marks it cacheable unless the lines carry
// cache_control already, and, for a batch job, puts the first request
// alone in part 1, the primer. Where that cannot help (one request, no
// shared prefix, a prefix shorter than the model caches) the plan stays as
// it is and PrimeNote says why.
func (m *Manager) primeParts(plan *Plan, spec Spec, maxReq int, maxBytes int64) error {
	var f cacheprime.Finder
	for i := range plan.Parts {
		err := eachLine(m.InputPath(plan.JobID, i+1), func(line []byte) error { return f.Add(line) })
		if err != nil {
			return fmt.Errorf("reading the job's input copy: %w", err)
		}
	}
	pre := f.Result()
	model := plan.Model
	if model == "" {
		model = pre.Model
	}
	min := cacheprime.MinTokens(model)
	direct := spec.Profile.Direct()
	switch {
	case pre.Requests < 2:
		plan.PrimeNote = "--cache-prime: the job has one request, so nothing to share: no primer"
		return nil
	case pre.Blocks == 0:
		plan.PrimeNote = fmt.Sprintf("--cache-prime: the %d requests share no prompt prefix (tools, system, leading turns): no primer", pre.Requests)
		return nil
	case pre.Tokens < min:
		plan.PrimeNote = fmt.Sprintf("--cache-prime: the prefix the requests share (through %s, about %d tokens) is shorter than the %d tokens %s caches at least: no primer",
			pre.Ends, pre.Tokens, min, model)
		return nil
	}
	marked := "marked cacheable (cache_control, ttl " + spec.CachePrime + ")"
	if pre.Marked {
		marked = "left as marked by the input's own cache_control"
		pre.Blocks = 0 // Mark then changes nothing
	} else {
		plan.CachePrefix, plan.CacheTTL = int64(pre.Tokens), spec.CachePrime
	}
	if !direct { // CachePrimeNote said what a direct job gets
		plan.Primer = true
		plan.PrimeNote = fmt.Sprintf("--cache-prime: the %d requests share a prefix through %s (about %d tokens), %s; the first request goes alone as the primer, the other %d once it has ended",
			pre.Requests, pre.Ends, pre.Tokens, marked, pre.Requests-1)
	}
	return m.rewriteParts(plan, spec, pre, maxReq, maxBytes)
}

// rewriteParts writes the job's parts again with the prefix marked, the
// first request alone in part 1 when the plan has a primer, the others cut
// by the same limits (requests, bytes, enqueued budget), and updates the
// plan.
func (m *Manager) rewriteParts(plan *Plan, spec Spec, pre cacheprime.Prefix, maxReq int, maxBytes int64) error {
	old := make([]string, len(plan.Parts))
	for i := range plan.Parts {
		old[i] = m.InputPath(plan.JobID, i+1) + ".unprimed"
		if err := os.Rename(m.InputPath(plan.JobID, i+1), old[i]); err != nil {
			return fmt.Errorf("writing the job's input copy: %w", err)
		}
	}
	w := &partWriter{m: m, jobID: plan.JobID, sum: sha256.New()}
	q := newQueueSplit(spec, "the job's input copy")
	n := 0
	for _, path := range old {
		err := eachLine(path, func(line []byte) error {
			out, err := cacheprime.Mark(line, pre, spec.CachePrime)
			if err != nil {
				return fmt.Errorf("marking the shared prefix: %w", err)
			}
			size := int64(len(out)) + 1
			units, err := q.units(out, n+1)
			if err != nil {
				return err
			}
			if w.cur == nil || w.cur.Requests >= maxReq || w.cur.Bytes+size > maxBytes || q.full(w.cur.Tokens, units) || (plan.Primer && n == 1) {
				if err := w.next(); err != nil {
					return err
				}
			}
			n++
			if err := w.write(out); err != nil {
				return err
			}
			w.cur.Tokens += units
			return nil
		})
		if err != nil {
			w.abort()
			return err
		}
		os.Remove(path)
	}
	if err := w.finish(); err != nil {
		return err
	}
	plan.Parts, plan.Bytes = w.parts, 0
	for _, p := range w.parts {
		plan.Bytes += p.Bytes
	}
	plan.SHA256 = hex.EncodeToString(w.sum.Sum(nil))
	return nil
}

// eachLine calls fn with every line of a JSONL file, without its newline.
// The slice is valid until fn returns.
func eachLine(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	var long []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line = line[:n-1]
		}
		if len(line) > 0 {
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// batches says n batches in words.
func batches(n int) string {
	if n == 1 {
		return "1 batch"
	}
	return fmt.Sprintf("%d batches", n)
}
