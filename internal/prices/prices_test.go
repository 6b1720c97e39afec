package prices

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookupAliases(t *testing.T) {
	tab := Builtin()
	tests := []struct{ provider, model, want string }{
		{"openai", "gpt-4o", "gpt-4o"},
		{"openai", "gpt-4o-2024-08-06", "gpt-4o"},
		{"openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{"anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		{"anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4-0"},
		{"anthropic", "claude-3-5-haiku-latest", "claude-3-5-haiku"},
		{"gemini", "models/gemini-2.5-flash", "gemini-2.5-flash"},
		{"gemini", "gemini-2.0-flash-001", "gemini-2.0-flash"},
		{"openai", "ft:gpt-4o-mini:org::abc", ""},
		{"openai", "gpt-4o-mini-realtime", ""},
		{"anthropic", "gpt-4o", ""},
	}
	for _, tt := range tests {
		r, ok := tab.Lookup(tt.provider, tt.model)
		if got := r.Model; got != tt.want || ok != (tt.want != "") {
			t.Errorf("Lookup(%s, %s) = %q, %v; want %q", tt.provider, tt.model, got, ok, tt.want)
		}
	}
}

func TestBuiltinRowsComplete(t *testing.T) {
	for _, r := range Builtin().Rows() {
		if r.Source == "" || r.Date == "" || r.Input <= 0 || r.BatchInput <= 0 || r.BatchInput > r.Input || r.BatchOutput > r.Output {
			t.Errorf("row %s/%s: incomplete or inconsistent: %+v", r.Provider, r.Model, r)
		}
	}
}

func TestLoadOverride(t *testing.T) {
	home := t.TempDir()
	file := `
- model: gpt-4o
  input: 3
- provider: emulator
  model: echo
  input: 1
  output: 2
  max_output: 100
`
	if err := os.WriteFile(filepath.Join(home, FileName), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	tab, err := Load(home)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := tab.Lookup("openai", "gpt-4o")
	if r.Input != 3 || r.Output != 10 || r.Origin != filepath.Join(home, FileName) {
		t.Errorf("gpt-4o after override = %+v", r)
	}
	e, ok := tab.Lookup("emulator", "echo")
	if !ok || e.BatchInput != 1 || e.BatchOutput != 2 || e.MaxOutput != 100 || !e.Confirmed {
		t.Errorf("emulator/echo = %+v, %v", e, ok)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, file := range map[string]string{
		"not a list":       "model: x\n",
		"no model":         "- input: 1\n",
		"new without rate": "- provider: x\n  model: y\n",
		"new w/o provider": "- model: nothing-like-it\n  input: 1\n",
		"misspelt field":   "- model: gpt-4o\n  inptu: 1\n",
	} {
		home := t.TempDir()
		os.WriteFile(filepath.Join(home, FileName), []byte(file), 0o600)
		if _, err := Load(home); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
