// Package estimate counts the tokens of a converted batch input and prices
// them: input tokens, the range of output tokens (0 to each request's
// ceiling), and the cost range at batch and at synchronous prices, per
// part and for the whole job. Lines are counted on every core; memory
// does not grow with the input.
package estimate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/prices"
	"github.com/batchctl/batchctl/internal/tokens"
)

// Input is what to estimate: the part files of a prepared job.
type Input struct {
	Target   jsonl.Target
	Provider string // the profile, whose name prices are looked up by
	Model    string // the job's model; lines may name their own
	Parts    []string
	Prices   *prices.Table
	// Exact, when set, has the provider count the input tokens of each
	// request (estimate --exact).
	Exact *Exact
	// Direct is set for a direct job, whose requests are sent one by one
	// to the synchronous endpoint and so cost synchronous prices.
	Direct bool
	// Cache is the prefix create --cache-prime marks cacheable.
	Cache Cache
}

// Cache is a prompt prefix marked cacheable: the first Tokens input tokens
// of each request, written to a one-hour cache (OneHour) or a five-minute
// one. At least, the first request writes it and the others read it; at
// most, every request writes it (each missed the cache).
type Cache struct {
	Tokens  int64
	OneHour bool
}

// adjust is what the cache changes in the cost of n requests at rates, in
// USD: at least (lo) writers of them write the prefix and the others read
// it, at most (hi) every one writes it.
func (c Cache) adjust(rates prices.InputRates, n, writers int) (lo, hi float64) {
	write := rates.CacheWrite
	if c.OneHour {
		write = rates.CacheWrite1h
	}
	prefix := float64(c.Tokens) / 1e6
	writers = min(writers, n)
	lo = prefix * (float64(writers)*(write-rates.Plain) + float64(n-writers)*(rates.CacheRead-rates.Plain))
	return lo, prefix * float64(n) * (write - rates.Plain)
}

// Range is a cost range in USD; Max is nil when it has no upper bound.
type Range struct {
	Min float64  `json:"min"`
	Max *float64 `json:"max"`
}

// Count is the tokens and cost of a set of requests.
type Count struct {
	Requests    int   `json:"requests"`
	InputTokens int64 `json:"input_tokens"`
	// OutputTokensMax is the sum of the requests' output ceilings, nil when
	// some request has none (no max_tokens, model not in the price table).
	OutputTokensMin int64  `json:"output_tokens_min"`
	OutputTokensMax *int64 `json:"output_tokens_max"`
	// Batch and Sync are nil when a model of the requests has no price.
	Batch *Range `json:"batch_cost"`
	Sync  *Range `json:"sync_cost"`
}

// Driver is one ceiling shared by many requests: what makes the upper
// bound what it is.
type Driver struct {
	Ceiling  int    `json:"ceiling"`
	From     string `json:"from"` // "max_tokens" or "model maximum"
	Requests int    `json:"requests"`
}

// Report is an estimate.
type Report struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	// Direct is true for a direct job: its cost is the synchronous one.
	Direct bool `json:"direct"`
	// Counting is "exact" (OpenAI models, text; any model with --exact),
	// or "approximate" (Anthropic, Gemini, models whose tokenizer is not
	// known).
	Counting string `json:"counting"`
	// CountedBy is "batchctl" (offline) or "provider" (--exact: the
	// provider's token-count endpoint).
	CountedBy string `json:"counted_by"`
	// ErrorBound is the measured error of an approximate count, or
	// "unmeasured"; null for an exact count.
	ErrorBound *string `json:"error_bound"`
	// Estimated is the requests whose count includes images or tools,
	// counted by the providers' published rules.
	Estimated int `json:"estimated_requests"`
	// The whole job, as in Count (spelt out, not embedded, so that
	// --json=FIELDS can name them).
	Requests        int      `json:"requests"`
	InputTokens     int64    `json:"input_tokens"`
	OutputTokensMin int64    `json:"output_tokens_min"`
	OutputTokensMax *int64   `json:"output_tokens_max"`
	Batch           *Range   `json:"batch_cost"`
	Sync            *Range   `json:"sync_cost"`
	Unpriced        []string `json:"unpriced_models"`
	// Unconfirmed names the models priced by a built-in row whose figures
	// could not be checked against the provider's page.
	Unconfirmed []string `json:"unconfirmed_prices"`
	// Unbounded is the requests without an output ceiling.
	Unbounded int      `json:"unbounded_requests"`
	Drivers   []Driver `json:"drivers"`
	Parts     []Count  `json:"parts"`
	// CachePrefixTokens is the prefix create --cache-prime marks cacheable
	// (0: none), CacheOneHour whether for an hour: the cost ranges count
	// its writes and reads (see Cache).
	CachePrefixTokens int64 `json:"cache_prefix_tokens"`
	CacheOneHour      bool  `json:"cache_one_hour"`
}

