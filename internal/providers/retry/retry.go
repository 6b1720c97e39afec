// Package retry is batchctl's one retry policy, shared by every provider:
// which failures are worth another attempt, how long to wait before it, and
// a Provider wrapper that applies it to the calls that are safe to repeat.
package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
)

// Policy says how often and how long to retry.
type Policy struct {
	// Attempts is the most tries of one call, the first included (default 5).
	Attempts int
	// Base is the first backoff (default 1s); it doubles per attempt, with
	// jitter, up to Max (default 1m).
	Base, Max time.Duration
	// Report, when set, is told of each retry before its wait.
	Report func(op string, wait time.Duration, err error)
	// Sleep waits d or until ctx is done (default: a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p Policy) attempts() int {
	if p.Attempts <= 0 {
		return 5
	}
	return p.Attempts
}

// Do calls fn until it succeeds, fails permanently, runs out of attempts or
// ctx ends. op names the call in reports ("get batch").
func (p Policy) Do(ctx context.Context, op string, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if pe, ok := err.(permanent); ok {
			return pe.err
		}
		retry, wait := Classify(ctx, err)
		if !retry || attempt >= p.attempts() {
			return err
		}
		if wait <= 0 {
			wait = p.Backoff(attempt)
		}
		if p.Report != nil {
			p.Report(op, wait, err)
		}
		if err := p.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Backoff is the wait before retry number attempt (1-based) when the
// provider named none: Base·2^(attempt-1), capped at Max, with ±20% jitter.
func (p Policy) Backoff(attempt int) time.Duration {
	base, maxWait := p.Base, p.Max
	if base <= 0 {
		base = time.Second
	}
	if maxWait <= 0 {
		maxWait = time.Minute
	}
	d := base << min(attempt-1, 30)
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5 + 1))
	if rand.IntN(2) == 0 {
		return d - jitter
	}
	return min(d+jitter, maxWait)
}

func (p Policy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Classify says whether err is worth another attempt and how long the
// provider asked to wait (0 when it did not say). Network failures, 408,
// 409, 429, 5xx and Anthropic's 529 are retried; other 4xx, quota and
// spend-limit exhaustion, and a cancelled context are not.
func Classify(ctx context.Context, err error) (retry bool, wait time.Duration) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false, 0
	}
	var he *providers.HTTPError
	if errors.As(err, &he) {
		switch {
		case exhausted(he):
			return false, 0
		case he.StatusCode == 408, he.StatusCode == 409, he.StatusCode == 429, he.StatusCode >= 500:
			return true, he.RetryAfter
		}
		return false, 0
	}
	// A *url.Error is a net.Error whatever it wraps: judge what it wraps.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &oe), errors.As(err, &ne) && ne.Timeout(),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return true, 0
	}
	return false, 0
}

// exhausted recognises 429s that waiting does not cure: OpenAI's
// insufficient_quota and Anthropic's spend limit.
func exhausted(he *providers.HTTPError) bool {
	if he.StatusCode != 429 {
		return false
	}
	text := strings.ToLower(he.Code + " " + he.Type + " " + he.Message)
	return strings.Contains(text, "insufficient_quota") || strings.Contains(text, "spend_limit") ||
		strings.Contains(text, "spend limit") || strings.Contains(text, "exceeded your current quota")
}
