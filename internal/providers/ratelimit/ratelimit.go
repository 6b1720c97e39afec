// Package ratelimit paces requests to a synchronous endpoint: at most
// Concurrency in flight, RPM requests and TPM tokens in any minute, and
// fewer while the endpoint pushes back. Token buckets
// (golang.org/x/time/rate) pace requests and tokens; an adaptive
// concurrency limit halves on each 429, 503 or 529 (multiplicative
// decrease) and grows by one per limit's worth of successes (additive
// increase), never above Concurrency; and a wait the endpoint names
// (Retry-After, retry-after-ms, a RetryInfo detail, or a rate-limit
// header saying nothing remains until a reset) pauses every request until
// it has passed. See Wait for the headers read.
//
// The limiter reads time only from its Clock, so it is tested with a fake
// one and no sleeps.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Config are the limits a Limiter never exceeds; 0 means no limit.
type Config struct {
	// Concurrency is the most requests in flight at once, and the ceiling
	// of the adaptive limit, which starts there.
	Concurrency int
	// RPM and TPM are the most requests and tokens started in any minute.
	RPM int
	TPM int64
	// TimeScale is how many of the endpoint's seconds pass in a real
	// second: an emulator's --time-scale, whose minutes RPM and TPM then
	// count (0 means 1). The waits its answers name are real already.
	TimeScale float64
}

// Validate reports the first limit out of range.
func (c Config) Validate() error {
	switch {
	case c.Concurrency < 0:
		return fmt.Errorf("concurrency %d is negative", c.Concurrency)
	case c.RPM < 0:
		return fmt.Errorf("requests per minute %d is negative", c.RPM)
	case c.TPM < 0:
		return fmt.Errorf("tokens per minute %d is negative", c.TPM)
	case c.TimeScale < 0 || math.IsNaN(c.TimeScale) || math.IsInf(c.TimeScale, 0):
		return fmt.Errorf("time scale %g is not a positive number", c.TimeScale)
	}
	return nil
}