// tallies are the counts of one model, gathered before pricing.
type tally struct {
	requests  int
	input     int64
	outMax    int64
	unbounded int
	estimated int
	exact     bool
	inexact   bool
	drivers   map[Driver]int
}

func (t *tally) add(o *tally) {
	t.requests += o.requests
	t.input += o.input
	t.outMax += o.outMax
	t.unbounded += o.unbounded
	t.estimated += o.estimated
	t.exact = t.exact || o.exact
	t.inexact = t.inexact || o.inexact
	for k, v := range o.drivers {
		t.drivers[k] += v
	}
}

func newTally() *tally { return &tally{drivers: map[Driver]int{}} }

// Run estimates in, offline.
func Run(in Input) (*Report, error) { return RunContext(context.Background(), in) }

// RunContext estimates in; ctx bounds the calls of in.Exact.
func RunContext(ctx context.Context, in Input) (*Report, error) {
	if in.Exact != nil {
		if err := in.Exact.init(); err != nil {
			return nil, err
		}
	}
	counter := tokens.NewCounter(in.Target, in.Model)
	ceilings := &modelCeilings{table: in.Prices, provider: in.Provider, rows: map[string]*prices.Row{}}
	rep := &Report{Provider: in.Provider, Model: in.Model, Direct: in.Direct, CountedBy: "batchctl", Unpriced: []string{}, Unconfirmed: []string{}, Drivers: []Driver{}, Parts: []Count{},
		CachePrefixTokens: in.Cache.Tokens, CacheOneHour: in.Cache.OneHour}
	total := map[string]*tally{}
	for i, path := range in.Parts {
		part, err := countFile(ctx, path, in, counter, ceilings)
		if err != nil {
			return nil, err
		}
		// the first part's first request writes the cache; the later parts read it
		writers := 0
		if i == 0 {
			writers = 1
		}
		rep.Parts = append(rep.Parts, price(part, ceilings, nil, cacheWriters{Cache: in.Cache, writers: writers}))
		for model, t := range part {
			if total[model] == nil {
				total[model] = newTally()
			}
			total[model].add(t)
		}
	}
	rep.setTotal(price(total, ceilings, &rep.Unpriced, cacheWriters{Cache: in.Cache, writers: 1}))
	for model := range total {
		if row := ceilings.row(model); row != nil && !row.Confirmed {
			rep.Unconfirmed = append(rep.Unconfirmed, model)
		}
	}
	sort.Strings(rep.Unconfirmed)
	exact, inexact := false, false
	drivers := map[Driver]int{}
	for _, t := range total {
		rep.Estimated += t.estimated
		rep.Unbounded += t.unbounded
		exact, inexact = exact || t.exact, inexact || t.inexact
		for d, n := range t.drivers {
			drivers[d] += n
		}
	}
	rep.Counting = "exact"
	if in.Exact != nil {
		rep.CountedBy = "provider"
	} else if inexact || !exact {
		unmeasured := "unmeasured"
		rep.Counting, rep.ErrorBound = "approximate", &unmeasured
	}
	for d, n := range drivers {
		d.Requests = n
		rep.Drivers = append(rep.Drivers, d)
	}
	sort.Slice(rep.Drivers, func(i, j int) bool {
		a, b := rep.Drivers[i], rep.Drivers[j]
		if wa, wb := int64(a.Ceiling)*int64(a.Requests), int64(b.Ceiling)*int64(b.Requests); wa != wb {
			return wa > wb
		}
		return a.Ceiling > b.Ceiling
	})
	return rep, nil
}

