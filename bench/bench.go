package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/batchctl/batchctl/internal/config"
)

// The budgets of DESIGN.md section 11.
const (
	budgetMBps       = 300 // results normalization, validation + conversion
	budgetVsJQ       = 5   // results normalization against jq -c
	budgetRSSMiB     = 64  // any command on any file size
	budgetUploadCurl = 1.1 // upload time against curl's, both to the answer's last byte (issue 13)
	budgetRegistry   = 100 * time.Millisecond
	budgetStartup    = 20 * time.Millisecond
	budgetSchemaCost = 1.5 // results --schema against results, on JSON answers
	budgetEstimate   = 25  // MB/s of wall time on 2 cores (issue 14)
	// Results normalization (issue 13): per second of CPU time on one
	// core, per second of wall time on every core, and against gojq.
	budgetResultsCore = 650
	budgetResultsWall = 1000
	budgetVsGojq      = 8
)

// oneCore is the environment of throughput rows: the budgets are per core.
const oneCore = "GOMAXPROCS=1"

// bench is one benchmark run.
type bench struct {
	o     *options
	dir   string
	mt    meter
	bin   string
	jq    string // "" when missing
	gojq  string // "" when missing
	curl  string // "" when missing
	self  string // this program, for -floor-scan
	t     table
	files map[string]generated // by path
	// normalized caches results normalization runs by file, so the memory
	// rows reuse the throughput row of the same file.
	normalized map[string]measurement
}

// generated is a file written by generate.
type generated struct {
	size  int64
	lines int
}

func benchmark(ctx context.Context, o *options) error {
	dir := o.dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "batchctl-bench-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(dir)
	}
	b := &bench{o: o, dir: dir, mt: newMeter(ctx, dir), files: map[string]generated{}, normalized: map[string]measurement{}}
	steps := map[string]func(context.Context) error{
		"results": b.results, "checked": b.checked, "validation": b.validation, "estimate": b.estimate,
		"upload": b.upload, "registry": b.registry, "startup": b.startup, "flatness": b.flatness,
		"create": b.createRequests, "roundtrip": b.roundTrip,
	}
	only := map[string]bool{}
	for _, name := range strings.Split(o.only, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if steps[name] == nil {
			return fmt.Errorf("-only: no step %q (%s)", name, strings.Join(stepNames, ", "))
		}
		only[name] = true
	}
	if err := b.setup(ctx); err != nil {
		return err
	}
	for _, name := range stepNames {
		if len(only) > 0 && !only[name] {
			continue
		}
		if err := steps[name](ctx); err != nil {
			return err
		}
	}
	fmt.Println()
	b.t.print(os.Stdout)
	if o.keep {
		fmt.Println("data kept in", dir)
	}
	return nil
}

// stepNames are the steps of a run, in order.
var stepNames = []string{"results", "checked", "validation", "estimate", "upload", "registry", "startup", "flatness", "create", "roundtrip"}

