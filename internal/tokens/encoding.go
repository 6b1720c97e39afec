// Package tokens counts the input tokens of batch request lines in a
// provider's own format (the lines jsonl.Converter writes), and reads the
// most output tokens each line allows.
//
// OpenAI models are counted offline with their own encoding (o200k_base or
// cl100k_base, from github.com/pkoukk/tiktoken-go, with the vocabularies
// of github.com/pkoukk/tiktoken-go-loader compiled in) and the chat format's per-message overhead, which makes
// text counts exact. Images and tool definitions follow the providers'
// published rules and are marked as estimates. (github.com/tiktoken-go/
// tokenizer v0.10.0 was tried first and dropped: it splits whitespace runs
// that hold newlines, "\n \n", apart where tiktoken does not, and so
// miscounts text with blank lines; TestHeldOutCounts caught it.) Anthropic and Gemini publish
// no tokenizer: their text is counted with o200k_base as an approximation
// whose error has not been measured.
package tokens

import (
	"hash/maphash"
	"strings"
	"sync"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
)

// The encodings' names.
const (
	O200kBase  = "o200k_base"
	Cl100kBase = "cl100k_base"
)

// newCodec returns pkoukk/tiktoken-go's byte-pair encoder of an encoding,
// with the vocabulary compiled into the binary by
// pkoukk/tiktoken-go-loader (nothing is downloaded; see loadRanks), and
// that vocabulary.
// The codec is given single pieces, cut by the splitter: its own
// pre-tokenizer pattern is one that takes any text whole, so its regular
// expression engine costs little.
func newCodec(name string) (*tiktoken.Tiktoken, map[string]int, error) {
	ranks, err := loadRanks(name)
	if err != nil {
		return nil, nil, err
	}
	const whole = `[\s\S]+`
	core, err := tiktoken.NewCoreBPE(ranks, map[string]int{}, whole)
	if err != nil {
		return nil, nil, err
	}
	enc := &tiktoken.Encoding{Name: name, PatStr: whole, MergeableRanks: ranks, SpecialTokens: map[string]int{}}
	return tiktoken.NewTiktoken(core, enc, map[string]any{}), ranks, nil
}

// Encoding is a BPE encoding with two memos, so that what repeats is
// tokenized once: the counts of the strings it counted (a shared system
// prompt, tool definitions) and the counts of the pieces its pre-tokenizer
// cut (words, which natural text repeats heavily). It is safe for
// concurrent use.
type Encoding struct {
	name   string
	codec  *tiktoken.Tiktoken
	ranks  map[string]int // the vocabulary the codec merges with
	split  splitter
	memo   [memoShards]memoShard
	seed   maphash.Seed
	pieces pieceMemo
}

const (
	memoShards = 64
	// memoShardMax bounds memory: a shard that fills is cleared.
	memoShardMax = 256
	// memoMinLen is the shortest string worth memoizing.
	memoMinLen = 64
)

type memoShard struct {
	mu sync.Mutex
	m  map[uint64]int
}

var (
	encMu     sync.Mutex
	encodings = map[string]*Encoding{}
)

// GetEncoding returns the shared Encoding of a name (o200k_base,
// cl100k_base).
func GetEncoding(name string) *Encoding {
	encMu.Lock()
	defer encMu.Unlock()
	if e := encodings[name]; e != nil {
		return e
	}
	codec, ranks, err := newCodec(name)
	if err != nil {
		panic("tokens: " + err.Error())
	}
	split := splitO200k
	if name == Cl100kBase {
		split = splitCl100k
	}
	e := &Encoding{name: name, codec: codec, ranks: ranks, split: split, seed: maphash.MakeSeed(),
		pieces: newPieceMemo()}
	for i := range e.memo {
		e.memo[i].m = map[uint64]int{}
	}
	encodings[name] = e
	return e
}

// Name is the encoding's name.
func (e *Encoding) Name() string { return e.name }

