package jsonl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchLine returns a realistic chat completions request of about 1 KB: a
// system prompt, a user prompt with escapes and a little non-ASCII text,
// and a few sampling parameters.
func benchLine(i int) []byte {
	prompt := strings.Repeat("Summarise the paragraph below about the printing press in Europe "+
		"(Gutenberg, Mainz, c. 1450).\nKeep the \"key dates\"; naïve readers welcome. ", 6)
	body, err := json.Marshal(map[string]any{
		"model": "gpt-4o-mini",
		"messages": []map[string]string{
			{"role": "system", "content": "You are a careful historian. Answer in three sentences."},
			{"role": "user", "content": prompt},
		},
		"max_tokens":  512,
		"temperature": 0.2,
	})
	if err != nil {
		panic(err)
	}
	return fmt.Appendf(nil, `{"custom_id":"request-%07d","method":"POST","url":"/v1/chat/completions","body":%s}`, i, body)
}

// benchFile returns n request lines joined by newlines.
func benchFile(n int) []byte {
	var buf bytes.Buffer
	for i := range n {
		buf.Write(benchLine(i))
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func BenchmarkReader(b *testing.B) {
	data := benchFile(4096)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkOpenAIValidator(b *testing.B) {
	const n = 4096
	lines := make([][]byte, n)
	var size int64
	for i := range lines {
		lines[i] = benchLine(i)
		size += int64(len(lines[i])) + 1
	}
	b.SetBytes(size)
	for b.Loop() {
		v := NewOpenAIValidator("bench.jsonl")
		for i, line := range lines {
			if _, ok := v.Check(i+1, line); !ok {
				b.Fatal(v.Finish())
			}
		}
	}
}

// BenchmarkReadAndValidate is the whole validation of an input file as
// `batchctl create` does it.
func BenchmarkReadAndValidate(b *testing.B) {
	data := benchFile(4096)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		v := NewOpenAIValidator("bench.jsonl")
		for {
			line, err := r.Next()
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			v.Check(r.Line(), line)
		}
		if _, err := v.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLine compares picking the checked fields out of a request
// line with the scanner and with encoding/json.
func BenchmarkScanLine(b *testing.B) {
	line := benchLine(1)
	b.Run("scanner", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, _, err := scanOpenAILine(line); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if !json.Valid(line) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			var top struct {
				CustomID string          `json:"custom_id"`
				Method   string          `json:"method"`
				URL      string          `json:"url"`
				Body     json.RawMessage `json:"body"`
			}
			var body struct {
				Model string `json:"model"`
			}
			if err := json.Unmarshal(line, &top); err != nil {
				b.Fatal(err)
			}
			if err := json.Unmarshal(top.Body, &body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