// setup finds or builds batchctl and finds (or installs) jq and curl, and
// says what the run measures with.
func (b *bench) setup(ctx context.Context) error {
	b.bin = b.o.bin
	if b.bin == "" {
		b.bin = filepath.Join(b.dir, "batchctl")
		progress("building batchctl")
		if err := build(ctx, b.bin); err != nil {
			return err
		}
	}
	if !b.o.skipJQ {
		b.jq = b.tool(ctx, "jq")
		b.gojq = b.tool(ctx, "gojq")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	b.self = self
	for _, dir := range []string{b.o.cpuprofile, b.o.memprofile} {
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	if !b.o.skipUpload {
		b.curl = b.tool(ctx, "curl")
	}
	version, _ := output(ctx, b.bin, "--version")
	fmt.Printf("%s (%s), %s/%s, %s, %d cores\n", strings.TrimSpace(version), b.bin, runtime.GOOS, runtime.GOARCH, cpuModel(), runtime.NumCPU())
	for _, tool := range []string{b.jq, b.gojq} {
		if tool != "" {
			v, _ := output(ctx, tool, "--version")
			fmt.Printf("%s (%s)\n", strings.TrimSpace(v), tool)
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("load average: %s\n", strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	if b.curl != "" {
		v, _ := output(ctx, b.curl, "--version")
		fmt.Printf("%s\n", strings.SplitN(v, "\n", 2)[0])
	}
	fmt.Printf("data in %s; batchctl throughput rows run with %s, results rows with GOMAXPROCS=%s; best of %d runs; %s\n",
		b.dir, oneCore, b.o.gomaxprocs.String(), b.o.runs, b.mt.rssSource())
	b.t.note("MB/s is per second of wall time, MB/s/core per second of CPU time (user+system); throughput budgets and ratios to jq, gojq and the floors are on CPU time, which waiting for a busy machine does not inflate, except the results rows' wall-time budget (GOMAXPROCS=2), which needs an idle machine")
	return nil
}

// build builds the module's batchctl into path.
func build(ctx context.Context, path string) error {
	mod, err := output(ctx, "go", "env", "GOMOD")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", path, ".")
	cmd.Dir = filepath.Dir(strings.TrimSpace(mod))
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building batchctl: %w", err)
	}
	return nil
}

// tool finds a command, installing it with apt-get when it is missing and
// that can be done without a password; it returns "" (and notes why) when
// the command stays missing.
func (b *bench) tool(ctx context.Context, name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if err := aptInstall(ctx, name); err != nil {
		b.t.note("%s is missing and could not be installed (%v): its rows are skipped", name, err)
		return ""
	}
	p, err := exec.LookPath(name)
	if err != nil {
		b.t.note("%s is missing after installing it: its rows are skipped", name)
		return ""
	}
	return p
}

// aptInstall installs a Debian package, as root or through sudo without a
// password, updating the package lists if the first attempt fails.
func aptInstall(ctx context.Context, pkg string) error {
	apt, err := exec.LookPath("apt-get")
	if err != nil {
		return errors.New("no apt-get")
	}
	argv := []string{apt}
	if os.Geteuid() != 0 {
		if err := exec.CommandContext(ctx, "sudo", "-n", "true").Run(); err != nil {
			return errors.New("not root, and sudo asks for a password")
		}
		argv = []string{"sudo", "-n", apt}
	}
	progress("installing %s with apt-get", pkg)
	aptGet := func(args ...string) error {
		cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], args...)...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("apt-get %s: %w: %s", args[0], err, lastLines(string(out), 2))
		}
		return nil
	}
	if aptGet("install", "-y", "-q", pkg) == nil {
		return nil
	}
	if err := aptGet("update", "-q"); err != nil {
		return err
	}
	return aptGet("install", "-y", "-q", pkg)
}

// data generates a dataset of the given size once and returns its path.
func (b *bench) data(d dataset, size int64) (string, generated, error) {
	path := filepath.Join(b.dir, fmt.Sprintf("%d-%s", size, d.name))
	if g, ok := b.files[path]; ok {
		return path, g, nil
	}
	start := time.Now()
	n, lines, err := generate(path, d, size)
	if err != nil {
		return "", generated{}, fmt.Errorf("generating %s: %w", d.name, err)
	}
	progress("generated %s: %s, %d lines, in %s", filepath.Base(path), formatSize(n), lines, time.Since(start).Round(time.Millisecond))
	g := generated{size: n, lines: lines}
	b.files[path] = g
	return path, g, nil
}

// batchctl is a process running batchctl with BATCHCTL_HOME under the
// work directory.
func (b *bench) batchctl(home string, env []string, args ...string) process {
	env = append([]string{"BATCHCTL_HOME=" + filepath.Join(b.dir, home), "NO_COLOR=1"}, env...)
	if pprof := b.profiles(env, args); pprof != "" {
		env = append(env, "BATCHCTL_PPROF="+pprof)
	}
	return process{argv: append([]string{b.bin}, args...), env: env}
}

// profiles is the BATCHCTL_PPROF value of a batchctl row when -cpuprofile
// or -memprofile asks for profiles, "" otherwise: one file per row, named
// after its arguments (the last run of the row wins).
func (b *bench) profiles(env, args []string) string {
	if b.o.cpuprofile == "" && b.o.memprofile == "" {
		return ""
	}
	var name []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		name = append(name, strings.TrimSuffix(filepath.Base(a), ".jsonl"))
	}
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "GOMAXPROCS="); ok {
			name = append(name, "p"+v)
		}
	}
	base := strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == ':' || r == ',' {
			return '_'
		}
		return r
	}, strings.Join(name, "-"))
	var out []string
	if b.o.cpuprofile != "" {
		out = append(out, "cpu:"+filepath.Join(b.o.cpuprofile, base+".cpu.prof"))
	}
	if b.o.memprofile != "" {
		out = append(out, "mem:"+filepath.Join(b.o.memprofile, base+".mem.prof"))
	}
	return strings.Join(out, ",")
}

