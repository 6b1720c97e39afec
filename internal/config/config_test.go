package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func writeConfig(t *testing.T, home, body string) {
	t.Helper()
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config.yaml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDefaults(t *testing.T) {
	home := t.TempDir()
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home, "OPENAI_API_KEY": "sk-1"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Home != home || cfg.File != filepath.Join(home, "config.yaml") {
		t.Errorf("home/file = %q, %q", cfg.Home, cfg.File)
	}
	if cfg.PollInterval != 10*time.Second || cfg.EmulatorDuration != 3*time.Second {
		t.Errorf("poll_interval %s, emulator_duration %s", cfg.PollInterval, cfg.EmulatorDuration)
	}
	if cfg.HTTPIdleTimeout != time.Minute {
		t.Errorf("http_idle_timeout %s, want 1m", cfg.HTTPIdleTimeout)
	}
	o := cfg.Providers["openai"]
	if o.BaseURL != "https://api.openai.com/v1" || o.APIKey != "sk-1" || o.MaxRequests != 50_000 || o.MaxBytes != 200*MB {
		t.Errorf("openai profile = %+v", o)
	}
	if got := strings.Join(cfg.ProfileNames(), ","); got != "anthropic,azure,bedrock,deepseek,emulator,gemini,groq,mistral,ollama,openai,openrouter,vertex,vllm,xai" {
		t.Errorf("profiles = %s", got)
	}
	for name, want := range map[string]string{"ollama": "http://localhost:11434/v1", "vllm": "http://localhost:8000/v1", "deepseek": "https://api.deepseek.com"} {
		if p := cfg.Providers[name]; !p.Direct() || p.BaseURL != want {
			t.Errorf("%s profile = %+v, want a direct profile at %s", name, p, want)
		}
	}
	if cfg.Providers["openai"].Direct() {
		t.Error("openai is a batch profile")
	}
	if !cfg.Providers["emulator"].KeySet() {
		t.Error("the emulator needs no key")
	}
}

func TestLoadHomeFromXDG(t *testing.T) {
	cfg, err := Load(env(map[string]string{"XDG_CONFIG_HOME": "/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Home != filepath.Join("/x", "batchctl") {
		t.Errorf("home = %q", cfg.Home)
	}
}

func TestLoadStandardVariables(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"BATCHCTL_HOME": t.TempDir(), "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
		"OPENAI_ORG_ID": "org-1", "BATCHCTL_DEFAULT_MODEL": "openai/gpt-x", "BATCHCTL_POLL_INTERVAL": "2s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Providers["openai"]
	if o.BaseURL != "http://127.0.0.1:9/v1" || o.Headers["OpenAI-Organization"] != "org-1" {
		t.Errorf("openai profile = %+v", o)
	}
	if cfg.DefaultModel != "openai/gpt-x" || cfg.PollInterval != 2*time.Second {
		t.Errorf("default_model %q, poll_interval %s", cfg.DefaultModel, cfg.PollInterval)
	}
	if o.KeySet() {
		t.Error("no OPENAI_API_KEY, yet KeySet")
	}
}

func TestLoadProfiles(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, `
default_model: groq/llama-3.1-8b-instant
poll_interval: 30s
providers:
  groq:
    type: openai
    base_url: https://api.groq.com/openai/v1
    api_key_env: GROQ_API_KEY
    max_requests: 50000
    max_bytes: 100MB
  azure:
    base_url: https://r.openai.azure.com/openai/v1
    api_key_env: AZURE_KEY
    auth_header: api-key
  openai:
    max_requests: 10
`)
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home, "GROQ_API_KEY": "gsk", "OPENAI_BASE_URL": "http://proxy/v1"}))
	if err != nil {
		t.Fatal(err)
	}
	g := cfg.Providers["groq"]
	if g.Type != TypeOpenAI || g.BaseURL != "https://api.groq.com/openai/v1" || g.APIKey != "gsk" || g.MaxBytes != 100*MB || g.AuthHeader != AuthBearer {
		t.Errorf("groq = %+v", g)
	}
	a := cfg.Providers["azure"]
	if a.AuthHeader != AuthAPIKey || a.KeySet() || a.MaxRequests != 100_000 || a.APIKeyEnv != "AZURE_KEY" {
		t.Errorf("azure = %+v", a)
	}
	o := cfg.Providers["openai"]
	if o.MaxRequests != 10 || o.BaseURL != "http://proxy/v1" || o.MaxBytes != 200*MB {
		t.Errorf("openai override = %+v", o)
	}
	if cfg.PollInterval != 30*time.Second || cfg.DefaultModel != "groq/llama-3.1-8b-instant" {
		t.Errorf("top-level keys: %+v", cfg)
	}
}

