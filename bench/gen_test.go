package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/gemini"
	"github.com/batchctl/batchctl/internal/providers/openai"
	"github.com/batchctl/batchctl/internal/schemacheck"
)

// TestGenerateResults generates a little of each results format and checks
// that the provider reads every line, that the outcomes are mixed, and that
// a smaller file is a prefix of a larger one.
func TestGenerateResults(t *testing.T) {
	for _, tt := range []struct {
		d dataset
		p providers.Provider
	}{
		{openaiChat, openai.New(openai.Config{Name: "openai"})},
		{openaiEmbeddings, openai.New(openai.Config{Name: "openai"})},
		{anthropicResults, anthropic.New(anthropic.Config{Name: "anthropic"})},
		{geminiResults, gemini.New(gemini.Config{Name: "gemini"})},
	} {
		t.Run(tt.d.name, func(t *testing.T) {
			dir := t.TempDir()
			const size = 2 << 20
			small, big := filepath.Join(dir, "small"), filepath.Join(dir, "big")
			n, lines := mustGenerate(t, small, tt.d, size/4)
			mustGenerate(t, big, tt.d, size)
			if !bytes.HasPrefix(mustRead(t, big), mustRead(t, small)) {
				t.Errorf("the %d-byte file is not a prefix of the %d-byte one", n, size)
			}
			data := mustRead(t, big)
			rd := jsonl.NewReader(bytes.NewReader(data))
			outcomes := map[providers.ResultStatus]int{}
			for {
				line, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				r, err := tt.p.Normalize(line)
				if err != nil {
					t.Fatalf("line %d: %v\n%s", rd.Line(), err, line)
				}
				outcomes[r.Status]++
			}
			if outcomes[providers.ResultSucceeded] == 0 || outcomes[providers.ResultErrored] == 0 {
				t.Errorf("outcomes %v, want successes and errors (%d lines)", outcomes, lines)
			}
		})
	}
}

// TestGenerateInput checks that the chat input passes validation as is.
func TestGenerateInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.jsonl")
	_, lines := mustGenerate(t, path, chatInput, 1<<20)
	rd := jsonl.NewReader(bytes.NewReader(mustRead(t, path)))
	c := jsonl.NewConverter(path, jsonl.ConvertOptions{Target: jsonl.TargetOpenAI})
	for {
		line, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Convert(rd.Line(), line)
	}
	sum, err := c.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != lines {
		t.Errorf("%d requests, want %d", sum.Requests, lines)
	}
}

func mustGenerate(t *testing.T, path string, d dataset, size int64) (int64, int) {
	t.Helper()
	n, lines, err := generate(path, d, size)
	if err != nil {
		t.Fatal(err)
	}
	if n > size || n < size*9/10 || lines == 0 {
		t.Fatalf("generated %d bytes in %d lines, want up to %d", n, lines, size)
	}
	return n, lines
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGenerateStructured checks the JSON answers of openaiStructured
// against reviewSchema: they parse, and most but not all validate.
func TestGenerateStructured(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	mustGenerate(t, path, openaiStructured, 1<<20)
	schema, err := schemacheck.Compile("review.json", []byte(reviewSchema))
	if err != nil {
		t.Fatal(err)
	}
	p := openai.New(openai.Config{Name: "openai"})
	rd := jsonl.NewReader(bytes.NewReader(mustRead(t, path)))
	valid := map[bool]int{}
	for {
		line, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		r, err := p.Normalize(line)
		if err != nil {
			t.Fatalf("line %d: %v", rd.Line(), err)
		}
		schemacheck.Check(&r, schema, true)
		if r.Parsed == nil {
			t.Fatalf("line %d: the answer does not parse: %s", rd.Line(), r.OutputError)
		}
		valid[*r.Valid]++
	}
	if valid[true] == 0 || valid[false] == 0 || valid[false] > valid[true]/10 {
		t.Errorf("valid answers %d, invalid %d: want mostly valid, some invalid", valid[true], valid[false])
	}
}

// TestGenerateProse checks that the prose input passes validation as is,
// and that its words are many and varied, as in natural text.
func TestGenerateProse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.jsonl")
	_, lines := mustGenerate(t, path, proseInput, 2<<20)
	rd := jsonl.NewReader(bytes.NewReader(mustRead(t, path)))
	c := jsonl.NewConverter(path, jsonl.ConvertOptions{Target: jsonl.TargetOpenAI})
	for {
		line, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Convert(rd.Line(), line)
	}
	sum, err := c.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if sum.Requests != lines {
		t.Errorf("%d requests, want %d", sum.Requests, lines)
	}
	words := strings.Fields(string(mustRead(t, path)))
	distinct := map[string]bool{}
	for _, w := range words {
		distinct[w] = true
	}
	if len(distinct) < len(words)/8 || len(distinct) > len(words)/2 {
		t.Errorf("%d distinct words in %d: want natural text's mix of common and rare words", len(distinct), len(words))
	}
}
