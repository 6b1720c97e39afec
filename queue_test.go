package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
)

// queueCase is a run of jobs larger than the emulator's enqueued quota,
// driven to the end by repeated syncs only, as cron would.
type queueCase struct {
	protocol string // openai, anthropic or gemini
	jobs     int    // created at once, sharing one budget
	// over is how many times the emulator's limit the configured budget
	// is: 1 when it is right; more when it is set too high, so the
	// emulator refuses and batchctl must learn.
	over int64
	// kill names the point (jobs.TestOnlyKillAt) at which one sync that
	// submits a queued part is killed; "" for none.
	kill string
}

func (c queueCase) name() string {
	s := fmt.Sprintf("%s/%djobs/budget%dx", c.protocol, c.jobs, c.over)
	if c.kill != "" {
		s += "/kill-at-" + c.kill
	}
	return s
}

// queueRequests is the size of each job, in requests; the limit is set so
// that each job is about five times it.
const queueRequests = 40

// queueLimit is the emulator's limit for a protocol, about a fifth of a
// job: tokens for OpenAI (a job counts 640) and Gemini (360), requests
// for Anthropic.
func queueLimit(protocol string) int64 {
	switch protocol {
	case "anthropic":
		return queueRequests / 5
	case "gemini":
		return 70
	}
	return 125
}

// TestQueueDrivenBySync creates jobs of about five times the emulator's
// enqueued limit and runs sync until they end: every custom_id comes back
// exactly once, and the emulator never held more than its limit.
func TestQueueDrivenBySync(t *testing.T) {
	if testing.Short() {
		t.Skip("runs batchctl processes")
	}
	for _, c := range queueCases(os.Getenv("BATCHCTL_SOAK") != "") {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel() // each has its own emulator and home; they mostly wait for batches
			runQueueCase(t, c)
		})
	}
}

// queueCases are the runs of TestQueueDrivenBySync: on every protocol a
// job alone and a budget set too high (OpenAI refuses with a failed batch,
// Anthropic and Gemini with a 429 at create); two jobs sharing a budget on
// OpenAI, and a sync killed while it submits on Gemini. BATCHCTL_SOAK=1
// runs every kind on every protocol.
func queueCases(soak bool) []queueCase {
	var cases []queueCase
	for _, p := range []string{"openai", "anthropic", "gemini"} {
		cases = append(cases, queueCase{protocol: p, jobs: 1, over: 1})
		if soak || p == "openai" {
			cases = append(cases, queueCase{protocol: p, jobs: 2, over: 1})
		}
		cases = append(cases, queueCase{protocol: p, jobs: 1, over: 3})
		if soak || p == "gemini" {
			cases = append(cases, queueCase{protocol: p, jobs: 1, over: 1, kill: "created"})
		}
	}
	return cases
}

// batchDuration is how long each emulated batch runs.
const batchDuration = 200 * time.Millisecond

