package ratelimit_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/providers/ratelimit"
)

// TestAgainstEmulator drives the emulator's chat endpoint, limited to 20
// concurrent calls and 600 requests a minute at a time scale of 60 (a
// minute lasts a real second), through the limiter configured with the
// same limits and time scale. Every request ends in a 200, the emulator's
// peaks stay within its limits, and the rate achieved is most of the
// limit.
func TestAgainstEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a second")
	}
	const (
		requests  = 900
		rpm       = 600
		timeScale = 60
	)
	srv, err := emulator.New(emulator.Options{Dir: t.TempDir(), Limits: emulator.Limits{
		Concurrency: 20, RPM: rpm, TimeScale: timeScale, Latency: time.Second, Jitter: time.Second, Seed: 1,
	}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	lim, err := ratelimit.New(ratelimit.Config{Concurrency: 20, RPM: rpm, TimeScale: timeScale}, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := hs.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 32
	var refused atomic.Int64
	send := func(ctx context.Context) error {
		for {
			p, err := lim.Acquire(ctx, 0)
			if err != nil {
				return err
			}
			req, _ := http.NewRequestWithContext(ctx, "POST", hs.URL+"/v1/chat/completions",
				strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
			req.Header.Set("Authorization", "Bearer k")
			resp, err := client.Do(req)
			if err != nil {
				p.Done(0, nil, nil)
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			p.Done(resp.StatusCode, resp.Header, body)
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Errorf("status %d: %s", resp.StatusCode, body)
				return nil
			}
			refused.Add(1)
		}
	}
	start := time.Now()
	work := make(chan struct{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range work {
				if err := send(t.Context()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range requests {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)

	s := srv.Stats()
	if s.Admitted != requests || s.RefusedConcurrency+s.RefusedRequests != refused.Load() {
		t.Errorf("stats %+v after %d refusals", s, refused.Load())
	}
	if s.PeakConcurrency > 20 || s.PeakRPM > rpm {
		t.Errorf("peaks over the limits: %+v", s)
	}
	// The limiter starts 10 requests at once, then 591 a minute: 900
	// requests take 1.5 emulated minutes at least, 1.5s. The achieved
	// rate, in emulated requests per minute:
	achieved := float64(requests) / (elapsed.Minutes() * timeScale)
	t.Logf("%d requests in %s: %.0f/min emulated (limit %d), %d refused; emulator %+v", requests, elapsed, achieved, rpm, refused.Load(), s)
	if elapsed < 1400*time.Millisecond {
		t.Errorf("%d requests in %s: faster than %d a minute at scale %d", requests, elapsed, rpm, timeScale)
	}
	// A wide margin for a loaded machine: the benchmark figure (about 95%
	// of the limit) is in the log.
	if achieved < 0.3*rpm {
		t.Errorf("achieved %.0f requests a minute, under 30%% of the limit %d", achieved, rpm)
	}
}
