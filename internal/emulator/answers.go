package emulator

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// This file holds the protocol-neutral part of the emulator's answers: what
// a model replies, how tokens are counted, embeddings, and the fault markers
// a prompt may carry. The protocol files wrap them in their own bodies.

const (
	// fixedModel is the model that always gives fixedReply.
	fixedModel = "fixed"
	fixedReply = "This is a fixed answer from the batchctl emulator."
	// defaultDimensions is the embedding length when a request sets none.
	defaultDimensions = 8
	maxDimensions     = 3072
)

// reply returns what model answers to prompt: fixedReply for fixedModel, the
// prompt itself for every other model.
func reply(model, prompt string) string {
	if model == fixedModel {
		return fixedReply
	}
	return prompt
}

// countTokens returns the emulated token count of texts: their words.
func countTokens(texts ...string) int64 {
	var n int64
	for _, t := range texts {
		n += int64(len(strings.Fields(t)))
	}
	return n
}

// embedding returns a unit vector of dims numbers derived from SHA-256 of
// text: equal texts give equal vectors, in every process and release.
func embedding(text string, dims int) []float32 {
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

// markerKind is a per-request fault asked for in a prompt.
type markerKind int

const (
	markerNone   markerKind = iota
	markerFail              // [fail] or [fail:NNN]: an HTTP error answer
	markerError             // [error]: a non-HTTP error
	markerExpire            // [expire]: the request never runs; the batch expires
	markerDrop              // [drop]: the request is never reported
)

// marker is the first fault marker found in a prompt.
type marker struct {
	kind markerKind
	// status is the HTTP status of a markerFail.
	status int
	// text is the marker as written, e.g. "[fail:429]".
	text string
}

var markerPattern = regexp.MustCompile(`\[(?:fail(?::([45][0-9][0-9]))?|error|expire|drop)\]`)

// findMarker returns the first fault marker in text.
func findMarker(text string) marker {
	loc := markerPattern.FindStringSubmatchIndex(text)
	if loc == nil {
		return marker{}
	}
	m := marker{text: text[loc[0]:loc[1]]}
	switch {
	case strings.HasPrefix(m.text, "[fail"):
		m.kind, m.status = markerFail, 400
		if loc[2] >= 0 {
			m.status, _ = strconv.Atoi(text[loc[2]:loc[3]])
		}
	case m.text == "[error]":
		m.kind = markerError
	case m.text == "[expire]":
		m.kind = markerExpire
	case m.text == "[drop]":
		m.kind = markerDrop
	}
	return m
}
