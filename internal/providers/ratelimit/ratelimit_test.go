package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is a clock whose Sleep moves it at once.
type fakeClock struct {
	now    time.Time
	slept  []time.Duration
	asleep func() // called after each Sleep, to act while "sleeping"
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	if c.asleep != nil {
		c.asleep()
	}
	return nil
}

func newLimiter(t *testing.T, cfg Config) (*Limiter, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: epoch}
	l, err := New(cfg, clock)
	if err != nil {
		t.Fatal(err)
	}
	return l, clock
}

func TestWait(t *testing.T) {
	now := epoch
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   time.Duration
	}{
		{"nothing", 429, h(), "", 0},
		{"retry-after-ms", 429, h("Retry-After-Ms", "125"), "", 125 * time.Millisecond},
		{"retry-after-ms before Retry-After", 429, h("Retry-After-Ms", "40", "Retry-After", "1"), "", 40 * time.Millisecond},
		{"Retry-After seconds", 429, h("Retry-After", "2"), "", 2 * time.Second},
		{"Retry-After a fraction", 503, h("Retry-After", "0.25"), "", 250 * time.Millisecond},
		{"Retry-After a date", 429, h("Retry-After", now.Add(30*time.Second).Format(http.TimeFormat)), "", 30 * time.Second},
		{"Retry-After a date past", 429, h("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)), "", 0},
		{"Retry-After huge", 429, h("Retry-After", "1e100"), "", maxWait},
		{"Retry-After garbage", 429, h("Retry-After", "soon"), "", 0},
		{"Gemini RetryInfo", 429, h(),
			`{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure"},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}`,
			1500 * time.Millisecond},
		{"Gemini RetryInfo of whole seconds", 429, h(), `{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"46s"}]}}`, 46 * time.Second},
		{"OpenAI 429: the reset of the exhausted limit", 429,
			h("X-Ratelimit-Remaining-Requests", "0", "X-Ratelimit-Reset-Requests", "6m0s", "X-Ratelimit-Remaining-Tokens", "5", "X-Ratelimit-Reset-Tokens", "1h"), "",
			6 * time.Minute},
		{"OpenAI 429: both exhausted, the later reset", 429,
			h("X-Ratelimit-Remaining-Requests", "0", "X-Ratelimit-Reset-Requests", "12ms", "X-Ratelimit-Remaining-Tokens", "0", "X-Ratelimit-Reset-Tokens", "1.5s"), "",
			1500 * time.Millisecond},
		{"OpenAI 200 with nothing remaining: no wait", 200,
			h("X-Ratelimit-Remaining-Requests", "0", "X-Ratelimit-Reset-Requests", "6m0s"), "", 0},
		{"Anthropic 429: the RFC 3339 reset", 429,
			h("Anthropic-Ratelimit-Requests-Remaining", "0", "Anthropic-Ratelimit-Requests-Reset", now.Add(20*time.Second).Format(time.RFC3339),
				"Anthropic-Ratelimit-Tokens-Remaining", "100", "Anthropic-Ratelimit-Tokens-Reset", now.Add(time.Hour).Format(time.RFC3339)), "",
			20 * time.Second},
		{"Anthropic 429: input tokens exhausted", 429,
			h("Anthropic-Ratelimit-Input-Tokens-Remaining", "0", "Anthropic-Ratelimit-Input-Tokens-Reset", now.Add(3*time.Second).Format(time.RFC3339)), "",
			3 * time.Second},
		{"Anthropic 429 with retry-after: that wins", 429,
			h("Retry-After", "7", "Anthropic-Ratelimit-Requests-Remaining", "0", "Anthropic-Ratelimit-Requests-Reset", now.Add(20*time.Second).Format(time.RFC3339)), "",
			7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Wait(tt.status, tt.header, []byte(tt.body), now); got != tt.want {
				t.Errorf("Wait = %s, want %s", got, tt.want)
			}
		})
	}
}

// step is one move of a limiter script.
type step struct {
	advance time.Duration // move the clock first
	// acquire a request of tokens; want: a permit (wantWait 0 and not
	// full), a wait, or ErrFull.
	acquire  bool
	tokens   int64
	wantWait time.Duration
	wantFull bool
	// done ends the permit of that index (in acquisition order) with
	// status and header.
	done   int
	status int
	header http.Header
	// then the adaptive limit and the requests in flight
	limit, inFlight int
}

