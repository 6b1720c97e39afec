package get

import (
	"errors"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func TestGet(t *testing.T) {
	cfg := &config.Config{
		DefaultModel: "openai/gpt-4o-mini", PollInterval: 30 * time.Second,
		Providers: map[string]*config.Profile{
			"openai": {Name: "openai", Type: config.TypeOpenAI, APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-secret", MaxBytes: 200 * config.MB},
			"groq":   {Name: "groq", Type: config.TypeOpenAI, APIKeyEnv: "GROQ_API_KEY"},
		},
	}
	tests := []struct {
		name     string
		args     []string
		want     string
		wantErr  string
		wantHint string
		usage    bool // a *cmdutil.UsageError (exit 2) rather than a FlagError
	}{
		{name: "top-level", args: []string{"default_model"}, want: "openai/gpt-4o-mini\n"},
		{name: "duration", args: []string{"poll_interval"}, want: "30s\n"},
		{name: "size", args: []string{"providers.openai.max_bytes"}, want: "200MB\n"},
		{name: "a key that is set is never shown", args: []string{"providers.openai.api_key"}, want: "(set)\n"},
		{name: "a missing key names its variable", args: []string{"providers.groq.api_key"}, want: "(not set, $GROQ_API_KEY)\n"},
		{
			name: "unknown key", args: []string{"colour"}, usage: true,
			wantErr: `unknown key "colour"`, wantHint: "run 'batchctl config list' to see every key",
		},
		{
			name: "unknown provider", args: []string{"providers.nope.type"}, usage: true,
			wantErr: `unknown provider "nope" (known: groq, openai)`, wantHint: "run 'batchctl config list' to see every key",
		},
		{name: "no key", args: nil, wantErr: "which key? batchctl config get <key> (batchctl config list shows them all)"},
		{name: "two keys", args: []string{"a", "b"}, wantErr: `too many arguments: ["b"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Config: func() (*config.Config, error) { return cfg, nil }}
			cmd := NewCmdGet(f, nil)
			cmd.SetArgs(tt.args)
			cmd.SetOut(errOut)
			cmd.SetErr(errOut)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *cmdutil.UsageError
				var fe *cmdutil.FlagError
				ok := tt.usage && errors.As(err, &ue) && ue.Hint == tt.wantHint || !tt.usage && errors.As(err, &fe)
				if !ok || err.Error() != tt.wantErr {
					t.Fatalf("err = %v (%T), want %q (usage error: %v, hint %q)", err, err, tt.wantErr, tt.usage, tt.wantHint)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("stdout = %q, want %q", out, tt.want)
			}
		})
	}
}
