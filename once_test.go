package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
)

// killCase is one way a create can die: at a named point of its own
// (BATCHCTL_TEST_KILL_AT, see jobs.TestOnlyKillAt), or by kill -9 from
// outside while the emulator holds its create request (fault late: the
// batch lands only after the rerun has looked; hang: it exists at once).
type killCase struct {
	provider string
	point    string // self-kill point, "" to kill from outside while held
	faults   string
	parts    int
}

func (c killCase) name() string {
	how := "at-" + c.point
	if c.point == "" {
		how = "held"
	}
	return fmt.Sprintf("%s/%s/%s/%dparts", c.provider, how, strings.NewReplacer("=", "-", ",", "+").Replace(c.faults), c.parts)
}

// killCases lists every kill point for every provider: the CI run takes
// one in five of the self-kills and every kill from outside (10 per
// provider), and BATCHCTL_SOAK=1 runs them all (34 per provider).
func killCases(soak bool) []killCase {
	var cases []killCase
	for _, provider := range []string{"openai", "anthropic", "gemini"} {
		n := 0
		for _, point := range []string{"recorded", "attempt", "created"} {
			for _, faults := range []string{"none", "create=slow", "create=500", "create=lost", "create=429"} {
				for parts := 1; parts <= 2; parts++ {
					n++
					if soak || n%5 == 1 {
						cases = append(cases, killCase{provider, point, faults, parts})
					}
				}
			}
		}
		for _, faults := range []string{"create=late", "create=hang"} {
			for parts := 1; parts <= 2; parts++ {
				cases = append(cases, killCase{provider, "", faults, parts})
			}
		}
	}
	return cases
}

// TestExactlyOnceAfterKill kills a create at each kill point, runs the
// same create again and then sync: the provider must hold exactly one live
// batch per part, and the results every custom_id exactly once.
func TestExactlyOnceAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs batchctl processes")
	}
	for _, c := range killCases(os.Getenv("BATCHCTL_SOAK") != "") {
		t.Run(c.name(), func(t *testing.T) { runKillCase(t, c) })
	}
}

func runKillCase(t *testing.T, c killCase) {
	dir := t.TempDir()
	held := make(chan string, 4)
	faults := c.faults
	if faults == "none" {
		faults = ""
	}
	h, err := emulator.New(emulator.Options{
		Dir: filepath.Join(dir, "emulator"), APIKey: "sk-test", Faults: faults,
		Held: func(op string) { held <- op },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	env := append(os.Environ(),
		"OPENAI_BASE_URL="+srv.URL+"/v1", "OPENAI_API_KEY=sk-test",
		"ANTHROPIC_BASE_URL="+srv.URL, "ANTHROPIC_API_KEY=sk-test",
		"GOOGLE_GEMINI_BASE_URL="+srv.URL, "GEMINI_API_KEY=sk-test",
		"BATCHCTL_HOME="+filepath.Join(dir, "home"), "NO_COLOR=1",
		// the rerun waits at most this long (and a tenth) after the
		// killed attempt began, for a create that lands late, and stops as
		// soon as it shows; a process killed before sending costs the
		// whole wait
		"BATCHCTL_CREATE_TIMEOUT=8s",
	)
	var in bytes.Buffer
	ids := []string{"q1", "q2"}
	for _, id := range ids {
		fmt.Fprintf(&in, `{"custom_id":%q,"prompt":"say %s","max_tokens":16}`+"\n", id, id)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), in.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	model := map[string]string{"openai": "openai/echo", "anthropic": "anthropic/echo", "gemini": "gemini/echo"}[c.provider]
	create := []string{"create", "-f", "in.jsonl", "--model", model, "--max-requests", fmt.Sprint(3 - c.parts)}

	// the first create dies
	first := batchctl(t.Context(), t, dir, env, create...)
	if c.point != "" {
		first.Env = append(first.Env, "BATCHCTL_TEST_KILL_AT="+c.point)
	}
	var stderr bytes.Buffer
	first.Stderr = &stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Wait() }()
	if c.point == "" {
		select {
		case <-held:
			first.Process.Kill()
		case err := <-done:
			t.Fatalf("create ended (%v) before the emulator held its create:\n%s", err, stderr.String())
		case <-time.After(time.Minute):
			t.Fatal("the emulator held no create within a minute")
		}
	}
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		first.Process.Kill()
		t.Fatalf("the first create neither died nor finished:\n%s", stderr.String())
	}

	// the rerun finishes it, sync brings it home
	out := run(t, dir, env, create...)
	job := strings.TrimSpace(out)
	run(t, dir, env, "sync")
	run(t, dir, env, "wait", job)

	var batches []struct {
		ID       string
		Status   string
		Metadata map[string]string
	}
	remote := run(t, dir, env, "list", "--remote", "--provider", c.provider, "--json")
	if err := json.Unmarshal([]byte(remote), &batches); err != nil {
		t.Fatal(err)
	}
	t.Logf("the provider's batches: %s", remote)
	live := map[string][]string{} // part tag -> live batches
	n := 0
	for _, b := range batches {
		if b.Status == "cancelled" || b.Status == "cancelling" || b.Status == "failed" {
			continue
		}
		live[b.Metadata["batchctl_part"]] = append(live[b.Metadata["batchctl_part"]], b.ID)
		n++
	}
	for tag, ids := range live {
		if len(ids) > 1 && (tag != "" || c.parts == 1) { // Anthropic keeps no tags: the total says it
			t.Errorf("part %q has %d live batches: %v", tag, len(ids), ids)
		}
	}
	if n != c.parts {
		t.Errorf("%d live batches, want %d (one per part): %v", n, c.parts, live)
	}
	results := run(t, dir, env, "results", job)
	for _, id := range ids {
		if got := strings.Count(results, `"custom_id":"`+id+`"`); got != 1 {
			t.Errorf("custom_id %s appears %d times in the results, want once:\n%s", id, got, results)
		}
	}
}