func TestLimiterScript(t *testing.T) {
	acquire := func(limit, inFlight int) step { return step{acquire: true, limit: limit, inFlight: inFlight} }
	done := func(i, status int, limit, inFlight int) step {
		return step{done: i, status: status, limit: limit, inFlight: inFlight}
	}
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{
			name: "concurrency: full at the limit, free again when one ends",
			cfg:  Config{Concurrency: 2},
			steps: []step{
				acquire(2, 1), acquire(2, 2),
				{acquire: true, wantFull: true, limit: 2, inFlight: 2},
				done(0, 200, 2, 1),
				acquire(2, 2),
			},
		},
		{
			name: "AIMD: a 429 halves the limit once per epoch, successes grow it by one per limit",
			cfg:  Config{Concurrency: 8},
			steps: []step{
				acquire(8, 1), acquire(8, 2), acquire(8, 3), acquire(8, 4), acquire(8, 5), acquire(8, 6),
				done(0, 429, 4, 5),
				// started before the decrease: no second one
				done(1, 503, 4, 4),
				{acquire: true, wantFull: true, limit: 4, inFlight: 4},
				done(2, 200, 4, 3), done(3, 200, 4, 2), done(4, 200, 4, 1), done(5, 200, 5, 0),
				acquire(5, 1),
				// started after the decrease: halves again
				done(6, 529, 2, 0),
			},
		},
		{
			name: "AIMD: never below one, never above the ceiling",
			cfg:  Config{Concurrency: 2},
			steps: []step{
				acquire(2, 1), done(0, 429, 1, 0),
				acquire(1, 1), done(1, 503, 1, 0),
				acquire(1, 1), done(2, 200, 2, 0),
				acquire(2, 1), done(3, 200, 2, 0),
			},
		},
		{
			name: "a Retry-After pauses every request",
			cfg:  Config{},
			steps: []step{
				acquire(0, 1),
				{done: 0, status: 429, header: http.Header{"Retry-After-Ms": {"500"}}},
				{acquire: true, wantWait: 500 * time.Millisecond},
				{advance: 200 * time.Millisecond, acquire: true, wantWait: 300 * time.Millisecond},
				{advance: 300 * time.Millisecond, acquire: true, inFlight: 1},
			},
		},
		{
			name: "requests per minute under 120: one every 60/RPM seconds",
			cfg:  Config{RPM: 60},
			steps: []step{
				acquire(0, 1),
				{acquire: true, wantWait: time.Second, inFlight: 1},
				{advance: 400 * time.Millisecond, acquire: true, wantWait: 600 * time.Millisecond, inFlight: 1},
				{advance: 600*time.Millisecond + 10*time.Microsecond, acquire: true, inFlight: 2},
			},
		},
		{
			name: "time scale 60: the endpoint's minute is a real second",
			cfg:  Config{RPM: 60, TimeScale: 60},
			steps: []step{
				acquire(0, 1),
				{acquire: true, wantWait: time.Second / 60, inFlight: 1},
				{advance: time.Second/60 + 10*time.Microsecond, acquire: true, inFlight: 2},
			},
		},
		{
			name: "requests per minute: a second's worth at once, the rest refilled",
			// a bucket of 3, refilled at (180-3+1)/60 a second
			cfg: Config{RPM: 180},
			steps: []step{
				acquire(0, 1), acquire(0, 2), acquire(0, 3),
				{acquire: true, wantWait: 60 * time.Second / 178, inFlight: 3},
				{advance: 60*time.Second/178 + 10*time.Microsecond, acquire: true, inFlight: 4},
			},
		},
		{
			name: "tokens per minute: a bucket of a twentieth, refilled at the rest",
			// burst 60 tokens, refilled at (1200-60)/60 = 19 a second
			cfg: Config{TPM: 1200},
			steps: []step{
				{acquire: true, tokens: 50, inFlight: 1},
				// 10 left; 19 more are 9/19 s away
				{acquire: true, tokens: 19, wantWait: 9 * time.Second / 19, inFlight: 1},
				{advance: 9*time.Second/19 + time.Microsecond, acquire: true, tokens: 19, inFlight: 2},
				// more than the bucket: waits for a full one, then leaves it in debt
				{acquire: true, tokens: 100, wantWait: 60 * time.Second / 19, inFlight: 2},
				{advance: 60*time.Second/19 + time.Microsecond, acquire: true, tokens: 100, inFlight: 3},
				{acquire: true, tokens: 1, wantWait: 41 * time.Second / 19, inFlight: 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clock := newLimiter(t, tt.cfg)
			var permits []*Permit
			for i, s := range tt.steps {
				clock.now = clock.now.Add(s.advance)
				if s.acquire {
					p, wait, err := l.TryAcquire(s.tokens)
					switch {
					case s.wantFull:
						if !errors.Is(err, ErrFull) {
							t.Fatalf("step %d: %v, %s, %v; want ErrFull", i, p, wait, err)
						}
					case s.wantWait > 0:
						if p != nil || err != nil || !near(wait, s.wantWait) {
							t.Fatalf("step %d: %v, %s, %v; want a wait of %s", i, p, wait, err, s.wantWait)
						}
					case p == nil:
						t.Fatalf("step %d: no permit: wait %s, %v", i, wait, err)
					default:
						permits = append(permits, p)
					}
				} else {
					permits[s.done].Done(s.status, s.header, nil)
				}
				if l.Limit() != s.limit || l.InFlight() != s.inFlight {
					t.Fatalf("step %d: limit %d, in flight %d; want %d, %d", i, l.Limit(), l.InFlight(), s.limit, s.inFlight)
				}
			}
		})
	}
}

