package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		key     string
		want    Key
		wantErr string
	}{
		{key: "default_model", want: Key{Field: "default_model"}},
		{key: "poll_interval", want: Key{Field: "poll_interval"}},
		{key: "providers.groq.base_url", want: Key{Profile: "groq", Field: "base_url"}},
		{key: "providers.new.api_key", want: Key{Profile: "new", Field: "api_key"}},
		{key: "providers", wantErr: `unknown key "providers"`},
		{key: "providers.groq", wantErr: `unknown key "providers.groq" (provider keys are providers.<name>.<field>)`},
		{key: "providers.groq.headers", wantErr: `unknown key "providers.groq.headers" (provider fields: type, base_url, api_key_env, api_key, auth_header, max_requests, max_bytes, completion_window, beta, bucket, role_arn, region, aws_profile, project, location)`},
		{key: "Default_Model", wantErr: `unknown key "Default_Model"`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := ParseKey(tt.key)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || got.String() != tt.key {
				t.Errorf("ParseKey = %+v (%q), %v; want %+v", got, got.String(), err, tt.want)
			}
		})
	}
}

func testConfig() *Config {
	return &Config{
		DefaultModel: "openai/gpt-4o-mini", PollInterval: 90 * time.Second, RetryAttempts: 5, RetryMaxWait: time.Minute, HTTPIdleTimeout: time.Minute,
		Providers: map[string]*Profile{
			"openai": {
				Name: "openai", Type: TypeOpenAI, BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY",
				APIKey: "sk-secret", AuthHeader: AuthBearer, MaxRequests: 50_000, MaxBytes: 200 * MB, CompletionWindow: "24h",
			},
			"emulator": {Name: "emulator", Type: TypeEmulator, AuthHeader: AuthBearer, MaxRequests: 10, MaxBytes: 1536 * KiB, CompletionWindow: "24h"},
		},
	}
}

func TestGet(t *testing.T) {
	cfg := testConfig()
	tests := []struct{ key, want, wantErr string }{
		{key: "default_model", want: "openai/gpt-4o-mini"},
		{key: "poll_interval", want: "1m30s"},
		{key: "emulator_duration", want: "0s"},
		{key: "retry_attempts", want: "5"},
		{key: "retry_max_wait", want: "1m"},
		{key: "http_idle_timeout", want: "1m"},
		{key: "providers.openai.base_url", want: "https://api.openai.com/v1"},
		{key: "providers.openai.api_key", want: "(set)"},
		{key: "providers.openai.api_key_env", want: "OPENAI_API_KEY"},
		{key: "providers.openai.max_bytes", want: "200MB"},
		{key: "providers.openai.max_requests", want: "50000"},
		{key: "providers.emulator.api_key", want: "(not needed)"},
		{key: "providers.emulator.max_bytes", want: "1536KiB"},
		{key: "providers.emulator.base_url", want: ""},
		{key: "providers.nope.type", wantErr: `unknown provider "nope" (known: emulator, openai)`},
		{key: "nope", wantErr: `unknown key "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := cfg.Get(tt.key)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Get = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSettingsNeverShowKeys(t *testing.T) {
	cfg := testConfig()
	cfg.Registry = "postgres://alice:s3cret@db.example/batchctl"
	var b strings.Builder
	for _, s := range cfg.Settings() {
		b.WriteString(s.Key + "=" + s.Value + "\n")
	}
	want := `default_model=openai/gpt-4o-mini
poll_interval=1m30s
emulator_duration=0s
emulator_faults=
emulator_limits=
retry_attempts=5
retry_max_wait=1m
http_idle_timeout=1m
max_cost=0
registry=postgres://alice:xxxxx@db.example/batchctl
files=
providers.emulator.type=emulator
providers.emulator.base_url=
providers.emulator.api_key_env=
providers.emulator.api_key=(not needed)
providers.emulator.auth_header=bearer
providers.emulator.max_requests=10
providers.emulator.max_bytes=1536KiB
providers.emulator.completion_window=24h
providers.openai.type=openai
providers.openai.base_url=https://api.openai.com/v1
providers.openai.api_key_env=OPENAI_API_KEY
providers.openai.api_key=(set)
providers.openai.auth_header=bearer
providers.openai.max_requests=50000
providers.openai.max_bytes=200MB
providers.openai.completion_window=24h
`
	if b.String() != want {
		t.Errorf("Settings:\n%s\nwant:\n%s", b.String(), want)
	}
	if strings.Contains(b.String(), "sk-secret") {
		t.Error("an API key was shown")
	}
	if strings.Contains(b.String(), "s3cret") {
		t.Error("the registry's password was shown")
	}
}

func TestAPIKeyState(t *testing.T) {
	tests := []struct {
		p    Profile
		want string
	}{
		{Profile{Type: TypeOpenAI, APIKey: "k", APIKeyEnv: "X"}, "(set)"},
		{Profile{Type: TypeOpenAI, APIKeyEnv: "GROQ_API_KEY"}, "(not set, $GROQ_API_KEY)"},
		{Profile{Type: TypeOpenAI}, "(not set)"},
		{Profile{Type: TypeEmulator}, "(not needed)"},
	}
	for _, tt := range tests {
		if got := tt.p.APIKeyState(); got != tt.want {
			t.Errorf("APIKeyState(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{200 * MB, "200MB"}, {2 * GB, "2GB"}, {GiB, "1GiB"}, {256 * MiB, "256MiB"}, {1536 * KiB, "1536KiB"},
		{1500, "1500"}, {3 * KB, "3KB"}, {1, "1"}, {0, "0"},
	}
	for _, tt := range tests {
		got := FormatBytes(tt.n)
		if got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
		if tt.n > 0 {
			if back, err := ParseBytes(got); err != nil || back != tt.n {
				t.Errorf("ParseBytes(%q) = %d, %v; want %d", got, back, err, tt.n)
			}
		}
	}
}

// Every top-level key must have a value kind and a getter: a key added to
// Keys without them fails here rather than showing up empty in config list.
func TestEveryKeyIsDescribed(t *testing.T) {
	home := t.TempDir()
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys {
		v, err := cfg.Get(k)
		kind := kindOf(Key{Field: k})
		if err != nil || v == "" && kind != kindText {
			t.Errorf("Get(%q) = %q, %v: describe the key in keys.go (topLevel, kindOf)", k, v, err)
			continue
		}
		if v == "" {
			continue // no default
		}
		// the default value must pass the key's own check, and Set must accept it
		if err := kind.check(v); err != nil {
			t.Errorf("%s: default %q fails its check: %v", k, v, err)
		}
		if err := Set(cfg.File, k, v, env(nil)); err != nil {
			t.Errorf("Set(%s, %q): %v", k, v, err)
		}
	}
	if _, err := Load(env(map[string]string{"BATCHCTL_HOME": home})); err != nil {
		t.Errorf("Load after setting every default: %v", err)
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {10 * time.Second, "10s"}, {time.Minute, "1m"}, {90 * time.Second, "1m30s"},
		{2 * time.Hour, "2h"}, {2*time.Hour + 30*time.Minute, "2h30m"}, {time.Hour + time.Second, "1h0m1s"},
		{1500 * time.Millisecond, "1.5s"}, {24 * time.Hour, "24h"},
	}
	for _, tt := range tests {
		got := FormatDuration(tt.d)
		if got != tt.want {
			t.Errorf("FormatDuration(%s) = %q, want %q", tt.d, got, tt.want)
		}
		if back, err := time.ParseDuration(got); err != nil || back != tt.d {
			t.Errorf("ParseDuration(%q) = %s, %v; want %s", got, back, err, tt.d)
		}
	}
}
