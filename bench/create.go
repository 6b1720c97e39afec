package main

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The budgets of issue 13 for create, the emulator and the registry.
const (
	budgetDryRunMBps   = 600                    // create --dry-run --no-estimate, per core
	budgetJobDir       = 1.5                    // a job's directory against its input, at create time
	budgetFlatRSS      = 1.5                    // create's peak RSS at the most requests against the fewest
	budgetRoundTripCPU = 10 * time.Second       // client + emulator, 1M requests
	budgetLinear       = 1.5                    // CPU per request, most requests against a tenth of them
	budgetListAll      = 500 * time.Millisecond // list --limit 0
	budgetSync         = 20 * time.Millisecond  // sync with nothing to do
)

// requestCounts is a flag of comma-separated request counts.
type requestCounts []int

func (c *requestCounts) String() string {
	var out []string
	for _, n := range *c {
		out = append(out, strconv.Itoa(n))
	}
	return strings.Join(out, ",")
}

func (c *requestCounts) Set(v string) error {
	*c = nil
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 1 {
			return fmt.Errorf("want a positive request count, got %q", f)
		}
		*c = append(*c, n)
	}
	return nil
}

// shortChatInputLine is a line of an OpenAI chat input with one short
// prompt, about 150 bytes: a million of them is the many-requests case.
func shortChatInputLine(b []byte, i int, r *rand.Rand) []byte {
	b = appendCustomID(append(b, `{"custom_id":"`...), "q", i)
	b = append(b, `","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"`...)
	b = appendProse(b, 40+r.IntN(40), false, r)
	return append(b, `"}]}}`...)
}

var shortChatInput = dataset{name: "openai-short-chat-input.jsonl", line: shortChatInputLine}

// requestsData writes n lines of d once and returns the file.
func (b *bench) requestsData(d dataset, n int) (string, generated, error) {
	path := filepath.Join(b.dir, fmt.Sprintf("%dreq-%s", n, d.name))
	if g, ok := b.files[path]; ok {
		return path, g, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return "", generated{}, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(0x62617463, 0x68637472))
	var line []byte
	var size int64
	for i := range n {
		line = append(d.line(line[:0], i, r), '\n')
		w.Write(line)
		size += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		return "", generated{}, err
	}
	g := generated{size: size, lines: n}
	b.files[path] = g
	progress("generated %s: %s, %d lines", filepath.Base(path), formatSize(size), n)
	return path, g, nil
}

// createRequests measures `batchctl create` of more and more requests
// against `batchctl emulator serve`: the client's peak RSS, which should
// not grow with the requests, and what the job leaves in its directory.
func (b *bench) createRequests(ctx context.Context) error {
	if len(b.o.requests) == 0 {
		return nil
	}
	var first measurement
	for i, n := range b.o.requests {
		path, g, err := b.requestsData(shortChatInput, n)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("create: %d requests", n)
		progress("measuring %s", what)
		m, jobDir, emu, err := b.createOn(ctx, path, "1h")
		if err != nil {
			return err
		}
		r := row{what: what, command: "batchctl create (client)", bytes: g.size, m: m}
		r.underRSS(budgetRSSMiB)
		ratio := float64(jobDir) / float64(g.size)
		r.versus = fmt.Sprintf("job dir %.2f× input", ratio)
		r.check(fmt.Sprintf("dir ≤%g× input", budgetJobDir), ratio <= budgetJobDir)
		if i == 0 {
			first = m
		} else if first.maxRSS > 0 {
			flat := float64(m.maxRSS) / float64(first.maxRSS)
			r.versus += fmt.Sprintf(", RSS %.2f× %d requests'", flat, b.o.requests[0])
			r.check(fmt.Sprintf("RSS ≤%g× fewest", budgetFlatRSS), flat <= budgetFlatRSS)
		}
		b.t.add(r)
		b.t.add(row{what: what, command: "batchctl emulator serve (its create)", bytes: g.size, m: emu})
	}
	return nil
}