// normalize measures `batchctl results --from-file` on a file with
// GOMAXPROCS procs.
func (b *bench) normalize(ctx context.Context, path, provider string, procs int) (measurement, error) {
	key := fmt.Sprintf("%s GOMAXPROCS=%d", path, procs)
	if m, ok := b.normalized[key]; ok {
		return m, nil
	}
	p := b.batchctl("home", []string{fmt.Sprintf("GOMAXPROCS=%d", procs)}, "results", "--from-file", path, "--provider", provider)
	p.okExits = []int{3} // some requests did not succeed
	m, err := b.mt.best(ctx, p, b.o.runs)
	if err == nil {
		b.normalized[key] = m
	}
	return m, err
}

// results compares results normalization, at each -gomaxprocs, with
// gojq and jq and with the floors of reading the file, on each provider's
// format.
func (b *bench) results(ctx context.Context) error {
	for _, c := range []struct {
		what string
		d    dataset
		size size
	}{
		{"results: OpenAI chat output", openaiChat, b.o.results},
		{"results: OpenAI embeddings", openaiEmbeddings, b.o.embeddings},
		{"results: Anthropic", anthropicResults, b.o.anthropic},
		{"results: Gemini", geminiResults, b.o.gemini},
	} {
		path, g, err := b.data(c.d, int64(c.size))
		if err != nil {
			return err
		}
		progress("measuring %s", c.what)
		anchors, err := b.anchors(ctx, c.what, c.d, path, g.size)
		if err != nil {
			return err
		}
		for _, procs := range b.o.gomaxprocs {
			m, err := b.normalize(ctx, path, c.d.provider, procs)
			if err != nil {
				return err
			}
			r := row{what: c.what, command: fmt.Sprintf("batchctl results --from-file (GOMAXPROCS=%d)", procs), bytes: g.size, m: m}
			if procs == 1 {
				r.atLeastMBps(budgetResultsCore)
			} else {
				r.check(fmt.Sprintf("≥%d MB/s wall", budgetResultsWall), r.throughput(m.wall) >= budgetResultsWall)
			}
			r.underRSS(budgetRSSMiB)
			var versus []string
			for _, a := range anchors {
				if a.m.cpu <= 0 || m.cpu <= 0 {
					continue
				}
				ratio := a.m.cpu.Seconds() / m.cpu.Seconds()
				if a.floor {
					versus = append(versus, fmt.Sprintf("%.0f%% of %s", 100*ratio, a.name))
					continue
				}
				versus = append(versus, fmt.Sprintf("%.1f× %s", ratio, a.name))
				switch a.name {
				case "gojq":
					r.check(fmt.Sprintf("≥%d× gojq", budgetVsGojq), ratio >= budgetVsGojq)
				case "jq":
					r.check(fmt.Sprintf("≥%d× jq", budgetVsJQ), ratio >= budgetVsJQ)
				}
			}
			r.versus = strings.Join(versus, ", ")
			b.t.add(r)
		}
		for _, a := range anchors {
			b.t.add(a.row)
		}
	}
	return nil
}

// An anchor is a command batchctl's results rows are compared with on
// CPU time: a jq-like tool doing the same work, or a floor (reading the
// file and no more).
type anchor struct {
	name  string
	floor bool
	row
}

// anchors measures, on the file at path, gojq and jq extracting what
// batchctl normalizes, and the floors: cat, and a minimal Go line scan.
// A tool that is missing gets a row that says so.
func (b *bench) anchors(ctx context.Context, what string, d dataset, path string, size int64) ([]anchor, error) {
	var out []anchor
	measure := func(name string, floor bool, command string, p process) error {
		m, err := b.mt.best(ctx, p, b.o.runs)
		if err != nil {
			return err
		}
		out = append(out, anchor{name: name, floor: floor, row: row{what: what, command: command, bytes: size, m: m}})
		return nil
	}
	for _, tool := range []struct{ name, path string }{{"gojq", b.gojq}, {"jq", b.jq}} {
		command := tool.name + " -c '{custom_id, status, text, usage}'"
		if tool.path == "" {
			if !b.o.skipJQ {
				b.t.add(row{what: what, command: command, versus: "skipped: " + tool.name + " not installed"})
			}
			continue
		}
		if err := measure(tool.name, false, command, process{argv: []string{tool.path, "-c", d.jq, path}}); err != nil {
			return nil, err
		}
	}
	if err := measure("cat", true, "cat (floor)", process{argv: []string{"cat", path}}); err != nil {
		return nil, err
	}
	if err := measure("Go line scan", true, "Go line scan (floor)", process{argv: []string{b.self, floorScanFlag, path}, env: []string{oneCore}}); err != nil {
		return nil, err
	}
	return out, nil
}

