package providers

import (
	"errors"
	"strings"
	"testing"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func testConfig() *config.Config {
	return &config.Config{Providers: map[string]*config.Profile{
		"openai": {
			Name: "openai", Type: config.TypeOpenAI, BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY",
			APIKey: "sk-secret", AuthHeader: config.AuthBearer, MaxRequests: 50_000, MaxBytes: 200 * config.MB,
			CompletionWindow: "24h", BuiltIn: true,
		},
		"groq": {
			Name: "groq", Type: config.TypeOpenAI, BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY",
			AuthHeader: config.AuthBearer, MaxRequests: 1000, MaxBytes: 100 * config.MiB, CompletionWindow: "24h",
		},
		"emulator": {
			Name: "emulator", Type: config.TypeEmulator, AuthHeader: config.AuthBearer, MaxRequests: 50_000,
			MaxBytes: 200 * config.MB, CompletionWindow: "24h", BuiltIn: true,
		},
		"bare": {Name: "bare", Type: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8080/v1", MaxRequests: 10, MaxBytes: 1500},
	}}
}

func run(t *testing.T, tty bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdoutTTY(tty)
	f := &cmdutil.Factory{IOStreams: ios, Config: func() (*config.Config, error) { return testConfig(), nil }}
	cmd := NewCmdProviders(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(errOut)
	cmd.SetErr(errOut)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestProviders(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		args []string
		want string
	}{
		{
			name: "piped: TSV in bytes with the variable",
			want: "bare\topenai\thttp://127.0.0.1:8080/v1\t10\t1500\tmissing\t\n" +
				"emulator\temulator\t\t50000\t200000000\tnot needed\t\n" +
				"groq\topenai\thttps://api.groq.com/openai/v1\t1000\t104857600\tmissing\tGROQ_API_KEY\n" +
				"openai\topenai\thttps://api.openai.com/v1\t50000\t200000000\tset\tOPENAI_API_KEY\n",
		},
		{
			name: "terminal: a table, the URL cut to 80 columns", tty: true,
			want: "NAME      TYPE      KEY                      MAX REQUESTS  MAX BYTES  BASE URL\n" +
				"bare      openai    missing                  10            1500       http://12…\n" +
				"emulator  emulator  not needed               50000         200MB      -\n" +
				"groq      openai    missing ($GROQ_API_KEY)  1000          100MiB     https://a…\n" +
				"openai    openai    set                      50000         200MB      https://a…\n",
		},
		{
			name: "jq", args: []string{"--jq", `.[] | select(.key == "missing") | .name`},
			want: "bare\ngroq\n",
		},
		{
			name: "json", args: []string{"--json", "--jq", ".[3]"},
			want: `{"api_key_env":"OPENAI_API_KEY","auth_header":"bearer","base_url":"https://api.openai.com/v1","built_in":true,` +
				`"completion_window":"24h","credentials":"","key":"set","max_bytes":200000000,"max_requests":50000,"mode":"batch","name":"openai","type":"openai"}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := run(t, tt.tty, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.want || errOut != "" {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %q", out, tt.want, errOut)
			}
			if strings.Contains(out, "sk-secret") {
				t.Error("an API key was printed")
			}
		})
	}
}

func TestProvidersJSONIsAnArray(t *testing.T) {
	out, _, err := run(t, false, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, `[{"name":"bare","type":"openai",`) || strings.Count(out, `"name":`) != 4 {
		t.Errorf("stdout = %s", out)
	}
}

func TestProvidersConfigError(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	boom := errors.New("reading config.yaml: bad")
	cmd := NewCmdProviders(&cmdutil.Factory{IOStreams: ios, Config: func() (*config.Config, error) { return nil, boom }}, nil)
	cmd.SetArgs(nil)
	cmd.SetOut(ios.ErrOut)
	cmd.SetErr(ios.ErrOut)
	if err := cmd.Execute(); !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
}

func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, View{}, []string{
		"name", "type", "base_url", "auth_header", "api_key_env", "key",
		"max_requests", "max_bytes", "completion_window", "built_in", "mode", "credentials",
	})
}
