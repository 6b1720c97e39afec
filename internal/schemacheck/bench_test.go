package schemacheck

import (
	"fmt"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// benchSchema and benchAnswer are the common extraction case: a small
// JSON object classifying a text.
const benchSchema = `{"type":"object","properties":{"sentiment":{"enum":["positive","neutral","negative"]},` +
	`"score":{"type":"number","minimum":0,"maximum":1},"topics":{"type":"array","items":{"type":"string"},"maxItems":5},` +
	`"summary":{"type":"string","maxLength":200}},"required":["sentiment","score","topics","summary"],"additionalProperties":false}`

func benchAnswer(i int) string {
	return fmt.Sprintf(`{"sentiment":"%s","score":0.%02d,"topics":["printing","Europe","books"],`+
		`"summary":"The printing press spread through Europe after 1450 and made books cheap."}`, [...]string{"positive", "neutral", "negative"}[i%3], i%100)
}

// BenchmarkCheck is the validator's own throughput: extracting, decoding
// and validating one answer (bytes are the answer's).
func BenchmarkCheck(b *testing.B) {
	s, err := Compile("bench.json", []byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	answers := make([]string, 100)
	for i := range answers {
		answers[i] = benchAnswer(i)
	}
	b.SetBytes(int64(len(answers[0])))
	i := 0
	for b.Loop() {
		text := answers[i%len(answers)]
		r := providers.Result{Status: providers.ResultSucceeded, Text: &text}
		Check(&r, s, true)
		if !*r.Valid {
			b.Fatal(string(r.OutputError))
		}
		i++
	}
}

// BenchmarkDecode is Decode alone.
func BenchmarkDecode(b *testing.B) {
	doc := []byte(benchAnswer(7))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Decode(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate is the library's validation alone.
func BenchmarkValidate(b *testing.B) {
	s, err := Compile("bench.json", []byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	v, _ := Decode([]byte(benchAnswer(7)))
	for b.Loop() {
		if _, _, ok := s.Validate(v); !ok {
			b.Fatal("invalid")
		}
	}
}
