package emulator

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// outcome is what becomes of one request of a batch.
type outcome uint8

const (
	outcomeSucceeded outcome = iota
	// outcomeFailed: answered with an HTTP error status, or a non-HTTP error.
	outcomeFailed
	// outcomeExpired: never runs; reported as expired if the batch expires.
	outcomeExpired
	// outcomeDropped: never reported at all.
	outcomeDropped
)

// tally counts the outcomes and the token usage of the successful requests
// over the first requests of a batch.
type tally struct {
	Succeeded    int64 `json:"succeeded"`
	Failed       int64 `json:"failed"`
	Expired      int64 `json:"expired"`
	Dropped      int64 `json:"dropped"`
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

// tallyRecordSize is the size of one encoded tally: six 64-bit integers.
const tallyRecordSize = 6 * 8

func (t *tally) add(o outcome, inputTokens, outputTokens int64) {
	switch o {
	case outcomeSucceeded:
		t.Succeeded++
		t.InputTokens += inputTokens
		t.OutputTokens += outputTokens
	case outcomeFailed:
		t.Failed++
	case outcomeExpired:
		t.Expired++
	case outcomeDropped:
		t.Dropped++
	}
}

func (t *tally) fields() [6]*int64 {
	return [6]*int64{&t.Succeeded, &t.Failed, &t.Expired, &t.Dropped, &t.InputTokens, &t.OutputTokens}
}

// tallyWriter writes a tally file: record i is the tally of requests 0..i,
// so the tally of any prefix is one fixed-size read away (readTally).
type tallyWriter struct {
	w     io.Writer
	total tally
	buf   [tallyRecordSize]byte
}

func (tw *tallyWriter) add(o outcome, inputTokens, outputTokens int64) error {
	tw.total.add(o, inputTokens, outputTokens)
	for i, f := range tw.total.fields() {
		binary.LittleEndian.PutUint64(tw.buf[i*8:], uint64(*f))
	}
	_, err := tw.w.Write(tw.buf[:])
	return err
}

// readTally returns the tally of the first n requests from a tally file.
func readTally(path string, n int) (tally, error) {
	var t tally
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
