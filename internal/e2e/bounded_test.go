package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// memoryBudget is the peak resident memory allowed to create on an input
// it rejects at its first bad byte, whatever follows.
const memoryBudget = 64 << 20

// garbage is size bytes of random data without newlines, as a
// newline-free file of junk would be.
type garbage struct {
	rng  *rand.Rand
	left int64
}

func (g *garbage) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	for i := range p {
		if p[i] = byte(g.rng.Uint32()); p[i] == '\n' {
			p[i] = ' '
		}
	}
	g.left -= int64(len(p))
	return len(p), nil
}

// repeat is size bytes of start then fill over and over (forever when size
// is negative), counting what was read.
type repeat struct {
	start, fill []byte
	left        int64
	read        atomic.Int64
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.left > 0 && int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := copy(p, r.start)
	r.start = r.start[n:]
	for n < len(p) {
		n += copy(p[n:], r.fill)
	}
	if r.left > 0 {
		r.left -= int64(n)
	}
	r.read.Add(int64(n))
	return n, nil
}

// TestBoundedInput runs the real binary on inputs that never end or that
// are huge and invalid from their first bytes: each must end with exit 2,
// naming the line, in little time and with peak memory under the budget,
// without reading the rest. Run with -v to see the figures.
func TestBoundedInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "batchctl")
	buildBatchctl(t, bin)
	env := append(os.Environ(), "BATCHCTL_HOME="+filepath.Join(dir, "home"), "OPENAI_API_KEY=k", "NO_COLOR=1")

	const hundredMB = 100 << 20
	tests := []struct {
		name  string
		file  string    // the input file, or "-" for stdin
		stdin io.Reader // with file "-"
		args  string
		want  string // in stderr
	}{
		{"/dev/zero", "/dev/zero", nil, "", "/dev/zero:1:1: invalid JSON: expected a value, found '\\x00'\n/dev/zero:1: stopped reading here"},
		// blank lines count, so the line it stops at varies
		{"/dev/urandom", "/dev/urandom", nil, "", ": stopped reading here (20 lines are not JSON)"},
		{"100 MB of newline-free garbage", "-", &garbage{rng: rand.New(rand.NewPCG(1, 2)), left: hundredMB}, "", "<stdin>:1:1: invalid JSON"},
		{"100 MB line, valid then garbage", "-", &repeat{start: []byte(`{"prompt":"` + strings.Repeat("x", 1<<20) + `"}`), fill: []byte("x"), left: hundredMB}, "",
			"<stdin>:1:1048590: invalid JSON: expected end of line after the JSON value, found 'x'"},
		{"100 MB string over --max-bytes", "-", &repeat{start: []byte(`{"prompt":"`), fill: []byte("x"), left: hundredMB}, "--max-bytes 4MB",
			"<stdin>:1: line is over the 4000000-byte limit of one batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.file); tt.file != "-" && err != nil {
				t.Skip(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{"create", "-f", tt.file, "--model", "openai/m", "--dry-run"}, strings.Fields(tt.args)...)...)
			cmd.Env, cmd.Stdin = env, tt.stdin
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			stopGuard := guardMemory(t, cmd.Process)
			err := cmd.Wait()
			stopGuard()
			took := time.Since(start)
			if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			code := cmd.ProcessState.ExitCode()
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
			t.Logf("exit %d in %v, peak RSS %.1f MiB", code, took.Round(time.Millisecond), float64(rss)/(1<<20))
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", code, stderr.String(), tt.want)
			}
			if rss >= memoryBudget {
				t.Errorf("peak RSS %d bytes, want under %d", rss, memoryBudget)
			}
			// generous: the point is that it ends without reading all
			if took > time.Minute {
				t.Errorf("took %v", took)
			}
			if r, ok := tt.stdin.(*repeat); ok && r.read.Load() > 32<<20 {
				t.Errorf("read %d bytes of the input, want it to stop early", r.read.Load())
			}
		})
	}
}

// guardMemory kills p if its resident memory grows past four times the
// budget, so that a regression fails the test instead of exhausting the
// memory of the machine (the unbounded reader took 23 GB of /dev/zero).
// It polls /proc, where there is one; the returned func stops it.
func guardMemory(t *testing.T, p *os.Process) (stop func()) {
	t.Helper()
	status := fmt.Sprintf("/proc/%d/status", p.Pid)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			b, err := os.ReadFile(status)
			if err != nil {
				return
			}
			var kb int64
			if _, rest, ok := strings.Cut(string(b), "VmRSS:"); ok {
				fmt.Sscan(rest, &kb)
			}
			if kb<<10 > 4*memoryBudget {
				t.Errorf("resident memory passed %d MiB: killed", 4*memoryBudget>>20)
				p.Kill()
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// TestInterruptedInput checks that SIGTERM ends create while it reads an
// input that never ends: valid lines that keep coming, or a pipe that goes
// silent.
func TestInterruptedInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "batchctl")
	buildBatchctl(t, bin)
	env := append(os.Environ(), "BATCHCTL_HOME="+filepath.Join(dir, "home"), "OPENAI_API_KEY=k", "NO_COLOR=1")
	const valid = `{"prompt":"hi"}` + "\n"

	for _, endless := range []bool{true, false} {
		name := "pipe goes silent"
		if endless {
			name = "endless valid lines"
		}
		t.Run(name, func(t *testing.T) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pw.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "create", "-f", "-", "--model", "openai/m", "--max-requests", "1000000000", "--dry-run")
			cmd.Env, cmd.Stdin = env, pr
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pr.Close()
			// Once 1 MiB went into the pipe, which holds far less, create
			// is reading: its signal handler is set.
			chunk := []byte(strings.Repeat(valid, 4096))
			for written := 0; written < 1<<20; written += len(chunk) {
				if _, err := pw.Write(chunk); err != nil {
					t.Fatal(err)
				}
			}
			writing := make(chan struct{})
			if endless {
				go func() {
					defer close(writing)
					for {
						if _, err := pw.Write(chunk); err != nil {
							return // create exited
						}
					}
				}()
			} else {
				close(writing)
			}
			start := time.Now()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if err := <-done; ctx.Err() != nil {
				t.Fatalf("killed, still running long after SIGTERM (%v); stderr:\n%s", err, stderr.String())
			}
			t.Logf("exit %d %v after SIGTERM", cmd.ProcessState.ExitCode(), time.Since(start).Round(time.Millisecond))
			if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 130 and interrupted", code, stderr.String())
			}
			pw.Close()
			<-writing
		})
	}
}
