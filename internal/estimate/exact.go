package estimate

import (
	"context"
	"errors"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/ratelimit"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// DefaultExactConcurrency is the most token-count requests in flight at
// once: the adaptive limit halves it on each 429, 503 or 529.
const DefaultExactConcurrency = 8

// Exact asks a provider's free token-count endpoint (Anthropic's
// count_tokens, Gemini's countTokens) for the input tokens of each
// distinct request, in place of the offline approximation. Requests that
// differ only in their id are asked about once. Calls are paced by the
// rate limit package's adaptive limiter (at most Concurrency in flight,
// fewer while the endpoint pushes back) and retried by the retry policy
// (429, 5xx, network failures, after the wait the provider names).
type Exact struct {
	Counter  providers.TokenCounter
	Endpoint string // the job's endpoint
	Model    string // the job's model, for lines that name none
	// Concurrency is the most calls in flight (0: DefaultExactConcurrency).
	Concurrency int
	Retry       retry.Policy
	// Progress, when set, is told how many requests have been counted so
	// far, from the counting goroutines.
	Progress func(done int64)

	once    sync.Once
	limiter *ratelimit.Limiter
	seed    maphash.Seed
	mu      sync.Mutex
	seen    map[uint64]*exactCount
	done    atomic.Int64
}

// exactCount is the count of one distinct request, asked once.
type exactCount struct {
	once sync.Once
	n    int
	err  error
}

func (x *Exact) concurrency() int {
	if x.Concurrency <= 0 {
		return DefaultExactConcurrency
	}
	return x.Concurrency
}

func (x *Exact) init() error {
	var err error
	x.once.Do(func() {
		x.seed = maphash.MakeSeed()
		x.seen = map[uint64]*exactCount{}
		x.limiter, err = ratelimit.New(ratelimit.Config{Concurrency: x.concurrency()}, nil)
	})
	return err
}

// requestMembers are the id and the request of a line of each target that
// has a token-count endpoint.
var requestMembers = map[jsonl.Target][2]string{
	jsonl.TargetAnthropic: {"custom_id", "params"},
	jsonl.TargetGemini:    {"key", "request"},
}

// count returns the provider's count of a line's request.
func (x *Exact) count(ctx context.Context, target jsonl.Target, line []byte) (int, error) {
	members := requestMembers[target]
	m, err := providers.ScanRequest(line, members[0], members[1])
	if err != nil {
		return 0, err
	}
	key := maphash.Bytes(x.seed, m[members[1]])
	x.mu.Lock()
	c := x.seen[key]
	if c == nil {
		c = &exactCount{}
		x.seen[key] = c
	}
	x.mu.Unlock()
	c.once.Do(func() { c.n, c.err = x.ask(ctx, line) })
	if x.Progress != nil {
		x.Progress(x.done.Add(1))
	}
	return c.n, c.err
}

// ask calls the endpoint, paced and retried.
func (x *Exact) ask(ctx context.Context, line []byte) (int, error) {
	var n int
	err := x.Retry.Do(ctx, "count tokens", func() error {
		permit, err := x.limiter.Acquire(ctx, 0)
		if err != nil {
			return err
		}
		n, err = x.Counter.CountTokens(ctx, providers.CallRequest{Endpoint: x.Endpoint, Model: x.Model, Line: line})
		status := 200
		var he *providers.HTTPError
		switch {
		case errors.As(err, &he):
			status = he.StatusCode
		case err != nil:
			status = 0
		}
		permit.Done(status, nil, nil)
		return err
	})
	return n, err
}
