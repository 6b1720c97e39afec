package core

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// Outcome is what becomes of one request of a batch.
type Outcome uint8

const (
	OutcomeSucceeded Outcome = iota
	// OutcomeFailed: answered with an HTTP error status, or a non-HTTP error.
	OutcomeFailed
	// OutcomeExpired: never runs; reported as expired if the batch expires.
	OutcomeExpired
	// OutcomeDropped: never reported at all.
	OutcomeDropped
)

// Tally counts the outcomes and the token usage of the successful requests
// over the first requests of a batch.
type Tally struct {
	Succeeded    int64 `json:"succeeded"`
	Failed       int64 `json:"failed"`
	Expired      int64 `json:"expired"`
	Dropped      int64 `json:"dropped"`
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	// CachedTokens are those of InputTokens read from a prompt cache.
	CachedTokens int64 `json:"cached_tokens,omitempty"`
}

// tallyRecordSize is the size of one encoded tally: seven 64-bit integers.
const tallyRecordSize = 7 * 8

func (t *Tally) Add(o Outcome, inputTokens, outputTokens int64) {
	t.AddCached(o, inputTokens, outputTokens, 0)
}

// AddCached is Add for a request that read cachedTokens of its input
// tokens from a prompt cache.
func (t *Tally) AddCached(o Outcome, inputTokens, outputTokens, cachedTokens int64) {
	switch o {
	case OutcomeSucceeded:
		t.Succeeded++
		t.InputTokens += inputTokens
		t.OutputTokens += outputTokens
		t.CachedTokens += cachedTokens
	case OutcomeFailed:
		t.Failed++
	case OutcomeExpired:
		t.Expired++
	case OutcomeDropped:
		t.Dropped++
	}
}

func (t *Tally) fields() [7]*int64 {
	return [7]*int64{&t.Succeeded, &t.Failed, &t.Expired, &t.Dropped, &t.InputTokens, &t.OutputTokens, &t.CachedTokens}
}

// TallyWriter writes a tally file: record i is the tally of requests 0..i,
// so the tally of any prefix is one fixed-size read away (readTally).
type TallyWriter struct {
	W     io.Writer
	Total Tally
	buf   [tallyRecordSize]byte
}

func (tw *TallyWriter) Add(o Outcome, inputTokens, outputTokens int64) error {
	return tw.AddCached(o, inputTokens, outputTokens, 0)
}

// AddCached is Add for a request that read cachedTokens of its input
// tokens from a prompt cache.
func (tw *TallyWriter) AddCached(o Outcome, inputTokens, outputTokens, cachedTokens int64) error {
	tw.Total.AddCached(o, inputTokens, outputTokens, cachedTokens)
	for i, f := range tw.Total.fields() {
		binary.LittleEndian.PutUint64(tw.buf[i*8:], uint64(*f))
	}
	_, err := tw.W.Write(tw.buf[:])
	return err
}

// ReadTally returns the tally of the first n requests from a tally file.
func ReadTally(path string, n int) (Tally, error) {
	var t Tally
	if n == 0 {
		return t, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return t, err
	}
	defer f.Close()
	var buf [tallyRecordSize]byte
	if _, err := f.ReadAt(buf[:], int64(n-1)*tallyRecordSize); err != nil {
		return t, fmt.Errorf("read tally %s at %d: %w", path, n, err)
	}
	for i, f := range t.fields() {
		*f = int64(binary.LittleEndian.Uint64(buf[i*8:]))
	}
	return t, nil
}
