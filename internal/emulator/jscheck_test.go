package emulator

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestJSClients is the held-out client check: the official JavaScript
// SDKs (npm openai, @anthropic-ai/sdk, @google/genai and
// @mistralai/mistralai, pinned in jscheck/package-lock.json) drive the
// emulator through each protocol's batch lifecycle, the way their READMEs
// show. @openrouter/sdk has no batch methods: the OpenRouter batch calls are
// made with fetch as OpenRouter's quickstart shows, and the results they
// carry are parsed with the SDK's own schemas (jscheck/src/openrouter.ts).
// tsc first compiles the
// check against the SDKs' own types; node then runs it, and a second tsc
// pass checks every body it received as a literal of the SDK type it was
// read as, so a field the SDK declares required and the emulator leaves
// out fails here. It skips without node or without jscheck/node_modules
// (.ci/run installs them with npm ci).
func TestJSClients(t *testing.T) {
	if testing.Short() {
		t.Skip("the JavaScript client check takes tens of seconds")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the JavaScript client check is skipped")
	}
	dir, err := filepath.Abs("jscheck")
	if err != nil {
		t.Fatal(err)
	}
	tsc := filepath.Join(dir, "node_modules", "typescript", "bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Skip("internal/emulator/jscheck/node_modules is missing (run npm ci there): the JavaScript client check is skipped")
	}
	// One emulator whose batches end as soon as they are created, one
	// whose batches run for an hour (to be cancelled); both on a clock
	// that does not move, so every answer is the same on every run.
	done := newTestEnv(t, Options{})
	slow := newTestEnv(t, Options{Duration: time.Hour})

	run := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %v: %v\n%s%s", filepath.Base(name), args, err, out.String(), errOut.String())
		}
		return out.String()
	}
	run(nil, node, tsc, "-p", ".")
	wire := filepath.Join(dir, "wire", "bodies.ts")
	if err := os.MkdirAll(filepath.Dir(wire), 0o755); err != nil {
		t.Fatal(err)
	}
	got := run([]string{
		"JSCHECK_BASE=" + done.http.URL,
		"JSCHECK_SLOW_BASE=" + slow.http.URL,
		"JSCHECK_WIRE=" + wire,
		// The SDKs read these when no option is given; none must leak in.
		"OPENAI_BASE_URL=", "ANTHROPIC_BASE_URL=", "GOOGLE_GEMINI_BASE_URL=", "ANTHROPIC_AUTH_TOKEN=",
	}, node, filepath.Join("dist", "main.js"))
	want := `openai: uploaded batch 298 bytes
openai: created model=gpt-4o-mini
openai: retrieved completed model=gpt-4o-mini counts={"total":2,"completed":1,"failed":1}
openai: usage input=2 cached=0 output=2 reasoning=0 total=4
openai: listed 1
openai: result c1 200 "Hello there"
openai: error c2 429 requests
openai: moderation d1 flagged=false,true hate=true
openai: created validating model=gpt-4o-mini
openai: cancelled cancelling model=gpt-4o-mini
anthropic: created message_batch
anthropic: retrieved ended counts={"processing":0,"succeeded":1,"errored":1,"canceled":0,"expired":0}
anthropic: listed 1
anthropic: result m1 succeeded "Hello there" diagnostics=null speed=null
anthropic: result m2 errored api_error
anthropic: cancelled canceling
gemini: created jscheck
gemini: retrieved JOB_STATE_SUCCEEDED
gemini: listed 1
gemini: result "Hello there"
gemini: result error 500
gemini: cancelled JOB_STATE_CANCELLED
mistral: uploaded batch 226 bytes 2 lines
mistral: created SUCCESS model=mistral-small-latest metadata={"batchctl_job":"jscheck"}
mistral: retrieved SUCCESS total=2 succeeded=1 failed=1
mistral: listed 1 of 1
mistral: result c1 200 "Hello there" stop
mistral: error c2 429 rate_limit_error
mistral: moderation d1 -,hate_and_discrimination
mistral: embedding e1 4 floats
mistral: cancelled CANCELLATION_REQUESTED
openrouter: created batch completed model=anthropic/claude-sonnet-4.5
openrouter: retrieved completed counts={"total":2,"completed":1,"failed":1}
openrouter: result r1 "Hello there" model=anthropic/claude-sonnet-4.5
openrouter: result r2 429
openrouter: created batch completed model=openai/text-embedding-3-small
openrouter: retrieved completed counts={"total":1,"completed":1,"failed":0}
openrouter: result e1 2 embeddings
openrouter: listed list has_more=true
openrouter: requests first 400 400
openrouter: cancelled cancelling
`
	if got != want {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, want)
	}
	run(nil, node, tsc, "--noEmit", "--strict", "--skipLibCheck", "--target", "es2022",
		"--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", wire)
}
