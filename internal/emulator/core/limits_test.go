package core

import (
	"math"
	"testing"
	"time"
)

// stepClock is a real clock the test moves by hand.
type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time { return c.t }

// call is one step of a limiter script: at real time at, a call of tokens
// arrives (or, with release, the oldest admitted call ends).
type call struct {
	at      time.Duration
	tokens  int64
	release bool
	// want: "" admitted, else the limit refusing it, with wait.
	refused string
	wait    time.Duration
	state   RateState
}

func TestLimiter(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		calls  []call
		stats  Stats
	}{
		{
			name:   "requests per minute",
			limits: Limits{RPM: 2},
			calls: []call{
				{at: 0, state: RateState{RequestLimit: 2, RequestsRemaining: 1, RequestsReset: time.Minute}},
				{at: 10 * time.Second, state: RateState{RequestLimit: 2, RequestsRemaining: 0, RequestsReset: time.Minute}},
				{at: 20 * time.Second, refused: LimitRequests, wait: 40 * time.Second,
					state: RateState{RequestLimit: 2, RequestsRemaining: 0, RequestsReset: 50 * time.Second}},
				{at: 60 * time.Second, state: RateState{RequestLimit: 2, RequestsRemaining: 0, RequestsReset: time.Minute}},
			},
			stats: Stats{Admitted: 3, RefusedRequests: 1, InFlight: 3, PeakConcurrency: 3, PeakRPM: 2},
		},
		{
			name:   "time scale 60: a minute is a second",
			limits: Limits{RPM: 1, TimeScale: 60},
			calls: []call{
				{at: 0, state: RateState{RequestLimit: 1, RequestsRemaining: 0, RequestsReset: time.Second}},
				{at: 250 * time.Millisecond, refused: LimitRequests, wait: 750 * time.Millisecond,
					state: RateState{RequestLimit: 1, RequestsRemaining: 0, RequestsReset: 750 * time.Millisecond}},
				{at: time.Second, state: RateState{RequestLimit: 1, RequestsRemaining: 0, RequestsReset: time.Second}},
			},
			stats: Stats{Admitted: 2, RefusedRequests: 1, InFlight: 2, PeakConcurrency: 2, PeakRPM: 1},
		},
		{
			name:   "tokens per minute",
			limits: Limits{TPM: 10},
			calls: []call{
				{at: 0, tokens: 6, state: RateState{TokenLimit: 10, TokensRemaining: 4, TokensReset: time.Minute}},
				{at: 30 * time.Second, tokens: 3, state: RateState{TokenLimit: 10, TokensRemaining: 1, TokensReset: time.Minute}},
				// 6+3+2 > 10: it passes once the first 6 expire
				{at: 40 * time.Second, tokens: 2, refused: LimitTokens, wait: 20 * time.Second,
					state: RateState{TokenLimit: 10, TokensRemaining: 1, TokensReset: 50 * time.Second}},
				// more than the whole limit: a minute
				{at: 40 * time.Second, tokens: 11, refused: LimitTokens, wait: time.Minute,
					state: RateState{TokenLimit: 10, TokensRemaining: 1, TokensReset: 50 * time.Second}},
				{at: 60 * time.Second, tokens: 2, state: RateState{TokenLimit: 10, TokensRemaining: 5, TokensReset: time.Minute}},
			},
			stats: Stats{Admitted: 3, RefusedTokens: 2, Tokens: 11, InFlight: 3, PeakConcurrency: 3, PeakRPM: 2, PeakTPM: 9},
		},
		{
			name:   "concurrency",
			limits: Limits{Concurrency: 2, Latency: 3 * time.Second},
			calls: []call{
				{at: 0},
				{at: 0},
				{at: 0, refused: LimitConcurrency, wait: 3 * time.Second},
				{at: time.Second, release: true},
				{at: time.Second},
			},
			stats: Stats{Admitted: 3, RefusedConcurrency: 1, InFlight: 2, PeakConcurrency: 2, PeakRPM: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			start := clock.t
			lm := newLimiter(tt.limits, clock.now)
			for i, c := range tt.calls {
				clock.t = start.Add(c.at)
				if c.release {
					lm.release()
					continue
				}
				_, state, refusal := lm.admit(c.tokens)
				switch {
				case c.refused == "" && refusal != nil:
					t.Errorf("call %d refused: %+v", i, refusal)
				case c.refused != "" && (refusal == nil || refusal.Limit != c.refused || refusal.Wait != c.wait):
					t.Errorf("call %d: refusal %+v, want %s waiting %s", i, refusal, c.refused, c.wait)
				}
				if state != c.state {
					t.Errorf("call %d: state %+v, want %+v", i, state, c.state)
				}
			}
			if got := lm.snapshot(); got != tt.stats {
				t.Errorf("stats %+v, want %+v", got, tt.stats)
			}
		})
	}
}

func TestLimiterLatency(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	latencies := func(seed uint64) []time.Duration {
		lm := newLimiter(Limits{Latency: time.Second, Jitter: time.Second, Seed: seed, TimeScale: 10}, clock.now)
		var out []time.Duration
		for range 20 {
			d, _, _ := lm.admit(0)
			if d < 100*time.Millisecond || d > 200*time.Millisecond {
				t.Errorf("latency %s out of [100ms, 200ms] (1s+jitter 1s, scaled by 10)", d)
			}
			out = append(out, d)
		}
		return out
	}
	a, b, c := latencies(1), latencies(1), latencies(2)
	if !equalDurations(a, b) {
		t.Errorf("seed 1 gave %v then %v", a, b)
	}
	if equalDurations(a, c) {
		t.Errorf("seeds 1 and 2 gave the same latencies %v", a)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLimitsValidate(t *testing.T) {
	tests := []struct {
		limits Limits
		want   string
	}{
		{Limits{}, ""},
		{Limits{RPM: -1}, "negative requests per minute -1"},
		{Limits{TimeScale: -2}, "time scale -2 is not a positive number"},
		{Limits{TimeScale: math.Inf(1)}, "time scale +Inf is not a positive number"},
		{Limits{Overload: true}, "overload needs a concurrency limit"},
		{Limits{Latency: -time.Second}, "negative latency -1s"},
	}
	for _, tt := range tests {
		err := tt.limits.Validate()
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.want {
				t.Errorf("%+v: %q, want %q", tt.limits, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("%+v: no error, want %q", tt.limits, tt.want)
		}
	}
}