func (r *Report) setTotal(c Count) {
	r.Requests, r.InputTokens, r.OutputTokensMin, r.OutputTokensMax = c.Requests, c.InputTokens, c.OutputTokensMin, c.OutputTokensMax
	r.Batch, r.Sync = c.Batch, c.Sync
}

// total is the whole job as a Count.
func (r *Report) total() Count {
	return Count{Requests: r.Requests, InputTokens: r.InputTokens, OutputTokensMin: r.OutputTokensMin,
		OutputTokensMax: r.OutputTokensMax, Batch: r.Batch, Sync: r.Sync}
}

// modelCeilings looks up and caches price rows by model.
type modelCeilings struct {
	mu       sync.Mutex
	table    *prices.Table
	provider string
	rows     map[string]*prices.Row
}

func (m *modelCeilings) row(model string) *prices.Row {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.rows[model]; ok {
		return r
	}
	var row *prices.Row
	if m.table != nil {
		if r, ok := m.table.Lookup(m.provider, model); ok {
			row = &r
		}
	}
	m.rows[model] = row
	return row
}

// cacheWriters is a cache and how many of the requests priced write it at
// least.
type cacheWriters struct {
	Cache
	writers int
}

// price turns the tallies of each model into a Count, with what cache
// changes; unpriced, when given, collects the models without a price.
func price(byModel map[string]*tally, ceilings *modelCeilings, unpriced *[]string, cache cacheWriters) Count {
	var c Count
	var outMax int64
	var batch, sync Range
	var batchMax, syncMax float64
	bounded, priced := true, true
	models := make([]string, 0, len(byModel))
	for m := range byModel {
		models = append(models, m)
	}
	sort.Strings(models)
	for _, model := range models {
		t := byModel[model]
		c.Requests += t.requests
		c.InputTokens += t.input
		outMax += t.outMax
		bounded = bounded && t.unbounded == 0
		row := ceilings.row(model)
		if row == nil {
			priced = false
			if unpriced != nil {
				*unpriced = append(*unpriced, model)
			}
			continue
		}
		in, out := float64(t.input)/1e6, float64(t.outMax)/1e6
		batchLo, batchHi := cache.adjust(row.InputRates(true), t.requests, cache.writers)
		syncLo, syncHi := cache.adjust(row.InputRates(false), t.requests, cache.writers)
		batch.Min += in*row.BatchInput + batchLo
		batchMax += in*row.BatchInput + out*row.BatchOutput + batchHi
		sync.Min += in*row.Input + syncLo
		syncMax += in*row.Input + out*row.Output + syncHi
	}
	if bounded {
		c.OutputTokensMax = &outMax
	}
	batch.Min, sync.Min = micro(batch.Min), micro(sync.Min)
	batchMax, syncMax = micro(batchMax), micro(syncMax)
	if priced {
		if bounded {
			batch.Max, sync.Max = &batchMax, &syncMax
		}
		c.Batch, c.Sync = &batch, &sync
	}
	return c
}

// chunkBytes is about how much input one worker takes at a time.
const chunkBytes = 256 << 10

type chunk struct {
	buf   *[]byte   // the lines' bytes
	bufs  chunkBufs // where buf came from
	lines [][]byte  // in buf
	first int       // the line number of lines[0]
}

// chunkBufs recycles the chunks' buffers, so that reading the input makes
// no garbage. Unlike a sync.Pool, which the collector empties, it keeps
// them: counting keeps the collector busy.
type chunkBufs chan *[]byte

// newChunkBufs holds the buffers of the chunks a file can have in flight
// at once: queued, being counted by each worker, being read.
func newChunkBufs(workers int) chunkBufs { return make(chunkBufs, 3*workers+1) }

func (c chunkBufs) get() *[]byte {
	select {
	case b := <-c:
		return b
	default:
		b := make([]byte, 0, chunkBytes+64<<10)
		return &b
	}
}

func (c chunkBufs) put(b *[]byte) {
	*b = (*b)[:0]
	select {
	case c <- b:
	default:
	}
}

