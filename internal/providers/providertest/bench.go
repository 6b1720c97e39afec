package providertest

import (
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// BenchNormalize measures norm over lines, each line counted with its
// newline; with write, each result is written as the results pipeline
// writes it (AppendJSON), into a buffer reused from line to line.
func BenchNormalize(b *testing.B, lines [][]byte, norm func([]byte) (providers.Result, error), write bool) {
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		for _, l := range lines {
			r, err := norm(l)
			if err != nil {
				b.Fatal(err)
			}
			if write {
				out = r.AppendJSON(out[:0])
			}
		}
	}
}
