package providertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/retry"
)

// unknownID names no batch, in a form every protocol takes for an id.
const unknownID = "conformance-unknown-1"

// call is one network method of a provider, called for its error.
type call struct {
	name string
	// op is the emulator's name of the operation whose fault fails the
	// method (see emulator.ParseFaults).
	op string
	// do calls the method of p on batch id; Submit submits a batch of one
	// request to e.
	do func(ctx context.Context, e *env, p providers.Provider, id string) error
}

// calls returns the network methods of a provider.
func calls() []call {
	return []call{
		{"Submit", "create", func(ctx context.Context, e *env, p providers.Provider, _ string) error {
			_, err := p.Submit(ctx, e.submitRequest([]Request{{"call-1", "hello"}}, nil))
			return err
		}},
		{"Get", "get", func(ctx context.Context, _ *env, p providers.Provider, id string) error {
			_, err := p.Get(ctx, id)
			return err
		}},
		{"Cancel", "cancel", func(ctx context.Context, _ *env, p providers.Provider, id string) error {
			_, err := p.Cancel(ctx, id)
			return err
		}},
		{"List", "list", func(ctx context.Context, _ *env, p providers.Provider, _ string) error {
			return p.List(ctx, providers.ListOptions{}, func(*providers.Batch) error { return nil })
		}},
	}
}

