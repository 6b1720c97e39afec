package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestToolsGolden")

// toolInputs are the inputs of TestToolsGolden, in testdata/tools, and
// whether each is converted with --schema (testdata/tools/schema.json).
var toolInputs = []struct {
	name   string
	schema bool
}{
	{"openai_chat", false},
	{"openai_responses", false},
	{"anthropic", false},
	{"gemini", false},
	{"simple_schema", true},
	{"openai_chat", true},
}

// TestToolsGolden converts each line of the inputs to every target, one
// converter per line (so models may differ between lines), and compares
// each converted line, or its problems, and what OutputSchema and
// OutputNative report with testdata/tools/NAME[.schema].TARGET.golden.
// Run with -update to rewrite the golden files, and read the diff.
func TestToolsGolden(t *testing.T) {
	schema, err := os.ReadFile("testdata/tools/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range toolInputs {
		lines := readLines(t, filepath.Join("testdata/tools", in.name+".jsonl"))
		for _, target := range []Target{TargetOpenAI, TargetAnthropic, TargetGemini} {
			name := in.name
			opts := ConvertOptions{Target: target, Defaults: Defaults{Model: "claude-sonnet-4-5", MaxTokens: intp(100)}}
			if in.schema {
				name += ".schema"
				opts.Schema = bytes.TrimSpace(schema)
			}
			t.Run(name+"/"+string(target), func(t *testing.T) {
				got := toolsGolden(t, opts, lines)
				path := filepath.Join("testdata/tools", name+"."+string(target)+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if got != string(want) {
					t.Errorf("%s differs (run go test -run TestToolsGolden -update and read the diff):\n%s", path, lineDiff(string(want), got))
				}
			})
		}
	}
}

// toolsGolden converts each line with a converter of its own and renders
// the results.
func toolsGolden(t *testing.T, opts ConvertOptions, lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		c := NewConverter("in.jsonl", opts)
		out, id, ok := c.Convert(1, []byte(line))
		fmt.Fprintf(&b, "# %s\n", id)
		if !ok {
			_, err := c.Finish()
			fmt.Fprintf(&b, "refused: %v\n\n", err)
			continue
		}
		if !json.Valid(out) {
			t.Errorf("%s: not valid JSON: %s", id, out)
		}
		how := "none"
		switch {
		case c.OutputSchema() != nil && c.OutputNative():
			how = "native"
		case c.OutputSchema() != nil:
			how = "not native"
		}
		fmt.Fprintf(&b, "%s\noutput schema (%s): %s\n\n", out, how, c.OutputSchema())
	}
	return b.String()
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	return lines
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, wl, gl)
		}
	}
	return ""
}
