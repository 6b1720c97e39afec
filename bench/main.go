// Command bench measures batchctl as whole processes against the tools a
// user would otherwise script (jq, curl), on data it generates, and checks
// the budgets of DESIGN.md section 11. Run it from the repository root:
//
//	go run ./bench            # full sizes: about 3 GB of data, a few minutes
//	go run ./bench -quick     # a tenth of the sizes, well under a minute
//
// It builds batchctl (or takes -bin), writes deterministic data to a
// temporary directory (removed afterwards unless -keep), and prints one
// table: wall time, CPU time, throughput and peak RSS (the child's
// rusage) of each command, the ratio to its counterpart and the budget it
// is held to:
//
//   - `batchctl results --from-file` normalizing OpenAI chat and embedding
//     outputs and Anthropic and Gemini results, at each -gomaxprocs,
//     against `gojq -c` and `jq -c` extracting custom_id, status, text (or
//     embedding) and usage from the same file, and against the floors of
//     reading it: `cat` and a minimal Go line scan (this program's own
//     -floor-scan);
//   - `batchctl results --from-file --schema` on an OpenAI chat output of
//     small JSON answers (extraction), against the same command without
//     --schema: checking may add at most half (issue 17);
//   - `batchctl create --dry-run --no-estimate` (validation and
//     conversion) of a chat input, against `jq -c .`;
//   - `batchctl estimate` of a chat input of generated prose (token count
//     and price, on every core), at the input's size and a hundredth of it;
//   - uploading that input to `batchctl emulator serve` with `batchctl
//     create`, against `curl -F` to the same server;
//   - `batchctl list`, `list --limit 0`, `status` and `sync` (with nothing
//     to do) with -jobs jobs in the registry (SQLite, or the PostgreSQL
//     database of -registry), and `batchctl --version`;
//   - peak RSS of results normalization as the file grows (-flatness);
//   - `batchctl create` of -requests short requests against `batchctl
//     emulator serve`: the client's peak RSS and the job's directory
//     against the input; and create, wait and results of the most of them
//     and of a tenth, the CPU time of client and emulator together.
//
// Throughput rows run batchctl with GOMAXPROCS=1, the budgets being per
// core, except estimate's and the results rows, which run at each
// -gomaxprocs (1 and 2 by default). Each is the best of -runs runs (the
// least wall time and the least CPU time, each over every run).
// jq, gojq and curl are installed with apt-get when missing and possible;
// rows whose tool is missing are skipped, saying so. Sizes take the units
// of the config file (200MB, 1GiB).
//
// A profile of any batchctl row is one command: -cpuprofile DIR (or
// -memprofile DIR) runs batchctl with BATCHCTL_PPROF set, writing one
// profile per row into DIR, e.g.
//
//	go run ./bench -quick -only results -cpuprofile /tmp/prof
//	go tool pprof -top /tmp/prof/results-104857600-openai-chat-output-openai-p1.cpu.prof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/batchctl/batchctl/internal/config"
)