// Clock is the limiter's time.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done (returning its error).
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The buckets hold a share of their limit: a sixtieth of RPM (a second's
// worth of requests) and a twentieth of TPM (three seconds' worth of
// tokens), so that a caller woken late by a loaded machine catches up
// rather than losing the time. A bucket refills at what remains of its
// limit, so that a full bucket spent at once plus a minute of refill is
// never more than the limit in any minute: a bucket of B requests refilled
// at R a second starts fewer than B + 60R in any minute, at most
// B - 1 + 60R, which is RPM for R = (RPM - B + 1) / 60 (with B = 1, one
// request every 60/RPM seconds). R is a millionth less than that, so that
// waits rounded down to the nanosecond never let one more through.
const (
	requestBurstShare = 60
	tokenBurstShare   = 20
)

// Limiter paces the requests of one endpoint. It is safe for concurrent
// use.
type Limiter struct {
	cfg      Config
	clock    Clock
	requests *rate.Limiter // nil without an RPM
	tokens   *rate.Limiter // nil without a TPM
	burst    int           // the token bucket's size

	mu          sync.Mutex
	inFlight    int
	limit       int    // the adaptive concurrency limit, in [1, Concurrency]
	successes   int    // since the limit last grew
	epoch       uint64 // counts decreases; a permit of an older epoch does not decrease again
	pausedUntil time.Time
	freed       chan struct{} // closed, and replaced, when a request ends
}

// New returns a limiter of cfg reading time from clock (nil: the real
// clock).
func New(cfg Config, clock Clock) (*Limiter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if clock == nil {
		clock = SystemClock{}
	}
	l := &Limiter{cfg: cfg, clock: clock, limit: cfg.Concurrency, freed: make(chan struct{})}
	scale := cfg.TimeScale
	if scale == 0 {
		scale = 1
	}
	if cfg.RPM > 0 {
		burst := max(1, cfg.RPM/requestBurstShare)
		perMinute := float64(cfg.RPM-burst+1) * (1 - 1e-6)
		l.requests = rate.NewLimiter(rate.Limit(perMinute/60*scale), burst)
	}
	if cfg.TPM > 0 {
		l.burst = int(max(1, cfg.TPM/tokenBurstShare))
		perMinute := float64(cfg.TPM - int64(l.burst))
		if cfg.TPM <= int64(l.burst) {
			perMinute = float64(cfg.TPM)
		}
		l.tokens = rate.NewLimiter(rate.Limit(perMinute/60*scale), l.burst)
	}
	return l, nil
}

// Permit is a request allowed to start; Done ends it.
type Permit struct {
	l     *Limiter
	epoch uint64
	once  sync.Once
}

// ErrFull is TryAcquire's answer when as many requests are in flight as
// the concurrency limit allows: one must end first.
var ErrFull = errors.New("ratelimit: concurrency limit reached")

// TryAcquire starts a request of tokens now if the limits allow it. If
// they do not, it returns the time to wait before trying again, or ErrFull
// when a request must end first.
func (l *Limiter) TryAcquire(tokens int64) (*Permit, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if now.Before(l.pausedUntil) {
		return nil, l.pausedUntil.Sub(now), nil
	}
	if l.cfg.Concurrency > 0 && l.inFlight >= l.limit {
		return nil, 0, ErrFull
	}
	if wait := l.reserve(now, tokens); wait > 0 {
		return nil, wait, nil
	}
	l.inFlight++
	return &Permit{l: l, epoch: l.epoch}, 0, nil
}

// reserve takes a request and its tokens from the buckets at now, or, if
// they are not there yet, takes nothing and returns the wait until they
// are. A request of more tokens than the bucket holds waits for a full
// bucket and leaves it in debt.
func (l *Limiter) reserve(now time.Time, tokens int64) time.Duration {
	var taken []*rate.Reservation
	cancel := func() {
		for i := len(taken) - 1; i >= 0; i-- {
			taken[i].CancelAt(now)
		}
	}
	if l.requests != nil {
		r := l.requests.ReserveN(now, 1)
		taken = append(taken, r)
		if d := r.DelayFrom(now); d > 0 {
			cancel()
			return d
		}
	}
	if l.tokens != nil && tokens > 0 {
		first := int(min(tokens, int64(l.burst)))
		r := l.tokens.ReserveN(now, first)
		taken = append(taken, r)
		if d := r.DelayFrom(now); d > 0 {
			cancel()
			return d
		}
		for rest := tokens - int64(first); rest > 0; rest -= int64(l.burst) {
			l.tokens.ReserveN(now, int(min(rest, int64(l.burst))))
		}
	}
	return 0
}

// Acquire waits until a request of tokens may start, or ctx is done.
func (l *Limiter) Acquire(ctx context.Context, tokens int64) (*Permit, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.mu.Lock()
		freed := l.freed
		l.mu.Unlock()
		p, wait, err := l.TryAcquire(tokens)
		switch {
		case p != nil:
			return p, nil
		case errors.Is(err, ErrFull):
			select {
			case <-freed:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		default:
			if err := l.clock.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
	}
}

// Done ends the request with what its answer said: its HTTP status (0 for
// no answer) and headers, and its body for the wait a Gemini 429 names.
// A 429, 503 or 529 halves the concurrency limit, once for all the
// requests started before a decrease; as many successes as the limit grow
// it by one; a wait the answer names pauses every request. Later calls do
// nothing.
func (p *Permit) Done(status int, header http.Header, body []byte) {
	p.once.Do(func() { p.l.done(p.epoch, status, header, body) })
}

func (l *Limiter) done(epoch uint64, status int, header http.Header, body []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	close(l.freed)
	l.freed = make(chan struct{})
	now := l.clock.Now()
	if wait := Wait(status, header, body, now); wait > 0 {
		l.pausedUntil = maxTime(l.pausedUntil, now.Add(wait))
	}
	if l.cfg.Concurrency == 0 {
		return
	}
	switch {
	case Overloaded(status):
		if epoch == l.epoch {
			l.limit = max(1, l.limit/2)
			l.successes = 0
			l.epoch++
		}
	case status >= 200 && status < 300 && l.limit < l.cfg.Concurrency:
		if l.successes++; l.successes >= l.limit {
			l.limit++
			l.successes = 0
		}
	}
}

// Limit returns the current concurrency limit (0: none).
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// InFlight returns the number of requests started and not done.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight
}

// Overloaded reports whether status says the endpoint is over its limits
// or its capacity: 429, 503, or Anthropic's 529 overloaded_error.
func Overloaded(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == 529
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
