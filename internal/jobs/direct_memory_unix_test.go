//go:build unix

package jobs_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/jobs"
)

// A direct job of a million requests, against the in-process emulator
// without limits, runs in memory that does not grow with the job: the live
// heap (after a GC) once 10k, 100k and all requests have an outcome is
// logged with the peak heap in use and the peak RSS so far, and the live
// heap at the end may not be much more than at 10k. It takes minutes, so
// it runs only with BATCHCTL_MEMORY=1 (BATCHCTL_MEMORY_REQUESTS sets
// another size): go test -run TestDirectMemory -v ./internal/jobs/
func TestDirectMemory(t *testing.T) {
	if os.Getenv("BATCHCTL_MEMORY") != "1" {
		t.Skip("set BATCHCTL_MEMORY=1 to run a million requests (minutes)")
	}
	n := 1_000_000
	if v := os.Getenv("BATCHCTL_MEMORY_REQUESTS"); v != "" {
		fmt.Sscan(v, &n)
	}
	e, _ := emulatorEnv(t, emulator.Limits{})
	e.profile.MaxRequests = 10_000_000
	j := createDirectFrom(t, e, &requestsReader{n: n})
	stats := &jobs.RunStats{}
	marks := []int64{10_000, 100_000, int64(n)}
	var samples []memSample
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { samples, peak = sampleMemory(stats, marks, stop) })
	start := time.Now()
	err := e.m.Run(context.Background(), j, jobs.RunOptions{Concurrency: 8, Stats: stats})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) == 0 || samples[len(samples)-1].done < int64(n) {
		samples = append(samples, sampleNow(stats.Done.Load(), peak))
	}
	if j.Counts.Succeeded != n {
		t.Fatalf("%d of %d succeeded", j.Counts.Succeeded, n)
	}
	t.Logf("%d requests in %s", n, time.Since(start).Round(time.Second))
	for _, s := range samples {
		t.Logf("%8d done: live heap %.1f MB, peak heap in use %.1f MB, peak RSS %.1f MB", s.done, mb(s.live), mb(s.peakHeap), mb(s.peakRSS))
	}
	if len(samples) > 1 {
		first, last := samples[0], samples[len(samples)-1]
		if last.live > 2*first.live+8<<20 {
			t.Errorf("the live heap grew from %.1f MB at %d requests to %.1f MB at %d", mb(first.live), first.done, mb(last.live), last.done)
		}
	}
}

// memSample is the memory of a run once done requests had an outcome.
type memSample struct {
	done                    int64
	live, peakHeap, peakRSS uint64
}

// sampleMemory follows the heap in use every 10ms until stop, and at each
// mark (a count of requests done) collects garbage and takes a sample. It
// returns the samples and the most heap in use seen.
func sampleMemory(stats *jobs.RunStats, marks []int64, stop <-chan struct{}) ([]memSample, uint64) {
	var samples []memSample
	var peak uint64
	var ms runtime.MemStats
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return samples, peak
		case <-t.C:
		}
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		if len(marks) == 0 || stats.Done.Load() < marks[0] {
			continue
		}
		done := stats.Done.Load()
		samples = append(samples, sampleNow(done, peak))
		for len(marks) > 0 && done >= marks[0] {
			marks = marks[1:]
		}
	}
}

// sampleNow collects garbage and samples the memory once done requests
// have an outcome; peak is the most heap in use seen so far.
func sampleNow(done int64, peak uint64) memSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return memSample{done: done, live: ms.HeapAlloc, peakHeap: peak, peakRSS: peakRSS()}
}

// peakRSS is the process's peak resident set size.
func peakRSS() uint64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return uint64(ru.Maxrss) // bytes there, kilobytes elsewhere
	}
	return uint64(ru.Maxrss) << 10
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// requestsReader reads as manyRequests(n) without holding them all.
type requestsReader struct {
	n, i int
	buf  []byte
}

func (r *requestsReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.i == r.n {
			return 0, io.EOF
		}
		r.buf = fmt.Appendf(r.buf[:0], `{"custom_id":"q%d","method":"POST","url":"/v1/chat/completions","body":{"model":"echo","messages":[{"role":"user","content":"question %d"}]}}`+"\n", r.i, r.i)
		r.i++
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