// options are the benchmark's flags.
type options struct {
	dir        string
	keep       bool
	bin        string
	quick      bool
	results    size
	structured size
	embeddings size
	anthropic  size
	gemini     size
	input      size
	flatness   sizes
	jobs       int
	registry   string // a PostgreSQL URL for the registry rows, "" for SQLite
	runs       int
	quickRuns  int
	skipUpload bool
	skipJQ     bool
	requests   requestCounts // of the create and round trip rows
	gomaxprocs ints
	cpuprofile string
	memprofile string
	only       string
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == floorScanFlag {
		if err := floorScan(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	o := options{
		gomaxprocs: ints{1, 2},
		results:    size(config.GiB), structured: size(config.GiB), embeddings: 256 * size(config.MB), anthropic: 256 * size(config.MB),
		gemini: 256 * size(config.MB), input: 200 * size(config.MB),
		flatness: sizes{100 * config.MB, 500 * config.MB, config.GiB},
		requests: requestCounts{10_000, 100_000, 1_000_000},
	}
	flag.StringVar(&o.dir, "dir", "", "work directory for the data (default: a new temporary directory)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory")
	flag.StringVar(&o.bin, "bin", "", "batchctl binary to measure (default: build the module's)")
	flag.BoolVar(&o.quick, "quick", false, "a tenth of every default size, one run each (sizes set by flags still apply)")
	flag.Var(&o.results, "results", "size of the OpenAI chat output file")
	flag.Var(&o.structured, "structured", "size of the OpenAI chat output file of JSON answers (checked against a schema)")
	flag.Var(&o.embeddings, "embeddings", "size of the OpenAI embeddings output file")
	flag.Var(&o.anthropic, "anthropic", "size of the Anthropic results file")
	flag.Var(&o.gemini, "gemini", "size of the Gemini results file")
	flag.Var(&o.input, "input", "size of the OpenAI chat input file")
	flag.Var(&o.flatness, "flatness", "comma-separated sizes of OpenAI chat output files for the memory rows")
	flag.IntVar(&o.jobs, "jobs", 10_000, "jobs in the registry for list and status")
	flag.StringVar(&o.registry, "registry", "", "postgres:// `URL` of an empty database for the registry rows (default: a SQLite file)")
	flag.IntVar(&o.runs, "runs", 3, "runs of each throughput measurement (the fastest is kept; 1 with -quick)")
	flag.Var(&o.gomaxprocs, "gomaxprocs", "comma-separated GOMAXPROCS values of the results rows")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of each batchctl row into `dir`")
	flag.StringVar(&o.memprofile, "memprofile", "", "write an allocation profile of each batchctl row into `dir`")
	flag.StringVar(&o.only, "only", "", "run only the steps named, comma-separated: "+strings.Join(stepNames, ", "))
	flag.IntVar(&o.quickRuns, "quick-runs", 20, "runs of each short command: list, status, --version (the fastest is kept)")
	flag.BoolVar(&o.skipUpload, "skip-upload", false, "skip the upload rows")
	flag.Var(&o.requests, "requests", "comma-separated request counts of the create rows (the last one also makes the round trip rows)")
	flag.BoolVar(&o.skipJQ, "skip-jq", false, "skip the jq rows (the slowest part)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench [flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if o.quick {
		o.applyQuick()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := benchmark(ctx, &o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// applyQuick divides the sizes left at their defaults by ten.
func (o *options) applyQuick() {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, s := range map[string]*size{
		"results": &o.results, "structured": &o.structured, "embeddings": &o.embeddings, "anthropic": &o.anthropic,
		"gemini": &o.gemini, "input": &o.input,
	} {
		if !set[name] {
			*s /= 10
		}
	}
	if !set["flatness"] {
		for i := range o.flatness {
			o.flatness[i] /= 10
		}
	}
	if !set["requests"] {
		for i := range o.requests {
			o.requests[i] /= 10
		}
	}
	if !set["quick-runs"] {
		o.quickRuns = 5
	}
	if !set["runs"] {
		o.runs = 1
	}
}

// size is a byte size flag.
type size int64

func (s *size) String() string { return formatSize(int64(*s)) }

func (s *size) Set(v string) error {
	n, err := config.ParseBytes(v)
	*s = size(n)
	return err
}

// sizes is a comma-separated list of byte sizes.
type sizes []int64

func (s *sizes) String() string {
	var out []string
	for _, n := range *s {
		out = append(out, formatSize(n))
	}
	return strings.Join(out, ",")
}

func (s *sizes) Set(v string) error {
	*s = nil
	for _, f := range strings.Split(v, ",") {
		n, err := config.ParseBytes(f)
		if err != nil {
			return err
		}
		*s = append(*s, n)
	}
	return nil
}

// ints is a comma-separated list of numbers.
type ints []int

func (n *ints) String() string {
	var out []string
	for _, v := range *n {
		out = append(out, strconv.Itoa(v))
	}
	return strings.Join(out, ",")
}

func (n *ints) Set(v string) error {
	*n = nil
	for _, f := range strings.Split(v, ",") {
		i, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || i < 1 {
			return fmt.Errorf("%q is not a positive number", f)
		}
		*n = append(*n, i)
	}
	return nil
}

// formatSize says a size in decimal units, as throughput is given.
func formatSize(n int64) string {
	switch {
	case n >= config.GB:
		return fmt.Sprintf("%.2f GB", float64(n)/float64(config.GB))
	case n >= config.MB:
		return fmt.Sprintf("%.1f MB", float64(n)/float64(config.MB))
	}
	return fmt.Sprintf("%.1f KB", float64(n)/float64(config.KB))
}
