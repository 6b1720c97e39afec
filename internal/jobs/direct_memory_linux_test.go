package jobs_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/jobs"
)

// A direct job of a million requests, against the in-process emulator
// without limits, runs in memory that does not grow with the job: the live
// heap (after a GC) once 10k, 100k and all requests have an outcome is
// logged with the RSS then and the peak heap in use and RSS of the run so
// far, and the live heap at the end may not be much more than at 10k. The
// emulator's time scale is 600 so that the minute of admissions it keeps
// for its statistics (its only memory that grows with the rate) lasts
// 100ms: what grows would be the client's. It takes minutes, so
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
	e, _ := emulatorEnv(t, emulator.Limits{TimeScale: 600})
	e.profile.MaxRequests = 10_000_000
	j := createDirectFrom(t, e, &requestsReader{n: n})
	stats := &jobs.RunStats{}
	marks := []int64{10_000, 100_000, int64(n)}
	var samples []memSample
	var peak memPeak
	runtime.GC() // what creating the job left is not the run's
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
		samples = append(samples, sampleNow(stats.Done.Load(), &peak))
	}
	if j.Counts.Succeeded != n {
		t.Fatalf("%d of %d succeeded", j.Counts.Succeeded, n)
	}
	t.Logf("%d requests in %s", n, time.Since(start).Round(time.Second))
	for _, s := range samples {
		t.Logf("%8d done: live heap %.1f MB, RSS %.1f MB; peaks so far: heap in use %.1f MB, RSS %.1f MB", s.done, mb(s.live), mb(s.rss), mb(s.peakHeap), mb(s.peakRSS))
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
	done                         int64
	live, rss, peakHeap, peakRSS uint64
}

// memPeak is the most heap in use and RSS seen.
type memPeak struct{ heap, rss uint64 }

func (p *memPeak) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.heap = max(p.heap, ms.HeapInuse)
	p.rss = max(p.rss, rss())
}

// sampleMemory follows the heap in use and the RSS every 10ms until
// stop, and at each mark (a count of requests done) collects garbage and
// takes a sample. It returns the samples and the peaks.
func sampleMemory(stats *jobs.RunStats, marks []int64, stop <-chan struct{}) ([]memSample, memPeak) {
	var samples []memSample
	var peak memPeak
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return samples, peak
		case <-t.C:
		}
		peak.sample()
		if len(marks) == 0 || stats.Done.Load() < marks[0] {
			continue
		}
		done := stats.Done.Load()
		samples = append(samples, sampleNow(done, &peak))
		for len(marks) > 0 && done >= marks[0] {
			marks = marks[1:]
		}
	}
}

// sampleNow collects garbage and samples the memory once done requests
// have an outcome.
func sampleNow(done int64, peak *memPeak) memSample {
	peak.sample()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{done: done, live: ms.HeapAlloc, rss: rss(), peakHeap: peak.heap, peakRSS: peak.rss}
}

// rss is the process's resident set size, from /proc/self/statm.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident uint64
	fmt.Sscan(string(b), &size, &resident)
	return resident * uint64(os.Getpagesize())
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
