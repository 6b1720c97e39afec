package core

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Limits are what the server allows the calls to its synchronous
// endpoints, and how long it takes to answer them. The zero value allows
// everything at once and answers at once. Durations and windows are in
// emulated time, which passes TimeScale times faster than real time.
type Limits struct {
	// Latency is the fixed part of the time each answer takes; Jitter
	// adds up to that much more, drawn from a generator seeded with Seed,
	// so a run in the same order takes the same times.
	Latency, Jitter time.Duration
	Seed            uint64
	// Concurrency is the most calls answered at once; 0 means no limit.
	// A call over it is refused with a 429, or, when Overload is set, with
	// the vendor's overload error (503, Anthropic's 529).
	Concurrency int
	Overload    bool
	// RPM and TPM are the most requests, and tokens (a request's input
	// and output tokens), admitted in any minute; 0 means no limit. A
	// refused call counts against neither.
	RPM int
	TPM int64
	// TimeScale is how many emulated seconds pass in one real second: 60
	// makes a minute's window last a real second. It scales the latency,
	// the rate windows and the waits and resets the answers name. 0 means
	// 1.
	TimeScale float64
	// Quota limits what unfinished batches may hold in each protocol's
	// batch queue (not the synchronous endpoints; not time-scaled).
	Quota Quota
	// TokenLifetime is how long the OAuth2 access tokens of the fake token
	// endpoint last (Vertex AI, Cloud Storage), in real time (the
	// clients'); 0 means an hour, as Google's do.
	TokenLifetime time.Duration
}

// Validate reports the first limit that is out of range.
func (l Limits) Validate() error {
	switch {
	case l.Latency < 0:
		return fmt.Errorf("negative latency %s", l.Latency)
	case l.Jitter < 0:
		return fmt.Errorf("negative jitter %s", l.Jitter)
	case l.Concurrency < 0:
		return fmt.Errorf("negative concurrency %d", l.Concurrency)
	case l.RPM < 0:
		return fmt.Errorf("negative requests per minute %d", l.RPM)
	case l.TPM < 0:
		return fmt.Errorf("negative tokens per minute %d", l.TPM)
	case l.TimeScale < 0 || math.IsNaN(l.TimeScale) || math.IsInf(l.TimeScale, 0):
		return fmt.Errorf("time scale %g is not a positive number", l.TimeScale)
	case l.TokenLifetime < 0:
		return fmt.Errorf("negative token lifetime %s", l.TokenLifetime)
	case l.Overload && l.Concurrency == 0:
		return errors.New("overload needs a concurrency limit")
	}
	return l.Quota.Validate()
}

// scale returns the time scale, 1 when unset.
func (l Limits) scale() float64 {
	if l.TimeScale == 0 {
		return 1
	}
	return l.TimeScale
}

// Stats are what the server saw of the calls to its synchronous
// endpoints, as GET /_emulator/stats reports them.
type Stats struct {
	// Admitted calls passed the limits; Refused ones were answered with
	// a 429 (or an overload error), by the limit that refused them.
	Admitted           int64 `json:"admitted"`
	RefusedConcurrency int64 `json:"refused_concurrency"`
	RefusedRequests    int64 `json:"refused_requests"`
	RefusedTokens      int64 `json:"refused_tokens"`
	// Tokens is the sum of the admitted calls' tokens.
	Tokens int64 `json:"tokens"`
	// InFlight is the number of admitted calls not yet answered.
	InFlight int `json:"in_flight"`
	// PeakConcurrency is the most admitted calls in flight at once;
	// PeakRPM and PeakTPM are the most requests and tokens admitted in
	// any minute of emulated time (a sliding window).
	PeakConcurrency int   `json:"peak_concurrency"`
	PeakRPM         int   `json:"peak_requests_per_minute"`
	PeakTPM         int64 `json:"peak_tokens_per_minute"`
}

// RateState is what a vendor's rate-limit headers say after a call: for
// each limit set, the limit, what remains of it in the current minute,
// and the real time until all of it is available again. A limit of 0 is
// not set.
type RateState struct {
	RequestLimit, RequestsRemaining int
	RequestsReset                   time.Duration
	TokenLimit, TokensRemaining     int64
	TokensReset                     time.Duration
}

// The limits that refuse a call.
const (
	LimitConcurrency = "concurrency"
	LimitRequests    = "requests"
	LimitTokens      = "tokens"
)

// Refusal is a call refused by the server's limits.
type Refusal struct {
	// Limit is the limit that refused it (LimitConcurrency...).
	Limit string
	// Overload is set when the call is answered with the vendor's
	// overload error rather than a 429.
	Overload bool
	// Wait is the real time after which the call would pass.
	Wait time.Duration
	// Message says what was exceeded, e.g. "Limit 600, Used 600,
	// Requested 1".
	Message string
	State   RateState
}

// minute is the window of the per-minute limits.
const minute = time.Minute

// limiter applies Limits and keeps Stats. Its times are emulated
// durations since start.
type limiter struct {
	mu       sync.Mutex
	limits   Limits
	realNow  func() time.Time
	start    time.Time
	jitter   *rand.Rand
	requests window
	tokens   window
	stats    Stats
}