func TestLoadBuiltinProviders(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"BATCHCTL_HOME": t.TempDir(), "ANTHROPIC_BASE_URL": "http://127.0.0.1:1", "ANTHROPIC_API_KEY": "a",
		"GOOGLE_API_KEY": "g", "AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com/",
		"OPENROUTER_API_KEY": "o",
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, typ, url, keyEnv string
		keySet                 bool
		maxReq                 int
		maxBytes               int64
	}{
		{"anthropic", TypeAnthropic, "http://127.0.0.1:1", "ANTHROPIC_API_KEY", true, 100_000, 255 * MB},
		{"gemini", TypeGemini, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", true, 100_000, 2 * GB},
		{"azure", TypeOpenAI, "https://r.openai.azure.com/openai/v1", "AZURE_OPENAI_API_KEY", false, 100_000, 200 * MB},
		{"groq", TypeOpenAI, "https://api.groq.com/openai/v1", "GROQ_API_KEY", false, 50_000, 200 * MB},
		{"xai", TypeXAI, "https://api.x.ai/v1", "XAI_API_KEY", false, 50_000, 200 * MB},
		{"openrouter", TypeOpenRouter, "https://openrouter.ai/api/beta", "OPENROUTER_API_KEY", true, 5_000, 200 * MB},
	}
	for _, tt := range tests {
		p := cfg.Providers[tt.name]
		if p.Type != tt.typ || p.BaseURL != tt.url || p.APIKeyEnv != tt.keyEnv || p.KeySet() != tt.keySet ||
			p.MaxRequests != tt.maxReq || p.MaxBytes != tt.maxBytes {
			t.Errorf("%s = %+v", tt.name, p)
		}
	}
	if cfg.Providers["azure"].AuthHeader != AuthAPIKey {
		t.Error("azure must send the api-key header")
	}
}

// TestLoadIdleTimeout reads http_idle_timeout from the file, and from
// BATCHCTL_HTTP_IDLE_TIMEOUT over it.
func TestLoadIdleTimeout(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, "http_idle_timeout: 5m\n")
	for _, tt := range []struct {
		env  string
		want time.Duration
	}{{"", 5 * time.Minute}, {"90s", 90 * time.Second}} {
		cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home, "BATCHCTL_HTTP_IDLE_TIMEOUT": tt.env}))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.HTTPIdleTimeout != tt.want {
			t.Errorf("BATCHCTL_HTTP_IDLE_TIMEOUT=%q: http_idle_timeout %s, want %s", tt.env, cfg.HTTPIdleTimeout, tt.want)
		}
	}
}

