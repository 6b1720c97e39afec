package config

import (
	"strings"
	"testing"
)

func TestLoadBudgets(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, `providers:
  openai:
    enqueued_tokens:
      - model: gpt-4o
        tokens: 90000
      - model: "ft:gpt-4o-mini:org:custom:1a2b"
        tokens: 2000000
      - model: "*"
        tokens: 500000
  anthropic:
    enqueued_tokens:
      - model: "*"
        requests: 100000
`)
	cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		profile, model string
		want           int64
	}{
		{"openai", "gpt-4o", 90_000},
		{"openai", "ft:gpt-4o-mini:org:custom:1a2b", 2_000_000},
		{"openai", "gpt-4.1", 500_000},
		{"anthropic", "claude-sonnet-4-5", 100_000},
		{"gemini", "gemini-2.5-flash", 0},
	} {
		if got := cfg.Providers[tt.profile].BudgetFor(tt.model); got != tt.want {
			t.Errorf("%s BudgetFor(%q) = %d, want %d", tt.profile, tt.model, got, tt.want)
		}
	}
	if u := BudgetUnit(TypeAnthropic); u != "requests" {
		t.Errorf("BudgetUnit(anthropic) = %q", u)
	}
}

func TestLoadBudgetErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no model", "providers:\n  openai:\n    enqueued_tokens:\n      - tokens: 5\n",
			`providers.openai: enqueued_tokens[0]: model is required`},
		{"twice", "providers:\n  openai:\n    enqueued_tokens:\n      - {model: a, tokens: 5}\n      - {model: a, tokens: 6}\n",
			`providers.openai: enqueued_tokens[1]: model "a" is listed twice`},
		{"zero", "providers:\n  openai:\n    enqueued_tokens:\n      - {model: a, tokens: 0}\n",
			`providers.openai: enqueued_tokens[0]: tokens must be a positive number`},
		{"requests on openai", "providers:\n  openai:\n    enqueued_tokens:\n      - {model: a, requests: 5}\n",
			`enqueued_tokens[0]: the openai protocol counts enqueued tokens: write tokens: N, not requests`},
		{"tokens on anthropic", "providers:\n  anthropic:\n    enqueued_tokens:\n      - {model: a, tokens: 5}\n",
			`enqueued_tokens[0]: the anthropic protocol counts requests in its batch queue: write requests: N, not tokens`},
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
