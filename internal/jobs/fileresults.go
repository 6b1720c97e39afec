package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/schemacheck"
)

// FileResults calls fn with the normalized result of every line of in, a
// file named name in p's own results format (a download kept elsewhere, or
// `results --raw`), as for a batch that is not in the registry: Job and
// BatchID are empty, Provider is p's name and Model what the response
// reports. Every line yields one result, repeated ids included; a line p
// cannot read, or one longer than MaxResultLine, is an error naming the
// file and line. The result passed to
// fn is valid only until fn returns. It returns the tally of the results.
func FileResults(ctx context.Context, p providers.Provider, in io.Reader, name string, fn func(*providers.Result) error) (Tally, error) {
	tally := Tally{}
	rd := newResultReader(in)
	var r providers.Result // one for all lines: fn gets a pointer to it
	for {
		if err := ctx.Err(); err != nil {
			return tally, err
		}
		line, err := nextResult(rd)
		if errors.Is(err, io.EOF) {
			return tally, nil
		}
		var tooLong *jsonl.LineError
		if errors.As(err, &tooLong) && errors.Is(err, jsonl.ErrLineTooLong) {
			return tally, fmt.Errorf("%s: %w", name, &ResultsTooLargeError{Line: tooLong.Line, Limit: MaxResultLine})
		}
		if err != nil {
			return tally, fmt.Errorf("reading %s: %w", name, err)
		}
		if r, err = p.Normalize(line); err != nil {
			return tally, fmt.Errorf("%s:%d: %w", name, rd.Line(), err)
		}
		r.Job, r.Provider, r.BatchID = "", p.Name(), ""
		r.NormalizeFinish()
		schemacheck.Check(&r, nil, false) // tool calls whose arguments were not JSON
		tally[r.Status]++
		if err := fn(&r); err != nil {
			return tally, err
		}
	}
}
