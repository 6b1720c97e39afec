// Package cacheprime finds the prompt prefix the requests of a job share,
// so that create --cache-prime can mark it cacheable and send one request
// ahead of the others to write the provider's prompt cache.
//
// Anthropic's rules (https://docs.claude.com/en/docs/build-with-claude/prompt-caching):
// the cached prefix runs through tools, system and messages, in that order,
// up to and including the block marked with cache_control
// ({"type":"ephemeral","ttl":"5m"|"1h"}); a request has at most 4 such
// breakpoints; a prefix shorter than the model's minimum cacheable length
// is not cached, silently. Requests of one Message Batch run in parallel
// and do not see each other's cache writes, hence the primer.
package cacheprime

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/batchctl/batchctl/internal/tokens"
)

// MaxBreakpoints is the most cache_control marks Anthropic takes in one
// request (prompt-caching docs, "Cache limitations"). batchctl adds at
// most one, and only to lines that carry none, so it never goes past it.
const MaxBreakpoints = 4

// toolOverhead is the system prompt Anthropic adds to a request with
// tools, part of the cached prefix when the tools are (see
// internal/tokens, anthropicToolOverhead).
const toolOverhead = 346

// block is one element of a request's cacheable prefix: a tool, a system
// block or a message's content block.
type block struct {
	key  string // what must be equal in two requests for them to share it
	path string // where it is in the line (gjson/sjson path)
	// str is set when the block is a whole string (system or message
	// content given as a string): marking it turns it into a text block.
	str  bool
	text string // its text, or its JSON when it has none, for counting
	kind string // "tool", "system" or "message"
	typ  string // the block's type ("text", "image", ...)
}

// Finder reads the converted Anthropic lines of a job one at a time and
// keeps the prefix they all share so far: the blocks of the first line,
// cut at the first one another line differs on. It holds one line's
// blocks at most.
type Finder struct {
	first  []block
	n      int // blocks of first shared by every line so far
	lines  int
	marked bool // some line already carries cache_control
	model  string
}

// Add reads the next line.
func (f *Finder) Add(line []byte) error {
	if !gjson.ValidBytes(line) {
		return fmt.Errorf("not a JSON object")
	}
	params := gjson.GetBytes(line, "params")
	if !params.IsObject() {
		return fmt.Errorf("params: not an object")
	}
	blocks, marked := blocksOf(params)
	f.marked = f.marked || marked
	f.lines++
	if f.lines == 1 {
		f.first, f.n = blocks, len(blocks)
		f.model = params.Get("model").String()
		return nil
	}
	n := 0
	for n < f.n && n < len(blocks) && blocks[n].key == f.first[n].key {
		n++
	}
	f.n = n
	return nil
}

// blocksOf returns the blocks of a request's params in cache order, and
// whether any of them (or params itself) carries cache_control. A change
// of tool_choice invalidates the cached system prompt and messages, and
// one of the thinking parameters the cached messages (prompt-caching
// docs, "What invalidates the cache"): they are part of those blocks' keys.
func blocksOf(params gjson.Result) ([]block, bool) {
	var out []block
	marked := params.Get("cache_control").Exists()
	choice := params.Get("tool_choice").Raw
	thinking := params.Get("thinking").Raw
	add := func(kind, key, path string, v gjson.Result) {
		b := block{key: key + "\x00" + v.Raw, path: "params." + path, kind: kind, text: v.Raw}
		switch {
		case v.Type == gjson.String:
			b.str, b.text, b.typ = true, v.String(), "text"
		default:
			b.typ = v.Get("type").String()
			if t := v.Get("text"); t.Type == gjson.String {
				b.text = t.String()
			}
			marked = marked || v.Get("cache_control").Exists()
		}
		out = append(out, b)
	}
	params.Get("tools").ForEach(func(i, v gjson.Result) bool {
		add("tool", "t", fmt.Sprintf("tools.%d", i.Int()), v)
		return true
	})
	if sys := params.Get("system"); sys.IsArray() {
		sys.ForEach(func(i, v gjson.Result) bool {
			add("system", "s"+choice, fmt.Sprintf("system.%d", i.Int()), v)
			return true
		})
	} else if sys.Type == gjson.String {
		add("system", "s"+choice, "system", sys)
	}
	params.Get("messages").ForEach(func(m, msg gjson.Result) bool {
		role := msg.Get("role").String() + "\x00" + choice + "\x00" + thinking
		content := msg.Get("content")
		at := fmt.Sprintf("messages.%d.content", m.Int())
		if content.IsArray() {
			content.ForEach(func(i, v gjson.Result) bool {
				add("message", fmt.Sprintf("m%d.%d.%s", m.Int(), i.Int(), role), fmt.Sprintf("%s.%d", at, i.Int()), v)
				return true
			})
		} else {
			add("message", fmt.Sprintf("m%d.0.%s", m.Int(), role), at, content)
		}
		return true
	})
	return out, marked
}

