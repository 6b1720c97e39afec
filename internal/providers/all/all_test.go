package all

import (
	"testing"
	"time"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers/anthropic"
	"github.com/batchctl/batchctl/internal/providers/openai"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		faults   string
		duration time.Duration
		prof     config.Profile
		want     string // "" for no error
	}{
		{name: "emulator", prof: config.Profile{Name: "emulator", Type: config.TypeEmulator}},
		{name: "emulator faults", faults: "create=teapot", prof: config.Profile{Name: "emulator", Type: config.TypeEmulator},
			want: `emulator_faults (BATCHCTL_EMULATOR_FAULTS): fault "create=teapot": kind "teapot" is not 429, 429bare, a status from 500 to 599, drop, lost, hang, slow or late`},
		{name: "emulator duration", duration: -time.Second, prof: config.Profile{Name: "emulator", Type: config.TypeEmulator},
			want: "emulator_duration (BATCHCTL_EMULATOR_DURATION) must not be negative, got -1s"},
		{name: "openai", prof: config.Profile{Name: "openai", Type: config.TypeOpenAI, BaseURL: "https://api.openai.com/v1"}},
		{name: "azure without endpoint", prof: config.Profile{Name: "azure", Type: config.TypeOpenAI},
			want: `provider "azure" has no base URL: set AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) or set providers.azure.base_url in /home/config.yaml`},
		{name: "query in base URL", prof: config.Profile{Name: "gemini", Type: config.TypeGemini, BaseURL: "https://g.example?key=k", BaseURLSource: "GOOGLE_GEMINI_BASE_URL"},
			want: "GOOGLE_GEMINI_BASE_URL: base URL https://g.example?... has a query (?...): batchctl adds the API paths itself; remove it"},
		{name: "unknown type", prof: config.Profile{Name: "x", Type: "grpc", BaseURL: "https://x.example"},
			want: `provider "x": unsupported type "grpc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &config.Config{File: "/home/config.yaml", EmulatorFaults: tt.faults, EmulatorDuration: tt.duration}
			got := ""
			if err := Check(cfg, &tt.prof); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Check = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTarget(t *testing.T) {
	for typ, want := range map[string]jsonl.Target{
		config.TypeOpenAI:    jsonl.TargetOpenAI,
		config.TypeAnthropic: jsonl.TargetAnthropic,
		config.TypeGemini:    jsonl.TargetGemini,
		config.TypeEmulator:  jsonl.TargetOpenAI,
		"grpc":               jsonl.TargetOpenAI,
	} {
		if got := Target(typ); got != want {
			t.Errorf("Target(%q) = %q, want %q", typ, got, want)
		}
	}
}

func TestRegisterRefusesDuplicate(t *testing.T) {
	defer func() {
		if r := recover(); r != `providers/all: profile type "openai" registered twice` {
			t.Errorf("recovered %v, want the duplicate named", r)
		}
	}()
	register(openai.Factory(), anthropic.Factory(), openai.Factory())
}
