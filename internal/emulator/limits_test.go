package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
)

const chatBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello there"}]}`

// send posts body to path with the test key and returns the answer; a
// transport error (the context ended) is a status of 0.
func (e *testEnv) send(ctx context.Context, path, body string, header http.Header) response {
	req, err := http.NewRequestWithContext(ctx, "POST", e.http.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Error(err)
		return response{}
	}
	req.Header.Set("Authorization", "Bearer sk-test")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		return response{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// waitStats polls the server's stats until ok accepts them, failing the
// test after ten seconds.
func (e *testEnv) waitStats(what string, ok func(Stats) bool) Stats {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := e.srv.Stats()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waiting for %s: stats %+v", what, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLimitsConcurrency(t *testing.T) {
	// An hour of latency: the admitted calls stay in flight until the
	// client leaves, so the test does not depend on timing.
	env := newTestEnv(t, Options{Limits: Limits{Concurrency: 3, RPM: 100, Latency: time.Hour}})
	ctx, cancel := context.WithCancel(t.Context())
	const n = 10
	answers := make(chan response, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { answers <- env.send(ctx, "/v1/chat/completions", chatBody, nil) })
	}
	for range n - 3 {
		r := <-answers
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "3600" || r.header.Get("Retry-After-Ms") != "3600000" ||
			r.header.Get("X-Ratelimit-Limit-Requests") != "100" || r.header.Get("X-Ratelimit-Remaining-Requests") != "97" {
			t.Errorf("answer over the concurrency limit: %d %v %s", r.status, r.header, r.body)
		}
		var body struct{ Error apiErrorBody }
		if json.Unmarshal(r.body, &body) != nil || body.Error.Type != "requests" || body.Error.Code != "rate_limit_exceeded" ||
			!strings.Contains(body.Error.Message, "concurrent requests: Limit 3 concurrent requests, in flight 3") {
			t.Errorf("429 body %s", r.body)
		}
	}
	want := Stats{Admitted: 3, RefusedConcurrency: n - 3, InFlight: 3, PeakConcurrency: 3, PeakRPM: 3, Tokens: 3 * 4, PeakTPM: 3 * 4}
	if got := env.srv.Stats(); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
	cancel()
	wg.Wait()
	env.waitStats("the held calls to end", func(s Stats) bool { return s.InFlight == 0 })

	// the same stats over HTTP
	r := env.ok("GET", StatsPath, nil, http.Header{"Authorization": nil})
	want.InFlight = 0
	if got := strings.TrimSpace(string(r.body)); got != mustJSON(want) {
		t.Errorf("GET %s = %s, want %s", StatsPath, got, mustJSON(want))
	}
}

type apiErrorBody struct {
	Message, Type, Code string
}

func TestLimitsOverload(t *testing.T) {
	tests := []struct {
		path, body string
		header     http.Header
		status     int
		want       string
	}{
		{"/v1/chat/completions", chatBody, nil, 503, `"type":"server_error"`},
		{"/v1/messages", `{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, http.Header{"Anthropic-Version": {"2023-06-01"}}, 529, `"type":"overloaded_error"`},
		{"/v1beta/models/echo:generateContent", `{"contents":[{"parts":[{"text":"hi"}]}]}`, http.Header{"X-Goog-Api-Key": {"k"}}, 503, `"status":"UNAVAILABLE"`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			env := newTestEnv(t, Options{Limits: Limits{Concurrency: 1, Overload: true, Latency: time.Hour}})
			ctx, cancel := context.WithCancel(t.Context())
			held := make(chan response, 1)
			go func() { held <- env.send(ctx, tt.path, tt.body, tt.header) }()
			env.waitStats("a call in flight", func(s Stats) bool { return s.InFlight == 1 })
			r := env.send(t.Context(), tt.path, tt.body, tt.header)
			if r.status != tt.status || !strings.Contains(string(r.body), tt.want) {
				t.Errorf("over the concurrency: %d %s, want %d with %s", r.status, r.body, tt.status, tt.want)
			}
			cancel()
			<-held
		})
	}
}

func TestLimitsHeaders(t *testing.T) {
	env := newTestEnv(t, Options{APIKey: anthropicTestKey, Limits: Limits{RPM: 1, TPM: 1000}})
	first := env.send(t.Context(), "/v1/chat/completions", chatBody, http.Header{"Authorization": {"Bearer " + anthropicTestKey}})
	wantHeaders := map[string]string{
		"X-Ratelimit-Limit-Requests":     "1",
		"X-Ratelimit-Remaining-Requests": "0",
		"X-Ratelimit-Reset-Requests":     "1m0s",
		"X-Ratelimit-Limit-Tokens":       "1000",
		"X-Ratelimit-Remaining-Tokens":   "996",
		"X-Ratelimit-Reset-Tokens":       "1m0s",
	}
	for k, v := range wantHeaders {
		if got := first.header.Get(k); got != v {
			t.Errorf("first answer: %s: %q, want %q", k, got, v)
		}
	}
	if first.status != 200 || first.header.Get("Retry-After") != "" {
		t.Errorf("first answer: %d %v", first.status, first.header)
	}
	second := env.send(t.Context(), "/v1/chat/completions", chatBody, http.Header{"Authorization": {"Bearer " + anthropicTestKey}})
	// the wait is the rest of the minute: 60s less the time between the
	// calls, a wide margin for a loaded machine
	ms, _ := strconv.Atoi(second.header.Get("Retry-After-Ms"))
	secs, _ := strconv.Atoi(second.header.Get("Retry-After"))
	if second.status != 429 || secs < 50 || secs > 60 || ms < 50_000 || ms > 60_000 || (ms+999)/1000 != secs ||
		second.header.Get("X-Ratelimit-Remaining-Requests") != "0" {
		t.Errorf("second answer: %d %v %s", second.status, second.header, second.body)
	}
	if !strings.Contains(string(second.body), `"message":"Rate limit reached for the batchctl emulator on requests per min (RPM): Limit 1, Used 1, Requested 1. Please try again in `) {
		t.Errorf("second answer's body: %s", second.body)
	}

	// Anthropic, through its SDK: the one request of the minute is spent.
	client := newAnthropicSDKClient(env, &recorder{base: env.http.Client().Transport})
	_, err := client.Messages.New(t.Context(), anthropic.MessageNewParams{
		Model: "claude-sonnet-4-5", MaxTokens: 10,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || !strings.Contains(apiErr.RawJSON(), `"type":"rate_limit_error"`) {
		t.Fatalf("anthropic over the limit: %v", err)
	}
	h := apiErr.Response.Header
	reset, err := time.Parse(time.RFC3339, h.Get("Anthropic-Ratelimit-Requests-Reset"))
	if until := time.Until(reset); err != nil || until < 40*time.Second || until > 62*time.Second {
		t.Errorf("anthropic-ratelimit-requests-reset %q: %v, in %s", h.Get("Anthropic-Ratelimit-Requests-Reset"), err, time.Until(reset))
	}
	if secs, _ := strconv.Atoi(h.Get("Retry-After")); secs < 40 || secs > 60 || h.Get("Anthropic-Ratelimit-Requests-Limit") != "1" || h.Get("Anthropic-Ratelimit-Requests-Remaining") != "0" ||
		h.Get("Anthropic-Ratelimit-Tokens-Limit") != "1000" || h.Get("Anthropic-Ratelimit-Tokens-Remaining") != "996" {
		t.Errorf("anthropic 429 headers %v", h)
	}

	// Gemini: a RetryInfo detail.
	r := env.send(t.Context(), "/v1beta/models/echo:generateContent", `{"contents":[{"parts":[{"text":"hi"}]}]}`, http.Header{"X-Goog-Api-Key": {anthropicTestKey}})
	var body struct {
		Error struct {
			Code    int
			Status  string
			Details []struct {
				Type       string `json:"@type"`
				RetryDelay string
			}
		}
	}
	if err := json.Unmarshal(r.body, &body); err != nil || r.status != 429 || body.Error.Status != "RESOURCE_EXHAUSTED" || len(body.Error.Details) != 1 ||
		body.Error.Details[0].Type != "type.googleapis.com/google.rpc.RetryInfo" {
		t.Fatalf("gemini over the limit: %d %s", r.status, r.body)
	}
	delay, err := time.ParseDuration(body.Error.Details[0].RetryDelay)
	if err != nil || delay < 40*time.Second || delay > 60*time.Second {
		t.Errorf("retryDelay %q", body.Error.Details[0].RetryDelay)
	}
}

// TestLimitsTimeScale runs a minute-based limit in a fraction of a second:
// at a time scale of 600 a minute's window lasts 100ms, so 30 requests at
// 10 per minute take three windows, about 200ms, rather than two minutes.
func TestLimitsTimeScale(t *testing.T) {
	env := newTestEnv(t, Options{Limits: Limits{RPM: 10, TimeScale: 600, Latency: time.Second}})
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for w := range 3 {
		wg.Go(func() {
			for range 10 {
				for {
					r := env.send(t.Context(), "/v1/chat/completions", chatBody, nil)
					if r.status == 200 {
						break
					}
					ms, err := strconv.Atoi(r.header.Get("Retry-After-Ms"))
					if r.status != 429 || err != nil || ms > 100 {
						t.Errorf("worker %d: %d %v %s", w, r.status, r.header, r.body)
						return
					}
					mu.Lock()
					refused++
					mu.Unlock()
					time.Sleep(time.Duration(ms) * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	s := env.srv.Stats()
	if s.Admitted != 30 || s.PeakRPM > 10 || s.PeakRPM < 1 || s.RefusedRequests != int64(refused) {
		t.Errorf("stats %+v after %d refusals", s, refused)
	}
	// 30 requests at most 10 a window need two windows to pass (200ms);
	// unscaled they would take two minutes.
	if elapsed < 200*time.Millisecond || elapsed > 10*time.Second {
		t.Errorf("took %s, want between 200ms and 10s", elapsed)
	}
	t.Logf("30 requests at 10 rpm, time scale 600: %s, %d refusals", elapsed, refused)
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		spec    string
		want    Limits
		wantErr string
	}{
		{spec: "", want: Limits{}},
		{
			spec: "rpm=600, tpm=90000,concurrency=20,overload,latency=50ms,jitter=20ms,seed=7,time-scale=60",
			want: Limits{RPM: 600, TPM: 90000, Concurrency: 20, Overload: true, Latency: 50 * time.Millisecond, Jitter: 20 * time.Millisecond, Seed: 7, TimeScale: 60},
		},
		{spec: "concurrency=2,overload=false", want: Limits{Concurrency: 2}},
		{
			spec: "enqueued-token-limit=1000,enqueued-token-limit=gpt-4o-mini=500,enqueued-token-limit=models/gemini-2.5-flash=70,enqueued-request-limit=8",
			want: Limits{Quota: Quota{Tokens: map[string]int64{"*": 1000, "gpt-4o-mini": 500, "gemini-2.5-flash": 70}, Requests: 8}},
		},
		{spec: "enqueued-token-limit=a/b:c=1", want: Limits{Quota: Quota{Tokens: map[string]int64{"a/b:c": 1}}}},
		{spec: "enqueued-token-limit=0", wantErr: `limit "enqueued-token-limit=0": enqueued token limit "0": want N or MODEL=N, N a positive whole number`},
		{spec: "enqueued-token-limit==5", wantErr: `limit "enqueued-token-limit==5": enqueued token limit "=5": no model before =`},
		{spec: "enqueued-token-limit=m=x", wantErr: `limit "enqueued-token-limit=m=x": enqueued token limit "m=x": want N or MODEL=N, N a positive whole number`},
		{spec: "enqueued-request-limit=-1", wantErr: `negative enqueued request limit -1`},
		{spec: "rpm", wantErr: `limit "rpm": want KEY=VALUE`},
		{spec: "rpm=lots", wantErr: `limit "rpm=lots": invalid value "lots"`},
		{spec: "burst=3", wantErr: `limit "burst=3": unknown key "burst" (want one of latency, jitter, seed, concurrency, overload, rpm, tpm, time-scale, enqueued-token-limit, enqueued-request-limit, token-lifetime)`},
		{spec: "token-lifetime=2s", want: Limits{TokenLifetime: 2 * time.Second}},
		{spec: "token-lifetime=-1s", wantErr: `negative token lifetime -1s`},
		{spec: "time-scale=-1", wantErr: `time scale -1 is not a positive number`},
		{spec: "overload", wantErr: `overload needs a concurrency limit`},
	}
	for _, tt := range tests {
		got, err := ParseLimits(tt.spec)
		switch {
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("ParseLimits(%q) error %v, want %s", tt.spec, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || !reflect.DeepEqual(got, tt.want)):
			t.Errorf("ParseLimits(%q) = %+v, %v, want %+v", tt.spec, got, err, tt.want)
		}
	}
}