// checked measures results normalization with the answers checked
// against a JSON Schema (results --schema) on an output of small JSON
// answers, against the same normalization unchecked.
func (b *bench) checked(ctx context.Context) error {
	path, g, err := b.data(openaiStructured, int64(b.o.structured))
	if err != nil {
		return err
	}
	schema := filepath.Join(b.dir, "review.schema.json")
	if err := os.WriteFile(schema, []byte(reviewSchema), 0o600); err != nil {
		return err
	}
	const what = "results: OpenAI chat, JSON answers"
	progress("measuring %s", what)
	plain, err := b.normalize(ctx, path, openaiStructured.provider, 1)
	if err != nil {
		return err
	}
	p := b.batchctl("home", []string{oneCore}, "results", "--from-file", path, "--provider", openaiStructured.provider, "--schema", schema)
	p.okExits = []int{3}
	m, err := b.mt.best(ctx, p, b.o.runs)
	if err != nil {
		return err
	}
	r := row{what: what, command: "batchctl results --from-file --schema", bytes: g.size, m: m}
	ratio := m.cpu.Seconds() / plain.cpu.Seconds()
	r.versus = fmt.Sprintf("%.2f× the unchecked time", ratio)
	r.check(fmt.Sprintf("≤%.1f× unchecked", budgetSchemaCost), ratio <= budgetSchemaCost)
	r.underRSS(budgetRSSMiB)
	b.t.add(r)
	b.t.add(row{what: what, command: "batchctl results --from-file", bytes: g.size, m: plain})
	return nil
}

// validation compares `create --dry-run` with jq reading the same input.
func (b *bench) validation(ctx context.Context) error {
	path, g, err := b.data(chatInput, int64(b.o.input))
	if err != nil {
		return err
	}
	const what = "validate + convert: OpenAI chat input"
	progress("measuring %s", what)
	m, err := b.mt.best(ctx, b.batchctl("home", []string{oneCore}, "create", "-f", path, "--provider", "openai", "--dry-run", "--no-estimate"), b.o.runs)
	if err != nil {
		return err
	}
	r := row{what: what, command: "batchctl create --dry-run --no-estimate", bytes: g.size, m: m}
	r.atLeastMBps(budgetDryRunMBps)
	r.underRSS(budgetRSSMiB)
	if b.jq == "" {
		b.t.add(r)
		return nil
	}
	jm, err := b.mt.best(ctx, process{argv: []string{b.jq, "-c", ".", path}}, b.o.runs)
	if err != nil {
		return err
	}
	r.speedup(jm, "jq")
	b.t.add(r)
	b.t.add(row{what: what, command: "jq -c .", bytes: g.size, m: jm})
	return nil
}

// estimate measures `batchctl estimate` of a chat input of realistic
// prose on every core. Its budget is 25 MB/s of wall time on the design's
// 2-core machine: it is checked as 12.5 MB per second of CPU time, which
// waiting for a busy machine does not inflate. A second run on a
// hundredth of the input shows that memory does not grow with it; its
// time is mostly the loading of the vocabulary (about 0.3 CPU-seconds),
// so only the first is held to the throughput budget.
func (b *bench) estimate(ctx context.Context) error {
	const what = "token count + price: OpenAI chat input of prose"
	for i, size := range []int64{int64(b.o.input), max(int64(b.o.input)/100, config.MB)} {
		path, g, err := b.data(proseInput, size)
		if err != nil {
			return err
		}
		progress("measuring %s (%s)", what, formatSize(g.size))
		m, err := b.mt.best(ctx, b.batchctl("home", nil, "estimate", "-f", path, "--model", "openai/gpt-4o-mini"), b.o.runs)
		if err != nil {
			return err
		}
		r := row{what: what, command: "batchctl estimate (all cores)", bytes: g.size, m: m}
		if i == 0 {
			r.atLeastMBps(budgetEstimate / 2.0)
		}
		r.underRSS(budgetRSSMiB)
		b.t.add(r)
	}
	return nil
}