// batchctl is a batchctl command (the test binary, see TestMain) in dir,
// killed if ctx ends first.
func batchctl(ctx context.Context, t *testing.T, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := exec.LookPath("batchctl")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir, cmd.Env = dir, slices.Clone(env)
	return cmd
}

// run runs batchctl to completion, bounded, and returns its stdout; it
// fails the test unless it exits 0.
func run(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := batchctl(ctx, t, dir, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("batchctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	t.Logf("batchctl %s:\n%s", strings.Join(args, " "), stderr.String())
	return stdout.String()
}

// TestWaitForAnAttemptHonoursInterrupt interrupts a create while it
// waits for an earlier attempt to settle (its connection was cut before
// the answer, fault drop): it stops at once with exit 130.
func TestWaitForAnAttemptHonoursInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs batchctl processes")
	}
	dir := t.TempDir()
	h, err := emulator.New(emulator.Options{Dir: filepath.Join(dir, "emulator"), APIKey: "sk-test", Faults: "create=drop"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	env := append(os.Environ(), "OPENAI_BASE_URL="+srv.URL+"/v1", "OPENAI_API_KEY=sk-test",
		"BATCHCTL_HOME="+filepath.Join(dir, "home"), "NO_COLOR=1", "BATCHCTL_CREATE_TIMEOUT=10m")
	if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(`{"custom_id":"q1","prompt":"hi"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := batchctl(t.Context(), t, dir, env, "create", "-f", "in.jsonl", "--model", "openai/echo")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "an earlier attempt to create its batch may still land; looking for it until") {
				said = true
				waiting <- true
			}
		}
		if !said {
			waiting <- false
		}
	}()
	select {
	case ok := <-waiting:
		if !ok {
			cmd.Wait()
			t.Fatal("create ended without saying it waits for the earlier attempt")
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("create never said it waits for the earlier attempt")
	}
	interrupted := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("create ended with %v, want exit 130", err)
	}
	if d := time.Since(interrupted); d > 30*time.Second {
		t.Errorf("create took %s to stop after Ctrl-C", d)
	}
}
