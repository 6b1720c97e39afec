package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/hostile"
)

// TestWaitTimeoutWhateverTheNetwork has the provider hang or trickle its
// answers to polls and checks that `wait --timeout` still ends on time
// with exit 124 (#7): before, it was bound only by a five-minute header
// timeout.
func TestWaitTimeoutWhateverTheNetwork(t *testing.T) {
	const timeout = 3 * time.Second
	tests := []struct {
		name   string
		opts   emulator.Options
		tamper func(ctx context.Context) hostile.Tamper
		// foreign waits for a batch id that is not in the registry
		foreign bool
		stderr  string
	}{
		{
			name:   "the first poll hangs (get=hangx1)",
			opts:   emulator.Options{Faults: "get=hangx1", Duration: time.Hour},
			stderr: `(?m)^error: timed out waiting for job j\w+ \(still validating\); it keeps running remotely$`,
		},
		{
			name: "every poll hangs",
			opts: emulator.Options{Duration: time.Hour},
			tamper: func(ctx context.Context) hostile.Tamper {
				return hostile.Hang(ctx, "GET /v1/batches/{id}", nil)
			},
			stderr: `(?m)^error: timed out waiting for job j\w+ \(still validating\); it keeps running remotely$`,
		},
		{
			name: "polls trickle one byte a second",
			opts: emulator.Options{Duration: time.Hour},
			tamper: func(ctx context.Context) hostile.Tamper {
				return hostile.Trickle(ctx, "GET /v1/batches/{id}", 1, time.Second, nil)
			},
			stderr: `(?m)^error: timed out waiting for job j\w+ \(still validating\); it keeps running remotely$`,
		},
		{
			name: "looking up a batch made elsewhere hangs",
			tamper: func(ctx context.Context) hostile.Tamper {
				return hostile.Hang(ctx, "GET /v1/batches/{id}", nil)
			},
			foreign: true,
			stderr:  `(?m)^error: timed out waiting for batch_elsewhere; it keeps running remotely$`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tamper hostile.Tamper
			if tt.tamper != nil {
				tamper = tt.tamper(t.Context())
			}
			srv := hostile.Start(t, tt.opts, tamper)
			_, env := homeOf(t, srv.Env())
			ref := "batch_elsewhere"
			args := []string{"--provider", "openai"}
			if !tt.foreign {
				ref, args = createSmallJob(t, env), nil
			}
			r := runBinary(t, env, append([]string{"wait", ref, "--timeout", timeout.String()}, args...)...)
			t.Logf("wait --timeout %s under a stalled provider ended after %s", timeout, r.took.Round(time.Millisecond))
			if r.code != 124 {
				t.Errorf("exit %d, want 124\nstderr:\n%s", r.code, r.stderr)
			}
			if !regexp.MustCompile(tt.stderr).MatchString(r.stderr) {
				t.Errorf("stderr does not match %s:\n%s", tt.stderr, r.stderr)
			}
			// ±1s is the goal (the note reports the figure); the assertion
			// leaves room for a loaded 2-core CI box that starts or
			// schedules the process late, and still fails a wait that
			// ignores its timeout (the old code blocked past 45s)
			if r.took < timeout-time.Second || r.took > timeout+6*time.Second {
				t.Errorf("wait --timeout %s ended after %s", timeout, r.took)
			}
		})
	}
}

// TestSlowBodyFailsAfterIdleTimeout trickles the answer to status one byte
// a second, slower than http_idle_timeout allows: the call is tried again
// (a stalled read is a network failure) and then fails with a message
// naming the setting, exit 1.
func TestSlowBodyFailsAfterIdleTimeout(t *testing.T) {
	srv := hostile.Start(t, emulator.Options{Duration: time.Hour}, hostile.Trickle(t.Context(), "GET /v1/batches/{id}", 1, time.Second, nil))
	_, env := homeOf(t, srv.Env())
	job := createSmallJob(t, env)
	env = append(env, "BATCHCTL_HTTP_IDLE_TIMEOUT=500ms", "BATCHCTL_RETRY_ATTEMPTS=2")
	r := runBinary(t, env, "status", job)
	t.Logf("status under a one-byte-a-second body ended after %s", r.took.Round(time.Millisecond))
	if r.code != 1 {
		t.Errorf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		`(?m)^retrying get batch batch_\w+ in [\d.]+m?s: get batch: read response: no data from the server for 500ms \(http_idle_timeout\)$`,
		`(?m)^error: refreshing batch batch_\w+: get batch: read response: no data from the server for 500ms \(http_idle_timeout\)$`,
	} {
		if !regexp.MustCompile(want).MatchString(r.stderr) {
			t.Errorf("stderr does not match %s:\n%s", want, r.stderr)
		}
	}
}

// TestSteadyDownloadOutlastsIdleTimeout downloads results that arrive a
// little every 100ms, for several times http_idle_timeout in all: a slow
// transfer that keeps flowing is not cut.
func TestSteadyDownloadOutlastsIdleTimeout(t *testing.T) {
	const idle = 500 * time.Millisecond
	srv := hostile.Start(t, emulator.Options{}, hostile.Trickle(t.Context(), "GET /v1/files/{id}/content", 64, 100*time.Millisecond, nil))
	_, env := homeOf(t, srv.Env())
	job := createSmallJob(t, env)
	env = append(env, "BATCHCTL_HTTP_IDLE_TIMEOUT="+idle.String())
	r := runBinary(t, env, "wait", job)
	if r.code != 0 {
		t.Fatalf("wait: exit %d\n%s", r.code, r.stderr)
	}
	r = runBinary(t, env, "results", job)
	t.Logf("results trickled in %s (http_idle_timeout %s)", r.took.Round(time.Millisecond), idle)
	if r.code != 0 {
		t.Fatalf("results: exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, `"status":"succeeded"`); n != 3 {
		t.Errorf("%d results succeeded, want 3:\n%s", n, r.stdout)
	}
	if r.took < 3*idle {
		t.Errorf("the download took %s, not longer than the idle timeout: the test proves nothing", r.took)
	}
}
