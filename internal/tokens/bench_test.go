package tokens

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jsonl"
)

// proseText is about n bytes of text whose words follow Zipf's law over a
// large vocabulary of syllable words (as bench's estimate input does), so
// that the piece memo sees common words again and rare ones once.
func proseText(r *rand.Rand, n int) string {
	syllables := []string{"ba", "con", "ter", "pro", "li", "ment", "ra", "tion", "de", "ver", "sta", "mi", "ous", "ing"}
	zipf := rand.NewZipf(r, 1.2, 2, 400_000)
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(" \n"[min(r.IntN(30), 1)^1])
		}
		k := zipf.Uint64()
		for {
			b.WriteString(syllables[k%uint64(len(syllables))])
			if k /= uint64(len(syllables)); k == 0 {
				break
			}
		}
		if r.IntN(10) == 0 {
			b.WriteString(", ")
		}
	}
	return b.String()
}

// BenchmarkCount is the tokenizer path of an estimate: o200k_base counts
// of distinct texts (the string memo never hits), the piece memo warm.
func BenchmarkCount(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 256)
	size := 0
	for i := range texts {
		texts[i] = proseText(r, 4000)
		size += len(texts[i])
	}
	enc := GetEncoding(O200kBase)
	b.SetBytes(int64(size / len(texts)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// A different string each time, so that only pieces are memoized.
		enc.count(texts[i%len(texts)])
	}
}

// BenchmarkBPE is what the piece memo saves: the codec's count of a
// piece that the vocabulary does not hold whole (distinct words of Zipf
// prose), which every new word of an input costs once.
func BenchmarkBPE(b *testing.B) {
	enc := GetEncoding(O200kBase)
	text := proseText(rand.New(rand.NewPCG(1, 2)), 1<<20)
	seen := map[string]bool{}
	var pieces []string
	for i := 0; i < len(text); {
		j := enc.split(text, i)
		p := text[i:j]
		if _, whole := enc.ranks[p]; !whole && !seen[p] {
			seen[p] = true
			pieces = append(pieces, p)
		}
		i = j
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		enc.bpe(pieces[i%len(pieces)])
	}
}

// BenchmarkSplit is the pre-tokenizer alone.
func BenchmarkSplit(b *testing.B) {
	text := proseText(rand.New(rand.NewPCG(1, 2)), 1<<20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		for i := 0; i < len(text); {
			i = splitO200k(text, i)
		}
	}
}

// BenchmarkCounterLine is one OpenAI chat line read and counted.
func BenchmarkCounterLine(b *testing.B) {
	lines := corpus(7, 200)
	c := NewCounter(jsonl.TargetOpenAI, "")
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	for i := 0; b.Loop(); i++ {
		if _, err := c.Count(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}
