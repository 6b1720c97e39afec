package jsonl

import (
	"bytes"

	"github.com/batchctl/batchctl/internal/jsonscan"
)

// escapedContents returns the contents of raw, a valid JSON string, with
// its escapes rewritten as jsonscan.AppendQuote writes them, so that parts
// of it can be spliced into other strings and compared with plain text. It
// allocates only when raw has escapes.
func escapedContents(raw []byte) []byte {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	out := jsonscan.AppendQuote(nil, jsonscan.Unquote(raw))
	return out[1 : len(out)-1]
}