// Prefix is the prompt prefix every request of a job shares.
type Prefix struct {
	// Requests is how many lines were read; fewer than 2 share nothing.
	Requests int
	// Blocks is how many blocks (tools, system blocks, message content
	// blocks) they share, 0 for none.
	Blocks int
	// Marked is set when some line already carries cache_control: the
	// lines are then sent as they are.
	Marked bool
	// Tokens approximates the prefix's length in tokens (o200k_base text
	// counts: Claude's tokenizer is not published).
	Tokens int
	// Model is the first line's model.
	Model string
	// Ends says where the shared prefix ends, for messages: "the system
	// prompt", "the tools", "message 2".
	Ends string

	last block
}

// Result returns the prefix shared by every line read.
func (f *Finder) Result() Prefix {
	p := Prefix{Requests: f.lines, Marked: f.marked, Model: f.model}
	if f.lines < 2 {
		return p
	}
	n := f.n
	// the last block of the prefix carries the mark: a thinking block
	// cannot, nor can an empty text block
	for n > 0 && !markable(f.first[n-1]) {
		n--
	}
	if n == 0 {
		return p
	}
	p.Blocks, p.last = n, f.first[n-1]
	enc := tokens.GetEncoding(tokens.O200kBase)
	tools := false
	for _, b := range f.first[:n] {
		p.Tokens += enc.Count(b.text)
		tools = tools || b.kind == "tool"
	}
	if tools {
		p.Tokens += toolOverhead
	}
	switch p.last.kind {
	case "tool":
		p.Ends = "the tools"
	case "system":
		p.Ends = "the system prompt"
	default:
		var m int
		fmt.Sscanf(strings.TrimPrefix(p.last.path, "params.messages."), "%d", &m)
		p.Ends = fmt.Sprintf("message %d", m+1)
	}
	return p
}

// markable reports whether a block may carry cache_control.
func markable(b block) bool {
	switch {
	case b.typ == "thinking" || b.typ == "redacted_thinking":
		return false
	case b.typ == "text" && strings.TrimSpace(b.text) == "":
		return false
	}
	return true
}

// Mark returns line with cache_control {"type":"ephemeral","ttl":ttl} on
// the last block of p, which every line has at the same place. A block
// given as a bare string becomes a text block. Everything else of the
// line is kept as it is, in its order.
func Mark(line []byte, p Prefix, ttl string) ([]byte, error) {
	if p.Blocks == 0 {
		return line, nil
	}
	mark := `{"type":"ephemeral","ttl":` + quote(ttl) + `}`
	if p.last.str {
		text := gjson.GetBytes(line, p.last.path)
		return sjson.SetRawBytes(line, p.last.path, []byte(`[{"type":"text","text":`+text.Raw+`,"cache_control":`+mark+`}]`))
	}
	return sjson.SetRawBytes(line, p.last.path+".cache_control", []byte(mark))
}

func quote(s string) string { return `"` + s + `"` }

// MinTokens is the shortest prompt Anthropic caches for model, in tokens;
// a shorter prefix is processed without caching, and without an error.
// From the prompt-caching docs' "Cache limitations" table, as listed on
// 2026-12-07 by docs.orq.ai/docs/proxy/prompt-caching and
// docs.litellm.ai/docs/completion/prompt_caching (the docs page itself
// was not reachable here): 4096 for Claude Opus 4.5 and 4.6 and Haiku
// 4.5, 2048 for Sonnet 4.6 and the Haiku 3 models, 1024 for the others.
func MinTokens(model string) int {
	m := strings.ToLower(model)
	switch {
	case strings.Contains(m, "opus-4-5"), strings.Contains(m, "opus-4-6"), strings.Contains(m, "haiku-4-5"):
		return 4096
	case strings.Contains(m, "sonnet-4-6"), strings.Contains(m, "3-5-haiku"), strings.Contains(m, "3-haiku"), strings.Contains(m, "haiku-3"):
		return 2048
	}
	return 1024
}
