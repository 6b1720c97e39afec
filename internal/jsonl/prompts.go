package jsonl

import (
	"bytes"
	"io"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// PromptLines returns JSONL input of simple lines, {"prompt":"..."}, one
// per prompt, for requests given as flags (--prompt) rather than in a
// file. Their ids are generated from their positions: line-000001, ...
// A prompt that is not valid UTF-8 makes a line the converter rejects, as
// the same bytes in a file are; the caller should check prompts first to
// name them in its own terms.
func PromptLines(prompts []string) io.Reader {
	var b []byte
	for _, p := range prompts {
		b = append(b, `{"prompt":`...)
		b = append(jsonscan.AppendQuote(b, []byte(p)), "}\n"...)
	}
	return bytes.NewReader(b)
}
