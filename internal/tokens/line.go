package tokens

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/jsonscan"
)

// Line is what one request line holds, in tokens.
type Line struct {
	// Model is the model the line names (OpenAI body.model, Anthropic
	// params.model); "" for Gemini, whose model is the batch's.
	Model string
	// Input is the input tokens the request is billed for.
	Input int
	// MaxOutput is the line's own limit on output tokens (max_tokens,
	// max_completion_tokens, max_output_tokens, maxOutputTokens), which
	// includes reasoning tokens; HasMax is false when it sets none.
	MaxOutput int
	HasMax    bool
	// NoOutput is true for requests that produce no tokens (embeddings).
	NoOutput bool
	// Estimated is true when part of Input follows a published rule
	// rather than a tokenizer: images, tool definitions, tool calls.
	Estimated bool
	// Exact is true when the text was counted with the model's own
	// tokenizer (OpenAI models).
	Exact bool
}

// Counter counts the lines of one target's batch input. It is safe for
// concurrent use.
type Counter struct {
	target jsonl.Target
	model  string // the batch's model, for lines that name none
}

// NewCounter returns a Counter for lines of target; model is the batch's
// model, used for lines that do not name theirs.
func NewCounter(target jsonl.Target, model string) *Counter {
	return &Counter{target: target, model: strings.TrimPrefix(model, "models/")}
}

// Count reads one line.
func (c *Counter) Count(line []byte) (Line, error) {
	switch c.target {
	case jsonl.TargetAnthropic:
		return c.anthropic(line)
	case jsonl.TargetGemini:
		if jsonl.IsClaude(c.model) { // Claude on Vertex AI: Anthropic's bodies
			return c.anthropic(line)
		}
		return c.gemini(line)
	default:
		return c.openai(line)
	}
}

// tally adds up a line's tokens.
type tally struct {
	enc       *Encoding
	n         int
	estimated bool
	unquoted  *[]byte // see jsonText
}

// unquotedBufs recycles the buffers that the JSON strings of lines are
// decoded into to be counted: counting keeps hashes, never text.
var unquotedBufs = sync.Pool{New: func() any { return new([]byte) }}

// newTally returns a tally of a line in enc; release it when counted.
func newTally(enc *Encoding) *tally {
	return &tally{enc: enc, unquoted: unquotedBufs.Get().(*[]byte)}
}

func (t *tally) release() { unquotedBufs.Put(t.unquoted) }

func (t *tally) text(s string) { t.n += t.enc.Count(s) }

// jsonText counts the text of raw if it is a JSON string, and reports
// whether it is one. raw was checked by encoding/json, and is decoded as
// it decodes strings, into the tally's buffer.
func (t *tally) jsonText(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' {
		return false
	}
	b := jsonscan.AppendDecoded((*t.unquoted)[:0], raw[1:len(raw)-1])
	*t.unquoted = b
	t.text(unsafe.String(unsafe.SliceData(b), len(b)))
	return true
}

func (t *tally) estimate(n int) {
	t.n += n
	t.estimated = true
}

// rawJSON is a JSON value of a line as encoding/json found it. Unlike a
// json.RawMessage it is not a copy but shares the line's memory, so it is
// read only while the line is being counted; copying every text of the
// input once more would double the garbage of counting.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

// rawString returns a JSON string's value, or "" for any other value.
// raw was checked by encoding/json, and is decoded as it decodes strings.
// The value may share raw's memory: it is only read, and only while raw
// is (counting keeps hashes, never strings).
func rawString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	b := jsonscan.Unquote(raw)
	return unsafe.String(unsafe.SliceData(b), len(b)), true
}

func badLine(err error) error { return fmt.Errorf("reading a converted request: %w", err) }