func TestFilesDir(t *testing.T) {
	home, shared := t.TempDir(), t.TempDir()
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.JobDir("j1"), filepath.Join(home, "jobs", "j1"); got != want {
		t.Errorf("default JobDir = %q, want %q", got, want)
	}
	cfg, err = Load(env(map[string]string{"BATCHCTL_HOME": home, "BATCHCTL_FILES": shared}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.JobDir("j1"), filepath.Join(shared, "j1"); got != want {
		t.Errorf("JobDir with BATCHCTL_FILES = %q, want %q", got, want)
	}
	cfg, err = Load(env(map[string]string{"BATCHCTL_HOME": home, "BATCHCTL_FILES": "s3://bucket/jobs"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.JobDir("j1"), filepath.Join(home, "jobs", "j1"); got != want || cfg.FilesStore() != "s3://bucket/jobs" {
		t.Errorf("with files in S3: JobDir = %q (want %q), FilesStore = %q", got, want, cfg.FilesStore())
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"bad yaml", "providers: [", "config.yaml"},
		{"unknown type", "providers:\n  x:\n    type: smtp\n    base_url: http://x\n", `providers.x: unknown type "smtp"`},
		{"no base url", "providers:\n  x:\n    type: openai\n", "providers.x: base_url is required"},
		{"bad size", "providers:\n  x:\n    base_url: http://x\n    max_bytes: lots\n", `providers.x: max_bytes: invalid size "lots"`},
		{"bad auth", "providers:\n  x:\n    base_url: http://x\n    auth_header: basic\n", `auth_header: unknown style "basic"`},
		{"emulator type", "providers:\n  x:\n    type: emulator\n", "reserved for the built-in emulator"},
		{"bad interval", "poll_interval: -1s\n", "poll_interval must be positive"},
		{"no idle timeout", "http_idle_timeout: 0s\n", "http_idle_timeout must be positive, got 0s"},
		{"relative files", "files: shared/jobs\n", `files must be an absolute directory path or an s3:// prefix, got "shared/jobs"`},
		{"unknown storage", "files: ftp://host/jobs\n", `files: bucket location "ftp://host/jobs": scheme "ftp" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			writeConfig(t, home, tt.body)
			_, err := Load(env(map[string]string{"BATCHCTL_HOME": home}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseModel(t *testing.T) {
	tests := []struct {
		spec, fallback, provider, model, err string
	}{
		{"openai/gpt-4o-mini", "", "openai", "gpt-4o-mini", ""},
		{"groq/meta-llama/llama-4", "", "groq", "meta-llama/llama-4", ""},
		{"openrouter/anthropic/claude-sonnet-4.5", "", "openrouter", "anthropic/claude-sonnet-4.5", ""},
		{"anthropic/claude-sonnet-4.5", "openrouter", "openrouter", "anthropic/claude-sonnet-4.5", ""},
		{"gpt-4o", "openai", "openai", "gpt-4o", ""},
		{"gpt-4o", "", "", "", `model "gpt-4o" is not of the form provider/model`},
		{"/x", "", "", "", "not of the form"},
		{"", "", "", "", "no model given"},
	}
	for _, tt := range tests {
		p, m, err := ParseModel(tt.spec, tt.fallback)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseModel(%q) err = %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || p != tt.provider || m != tt.model {
			t.Errorf("ParseModel(%q, %q) = %q, %q, %v", tt.spec, tt.fallback, p, m, err)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"200MB", 200_000_000}, {"1GiB", 1 << 30}, {"1.5 kb", 1500}, {"1024", 1024}, {"64KiB", 65536}, {"3g", 3_000_000_000},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "MB", "-1MB", "ten"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) succeeded", bad)
		}
	}
}

func TestLoadWarnsOfAReadableKey(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, "providers:\n  openai:\n    api_key: sk-in-file\n")
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 || cfg.Providers["openai"].APIKey != "sk-in-file" {
		t.Fatalf("a 0600 file: warnings %q, key set %v", cfg.Warnings, cfg.Providers["openai"].KeySet())
	}
	if err := os.Chmod(filepath.Join(home, "config.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(env(map[string]string{"BATCHCTL_HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(home, "config.yaml") + " holds an API key (providers.openai.api_key) and can be read by other users: chmod 600 it, or use api_key_env"
	if len(cfg.Warnings) != 1 || cfg.Warnings[0] != want {
		t.Errorf("warnings = %q, want %q", cfg.Warnings, want)
	}
	for _, w := range cfg.Warnings {
		if strings.Contains(w, "sk-in-file") {
			t.Error("the warning shows the key")
		}
	}
}

func TestLoadMistral(t *testing.T) {
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": t.TempDir(), "MISTRAL_API_KEY": "mk-1"}))
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Providers["mistral"]
	if m.Type != TypeMistral || m.BaseURL != "https://api.mistral.ai" || m.APIKey != "mk-1" || m.BaseURLSource != "" ||
		m.MaxRequests != 1_000_000 || m.MaxBytes != 512*MB || m.CompletionWindow != "24h" {
		t.Errorf("mistral profile = %+v", m)
	}
	cfg, err = Load(env(map[string]string{"BATCHCTL_HOME": t.TempDir(), "MISTRAL_BASE_URL": "http://127.0.0.1:9/mistral"}))
	if err != nil {
		t.Fatal(err)
	}
	if m := cfg.Providers["mistral"]; m.BaseURL != "http://127.0.0.1:9/mistral" || m.BaseURLSource != "MISTRAL_BASE_URL" || m.KeySet() {
		t.Errorf("mistral profile with MISTRAL_BASE_URL = %+v", m)
	}
}
