package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/hostile"
)

// TestSignalEndsEveryPhase sends SIGINT or SIGTERM to batchctl while it is
// stuck in each long phase against a stalled provider and checks that it
// exits 130 at once, leaving the registry usable and no temp file behind
// (#7). Reading a large input is covered in internal/e2e.
func TestSignalEndsEveryPhase(t *testing.T) {
	phases := []struct {
		name string
		// start sets up the provider and returns the environment, the
		// arguments of the run to interrupt, and the channel the provider
		// tells when that run is stuck.
		start func(t *testing.T) (env, args []string, stalled <-chan string)
	}{
		{
			name: "wait, poll in flight",
			start: func(t *testing.T) ([]string, []string, <-chan string) {
				stalled := make(chan string, 1)
				srv := hostile.Start(t, emulator.Options{Duration: time.Hour}, hostile.Hang(t.Context(), "GET /v1/batches/{id}", stalled))
				_, env := homeOf(t, srv.Env())
				return env, []string{"wait", createSmallJob(t, env)}, stalled
			},
		},
		{
			name: "wait, between polls",
			start: func(t *testing.T) ([]string, []string, <-chan string) {
				polled := make(chan string, 1)
				srv := hostile.Start(t, emulator.Options{Duration: time.Hour}, hostile.OnPath("GET /v1/batches/{id}", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
					next.ServeHTTP(w, r)
					select {
					case polled <- r.URL.Path:
					default:
					}
				}))
				_, env := homeOf(t, srv.Env())
				return env, []string{"wait", createSmallJob(t, env), "--interval", "1h"}, polled
			},
		},
		{
			name: "create, slow upload",
			start: func(t *testing.T) ([]string, []string, <-chan string) {
				stalled := make(chan string, 1)
				srv := hostile.Start(t, emulator.Options{Duration: time.Hour}, hostile.SlowUpload(t.Context(), "POST /v1/files", 10<<10, stalled))
				_, env := homeOf(t, srv.Env())
				in := filepath.Join(t.TempDir(), "big.jsonl")
				var b strings.Builder
				for i := range 20000 { // about 2 MB: minutes at 10 KB/s
					fmt.Fprintf(&b, `{"custom_id":"q%d","messages":[{"role":"user","content":"a long enough question, number %d"}]}`+"\n", i, i)
				}
				if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
					t.Fatal(err)
				}
				return env, []string{"create", "-f", in, "--model", "openai/echo", "--name", "big"}, stalled
			},
		},
		{
			name: "results, slow download",
			start: func(t *testing.T) ([]string, []string, <-chan string) {
				stalled := make(chan string, 1)
				srv := hostile.Start(t, emulator.Options{}, hostile.Trickle(t.Context(), "GET /v1/files/{id}/content", 1, 100*time.Millisecond, stalled))
				_, env := homeOf(t, srv.Env())
				job := createSmallJob(t, env)
				if r := runBinary(t, env, "wait", job); r.code != 0 {
					t.Fatalf("wait: exit %d\n%s", r.code, r.stderr)
				}
				return env, []string{"results", job}, stalled
			},
		},
		{
			name: "sync, slow download",
			start: func(t *testing.T) ([]string, []string, <-chan string) {
				stalled := make(chan string, 1)
				srv := hostile.Start(t, emulator.Options{}, hostile.Trickle(t.Context(), "GET /v1/files/{id}/content", 1, 100*time.Millisecond, stalled))
				_, env := homeOf(t, srv.Env())
				createSmallJob(t, env)
				return env, []string{"sync"}, stalled
			},
		},
	}
	signals := []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}
	for _, ph := range phases {
		for _, sig := range signals {
			t.Run(ph.name+"/"+sig.String(), func(t *testing.T) {
				t.Parallel()
				env, args, stalled := ph.start(t)
				cmd := binaryCmd(t, env, args...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				select {
				case <-stalled:
				case <-time.After(time.Minute):
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("batchctl %s never reached the stalled provider\nstderr:\n%s", args[0], stderr.String())
				}
				sent := time.Now()
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				err := cmd.Wait()
				took := time.Since(sent)
				t.Logf("batchctl %s exited %s after %s", args[0], sig, took.Round(time.Millisecond))
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 130 {
					t.Errorf("batchctl %s: %v, want exit status 130\nstderr:\n%s", args[0], err, stderr.String())
				}
				if !strings.HasSuffix(stderr.String(), "interrupted\n") {
					t.Errorf("stderr does not end with \"interrupted\":\n%s", stderr.String())
				}
				// one second is the goal; a loaded CI box may be slower
				if took > 3*time.Second {
					t.Errorf("exit came %s after %s", took, sig)
				}
				if stdout.Len() > 0 && args[0] != "create" {
					t.Errorf("stdout: %q", stdout.String())
				}
				h, _ := homeOf(t, env)
				checkNoTemp(t, h)
				if r := runBinary(t, env, "list"); r.code != 0 {
					t.Errorf("list after the signal: exit %d\n%s", r.code, r.stderr)
				}
			})
		}
	}
}

// checkNoTemp fails when a temp file is left under dir.
func checkNoTemp(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".tmp") {
			t.Errorf("%s was left behind", path)
		}
		return nil
	})
}
