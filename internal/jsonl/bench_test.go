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

// BenchmarkReadAndConvert is the whole validation of an input file as
// `batchctl create` does it for OpenAI: the lines pass through.
func BenchmarkReadAndConvert(b *testing.B) {
	data := benchFile(4096)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		c := NewConverter("bench.jsonl", ConvertOptions{Target: TargetOpenAI})
		for {
			line, err := r.Next()
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			c.Convert(r.Line(), line)
		}
		if _, err := c.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanLine compares picking the checked fields out of a request
// line with the scanner and with encoding/json.
func BenchmarkScanLine(b *testing.B) {
	line := benchLine(1)
	b.Run("scanner", func(b *testing.B) {
		c := NewConverter("bench.jsonl", ConvertOptions{Target: TargetOpenAI})
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			if _, err := c.scanTop(line); err != nil {
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

// benchLines returns n requests like benchLine in the shape of from: an
// OpenAI batch line, an Anthropic or Gemini request converted from it, or
// a simple line with the same prompts.
func benchLines(b *testing.B, from string, n int) [][]byte {
	b.Helper()
	lines := make([][]byte, n)
	for i := range lines {
		line := benchLine(i)
		switch from {
		case "anthropic", "gemini":
			c := NewConverter("bench.jsonl", ConvertOptions{Target: Target(from)})
			out, _, ok := c.Convert(i+1, line)
			if !ok {
				b.Fatal(c.Finish())
			}
			line = bytes.Clone(out)
		case "simple":
			var body struct {
				Messages json.RawMessage `json:"messages"`
			}
			if err := json.Unmarshal(line[bytes.Index(line, []byte(`"body":`))+7:len(line)-1], &body); err != nil {
				b.Fatal(err)
			}
			line = fmt.Appendf(nil, `{"custom_id":"request-%07d","model":"gpt-4o-mini","messages":%s,"max_tokens":512,"temperature":0.2}`, i, body.Messages)
		}
		lines[i] = line
	}
	return lines
}

// BenchmarkConvert converts ~1 KB chat requests from each shape to each
// target; a line in the target's own shape passes through.
func BenchmarkConvert(b *testing.B) {
	const n = 1024
	for _, from := range []string{"openai", "anthropic", "gemini", "simple"} {
		lines := benchLines(b, from, n)
		var size int64
		for _, line := range lines {
			size += int64(len(line)) + 1
		}
		for _, to := range []Target{TargetOpenAI, TargetAnthropic, TargetGemini} {
			b.Run(from+"-to-"+string(to), func(b *testing.B) {
				opts := ConvertOptions{Target: to, Defaults: Defaults{Model: "gpt-4o-mini"}}
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					c := NewConverter("bench.jsonl", opts)
					for i, line := range lines {
						if _, _, ok := c.Convert(i+1, line); !ok {
							b.Fatal(c.Finish())
						}
					}
				}
			})
		}
	}
}

// BenchmarkConvertText converts plain text prompts of about 1 KB.
func BenchmarkConvertText(b *testing.B) {
	prompt := []byte(strings.Repeat("Summarise the paragraph below about the printing press in Europe "+
		"(Gutenberg, Mainz, c. 1450). Keep the \"key dates\"; naïve readers welcome. ", 7))
	for _, to := range []Target{TargetOpenAI, TargetAnthropic, TargetGemini} {
		b.Run(string(to), func(b *testing.B) {
			maxTokens := 512
			opts := ConvertOptions{Target: to, TextInput: true, Defaults: Defaults{Model: "m", MaxTokens: &maxTokens}}
			b.SetBytes(int64(len(prompt)+1) * 1024)
			b.ReportAllocs()
			for b.Loop() {
				c := NewConverter("bench.txt", opts)
				for i := range 1024 {
					if _, _, ok := c.Convert(i+1, prompt); !ok {
						b.Fatal(c.Finish())
					}
				}
			}
		})
	}
}

// BenchmarkConvertTools converts requests with tools, a tool-call history
// and a structured output (the chat-history and chat-schema lines of
// testdata/tools/openai_chat.jsonl, 1024 of each with their own ids) from
// OpenAI to the other targets, and simple lines with --schema.
func BenchmarkConvertTools(b *testing.B) {
	src := readLines(&testing.T{}, "testdata/tools/openai_chat.jsonl")
	var history, schema string
	for _, l := range src {
		switch {
		case strings.Contains(l, `"chat-history"`):
			history = l
		case strings.Contains(l, `"chat-schema"`):
			schema = l
		}
	}
	lines := make([][]byte, 0, 2048)
	var size int64
	for i := range 1024 {
		for _, l := range []string{history, schema} {
			line := []byte(strings.Replace(l, `"custom_id":"chat-`, fmt.Sprintf(`"custom_id":"%07d-`, i), 1))
			lines = append(lines, line)
			size += int64(len(line)) + 1
		}
	}
	for _, to := range []Target{TargetAnthropic, TargetGemini} {
		b.Run("openai-to-"+string(to), func(b *testing.B) {
			opts := ConvertOptions{Target: to}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				c := NewConverter("bench.jsonl", opts)
				for i, line := range lines {
					if _, _, ok := c.Convert(i+1, line); !ok {
						b.Fatal(c.Finish())
					}
				}
			}
		})
	}
	simple := benchLines(b, "simple", 1024)
	var simpleSize int64
	for _, line := range simple {
		simpleSize += int64(len(line)) + 1
	}
	schemaOpt := []byte(`{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}`)
	for _, to := range []Target{TargetOpenAI, TargetAnthropic, TargetGemini} {
		b.Run("simple-schema-to-"+string(to), func(b *testing.B) {
			opts := ConvertOptions{Target: to, Defaults: Defaults{Model: "claude-sonnet-4-5"}, Schema: schemaOpt}
			b.SetBytes(simpleSize)
			b.ReportAllocs()
			for b.Loop() {
				c := NewConverter("bench.jsonl", opts)
				for i, line := range simple {
					if _, _, ok := c.Convert(i+1, line); !ok {
						b.Fatal(c.Finish())
					}
				}
			}
		})
	}
}