func runQueueCase(t *testing.T, c queueCase) {
	dir := t.TempDir()
	limit := queueLimit(c.protocol)
	spec := fmt.Sprintf("enqueued-token-limit=%d", limit)
	if c.protocol == "anthropic" {
		spec = fmt.Sprintf("enqueued-request-limit=%d", limit)
	}
	limits, err := emulator.ParseLimits(spec)
	if err != nil {
		t.Fatal(err)
	}
	h, err := emulator.New(emulator.Options{
		Dir: filepath.Join(dir, "emulator"), APIKey: "sk-test", Duration: batchDuration, Limits: limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	home := filepath.Join(dir, "home")
	unit := "tokens"
	if c.protocol == "anthropic" {
		unit = "requests"
	}
	writeHomeConfig(t, home, fmt.Sprintf("providers:\n  %s:\n    enqueued_tokens:\n      - model: \"*\"\n        %s: %d\n",
		c.protocol, unit, limit*c.over))
	env := append(os.Environ(),
		"OPENAI_BASE_URL="+srv.URL+"/v1", "OPENAI_API_KEY=sk-test",
		"ANTHROPIC_BASE_URL="+srv.URL, "ANTHROPIC_API_KEY=sk-test",
		"GOOGLE_GEMINI_BASE_URL="+srv.URL, "GEMINI_API_KEY=sk-test",
		"BATCHCTL_HOME="+home, "NO_COLOR=1",
		"BATCHCTL_CREATE_TIMEOUT=8s", "BATCHCTL_QUEUE_BACKOFF=200ms",
	)
	model := c.protocol + "/echo"
	var ids [][]string
	var jobIDs []string
	for n := range c.jobs {
		var in bytes.Buffer
		var jobIDsOf []string
		for i := range queueRequests {
			id := fmt.Sprintf("j%dq%02d", n, i)
			jobIDsOf = append(jobIDsOf, id)
			fmt.Fprintf(&in, `{"custom_id":%q,"prompt":"please say %s back to me","max_tokens":16}`+"\n", id, id)
		}
		file := fmt.Sprintf("in%d.jsonl", n)
		if err := os.WriteFile(filepath.Join(dir, file), in.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, jobIDsOf)
		create := []string{"create", "-f", file, "--model", model}
		if c.over > 1 {
			// parts small enough for the real limit, which the budget
			// set too high does not show
			create = append(create, "--max-requests", "5")
		}
		jobIDs = append(jobIDs, strings.TrimSpace(run(t, dir, env, create...)))
	}
	start := time.Now()
	// with two jobs, a wait for the newer one submits too, at the same
	// time as the syncs: the ledger's lock must keep them under the limit
	var waited chan error
	if c.jobs > 1 {
		waiter := batchctl(t.Context(), t, dir, env, "wait", jobIDs[1], "--interval", "100ms")
		var out bytes.Buffer
		waiter.Stderr = &out
		if err := waiter.Start(); err != nil {
			t.Fatal(err)
		}
		waited = make(chan error, 1)
		go func() {
			err := waiter.Wait()
			t.Logf("wait %s: %v\n%s", jobIDs[1], err, out.String())
			waited <- err
		}()
	}
	killed := c.kill == ""
	syncs := 0
	for !allEnded(t, dir, env) {
		if syncs++; syncs > 400 {
			t.Fatalf("the jobs did not end after %d syncs", syncs)
		}
		time.Sleep(50 * time.Millisecond)
		if !killed && queuedParts(t, dir, env) > 0 {
			// a sync that submits a queued part dies at the kill point
			time.Sleep(batchDuration)
			cmd := batchctl(t.Context(), t, dir, env, "sync")
			cmd.Env = append(cmd.Env, "BATCHCTL_TEST_KILL_AT="+c.kill)
			out, _ := cmd.CombinedOutput()
			t.Logf("sync with BATCHCTL_TEST_KILL_AT=%s: %v\n%s", c.kill, cmd.ProcessState, out)
			killed = !cmd.ProcessState.Exited()
			continue
		}
		run(t, dir, env, "sync")
	}
	wall := time.Since(start)
	if waited != nil {
		select {
		case err := <-waited:
			if err != nil {
				t.Errorf("wait %s: %v", jobIDs[1], err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("wait %s did not end after the jobs had", jobIDs[1])
		}
	}
	var total int64
	parts := 0
	for _, job := range jobIDs {
		var v struct {
			Status string
			Parts  []struct{ Tokens int64 }
		}
		if err := json.Unmarshal([]byte(run(t, dir, env, "status", job, "--json")), &v); err != nil {
			t.Fatal(err)
		}
		if v.Status != "completed" {
			t.Errorf("job %s is %s, want completed", job, v.Status)
		}
		for _, p := range v.Parts {
			total += p.Tokens
			if c.over == 1 && p.Tokens > limit {
				t.Errorf("job %s has a part of %d %s, over the budget of %d", job, p.Tokens, unit, limit)
			}
		}
		parts += len(v.Parts)
	}
	if total < 4*limit*int64(c.jobs) {
		t.Errorf("the jobs count %d %s, want at least four times the limit (%d) each", total, unit, limit)
	}
	ideal := time.Duration((total+limit-1)/limit) * batchDuration
	t.Logf("%d jobs, %d parts, %d %s against a limit of %d: %d syncs, wall %s, ideal %s (whole budget always in use)",
		c.jobs, parts, total, unit, limit, syncs, wall.Round(time.Millisecond), ideal)
	for n, job := range jobIDs {
		results := run(t, dir, env, "results", job)
		for _, id := range ids[n] {
			if got := strings.Count(results, `"custom_id":"`+id+`"`); got != 1 {
				t.Errorf("job %s: custom_id %s appears %d times in the results, want once", job, id, got)
			}
		}
	}
	checkOneBatchPerPart(t, dir, env, c.protocol, parts)
	checkPeak(t, srv.URL, c, limit)
	if c.over > 1 {
		var learned int64
		out := run(t, dir, env, "queue", "--jq", ".[] | .learned")
		if _, err := fmt.Sscan(out, &learned); err != nil || learned >= limit*c.over {
			t.Errorf("learned budget after the run: %q, want one below the configured %d", out, limit*c.over)
		}
		t.Logf("learned budget after the run: %d", learned)
	}
}

// checkPeak checks what the emulator held at most against its limit, and
// that a budget set too high met its refusals.
func checkPeak(t *testing.T, url string, c queueCase, limit int64) {
	var stats struct {
		Queues map[string]emulator.QueueStats
	}
	if err := getJSON(url+emulator.StatsPath, &stats); err != nil {
		t.Fatal(err)
	}
	q, ok := stats.Queues[c.protocol]
	if !ok {
		t.Fatalf("the emulator reports no batch queue for %s: %+v", c.protocol, stats.Queues)
	}
	peak := q.Peak.Tokens
	if c.protocol == "anthropic" {
		peak = q.Peak.Requests
	}
	t.Logf("emulator peak %d of a limit of %d; %d batches admitted, %d refused", peak, limit, q.Admitted, q.Refused)
	if peak > limit || peak == 0 {
		t.Errorf("the emulator held at most %d, want 1 to %d", peak, limit)
	}
	switch {
	case c.over > 1 && q.Refused == 0:
		t.Errorf("a budget %d times the limit met no refusal", c.over)
	case c.over == 1 && q.Refused > 0:
		t.Errorf("a budget equal to the limit met %d refusals", q.Refused)
	}
}

// getJSON decodes the JSON answer of a GET.
func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// allEnded reports whether every job of the registry has ended.
func allEnded(t *testing.T, dir string, env []string) bool {
	out := strings.TrimSpace(run(t, dir, env, "list", "--jq", `[.[] | select(.status != "completed" and .status != "failed" and .status != "cancelled" and .status != "expired")] | length`))
	return out == "0"
}

// queuedParts is how many parts of the registry wait in the queue.
func queuedParts(t *testing.T, dir string, env []string) int {
	return queueSum(t, dir, env, "queued_parts")
}

func queueSum(t *testing.T, dir string, env []string, field string) int {
	var n int
	out := run(t, dir, env, "queue", "--jq", "[.[]."+field+"] | add // 0")
	if _, err := fmt.Sscan(out, &n); err != nil {
		t.Fatalf("queue --jq: %q: %v", out, err)
	}
	return n
}

// checkOneBatchPerPart checks that the provider holds exactly one batch
// per part that did not fail for the quota.
func checkOneBatchPerPart(t *testing.T, dir string, env []string, protocol string, parts int) {
	var batches []struct {
		ID       string
		Status   string
		Metadata map[string]string
	}
	remote := run(t, dir, env, "list", "--remote", "--provider", protocol, "--limit", "0", "--json")
	if err := json.Unmarshal([]byte(remote), &batches); err != nil {
		t.Fatal(err)
	}
	live := map[string][]string{}
	n := 0
	for _, b := range batches {
		if b.Status == "failed" || b.Status == "cancelled" {
			continue
		}
		key := b.Metadata["batchctl_job"] + " " + b.Metadata["batchctl_part"]
		live[key] = append(live[key], b.ID)
		n++
	}
	for key, ids := range live {
		if len(ids) > 1 && protocol != "anthropic" { // Anthropic keeps no tags: the total says it
			t.Errorf("part %q has %d batches: %v", key, len(ids), ids)
		}
	}
	if n != parts {
		t.Errorf("the provider holds %d batches, want %d (one per part)", n, parts)
	}
}
