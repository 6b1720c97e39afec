package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/httpx"
)

func TestClassify(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	stalled := &httpx.IdleTimeoutError{Idle: time.Minute}
	bg := context.Background()
	h := func(status int, code, msg string, after time.Duration) error {
		return fmt.Errorf("get: %w", &providers.HTTPError{StatusCode: status, Code: code, Message: msg, RetryAfter: after})
	}
	tests := []struct {
		name  string
		ctx   context.Context
		err   error
		retry bool
		wait  time.Duration
	}{
		{"429 with Retry-After", bg, h(429, "rate_limit_exceeded", "Rate limit reached", 4*time.Second), true, 4 * time.Second},
		{"429 without", bg, h(429, "", "", 0), true, 0},
		{"408", bg, h(408, "", "", 0), true, 0},
		{"409", bg, h(409, "", "", 0), true, 0},
		{"500", bg, h(500, "", "", 0), true, 0},
		{"503 with delay", bg, h(503, "UNAVAILABLE", "", 2*time.Second), true, 2 * time.Second},
		{"529 overloaded", bg, h(529, "overloaded_error", "", 0), true, 0},
		{"400", bg, h(400, "", "", 0), false, 0},
		{"401", bg, h(401, "invalid_api_key", "", 0), false, 0},
		{"403", bg, h(403, "", "", 0), false, 0},
		{"404", bg, h(404, "", "", 0), false, 0},
		{"413", bg, h(413, "request_too_large", "", 0), false, 0},
		{"openai quota", bg, h(429, "insufficient_quota", "You exceeded your current quota", 0), false, 0},
		{"anthropic spend limit", bg, h(429, "rate_limit_error", "enforced_spend_limit_reached", 0), false, 0},
		{"reset", bg, fmt.Errorf("read: %w", syscall.ECONNRESET), true, 0},
		{"refused", bg, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true, 0},
		{"truncated", bg, io.ErrUnexpectedEOF, true, 0},
		{"timeout", bg, &net.DNSError{IsTimeout: true}, true, 0},
		{"plain", bg, errors.New("bad json"), false, 0},
		{"url error, dial", bg, &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, true, 0},
		{"url error, bad scheme", bg, &url.Error{Op: "Get", URL: "x", Err: errors.New("unsupported protocol scheme")}, false, 0},
		{"connection closed", bg, &url.Error{Op: "Post", URL: "http://x", Err: io.EOF}, true, 0},
		{"no answer for http_idle_timeout", bg, &url.Error{Op: "Get", URL: "http://x", Err: stalled}, true, 0},
		{"answer stalled for http_idle_timeout", bg, fmt.Errorf("get batch: read response: %w", stalled), true, 0},
		{"cancelled context", canceled, h(500, "", "", 0), false, 0},
		{"deadline passed", expired, &url.Error{Op: "Get", URL: "http://x", Err: stalled}, false, 0},
		{"context error", bg, context.Canceled, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, wait := Classify(tt.ctx, tt.err)
			if retry != tt.retry || wait != tt.wait {
				t.Errorf("Classify = %v, %s; want %v, %s", retry, wait, tt.retry, tt.wait)
			}
		})
	}
}

func TestDo(t *testing.T) {
	var waits []time.Duration
	var reports []string
	pol := Policy{
		Attempts: 4, Base: time.Second, Max: 10 * time.Second,
		Report: func(op string, d time.Duration, err error) {
			reports = append(reports, fmt.Sprintf("%s %s: %v", op, d, err))
		},
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
	}
	calls := 0
	err := pol.Do(context.Background(), "get batch b1", func() error {
		calls++
		switch calls {
		case 1:
			return &providers.HTTPError{StatusCode: 429, Message: "slow down", RetryAfter: 3 * time.Second}
		case 2:
			return io.ErrUnexpectedEOF
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("Do = %v after %d calls", err, calls)
	}
	if waits[0] != 3*time.Second || waits[1] < 1600*time.Millisecond || waits[1] > 2400*time.Millisecond {
		t.Errorf("waits = %v: want the provider's 3s, then 2s±20%%", waits)
	}
	if !strings.HasPrefix(reports[0], "get batch b1 3s: 429 Too Many Requests: slow down") {
		t.Errorf("report = %q", reports[0])
	}

	calls = 0
	err = pol.Do(context.Background(), "x", func() error { calls++; return &providers.HTTPError{StatusCode: 500} })
	if calls != 4 || err == nil {
		t.Errorf("exhausted: %d calls, err %v; want 4 calls and the last error", calls, err)
	}
	calls = 0
	err = pol.Do(context.Background(), "x", func() error { calls++; return &providers.HTTPError{StatusCode: 400} })
	if calls != 1 || err == nil {
		t.Errorf("permanent: %d calls, err %v", calls, err)
	}
}

func TestDoStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pol := Policy{Base: time.Hour}
	calls := 0
	done := make(chan error)
	go func() {
		done <- pol.Do(ctx, "x", func() error { calls++; return &providers.HTTPError{StatusCode: 503} })
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || calls != 1 {
			t.Errorf("Do = %v after %d calls", err, calls)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not end on cancel")
	}
}

func TestBackoff(t *testing.T) {
	pol := Policy{Base: time.Second, Max: 5 * time.Second}
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 40: 5 * time.Second} {
		for range 50 {
			got := pol.Backoff(attempt)
			if got < want*8/10 || got > want*12/10 || got > pol.Max {
				t.Fatalf("Backoff(%d) = %s, want %s±20%% and ≤ %s", attempt, got, want, pol.Max)
			}
		}
	}
}
