package core

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
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
	n, inWord := 0, false
	for i := 0; i < len(s); {
		// ASCII is looked up in a table, the rest decoded as range does
		// (invalid bytes one at a time, as U+FFFD, which is no space).
		var space bool
		if c := s[i]; c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if !space && !inWord {
			n++
		}
		inWord = !space
	}
	return n
}

// asciiSpace is unicode.IsSpace of each ASCII character.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

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
