package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/hostile"
)

// TestDirectKillResume kills a direct job's create with SIGKILL at random
// moments, runs the same create again each time (which resumes the job),
// and lets the last one finish: every custom_id has exactly one result line,
// and a request the endpoint saw more than once (in flight at a kill) says
// so in its attempts. CI makes 3 kills; BATCHCTL_SOAK=1 makes 20.
func TestDirectKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs batchctl processes")
	}
	kills := 3
	if os.Getenv("BATCHCTL_SOAK") != "" {
		kills = 20
	}
	const n = 300
	var mu sync.Mutex
	seen := map[string]int{} // custom id (from the prompt) -> times the endpoint got it
	idOf := regexp.MustCompile(`question (q\d+)`)
	srv := hostile.Start(t, emulator.Options{Limits: emulator.Limits{Latency: 40 * time.Millisecond, Jitter: 40 * time.Millisecond}},
		hostile.OnPath("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			body, _ := io.ReadAll(r.Body)
			if m := idOf.FindSubmatch(body); m != nil {
				mu.Lock()
				seen[string(m[1])]++
				mu.Unlock()
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		}))
	dir := t.TempDir()
	_, env := homeOf(t, append(srv.Env(), "PATH="+os.Getenv("PATH"), "NO_COLOR=1"))
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, `{"custom_id":"q%d","messages":[{"role":"user","content":"question q%d"}]}`+"\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "reqs.jsonl"), []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"create", "-f", "reqs.jsonl", "--model", "openai/echo", "--direct", "--concurrency", "8", "--name", "killed"}
	for k := range kills {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		cmd := batchctl(ctx, t, dir, env, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(50+rand.IntN(600)) * time.Millisecond
		time.Sleep(delay)
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()
		cancel()
		mu.Lock()
		t.Logf("kill %d after %s: the endpoint has seen %d requests", k+1, delay, len(seen))
		mu.Unlock()
	}
	// The same create once more finishes the job (or makes it, when every
	// kill came before it was recorded). A request in flight at two kills
	// was sent twice without an answer heard: it is not sent a third time
	// but errored, so results may exit 3.
	partialOK(t, dir, env, args...)
	out := partialOK(t, dir, env, "results", "killed")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	results := map[string]int{}
	twice, lost := 0, 0
	for _, line := range lines {
		var r struct {
			CustomID string `json:"custom_id"`
			Status   string `json:"status"`
			Attempts *int   `json:"attempts"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("result line %q: %v", line, err)
		}
		results[r.CustomID]++
		got := seen[r.CustomID]
		switch {
		case r.Attempts == nil:
			t.Errorf("%s: attempts is null", r.CustomID)
		case got > *r.Attempts:
			t.Errorf("%s: the endpoint got it %d times, its result says %d attempts", r.CustomID, got, *r.Attempts)
		case got > 2:
			t.Errorf("%s: sent %d times; a lost answer is sent again once at most", r.CustomID, got)
		case r.Status != "succeeded" && *r.Attempts < 2:
			t.Errorf("%s: %s without a lost answer: %s", r.CustomID, r.Status, line)
		}
		if got > 1 {
			twice++
		}
		if r.Status != "succeeded" {
			lost++
		}
	}
	for i := range n {
		if id := fmt.Sprintf("q%d", i); results[id] != 1 {
			t.Errorf("%s has %d result lines, want 1", id, results[id])
		}
	}
	t.Logf("%d kills: %d requests reached the endpoint twice (in flight at a kill), each marked; %d errored, sent twice without an answer", kills, twice, lost)
}

// partialOK runs batchctl to completion and returns its stdout; it fails
// the test unless it exits 0 or 3 (some requests did not succeed).
func partialOK(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := batchctl(ctx, t, dir, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 3) {
		t.Fatalf("batchctl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
