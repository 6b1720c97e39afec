package core

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the protocol-neutral part of the emulator's answers: what
// a model replies, how tokens are counted, embeddings, and the fault markers
// a prompt may carry. The protocol files wrap them in their own bodies.

const (
	// FixedModel is the model that always gives fixedReply.
	FixedModel = "fixed"
	FixedReply = "This is a fixed answer from the batchctl emulator."
	// DefaultDimensions is the embedding length when a request sets none.
	DefaultDimensions = 8
	MaxDimensions     = 3072
)

// Reply returns what model answers to prompt: fixedReply for fixedModel, the
// prompt itself for every other model.
func Reply(model, prompt string) string {
	if model == FixedModel {
		return FixedReply
	}
	return prompt
}

// CountTokens returns the emulated token count of texts: their words.
func CountTokens(texts ...string) int64 {
	var n int64
	for _, t := range texts {
		n += int64(countWords(t))
	}
	return n
}

// countWords is len(strings.Fields(s)) without building the fields: the
// runs of runes between white space (unicode.IsSpace, as Fields splits).
func countWords(s string) int {
	// A word starts where a non-space follows a space (or the start).
	// Eight ASCII bytes are taken at once (spaceBits); the rest byte by
	// byte, ASCII through a table, other runes decoded as range does
	// (invalid bytes one at a time, as U+FFFD, which is no space).
	n, prevSpace := 0, uint64(1)
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			w := s[i : i+8]
			// One load: the compiler merges the bytes.
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if x&highBits == 0 {
				space := spaceBits(x)
				// The space before each byte: the byte before it, or
				// before the first, the last of the previous bytes.
				before := space<<8 | prevSpace<<7
				n += bits.OnesCount64(before &^ space & highBits)
				prevSpace = space >> 63
				i += 8
				continue
			}
		}
		var space uint64
		if c := s[i]; c < utf8.RuneSelf {
			space = uint64(asciiSpace[c])
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				space = 1
			}
			i += size
		}
		n += int(prevSpace &^ space)
		prevSpace = space
	}
	return n
}

// highBits has the high bit of each byte of a word set.
const highBits = 0x8080808080808080

// spaceBits returns the high bit of each byte of x, eight ASCII bytes,
// that is a space (' ', or '\t' to '\r'), set; the rest clear. No byte
// carries into the next: each is below 0x80 and each sum below 0x100.
func spaceBits(x uint64) uint64 {
	const ones = 0x0101010101010101
	blank := x ^ (' ' * ones) // 0 where x is ' '
	isBlank := ^((blank&^highBits + ^highBits&(0x7f*ones)) | blank) & highBits
	// '\t' <= c: c+(0x80-'\t') has its high bit; c <= '\r': c+(0x80-'\r'-1) has not.
	isControl := (x + (0x80-'\t')*ones) &^ (x + (0x80-'\r'-1)*ones) & highBits
	return isBlank | isControl
}

// asciiSpace is unicode.IsSpace of each ASCII character, as 1 or 0.
var asciiSpace = [utf8.RuneSelf]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// Embedding returns a unit vector of dims numbers derived from SHA-256 of
// text: equal texts give equal vectors, in every process and release.
func Embedding(text string, dims int) []float32 {
	v := make([]float64, dims)
	var block [sha256.Size]byte
	var sumSquares float64
	for i := range v {
		const perBlock = sha256.Size / 4
		if i%perBlock == 0 {
			block = sha256.Sum256([]byte(strconv.Itoa(i/perBlock) + "\x00" + text))
		}
		u := binary.BigEndian.Uint32(block[i%perBlock*4:])
		v[i] = float64(u)/(1<<31) - 1
		sumSquares += v[i] * v[i]
	}
	scale := 1 / math.Sqrt(sumSquares)
	out := make([]float32, dims)
	for i, x := range v {
		out[i] = float32(x * scale)
	}
	return out
}

// MarkerKind is a per-request fault asked for in a prompt.
type MarkerKind int

const (
	MarkerNone   MarkerKind = iota
	MarkerFail              // [fail] or [fail:NNN]: an HTTP error answer
	MarkerError             // [error]: a non-HTTP error
	MarkerExpire            // [expire]: the request never runs; the batch expires
	MarkerDrop              // [drop]: the request is never reported
)

// Marker is the first fault marker found in a prompt.
type Marker struct {
	Kind MarkerKind
	// status is the HTTP status of a markerFail.
	Status int
	// text is the marker as written, e.g. "[fail:429]".
	Text string
}

var markerPattern = regexp.MustCompile(`\[(?:fail(?::([45][0-9][0-9]))?|error|expire|drop)\]`)

// FindMarker returns the first fault marker in text.
func FindMarker(text string) Marker {
	if strings.IndexByte(text, '[') < 0 { // most prompts: no regexp to run
		return Marker{}
	}
	loc := markerPattern.FindStringSubmatchIndex(text)
	if loc == nil {
		return Marker{}
	}
	m := Marker{Text: text[loc[0]:loc[1]]}
	switch {
	case strings.HasPrefix(m.Text, "[fail"):
		m.Kind, m.Status = MarkerFail, 400
		if loc[2] >= 0 {
			m.Status, _ = strconv.Atoi(text[loc[2]:loc[3]])
		}
	case m.Text == "[error]":
		m.Kind = MarkerError
	case m.Text == "[expire]":
		m.Kind = MarkerExpire
	case m.Text == "[drop]":
		m.Kind = MarkerDrop
	}
	return m
}

// AnswerMeta places an answer: the ids in its body derive from seed (the
// batch id) and index (the request's position), created is when it ran.
type AnswerMeta struct {
	Seed    string
	Index   int
	Created int64
}

func (m AnswerMeta) ID(prefix string) string { return DerivedID(prefix, m.Seed, m.Index) }
