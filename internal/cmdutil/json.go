package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/iostreams"
)

// Exporter prints a command's data for scripts: --json writes it as JSON,
// --jq filters it through a jq expression first (and implies --json). One
// Exporter serves every command, so they all behave alike.
type Exporter struct {
	json bool
	jq   jqFlag
}

// AddJSONFlags adds --json and --jq to cmd and returns the Exporter they
// set. what names the data in the help text: "print the jobs as JSON".
func AddJSONFlags(cmd *cobra.Command, what string) *Exporter {
	e := &Exporter{}
	cmd.Flags().BoolVar(&e.json, "json", false, "print "+what+" as JSON")
	cmd.Flags().Var(&e.jq, "jq", "filter the JSON output with a jq `expression` (implies --json)")
	return e
}

// Enabled reports whether --json or --jq was given.
func (e *Exporter) Enabled() bool { return e.json || e.jq.code != nil }

// Write prints v to ios.Out. Without --jq it is one JSON document, indented
// on a terminal and compact otherwise. With --jq it is every result of the
// expression, one per line: strings raw, anything else as compact JSON.
func (e *Exporter) Write(ctx context.Context, ios *iostreams.IOStreams, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if e.jq.code == nil && ios.IsStdoutTTY() {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	if e.jq.code == nil {
		_, err := ios.Out.Write(buf.Bytes())
		return err
	}
	return e.jq.run(ctx, ios.Out, &buf)
}

// jqFlag is the value of --jq: the expression is compiled when the flag is
// parsed, so a bad one is a usage error before the command does anything.
type jqFlag struct {
	expr string
	code *gojq.Code
}

func (f *jqFlag) String() string { return f.expr }

func (f *jqFlag) Type() string { return "expression" }

// Set compiles expr. No environment is given to the expression, so $ENV
// and env cannot reveal API keys.
func (f *jqFlag) Set(expr string) error {
	q, err := gojq.Parse(expr)
	if err != nil {
		return err
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return err
	}
	f.expr, f.code = expr, code
	return nil
}

// run decodes the JSON in r and writes each result of the expression to w.
func (f *jqFlag) run(ctx context.Context, w io.Writer, r io.Reader) error {
	dec := json.NewDecoder(r)
	dec.UseNumber() // keep integers exact
	var input any
	if err := dec.Decode(&input); err != nil {
		return fmt.Errorf("decoding JSON for --jq: %w", err)
	}
	iter := f.code.RunWithContext(ctx, input)
	for {
		v, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil // `halt`: stop without an error
			}
			return fmt.Errorf("--jq: %w", err)
		}
		if err := writeJQValue(w, v); err != nil {
			return err
		}
	}
}

// writeJQValue writes one result: a string as it is, anything else as
// compact JSON, each followed by a newline.
func writeJQValue(w io.Writer, v any) error {
	if s, ok := v.(string); ok {
		_, err := io.WriteString(w, s+"\n")
		return err
	}
	b, err := gojq.Marshal(v)
	if err != nil {
		return fmt.Errorf("--jq: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
