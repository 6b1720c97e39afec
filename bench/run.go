package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A process is one command to measure.
type process struct {
	argv []string
	env  []string // added to the benchmark's own environment
	// stdin is a file to read standard input from ("" for none).
	stdin string
	// stdout, when set, receives the command's standard output, which is
	// otherwise discarded.
	stdout io.Writer
	// stderr, when set, receives the command's standard error; otherwise
	// it is kept and shown if the command fails.
	stderr io.Writer
	// okExits are the exit codes that count as success besides 0.
	okExits []int
}

// A measurement is what one run of a process cost.
type measurement struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	maxRSS int64         // peak resident set size in bytes; 0 when unknown
}

// A meter runs processes and measures them: wall time on the benchmark's
// clock, CPU time from the child's rusage, and peak RSS through GNU time
// when the system has it. A child's own ru_maxrss is no good for that on
// Linux: it starts at the RSS of the process that forked it, this one.
type meter struct {
	gnuTime string // path of GNU time, "" when missing
	dir     string // for GNU time's output files
}

// newMeter finds GNU time.
func newMeter(ctx context.Context, dir string) meter {
	for _, p := range []string{"/usr/bin/time", "/bin/time"} {
		out, err := exec.CommandContext(ctx, p, "--version").CombinedOutput()
		if err == nil && bytes.Contains(out, []byte("GNU")) {
			return meter{gnuTime: p, dir: dir}
		}
	}
	return meter{dir: dir}
}

// rssSource says where peak RSS figures come from.
func (mt meter) rssSource() string {
	if mt.gnuTime != "" {
		return "peak RSS from " + mt.gnuTime
	}
	return "peak RSS from the child's rusage, which on Linux is at least the benchmark's own " +
		formatRSS(selfMaxRSS()) + " (install GNU time for exact figures)"
}

// run runs p once and measures it, its peak RSS included.
func (mt meter) run(ctx context.Context, p process) (measurement, error) {
	if mt.gnuTime == "" {
		return runOnce(ctx, p)
	}
	rssFile := filepath.Join(mt.dir, "rss")
	wrapped := p
	wrapped.argv = append([]string{mt.gnuTime, "-q", "-f", "%M", "-o", rssFile}, p.argv...)
	m, err := runOnce(ctx, wrapped)
	if err != nil {
		return measurement{}, err
	}
	out, err := os.ReadFile(rssFile)
	if err != nil {
		return measurement{}, err
	}
	kib, err := strconv.ParseInt(string(bytes.TrimSpace(out)), 10, 64)
	if err != nil {
		return measurement{}, fmt.Errorf("GNU time's peak RSS %q: %w", out, err)
	}
	m.maxRSS = kib << 10
	return m, nil
}

// best runs p n times and keeps the least wall time and the least CPU
// time, each over every run: on a busy machine the run that waited least
// is not always the one that worked least. Its peak RSS comes from one
// more run when GNU time measures it, so that the times are not GNU
// time's.
func (mt meter) best(ctx context.Context, p process, n int) (measurement, error) {
	if n == 1 {
		return mt.run(ctx, p)
	}
	var min measurement
	for i := range n {
		m, err := runOnce(ctx, p)
		if err != nil {
			return measurement{}, err
		}
		if i == 0 || m.wall < min.wall {
			min.wall = m.wall
		}
		if i == 0 || m.cpu < min.cpu {
			min.cpu = m.cpu
		}
		min.maxRSS = max(min.maxRSS, m.maxRSS)
	}
	if mt.gnuTime != "" {
		m, err := mt.run(ctx, p)
		if err != nil {
			return measurement{}, err
		}
		min.maxRSS = m.maxRSS
	}
	return min, nil
}

// runOnce runs p and measures it from the child's rusage.
func runOnce(ctx context.Context, p process) (measurement, error) {
	cmd := exec.CommandContext(ctx, p.argv[0], p.argv[1:]...)
	cmd.Env = append(os.Environ(), p.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if p.stderr != nil {
		cmd.Stderr = p.stderr
	}
	if p.stdin != "" {
		f, err := os.Open(p.stdin)
		if err != nil {
			return measurement{}, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	cmd.Stdout = p.stdout
	if p.stdout == nil {
		devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return measurement{}, err
		}
		defer devNull.Close()
		cmd.Stdout = devNull
	}

	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if errors.As(err, &exit) && slices.Contains(p.okExits, exit.ExitCode()) {
		err = nil
	}
	if err != nil {
		return measurement{}, fmt.Errorf("%s: %w\n%s", strings.Join(p.argv, " "), err, lastLines(stderr.String(), 5))
	}
	m := usage(cmd.ProcessState)
	m.wall = wall
	return m, nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