// near reports whether a wait is within 100µs of want (the buckets
// compute in floating point, and the request bucket refills a millionth
// slower than its limit).
func near(got, want time.Duration) bool {
	return got > want-100*time.Microsecond && got < want+100*time.Microsecond
}

// TestLimiterNeverExceeds runs ten simulated minutes of requests as fast as the
// limiter lets them start and checks every sliding minute: never more
// than RPM requests or TPM tokens, and at least 98% of RPM in steady
// state.
func TestLimiterNeverExceeds(t *testing.T) {
	tests := []struct {
		cfg    Config
		tokens func(i int) int64
	}{
		{Config{RPM: 600}, func(int) int64 { return 10 }},
		{Config{RPM: 7}, func(int) int64 { return 1 }},
		{Config{RPM: 36_000}, func(int) int64 { return 1 }},
		{Config{TPM: 10_000}, func(i int) int64 { return int64(10 + i%7*40) }},
		{Config{RPM: 100, TPM: 2_000}, func(i int) int64 { return int64(5 + i%3*10) }},
	}
	for _, tt := range tests {
		l, clock := newLimiter(t, tt.cfg)
		type start struct {
			at     time.Time
			tokens int64
		}
		var starts []start
		const horizon = 10 * time.Minute
		for i := 0; clock.now.Sub(epoch) < horizon; i++ {
			n := tt.tokens(i)
			p, err := l.Acquire(t.Context(), n)
			if err != nil {
				t.Fatal(err)
			}
			p.Done(200, nil, nil)
			starts = append(starts, start{clock.now, n})
		}
		// every window (t-1m, t] ending at a start
		first, reqs, tokens := 0, 0, int64(0)
		maxReqs, maxTokens := 0, int64(0)
		for _, s := range starts {
			reqs++
			tokens += s.tokens
			for !starts[first].at.After(s.at.Add(-time.Minute)) {
				reqs--
				tokens -= starts[first].tokens
				first++
			}
			maxReqs, maxTokens = max(maxReqs, reqs), max(maxTokens, tokens)
		}
		if tt.cfg.RPM > 0 && (maxReqs > tt.cfg.RPM || float64(len(starts)) < 0.98*horizon.Minutes()*float64(tt.cfg.RPM)) {
			t.Errorf("%+v: %d requests in %s, %d in the busiest minute", tt.cfg, len(starts), horizon, maxReqs)
		}
		if tt.cfg.TPM > 0 && maxTokens > tt.cfg.TPM {
			t.Errorf("%+v: %d tokens in the busiest minute", tt.cfg, maxTokens)
		}
		t.Logf("%+v: %d requests in %s; busiest minute %d requests, %d tokens", tt.cfg, len(starts), horizon, maxReqs, maxTokens)
	}
}

func TestAcquireWaitsForAFreeSlot(t *testing.T) {
	l, _ := newLimiter(t, Config{Concurrency: 1})
	first, err := l.Acquire(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		p, err := l.Acquire(t.Context(), 0)
		if p != nil {
			p.Done(200, nil, nil)
		}
		got <- err
	}()
	first.Done(200, nil, nil)
	first.Done(200, nil, nil) // a second Done does nothing
	if err := <-got; err != nil {
		t.Fatalf("second Acquire: %v", err)
	}
	if l.InFlight() != 0 {
		t.Errorf("in flight %d after both ended", l.InFlight())
	}

	// a context ending while full
	held, _ := l.Acquire(t.Context(), 0)
	ctx, cancel := context.WithCancel(t.Context())
	go cancel()
	if _, err := l.Acquire(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire with a cancelled context: %v", err)
	}
	held.Done(200, nil, nil)
}

func TestAcquireSleepsOnTheClock(t *testing.T) {
	l, clock := newLimiter(t, Config{RPM: 60})
	for range 3 {
		p, err := l.Acquire(t.Context(), 0)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(200, http.Header{}, nil)
	}
	if len(clock.slept) != 2 || !near(clock.slept[0], time.Second) || !near(clock.slept[1], time.Second) {
		t.Errorf("slept %v, want two seconds", clock.slept)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Concurrency: -1}, "concurrency -1 is negative"},
		{Config{RPM: -2}, "requests per minute -2 is negative"},
		{Config{TPM: -3}, "tokens per minute -3 is negative"},
		{Config{TimeScale: -1}, "time scale -1 is not a positive number"},
	} {
		if _, err := New(tt.cfg, nil); err == nil || err.Error() != tt.want {
			t.Errorf("New(%+v): %v, want %s", tt.cfg, err, tt.want)
		}
	}
}

// BenchmarkAcquireDone measures the limiter's own cost per request, with
// every limit set but none reached.
func BenchmarkAcquireDone(b *testing.B) {
	l, err := New(Config{Concurrency: 1 << 20, RPM: 1 << 40, TPM: 1 << 50}, SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	header := http.Header{"X-Ratelimit-Remaining-Requests": {"100"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, err := l.Acquire(ctx, 100)
			if err != nil {
				b.Fatal(err)
			}
			p.Done(200, header, nil)
		}
	})
}
