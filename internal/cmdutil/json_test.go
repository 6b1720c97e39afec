package cmdutil

import (
	"context"
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/batchctl/batchctl/internal/iostreams"
)

type sample struct {
	ID     string         `json:"id"`
	Big    int64          `json:"big"`
	Note   string         `json:"note"`
	Items  []sampleItem   `json:"items"`
	Extras map[string]int `json:"extras"`
}

type sampleItem struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

var sampleValue = sample{
	ID:    "j1",
	Big:   9007199254740993, // not exact as a float64
	Note:  "a <b> & \"c\"",
	Items: []sampleItem{{"x", 1}, {"y", 2}},
}

// runExporter parses args as a command with the JSON flags would and
// writes sampleValue through the Exporter.
func runExporter(t *testing.T, args []string, tty bool) (enabled bool, out string, err error) {
	t.Helper()
	ios, _, stdout, _ := iostreams.Test()
	ios.SetStdoutTTY(tty)
	cmd := &cobra.Command{Use: "x", Args: cobra.ArbitraryArgs, RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &FlagError{Err: err} })
	e := AddJSONFlags(cmd, "the thing", sample{})
	cmd.SetArgs(args)
	cmd.SetOut(ios.ErrOut)
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); err != nil {
		return false, "", err
	}
	if e.Enabled() {
		err = e.Write(context.Background(), ios, sampleValue)
	}
	return e.Enabled(), stdout.String(), err
}

func TestExporter(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		tty     bool
		enabled bool
		want    string
	}{
		{name: "no flag", enabled: false, want: ""},
		{
			name: "json in a pipe: compact, exact integers, no HTML escaping", args: []string{"--json"}, enabled: true,
			want: `{"id":"j1","big":9007199254740993,"note":"a <b> & \"c\"","items":[{"name":"x","n":1},{"name":"y","n":2}],"extras":null}` + "\n",
		},
		{
			name: "json on a terminal: indented", args: []string{"--json"}, tty: true, enabled: true,
			want: "{\n  \"id\": \"j1\",\n  \"big\": 9007199254740993,\n  \"note\": \"a <b> & \\\"c\\\"\",\n  \"items\": [\n" +
				"    {\n      \"name\": \"x\",\n      \"n\": 1\n    },\n    {\n      \"name\": \"y\",\n      \"n\": 2\n    }\n  ],\n" +
				"  \"extras\": null\n}\n",
		},
		{name: "jq implies json; strings are raw", args: []string{"--jq", ".note"}, enabled: true, want: "a <b> & \"c\"\n"},
		{name: "jq results one per line", args: []string{"--jq", ".items[].name"}, enabled: true, want: "x\ny\n"},
		{
			name: "jq objects are compact, even on a terminal", args: []string{"--jq", ".items[]"}, tty: true, enabled: true,
			want: `{"n":1,"name":"x"}` + "\n" + `{"n":2,"name":"y"}` + "\n",
		},
		{name: "jq keeps integers exact", args: []string{"--jq", ".big"}, enabled: true, want: "9007199254740993\n"},
		{name: "jq null and numbers", args: []string{"--jq", ".extras, (.items | length)"}, enabled: true, want: "null\n2\n"},
		{name: "jq sees no environment", args: []string{"--jq", "$ENV | length"}, enabled: true, want: "0\n"},
		{name: "jq halt stops quietly", args: []string{"--jq", ".id, halt, .note"}, enabled: true, want: "j1\n"},
		{name: "json and jq together", args: []string{"--json", "--jq", ".id"}, enabled: true, want: "j1\n"},
		{name: "fields: only these, in this order", args: []string{"--json=note,id"}, enabled: true, want: `{"note":"a <b> & \"c\"","id":"j1"}` + "\n"},
		{name: "fields then jq", args: []string{"--json=id,big", "--jq", "keys | join(\",\")"}, enabled: true, want: "big,id\n"},
		{name: "bare json before an argument takes no value", args: []string{"--json", "id"}, enabled: true, want: `{"id":"j1","big":9007199254740993,"note":"a <b> & \"c\"","items":[{"name":"x","n":1},{"name":"y","n":2}],"extras":null}` + "\n"},
		{name: "json=false is off", args: []string{"--json=false"}, enabled: false, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enabled, out, err := runExporter(t, tt.args, tt.tty)
			if err != nil {
				t.Fatal(err)
			}
			if enabled != tt.enabled {
				t.Errorf("Enabled() = %v, want %v", enabled, tt.enabled)
			}
			if out != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}

func TestExporterErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		flagErr bool
		wantErr string
		wantOut string
	}{
		{
			name: "syntax error is a flag error", args: []string{"--jq", ".items["}, flagErr: true,
			wantErr: `invalid argument ".items[" for "--jq" flag: unexpected EOF`,
		},
		{
			name: "unknown function is a flag error", args: []string{"--jq", "nosuch(1)"}, flagErr: true,
			wantErr: `invalid argument "nosuch(1)" for "--jq" flag: function not defined: nosuch/1`,
		},
		{
			name: "unknown field lists the valid ones", args: []string{"--json=id,nosuch"}, flagErr: true,
			wantErr: `invalid argument "id,nosuch" for "--json" flag: unknown JSON field "nosuch"; valid fields: id, big, note, items, extras`,
		},
		{
			name: "runtime error after the results before it", args: []string{"--jq", ".id, .items.name"},
			wantErr: `--jq: expected an object but got: array ([{"n":1,"name":"x"},{"n": ...])`, wantOut: "j1\n",
		},
		{
			name: "error raised by the expression", args: []string{"--jq", `error("stop")`},
			wantErr: "--jq: error: stop",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out, err := runExporter(t, tt.args, false)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			var fe *FlagError
			if errors.As(err, &fe) != tt.flagErr {
				t.Errorf("err is %T; want a FlagError: %v", err, tt.flagErr)
			}
			if out != tt.wantOut {
				t.Errorf("output %q, want %q", out, tt.wantOut)
			}
		})
	}
}