// countFile counts one part file on every core.
func countFile(ctx context.Context, path string, in Input, counter *tokens.Counter, ceilings *modelCeilings) (map[string]*tally, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	workers := runtime.GOMAXPROCS(0)
	if in.Exact != nil {
		workers = max(workers, in.Exact.concurrency())
	}
	// The first error stops the provider calls of the other workers.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	chunks := make(chan chunk, 2*workers)
	results := make([]map[string]*tally, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[w], errs[w] = countChunks(ctx, chunks, in, counter, ceilings)
			if errs[w] != nil {
				stop()
			}
		}()
	}
	rerr := readChunks(f, chunks, newChunkBufs(workers))
	close(chunks)
	wg.Wait()
	if rerr != nil {
		return nil, fmt.Errorf("reading %s: %w", path, rerr)
	}
	if err := firstError(errs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	merged := map[string]*tally{}
	for _, r := range results {
		for model, t := range r {
			if merged[model] == nil {
				merged[model] = newTally()
			}
			merged[model].add(t)
		}
	}
	return merged, nil
}

// firstError is the error of the worker that failed first: the others
// were stopped (context.Canceled) because of it.
func firstError(errs []error) error {
	var canceled error
	for _, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, context.Canceled):
			canceled = err
		default:
			return err
		}
	}
	return canceled
}

func readChunks(r io.Reader, chunks chan<- chunk, bufs chunkBufs) error {
	lr := jsonl.NewReader(r)
	var cur chunk
	size := 0
	for {
		line, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if cur.buf == nil {
			cur.buf, cur.bufs, cur.first = bufs.get(), bufs, lr.Line()
		}
		// A line that does not fit gets a buffer of its own: appending
		// would move the lines already in the buffer.
		buf := *cur.buf
		if len(buf)+len(line) > cap(buf) {
			cur.lines = append(cur.lines, append([]byte(nil), line...))
		} else {
			start := len(buf)
			buf = append(buf, line...)
			cur.lines = append(cur.lines, buf[start:len(buf):len(buf)])
			*cur.buf = buf
		}
		if size += len(line); size >= chunkBytes {
			chunks <- cur
			cur, size = chunk{}, 0
		}
	}
	if len(cur.lines) > 0 {
		chunks <- cur
	}
	return nil
}

// release returns a counted chunk's buffer.
func (ch chunk) release() { ch.bufs.put(ch.buf) }

func countChunks(ctx context.Context, chunks <-chan chunk, in Input, counter *tokens.Counter, ceilings *modelCeilings) (map[string]*tally, error) {
	byModel := map[string]*tally{}
	var firstErr error
	for ch := range chunks {
		if firstErr != nil || ctx.Err() != nil {
			ch.release()
			continue // drain
		}
		for i, line := range ch.lines {
			l, err := countLine(ctx, in, counter, line)
			if err != nil {
				firstErr = fmt.Errorf("line %d: %w", ch.first+i, err)
				break
			}
			model := l.Model
			if model == "" {
				model = strings.TrimPrefix(in.Model, "models/")
			}
			t := byModel[model]
			if t == nil {
				t = newTally()
				byModel[model] = t
			}
			addLine(t, l, ceilings.row(model))
		}
		ch.release()
	}
	return byModel, firstErr
}

// countLine counts a line offline, then, with in.Exact, has the provider
// count its input tokens (images and tools included).
func countLine(ctx context.Context, in Input, counter *tokens.Counter, line []byte) (tokens.Line, error) {
	l, err := counter.Count(line)
	if err != nil || in.Exact == nil {
		return l, err
	}
	if l.Input, err = in.Exact.count(ctx, in.Target, line); err != nil {
		return l, err
	}
	l.Exact, l.Estimated = true, false
	return l, nil
}

func addLine(t *tally, l tokens.Line, row *prices.Row) {
	t.requests++
	t.input += int64(l.Input)
	if l.Estimated {
		t.estimated++
	}
	if l.Exact {
		t.exact = true
	} else {
		t.inexact = true
	}
	switch {
	case l.NoOutput:
	case l.HasMax:
		t.outMax += int64(l.MaxOutput)
		t.drivers[Driver{Ceiling: l.MaxOutput, From: "max_tokens"}]++
	case row != nil && row.MaxOutput > 0:
		t.outMax += int64(row.MaxOutput)
		t.drivers[Driver{Ceiling: row.MaxOutput, From: "model maximum"}]++
	default:
		t.unbounded++
	}
}

// micro rounds USD to a millionth of a dollar, so that JSON shows no
// floating-point noise.
func micro(v float64) float64 { return math.Round(v*1e6) / 1e6 }
