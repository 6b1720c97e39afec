package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/hostile"
)

// run is one run of the binary.
type run struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // peak resident memory, in bytes
}

// hostileJob is a job of the given requests created on a hostile provider
// by the real binary, with a home of its own.
type hostileJob struct {
	t    *testing.T
	bin  string
	dir  string // holds the home and the input
	home string
	env  []string
	id   string
}

func newHostileJob(t *testing.T, bin string, srv *hostile.Server, ids ...string) *hostileJob {
	t.Helper()
	dir := t.TempDir()
	h := &hostileJob{t: t, bin: bin, dir: dir, home: filepath.Join(dir, "home")}
	h.env = append(os.Environ(), "BATCHCTL_HOME="+h.home, "NO_COLOR=1")
	h.env = append(h.env, srv.Env()...)
	var in strings.Builder
	for _, id := range ids {
		in.WriteString(line(id) + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("create", "-f", "in.jsonl", "--model", "openai/echo")
	if r.code != 0 {
		t.Fatalf("create: exit %d\n%s", r.code, r.stderr)
	}
	h.id = strings.TrimSpace(r.stdout)
	return h
}

// run runs the binary, killing it after two minutes (far more than any
// scenario needs) so that a regression fails instead of hanging.
func (h *hostileJob) run(args ...string) run {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Dir, cmd.Env = h.dir, h.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		h.t.Fatal(err)
	}
	r := run{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	return r
}

// batchID is the provider batch of the job's one part.
func (h *hostileJob) batchID() string {
	h.t.Helper()
	r := h.run("status", h.id)
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Split(l, "\t"); f[0] == "part" && len(f) > 2 {
			return f[2]
		}
	}
	h.t.Fatalf("no part in the status of %s:\n%s%s", h.id, r.stdout, r.stderr)
	return ""
}

// tempFiles lists the temp files under dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp") {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// TestHostileProvider runs the real binary against a provider that sends
// what no real one should, one scenario each: it must stay within its
// bounds, say what went wrong, exit 1 where the provider is at fault, and
// leave no temp file behind.
func TestHostileProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "batchctl")
	buildBatchctl(t, bin)
	five := []string{"a", "b", "c", "d", "e"}

	t.Run("giant line", func(t *testing.T) {
		srv := hostile.Start(t, emulator.Options{}, hostile.GiantLine(256<<20))
		h := newHostileJob(t, bin, srv, five...)
		r := h.run("results", h.id, "-o", "out.jsonl")
		want := regexp.MustCompile(`^error: downloading results of batch ` + h.batchID() + `: download output file file-\w+: ` +
			`result line 1 is longer than 64 MiB, the most batchctl accepts of one line\n$`)
		if r.code != 1 || !want.MatchString(r.stderr) {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and only %s", r.code, r.stderr, want)
		}
		t.Logf("peak RSS %.1f MiB", float64(r.maxRSS)/(1<<20))
		if r.maxRSS >= 64<<20 {
			t.Errorf("peak RSS %d MiB, want under 64 MiB", r.maxRSS>>20)
		}
		if tmp := tempFiles(t, h.dir); len(tmp) > 0 {
			t.Errorf("temp files left: %v", tmp)
		}
		if _, err := os.Stat(filepath.Join(h.dir, "out.jsonl")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("-o file written after a failure (%v)", err)
		}
	})

	t.Run("endless lines", func(t *testing.T) {
		srv := hostile.Start(t, emulator.Options{}, hostile.EndlessLines())
		h := newHostileJob(t, bin, srv, five...)
		start := time.Now()
		r := h.run("results", h.id)
		want := regexp.MustCompile(`^error: downloading results of batch ` + h.batchID() + `: download output file file-\w+: ` +
			`the results are larger than 320 MiB, the most 5 requests can return \(64 MiB of one line each\)\n$`)
		if r.code != 1 || !want.MatchString(r.stderr) {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and only %s", r.code, r.stderr, want)
		}
		t.Logf("refused after %s, peak RSS %.1f MiB", time.Since(start).Round(time.Millisecond), float64(r.maxRSS)/(1<<20))
		if r.stdout != "" {
			t.Errorf("stdout %q, want nothing", r.stdout)
		}
		if tmp := tempFiles(t, h.dir); len(tmp) > 0 {
			t.Errorf("temp files left: %v", tmp)
		}
	})

	// ids the provider made up, some shaped like paths, and ids submitted
	// that look like paths: they are just ids.
	pathy := []string{"a", "b/c", "../d", "..", "e"}
	idTests := []struct {
		name       string
		tamper     hostile.Tamper
		code       int
		wantStderr string
		status     []string // of each submitted id
		missing    string   // as status says it
	}{
		{"unknown ids", hostile.ExtraIDs("zz", "../../escape", "x/../../../y"), 0,
			"warning: batch %s returned 3 result lines for ids that were not submitted; they were left out\n",
			[]string{"succeeded", "succeeded", "succeeded", "succeeded", "succeeded"}, "0"},
		{"repeated ids", hostile.Repeats(), 0,
			"warning: batch %s returned 5 repeated result lines (the first line for each id was kept); they were left out\n",
			[]string{"succeeded", "succeeded", "succeeded", "succeeded", "succeeded"}, "0"},
		{"repeats in place of other ids", hostile.RepeatFirst(4), 3,
			"warning: batch %s returned 4 repeated result lines (the first line for each id was kept); they were left out\n", // the summary is for terminals only
			[]string{"succeeded", "missing", "missing", "missing", "missing"}, "4"},
	}
	for _, tt := range idTests {
		t.Run(tt.name, func(t *testing.T) {
			srv := hostile.Start(t, emulator.Options{}, tt.tamper)
			h := newHostileJob(t, bin, srv, pathy...)
			r := h.run("results", h.id)
			want := strings.NewReplacer("%s", h.batchID(), "%j", "job "+h.id).Replace(tt.wantStderr)
			if r.code != tt.code || r.stderr != want {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", r.code, r.stderr, tt.code, want)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
				got = append(got, l[:strings.Index(l, `"job"`)])
			}
			var lines []string
			for i, id := range pathy {
				lines = append(lines, `{"custom_id":"`+id+`","status":"`+tt.status[i]+`",`)
			}
			if strings.Join(got, "\n") != strings.Join(lines, "\n") {
				t.Errorf("results:\n%s\nwant one line per submitted id:\n%s", strings.Join(got, "\n"), strings.Join(lines, "\n"))
			}
			if s := h.run("status", h.id); !strings.Contains(s.stdout, "\nmissing\t"+tt.missing+"\n") {
				t.Errorf("status says:\n%s\nwant missing %s", s.stdout, tt.missing)
			}
			for _, name := range []string{"escape", "y", "d"} {
				if _, err := os.Stat(filepath.Join(filepath.Dir(h.dir), name)); err == nil {
					t.Errorf("a file %s was made outside the job's directory", name)
				}
			}
			// the same again, from the kept copy: one line each, still said
			if again := h.run("results", h.id); again.stdout != r.stdout || again.stderr != r.stderr {
				t.Errorf("second run differs:\n%s%s", again.stdout, again.stderr)
			}
		})
	}

	t.Run("unknown status", func(t *testing.T) {
		srv := hostile.Start(t, emulator.Options{Duration: time.Hour}, hostile.BatchStatus("weird_state"))
		h := newHostileJob(t, bin, srv, five...)
		batch := h.batchID()
		r := h.run("status", h.id)
		if want := "part\t1\t" + batch + "\tunknown\tweird_state\t"; r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("status: exit %d\n%s%s\nwant %q", r.code, r.stdout, r.stderr, want)
		}
		r = h.run("wait", h.id, "--timeout", "3s", "--interval", "1s")
		warning := "warning: batch " + batch + ` is in a status batchctl does not know ("weird_state"): it cannot tell whether the batch has ended, so it keeps polling until --timeout` + "\n"
		progress := h.id + `: unknown (provider says "weird_state"), 0/5 requests done (0 succeeded, 0 failed)` + "\n"
		if r.code != 124 || strings.Count(r.stderr, warning) != 1 || !strings.HasPrefix(r.stderr, progress+warning) {
			t.Errorf("wait: exit %d, stderr:\n%s\nwant exit 124, and once:\n%s", r.code, r.stderr, progress+warning)
		}
	})

	t.Run("absurd counts", func(t *testing.T) {
		srv := hostile.Start(t, emulator.Options{Duration: time.Hour}, hostile.BatchCounts(-7, -100000000000, 3))
		h := newHostileJob(t, bin, srv, five...)
		batch := h.batchID()
		warning := "warning: batch " + batch + " reports impossible request counts (total -7, succeeded -100000000000, failed 3 for 5 requests); showing 0 succeeded, 3 failed of 5\n"
		r := h.run("wait", h.id, "--timeout", "3s", "--interval", "1s")
		progress := h.id + ": validating, 3/5 requests done (0 succeeded, 3 failed)\n"
		if r.code != 124 || strings.Count(r.stderr, warning) != 1 || !strings.HasPrefix(r.stderr, warning+progress) || strings.Contains(r.stderr, "-100000000000/") {
			t.Errorf("wait: exit %d, stderr:\n%s\nwant exit 124, and once:\n%s", r.code, r.stderr, warning+progress)
		}
		r = h.run("status", h.id)
		if !strings.Contains(r.stdout, "succeeded\t0\nfailed\t3\n") || !strings.Contains(r.stderr, warning) {
			t.Errorf("status:\n%s%s\nwant the counts clamped and said", r.stdout, r.stderr)
		}
	})
}
