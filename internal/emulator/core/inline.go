package core

import (
	"context"
	"io"
	"os"
)

// KeepRequest stores one request of a batch being created: its line as
// received, and what becomes of it.
type KeepRequest func(line []byte, o Outcome, inputTokens, outputTokens int64) error

// StoreRequests writes the companions of a batch whose requests come in its
// create body (Anthropic's and OpenRouter's shape): read passes each
// request to keep, which writes its line to requestsPath, its running tally
// to tallyPath (TallyWriter) and counts it in tl. Once both files are in
// place, record gets the tally of all requests and writes the batch record,
// last, so that a stored record always has its companions. Nothing is left
// behind when read or record fails.
func StoreRequests(tl *Timeline, requestsPath, tallyPath string, read func(keep KeepRequest) error, record func(total Tally) error) (err error) {
	requests, err := CreateAtomic(requestsPath)
	if err != nil {
		return err
	}
	defer requests.Abort()
	tallies, err := CreateAtomic(tallyPath)
	if err != nil {
		return err
	}
	defer tallies.Abort()
	tw := &TallyWriter{W: tallies}
	err = read(func(line []byte, o Outcome, in, out int64) error {
		tl.Requests++
		tl.Expiring = tl.Expiring || o == OutcomeExpired
		if _, err := requests.Write(line); err != nil {
			return err
		}
		return tw.Add(o, in, out)
	})
	if err != nil {
		return err
	}
	if err := requests.Commit(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(requestsPath)
			os.Remove(tallyPath)
		}
	}()
	if err := tallies.Commit(); err != nil {
		return err
	}
	return record(tw.Total)
}

// WriteResultsOnce writes the results file at path from the requests
// StoreRequests stored at requestsPath, unless it exists already: result
// gets request i (its line lineNo) and writes its result line to w, or
// nothing. Every process that does it writes the same bytes through a
// rename, so concurrent writers are harmless.
func WriteResultsOnce(ctx context.Context, path, requestsPath string, result func(w io.Writer, i, lineNo int, line []byte) error) error {
	if done, err := FileExists(path); err != nil || done {
		return err
	}
	in, err := os.Open(requestsPath)
	if err != nil {
		return err
	}
	defer in.Close()
	return WriteAtomic(path, func(w io.Writer) error {
		i := 0
		return ForEachLine(ctx, in, func(lineNo int, line []byte) error {
			i++
			return result(w, i-1, lineNo, line)
		})
	})
}