// uploadLog matches the debug log line of the upload.
var uploadLog = regexp.MustCompile(`(?m)^\* POST \S+/files -> 200 OK \(([^)]+)\)$`)

// uploadRuns is the least number of runs of each upload: the times vary
// with the disk the emulator writes to.
const uploadRuns = 3

// upload compares uploading the input with `batchctl create` to the
// emulator's OpenAI API with curl uploading it to the same server. The
// upload's own time comes from create's BATCHCTL_DEBUG=api log, which
// times an exchange to the answer's last byte as curl's time_total does;
// the rest
// of create is validation and the emulator planning the batch. Each run
// gets a fresh emulator, after the disks were synced, and the two
// commands take turns; the fastest run of each is kept.
func (b *bench) upload(ctx context.Context) error {
	if b.o.skipUpload {
		return nil
	}
	path, g, err := b.data(chatInput, int64(b.o.input))
	if err != nil {
		return err
	}
	const what = "upload: OpenAI chat input"
	progress("measuring %s", what)
	var create, curl measurement
	var upload, curlTotal time.Duration
	for i := range max(b.o.runs, uploadRuns) {
		m, d, err := b.uploadCreate(ctx, path)
		if err != nil {
			return err
		}
		if i == 0 || d < upload {
			create, upload = m, d
		}
		if b.curl == "" {
			continue
		}
		m, d, err = b.uploadCurl(ctx, path)
		if err != nil {
			return err
		}
		if i == 0 || d < curlTotal {
			curl, curlTotal = m, d
		}
	}
	uploadRow := row{what: what, command: "batchctl create: its POST /v1/files, to the last byte", bytes: g.size, m: measurement{wall: upload}}
	createRow := row{what: what, command: "batchctl create (validate, upload, create)", bytes: g.size, m: create}
	createRow.underRSS(budgetRSSMiB)
	if b.curl == "" {
		b.t.add(uploadRow)
		b.t.add(createRow)
		return nil
	}
	uploadRow.check(fmt.Sprintf("≤%g× curl", budgetUploadCurl), uploadRow.slowdown(curlTotal, "curl") <= budgetUploadCurl)
	b.t.add(uploadRow)
	b.t.add(row{what: what, command: "curl -F: its time_total", bytes: g.size, m: measurement{wall: curlTotal}})
	b.t.add(createRow)
	b.t.add(row{what: what, command: "curl -F (process)", bytes: g.size, m: curl})
	return nil
}

// uploadCreate measures `batchctl create` of path on a fresh emulator and
// returns the time of its upload request too.
func (b *bench) uploadCreate(ctx context.Context, path string) (measurement, time.Duration, error) {
	base, stop, err := b.serveEmulator(ctx, "1h")
	if err != nil {
		return measurement{}, 0, err
	}
	defer stop()
	var stderr bytes.Buffer
	p := b.batchctl("home-upload", []string{"OPENAI_BASE_URL=" + base, "OPENAI_API_KEY=test", "BATCHCTL_DEBUG=api"},
		"create", "-f", path, "--provider", "openai", "--force")
	p.stderr = &stderr
	m, err := b.mt.run(ctx, p)
	if err != nil {
		return measurement{}, 0, fmt.Errorf("%w\n%s", err, lastLines(stderr.String(), 5))
	}
	match := uploadLog.FindStringSubmatch(stderr.String())
	if match == nil {
		return measurement{}, 0, fmt.Errorf("no upload in the debug log of batchctl create:\n%s", lastLines(stderr.String(), 5))
	}
	d, err := time.ParseDuration(match[1])
	return m, d, err
}

// uploadCurl measures curl uploading path to a fresh emulator and returns
// curl's own time_total too.
func (b *bench) uploadCurl(ctx context.Context, path string) (measurement, time.Duration, error) {
	base, stop, err := b.serveEmulator(ctx, "1h")
	if err != nil {
		return measurement{}, 0, err
	}
	defer stop()
	var stdout bytes.Buffer
	m, err := b.mt.run(ctx, process{
		argv: []string{b.curl, "-sS", "--fail", "-o", os.DevNull, "-w", "%{time_total}", "-H", "Authorization: Bearer test",
			"-F", "purpose=batch", "-F", "file=@" + path + ";type=application/jsonl", base + "/files"},
		stdout: &stdout,
	})
	if err != nil {
		return measurement{}, 0, err
	}
	secs, err := strconv.ParseFloat(strings.TrimSpace(stdout.String()), 64)
	if err != nil {
		return measurement{}, 0, fmt.Errorf("curl's time_total %q: %w", stdout.String(), err)
	}
	return m, time.Duration(secs * float64(time.Second)), nil
}

