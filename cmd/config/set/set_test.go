package set

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestSet(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		tty        bool
		wantFile   string
		wantStderr string
	}{
		{name: "quiet in a script", args: []string{"poll_interval", "30s"}, wantFile: "poll_interval: 30s\n"},
		{
			name: "a confirmation on a terminal", args: []string{"default_model", "openai/gpt-4o-mini"}, tty: true,
			wantFile: "default_model: openai/gpt-4o-mini\n", wantStderr: "✓ default_model = openai/gpt-4o-mini in HOME/config.yaml\n",
		},
		{
			name: "the environment overrides the file", args: []string{"poll_interval", "1m"}, env: map[string]string{"BATCHCTL_POLL_INTERVAL": "5s"},
			wantFile: "poll_interval: 1m\n", wantStderr: "note: BATCHCTL_POLL_INTERVAL is set in the environment and overrides this value\n",
		},
		{
			name: "a variable that is not set", args: []string{"providers.groq.api_key_env", "GROQ_KEY"},
			wantFile: "providers:\n  groq:\n    api_key_env: GROQ_KEY\n", wantStderr: "note: GROQ_KEY is not set in this environment\n",
		},
		{
			name: "a variable that is set", args: []string{"providers.groq.api_key_env", "GROQ_KEY"}, env: map[string]string{"GROQ_KEY": "gsk"},
			wantFile: "providers:\n  groq:\n    api_key_env: GROQ_KEY\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"BATCHCTL_HOME": home}
			for k, v := range tt.env {
				env[k] = v
			}
			ios, _, out, errOut := iostreams.Test()
			ios.SetStderrTTY(tt.tty)
			cmd := NewCmdSet(&cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string { return env[k] }}, nil)
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(home, "config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.wantFile {
				t.Errorf("config.yaml = %q, want %q", got, tt.wantFile)
			}
			if want := replaceHome(tt.wantStderr, home); errOut.String() != want || out.Len() > 0 {
				t.Errorf("stderr = %q, want %q; stdout %q", errOut, want, out)
			}
		})
	}
}

func replaceHome(s, home string) string {
	return strings.ReplaceAll(s, "HOME/config.yaml", filepath.Join(home, "config.yaml"))
}

func TestSetRefused(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantErr  string
		wantHint string
	}{
		{
			name: "api key", args: []string{"providers.openai.api_key", "sk-secret"},
			wantErr:  "providers.openai.api_key: batchctl never writes API keys to a file",
			wantHint: "keep the key in an environment variable and name it: batchctl config set providers.openai.api_key_env VAR",
		},
		{name: "invalid value", args: []string{"poll_interval", "soon"}, wantErr: `poll_interval: invalid duration "soon" (want e.g. 30s, 5m, 1h)`},
		{name: "unknown key", args: []string{"colour", "red"}, wantErr: `unknown key "colour"`, wantHint: "run 'batchctl config list' to see every key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			ios, _, _, _ := iostreams.Test()
			cmd := NewCmdSet(&cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string {
				return map[string]string{"BATCHCTL_HOME": home}[k]
			}}, nil)
			cmd.SetArgs(tt.args)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			var ue *cmdutil.UsageError
			if !errors.As(err, &ue) || err.Error() != tt.wantErr || ue.Hint != tt.wantHint {
				t.Fatalf("err = %v (%T), want UsageError %q with hint %q", err, err, tt.wantErr, tt.wantHint)
			}
			if _, err := os.Stat(filepath.Join(home, "config.yaml")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("config.yaml was written: %v", err)
			}
		})
	}
}

func TestSetUnwritable(t *testing.T) {
	// BATCHCTL_HOME is a file: an I/O error (exit 1), not a usage error
	home := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(home, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdSet(&cmdutil.Factory{IOStreams: ios, Getenv: func(k string) string {
		return map[string]string{"BATCHCTL_HOME": home}[k]
	}}, nil)
	cmd.SetArgs([]string{"poll_interval", "30s"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	var ue *cmdutil.UsageError
	if err == nil || errors.As(err, &ue) {
		t.Fatalf("err = %v (%T), want an I/O error", err, err)
	}
}

func TestNewCmdSetArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdSet(&cmdutil.Factory{IOStreams: ios}, nil)
	cmd.SetArgs([]string{"poll_interval"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	var fe *cmdutil.FlagError
	if !errors.As(err, &fe) || err.Error() != "want a key and a value: batchctl config set <key> <value>" {
		t.Errorf("err = %v", err)
	}
}
