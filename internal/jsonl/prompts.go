package jsonl

import (
	"bytes"
	"io"
	"strings"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// PromptLines returns JSONL input of simple lines, {"prompt":"..."}, one
// per prompt, for requests given as flags (--prompt) rather than in a
// file. Their ids are generated from their positions: line-000001, ...
func PromptLines(prompts []string) io.Reader {
	var b []byte
	for _, p := range prompts {
		b = append(b, `{"prompt":`...)
		b = append(jsonscan.AppendQuote(b, []byte(strings.ToValidUTF8(p, "\uFFFD"))), "}\n"...)
	}
	return bytes.NewReader(b)
}