// serveEmulator syncs the disks, then starts `batchctl emulator serve` on
// a free port with a fresh state directory and batches that take
// duration. It returns its OpenAI base URL and a function that stops it,
// removes its state and returns what it cost.
func (b *bench) serveEmulator(ctx context.Context, duration string) (string, func() measurement, error) {
	dir, err := os.MkdirTemp(b.dir, "emulator-")
	if err != nil {
		return "", nil, err
	}
	syncDisks()
	cmd := exec.CommandContext(ctx, b.bin, "emulator", "serve", "--addr", "127.0.0.1:0", "--duration", duration, "--dir", dir)
	cmd.Env = append(os.Environ(), "BATCHCTL_HOME="+filepath.Join(b.dir, "home-emulator"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() measurement {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		os.RemoveAll(dir)
		return usage(cmd.ProcessState)
	}
	sc := bufio.NewScanner(stderr)
	listening := regexp.MustCompile(`listening on (http://\S+/v1)`)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1], stop, nil
		}
	}
	stop()
	return "", nil, errors.New("batchctl emulator serve did not start")
}

// registry measures list and status with many jobs in the registry: a
// SQLite file in a BATCHCTL_HOME of its own, or the PostgreSQL database of
// -registry.
func (b *bench) registry(ctx context.Context) error {
	progress("recording %d jobs in a registry", b.o.jobs)
	home := filepath.Join(b.dir, "home-registry")
	if err := os.RemoveAll(home); err != nil { // from an earlier run in -dir
		return err
	}
	reg, env, what := (&config.Config{Home: home}).DBPath(), []string(nil), fmt.Sprintf("registry: %d jobs", b.o.jobs)
	if b.o.registry != "" {
		reg, env, what = b.o.registry, []string{"BATCHCTL_REGISTRY=" + b.o.registry}, fmt.Sprintf("registry (PostgreSQL): %d jobs", b.o.jobs)
	}
	start := time.Now()
	id, err := seedRegistry(ctx, reg, b.o.jobs)
	if err != nil {
		return fmt.Errorf("seeding the registry: %w", err)
	}
	progress("recorded %d jobs in %s", b.o.jobs, time.Since(start).Round(time.Millisecond))
	for _, args := range [][]string{{"list"}, {"list", "--limit", "0"}, {"status", id}, {"sync"}} {
		m, err := b.mt.best(ctx, b.batchctl("home-registry", env, args...), b.o.quickRuns)
		if err != nil {
			return err
		}
		r := row{what: what, command: "batchctl " + strings.Join(args, " "), m: m}
		switch args[0] {
		case "sync": // every job was exported: nothing to do
			r.under(budgetSync)
		default:
			if len(args) > 1 && args[1] == "--limit" { // every job, streamed
				r.under(budgetListAll)
			} else {
				r.under(budgetRegistry)
			}
		}
		r.underRSS(budgetRSSMiB)
		b.t.add(r)
	}
	return nil
}

// startup measures `batchctl --version`.
func (b *bench) startup(ctx context.Context) error {
	m, err := b.mt.best(ctx, b.batchctl("home", nil, "--version"), b.o.quickRuns)
	if err != nil {
		return err
	}
	r := row{what: "start-up", command: "batchctl --version", m: m}
	r.under(budgetStartup)
	b.t.add(r)
	return nil
}

// flatness measures the peak RSS of results normalization as the file grows.
func (b *bench) flatness(ctx context.Context) error {
	for _, size := range b.o.flatness {
		path, g, err := b.data(openaiChat, size)
		if err != nil {
			return err
		}
		progress("measuring memory on %s", formatSize(g.size))
		m, err := b.normalize(ctx, path, "openai", b.o.gomaxprocs[len(b.o.gomaxprocs)-1])
		if err != nil {
			return err
		}
		r := row{what: "memory: OpenAI chat output", command: "batchctl results --from-file", bytes: g.size, m: m}
		r.underRSS(budgetRSSMiB)
		b.t.add(r)
	}
	return nil
}

// output runs a command and returns its standard output.
func output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}

// cpuModel names the processor, when Linux says.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}

// progress tells what the benchmark is doing, on stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
