package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/iostreams"
)

// Exporter prints a command's data for scripts: --json writes it as JSON,
// --jq filters it through a jq expression first (and implies --json). One
// Exporter serves every command, so they all behave alike.
type Exporter struct {
	json jsonFlag
	jq   jqFlag
}

// AddJSONFlags adds --json and --jq to cmd and returns the Exporter they
// set. what names the data in the help text: "print the jobs as JSON".
// sample is a value of the printed type (for a list, of one element): its
// top-level JSON keys are the fields --json=a,b may select.
func AddJSONFlags(cmd *cobra.Command, what string, sample any) *Exporter {
	e := &Exporter{json: jsonFlag{valid: FieldsOf(sample)}}
	fl := cmd.Flags().VarPF(&e.json, "json", "", "print "+what+" as JSON; --json=id,status prints only these fields")
	fl.NoOptDefVal = "true"
	cmd.Flags().Var(&e.jq, "jq", "filter the JSON output with a jq `expression` (implies --json)")
	return e
}

// Enabled reports whether --json or --jq was given.
func (e *Exporter) Enabled() bool { return e.json.on || e.jq.code != nil }

// CheckFields is a usage error unless every field --json selected is a
// key of sample, for a command whose output type depends on its flags.
func (e *Exporter) CheckFields(sample any) error {
	return checkFields(e.json.fields, FieldsOf(sample))
}

// FieldsOf lists the top-level JSON keys of v's type (of its elements for
// a slice), in the order encoding/json writes them.
func FieldsOf(v any) []string {
	t := reflect.TypeOf(v)
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// jsonFlag is the value of --json: bare, every field; --json=a,b, only
// those (checked when parsed, so a typo is a usage error up front).
type jsonFlag struct {
	on     bool
	fields []string
	valid  []string
}

func (f *jsonFlag) String() string {
	if !f.on {
		return "false"
	}
	if f.fields == nil {
		return "true"
	}
	return strings.Join(f.fields, ",")
}

// Type is "bool" so that help shows a plain --json, as before fields.
func (f *jsonFlag) Type() string { return "bool" }

func (f *jsonFlag) Set(s string) error {
	switch s {
	case "true":
		f.on, f.fields = true, nil
		return nil
	case "false":
		f.on, f.fields = false, nil
		return nil
	}
	fields := strings.Split(s, ",")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	if err := checkFields(fields, f.valid); err != nil {
		return err
	}
	f.on, f.fields = true, fields
	return nil
}

func checkFields(fields, valid []string) error {
	for _, name := range fields {
		if !slices.Contains(valid, name) {
			return fmt.Errorf("unknown JSON field %q; valid fields: %s", name, strings.Join(valid, ", "))
		}
	}
	return nil
}

// Write prints v to ios.Out. Without --jq it is one JSON document, indented
// on a terminal and compact otherwise. With --jq it is every result of the
// expression, one per line: strings raw, anything else as compact JSON.
// On a terminal with colour, the indented JSON is coloured.
func (e *Exporter) Write(ctx context.Context, ios *iostreams.IOStreams, v any) error {
	return e.write(ctx, ios, v, ios.IsStdoutTTY())
}

// WriteLine is Write for one record of a stream (JSON Lines): always
// compact, one line, so the stream stays one object per line.
func (e *Exporter) WriteLine(ctx context.Context, ios *iostreams.IOStreams, v any) error {
	return e.write(ctx, ios, v, false)
}

func (e *Exporter) write(ctx context.Context, ios *iostreams.IOStreams, v any, indent bool) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	if e.json.fields != nil {
		if b, err = selectFields(b, e.json.fields); err != nil {
			return fmt.Errorf("encoding JSON: %w", err)
		}
	}
	if e.jq.code != nil {
		return e.jq.run(ctx, ios.Out, bytes.NewReader(b))
	}
	if !indent {
		_, err := ios.Out.Write(append(b, '\n'))
		return err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	buf.WriteByte('\n')
	if ios.ColorEnabled() {
		_, err = io.WriteString(ios.Out, colorJSON(buf.Bytes()))
		return err
	}
	_, err = ios.Out.Write(buf.Bytes())
	return err
}

// marshal is compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// selectFields keeps only fields of the object b (of each object, if b is
// an array), in the order they were asked for.
func selectFields(b []byte, fields []string) ([]byte, error) {
	if len(b) > 0 && b[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, err
		}
		out := []byte{'['}
		for i, item := range items {
			sel, err := selectFields(item, fields)
			if err != nil {
				return nil, err
			}
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, sel...)
		}
		return append(out, ']'), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	out := []byte{'{'}
	for i, name := range fields {
		if i > 0 {
			out = append(out, ',')
		}
		key, _ := marshal(name)
		out = append(append(out, key...), ':')
		if val, ok := obj[name]; ok {
			out = append(out, val...)
		} else {
			out = append(out, "null"...)
		}
	}
	return append(out, '}'), nil
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
