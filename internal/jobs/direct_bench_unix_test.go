//go:build unix

package jobs_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

// cannedTransport answers every request at once with the same chat
// completion, without a network: what is measured is batchctl's side.
type cannedTransport struct{}

const cannedBody = `{"id":"chatcmpl-1","object":"chat.completion","model":"m1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(cannedBody)), Request: r,
	}, nil
}

// BenchmarkDirectRequest is the executor's own cost of one request of a
// direct job (reading it from the job's input, the journal's sent line and
// outcome line with their group fsyncs, the call through the openai client
// and the result line made of the answer), the endpoint answering at once
// in process. The target is at most 100µs a request, and memory that does
// not grow with the job: heap-MB is the live heap after the run. ns/op is
// wall time, bound by the fsyncs of the journal on a slow disk;
// cpu-µs/req is the process's CPU time (user and system) per request.
// The journal's sent lines are made durable in groups: the more requests
// in flight, the fewer fsyncs a request pays for.
func BenchmarkDirectRequest(b *testing.B) {
	for _, conc := range []int{8, 32} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) { benchDirect(b, conc) })
	}
}

func benchDirect(b *testing.B, conc int) {
	e := newEnv(b)
	e.profile.Mode = config.ModeDirect
	e.profile.MaxRequests = 10_000_000
	e.profile.MaxBytes = 1 << 40
	client := openai.New(openai.Config{Name: "fake", BaseURL: "http://endpoint.invalid/v1", APIKey: "k",
		HTTPClient: &http.Client{Transport: cannedTransport{}}})
	e.m.Provider = func(string) (providers.Provider, error) { return client, nil }
	ctx := context.Background()
	spec := jobs.Spec{File: "in.jsonl", Input: strings.NewReader(manyRequests(b.N)), Profile: e.profile}
	plan, err := e.m.Prepare(ctx, "jbench", spec)
	if err != nil {
		b.Fatal(err)
	}
	res, err := e.m.Create(ctx, plan, spec, jobs.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	if err := e.m.Run(ctx, res.Job, jobs.RunOptions{Concurrency: conc}); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
	if res.Job.Counts.Succeeded != b.N {
		b.Fatalf("%d of %d succeeded", res.Job.Counts.Succeeded, b.N)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
