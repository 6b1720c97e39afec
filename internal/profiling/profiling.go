// Package profiling writes Go profiles of a batchctl run when the
// BATCHCTL_PPROF environment variable asks for them. It is a tool for
// batchctl's developers (go run ./bench uses it), not a user feature, and
// is left out of the help on purpose.
//
//	BATCHCTL_PPROF=cpu:/tmp/cpu.prof,mem:/tmp/mem.prof batchctl results ...
//
// cpu profiles the whole run; mem writes the heap profile (every
// allocation sampled since the start: go tool pprof -sample_index=alloc_space)
// when the run ends.
package profiling

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
)

// EnvVar names the environment variable read by Start.
const EnvVar = "BATCHCTL_PPROF"

// Start begins the profiles that BATCHCTL_PPROF asks for and returns the
// function that writes them out, to be called once the command has run.
// A malformed value, or a profile that cannot be started, is reported on
// stderr and otherwise ignored: profiling never changes what batchctl does.
func Start() (stop func()) {
	spec := os.Getenv(EnvVar)
	if spec == "" {
		return func() {}
	}
	var stops []func()
	for _, item := range strings.Split(spec, ",") {
		kind, path, ok := strings.Cut(item, ":")
		if !ok || path == "" {
			warn(fmt.Errorf("%q: want cpu:FILE or mem:FILE", item))
			continue
		}
		switch kind {
		case "cpu":
			f, err := os.Create(path)
			if err != nil {
				warn(err)
				continue
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				warn(err)
				continue
			}
			stops = append(stops, func() {
				pprof.StopCPUProfile()
				warn(f.Close())
			})
		case "mem":
			runtime.MemProfileRate = 64 << 10
			stops = append(stops, func() { warn(writeHeap(path)) })
		default:
			warn(fmt.Errorf("%q: unknown profile %q (cpu, mem)", item, kind))
		}
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// writeHeap writes the heap profile to path.
func writeHeap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func warn(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "batchctl: %s: %v\n", EnvVar, err)
	}
}