// Count returns the number of tokens of s.
func (e *Encoding) Count(s string) int {
	if s == "" {
		return 0
	}
	if len(s) < memoMinLen {
		return e.count(s)
	}
	h := maphash.String(e.seed, s)
	if n, ok := e.recall(h); ok {
		return n
	}
	n := e.count(s)
	e.remember(h, n)
	return n
}

func (e *Encoding) recall(h uint64) (int, bool) {
	sh := &e.memo[h%memoShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	n, ok := sh.m[h]
	return n, ok
}

// remember keeps a count, clearing the shard first when it is full.
func (e *Encoding) remember(h uint64, n int) {
	sh := &e.memo[h%memoShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(sh.m) >= memoShardMax {
		clear(sh.m)
	}
	sh.m[h] = n
}

// maxRun is the longest piece tokenized whole. Byte-pair merging takes
// time in the square of a piece's length, so a long unbroken run (50 MB
// of "x", a pasted blob) would take hours. A longer piece is cut into
// parts of this size, each counted apart (and memoized: a repeated run
// costs one part): the count can then be off by a token or so per cut.
// Words, numbers and punctuation in text are far shorter, so text counts
// stay exact.
const maxRun = 256

// count tokenizes s, reading special-token markers such as <|endoftext|>
// as plain text, as the APIs do in a request: it cuts s into pieces as the
// encoding's pre-tokenizer pattern does and adds up their counts.
func (e *Encoding) count(s string) int {
	total := 0
	for i := 0; i < len(s); {
		j := e.split(s, i)
		for j-i > maxRun {
			cut := i + maxRun
			for !utf8.RuneStart(s[cut]) {
				cut--
			}
			total += e.Count(s[i:cut]) // memoized: a long run repeats its parts
			i = cut
		}
		total += e.piece(s[i:j])
		i = j
	}
	return total
}

// piece counts the tokens of one piece: one when the vocabulary holds it
// whole, else what the codec's byte-pair merge makes of it. A single byte
// (a comma, a space) is always one: byte-level BPE vocabularies hold every
// byte (TestEveryByteIsAToken). Pieces of up to pieceMaxLen bytes are
// memoized (see pieceMemo).
func (e *Encoding) piece(p string) int {
	switch {
	case len(p) == 1:
		return 1
	case len(p) > pieceMaxLen:
		return e.bpe(p)
	}
	h := maphash.String(e.seed, p)
	if n, ok := e.pieces.recall(h); ok {
		return n
	}
	n := e.bpe(p)
	e.pieces.remember(h, n)
	return n
}

// bpe counts the tokens of a piece with the codec.
func (e *Encoding) bpe(p string) int {
	if _, ok := e.ranks[p]; ok {
		return 1
	}
	return len(e.codec.EncodeOrdinary(p))
}

// OpenAIEncoding returns the encoding of an OpenAI model, and false for a
// model that is not OpenAI's (an open model on an OpenAI-compatible
// service), which is then counted with o200k_base as an approximation.
//
// Source: tiktoken's model.py (MODEL_PREFIX_TO_ENCODING): o200k_base for
// gpt-5, gpt-4.1, gpt-4o, chatgpt-4o and the o-series; cl100k_base for
// gpt-4, gpt-3.5-turbo and the text-embedding models.
func OpenAIEncoding(model string) (*Encoding, bool) {
	m := strings.TrimPrefix(model, "ft:")
	for _, p := range []string{"gpt-5", "gpt-4.1", "gpt-4o", "chatgpt-4o", "o1", "o3", "o4", "gpt-oss"} {
		if strings.HasPrefix(m, p) {
			return GetEncoding(O200kBase), true
		}
	}
	for _, p := range []string{"gpt-4", "gpt-3.5", "gpt-35", "text-embedding-", "davinci-002", "babbage-002"} {
		if strings.HasPrefix(m, p) {
			return GetEncoding(Cl100kBase), true
		}
	}
	return GetEncoding(O200kBase), false
}