func TestExporterFieldsOfArray(t *testing.T) {
	ios, _, stdout, _ := iostreams.Test()
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	e := AddJSONFlags(cmd, "the things", []sample{})
	cmd.SetArgs([]string{"--json=id"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(context.Background(), ios, []sample{{ID: "a"}, {ID: "b"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := stdout.String(), `[{"id":"a"},{"id":"b"}]`+"\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if err := e.CheckFields(sampleItem{}); err == nil || err.Error() != `unknown JSON field "id"; valid fields: name, n` {
		t.Errorf("CheckFields: %v", err)
	}
}

func TestExporterColor(t *testing.T) {
	ios, _, stdout, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetColorEnabled(true)
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	e := AddJSONFlags(cmd, "the thing", sample{})
	cmd.SetArgs([]string{"--json=id,big,extras,items"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	v := sample{ID: `j"1`, Big: -2, Items: []sampleItem{}}
	if err := e.Write(context.Background(), ios, v); err != nil {
		t.Fatal(err)
	}
	const (
		d = "\x1b[1m"
		k = "\x1b[1;34m"
		s = "\x1b[32m"
		n = "\x1b[36m"
		z = "\x1b[90m"
		r = "\x1b[0m"
	)
	want := d + "{" + r + "\n  " + k + `"id"` + r + d + ":" + r + " " + s + `"j\"1"` + r + d + "," + r +
		"\n  " + k + `"big"` + r + d + ":" + r + " " + n + "-2" + r + d + "," + r +
		"\n  " + k + `"extras"` + r + d + ":" + r + " " + z + "null" + r + d + "," + r +
		"\n  " + k + `"items"` + r + d + ":" + r + " " + d + "[" + r + d + "]" + r + "\n" + d + "}" + r + "\n"
	if got := stdout.String(); got != want {
		t.Errorf("output\n%q\nwant\n%q", got, want)
	}
}
