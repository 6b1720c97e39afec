package list

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/cmdutil"
	"github.com/batchctl/batchctl/internal/cmdutil/jsonfieldstest"
	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/iostreams"
)

func testConfig() *config.Config {
	return &config.Config{
		PollInterval: 10 * time.Second, EmulatorDuration: 3 * time.Second, RetryAttempts: 5, RetryMaxWait: time.Minute, HTTPIdleTimeout: time.Minute,
		Registry: "postgres://alice:s3cret@db.example/batchctl",
		Providers: map[string]*config.Profile{
			"openai": {
				Name: "openai", Type: config.TypeOpenAI, BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY",
				APIKey: "sk-secret", AuthHeader: config.AuthBearer, MaxRequests: 50_000, MaxBytes: 200 * config.MB, CompletionWindow: "24h",
			},
		},
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		args []string
		want string
	}{
		{
			name: "piped: key<TAB>value",
			want: "default_model\t\npoll_interval\t10s\nemulator_duration\t3s\nemulator_faults\t\nemulator_limits\t\nretry_attempts\t5\nretry_max_wait\t1m\nhttp_idle_timeout\t1m\nmax_cost\t0\nregistry\tpostgres://alice:xxxxx@db.example/batchctl\nfiles\t\n" +
				"providers.openai.type\topenai\nproviders.openai.base_url\thttps://api.openai.com/v1\n" +
				"providers.openai.api_key_env\tOPENAI_API_KEY\nproviders.openai.api_key\t(set)\n" +
				"providers.openai.auth_header\tbearer\nproviders.openai.max_requests\t50000\n" +
				"providers.openai.max_bytes\t200MB\nproviders.openai.completion_window\t24h\n",
		},
		{
			name: "terminal: aligned", tty: true,
			want: "KEY                                 VALUE\n" +
				"default_model\n" +
				"poll_interval                       10s\n" +
				"emulator_duration                   3s\n" +
				"emulator_faults\n" +
				"emulator_limits\n" +
				"retry_attempts                      5\n" +
				"retry_max_wait                      1m\n" +
				"http_idle_timeout                   1m\n" +
				"max_cost                            0\n" +
				"registry                            postgres://alice:xxxxx@db.example/batchctl\n" +
				"files\n" +
				"providers.openai.type               openai\n" +
				"providers.openai.base_url           https://api.openai.com/v1\n" +
				"providers.openai.api_key_env        OPENAI_API_KEY\n" +
				"providers.openai.api_key            (set)\n" +
				"providers.openai.auth_header        bearer\n" +
				"providers.openai.max_requests       50000\n" +
				"providers.openai.max_bytes          200MB\n" +
				"providers.openai.completion_window  24h\n",
		},
		{
			name: "json: shaped like config.yaml", args: []string{"--json"},
			want: `{"default_model":"","poll_interval":"10s","emulator_duration":"3s","emulator_faults":"","emulator_limits":"","retry_attempts":5,"retry_max_wait":"1m","http_idle_timeout":"1m","max_cost":0,"registry":"postgres://alice:xxxxx@db.example/batchctl","files":"",` +
				`"providers":{"openai":{"type":"openai","base_url":"https://api.openai.com/v1","api_key_env":"OPENAI_API_KEY",` +
				`"api_key":"(set)","auth_header":"bearer","max_requests":50000,"max_bytes":"200MB","completion_window":"24h","beta":"","bucket":"","role_arn":"","region":"","aws_profile":"","project":"","location":""}}}` + "\n",
		},
		{name: "jq", args: []string{"--jq", ".providers.openai.max_requests"}, want: "50000\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetStdoutTTY(tt.tty)
			cmd := NewCmdList(&cmdutil.Factory{IOStreams: ios, Config: func() (*config.Config, error) { return testConfig(), nil }}, nil)
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want || errOut.Len() > 0 {
				t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %q", out, tt.want, errOut)
			}
			if strings.Contains(out.String(), "sk-secret") {
				t.Error("an API key was printed")
			}
			if strings.Contains(out.String(), "s3cret") {
				t.Error("the registry's password was printed")
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	jsonfieldstest.Equal(t, View{}, []string{
		"default_model", "poll_interval", "emulator_duration", "emulator_faults", "emulator_limits", "retry_attempts", "retry_max_wait", "http_idle_timeout", "max_cost", "registry", "files", "providers",
	})
	jsonfieldstest.Equal(t, ProfileView{}, []string{
		"type", "base_url", "api_key_env", "api_key", "auth_header", "max_requests", "max_bytes", "completion_window", "beta",
		"bucket", "role_arn", "region", "aws_profile", "project", "location",
	})
}

// The JSON view must carry every key config get knows, so a new key cannot
// be left out of config list --json.
func TestViewHasEveryKey(t *testing.T) {
	top := jsonfieldstest.Fields(View{})
	for _, k := range config.Keys {
		if !slices.Contains(top, k) {
			t.Errorf("View has no field for the key %q", k)
		}
	}
	if got := jsonfieldstest.Fields(ProfileView{}); !slices.Equal(got, config.ProfileFields()) {
		t.Errorf("ProfileView fields %q, want the profile fields %q", got, config.ProfileFields())
	}
}
