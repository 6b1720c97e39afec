package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests in this file run the real binary (installed on PATH by
// testscript.Main) against a hostile provider (internal/hostile), one
// scenario per test.

// run is one finished run of batchctl.
type run struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// batchctl runs the binary with the variables in env over a minimal
// environment of its own (PATH, a fresh BATCHCTL_HOME unless env sets one)
// and returns when it exits.
func batchctl(t *testing.T, env []string, args ...string) run {
	t.Helper()
	cmd := batchctlCmd(t, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

func batchctlCmd(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("batchctl", args...)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"BATCHCTL_HOME=" + filepath.Join(t.TempDir(), "home"),
		"NO_COLOR=1",
	}, env...)
	return cmd
}

// writeConfig writes config.yaml into home and returns the variable that
// points batchctl at it.
func writeConfig(t *testing.T, home, yaml string) string {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config.yaml"), []byte(strings.TrimSpace(yaml)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "BATCHCTL_HOME=" + home
}
