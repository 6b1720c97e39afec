package openai

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// chatInput returns n request lines of a chat batch input, each with a
// short user prompt, as batchctl create uploads them.
func chatInput(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"custom_id":"req-%07d","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Summarise the history of river number %d in two lines."}]}}`+"\n", i, i)
	}
	return b.Bytes()
}

// BenchmarkPlanBatch measures the emulator's batch create (validation,
// planning, tallies) per request, at two batch sizes: the time per request
// should not grow with the batch.
func BenchmarkPlanBatch(b *testing.B) {
	for _, n := range []int{5_000, 50_000} {
		input := chatInput(n)
		b.Run(fmt.Sprintf("requests=%d", n), func(b *testing.B) {
			tally := filepath.Join(b.TempDir(), "tally")
			b.SetBytes(int64(len(input)))
			b.ReportAllocs()
			for b.Loop() {
				p, err := planBatch(context.Background(), bytes.NewReader(input), EndpointChat, tally, nil, nil)
				if err != nil || len(p.errors) > 0 || p.requests != n {
					b.Fatal(err, p.errors)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/request")
		})
	}
}

// BenchmarkResultLines measures the work per request of writing a chat
// batch's output file, its writes aside: each input line read, run and
// written as a result line into reused memory.
func BenchmarkResultLines(b *testing.B) {
	const n = 5_000
	lines := bytes.Split(bytes.TrimSuffix(chatInput(n), []byte("\n")), []byte("\n"))
	executedAt := time.Unix(1_700_000_000, 0)
	var reuse chatRequest
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		for i, raw := range lines {
			in, lerr := parseInputLine(raw, EndpointChat, &reuse)
			if lerr != nil {
				b.Fatal(lerr.Message)
			}
			ex := executeLine(EndpointChat, in)
			ol, _, _ := ex.resultLine("batch_x", i, executedAt, in.customID, false)
			var ok bool
			if buf, ok = appendOutputLine(buf[:0], &ol); !ok {
				b.Fatal("a chat completion left to encoding/json")
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/request")
}