func newLimiter(l Limits, realNow func() time.Time) *limiter {
	if realNow == nil {
		realNow = time.Now
	}
	return &limiter{limits: l, realNow: realNow, start: realNow(), jitter: rand.New(rand.NewPCG(l.Seed, 0))}
}

// now returns the emulated time since the limiter started.
func (lm *limiter) now() time.Duration {
	return time.Duration(float64(lm.realNow().Sub(lm.start)) * lm.limits.scale())
}

// real converts an emulated duration to real time.
func (lm *limiter) real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / lm.limits.scale())
}

// admit decides on a call counting tokens: it either admits it, returning
// the real latency to wait before answering and the rate state after it,
// or refuses it. An admitted call must be released.
func (lm *limiter) admit(tokens int64) (latency time.Duration, state RateState, refusal *Refusal) {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	now := lm.now()
	lm.requests.expire(now - minute)
	lm.tokens.expire(now - minute)
	if r := lm.check(now, tokens); r != nil {
		r.State = lm.state(now)
		r.Wait = lm.real(r.Wait)
		return 0, r.State, r
	}
	lm.requests.add(now, 1)
	lm.tokens.add(now, tokens)
	s := &lm.stats
	s.Admitted++
	s.Tokens += tokens
	s.InFlight++
	s.PeakConcurrency = max(s.PeakConcurrency, s.InFlight)
	s.PeakRPM = max(s.PeakRPM, int(lm.requests.sum))
	s.PeakTPM = max(s.PeakTPM, lm.tokens.sum)
	latency = lm.limits.Latency
	if lm.limits.Jitter > 0 {
		latency += time.Duration(lm.jitter.Int64N(int64(lm.limits.Jitter) + 1))
	}
	return lm.real(latency), lm.state(now), nil
}

// check returns the refusal of a call counting tokens at now, or nil.
func (lm *limiter) check(now time.Duration, tokens int64) *Refusal {
	l := lm.limits
	switch {
	case l.Concurrency > 0 && lm.stats.InFlight >= l.Concurrency:
		lm.stats.RefusedConcurrency++
		return &Refusal{
			Limit:    LimitConcurrency,
			Overload: l.Overload,
			Wait:     max(l.Latency, time.Second),
			Message:  fmt.Sprintf("Limit %d concurrent requests, in flight %d", l.Concurrency, lm.stats.InFlight),
		}
	case l.RPM > 0 && lm.requests.sum >= int64(l.RPM):
		lm.stats.RefusedRequests++
		return &Refusal{
			Limit:   LimitRequests,
			Wait:    lm.requests.waitFor(now, int64(l.RPM)-1),
			Message: fmt.Sprintf("Limit %d, Used %d, Requested 1", l.RPM, lm.requests.sum),
		}
	case l.TPM > 0 && lm.tokens.sum+tokens > l.TPM:
		lm.stats.RefusedTokens++
		wait := minute
		if tokens <= l.TPM {
			wait = lm.tokens.waitFor(now, l.TPM-tokens)
		}
		return &Refusal{
			Limit:   LimitTokens,
			Wait:    wait,
			Message: fmt.Sprintf("Limit %d, Used %d, Requested %d", l.TPM, lm.tokens.sum, tokens),
		}
	}
	return nil
}

// state returns the rate state at now, in real time.
func (lm *limiter) state(now time.Duration) RateState {
	l := lm.limits
	var s RateState
	if l.RPM > 0 {
		s.RequestLimit = l.RPM
		s.RequestsRemaining = max(0, l.RPM-int(lm.requests.sum))
		s.RequestsReset = lm.real(lm.requests.waitFor(now, 0))
	}
	if l.TPM > 0 {
		s.TokenLimit = l.TPM
		s.TokensRemaining = max(0, l.TPM-lm.tokens.sum)
		s.TokensReset = lm.real(lm.tokens.waitFor(now, 0))
	}
	return s
}

// release ends an admitted call.
func (lm *limiter) release() {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	lm.stats.InFlight--
}

// snapshot returns the stats so far.
func (lm *limiter) snapshot() Stats {
	lm.mu.Lock()
	defer lm.mu.Unlock()
	return lm.stats
}

// window is what was admitted in the last minute: amounts at emulated
// times, oldest first, from head on.
type window struct {
	at   []time.Duration
	n    []int64
	head int
	sum  int64
}

func (w *window) add(at time.Duration, n int64) {
	w.at = append(w.at, at)
	w.n = append(w.n, n)
	w.sum += n
}

// expire drops what was admitted at or before cutoff.
func (w *window) expire(cutoff time.Duration) {
	for w.head < len(w.at) && w.at[w.head] <= cutoff {
		w.sum -= w.n[w.head]
		w.head++
	}
	if w.head > len(w.at)/2 {
		w.at = append(w.at[:0], w.at[w.head:]...)
		w.n = append(w.n[:0], w.n[w.head:]...)
		w.head = 0
	}
}

// waitFor returns the emulated time from now until the window holds at
// most target.
func (w *window) waitFor(now time.Duration, target int64) time.Duration {
	sum := w.sum
	for i := w.head; i < len(w.at) && sum > target; i++ {
		sum -= w.n[i]
		if sum <= target {
			return w.at[i] + minute - now
		}
	}
	return 0
}
