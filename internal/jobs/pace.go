package jobs

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/batchctl/batchctl/internal/providers/httpx"
)

// Pace is a plain Limiter: at most rpm requests and tpm estimated tokens a
// minute, each spread evenly (a request every minute/rpm), and every send
// held back for as long as a 429 or 503 answer's Retry-After asks. Zero
// limits are none. It stands in for the adaptive limiter of the rate
// limit package (AIMD concurrency, the providers' rate limit headers)
// until that lands.
type Pace struct {
	mu    sync.Mutex
	next  time.Time     // earliest start of the next request
	per   time.Duration // minute / rpm
	tpm   int
	until time.Time // a Retry-After holds every send until then
}

// NewPace returns a Pace of rpm requests and tpm tokens a minute.
func NewPace(rpm, tpm int) *Pace {
	p := &Pace{tpm: tpm}
	if rpm > 0 {
		p.per = time.Minute / time.Duration(rpm)
	}
	return p
}

// Acquire waits for the request's turn.
func (p *Pace) Acquire(ctx context.Context, tokens int) (func(int, http.Header, []byte), error) {
	p.mu.Lock()
	now := time.Now()
	start := later(later(p.next, now), p.until)
	gap := p.per
	if p.tpm > 0 {
		gap = max(gap, time.Minute*time.Duration(tokens)/time.Duration(p.tpm))
	}
	p.next = start.Add(gap)
	p.mu.Unlock()
	if d := start.Sub(now); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return p.release, nil
}

func (p *Pace) release(status int, h http.Header, _ []byte) {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return
	}
	wait := httpx.RetryAfter(h, time.Now())
	if wait <= 0 {
		wait = time.Second
	}
	p.mu.Lock()
	p.until = later(p.until, time.Now().Add(wait))
	p.mu.Unlock()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
