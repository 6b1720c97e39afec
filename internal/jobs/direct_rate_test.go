package jobs_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// emulatorEnv is a testEnv whose direct "fake" profile reaches an
// emulator server with limits.
func emulatorEnv(t *testing.T, limits emulator.Limits) (*testEnv, *emulator.Server) {
	t.Helper()
	e := newEnv(t)
	srv, err := emulator.New(emulator.Options{Dir: t.TempDir(), Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e.profile.Mode = config.ModeDirect
	e.profile.MaxRequests = 100_000
	e.profile.MaxBytes = 1 << 30
	client := openai.New(openai.Config{Name: "fake", BaseURL: hs.URL + "/v1", APIKey: "k"})
	e.m.Provider = func(string) (providers.Provider, error) { return client, nil }
	e.m.Now = time.Now
	return e, srv
}

// manyRequests is n chat requests for the emulator's echo model.
func manyRequests(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"custom_id":"q%d","method":"POST","url":"/v1/chat/completions","body":{"model":"echo","messages":[{"role":"user","content":"question %d"}]}}`+"\n", i, i)
	}
	return b.String()
}

// A 5,000-request direct job against an endpoint that allows 20 requests
// at once and 600 a minute (the emulator's minute lasting a second):
// every request gets exactly one outcome, the server never admitted more
// than its limits, and the job runs near the limit. BATCHCTL_RATE_REQUESTS
// sets another size.
func TestDirectRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for about ten seconds")
	}
	n := 5000
	if v := os.Getenv("BATCHCTL_RATE_REQUESTS"); v != "" {
		fmt.Sscan(v, &n)
	}
	const scale, rpm, conc = 60, 600, 20
	limits := emulator.Limits{Concurrency: conc, RPM: rpm, TimeScale: scale, Latency: time.Second, Jitter: 500 * time.Millisecond}
	e, srv := emulatorEnv(t, limits)
	j := createDirect(t, e, manyRequests(n))
	lim := limiter(t, jobs.RunLimits{Concurrency: conc, RPM: rpm}, scale)
	start := time.Now()
	err := e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: conc, Limiter: lim})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != "completed" || j.Counts.Succeeded != n {
		t.Fatalf("job %s, counts %+v; want all %d succeeded", j.Status, j.Counts, n)
	}
	seen := map[string]int{}
	if _, err := e.m.Results(context.Background(), j, func(r *providers.Result) error {
		seen[r.CustomID]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if id := fmt.Sprintf("q%d", i); seen[id] != 1 {
			t.Errorf("%s has %d result lines", id, seen[id])
		}
	}
	st := srv.Stats()
	if st.PeakConcurrency > conc || st.PeakRPM > rpm {
		t.Errorf("the server admitted %d at once and %d a minute; its limits are %d and %d", st.PeakConcurrency, st.PeakRPM, conc, rpm)
	}
	achieved := float64(n) / elapsed.Seconds() * 60 / scale // requests an emulated minute
	t.Logf("%d requests in %s: %.0f a minute of the limit's %d (%.0f%%); peaks: %d in flight, %d a minute; refused: %d concurrency, %d requests",
		n, elapsed.Round(time.Millisecond), achieved, rpm, 100*achieved/rpm, st.PeakConcurrency, st.PeakRPM, st.RefusedConcurrency, st.RefusedRequests)
	// The benchmark figure (≥ 90% on an idle machine) is logged above; the
	// test fails only far below it, where requests were not sent in
	// parallel (one at a time makes about a tenth), since go test ./... on
	// two loaded cores gave 42%. BATCHCTL_RATE_MIN=0.9 checks the figure.
	floor := 0.25
	if v := os.Getenv("BATCHCTL_RATE_MIN"); v != "" {
		fmt.Sscan(v, &floor)
	}
	if achieved < floor*rpm {
		t.Errorf("achieved %.0f requests a minute, under %.0f%% of the limit %d", achieved, 100*floor, rpm)
	}
}
