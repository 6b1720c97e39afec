package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Helpers for the tests that run the real binary (installed on PATH by
// testscript.Main) against a hostile provider (internal/hostile), one
// scenario per test: redirect_test.go, hang_test.go, signal_test.go.

// binRun is one finished run of batchctl.
type binRun struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// runBinary runs the binary with the variables in env over a minimal
// environment of its own (PATH, a fresh BATCHCTL_HOME unless env sets one)
// and returns when it exits.
func runBinary(t *testing.T, env []string, args ...string) binRun {
	t.Helper()
	cmd := binaryCmd(t, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := binRun{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// binaryCmd is the command that runs batchctl; it is killed if it is still
// running two minutes on, so a test that hangs leaves no process behind.
func binaryCmd(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, "batchctl", args...)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"BATCHCTL_HOME=" + filepath.Join(t.TempDir(), "home"),
		"NO_COLOR=1",
	}, env...)
	return cmd
}

// writeHomeConfig writes config.yaml into home and returns the variable that
// points batchctl at it.
func writeHomeConfig(t *testing.T, home, yaml string) string {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config.yaml"), []byte(strings.TrimSpace(yaml)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "BATCHCTL_HOME=" + home
}

// createSmallJob submits a small job to the provider env points at, on the
// openai protocol, and returns its id.
func createSmallJob(t *testing.T, env []string) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "reqs.jsonl")
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, `{"custom_id":"q%d","messages":[{"role":"user","content":"hello %d"}]}`+"\n", i, i)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, env, "create", "-f", in, "--model", "openai/echo")
	if r.code != 0 {
		t.Fatalf("create: exit %d\n%s", r.code, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

// homeOf returns the BATCHCTL_HOME that env sets, and env with a fresh one
// added when it sets none, so several runs share one registry.
func homeOf(t *testing.T, env []string) (string, []string) {
	t.Helper()
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "BATCHCTL_HOME="); ok {
			return v, env
		}
	}
	h := filepath.Join(t.TempDir(), "home")
	return h, append(env, "BATCHCTL_HOME="+h)
}