// testErrors checks the errors of an unknown batch, a wrong or missing
// key, and a rate limit.
func testErrors(t *testing.T, h Harness) {
	t.Run("not found", func(t *testing.T) {
		e := newEnv(t, h, "")
		for _, c := range calls() {
			if c.name != "Get" && c.name != "Cancel" {
				continue
			}
			var he *providers.HTTPError
			if err := c.do(context.Background(), e, e.p, unknownID); !errors.As(err, &he) || !he.IsNotFound() {
				t.Errorf("%s(%s): %v, want a *providers.HTTPError that is not found", c.name, unknownID, err)
			}
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		e := newEnv(t, h, "")
		b := e.submit(t, []Request{{"k-1", "keyed"}}, nil)
		wrong := h.New(t, e.srv.URL, "wrong-"+apiKey)
		for _, c := range calls() {
			var he *providers.HTTPError
			if err := c.do(context.Background(), e, wrong, b.ID); !errors.As(err, &he) || !he.IsAuth() {
				t.Errorf("%s with a wrong key: %v, want a *providers.HTTPError that is an auth error", c.name, err)
			}
		}
	})
	t.Run("no key", func(t *testing.T) {
		e := newEnv(t, h, "")
		b := e.submit(t, []Request{{"k-1", "keyed"}}, nil)
		keyless := h.New(t, e.srv.URL, "")
		var sent []string
		var mu sync.Mutex
		e.front.watch(func(r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			sent = append(sent, r.Method+" "+r.URL.Path)
		})
		for _, c := range calls() {
			var mk *providers.MissingKeyError
			if err := c.do(context.Background(), e, keyless, b.ID); !errors.As(err, &mk) {
				t.Errorf("%s without a key: %v, want a *providers.MissingKeyError", c.name, err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(sent) > 0 {
			t.Errorf("requests sent without a key: %v", sent)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		for _, c := range calls() {
			t.Run(c.name, func(t *testing.T) { testRateLimited(t, h, c) })
		}
	})
}

// testRateLimited checks what a call answered 429 returns, and that the
// call works once the rate limit is over.
func testRateLimited(t *testing.T, h Harness, c call) {
	e := newEnv(t, h, c.op+"=429")
	var id string // Submit needs none
	if c.op != "create" {
		id = e.submit(t, []Request{{"r-1", "limited"}}, nil).ID
	}
	ctx := context.Background()
	err := c.do(ctx, e, e.p, id)
	var he *providers.HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("%s: %v, want a *providers.HTTPError with status 429", c.name, err)
	}
	// The emulator asks for a wait of one second.
	if he.RetryAfter != time.Second {
		t.Errorf("%s: RetryAfter %s, want 1s", c.name, he.RetryAfter)
	}
	if again, wait := retry.Classify(ctx, err); !again || wait != time.Second {
		t.Errorf("retry.Classify(%v) = %v, %s; want true, 1s", err, again, wait)
	}
	if err := c.do(ctx, e, e.p, id); err != nil {
		t.Errorf("%s after the rate limit: %v", c.name, err)
	}
}

// testRetry wraps the provider with the retry policy and checks that the
// calls it repeats survive short bursts of server errors and give up on
// long ones with the last error.
func testRetry(t *testing.T, h Harness) {
	tests := []struct {
		name       string
		faults     string
		wantStatus int // of the error returned; 0: the call succeeds
		waits      []time.Duration
	}{
		{name: "429 twice", faults: "%s=429x2", waits: []time.Duration{time.Second, time.Second}},
		{name: "500 then 503", faults: "%[1]s=500,%[1]s=503", waits: []time.Duration{-1, -1}},
		{name: "connection dropped mid-answer", faults: "%s=drop", waits: []time.Duration{-1}},
		// With three attempts, the third error is the one returned.
		{name: "more 5xx than attempts", faults: "%[1]s=500x2,%[1]s=503,%[1]s=502", wantStatus: http.StatusServiceUnavailable, waits: []time.Duration{-1, -1}},
		{name: "429 then 500 exhaust the attempts", faults: "%[1]s=429x2,%[1]s=500", wantStatus: http.StatusInternalServerError, waits: []time.Duration{time.Second, time.Second}},
	}
	for _, c := range calls() {
		if c.name != "Get" && c.name != "List" {
			continue // Submit is the caller's to repeat; a repeated Cancel is Get's case
		}
		for _, tt := range tests {
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, h, fmt.Sprintf(tt.faults, c.op))
				b := e.submit(t, []Request{{"r-1", "retried"}}, nil)
				var waits []time.Duration
				p := retry.Wrap(e.p, retry.Policy{
					Attempts: 3,
					Sleep: func(_ context.Context, d time.Duration) error {
						waits = append(waits, d)
						return nil
					},
				})
				err := c.do(context.Background(), e, p, b.ID)
				var he *providers.HTTPError
				switch {
				case tt.wantStatus == 0 && err != nil:
					t.Errorf("%s: %v", c.name, err)
				case tt.wantStatus != 0 && (!errors.As(err, &he) || he.StatusCode != tt.wantStatus):
					t.Errorf("%s: %v, want a *providers.HTTPError with status %d", c.name, err, tt.wantStatus)
				}
				if !sameWaits(waits, tt.waits) {
					t.Errorf("waited %v, want %v (-1: a backoff)", waits, tt.waits)
				}
			})
		}
	}
}

// sameWaits compares waits with want, where -1 stands for any positive
// backoff.
func sameWaits(waits, want []time.Duration) bool {
	return slices.EqualFunc(waits, want, func(got, want time.Duration) bool {
		if want < 0 {
			return got > 0
		}
		return got == want
	})
}

// testContext checks that every call honours a context cancelled before
// it, and that Get returns promptly when its context is cancelled while
// the server has not answered.
func testContext(t *testing.T, h Harness) {
	t.Run("cancelled before the call", func(t *testing.T) {
		e := newEnv(t, h, "")
		b := e.submit(t, []Request{{"x-1", "cancelled"}}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, c := range calls() {
			if err := c.do(ctx, e, e.p, b.ID); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context: %v, want an error wrapping context.Canceled", c.name, err)
			}
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		e := newEnv(t, h, "")
		b := e.submit(t, []Request{{"x-1", "waiting"}}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The caller gives up while the server has not answered, and the
		// server does not answer until the caller has gone.
		e.front.watch(func(r *http.Request) {
			cancel()
			<-r.Context().Done()
		})
		done := make(chan error, 1)
		go func() {
			_, err := e.p.Get(ctx, b.ID)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Get: %v, want an error wrapping context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			e.srv.CloseClientConnections()
			t.Fatalf("Get did not return within 10s of its context being cancelled")
		}
	})
}