// createOn runs `batchctl create` of path on a fresh `batchctl emulator
// serve` whose batches take duration, and returns its measurement, the
// size of the job's directory and the emulator's measurement.
func (b *bench) createOn(ctx context.Context, path, duration string) (m measurement, jobDir int64, emu measurement, err error) {
	base, stop, err := b.serveEmulator(ctx, duration)
	if err != nil {
		return m, 0, emu, err
	}
	home := "home-create"
	if err := os.RemoveAll(filepath.Join(b.dir, home)); err != nil {
		return m, 0, emu, err
	}
	var stdout strings.Builder
	p := b.batchctl(home, []string{"OPENAI_BASE_URL=" + base, "OPENAI_API_KEY=test"}, "create", "-f", path, "--provider", "openai")
	p.stdout = &stdout
	m, err = b.mt.run(ctx, p)
	emu = stop()
	if err != nil {
		return m, 0, emu, err
	}
	id := strings.TrimSpace(stdout.String())
	jobDir, err = dirSize(filepath.Join(b.dir, home, "jobs", id))
	return m, jobDir, emu, err
}

// dirSize is the size of the files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	return n, err
}

// roundTrip measures create, wait and results of the most requests, and
// of a tenth of them, on `batchctl emulator serve` with batches that end
// at once: the CPU time of client and emulator together, which should
// grow in proportion to the requests.
func (b *bench) roundTrip(ctx context.Context) error {
	if len(b.o.requests) == 0 {
		return nil
	}
	most := b.o.requests[len(b.o.requests)-1]
	var perRequest [2]float64
	for i, n := range []int{max(most/10, 1), most} {
		path, g, err := b.requestsData(shortChatInput, n)
		if err != nil {
			return err
		}
		what := fmt.Sprintf("emulator round trip: %d requests", n)
		progress("measuring %s", what)
		client, emu, err := b.roundTripOn(ctx, path)
		if err != nil {
			return err
		}
		total := client.cpu + emu.cpu
		perRequest[i] = total.Seconds() / float64(n)
		r := row{what: what, command: "create, wait, results: client + emulator", bytes: g.size, m: measurement{wall: client.wall, cpu: total}}
		if n == 1_000_000 {
			r.check(fmt.Sprintf("CPU ≤%s", budgetRoundTripCPU), total <= budgetRoundTripCPU)
		}
		if i == 1 {
			ratio := perRequest[1] / perRequest[0]
			r.versus = fmt.Sprintf("%.2f× the CPU per request of %d", ratio, max(most/10, 1))
			r.check(fmt.Sprintf("linear: ≤%g×", budgetLinear), ratio <= budgetLinear)
		}
		b.t.add(r)
		b.t.add(row{what: what, command: "of which batchctl (create, wait, results)", bytes: g.size, m: client})
		b.t.add(row{what: what, command: "of which batchctl emulator serve", bytes: g.size, m: emu})
	}
	return nil
}

// roundTripOn runs create, wait and results of path on a fresh emulator
// and returns the three commands' measurements summed, and the emulator's.
func (b *bench) roundTripOn(ctx context.Context, path string) (client, emu measurement, err error) {
	base, stop, err := b.serveEmulator(ctx, "0s")
	if err != nil {
		return client, emu, err
	}
	home := "home-roundtrip"
	if err := os.RemoveAll(filepath.Join(b.dir, home)); err != nil {
		stop()
		return client, emu, err
	}
	env := []string{"OPENAI_BASE_URL=" + base, "OPENAI_API_KEY=test", "BATCHCTL_POLL_INTERVAL=1s"}
	var stdout strings.Builder
	create := b.batchctl(home, env, "create", "-f", path, "--provider", "openai")
	create.stdout = &stdout
	m, err := b.mt.run(ctx, create)
	if err == nil {
		client = m
		id := strings.TrimSpace(stdout.String())
		for _, args := range [][]string{{"wait", id}, {"results", id}} {
			p := b.batchctl(home, env, args...)
			p.okExits = []int{3}
			if m, err = b.mt.run(ctx, p); err != nil {
				break
			}
			client.wall += m.wall
			client.cpu += m.cpu
			client.maxRSS = max(client.maxRSS, m.maxRSS)
		}
	}
	emu = stop()
	return client, emu, err
}
