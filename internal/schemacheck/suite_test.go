package schemacheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/batchctl/batchctl/internal/providers"
)

// suiteGroup is one group of the JSON Schema Test Suite: a schema and
// instances that are or are not valid against it.
type suiteGroup struct {
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Tests       []struct {
		Description string          `json:"description"`
		Data        json.RawMessage `json:"data"`
		Valid       bool            `json:"valid"`
	} `json:"tests"`
}

// TestSuite runs the vendored cases of the official test suite through
// Check: each instance, as the text of a succeeded result, must come out
// valid or not as the suite says, and parsed must be the instance.
func TestSuite(t *testing.T) {
	files, err := filepath.Glob("testdata/JSON-Schema-Test-Suite/tests/draft2020-12/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite files: %v", err)
	}
	cases := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var groups []suiteGroup
		if err := json.Unmarshal(b, &groups); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, g := range groups {
			s, err := Compile("suite.json", g.Schema)
			if err != nil {
				t.Errorf("%s: %s: compiling: %v", filepath.Base(file), g.Description, err)
				continue
			}
			for _, c := range g.Tests {
				cases++
				text := string(c.Data)
				r := providers.Result{Status: providers.ResultSucceeded, Text: &text}
				Check(&r, s, true)
				if r.Valid == nil || *r.Valid != c.Valid {
					t.Errorf("%s: %s: %s: %s, want valid %v",
						filepath.Base(file), g.Description, c.Description, show(&r), c.Valid)
					continue
				}
				if !jsonEqual(t, r.Parsed, c.Data) {
					t.Errorf("%s: %s: %s: parsed %s, want %s", filepath.Base(file), g.Description, c.Description, r.Parsed, c.Data)
				}
				if c.Valid != (r.OutputError == nil) {
					t.Errorf("%s: %s: %s: output_error %s with valid %v", filepath.Base(file), g.Description, c.Description, r.OutputError, c.Valid)
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestSuiteFastPath holds the quick confirmation to the suite: it never
// confirms an instance the suite calls invalid, and it does confirm a
// good share of the valid ones (else it would be dead weight).
func TestSuiteFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/JSON-Schema-Test-Suite/tests/draft2020-12/*.json")
	confirmed, validCases := 0, 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var groups []suiteGroup
		if err := json.Unmarshal(b, &groups); err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			s, err := Compile("suite.json", g.Schema)
			if err != nil {
				continue
			}
			for _, c := range g.Tests {
				if c.Valid {
					validCases++
				}
				if !s.confirm(c.Data) {
					continue
				}
				confirmed++
				if !c.Valid {
					t.Errorf("%s: %s: %s: confirmed an invalid instance %s", filepath.Base(file), g.Description, c.Description, c.Data)
				}
			}
		}
	}
	t.Logf("confirmed %d of %d valid instances", confirmed, validCases)
	if confirmed < validCases/4 {
		t.Errorf("confirmed only %d of %d valid instances", confirmed, validCases)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}
